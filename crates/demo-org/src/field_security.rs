//! Field-level security for the demo org's one user: fields a test hides (a fault,
//! [`crate::faults::Faults::hide_field`], or `{"kind": "hide_field", "object": "Task",
//! "field": "Type"}` on `/__demo/faults`) behave as Salesforce behaves for a field the user's
//! profile cannot see:
//! - describe leaves the field out;
//! - a SOQL query naming it, a read asking for it with `?fields=`, and a write setting it
//!   (REST, composite subrequests, graphs, sObject collections) answer `400 INVALID_FIELD`
//!   ("No such column …"); used as the key of a request by external id
//!   (`sobjects/X/Field/value`) it answers `404 NOT_FOUND` "Provided external ID field does
//!   not exist or is not accessible", as for a field that is no External ID;
//! - records in any answer (reads, query rows, composite results) do not carry it.
//!
//! Applied around [`crate::rest::dispatch`], so composite subrequests are checked one by one.
//! With nothing hidden (the default) nothing is done. A demo org started with
//! `RINGSIDE_DEMO_HIDDEN_FIELDS=Task.Type,Contact.Title` in its environment starts with those
//! fields hidden (how the CLI's built-in demo org and `ringside demo-org serve` are given
//! an FLS problem to report).

use serde_json::Value;

use crate::api_error::ApiError;
use crate::faults::Faults;
use crate::org::Org;

/// The environment variable listing fields hidden from the start (`Object.Field,…`).
pub const HIDDEN_FIELDS_ENV: &str = "RINGSIDE_DEMO_HIDDEN_FIELDS";

/// Hides the fields [`HIDDEN_FIELDS_ENV`] lists; malformed entries are skipped (and logged).
pub(crate) fn hide_from_env(faults: &Faults) {
    let Ok(list) = std::env::var(HIDDEN_FIELDS_ENV) else {
        return;
    };
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('.') {
            Some((object, field)) if !object.is_empty() && !field.is_empty() => {
                faults.hide_field(object, field);
                tracing::info!(object, field, "field hidden from the demo user");
            }
            _ => tracing::warn!(entry, "{HIDDEN_FIELDS_ENV}: expected Object.Field"),
        }
    }
}
use crate::rest::{Answer, Call};

/// The `400 INVALID_FIELD` answer for a request that names a hidden field, if it does.
pub(crate) fn refuse(org: &Org, call: &Call) -> Option<Answer> {
    let hidden = org.faults.hidden_fields();
    if hidden.is_empty() {
        return None;
    }
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let no_such = |object: &str, field: &str| -> Answer {
        ApiError::bad_request(
            "INVALID_FIELD",
            format!(
                "No such column '{field}' on sobject of type {object}. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name."
            ),
        )
        .into()
    };
    match segs.as_slice() {
        // A hidden field as the key of a read, upsert or delete by external id: Salesforce
        // answers as for a field that is no External ID at all.
        ["sobjects", object, field, _]
            if hidden
                .iter()
                .any(|(o, f)| o.eq_ignore_ascii_case(object) && f.eq_ignore_ascii_case(field)) =>
        {
            Some(
                ApiError::new(
                    404,
                    "NOT_FOUND",
                    format!(
                        "Provided external ID field does not exist or is not accessible: {field}"
                    ),
                )
                .into(),
            )
        }
        ["sobjects", object, ..] => {
            for (o, field) in hidden
                .iter()
                .filter(|(o, _)| o.eq_ignore_ascii_case(object))
            {
                let asked = call.param("fields").is_some_and(|list| {
                    list.split(',')
                        .any(|f| f.trim().eq_ignore_ascii_case(field))
                });
                let written = call
                    .body
                    .as_ref()
                    .and_then(Value::as_object)
                    .is_some_and(|body| body.keys().any(|k| k.eq_ignore_ascii_case(field)));
                if asked || written {
                    return Some(no_such(o, field));
                }
            }
            None
        }
        ["query"] | ["queryAll"] => {
            let soql = call.param("q")?;
            hidden
                .iter()
                .find(|(object, field)| names_field(soql, object, field))
                .map(|(object, field)| no_such(object, field))
        }
        ["composite", "sobjects"] => {
            let records = call.body.as_ref()?.get("records")?.as_array()?;
            for record in records {
                let Some(object) = record.pointer("/attributes/type").and_then(Value::as_str)
                else {
                    continue;
                };
                let Some(fields) = record.as_object() else {
                    continue;
                };
                if let Some((o, f)) = hidden.iter().find(|(o, f)| {
                    o.eq_ignore_ascii_case(object)
                        && fields.keys().any(|k| k.eq_ignore_ascii_case(f))
                }) {
                    return Some(no_such(o, f));
                }
            }
            None
        }
        _ => None,
    }
}

/// Takes hidden fields out of an answer's records and describes.
pub(crate) fn hide(org: &Org, call: &Call, mut answer: Answer) -> Answer {
    let hidden = org.faults.hidden_fields();
    if hidden.is_empty() {
        return answer;
    }
    let Some(body) = answer.body.as_mut() else {
        return answer;
    };
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    if let ["sobjects", object, "describe"] = segs.as_slice()
        && let Some(fields) = body.get_mut("fields").and_then(Value::as_array_mut)
    {
        fields.retain(|f| {
            let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
            !hidden
                .iter()
                .any(|(o, h)| o.eq_ignore_ascii_case(object) && h.eq_ignore_ascii_case(name))
        });
    }
    strip(body, &hidden);
    answer
}

/// Removes hidden fields from every record (an object with `attributes.type`) in `value`.
fn strip(value: &mut Value, hidden: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            let object = map
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(object) = object {
                map.retain(|key, _| {
                    !hidden.iter().any(|(o, f)| {
                        o.eq_ignore_ascii_case(&object) && f.eq_ignore_ascii_case(key)
                    })
                });
            }
            for child in map.values_mut() {
                strip(child, hidden);
            }
        }
        Value::Array(items) => {
            for item in items {
                strip(item, hidden);
            }
        }
        _ => {}
    }
}

/// Whether `soql` names `field` (as a word) in a query on `object` (`FROM object`).
fn names_field(soql: &str, object: &str, field: &str) -> bool {
    let words: Vec<String> = soql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let on_object = words
        .windows(2)
        .any(|w| w[0] == "from" && w[1] == object.to_ascii_lowercase());
    on_object && words.iter().any(|w| *w == field.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::names_field;

    #[test]
    fn a_query_names_a_field_only_as_a_word_on_its_object() {
        assert!(names_field(
            "SELECT Id, Type FROM Task WHERE Id = 'x'",
            "Task",
            "Type"
        ));
        assert!(!names_field(
            "SELECT Id, TaskSubtype FROM Task",
            "Task",
            "Type"
        ));
        assert!(!names_field("SELECT Id, Type FROM Account", "Task", "Type"));
    }
}
