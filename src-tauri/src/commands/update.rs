//! `update_notice`: the quiet line Settings shows about updates (a refused signature, an
//! update this copy cannot install, a failed install). The update itself runs in
//! [`crate::updates`]; the webview can only read this.

use tauri::State;

use crate::updates::{UpdateNotice, UpdateNotices};

/// The latest update notice, if any. `invoke("update_notice")`.
#[tauri::command]
pub fn update_notice(notices: State<'_, UpdateNotices>) -> Option<UpdateNotice> {
    notices.latest()
}
