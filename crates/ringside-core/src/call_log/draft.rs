//! The log form's logic, headless: what a form shows for a call that just ended
//! ([`CallDraft::after_call`], prefilled from the call's events and its screen pop), the
//! agent's inputs ([`DraftFields`]) turned into a validated [`CallLog`], and the idle rule
//! ([`DraftBook`]): a form nobody touched for [`AutoLogPolicy::after`] is logged anyway, with
//! whatever the agent had typed, so no call goes unlogged because the agent moved on.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{CallLog, CallLogError, CallTiming, Direction, IntentFields, MAX_NOTES_CHARS};
use crate::events::{self, CallEvent, CallerId};
use crate::lookup::CallerObject;
use crate::pop::Pop;

/// How long an untouched form waits before it is logged anyway (DESIGN §5), unless
/// `[logging] auto_log_after_secs` says otherwise.
pub const DEFAULT_AUTO_LOG_AFTER: Duration = Duration::from_secs(120);

/// The number shown when the softphone did not say who was called.
pub const UNKNOWN_NUMBER: &str = "unknown";

/// The idle rule, from `[logging] auto_log_after_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoLogPolicy {
    /// Time without any edit after which the form is logged as it stands.
    pub after: Duration,
}

impl Default for AutoLogPolicy {
    fn default() -> Self {
        AutoLogPolicy {
            after: DEFAULT_AUTO_LOG_AFTER,
        }
    }
}

/// A record the call can be related to (`WhoId` or `WhatId`), as the form lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DraftRecord {
    pub id: String,
    /// `Contact`, `Lead`, `Account`, `Opportunity` or `Case`.
    pub object: String,
    /// What the agent reads: a name, or a case number and subject.
    pub label: String,
}

/// What the agent can change in the form. Empty text means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DraftFields {
    pub direction: events::Direction,
    pub from: String,
    pub to: String,
    // A call never lasts 2^53 s, so a JS number is exact; ts-rs would say bigint.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_seconds: i64,
    pub disposition: String,
    pub subject: String,
    pub notes: String,
    /// The Contact or Lead (`WhoId`).
    pub who_id: Option<String>,
    /// The Account, Opportunity or Case (`WhatId`).
    pub what_id: Option<String>,
    /// The call's AI summary, as the softphone's transcription gave it or pasted (the call
    /// log's summary field). Absent in a form saved before the form had it.
    #[serde(default)]
    pub summary: String,
    /// The call's key topics, one each (the call log's key-topics field).
    #[serde(default)]
    pub key_topics: Vec<String>,
    /// The memo's values: picked from the org's multi-select picklist when the configured
    /// memo field is one, else typed (see [`super::memo`]). Absent in a form saved before
    /// the form had it.
    #[serde(default)]
    pub memo: Vec<String>,
    /// A link to the call's recording: http or https only.
    #[serde(default)]
    pub recording_url: String,
    /// The agent's choices about the disposition's outcome actions (unticked ones, a moved
    /// follow-up), saved with the form and applied when it is logged. Absent in a form saved
    /// before the form had them: every action runs as configured.
    #[serde(default)]
    pub actions: crate::outcome_choices::ActionChoices,
}

/// One record the caller matched, with what a call with it can be about (its open
/// Opportunities and Cases, and itself when it is an Account). The form's picker lists them
/// when several records matched; the first (best-ranked) is the default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DraftCandidate {
    pub record: DraftRecord,
    pub what_choices: Vec<DraftRecord>,
}

impl DraftCandidate {
    /// The `WhoId` a call with this record takes (a Contact or Lead; an Account has none).
    pub fn who_id(&self) -> Option<String> {
        matches!(self.record.object.as_str(), "Contact" | "Lead").then(|| self.record.id.clone())
    }

    /// The `WhatId` it starts with: the Account itself, else unrelated until the agent picks.
    pub fn what_id(&self) -> Option<String> {
        (self.record.object == "Account").then(|| self.record.id.clone())
    }
}

/// Which record of the call a pressed intent writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum IntentRecord {
    Task,
    CallLog,
}

/// An intent the agent pressed on the form, with the value it writes, checked against the
/// org's describe when pressed (so logging needs no Salesforce round trip).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallIntent {
    /// The `[intents]` key, e.g. `call_summary`.
    pub name: String,
    pub record: IntentRecord,
    /// The field's API name.
    pub field: String,
    /// What the agent picked or typed, if the intent takes input.
    pub input: Option<String>,
    /// The JSON value written.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: serde_json::Value,
}

/// One log form: the call it is for, the records it can be related to, and the fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallDraft {
    pub call_id: String,
    /// When the call started (epoch ms, UTC).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub started_at_ms: i64,
    /// Nobody answered: logged as a missed call.
    pub missed: bool,
    /// Opened by hand ("Log a call"), not by a call's end: never logged by the idle rule.
    pub manual: bool,
    /// The matched record from the call's pop (the first, best-ranked match), if any.
    pub matched: Option<DraftRecord>,
    /// What the call can be about: the matched record's open Opportunities and Cases (and
    /// its Account when the match is an Account).
    pub what_choices: Vec<DraftRecord>,
    /// Every record the caller matched, best first (`matched` is the first). With more than
    /// one, the form lets the agent pick which one the call was with.
    #[serde(default)]
    pub candidates: Vec<DraftCandidate>,
    /// The intents pressed so far (one per name), written with the call.
    #[serde(default)]
    pub pressed: Vec<CallIntent>,
    /// When the call was dialed (or rang), answered and ended, from its events; none for a
    /// log opened by hand (and for a form saved before these were kept).
    #[serde(default)]
    pub timing: CallTiming,
    pub fields: DraftFields,
}

/// What the intake saw of a call before its end: when it rang and when it was answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTimes {
    pub rang_at_ms: Option<i64>,
    pub answered_at_ms: Option<i64>,
}

/// Dispositions softphones use for a call nobody answered.
const MISSED_DISPOSITIONS: &[&str] = &[
    "missed",
    "no_answer",
    "no-answer",
    "noanswer",
    "unanswered",
    "busy",
    "rejected",
    "declined",
    "cancelled",
    "canceled",
];

impl CallDraft {
    /// The form for a call that ended at `now_ms`: direction, numbers and duration from the
    /// `end` event; the start from the answer (else the ring, else end minus duration); the
    /// matched record and its open Opportunities and Cases from the pop.
    pub fn after_call(end: &CallEvent, times: CallTimes, pop: Option<&Pop>, now_ms: i64) -> Self {
        let said_missed = end
            .disposition
            .as_deref()
            .map(|d| d.trim().to_ascii_lowercase())
            .is_some_and(|d| MISSED_DISPOSITIONS.contains(&d.as_str()));
        let mut timing = CallTiming {
            dialed_at_ms: times.rang_at_ms,
            answered_at_ms: times.answered_at_ms,
            ended_at_ms: Some(now_ms),
        };
        // The softphone's own talk time, else the one the answer and end events give.
        let duration = end
            .duration_secs
            .map(|d| d.min(i64::MAX as u64) as i64)
            .or_else(|| timing.talk_seconds())
            .unwrap_or(0);
        // A ring that ended with no talk time and no answer was missed.
        let missed = said_missed || (duration == 0 && times.answered_at_ms.is_none());
        if missed {
            // The softphone says nobody talked: an answer event (a pickup it then called
            // rejected) is not an answer time, or the log would contradict itself.
            timing.answered_at_ms = None;
        }
        let started_at_ms = times
            .answered_at_ms
            .or(times.rang_at_ms)
            .unwrap_or_else(|| now_ms - duration.saturating_mul(1000));
        let number = |id: &CallerId| id.number().unwrap_or("anonymous").to_owned();
        let candidates = candidates(pop);
        let best = candidates.first();
        let matched = best.map(|c| c.record.clone());
        let what_choices = best.map(|c| c.what_choices.clone()).unwrap_or_default();
        let who_id = best.and_then(DraftCandidate::who_id);
        // An Account match is what the call is about; a person's call starts unrelated.
        let what_id = best.and_then(DraftCandidate::what_id);
        let disposition = if missed {
            "Missed".to_owned()
        } else {
            end.disposition.clone().unwrap_or_default()
        };
        CallDraft {
            call_id: end.call_id.clone(),
            started_at_ms,
            missed,
            manual: false,
            matched,
            what_choices,
            candidates,
            pressed: Vec::new(),
            timing,
            fields: DraftFields {
                direction: end.direction,
                from: number(&end.from),
                to: end
                    .to
                    .as_ref()
                    .map(number)
                    .unwrap_or_else(|| UNKNOWN_NUMBER.to_owned()),
                duration_seconds: duration,
                disposition,
                subject: String::new(),
                notes: String::new(),
                who_id,
                what_id,
                summary: String::new(),
                key_topics: Vec::new(),
                memo: Vec::new(),
                recording_url: String::new(),
                actions: Default::default(),
            },
        }
    }

    /// An empty form for a call the agent logs by hand ("Log a call"), with a fresh call id.
    pub fn manual(now_ms: i64) -> Self {
        CallDraft {
            call_id: super::new_call_id(),
            started_at_ms: now_ms,
            missed: false,
            manual: true,
            matched: None,
            what_choices: Vec::new(),
            candidates: Vec::new(),
            pressed: Vec::new(),
            timing: CallTiming::default(),
            fields: DraftFields::default(),
        }
    }

    /// The log the fields describe, validated as the queue will validate it. Notes over
    /// Salesforce's 32,000 characters are refused here (never cut): the agent shortens them.
    pub fn to_call_log(&self, fields: &DraftFields) -> Result<CallLog, CallLogError> {
        let log = self.unchecked_call_log(fields);
        log.validate()?;
        Ok(log)
    }

    /// The log the fields describe, not validated: what the form's outcome-actions preview
    /// plans from while the agent is still typing (over-long notes must not hide the list).
    pub(crate) fn unchecked_call_log(&self, fields: &DraftFields) -> CallLog {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let id = |s: &Option<String>| s.as_deref().and_then(text);
        // Notes keep their own spacing (an agent's line breaks are meaningful).
        let notes = Some(fields.notes.clone()).filter(|n| !n.trim().is_empty());
        CallLog {
            call_id: self.call_id.clone(),
            direction: match fields.direction {
                events::Direction::Inbound => Direction::Inbound,
                events::Direction::Outbound => Direction::Outbound,
            },
            from: fields.from.trim().to_owned(),
            to: fields.to.trim().to_owned(),
            started_at_ms: self.started_at_ms,
            duration_seconds: fields.duration_seconds,
            disposition: text(&fields.disposition),
            subject: text(&fields.subject),
            notes,
            who_id: id(&fields.who_id),
            what_id: id(&fields.what_id),
            recording_url: text(&fields.recording_url),
            // The summary keeps its own line breaks, like the notes.
            summary: Some(fields.summary.clone()).filter(|s| !s.trim().is_empty()),
            key_topics: fields.key_topics.iter().filter_map(|t| text(t)).collect(),
            missed: self.missed,
            timing: self.timing,
            memo: fields.memo.iter().filter_map(|m| text(m)).collect(),
            intent_fields: self.intent_fields(),
        }
    }

    /// The agent's pick of the record the call was with: `who_id`/`what_id` for it, and
    /// its Opportunities and Cases as the `WhatId` choices. `false` when it did not match.
    pub fn choose_candidate(&mut self, record_id: &str) -> bool {
        let Some(chosen) = self
            .candidates
            .iter()
            .find(|c| c.record.id == record_id)
            .cloned()
        else {
            return false;
        };
        self.fields.who_id = chosen.who_id();
        self.fields.what_id = chosen.what_id();
        self.matched = Some(chosen.record);
        self.what_choices = chosen.what_choices;
        true
    }

    /// The pressed intents as fields of the Task and the call log.
    pub fn intent_fields(&self) -> IntentFields {
        let mut fields = IntentFields::default();
        for intent in &self.pressed {
            let target = match intent.record {
                IntentRecord::Task => &mut fields.task,
                IntentRecord::CallLog => &mut fields.call_log,
            };
            target.insert(intent.field.clone(), intent.value.clone());
        }
        fields
    }
}

/// How many characters the notes may still take (negative: how many too many). Counts
/// characters (Unicode scalar values), as Salesforce does, not UTF-8 bytes.
pub fn notes_room(notes: &str) -> i64 {
    MAX_NOTES_CHARS as i64 - notes.chars().count() as i64
}

fn candidates(pop: Option<&Pop>) -> Vec<DraftCandidate> {
    let Some(pop) = pop else {
        return Vec::new();
    };
    pop.matches()
        .iter()
        .map(|m| {
            let record = DraftRecord {
                id: m.id.clone(),
                object: m.object.api_name().to_owned(),
                label: m.name.clone(),
            };
            let mut choices = Vec::new();
            if m.object == CallerObject::Account {
                choices.push(record.clone());
            }
            for opportunity in &m.open_opportunities {
                choices.push(DraftRecord {
                    id: opportunity.id.clone(),
                    object: "Opportunity".into(),
                    label: opportunity.name.clone(),
                });
            }
            for case in &m.open_cases {
                let label = match (&case.number, &case.subject) {
                    (Some(n), Some(s)) => format!("{n} {s}"),
                    (Some(n), None) => n.clone(),
                    (None, Some(s)) => s.clone(),
                    (None, None) => case.id.clone(),
                };
                choices.push(DraftRecord {
                    id: case.id.clone(),
                    object: "Case".into(),
                    label,
                });
            }
            DraftCandidate {
                record,
                what_choices: choices,
            }
        })
        .collect()
}

/// The forms waiting for the agent, with the idle rule. Keyed by call id; one form per call.
#[derive(Debug, Default)]
pub struct DraftBook {
    policy: AutoLogPolicy,
    open: BTreeMap<String, OpenDraft>,
}

#[derive(Debug, Clone)]
struct OpenDraft {
    draft: CallDraft,
    last_touched_ms: i64,
}

impl DraftBook {
    pub fn new(policy: AutoLogPolicy) -> Self {
        DraftBook {
            policy,
            open: BTreeMap::new(),
        }
    }

    /// Follows a changed `[logging] auto_log_after_secs`: each open form's time is counted
    /// from its last touch under the new policy (a form now past it is due at once).
    pub fn set_policy(&mut self, policy: AutoLogPolicy) {
        self.policy = policy;
    }

    /// Opens a form (or replaces the one of the same call, keeping what the agent typed).
    pub fn open(&mut self, mut draft: CallDraft, now_ms: i64) -> CallDraft {
        if let Some(earlier) = self.open.get(&draft.call_id) {
            let typed = &earlier.draft.fields;
            draft.fields.subject.clone_from(&typed.subject);
            draft.fields.notes.clone_from(&typed.notes);
            draft.pressed.clone_from(&earlier.draft.pressed);
        }
        self.open.insert(
            draft.call_id.clone(),
            OpenDraft {
                draft: draft.clone(),
                last_touched_ms: now_ms,
            },
        );
        draft
    }

    /// Records the agent's current inputs; the idle time starts again. `false` when no form
    /// of that call is open (already logged).
    pub fn touch(&mut self, call_id: &str, fields: DraftFields, now_ms: i64) -> bool {
        match self.open.get_mut(call_id) {
            Some(open) => {
                open.draft.fields = fields;
                open.last_touched_ms = now_ms;
                true
            }
            None => false,
        }
    }

    /// Puts back a form saved before a restart, with the auto-log time it had (a time
    /// already past makes it due at once: the app was down when it should have been logged).
    pub fn restore(&mut self, draft: CallDraft, auto_log_at_ms: Option<i64>, now_ms: i64) {
        let last_touched_ms = match auto_log_at_ms {
            Some(at) => at.saturating_sub(self.policy.after.as_millis() as i64),
            None => now_ms,
        };
        self.open.insert(
            draft.call_id.clone(),
            OpenDraft {
                draft,
                last_touched_ms,
            },
        );
    }

    /// Records a pressed intent (replacing an earlier press of the same intent); the idle
    /// time starts again. `false` when no form of that call is open.
    pub fn press(&mut self, call_id: &str, intent: CallIntent, now_ms: i64) -> bool {
        let Some(open) = self.open.get_mut(call_id) else {
            return false;
        };
        open.draft.pressed.retain(|p| p.name != intent.name);
        open.draft.pressed.push(intent);
        open.last_touched_ms = now_ms;
        true
    }

    /// Takes a pressed intent back. `false` when no form of that call is open.
    pub fn release(&mut self, call_id: &str, name: &str, now_ms: i64) -> bool {
        let Some(open) = self.open.get_mut(call_id) else {
            return false;
        };
        open.draft.pressed.retain(|p| p.name != name);
        open.last_touched_ms = now_ms;
        true
    }

    /// The agent picked which matched record the call was with (see
    /// [`CallDraft::choose_candidate`]). `false` when no such form or record.
    pub fn choose(&mut self, call_id: &str, record_id: &str, now_ms: i64) -> bool {
        let Some(open) = self.open.get_mut(call_id) else {
            return false;
        };
        let chosen = open.draft.choose_candidate(record_id);
        if chosen {
            open.last_touched_ms = now_ms;
        }
        chosen
    }

    pub fn get(&self, call_id: &str) -> Option<&CallDraft> {
        self.open.get(call_id).map(|o| &o.draft)
    }

    /// Every open form, oldest call first.
    pub fn all(&self) -> Vec<CallDraft> {
        let mut drafts: Vec<_> = self.open.values().map(|o| o.draft.clone()).collect();
        drafts.sort_by_key(|d| d.started_at_ms);
        drafts
    }

    /// When the agent last changed any open form (epoch ms); `None` when none is open.
    pub fn last_touched_ms(&self) -> Option<i64> {
        self.open.values().map(|o| o.last_touched_ms).max()
    }

    /// When the form will be logged by itself (epoch ms); `None` for a manual form.
    pub fn auto_log_at(&self, call_id: &str) -> Option<i64> {
        let open = self.open.get(call_id)?;
        (!open.draft.manual).then(|| open.last_touched_ms + self.policy.after.as_millis() as i64)
    }

    /// Closes the form (it was logged).
    pub fn close(&mut self, call_id: &str) -> Option<CallDraft> {
        self.open.remove(call_id).map(|o| o.draft)
    }

    /// The forms idle for the policy's time at `now_ms` (manual ones never are): log them.
    /// They stay open until [`DraftBook::close`], so a failed enqueue is tried again.
    pub fn due(&self, now_ms: i64) -> Vec<CallDraft> {
        self.open
            .keys()
            .filter(|id| self.auto_log_at(id).is_some_and(|at| at <= now_ms))
            .filter_map(|id| self.get(id).cloned())
            .collect()
    }

    /// The earliest auto-log time of any open form.
    pub fn next_due(&self) -> Option<i64> {
        self.open.keys().filter_map(|id| self.auto_log_at(id)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{CallEventKind, EventSource};
    use crate::lookup::{CallerMatch, LookupResult, MatchSource, OpenCase, OpenOpportunity};

    fn end(duration: Option<u64>, disposition: Option<&str>) -> CallEvent {
        CallEvent {
            event: CallEventKind::End,
            call_id: "c-1".into(),
            from: CallerId::Number("+14155550123".into()),
            to: Some(CallerId::Number("+14155550100".into())),
            direction: events::Direction::Inbound,
            duration_secs: duration,
            disposition: disposition.map(str::to_owned),
            source: EventSource::Api,
        }
    }

    fn jane_pop() -> Pop {
        Pop::Searched {
            result: LookupResult {
                query: "+14155550123".into(),
                normalized: "+14155550123".into(),
                kind: crate::lookup::QueryKind::Phone,
                matches: vec![CallerMatch {
                    object: CallerObject::Contact,
                    id: "003000000000001AAA".into(),
                    name: "Jane Caller".into(),
                    company: None,
                    title: None,
                    phone: None,
                    email: None,
                    matched_field: "Phone".into(),
                    owner: None,
                    last_modified: None,
                    open_opportunities: vec![OpenOpportunity {
                        id: "006000000000001AAA".into(),
                        name: "Headsets".into(),
                        stage: None,
                        amount: None,
                        close_date: None,
                    }],
                    open_cases: vec![OpenCase {
                        id: "500000000000001AAA".into(),
                        number: Some("00001026".into()),
                        subject: Some("Headset drops calls".into()),
                        status: None,
                    }],
                    related_loaded: true,
                    source: MatchSource::Search,
                }],
                api_calls: 1,
                left_out: Vec::new(),
                cached: false,
                cached_while_paused: false,
                elapsed_ms: 3,
            },
        }
    }

    #[test]
    fn an_answered_call_is_prefilled_from_its_events_and_pop() {
        let times = CallTimes {
            rang_at_ms: Some(1_000),
            answered_at_ms: Some(3_000),
        };
        let draft = CallDraft::after_call(&end(Some(42), None), times, Some(&jane_pop()), 50_000);
        assert!(!draft.missed, "42 s of talk time is an answered call");
        assert_eq!(draft.started_at_ms, 3_000, "the call started when answered");
        assert_eq!(draft.fields.duration_seconds, 42);
        assert_eq!(draft.fields.from, "+14155550123");
        assert_eq!(draft.fields.to, "+14155550100");
        assert_eq!(
            draft.fields.who_id.as_deref(),
            Some("003000000000001AAA"),
            "the matched Contact is the WhoId"
        );
        let ids: Vec<_> = draft.what_choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["006000000000001AAA", "500000000000001AAA"],
            "her open Opportunity and Case are the WhatId choices"
        );
        assert_eq!(draft.what_choices[1].label, "00001026 Headset drops calls");
        let log = draft
            .to_call_log(&draft.fields)
            .expect("a prefilled form is loggable as it stands");
        assert_eq!(log.who_id.as_deref(), Some("003000000000001AAA"));
        assert_eq!(log.subject, None, "an empty subject is left to the default");
    }

    #[test]
    fn the_form_keeps_the_calls_dial_answer_and_end_times_for_the_log() {
        let times = CallTimes {
            rang_at_ms: Some(1_000),
            answered_at_ms: Some(3_000),
        };
        // No duration from the softphone: the talk time comes from answer to end.
        let draft = CallDraft::after_call(&end(None, None), times, None, 45_400);
        assert_eq!(
            draft.timing,
            CallTiming {
                dialed_at_ms: Some(1_000),
                answered_at_ms: Some(3_000),
                ended_at_ms: Some(45_400),
            }
        );
        assert_eq!(draft.fields.duration_seconds, 42, "answer to end");
        assert!(!draft.missed);
        let log = draft.to_call_log(&draft.fields).expect("loggable");
        assert_eq!(log.timing, draft.timing, "the log carries them");
        assert_eq!(log.timing.ring_seconds(), Some(2));

        // A pickup the softphone then calls rejected is missed: no answer time is kept.
        let rejected = CallDraft::after_call(&end(Some(0), Some("rejected")), times, None, 9_000);
        assert!(rejected.missed);
        assert_eq!(rejected.timing.answered_at_ms, None);
        rejected
            .to_call_log(&rejected.fields)
            .expect("a missed call with its ring time is loggable");

        // A form saved before the times were kept reads back without them.
        let mut stored = serde_json::to_value(&draft).unwrap();
        stored.as_object_mut().unwrap().remove("timing");
        let old: CallDraft = serde_json::from_value(stored).expect("an old draft reads");
        assert!(old.timing.is_empty());
        assert!(
            CallDraft::manual(0).timing.is_empty(),
            "a hand-made log has none"
        );
    }

    #[test]
    fn the_form_sends_the_summary_key_topics_and_recording_link_and_refuses_a_non_web_link() {
        let draft = CallDraft::after_call(&end(Some(42), None), CallTimes::default(), None, 50_000);
        let mut fields = draft.fields.clone();
        fields.summary = "Wants a quote.\nCall back Friday.".into();
        fields.key_topics = vec![" Pricing ".into(), String::new(), "Renewal".into()];
        fields.recording_url = "https://recordings.example/c-1.wav".into();
        let log = draft.to_call_log(&fields).expect("loggable");
        assert_eq!(
            log.summary.as_deref(),
            Some("Wants a quote.\nCall back Friday.")
        );
        assert_eq!(
            log.key_topics,
            ["Pricing", "Renewal"],
            "trimmed, empty ones dropped"
        );
        assert_eq!(
            log.recording_url.as_deref(),
            Some("https://recordings.example/c-1.wav")
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://x.example/a",
        ] {
            fields.recording_url = bad.into();
            assert!(
                matches!(
                    draft.to_call_log(&fields),
                    Err(CallLogError::RecordingUrl(_))
                ),
                "{bad} is refused"
            );
        }
        fields.recording_url = String::new();
        fields.key_topics = vec!["two\nlines".into()];
        assert!(matches!(
            draft.to_call_log(&fields),
            Err(CallLogError::ControlCharacter {
                what: "key topic",
                ..
            })
        ));
        // A form saved before these fields existed reads back with them empty.
        let mut stored = serde_json::to_value(&draft.fields).unwrap();
        for key in ["summary", "key_topics", "recording_url"] {
            stored.as_object_mut().unwrap().remove(key);
        }
        let old: DraftFields = serde_json::from_value(stored).expect("an old form reads");
        assert!(
            old.summary.is_empty() && old.key_topics.is_empty() && old.recording_url.is_empty()
        );
    }

    #[test]
    fn a_call_nobody_answered_is_logged_as_missed() {
        let draft = CallDraft::after_call(&end(Some(0), None), CallTimes::default(), None, 9_000);
        assert!(draft.missed, "no talk time and no answer: missed");
        assert_eq!(draft.fields.disposition, "Missed");
        assert_eq!(
            draft.started_at_ms, 9_000,
            "with no ring seen it started at its end"
        );
        let said =
            CallDraft::after_call(&end(None, Some("no-answer")), CallTimes::default(), None, 0);
        assert!(
            said.missed,
            "the softphone's own 'no-answer' disposition counts"
        );
        let log = said
            .to_call_log(&said.fields)
            .expect("a missed call is loggable");
        assert!(log.missed);
        assert_eq!(log.effective_subject(), "Missed call from +14155550123");
    }

    #[test]
    fn notes_over_the_salesforce_limit_are_refused_with_the_count_never_cut() {
        let draft = CallDraft::after_call(&end(Some(5), None), CallTimes::default(), None, 0);
        let mut fields = draft.fields.clone();
        fields.notes = "日本語のメモ".repeat(40_000 / 6 + 1);
        assert!(notes_room(&fields.notes) < 0);
        let err = draft
            .to_call_log(&fields)
            .expect_err("40,000 characters exceed Task.Description");
        assert!(
            err.to_string().contains("32000") && err.to_string().contains("40002"),
            "the agent is told the count and the limit: {err}"
        );
        fields.notes = "مرحبا ".repeat(5_000);
        let log = draft
            .to_call_log(&fields)
            .expect("30,000 Arabic characters (60,000 bytes) fit: the limit counts characters");
        assert_eq!(
            log.notes.as_deref(),
            Some(fields.notes.as_str()),
            "kept whole"
        );
    }

    #[test]
    fn a_log_form_duration_over_24_hours_is_refused_with_the_limit() {
        let draft = CallDraft::after_call(&end(Some(5), None), CallTimes::default(), None, 0);
        let mut fields = draft.fields.clone();
        // The agent types a duration `CallDurationInSeconds` (32-bit) cannot hold.
        fields.duration_seconds = 4_000_000_000;
        let err = draft
            .to_call_log(&fields)
            .expect_err("a duration Salesforce cannot store is refused on the form");
        assert!(
            err.to_string().contains("86400") && err.to_string().contains("24 hours"),
            "the agent is told the limit: {err}"
        );
        fields.duration_seconds = 86_400;
        draft.to_call_log(&fields).expect("24 hours is a call");
    }

    #[test]
    fn an_untouched_form_is_due_after_the_idle_time_and_each_edit_restarts_it() {
        let mut book = DraftBook::new(AutoLogPolicy {
            after: Duration::from_secs(10),
        });
        let draft = CallDraft::after_call(&end(Some(5), None), CallTimes::default(), None, 0);
        book.open(draft.clone(), 1_000);
        assert!(book.due(10_999).is_empty(), "not yet idle for 10 s");
        let mut fields = draft.fields.clone();
        fields.notes = "call back Tuesday".into();
        assert_eq!(
            book.last_touched_ms(),
            Some(1_000),
            "opening counts as a change"
        );
        assert!(book.touch("c-1", fields, 8_000));
        assert_eq!(
            book.last_touched_ms(),
            Some(8_000),
            "the updater's relaunch waits from the agent's last change"
        );
        assert!(
            book.due(17_999).is_empty(),
            "the edit at 8 s restarted the idle time"
        );
        let due = book.due(18_000);
        assert_eq!(due.len(), 1);
        assert_eq!(
            due[0].fields.notes, "call back Tuesday",
            "what the agent typed is what gets logged"
        );
        assert_eq!(book.next_due(), Some(18_000));
        book.close("c-1");
        assert_eq!(
            book.last_touched_ms(),
            None,
            "no open form, nothing being written"
        );
        assert!(
            book.due(i64::MAX).is_empty(),
            "a logged form is never logged twice"
        );
        assert!(!book.touch("c-1", DraftFields::default(), 0));

        let manual = CallDraft::manual(0);
        book.open(manual.clone(), 0);
        assert!(
            book.due(i64::MAX).is_empty(),
            "a hand-opened form is never logged by itself"
        );
    }

    #[test]
    fn with_several_matches_the_agent_picks_the_record_and_its_choices_follow() {
        let mut pop = jane_pop();
        let Pop::Searched { result } = &mut pop else {
            unreachable!("built as a search above")
        };
        let mut lead = result.matches[0].clone();
        lead.object = CallerObject::Lead;
        lead.id = "00Q000000000002AAA".into();
        lead.name = "Jane Caller (Lead)".into();
        lead.open_opportunities.clear();
        lead.open_cases.clear();
        result.matches.push(lead);
        let mut draft =
            CallDraft::after_call(&end(Some(9), None), CallTimes::default(), Some(&pop), 0);
        assert_eq!(draft.candidates.len(), 2, "both matches are offered");
        assert_eq!(
            draft.fields.who_id.as_deref(),
            Some("003000000000001AAA"),
            "the best match is the default"
        );
        assert!(draft.choose_candidate("00Q000000000002AAA"));
        assert_eq!(draft.fields.who_id.as_deref(), Some("00Q000000000002AAA"));
        assert!(
            draft.what_choices.is_empty(),
            "the Lead has no Opportunities or Cases, so the Contact's are no longer offered"
        );
        assert!(
            !draft.choose_candidate("003999999999999AAA"),
            "only a matched record"
        );
        let log = draft.to_call_log(&draft.fields).expect("loggable");
        assert_eq!(log.who_id.as_deref(), Some("00Q000000000002AAA"));
    }

    #[test]
    fn a_restored_form_keeps_its_deadline_and_is_due_if_it_passed() {
        let mut book = DraftBook::new(AutoLogPolicy {
            after: Duration::from_secs(10),
        });
        let draft = CallDraft::after_call(&end(Some(5), None), CallTimes::default(), None, 0);
        book.restore(draft.clone(), Some(50_000), 60_000);
        assert_eq!(
            book.auto_log_at("c-1"),
            Some(50_000),
            "the saved deadline stands"
        );
        assert_eq!(
            book.due(60_000).len(),
            1,
            "passed while the app was down: due at once"
        );
        let mut manual = CallDraft::manual(0);
        manual.call_id = "m-1".into();
        book.restore(manual, None, 60_000);
        assert_eq!(
            book.auto_log_at("m-1"),
            None,
            "a hand-opened form stays manual"
        );
    }
}
