//! The OAuth 2.0 web-server flow with PKCE, as Salesforce serves it under
//! `/services/oauth2/`: `authorize` (auto-approves as the demo user and redirects with a
//! code; with `prompt=consent` it shows a small Allow/Deny page first), `token`
//! (authorization_code and refresh_token grants), `revoke`, `userinfo`, and the identity
//! URL `/id/{orgId}/{userId}`. Errors are `{"error","error_description"}`.
//! Token lifetimes and rotation rules live in [`crate::sessions`].
//!
//! As Salesforce does, the authorize step answers an unknown consumer key or a callback URL
//! the app does not list with an error of its own (HTTP 400, no redirect: the redirect URI
//! cannot be trusted), and every later problem with a redirect carrying `error=` and
//! `error_description=` (and `state`).

use crate::org::{Org, lock};
use crate::rest::parse_query_string;
use crate::seed;
use crate::sessions::{
    GrantError, KNOWN_CLIENT_IDS, KNOWN_SCOPES, PendingCode, callback_allowed, invalid_client_id,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use std::sync::Arc;

/// The demo org's id (18 characters, 00D prefix).
pub const ORG_ID: &str = "00DDm0000000001MAA";

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    // Salesforce answers the authorize step with 302 Found.
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            format!("{redirect_uri}{sep}{}", query.join("&")),
        )],
    )
        .into_response()
}

/// `GET /services/oauth2/authorize`: the demo user approves at once.
pub async fn authorize(State(org): State<Arc<Org>>, RawQuery(query): RawQuery) -> Response {
    let params = parse_query_string(query.as_deref().unwrap_or_default());
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(client_id), Some(redirect_uri)) = (get("client_id"), get("redirect_uri")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "missing client_id or redirect_uri",
        );
    };
    if !KNOWN_CLIENT_IDS.contains(&client_id.as_str()) {
        let e = invalid_client_id();
        return oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description);
    }
    if !callback_allowed(&redirect_uri) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    }
    let state = get("state").unwrap_or_default();
    let fail = |error: &str, description: &str| {
        let mut p = vec![("error", error), ("error_description", description)];
        if !state.is_empty() {
            p.push(("state", state.as_str()));
        }
        redirect_with(&redirect_uri, &p)
    };
    if get("response_type").as_deref() != Some("code") {
        return fail("unsupported_response_type", "response type not supported");
    }
    let Some(challenge) = get("code_challenge") else {
        // The External Client App requires PKCE.
        return fail("invalid_request", "missing required code challenge");
    };
    if get("code_challenge_method").is_some_and(|m| m != "S256") {
        return fail("invalid_request", "unsupported code challenge method");
    }
    let scope = get("scope").unwrap_or_else(|| "api refresh_token".into());
    if let Some(bad) = scope.split_whitespace().find(|s| !KNOWN_SCOPES.contains(s)) {
        return fail(
            "invalid_scope",
            &format!("the requested scope is not allowed: {bad}"),
        );
    }
    match get("demo_decision").as_deref() {
        Some("deny") => return fail("access_denied", "end-user denied authorization"),
        Some("allow") => {}
        _ if get("prompt").is_some_and(|p| p.split_whitespace().any(|p| p == "consent")) => {
            return consent_page(query.as_deref().unwrap_or_default(), &scope);
        }
        _ => {}
    }
    // The scopes asked for are granted as asked (the demo user approves them all): a
    // token without `api` is then refused by the REST API.
    let issued_ms = org.now_ms();
    let code = lock(&org.sessions).new_code(PendingCode {
        client_id,
        redirect_uri: redirect_uri.clone(),
        challenge,
        scope,
        issued_ms,
    });
    let mut p = vec![("code", code.as_str())];
    if !state.is_empty() {
        p.push(("state", state.as_str()));
    }
    redirect_with(&redirect_uri, &p)
}

/// The Allow/Deny page: two links back to this endpoint with the demo user's decision.
fn consent_page(query: &str, scope: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let link = |decision: &str| {
        escape(&format!(
            "/services/oauth2/authorize?{query}&demo_decision={decision}"
        ))
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Allow Access?</title></head>\
         <body><h1>Allow Access?</h1><p>Ringside (demo) is asking to access your data as Dana Demo \
         with these scopes: {}.</p><p><a id=\"allow\" href=\"{}\">Allow</a> \
         <a id=\"deny\" href=\"{}\">Deny</a></p></body></html>",
        escape(scope),
        link("allow"),
        link("deny")
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
        html,
    )
        .into_response()
}

/// `POST /services/oauth2/token` (form-encoded).
pub async fn token(State(org): State<Arc<Org>>, body: Bytes) -> Response {
    let params = parse_query_string(&String::from_utf8_lossy(&body));
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let epoch = org.faults.token_epoch();
    let session_epoch = org.faults.session_epoch();
    let now_ms = org.now_ms();
    let mut sessions = lock(&org.sessions);
    let result = match get("grant_type") {
        "authorization_code" => {
            sessions.counts.authorization_code += 1;
            sessions.redeem_code(
                get("code"),
                get("client_id"),
                get("redirect_uri"),
                get("code_verifier"),
                epoch,
                session_epoch,
                now_ms,
            )
        }
        "refresh_token" => {
            sessions.counts.refresh_token += 1;
            sessions.refresh(
                get("client_id"),
                get("refresh_token"),
                epoch,
                session_epoch,
                now_ms,
            )
        }
        _ => Err(GrantError {
            error: "unsupported_grant_type",
            description: "grant type not supported".into(),
        }),
    };
    drop(sessions);
    match result {
        Ok(grant) => {
            let issued_at = now_ms.to_string();
            let signature = crate::sessions::base64url(
                format!("{}{issued_at}", grant.access_token.len()).as_bytes(),
            );
            let mut body = json!({
                "access_token": grant.access_token,
                "signature": signature,
                "scope": grant.scope,
                "instance_url": org.base_url,
                "id": identity_url(&org),
                "token_type": "Bearer",
                "issued_at": issued_at,
            });
            if let Some(r) = grant.refresh_token {
                body["refresh_token"] = json!(r);
            }
            Json(body).into_response()
        }
        Err(e) => oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description),
    }
}

/// `POST /services/oauth2/revoke` with `token=…`.
pub async fn revoke(State(org): State<Arc<Org>>, body: Bytes) -> Response {
    let params = parse_query_string(&String::from_utf8_lossy(&body));
    let token = params
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let mut sessions = lock(&org.sessions);
    sessions.counts.revoke += 1;
    if sessions.revoke(token) {
        StatusCode::OK.into_response()
    } else {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            "this token type is not supported",
        )
    }
}

/// `GET /services/oauth2/userinfo` with a bearer token: OpenID Connect's view of the user.
pub async fn userinfo(State(org): State<Arc<Org>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !org.token_valid(token) {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    }
    let user = seed::well_known("demo_user");
    Json(json!({
        "sub": identity_url(&org),
        "user_id": org.user_id,
        "organization_id": ORG_ID,
        "preferred_username": DEMO_USERNAME,
        "name": user.map(|u| u.name).unwrap_or("Dana Demo"),
        "email": user.and_then(|u| u.email).unwrap_or_default(),
        "email_verified": true,
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
    }))
    .into_response()
}

/// The demo user's Salesforce username.
pub const DEMO_USERNAME: &str = "dana.demo@ringside.example";

pub fn identity_url(org: &Org) -> String {
    format!("{}/id/{ORG_ID}/{}", org.base_url, org.user_id)
}

/// `GET /id/{orgId}/{userId}` with a bearer token: who the token belongs to.
pub async fn identity(
    State(org): State<Arc<Org>>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !org.token_valid(token) {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    }
    if org_id != ORG_ID || user_id != org.user_id {
        return oauth_error(StatusCode::NOT_FOUND, "not_found", "no such identity");
    }
    let user = seed::well_known("demo_user");
    Json(json!({
        "id": identity_url(&org),
        "user_id": org.user_id,
        "organization_id": ORG_ID,
        "username": DEMO_USERNAME,
        "display_name": user.map(|u| u.name).unwrap_or("Dana Demo"),
        "email": user.and_then(|u| u.email).unwrap_or_default(),
        "active": true,
        "user_type": "STANDARD",
        "urls": {
            "rest": format!("{}/services/data/v{{version}}/", org.base_url),
            "sobjects": format!("{}/services/data/v{{version}}/sobjects/", org.base_url),
            "query": format!("{}/services/data/v{{version}}/query/", org.base_url),
            "search": format!("{}/services/data/v{{version}}/search/", org.base_url),
        },
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn org_id_has_a_valid_checksum() {
        assert_eq!(
            crate::ids::canonical(&super::ORG_ID[..15]).as_deref(),
            Some(super::ORG_ID),
            "the org id is a well-formed 18-char id"
        );
    }
}
