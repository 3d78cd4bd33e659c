//! The log form's commands: list the open forms, open one by hand, record the agent's
//! inputs (restarting the idle time), log a call, and read a logged call's queue state.
//! Granted to the main window by `capabilities/call-log.json`.

use ringside_core::call_log::draft::DraftFields;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::log_forms::{LogForms, LoggedCall, OpenCallLog};
use crate::outbox_runner::CallLogQueue;

/// The forms waiting for the agent (for a window that loads after a call ended).
#[tauri::command]
pub fn open_call_logs(forms: State<'_, LogForms>) -> Vec<OpenCallLog> {
    forms.open_forms()
}

/// "Log a call": an empty form with a fresh call id, never logged by the idle rule.
#[tauri::command]
pub fn start_call_log(forms: State<'_, LogForms>) -> OpenCallLog {
    forms.open_manual()
}

/// The agent changed the form: keeps the inputs and restarts the idle time.
#[tauri::command]
pub fn update_call_log(
    call_id: String,
    fields: DraftFields,
    forms: State<'_, LogForms>,
) -> Result<OpenCallLog, IpcError> {
    forms.update(&call_id, fields).ok_or_else(|| IpcError {
        code: "call_log_closed".into(),
        message: "This call was already logged.".into(),
    })
}

/// "Log call": commits the log to the queue before returning (Salesforce is not waited for).
#[tauri::command]
pub async fn log_call<R: Runtime>(
    call_id: String,
    fields: DraftFields,
    app: AppHandle<R>,
) -> Result<LoggedCall, IpcError> {
    let logged = crate::log_forms::log_form(&app, &call_id, &fields, false).await;
    match logged.outcome.as_str() {
        "failed" => Err(IpcError {
            code: "call_log_invalid".into(),
            message: logged.message.unwrap_or_default(),
        }),
        _ => Ok(logged),
    }
}

/// Where a logged call stands in the queue: `pending`, `in_flight`, `delivered`, `dead`, or
/// `null` when it is not in the queue (kept as a file, or never logged).
#[tauri::command]
pub async fn call_log_state(
    call_id: String,
    queue: State<'_, CallLogQueue>,
) -> Result<Option<String>, IpcError> {
    let Some(outbox) = queue.outbox() else {
        return Ok(None);
    };
    let item = outbox
        .find_call(&call_id)
        .await
        .map_err(super::queue::queue_error)?;
    Ok(item.map(|item| super::queue::state_name(item.state).to_owned()))
}
