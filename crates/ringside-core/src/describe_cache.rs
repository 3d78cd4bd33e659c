//! Describes fetched once per object for the life of a run (a `config validate`, a
//! `doctor`, an edit session): every check reads the same answer, and an object with
//! hundreds of fields costs one request, not one per check.

use std::collections::HashMap;
use std::sync::Arc;

use salesforce::SObjectDescribe;
use tokio::sync::Mutex;

/// An in-memory describe cache over one client. Failures are not cached, so a retry asks
/// Salesforce again.
#[derive(Debug, Clone)]
pub struct DescribeCache {
    client: salesforce::Client,
    entries: Arc<Mutex<HashMap<String, Arc<SObjectDescribe>>>>,
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
            return Ok(found.clone());
        }
        let describe = Arc::new(self.client.describe(object).await?);
        entries.insert(key, describe.clone());
        Ok(describe)
    }
}
