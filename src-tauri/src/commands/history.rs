//! The history view's commands: pages of the call history for a filter (the cursor stays
//! in core's [`HistoryCursors`], the UI holds only its number), the chart numbers, the CSV
//! export into the user's Downloads folder, the agent's own day with its missed calls, and
//! the one-click call back. All of it is ringside-core's `history` and `call_back`; these
//! commands pick the org in use and the queue, forward, and map errors to [`IpcError`].
//! Granted to the main window by `capabilities/history.json`.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;

use ringside_core::call_back::{CallBack, LinkError};
use ringside_core::config_watch::{ConfigSnapshot, ConfigWatch};
use ringside_core::history::{
    AgentDay, ExportedCsv, History, HistoryError, HistoryPageView, HistoryQuery, HistoryStatsView,
    check_offset, stats_zone,
};
use tauri::{Manager as _, State};

use crate::error::IpcError;
use crate::intake::BaresipDial;
use crate::org::{ActiveOrg, OrgLink};
use crate::outbox_runner::CallLogQueue;

/// The cursors of the open views, by number (managed state).
pub type HistoryCursors = ringside_core::history::HistoryCursors<OrgLink>;

/// The first page for `query`, newest call first: one API call.
#[tauri::command]
pub async fn history_first_page(
    query: HistoryQuery,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    config: State<'_, Arc<ConfigWatch>>,
    cursors: State<'_, HistoryCursors>,
) -> Result<HistoryPageView, IpcError> {
    let filter = query.to_filter().map_err(history_error)?;
    let link = active.current();
    let history = history_for(&link, &queue, &config.current());
    let page = cursors.first_page(link, history, &filter).await;
    with_queue_problem(page.map_err(history_error)?, &queue)
}

/// The page after `cursor` (from `history_first_page` or an earlier `history_next_page`).
/// Each cursor is used once; on failure it stays, so the same call can be tried again.
#[tauri::command]
pub async fn history_next_page(
    cursor: u64,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    cursors: State<'_, HistoryCursors>,
) -> Result<HistoryPageView, IpcError> {
    let page = cursors.next_page(cursor, &active.current()).await;
    with_queue_problem(page.map_err(history_error)?, &queue)
}

/// The charts' numbers for `query`, with hours and days read in the user's IANA
/// `time_zone` (from the browser), or at the fixed `utc_offset_minutes` east of UTC when
/// the zone is missing or unknown here, over at most `STATS_CAP` calls (the newest).
#[tauri::command]
pub async fn history_stats(
    query: HistoryQuery,
    utc_offset_minutes: i32,
    time_zone: Option<String>,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<HistoryStatsView, IpcError> {
    let filter = query.to_filter().map_err(history_error)?;
    check_offset(utc_offset_minutes).map_err(history_error)?;
    let zone = stats_zone(time_zone.as_deref(), utc_offset_minutes);
    let history = history_for(&active.current(), &queue, &config.current());
    history.charts(&filter, &zone).await.map_err(history_error)
}

/// Writes every call matching `query` as CSV (RFC 4180, UTF-8 with BOM) to a new file
/// `ringside-history-<local date>.csv` in the user's Downloads folder (never overwriting).
#[tauri::command]
pub async fn export_history_csv(
    query: HistoryQuery,
    utc_offset_minutes: i32,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ExportedCsv, IpcError> {
    let filter = query.to_filter().map_err(history_error)?;
    let history = history_for(&active.current(), &queue, &config.current());
    let export = history.export_csv(&filter, utc_offset_minutes).await;
    export.map_err(history_error)
}

/// The signed-in agent's calls since `since` (the start of their day, as an instant with
/// its offset), with the missed ones and whether each was called back.
#[tauri::command]
pub async fn agent_day(
    since: String,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<AgentDay, IpcError> {
    let link = active.current();
    let history = history_for(&link, &queue, &config.current());
    let day = history.agent_day(&since, &link.user_id).await;
    day.map_err(history_error)
}

/// Calls `number` back: through baresip's `dial` when baresip is configured (and
/// connected), else `tel:` through the system's opener (core's `call_back`).
#[tauri::command]
pub async fn call_back(number: String, app: tauri::AppHandle) -> Result<CallBack, IpcError> {
    // Not managed when the intake could not start: then there is no baresip either.
    let control = app
        .try_state::<BaresipDial>()
        .and_then(|dial| dial.0.clone());
    let started = ringside_core::call_back::call_back(&number, control.as_ref()).await;
    started.map_err(link_error)
}

/// Opens a call's recording in the browser: only `https://` and `http://` links.
#[tauri::command]
pub fn open_recording(url: String) -> Result<(), IpcError> {
    ringside_core::call_back::open_recording(&url).map_err(link_error)
}

/// A history over `link`'s org with this machine's queue merged in (when it opened): only
/// the calls queued for this org (or untagged), never another org's.
fn history_for(link: &OrgLink, queue: &CallLogQueue, config: &ConfigSnapshot) -> History {
    History::for_org(
        link.client.clone(),
        &config.config().logging,
        queue.outbox(),
        Some(link.user_id.clone()),
        &link.tag,
    )
}

/// Says why queued calls are missing from a page, when the queue did not open.
fn with_queue_problem(
    mut page: HistoryPageView,
    queue: &CallLogQueue,
) -> Result<HistoryPageView, IpcError> {
    if queue.outbox().is_none() {
        let problem = queue.problem();
        page.queue_problem = Some(
            problem
                .unwrap_or("the local call-log queue is not open")
                .into(),
        );
    }
    Ok(page)
}

/// Core's code (`invalid_input`, `signed_out`, `salesforce_unreachable`…) and its words.
fn history_error(err: HistoryError) -> IpcError {
    let code = err.code();
    if code != IpcCode::InvalidInput {
        tracing::warn!(%code, "history read failed");
    }
    IpcError {
        code,
        message: err.to_string(),
    }
}

fn link_error(err: LinkError) -> IpcError {
    IpcError {
        code: err.code(),
        message: err.to_string(),
    }
}
