//! `POST composite` (≤ 25 subrequests, of which ≤ 5 query or sObject Collections operations;
//! `@{ref.path}` references; `allOrNone` rollback), `POST composite/graph` (≤ 75 graphs,
//! ≤ 500 nodes, ≤ 15 different nodes, sObject rows only, each graph all-or-nothing) and
//! `POST composite/sobjects` (create up to 200 records in one call).
//!
//! A composite is one API call however many subrequests it holds. It answers HTTP 200
//! even when subrequests fail; each subresponse carries its own `httpStatusCode`.
//! With `allOrNone`, the first failure stops processing, the store is restored to its
//! state before the composite, and every other subrequest reports PROCESSING_HALTED.
//! Without it, subrequests that reference a failed one are not run (PROCESSING_HALTED),
//! the others run normally.
//!
//! ## `allOrNone` and sObject Collections subrequests
//! Per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm>
//! a composite's `allOrNone: true` "also applies to each of the sObject Collections
//! subrequests, overriding the value of allOrNone in the subrequests": a collection
//! subrequest (`composite/sobjects`) with a failed record fails the composite, though the
//! collection itself answers 200. Its subresponse is its own answer — the docs' example
//! shows `"success": true` for the valid record, which is nonetheless rolled back — and the
//! other subrequests answer PROCESSING_HALTED. (With both flags true the page shows no
//! body: the collection's own all-or-none answer is kept the same way.) With the
//! composite's `allOrNone` false the collection follows its own flag and the composite goes
//! on. The rollback is the composite's journal ([`Store::all_or_none`]), which already
//! holds what the collection wrote.
//!
//! ## `/composite` limits
//! Per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm>
//! a composite holds at most 25 subrequests, and at most 5 of them may be query or sObject
//! Collections operations: `query` and `queryAll` (with `?q=`, and their next-page locators
//! `query/01g…`), and anything under `composite/sobjects`. A `search` is not one of them.
//! Over either limit nothing runs and the answer is HTTP 200 with a single entry whose
//! `referenceId` is null, as recorded from a real org
//! (<https://github.com/guardian/support-service-lambdas/pull/766>):
//! `{"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED","message":"The request
//! can’t contain more than 25 operations."}],"httpHeaders":{},"httpStatusCode":400,
//! "referenceId":null}]}` (for the query limit: "… more than 5 query or sObject Collections
//! operations.").
//!
//! ## References
//! `@{ref.path}` resolves against an earlier subrequest's successful body. A reference that
//! cannot be resolved — an unknown or later `referenceId`, one whose subrequest failed, an
//! index past the end (`@{q.records[9].Id}`), a field the body does not have — fails that
//! subrequest with HTTP 400 `PROCESSING_HALTED` "Invalid reference specified. No value for
//! … found in …", as real orgs answer (recorded in
//! <https://github.com/salesforce-misc/ReVoman/blob/main/src/test/resources/composite/query/resp/query-response-all-error.json>
//! and SFDO-Tooling/CumulusCI's composite tests); with `allOrNone` false the others still
//! run. The Composite Subrequest page
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_composite_subrequest.htm>)
//! lists the referenceable types: strings, numbers and booleans. **Documented choice:** the
//! docs do not say what a reference to a field whose value is null gives, so this org
//! refuses it like a missing field (the stricter reading), and refuses a reference to an
//! object or a list the same way.
//!
//! ## `/composite/graph`
//! Per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm>
//! a node may only be an sObject row: `POST sobjects/X`, `GET|PATCH|DELETE sobjects/X/{id}`,
//! and by external id `GET|PATCH|DELETE|POST sobjects/X/Field/value`. Per
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm>
//! a payload holds at most 75 graphs, 500 nodes and 15 different nodes (nodes differ by API
//! version, HTTP method or object), and after 14 failed graphs the rest are halted.
//! **Documented choices** (the docs give no answer for these): a payload over a limit is
//! refused as a whole, HTTP 400 `[{"errorCode":"LIMIT_EXCEEDED",…}]`, nothing runs; a node
//! of an unsupported kind (query, search, describe, `composite/sobjects`, limits, …) fails
//! its graph before anything in it runs: the node answers 400 `INVALID_API_INPUT`, the
//! graph's other nodes 400 `PROCESSING_HALTED`, and the graph counts as failed. The
//! maximum graph depth (15) is not modelled.

use super::{Answer, Call, dispatch, parse_path, parse_query_string};
use crate::api_error::ApiError;
use crate::org::Org;
use crate::schema;
use crate::store::Store;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Salesforce's cap on `/composite` subrequests.
pub const MAX_SUBREQUESTS: usize = 25;
/// Salesforce's cap on query, queryAll and sObject Collections subrequests in one
/// `/composite`.
pub const MAX_QUERY_OPERATIONS: usize = 5;
/// Salesforce's cap on different nodes (API version, method, object) in one
/// `/composite/graph` payload.
pub const MAX_DIFFERENT_GRAPH_NODES: usize = 15;
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

/// A whole `/composite` refused over a limit: HTTP 200 with one entry whose `referenceId`
/// is null, nothing run (see the module doc).
fn composite_limit_exceeded(message: &str) -> Answer {
    Answer::json(
        200,
        json!({"compositeResponse": [{
            "body": [{"errorCode": "LIMIT_EXCEEDED", "message": message}],
            "httpHeaders": {},
            "httpStatusCode": 400,
            "referenceId": null,
        }]}),
    )
}

/// The resource path of a subrequest URL after `/services/data/vNN.N/`, without its query
/// string, split into segments (`["query"]`, `["composite", "sobjects", "Account"]`).
fn resource_segments(url: &str) -> Vec<&str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let rest = path.strip_prefix("/services/data/").unwrap_or(path);
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    if rest.starts_with('v') {
        parts.next();
    }
    parts.collect()
}

/// Whether a subrequest counts against the 5 query or sObject Collections operations:
/// `query` / `queryAll` (a query or a next-page locator) and anything under
/// `composite/sobjects`. A `search` does not.
fn is_query_or_collection(url: &str) -> bool {
    match resource_segments(url).as_slice() {
        [first, ..]
            if first.eq_ignore_ascii_case("query") || first.eq_ignore_ascii_case("queryAll") =>
        {
            true
        }
        ["composite", "sobjects", ..] => true,
        _ => false,
    }
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
    // Only strings, numbers and booleans can be referenced; a null (the docs are silent on
    // it) is refused like a missing field, the stricter reading.
    match current {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(current),
        _ => Err(format!(
            "Invalid reference specified. No value for {expr} found in {reference}."
        )),
    }
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

fn parse_subrequests(body: &Value) -> Result<(bool, Vec<Sub>), ApiError> {
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
    // The count limits are checked before anything else and refuse the whole request.
    if let Some(list) = body.get("compositeRequest").and_then(Value::as_array) {
        if list.len() > MAX_SUBREQUESTS {
            return composite_limit_exceeded(&format!(
                "The request can’t contain more than {MAX_SUBREQUESTS} operations."
            ));
        }
        let queries = list
            .iter()
            .filter_map(|sub| sub.get("url").and_then(Value::as_str))
            .filter(|url| is_query_or_collection(url))
            .count();
        if queries > MAX_QUERY_OPERATIONS {
            return composite_limit_exceeded(&format!(
                "The request can’t contain more than {MAX_QUERY_OPERATIONS} query or sObject Collections operations."
            ));
        }
    }
    let (all_or_none, subs) = match parse_subrequests(body) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    let (items, _) = run_all(org, store, call, all_or_none, &subs, now_ms);
    Answer::json(200, json!({"compositeResponse": items}))
}

/// Whether a subrequest succeeded: a 2xx answer, and for an sObject Collections one, no
/// SaveResult with `"success": false` (it answers 200 whatever its records did, and a
/// failed record fails an all-or-none composite: see the module doc).
fn succeeded(sub: &Sub, answer: &Answer) -> bool {
    let collection = matches!(
        resource_segments(&sub.url).as_slice(),
        ["composite", "sobjects", ..]
    );
    let record_failed = || {
        answer
            .body
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|results| results.iter().any(|r| r["success"] == json!(false)))
    };
    (200..300).contains(&answer.status) && !(collection && record_failed())
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
    // When a subrequest fails, what the ones before it did is taken back (and the rest
    // answer "rolled back").
    store.all_or_none(all_or_none, |store| {
        let mut results: HashMap<String, (u16, Value)> = HashMap::new();
        let mut answers: Vec<Option<Answer>> = Vec::new();
        let mut failed_at = None;
        let mut all_ok = true;
        for (i, sub) in subs.iter().enumerate() {
            let answer = run_sub(org, store, call, sub, &results, now_ms);
            let ok = succeeded(sub, &answer);
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
        if let Some(failed) = failed_at {
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
        ((items, all_ok), all_ok)
    })
}

/// Whether a graph node is an sObject-row operation, the only kind a graph may hold:
/// `POST sobjects/X`, `GET|PATCH|DELETE sobjects/X/{id}`, `GET|PATCH|DELETE|POST
/// sobjects/X/Field/value` (see the module doc).
fn is_graph_node_kind(method: &str, url: &str) -> bool {
    let id_like = |s: &str| {
        s.contains("@{")
            || ((s.len() == 15 || s.len() == 18) && s.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    // Sub-resources of an object that are not records (describe, layouts, …).
    const NOT_ROWS: &[&str] = &[
        "describe",
        "listviews",
        "quickActions",
        "updated",
        "deleted",
        "compactLayouts",
        "eventSchema",
    ];
    match (resource_segments(url).as_slice(), method) {
        (["sobjects", object], "POST") => !NOT_ROWS.contains(object),
        (["sobjects", _, id], "GET" | "PATCH" | "DELETE") => id_like(id),
        (["sobjects", _, field, _], "GET" | "PATCH" | "DELETE" | "POST") => {
            !NOT_ROWS.contains(field) && !id_like(field)
        }
        _ => false,
    }
}

/// What makes two graph nodes "different" for the 15-different-nodes limit: API version,
/// HTTP method and object.
fn graph_node_key(sub: &Sub) -> (String, String, String) {
    let path = sub.url.split(['?', '#']).next().unwrap_or(&sub.url);
    let version = path
        .strip_prefix("/services/data/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let segments = resource_segments(&sub.url);
    let object = segments
        .get(1)
        .copied()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (version, sub.method.clone(), object)
}

fn graph_limit_exceeded(message: String) -> ApiError {
    ApiError::bad_request("LIMIT_EXCEEDED", message)
}

/// A graph refused before running because of nodes of an unsupported kind: those answer
/// INVALID_API_INPUT, the rest of the graph PROCESSING_HALTED.
fn refused_graph(id: &str, subs: &[Sub]) -> Value {
    let items: Vec<Value> = subs
        .iter()
        .map(|sub| {
            let body = if is_graph_node_kind(&sub.method, &sub.url) {
                halted(ROLLED_BACK.to_owned())
            } else {
                let path = sub.url.split('?').next().unwrap_or(&sub.url);
                ApiError::bad_request(
                    "INVALID_API_INPUT",
                    format!(
                        "{} {path} is not supported in a composite graph: a node must be an sObject row (POST sobjects/X, GET, PATCH or DELETE sobjects/X/id, or by external id)",
                        sub.method
                    ),
                )
                .body()
            };
            json!({"body": body, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": sub.reference_id})
        })
        .collect();
    json!({"graphId": id, "graphResponse": {"compositeResponse": items}, "isSuccessful": false})
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
            return Err(graph_limit_exceeded(format!(
                "A graph request can contain at most {MAX_GRAPHS} graphs; this one has {}",
                graphs.len()
            )));
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
            )?;
            nodes += subs.len();
            parsed.push((id.to_owned(), subs));
        }
        if nodes > MAX_GRAPH_NODES {
            return Err(graph_limit_exceeded(format!(
                "A graph request can contain at most {MAX_GRAPH_NODES} nodes; this one has {nodes}"
            )));
        }
        let different: std::collections::HashSet<_> = parsed
            .iter()
            .flat_map(|(_, subs)| subs.iter().map(graph_node_key))
            .collect();
        if different.len() > MAX_DIFFERENT_GRAPH_NODES {
            return Err(graph_limit_exceeded(format!(
                "A graph request can contain at most {MAX_DIFFERENT_GRAPH_NODES} different nodes (by API version, method and object); this one has {}",
                different.len()
            )));
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
                if !subs.iter().all(|sub| is_graph_node_kind(&sub.method, &sub.url)) {
                    failures += 1;
                    return refused_graph(id, subs);
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
        let create_each = |store: &mut Store| {
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
            (out, any_failed)
        };
        let (mut out, any_failed) = store.all_or_none(all_or_none, |store| {
            let (out, any_failed) = create_each(store);
            ((out, any_failed), !any_failed)
        });
        if all_or_none && any_failed {
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
    use crate::faults::Faults;

    const NOW_MS: i64 = 1_780_000_000_000;

    fn v(path: &str) -> String {
        format!("/services/data/v66.0/{path}")
    }

    fn test_org() -> Org {
        Org::new(
            crate::seed::build(),
            Faults::new(
                std::time::Duration::ZERO,
                crate::DEFAULT_API_LIMIT,
                crate::DEFAULT_INDEX_LAG,
                crate::DEFAULT_SESSION_TIMEOUT,
            ),
            "http://127.0.0.1:1".into(),
        )
    }

    /// Sends `POST {path}` with `body` straight through the router.
    fn post(org: &Org, path: &str, body: Value) -> Answer {
        let call = Call {
            method: "POST".into(),
            version: "66.0".into(),
            segments: path.split('/').map(str::to_owned).collect(),
            params: Vec::new(),
            batch_size: None,
            if_unmodified_since: None,
            if_modified_since: None,
            if_match: None,
            if_none_match: None,
            body: Some(body),
            user_id: org.user_id.clone(),
        };
        let mut store = crate::org::lock(&org.store);
        super::super::dispatch(org, &mut store, &call, NOW_MS, true)
    }

    fn query_sub(i: usize) -> Value {
        json!({"method": "GET", "url": v("query?q=SELECT+Id+FROM+Contact+LIMIT+1"), "referenceId": format!("q{i}")})
    }

    fn create_sub(reference: &str, last_name: &str) -> Value {
        json!({"method": "POST", "url": v("sobjects/Contact"), "referenceId": reference, "body": {"LastName": last_name}})
    }

    fn count_contacts(org: &Org, last_name: &str) -> usize {
        crate::org::lock(&org.store)
            .records_of("Contact")
            .filter(|r| r.get("LastName") == &json!(last_name))
            .count()
    }

    /// The single LIMIT_EXCEEDED entry of a refused composite, or a panic naming `why`.
    fn assert_limit_refusal(answer: &Answer, why: &str) -> String {
        assert_eq!(
            answer.status, 200,
            "{why}: a refused composite still answers 200"
        );
        let body = answer.body.as_ref().expect("a JSON body");
        let entries = body["compositeResponse"].as_array().expect("a list");
        assert_eq!(entries.len(), 1, "{why}: exactly one entry: {body}");
        assert_eq!(
            entries[0]["referenceId"],
            Value::Null,
            "{why}: its referenceId is null"
        );
        assert_eq!(entries[0]["httpStatusCode"], 400, "{why}");
        assert_eq!(entries[0]["httpHeaders"], json!({}), "{why}");
        assert_eq!(
            entries[0]["body"][0]["errorCode"], "LIMIT_EXCEEDED",
            "{why}: {body}"
        );
        entries[0]["body"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn query_and_collection_operations_are_told_apart_from_search() {
        for url in [
            v("query?q=SELECT+Id+FROM+Contact"),
            v("query/?q=SELECT+Id+FROM+Contact"),
            v("queryAll?q=SELECT+Id+FROM+Contact"),
            v("query/01g000000000001AAA-2000"),
            v("composite/sobjects"),
            v("composite/sobjects/Contact?ids=003000000000001AAA&fields=Id"),
        ] {
            assert!(is_query_or_collection(&url), "{url} counts against the 5");
        }
        for url in [
            v("search?q=FIND+%7Bx%7D"),
            v("sobjects/Contact"),
            v("sobjects/Contact/003000000000001AAA"),
            v("limits"),
        ] {
            assert!(
                !is_query_or_collection(&url),
                "{url} does not count against the 5"
            );
        }
    }

    #[test]
    fn more_than_25_subrequests_refuse_the_whole_composite_and_run_nothing() {
        let org = test_org();
        let subs: Vec<Value> = (0..26)
            .map(|i| create_sub(&format!("c{i}"), "TooMany"))
            .collect();
        let answer = post(&org, "composite", json!({"compositeRequest": subs}));
        let message = assert_limit_refusal(&answer, "26 subrequests");
        assert!(
            message.contains("25"),
            "the message names the limit: {message}"
        );
        assert_eq!(count_contacts(&org, "TooMany"), 0, "nothing was run");
    }

    #[test]
    fn six_query_operations_are_refused_but_five_plus_a_search_run() {
        let org = test_org();
        let mut subs: Vec<Value> = (0..6).map(query_sub).collect();
        subs.push(create_sub("c", "SixQueries"));
        let answer = post(&org, "composite", json!({"compositeRequest": subs}));
        let message = assert_limit_refusal(&answer, "6 queries");
        assert!(
            message.contains("5 query or sObject Collections"),
            "the message names the limit: {message}"
        );
        assert_eq!(count_contacts(&org, "SixQueries"), 0, "nothing was run");

        let mut subs: Vec<Value> = (0..5).map(query_sub).collect();
        subs.push(json!({"method": "POST", "url": v("composite/sobjects"), "referenceId": "coll", "body": {"records": []}}));
        let answer = post(&org, "composite", json!({"compositeRequest": subs}));
        assert_limit_refusal(&answer, "5 queries and an sObject Collections call");

        let mut subs: Vec<Value> = (0..5).map(query_sub).collect();
        subs.push(json!({"method": "GET", "url": v("query/01g000000000001AAA-2000"), "referenceId": "more"}));
        let answer = post(&org, "composite", json!({"compositeRequest": subs}));
        assert_limit_refusal(&answer, "5 queries and a next-page locator");

        let mut subs: Vec<Value> = (0..5).map(query_sub).collect();
        subs.push(json!({"method": "GET", "url": v("search?q=FIND+%7BSmith%7D+IN+NAME+FIELDS+RETURNING+Contact(Id)"), "referenceId": "s"}));
        let answer = post(&org, "composite", json!({"compositeRequest": subs}));
        let body = answer.body.expect("JSON");
        let codes: Vec<&Value> = body["compositeResponse"]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| &e["httpStatusCode"])
            .collect();
        assert_eq!(
            codes.len(),
            6,
            "a search is not a query: all six run: {body}"
        );
        assert!(
            codes.iter().all(|c| **c == 200),
            "every subrequest succeeded: {body}"
        );
    }

    #[test]
    fn an_unresolvable_reference_fails_only_its_subrequest_without_all_or_none() {
        let org = test_org();
        let body = json!({"allOrNone": false, "compositeRequest": [
            {"method": "GET", "url": v("query?q=SELECT+Id,+Email+FROM+Contact+WHERE+LastName+=+'Nobody'"), "referenceId": "none"},
            {"method": "PATCH", "url": v("sobjects/Contact/@{none.records[9].Id}"), "referenceId": "pastEnd", "body": {"Title": "x"}},
            {"method": "GET", "url": v("sobjects/Contact/@{later.id}"), "referenceId": "forward"},
            create_sub("later", "Later"),
            {"method": "GET", "url": v("sobjects/Contact/@{later.nope}"), "referenceId": "noField"},
            {"method": "GET", "url": v("sobjects/Contact/@{ghost.id}"), "referenceId": "unknown"},
        ]});
        let answer = post(&org, "composite", body);
        let out = answer.body.expect("JSON");
        let entries = out["compositeResponse"].as_array().expect("list");
        for (i, reference) in [
            (1, "pastEnd"),
            (2, "forward"),
            (4, "noField"),
            (5, "unknown"),
        ] {
            assert_eq!(entries[i]["referenceId"], reference);
            assert_eq!(entries[i]["httpStatusCode"], 400, "{reference}: {out}");
            assert_eq!(
                entries[i]["body"][0]["errorCode"], "PROCESSING_HALTED",
                "{reference} answers as Salesforce does: {out}"
            );
            assert!(
                entries[i]["body"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("Invalid reference specified.")),
                "{reference}: {out}"
            );
        }
        assert_eq!(
            entries[3]["httpStatusCode"], 201,
            "the independent create still ran"
        );
        assert_eq!(
            count_contacts(&org, "Later"),
            1,
            "and was kept without allOrNone"
        );
    }

    #[test]
    fn a_reference_to_a_null_or_non_scalar_value_is_refused() {
        let mut results = HashMap::new();
        results.insert(
            "q".to_owned(),
            (
                200,
                json!({"records": [{"Id": "003Y", "Email": null, "Account": {"Name": "A"}}]}),
            ),
        );
        for expr in [
            "@{q.records[0].Email}",
            "@{q.records[0].Account}",
            "@{q.records}",
        ] {
            assert!(
                substitute_str(expr, &results).is_err(),
                "{expr} must not become text (docs silent on null: the stricter reading)"
            );
        }
    }

    #[test]
    fn graph_nodes_must_be_sobject_rows() {
        for (method, url) in [
            ("POST", v("sobjects/Contact")),
            ("GET", v("sobjects/Contact/003000000000001AAA")),
            ("PATCH", v("sobjects/Contact/@{c.id}")),
            ("DELETE", v("sobjects/Contact/003000000000001")),
            ("PATCH", v("sobjects/Call_Log__c/External_Id__c/call-1")),
            ("GET", v("sobjects/Call_Log__c/External_Id__c/call-1")),
            ("DELETE", v("sobjects/Call_Log__c/External_Id__c/call-1")),
            ("POST", v("sobjects/Call_Log__c/External_Id__c/call-1")),
        ] {
            assert!(
                is_graph_node_kind(method, &url),
                "{method} {url} is an sObject row"
            );
        }
        for (method, url) in [
            ("GET", v("query?q=SELECT+Id+FROM+Contact")),
            ("GET", v("search?q=FIND+%7Bx%7D")),
            ("GET", v("sobjects/Contact/describe")),
            ("GET", v("sobjects")),
            ("GET", v("sobjects/Contact")),
            ("POST", v("composite/sobjects")),
            ("GET", v("limits")),
            ("PATCH", v("sobjects/Contact")),
            ("POST", v("sobjects/Contact/003000000000001AAA")),
        ] {
            assert!(
                !is_graph_node_kind(method, &url),
                "{method} {url} is not a graph node"
            );
        }
    }

    #[test]
    fn a_graph_with_a_query_node_fails_alone_and_runs_nothing() {
        let org = test_org();
        let body = json!({"graphs": [
            {"graphId": "bad", "compositeRequest": [
                create_sub("c", "GraphBad"),
                {"method": "GET", "url": v("query?q=SELECT+Id+FROM+Contact"), "referenceId": "q"},
            ]},
            {"graphId": "good", "compositeRequest": [create_sub("c", "GraphGood")]},
        ]});
        let answer = post(&org, "composite/graph", body);
        assert_eq!(answer.status, 200);
        let out = answer.body.expect("JSON");
        let bad = &out["graphs"][0];
        assert_eq!(bad["isSuccessful"], false, "{out}");
        let nodes = &bad["graphResponse"]["compositeResponse"];
        assert_eq!(
            nodes[0]["body"][0]["errorCode"], "PROCESSING_HALTED",
            "{out}"
        );
        assert_eq!(
            nodes[1]["body"][0]["errorCode"], "INVALID_API_INPUT",
            "{out}"
        );
        assert_eq!(
            count_contacts(&org, "GraphBad"),
            0,
            "nothing of the refused graph ran"
        );
        assert_eq!(
            out["graphs"][1]["isSuccessful"], true,
            "the other graph ran: {out}"
        );
        assert_eq!(count_contacts(&org, "GraphGood"), 1);
    }

    #[test]
    fn graph_payload_limits_refuse_the_whole_request() {
        let org = test_org();
        let graph = |i: usize, n: usize| json!({"graphId": format!("g{i}"), "compositeRequest": (0..n).map(|j| create_sub(&format!("c{j}"), "Limit")).collect::<Vec<_>>()});
        let answer = post(
            &org,
            "composite/graph",
            json!({"graphs": (0..76).map(|i| graph(i, 1)).collect::<Vec<_>>()}),
        );
        assert_eq!(answer.status, 400, "76 graphs");
        assert_eq!(
            answer.body.as_ref().expect("JSON")[0]["errorCode"],
            "LIMIT_EXCEEDED"
        );
        let answer = post(
            &org,
            "composite/graph",
            json!({"graphs": (0..3).map(|i| graph(i, 167)).collect::<Vec<_>>()}),
        );
        assert_eq!(answer.status, 400, "501 nodes");
        assert_eq!(
            answer.body.as_ref().expect("JSON")[0]["errorCode"],
            "LIMIT_EXCEEDED"
        );
        assert_eq!(count_contacts(&org, "Limit"), 0, "nothing ran");
        let objects = [
            "Account",
            "Contact",
            "Lead",
            "Task",
            "Case",
            "Opportunity",
            "Call_Log__c",
            "Event",
        ];
        let nodes: Vec<Value> = objects
            .iter()
            .flat_map(|o| {
                [
                    json!({"method": "POST", "url": v(&format!("sobjects/{o}")), "referenceId": format!("new{o}"), "body": {}}),
                    json!({"method": "GET", "url": v(&format!("sobjects/{o}/003000000000001AAA")), "referenceId": format!("get{o}")}),
                ]
            })
            .collect();
        let answer = post(
            &org,
            "composite/graph",
            json!({"graphs": [{"graphId": "wide", "compositeRequest": nodes}]}),
        );
        assert_eq!(answer.status, 400, "16 different nodes");
        assert_eq!(
            answer.body.as_ref().expect("JSON")[0]["errorCode"],
            "LIMIT_EXCEEDED"
        );
        let answer = post(
            &org,
            "composite/graph",
            json!({"graphs": (0..75).map(|i| graph(i, 6)).collect::<Vec<_>>()}),
        );
        assert_eq!(
            answer.status, 200,
            "75 graphs of 450 like nodes are accepted"
        );
    }

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
