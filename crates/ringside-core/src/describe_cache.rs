//! Describes fetched once per object for the life of a run (a `config validate`, a
//! `doctor`, an edit session): every check reads the same answer, and an object with
//! hundreds of fields costs one request, not one per check. [`DescribeCache::refresh`] asks
//! again with `If-Modified-Since` (the time of the last fetch), so an unchanged object costs
//! a 304 without a body.
//!
//! The desktop app keeps one cache per org for the whole run, built
//! [`DescribeCache::with_max_age`]: a describe older than that is checked again with
//! `If-Modified-Since` on its next use, so opening a log form or a record panel costs no
//! request most of the time and an admin's change to the org is still seen within minutes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use salesforce::SObjectDescribe;
use tokio::sync::Mutex;

use crate::api_usage::RequestKind::Describe;

/// An in-memory describe cache over one client. Failures are not cached, so a retry asks
/// Salesforce again.
#[derive(Debug, Clone)]
pub struct DescribeCache {
    client: salesforce::Client,
    entries: Arc<Mutex<HashMap<String, Cached>>>,
    /// How long a cached describe is used without asking Salesforce; `None`: for ever.
    max_age: Option<Duration>,
    /// `[api]`: near the org's daily allocation a stale describe is kept rather than
    /// checked again (a refresh is optional; the cached describe still works).
    api: crate::api_usage::ApiSettings,
}

#[derive(Debug)]
struct Cached {
    describe: Arc<SObjectDescribe>,
    /// When it was fetched, as an HTTP date (what `If-Modified-Since` takes).
    fetched: String,
    /// When it was fetched or last confirmed unchanged, for `max_age`.
    checked: Instant,
}

/// What [`DescribeCache::refresh`] found.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub describe: Arc<SObjectDescribe>,
    /// Salesforce answered 304: the cached describe is still right.
    pub unchanged: bool,
}

impl DescribeCache {
    /// A cache that keeps each describe for its whole life (one run of a command).
    pub fn new(client: salesforce::Client) -> Self {
        DescribeCache {
            client,
            entries: Arc::default(),
            max_age: None,
            api: crate::api_usage::ApiSettings::default(),
        }
    }

    /// The same cache under the admin's `[api]` settings (the governor's threshold).
    pub fn with_api_settings(mut self, api: crate::api_usage::ApiSettings) -> Self {
        self.api = api;
        self
    }

    /// A long-lived cache: [`DescribeCache::describe`] checks a describe older than
    /// `max_age` with Salesforce again (`If-Modified-Since`: a 304 costs no body).
    pub fn with_max_age(client: salesforce::Client, max_age: Duration) -> Self {
        DescribeCache {
            max_age: Some(max_age),
            ..DescribeCache::new(client)
        }
    }

    /// The client the describes come from.
    pub fn client(&self) -> &salesforce::Client {
        &self.client
    }

    /// The describe of `object`, fetched on first use (object names are case-insensitive)
    /// and, in a cache built with a maximum age, checked again once it is older than that.
    pub async fn describe(&self, object: &str) -> Result<Arc<SObjectDescribe>, salesforce::Error> {
        let key = object.to_ascii_lowercase();
        {
            // Held across the request on purpose: two checks asking for the same object at
            // once must not both fetch it.
            let mut entries = self.entries.lock().await;
            if let Some(found) = entries.get(&key) {
                let fresh = self
                    .max_age
                    .is_none_or(|max_age| found.checked.elapsed() < max_age);
                if fresh {
                    return Ok(found.describe.clone());
                }
                if let crate::api_usage::OptionalRequests::Paused(paused) =
                    self.api.optional_requests(self.client.last_limit_info())
                {
                    tracing::info!(%paused, object, "describe refresh held back; using the cached one");
                    return Ok(found.describe.clone());
                }
            } else {
                let fetched = now_http_date();
                let describe = Arc::new(
                    crate::api_usage::as_kind(Describe, self.client.describe(object)).await?,
                );
                entries.insert(
                    key,
                    Cached {
                        describe: describe.clone(),
                        fetched,
                        checked: Instant::now(),
                    },
                );
                return Ok(describe);
            }
        }
        Ok(self.refresh(object).await?.describe)
    }

    /// The describe of `object`, checked with Salesforce: a cached one is sent back with
    /// `If-Modified-Since` and kept on 304; a changed (or never fetched) one is fetched whole.
    pub async fn refresh(&self, object: &str) -> Result<Refreshed, salesforce::Error> {
        let key = object.to_ascii_lowercase();
        let mut entries = self.entries.lock().await;
        // The time is taken before asking, so a change made during the request is seen next time.
        let asked = now_http_date();
        if let Some(found) = entries.get_mut(&key) {
            match crate::api_usage::as_kind(
                Describe,
                self.client
                    .describe_if_modified_since(object, &found.fetched),
            )
            .await?
            {
                None => {
                    found.fetched = asked;
                    found.checked = Instant::now();
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
                        checked: Instant::now(),
                    };
                    return Ok(Refreshed {
                        describe,
                        unchanged: false,
                    });
                }
            }
        }
        let describe =
            Arc::new(crate::api_usage::as_kind(Describe, self.client.describe(object)).await?);
        entries.insert(
            key,
            Cached {
                describe: describe.clone(),
                fetched: asked,
                checked: Instant::now(),
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
    // Empty only for a clock past the year 9999.
    crate::time::http_date(crate::time::epoch_ms(std::time::SystemTime::now())).unwrap_or_default()
}
