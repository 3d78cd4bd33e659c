//! The record panel's commands: `show_record` (the fields the admin lets agents see, typed
//! for the editor, and the intent buttons), `save_record` (only the changed fields, with
//! conflict detection), `apply_intent` (an intent button pressed, on the record or on a
//! related Opportunity or Case), `queued_record_edits` (a record's edits made while
//! Salesforce was unreachable: pending, in conflict or failed) and `resolve_queued_edit`.
//! While Salesforce is unreachable, saves and intents are queued durably (answer `queued`).
//! The policy and the checks live in [`ringside_core::record_edit`] and
//! [`ringside_core::edit_queue`]; this module forwards.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;

use ringside_core::config::Config;
use ringside_core::config_watch::ConfigWatch;
use ringside_core::edit_queue::RecordSave;
use ringside_core::edit_queue::{EditQueueError, EditRequest, QueuedEdit, save_or_queue};
use ringside_core::record_edit::{EditError, FieldChange, RecordEditor, ShownRecord};
use tauri::State;

use crate::edit_runner::RecordEditQueue;
use crate::error::IpcError;
use crate::org::{ActiveOrg, OrgLink};

/// The visible fields of a Contact, Lead or Account, with what each editor input needs.
#[tauri::command]
pub async fn show_record(
    id: String,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ShownRecord, IpcError> {
    let editor = editor_for(&active.current(), config.current().config());
    editor.show(&id).await.map_err(edit_error)
}

/// Saves the agent's changes to record `id`. `expected_modified` is the `LastModifiedDate`
/// the panel showed: a record changed since answers `conflict` with both values.
#[tauri::command]
pub async fn save_record(
    id: String,
    changes: Vec<FieldChange>,
    expected_modified: Option<String>,
    active: State<'_, ActiveOrg>,
    queue: State<'_, RecordEditQueue>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<RecordSave, IpcError> {
    let link = active.current();
    let editor = editor_for(&link, config.current().config());
    let request = EditRequest::Fields {
        changes: changes.into_iter().map(|c| (c.field, c.value)).collect(),
        expected_modified,
    };
    save_or_queue(&editor, queue.queue(), link.tag.as_str(), &id, &request)
        .await
        .map_err(edit_error)
}

/// Presses intent `intent` on record `id`; `input` is the agent's pick or text when the
/// intent asks for one. Values the agent gave that do not fit answer `refused`.
#[tauri::command]
pub async fn apply_intent(
    id: String,
    intent: String,
    input: Option<String>,
    active: State<'_, ActiveOrg>,
    queue: State<'_, RecordEditQueue>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<RecordSave, IpcError> {
    let link = active.current();
    let editor = editor_for(&link, config.current().config());
    let request = EditRequest::Intent {
        name: intent,
        input,
    };
    save_or_queue(&editor, queue.queue(), link.tag.as_str(), &id, &request)
        .await
        .map_err(edit_error)
}

/// Record `id`'s queued edits the agent still has to see: pending ("will be saved when
/// Salesforce is reachable"), in conflict (both values) or failed (the reason in words).
#[tauri::command]
pub async fn queued_record_edits(
    id: String,
    queue: State<'_, RecordEditQueue>,
) -> Result<Vec<QueuedEdit>, IpcError> {
    match queue.queue() {
        Some(queue) => queue.open_for_record(&id).await.map_err(queue_error),
        None => Ok(Vec::new()),
    }
}

/// The agent dealt with a queued edit's conflict or failure: it is no longer shown.
#[tauri::command]
pub async fn resolve_queued_edit(
    edit: i64,
    queue: State<'_, RecordEditQueue>,
) -> Result<(), IpcError> {
    let Some(queue) = queue.queue() else {
        return Err(IpcError {
            code: IpcCode::QueueUnavailable,
            message: "the record-edit queue is not available".into(),
        });
    };
    queue.resolve(edit).await.map_err(queue_error)
}

fn queue_error(err: EditQueueError) -> IpcError {
    let code = match err {
        EditQueueError::NotFound(_) | EditQueueError::NotOpen { .. } => IpcCode::InvalidInput,
        _ => IpcCode::QueueUnavailable,
    };
    IpcError {
        code,
        message: err.to_string(),
    }
}

/// An editor over `link` (the org in use now, with its describes) and the config in use now
/// (the Admin view's saves and edits of the file apply to the next action).
pub(crate) fn editor_for(link: &OrgLink, config: &Config) -> RecordEditor {
    RecordEditor::new(link.describes.clone(), config.fields.clone())
        .with_intents(config.intents.clone())
}

fn edit_error(err: EditError) -> IpcError {
    // The code only: the message may hold field values (personal data).
    tracing::warn!(code = %err.code(), "record edit failed");
    IpcError {
        code: err.code(),
        message: err.to_string(),
    }
}
