//! `usage_today`: the org's API budget for Settings, the main window's banner and the
//! history's auto-refresh — the org's used/allocation, Ringside's requests today by kind,
//! requests per handled call, and whether optional requests are paused. A thin forwarder to
//! `ringside_core::api_budget` (the CLI's `org usage` reads the same report). Granted to the
//! main window by `capabilities/usage.json`.

use ringside_core::api_budget::{BudgetError, BudgetView, budget_today};
use tauri::State;

use crate::error::IpcError;
use crate::org::ActiveOrg;
use crate::outbox_runner::CallLogQueue;

impl From<BudgetError> for IpcError {
    fn from(err: BudgetError) -> Self {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

#[tauri::command]
pub async fn usage_today(
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<BudgetView, IpcError> {
    let link = active.current();
    let budget = budget_today(
        link.usage.as_deref(),
        queue.outbox(),
        &link.tag,
        link.api,
        link.client.last_limit_info(),
        ringside_core::outbox::now_ms(),
    );
    Ok(budget.await?)
}
