//! `lookup_caller`: the screen-pop search, forwarded to the active org's
//! [`ringside_core::CallerLookup`].

use ringside_core::LookupResult;
use tauri::State;

use crate::error::IpcError;
use crate::org::ActiveOrg;

/// Finds the records whose phone or email is the caller's, best first.
///
/// The UI calls it as `invoke("lookup_caller", { query })`; only this command is granted to
/// the main window (`capabilities/main.json`).
#[tauri::command]
pub async fn lookup_caller(
    query: String,
    org: State<'_, ActiveOrg>,
) -> Result<LookupResult, IpcError> {
    let link = org.current();
    link.screen_pop
        .lookup()
        .lookup(&query)
        .await
        .map_err(|err| {
            // The code only: the query is a caller's phone number or email (personal data).
            tracing::warn!(code = err.code(), "caller lookup failed");
            IpcError::from(err)
        })
}
