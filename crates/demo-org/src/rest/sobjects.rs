//! `sobjects` resources: describeGlobal, describe (`If-Modified-Since` → 304), create, read (optionally `?fields=`,
//! `If-Modified-Since` → 304), update (`If-Unmodified-Since` → 412 when the record changed
//! since), delete, and read/upsert/delete by external id (`?updateOnly=true`: never create). Reads
//! follow record sharing ([`crate::sharing`]): a record the caller may not see is NOT_FOUND.
//!
//! ETags, as Salesforce documents them
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm>):
//! on Account rows only, GET and PATCH answer an `ETag` (a hash of the record as stored);
//! `If-Match` on a GET or PATCH whose list holds none of the record's ETag answers 412 and
//! changes nothing; `If-None-Match` holding it answers 304 to a GET and 412 to a PATCH; a
//! header that is not a list of quoted ETags (or `*`) answers 400. On other objects both
//! headers have no effect ("This only has an effect when used with Account objects",
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_patch.htm>),
//! and DELETE ignores them ("DELETE requests aren't supported"). The pages give no body for
//! the 412; this org sends `[{"errorCode":"PRECONDITION_FAILED",…}]`, as for
//! `If-Unmodified-Since`.

use super::{Answer, Call, method_not_allowed};
use crate::api_error::ApiError;
use crate::clock;
use crate::schema::{self, ObjectDef};
use crate::sharing::Viewer;
use crate::store::{Record, Store, UpsertOutcome};
use serde_json::{Map, Value, json};

/// When the demo org's schema last changed (2026-01-01T00:00:00Z): a describe with
/// `If-Modified-Since` at or after it answers 304 Not Modified.
pub const SCHEMA_CHANGED_MS: i64 = 1_767_225_600_000;

fn object(name: &str) -> Result<&'static ObjectDef, ApiError> {
    schema::object(name)
        .ok_or_else(|| ApiError::new(404, "NOT_FOUND", "The requested resource does not exist"))
}

fn body(call: &Call) -> Result<&Value, ApiError> {
    call.body
        .as_ref()
        .ok_or_else(|| ApiError::json_parser("The request body is missing or is not JSON"))
}

fn record_url(call: &Call, object: &str, id: &str) -> String {
    format!("/services/data/v{}/sobjects/{object}/{id}", call.version)
}

fn created(call: &Call, object: &str, id: String) -> Answer {
    Answer {
        status: 201,
        location: Some(record_url(call, object, &id)),
        body: Some(json!({"id": id, "success": true, "errors": []})),
        etag: None,
    }
}

/// Routes `sobjects/…` (segments after `sobjects`).
pub fn route(
    store: &mut Store,
    call: &Call,
    segs: &[&str],
    now_ms: i64,
    viewer: &Viewer<'_>,
) -> Answer {
    let result = (|| -> Result<Answer, ApiError> {
        let m = call.method.as_str();
        match segs {
            [] => match m {
                "GET" => Ok(Answer::json(
                    200,
                    json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": schema::objects().iter().map(|o| o.global_entry(&call.version)).collect::<Vec<_>>()}),
                )),
                _ => Ok(method_not_allowed(m, "GET")),
            },
            [name] => {
                let object = object(name)?;
                match m {
                    "GET" => Ok(Answer::json(
                        200,
                        json!({"objectDescribe": object.global_entry(&call.version), "recentItems": []}),
                    )),
                    "POST" => {
                        let id = store.create(object, body(call)?, now_ms)?;
                        Ok(created(call, object.name, id))
                    }
                    _ => Ok(method_not_allowed(m, "GET,POST")),
                }
            }
            [name, "describe"] => {
                let object = object(name)?;
                match m {
                    // The schema is fixed for the life of the org: unchanged since any date
                    // from SCHEMA_CHANGED_MS on, as Salesforce answers a describe whose
                    // metadata has not changed since `If-Modified-Since`.
                    "GET"
                        if call
                            .if_modified_since
                            .as_deref()
                            .and_then(clock::parse_http_date)
                            .is_some_and(|since| since >= SCHEMA_CHANGED_MS) =>
                    {
                        Ok(Answer::empty(304))
                    }
                    "GET" => Ok(Answer::json(200, object.describe(&call.version))),
                    _ => Ok(method_not_allowed(m, "GET")),
                }
            }
            [name, id] => {
                let object = object(name)?;
                match m {
                    "GET" => {
                        let record = store.find(object, id)?;
                        if !viewer.sees(record) {
                            // Salesforce does not say a record exists to whom sharing hides it.
                            return Err(ApiError::not_found());
                        }
                        let tag = etag_of(record);
                        if let Some(tag) = &tag
                            && check_etags(call, tag)? == EtagCheck::NoneMatched
                        {
                            return Ok(Answer {
                                etag: Some(tag.clone()),
                                ..Answer::empty(304)
                            });
                        }
                        if let Some(since) = call
                            .if_modified_since
                            .as_deref()
                            .and_then(clock::parse_http_date)
                            && modified_ms(record) < since + 1000
                        {
                            return Ok(Answer::empty(304));
                        }
                        let full = record.to_json(&call.version);
                        let mut answer = match call.param("fields") {
                            None => Answer::json(200, full),
                            Some(list) => Answer::json(200, pick_fields(object, &full, list)?),
                        };
                        answer.etag = tag;
                        Ok(answer)
                    }
                    "PATCH" => {
                        let record = store.find(object, id)?;
                        if let Some(tag) = etag_of(record)
                            && check_etags(call, &tag)? == EtagCheck::NoneMatched
                        {
                            return Err(precondition_failed(format!(
                                "The record's ETag {tag} matches If-None-Match"
                            )));
                        }
                        check_unmodified_since(call, record)?;
                        let id = store.update(object, id, body(call)?, now_ms)?;
                        let mut answer = Answer::no_content();
                        answer.etag = store.find(object, &id).ok().and_then(etag_of);
                        Ok(answer)
                    }
                    "DELETE" => {
                        store.delete(object, id)?;
                        Ok(Answer::no_content())
                    }
                    _ => Ok(method_not_allowed(m, "GET,PATCH,DELETE")),
                }
            }
            [name, field, value] => {
                let object = object(name)?;
                let field_def = object.field(field).filter(|f| f.external_id || f.name == "Id").ok_or_else(|| {
                    ApiError::new(404, "NOT_FOUND", format!("Provided external ID field does not exist or is not accessible: {field}"))
                })?;
                match m {
                    "GET" => {
                        let matches: Vec<Value> = store
                            .by_external_id(object, field_def, value)
                            .iter()
                            .filter(|r| viewer.sees(r))
                            .map(|r| r.to_json(&call.version))
                            .collect();
                        match matches.len() {
                            0 => Err(ApiError::not_found()),
                            1 => Ok(Answer::json(
                                200,
                                matches.into_iter().next().unwrap_or(Value::Null),
                            )),
                            _ => Ok(Answer::json(
                                300,
                                Value::Array(
                                    matches
                                        .iter()
                                        .map(|r| r["attributes"]["url"].clone())
                                        .collect(),
                                ),
                            )),
                        }
                    }
                    "PATCH" => {
                        // `?updateOnly=true`: update a match, never create one
                        // (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html).
                        let update_only = call
                            .param("updateOnly")
                            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                        match store.upsert(
                            object,
                            field_def.name,
                            value,
                            body(call)?,
                            now_ms,
                            update_only,
                        )? {
                            UpsertOutcome::Created(id) => {
                                let mut a = created(call, object.name, id);
                                if let Some(b) = a.body.as_mut() {
                                    b["created"] = json!(true);
                                }
                                Ok(a)
                            }
                            UpsertOutcome::Updated(id) => Ok(Answer::json(
                                200,
                                json!({"id": id, "success": true, "errors": [], "created": false}),
                            )),
                            UpsertOutcome::Multiple(ids) => Ok(Answer::json(
                                300,
                                Value::Array(
                                    ids.iter()
                                        .map(|id| json!(record_url(call, object.name, id)))
                                        .collect(),
                                ),
                            )),
                        }
                    }
                    // Delete by external id (sObject Rows by External ID: GET, PATCH, DELETE),
                    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert.htm
                    "DELETE" => {
                        let ids: Vec<String> = store
                            .by_external_id(object, field_def, value)
                            .into_iter()
                            .filter(|r| viewer.sees(r))
                            .map(|r| r.id().to_owned())
                            .collect();
                        match ids.as_slice() {
                            [] => Err(ApiError::not_found()),
                            [id] => {
                                store.delete(object, id)?;
                                Ok(Answer::no_content())
                            }
                            _ => Ok(Answer::json(
                                300,
                                Value::Array(
                                    ids.iter()
                                        .map(|id| json!(record_url(call, object.name, id)))
                                        .collect(),
                                ),
                            )),
                        }
                    }
                    _ => Ok(method_not_allowed(m, "GET,PATCH,DELETE")),
                }
            }
            _ => Err(ApiError::not_found()),
        }
    })();
    result.unwrap_or_else(Answer::from)
}

/// The record's LastModifiedDate in milliseconds.
fn modified_ms(record: &Record) -> i64 {
    record
        .get("LastModifiedDate")
        .as_str()
        .and_then(clock::parse_datetime)
        .unwrap_or(0)
}

/// What the ETag headers decided about a request on a record with an ETag.
#[derive(Debug, PartialEq, Eq)]
enum EtagCheck {
    /// Go on (no header, or the preconditions hold).
    Proceed,
    /// `If-None-Match` holds the record's ETag: 304 for a GET, 412 for a PATCH.
    NoneMatched,
}

/// The record's ETag, for Account rows only (the one object Salesforce gives ETags): a hash
/// of the record as stored, so any change gives a new one; shaped like Salesforce's
/// (`"…--gzip"`).
fn etag_of(record: &Record) -> Option<String> {
    if record.object.name != "Account" {
        return None;
    }
    // FNV-1a over the record's JSON: stable for the life of the process, which is all an
    // ETag needs here.
    let text = Value::Object(record.fields.clone()).to_string();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    Some(format!("\"{hash:016x}--gzip\""))
}

/// The ETags of an `If-Match` / `If-None-Match` value: a comma-separated list of quoted tags
/// (a `W/` prefix allowed), or `*`. `None` when the value is not of that shape.
fn etag_list(raw: &str) -> Option<Vec<String>> {
    raw.split(',')
        .map(|part| {
            let part = part.trim();
            let tag = part.strip_prefix("W/").unwrap_or(part);
            let ok = tag == "*" || (tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"'));
            ok.then(|| tag.to_owned())
        })
        .collect()
}

/// Checks `If-Match` (412 when none of its tags is the record's) and `If-None-Match`
/// (reported for the caller to answer 304 or 412) against `tag`; 400 on a malformed header.
fn check_etags(call: &Call, tag: &str) -> Result<EtagCheck, ApiError> {
    let parse = |name: &str, raw: &str| {
        etag_list(raw).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_HEADER_TYPE",
                format!("{name} is not a list of ETags: {raw}"),
            )
        })
    };
    if let Some(raw) = call.if_match.as_deref() {
        let tags = parse("If-Match", raw)?;
        if !tags.iter().any(|t| t == "*" || t == tag) {
            return Err(precondition_failed(format!(
                "The record's ETag {tag} matches none of If-Match: {raw}"
            )));
        }
    }
    if let Some(raw) = call.if_none_match.as_deref() {
        let tags = parse("If-None-Match", raw)?;
        if tags.iter().any(|t| t == "*" || t == tag) {
            return Ok(EtagCheck::NoneMatched);
        }
    }
    Ok(EtagCheck::Proceed)
}

fn precondition_failed(message: String) -> ApiError {
    ApiError::new(412, "PRECONDITION_FAILED", message)
}

/// `If-Unmodified-Since` on an update: 412 when the record changed after that time
/// (HTTP dates have whole seconds, so the record's time is compared at that precision).
fn check_unmodified_since(call: &Call, record: &Record) -> Result<(), ApiError> {
    let Some(raw) = call.if_unmodified_since.as_deref() else {
        return Ok(());
    };
    let since = clock::parse_http_date(raw).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_HEADER_TYPE",
            format!("If-Unmodified-Since is not a valid HTTP date: {raw}"),
        )
    })?;
    if modified_ms(record) >= since + 1000 {
        return Err(precondition_failed(format!(
            "The requested resource was modified after {raw} (LastModifiedDate {})",
            record.get("LastModifiedDate").as_str().unwrap_or_default()
        )));
    }
    Ok(())
}

/// `?fields=A,B`: only those fields (plus attributes), each checked against the describe.
fn pick_fields(object: &ObjectDef, full: &Value, list: &str) -> Result<Value, ApiError> {
    let mut out = Map::new();
    out.insert("attributes".into(), full["attributes"].clone());
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let f = object.field(name).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type {}", object.name),
            )
        })?;
        out.insert(f.name.to_owned(), full[f.name].clone());
    }
    Ok(Value::Object(out))
}
