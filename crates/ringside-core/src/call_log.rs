//! The call log: what Ringside records about one call ([`CallLog`]), its validation, and
//! how it becomes Salesforce records ([`mapping`]: the call-log object and the Task), and
//! the log form's logic ([`draft`]: prefill, idle auto-log, the agent's inputs;
//! [`form_options`]: the intent buttons and outcome choices the org's describe allows).
//!
//! A log is validated once, when it is queued, so the worker never sends input Salesforce
//! would refuse for reasons the agent could have been told about at once.

pub mod draft;
pub mod form_options;
pub mod mapping;
pub mod memo;
pub mod timing;

pub use mapping::{CallLogFields, LoggingMode, LoggingSettings};

/// `Task.Description`: where the notes go, and a call-summary intent may write too.
pub const TASK_DESCRIPTION: &str = "Description";
/// `Task.Subject`: where the subject goes in task mode (an intent may write it too).
pub const TASK_SUBJECT: &str = "Subject";
pub use timing::{CallTiming, TimingError, parse_iso_datetime};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Salesforce's limit on `Task.Description` (the agent's notes).
pub const MAX_NOTES_CHARS: usize = 32_000;
/// The setup kit's `Summary__c` holds 32,768 characters (Long Text Area).
pub const MAX_SUMMARY_CHARS: usize = 32_768;
/// Salesforce's limit on `Task.Subject`.
pub const MAX_SUBJECT_CHARS: usize = 255;
/// The longest phone number a call log holds: the call log's `From_Number__c` and
/// `To_Number__c` are Phone fields, which Salesforce caps at 40 characters.
pub const MAX_NUMBER_CHARS: usize = 40;
/// The longest call id accepted (it is an external id and `Task.CallObject`, 255 chars).
pub const MAX_CALL_ID_CHARS: usize = 255;
/// The longest softphone call id taken at any intake, in bytes: anything longer is not a
/// call id but a mistake (or an attack), and is refused. Shorter unusable ids are mapped
/// by [`external_call_id`], never refused.
pub const MAX_SOFTPHONE_CALL_ID_BYTES: usize = 64 * 1024;
/// What a softphone call id that cannot be an External ID as it stands becomes: this
/// prefix and 32 hex digits of its SHA-256 (see [`external_call_id`]).
pub const HASHED_CALL_ID_PREFIX: &str = "sip-";
/// The longest call accepted, in seconds: 24 hours. `CallDurationInSeconds` is a 32-bit
/// integer (at most 2,147,483,647 s, 68 years), so a bigger number is a dead letter; no
/// real call lasts a day, so a longer one is a clock or unit mistake (milliseconds sent as
/// seconds) the sender should be told about, not a call to log.
pub const MAX_CALL_SECONDS: i64 = 24 * 60 * 60;
/// The earliest start Salesforce can store: its dates begin on 1700-01-01 (UTC). A start
/// outside [`MIN_STARTED_AT_MS`]..=[`MAX_STARTED_AT_MS`] would only ever be a dead letter.
pub const MIN_STARTED_AT_MS: i64 = -8_520_336_000_000;
/// The latest start Salesforce can store: its dates end on 4000-12-31 (UTC).
pub const MAX_STARTED_AT_MS: i64 = 64_092_211_199_000;

/// Which way the call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The customer called in.
    Inbound,
    /// The agent called out.
    Outbound,
}

impl Direction {
    /// Reads `inbound` / `outbound` (any case).
    pub fn parse(text: &str) -> Result<Direction, CallLogError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "inbound" | "in" => Ok(Direction::Inbound),
            "outbound" | "out" => Ok(Direction::Outbound),
            _ => Err(CallLogError::Direction(text.to_owned())),
        }
    }

    /// The picklist value Salesforce uses (`Task.CallType`, `Direction__c`).
    pub fn salesforce_value(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// One call, as the agent (or the idle timer) logged it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    /// The softphone's call id: the call log's external id and the Task's `CallObject`.
    pub call_id: String,
    pub direction: Direction,
    /// The caller's number as the softphone gave it.
    pub from: String,
    /// The called number.
    pub to: String,
    /// When the call started, in milliseconds since the Unix epoch (UTC).
    pub started_at_ms: i64,
    /// Talk time in seconds (0 for a missed call).
    pub duration_seconds: i64,
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    /// The agent's notes (`Task.Description`).
    #[serde(default)]
    pub notes: Option<String>,
    /// The Contact or Lead the call was with.
    #[serde(default)]
    pub who_id: Option<String>,
    /// The Account, Opportunity or Case the call was about.
    #[serde(default)]
    pub what_id: Option<String>,
    #[serde(default)]
    pub recording_url: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub key_topics: Vec<String>,
    /// The memo's values (MiiTel's "memo"): written `;`-joined to `[logging.call_log] memo`,
    /// which may be a multi-select picklist (values checked against its describe before
    /// the log is queued, see [`memo`]) or text. Absent in logs queued before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memo: Vec<String>,
    /// Nobody answered.
    #[serde(default)]
    pub missed: bool,
    /// When the call was dialed, answered and ended, as far as known (a log queued before
    /// these were recorded has none and still sends).
    #[serde(default, skip_serializing_if = "CallTiming::is_empty")]
    pub timing: CallTiming,
    /// Fields the intents pressed on the log form write (e.g. `call_summary` →
    /// `Task.Description`), already checked against the org's describe when pressed; they
    /// go in the same composite as the Task and the call log.
    #[serde(default, skip_serializing_if = "IntentFields::is_empty")]
    pub intent_fields: IntentFields,
}

/// The values a call's pressed intents write, per record of the call (see
/// [`crate::intents::call_intent_fields`]). Field API name → JSON value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntentFields {
    #[serde(default)]
    pub task: Map<String, Value>,
    #[serde(default)]
    pub call_log: Map<String, Value>,
}

impl IntentFields {
    pub fn is_empty(&self) -> bool {
        self.task.is_empty() && self.call_log.is_empty()
    }
}

/// Why a call log cannot be queued. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallLogError {
    #[error("direction {0:?} is neither inbound nor outbound")]
    Direction(String),
    #[error(
        "the duration must be 0 to 86400 seconds (a call longer than 24 hours is a clock or unit mistake), not {0}"
    )]
    Duration(i64),
    #[error(
        "the call's start time ({0} ms since 1970) is not a date Salesforce can store: it must be from 1700-01-01 to 4000-12-31"
    )]
    StartedAt(i64),
    #[error("the {what} is {chars} characters; Salesforce accepts at most {max}")]
    TooLong {
        what: &'static str,
        chars: usize,
        max: usize,
    },
    #[error(
        "the call id {0:?} is not usable: it needs 1 to 255 visible ASCII characters without `/`, `\\`, `?`, `#` or `%`"
    )]
    CallId(String),
    #[error("the {what} number is empty")]
    EmptyNumber { what: &'static str },
    #[error(
        "the {what} holds the control character U+{code:04X}; {allowed}",
        code = u32::from(*.character)
    )]
    ControlCharacter {
        what: &'static str,
        character: char,
        allowed: &'static str,
    },
    #[error(
        "{field} {value:?} is not a Salesforce record id (15 or 18 letters and digits){expected}"
    )]
    RecordId {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("the recording URL {0:?} is not an http(s) URL")]
    RecordingUrl(String),
    #[error("an intent names the field {0:?}, which is not a Salesforce API name")]
    IntentField(String),
    #[error(transparent)]
    Timing(#[from] TimingError),
    #[error(transparent)]
    Memo(#[from] memo::MemoError),
}

/// The key prefixes a `WhoId` may have: Contact (003) and Lead (00Q).
const WHO_PREFIXES: &[&str] = &["003", "00Q"];
/// The key prefixes a `WhatId` may have: Account, Opportunity, Case.
const WHAT_PREFIXES: &[&str] = &["001", "006", "500"];

impl CallLog {
    /// Checks everything that can be checked without Salesforce.
    pub fn validate(&self) -> Result<(), CallLogError> {
        check_call_id(&self.call_id)?;
        if !(0..=MAX_CALL_SECONDS).contains(&self.duration_seconds) {
            return Err(CallLogError::Duration(self.duration_seconds));
        }
        if !(MIN_STARTED_AT_MS..=MAX_STARTED_AT_MS).contains(&self.started_at_ms) {
            return Err(CallLogError::StartedAt(self.started_at_ms));
        }
        if self.from.trim().is_empty() {
            return Err(CallLogError::EmptyNumber { what: "from" });
        }
        if self.to.trim().is_empty() {
            return Err(CallLogError::EmptyNumber { what: "to" });
        }
        check_len("from number", Some(&self.from), MAX_NUMBER_CHARS)?;
        check_len("to number", Some(&self.to), MAX_NUMBER_CHARS)?;
        check_len("notes", self.notes.as_deref(), MAX_NOTES_CHARS)?;
        check_len("subject", self.subject.as_deref(), MAX_SUBJECT_CHARS)?;
        check_len(
            "disposition",
            self.disposition.as_deref(),
            MAX_SUBJECT_CHARS,
        )?;
        // Control characters would reach every terminal, CSV and log the text is printed to
        // (an ESC retitles a terminal); a single line holds none, the notes line breaks and tabs.
        check_single_line("from number", Some(&self.from))?;
        check_single_line("to number", Some(&self.to))?;
        check_single_line("subject", self.subject.as_deref())?;
        check_single_line("disposition", self.disposition.as_deref())?;
        check_len("summary", self.summary.as_deref(), MAX_SUMMARY_CHARS)?;
        for topic in &self.key_topics {
            check_single_line("key topic", Some(topic))?;
        }
        memo::check_memo_text(&self.memo)?;
        if let Some(c) = self.notes.as_deref().and_then(|notes| {
            notes
                .chars()
                .find(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        }) {
            return Err(CallLogError::ControlCharacter {
                what: "notes",
                character: c,
                allowed: "notes may hold line breaks and tabs, nothing else invisible",
            });
        }
        if let Some(id) = &self.who_id {
            check_record_id(
                "--who",
                id,
                WHO_PREFIXES,
                " of a Contact (003…) or Lead (00Q…)",
            )?;
        }
        if let Some(id) = &self.what_id {
            check_record_id(
                "--what",
                id,
                WHAT_PREFIXES,
                " of an Account (001…), Opportunity (006…) or Case (500…)",
            )?;
        }
        if let Some(url) = &self.recording_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > 8
                && !url.chars().any(char::is_whitespace);
            if !ok {
                return Err(CallLogError::RecordingUrl(url.clone()));
            }
        }
        // The names become JSON keys of the Salesforce bodies: API-name shaped only.
        for name in self
            .intent_fields
            .task
            .keys()
            .chain(self.intent_fields.call_log.keys())
        {
            let ok = !name.is_empty()
                && name.len() <= 80
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(CallLogError::IntentField(name.clone()));
            }
        }
        self.timing.validate(self.missed)?;
        if let Some(Value::String(text)) = self.intent_fields.task.get(TASK_DESCRIPTION) {
            let joined = mapping::joined_description(Some(text), self.notes.as_deref());
            check_len("summary and notes", joined.as_deref(), MAX_NOTES_CHARS)?;
        }
        Ok(())
    }

    /// A later update of the same call (summary or recording arriving after hang-up):
    /// required fields come from `newer`, optional ones from `newer` when it has them,
    /// else stay as they were, so an update never erases the agent's notes.
    pub fn merged_with(&self, newer: &CallLog) -> CallLog {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
        CallLog {
            call_id: self.call_id.clone(),
            direction: newer.direction,
            from: newer.from.clone(),
            to: newer.to.clone(),
            started_at_ms: newer.started_at_ms,
            duration_seconds: newer.duration_seconds,
            disposition: pick(&newer.disposition, &self.disposition),
            subject: pick(&newer.subject, &self.subject),
            notes: pick(&newer.notes, &self.notes),
            who_id: pick(&newer.who_id, &self.who_id),
            what_id: pick(&newer.what_id, &self.what_id),
            recording_url: pick(&newer.recording_url, &self.recording_url),
            summary: pick(&newer.summary, &self.summary),
            key_topics: if newer.key_topics.is_empty() {
                self.key_topics.clone()
            } else {
                newer.key_topics.clone()
            },
            memo: if newer.memo.is_empty() {
                self.memo.clone()
            } else {
                newer.memo.clone()
            },
            missed: newer.missed,
            timing: if newer.timing.is_empty() {
                self.timing
            } else {
                newer.timing
            },
            intent_fields: if newer.intent_fields.is_empty() {
                self.intent_fields.clone()
            } else {
                newer.intent_fields.clone()
            },
        }
    }

    /// The subject shown in Salesforce: the agent's, else "Call from …" / "Missed call from …".
    /// Never over [`MAX_SUBJECT_CHARS`]: the agent's is checked at intake ([`CallLog::validate`]),
    /// and the made-up one is cut there (an intake takes numbers up to 256 characters), so
    /// neither `Task.Subject` nor the call log's subject field can refuse it later.
    pub fn effective_subject(&self) -> String {
        if let Some(subject) = self.subject.as_deref().filter(|s| !s.trim().is_empty()) {
            return subject.to_owned();
        }
        let other = match self.direction {
            Direction::Inbound => format!("from {}", self.from),
            Direction::Outbound => format!("to {}", self.to),
        };
        let made_up = if self.missed {
            format!("Missed call {other}")
        } else {
            format!("Call {other}")
        };
        made_up.chars().take(MAX_SUBJECT_CHARS).collect()
    }

    /// The disposition sent: the agent's, else "Missed" for a missed call.
    pub fn effective_disposition(&self) -> Option<String> {
        self.disposition
            .clone()
            .or_else(|| self.missed.then(|| "Missed".to_owned()))
    }
}

/// A fresh call id for a call the softphone gave none: `rs-` and 20 random hex digits.
pub fn new_call_id() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let n: u128 = rng.random();
    format!("rs-{:020x}", n & ((1u128 << 80) - 1))
}

/// Why a softphone call id cannot be taken at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallIdError {
    #[error("the call id is empty")]
    Empty,
    #[error(
        "the call id is {bytes} bytes long; a softphone call id is at most 65536 bytes (64 KiB)"
    )]
    TooLong { bytes: usize },
}

/// The one rule for softphone call ids, used at every intake (the event API, links,
/// baresip, `ringside call`, `ringside log-call`): the External ID a call is logged under.
///
/// A call id that is already usable as an External ID (1 to 255 visible ASCII characters
/// without `/`, `\`, `?`, `#` or `%`; surrounding spaces trimmed) stays as it is, so
/// queued logs and earlier records keep their ids. Any other id (a SIP Call-ID with
/// spaces, `/`, `%`, non-ASCII, or thousands of characters) becomes [`HASHED_CALL_ID_PREFIX`]
/// and 32 hex digits of the SHA-256 of the trimmed id: stable, so a repeated event for
/// the same call maps to the same External ID and the call is logged exactly once; and
/// always usable, so every call that rang can be logged. Mapping is idempotent.
///
/// Refused only when the id cannot be an id at all: empty (after trimming), or over
/// [`MAX_SOFTPHONE_CALL_ID_BYTES`].
pub fn external_call_id(raw: &str) -> Result<String, CallIdError> {
    use sha2::{Digest, Sha256};
    let id = raw.trim();
    if id.is_empty() {
        return Err(CallIdError::Empty);
    }
    if id.len() > MAX_SOFTPHONE_CALL_ID_BYTES {
        return Err(CallIdError::TooLong { bytes: id.len() });
    }
    if check_call_id(id).is_ok() {
        return Ok(id.to_owned());
    }
    let digest = Sha256::digest(id.as_bytes());
    let mut mapped = String::with_capacity(HASHED_CALL_ID_PREFIX.len() + 32);
    mapped.push_str(HASHED_CALL_ID_PREFIX);
    for byte in &digest[..16] {
        mapped.push_str(&format!("{byte:02x}"));
    }
    Ok(mapped)
}

fn check_call_id(id: &str) -> Result<(), CallLogError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_CALL_ID_CHARS
        && id != "."
        && id != ".."
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '\\' | '?' | '#' | '%'));
    if ok {
        Ok(())
    } else {
        Err(CallLogError::CallId(id.to_owned()))
    }
}

fn check_single_line(what: &'static str, text: Option<&str>) -> Result<(), CallLogError> {
    match text.and_then(|t| t.chars().find(|c| c.is_control())) {
        Some(character) => Err(CallLogError::ControlCharacter {
            what,
            character,
            allowed: "a single line holds no line breaks, tabs or other control characters",
        }),
        None => Ok(()),
    }
}

fn check_len(what: &'static str, text: Option<&str>, max: usize) -> Result<(), CallLogError> {
    let chars = text.map(|t| t.chars().count()).unwrap_or(0);
    if chars > max {
        Err(CallLogError::TooLong { what, chars, max })
    } else {
        Ok(())
    }
}

fn check_record_id(
    field: &'static str,
    id: &str,
    prefixes: &[&str],
    expected: &'static str,
) -> Result<(), CallLogError> {
    let shape = matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric());
    if shape && prefixes.iter().any(|p| id.starts_with(p)) {
        Ok(())
    } else {
        Err(CallLogError::RecordId {
            field,
            value: id.to_owned(),
            expected,
        })
    }
}

/// The key prefix says which object an id belongs to (Contact 003, Lead 00Q, Account 001).
pub(crate) fn is_lead_id(id: &str) -> bool {
    id.starts_with("00Q")
}

pub(crate) fn is_account_id(id: &str) -> bool {
    id.starts_with("001")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> CallLog {
        CallLog {
            call_id: "call-1".into(),
            direction: Direction::Inbound,
            from: "+14155550123".into(),
            to: "+14155550100".into(),
            started_at_ms: 1_700_000_000_000,
            duration_seconds: 42,
            disposition: None,
            subject: None,
            notes: Some("asked for a demo".into()),
            who_id: Some("003Dm0000000003IAA".into()),
            what_id: None,
            recording_url: None,
            summary: None,
            key_topics: vec![],
            missed: false,
            timing: Default::default(),
            memo: Vec::new(),
            intent_fields: IntentFields::default(),
        }
    }

    #[test]
    fn a_plain_log_is_valid() {
        sample().validate().expect("the sample log is well-formed");
    }

    #[test]
    fn each_bad_field_gets_its_own_clear_error() {
        assert!(matches!(
            Direction::parse("sideways"),
            Err(CallLogError::Direction(_))
        ));
        let mut log = sample();
        log.duration_seconds = -1;
        assert_eq!(log.validate(), Err(CallLogError::Duration(-1)));
        let mut log = sample();
        log.notes = Some("x".repeat(MAX_NOTES_CHARS + 1));
        let err = log.validate().unwrap_err();
        assert!(
            err.to_string().contains("32000"),
            "the limit is named so the agent can shorten the notes: {err}"
        );
        let mut log = sample();
        log.who_id = Some("not-an-id".into());
        assert!(matches!(log.validate(), Err(CallLogError::RecordId { .. })));
        let mut log = sample();
        log.who_id = Some("001Dm0000000002IAA".into());
        let err = log.validate().unwrap_err();
        assert!(
            err.to_string().contains("Contact"),
            "an Account id as WhoId is refused with what is expected: {err}"
        );
        let mut log = sample();
        log.call_id = "a/b".into();
        assert!(matches!(log.validate(), Err(CallLogError::CallId(_))));
        let mut log = sample();
        log.notes = Some("é".repeat(MAX_NOTES_CHARS));
        log.validate()
            .expect("the limit counts characters, not UTF-8 bytes");
    }

    #[test]
    fn control_characters_and_overlong_numbers_are_refused_before_queueing() {
        let mut log = sample();
        log.subject = Some("Demo\u{1b}]0;owned\u{7}".into());
        let err = log.validate().unwrap_err();
        assert!(
            err.to_string().contains("subject") && err.to_string().contains("U+001B"),
            "names the field and the character: {err}"
        );
        let mut log = sample();
        log.subject = Some("line one\nline two".into());
        assert!(
            matches!(
                log.validate(),
                Err(CallLogError::ControlCharacter {
                    what: "subject",
                    ..
                })
            ),
            "a subject is one line"
        );
        let mut log = sample();
        log.notes = Some("line one\r\n\tline two — 折り返し".into());
        log.validate()
            .expect("notes keep line breaks, tabs and any script");
        let mut log = sample();
        log.notes = Some("fine\u{9b}31m".into());
        assert!(
            matches!(
                log.validate(),
                Err(CallLogError::ControlCharacter { what: "notes", .. })
            ),
            "a C1 control is refused in the notes too"
        );
        let mut log = sample();
        log.from = "+1".repeat(21);
        let err = log.validate().unwrap_err();
        assert!(
            err.to_string().contains("40"),
            "a Phone field holds 40 characters: {err}"
        );
    }

    #[test]
    fn an_update_keeps_what_it_does_not_replace() {
        let first = sample();
        let mut later = sample();
        later.notes = None;
        later.summary = Some("wants pricing".into());
        let merged = first.merged_with(&later);
        assert_eq!(
            merged.notes, first.notes,
            "the agent's notes survive a summary update"
        );
        assert_eq!(merged.summary.as_deref(), Some("wants pricing"));
    }

    #[test]
    fn missed_calls_say_so() {
        let mut log = sample();
        log.missed = true;
        log.duration_seconds = 0;
        assert_eq!(log.effective_subject(), "Missed call from +14155550123");
        log.from = "9".repeat(256);
        assert_eq!(
            log.effective_subject().chars().count(),
            MAX_SUBJECT_CHARS,
            "a made-up subject never outgrows Task.Subject or the call log's subject field"
        );
        assert_eq!(log.effective_disposition().as_deref(), Some("Missed"));
        assert!(new_call_id().starts_with("rs-"));
        assert_ne!(new_call_id(), new_call_id(), "ids are random");
    }

    #[test]
    fn durations_salesforce_cannot_store_are_refused_with_the_limit() {
        let mut log = sample();
        log.duration_seconds = MAX_CALL_SECONDS;
        log.validate()
            .expect("a call of exactly 24 hours is still a call");
        for duration in [MAX_CALL_SECONDS + 1, 4_000_000_000, i64::MAX] {
            log.duration_seconds = duration;
            let err = log.validate().expect_err("longer than a day is refused");
            assert!(
                err.to_string().contains("86400") && err.to_string().contains("24 hours"),
                "the message says the limit: {err}"
            );
        }
    }

    #[test]
    fn start_times_salesforce_cannot_store_are_refused() {
        let mut log = sample();
        for started_at_ms in [MIN_STARTED_AT_MS, -1, 0, MAX_STARTED_AT_MS] {
            log.started_at_ms = started_at_ms;
            log.validate().expect("a date Salesforce can store is fine");
        }
        for started_at_ms in [
            MIN_STARTED_AT_MS - 1,
            i64::MIN,
            MAX_STARTED_AT_MS + 1,
            i64::MAX,
        ] {
            let mut log = sample();
            log.started_at_ms = started_at_ms;
            let err = log.validate().expect_err("an absurd start is refused");
            assert!(
                err.to_string().contains("4000-12-31"),
                "the message says the range: {err}"
            );
        }
    }

    #[test]
    fn unusable_call_ids_map_to_a_stable_usable_external_id() {
        assert_eq!(
            external_call_id("  abc-123@host  ").as_deref(),
            Ok("abc-123@host"),
            "a usable id stays as it is (queued logs keep their ids)"
        );
        let long = format!("a/b%c?d e-ü-{}", "x".repeat(5_000));
        for raw in ["a/b", "50%", "what?", "has space", "ünïcode", long.as_str()] {
            let mapped = external_call_id(raw).expect("every real call id maps");
            assert!(
                mapped.starts_with(HASHED_CALL_ID_PREFIX) && mapped.len() == 36,
                "{raw:?} becomes sip- and 32 hex digits: {mapped}"
            );
            assert_eq!(
                check_call_id(&mapped),
                Ok(()),
                "the mapped id is a usable External ID"
            );
            assert_eq!(
                external_call_id(raw),
                Ok(mapped.clone()),
                "the same id maps to the same External ID"
            );
            assert_eq!(
                external_call_id(&mapped),
                Ok(mapped.clone()),
                "mapping is idempotent (the CLI maps, then the API maps again)"
            );
        }
        assert_ne!(
            external_call_id("a/b"),
            external_call_id("a/c"),
            "different ids stay different"
        );
        assert_eq!(external_call_id("  "), Err(CallIdError::Empty));
        let err = external_call_id(&"x".repeat(MAX_SOFTPHONE_CALL_ID_BYTES + 1))
            .expect_err("over 64 KiB is not an id");
        assert!(err.to_string().contains("64 KiB"), "{err}");
    }
}
