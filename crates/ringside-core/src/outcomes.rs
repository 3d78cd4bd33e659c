//! Outcome actions (`[outcomes."<disposition>"]` in `ringside.toml`): what logging a call
//! with a given disposition also does in Salesforce. Parsed once into typed actions here;
//! checked against the org's describes in [`crate::config_check`].
//!
//! Supported actions:
//! - `lead = { Field = "value", … }`: updates of the call's Lead (the log's `WhoId` when it
//!   is a Lead);
//! - `opportunity = { Field = "value", … }`: updates of the Opportunity the call was about
//!   (the log's `WhatId` when it is an Opportunity);
//! - `follow_up = { kind = "Task"|"Event", subject = "…", in_days = N, at = "HH:MM",
//!   minutes = M }`: a follow-up Task (due `in_days` after the call) or Event (starting
//!   `in_days` after the call at `at` in the agent's time zone, lasting `minutes`);
//! - `create_opportunity = { name = "{account} – {date}", close_in_days = N, StageName =
//!   "…", Field = "value", … }`: a new Opportunity on the Account of the call's record,
//!   closing `close_in_days` after the call, upserted by the call id (see [`plan`]).
//!
//! - `lead_notes = "Field"`: the BANT notes the agent gives on the call (budget,
//!   authority, need, timeline) appended to that text field of the call's Lead, after what
//!   it already holds, once per call (see [`plan`]).
//!
//! - `chatter = "Qualified on a call by {agent}: {subject}"`: a post (a FeedItem, TextPost)
//!   in the Chatter feed of the Opportunity the call was about, else of the call's Lead or
//!   Contact, once per call (see [`plan`]). `{agent}` ([`AGENT_PLACEHOLDER`]) is the
//!   signed-in user's name, read in Salesforce when the post is sent. Only with the
//!   privileged scope profile (checked in [`crate::config_check`]).
//!
//! Values and subjects may hold the placeholders in [`PLACEHOLDERS`]; an Opportunity's
//! name may also hold [`ACCOUNT_PLACEHOLDER`]. Any other `{name}` is refused at config
//! time, so a typo never reaches a record.

pub mod plan;

pub use crate::outcome_choices::{ActionChoices, ActionName, Bant, ChoiceError};

use std::collections::BTreeMap;

/// The placeholders a value or subject may hold, and what each is filled with: only what
/// the queued log itself knows, so a placeholder is never sent empty for want of a lookup
/// (names such as `{account}` or `{agent}` come when the log carries them).
pub const PLACEHOLDERS: [(&str, &str); 3] = [
    (
        "date",
        "the call's date, YYYY-MM-DD, in the agent's time zone",
    ),
    ("subject", "the call log's subject"),
    ("disposition", "the call's disposition"),
];

/// `{account}`: the name of the Account the new Opportunity is created on. Only
/// `create_opportunity`'s fields may use it: that action reads the Account in Salesforce
/// when it is sent (the log itself carries no Account name), so no other action has it.
pub const ACCOUNT_PLACEHOLDER: (&str, &str) = (
    "account",
    "the name of the Account the Opportunity is created on (read in Salesforce when the action is sent)",
);

/// `{agent}`: the signed-in user's name. Only `chatter` may use it: the post reads the
/// user's `Name` in Salesforce when it is sent (a `GET` row in the actions' graph, by the
/// user id the sign-in gave), so planning needs no network and the name is the one the org
/// shows, not a local guess.
pub const AGENT_PLACEHOLDER: (&str, &str) = (
    "agent",
    "the signed-in user's name (read in Salesforce when the post is sent)",
);

/// The longest Chatter post Salesforce takes: FeedItem `Body` is a 10,000-character text area
/// (<https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_feeditem.htm>).
pub const MAX_CHATTER_CHARS: usize = 10_000;

/// The actions an outcome may name (the keys of an `[outcomes."…"]` table).
pub const ACTION_KEYS: [&str; 6] = [
    "lead",
    "opportunity",
    "follow_up",
    "create_opportunity",
    "lead_notes",
    "chatter",
];

/// The keys of a `create_opportunity` table besides the fields it sets.
const CREATE_OPPORTUNITY_KEYS: [&str; 2] = ["name", "close_in_days"];

/// The furthest ahead a created Opportunity may close: ten years.
pub const MAX_CLOSE_IN_DAYS: u32 = 3650;

/// The keys of a `follow_up` table.
const FOLLOW_UP_KEYS: [&str; 5] = ["kind", "subject", "in_days", "at", "minutes"];

/// The furthest ahead a follow-up may be planned: a year.
pub const MAX_IN_DAYS: u32 = 365;

/// The longest follow-up Event: a day (Salesforce allows up to 14 days, but a call's
/// follow-up meeting longer than a day is a typo).
pub const MAX_EVENT_MINUTES: u32 = 1440;

/// Text with `{placeholder}`s, each one of [`PLACEHOLDERS`] (checked when parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(String);

impl Template {
    /// Checks every `{name}` in `text`; the error says which one is wrong and lists the
    /// known ones. A `{` without its `}` is refused too (it would be written literally).
    pub fn parse(text: &str) -> Result<Template, String> {
        Template::parse_with(text, &[])
    }

    /// [`Template::parse`] that also takes the action-specific placeholders in `extra`.
    pub fn parse_with(text: &str, extra: &[(&str, &str)]) -> Result<Template, String> {
        let known_placeholders = || {
            PLACEHOLDERS
                .iter()
                .chain(extra)
                .map(|(name, _)| format!("{{{name}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(format!(
                    "has a {{ without its }}; placeholders are written {{name}}: {}",
                    known_placeholders()
                ));
            };
            let name = &after[..close];
            if !PLACEHOLDERS
                .iter()
                .chain(extra)
                .any(|(known, _)| *known == name)
            {
                return Err(format!(
                    "uses {{{name}}}, which is not a placeholder Ringside fills; the placeholders are {}",
                    known_placeholders()
                ));
            }
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(format!(
                "has a }} without its {{; placeholders are written {{name}}: {}",
                known_placeholders()
            ));
        }
        Ok(Template(text.to_owned()))
    }

    /// The text as the admin wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether any placeholder is used (a value with one is only known at send time).
    pub fn has_placeholders(&self) -> bool {
        self.0.contains('{')
    }

    /// Whether `{name}` occurs.
    pub fn uses(&self, name: &str) -> bool {
        self.0.contains(&format!("{{{name}}}"))
    }

    /// The text with each placeholder replaced by `value(name)` (empty when unknown).
    pub fn render(&self, value: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            // Parsing checked every brace pair.
            let close = after.find('}').unwrap_or(after.len());
            out.push_str(&value(&after[..close]).unwrap_or_default());
            rest = after.get(close + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    }
}

/// One field an action writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUpdate {
    /// The field's API name.
    pub field: String,
    pub value: Template,
}

/// Whether a follow-up is a Task (a to-do with a due date) or an Event (a meeting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpKind {
    Task,
    Event,
}

impl FollowUpKind {
    /// The sObject created.
    pub fn object(self) -> &'static str {
        match self {
            FollowUpKind::Task => "Task",
            FollowUpKind::Event => "Event",
        }
    }

    /// The fields a follow-up of this kind writes on create (checked against the describe).
    pub fn created_fields(self) -> &'static [&'static str] {
        match self {
            // CallObject carries the follow-up's marker (see `plan::follow_up_marker`).
            FollowUpKind::Task => &["Subject", "ActivityDate", "WhoId", "WhatId", "CallObject"],
            FollowUpKind::Event => &[
                "Subject",
                "StartDateTime",
                "DurationInMinutes",
                "WhoId",
                "WhatId",
            ],
        }
    }
}

/// A local time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let hour: u8 = h.parse().ok()?;
        let minute: u8 = m.parse().ok()?;
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }
}

/// The follow-up a call plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub kind: FollowUpKind,
    pub subject: Template,
    /// Days after the call's date (0: the same day).
    pub in_days: u32,
    /// An Event's start, in the agent's time zone (always set for an Event).
    pub at: Option<TimeOfDay>,
    /// An Event's length (always set for an Event).
    pub minutes: Option<u32>,
}

/// A new Opportunity a call creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOpportunity {
    /// The Opportunity's `Name`; may use [`ACCOUNT_PLACEHOLDER`].
    pub name: Template,
    /// `CloseDate`: this many days after the call's date.
    pub close_in_days: u32,
    /// Every other field set on create (`StageName` always among them).
    pub fields: Vec<FieldUpdate>,
}

impl CreateOpportunity {
    /// The field that keys the created Opportunity to its call: an External ID (unique)
    /// from the setup kit. The Opportunity is upserted by it, so sending it again (a retry
    /// after a lost answer, a replay) updates the same Opportunity instead of adding one.
    pub const CALL_ID_FIELD: &'static str = "Ringside_Call_Id__c";

    /// The fields every created Opportunity sets besides the configured ones.
    pub const FIXED_FIELDS: [&'static str; 4] = [
        "Name",
        "CloseDate",
        "AccountId",
        CreateOpportunity::CALL_ID_FIELD,
    ];
}

/// What one disposition does besides logging the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Updates of the call's Lead; empty: none.
    pub lead: Vec<FieldUpdate>,
    /// Updates of the call's Opportunity; empty: none.
    pub opportunity: Vec<FieldUpdate>,
    pub create_opportunity: Option<CreateOpportunity>,
    pub follow_up: Option<FollowUp>,
    /// The Lead's text field the BANT notes are appended to.
    pub lead_notes: Option<String>,
    /// The Chatter post's text; may use [`AGENT_PLACEHOLDER`].
    pub chatter: Option<Template>,
}

impl Outcome {
    /// The actions this outcome names, in the order they are applied.
    pub fn actions(&self) -> Vec<ActionName> {
        let mut out = Vec::new();
        if !self.lead.is_empty() {
            out.push(ActionName::Lead);
        }
        if !self.opportunity.is_empty() {
            out.push(ActionName::Opportunity);
        }
        if self.create_opportunity.is_some() {
            out.push(ActionName::CreateOpportunity);
        }
        if self.follow_up.is_some() {
            out.push(ActionName::FollowUp);
        }
        if self.lead_notes.is_some() {
            out.push(ActionName::LeadNotes);
        }
        if self.chatter.is_some() {
            out.push(ActionName::Chatter);
        }
        out
    }
}

/// Every configured outcome, by disposition (matched exactly, as the agent picks it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeActions {
    by_disposition: BTreeMap<String, Outcome>,
}

/// A wrong `[outcomes]` entry: which outcome, which key, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeError {
    pub outcome: String,
    /// The action key (`lead`, `follow_up.at`, …); empty for the outcome itself.
    pub key: String,
    /// The field of a `lead` or `opportunity` table the problem is in (the reason names it
    /// too), so the Admin tab's form can show it next to that field's row.
    pub field: Option<String>,
    pub reason: String,
}

impl OutcomeActions {
    /// Parses the `[outcomes]` table: disposition → its table of actions.
    pub fn from_tables(tables: BTreeMap<String, toml::Table>) -> Result<Self, OutcomeError> {
        let mut by_disposition = BTreeMap::new();
        for (name, table) in tables {
            let outcome = parse_outcome(&name, table)?;
            by_disposition.insert(name, outcome);
        }
        Ok(OutcomeActions { by_disposition })
    }

    /// The outcome of a disposition, if it has actions.
    pub fn get(&self, disposition: &str) -> Option<&Outcome> {
        self.by_disposition.get(disposition)
    }

    /// Every outcome, by disposition.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Outcome)> {
        self.by_disposition.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.by_disposition.is_empty()
    }
}

fn parse_outcome(name: &str, table: toml::Table) -> Result<Outcome, OutcomeError> {
    let error = |key: &str, reason: String| OutcomeError {
        outcome: name.to_owned(),
        key: key.to_owned(),
        field: None,
        reason,
    };
    if name.trim().is_empty() || name.trim() != name {
        return Err(error(
            "",
            "must be the disposition exactly as agents pick it, without leading or trailing spaces"
                .into(),
        ));
    }
    // A field's problem names the field first, as the config file's reader expects.
    let field_error = |key: &str, (field, reason): (Option<String>, String)| OutcomeError {
        outcome: name.to_owned(),
        key: key.to_owned(),
        reason: match &field {
            Some(field) => format!("{field}: {reason}"),
            None => reason,
        },
        field,
    };
    let mut outcome = Outcome::default();
    for (key, value) in table {
        match key.as_str() {
            "lead" => outcome.lead = field_updates(&value).map_err(|e| field_error("lead", e))?,
            "opportunity" => {
                outcome.opportunity =
                    field_updates(&value).map_err(|e| field_error("opportunity", e))?;
            }
            "follow_up" => outcome.follow_up = Some(follow_up(name, &value)?),
            "create_opportunity" => {
                outcome.create_opportunity = Some(create_opportunity(name, &value)?);
            }
            "lead_notes" => {
                let field = value.as_str().unwrap_or_default();
                salesforce::validate_api_name("field", field).map_err(|e| {
                    error(
                        "lead_notes",
                        format!(
                            "must be the API name of the Lead's text field the BANT notes are appended to, e.g. lead_notes = \"Description\" ({e})"
                        ),
                    )
                })?;
                outcome.lead_notes = Some(field.to_owned());
            }
            "chatter" => {
                let text = value.as_str().unwrap_or_default();
                if text.trim().is_empty() {
                    return Err(error(
                        "chatter",
                        "must be the text of the Chatter post, e.g. chatter = \"Qualified on a call by {agent}: {subject}\"".into(),
                    ));
                }
                if text.chars().count() > MAX_CHATTER_CHARS {
                    return Err(error(
                        "chatter",
                        format!(
                            "is longer than a Chatter post may be ({MAX_CHATTER_CHARS} characters); shorten it"
                        ),
                    ));
                }
                outcome.chatter = Some(
                    Template::parse_with(text, &[AGENT_PLACEHOLDER])
                        .map_err(|r| error("chatter", r))?,
                );
            }
            other => {
                return Err(error(
                    other,
                    format!(
                        "is not an outcome action; the actions are {}",
                        ActionName::ALL.map(ActionName::as_str).join(", ")
                    ),
                ));
            }
        }
    }
    if outcome.actions().is_empty() {
        return Err(error(
            "",
            "names no action: give lead, opportunity, create_opportunity, follow_up, lead_notes or chatter, or remove the outcome".into(),
        ));
    }
    Ok(outcome)
}

/// The updates of a `lead` or `opportunity` table; an error names the field it is in, if any.
fn field_updates(value: &toml::Value) -> Result<Vec<FieldUpdate>, (Option<String>, String)> {
    let Some(table) = value.as_table() else {
        return Err((
            None,
            "must be a table of field API names and values, e.g. { Status = \"Working - Contacted\" }"
                .into(),
        ));
    };
    if table.is_empty() {
        return Err((
            None,
            "names no field: give at least one field and its value".into(),
        ));
    }
    table
        .iter()
        .map(|(field, value)| {
            let in_field = |reason: String| (Some(field.clone()), reason);
            salesforce::validate_api_name("field", field)
                .map_err(|e| in_field(format!("is not a field API name: {e}")))?;
            let text = value.as_str().ok_or_else(|| {
                in_field(format!(
                    "give the value as text in quotes, e.g. {field} = \"…\""
                ))
            })?;
            let value = Template::parse(text).map_err(|r| in_field(format!("the value {r}")))?;
            Ok(FieldUpdate {
                field: field.clone(),
                value,
            })
        })
        .collect()
}

fn create_opportunity(
    outcome: &str,
    value: &toml::Value,
) -> Result<CreateOpportunity, OutcomeError> {
    let error = |key: &str, reason: String| OutcomeError {
        outcome: outcome.to_owned(),
        key: if key.is_empty() {
            "create_opportunity".to_owned()
        } else {
            format!("create_opportunity.{key}")
        },
        field: None,
        reason,
    };
    let Some(table) = value.as_table() else {
        return Err(error(
            "",
            "must be a table such as { name = \"{account} – {date}\", StageName = \"Prospecting\", close_in_days = 30 }".into(),
        ));
    };
    let name = match table.get("name").and_then(toml::Value::as_str) {
        Some(text) if !text.trim().is_empty() => {
            Template::parse_with(text, &[ACCOUNT_PLACEHOLDER]).map_err(|r| error("name", r))?
        }
        _ => {
            return Err(error(
                "name",
                "is required: the new Opportunity's name as text, e.g. \"{account} – {date}\""
                    .into(),
            ));
        }
    };
    let close_in_days = table
        .get("close_in_days")
        .and_then(toml::Value::as_integer)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= MAX_CLOSE_IN_DAYS)
        .ok_or_else(|| {
            error(
                "close_in_days",
                format!("is required: the days from the call to the close date, a whole number from 0 to {MAX_CLOSE_IN_DAYS}"),
            )
        })?;
    let mut fields = Vec::new();
    for (field, value) in table
        .iter()
        .filter(|(k, _)| !CREATE_OPPORTUNITY_KEYS.contains(&k.as_str()))
    {
        if CreateOpportunity::FIXED_FIELDS.contains(&field.as_str()) {
            return Err(error(
                field,
                "is set by Ringside itself (name, close_in_days, the call's Account and call id); remove it".into(),
            ));
        }
        salesforce::validate_api_name("field", field).map_err(|e| {
            error(
                field,
                format!("is neither name, close_in_days nor a field API name: {e}"),
            )
        })?;
        let text = value.as_str().ok_or_else(|| {
            error(
                field,
                format!("give the value as text in quotes, e.g. {field} = \"…\""),
            )
        })?;
        let value = Template::parse_with(text, &[ACCOUNT_PLACEHOLDER])
            .map_err(|r| error(field, format!("the value {r}")))?;
        fields.push(FieldUpdate {
            field: field.clone(),
            value,
        });
    }
    if !fields.iter().any(|f| f.field == "StageName") {
        return Err(error(
            "StageName",
            "is required: Salesforce creates no Opportunity without a stage, e.g. StageName = \"Prospecting\"".into(),
        ));
    }
    Ok(CreateOpportunity {
        name,
        close_in_days,
        fields,
    })
}

fn follow_up(outcome: &str, value: &toml::Value) -> Result<FollowUp, OutcomeError> {
    let error = |key: &str, reason: String| OutcomeError {
        outcome: outcome.to_owned(),
        key: if key.is_empty() {
            "follow_up".to_owned()
        } else {
            format!("follow_up.{key}")
        },
        field: None,
        reason,
    };
    let Some(table) = value.as_table() else {
        return Err(error(
            "",
            "must be a table such as { kind = \"Task\", subject = \"Call back\", in_days = 1 }"
                .into(),
        ));
    };
    if let Some(unknown) = table.keys().find(|k| !FOLLOW_UP_KEYS.contains(&k.as_str())) {
        return Err(error(
            unknown,
            format!(
                "is not a follow_up key; the keys are {}",
                FOLLOW_UP_KEYS.join(", ")
            ),
        ));
    }
    let kind = match table.get("kind").and_then(toml::Value::as_str) {
        Some("Task") => FollowUpKind::Task,
        Some("Event") => FollowUpKind::Event,
        _ => return Err(error("kind", "must be \"Task\" or \"Event\"".into())),
    };
    let subject = match table.get("subject").and_then(toml::Value::as_str) {
        Some(text) if !text.trim().is_empty() => {
            Template::parse(text).map_err(|r| error("subject", r))?
        }
        _ => {
            return Err(error(
                "subject",
                "is required: the follow-up's subject as text".into(),
            ));
        }
    };
    let in_days = match table.get("in_days") {
        None => 0,
        Some(v) => v
            .as_integer()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= MAX_IN_DAYS)
            .ok_or_else(|| {
                error(
                    "in_days",
                    format!("must be a whole number of days from 0 to {MAX_IN_DAYS}"),
                )
            })?,
    };
    let at = match table.get("at") {
        None => None,
        Some(v) => Some(v.as_str().and_then(TimeOfDay::parse).ok_or_else(|| {
            error(
                "at",
                "must be a time of day written HH:MM (24-hour), e.g. \"10:00\"".into(),
            )
        })?),
    };
    let minutes = match table.get("minutes") {
        None => None,
        Some(v) => Some(
            v.as_integer()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=MAX_EVENT_MINUTES).contains(n))
                .ok_or_else(|| {
                    error(
                        "minutes",
                        format!("must be a whole number of minutes from 1 to {MAX_EVENT_MINUTES}"),
                    )
                })?,
        ),
    };
    match kind {
        FollowUpKind::Task => {
            for (key, set) in [("at", at.is_some()), ("minutes", minutes.is_some())] {
                if set {
                    return Err(error(
                        key,
                        "is only for an Event: a follow-up Task has a due date, not a time; remove it or set kind = \"Event\"".into(),
                    ));
                }
            }
        }
        FollowUpKind::Event => {
            if at.is_none() {
                return Err(error(
                    "at",
                    "is required for an Event: its start time, HH:MM in the agent's time zone"
                        .into(),
                ));
            }
            if minutes.is_none() {
                return Err(error(
                    "minutes",
                    "is required for an Event: how long it lasts, in minutes".into(),
                ));
            }
        }
    }
    Ok(FollowUp {
        kind,
        subject,
        in_days,
        at,
        minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The outcomes of a whole config text (the other test modules parse through it too).
    pub(super) fn parse(text: &str) -> Result<OutcomeActions, OutcomeError> {
        #[derive(serde::Deserialize)]
        struct Raw {
            outcomes: BTreeMap<String, toml::Table>,
        }
        let raw: Raw = toml::from_str(text).expect("valid TOML");
        OutcomeActions::from_tables(raw.outcomes)
    }

    #[test]
    fn the_issues_example_parses_into_typed_actions() {
        let actions = parse(
            r#"
[outcomes."Demo booked"]
lead = { Status = "Working - Contacted", Rating = "Hot" }
follow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }
[outcomes."Qualified"]
opportunity = { StageName = "Qualification" }
"#,
        )
        .expect("the example is valid");
        let demo = actions
            .get("Demo booked")
            .expect("keyed by the disposition");
        assert_eq!(
            demo.actions(),
            vec![ActionName::Lead, ActionName::FollowUp],
            "lead and follow_up, in the order they are applied"
        );
        assert_eq!(
            demo.lead[0].field, "Rating",
            "fields kept with their values"
        );
        let follow_up = demo.follow_up.as_ref().expect("a follow-up");
        assert_eq!(follow_up.kind, FollowUpKind::Event);
        assert_eq!(follow_up.in_days, 2);
        assert_eq!(
            follow_up.at,
            Some(TimeOfDay {
                hour: 10,
                minute: 0
            })
        );
        assert_eq!(follow_up.minutes, Some(30));
        assert_eq!(
            actions.get("Qualified").map(Outcome::actions),
            Some(vec![ActionName::Opportunity]),
            "the second outcome is read too"
        );
        assert!(
            actions.get("qualified").is_none(),
            "a disposition is matched exactly, as the agent picks it"
        );
    }

    #[test]
    fn chatter_takes_the_agent_placeholder_and_only_it_takes_it() {
        let actions = parse(
            "[outcomes.Qualified]\nchatter = \"Qualified on a call by {agent}: {subject}\"\n",
        )
        .expect("the issue's example is valid");
        let outcome = actions.get("Qualified").unwrap();
        assert_eq!(outcome.actions(), vec![ActionName::Chatter]);
        assert!(outcome.chatter.as_ref().unwrap().uses("agent"));
        let err = parse("[outcomes.Qualified]\nlead = { Description = \"{agent}\" }\n")
            .expect_err("only chatter reads the user's name");
        assert_eq!(err.key, "lead", "{}", err.reason);
        for (value, why) in [
            ("\"\"", "empty"),
            ("5", "not text"),
            ("\"by {agnet}\"", "unknown placeholder"),
        ] {
            let err = parse(&format!("[outcomes.Qualified]\nchatter = {value}\n")).expect_err(why);
            assert_eq!(err.key, "chatter", "{why}: {}", err.reason);
        }
        let long = "x".repeat(MAX_CHATTER_CHARS + 1);
        let err = parse(&format!("[outcomes.Qualified]\nchatter = \"{long}\"\n"))
            .expect_err("longer than a FeedItem Body");
        assert!(err.reason.contains("10000"), "{}", err.reason);
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_the_known_ones() {
        let err = parse("[outcomes.Qualified]\nlead = { Status = \"{account}\" }\n").unwrap_err();
        assert_eq!(err.key, "lead");
        assert!(
            err.reason.contains("{account}") && err.reason.contains("{date}"),
            "names the wrong placeholder and the known ones: {}",
            err.reason
        );
        let err = parse(
            "[outcomes.Qualified]\nfollow_up = { kind = \"Task\", subject = \"Call {subject\" }\n",
        )
        .unwrap_err();
        assert_eq!(err.key, "follow_up.subject");
        assert!(err.reason.contains("without its }"), "{}", err.reason);
        let ok = parse(
            "[outcomes.Qualified]\nfollow_up = { kind = \"Task\", subject = \"Call back on {date} about {subject}\", in_days = 1 }\n",
        )
        .expect("known placeholders are fine");
        let subject = &ok
            .get("Qualified")
            .unwrap()
            .follow_up
            .as_ref()
            .unwrap()
            .subject;
        assert_eq!(
            subject.render(|name| (name == "date").then(|| "2026-12-07".to_owned())),
            "Call back on 2026-12-07 about ",
            "placeholders are filled, unknown values left empty"
        );
    }

    #[test]
    fn follow_up_keys_are_checked_per_kind() {
        let cases = [
            ("{ kind = \"Meeting\", subject = \"x\" }", "follow_up.kind"),
            ("{ kind = \"Task\" }", "follow_up.subject"),
            (
                "{ kind = \"Task\", subject = \"x\", in_days = -1 }",
                "follow_up.in_days",
            ),
            (
                "{ kind = \"Task\", subject = \"x\", in_days = 400 }",
                "follow_up.in_days",
            ),
            (
                "{ kind = \"Task\", subject = \"x\", at = \"10:00\" }",
                "follow_up.at",
            ),
            (
                "{ kind = \"Event\", subject = \"x\", minutes = 30 }",
                "follow_up.at",
            ),
            (
                "{ kind = \"Event\", subject = \"x\", at = \"25:00\", minutes = 30 }",
                "follow_up.at",
            ),
            (
                "{ kind = \"Event\", subject = \"x\", at = \"10:00\" }",
                "follow_up.minutes",
            ),
            (
                "{ kind = \"Event\", subject = \"x\", at = \"10:00\", minutes = 0 }",
                "follow_up.minutes",
            ),
            (
                "{ kind = \"Task\", subject = \"x\", when = 1 }",
                "follow_up.when",
            ),
        ];
        for (value, key) in cases {
            let err = parse(&format!("[outcomes.Done]\nfollow_up = {value}\n")).expect_err(value);
            assert_eq!(
                err.key, key,
                "{value}: the error names the key ({})",
                err.reason
            );
        }
    }

    #[test]
    fn field_updates_must_be_named_fields_with_text_values() {
        for (value, why) in [
            ("\"Hot\"", "not a table"),
            ("{}", "no field"),
            ("{ \"Bad Name\" = \"x\" }", "not an API name"),
            ("{ Rating = 5 }", "not text"),
        ] {
            let err = parse(&format!("[outcomes.Done]\nlead = {value}\n")).expect_err(why);
            assert_eq!(err.key, "lead", "{why}: {}", err.reason);
        }
        let err = parse("[outcomes.Done]\nnotes = \"x\"\n").unwrap_err();
        assert!(
            err.reason
                .contains("lead, opportunity, create_opportunity, follow_up, lead_notes, chatter"),
            "an unknown action lists the known ones: {}",
            err.reason
        );
        let err = parse("[outcomes.Done]\n").unwrap_err();
        assert!(err.reason.contains("names no action"), "{}", err.reason);
    }
}

#[cfg(test)]
mod create_opportunity_tests {
    use super::*;

    fn parse(value: &str) -> Result<OutcomeActions, OutcomeError> {
        super::tests::parse(&format!(
            "[outcomes.Qualified]\ncreate_opportunity = {value}\n"
        ))
    }

    #[test]
    fn the_issues_example_parses_with_the_account_placeholder() {
        let actions = parse(
            r#"{ name = "{account} – {date}", StageName = "Prospecting", close_in_days = 30 }"#,
        )
        .expect("the issue's example is valid");
        let outcome = actions.get("Qualified").unwrap();
        assert_eq!(outcome.actions(), vec![ActionName::CreateOpportunity]);
        let create = outcome.create_opportunity.as_ref().unwrap();
        assert!(
            create.name.uses("account"),
            "{{account}} is kept for send time"
        );
        assert_eq!(create.close_in_days, 30);
        assert_eq!(create.fields[0].field, "StageName");
    }

    #[test]
    fn a_wrong_create_opportunity_names_its_key() {
        for (value, key, why) in [
            (
                r#"{ StageName = "Prospecting", close_in_days = 30 }"#,
                "create_opportunity.name",
                "no name",
            ),
            (
                r#"{ name = "x", close_in_days = 30 }"#,
                "create_opportunity.StageName",
                "no stage",
            ),
            (
                r#"{ name = "x", StageName = "Prospecting" }"#,
                "create_opportunity.close_in_days",
                "no close date",
            ),
            (
                r#"{ name = "x", StageName = "Prospecting", close_in_days = -1 }"#,
                "create_opportunity.close_in_days",
                "negative",
            ),
            (
                r#"{ name = "{agent}", StageName = "Prospecting", close_in_days = 1 }"#,
                "create_opportunity.name",
                "unknown placeholder",
            ),
            (
                r#"{ name = "x", StageName = "Prospecting", close_in_days = 1, AccountId = "001" }"#,
                "create_opportunity.AccountId",
                "set by Ringside",
            ),
            (
                r#"{ name = "x", StageName = "Prospecting", close_in_days = 1, "Bad Field" = "y" }"#,
                "create_opportunity.Bad Field",
                "not an API name",
            ),
            (r#""Prospecting""#, "create_opportunity", "not a table"),
        ] {
            let err = parse(value).expect_err(why);
            assert_eq!(err.key, key, "{why}: {}", err.reason);
        }
    }

    #[test]
    fn account_is_no_placeholder_of_other_actions() {
        let text = "[outcomes.Qualified]\nlead = { Description = \"{account}\" }\n";
        let err = super::tests::parse(text).expect_err("only create_opportunity reads the Account");
        let offered = err
            .reason
            .split_once("the placeholders are")
            .map(|(_, list)| list)
            .unwrap_or_default();
        assert!(
            !offered.is_empty() && !offered.contains("{account}"),
            "the lead's placeholders do not offer {{account}}: {}",
            err.reason
        );
    }
}

#[cfg(test)]
mod lead_notes_tests {
    use super::*;

    fn parse(value: &str) -> Result<OutcomeActions, OutcomeError> {
        super::tests::parse(&format!("[outcomes.Qualified]\nlead_notes = {value}\n"))
    }

    #[test]
    fn lead_notes_names_a_field_and_nothing_else() {
        let actions = parse(r#""Description""#).expect("the issue's example is valid");
        let outcome = actions.get("Qualified").unwrap();
        assert_eq!(outcome.actions(), vec![ActionName::LeadNotes]);
        assert_eq!(outcome.lead_notes.as_deref(), Some("Description"));
        for (value, why) in [
            (r#""Bad Field""#, "not an API name"),
            ("5", "not text"),
            (r#""""#, "empty"),
        ] {
            let err = parse(value).expect_err(why);
            assert_eq!(err.key, "lead_notes", "{why}: {}", err.reason);
            assert!(
                err.reason.contains("API name"),
                "{why}: says what to write: {}",
                err.reason
            );
        }
    }
}
