//! What the log form offers from the org's describe: the intent buttons that belong to the
//! call (intents on `Task` or the call-log object, see [`crate::intents`]), pressing one
//! (its value checked against the field when pressed, so logging never needs Salesforce),
//! and the outcome's choices (the call-log disposition field's picklist values, when it is a
//! picklist; otherwise the form keeps free text with suggestions).

use std::time::SystemTime;

use salesforce::{FieldType, SObjectDescribe};
use serde::Serialize;

use super::LoggingSettings;
use super::draft::{CallIntent, IntentRecord};
use crate::field_policy::IntentMap;
use crate::intents::{
    IntentButton, IntentProblem, PressedIntent, call_intent_fields, record_intents,
};

/// An intent button on the log form, and which record of the call it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallIntentButton {
    pub record: IntentRecord,
    #[serde(flatten)]
    pub button: IntentButton,
}

/// The log form's org-dependent choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormOptions {
    /// The call's intents this user can write, Task ones first, each in name order.
    pub intents: Vec<CallIntentButton>,
    /// The disposition field's active picklist values, when it is a picklist; `null`: free text.
    pub dispositions: Option<Vec<String>>,
    /// How the memo is taken: not at all, typed, or picked from a multi-select picklist.
    pub memo: super::memo::MemoInput,
}

/// The options for a form, from the Task and call-log describes (`task` is `None` in
/// "call log only" mode: no Task is written, so no Task intents are offered).
pub fn form_options(
    intents: &IntentMap,
    logging: &LoggingSettings,
    task: Option<&SObjectDescribe>,
    call_log: &SObjectDescribe,
) -> FormOptions {
    let mut buttons = Vec::new();
    if let Some(task) = task.filter(|_| logging.mode.writes_task()) {
        buttons.extend(
            record_intents(intents, "Task", task)
                .into_iter()
                .map(|button| CallIntentButton {
                    record: IntentRecord::Task,
                    button,
                }),
        );
    }
    buttons.extend(
        record_intents(intents, &logging.call_log.object, call_log)
            .into_iter()
            .map(|button| CallIntentButton {
                record: IntentRecord::CallLog,
                button,
            }),
    );
    FormOptions {
        intents: buttons,
        dispositions: disposition_values(logging, call_log),
        memo: super::memo::memo_input(logging, call_log),
    }
}

/// The active values of the call-log disposition field when the org declares it a picklist.
pub fn disposition_values(
    logging: &LoggingSettings,
    call_log: &SObjectDescribe,
) -> Option<Vec<String>> {
    let field = call_log.field(&logging.call_log.disposition)?;
    if field.field_type != FieldType::Picklist {
        return None;
    }
    let values: Vec<String> = field.active_picklist_values().map(str::to_owned).collect();
    (!values.is_empty()).then_some(values)
}

/// Presses intent `name` with the agent's `input` at `now`: the value it writes, checked
/// against the field's describe (type, picklist value, length). Refused (in words) when the
/// intent is unknown, not on the Task or the call-log object, a Task intent in "call log
/// only" mode, or the input does not fit the field.
pub fn press_intent(
    intents: &IntentMap,
    logging: &LoggingSettings,
    task: &SObjectDescribe,
    call_log: &SObjectDescribe,
    name: &str,
    input: Option<&str>,
    now: SystemTime,
) -> Result<CallIntent, IntentProblem> {
    let problem = |reason: String| IntentProblem {
        name: name.to_owned(),
        reason,
    };
    let target = intents
        .get(name)
        .ok_or_else(|| problem("is not in [intents]".into()))?;
    if target.object.eq_ignore_ascii_case("Task") && !logging.mode.writes_task() {
        return Err(problem(
            "writes the Task, but the logging mode is \"call log only\": no Task is written".into(),
        ));
    }
    let pressed = [PressedIntent {
        name: name.to_owned(),
        input: input.map(str::to_owned),
    }];
    let fields = call_intent_fields(
        intents,
        &logging.call_log.object,
        task,
        call_log,
        &pressed,
        now,
    )
    .map_err(|mut problems| problems.remove(0))?;
    let (record, (field, value)) = match (
        fields.task.into_iter().next(),
        fields.call_log.into_iter().next(),
    ) {
        (Some(entry), _) => (IntentRecord::Task, entry),
        (None, Some(entry)) => (IntentRecord::CallLog, entry),
        (None, None) => return Err(problem("wrote no field".into())),
    };
    Ok(CallIntent {
        name: name.to_owned(),
        record,
        field,
        input: input.map(str::to_owned),
        value,
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::{Value, json};

    use super::*;
    use crate::call_log::LoggingMode;

    fn describe(name: &str, fields: Value) -> SObjectDescribe {
        serde_json::from_value(json!({"name": name, "label": name, "fields": fields}))
            .expect("a describe-shaped object")
    }

    fn field(name: &str, t: &str, extra: Value) -> Value {
        let mut f = json!({"name": name, "label": name, "type": t, "updateable": true, "createable": true, "nillable": true, "length": 255, "picklistValues": []});
        if let (Some(f), Some(extra)) = (f.as_object_mut(), extra.as_object()) {
            f.extend(extra.clone());
        }
        f
    }

    fn picklist(values: &[(&str, bool)]) -> Value {
        json!({"picklistValues": values.iter().map(|(v, active)| json!({"value": v, "label": v, "active": active, "defaultValue": false})).collect::<Vec<_>>()})
    }

    fn task() -> SObjectDescribe {
        describe(
            "Task",
            json!([field("Description", "textarea", json!({"length": 32000}))]),
        )
    }

    fn call_log(disposition_type: &str) -> SObjectDescribe {
        let extra = if disposition_type == "picklist" {
            picklist(&[("Resolved", true), ("Call back", true), ("Old", false)])
        } else {
            json!({})
        };
        describe(
            "Call_Log__c",
            json!([
                field("Disposition__c", disposition_type, extra),
                field("Callback_At__c", "datetime", json!({}))
            ]),
        )
    }

    fn intents() -> IntentMap {
        IntentMap::from_entries([
            ("call_summary", "Task.Description"),
            ("callback_at", "Call_Log__c.Callback_At__c"),
            ("qualified", "Lead.Status"),
        ])
        .expect("well-formed intents")
    }

    #[test]
    fn the_form_offers_the_calls_intents_and_a_picklist_outcome() {
        let settings = LoggingSettings::default();
        let options = form_options(&intents(), &settings, Some(&task()), &call_log("picklist"));
        let names: Vec<_> = options
            .intents
            .iter()
            .map(|b| (b.record, b.button.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (IntentRecord::Task, "call_summary"),
                (IntentRecord::CallLog, "callback_at")
            ],
            "Lead intents belong to the record panel, not the log form"
        );
        assert_eq!(
            options.dispositions,
            Some(vec!["Resolved".to_owned(), "Call back".to_owned()]),
            "active picklist values only"
        );
        let text = form_options(&intents(), &settings, Some(&task()), &call_log("string"));
        assert_eq!(text.dispositions, None, "a text field keeps free text");
        let only_log = LoggingSettings {
            mode: LoggingMode::CallLogOnly,
            ..LoggingSettings::default()
        };
        let options = form_options(&intents(), &only_log, Some(&task()), &call_log("string"));
        assert!(
            options
                .intents
                .iter()
                .all(|b| b.record == IntentRecord::CallLog),
            "no Task is written in call-log-only mode, so no Task intent is offered"
        );
    }

    #[test]
    fn a_press_is_checked_against_the_field_when_pressed() {
        let now = UNIX_EPOCH + Duration::from_secs(1_774_967_405);
        let settings = LoggingSettings::default();
        let (t, l) = (task(), call_log("picklist"));
        let summary = press_intent(
            &intents(),
            &settings,
            &t,
            &l,
            "call_summary",
            Some("Pricing"),
            now,
        )
        .expect("text fits Task.Description");
        assert_eq!(summary.record, IntentRecord::Task);
        assert_eq!(summary.field, "Description");
        assert_eq!(summary.value, json!("Pricing"));
        let at = press_intent(&intents(), &settings, &t, &l, "callback_at", None, now)
            .expect("a datetime takes the press time");
        assert_eq!(at.record, IntentRecord::CallLog);
        assert_eq!(at.value, json!("2026-03-31T14:30:05.000Z"));
        let long = "x".repeat(32_001);
        let err = press_intent(
            &intents(),
            &settings,
            &t,
            &l,
            "call_summary",
            Some(&long),
            now,
        )
        .expect_err("longer than the field");
        assert!(err.to_string().contains("32000"), "names the limit: {err}");
        let err = press_intent(
            &intents(),
            &settings,
            &t,
            &l,
            "qualified",
            Some("Open"),
            now,
        )
        .expect_err("a Lead intent is not the call's");
        assert!(
            err.to_string().contains("not part of the call log"),
            "{err}"
        );
        let only_log = LoggingSettings {
            mode: LoggingMode::CallLogOnly,
            ..LoggingSettings::default()
        };
        let err = press_intent(
            &intents(),
            &only_log,
            &t,
            &l,
            "call_summary",
            Some("x"),
            now,
        )
        .expect_err("no Task in call-log-only mode");
        assert!(err.to_string().contains("call log only"), "{err}");
    }
}
