//! The admin config checked against the org as the signed-in user sees it (describe,
//! field-level security applied): every field agents see exists and is visible, every
//! editable field is updateable, intents point at writable fields of a type Ringside can
//! write, the call-log object has what the logging mode writes (in "call log only" mode
//! also its subject and notes fields, long enough for what the Task would have held), and
//! Task `Type` is visible; each `[outcomes]` action writes fields that exist, that this user may
//! update (Lead, Opportunity) or create (the follow-up Task or Event, a new Opportunity, which
//! also needs the setup kit's External ID `Opportunity.Ringside_Call_Id__c`), with values the
//! field takes (a restricted picklist's value must be one of its values); `lead_notes` names
//! a Lead text field (text, text area or long text area) this user may update; `chatter`
//! needs the privileged scope profile and a FeedItem this user may create. Problems are
//! collected, not stopped at, so the admin fixes them in one pass.

use std::fmt;

use salesforce::{ErrorCode, SObjectDescribe};

use crate::call_log::{MAX_NOTES_CHARS, MAX_SUBJECT_CHARS};
use crate::config::{Config, OPTIONAL_CALL_LOG_KEYS};
use crate::describe_cache::DescribeCache;
use crate::field_value::is_writable_type;
use crate::intents::intent_kind;

/// One problem: the config key, the object/field it is about, and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigIssue {
    /// E.g. `[fields.Contact] editable` or `[intents] qualified`.
    pub key: String,
    /// E.g. `Contact.Title`.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.key, self.field, self.reason)
    }
}

/// The Task fields a logged call writes (DESIGN §3).
pub const TASK_CALL_FIELDS: [&str; 11] = [
    "Subject",
    "Status",
    "Type",
    "TaskSubtype",
    "CallType",
    "CallDurationInSeconds",
    "CallDisposition",
    "CallObject",
    "Description",
    "WhoId",
    "WhatId",
];

/// Checks `config` against the org behind `describes`. An empty list means valid. A
/// describe that fails for a reason other than "no such object" (network, session)
/// is returned as an error: the config may be fine, the check could not run.
pub async fn check_config(
    config: &Config,
    describes: &DescribeCache,
) -> Result<Vec<ConfigIssue>, salesforce::Error> {
    let mut issues = Vec::new();
    for (object, fields) in config.fields.objects() {
        let Some(describe) = describe_or_issue(
            describes,
            object,
            &format!("[fields.{object}]"),
            &mut issues,
        )
        .await?
        else {
            continue;
        };
        for name in &fields.visible {
            if describe.field(name).is_none() {
                issues.push(missing(&format!("[fields.{object}] visible"), object, name));
            }
        }
        for name in &fields.editable {
            match describe.field(name) {
                None => issues.push(missing(&format!("[fields.{object}] editable"), object, name)),
                Some(f) if !f.updateable => issues.push(ConfigIssue {
                    key: format!("[fields.{object}] editable"),
                    field: format!("{object}.{name}"),
                    reason: "is read-only for this user (not updateable): remove it from editable or grant edit access in its field-level security".into(),
                }),
                Some(f) if !is_writable_type(&f.field_type) => issues.push(ConfigIssue {
                    key: format!("[fields.{object}] editable"),
                    field: format!("{object}.{name}"),
                    reason: format!("is a {} field, which Ringside does not edit", f.field_type.as_str()),
                }),
                Some(_) => {}
            }
        }
    }
    for intent in config.intents.iter() {
        let key = format!("[intents] {}", intent.name);
        let Some(describe) =
            describe_or_issue(describes, &intent.object, &key, &mut issues).await?
        else {
            continue;
        };
        let at = format!("{}.{}", intent.object, intent.field);
        let Some(f) = describe.field(&intent.field) else {
            issues.push(missing(&key, &intent.object, &intent.field));
            continue;
        };
        let reason = if !(f.updateable || f.createable) {
            Some(
                "is read-only for this user: an intent must write a field the agent may update"
                    .to_owned(),
            )
        } else if !is_writable_type(&f.field_type) {
            Some(format!(
                "is a {} field; an intent writes text, picklist, date, datetime, number, boolean, email, phone, URL or lookup fields",
                f.field_type.as_str()
            ))
        } else if matches!(
            f.field_type,
            salesforce::FieldType::Picklist | salesforce::FieldType::MultiPicklist
        ) && !f.picklist_values.iter().any(|v| v.active)
        {
            Some(
                "is a picklist with no active values, so the intent has nothing to write"
                    .to_owned(),
            )
        } else {
            // A fixed value must fit the field (picklist value, length, format), and the
            // field's type must give the button a value: decided now, never during a call.
            intent_kind(f, intent.value.as_deref())
                .err()
                .map(|reason| match &intent.value {
                    Some(_) => format!("value: {reason}"),
                    None => reason,
                })
        };
        if let Some(reason) = reason {
            issues.push(ConfigIssue {
                key,
                field: at,
                reason,
            });
        }
    }
    check_logging(config, describes, &mut issues).await?;
    check_outcomes(config, describes, &mut issues).await?;
    Ok(issues)
}

async fn check_logging(
    config: &Config,
    describes: &DescribeCache,
    issues: &mut Vec<ConfigIssue>,
) -> Result<(), salesforce::Error> {
    let names = &config.logging.call_log;
    let object = names.object.as_str();
    if let Some(describe) =
        describe_or_issue(describes, object, "[logging.call_log] object", issues).await?
    {
        for (key, name) in names.named() {
            if key == "object" || key == "task_lookup" {
                continue;
            }
            // Task mode keeps the subject and notes on the Task and never writes these.
            if (key == "subject" || key == "notes") && config.logging.mode.writes_task() {
                continue;
            }
            // An emptied timing name is switched off: nothing is written there.
            if name.is_empty() {
                continue;
            }
            let config_key = format!("[logging.call_log] {key}");
            match describe.field(name) {
                None if OPTIONAL_CALL_LOG_KEYS.contains(&key) => {
                    let mut issue = missing(&config_key, object, name);
                    issue.reason.push_str(&format!(
                        ": deploy the setup kit's field, or set {key} = \"\" to log calls without it"
                    ));
                    issues.push(issue);
                }
                None => issues.push(missing(&config_key, object, name)),
                Some(f) if !(f.createable && f.updateable) => issues.push(ConfigIssue {
                    key: config_key,
                    field: format!("{object}.{name}"),
                    reason: "must be creatable and updatable by this user: call logs are upserted".into(),
                }),
                Some(f) if key == "external_id" && !f.external_id => issues.push(ConfigIssue {
                    key: config_key,
                    field: format!("{object}.{name}"),
                    reason: "is not marked External ID, so calls cannot be upserted by call id: tick External ID (and Unique) on the field".into(),
                }),
                Some(f) => {
                    if let Some(reason) = own_text_problem(key, f)
                        .or_else(|| timing_type_problem(key, f))
                        .or_else(|| memo_type_problem(key, f)) {
                        issues.push(ConfigIssue {
                            key: config_key,
                            field: format!("{object}.{name}"),
                            reason,
                        });
                    }
                }
            }
        }
        if !config.logging.mode.writes_task() {
            check_own_notes_intents(config, issues);
        }
    }
    let task = describes.describe("Task").await;
    let task = match task {
        Ok(task) => task,
        Err(err) if object_missing(&err) => {
            issues.push(ConfigIssue {
                key: "[logging] mode".into(),
                field: "Task".into(),
                reason:
                    "this user cannot see Task: call logging needs read and create access to Tasks"
                        .into(),
            });
            return Ok(());
        }
        Err(err) => return Err(err),
    };
    if task.field("Type").is_none() {
        issues.push(ConfigIssue {
            key: "[logging] mode".into(),
            field: "Task.Type".into(),
            reason: "is not visible to this user: calls are logged as Type = Call; make Task Type visible in the profile's field-level security".into(),
        });
    }
    if config.logging.mode.writes_task() {
        for name in TASK_CALL_FIELDS.iter().filter(|n| **n != "Type") {
            if task.field(name).is_none() {
                issues.push(missing("[logging] mode", "Task", name));
            }
        }
        let lookup = names.task_lookup.as_str();
        if task.field(lookup).is_none() {
            issues.push(missing("[logging.call_log] task_lookup", "Task", lookup));
        }
    }
    Ok(())
}

/// Why the call log's subject or notes field (call-log-only mode) cannot hold what the Task
/// would have: the agent's text is checked at intake against the Task's limits
/// (`Subject` 255, `Description` 32,000), so the field must take at least as much.
fn own_text_problem(key: &str, f: &salesforce::FieldDescribe) -> Option<String> {
    use salesforce::FieldType;
    let (needed, kind) = match key {
        "subject" => (MAX_SUBJECT_CHARS, "Text(255)"),
        "notes" => (MAX_NOTES_CHARS, "Long Text Area(32,000)"),
        _ => return None,
    };
    let text = matches!(f.field_type, FieldType::String | FieldType::TextArea);
    if !text {
        return Some(format!(
            "is a {} field; in call_log_only mode it holds the agent's {key}: make it a {kind} field",
            f.field_type.as_str()
        ));
    }
    if (f.length as usize) < needed {
        return Some(format!(
            "holds {} characters; in call_log_only mode it holds the agent's {key}, up to {needed} characters: make it a {kind} field",
            f.length
        ));
    }
    None
}

/// Why a timing field cannot hold what Ringside writes there: the instants are date-times,
/// the duration and ring time whole seconds (Salesforce refuses a date-time in a number field
/// and the other way round, which would only show as a dead letter).
fn timing_type_problem(key: &str, f: &salesforce::FieldDescribe) -> Option<String> {
    use salesforce::FieldType;
    let (ok, kind) = match key {
        "started_at" | "dialed_at" | "answered_at" | "ended_at" => {
            (f.field_type == FieldType::DateTime, "Date/Time")
        }
        "duration" | "ring_seconds" => (
            matches!(
                f.field_type,
                FieldType::Double | FieldType::Int | FieldType::Long
            ),
            "Number",
        ),
        _ => return None,
    };
    (!ok).then(|| {
        format!(
            "is a {} field; Ringside writes the call's {} there: make it a {kind} field",
            f.field_type.as_str(),
            key.replace('_', " ")
        )
    })
}

/// Why the memo field cannot hold a memo: a multi-select picklist (its values offered and
/// checked) or text (typed values, `;`-joined); a single-select picklist would refuse two
/// values joined, which would only show as a dead letter.
fn memo_type_problem(key: &str, f: &salesforce::FieldDescribe) -> Option<String> {
    use salesforce::FieldType;
    if key != "memo" {
        return None;
    }
    let ok = matches!(
        f.field_type,
        FieldType::MultiPicklist | FieldType::String | FieldType::TextArea
    );
    if !ok {
        return Some(format!(
            "is a {} field; the memo is a list of values: make it a Picklist (Multi-Select) or a text field",
            f.field_type.as_str()
        ));
    }
    if f.field_type == FieldType::MultiPicklist && !f.picklist_values.iter().any(|v| v.active) {
        return Some(
            "is a multi-select picklist with no active values: the agent would have nothing to pick; add values in Setup".into(),
        );
    }
    None
}

/// In call-log-only mode the notes field holds the agent's notes joined with any summary, so
/// an intent writing it would let a press and the notes together outgrow the field, which
/// is only found out when Salesforce refuses the log. The Task's `Description` intent is the
/// summary here too: its text is joined before the notes and checked when the agent logs.
fn check_own_notes_intents(config: &Config, issues: &mut Vec<ConfigIssue>) {
    let names = &config.logging.call_log;
    for intent in config.intents.iter() {
        if intent.object.eq_ignore_ascii_case(&names.object)
            && intent.field.eq_ignore_ascii_case(&names.notes)
        {
            issues.push(ConfigIssue {
                key: format!("[intents] {}", intent.name),
                field: format!("{}.{}", names.object, names.notes),
                reason: "holds the agent's notes in call_log_only mode: point a call-summary intent at Task.Description instead (it is written into this field, before the notes)".into(),
            });
        }
    }
}

/// An intent resolved against the org: what its button writes and the kind of value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResolvedIntent {
    pub name: String,
    /// `Object.Field`.
    pub target: String,
    /// The describe type the value must have (`datetime`, `picklist`, `textarea`, …).
    pub value_type: String,
    /// For text fields, the most characters it holds (0 otherwise).
    pub length: u32,
    /// For picklists, the active values to choose from.
    pub picklist: Vec<String>,
}

/// The intents whose targets exist for this user, with their value types (the ones that
/// do not are reported by [`check_config`]). Uses the same cached describes.
pub async fn resolve_intents(
    config: &Config,
    describes: &DescribeCache,
) -> Result<Vec<ResolvedIntent>, salesforce::Error> {
    let mut resolved = Vec::new();
    for intent in config.intents.iter() {
        let describe = match describes.describe(&intent.object).await {
            Ok(d) => d,
            Err(err) if object_missing(&err) => continue,
            Err(err) => return Err(err),
        };
        if let Some(f) = describe.field(&intent.field) {
            resolved.push(ResolvedIntent {
                name: intent.name.clone(),
                target: format!("{}.{}", intent.object, f.name),
                value_type: f.field_type.as_str().to_owned(),
                length: f.length,
                picklist: f.active_picklist_values().map(str::to_owned).collect(),
            });
        }
    }
    Ok(resolved)
}

/// Each outcome action against its object's describe (see the module doc).
async fn check_outcomes(
    config: &Config,
    describes: &DescribeCache,
    issues: &mut Vec<ConfigIssue>,
) -> Result<(), salesforce::Error> {
    for (disposition, outcome) in config.outcomes.iter() {
        for (action, object, updates) in [
            ("lead", "Lead", &outcome.lead),
            ("opportunity", "Opportunity", &outcome.opportunity),
        ] {
            if updates.is_empty() {
                continue;
            }
            let key = format!("[outcomes.{disposition:?}] {action}");
            let Some(describe) = describe_or_issue(describes, object, &key, issues).await? else {
                continue;
            };
            for update in updates {
                check_field(&key, object, &describe, &update.field, issues, |f| {
                    outcome_value_problem(f, &update.value)
                });
            }
        }
        if let Some(create) = &outcome.create_opportunity {
            let key = format!("[outcomes.{disposition:?}] create_opportunity");
            if let Some(describe) =
                describe_or_issue(describes, "Opportunity", &key, issues).await?
            {
                check_create_opportunity(&key, create, &describe, issues);
            }
        }
        if let Some(field) = &outcome.lead_notes {
            let key = format!("[outcomes.{disposition:?}] lead_notes");
            if let Some(describe) = describe_or_issue(describes, "Lead", &key, issues).await? {
                check_lead_notes(&key, field, &describe, issues);
            }
        }
        if outcome.chatter.is_some() {
            let key = format!("[outcomes.{disposition:?}] chatter");
            check_chatter(&key, config, describes, issues).await?;
        }
        if let Some(follow_up) = &outcome.follow_up {
            let key = format!("[outcomes.{disposition:?}] follow_up");
            let object = follow_up.kind.object();
            let Some(describe) = describe_or_issue(describes, object, &key, issues).await? else {
                continue;
            };
            for name in follow_up.kind.created_fields() {
                check_field(&key, object, &describe, name, issues, |f| {
                    (!f.createable).then(|| format!("cannot be set by this user when creating a {object}: grant edit access in its field-level security"))
                });
            }
        }
    }
    Ok(())
}

/// A new Opportunity against the Opportunity describe: the user may create Opportunities and
/// set (on create, and on update: a resend upserts) every field it writes; the call-id
/// field is a unique External ID; each configured value fits its field.
fn check_create_opportunity(
    key: &str,
    create: &crate::outcomes::CreateOpportunity,
    describe: &SObjectDescribe,
    issues: &mut Vec<ConfigIssue>,
) {
    use crate::outcomes::CreateOpportunity;
    if !describe.createable {
        issues.push(ConfigIssue {
            key: key.to_owned(),
            field: "Opportunity".into(),
            reason: "this user cannot create Opportunities: grant Create on Opportunity in the profile or a permission set, or remove the action".into(),
        });
        return;
    }
    let id_field = CreateOpportunity::CALL_ID_FIELD;
    // Missing, it gets its own words (the setup kit deploys it); present, the shared check.
    if describe.field(id_field).is_none() {
        issues.push(ConfigIssue {
            key: key.to_owned(),
            field: format!("Opportunity.{id_field}"),
            reason: format!("does not exist or is hidden from this user: it keys each new Opportunity to its call so a retry never creates a second one; {}", crate::setup_kit::check::DEPLOY),
        });
    } else {
        check_field(key, "Opportunity", describe, id_field, issues, |f| {
            if !(f.external_id && f.unique) {
                Some("must be a unique External ID (Setup → Object Manager → Opportunity → the field → Edit: tick Unique and External ID), or a retried call could create a second Opportunity".into())
            } else if !(f.createable && f.updateable) {
                Some("is read-only for this user: grant edit access in its field-level security (the setup kit's permission set does)".into())
            } else {
                None
            }
        });
    }
    for name in ["Name", "CloseDate", "AccountId"] {
        check_field(key, "Opportunity", describe, name, issues, |f| {
            (!(f.createable && f.updateable)).then(|| "cannot be set by this user on an Opportunity: grant edit access in its field-level security".into())
        });
    }
    for update in &create.fields {
        check_field(key, "Opportunity", describe, &update.field, issues, |f| {
            if !f.createable {
                Some("cannot be set by this user when creating an Opportunity: grant edit access in its field-level security".into())
            } else {
                outcome_value_problem(f, &update.value)
            }
        });
    }
}

/// `lead_notes`'s field against the Lead describe: it exists for this user, is updateable,
/// and holds text (the notes are appended to what it has, so a picklist, number or date
/// field cannot take them).
fn check_lead_notes(
    key: &str,
    field: &str,
    describe: &SObjectDescribe,
    issues: &mut Vec<ConfigIssue>,
) {
    check_field(key, "Lead", describe, field, issues, |f| {
        if !f.updateable {
            Some("is read-only for this user (not updateable): the BANT notes are appended to it; grant edit access in its field-level security or name another field".to_owned())
        } else if !matches!(
            f.field_type,
            salesforce::FieldType::String | salesforce::FieldType::TextArea
        ) {
            Some(format!(
                "is a {} field: the BANT notes are text appended to what the field holds, so name a Text, Text Area or Long Text Area field of Lead (e.g. Description)",
                f.field_type.as_str()
            ))
        } else {
            None
        }
    });
}

/// The fields a Chatter post writes on create.
const FEED_ITEM_FIELDS: [&str; 3] = ["ParentId", "Type", "Body"];

/// `chatter`: the config asks for the privileged scope profile (issue 17 keeps posting to
/// Chatter to the profile an admin chose for it; Salesforce itself takes a FeedItem over
/// the sObject API with `api`), and this user may create a FeedItem with its fields.
async fn check_chatter(
    key: &str,
    config: &Config,
    describes: &DescribeCache,
    issues: &mut Vec<ConfigIssue>,
) -> Result<(), salesforce::Error> {
    use salesforce::oauth::ScopeProfile;
    let profile = config.sign_in.scope_profile.unwrap_or_default();
    if profile != ScopeProfile::Privileged {
        issues.push(ConfigIssue {
            key: key.to_owned(),
            field: "[salesforce] scope_profile".into(),
            reason: format!(
                "is {profile}: posting to Chatter is only for the privileged scope profile; set scope_profile = \"privileged\" in [salesforce] (agents then sign in again to grant chatter_api) or remove chatter from the outcome"
            ),
        });
    }
    let Some(describe) = describe_or_issue(describes, "FeedItem", key, issues).await? else {
        return Ok(());
    };
    if !describe.createable {
        issues.push(ConfigIssue {
            key: key.to_owned(),
            field: "FeedItem".into(),
            reason: "this user cannot create feed items: turn on Chatter for the org, or remove the action".into(),
        });
        return Ok(());
    }
    for name in FEED_ITEM_FIELDS {
        check_field(key, "FeedItem", &describe, name, issues, |f| {
            (!f.createable).then(|| "cannot be set by this user when posting to a feed".into())
        });
    }
    Ok(())
}

/// Why an outcome's value cannot be written to `f` (an update of an existing record), if
/// it cannot. A value with placeholders is only known at send time, so it may only go to a
/// text field; a fixed one is checked as the field would check it.
fn outcome_value_problem(
    f: &salesforce::FieldDescribe,
    value: &crate::outcomes::Template,
) -> Option<String> {
    if !f.updateable {
        return Some("is read-only for this user (not updateable): remove it from the outcome or grant edit access in its field-level security".into());
    }
    if !is_writable_type(&f.field_type) {
        return Some(format!(
            "is a {} field, which Ringside does not write",
            f.field_type.as_str()
        ));
    }
    if value.has_placeholders() {
        return (!matches!(
            f.field_type,
            salesforce::FieldType::String | salesforce::FieldType::TextArea
        ))
        .then(|| {
            format!(
                "is a {} field: a value with placeholders can only go to a text field; give a fixed value",
                f.field_type.as_str()
            )
        });
    }
    crate::field_value::check_value(f, value.as_str())
        .err()
        .map(|reason| format!("value: {reason}"))
}

/// One field an outcome action writes, against its object's describe: an issue when it is
/// missing (or hidden), or when `problem` says why this user cannot write it as configured.
/// Every per-action check goes through here, so a field is always named and worded alike.
fn check_field(
    key: &str,
    object: &str,
    describe: &SObjectDescribe,
    field: &str,
    issues: &mut Vec<ConfigIssue>,
    problem: impl FnOnce(&salesforce::FieldDescribe) -> Option<String>,
) {
    let issue = match describe.field(field) {
        None => missing(key, object, field),
        Some(f) => match problem(f) {
            Some(reason) => ConfigIssue {
                key: key.to_owned(),
                field: format!("{object}.{field}"),
                reason,
            },
            None => return,
        },
    };
    issues.push(issue);
}

fn missing(key: &str, object: &str, field: &str) -> ConfigIssue {
    ConfigIssue {
        key: key.to_owned(),
        field: format!("{object}.{field}"),
        reason: "does not exist or is hidden from this user by field-level security".into(),
    }
}

fn object_missing(err: &salesforce::Error) -> bool {
    matches!(
        err.api_errors().first().map(|e| &e.error_code),
        Some(ErrorCode::NotFound | ErrorCode::InvalidType)
    ) || err.status() == Some(404)
}

/// The describe, or an issue when the object does not exist for this user.
async fn describe_or_issue(
    describes: &DescribeCache,
    object: &str,
    key: &str,
    issues: &mut Vec<ConfigIssue>,
) -> Result<Option<std::sync::Arc<SObjectDescribe>>, salesforce::Error> {
    match describes.describe(object).await {
        Ok(describe) => Ok(Some(describe)),
        Err(err) if object_missing(&err) => {
            issues.push(ConfigIssue {
                key: key.to_owned(),
                field: object.to_owned(),
                reason: "no such object for this user: it does not exist or the profile has no access to it".into(),
            });
            Ok(None)
        }
        Err(err) => Err(err),
    }
}
