//! An outcome's actions made concrete for one call, when it is logged: which record each
//! action writes and with what, so the queue sends exactly what was decided then (a config
//! changed later does not change a queued call's actions).
//!
//! - `lead` updates the call's Lead: the log's `WhoId` when it is a Lead (`00Q…`);
//! - `opportunity` updates the Opportunity the call was about: the log's `WhatId` when it is
//!   an Opportunity (`006…`);
//! - `follow_up` creates a Task due `in_days` after the call's date, or an Event starting
//!   `in_days` after it at `at` in the agent's time zone (or at `--follow-up-at`);
//! - `create_opportunity` creates an Opportunity on the Account of the call's record: the
//!   log's `WhatId` when it is an Account, else the Account of the log's Contact (`WhoId`),
//!   else the Account of the Opportunity the call was about. Which Account that is, and its
//!   name for `{account}`, are read in Salesforce when the action is sent, by `GET` rows in
//!   the actions' own graph ([`RowRead`]) that the create refers to (`@{ref.Field}`): the
//!   log carries no Account, and planning needs no network. The Opportunity is upserted by
//!   [`CreateOpportunity::CALL_ID_FIELD`] = the call id, so it exists once per call however
//!   often it is sent. The call log's `Opportunity__c` and the Task's `WhatId` are *not*
//!   pointed at it: the log's graph must never wait on the actions' graph (a refused action
//!   must not block the log), and an update of the log from the actions' graph would, by
//!   upsert, create a log whose own graph failed.
//!
//! - `chatter` posts a FeedItem (TextPost) in the feed of the Opportunity the call was about
//!   (the log's `WhatId` when it is an Opportunity), else of the call's Lead or Contact
//!   (`WhoId`). `{agent}` becomes `@{chatterAgent.Name}`, a reference to a `GET` of the
//!   signed-in user's row in the same graph (the user id comes from the sign-in, known
//!   offline). FeedItem has no External ID and its `Body` cannot be filtered, so the post
//!   ends with the call's tag ([`chatter_tag`]) and, after a send that may have landed, the
//!   queue reads the parent's posts since the call and looks for the tag
//!   (`delivery::find_chatter_post`) before posting again.
//!
//! An action with no record to write (no Lead on the call) is planned as skipped, with the
//! reason, never sent.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ActionName, Bant, CreateOpportunity, FollowUpKind, Outcome, Template};
use crate::call_log::CallLog;

/// Where one planned action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Waiting to be sent (with its log, or as its own queue item).
    Queued,
    /// Not sent: the agent skipped it, or the call has no record for it.
    Skipped,
    /// Salesforce took it.
    Applied,
    /// Refused beside a delivered log: moved to its own queue item (`<call id>#actions`).
    Moved,
}

impl ActionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Queued => "queued",
            ActionState::Skipped => "skipped",
            ActionState::Applied => "applied",
            ActionState::Moved => "moved",
        }
    }
}

/// One action of one call, ready to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PlannedAction {
    pub name: ActionName,
    pub state: ActionState,
    /// Why it was skipped, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<String>,
    /// The sObject written.
    pub object: String,
    /// The record updated; `None` for a create (the follow-up). A skipped `lead_notes`
    /// names the call's Lead when only the BANT notes were missing; a skipped `chatter`
    /// names the feed's record when only the signed-in user (for `{agent}`) was missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub record_id: Option<String>,
    /// The fields sent.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub body: Map<String, Value>,
    /// Set for a create keyed by an External ID: sent as an upsert on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub upsert: Option<UpsertKey>,
    /// Rows read in the same graph before the write, which its body and these reads refer
    /// to as `@{reference.Field}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<Vec<RowRead>>"))]
    pub reads: Vec<RowRead>,
    /// Look in the org before sending (`lead_notes` after its Lead's field was found
    /// empty): see [`lead_notes_alone`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<bool>"))]
    pub check_first: bool,
    /// Sent as the write's `If-Unmodified-Since` (an HTTP date): the write applies only
    /// if the record is unchanged since the look that planned it (`lead_notes` sent alone,
    /// see [`lead_notes_alone`]); Salesforce answers 412 otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub unmodified_since: Option<String>,
}

/// An External ID field and its value: the record an upsert creates or updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UpsertKey {
    pub field: String,
    pub value: String,
}

/// A `GET sobjects/{object}/{id}?fields=…` node of the actions' graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RowRead {
    /// Its `referenceId` (unique within the call's actions).
    pub reference: String,
    pub object: String,
    /// A record id, or a reference to an earlier read's field (`@{ref.AccountId}`).
    pub id: String,
    pub fields: Vec<String>,
}

impl PlannedAction {
    /// Whether this is a `chatter` post skipped only because no signed-in user is known for
    /// `{agent}` (its feed is known): planning again with the user's id would queue it.
    pub fn waits_for_signed_in_user(&self) -> bool {
        self.name == ActionName::Chatter
            && self.state == ActionState::Skipped
            && self.record_id.is_some()
    }

    fn skipped(name: ActionName, object: &str, note: String) -> PlannedAction {
        PlannedAction {
            name,
            state: ActionState::Skipped,
            note: Some(note),
            object: object.to_owned(),
            record_id: None,
            body: Map::new(),
            upsert: None,
            reads: Vec::new(),
            check_first: false,
            unmodified_since: None,
        }
    }
}

/// Reference ids of the rows `create_opportunity` reads.
const OPPORTUNITY_SOURCE_REF: &str = "newOpportunitySource";
const OPPORTUNITY_ACCOUNT_REF: &str = "newOpportunityAccount";

/// Reference id of the Lead row `lead_notes` reads.
pub const LEAD_NOTES_REF: &str = "leadNotesRead";

/// The first line of the BANT block a call appends: how the queue recognises, after a send
/// that may have landed, that this call's notes are already on the Lead.
pub fn lead_notes_tag(call_id: &str) -> String {
    format!("[Ringside call {call_id}]")
}

/// The BANT block a call appends: its tag, then each note the agent gave, labelled.
fn lead_notes_block(call_id: &str, bant: &Bant) -> String {
    let mut block = lead_notes_tag(call_id);
    for (label, text) in bant.parts() {
        if !text.trim().is_empty() {
            // The agent's words: an `@{` in them is text, not a reference.
            block.push_str(&format!(
                "\n{label}: {}",
                salesforce::composite::inert_text(text.trim())
            ));
        }
    }
    block
}

/// `lead_notes` for `log`: the Lead's field read in the actions' own graph and written
/// back as what it held, a blank line, then this call's BANT block. Appended, never
/// replaced, and the read and the write are in one all-or-nothing graph.
///
/// A field with no value is the case the docs leave open: what `@{leadNotesRead.Field}`
/// gives for a null field is not documented, so (as the demo org does) Ringside takes the
/// stricter reading that the graph is refused. The queue then looks at the Lead (one
/// counted `GET`, on that path only) and sends the block alone ([`lead_notes_alone`]).
fn plan_lead_notes(field: &str, log: &CallLog, bant: Option<&Bant>) -> PlannedAction {
    let Some(lead) = log.who_id.as_deref().filter(|id| id.starts_with("00Q")) else {
        return PlannedAction::skipped(
            ActionName::LeadNotes,
            "Lead",
            "the call is not with a Lead (no Lead id on the log)".into(),
        );
    };
    let Some(bant) = bant.filter(|b| !b.is_empty()) else {
        // The Lead is named although nothing is sent: the log form tells "write the notes
        // to add them" (this Lead) apart from "the call is not with a Lead" (no record).
        let mut waiting = PlannedAction::skipped(
            ActionName::LeadNotes,
            "Lead",
            "no BANT notes were given for this call".into(),
        );
        waiting.record_id = Some(lead.to_owned());
        return waiting;
    };
    let mut body = Map::new();
    body.insert(
        field.to_owned(),
        json!(format!(
            "@{{{LEAD_NOTES_REF}.{field}}}\n\n{}",
            lead_notes_block(&log.call_id, bant)
        )),
    );
    PlannedAction {
        name: ActionName::LeadNotes,
        state: ActionState::Queued,
        note: None,
        object: "Lead".into(),
        record_id: Some(lead.to_owned()),
        body,
        upsert: None,
        reads: vec![RowRead {
            reference: LEAD_NOTES_REF.into(),
            object: "Lead".into(),
            id: lead.to_owned(),
            fields: vec![field.to_owned()],
        }],
        check_first: false,
        unmodified_since: None,
    }
}

/// The field `lead_notes` writes, when `action` is one.
pub fn lead_notes_field(action: &PlannedAction) -> Option<&str> {
    (action.name == ActionName::LeadNotes)
        .then(|| action.body.keys().next().map(String::as_str))
        .flatten()
}

/// `lead_notes` for a Lead whose field was just seen empty: the block alone, no read, and
/// written only if the Lead is unchanged since that look (`seen_unmodified_since`, the
/// Lead's `LastModifiedDate` as an HTTP date): a note someone wrote in between is never
/// overwritten; Salesforce refuses the write (412) and the queue looks again.
pub fn lead_notes_alone(action: &mut PlannedAction, seen_unmodified_since: String) {
    let prefix_end = |text: &str| text.find("\n\n").map(|i| i + 2);
    if let Some(value) = action.body.values_mut().next()
        && let Some(text) = value.as_str()
        && text.starts_with(&format!("@{{{LEAD_NOTES_REF}."))
        && let Some(end) = prefix_end(text)
    {
        *value = json!(text[end..].to_owned());
    }
    action.reads.clear();
    action.unmodified_since = Some(seen_unmodified_since);
}

/// `lead_notes` back in its planned form (the Lead's field read in the graph, the block
/// appended after it), for a Lead that was seen empty and has text now.
pub fn lead_notes_appended(action: &mut PlannedAction) {
    action.unmodified_since = None;
    if !action.reads.is_empty() {
        return;
    }
    let Some(lead) = action.record_id.clone() else {
        return;
    };
    let Some((field, value)) = action.body.iter_mut().next() else {
        return;
    };
    if let Some(block) = value.as_str() {
        *value = json!(format!("@{{{LEAD_NOTES_REF}.{field}}}\n\n{block}"));
    }
    action.reads.push(RowRead {
        reference: LEAD_NOTES_REF.into(),
        object: "Lead".into(),
        id: lead,
        fields: vec![field.clone()],
    });
}

/// Reference id of the signed-in user's row `chatter` reads for `{agent}`.
pub const CHATTER_AGENT_REF: &str = "chatterAgent";

/// The last line of a call's Chatter post: how the queue recognises, after a send that may
/// have landed, that the post exists (FeedItem has no External ID, and `Body` cannot be in
/// a WHERE clause, so the queue reads the parent's recent posts and looks for this).
pub fn chatter_tag(call_id: &str) -> String {
    format!("[Ringside call {call_id}]")
}

/// `chatter` for `log` (see the module doc), or why it is skipped.
fn plan_chatter(
    text: &Template,
    log: &CallLog,
    agent_user_id: Option<&str>,
    value_of: &dyn Fn(&str) -> Option<String>,
) -> PlannedAction {
    let with_prefix = |id: &Option<String>, prefixes: &[&str]| {
        id.as_deref()
            .filter(|id| prefixes.iter().any(|p| id.starts_with(p)))
            .map(str::to_owned)
    };
    let Some(parent) =
        with_prefix(&log.what_id, &["006"]).or_else(|| with_prefix(&log.who_id, &["00Q", "003"]))
    else {
        return PlannedAction::skipped(
            ActionName::Chatter,
            "FeedItem",
            "the call has no Opportunity, Lead or Contact whose feed the post goes to".into(),
        );
    };
    let mut reads = Vec::new();
    if text.uses("agent") {
        let Some(user) = agent_user_id.filter(|id| id.starts_with("005")) else {
            // The feed is known: name it, so the form can say only the user is missing.
            return PlannedAction {
                record_id: Some(parent),
                ..PlannedAction::skipped(
                    ActionName::Chatter,
                    "FeedItem",
                    "the post names the agent ({agent}), but no signed-in user is known for this call; sign in to the org, then log again".into(),
                )
            };
        };
        reads.push(RowRead {
            reference: CHATTER_AGENT_REF.into(),
            object: "User".into(),
            id: user.to_owned(),
            fields: vec!["Name".into()],
        });
    }
    let filled = text.render(|name| match name {
        "agent" => Some(format!("@{{{CHATTER_AGENT_REF}.Name}}")),
        other => value_of(other),
    });
    let mut body = Map::new();
    body.insert("ParentId".into(), json!(parent));
    body.insert("Type".into(), json!("TextPost"));
    body.insert(
        "Body".into(),
        json!(format!("{filled}\n\n{}", chatter_tag(&log.call_id))),
    );
    PlannedAction {
        name: ActionName::Chatter,
        state: ActionState::Queued,
        note: None,
        object: "FeedItem".into(),
        record_id: None,
        body,
        upsert: None,
        reads,
        check_first: false,
        unmodified_since: None,
    }
}

/// The value a created follow-up Task carries in `CallObject`, so that after an ambiguous
/// failure the queue can find it instead of creating a second one. Distinct from the call
/// Task's own `CallObject` (the bare call id): `#` never occurs in a call id.
pub fn follow_up_marker(call_id: &str) -> String {
    format!("{call_id}#follow_up")
}

/// What planning needs besides the outcome and the log.
#[derive(Debug, Clone)]
pub struct PlanOptions<'a> {
    /// Actions the agent chose not to run for this call.
    pub skip: &'a [ActionName],
    /// The agent's time zone: the call's date and an Event's `at` are read in it.
    pub zone: &'a TimeZone,
    /// A follow-up start chosen for this call (epoch ms), instead of `in_days` + `at`.
    pub follow_up_at_ms: Option<i64>,
    /// The BANT notes the agent gave, for `lead_notes`.
    pub bant: Option<&'a Bant>,
    /// The signed-in user's id (`005…`), from the sign-in: `chatter` reads their name.
    pub agent_user_id: Option<&'a str>,
}

/// Why a call's actions cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "the call's start time cannot be placed in the agent's time zone; check the log's started time"
    )]
    BadCallTime,
    #[error(
        "the follow-up falls on a date that does not exist ({0}); choose another with --follow-up-at"
    )]
    BadFollowUpDate(String),
}

/// Plans `outcome`'s actions for `log`.
pub fn plan(
    outcome: &Outcome,
    log: &CallLog,
    options: &PlanOptions<'_>,
) -> Result<Vec<PlannedAction>, PlanError> {
    let call_day = Timestamp::from_millisecond(log.started_at_ms)
        .map_err(|_| PlanError::BadCallTime)?
        .to_zoned(options.zone.clone())
        .date();
    // The subject and disposition are what the agent wrote: an `@{` in them stays text in
    // the graph, never a reference (see `salesforce::composite::inert_text`).
    let inert = |text: &Option<String>| {
        text.as_deref()
            .map(|t| salesforce::composite::inert_text(t).into_owned())
    };
    let value_of = |name: &str| match name {
        "date" => Some(call_day.to_string()),
        "subject" => inert(&log.subject),
        "disposition" => inert(&log.disposition),
        _ => None,
    };
    let fill = |template: &Template| template.render(value_of);
    let body_of = |updates: &[super::FieldUpdate]| {
        updates
            .iter()
            .map(|u| (u.field.clone(), Value::String(fill(&u.value))))
            .collect::<Map<String, Value>>()
    };
    let mut out = Vec::new();
    for name in outcome.actions() {
        if options.skip.contains(&name) {
            let object = match name {
                ActionName::Lead | ActionName::LeadNotes => "Lead",
                ActionName::Chatter => "FeedItem",
                ActionName::Opportunity | ActionName::CreateOpportunity => "Opportunity",
                ActionName::FollowUp => outcome
                    .follow_up
                    .as_ref()
                    .map_or("Task", |f| f.kind.object()),
            };
            out.push(PlannedAction::skipped(
                name,
                object,
                "skipped by the agent".into(),
            ));
            continue;
        }
        match name {
            ActionName::Lead | ActionName::Opportunity => {
                let (object, prefix, target, updates) = if name == ActionName::Lead {
                    ("Lead", "00Q", log.who_id.as_deref(), &outcome.lead)
                } else {
                    (
                        "Opportunity",
                        "006",
                        log.what_id.as_deref(),
                        &outcome.opportunity,
                    )
                };
                match target.filter(|id| id.starts_with(prefix)) {
                    None => out.push(PlannedAction::skipped(
                        name,
                        object,
                        if name == ActionName::Lead {
                            "the call is not with a Lead (no Lead id on the log)".to_owned()
                        } else {
                            "the call is not about an Opportunity (no Opportunity id on the \
                             log: choose one under About, or give --about)"
                                .to_owned()
                        },
                    )),
                    Some(id) => out.push(PlannedAction {
                        name,
                        state: ActionState::Queued,
                        note: None,
                        object: object.to_owned(),
                        record_id: Some(id.to_owned()),
                        body: body_of(updates),
                        upsert: None,
                        reads: Vec::new(),
                        check_first: false,
                        unmodified_since: None,
                    }),
                }
            }
            ActionName::LeadNotes => {
                let Some(field) = &outcome.lead_notes else {
                    continue;
                };
                out.push(plan_lead_notes(field, log, options.bant));
            }
            ActionName::Chatter => {
                let Some(text) = &outcome.chatter else {
                    continue;
                };
                out.push(plan_chatter(text, log, options.agent_user_id, &value_of));
            }
            ActionName::CreateOpportunity => {
                let Some(c) = &outcome.create_opportunity else {
                    continue;
                };
                out.push(plan_create_opportunity(c, log, call_day, &value_of)?);
            }
            ActionName::FollowUp => {
                let Some(f) = &outcome.follow_up else {
                    continue;
                };
                let mut body = Map::new();
                body.insert("Subject".into(), json!(fill(&f.subject)));
                if let Some(who) = &log.who_id {
                    body.insert("WhoId".into(), json!(who));
                }
                if let Some(what) = &log.what_id {
                    body.insert("WhatId".into(), json!(what));
                }
                let day = call_day
                    .checked_add(jiff::Span::new().days(i64::from(f.in_days)))
                    .map_err(|e| PlanError::BadFollowUpDate(e.to_string()))?;
                match f.kind {
                    FollowUpKind::Task => {
                        let due = match options.follow_up_at_ms {
                            Some(at) => Timestamp::from_millisecond(at)
                                .map_err(|_| PlanError::BadFollowUpDate(at.to_string()))?
                                .to_zoned(options.zone.clone())
                                .date(),
                            None => day,
                        };
                        body.insert("ActivityDate".into(), json!(due.to_string()));
                        body.insert("CallObject".into(), json!(follow_up_marker(&log.call_id)));
                    }
                    FollowUpKind::Event => {
                        let start_ms = match options.follow_up_at_ms {
                            Some(at) => at,
                            None => {
                                let at = f.at.unwrap_or(super::TimeOfDay { hour: 9, minute: 0 });
                                day.at(at.hour as i8, at.minute as i8, 0, 0)
                                    .to_zoned(options.zone.clone())
                                    .map_err(|e| PlanError::BadFollowUpDate(e.to_string()))?
                                    .timestamp()
                                    .as_millisecond()
                            }
                        };
                        body.insert(
                            "StartDateTime".into(),
                            json!(crate::time::iso_datetime(start_ms)),
                        );
                        body.insert("DurationInMinutes".into(), json!(f.minutes.unwrap_or(30)));
                    }
                }
                out.push(PlannedAction {
                    name,
                    state: ActionState::Queued,
                    note: None,
                    object: f.kind.object().to_owned(),
                    record_id: None,
                    body,
                    upsert: None,
                    reads: Vec::new(),
                    check_first: false,
                    unmodified_since: None,
                });
            }
        }
    }
    Ok(out)
}

/// The Opportunity `c` creates for `log` (see the module doc), or why it cannot.
fn plan_create_opportunity(
    c: &CreateOpportunity,
    log: &CallLog,
    call_day: jiff::civil::Date,
    value_of: &dyn Fn(&str) -> Option<String>,
) -> Result<PlannedAction, PlanError> {
    let with_prefix = |id: &Option<String>, prefix: &str| {
        id.as_deref()
            .filter(|id| id.starts_with(prefix))
            .map(str::to_owned)
    };
    let mut reads = Vec::new();
    // The Account's id: given, or read from the record the call was with.
    let account_id = if let Some(account) = with_prefix(&log.what_id, "001") {
        account
    } else {
        let source = with_prefix(&log.who_id, "003")
            .map(|id| ("Contact", id))
            .or_else(|| with_prefix(&log.what_id, "006").map(|id| ("Opportunity", id)));
        let Some((object, id)) = source else {
            return Ok(PlannedAction::skipped(
                ActionName::CreateOpportunity,
                "Opportunity",
                "the call has no Account to create the Opportunity on (no Account, Contact or Opportunity on the log)".into(),
            ));
        };
        reads.push(RowRead {
            reference: OPPORTUNITY_SOURCE_REF.into(),
            object: object.into(),
            id,
            fields: vec!["AccountId".into()],
        });
        format!("@{{{OPPORTUNITY_SOURCE_REF}.AccountId}}")
    };
    let uses_account = c.name.uses("account") || c.fields.iter().any(|f| f.value.uses("account"));
    if uses_account {
        reads.push(RowRead {
            reference: OPPORTUNITY_ACCOUNT_REF.into(),
            object: "Account".into(),
            id: account_id.clone(),
            fields: vec!["Name".into()],
        });
    }
    // `{account}` becomes a reference to the Account's name, resolved in the same graph.
    let fill_all = |t: &Template| {
        t.render(|name| match name {
            "account" => Some(format!("@{{{OPPORTUNITY_ACCOUNT_REF}.Name}}")),
            other => value_of(other),
        })
    };
    let close = call_day
        .checked_add(jiff::Span::new().days(i64::from(c.close_in_days)))
        .map_err(|e| PlanError::BadFollowUpDate(e.to_string()))?;
    let mut body = Map::new();
    body.insert("Name".into(), json!(fill_all(&c.name)));
    for f in &c.fields {
        body.insert(f.field.clone(), json!(fill_all(&f.value)));
    }
    body.insert("CloseDate".into(), json!(close.to_string()));
    body.insert("AccountId".into(), json!(account_id));
    Ok(PlannedAction {
        name: ActionName::CreateOpportunity,
        state: ActionState::Queued,
        note: None,
        object: "Opportunity".into(),
        record_id: None,
        body,
        upsert: Some(UpsertKey {
            field: CreateOpportunity::CALL_ID_FIELD.into(),
            value: log.call_id.clone(),
        }),
        reads,
        check_first: false,
        unmodified_since: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcomes::OutcomeActions;

    fn outcome(toml_text: &str) -> Outcome {
        #[derive(serde::Deserialize)]
        struct Raw {
            outcomes: std::collections::BTreeMap<String, toml::Table>,
        }
        let raw: Raw = toml::from_str(toml_text).unwrap();
        OutcomeActions::from_tables(raw.outcomes)
            .unwrap()
            .get("X")
            .unwrap()
            .clone()
    }

    /// Planning options that name only the agent's zone: nothing skipped, no follow-up time,
    /// no BANT notes, no signed-in user. A test changes the one field it is about.
    fn options(zone: &TimeZone) -> PlanOptions<'_> {
        PlanOptions {
            skip: &[],
            zone,
            follow_up_at_ms: None,
            bant: None,
            agent_user_id: None,
        }
    }

    fn log(who: Option<&str>, what: Option<&str>) -> CallLog {
        CallLog {
            call_id: "plan-1".into(),
            started_at_ms: 1_765_000_000_000, // 2025-12-06T05:46:40Z
            duration_seconds: 60,
            disposition: Some("X".into()),
            subject: Some("Pricing".into()),
            notes: None,
            who_id: who.map(str::to_owned),
            what_id: what.map(str::to_owned),
            ..crate::call_log::tests::sample()
        }
    }

    #[test]
    fn actions_target_the_calls_lead_and_opportunity_and_fill_placeholders() {
        let o = outcome(
            "[outcomes.X]\nlead = { Status = \"Working - Contacted\", Description = \"Called on {date} about {subject}\" }\nopportunity = { StageName = \"Qualification\" }\n",
        );
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let options = options(&zone);
        let planned = plan(
            &o,
            &log(Some("00QDm0000000009MAA"), Some("006Dm0000000004IAA")),
            &options,
        )
        .unwrap();
        assert_eq!(planned[0].record_id.as_deref(), Some("00QDm0000000009MAA"));
        assert_eq!(
            planned[0].body["Description"],
            json!("Called on 2025-12-06 about Pricing"),
            "placeholders filled from the log, the date in the agent's zone"
        );
        assert_eq!(planned[1].record_id.as_deref(), Some("006Dm0000000004IAA"));
        let planned = plan(&o, &log(Some("003Dm0000000003IAA"), None), &options).unwrap();
        assert!(
            planned
                .iter()
                .all(|a| a.state == ActionState::Skipped && a.note.is_some()),
            "a Contact is no Lead and no Opportunity is named: nothing to write, said why: {planned:?}"
        );
    }

    #[test]
    fn lead_notes_sent_alone_are_conditional_and_go_back_to_appending_unchanged() {
        let bant = Bant {
            budget: "50k".into(),
            authority: String::new(),
            need: String::new(),
            timeline: String::new(),
        };
        let planned = plan_lead_notes(
            "Description",
            &log(Some("00QDm0000000009MAA"), None),
            Some(&bant),
        );
        let mut action = planned.clone();
        lead_notes_alone(&mut action, "Tue, 31 Mar 2026 14:30:00 GMT".into());
        assert!(action.reads.is_empty(), "alone: nothing read");
        assert!(
            !action.body["Description"]
                .as_str()
                .unwrap()
                .contains(LEAD_NOTES_REF),
            "alone: the block only"
        );
        assert_eq!(
            action.unmodified_since.as_deref(),
            Some("Tue, 31 Mar 2026 14:30:00 GMT"),
            "alone: written only if the Lead is unchanged since the look"
        );
        lead_notes_appended(&mut action);
        assert_eq!(
            action, planned,
            "appending again is exactly the planned action (read, reference, no condition)"
        );
        lead_notes_appended(&mut action);
        assert_eq!(action, planned, "and appending twice changes nothing");
    }

    #[test]
    fn lead_notes_without_notes_name_the_lead_and_without_a_lead_name_nothing() {
        let o = outcome("[outcomes.X]\nlead_notes = \"Description\"\n");
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let options = options(&zone);
        let waiting = plan(&o, &log(Some("00QDm0000000009MAA"), None), &options).unwrap();
        assert_eq!(
            waiting[0].state,
            ActionState::Skipped,
            "no notes: nothing to send"
        );
        assert_eq!(
            waiting[0].record_id.as_deref(),
            Some("00QDm0000000009MAA"),
            "the form can tell the agent to write notes for this Lead"
        );
        assert!(
            waiting[0].body.is_empty(),
            "a skipped action carries nothing to send"
        );
        let no_lead = plan(&o, &log(Some("003Dm0000000003IAA"), None), &options).unwrap();
        assert_eq!(
            no_lead[0].record_id, None,
            "a call with a Contact has no Lead to add notes to"
        );
    }

    #[test]
    fn a_follow_up_event_starts_at_its_local_time_and_a_skipped_one_is_not_sent() {
        let o = outcome(
            "[outcomes.X]\nfollow_up = { kind = \"Event\", subject = \"Demo\", in_days = 2, at = \"10:00\", minutes = 45 }\n",
        );
        let zone = TimeZone::get("America/New_York").unwrap();
        let mut options = options(&zone);
        // The call is at 00:46 in New York on 2025-12-06; two days on at 10:00 EST is 15:00Z.
        let planned = plan(&o, &log(None, None), &options).unwrap();
        assert_eq!(
            planned[0].body["StartDateTime"],
            json!("2025-12-08T15:00:00.000Z")
        );
        assert_eq!(planned[0].body["DurationInMinutes"], json!(45));
        options.follow_up_at_ms = crate::time::parse_datetime("2025-12-20T09:30:00Z");
        let planned = plan(&o, &log(None, None), &options).unwrap();
        assert_eq!(
            planned[0].body["StartDateTime"],
            json!("2025-12-20T09:30:00.000Z"),
            "--follow-up-at wins over in_days and at"
        );
        let skip = [ActionName::FollowUp];
        options.skip = &skip;
        let planned = plan(&o, &log(None, None), &options).unwrap();
        assert_eq!(planned[0].state, ActionState::Skipped);
        assert!(
            planned[0].body.is_empty(),
            "a skipped action carries nothing to send"
        );
    }

    #[test]
    fn chatter_posts_on_the_opportunity_else_the_person_with_the_agent_read_in_the_graph() {
        let o = outcome("[outcomes.X]\nchatter = \"Qualified on a call by {agent}: {subject}\"\n");
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let mut options = PlanOptions {
            agent_user_id: Some("005Dm0000000001IAA"),
            ..options(&zone)
        };
        let planned = plan(
            &o,
            &log(Some("00QDm0000000009MAA"), Some("006Dm0000000004IAA")),
            &options,
        )
        .unwrap();
        let post = &planned[0];
        assert_eq!(
            (post.name, post.state),
            (ActionName::Chatter, ActionState::Queued)
        );
        assert_eq!(
            post.body["ParentId"],
            json!("006Dm0000000004IAA"),
            "the Opportunity first"
        );
        assert_eq!(post.body["Type"], json!("TextPost"));
        assert_eq!(
            post.body["Body"],
            json!("Qualified on a call by @{chatterAgent.Name}: Pricing\n\n[Ringside call plan-1]"),
            "the agent's name by reference, the call's tag last"
        );
        assert_eq!(post.reads[0].object, "User");
        assert_eq!(post.reads[0].id, "005Dm0000000001IAA");
        let planned = plan(&o, &log(Some("003Dm0000000003IAA"), None), &options).unwrap();
        assert_eq!(
            planned[0].body["ParentId"],
            json!("003Dm0000000003IAA"),
            "else the Contact"
        );
        let planned = plan(&o, &log(None, Some("001Dm0000000002IAA")), &options).unwrap();
        assert_eq!(
            planned[0].state,
            ActionState::Skipped,
            "an Account alone is not the call's person or deal"
        );
        options.agent_user_id = None;
        let planned = plan(&o, &log(Some("003Dm0000000003IAA"), None), &options).unwrap();
        assert_eq!(planned[0].state, ActionState::Skipped);
        assert!(
            planned[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("{agent}")),
            "says why: {:?}",
            planned[0].note
        );
        assert_eq!(
            planned[0].record_id.as_deref(),
            Some("003Dm0000000003IAA"),
            "names the feed, so the form can say only the signed-in user is missing"
        );
        let unlinked = plan(&o, &log(None, None), &options).unwrap();
        assert_eq!(
            unlinked[0].record_id, None,
            "no feed: the form says the call has none"
        );
        let plain = outcome("[outcomes.X]\nchatter = \"Qualified: {subject}\"\n");
        let planned = plan(&plain, &log(Some("003Dm0000000003IAA"), None), &options).unwrap();
        assert_eq!(
            planned[0].state,
            ActionState::Queued,
            "no {{agent}}: no user needed"
        );
        assert!(planned[0].reads.is_empty(), "and no read");
    }
}
