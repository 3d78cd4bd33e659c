//! The loopback event API: `POST /v1/events` on 127.0.0.1 only, with the
//! bearer token from `RINGSIDE_HOME/event-api.token`. `ringside call …` and
//! any softphone hook that can send HTTP use it.
//!
//! Request: `Authorization: Bearer <token>` and a JSON body (at most 64 KiB)
//! `{"event":"ring"|"answer"|"end","call_id":"…","from":"…","to":"…",
//! "direction":"inbound"|"outbound","duration":SECS,"disposition":"…"}`.
//! Answers: 202 `{"accepted":true,"event","call_id"}`; 401 without or with a
//! wrong token; 413 over 64 KiB; 400 `{"error","message"}` naming what is wrong.
//! Each refusal is logged with its reason (never with the token).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::EventStream;
use super::model::{EventSource, WireEvent};
use super::token::{ApiToken, Endpoint, TokenError};

/// Largest body accepted; an event is a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// Why the API could not start.
#[derive(Debug, Error)]
pub enum ApiStartError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
}

#[derive(Debug)]
struct Shared {
    token: ApiToken,
    events: EventStream,
}

/// The running API. Stop it with [`EventApi::shutdown`]; dropping it stops it too.
#[derive(Debug)]
pub struct EventApi {
    address: SocketAddr,
    home: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EventApi {
    /// Creates the token on first start, listens on `127.0.0.1:port` (0 picks
    /// a free port) and records the port in `event-api.json` for `ringside call`.
    pub async fn start(
        home: &Path,
        port: u16,
        events: EventStream,
    ) -> Result<EventApi, ApiStartError> {
        let token = ApiToken::load_or_create(home)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| ApiStartError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| ApiStartError::Bind { port, source })?;
        Endpoint {
            port: address.port(),
        }
        .write(home)?;
        let app = router(Arc::new(Shared { token, events }));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(err) = served {
                tracing::error!(error = %err, "the event API stopped");
            }
        });
        tracing::info!(%address, "event API listening");
        Ok(EventApi {
            address,
            home: home.to_owned(),
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops serving and removes the endpoint file.
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
            Endpoint::remove_if_ours(&self.home, self.address.port());
        }
    }
}

impl Drop for EventApi {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/events", post(post_event))
        .fallback(|| async {
            refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                "unknown path; events go to POST /v1/events".into(),
            )
        })
        .with_state(shared)
}

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    tracing::warn!(status = status.as_u16(), code, reason = %message, "event API request refused");
    let mut response = (
        status,
        axum::Json(json!({"error": code, "message": message})),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is matched without
/// regard to case (RFC 7235 §2.1), so `bearer <token>` is the same header.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("Bearer").then_some(token)
}

async fn post_event(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    // Authenticate before reading a byte of the body.
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    match presented {
        None => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing `Authorization: Bearer <token>`; the token is in RINGSIDE_HOME/event-api.token".into(),
            );
        }
        Some(token) if !shared.token.matches(token.trim()) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "wrong bearer token; use the one in RINGSIDE_HOME/event-api.token".into(),
            );
        }
        Some(_) => {}
    }
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {} KiB", MAX_BODY / 1024),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > MAX_BODY as u64) {
        return too_large();
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(err) if err.to_string().contains("length limit") => return too_large(),
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("the body could not be read: {err}"),
            );
        }
    };
    let event = match WireEvent::from_json(&bytes).and_then(|wire| wire.validate(EventSource::Api))
    {
        Ok(event) => event,
        Err(err) => return refuse(StatusCode::BAD_REQUEST, "invalid_event", err.to_string()),
    };
    let answer = json!({"accepted": true, "event": event.event, "call_id": event.call_id});
    shared.events.publish(event);
    (StatusCode::ACCEPTED, axum::Json(answer)).into_response()
}
