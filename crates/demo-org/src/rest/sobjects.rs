//! `sobjects` resources: describeGlobal, describe (`If-Modified-Since` → 304), create, read (optionally `?fields=`,
//! `If-Modified-Since` → 304), update (`If-Unmodified-Since` → 412 when the record changed
//! since), delete, and read/upsert/delete by external id. Reads follow record sharing
//! ([`crate::sharing`]): a record the caller may not see is NOT_FOUND.

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
                        Ok(Answer {
                            status: 304,
                            body: None,
                            location: None,
                        })
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
                        if let Some(since) = call
                            .if_modified_since
                            .as_deref()
                            .and_then(clock::parse_http_date)
                            && modified_ms(record) < since + 1000
                        {
                            return Ok(Answer {
                                status: 304,
                                body: None,
                                location: None,
                            });
                        }
                        let full = record.to_json(&call.version);
                        match call.param("fields") {
                            None => Ok(Answer::json(200, full)),
                            Some(list) => Ok(Answer::json(200, pick_fields(object, &full, list)?)),
                        }
                    }
                    "PATCH" => {
                        check_unmodified_since(call, store.find(object, id)?)?;
                        store.update(object, id, body(call)?, now_ms)?;
                        Ok(Answer::no_content())
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
                        match store.upsert(object, field_def.name, value, body(call)?, now_ms)? {
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
        return Err(ApiError::new(
            412,
            "PRECONDITION_FAILED",
            format!(
                "The requested resource was modified after {raw} (LastModifiedDate {})",
                record.get("LastModifiedDate").as_str().unwrap_or_default()
            ),
        ));
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
