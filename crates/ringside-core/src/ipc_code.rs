//! The stable codes a front end branches on when something fails: one closed list, so the
//! shell, the CLI and the UI (through the generated `IpcCode` TypeScript type) name the same
//! codes, and a misspelt code is a compile error on both sides instead of a silent fallback.
//!
//! Each code's wire string is its `snake_case` name. The strings are part of the contract:
//! the UI picks its catalog message by them, the desktop tests read them from the page, and
//! the record-edit queue stores some of them, so a variant is never renamed casually.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ipc_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal; )*) => {
        /// Why a request from a front end failed, as the UI branches on it.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum IpcCode {
            $( $(#[$doc])* $variant, )*
        }

        impl IpcCode {
            /// Every code, in declaration order (for tests and lists of codes).
            pub const ALL: &'static [IpcCode] = &[ $( IpcCode::$variant, )* ];

            /// The wire string, e.g. `"signed_out"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( IpcCode::$variant => $wire, )*
                }
            }
        }
    };
}

ipc_codes! {
    // Input and configuration.
    /// The input (a form, a filter, an alias, a link) is the user's to fix.
    InvalidInput = "invalid_input";
    /// The admin's config does not fit the org (an object or field name).
    Misconfigured = "misconfigured";
    /// Nothing to change: the edit equals the record.
    NoChanges = "no_changes";
    /// The record's object is not one Ringside edits.
    UnsupportedRecord = "unsupported_record";
    /// The field policy refuses the edit.
    Refused = "refused";
    /// The record changed in Salesforce since it was read.
    Conflict = "conflict";
    /// The record was deleted in Salesforce.
    RecordDeleted = "record_deleted";
    /// No record has that id (or the user may not see it).
    RecordNotFound = "record_not_found";
    /// The pop-up does not show the record asked about.
    RecordNotInPop = "record_not_in_pop";
    /// An intent button's name or setting is unusable.
    IntentInvalid = "intent_invalid";

    // Salesforce.
    /// The session is gone: sign in again.
    SignedOut = "signed_out";
    /// The network: try again when online.
    SalesforceUnreachable = "salesforce_unreachable";
    /// Salesforce answered with an error no other code names.
    SalesforceError = "salesforce_error";
    /// Salesforce refused a record edit with its own error code (in the message).
    SalesforceRejected = "salesforce_rejected";
    /// The org's API allowance is used up for now.
    ApiAllowanceUsedUp = "api_allowance_used_up";
    /// Optional requests are paused to keep the API budget.
    ApiOptionalPaused = "api_optional_paused";
    /// The object's describe could not be read.
    DescribeFailed = "describe_failed";
    /// Salesforce's `DUPLICATES_DETECTED`: a duplicate rule blocked the new record.
    DuplicatesDetected = "duplicates_detected";
    /// Salesforce's `DUPLICATE_VALUE`: a unique field already holds the value.
    DuplicateValue = "duplicate_value";
    /// Salesforce's `REQUIRED_FIELD_MISSING`.
    RequiredFieldMissing = "required_field_missing";
    /// Salesforce's `FIELD_CUSTOM_VALIDATION_EXCEPTION`: a validation rule refused it.
    FieldCustomValidationException = "field_custom_validation_exception";
    /// Salesforce's `STRING_TOO_LONG`.
    StringTooLong = "string_too_long";

    // Signing in and out.
    /// The user declined the sign-in in the browser.
    AccessDenied = "access_denied";
    /// No answer in time (a sign-in, a screen-pop search).
    Timeout = "timeout";
    /// The loopback redirect port could not be opened.
    RedirectPort = "redirect_port";
    /// The sign-in link is malformed.
    MalformedLink = "malformed_link";
    /// The sign-in link belongs to no sign-in of this app.
    ForeignLink = "foreign_link";
    /// The sign-in was abandoned (replaced or the app closing).
    Abandoned = "abandoned";
    /// The browser could not be started.
    Browser = "browser";
    /// Salesforce sent no refresh token (the app's scopes lack `refresh_token`).
    NoRefreshToken = "no_refresh_token";
    /// The org's edition has no API access.
    ApiDisabled = "api_disabled";
    /// Salesforce does not know the app's consumer key.
    UnknownClient = "unknown_client";
    /// Salesforce refused the grant (expired code, revoked token…).
    InvalidGrant = "invalid_grant";
    /// Salesforce refused the OAuth request otherwise.
    OauthRefused = "oauth_refused";
    /// The OS keyring cannot be used.
    KeyringUnavailable = "keyring_unavailable";
    /// The OS keyring refused access.
    KeyringRefused = "keyring_refused";
    /// The stored sign-in in the keyring is unreadable.
    KeyringCorrupt = "keyring_corrupt";
    /// No org has that alias.
    UnknownOrg = "unknown_org";
    /// `orgs.toml` could not be read or written.
    OrgRegistry = "org_registry";
    /// The org could not be connected to (other than a sign-in or keyring problem).
    OrgUnavailable = "org_unavailable";

    // Local files and queues.
    /// The Ringside home could not be found.
    NoHome = "no_home";
    /// The config file could not be read.
    ConfigUnreadable = "config_unreadable";
    /// The config file could not be written.
    ConfigUnwritable = "config_unwritable";
    /// The API usage file could not be read.
    UsageUnavailable = "usage_unavailable";
    /// The call-log form is closed (its call was logged or dismissed).
    CallLogClosed = "call_log_closed";
    /// The call log is not valid.
    CallLogInvalid = "call_log_invalid";
    /// The call log's record could not be read or written.
    CallLogRecord = "call_log_record";
    /// The call-log queue cannot be used.
    QueueUnusable = "queue_unusable";
    /// The call-log queue failed otherwise.
    QueueFailed = "queue_failed";
    /// The call-log queue could not be read (history).
    QueueUnreadable = "queue_unreadable";
    /// The record-edit queue is not available.
    QueueUnavailable = "queue_unavailable";
    /// No queued item has that id.
    QueueItemNotFound = "queue_item_not_found";
    /// The queued item is not failed, so it cannot be retried or discarded.
    QueueItemNotDead = "queue_item_not_dead";
    /// A history page's cursor expired: start from the first page.
    CursorExpired = "cursor_expired";
    /// The org changed while paging the history.
    OrgChanged = "org_changed";
    /// The history export failed.
    ExportFailed = "export_failed";

    // The desktop itself.
    /// baresip refused or did not answer a dial.
    BaresipFailed = "baresip_failed";
    /// The system's opener (browser, `tel:` handler) could not be started.
    OpenerFailed = "opener_failed";
    /// The shell did not answer (a missing command, a denied permission, no Tauri runtime).
    BackendUnavailable = "backend_unavailable";
    /// A failure inside the app that the user cannot fix (the message says what).
    Internal = "internal";
}

impl fmt::Display for IpcCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Why: tests and callers compare a code with its wire string (`assert_eq!(err.code(),
// "signed_out")`), which also checks the string the UI sees did not change.
impl PartialEq<str> for IpcCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for IpcCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_serialises_to_its_wire_string_and_back() {
        for &code in IpcCode::ALL {
            let json = serde_json::to_value(code).expect("a code must serialise");
            assert_eq!(
                json,
                serde_json::Value::String(code.as_str().to_owned()),
                "serde's snake_case name of {code:?} must be the string the UI branches on"
            );
            let back: IpcCode = serde_json::from_value(json).expect("a code must deserialise");
            assert_eq!(back, code, "{code:?} must survive a round trip");
        }
    }

    #[test]
    fn the_list_of_all_codes_is_complete_and_keeps_todays_strings() {
        // Why: this match has no wildcard, so a new variant fails to compile here until its
        // string is written down; the strings are the ones the UI and stored rows used before
        // the enum existed, so a rename shows up as a failing test, not a silent UI fallback.
        let expected = |code: IpcCode| -> &'static str {
            match code {
                IpcCode::InvalidInput => "invalid_input",
                IpcCode::Misconfigured => "misconfigured",
                IpcCode::NoChanges => "no_changes",
                IpcCode::UnsupportedRecord => "unsupported_record",
                IpcCode::Refused => "refused",
                IpcCode::Conflict => "conflict",
                IpcCode::RecordDeleted => "record_deleted",
                IpcCode::RecordNotFound => "record_not_found",
                IpcCode::RecordNotInPop => "record_not_in_pop",
                IpcCode::IntentInvalid => "intent_invalid",
                IpcCode::SignedOut => "signed_out",
                IpcCode::SalesforceUnreachable => "salesforce_unreachable",
                IpcCode::SalesforceError => "salesforce_error",
                IpcCode::SalesforceRejected => "salesforce_rejected",
                IpcCode::ApiAllowanceUsedUp => "api_allowance_used_up",
                IpcCode::ApiOptionalPaused => "api_optional_paused",
                IpcCode::DescribeFailed => "describe_failed",
                IpcCode::DuplicatesDetected => "duplicates_detected",
                IpcCode::DuplicateValue => "duplicate_value",
                IpcCode::RequiredFieldMissing => "required_field_missing",
                IpcCode::FieldCustomValidationException => "field_custom_validation_exception",
                IpcCode::StringTooLong => "string_too_long",
                IpcCode::AccessDenied => "access_denied",
                IpcCode::Timeout => "timeout",
                IpcCode::RedirectPort => "redirect_port",
                IpcCode::MalformedLink => "malformed_link",
                IpcCode::ForeignLink => "foreign_link",
                IpcCode::Abandoned => "abandoned",
                IpcCode::Browser => "browser",
                IpcCode::NoRefreshToken => "no_refresh_token",
                IpcCode::ApiDisabled => "api_disabled",
                IpcCode::UnknownClient => "unknown_client",
                IpcCode::InvalidGrant => "invalid_grant",
                IpcCode::OauthRefused => "oauth_refused",
                IpcCode::KeyringUnavailable => "keyring_unavailable",
                IpcCode::KeyringRefused => "keyring_refused",
                IpcCode::KeyringCorrupt => "keyring_corrupt",
                IpcCode::UnknownOrg => "unknown_org",
                IpcCode::OrgRegistry => "org_registry",
                IpcCode::OrgUnavailable => "org_unavailable",
                IpcCode::NoHome => "no_home",
                IpcCode::ConfigUnreadable => "config_unreadable",
                IpcCode::ConfigUnwritable => "config_unwritable",
                IpcCode::UsageUnavailable => "usage_unavailable",
                IpcCode::CallLogClosed => "call_log_closed",
                IpcCode::CallLogInvalid => "call_log_invalid",
                IpcCode::CallLogRecord => "call_log_record",
                IpcCode::QueueUnusable => "queue_unusable",
                IpcCode::QueueFailed => "queue_failed",
                IpcCode::QueueUnreadable => "queue_unreadable",
                IpcCode::QueueUnavailable => "queue_unavailable",
                IpcCode::QueueItemNotFound => "queue_item_not_found",
                IpcCode::QueueItemNotDead => "queue_item_not_dead",
                IpcCode::CursorExpired => "cursor_expired",
                IpcCode::OrgChanged => "org_changed",
                IpcCode::ExportFailed => "export_failed",
                IpcCode::BaresipFailed => "baresip_failed",
                IpcCode::OpenerFailed => "opener_failed",
                IpcCode::BackendUnavailable => "backend_unavailable",
                IpcCode::Internal => "internal",
            }
        };
        for &code in IpcCode::ALL {
            assert_eq!(
                code.as_str(),
                expected(code),
                "{code:?} must keep its wire string"
            );
        }
        assert_eq!(
            IpcCode::ALL.len(),
            60,
            "ALL must list each of the 60 variants the match above names"
        );
        let distinct: HashSet<_> = IpcCode::ALL.iter().collect();
        assert_eq!(
            distinct.len(),
            IpcCode::ALL.len(),
            "ALL must not list a code twice"
        );
        let strings: HashSet<_> = IpcCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            strings.len(),
            IpcCode::ALL.len(),
            "two codes must not share a wire string"
        );
    }

    #[test]
    fn a_code_compares_with_its_wire_string() {
        assert_eq!(
            IpcCode::SignedOut,
            "signed_out",
            "PartialEq<&str> compares the wire string"
        );
        assert_ne!(
            IpcCode::SignedOut,
            "signed_in",
            "a different string is not equal"
        );
        assert_eq!(
            IpcCode::OauthRefused.to_string(),
            "oauth_refused",
            "Display is the wire string"
        );
    }
}
