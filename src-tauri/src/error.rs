//! The one error shape the UI sees: `{ code, message }`. `code` is what the UI branches on
//! (it picks the catalog message); `message` is the English sentence, shown as the detail.

use ringside_core::LookupError;
use ringside_core::ipc_code::IpcCode;
use serde::Serialize;

/// An error returned by a Tauri command. Generated into `ui/src/bindings/IpcError.ts`
/// by `cargo test -p ringside-desktop --lib export_bindings` (ts-rs), never hand-copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[error("{message} ({code})")]
pub struct IpcError {
    /// Stable machine code from the one closed list, `ringside_core::ipc_code::IpcCode`.
    pub code: IpcCode,
    /// One English line for a person, with the next step. Never holds a token.
    pub message: String,
}

impl From<LookupError> for IpcError {
    fn from(err: LookupError) -> Self {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ringside_core::{CallerLookup, LookupSettings};

    use super::*;

    #[test]
    fn a_lookup_error_keeps_its_code_and_its_sentence() {
        // Bad input is rejected before any request, so this port is never contacted.
        let lookup = CallerLookup::connect(
            "http://127.0.0.1:9",
            "unused-token".to_owned(),
            LookupSettings::from_environment(),
        )
        .expect("a well-formed loopback URL must be accepted");
        let err = tauri::async_runtime::block_on(lookup.lookup("not a number"))
            .expect_err("text that is neither a phone number nor an email must be refused");
        let sentence = err.to_string();

        let ipc = IpcError::from(err);

        assert_eq!(
            ipc.code, "invalid_input",
            "the UI picks its catalog message by this code"
        );
        assert_eq!(
            ipc.message, sentence,
            "the English detail shown under the message is the domain's sentence"
        );
    }

    #[test]
    fn serialises_as_exactly_code_and_message() {
        let ipc = IpcError {
            code: IpcCode::SignedOut,
            message: "sign in again".to_owned(),
        };
        let json = serde_json::to_value(&ipc).expect("IpcError must serialise");
        assert_eq!(
            json,
            serde_json::json!({ "code": "signed_out", "message": "sign in again" }),
            "the UI's generated IpcError type expects these two fields and no others"
        );
    }
}
