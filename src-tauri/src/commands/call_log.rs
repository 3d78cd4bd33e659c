//! The log form's commands: list the open forms, open one by hand, record the agent's
//! inputs (restarting the idle time), log a call, read a logged call's queue state; the
//! form's org-dependent options (intent buttons, disposition picklist), pressing and
//! releasing an intent, picking which matched record the call was with, and the outcome
//! actions the chosen disposition will run.
//! Granted to the main window by `capabilities/call-log.json`.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;

use ringside_core::call_actions::FormActions;
use ringside_core::call_log::draft::DraftFields;
use ringside_core::call_log::form_options::{FormOptions, form_options, press_intent};
use ringside_core::config_watch::ConfigWatch;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::log_forms::{LogForms, LoggedCall, OpenCallLog};
use crate::org::ActiveOrg;
use crate::outbox_runner::CallLogQueue;

/// The forms waiting for the agent (for a window that loads after a call ended).
#[tauri::command]
pub fn open_call_logs(forms: State<'_, LogForms>) -> Vec<OpenCallLog> {
    forms.open_forms()
}

/// "Log a call": an empty form with a fresh call id, never logged by the idle rule.
#[tauri::command]
pub async fn start_call_log(
    forms: State<'_, LogForms>,
    active: State<'_, ActiveOrg>,
) -> Result<OpenCallLog, IpcError> {
    Ok(forms.open_manual(active.current().tag.as_str()).await)
}

fn closed() -> IpcError {
    IpcError {
        code: IpcCode::CallLogClosed,
        message: "This call was already logged.".into(),
    }
}

/// The agent changed the form: keeps (and saves) the inputs and restarts the idle time.
#[tauri::command]
pub async fn update_call_log(
    call_id: String,
    fields: DraftFields,
    forms: State<'_, LogForms>,
) -> Result<OpenCallLog, IpcError> {
    forms.update(&call_id, fields).await.ok_or_else(closed)
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
            code: IpcCode::CallLogInvalid,
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

fn describe_error(err: ringside_core::org_error::OrgError) -> IpcError {
    IpcError {
        code: IpcCode::DescribeFailed,
        message: format!(
            "The call-log fields could not be read from Salesforce ({err}); the form offers free text until it is reachable."
        ),
    }
}

/// What the form offers from the org in use's describe: the call's intent buttons and the
/// disposition picklist (when `Disposition__c`, or the configured field, is one).
#[tauri::command]
pub async fn call_log_options(
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<FormOptions, IpcError> {
    // The config in use now: intents and the logging mode may change while the app runs.
    let config = config.current();
    let config = config.config();
    let describes = active.current().describes.clone();
    let call_log = describes
        .describe(&config.logging.call_log.object)
        .await
        .map_err(describe_error)?;
    let task = if config.logging.mode.writes_task() {
        Some(describes.describe("Task").await.map_err(describe_error)?)
    } else {
        None
    };
    Ok(form_options(
        &config.intents,
        &config.logging,
        task.as_deref(),
        &call_log,
    ))
}

/// Presses an intent on the form: its value is checked against the field now (type,
/// picklist value, length) and travels with the call when it is logged.
#[tauri::command]
pub async fn press_call_intent(
    call_id: String,
    name: String,
    input: Option<String>,
    forms: State<'_, LogForms>,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<OpenCallLog, IpcError> {
    let config = config.current();
    let config = config.config();
    let describes = active.current().describes.clone();
    let task = describes.describe("Task").await.map_err(describe_error)?;
    let call_log = describes
        .describe(&config.logging.call_log.object)
        .await
        .map_err(describe_error)?;
    let intent = press_intent(
        &config.intents,
        &config.logging,
        &task,
        &call_log,
        &name,
        input.as_deref(),
        std::time::SystemTime::now(),
    )
    .map_err(|problem| intent_invalid(&problem))?;
    forms.press(&call_id, intent).await.ok_or_else(closed)
}

/// An intent whose value the field refuses, in words.
fn intent_invalid(problem: &dyn std::fmt::Display) -> IpcError {
    IpcError {
        code: IpcCode::IntentInvalid,
        message: problem.to_string(),
    }
}

/// Takes a pressed intent back.
#[tauri::command]
pub async fn release_call_intent(
    call_id: String,
    name: String,
    forms: State<'_, LogForms>,
) -> Result<OpenCallLog, IpcError> {
    forms.release(&call_id, &name).await.ok_or_else(closed)
}

/// Several records matched the caller: the agent picks the one the call was with (its
/// `WhoId`, or `WhatId` for an Account, and its Opportunities and Cases as choices).
#[tauri::command]
pub async fn choose_call_record(
    call_id: String,
    record_id: String,
    forms: State<'_, LogForms>,
) -> Result<OpenCallLog, IpcError> {
    forms
        .choose(&call_id, &record_id)
        .await
        .ok_or_else(|| IpcError {
            code: IpcCode::CallLogRecord,
            message: "That record did not match this caller, or the call was already logged."
                .into(),
        })
}

/// What the form's chosen disposition will also do in Salesforce, for the fields as they
/// stand (ringside-core plans it from the config in use; nothing is sent): each action, and
/// why none apply when the plan fails.
#[tauri::command]
pub fn preview_call_actions(
    call_id: String,
    fields: DraftFields,
    forms: State<'_, LogForms>,
    config: State<'_, Arc<ConfigWatch>>,
    active: State<'_, crate::org::ActiveOrg>,
) -> Result<FormActions, IpcError> {
    let draft = forms.draft(&call_id).ok_or_else(closed)?;
    Ok(ringside_core::call_actions::preview(
        config.current().config(),
        &draft,
        &fields,
        &ringside_core::time::agent_zone(),
        Some(&active.current().user_id),
    ))
}
