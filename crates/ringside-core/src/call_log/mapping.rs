//! How a [`CallLog`] becomes Salesforce records: the logging mode, the call-log object's
//! configurable API names (DESIGN §4 defaults), and the JSON bodies of the call-log upsert
//! and the Task (DESIGN §3 "Task fields for calls").
//!
//! The agent's subject and notes go to the Task (`Subject`, `Description`) in task mode and
//! to the call log's own fields in "call log only" mode (DESIGN §4): a mode never drops what
//! the agent typed. The mapping runs when a log is sent, never when it is queued, so a log
//! queued before the admin switched modes is written under the mode in force at send time
//! and the queued item itself is never rewritten.

use serde_json::{Map, Value, json};

use super::{CallLog, TASK_DESCRIPTION, TASK_SUBJECT, is_account_id, is_lead_id};
use crate::time::{iso_date, iso_datetime};

/// `Task.Description` when a call-summary intent and the agent's notes both write it: the
/// summary first, then the notes, so pressing the intent never drops what the agent typed.
pub fn joined_description(summary: Option<&str>, notes: Option<&str>) -> Option<String> {
    let summary = summary.filter(|s| !s.trim().is_empty());
    let notes = notes.filter(|n| !n.trim().is_empty());
    match (summary, notes) {
        (Some(s), Some(n)) => Some(format!("{s}\n\n{n}")),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(n)) => Some(n.to_owned()),
        (None, None) => None,
    }
}

/// What a logged call writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoggingMode {
    /// A Task (the activity agents see on the record) and the call-log record it links to.
    #[default]
    TaskAndCallLog,
    /// Only the call-log record.
    CallLogOnly,
}

impl LoggingMode {
    /// Reads the config value `task_and_call_log` / `call_log_only`.
    pub fn parse(text: &str) -> Option<LoggingMode> {
        match text {
            "task_and_call_log" => Some(LoggingMode::TaskAndCallLog),
            "call_log_only" => Some(LoggingMode::CallLogOnly),
            _ => None,
        }
    }

    /// Whether a Task is written.
    pub fn writes_task(self) -> bool {
        self == LoggingMode::TaskAndCallLog
    }
}

/// The API names of the call-log object and its fields, and of the Task's lookup to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLogFields {
    pub object: String,
    pub external_id: String,
    pub direction: String,
    pub duration: String,
    pub from_number: String,
    pub to_number: String,
    pub started_at: String,
    /// When the call was dialed or began to ring (date-time), written when known.
    pub dialed_at: String,
    /// When it was answered (date-time); a missed call has none.
    pub answered_at: String,
    /// When it ended (date-time).
    pub ended_at: String,
    /// Ring time in seconds (number): dial to answer, or to the end when missed. Talk time
    /// is `duration` (it is what `Task.CallDurationInSeconds` holds), not a field of its own.
    /// Each of these four timing names may be empty in the config: that field is not
    /// written (an org set up before the field existed keeps logging).
    pub ring_seconds: String,
    pub recording_url: String,
    pub summary: String,
    pub key_topics: String,
    /// The memo (MiiTel's multi-select memo, or text): its values `;`-joined. May be `""`
    /// (the default): no memo is written, so an org without the field keeps logging.
    pub memo: String,
    pub disposition: String,
    /// Where "call log only" mode writes the subject (Text(255), like `Task.Subject`).
    /// Task mode never writes it, so an org set up for Tasks need not have it.
    pub subject: String,
    /// Where "call log only" mode writes the notes, with a call-summary intent before them
    /// (Long Text Area(32,000), like `Task.Description`). Task mode never writes it.
    pub notes: String,
    pub contact: String,
    pub lead: String,
    pub account: String,
    /// The lookups "About" sets: the log's `WhatId` when it is an Opportunity (`006…`) or a
    /// Case (`500…`), so the call shows on the deal's or the case's page. May be `""`: that
    /// lookup is not written (an org set up before the setup kit had it).
    pub opportunity: String,
    pub case: String,
    /// The Task field that looks up the call log.
    pub task_lookup: String,
}

impl Default for CallLogFields {
    fn default() -> Self {
        let s = |v: &str| v.to_owned();
        CallLogFields {
            object: s("Call_Log__c"),
            external_id: s("External_Id__c"),
            direction: s("Direction__c"),
            duration: s("Duration_Seconds__c"),
            from_number: s("From_Number__c"),
            to_number: s("To_Number__c"),
            started_at: s("Started_At__c"),
            dialed_at: s("Dialed_At__c"),
            answered_at: s("Answered_At__c"),
            ended_at: s("Ended_At__c"),
            // Off unless the admin names it: the field is new in the setup kit, and an org
            // set up before it would refuse every log that names it (INVALID_FIELD), which
            // would dead-letter calls for a nice-to-have. Ring time can also be read from the
            // dial and answer times, which DESIGN §4 lists.
            ring_seconds: s(""),
            recording_url: s("Recording_Url__c"),
            summary: s("Summary__c"),
            key_topics: s("Key_Topics__c"),
            // Off unless the admin names it, like the ring time: an org set up before the
            // kit had `Memo__c` would refuse every log naming it (INVALID_FIELD).
            memo: s(""),
            disposition: s("Disposition__c"),
            subject: s("Subject__c"),
            notes: s("Notes__c"),
            contact: s("Contact__c"),
            lead: s("Lead__c"),
            account: s("Account__c"),
            opportunity: s("Opportunity__c"),
            case: s("Case__c"),
            task_lookup: s("Call_Log__c"),
        }
    }
}

/// The `[logging.call_log]` keys that may be `""`: that field is then not written (an org
/// without it, e.g. set up before it was in the setup kit).
pub const OPTIONAL_CALL_LOG_KEYS: [&str; 7] = [
    "dialed_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "memo",
    "opportunity",
    "case",
];

impl CallLogFields {
    /// Every configured name with its config key, for validation.
    pub fn named(&self) -> [(&'static str, &str); 24] {
        [
            ("object", &self.object),
            ("external_id", &self.external_id),
            ("direction", &self.direction),
            ("duration", &self.duration),
            ("from_number", &self.from_number),
            ("to_number", &self.to_number),
            ("started_at", &self.started_at),
            ("dialed_at", &self.dialed_at),
            ("answered_at", &self.answered_at),
            ("ended_at", &self.ended_at),
            ("ring_seconds", &self.ring_seconds),
            ("recording_url", &self.recording_url),
            ("summary", &self.summary),
            ("key_topics", &self.key_topics),
            ("memo", &self.memo),
            ("disposition", &self.disposition),
            ("subject", &self.subject),
            ("notes", &self.notes),
            ("contact", &self.contact),
            ("lead", &self.lead),
            ("account", &self.account),
            ("opportunity", &self.opportunity),
            ("case", &self.case),
            ("task_lookup", &self.task_lookup),
        ]
    }
}

/// The `[logging]` config: the mode and the call-log names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoggingSettings {
    pub mode: LoggingMode,
    pub call_log: CallLogFields,
}

impl LoggingSettings {
    /// The call-log upsert body (the external id is in the URL, not the body). Absent
    /// optional values are left out, so an update never blanks a field it does not know.
    pub fn call_log_body(&self, log: &CallLog) -> Value {
        let f = &self.call_log;
        let mut body = Map::new();
        body.insert(f.direction.clone(), json!(log.direction.salesforce_value()));
        body.insert(f.duration.clone(), json!(log.duration_seconds));
        body.insert(f.from_number.clone(), json!(log.from));
        body.insert(f.to_number.clone(), json!(log.to));
        body.insert(f.started_at.clone(), json!(iso_datetime(log.started_at_ms)));
        // Each instant only when known (a missed call has no answer time, a log typed by
        // hand or queued before these were kept has none), so an update never blanks one.
        let t = &log.timing;
        for (field, at) in [
            (&f.dialed_at, t.dialed_at_ms),
            (&f.answered_at, t.answered_at_ms),
            (&f.ended_at, t.ended_at_ms),
        ] {
            if let Some(ms) = at.filter(|_| !field.is_empty()) {
                body.insert(field.clone(), json!(iso_datetime(ms)));
            }
        }
        if let Some(ring) = t.ring_seconds().filter(|_| !f.ring_seconds.is_empty()) {
            body.insert(f.ring_seconds.clone(), json!(ring));
        }
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                body.insert(key.to_owned(), json!(v));
            }
        };
        put(&f.recording_url, log.recording_url.clone());
        put(&f.summary, log.summary.clone());
        put(
            &f.key_topics,
            (!log.key_topics.is_empty()).then(|| log.key_topics.join("; ")),
        );
        if !f.memo.is_empty() {
            put(&f.memo, super::memo::joined(&log.memo));
        }
        put(&f.disposition, log.effective_disposition());
        if let Some(who) = &log.who_id {
            let field = if is_lead_id(who) { &f.lead } else { &f.contact };
            put(field, Some(who.clone()));
        }
        if let Some(what) = &log.what_id {
            // What the call was about ("About" on the form, --about): its own lookup, so
            // the call shows on that record's page.
            let lookup = if is_account_id(what) {
                Some(&f.account)
            } else if what.starts_with("006") {
                Some(&f.opportunity)
            } else if what.starts_with("500") {
                Some(&f.case)
            } else {
                None
            };
            if let Some(field) = lookup.filter(|name| !name.is_empty()) {
                put(field, Some(what.clone()));
            }
        }
        let own_notes = self.mode == LoggingMode::CallLogOnly;
        if own_notes {
            // No Task holds them in this mode: the call log does.
            put(&f.subject, Some(self.call_log_subject(log)));
            put(&f.notes, call_log_notes(log, &f.notes));
        }
        // The agent pressed these on purpose: they win over the form's own values (a
        // summary pressed into the notes field was joined with the notes above instead).
        for (name, value) in &log.intent_fields.call_log {
            if own_notes && name.eq_ignore_ascii_case(&f.notes) {
                continue;
            }
            body.insert(name.clone(), value.clone());
        }
        // Everything here is what people wrote or picked: an `@{` in it is text, never a
        // composite reference (see `salesforce::composite::inert_text`).
        let mut body = Value::Object(body);
        salesforce::composite::make_inert(&mut body);
        body
    }

    /// The call log's subject in "call log only" mode: what the Task's `Subject` would have
    /// been (a pressed Task-subject intent, else the agent's subject, else "Call from …").
    fn call_log_subject(&self, log: &CallLog) -> String {
        log.intent_fields
            .task
            .get(TASK_SUBJECT)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| log.effective_subject())
    }

    /// The Task body. `created` adds the create-only fields (`TaskSubtype`); `call_log_ref`
    /// is the call log's id or a composite reference such as `@{log.id}`.
    pub fn task_body(&self, log: &CallLog, created: bool, call_log_ref: &str) -> Value {
        let mut body = json!({
            "Subject": log.effective_subject(),
            "Status": "Completed",
            "Type": "Call",
            "CallType": log.direction.salesforce_value(),
            "CallDurationInSeconds": log.duration_seconds,
            "CallObject": log.call_id,
            "ActivityDate": iso_date(log.started_at_ms),
        });
        let map = body.as_object_mut().expect("built as an object above");
        if created {
            map.insert("TaskSubtype".into(), json!("Call"));
        }
        if let Some(d) = log.effective_disposition() {
            map.insert("CallDisposition".into(), json!(d));
        }
        for (name, value) in &log.intent_fields.task {
            map.insert(name.clone(), value.clone());
        }
        let summary = log
            .intent_fields
            .task
            .get(TASK_DESCRIPTION)
            .and_then(Value::as_str);
        if let Some(description) = joined_description(summary, log.notes.as_deref()) {
            map.insert(TASK_DESCRIPTION.into(), json!(description));
        }
        if let Some(who) = &log.who_id {
            map.insert("WhoId".into(), json!(who));
        }
        if let Some(what) = &log.what_id {
            map.insert("WhatId".into(), json!(what));
        }
        // What people wrote is text, never a composite reference; the call log's reference
        // is Ringside's own and goes in after (see `salesforce::composite::inert_text`).
        salesforce::composite::make_inert(&mut body);
        if let Some(map) = body.as_object_mut() {
            map.insert(self.call_log.task_lookup.clone(), json!(call_log_ref));
        }
        body
    }
}

/// The call log's notes in "call log only" mode: what `Task.Description` would have held
/// (a call-summary intent pressed on the Task, then the agent's notes), with a summary
/// pressed straight into the call log's notes field first. Nothing typed or pressed is lost.
fn call_log_notes(log: &CallLog, notes_field: &str) -> Option<String> {
    let pressed_here = log
        .intent_fields
        .call_log
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(notes_field))
        .and_then(|(_, value)| value.as_str());
    let task_summary = log
        .intent_fields
        .task
        .get(TASK_DESCRIPTION)
        .and_then(Value::as_str);
    let summary = joined_description(pressed_here, task_summary);
    joined_description(summary.as_deref(), log.notes.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_log::Direction;

    fn log() -> CallLog {
        CallLog {
            call_id: "c-9".into(),
            direction: Direction::Outbound,
            from: "+1 415 555 0100".into(),
            to: "+1 415 555 0123".into(),
            started_at_ms: 1_700_000_000_000,
            duration_seconds: 61,
            disposition: Some("Left voicemail".into()),
            subject: None,
            notes: Some("n".into()),
            who_id: Some("00QDm0000000009MAA".into()),
            what_id: Some("001Dm0000000002IAA".into()),
            recording_url: None,
            summary: None,
            key_topics: vec!["pricing".into(), "demo".into()],
            missed: false,
            timing: Default::default(),
            memo: Vec::new(),
            intent_fields: Default::default(),
        }
    }

    #[test]
    fn the_memo_goes_semicolon_joined_to_its_field_only_when_one_is_named() {
        let mut memo = log();
        memo.memo = vec!["Pricing".into(), "Demo requested".into(), "Pricing".into()];
        let off = LoggingSettings::default().call_log_body(&memo);
        assert!(
            off.get("Memo__c").is_none(),
            "no memo field by default: {off}"
        );
        let mut settings = LoggingSettings::default();
        settings.call_log.memo = "Memo__c".into();
        let body = settings.call_log_body(&memo);
        assert_eq!(
            body["Memo__c"], "Pricing;Demo requested",
            "each value once: {body}"
        );
        let none = settings.call_log_body(&log());
        assert!(
            none.get("Memo__c").is_none(),
            "no values: an update never blanks the memo: {none}"
        );
    }

    #[test]
    fn task_carries_every_call_field_and_subtype_only_on_create() {
        let s = LoggingSettings::default();
        let created = s.task_body(&log(), true, "@{log.id}");
        assert_eq!(created["TaskSubtype"], "Call", "create sets the subtype");
        assert_eq!(created["CallType"], "Outbound");
        assert_eq!(
            created["CallObject"], "c-9",
            "the call id makes the Task findable"
        );
        assert_eq!(created["Call_Log__c"], "@{log.id}");
        assert_eq!(created["ActivityDate"], "2023-11-14");
        assert_eq!(created["Status"], "Completed");
        let updated = s.task_body(&log(), false, "a01x");
        assert!(
            updated.get("TaskSubtype").is_none(),
            "TaskSubtype is create-only in Salesforce"
        );
    }

    #[test]
    fn call_log_puts_lookups_in_the_right_fields() {
        let body = LoggingSettings::default().call_log_body(&log());
        assert_eq!(body["Lead__c"], "00QDm0000000009MAA", "00Q is a Lead");
        assert!(body.get("Contact__c").is_none());
        assert_eq!(body["Account__c"], "001Dm0000000002IAA");
        assert_eq!(body["Key_Topics__c"], "pricing; demo");
        assert_eq!(body["Started_At__c"], "2023-11-14T22:13:20.000Z");
        assert!(
            body.get("Summary__c").is_none(),
            "absent values are not sent, so updates never blank them"
        );
    }

    #[test]
    fn pressed_intents_land_on_their_record_and_a_summary_keeps_the_notes() {
        let mut call = log();
        call.intent_fields
            .task
            .insert("Description".into(), json!("Wants pricing"));
        call.intent_fields
            .call_log
            .insert("Disposition__c".into(), json!("Call back"));
        let s = LoggingSettings::default();
        let task = s.task_body(&call, true, "@{log.id}");
        assert_eq!(
            task["Description"], "Wants pricing\n\nn",
            "the summary intent comes first, the agent's notes are kept after it"
        );
        let body = s.call_log_body(&call);
        assert_eq!(
            body["Disposition__c"], "Call back",
            "a pressed intent wins over the form's value"
        );
        call.notes = None;
        assert_eq!(
            s.task_body(&call, true, "x")["Description"],
            "Wants pricing"
        );
    }

    fn call_log_only() -> LoggingSettings {
        LoggingSettings {
            mode: LoggingMode::CallLogOnly,
            ..LoggingSettings::default()
        }
    }

    #[test]
    fn call_log_only_keeps_subject_and_notes_on_the_call_log_and_task_mode_does_not_write_them() {
        let mut call = log();
        call.subject = Some("Renewal".into());
        let body = call_log_only().call_log_body(&call);
        assert_eq!(body["Subject__c"], "Renewal");
        assert_eq!(body["Notes__c"], "n", "the agent's notes are kept");
        let body = LoggingSettings::default().call_log_body(&call);
        assert!(
            body.get("Subject__c").is_none() && body.get("Notes__c").is_none(),
            "task mode keeps them on the Task: an org set up for Tasks need not have these fields"
        );
        call.subject = None;
        call.notes = None;
        let body = call_log_only().call_log_body(&call);
        assert_eq!(
            body["Subject__c"], "Call to +1 415 555 0123",
            "the same made-up subject a Task gets"
        );
        assert!(
            body.get("Notes__c").is_none(),
            "no notes: nothing sent, so an update never blanks them"
        );
    }

    #[test]
    fn call_log_only_joins_a_pressed_summary_with_the_notes_as_the_task_would() {
        let mut call = log();
        call.intent_fields
            .task
            .insert("Description".into(), json!("Wants pricing"));
        call.intent_fields
            .task
            .insert("Subject".into(), json!("Pricing call"));
        let s = call_log_only();
        let body = s.call_log_body(&call);
        assert_eq!(
            body["Notes__c"],
            s.task_body(&call, true, "x")["Description"],
            "the call log's notes hold exactly what Task.Description would"
        );
        assert_eq!(body["Notes__c"], "Wants pricing\n\nn");
        assert_eq!(
            body["Subject__c"], "Pricing call",
            "a pressed subject, as on the Task"
        );
        call.intent_fields
            .call_log
            .insert("Notes__c".into(), json!("Pressed on the log"));
        assert_eq!(
            s.call_log_body(&call)["Notes__c"],
            "Pressed on the log\n\nWants pricing\n\nn",
            "a summary pressed into the notes field is joined, never written over the notes"
        );
    }

    #[test]
    fn configured_subject_and_notes_names_are_used() {
        let mut s = call_log_only();
        s.call_log.subject = "Betreff__c".into();
        s.call_log.notes = "Notizen__c".into();
        let body = s.call_log_body(&log());
        assert_eq!(body["Notizen__c"], "n");
        assert!(body.get("Betreff__c").is_some() && body.get("Notes__c").is_none());
    }

    #[test]
    fn the_call_log_carries_each_known_instant_and_the_ring_time_and_nothing_unknown() {
        let mut settings = LoggingSettings::default();
        settings.call_log.ring_seconds = "Ring_Seconds__c".into();
        let mut answered = log();
        answered.timing = super::super::CallTiming {
            dialed_at_ms: Some(1_700_000_000_000),
            answered_at_ms: Some(1_700_000_012_000),
            ended_at_ms: Some(1_700_000_054_000),
        };
        let body = settings.call_log_body(&answered);
        assert_eq!(body["Dialed_At__c"], "2023-11-14T22:13:20.000Z");
        assert_eq!(body["Answered_At__c"], "2023-11-14T22:13:32.000Z");
        assert_eq!(body["Ended_At__c"], "2023-11-14T22:14:14.000Z");
        assert_eq!(body["Ring_Seconds__c"], 12, "dial to answer");

        let mut missed = log();
        missed.missed = true;
        missed.timing = super::super::CallTiming {
            dialed_at_ms: Some(1_700_000_000_000),
            answered_at_ms: None,
            ended_at_ms: Some(1_700_000_030_000),
        };
        let body = settings.call_log_body(&missed);
        assert!(
            body.get("Answered_At__c").is_none(),
            "no answer, no answer time: {body}"
        );
        assert_eq!(body["Ring_Seconds__c"], 30, "it rang until it ended");

        let body = settings.call_log_body(&log());
        for field in [
            "Dialed_At__c",
            "Answered_At__c",
            "Ended_At__c",
            "Ring_Seconds__c",
        ] {
            assert!(
                body.get(field).is_none(),
                "{field} unknown, not written: {body}"
            );
        }

        let off = LoggingSettings::default();
        let body = off.call_log_body(&answered);
        assert!(
            body.get("Ring_Seconds__c").is_none() && body.get("Dialed_At__c").is_some(),
            "the ring time is written only when the admin names its field: {body}"
        );
        assert!(
            body.get("").is_none(),
            "an emptied name writes nothing: {body}"
        );
        assert_eq!(body["Dialed_At__c"], "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn about_an_opportunity_or_a_case_sets_the_call_logs_lookup_to_it() {
        let s = LoggingSettings::default();
        for (what, field) in [
            ("006Dm0000000004IAA", "Opportunity__c"),
            ("500Dm0000000005IAA", "Case__c"),
            ("001Dm0000000002IAA", "Account__c"),
        ] {
            let mut call = log();
            call.what_id = Some(what.into());
            let body = s.call_log_body(&call);
            assert_eq!(body[field], what, "{what} goes to {field}: {body}");
            let others = ["Opportunity__c", "Case__c", "Account__c"]
                .into_iter()
                .filter(|f| *f != field);
            for other in others {
                assert!(body.get(other).is_none(), "{what} is not a {other}: {body}");
            }
            assert_eq!(
                s.task_body(&call, true, "@{log.id}")["WhatId"],
                what,
                "and the Task's WhatId"
            );
        }
        // An org set up before the lookup existed switches it off: nothing is written there.
        let mut off = LoggingSettings::default();
        off.call_log.opportunity = String::new();
        let mut call = log();
        call.what_id = Some("006Dm0000000004IAA".into());
        let body = off.call_log_body(&call);
        assert!(
            body.as_object()
                .unwrap()
                .keys()
                .all(|k| !k.is_empty() && k != "Opportunity__c"),
            "{body}"
        );
    }

    #[test]
    fn a_log_queued_before_the_timing_fields_reads_back_and_sends_without_them() {
        // A payload as an older Ringside stored it: no `timing` key.
        let stored = serde_json::json!({
            "call_id": "old-1", "direction": "inbound", "from": "+14155550123",
            "to": "+14155550100", "started_at_ms": 1_700_000_000_000_i64,
            "duration_seconds": 42
        });
        let old: CallLog = serde_json::from_value(stored).expect("an old payload still reads");
        assert!(old.timing.is_empty());
        old.validate().expect("and is still valid");
        let body = LoggingSettings::default().call_log_body(&old);
        assert_eq!(body["Duration_Seconds__c"], 42);
        assert!(body.get("Dialed_At__c").is_none(), "{body}");
    }
}
