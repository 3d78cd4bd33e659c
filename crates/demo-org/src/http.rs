//! The axum routes: Salesforce's `/services/data` surface (authentication, the
//! `Sforce-Limit-Info` header, JSON bodies) on top of [`crate::rest`], and the
//! `/__demo/` test-harness control API (faults, request log, tokens), which answers
//! local tools only (see [`guard_control_api`]).

use crate::api_error::ApiError;
use crate::faults::FaultCommand;
use crate::oauth;
use crate::org::{Org, lock};
use crate::rest::{self, Answer, Call};
use crate::sessions::TokenCheck;
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn router(org: Arc<Org>) -> Router {
    Router::new()
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .route("/services/data/{*rest}", any(data))
        .route("/services/oauth2/authorize", get(oauth::authorize))
        .route("/services/oauth2/token", post(oauth::token))
        .route("/services/oauth2/revoke", post(oauth::revoke))
        .route("/services/oauth2/userinfo", get(oauth::userinfo))
        .route("/id/{org_id}/{user_id}", get(oauth::identity))
        .route("/__demo/faults", post(post_fault))
        .route(
            "/__demo/requests",
            get(get_requests).delete(delete_requests),
        )
        .route("/__demo/tokens", post(post_token))
        .route("/__demo/usage", get(get_usage))
        .route("/__demo/call_logs", post(post_call_logs))
        .route("/__demo/oauth", get(get_oauth_counts))
        .route("/__demo/clock", get(get_clock).post(post_clock))
        .fallback(not_found)
        .layer(middleware::from_fn(guard_control_api))
        .with_state(org)
}

/// The largest body the control API reads (call-log seed specs are a few hundred bytes).
const MAX_CONTROL_BODY: usize = 1024 * 1024;

/// The `/__demo/` control API hands out tokens and rewrites the org's behaviour, so only
/// local tools may use it, never a web page the agent happens to have open: a request with an
/// `Origin` header (browsers send one on every cross-origin and every POST request; node's
/// `fetch`, reqwest and curl send none), a non-loopback `Host` (a DNS-rebinding page), or a POST
/// whose body is not `application/json` (a cross-origin "simple" `text/plain` post) is
/// answered 403 `{"error": …}`. A POST with an empty body needs no `Content-Type`
/// (`POST /__demo/tokens` from a test harness). The Salesforce surface is left alone: it is
/// guarded by its bearer tokens, as Salesforce's is.
async fn guard_control_api(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/__demo/") {
        return next.run(request).await;
    }
    if let Some(reason) = foreign_caller(&request) {
        return control_refusal(&reason);
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CONTROL_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"error": "the control API takes bodies up to 1 MiB"})),
        )
            .into_response();
    };
    if !bytes.is_empty() {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            let shown = if essence.is_empty() { "none" } else { essence };
            return control_refusal(&format!(
                "the control API takes JSON bodies only (Content-Type: application/json), not {shown}"
            ));
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Why a control-API request does not come from a local tool, if it does not.
fn foreign_caller(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let shown = origin.to_str().unwrap_or("(not text)");
        return Some(format!(
            "the control API is for local tools, not web pages (Origin: {shown})"
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    if is_loopback_host(host) {
        None
    } else {
        Some(format!(
            "the control API answers 127.0.0.1, localhost or [::1] only (Host: {host:?})"
        ))
    }
}

/// `127.0.0.1[:port]`, `localhost[:port]`, `[::1][:port]` (any loopback address).
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, after)) => (
                name,
                after
                    .strip_prefix(':')
                    .or_else(|| after.is_empty().then_some("")),
            ),
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, Some("")),
        },
    };
    let port_ok = port.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    port_ok
        && (name.eq_ignore_ascii_case("localhost")
            || name
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()))
}

fn control_refusal(reason: &str) -> Response {
    (StatusCode::FORBIDDEN, Json(json!({"error": reason}))).into_response()
}

/// `GET /__demo/clock` → `{"now_ms"}`: the org's time.
async fn get_clock(State(org): State<Arc<Org>>) -> Response {
    Json(json!({"now_ms": org.now_ms()})).into_response()
}

/// `POST /__demo/clock` with `{"advance_ms": N}` → `{"now_ms"}`: moves the org's clock
/// forward (query cursors expire, `TODAY` moves on) without waiting.
async fn post_clock(State(org): State<Arc<Org>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Advance {
        advance_ms: u64,
    }
    match serde_json::from_slice::<Advance>(&body) {
        Ok(a) => {
            let now_ms = org.advance_clock(i64::try_from(a.advance_ms).unwrap_or(i64::MAX));
            Json(json!({"now_ms": now_ms})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("expected {{\"advance_ms\": N}}: {e}")})),
        )
            .into_response(),
    }
}

/// `GET /__demo/oauth`: token and revoke requests answered so far, by grant type.
async fn get_oauth_counts(State(org): State<Arc<Org>>) -> Response {
    Json(json!(lock(&org.sessions).counts)).into_response()
}

fn json_response(org: &Org, status: u16, body: Option<Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        Some(b) if status != StatusCode::NO_CONTENT => {
            let mut r = Response::new(Body::from(b.to_string()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            r
        }
        _ => Response::new(Body::empty()),
    };
    *response.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&org.limit_header()) {
        response.headers_mut().insert("Sforce-Limit-Info", v);
    }
    response
}

fn answer_response(org: &Org, answer: Answer) -> Response {
    let location = answer.location.clone();
    let etag = answer.etag.clone();
    let mut r = json_response(org, answer.status, answer.body);
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        r.headers_mut().insert(header::ETAG, tag);
    }
    r
}

async fn versions(State(org): State<Arc<Org>>) -> Response {
    let newest = org.faults.newest_api_version();
    json_response(&org, 200, Some(rest::versions_body(newest.as_deref())))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("OAuth "))
        .map(str::trim)
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Sforce-Query-Options: batchSize=N`.
fn batch_size(headers: &HeaderMap) -> Option<usize> {
    let v = headers.get("Sforce-Query-Options")?.to_str().ok()?;
    v.split(',').find_map(|part| {
        let (k, n) = part.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("batchSize") {
            n.trim().parse().ok()
        } else {
            None
        }
    })
}

async fn data(
    State(org): State<Arc<Org>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // A dead token and one without the `api` scope are both 401 INVALID_SESSION_ID, with
    // different messages (see `sessions`' module doc); neither counts as an API call.
    let refused = match bearer(&headers).map(|t| org.check_token(t)) {
        Some(TokenCheck::Valid) => None,
        // `chatter_api` without `api`: Connect REST API resources only.
        Some(TokenCheck::ConnectOnly) if is_connect_resource(uri.path()) => None,
        Some(TokenCheck::NoApiScope | TokenCheck::ConnectOnly) => {
            Some(ApiError::session_not_valid_for_rest())
        }
        Some(TokenCheck::Invalid) | None => Some(ApiError::invalid_session()),
    };
    if let Some(refused) = refused {
        let mut r = json_response(&org, 401, Some(refused.body()));
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
        return r;
    }
    // Every authenticated data request is one API call (a composite too, whatever it holds);
    // past the allocation, every one is refused (see `org`'s module doc).
    if !org.count_call() {
        return answer_response(&org, ApiError::request_limit_exceeded().into());
    }
    if let Some(refused) = unsupported_media_type(&method, &headers) {
        return answer_response(&org, refused.into());
    }
    let (version, segments) = match rest::parse_path(uri.path()) {
        // A version newer than the org serves does not exist there: 404, as for any
        // unknown version.
        Ok((version, _)) if !rest::serves(&version, org.faults.newest_api_version().as_deref()) => {
            return answer_response(&org, ApiError::not_found().into());
        }
        Ok(p) => p,
        Err(e) => return answer_response(&org, e.into()),
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(e) => {
                return answer_response(
                    &org,
                    ApiError::json_parser(format!("Unexpected character in JSON body: {e}")).into(),
                );
            }
        }
    };
    let call = Call {
        method: method.as_str().to_owned(),
        version,
        segments,
        params: rest::parse_query_string(uri.query().unwrap_or_default()),
        batch_size: batch_size(&headers),
        if_unmodified_since: header_text(&headers, "If-Unmodified-Since"),
        if_modified_since: header_text(&headers, "If-Modified-Since"),
        if_match: header_text(&headers, "If-Match"),
        if_none_match: header_text(&headers, "If-None-Match"),
        body,
        user_id: bearer(&headers).map_or_else(|| org.user_id.clone(), |t| org.user_of(t)),
    };
    let answer = {
        let mut store = lock(&org.store);
        rest::dispatch(&org, &mut store, &call, org.now_ms(), true)
    };
    answer_response(&org, answer)
}

/// Whether `path` is a Connect REST API resource (`/services/data/vNN.N/chatter/…`), which
/// a `chatter_api` token may call.
fn is_connect_resource(path: &str) -> bool {
    rest::parse_path(path)
        .is_ok_and(|(_, segments)| segments.first().is_some_and(|s| s == "chatter"))
}

/// A write (POST, PATCH, PUT) whose `Content-Type` is not JSON: 415 Unsupported Media Type.
/// Salesforce's REST API takes JSON or XML bodies, named by `Content-Type`
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_patch.htm>);
/// its "Status Codes and Error Responses" page
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>)
/// gives no body for a 415, and the copy we read did not show its 415 row, so the status
/// follows HTTP (RFC 9110 §15.5.16) and the body is this org's choice:
/// `[{"errorCode":"UNSUPPORTED_MEDIA_TYPE","message":…}]`. Stricter than Salesforce where it
/// is unsure: this org speaks JSON only, so XML is refused too, and so is a write with no
/// `Content-Type` (a client must say what it sends).
fn unsupported_media_type(method: &Method, headers: &HeaderMap) -> Option<ApiError> {
    if !matches!(*method, Method::POST | Method::PATCH | Method::PUT) {
        return None;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        return None;
    }
    let shown = if essence.is_empty() { "none" } else { essence };
    Some(ApiError::new(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        format!("Content type '{shown}' not supported: send the body as application/json"),
    ))
}

async fn not_found(State(org): State<Arc<Org>>) -> Response {
    json_response(&org, 404, Some(ApiError::not_found().body()))
}

async fn post_fault(State(org): State<Arc<Org>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultCommand>(&body) {
        Ok(command) => {
            tracing::info!(?command, "fault injected");
            org.faults.apply(command);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("invalid fault command: {e}")})),
        )
            .into_response(),
    }
}

async fn get_requests(State(org): State<Arc<Org>>) -> Response {
    Json(org.requests()).into_response()
}

async fn delete_requests(State(org): State<Arc<Org>>) -> Response {
    org.clear_requests();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_usage(State(org): State<Arc<Org>>) -> Response {
    Json(json!({"api_usage": org.api_usage(), "limit": org.api_limit()})).into_response()
}

async fn post_token(State(org): State<Arc<Org>>) -> Response {
    let token = org.issue_token();
    Json(json!({
        "access_token": token,
        "instance_url": org.base_url,
        "id": oauth::identity_url(&org),
        "token_type": "Bearer",
        "issued_at": org.now_ms().to_string(),
    }))
    .into_response()
}

/// `POST /__demo/call_logs`: seeds a call history ([`crate::CallLogSeed`]).
async fn post_call_logs(State(org): State<Arc<Org>>, body: Bytes) -> Response {
    let spec = match serde_json::from_slice::<crate::CallLogSeed>(&body) {
        Ok(spec) => spec,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("invalid call-log seed: {e}")})),
            )
                .into_response();
        }
    };
    match crate::call_log_seed::seed(&mut lock(&org.store), &spec) {
        Ok(seeded) => Json(json!({
            "seeded": seeded.calls.len(),
            "from_ms": seeded.from_ms,
            "until_ms": seeded.until_ms,
            "agents": seeded.agents,
        }))
        .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}
