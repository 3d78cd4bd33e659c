//! The record panel's commands: `show_record` (the fields the admin lets agents see, typed
//! for the editor, and the intent buttons), `save_record` (only the changed fields, with
//! conflict detection) and `apply_intent` (an intent button pressed).
//! The policy and the checks live in [`ringside_core::record_edit`]; this module forwards.

use ringside_core::config::Config;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::record_edit::{EditError, FieldChange, RecordEditor, RecordSave, ShownRecord};
use tauri::State;

use crate::error::IpcError;
use crate::org::{self, ActiveOrg};

/// The visible fields of a Contact, Lead or Account, with what each editor input needs.
#[tauri::command]
pub async fn show_record(
    id: String,
    active: State<'_, ActiveOrg>,
) -> Result<ShownRecord, IpcError> {
    let editor = editor(&active)?;
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
) -> Result<RecordSave, IpcError> {
    let editor = editor(&active)?;
    let pairs: Vec<(String, String)> = changes.into_iter().map(|c| (c.field, c.value)).collect();
    RecordSave::from_edit(editor.edit(&id, &pairs, expected_modified.as_deref()).await)
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
) -> Result<RecordSave, IpcError> {
    let editor = editor(&active)?;
    let outcome = editor
        .apply_intent(&id, &intent, input.as_deref(), std::time::SystemTime::now())
        .await;
    RecordSave::from_edit(outcome).map_err(edit_error)
}

/// An editor over the org in use now and the admin's config as it is on disk now.
fn editor(active: &ActiveOrg) -> Result<RecordEditor, IpcError> {
    let config = org::home()
        .map_err(|err| format!("{err:#}"))
        .and_then(|home| Config::load_from_home(&home).map_err(|err| err.to_string()))
        .map_err(|message| IpcError {
            code: "config_invalid".into(),
            message: format!("{message}. Fix ringside.toml (Admin view) and try again."),
        })?;
    let client = active.current().client.clone();
    Ok(RecordEditor::new(DescribeCache::new(client), config.fields).with_intents(config.intents))
}

fn edit_error(err: EditError) -> IpcError {
    // The code only: the message may hold field values (personal data).
    tracing::warn!(code = err.code(), "record edit failed");
    IpcError {
        code: err.code().to_owned(),
        message: err.to_string(),
    }
}
