//! Tauri commands: each one parses its arguments, calls one `ringside-core` function and maps
//! the error to [`crate::error::IpcError`]. No domain logic lives here.

pub mod admin;
pub mod call_log;
pub mod caller;
pub mod history;
pub mod org;
pub mod popup;
pub mod queue;
pub mod record;
pub mod record_edit;
pub mod settings;
pub mod update;
pub mod usage;
