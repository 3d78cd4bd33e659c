//! `lookup_caller`: the screen-pop search, forwarded to [`ringside_core::CallerLookup`].

use ringside_core::{CallerLookup, LookupResult};
use tauri::State;

use crate::error::IpcError;

/// Finds the records whose phone or email is the caller's, best first.
///
/// The UI calls it as `invoke("lookup_caller", { query })`; only this command is granted to
/// the main window (`capabilities/main.json`).
#[tauri::command]
pub async fn lookup_caller(
    query: String,
    lookup: State<'_, CallerLookup>,
) -> Result<LookupResult, IpcError> {
    lookup.lookup(&query).await.map_err(|err| {
        // The code only: the query is a caller's phone number or email (personal data).
        tracing::warn!(code = err.code(), "caller lookup failed");
        IpcError::from(err)
    })
}
