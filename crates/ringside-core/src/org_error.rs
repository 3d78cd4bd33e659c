//! What a failed Salesforce request means for the person in front of the app, as the stable
//! code a UI branches on: decided here once, so no shell or CLI matches on the Salesforce
//! client's error variants.

/// A failed request to the org, as core's functions that talk to it return it; front ends
/// turn it into words and a [`code`], never match on its variants.
pub use salesforce::Error as OrgError;

use crate::ipc_code::IpcCode;

/// `signed_out` (the session is gone: sign in again), `salesforce_unreachable` (the network:
/// try again when online) or `salesforce_error` (Salesforce answered with an error).
pub fn code(err: &salesforce::Error) -> IpcCode {
    if err.needs_reauth() {
        IpcCode::SignedOut
    } else if matches!(err, salesforce::Error::Transport { .. }) {
        IpcCode::SalesforceUnreachable
    } else {
        IpcCode::SalesforceError
    }
}
