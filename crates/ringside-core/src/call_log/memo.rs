//! The memo as MiiTel writes it: a list of values in one call-log field, named by
//! `[logging.call_log] memo` (empty: no memo is written). When the org declares that field
//! a multi-select picklist, the form offers its active values and a log is checked against
//! them before it is queued; Salesforce stores a multi-select value as the chosen values
//! joined by `;` (SOQL's "Query Multi-Select Picklists" page: `MSP1__c = 'AAA;BBB'`), and a
//! restricted one refuses any value it does not list
//! (`INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`). A text field takes the same `;`-joined text,
//! unchecked, as before there was a picklist.

use salesforce::{FieldType, SObjectDescribe};
use serde::Serialize;

use super::LoggingSettings;

/// What separates the values in a multi-select picklist's value.
pub const SEPARATOR: char = ';';

/// Salesforce's limit for a multi-select picklist's whole value (values and separators).
pub const MAX_MEMO_CHARS: usize = 4099;

/// How the log form takes the memo, from the org's describe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MemoInput {
    /// No memo field is configured, or the org has none the user can write: no memo.
    #[default]
    None,
    /// A text field: the agent types the values.
    Text,
    /// A multi-select picklist: the agent picks among its active values, in the org's order.
    Picklist { values: Vec<String> },
}

/// Why a memo cannot be logged. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoError {
    #[error(
        "the memo value {value:?} holds a `;`, which separates the values of a multi-select picklist; give each value on its own"
    )]
    Separator { value: String },
    #[error(
        "the memo value {value:?} holds the control character U+{code:04X}; a memo value is a single line",
        code = u32::from(*.character)
    )]
    ControlCharacter { value: String, character: char },
    #[error("the memo is {chars} characters with its separators; Salesforce accepts at most {max}")]
    TooLong { chars: usize, max: usize },
    #[error(
        "the memo value {value:?} is not one of {field}'s values in this org ({allowed}); pick one of those, or ask your Salesforce admin to add it"
    )]
    UnknownValue {
        value: String,
        field: String,
        allowed: String,
    },
    #[error(
        "the memo has values, but this org has no memo field the user can write ([logging.call_log] memo = {field:?} on {object}); remove the memo or ask your admin"
    )]
    NoField { object: String, field: String },
}

/// Checks what can be checked without the org: each value one line without `;`, and the
/// joined value within Salesforce's limit.
pub fn check_memo_text(values: &[String]) -> Result<(), MemoError> {
    for value in values {
        if value.contains(SEPARATOR) {
            return Err(MemoError::Separator {
                value: value.clone(),
            });
        }
        if let Some(character) = value.chars().find(|c| c.is_control()) {
            return Err(MemoError::ControlCharacter {
                value: value.clone(),
                character,
            });
        }
    }
    let chars = joined(values).map(|j| j.chars().count()).unwrap_or(0);
    if chars > MAX_MEMO_CHARS {
        return Err(MemoError::TooLong {
            chars,
            max: MAX_MEMO_CHARS,
        });
    }
    Ok(())
}

/// The field value: the values joined by `;`, each once, in the order given; `None` when
/// there are none (an update never blanks a memo it was not given).
pub fn joined(values: &[String]) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for value in values {
        if !seen.contains(&value.as_str()) {
            seen.push(value);
        }
    }
    (!seen.is_empty()).then(|| seen.join(";"))
}

/// How the form takes the memo for this org's call-log describe.
pub fn memo_input(logging: &LoggingSettings, call_log: &SObjectDescribe) -> MemoInput {
    let name = &logging.call_log.memo;
    if name.is_empty() {
        return MemoInput::None;
    }
    let Some(field) = call_log
        .field(name)
        .filter(|f| f.createable || f.updateable)
    else {
        return MemoInput::None;
    };
    if field.field_type == FieldType::MultiPicklist {
        MemoInput::Picklist {
            values: field.active_picklist_values().map(str::to_owned).collect(),
        }
    } else {
        MemoInput::Text
    }
}

/// Checks a log's memo against the org's describe before it is queued: with a multi-select
/// picklist each value must be one of its active values (the org would refuse the whole
/// log otherwise, and the agent is there now to pick again); text is taken as it is.
pub fn check_memo(
    values: &[String],
    logging: &LoggingSettings,
    call_log: &SObjectDescribe,
) -> Result<(), MemoError> {
    check_memo_text(values)?;
    if values.is_empty() {
        return Ok(());
    }
    match memo_input(logging, call_log) {
        MemoInput::None => Err(MemoError::NoField {
            object: logging.call_log.object.clone(),
            field: logging.call_log.memo.clone(),
        }),
        MemoInput::Text => Ok(()),
        MemoInput::Picklist { values: allowed } => {
            match values.iter().find(|v| !allowed.contains(v)) {
                Some(value) => Err(MemoError::UnknownValue {
                    value: value.clone(),
                    field: format!("{}.{}", logging.call_log.object, logging.call_log.memo),
                    allowed: allowed.join(", "),
                }),
                None => Ok(()),
            }
        }
    }
}

/// Whether a log's memo was checked against the org before queueing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoCheck {
    /// No memo, or its values are the field's (or the field is text).
    Checked,
    /// The describe could not be read (offline, Salesforce down): the log is queued
    /// anyway, since logging never waits on Salesforce; a value the org refuses then
    /// becomes a dead letter saying why, replayable after the memo is fixed.
    Unchecked { reason: String },
}

/// [`check_memo`] with the call-log describe from `describes` (cached, so the form's
/// options already fetched it): a refused value is an error before anything is queued.
pub async fn check_memo_with_org(
    values: &[String],
    logging: &LoggingSettings,
    describes: &crate::describe_cache::DescribeCache,
) -> Result<MemoCheck, MemoError> {
    check_memo_text(values)?;
    if values.is_empty() {
        return Ok(MemoCheck::Checked);
    }
    match describes.describe(&logging.call_log.object).await {
        Ok(describe) => check_memo(values, logging, &describe).map(|()| MemoCheck::Checked),
        Err(err) => {
            tracing::warn!(%err, "the memo could not be checked against the org; queued unchecked");
            Ok(MemoCheck::Unchecked {
                reason: err.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(memo_type: &str) -> SObjectDescribe {
        serde_json::from_value(serde_json::json!({
            "name": "Call_Log__c",
            "label": "Call Log",
            "fields": [{
                "name": "Memo__c",
                "label": "Memo",
                "type": memo_type,
                "createable": true,
                "updateable": true,
                "picklistValues": if memo_type == "multipicklist" {
                    serde_json::json!([
                        {"value": "Pricing", "active": true},
                        {"value": "Demo requested", "active": true},
                        {"value": "Retired", "active": false}
                    ])
                } else {
                    serde_json::json!([])
                }
            }]
        }))
        .expect("a describe")
    }

    fn settings() -> LoggingSettings {
        let mut s = LoggingSettings::default();
        s.call_log.memo = "Memo__c".into();
        s
    }

    fn v(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_multi_select_memo_offers_active_values_and_refuses_others_in_words() {
        let d = describe("multipicklist");
        assert_eq!(
            memo_input(&settings(), &d),
            MemoInput::Picklist {
                values: v(&["Pricing", "Demo requested"])
            }
        );
        check_memo(&v(&["Pricing", "Demo requested"]), &settings(), &d).expect("listed");
        for bad in ["Golf", "Retired", "pricing"] {
            let err = check_memo(&v(&["Pricing", bad]), &settings(), &d).expect_err(bad);
            let words = err.to_string();
            assert!(
                words.contains(bad) && words.contains("Call_Log__c.Memo__c"),
                "{words}"
            );
            assert!(words.contains("Pricing, Demo requested"), "{words}");
        }
    }

    #[test]
    fn a_text_memo_takes_any_single_line_values_and_no_field_means_no_memo() {
        let d = describe("textarea");
        assert_eq!(memo_input(&settings(), &d), MemoInput::Text);
        check_memo(&v(&["anything"]), &settings(), &d).expect("text is free");
        assert_eq!(memo_input(&LoggingSettings::default(), &d), MemoInput::None);
        check_memo(&[], &LoggingSettings::default(), &d).expect("no memo, nothing to check");
        let err = check_memo(&v(&["x"]), &LoggingSettings::default(), &d).expect_err("no field");
        assert!(matches!(err, MemoError::NoField { .. }), "{err}");
    }

    #[test]
    fn values_are_joined_by_semicolons_once_each_and_a_semicolon_inside_one_is_refused() {
        assert_eq!(
            joined(&v(&["Pricing", "Demo requested", "Pricing"])).as_deref(),
            Some("Pricing;Demo requested")
        );
        assert_eq!(joined(&[]), None);
        assert!(matches!(
            check_memo_text(&v(&["a;b"])),
            Err(MemoError::Separator { .. })
        ));
        assert!(matches!(
            check_memo_text(&v(&["a\nb"])),
            Err(MemoError::ControlCharacter { .. })
        ));
        assert!(matches!(
            check_memo_text(&["x".repeat(4100)]),
            Err(MemoError::TooLong { .. })
        ));
    }
}
