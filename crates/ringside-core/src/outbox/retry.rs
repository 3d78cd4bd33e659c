//! When to try again, and what a Salesforce error means for a queued log: retry (spending
//! an attempt), dead-letter at once, wait for the org without spending one (circuit
//! breaker; also while the org's daily API allocation is used up), or hold until the user
//! signs in again.

use std::time::Duration;

/// The waits between attempts. After the last one fails, the item is dead-lettered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

impl Default for RetrySchedule {
    /// DESIGN §4: 200ms → 1s → 5s → 30s → 5min, then dead letter.
    fn default() -> Self {
        RetrySchedule::new(vec![
            Duration::from_millis(200),
            Duration::from_secs(1),
            Duration::from_secs(5),
            Duration::from_secs(30),
            Duration::from_secs(300),
        ])
    }
}

impl RetrySchedule {
    /// A schedule with these waits (tests use milliseconds).
    pub fn new(delays: Vec<Duration>) -> Self {
        RetrySchedule { delays }
    }

    /// The wait after `attempts_spent` failed attempts, or `None` when the item is out of
    /// attempts and goes to dead letter.
    pub fn delay_after(&self, attempts_spent: u32) -> Option<Duration> {
        let index = usize::try_from(attempts_spent).ok()?.checked_sub(1)?;
        self.delays.get(index).copied()
    }

    /// How many attempts an item gets in all.
    pub fn max_attempts(&self) -> usize {
        self.delays.len() + 1
    }
}

/// What to do with an item after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again after the schedule's wait; `in_doubt` when the write may have landed.
    Retry { in_doubt: bool },
    /// Salesforce will never accept it as it is: dead-letter now, with its message.
    Dead,
    /// Nothing reached the org (refused, DNS, offline): wait without spending an attempt.
    Unreachable,
    /// The org's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED), for every
    /// integration of the org: like an outage, wait without spending an attempt and try
    /// again later with one request.
    AllowanceUsedUp,
    /// The session is gone (expired token that could not be refreshed, signed out):
    /// hold without spending an attempt until sign-in.
    SignedOut,
    /// Salesforce stopped before running it (too many failed graphs in the payload):
    /// send again without spending an attempt.
    Halted,
}

pub(crate) fn classify(err: &salesforce::Error) -> Verdict {
    if matches!(err, salesforce::Error::InvalidInput(_)) {
        return Verdict::Dead;
    }
    if err.nothing_sent() {
        return Verdict::Unreachable;
    }
    let code = err.code();
    // TOKEN_STORE: a refreshed session could not be saved, so it was not used; like a
    // sign-out, only the user can fix it, and the queue must keep the item meanwhile.
    if err.needs_reauth()
        || err.is_signed_out()
        || matches!(
            code.as_str(),
            "SIGNED_OUT" | "TOKEN_STORE" | "OAUTH_invalid_grant"
        )
    {
        return Verdict::SignedOut;
    }
    let errors = err.api_errors();
    if errors
        .iter()
        .any(|e| e.error_code == salesforce::ErrorCode::RequestLimitExceeded)
    {
        return Verdict::AllowanceUsedUp;
    }
    if !errors.is_empty()
        && errors
            .iter()
            .all(|e| e.error_code.as_str() == "PROCESSING_HALTED")
    {
        return Verdict::Halted;
    }
    if err.outcome_unknown() {
        return Verdict::Retry { in_doubt: true };
    }
    if err.is_retryable() {
        // A 5xx may come from a proxy after Salesforce did the work: look before writing.
        let in_doubt = err.status().is_none_or(|s| s >= 500);
        return Verdict::Retry { in_doubt };
    }
    Verdict::Dead
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_is_the_designed_one_then_dead() {
        let s = RetrySchedule::default();
        assert_eq!(s.delay_after(1), Some(Duration::from_millis(200)));
        assert_eq!(s.delay_after(5), Some(Duration::from_secs(300)));
        assert_eq!(s.delay_after(6), None, "after five waits the item is dead");
        assert_eq!(s.max_attempts(), 6);
    }

    #[test]
    fn errors_are_sorted_by_what_helps() {
        let api = |status: u16, code: &str| salesforce::Error::Api {
            status,
            errors: serde_json::from_value(
                serde_json::json!([{"message": "m", "errorCode": code}]),
            )
            .expect("a valid error list"),
        };
        assert_eq!(
            classify(&api(400, "UNABLE_TO_LOCK_ROW")),
            Verdict::Retry { in_doubt: false }
        );
        assert_eq!(
            classify(&api(403, "REQUEST_LIMIT_EXCEEDED")),
            Verdict::AllowanceUsedUp,
            "the org's allowance is an org-wide state, like an outage, not this log's failure"
        );
        assert_eq!(
            classify(&api(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION")),
            Verdict::Dead
        );
        assert_eq!(
            classify(&api(401, "INVALID_SESSION_ID")),
            Verdict::SignedOut
        );
        assert_eq!(classify(&api(400, "PROCESSING_HALTED")), Verdict::Halted);
        assert_eq!(
            classify(&salesforce::Error::Api {
                status: 503,
                errors: vec![]
            }),
            Verdict::Retry { in_doubt: true },
            "a bare 5xx may hide a landed write"
        );
    }

    #[test]
    fn a_composite_over_its_limits_is_dead_and_a_maintenance_page_is_retried_in_doubt() {
        // Salesforce refuses a composite over 25 subrequests or 5 queries with
        // LIMIT_EXCEEDED: sending it again cannot help.
        let refused: salesforce::CompositeResponse = serde_json::from_value(serde_json::json!(
            {"compositeResponse": [{"body": [{"errorCode": "LIMIT_EXCEEDED", "message": "The request can’t contain more than 25 operations."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": null}]}
        ))
        .expect("the refusal is readable");
        let err = refused.refusal().expect("a whole-request refusal");
        assert_eq!(classify(&err), Verdict::Dead);
        // A proxy's HTML page answered 200: the write may or may not have reached
        // Salesforce, so look before writing again.
        let page = salesforce::Error::Decode {
            request: "POST composite".into(),
            status: 200,
            expected: "a composite response".into(),
            found: "text/html, 40 bytes: \"Maintenance\"".into(),
            json_body: false,
            source: None,
        };
        assert_eq!(classify(&page), Verdict::Retry { in_doubt: true });
    }
}
