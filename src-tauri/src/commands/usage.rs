//! `usage_today`: the org's API budget for Settings, the main window's banner and the
//! history's auto-refresh — the org's used/allocation, Ringside's requests today by kind,
//! requests per handled call, and whether optional requests are paused. A thin forwarder to
//! `ringside_core::api_budget` (the CLI's `org usage` reads the same report). Granted to the
//! main window by `capabilities/usage.json`.

use ringside_core::api_budget::{BudgetView, report_today};
use ringside_core::outbox::OrgFilter;
use tauri::State;

use crate::error::IpcError;
use crate::org::ActiveOrg;
use crate::outbox_runner::CallLogQueue;

#[tauri::command]
pub async fn usage_today(
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<BudgetView, IpcError> {
    let link = active.current();
    let Some(recorder) = &link.usage else {
        return Err(IpcError {
            code: "usage_unavailable".into(),
            message: "Ringside cannot open its API usage file (api-usage.db) in its home folder, \
                      so requests are not counted in this run; check that the folder is writable \
                      and restart Ringside"
                .into(),
        });
    };
    let filter = OrgFilter::for_org(
        link.identity
            .alias
            .as_deref()
            .filter(|_| !link.identity.demo),
    );
    let report = report_today(
        recorder,
        queue.outbox(),
        &filter,
        ringside_core::outbox::now_ms(),
    )
    .await
    .map_err(|err| IpcError {
        code: "usage_unavailable".into(),
        message: err.to_string(),
    })?;
    Ok(BudgetView::new(
        &report,
        link.api,
        link.client.last_limit_info(),
    ))
}
