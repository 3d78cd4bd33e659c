//! What an intent button writes. An `[intents]` entry names a field (and optionally a fixed
//! value); the field's describe decides the kind of value: the moment of the press for a
//! datetime, today for a date, `true` for a checkbox, the admin's fixed value, a picklist value
//! the agent picks, or text the agent types (a call summary). The kind is decided, and a fixed
//! value checked, at config time ([`intent_kind`], called by [`crate::config_check`]), so a
//! press never fails for a config reason; only what the agent typed can be refused.
//!
//! Intents on Contact, Lead or Account are buttons on the record panel
//! ([`crate::record_edit::RecordEditor::apply_intent`]); intents on Task or the call-log
//! object belong to the call and become fields of the call-log composite
//! ([`call_intent_fields`]).

use std::time::SystemTime;

use salesforce::{FieldDescribe, FieldType, SObjectDescribe};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::field_policy::{IntentMap, IntentTarget};
use crate::field_value::check_value;
use crate::time::utc_datetime;

/// The kind of value an intent writes, decided from the field's describe.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IntentKind {
    /// A datetime field: the moment the button is pressed.
    Now,
    /// A date field: the day the button is pressed (UTC).
    Today,
    /// A checkbox: set to true.
    Check,
    /// The admin's fixed value (already checked against the describe).
    Fixed { value: String },
    /// A picklist with no fixed value: the agent picks one of these active values.
    Choose { values: Vec<String> },
    /// A text or number field with no fixed value: the agent types it (`length` limits text).
    Typed { length: u32 },
}

/// An intent as the record panel offers it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentButton {
    /// The config key, e.g. `qualified`.
    pub name: String,
    /// The field's API name.
    pub field: String,
    /// The field's label, as the org names it.
    pub label: String,
    #[serde(flatten)]
    pub kind: IntentKind,
}

/// The kind of value `field` takes from an intent with `configured` as its fixed value.
/// The error says, in words, why this intent can never work (a config problem).
pub fn intent_kind(field: &FieldDescribe, configured: Option<&str>) -> Result<IntentKind, String> {
    if let Some(raw) = configured {
        let value = check_value(field, raw)?;
        return Ok(IntentKind::Fixed {
            // Picklists answer with the org's own spelling of the value.
            value: match value {
                Value::String(text) => text,
                Value::Null => String::new(),
                other => other.to_string(),
            },
        });
    }
    match field.field_type {
        FieldType::DateTime => Ok(IntentKind::Now),
        FieldType::Date => Ok(IntentKind::Today),
        FieldType::Boolean => Ok(IntentKind::Check),
        FieldType::Picklist | FieldType::MultiPicklist => {
            let values: Vec<String> = field.active_picklist_values().map(str::to_owned)
                .collect();
            if values.is_empty() {
                Err("is a picklist with no active values, so the intent has nothing to write".into())
            } else {
                Ok(IntentKind::Choose { values })
            }
        }
        FieldType::String
        | FieldType::TextArea
        | FieldType::Phone
        | FieldType::Url
        | FieldType::Email
        | FieldType::Combobox
        | FieldType::EncryptedString
        | FieldType::Int
        | FieldType::Long
        | FieldType::Double
        | FieldType::Currency
        | FieldType::Percent => Ok(IntentKind::Typed {
            length: field.length,
        }),
        FieldType::Reference => Err(
            "is a lookup: give the record id as the intent's fixed value ({ field = \"…\", value = \"001…\" })"
                .into(),
        ),
        ref other => Err(format!(
            "is a {} field, which Ringside does not write",
            other.as_str()
        )),
    }
}

/// The value to write when the intent is pressed at `now`; `input` is what the agent picked or
/// typed (needed for [`IntentKind::Choose`] and [`IntentKind::Typed`], ignored otherwise).
pub fn intent_value(
    field: &FieldDescribe,
    kind: &IntentKind,
    input: Option<&str>,
    now: SystemTime,
) -> Result<Value, String> {
    match kind {
        IntentKind::Now => Ok(Value::String(utc_datetime(now))),
        IntentKind::Today => Ok(Value::String(utc_datetime(now)[..10].to_owned())),
        IntentKind::Check => Ok(Value::Bool(true)),
        IntentKind::Fixed { value } => check_value(field, value),
        IntentKind::Choose { .. } => match input {
            Some(choice) if !choice.is_empty() => check_value(field, choice),
            _ => Err("pick a value first".into()),
        },
        IntentKind::Typed { .. } => check_value(field, input.unwrap_or_default()),
    }
}

/// The buttons for a record of `object`: the intents on that object whose field this user
/// can see (the others are reported by `config validate`), in name order.
pub fn record_intents(
    intents: &IntentMap,
    object: &str,
    describe: &SObjectDescribe,
) -> Vec<IntentButton> {
    intents
        .iter()
        .filter(|intent| intent.object.eq_ignore_ascii_case(object))
        .filter_map(|intent| {
            let field = describe.field(&intent.field)?;
            let kind = intent_kind(field, intent.value.as_deref()).ok()?;
            Some(IntentButton {
                name: intent.name.clone(),
                field: field.name.clone(),
                label: field.label.clone(),
                kind,
            })
        })
        .collect()
}

/// One intent the agent pressed during a call, with what they picked or typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct PressedIntent {
    pub name: String,
    pub input: Option<String>,
}

/// The fields a call's intents add to its Task and to its call log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallIntentFields {
    pub task: Map<String, Value>,
    pub call_log: Map<String, Value>,
}

/// Why a pressed intent cannot be written with the call (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("intent {name}: {reason}")]
pub struct IntentProblem {
    pub name: String,
    pub reason: String,
}

/// Turns the intents pressed during a call into fields of the call's Task and call log
/// (`call_log_object` is the configured call-log object, e.g. `Call_Log__c`). Pure: the
/// describes and the time are passed in. Every problem is returned, so nothing is half-written.
pub fn call_intent_fields(
    intents: &IntentMap,
    call_log_object: &str,
    task: &SObjectDescribe,
    call_log: &SObjectDescribe,
    pressed: &[PressedIntent],
    now: SystemTime,
) -> Result<CallIntentFields, Vec<IntentProblem>> {
    let mut fields = CallIntentFields::default();
    let mut problems = Vec::new();
    for press in pressed {
        let problem = |reason: String| IntentProblem {
            name: press.name.clone(),
            reason,
        };
        let Some(intent) = intents.get(&press.name) else {
            problems.push(problem("is not in [intents]".into()));
            continue;
        };
        let (describe, target) = if intent.object.eq_ignore_ascii_case("Task") {
            (task, &mut fields.task)
        } else if intent.object.eq_ignore_ascii_case(call_log_object) {
            (call_log, &mut fields.call_log)
        } else {
            problems.push(problem(format!(
                "writes {}.{}, which is not part of the call log (Task or {call_log_object})",
                intent.object, intent.field
            )));
            continue;
        };
        match resolve(intent, describe, press.input.as_deref(), now) {
            Ok((name, value)) => {
                target.insert(name, value);
            }
            Err(reason) => problems.push(problem(reason)),
        }
    }
    if problems.is_empty() {
        Ok(fields)
    } else {
        Err(problems)
    }
}

/// The field's API name and the value `intent` writes to it.
pub fn resolve(
    intent: &IntentTarget,
    describe: &SObjectDescribe,
    input: Option<&str>,
    now: SystemTime,
) -> Result<(String, Value), String> {
    let field = describe.field(&intent.field).ok_or_else(|| {
        format!(
            "{}.{} does not exist or is hidden from this user",
            intent.object, intent.field
        )
    })?;
    let kind = intent_kind(field, intent.value.as_deref())?;
    let value = intent_value(field, &kind, input, now)?;
    Ok((field.name.clone(), value))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::json;

    use super::*;

    fn field(name: &str, t: &str, extra: Value) -> Value {
        let mut f = json!({"name": name, "label": name, "type": t, "updateable": true, "createable": true, "nillable": true, "length": 0, "picklistValues": []});
        if let (Some(f), Some(extra)) = (f.as_object_mut(), extra.as_object()) {
            f.extend(extra.clone());
        }
        f
    }

    fn describe(name: &str, fields: Vec<Value>) -> SObjectDescribe {
        serde_json::from_value(json!({"name": name, "label": name, "fields": fields}))
            .expect("a describe-shaped JSON object")
    }

    fn pick(values: &[&str]) -> Value {
        json!({"picklistValues": values.iter().map(|v| json!({"value": v, "label": v, "active": true, "defaultValue": false})).collect::<Vec<_>>()})
    }

    /// 2026-03-31T14:30:05Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_774_967_405)
    }

    #[test]
    fn the_field_type_decides_the_value() {
        let d = describe(
            "Lead",
            vec![
                field("Demo_At__c", "datetime", json!({})),
                field("Follow_Up__c", "date", json!({})),
                field("Hot__c", "boolean", json!({})),
                field("Status", "picklist", pick(&["Open", "Qualified"])),
                field("Description", "textarea", json!({"length": 32000})),
            ],
        );
        let value = |name: &str, input: Option<&str>| {
            let f = d.field(name).expect("field in describe");
            let kind = intent_kind(f, None).expect("a writable type");
            intent_value(f, &kind, input, now())
        };
        assert_eq!(
            value("Demo_At__c", None),
            Ok(json!("2026-03-31T14:30:05.000Z")),
            "datetime → the press time"
        );
        assert_eq!(
            value("Follow_Up__c", None),
            Ok(json!("2026-03-31")),
            "date → today"
        );
        assert_eq!(value("Hot__c", None), Ok(json!(true)), "checkbox → true");
        assert_eq!(
            value("Status", Some("qualified")),
            Ok(json!("Qualified")),
            "picklist → the agent's pick, in the org's spelling"
        );
        assert!(
            value("Status", None).is_err(),
            "a picklist without a pick is refused"
        );
        assert!(
            value("Status", Some("Won")).is_err(),
            "a value not in the picklist is refused"
        );
        assert_eq!(
            value("Description", Some("Wants a demo")),
            Ok(json!("Wants a demo"))
        );
    }

    #[test]
    fn fixed_values_are_checked_at_config_time() {
        let status = describe(
            "Lead",
            vec![field("Status", "picklist", pick(&["Open", "Qualified"]))],
        );
        let f = status.field("Status").unwrap();
        assert_eq!(
            intent_kind(f, Some("qualified")),
            Ok(IntentKind::Fixed {
                value: "Qualified".into()
            }),
            "a fixed picklist value is kept in the org's spelling"
        );
        let err = intent_kind(f, Some("Won")).unwrap_err();
        assert!(
            err.contains("not one of the picklist values"),
            "names the problem: {err}"
        );
        let short = describe(
            "Lead",
            vec![field("Note__c", "string", json!({"length": 5}))],
        );
        assert!(
            intent_kind(short.field("Note__c").unwrap(), Some("too long")).is_err(),
            "a fixed text longer than the field is a config error"
        );
        let empty = describe("Lead", vec![field("Status", "picklist", json!({}))]);
        assert!(
            intent_kind(empty.field("Status").unwrap(), None).is_err(),
            "an empty picklist cannot be an intent"
        );
        let reference = describe("Lead", vec![field("OwnerId", "reference", json!({}))]);
        assert!(
            intent_kind(reference.field("OwnerId").unwrap(), None).is_err(),
            "a lookup needs a fixed id"
        );
    }

    #[test]
    fn call_intents_go_to_the_task_or_the_call_log_and_others_are_refused() {
        let map = IntentMap::from_entries([
            ("call_summary", "Task.Description"),
            ("callback_at", "Call_Log__c.Callback_At__c"),
            ("qualified", "Lead.Status"),
        ])
        .unwrap();
        let task = describe(
            "Task",
            vec![field("Description", "textarea", json!({"length": 32000}))],
        );
        let log = describe(
            "Call_Log__c",
            vec![field("Callback_At__c", "datetime", json!({}))],
        );
        let pressed = |name: &str, input: Option<&str>| PressedIntent {
            name: name.into(),
            input: input.map(str::to_owned),
        };
        let fields = call_intent_fields(
            &map,
            "Call_Log__c",
            &task,
            &log,
            &[
                pressed("call_summary", Some("Asked for pricing")),
                pressed("callback_at", None),
            ],
            now(),
        )
        .expect("both intents belong to the call");
        assert_eq!(
            fields.task.get("Description"),
            Some(&json!("Asked for pricing")),
            "the summary goes on the Task"
        );
        assert_eq!(
            fields.call_log.get("Callback_At__c"),
            Some(&json!("2026-03-31T14:30:05.000Z")),
            "the callback time goes on the call log"
        );

        let problems = call_intent_fields(
            &map,
            "Call_Log__c",
            &task,
            &log,
            &[
                pressed("qualified", Some("Open")),
                pressed("nope", None),
                pressed("call_summary", Some(&"x".repeat(40_000))),
            ],
            now(),
        )
        .unwrap_err();
        let names: Vec<&str> = problems.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["qualified", "nope", "call_summary"],
            "every problem is reported, nothing half-written"
        );
        assert!(
            problems[2].reason.contains("at most 32000"),
            "a 40,000-character note is refused with the limit: {}",
            problems[2].reason
        );
    }
}
