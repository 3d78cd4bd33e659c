//! The Salesforce REST resources under `/services/data/vNN.N/`, independent of HTTP
//! plumbing: a [`Call`] (method, path segments, parameters, JSON body) goes in, an
//! [`Answer`] (status, JSON body, Location) comes out. The HTTP layer and composite
//! subrequests both go through [`dispatch`], so a subrequest behaves exactly like the
//! same request sent alone.

pub mod batch;
pub mod chatter;
pub mod composite;
pub mod query;
pub mod sobjects;

use crate::api_error::ApiError;
use crate::org::Org;
use crate::soql::eval::Rows;
use crate::store::Store;
use serde_json::{Value, json};

/// API versions this org serves, with their release names (v60 Spring '24 … v66 Spring '26).
pub const VERSIONS: &[(&str, &str)] = &[
    ("60.0", "Spring '24"),
    ("61.0", "Summer '24"),
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
    ("66.0", "Spring '26"),
];

/// `GET /services/data/`: the versions list, up to `newest` when a test made the org older
/// (an org not yet upgraded to a release serves only the versions up to it).
pub fn versions_body(newest: Option<&str>) -> Value {
    Value::Array(
        VERSIONS
            .iter()
            .filter(|(v, _)| serves(v, newest))
            .map(|(v, label)| json!({"label": label, "url": format!("/services/data/v{v}"), "version": v}))
            .collect(),
    )
}

/// Whether `version` (`"62.0"`) is served by an org whose newest version is `newest`.
pub fn serves(version: &str, newest: Option<&str>) -> bool {
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u32>().ok());
    match newest {
        None => true,
        Some(newest) => major(version) <= major(newest),
    }
}

/// One REST request, already authenticated.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The version without its `v` (`66.0`).
    pub version: String,
    /// Percent-decoded path segments after the version (`["sobjects", "Contact", "003…"]`).
    pub segments: Vec<String>,
    /// Decoded query-string parameters.
    pub params: Vec<(String, String)>,
    /// From `Sforce-Query-Options: batchSize=N`, if given.
    pub batch_size: Option<usize>,
    /// `If-Unmodified-Since` / `If-Modified-Since` header values, if sent.
    pub if_unmodified_since: Option<String>,
    pub if_modified_since: Option<String>,
    /// `If-Match` / `If-None-Match` ETag lists, if sent (honoured on Account rows only).
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    pub body: Option<Value>,
    /// The user the request acts as (its token's), for record sharing.
    pub user_id: String,
}

impl Call {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Who this request reads as in `org`, for record sharing.
    pub fn viewer<'c>(&'c self, org: &Org) -> crate::sharing::Viewer<'c> {
        crate::sharing::Viewer {
            user_id: &self.user_id,
            view_all_data: org.sees_all_data(&self.user_id),
        }
    }
}

/// A REST answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
    pub location: Option<String>,
    /// The `ETag` header (Account rows).
    pub etag: Option<String>,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Self {
        Answer {
            status,
            body: Some(body),
            location: None,
            etag: None,
        }
    }

    pub fn no_content() -> Self {
        Self::empty(204)
    }

    /// A status without a body (204, 304).
    pub fn empty(status: u16) -> Self {
        Answer {
            status,
            body: None,
            location: None,
            etag: None,
        }
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        Answer::json(e.status, e.body())
    }
}

/// Splits `/services/data/v66.0/a/b?x=y` into a version and segments; `None` when the
/// path is not under a supported version.
pub fn parse_path(path: &str) -> Result<(String, Vec<String>), ApiError> {
    let rest = path
        .strip_prefix("/services/data/")
        .ok_or_else(ApiError::not_found)?;
    let mut parts = rest.split('/');
    let version = parts.next().unwrap_or_default();
    let version = version.strip_prefix('v').ok_or_else(ApiError::not_found)?;
    if !VERSIONS.iter().any(|(v, _)| *v == version) {
        return Err(ApiError::not_found());
    }
    let segments = parts
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    Ok((version.to_owned(), segments))
}

/// Decodes an `application/x-www-form-urlencoded` query string.
pub fn parse_query_string(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn method_not_allowed(method: &str, allowed: &str) -> Answer {
    ApiError::new(
        405,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
    .into()
}

/// Routes one call. `allow_composite` is false inside a composite (no nesting).
pub fn dispatch(
    org: &Org,
    store: &mut Store,
    call: &Call,
    now_ms: i64,
    allow_composite: bool,
) -> Answer {
    // Object permissions and field-level security (a test's hidden objects and fields)
    // around every request and subrequest.
    if let Some(refused) = crate::object_access::refuse(org, call) {
        return refused;
    }
    if let Some(refused) = crate::field_security::refuse(org, call) {
        return refused;
    }
    let answer = route(org, store, call, now_ms, allow_composite);
    let answer = crate::object_access::hide(org, call, answer);
    crate::field_security::hide(org, call, answer)
}

fn route(org: &Org, store: &mut Store, call: &Call, now_ms: i64, allow_composite: bool) -> Answer {
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let m = call.method.as_str();
    match (segs.as_slice(), m) {
        ([], "GET") => Answer::json(200, resources(&call.version)),
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
        // Max and Remaining agree with this answer's `Sforce-Limit-Info` (this call counted).
        (["limits"], "GET") => Answer::json(
            200,
            json!({"DailyApiRequests": {"Max": org.api_limit(), "Remaining": org.api_limit().saturating_sub(org.api_usage())}}),
        ),
        (["sobjects", ..], _) => {
            sobjects::route(store, call, &segs[1..], now_ms, &call.viewer(org))
        }
        // Connect REST API's Chatter feeds (see `chatter`' module doc); a FeedItem is the
        // same row as sobjects/FeedItem's.
        (["chatter", ..], _) => chatter::route(store, call, &segs[1..], now_ms),
        (["query"], "GET") => query::query(org, store, call, now_ms, Rows::Live),
        (["queryAll"], "GET") => query::query(org, store, call, now_ms, Rows::IncludingDeleted),
        (["query" | "queryAll", locator], "GET") => {
            query::next_page(org, store, call, locator, now_ms)
        }
        (["query" | "queryAll", ..], _) => method_not_allowed(m, "GET"),
        (["search"], "GET") => query::search(org, store, call, now_ms),
        (["search"], _) => method_not_allowed(m, "GET"),
        (["composite"], "POST") if allow_composite => {
            composite::composite(org, store, call, now_ms)
        }
        (["composite", "batch"], "POST") if allow_composite => {
            batch::batch(org, store, call, now_ms)
        }
        (["composite", "sobjects"], "POST") => composite::collection_create(store, call, now_ms),
        (["composite", "graph"], "POST") if allow_composite => {
            composite::graph(org, store, call, now_ms)
        }
        (["composite", ..], "POST") if !allow_composite => ApiError::bad_request(
            "INVALID_API_INPUT",
            "A composite subrequest cannot be another composite request",
        )
        .into(),
        (["composite", ..], _) => method_not_allowed(m, "POST"),
        _ => ApiError::not_found().into(),
    }
}

fn resources(version: &str) -> Value {
    let base = format!("/services/data/v{version}");
    json!({
        "sobjects": format!("{base}/sobjects"),
        "query": format!("{base}/query"),
        "queryAll": format!("{base}/queryAll"),
        "search": format!("{base}/search"),
        "composite": format!("{base}/composite"),
        "limits": format!("{base}/limits"),
        "connect": format!("{base}/connect"),
        "chatter": format!("{base}/chatter"),
    })
}
