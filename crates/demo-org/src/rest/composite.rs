//! `POST composite` (≤ 25 subrequests, `@{ref.path}` references, `allOrNone` rollback),
//! `POST composite/graph` (≤ 500 nodes, each graph all-or-nothing) and
//! `POST composite/sobjects` (create up to 200 records in one call).
//!
//! A composite is one API call however many subrequests it holds. It answers HTTP 200
//! even when subrequests fail; each subresponse carries its own `httpStatusCode`.
//! With `allOrNone`, the first failure stops processing, the store is restored to its
//! state before the composite, and every other subrequest reports PROCESSING_HALTED.
//! Without it, subrequests that reference a failed one are not run (PROCESSING_HALTED),
//! the others run normally.

use super::{Answer, Call, dispatch, parse_path, parse_query_string};
use crate::api_error::ApiError;
use crate::org::Org;
use crate::schema;
use crate::store::Store;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Salesforce's cap on `/composite` subrequests.
pub const MAX_SUBREQUESTS: usize = 25;
/// Salesforce's cap on nodes in one `/composite/graph` call.
pub const MAX_GRAPH_NODES: usize = 500;
/// Salesforce's cap on graphs in one `/composite/graph` call.
pub const MAX_GRAPHS: usize = 75;
/// After this many failed graphs Salesforce halts the rest of the payload
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm>).
pub const MAX_GRAPH_FAILURES: usize = 14;
/// Salesforce's cap on records in one `/composite/sobjects` call.
pub const MAX_COLLECTION: usize = 200;

const ROLLED_BACK: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

fn halted(message: String) -> Value {
    json!([{"errorCode": "PROCESSING_HALTED", "message": message}])
}

/// Looks up `ref.path.to[0].Field` in earlier results.
fn resolve_reference(expr: &str, results: &HashMap<String, (u16, Value)>) -> Result<Value, String> {
    let (reference, path) = expr.split_once('.').unwrap_or((expr, ""));
    let reference = reference.split('[').next().unwrap_or(reference);
    let Some((status, body)) = results.get(reference) else {
        return Err(format!(
            "Invalid reference specified. No value for {expr} found in {reference}. Provided referenceId ('{reference}') is not defined before this subrequest."
        ));
    };
    if !(200..300).contains(status) {
        return Err(format!(
            "Invalid reference specified. No value for {expr} found in {reference}. Provided referenceId ('{reference}') is valid but its result was not successful."
        ));
    }
    let mut current = body.clone();
    let rest = &expr[reference.len()..];
    let mut segments: Vec<String> = Vec::new();
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next().filter(|n| !n.is_empty()) {
            segments.push(name.to_owned());
        }
        for idx in pieces {
            segments.push(format!("[{}", idx.trim_end_matches(']')));
        }
    }
    let _ = path;
    for seg in segments {
        current = match seg.strip_prefix('[') {
            Some(i) => i
                .parse::<usize>()
                .ok()
                .and_then(|i| current.get(i).cloned()),
            None => current.get(&seg).cloned(),
        }
        .ok_or_else(|| {
            format!("Invalid reference specified. No value for {expr} found in {reference}.")
        })?;
    }
    Ok(current)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces every `@{…}` in a string.
fn substitute_str(s: &str, results: &HashMap<String, (u16, Value)>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("Invalid reference specified: unterminated '@{{' in {s}"))?;
        out.push_str(&value_text(&resolve_reference(&after[..end], results)?));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute(v: &Value, results: &HashMap<String, (u16, Value)>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute_str(s, results)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute(x, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), substitute(x, results)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

struct Sub {
    method: String,
    url: String,
    reference_id: String,
    body: Option<Value>,
    headers: Option<Value>,
}

fn parse_subrequests(body: &Value, max: usize) -> Result<(bool, Vec<Sub>), ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::json_parser("The composite request body must be a JSON object"))?;
    let all_or_none = match obj.get("allOrNone") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::json_parser("allOrNone must be a boolean")),
    };
    let list = obj
        .get("compositeRequest")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::json_parser("compositeRequest is required and must be a list"))?;
    if list.is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_API_INPUT",
            "compositeRequest must contain at least one subrequest",
        ));
    }
    if list.len() > max {
        return Err(ApiError::bad_request(
            "LIMIT_EXCEEDED",
            format!(
                "A composite request can contain at most {max} subrequests; this one has {}",
                list.len()
            ),
        ));
    }
    let mut subs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for item in list {
        let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        let method = field("method")
            .ok_or_else(|| ApiError::json_parser("Each subrequest needs a method"))?
            .to_ascii_uppercase();
        let url =
            field("url").ok_or_else(|| ApiError::json_parser("Each subrequest needs a url"))?;
        let reference_id = field("referenceId")
            .ok_or_else(|| ApiError::json_parser("Each subrequest needs a referenceId"))?;
        if reference_id.is_empty()
            || !reference_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            || reference_id.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!("Invalid referenceId: {reference_id}"),
            ));
        }
        if !seen.insert(reference_id.clone()) {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!("Duplicate referenceId provided in the request: {reference_id}"),
            ));
        }
        if !matches!(method.as_str(), "GET" | "POST" | "PATCH" | "PUT" | "DELETE") {
            return Err(ApiError::bad_request(
                "INVALID_API_INPUT",
                format!("Invalid method for subrequest {reference_id}: {method}"),
            ));
        }
        subs.push(Sub {
            method,
            url,
            reference_id,
            body: item.get("body").cloned(),
            headers: item.get("httpHeaders").cloned(),
        });
    }
    Ok((all_or_none, subs))
}

/// A header from a subrequest's `httpHeaders`, matched case-insensitively.
fn sub_header(sub: &Sub, name: &str) -> Option<String> {
    sub.headers
        .as_ref()?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().map(str::to_owned))
}

fn run_sub(
    org: &Org,
    store: &mut Store,
    call: &Call,
    sub: &Sub,
    results: &HashMap<String, (u16, Value)>,
    now_ms: i64,
) -> Answer {
    let url = match substitute_str(&sub.url, results) {
        Ok(u) => u,
        Err(message) => return Answer::json(400, halted(message)),
    };
    let body = match sub
        .body
        .as_ref()
        .map(|b| substitute(b, results))
        .transpose()
    {
        Ok(b) => b,
        Err(message) => return Answer::json(400, halted(message)),
    };
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let (version, segments) = match parse_path(path) {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    let sub_call = Call {
        method: sub.method.clone(),
        version,
        segments,
        params: parse_query_string(query),
        batch_size: call.batch_size,
        if_unmodified_since: sub_header(sub, "If-Unmodified-Since"),
        if_modified_since: sub_header(sub, "If-Modified-Since"),
        if_match: sub_header(sub, "If-Match"),
        if_none_match: sub_header(sub, "If-None-Match"),
        body,
        user_id: call.user_id.clone(),
    };
    dispatch(org, store, &sub_call, now_ms, false)
}

/// `POST composite`.
pub fn composite(org: &Org, store: &mut Store, call: &Call, now_ms: i64) -> Answer {
    let Some(body) = call.body.as_ref() else {
        return ApiError::json_parser("The composite request body is missing").into();
    };
    let (all_or_none, subs) = match parse_subrequests(body, MAX_SUBREQUESTS) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    let (items, _) = run_all(org, store, call, all_or_none, &subs, now_ms);
    Answer::json(200, json!({"compositeResponse": items}))
}

/// Runs subrequests in order; returns the subresponses and whether all succeeded.
fn run_all(
    org: &Org,
    store: &mut Store,
    call: &Call,
    all_or_none: bool,
    subs: &[Sub],
    now_ms: i64,
) -> (Vec<Value>, bool) {
    let snapshot = all_or_none.then(|| store.clone());
    let mut results: HashMap<String, (u16, Value)> = HashMap::new();
    let mut answers: Vec<Option<Answer>> = Vec::new();
    let mut failed_at = None;
    let mut all_ok = true;
    for (i, sub) in subs.iter().enumerate() {
        let answer = run_sub(org, store, call, sub, &results, now_ms);
        let ok = (200..300).contains(&answer.status);
        all_ok &= ok;
        results.insert(
            sub.reference_id.clone(),
            (answer.status, answer.body.clone().unwrap_or(Value::Null)),
        );
        answers.push(Some(answer));
        if !ok && all_or_none {
            failed_at = Some(i);
            break;
        }
    }
    if let (Some(failed), Some(snapshot)) = (failed_at, snapshot) {
        *store = snapshot;
        answers.resize(subs.len(), None);
        for (i, a) in answers.iter_mut().enumerate() {
            if i != failed {
                *a = Some(Answer::json(400, halted(ROLLED_BACK.to_owned())));
            }
        }
    }
    let items = subs
        .iter()
        .zip(answers)
        .map(|(sub, answer)| {
            let answer = answer.unwrap_or_else(|| Answer::json(400, halted(ROLLED_BACK.to_owned())));
            let mut headers = json!({});
            if let Some(loc) = &answer.location {
                headers["Location"] = json!(loc);
            }
            if let Some(tag) = &answer.etag {
                headers["ETag"] = json!(tag);
            }
            json!({"body": answer.body.unwrap_or(Value::Null), "httpHeaders": headers, "httpStatusCode": answer.status, "referenceId": sub.reference_id})
        })
        .collect();
    (items, all_ok)
}

/// `POST composite/graph`: `{"graphs":[{"graphId","compositeRequest":[…]}]}`. Each graph
/// is all-or-nothing on its own; the answer lists every graph with `isSuccessful`.
pub fn graph(org: &Org, store: &mut Store, call: &Call, now_ms: i64) -> Answer {
    let mut run = || -> Result<Answer, ApiError> {
        let graphs = call
            .body
            .as_ref()
            .and_then(|b| b.get("graphs"))
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::json_parser("graphs is required and must be a list"))?;
        if graphs.len() > MAX_GRAPHS {
            return Err(ApiError::bad_request(
                "LIMIT_EXCEEDED",
                format!(
                    "A graph request can contain at most {MAX_GRAPHS} graphs; this one has {}",
                    graphs.len()
                ),
            ));
        }
        let mut parsed = Vec::new();
        let mut nodes = 0;
        for g in graphs {
            let id = g
                .get("graphId")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::json_parser("Each graph needs a graphId"))?;
            let (_, subs) = parse_subrequests(
                &json!({"compositeRequest": g.get("compositeRequest").cloned().unwrap_or(Value::Null)}),
                MAX_GRAPH_NODES,
            )?;
            nodes += subs.len();
            parsed.push((id.to_owned(), subs));
        }
        if nodes > MAX_GRAPH_NODES {
            return Err(ApiError::bad_request(
                "LIMIT_EXCEEDED",
                format!(
                    "A graph request can contain at most {MAX_GRAPH_NODES} nodes; this one has {nodes}"
                ),
            ));
        }
        let mut failures = 0;
        let out: Vec<Value> = parsed
            .iter()
            .map(|(id, subs)| {
                if failures > MAX_GRAPH_FAILURES {
                    // Past the failure limit the remaining graphs are not run at all.
                    let items: Vec<Value> = subs
                        .iter()
                        .map(|sub| json!({"body": halted("The graph was not processed because too many graphs in this request failed.".to_owned()), "httpHeaders": {}, "httpStatusCode": 400, "referenceId": sub.reference_id}))
                        .collect();
                    return json!({"graphId": id, "graphResponse": {"compositeResponse": items}, "isSuccessful": false});
                }
                let (items, ok) = run_all(org, store, call, true, subs, now_ms);
                if !ok {
                    failures += 1;
                }
                json!({"graphId": id, "graphResponse": {"compositeResponse": items}, "isSuccessful": ok})
            })
            .collect();
        Ok(Answer::json(200, json!({"graphs": out})))
    };
    run().unwrap_or_else(Answer::from)
}

/// `POST composite/sobjects`: `{"allOrNone", "records":[{"attributes":{"type"}, …}]}` →
/// a list of `{"id","success","errors"}`, one per record, in order.
pub fn collection_create(store: &mut Store, call: &Call, now_ms: i64) -> Answer {
    let mut run = || -> Result<Answer, ApiError> {
        let body = call
            .body
            .as_ref()
            .and_then(Value::as_object)
            .ok_or_else(|| ApiError::json_parser("The request body must be a JSON object"))?;
        let all_or_none = body
            .get("allOrNone")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let records = body
            .get("records")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::json_parser("records is required and must be a list"))?;
        if records.len() > MAX_COLLECTION {
            return Err(ApiError::bad_request(
                "EXCEEDED_ID_LIMIT",
                format!(
                    "record limit reached. cannot submit more than {MAX_COLLECTION} records into this call"
                ),
            ));
        }
        let snapshot = all_or_none.then(|| store.clone());
        let mut out = Vec::new();
        let mut any_failed = false;
        for record in records {
            let result = (|| {
                let ty = record
                    .pointer("/attributes/type")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "INVALID_TYPE",
                            "Must specify a type in attributes for every record",
                        )
                    })?;
                let object = schema::object(ty).ok_or_else(|| {
                    ApiError::bad_request(
                        "INVALID_TYPE",
                        format!("sObject type '{ty}' is not supported."),
                    )
                })?;
                store.create(object, record, now_ms)
            })();
            match result {
                Ok(id) => out.push(json!({"id": id, "success": true, "errors": []})),
                Err(e) => {
                    any_failed = true;
                    out.push(json!({"success": false, "errors": [{"statusCode": e.code, "message": e.message, "fields": e.fields}]}));
                }
            }
        }
        if any_failed && let Some(snapshot) = snapshot {
            *store = snapshot;
            for item in out.iter_mut().filter(|i| i["success"] == json!(true)) {
                *item = json!({"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": "Record rolled back because not all records were valid and the request was using AllOrNone header", "fields": []}]});
            }
        }
        Ok(Answer::json(200, Value::Array(out)))
    };
    run().unwrap_or_else(Answer::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_into_nested_values() {
        let mut results = HashMap::new();
        results.insert("acct".to_owned(), (201, json!({"id": "001X"})));
        results.insert(
            "q".to_owned(),
            (200, json!({"records": [{"Id": "003Y", "n": 5}]})),
        );
        assert_eq!(
            substitute_str("/x/@{acct.id}", &results).as_deref(),
            Ok("/x/001X"),
            "simple reference"
        );
        assert_eq!(
            substitute_str("@{q.records[0].Id}", &results).as_deref(),
            Ok("003Y"),
            "indexed reference"
        );
        assert_eq!(
            substitute_str("@{q.records[0].n}", &results).as_deref(),
            Ok("5"),
            "numbers become text"
        );
        assert!(
            substitute_str("@{nope.id}", &results).is_err(),
            "unknown reference"
        );
        assert!(
            substitute_str("@{q.records[9].Id}", &results).is_err(),
            "index out of range"
        );
        assert!(
            substitute_str("@{acct.id", &results).is_err(),
            "unterminated reference"
        );
    }
}
