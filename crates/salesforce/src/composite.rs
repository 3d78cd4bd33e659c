//! The `/composite` resource: up to 25 subrequests in one API call, later ones able to use
//! earlier results through `@{referenceId.field}`.
//!
//! Per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm>
//! the composite call answers HTTP 200 even when subrequests failed: every subresponse has its
//! own `httpStatusCode`, and a failed one carries the usual error list as its body. With
//! `allOrNone`, the subrequests that were rolled back answer `PROCESSING_HALTED`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, Error};
use crate::path::{
    encode_query_value, encode_segment, validate_api_name, validate_external_id_value,
    validate_record_id,
};
use crate::version::ApiVersion;

/// The most subrequests one composite call may carry.
pub const MAX_SUBREQUESTS: usize = 25;

/// HTTP method of a subrequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CompositeMethod {
    /// Read.
    Get,
    /// Create.
    Post,
    /// Update or upsert.
    Patch,
    /// Replace (rarely used by sObject resources).
    Put,
    /// Delete.
    Delete,
}

/// One subrequest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubrequest {
    /// The method.
    pub method: CompositeMethod,
    /// The full resource path, starting with `/services/data/v…/`.
    pub url: String,
    /// The name later subrequests use in `@{referenceId.field}` (letters, digits, `_`).
    pub reference_id: String,
    /// The JSON body for POST/PATCH/PUT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Conditional headers Salesforce honours per subrequest (`If-Unmodified-Since`,
    /// `If-Match`, `If-Modified-Since`, …).
    #[serde(
        default,
        rename = "httpHeaders",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub http_headers: std::collections::BTreeMap<String, String>,
}

/// A whole composite request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeRequest {
    /// Roll everything back when any subrequest fails.
    pub all_or_none: bool,
    /// The subrequests, in order (1 to 25).
    pub composite_request: Vec<CompositeSubrequest>,
}

impl CompositeRequest {
    /// An empty request; add subrequests with [`CompositeRequest::push`].
    pub fn new(all_or_none: bool) -> Self {
        Self {
            all_or_none,
            composite_request: Vec::new(),
        }
    }

    /// Appends a subrequest.
    pub fn push(&mut self, subrequest: CompositeSubrequest) -> &mut Self {
        self.composite_request.push(subrequest);
        self
    }

    /// Checks the limits Salesforce enforces, so a bad batch fails before it costs an API
    /// call: 1 to 25 subrequests, unique well-formed reference ids, versioned URLs.
    pub fn validate(&self) -> Result<(), Error> {
        let count = self.composite_request.len();
        if count == 0 || count > MAX_SUBREQUESTS {
            return Err(Error::InvalidInput(format!(
                "a composite request needs 1 to {MAX_SUBREQUESTS} subrequests, not {count}"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for sub in &self.composite_request {
            validate_reference_id(&sub.reference_id)?;
            if !seen.insert(sub.reference_id.as_str()) {
                return Err(Error::InvalidInput(format!(
                    "the composite reference id `{}` is used twice",
                    sub.reference_id
                )));
            }
            if !sub.url.starts_with("/services/data/v") || sub.url.contains("..") {
                return Err(Error::InvalidInput(format!(
                    "composite subrequest `{}` must address a /services/data/v… resource",
                    sub.reference_id
                )));
            }
        }
        Ok(())
    }
}

fn validate_reference_id(reference_id: &str) -> Result<(), Error> {
    let ok = reference_id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && reference_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "`{}` is not a valid composite reference id (letters, digits, `_`, starting with a letter)",
            reference_id.escape_debug()
        )))
    }
}

/// A record id, or a reference to an earlier subrequest's result (`@{NewAccount.id}`), which
/// must stay unencoded in the URL for Salesforce to substitute it.
fn id_or_reference(id: &str) -> Result<String, Error> {
    if let Some(inner) = id
        .strip_prefix("@{")
        .and_then(|rest| rest.strip_suffix('}'))
    {
        let ok = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
        if ok {
            return Ok(id.to_owned());
        }
        return Err(Error::InvalidInput(format!(
            "`{}` is not a valid composite reference",
            id.escape_debug()
        )));
    }
    validate_record_id(id)?;
    Ok(id.to_owned())
}

fn require_object_body(body: &Value) -> Result<(), Error> {
    if body.is_object() {
        Ok(())
    } else {
        Err(Error::InvalidInput(
            "a record body must be a JSON object of field values".into(),
        ))
    }
}

impl CompositeSubrequest {
    /// A raw subrequest; prefer the typed constructors below, which validate and encode.
    pub fn new(
        method: CompositeMethod,
        url: impl Into<String>,
        reference_id: impl Into<String>,
    ) -> Self {
        Self {
            method,
            url: url.into(),
            reference_id: reference_id.into(),
            body: None,
            http_headers: std::collections::BTreeMap::new(),
        }
    }

    /// Adds a request header, e.g. `If-Unmodified-Since` for an update that must not
    /// overwrite a newer change (answered 412 when the record changed since).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.http_headers.insert(name.into(), value.into());
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Create a record: `POST /sobjects/{object}`.
    pub fn create(
        version: ApiVersion,
        reference_id: &str,
        object: &str,
        body: Value,
    ) -> Result<Self, Error> {
        validate_api_name("object", object)?;
        require_object_body(&body)?;
        Ok(Self::new(
            CompositeMethod::Post,
            format!("{}/sobjects/{object}", version.base_path()),
            reference_id,
        )
        .with_body(body))
    }

    /// Update a record: `PATCH /sobjects/{object}/{id}`; `id` may be `@{ref.id}`.
    pub fn update(
        version: ApiVersion,
        reference_id: &str,
        object: &str,
        id: &str,
        body: Value,
    ) -> Result<Self, Error> {
        validate_api_name("object", object)?;
        require_object_body(&body)?;
        let id = id_or_reference(id)?;
        Ok(Self::new(
            CompositeMethod::Patch,
            format!("{}/sobjects/{object}/{id}", version.base_path()),
            reference_id,
        )
        .with_body(body))
    }

    /// Upsert by external id: `PATCH /sobjects/{object}/{field}/{value}` (value encoded).
    pub fn upsert(
        version: ApiVersion,
        reference_id: &str,
        object: &str,
        field: &str,
        value: &str,
        body: Value,
    ) -> Result<Self, Error> {
        validate_api_name("object", object)?;
        validate_api_name("field", field)?;
        validate_external_id_value(value)?;
        require_object_body(&body)?;
        let url = format!(
            "{}/sobjects/{object}/{field}/{}",
            version.base_path(),
            encode_segment(value)
        );
        Ok(Self::new(CompositeMethod::Patch, url, reference_id).with_body(body))
    }

    /// Run a SOQL query: `GET /query?q=…`. Build `soql` with [`crate::escape`] helpers.
    pub fn query(version: ApiVersion, reference_id: &str, soql: &str) -> Result<Self, Error> {
        non_empty("SOQL query", soql)?;
        let url = format!(
            "{}/query?q={}",
            version.base_path(),
            encode_query_value(soql)
        );
        Ok(Self::new(CompositeMethod::Get, url, reference_id))
    }

    /// Run a SOSL search: `GET /search?q=…`. Build `sosl` with [`crate::escape::sosl_term`].
    pub fn search(version: ApiVersion, reference_id: &str, sosl: &str) -> Result<Self, Error> {
        non_empty("SOSL search", sosl)?;
        let url = format!(
            "{}/search?q={}",
            version.base_path(),
            encode_query_value(sosl)
        );
        Ok(Self::new(CompositeMethod::Get, url, reference_id))
    }
}

pub(crate) fn non_empty(what: &str, text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        Err(Error::InvalidInput(format!("the {what} is empty")))
    } else {
        Ok(())
    }
}

/// The answer to a composite call: one subresponse per subrequest, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeResponse {
    /// The subresponses.
    pub composite_response: Vec<CompositeSubresponse>,
}

impl CompositeResponse {
    /// The subresponse for a reference id.
    pub fn get(&self, reference_id: &str) -> Option<&CompositeSubresponse> {
        self.composite_response
            .iter()
            .find(|r| r.reference_id == reference_id)
    }

    /// Whether every subrequest succeeded. Check this: the call itself answers 200 anyway.
    pub fn all_succeeded(&self) -> bool {
        self.composite_response
            .iter()
            .all(CompositeSubresponse::is_success)
    }

    /// The first failed subresponse as an error, if any failed.
    pub fn first_error(&self) -> Option<(&str, Error)> {
        self.composite_response
            .iter()
            .find_map(|r| r.error().map(|e| (r.reference_id.as_str(), e)))
    }
}

/// One subresponse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubresponse {
    /// The subrequest's body: a record, a query page, a save result, or an error list.
    #[serde(default)]
    pub body: Value,
    /// Response headers of the subrequest.
    #[serde(default)]
    pub http_headers: HashMap<String, String>,
    /// The subrequest's own HTTP status.
    pub http_status_code: u16,
    /// The reference id it answers.
    pub reference_id: String,
}

impl CompositeSubresponse {
    /// Whether this subrequest succeeded (2xx).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.http_status_code)
    }

    /// For a failed subrequest, the same error a direct call would have given:
    /// [`Error::Api`] with the listed errors, or [`Error::UnexpectedResponse`] when the body
    /// is not an error list. `None` on success.
    pub fn error(&self) -> Option<Error> {
        if self.is_success() {
            return None;
        }
        let status = self.http_status_code;
        Some(match ApiError::list_from_json(&self.body) {
            Some(errors) => Error::Api { status, errors },
            None => Error::UnexpectedResponse {
                status,
                endpoint: format!("composite subrequest `{}`", self.reference_id),
                detail: "the body is not a Salesforce error list".into(),
            },
        })
    }

    /// Reads a successful body as `T` (a [`crate::QueryPage`], [`crate::Record`],
    /// [`crate::CreateResult`]…); a failed subrequest gives its error instead.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        if let Some(err) = self.error() {
            return Err(err);
        }
        T::deserialize(&self.body).map_err(|source| Error::Decode {
            context: format!("composite subrequest `{}`", self.reference_id),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn subrequest_headers_are_sent_only_when_set() {
        let plain = CompositeSubrequest::new(CompositeMethod::Get, "/services/data/v66.0/x", "a");
        assert!(
            serde_json::to_value(&plain)
                .unwrap()
                .get("httpHeaders")
                .is_none(),
            "no empty httpHeaders object on the wire"
        );
        let conditional = plain.with_header("If-Unmodified-Since", "Tue, 31 Mar 2026 14:30:00 GMT");
        assert_eq!(
            serde_json::to_value(&conditional).unwrap()["httpHeaders"]["If-Unmodified-Since"],
            "Tue, 31 Mar 2026 14:30:00 GMT"
        );
    }

    use super::*;
    use crate::ErrorCode;
    use crate::escape;
    use serde_json::json;

    fn v() -> ApiVersion {
        ApiVersion::DEFAULT
    }

    #[test]
    fn serialises_to_the_documented_shape() {
        let mut request = CompositeRequest::new(true);
        request
            .push(
                CompositeSubrequest::create(
                    v(),
                    "NewLog",
                    "Call_Log__c",
                    json!({"Subject__c": "x"}),
                )
                .unwrap(),
            )
            .push(
                CompositeSubrequest::update(
                    v(),
                    "Touch",
                    "Task",
                    "@{NewLog.id}",
                    json!({"Status": "Completed"}),
                )
                .unwrap(),
            );
        let wire = serde_json::to_value(&request).unwrap();
        assert_eq!(
            wire,
            json!({"allOrNone": true, "compositeRequest": [
                {"method": "POST", "url": "/services/data/v66.0/sobjects/Call_Log__c", "referenceId": "NewLog", "body": {"Subject__c": "x"}},
                {"method": "PATCH", "url": "/services/data/v66.0/sobjects/Task/@{NewLog.id}", "referenceId": "Touch", "body": {"Status": "Completed"}}
            ]}),
            "field names and the unencoded reference must match Salesforce's format"
        );
        request.validate().expect("a well-formed request validates");
    }

    #[test]
    fn query_and_upsert_urls_are_encoded() {
        let q =
            CompositeSubrequest::query(v(), "Q", "SELECT Id FROM Contact WHERE Phone = '+1 415'")
                .unwrap();
        assert_eq!(
            q.url,
            "/services/data/v66.0/query?q=SELECT%20Id%20FROM%20Contact%20WHERE%20Phone%20%3D%20%27%2B1%20415%27"
        );
        let u = CompositeSubrequest::upsert(
            v(),
            "U",
            "Call_Log__c",
            "External_Id__c",
            "a/b c",
            json!({}),
        )
        .unwrap();
        assert_eq!(
            u.url,
            "/services/data/v66.0/sobjects/Call_Log__c/External_Id__c/a%2Fb%20c"
        );
    }

    #[test]
    fn validation_catches_limits_before_sending() {
        let mut empty = CompositeRequest::new(false);
        assert!(empty.validate().is_err(), "zero subrequests is refused");
        for i in 0..26 {
            empty.push(
                CompositeSubrequest::query(v(), &format!("q{i}"), "SELECT Id FROM Contact")
                    .unwrap(),
            );
        }
        assert!(
            empty.validate().is_err(),
            "26 subrequests exceed the limit of 25"
        );
        let mut dup = CompositeRequest::new(false);
        dup.push(CompositeSubrequest::new(
            CompositeMethod::Get,
            "/services/data/v66.0/limits",
            "a",
        ));
        dup.push(CompositeSubrequest::new(
            CompositeMethod::Get,
            "/services/data/v66.0/limits",
            "a",
        ));
        assert!(
            dup.validate().is_err(),
            "duplicate reference ids are refused"
        );
        assert!(CompositeSubrequest::update(v(), "x", "Task", "@{bad ref}", json!({})).is_err());
        assert!(CompositeSubrequest::update(v(), "x", "Task", "../../x", json!({})).is_err());
        assert!(
            CompositeSubrequest::create(v(), "x", "Task", json!([1])).is_err(),
            "body must be an object"
        );
    }

    #[test]
    fn failed_subrequest_becomes_the_same_api_error() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": {"id": "00T000000000001AAA", "success": true, "errors": []}, "httpHeaders": {"Location": "/x"}, "httpStatusCode": 201, "referenceId": "NewTask"},
            {"body": [{"errorCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "NewLog"}
        ]}))
        .unwrap();
        assert!(
            !response.all_succeeded(),
            "HTTP 200 overall must not hide the failure"
        );
        let created: crate::CreateResult = response.get("NewTask").unwrap().body_as().unwrap();
        assert_eq!(created.id, "00T000000000001AAA");
        let (reference, err) = response.first_error().expect("one failed");
        assert_eq!(reference, "NewLog");
        assert_eq!(err.api_errors()[0].error_code, ErrorCode::UnableToLockRow);
        assert!(
            err.is_retryable(),
            "lock contention inside a composite is still transient"
        );
    }

    #[test]
    fn escape_helpers_are_meant_for_composite_queries() {
        let soql = format!(
            "SELECT Id FROM Contact WHERE Email = {}",
            escape::soql_literal("a'b@x.io")
        );
        let q = CompositeSubrequest::query(v(), "Q", &soql).unwrap();
        assert!(
            q.url.contains("%5C%27"),
            "the escaped quote is encoded, not raw: {}",
            q.url
        );
    }
}
