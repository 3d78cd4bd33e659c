//! The call-event model every source produces, and the validation every source
//! shares: a softphone, the loopback API and a deep link all say "ring",
//! "answer" or "end" the same way, with the same rules for numbers and ids.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::call_log::{
    MAX_CALL_SECONDS, MAX_NUMBER_CHARS as MAX_LOGGED_NUMBER_CHARS, external_call_id,
};

/// Longest caller id accepted (a SIP URI with parameters fits easily).
pub const MAX_NUMBER_CHARS: usize = 256;
/// Longest disposition accepted.
pub const MAX_DISPOSITION_CHARS: usize = 255;

/// What happened to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CallEventKind {
    Ring,
    Answer,
    End,
}

impl CallEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallEventKind::Ring => "ring",
            CallEventKind::Answer => "answer",
            CallEventKind::End => "end",
        }
    }
}

/// Which way the call goes, seen from the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// Who heard the call first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// The loopback HTTP API (and `ringside call …`, which forwards to it).
    Api,
    /// The baresip `ctrl_tcp` adapter.
    Baresip,
    /// A `ringside://call?…` link.
    Link,
    /// In-process (the CLI's terminal pop, tests).
    Local,
}

/// A caller id as a softphone reported it: a number, or withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case", tag = "kind", content = "number")]
pub enum CallerId {
    /// The number part, URI scheme and host removed (`+14155550123`, `(415) 555-0123`).
    Number(String),
    /// Anonymous, private, unknown or empty: pop "unknown caller", never search.
    Withheld,
}

impl CallerId {
    /// The number, or `None` when withheld.
    pub fn number(&self) -> Option<&str> {
        match self {
            CallerId::Number(number) => Some(number),
            CallerId::Withheld => None,
        }
    }

    /// For display and JSON lines: the number, or `anonymous`.
    pub fn as_str(&self) -> &str {
        self.number().unwrap_or("anonymous")
    }
}

/// One call event. Every source produces these; the one [`super::EventStream`]
/// carries them to whoever shows pops (the CLI's `listen`, later the desktop).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallEvent {
    pub event: CallEventKind,
    pub call_id: String,
    /// The calling party.
    pub from: CallerId,
    /// The called party, when known.
    pub to: Option<CallerId>,
    pub direction: Direction,
    /// Talk time in seconds (on `end`; 0 for a call never answered).
    // A call never lasts 2^53 s, so a JS number is exact; ts-rs would say bigint.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub duration_secs: Option<u64>,
    /// How the call ended, e.g. `answered`, `missed` (on `end`).
    pub disposition: Option<String>,
    pub source: EventSource,
}

impl CallEvent {
    /// The other party, whose record the agent wants to see: the caller on an
    /// inbound call, the called number on an outbound one.
    pub fn peer(&self) -> &CallerId {
        match (self.direction, &self.to) {
            (Direction::Outbound, Some(to)) => to,
            (Direction::Outbound, None) => &CallerId::Withheld,
            (Direction::Inbound, _) => &self.from,
        }
    }
}

/// Why an event was refused. The message names the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    #[error("the body is not valid JSON: {0}")]
    NotJson(String),
    #[error("the event is malformed: {0}")]
    Malformed(String),
    #[error("`{field}` is invalid: {reason}")]
    InvalidField { field: &'static str, reason: String },
}

/// The event as the loopback API and deep links spell it:
/// `{"event":"ring","call_id":"…","from":"…","to":"…","direction":"inbound","duration":12,"disposition":"…"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    pub event: CallEventKind,
    pub call_id: String,
    pub from: String,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Seconds.
    #[serde(default)]
    pub duration: Option<u64>,
    #[serde(default)]
    pub disposition: Option<String>,
}

impl WireEvent {
    /// Reads a JSON body; every refusal says what to fix.
    pub fn from_json(body: &[u8]) -> Result<WireEvent, EventError> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|err| EventError::NotJson(err.to_string()))?;
        if !value.is_object() {
            return Err(EventError::Malformed(
                "the body must be a JSON object such as {\"event\":\"ring\",\"call_id\":\"…\",\"from\":\"…\"}".into(),
            ));
        }
        serde_json::from_value(value).map_err(|err| EventError::Malformed(err.to_string()))
    }

    /// Validates every field into a [`CallEvent`].
    pub fn validate(self, source: EventSource) -> Result<CallEvent, EventError> {
        let call_id = validate_call_id(&self.call_id)?;
        let from = parse_caller_id(&self.from).map_err(|reason| EventError::InvalidField {
            field: "from",
            reason,
        })?;
        let to = self
            .to
            .as_deref()
            .filter(|to| !to.trim().is_empty())
            .map(parse_caller_id)
            .transpose()
            .map_err(|reason| EventError::InvalidField {
                field: "to",
                reason,
            })?;
        if self.duration.is_some() && self.event != CallEventKind::End {
            return Err(EventError::InvalidField {
                field: "duration",
                reason: "only an `end` event has a duration".into(),
            });
        }
        if let Some(duration) = self.duration.filter(|d| *d > MAX_CALL_SECONDS as u64) {
            return Err(EventError::InvalidField {
                field: "duration",
                reason: format!(
                    "{duration} s is longer than 24 hours; at most {MAX_CALL_SECONDS} s \
                     (a longer call is a clock or unit mistake, e.g. milliseconds sent as seconds)"
                ),
            });
        }
        let disposition = match self.disposition {
            Some(text) if text.chars().count() > MAX_DISPOSITION_CHARS => {
                return Err(EventError::InvalidField {
                    field: "disposition",
                    reason: format!("longer than {MAX_DISPOSITION_CHARS} characters"),
                });
            }
            Some(text) if text.chars().any(char::is_control) => {
                return Err(EventError::InvalidField {
                    field: "disposition",
                    reason: "contains control characters".into(),
                });
            }
            other => other.filter(|text| !text.trim().is_empty()),
        };
        Ok(CallEvent {
            event: self.event,
            call_id,
            from,
            to,
            direction: self.direction.unwrap_or_default(),
            duration_secs: self.duration,
            disposition,
            source,
        })
    }
}

/// A softphone's call id as the External ID the call is logged under: the one rule
/// every intake shares ([`external_call_id`]: usable ids stay, others are hashed; only
/// an empty id or one over 64 KiB is refused).
pub fn validate_call_id(raw: &str) -> Result<String, EventError> {
    external_call_id(raw).map_err(|err| EventError::InvalidField {
        field: "call_id",
        reason: err.to_string(),
    })
}

/// Words softphones and carriers use for a withheld number.
const WITHHELD: &[&str] = &[
    "anonymous",
    "unknown",
    "private",
    "withheld",
    "restricted",
    "unavailable",
];

/// Reads a caller id as a softphone sends it: `+1 415 555 0123`,
/// `sip:+14155550123@host;user=phone`, `tel:+1-415-555-0123`, or a withheld
/// marker (`anonymous`, `sip:anonymous@anonymous.invalid`, empty). Letters in
/// a number are refused (the `Err` is the reason), so a typo never becomes a
/// search. A number too short or not valid in any region is still a number
/// here; the pop decides it is an unknown caller.
pub fn parse_caller_id(raw: &str) -> Result<CallerId, String> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars > MAX_NUMBER_CHARS {
        return Err(format!(
            "it is {chars} characters long; at most {MAX_NUMBER_CHARS}"
        ));
    }
    let lower = trimmed.to_ascii_lowercase();
    let user = ["sips:", "sip:", "tel:"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme).map(|_| &trimmed[scheme.len()..]))
        .map(|rest| {
            let end = rest.find(['@', ';']).unwrap_or(rest.len());
            &rest[..end]
        })
        .unwrap_or(trimmed)
        .trim();
    // A display name in angle brackets is not a number; keep it simple and strict.
    if user.is_empty() || WITHHELD.contains(&user.to_ascii_lowercase().as_str()) {
        return Ok(CallerId::Withheld);
    }
    if let Some(bad) = user.chars().find(|c| {
        !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')' | '*' | '#'))
    }) {
        let what = if bad.is_alphabetic() {
            format!("it contains the letter {bad:?}")
        } else {
            format!("it contains {:?}", bad)
        };
        return Err(format!(
            "{what}; a number has digits, spaces and + - . ( ) only (or is `anonymous`)"
        ));
    }
    if !user.chars().any(|c| c.is_ascii_digit()) {
        return Err("it has no digits".into());
    }
    let number_chars = user.chars().count();
    if number_chars > MAX_LOGGED_NUMBER_CHARS {
        // Refused here, with the reason, rather than accepted and dead-lettered when the
        // call log's Phone field refuses it.
        return Err(format!(
            "the number is {number_chars} characters long; a phone number has at most              {MAX_LOGGED_NUMBER_CHARS} (Salesforce's Phone fields)"
        ));
    }
    Ok(CallerId::Number(user.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_ids_in_every_softphone_spelling() {
        for (raw, expected) in [
            ("+1 415 555 0123", "+1 415 555 0123"),
            ("sip:+14155550123@127.0.0.1:5070;user=phone", "+14155550123"),
            ("SIP:4155550123@host", "4155550123"),
            ("tel:+1-415-555-0123", "+1-415-555-0123"),
            ("sips:+14155550123;user=phone", "+14155550123"),
        ] {
            assert_eq!(
                parse_caller_id(raw),
                Ok(CallerId::Number(expected.into())),
                "{raw:?} is the number {expected:?}"
            );
        }
    }

    #[test]
    fn numbers_longer_than_a_phone_field_are_refused_at_intake() {
        let long = format!("sip:+{}@pbx.example", "1".repeat(40));
        let err = parse_caller_id(&long).unwrap_err();
        assert!(err.contains("40"), "the limit is said: {err}");
        let fits = format!("+{}", "1".repeat(39));
        assert_eq!(parse_caller_id(&fits), Ok(CallerId::Number(fits.clone())));
    }

    #[test]
    fn withheld_numbers_are_not_numbers() {
        for raw in [
            "",
            "  ",
            "anonymous",
            "Anonymous",
            "unknown",
            "private",
            "sip:anonymous@anonymous.invalid",
            "sip:@host",
            "tel:",
        ] {
            assert_eq!(
                parse_caller_id(raw),
                Ok(CallerId::Withheld),
                "{raw:?} means the caller withheld the number"
            );
        }
    }

    #[test]
    fn letters_in_numbers_are_refused_with_the_letter_named() {
        let err = parse_caller_id("+1 415 555 O123").expect_err("an O is not a 0");
        assert!(
            err.contains("letter 'O'"),
            "names the offending letter: {err}"
        );
        assert!(
            parse_caller_id("sip:bob@host").is_err(),
            "a SIP user name is not a number"
        );
        assert!(parse_caller_id("+++").is_err(), "no digits");
        assert!(
            parse_caller_id(&"1".repeat(300)).is_err(),
            "absurdly long input is refused"
        );
    }

    #[test]
    fn wire_events_validate_every_field() {
        let ok = WireEvent::from_json(
            br#"{"event":"end","call_id":"c1","from":"+14155550123","direction":"outbound","to":"4155550100","duration":42,"disposition":"answered"}"#,
        )
        .and_then(|w| w.validate(EventSource::Api))
        .expect("a complete end event");
        assert_eq!(ok.duration_secs, Some(42));
        assert_eq!(ok.direction, Direction::Outbound);
        assert_eq!(
            ok.peer(),
            &CallerId::Number("4155550100".into()),
            "outbound pops the called party"
        );

        let missing = WireEvent::from_json(br#"{"event":"ring","from":"+14155550123"}"#)
            .expect_err("call_id is required");
        assert!(
            missing.to_string().contains("missing field `call_id`"),
            "{missing}"
        );
        let not_json = WireEvent::from_json(b"ring please").expect_err("not JSON");
        assert!(matches!(not_json, EventError::NotJson(_)), "{not_json}");
        let unknown =
            WireEvent::from_json(br#"{"event":"ring","call_id":"c","from":"1","callid":"x"}"#)
                .expect_err("typos are not silently ignored");
        assert!(unknown.to_string().contains("callid"), "{unknown}");
        let bad_kind = WireEvent::from_json(br#"{"event":"hold","call_id":"c","from":"1"}"#)
            .expect_err("unknown event kind");
        assert!(bad_kind.to_string().contains("hold"), "{bad_kind}");
        let letters = WireEvent::from_json(br#"{"event":"ring","call_id":"c","from":"call me"}"#)
            .expect("parses")
            .validate(EventSource::Api)
            .expect_err("letters in a number");
        assert!(
            letters.to_string().starts_with("`from` is invalid"),
            "{letters}"
        );
        let duration_on_ring =
            WireEvent::from_json(br#"{"event":"ring","call_id":"c","from":"1","duration":3}"#)
                .expect("parses")
                .validate(EventSource::Api)
                .expect_err("a ring has no duration");
        assert!(
            duration_on_ring.to_string().contains("duration"),
            "{duration_on_ring}"
        );
        let blank_id = WireEvent::from_json(br#"{"event":"ring","call_id":"  ","from":"1"}"#)
            .expect("parses")
            .validate(EventSource::Api)
            .expect_err("blank call id");
        assert!(blank_id.to_string().contains("call_id"), "{blank_id}");
    }
}
