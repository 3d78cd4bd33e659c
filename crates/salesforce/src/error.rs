//! The one error type of this crate, how a Salesforce error response becomes one, and the
//! questions callers ask of it: retry later ([`Error::is_retryable`]), refresh the session
//! ([`Error::needs_reauth`]), or was anything sent at all ([`Error::nothing_sent`]).
//!
//! Error bodies follow
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>:
//! a JSON list `[{"message","errorCode","fields"}]`; OAuth endpoints answer
//! `{"error","error_description"}`. Anything else (an HTML page from a proxy, an empty body)
//! still becomes a clear error that carries the HTTP status.
//!
//! No variant ever holds the access token: transport errors are stored without their URL
//! (which would carry query values), and text copied from a non-JSON body is scrubbed of the
//! token before it is kept.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::error_code::{ErrorClass, ErrorCode};

/// One entry of a Salesforce error list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Salesforce's own explanation, in the user's Salesforce language.
    pub message: String,
    /// The machine-readable code.
    #[serde(rename = "errorCode")]
    pub error_code: ErrorCode,
    /// The fields the error concerns, when Salesforce names them.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub fields: Vec<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl ApiError {
    /// Reads a Salesforce error body: the usual list, or a single error object (some
    /// resources answer that way). `None` when the value has neither shape.
    pub fn list_from_json(value: &serde_json::Value) -> Option<Vec<ApiError>> {
        match value {
            serde_json::Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|item| ApiError::deserialize(item).ok())
                .collect::<Option<Vec<_>>>(),
            serde_json::Value::Object(map) if map.contains_key("errorCode") => {
                ApiError::deserialize(value).ok().map(|e| vec![e])
            }
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_code, self.message)?;
        if !self.fields.is_empty() {
            write!(f, " (fields: {})", self.fields.join(", "))?;
        }
        write!(f, " — {}", self.error_code.advice())
    }
}

/// How a request failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection was made (refused, DNS failure, TLS handshake, connect timeout): the
    /// request was certainly not processed.
    Connect,
    /// The connection was made but no complete answer came in time: the request may have
    /// been processed.
    Timeout,
    /// The connection broke while sending or receiving: the request may have been processed.
    Interrupted,
}

/// Everything that can go wrong talking to Salesforce.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Salesforce answered with its error list.
    #[error(
        "Salesforce refused the request (HTTP {status}): {}",
        join_errors(errors)
    )]
    Api {
        /// The HTTP status.
        status: u16,
        /// Every error Salesforce listed, in order.
        errors: Vec<ApiError>,
    },
    /// An HTTP error whose body is not a Salesforce error (an HTML page from a proxy or
    /// firewall, an empty body, a redirect).
    #[error("{endpoint}: the server answered HTTP {} without a Salesforce error ({detail}){}", status_words(*status), status_hint(*status))]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// Method and resource, e.g. `POST composite` (never query values).
        endpoint: String,
        /// What the body looked like: its content type and, for HTML, its title.
        detail: String,
    },
    /// No usable HTTP answer: see [`TransportKind`].
    #[error("{endpoint}: {}: {detail}", transport_summary(*kind))]
    Transport {
        /// Whether the request could have been processed.
        kind: TransportKind,
        /// Method and path (never query values).
        endpoint: String,
        /// The underlying error chain, without URLs.
        detail: String,
        /// The underlying error, with its URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// An answer that could not be read as what the request returns: a success status whose
    /// body is not the expected JSON (an HTML or text page from a proxy or a maintenance
    /// window, a body of another shape). The message names the request and the status in
    /// words; the parser's own detail is kept only as the [`std::error::Error::source`], for
    /// logs.
    #[error(
        "{request}: Salesforce answered HTTP {}, but not with {expected} ({found}){}",
        status_words(*status),
        if *json_body { " — this version of Ringside cannot read it; please report it" } else { " — a proxy or maintenance page answered instead of Salesforce; it will be retried later" }
    )]
    Decode {
        /// Method and resource (`POST composite`), or the composite subrequest it answers.
        request: String,
        /// The HTTP status of the answer (of the subrequest, inside a composite).
        status: u16,
        /// What the request returns, in words (`a composite response`).
        expected: String,
        /// What came instead: its type and size, an HTML title or the start of a text body,
        /// or the shape of the JSON (never record values).
        found: String,
        /// Whether the body was JSON at all. A body that is not JSON did not come from
        /// Salesforce's API, so it says nothing about whether the request was processed.
        json_body: bool,
        /// The JSON error, when there was one.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// Bad input caught before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// An OAuth endpoint refused (`{"error","error_description"}`).
    #[error("Salesforce sign-in failed: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// The OAuth error code, e.g. `invalid_grant`.
        error: String,
        /// Salesforce's description.
        description: Option<String>,
    },
    /// The sign-in ended: refreshing the session failed with `invalid_grant` (the refresh
    /// token was revoked, expired, or used twice). Only a new interactive sign-in helps.
    #[error("Salesforce ended this sign-in ({reason}); {hint}")]
    SignedOut {
        /// What Salesforce said (its `error_description`; never a token).
        reason: String,
        /// The next step, in words of the app that built the client (e.g. which command
        /// signs in again).
        hint: String,
    },
    /// A refreshed session could not be kept: the rotated refresh token could not be
    /// stored, so the new access token was not used.
    #[error("the new Salesforce sign-in could not be stored: {0}")]
    TokenStore(String),
    /// An upsert by external id matched several records (HTTP 300): nothing was written.
    #[error(
        "{}: the external id matches {} records, so nothing was written; remove the duplicates in Salesforce: {}",
        if field.is_empty() { object.clone() } else { format!("{object}.{field}") },
        matches.len(),
        matches.join(", ")
    )]
    MultipleMatches {
        /// The object upserted (read from the matching records' URLs when the request is
        /// not at hand, e.g. inside a composite).
        object: String,
        /// The external-id field; empty when only the answer is known.
        field: String,
        /// The matching records as Salesforce lists them (record URLs or ids).
        matches: Vec<String>,
    },
}

fn join_errors(errors: &[ApiError]) -> String {
    if errors.is_empty() {
        return "no details given".into();
    }
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `200 OK`, `502 Bad Gateway`: the status with its reason phrase, when it has one.
pub(crate) fn status_words(status: u16) -> String {
    match http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 => " — sign in to Salesforce again",
        403 => " — a proxy or firewall may be blocking Salesforce, or this user lacks access",
        429 | 500..=599 => " — Salesforce or a proxy is unavailable; it will be retried later",
        300..=399 => " — check the instance URL (use the org's My Domain host)",
        _ => "",
    }
}

fn transport_summary(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::Connect => "could not connect to Salesforce (nothing was sent)",
        TransportKind::Timeout => {
            "no answer from Salesforce in time (the request may have been processed)"
        }
        TransportKind::Interrupted => {
            "the connection to Salesforce broke (the request may have been processed)"
        }
    }
}

impl Error {
    /// Whether the same request may succeed later unchanged: lock contention, API limits,
    /// outages, any 5xx, 429, and every transport failure. A caller that retries after an
    /// ambiguous transport error ([`Error::outcome_unknown`]) must first check whether the
    /// write already happened.
    ///
    /// An error list counts as retryable only when no entry is permanent and at least one is
    /// transient (or the status is 5xx). [`Error::needs_reauth`] errors are not "retryable":
    /// they need a new token first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, errors } => {
                let classes = || errors.iter().map(|e| e.error_code.class());
                if classes().any(|c| c != ErrorClass::Transient) && !errors.is_empty() {
                    return false;
                }
                !errors.is_empty() || *status >= 500 || *status == 429
            }
            Error::UnexpectedResponse { status, .. } => *status >= 500 || *status == 429,
            Error::Transport { .. } => true,
            Error::OAuth { error, .. } => {
                matches!(error.as_str(), "temporarily_unavailable" | "server_error")
            }
            // A page that is not JSON came from a proxy or a maintenance window, not from
            // the API: a later try may reach Salesforce. A JSON body of another shape will
            // be the same next time.
            Error::Decode { json_body, .. } => !json_body,
            Error::InvalidInput(_)
            | Error::MultipleMatches { .. }
            | Error::SignedOut { .. }
            | Error::TokenStore(_) => false,
        }
    }

    /// Whether the session is no longer valid (`INVALID_SESSION_ID`, or any HTTP 401): refresh
    /// the token, then retry once.
    pub fn needs_reauth(&self) -> bool {
        match self {
            Error::Api { status, errors } => {
                *status == 401
                    || errors
                        .iter()
                        .any(|e| e.error_code.class() == ErrorClass::NeedsReauth)
            }
            Error::UnexpectedResponse { status, .. } => *status == 401,
            Error::SignedOut { .. } => true,
            _ => false,
        }
    }

    /// True when the sign-in itself has ended ([`Error::SignedOut`]): refreshing cannot
    /// help, the user must sign in again. Work waiting on Salesforce should wait, not fail.
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Error::SignedOut { .. })
    }

    /// True when the request certainly never reached Salesforce: connection refused, DNS
    /// failure, TLS failure, connect timeout (the org is probably unreachable), or input
    /// refused before sending. Such a request can be sent again without any risk of doing
    /// the work twice.
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ) || matches!(self, Error::InvalidInput(_))
    }

    /// True when the request may or may not have been processed (timeout or broken
    /// connection after sending, or a success status with a page that did not come from
    /// Salesforce's API). Check what exists before writing again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Timeout | TransportKind::Interrupted,
                ..
            } | Error::Decode {
                json_body: false,
                ..
            }
        )
    }

    /// The HTTP status, when there was an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::MultipleMatches { .. } => Some(300),
            _ => None,
        }
    }

    /// The Salesforce error list (empty for errors that are not [`Error::Api`]).
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// A short stable code for logs and audit rows: the first Salesforce `errorCode`, or
    /// `HTTP_<status>`, `TRANSPORT_CONNECT`, `TRANSPORT_TIMEOUT`, `TRANSPORT_INTERRUPTED`,
    /// `DECODE`, `INVALID_INPUT`, `OAUTH_<error>`, `MULTIPLE_MATCHES`.
    pub fn code(&self) -> String {
        match self {
            Error::Api { status, errors } => errors
                .first()
                .map(|e| e.error_code.as_str().to_owned())
                .unwrap_or_else(|| format!("HTTP_{status}")),
            Error::UnexpectedResponse { status, .. } => format!("HTTP_{status}"),
            Error::Transport { kind, .. } => match kind {
                TransportKind::Connect => "TRANSPORT_CONNECT".into(),
                TransportKind::Timeout => "TRANSPORT_TIMEOUT".into(),
                TransportKind::Interrupted => "TRANSPORT_INTERRUPTED".into(),
            },
            Error::Decode { .. } => "DECODE".into(),
            Error::InvalidInput(_) => "INVALID_INPUT".into(),
            Error::OAuth { error, .. } => format!("OAUTH_{error}"),
            Error::MultipleMatches { .. } => "MULTIPLE_MATCHES".into(),
            Error::SignedOut { .. } => "SIGNED_OUT".into(),
            Error::TokenStore(_) => "TOKEN_STORE".into(),
        }
    }

    /// Turns a reqwest failure into [`Error::Transport`], dropping the URL (it may carry
    /// query values) and classifying whether anything was sent.
    pub(crate) fn from_transport(endpoint: String, err: reqwest::Error) -> Error {
        let kind = if err.is_connect() {
            TransportKind::Connect
        } else if err.is_timeout() {
            TransportKind::Timeout
        } else {
            TransportKind::Interrupted
        };
        let source = err.without_url();
        let mut detail = source.to_string();
        let mut cause = std::error::Error::source(&source);
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !detail.contains(&text) {
                detail.push_str(": ");
                detail.push_str(&text);
            }
            cause = inner.source();
        }
        Error::Transport {
            kind,
            endpoint,
            detail,
            source,
        }
    }

    /// Builds the error for a non-success HTTP answer from its status, content type and body.
    /// `secret` is removed from any body text kept for display.
    pub(crate) fn from_response(
        status: u16,
        endpoint: &str,
        content_type: Option<&str>,
        body: &[u8],
        secret: &str,
    ) -> Error {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            if let Some(errors) = ApiError::list_from_json(&value) {
                return Error::Api { status, errors };
            }
            if let Some(err) = Error::multiple_matches(status, &value) {
                return err;
            }
            if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
                let description = value
                    .get("error_description")
                    .and_then(|d| d.as_str())
                    .map(|d| scrub(d, secret));
                return Error::OAuth {
                    error: scrub(error, secret),
                    description,
                };
            }
        }
        Error::UnexpectedResponse {
            status,
            endpoint: endpoint.to_owned(),
            detail: describe_body(content_type, body, secret),
        }
    }
}

impl Error {
    /// A `300 Multiple Choices` answer: an external id that matches several records, answered
    /// with the list of their URLs
    /// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm>).
    /// `None` for any other status or a body without matches.
    pub(crate) fn multiple_matches(status: u16, body: &serde_json::Value) -> Option<Error> {
        if status != 300 {
            return None;
        }
        let matches = matches_from_json(body);
        if matches.is_empty() {
            return None;
        }
        let object = matches
            .iter()
            .find_map(|url| {
                let mut parts = url.split('/');
                parts.find(|p| *p == "sobjects")?;
                parts.next().filter(|p| !p.is_empty()).map(str::to_owned)
            })
            .unwrap_or_else(|| "record".to_owned());
        Some(Error::MultipleMatches {
            object,
            field: String::new(),
            matches,
        })
    }

    /// The error for a success answer whose body could not be read as `expected`: the
    /// Salesforce error list when the body is one (some proxies and resources answer 200
    /// with it), else [`Error::Decode`] describing what came.
    pub(crate) fn unreadable(
        request: &str,
        status: u16,
        expected: &str,
        content_type: Option<&str>,
        body: &[u8],
        source: Option<serde_json::Error>,
        secret: &str,
    ) -> Error {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(value) => {
                if let Some(errors) = ApiError::list_from_json(&value) {
                    return Error::Api { status, errors };
                }
                Error::Decode {
                    request: request.to_owned(),
                    status,
                    expected: expected.to_owned(),
                    found: describe_json(&value),
                    json_body: true,
                    source,
                }
            }
            Err(_) => Error::Decode {
                request: request.to_owned(),
                status,
                expected: expected.to_owned(),
                found: describe_body(content_type, body, secret),
                json_body: false,
                source,
            },
        }
    }
}

/// The record URLs (or ids) listed in a 300 answer: Salesforce sends a list of record URLs;
/// objects with a `url`/`attributes.url`/`id` are accepted too.
pub(crate) fn matches_from_json(body: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let Value::Array(items) = body else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(url) => Some(url.clone()),
            Value::Object(map) => map
                .get("url")
                .or_else(|| map.get("attributes").and_then(|a| a.get("url")))
                .or_else(|| map.get("id"))
                .or_else(|| map.get("Id"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        })
        .collect()
}

/// The shape of a JSON body that is not what was expected, without its values (which may
/// be record data): `a JSON object with keys a, b`, `a JSON list of 3 items`.
pub(crate) fn describe_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) if map.is_empty() => "an empty JSON object".into(),
        Value::Object(map) => {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).take(6).collect();
            if map.len() > keys.len() {
                keys.push("…");
            }
            let keys: String = keys
                .join(", ")
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect();
            format!("a JSON object with keys {keys}")
        }
        Value::Array(items) => format!("a JSON list of {} items", items.len()),
        Value::String(_) => "a JSON string".into(),
        Value::Number(_) => "a JSON number".into(),
        Value::Bool(_) => "a JSON boolean".into(),
        Value::Null => "JSON null".into(),
    }
}

/// A one-line description of an unexpected body: its type and size, plus the `<title>` of an
/// HTML page or the start of a text body (which is what tells a proxy page apart).
fn describe_body(content_type: Option<&str>, body: &[u8], secret: &str) -> String {
    let kind = content_type.unwrap_or("no content type");
    if body.is_empty() {
        return format!("empty body, {kind}");
    }
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let excerpt = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if end > start + 7 => text[start + 7..end].to_string(),
        _ => text.chars().take(120).collect(),
    };
    let excerpt: String = excerpt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let excerpt = scrub(&excerpt, secret);
    if excerpt.is_empty() {
        format!("{kind}, {} bytes", body.len())
    } else {
        format!("{kind}, {} bytes: \"{excerpt}\"", body.len())
    }
}

/// Removes the token from text that came from the server, in case a proxy echoed headers.
fn scrub(text: &str, secret: &str) -> String {
    if secret.len() >= 8 && text.contains(secret) {
        text.replace(secret, "<redacted>")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00DFAKE!SECRETSECRETSECRET";

    fn parse(status: u16, content_type: &str, body: &str) -> Error {
        Error::from_response(
            status,
            "GET /services/data/v66.0/query",
            Some(content_type),
            body.as_bytes(),
            TOKEN,
        )
    }

    #[test]
    fn parses_salesforce_error_list_with_fields() {
        let body = r#"[{"message":"Last Name: You must enter a value","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]"#;
        let err = parse(400, "application/json;charset=UTF-8", body);
        let Error::Api { status, errors } = &err else {
            panic!("expected Api, got {err:?}")
        };
        assert_eq!(*status, 400);
        assert_eq!(
            errors[0].error_code,
            ErrorCode::RequiredFieldMissing,
            "the code gets its own case"
        );
        assert_eq!(
            errors[0].fields,
            vec!["LastName".to_string()],
            "fields are kept for the form"
        );
        assert!(!err.is_retryable(), "a missing field will not fix itself");
        assert!(
            err.to_string().contains("fill it in"),
            "the message gives the next step: {err}"
        );
    }

    #[test]
    fn unknown_code_falls_back_to_other_and_keeps_message() {
        let body = r#"[{"message":"Something new","errorCode":"BRAND_NEW_CODE"}]"#;
        let err = parse(400, "application/json", body);
        assert_eq!(
            err.api_errors()[0].error_code,
            ErrorCode::Other("BRAND_NEW_CODE".into())
        );
        assert!(
            err.to_string().contains("BRAND_NEW_CODE: Something new"),
            "shown verbatim: {err}"
        );
        assert!(!err.is_retryable(), "unknown 4xx codes are permanent");
        assert_eq!(err.code(), "BRAND_NEW_CODE", "logged with its own code");
    }

    #[test]
    fn unknown_code_on_a_5xx_is_retryable_but_known_permanent_is_not() {
        let unknown = parse(
            500,
            "application/json",
            r#"[{"message":"x","errorCode":"NEW_SERVER_THING"}]"#,
        );
        // An unknown code is classed permanent, so a 5xx with it is not retried: the design
        // prefers showing a person an odd error to repeating a write blindly.
        assert!(
            !unknown.is_retryable(),
            "unknown codes are never retried blindly"
        );
        let empty = Error::Api {
            status: 503,
            errors: vec![],
        };
        assert!(empty.is_retryable(), "a bare 5xx is transient");
    }

    #[test]
    fn lock_and_limit_and_outage_are_retryable() {
        for (status, code) in [
            (400, "UNABLE_TO_LOCK_ROW"),
            (403, "REQUEST_LIMIT_EXCEEDED"),
            (503, "SERVER_UNAVAILABLE"),
        ] {
            let body = format!(r#"[{{"message":"m","errorCode":"{code}"}}]"#);
            let err = parse(status, "application/json", &body);
            assert!(err.is_retryable(), "{code} is transient");
            assert!(!err.needs_reauth(), "{code} is not an auth problem");
        }
    }

    #[test]
    fn invalid_session_needs_reauth_and_is_not_plainly_retryable() {
        let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        let err = parse(401, "application/json", body);
        assert!(
            err.needs_reauth(),
            "401 INVALID_SESSION_ID must trigger a refresh"
        );
        assert!(
            !err.is_retryable(),
            "retrying with the same token cannot help"
        );
    }

    #[test]
    fn html_proxy_page_gives_status_and_title_not_a_decode_error() {
        let body =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>";
        let err = parse(502, "text/html", body);
        let message = err.to_string();
        assert!(
            matches!(err, Error::UnexpectedResponse { status: 502, .. }),
            "got {err:?}"
        );
        assert!(
            message.contains("502") && message.contains("Bad Gateway"),
            "clear message: {message}"
        );
        assert!(err.is_retryable(), "a 502 from a proxy is transient");
    }

    #[test]
    fn empty_401_body_still_needs_reauth() {
        let err = parse(401, "text/plain", "");
        assert!(err.needs_reauth(), "any 401 means the session is unusable");
        assert!(err.to_string().contains("empty body"), "{err}");
    }

    #[test]
    fn echoed_token_in_a_proxy_page_is_scrubbed() {
        let body = format!("<html><title>Denied for Bearer {TOKEN}</title></html>");
        let err = parse(403, "text/html", &body);
        assert!(
            !err.to_string().contains(TOKEN),
            "the token must never reach an error: {err}"
        );
        assert!(!format!("{err:?}").contains(TOKEN), "nor its Debug form");
    }

    #[test]
    fn oauth_shape_is_recognised() {
        let err = parse(
            400,
            "application/json",
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        );
        assert!(
            matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
            "got {err:?}"
        );
        assert!(
            !err.is_retryable(),
            "invalid_grant needs the user to sign in"
        );
    }

    #[test]
    fn single_error_object_is_accepted() {
        let err = parse(
            404,
            "application/json",
            r#"{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}"#,
        );
        assert_eq!(err.api_errors()[0].error_code, ErrorCode::NotFound);
    }

    #[test]
    fn null_fields_are_read_as_empty() {
        let err = parse(
            400,
            "application/json",
            r#"[{"message":"m","errorCode":"INVALID_FIELD","fields":null}]"#,
        );
        assert!(
            err.api_errors()[0].fields.is_empty(),
            "null fields is common in the wild"
        );
    }

    #[test]
    fn json_that_is_not_an_error_list_is_unexpected() {
        let err = parse(400, "application/json", r#"{"hello":"world"}"#);
        assert!(
            matches!(err, Error::UnexpectedResponse { status: 400, .. }),
            "got {err:?}"
        );
    }

    #[test]
    fn status_words_add_the_reason_phrase() {
        assert_eq!(status_words(200), "200 OK");
        assert_eq!(status_words(300), "300 Multiple Choices");
        assert_eq!(status_words(503), "503 Service Unavailable");
        assert_eq!(status_words(299), "299", "no phrase, just the number");
    }

    #[test]
    fn a_200_html_page_is_unreadable_names_the_request_and_may_be_retried() {
        let body =
            "<html><head><title>Down for Maintenance</title></head><body>back soon</body></html>";
        let source = serde_json::from_str::<serde_json::Value>(body).unwrap_err();
        let err = Error::unreadable(
            "POST composite",
            200,
            "a composite response",
            Some("text/html"),
            body.as_bytes(),
            Some(source),
            TOKEN,
        );
        let message = err.to_string();
        assert!(
            message.starts_with("POST composite: Salesforce answered HTTP 200 OK"),
            "request and status in words: {message}"
        );
        assert!(
            message.contains("Down for Maintenance") && message.contains("text/html"),
            "what came instead: {message}"
        );
        assert!(
            !message.contains("expected value") && !message.contains("line 1"),
            "no serde wording: {message}"
        );
        assert!(std::error::Error::source(&err).is_some(), "kept for logs");
        assert!(err.is_retryable(), "a maintenance page goes away");
        assert!(
            err.outcome_unknown(),
            "whether the request reached Salesforce is unknown"
        );
        assert_eq!(err.status(), Some(200));
        assert_eq!(err.code(), "DECODE");
    }

    #[test]
    fn a_200_plain_text_or_empty_body_is_unreadable() {
        let err = Error::unreadable(
            "GET query",
            200,
            "a page of query results",
            Some("text/plain"),
            b"Service temporarily unavailable, try later",
            None,
            TOKEN,
        );
        assert!(
            err.to_string().contains("Service temporarily unavailable"),
            "{err}"
        );
        let err = Error::unreadable("GET query", 200, "a page", None, b"", None, TOKEN);
        assert!(err.to_string().contains("empty body"), "{err}");
    }

    #[test]
    fn a_200_json_of_another_shape_is_permanent_and_shows_its_shape_not_its_values() {
        let body = br#"{"hello":"secret-looking value","other":1}"#;
        let err = Error::unreadable(
            "POST composite",
            200,
            "a composite response",
            Some("application/json"),
            body,
            None,
            TOKEN,
        );
        let message = err.to_string();
        assert!(message.contains("keys hello, other"), "{message}");
        assert!(
            !message.contains("secret-looking"),
            "values may be record data: {message}"
        );
        assert!(!err.is_retryable(), "the same answer will come again");
        assert!(!err.outcome_unknown(), "Salesforce's API did answer");
    }

    #[test]
    fn a_200_with_an_error_list_is_the_api_error() {
        let err = Error::unreadable(
            "POST composite",
            200,
            "a composite response",
            Some("application/json"),
            r#"[{"errorCode":"LIMIT_EXCEEDED","message":"The request can’t contain more than 25 operations."}]"#.as_bytes(),
            None,
            TOKEN,
        );
        assert!(matches!(&err, Error::Api { status: 200, .. }), "{err:?}");
        assert_eq!(err.code(), "LIMIT_EXCEEDED");
    }

    #[test]
    fn a_300_with_record_urls_is_multiple_matches() {
        let err = parse(
            300,
            "application/json",
            r#"["/services/data/v66.0/sobjects/Contact/003000000000001AAA","/services/data/v66.0/sobjects/Contact/003000000000002AAA"]"#,
        );
        let Error::MultipleMatches {
            object, matches, ..
        } = &err
        else {
            panic!("300 is MultipleMatches: {err:?}")
        };
        assert_eq!(object, "Contact");
        assert_eq!(matches.len(), 2);
        assert_eq!(err.status(), Some(300));
        let html = parse(300, "text/html", "<html><title>Choose</title></html>");
        assert!(
            matches!(html, Error::UnexpectedResponse { status: 300, .. }),
            "a 300 without matches stays unexpected: {html:?}"
        );
    }
}
