//! `current_org`: which org the app talks to now, and why not the registered one if it can't.

use tauri::State;

use crate::org::{ActiveOrg, OrgIdentity};

/// The org in use and, when the active org of `orgs.toml` could not be used, why.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CurrentOrg {
    pub org: OrgIdentity,
    pub problem: Option<String>,
}

/// The UI calls it as `invoke("current_org")` for the header's org badge.
#[tauri::command]
pub fn current_org(active: State<'_, ActiveOrg>) -> CurrentOrg {
    CurrentOrg {
        org: active.current().identity.clone(),
        problem: active.problem(),
    }
}
