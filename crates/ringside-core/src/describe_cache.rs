//! Describes fetched once per object for the life of a run (a `config validate`, a
//! `doctor`, an edit session): every check reads the same answer, and an object with
//! hundreds of fields costs one request, not one per check. [`DescribeCache::refresh`] asks
//! again with `If-Modified-Since` (the time of the last fetch), so an unchanged object costs
//! a 304 without a body.

use std::collections::HashMap;
use std::sync::Arc;

use salesforce::SObjectDescribe;
use tokio::sync::Mutex;

/// An in-memory describe cache over one client. Failures are not cached, so a retry asks
/// Salesforce again.
#[derive(Debug, Clone)]
pub struct DescribeCache {
    client: salesforce::Client,
    entries: Arc<Mutex<HashMap<String, Cached>>>,
}

#[derive(Debug)]
struct Cached {
    describe: Arc<SObjectDescribe>,
    /// When it was fetched, as an HTTP date (what `If-Modified-Since` takes).
    fetched: String,
}

/// What [`DescribeCache::refresh`] found.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub describe: Arc<SObjectDescribe>,
    /// Salesforce answered 304: the cached describe is still right.
    pub unchanged: bool,
}

impl DescribeCache {
    pub fn new(client: salesforce::Client) -> Self {
        DescribeCache {
            client,
            entries: Arc::default(),
        }
    }

    /// The client the describes come from.
    pub fn client(&self) -> &salesforce::Client {
        &self.client
    }

    /// The describe of `object`, fetched on first use (object names are case-insensitive).
    pub async fn describe(&self, object: &str) -> Result<Arc<SObjectDescribe>, salesforce::Error> {
        let key = object.to_ascii_lowercase();
        // Held across the request on purpose: two checks asking for the same object at
        // once must not both fetch it.
        let mut entries = self.entries.lock().await;
        if let Some(found) = entries.get(&key) {
            return Ok(found.describe.clone());
        }
        let fetched = now_http_date();
        let describe = Arc::new(self.client.describe(object).await?);
        entries.insert(
            key,
            Cached {
                describe: describe.clone(),
                fetched,
            },
        );
        Ok(describe)
    }

    /// The describe of `object`, checked with Salesforce: a cached one is sent back with
    /// `If-Modified-Since` and kept on 304; a changed (or never fetched) one is fetched whole.
    pub async fn refresh(&self, object: &str) -> Result<Refreshed, salesforce::Error> {
        let key = object.to_ascii_lowercase();
        let mut entries = self.entries.lock().await;
        // The time is taken before asking, so a change made during the request is seen next time.
        let asked = now_http_date();
        if let Some(found) = entries.get_mut(&key) {
            match self
                .client
                .describe_if_modified_since(object, &found.fetched)
                .await?
            {
                None => {
                    found.fetched = asked;
                    return Ok(Refreshed {
                        describe: found.describe.clone(),
                        unchanged: true,
                    });
                }
                Some(changed) => {
                    let describe = Arc::new(changed);
                    *found = Cached {
                        describe: describe.clone(),
                        fetched: asked,
                    };
                    return Ok(Refreshed {
                        describe,
                        unchanged: false,
                    });
                }
            }
        }
        let describe = Arc::new(self.client.describe(object).await?);
        entries.insert(
            key,
            Cached {
                describe: describe.clone(),
                fetched: asked,
            },
        );
        Ok(Refreshed {
            describe,
            unchanged: false,
        })
    }
}

/// Now as an HTTP date (`Sun, 22 Nov 2026 00:25:58 GMT`).
fn now_http_date() -> String {
    let now = crate::intents::utc_datetime(std::time::SystemTime::now());
    // utc_datetime always writes a valid Salesforce datetime, which http_date accepts.
    crate::record_edit::http_date(&now).unwrap_or_default()
}
