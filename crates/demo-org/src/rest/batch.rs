//! `POST composite/batch`: up to 25 independent subrequests in one request, as the
//! REST API's "Composite Batch" page describes
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm>;
//! request body: <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite_batch.htm>).
//!
//! - The body is `{"batchRequests":[{"method","url","richInput"?}],"haltOnError"?}`; each
//!   `url` names its version (`v66.0/sobjects/Account/001…`), which must be one this org
//!   serves and no later than the batch's own. Subrequests are independent: no `@{…}`
//!   references (a `url` holding one is refused like any other bad url).
//! - Only the resources the page lists that this org has: `limits`, `sobjects/…`,
//!   `query`, `queryAll`, `search`. A composite inside a batch is refused.
//! - Subrequests run in order; each commits on its own and a failure rolls nothing back.
//! - The answer is HTTP 200 `{"hasErrors","results":[{"statusCode","result"}]}`, in order,
//!   `result` null where the subrequest had no body (a 204). With `haltOnError` true, after
//!   the first subrequest answered 400–599 every later one answers 412
//!   `[{"errorCode":"BATCH_PROCESSING_HALTED",…}]` without running.
//! - "Each subrequest counts against rate limits": every subrequest is one API call more
//!   than the batch request itself (which counts as every request does: the docs do not
//!   exempt it, so the stricter count). A subrequest past the daily allocation answers 403
//!   `REQUEST_LIMIT_EXCEEDED` inside the batch.
//!
//! **Documented choices** (the docs say only that errors found "during initial request
//! deserialization" answer HTTP 400 without processing any subrequest, e.g. "an invalid
//! method or url field"): a body that is not of that shape, an empty list, a bad method or
//! url, and more than 25 subrequests are all refused that way, as a whole, before anything
//! runs: 400 `[{"errorCode":"INVALID_API_INPUT",…}]`, or `LIMIT_EXCEEDED` for the count.

use super::{Answer, Call, VERSIONS, dispatch, parse_path, parse_query_string};
use crate::api_error::ApiError;
use crate::org::Org;
use crate::store::Store;
use serde_json::{Value, json};

/// Salesforce's cap on subrequests in one `/composite/batch`.
pub const MAX_BATCH_SUBREQUESTS: usize = 25;

/// The resources a batch subrequest may address (the first path segment after the version).
const BATCHABLE: &[&str] = &["limits", "sobjects", "query", "queryAll", "search"];

/// One checked subrequest.
struct BatchSub {
    method: String,
    version: String,
    segments: Vec<String>,
    params: Vec<(String, String)>,
    rich_input: Option<Value>,
}

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("INVALID_API_INPUT", message)
}

/// A version string's number, for "no later than the batch's version".
fn version_number(version: &str) -> f64 {
    version.parse().unwrap_or(f64::MAX)
}

fn parse_batch(body: &Value, batch_version: &str) -> Result<(bool, Vec<BatchSub>), ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::json_parser("The batch request body must be a JSON object"))?;
    let halt_on_error = match obj.get("haltOnError") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::json_parser("haltOnError must be a boolean")),
    };
    let list = obj
        .get("batchRequests")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::json_parser("batchRequests is required and must be a list"))?;
    if list.is_empty() {
        return Err(invalid(
            "batchRequests must contain at least one subrequest".into(),
        ));
    }
    if list.len() > MAX_BATCH_SUBREQUESTS {
        return Err(ApiError::bad_request(
            "LIMIT_EXCEEDED",
            format!("A batch can't contain more than {MAX_BATCH_SUBREQUESTS} subrequests."),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| item.get(name).and_then(Value::as_str);
            let method = field("method")
                .ok_or_else(|| invalid(format!("Subrequest {i} needs a method")))?
                .to_ascii_uppercase();
            if !matches!(method.as_str(), "GET" | "POST" | "PATCH" | "PUT" | "DELETE") {
                return Err(invalid(format!(
                    "Invalid method for subrequest {i}: {method}"
                )));
            }
            let url = field("url").ok_or_else(|| invalid(format!("Subrequest {i} needs a url")))?;
            let bad_url = || invalid(format!("Invalid url for subrequest {i}: {url}"));
            if url.contains("@{") {
                // Batch subrequests are independent: no references.
                return Err(bad_url());
            }
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let path = path.strip_prefix('/').unwrap_or(path);
            let (version, segments) =
                parse_path(&format!("/services/data/{path}")).map_err(|_| bad_url())?;
            if !VERSIONS.iter().any(|(v, _)| *v == version)
                || version_number(&version) > version_number(batch_version)
            {
                return Err(bad_url());
            }
            if !segments
                .first()
                .is_some_and(|s| BATCHABLE.contains(&s.as_str()))
            {
                return Err(bad_url());
            }
            Ok(BatchSub {
                method,
                version,
                segments,
                params: parse_query_string(query),
                rich_input: item.get("richInput").cloned(),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|subs| (halt_on_error, subs))
}

/// `POST composite/batch`.
pub fn batch(org: &Org, store: &mut Store, call: &Call, now_ms: i64) -> Answer {
    let Some(body) = call.body.as_ref() else {
        return ApiError::json_parser("The batch request body is missing").into();
    };
    let (halt_on_error, subs) = match parse_batch(body, &call.version) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    let mut results = Vec::with_capacity(subs.len());
    let mut has_errors = false;
    let mut halted = false;
    for sub in subs {
        let answer = if halted {
            Answer::json(
                412,
                json!([{"errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request: an earlier subrequest failed and haltOnError is true"}]),
            )
        } else if !org.count_call() {
            ApiError::new(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            )
            .into()
        } else {
            let sub_call = Call {
                method: sub.method,
                version: sub.version,
                segments: sub.segments,
                params: sub.params,
                batch_size: call.batch_size,
                if_unmodified_since: None,
                if_modified_since: None,
                if_match: None,
                if_none_match: None,
                body: sub.rich_input,
                user_id: call.user_id.clone(),
            };
            dispatch(org, store, &sub_call, now_ms, false)
        };
        if answer.status >= 400 {
            has_errors = true;
            halted |= halt_on_error;
        }
        results.push(json!({"statusCode": answer.status, "result": answer.body}));
    }
    Answer::json(200, json!({"hasErrors": has_errors, "results": results}))
}
