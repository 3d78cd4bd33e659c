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
/// The most query, queryAll (next pages included) and sObject Collections subrequests one
/// composite call may carry
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm>).
/// A search does not count.
pub const MAX_QUERY_OPERATIONS: usize = 5;

/// What [`inert_text`] puts between `@` and `{`: U+2060 WORD JOINER, invisible and no
/// line-break opportunity, so the text reads as typed.
pub const REFERENCE_BREAK: char = '\u{2060}';

/// Text that a subrequest body carries as itself, never as a reference. Salesforce reads
/// `@{referenceId.Field}` anywhere in a subrequest's body or URL as a reference to an
/// earlier result
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_composite_subrequest.htm>),
/// and refuses the subrequest when it cannot resolve one. So a note in which the agent typed
/// `@{x.Id}` would be refused (or, worse, filled in). Every `@{` in text a person wrote gets
/// [`REFERENCE_BREAK`] between its two characters; the docs name no escape, so an invisible
/// character is the one change that keeps the text looking as written. References Ringside
/// plans itself are added after this, never passed through it.
pub fn inert_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("@{") {
        std::borrow::Cow::Owned(text.replace("@{", &format!("@{REFERENCE_BREAK}{{")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// [`inert_text`] applied to every string inside `value` (objects and lists included).
pub fn make_inert(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(inert) = inert_text(s) {
                *s = inert;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_inert),
        Value::Object(map) => map.values_mut().for_each(make_inert),
        _ => {}
    }
}

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
    /// call: 1 to 25 subrequests, at most 5 of them query or sObject Collections operations,
    /// unique well-formed reference ids, versioned URLs.
    pub fn validate(&self) -> Result<(), Error> {
        let count = self.composite_request.len();
        if count == 0 || count > MAX_SUBREQUESTS {
            return Err(Error::InvalidInput(format!(
                "a composite request needs 1 to {MAX_SUBREQUESTS} subrequests, not {count}"
            )));
        }
        let queries = self
            .composite_request
            .iter()
            .filter(|sub| sub.is_query_or_collection())
            .count();
        if queries > MAX_QUERY_OPERATIONS {
            return Err(Error::InvalidInput(format!(
                "a composite request may hold at most {MAX_QUERY_OPERATIONS} query or sObject Collections subrequests, not {queries}"
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
    /// The resource path below `/services/data/vNN.N/`, without the query string.
    fn resource(&self) -> &str {
        let path = self.url.split(['?', '#']).next().unwrap_or(&self.url);
        path.strip_prefix("/services/data/")
            .and_then(|rest| rest.split_once('/'))
            .map_or(path, |(_, resource)| resource)
            .trim_start_matches('/')
    }

    /// Whether this counts against [`MAX_QUERY_OPERATIONS`]: `query`, `queryAll` (a query or
    /// a next-page locator) or anything under `composite/sobjects`.
    pub fn is_query_or_collection(&self) -> bool {
        let resource = self.resource();
        let first = resource.split('/').next().unwrap_or_default();
        first.eq_ignore_ascii_case("query")
            || first.eq_ignore_ascii_case("queryAll")
            || resource == "composite/sobjects"
            || resource.starts_with("composite/sobjects/")
    }

    /// Whether a composite graph may hold this node: only sObject rows —
    /// `POST sobjects/X`, `GET|PATCH|DELETE sobjects/X/{id}`, and by external id
    /// `GET|PATCH|DELETE|POST sobjects/X/Field/value`
    /// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm>).
    pub fn is_graph_node(&self) -> bool {
        let parts: Vec<&str> = self.resource().split('/').collect();
        let record_id = |s: &str| {
            (s.starts_with("@{") && s.ends_with('}'))
                || ((s.len() == 15 || s.len() == 18)
                    && s.chars().all(|c| c.is_ascii_alphanumeric()))
        };
        let not_a_row = |s: &str| {
            matches!(
                s,
                "describe"
                    | "listviews"
                    | "quickActions"
                    | "updated"
                    | "deleted"
                    | "compactLayouts"
            )
        };
        use CompositeMethod::*;
        match (parts.as_slice(), self.method) {
            (["sobjects", object], Post) => !not_a_row(object),
            (["sobjects", _, id], Get | Patch | Delete) => record_id(id),
            (["sobjects", _, field, value], Get | Patch | Delete | Post) => {
                !not_a_row(field) && !record_id(field) && !value.is_empty()
            }
            _ => false,
        }
    }

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

/// The answer to a composite call: one subresponse per subrequest, in order — or, when
/// Salesforce refused the whole request (over 25 subrequests, over 5 query or sObject
/// Collections operations), a single entry without a reference id; see
/// [`CompositeResponse::refusal`].
///
/// Read leniently, as Salesforce documents and sends it
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite.htm>):
/// `referenceId` and `body` may be null, `httpHeaders` may be missing or null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
            .find(|r| r.reference_id.as_deref() == Some(reference_id))
    }

    /// Whether every subrequest succeeded. Check this: the call itself answers 200 anyway.
    pub fn all_succeeded(&self) -> bool {
        self.composite_response
            .iter()
            .all(CompositeSubresponse::is_success)
    }

    /// The first failed subresponse as an error, with its reference id (`None` for an entry
    /// without one, such as a whole-request refusal).
    pub fn first_error(&self) -> Option<(Option<&str>, Error)> {
        self.composite_response
            .iter()
            .find_map(|r| r.error().map(|e| (r.reference_id.as_deref(), e)))
    }

    /// The error of a composite Salesforce refused as a whole: over a limit it answers HTTP
    /// 200 with one failed entry whose `referenceId` is null, e.g. `LIMIT_EXCEEDED` "The
    /// request can’t contain more than 25 operations." (recorded from a real org in
    /// <https://github.com/guardian/support-service-lambdas/pull/766>). Nothing ran.
    pub fn refusal(&self) -> Option<Error> {
        match self.composite_response.as_slice() {
            [only] if only.reference_id.is_none() => only.error(),
            _ => None,
        }
    }

    /// The failure that caused the others: the first failed subresponse that is not
    /// `PROCESSING_HALTED` (rolled back or not run because of another one), else the first
    /// failed one. This is what an all-or-none composite or a failed graph is about.
    pub fn cause(&self) -> Option<(Option<&str>, Error)> {
        let failures = || {
            self.composite_response
                .iter()
                .filter_map(|r| r.error().map(|e| (r.reference_id.as_deref(), e)))
        };
        let halted = |e: &Error| {
            let list = e.api_errors();
            !list.is_empty()
                && list
                    .iter()
                    .all(|a| a.error_code == crate::ErrorCode::ProcessingHalted)
        };
        failures()
            .find(|(_, e)| !halted(e))
            .or_else(|| failures().next())
    }
}

/// One subresponse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubresponse {
    /// The subrequest's body: a record, a query page, a save result, an error list, a list
    /// of matching record URLs (300), or null (204).
    #[serde(default)]
    pub body: Value,
    /// Response headers of the subrequest (missing or null reads as none).
    #[serde(default, deserialize_with = "lenient_headers")]
    pub http_headers: HashMap<String, String>,
    /// The subrequest's own HTTP status.
    pub http_status_code: u16,
    /// The reference id it answers; null on the single entry of a whole-request refusal.
    #[serde(default)]
    pub reference_id: Option<String>,
}

/// Headers as a map of strings: null is no headers, and a value that is not a string
/// (a number) is kept as its JSON text rather than failing the whole answer.
fn lenient_headers<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<HashMap<String, String>, D::Error> {
    let raw = Option::<HashMap<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(text) => (k, text),
            other => (k, other.to_string()),
        })
        .collect())
}

impl CompositeSubresponse {
    /// Whether this subrequest succeeded (2xx).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.http_status_code)
    }

    /// How errors name this subresponse: `composite subrequest `NewLog``.
    fn name(&self) -> String {
        match &self.reference_id {
            Some(reference) => format!("composite subrequest `{reference}`"),
            None => "composite request".to_owned(),
        }
    }

    /// For a failed subrequest, the same error a direct call would have given:
    /// [`Error::Api`] with the listed errors, [`Error::MultipleMatches`] for a `300` with the
    /// matching records, or [`Error::UnexpectedResponse`] when the body is neither. `None` on
    /// success.
    pub fn error(&self) -> Option<Error> {
        if self.is_success() {
            return None;
        }
        let status = self.http_status_code;
        if let Some(errors) = ApiError::list_from_json(&self.body) {
            return Some(Error::Api { status, errors });
        }
        if let Some(err) = Error::multiple_matches(status, &self.body) {
            return Some(err);
        }
        Some(Error::UnexpectedResponse {
            status,
            endpoint: self.name(),
            detail: format!(
                "the body is not a Salesforce error list but {}",
                crate::error::describe_json(&self.body)
            ),
        })
    }

    /// Reads a successful body as `T` (a [`crate::QueryPage`], [`crate::Record`],
    /// [`crate::CreateResult`]…); a failed subrequest gives its error instead.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        if let Some(err) = self.error() {
            return Err(err);
        }
        T::deserialize(&self.body).map_err(|source| Error::Decode {
            request: self.name(),
            status: self.http_status_code,
            expected: format!("a {}", short_type_name::<T>()),
            found: crate::error::describe_json(&self.body),
            json_body: true,
            source: Some(source),
        })
    }
}

/// `QueryPage` for `salesforce::query::QueryPage<salesforce::record::Record>`.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
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
        assert_eq!(reference, Some("NewLog"));
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

    /// Recorded from a real org over the 25-subrequest limit
    /// (<https://github.com/guardian/support-service-lambdas/pull/766>).
    const LIMIT_REFUSAL: &str = r#"{"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED","message":"The request can’t contain more than 25 operations."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":null}]}"#;

    #[test]
    fn a_whole_request_refusal_with_a_null_reference_id_is_read_and_is_limit_exceeded() {
        let response: CompositeResponse =
            serde_json::from_str(LIMIT_REFUSAL).expect("referenceId null must be readable");
        assert!(!response.all_succeeded(), "nothing ran");
        assert!(
            response.get("anything").is_none(),
            "no subresponse answers a reference"
        );
        let (reference, err) = response
            .first_error()
            .expect("the refusal is the first error");
        assert_eq!(reference, None, "the refusal has no reference id");
        assert!(
            matches!(&err, Error::Api { status: 400, .. }),
            "an API error: {err:?}"
        );
        assert_eq!(err.api_errors()[0].error_code, ErrorCode::LimitExceeded);
        assert!(
            !err.is_retryable(),
            "the same request would be refused again"
        );
        assert!(
            err.to_string().contains("at most 25"),
            "the message says what to change: {err}"
        );
        let refusal = response.refusal().expect("a whole-request refusal");
        assert_eq!(refusal.code(), "LIMIT_EXCEEDED");
        let five = r#"{"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED","message":"The request can’t contain more than 5 query or sObject Collections operations."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":null}]}"#;
        let five: CompositeResponse = serde_json::from_str(five).unwrap();
        assert_eq!(
            five.refusal().map(|e| e.code()).as_deref(),
            Some("LIMIT_EXCEEDED")
        );
    }

    #[test]
    fn an_ordinary_failed_subresponse_is_not_a_refusal() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": [{"errorCode": "NOT_FOUND", "message": "gone"}], "httpHeaders": {}, "httpStatusCode": 404, "referenceId": "missing"}
        ]}))
        .unwrap();
        assert!(
            response.refusal().is_none(),
            "a subresponse with its reference id answers its own subrequest"
        );
    }

    #[test]
    fn null_bodies_and_missing_or_null_headers_are_read() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": null, "httpHeaders": {}, "httpStatusCode": 204, "referenceId": "patched"},
            {"httpStatusCode": 204, "referenceId": "noHeaders"},
            {"body": {"id": "003000000000001AAA", "success": true, "errors": []}, "httpHeaders": null, "httpStatusCode": 201, "referenceId": "nullHeaders"},
            {"body": null, "httpHeaders": {"Content-Length": 0, "ETag": null}, "httpStatusCode": 204, "referenceId": "oddHeaders"}
        ]}))
        .expect("every documented variant is readable");
        assert!(response.all_succeeded());
        assert!(response.get("noHeaders").unwrap().http_headers.is_empty());
        assert!(response.get("nullHeaders").unwrap().http_headers.is_empty());
        assert_eq!(
            response
                .get("oddHeaders")
                .unwrap()
                .http_headers
                .get("Content-Length"),
            Some(&"0".to_string()),
            "a number header is kept as text, not a reason to reject the answer"
        );
        let created: crate::CreateResult = response.get("nullHeaders").unwrap().body_as().unwrap();
        assert_eq!(created.id, "003000000000001AAA");
    }

    #[test]
    fn an_unresolvable_reference_is_processing_halted_and_the_cause_is_found() {
        // Recorded from a real org (salesforce-misc/ReVoman,
        // src/test/resources/composite/query/resp/query-response-all-error.json).
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "billingScheduleForOrderId"},
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "Invalid reference specified. No value for billingScheduleForOrderId.records[0].Id found in billingScheduleForOrderId."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "billingMilestonePlan"}
        ]}))
        .unwrap();
        let (reference, err) = response.first_error().unwrap();
        assert_eq!(reference, Some("billingScheduleForOrderId"));
        assert_eq!(err.api_errors()[0].error_code, ErrorCode::ProcessingHalted);
        assert!(
            response.cause().is_some(),
            "with every entry halted, the first one is the cause"
        );
        let mixed: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "rolled back"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "log"},
            {"body": [{"errorCode": "DUPLICATE_VALUE", "message": "duplicate value found", "fields": []}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "task"}
        ]}))
        .unwrap();
        let (reference, err) = mixed.cause().unwrap();
        assert_eq!(
            reference,
            Some("task"),
            "the failure that rolled the rest back"
        );
        assert_eq!(err.code(), "DUPLICATE_VALUE");
    }

    #[test]
    fn a_300_subresponse_is_multiple_matches() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": [
                "/services/data/v66.0/sobjects/Call_Log__c/a00000000000001AAA",
                "/services/data/v66.0/sobjects/Call_Log__c/a00000000000002AAA"
            ], "httpHeaders": {}, "httpStatusCode": 300, "referenceId": "log"}
        ]}))
        .unwrap();
        let err = response
            .get("log")
            .unwrap()
            .error()
            .expect("300 is a failure");
        let Error::MultipleMatches {
            object, matches, ..
        } = &err
        else {
            panic!("300 with record URLs is MultipleMatches: {err:?}")
        };
        assert_eq!(object, "Call_Log__c", "the object comes from the URLs");
        assert_eq!(matches.len(), 2);
        assert!(
            err.to_string()
                .starts_with("Call_Log__c: the external id matches 2 records"),
            "{err}"
        );
        assert!(!err.is_retryable(), "duplicates need a person");
    }

    #[test]
    fn a_body_of_another_shape_names_the_subrequest_and_keeps_serde_out_of_the_message() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": {"unexpected": true}, "httpHeaders": {}, "httpStatusCode": 200, "referenceId": "q"}
        ]}))
        .unwrap();
        let err = response
            .get("q")
            .unwrap()
            .body_as::<crate::QueryPage<crate::Record>>()
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("composite subrequest `q`") && message.contains("200 OK"),
            "names the subrequest and the status in words: {message}"
        );
        assert!(
            message.contains("QueryPage") && message.contains("unexpected"),
            "says what was expected and what came: {message}"
        );
        assert!(
            !message.contains("missing field"),
            "serde's wording stays out of the message: {message}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "serde's detail is kept for logs"
        );
        let failed: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": "<html>oops</html>", "httpStatusCode": 502, "referenceId": "x"}
        ]}))
        .unwrap();
        let err = failed.get("x").unwrap().error().unwrap();
        assert!(
            matches!(err, Error::UnexpectedResponse { status: 502, .. }),
            "{err:?}"
        );
        assert!(err.is_retryable(), "a 502 inside a composite is transient");
    }

    #[test]
    fn validation_counts_queries_and_collections_but_not_searches() {
        let q = |i: usize| {
            CompositeSubrequest::query(v(), &format!("q{i}"), "SELECT Id FROM Contact").unwrap()
        };
        let mut five_and_search = CompositeRequest::new(false);
        for i in 0..5 {
            five_and_search.push(q(i));
        }
        five_and_search
            .push(CompositeSubrequest::search(v(), "s", "FIND {x} RETURNING Contact(Id)").unwrap());
        five_and_search
            .validate()
            .expect("a search is not a query operation");
        let mut six = five_and_search.clone();
        six.push(q(5));
        assert!(six.validate().is_err(), "6 queries exceed Salesforce's 5");
        let mut collection = five_and_search.clone();
        collection.push(
            CompositeSubrequest::new(
                CompositeMethod::Post,
                "/services/data/v66.0/composite/sobjects",
                "coll",
            )
            .with_body(json!({"records": []})),
        );
        assert!(
            collection.validate().is_err(),
            "sObject Collections count with the queries"
        );
        let next_page = CompositeSubrequest::new(
            CompositeMethod::Get,
            "/services/data/v66.0/query/01gD0000002HU6KIAW-2000",
            "more",
        );
        assert!(next_page.is_query_or_collection(), "a next page is a query");
        let query_all = CompositeSubrequest::new(
            CompositeMethod::Get,
            "/services/data/v66.0/queryAll?q=SELECT+Id+FROM+Task",
            "all",
        );
        assert!(query_all.is_query_or_collection());
    }

    #[test]
    fn only_sobject_rows_are_graph_nodes() {
        let rows = [
            CompositeSubrequest::create(v(), "a", "Task", json!({})).unwrap(),
            CompositeSubrequest::update(v(), "b", "Task", "@{a.id}", json!({})).unwrap(),
            CompositeSubrequest::upsert(v(), "c", "Call_Log__c", "External_Id__c", "x", json!({}))
                .unwrap(),
            CompositeSubrequest::new(
                CompositeMethod::Get,
                "/services/data/v66.0/sobjects/Contact/003000000000001AAA?fields=Id",
                "d",
            ),
        ];
        for row in &rows {
            assert!(
                row.is_graph_node(),
                "{} {} is a row",
                row.reference_id,
                row.url
            );
        }
        let others = [
            CompositeSubrequest::query(v(), "q", "SELECT Id FROM Task").unwrap(),
            CompositeSubrequest::search(v(), "s", "FIND {x}").unwrap(),
            CompositeSubrequest::new(
                CompositeMethod::Get,
                "/services/data/v66.0/sobjects/Task/describe",
                "d",
            ),
            CompositeSubrequest::new(
                CompositeMethod::Post,
                "/services/data/v66.0/composite/sobjects",
                "c",
            ),
            CompositeSubrequest::new(CompositeMethod::Get, "/services/data/v66.0/limits", "l"),
        ];
        for other in &others {
            assert!(!other.is_graph_node(), "{} is not a graph node", other.url);
        }
    }

    #[test]
    fn text_with_a_reference_pattern_is_sent_inert_and_looks_the_same() {
        assert_eq!(
            inert_text("see @{x.Id} and @{y}"),
            "see @\u{2060}{x.Id} and @\u{2060}{y}",
            "every @{{ is broken by the invisible word joiner"
        );
        assert!(
            matches!(
                inert_text("plain @ and { text"),
                std::borrow::Cow::Borrowed(_)
            ),
            "text without @{{ is left as it is"
        );
        let mut body = serde_json::json!({"Notes": "call @{a.b}", "List": ["@{c}"], "n": 3});
        make_inert(&mut body);
        assert!(
            !body.to_string().contains("@{"),
            "no @{{ left anywhere in the body: {body}"
        );
        assert_eq!(
            body["Notes"].as_str().unwrap().replace(REFERENCE_BREAK, ""),
            "call @{a.b}",
            "without the invisible character the text is as typed"
        );
    }
}
