//! Response shapes of the sObject write resources (create, upsert).
//!
//! Upsert per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm>:
//! 201 created, 200 updated (204 before API v46.0), 300 when several records match.

use serde::{Deserialize, Serialize};

/// The answer to a create: the new record's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResult {
    /// The new record's id.
    pub id: String,
}

/// What an upsert by external id did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UpsertOutcome {
    /// No record had the value: one was created.
    Created {
        /// The new record's id.
        id: String,
    },
    /// Exactly one record had the value: it was updated.
    Updated {
        /// Its id; `None` when the server answered 204 without a body (API before v46.0).
        id: Option<String>,
    },
}

impl UpsertOutcome {
    /// The record id, when known.
    pub fn id(&self) -> Option<&str> {
        match self {
            UpsertOutcome::Created { id } => Some(id),
            UpsertOutcome::Updated { id } => id.as_deref(),
        }
    }
}

/// The body Salesforce sends with 201/200 to a create or upsert.
#[derive(Debug, Deserialize)]
pub(crate) struct SaveResult {
    pub id: Option<String>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub errors: Vec<serde_json::Value>,
}
