//! `current_org`: which org the app talks to now, why not the registered one if it can't,
//! and whether the org's daily API allowance is used up.

use tauri::State;

use crate::error::IpcError;
use crate::org::{ActiveOrg, OrgIdentity};
use crate::outbox_runner::CallLogQueue;

/// The org in use and, when the active org of `orgs.toml` could not be used, why.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct CurrentOrg {
    pub org: OrgIdentity,
    pub problem: Option<String>,
    /// The org's daily API allowance is used up: the last search found it so, or call logs
    /// wait for it in the queue. The header's badge says so in words.
    pub allowance_used_up: bool,
}

/// The UI calls it as `invoke("current_org")` for the header's org badge.
#[tauri::command]
pub async fn current_org(
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<CurrentOrg, IpcError> {
    let link = active.current();
    let held_for_allowance = match queue.outbox() {
        Some(outbox) => outbox
            .status()
            .await
            .map(|status| status.held_for_allowance > 0)
            .unwrap_or(false),
        None => false,
    };
    Ok(CurrentOrg {
        org: link.identity.clone(),
        problem: active.problem(),
        allowance_used_up: held_for_allowance || link.screen_pop.lookup().allowance_used_up(),
    })
}
