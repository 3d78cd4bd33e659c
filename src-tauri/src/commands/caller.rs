//! `lookup_caller`: the screen-pop search, and `related_records`: one match's
//! open Opportunities and Cases when the pop did not bring them; both forwarded
//! to the active org's [`ringside_core::CallerLookup`].

use ringside_core::{CallerObject, LookupResult, RelatedRecords};
use tauri::State;

use crate::error::IpcError;
use crate::org::ActiveOrg;
use crate::popup::LatestPop;

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
            tracing::warn!(code = %err.code(), "caller lookup failed");
            IpcError::from(err)
        })
}

/// The open Opportunities and Cases of the match the agent picked, when the pop
/// did not fetch them (a match beyond the first ones). One Salesforce request.
///
/// The UI calls it as `invoke("related_records", { object, id })`, from the pop-up and the
/// main window (`capabilities/related-records.json`).
#[tauri::command]
pub async fn related_records(
    object: CallerObject,
    id: String,
    org: State<'_, ActiveOrg>,
    latest: State<'_, LatestPop>,
) -> Result<RelatedRecords, IpcError> {
    let link = org.current();
    let related = link
        .screen_pop
        .related_for(object, &id)
        .await
        .map_err(|err| {
            tracing::warn!(code = %err.code(), "related records could not be loaded");
            IpcError::from(err)
        })?;
    latest.add_related(&id, &related);
    Ok(related)
}
