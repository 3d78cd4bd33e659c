//! Why a queued call log is not delivered, read from what the queue stored (its state and
//! its last error code): the one place that decides whether a stored error was temporary, so
//! the desktop's queue view (and anything else that shows the queue) forwards instead of
//! matching code strings itself.

use serde::Serialize;

use super::{ItemState, OutboxItem};

/// Why an item is not delivered, for a sentence in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryReason {
    /// Queued for another org than the one in use (signed out): it waits for that org.
    Held,
    /// The org could not be reached: it is sent when it can, with no attempt spent.
    Unreachable,
    /// The org's daily API allowance is used up: sent when it is back.
    Allowance,
    /// The session ended: sent after the user signs in again.
    SignedOut,
    /// A failed attempt that is tried again on the schedule.
    Retrying,
    /// Salesforce refused it as it is: fix it and replay.
    Refused,
    /// Temporary failures used up every attempt: replay when Salesforce works.
    GaveUp,
}

/// Stored codes of a network or service failure (retried) rather than a refusal; with every
/// `HTTP_5xx`. These are `salesforce::Error::code()` values the worker stores.
const TEMPORARY_CODES: &[&str] = &[
    "TRANSPORT_TIMEOUT",
    "TRANSPORT_INTERRUPTED",
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
];

impl DeliveryReason {
    /// Why `item` is not delivered (`None`: delivered, in flight, or pending with nothing
    /// wrong yet). `held`: it is pending for another org than the one in use.
    pub fn of(item: &OutboxItem, held: bool) -> Option<DeliveryReason> {
        DeliveryReason::from_stored(item.state, item.last_error_code.as_deref(), held)
    }

    /// The reason from a stored state and last error code.
    pub fn from_stored(state: ItemState, code: Option<&str>, held: bool) -> Option<DeliveryReason> {
        match state {
            ItemState::Delivered | ItemState::InFlight => None,
            ItemState::Pending if held => Some(DeliveryReason::Held),
            ItemState::Pending => Some(match code? {
                "TRANSPORT_CONNECT" => DeliveryReason::Unreachable,
                "REQUEST_LIMIT_EXCEEDED" => DeliveryReason::Allowance,
                "SIGNED_OUT" | "TOKEN_STORE" | "OAUTH_invalid_grant" | "INVALID_SESSION_ID" => {
                    DeliveryReason::SignedOut
                }
                _ => DeliveryReason::Retrying,
            }),
            ItemState::Dead => Some(if code.is_some_and(was_temporary) {
                DeliveryReason::GaveUp
            } else {
                DeliveryReason::Refused
            }),
        }
    }

    /// The reason's stable name (`held`, `unreachable`, `allowance`, `signed_out`,
    /// `retrying`, `refused`, `gave_up`), what the UI picks its sentence by.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryReason::Held => "held",
            DeliveryReason::Unreachable => "unreachable",
            DeliveryReason::Allowance => "allowance",
            DeliveryReason::SignedOut => "signed_out",
            DeliveryReason::Retrying => "retrying",
            DeliveryReason::Refused => "refused",
            DeliveryReason::GaveUp => "gave_up",
        }
    }
}

/// Whether a stored error code was a network or service failure, not a refusal.
fn was_temporary(code: &str) -> bool {
    TEMPORARY_CODES.contains(&code) || code.starts_with("HTTP_5")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes are what the worker stores: `salesforce::Error::code()`.
    fn stored(err: &salesforce::Error) -> String {
        err.code()
    }

    fn api(status: u16, code: &str) -> salesforce::Error {
        salesforce::Error::Api {
            status,
            errors: serde_json::from_value(
                serde_json::json!([{"message": "m", "errorCode": code}]),
            )
            .expect("a valid error list"),
        }
    }

    #[test]
    fn each_stored_code_gives_its_reason() {
        use DeliveryReason::*;
        use ItemState::{Dead, Delivered, InFlight, Pending};
        // Transport errors (they need a real socket: see tests/core/delivery_reason.rs).
        let unreachable = "TRANSPORT_CONNECT";
        let timeout = "TRANSPORT_TIMEOUT";
        let cases: &[(ItemState, Option<&str>, bool, Option<DeliveryReason>)] = &[
            (Delivered, None, false, None),
            (InFlight, Some("HTTP_503"), false, None),
            (Pending, None, false, None),
            (Pending, Some("HTTP_503"), true, Some(Held)),
            (Pending, Some(unreachable), false, Some(Unreachable)),
            (
                Pending,
                Some("REQUEST_LIMIT_EXCEEDED"),
                false,
                Some(Allowance),
            ),
            (Pending, Some("INVALID_SESSION_ID"), false, Some(SignedOut)),
            (Pending, Some("OAUTH_invalid_grant"), false, Some(SignedOut)),
            (Pending, Some("TOKEN_STORE"), false, Some(SignedOut)),
            (Pending, Some(timeout), false, Some(Retrying)),
            (Dead, Some(timeout), false, Some(GaveUp)),
            (Dead, Some("HTTP_502"), false, Some(GaveUp)),
            (
                Dead,
                Some(&stored(&api(400, "UNABLE_TO_LOCK_ROW"))),
                false,
                Some(GaveUp),
            ),
            (
                Dead,
                Some(&stored(&api(400, "INVALID_CROSS_REFERENCE_KEY"))),
                false,
                Some(Refused),
            ),
            (Dead, None, false, Some(Refused)),
        ];
        for (state, code, held, want) in cases {
            assert_eq!(
                DeliveryReason::from_stored(*state, *code, *held),
                *want,
                "{state:?} with {code:?} (held: {held})"
            );
        }
        assert_eq!(GaveUp.as_str(), "gave_up");
        assert_eq!(
            serde_json::to_value(SignedOut).expect("serialises"),
            serde_json::json!("signed_out"),
            "the serialised name is the one the UI reads"
        );
    }
}
