//! Object permissions for the demo org's user: objects a test hides (a fault,
//! [`crate::faults::Faults::hide_object`], `{"kind": "hide_object", "object": "Lead"}` on
//! `/__demo/faults`, or `RINGSIDE_DEMO_HIDDEN_OBJECTS=Lead,Case` at start) behave as Salesforce
//! behaves for an object the user's profile and permission sets give no Read on:
//! - describeGlobal (`GET sobjects`) leaves it out;
//! - its sObject resources (describe, rows, create, upsert) answer `404 NOT_FOUND`
//!   ("The requested resource does not exist");
//! - a SOQL query `FROM` it, a SOSL search `RETURNING` it and an sObject Collections record of
//!   its type answer `400 INVALID_TYPE` ("sObject type 'Lead' is not supported. …"), the
//!   answer Salesforce gives for a type the user cannot see — for SOSL the whole search is
//!   refused, not just that object left out.
//!
//! See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>
//! (NOT_FOUND for a resource that does not exist for this user) and the INVALID_TYPE status code
//! of <https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode>.
//! Applied around [`crate::rest::dispatch`] like field-level security, so composite
//! subrequests are checked one by one. With nothing hidden (the default) nothing is done.

use serde_json::Value;

use crate::api_error::ApiError;
use crate::faults::Faults;
use crate::org::Org;
use crate::rest::{Answer, Call};

/// The environment variable listing objects hidden from the start (`Lead,Case`).
pub const HIDDEN_OBJECTS_ENV: &str = "RINGSIDE_DEMO_HIDDEN_OBJECTS";

/// Hides the objects [`HIDDEN_OBJECTS_ENV`] lists.
pub(crate) fn hide_from_env(faults: &Faults) {
    let Ok(list) = std::env::var(HIDDEN_OBJECTS_ENV) else {
        return;
    };
    for object in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        faults.hide_object(object);
        tracing::info!(object, "object hidden from the demo user");
    }
}

fn invalid_type(object: &str) -> Answer {
    ApiError::bad_request(
        "INVALID_TYPE",
        format!(
            "sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
    .into()
}

/// The refusal for a request that touches a hidden object, if it does.
pub(crate) fn refuse(org: &Org, call: &Call) -> Option<Answer> {
    let hidden = org.faults.hidden_objects();
    if hidden.is_empty() {
        return None;
    }
    let is_hidden = |name: &str| hidden.iter().any(|h| h.eq_ignore_ascii_case(name));
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["sobjects", object, ..] if is_hidden(object) => Some(ApiError::not_found().into()),
        ["query"] | ["queryAll"] => {
            let soql = call.param("q")?;
            from_objects(soql)
                .into_iter()
                .find(|o| is_hidden(o))
                .map(|o| invalid_type(&o))
        }
        ["search"] => {
            let sosl = call.param("q")?;
            returning_objects(sosl)
                .into_iter()
                .find(|o| is_hidden(o))
                .map(|o| invalid_type(&o))
        }
        ["composite", "sobjects"] => {
            let records = call.body.as_ref()?.get("records")?.as_array()?;
            records
                .iter()
                .filter_map(|r| r.pointer("/attributes/type").and_then(Value::as_str))
                .find(|t| is_hidden(t))
                .map(invalid_type)
        }
        _ => None,
    }
}

/// Leaves hidden objects out of describeGlobal.
pub(crate) fn hide(org: &Org, call: &Call, mut answer: Answer) -> Answer {
    let hidden = org.faults.hidden_objects();
    if hidden.is_empty() || call.segments.len() != 1 || call.segments[0] != "sobjects" {
        return answer;
    }
    if let Some(list) = answer
        .body
        .as_mut()
        .and_then(|b| b.get_mut("sobjects"))
        .and_then(Value::as_array_mut)
    {
        list.retain(|o| {
            let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
            !hidden.iter().any(|h| h.eq_ignore_ascii_case(name))
        });
    }
    answer
}

/// The words right after each `FROM` of a SOQL statement (subqueries included).
fn from_objects(soql: &str) -> Vec<String> {
    let words: Vec<&str> = soql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[0].eq_ignore_ascii_case("from"))
        .map(|w| w[1].to_owned())
        .collect()
}

/// The object names of a SOSL `RETURNING` clause: the names at parenthesis depth 0 after
/// `RETURNING`, skipping the `FIND {…}` term (where the word may appear as search text).
fn returning_objects(sosl: &str) -> Vec<String> {
    let mut rest = sosl;
    // Skip the braced search term, honouring backslash escapes inside it.
    if let Some(open) = rest.find('{') {
        let mut escaped = false;
        let mut close = None;
        for (i, c) in rest[open + 1..].char_indices() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '}') => {
                    close = Some(open + 1 + i + 1);
                    break;
                }
                _ => {}
            }
        }
        rest = close.map_or("", |end| &rest[end..]);
    }
    let upper = rest.to_ascii_uppercase();
    let Some(at) = upper.find("RETURNING") else {
        return Vec::new();
    };
    let clause = &rest[at + "RETURNING".len()..];
    let mut objects = Vec::new();
    let mut depth = 0usize;
    let mut word = String::new();
    let mut expect_name = true;
    for c in clause.chars().chain(std::iter::once(' ')) {
        match c {
            '(' => {
                if depth == 0 && expect_name && !word.is_empty() {
                    objects.push(std::mem::take(&mut word));
                    expect_name = false;
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                if expect_name && !word.is_empty() {
                    objects.push(std::mem::take(&mut word));
                }
                word.clear();
                expect_name = true;
            }
            c if depth == 0 && (c.is_ascii_alphanumeric() || c == '_') => word.push(c),
            _ if depth == 0 => {
                if !word.is_empty() {
                    if expect_name {
                        objects.push(std::mem::take(&mut word));
                        expect_name = false;
                    } else {
                        // A clause after the list (LIMIT, WITH, …) ends it.
                        break;
                    }
                }
                word.clear();
            }
            _ => {}
        }
    }
    objects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returning_objects_are_read_outside_the_search_term() {
        assert_eq!(
            returning_objects(
                "FIND {\"Lead\\} RETURNING Lead\"} IN PHONE FIELDS RETURNING Contact(Id, Name WHERE X = 'a' ORDER BY Id LIMIT 5), Lead(Id), Account LIMIT 10"
            ),
            ["Contact", "Lead", "Account"]
        );
        assert_eq!(returning_objects("FIND {x} RETURNING Account"), ["Account"]);
        assert!(
            returning_objects("FIND {Lead}").is_empty(),
            "no RETURNING, no objects"
        );
    }

    #[test]
    fn from_objects_include_subqueries() {
        assert_eq!(
            from_objects("SELECT Id, (SELECT Id FROM Cases) FROM Contact WHERE Name = 'from'"),
            ["Cases", "Contact"]
        );
    }
}
