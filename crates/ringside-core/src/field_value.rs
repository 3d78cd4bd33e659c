//! Text an agent (or an admin) typed for a field, checked against that field's describe
//! and turned into the JSON value Salesforce expects. The same rules serve edits and
//! intent values, so a value that passes here is one Salesforce accepts on type and length.

use salesforce::{FieldDescribe, FieldType};
use serde_json::{Value, json};

/// Checks `raw` for `field`; the error says why, in words, without repeating the value
/// (it may be a long note).
pub fn check_value(field: &FieldDescribe, raw: &str) -> Result<Value, String> {
    if raw.is_empty() {
        return if field.nillable {
            Ok(Value::Null)
        } else {
            Err("cannot be empty".into())
        };
    }
    let t = &field.field_type;
    match t {
        FieldType::String
        | FieldType::TextArea
        | FieldType::Phone
        | FieldType::Url
        | FieldType::Combobox
        | FieldType::EncryptedString => text(field, raw),
        FieldType::Email => {
            if !is_email(raw) {
                return Err("is not an email address (name@example.com)".into());
            }
            text(field, raw)
        }
        FieldType::Picklist => picklist_value(field, raw).map(Value::from),
        FieldType::MultiPicklist => {
            let values = raw
                .split(';')
                .map(|v| picklist_value(field, v.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(json!(values.join(";")))
        }
        FieldType::Boolean => match raw.to_ascii_lowercase().as_str() {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err("must be true or false".into()),
        },
        FieldType::Int | FieldType::Long => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "must be a whole number".to_owned()),
        FieldType::Double | FieldType::Currency | FieldType::Percent => raw
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::from)
            .ok_or_else(|| "must be a number such as 12.5".to_owned()),
        FieldType::Date => {
            if crate::time::parse_date(raw).is_some() {
                Ok(json!(raw))
            } else {
                Err("must be a date written YYYY-MM-DD, e.g. 2026-03-31".into())
            }
        }
        FieldType::DateTime => {
            if crate::time::is_datetime(raw) {
                Ok(json!(raw))
            } else {
                Err("must be a date and time written YYYY-MM-DDTHH:MM:SSZ, e.g. 2026-03-31T14:30:00Z".into())
            }
        }
        FieldType::Reference => salesforce::validate_record_id(raw)
            .map(|()| json!(raw))
            .map_err(|_| "must be a Salesforce record id (15 or 18 letters and digits)".into()),
        other => Err(format!(
            "is a {} field, which Ringside does not write",
            other.as_str()
        )),
    }
}

/// Whether Ringside knows how to write values of this type ([`check_value`] accepts some).
pub fn is_writable_type(t: &FieldType) -> bool {
    matches!(
        t,
        FieldType::String
            | FieldType::TextArea
            | FieldType::Phone
            | FieldType::Url
            | FieldType::Combobox
            | FieldType::EncryptedString
            | FieldType::Email
            | FieldType::Picklist
            | FieldType::MultiPicklist
            | FieldType::Boolean
            | FieldType::Int
            | FieldType::Long
            | FieldType::Double
            | FieldType::Currency
            | FieldType::Percent
            | FieldType::Date
            | FieldType::DateTime
            | FieldType::Reference
    )
}

fn text(field: &FieldDescribe, raw: &str) -> Result<Value, String> {
    // A text area may hold line breaks and tabs; a single-line field nothing invisible.
    // Either way no other control character (`char::is_control`: C0, DEL and C1): an ESC or a C1 code would reach every
    // terminal and log the value is later printed to.
    let multi_line = field.field_type == FieldType::TextArea;
    if let Some(c) = raw
        .chars()
        .find(|&c| c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t')))
    {
        let allowed = if multi_line {
            "; only line breaks and tabs are allowed here"
        } else {
            "; a single-line field holds no line breaks, tabs or other control characters"
        };
        return Err(format!(
            "holds the control character U+{:04X}{allowed}",
            u32::from(c)
        ));
    }
    let chars = raw.chars().count();
    if field.length > 0 && chars > field.length as usize {
        return Err(format!(
            "is {chars} characters long; this field holds at most {}",
            field.length
        ));
    }
    Ok(json!(raw))
}

fn picklist_value(field: &FieldDescribe, raw: &str) -> Result<String, String> {
    let active: Vec<&str> = field.active_picklist_values().collect();
    active
        .iter()
        .find(|v| v.eq_ignore_ascii_case(raw))
        .map(|v| (*v).to_owned())
        .ok_or_else(|| {
            format!(
                "{raw:?} is not one of the picklist values: {}",
                active.join(", ")
            )
        })
}

fn is_email(raw: &str) -> bool {
    let Some((local, domain)) = raw.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !raw.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(field_type: FieldType) -> FieldDescribe {
        serde_json::from_value(json!({
            "name": "Title", "label": "Title", "type": field_type.as_str(), "length": 255,
            "updateable": true, "nillable": true
        }))
        .expect("a describe")
    }

    #[test]
    fn text_edits_refuse_control_characters() {
        let title = field(FieldType::String);
        for bad in [
            "a\u{1b}b",
            "\u{1b}]0;pwned\u{7}",
            "a\r\nb",
            "a\tb",
            "a\u{7f}",
            "a\u{9b}2J",
        ] {
            let err = check_value(&title, bad).expect_err("a single-line field takes no controls");
            assert!(
                err.contains("control character U+"),
                "{bad:?}: the reason names the character: {err}"
            );
        }
        let err = check_value(&title, "a\u{1b}b").unwrap_err();
        assert!(err.contains("U+001B"), "ESC is named as U+001B: {err}");
        let notes = field(FieldType::TextArea);
        assert_eq!(
            check_value(&notes, "line 1\r\nline 2\tend").unwrap(),
            json!("line 1\r\nline 2\tend"),
            "a text area keeps line breaks and tabs"
        );
        assert!(
            check_value(&notes, "x\u{1b}[2J").is_err(),
            "but not ESC, even in a text area"
        );
        for fine in [
            "山田 太郎",
            "محمد العتيبي",
            "İsmail Şahin",
            "Ağaoğlu \u{200f}x",
        ] {
            assert_eq!(
                check_value(&title, fine).unwrap(),
                json!(fine),
                "{fine:?}: text in any script passes unchanged"
            );
        }
    }

    #[test]
    fn email_shape() {
        assert!(is_email("a.b@example.com"));
        for bad in ["a@b", "@x.com", "a@@x.com", "a b@x.com", "plain"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
