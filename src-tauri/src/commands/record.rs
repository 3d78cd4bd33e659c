//! The pop-up's record commands: create a Lead or Contact for a caller nobody has yet
//! (ringside-core's `create_caller_record`, in the org in use), and open a record the pop-up
//! shows in Salesforce in the system browser (the URL is built from the org's instance URL
//! and a checked id, never taken from the UI). Granted to the pop-up only.

use ringside_core::CallerMatch;
use ringside_core::ipc_code::IpcCode;
use ringside_core::new_caller::{NewCaller, create_caller_record};
use ringside_core::record_link::lightning_record_url;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::org::ActiveOrg;
use crate::popup::{self, LatestPop};

/// Creates the record in the org in use and lists it first in call `call_id`'s pop-up.
/// The org's screen pop remembers it, so the next ring from this number pops it at once.
#[tauri::command]
pub async fn create_caller<R: Runtime>(
    call_id: String,
    caller: NewCaller,
    app: AppHandle<R>,
    org: State<'_, ActiveOrg>,
    latest: State<'_, LatestPop>,
) -> Result<CallerMatch, IpcError> {
    let link = org.current();
    let created = create_caller_record(&link.client, &link.screen_pop, caller)
        .await
        .map_err(|err| IpcError {
            code: err.code(),
            message: err.to_string(),
        })?;
    if let Some(update) = latest.add_created(&call_id, created.clone()) {
        popup::send(&app, &update);
    }
    Ok(created)
}

/// Opens `<instance URL>/lightning/r/<Object>/<Id>/view` of the org in use in the system
/// browser (or the program in `RINGSIDE_BROWSER`); returns the URL it opened.
#[tauri::command]
pub fn open_in_salesforce(
    record_id: String,
    org: State<'_, ActiveOrg>,
) -> Result<String, IpcError> {
    let link = org.current();
    let url =
        lightning_record_url(link.client.instance_url(), record_id.trim()).map_err(|err| {
            IpcError {
                code: IpcCode::InvalidInput,
                message: err.to_string(),
            }
        })?;
    ringside_core::login::open_in_browser(&url).map_err(|err| IpcError {
        code: IpcCode::OpenerFailed,
        message: format!("the browser could not be started: {err}"),
    })?;
    tracing::info!(record_id = %record_id.trim(), "opened a record in Salesforce");
    Ok(url)
}
