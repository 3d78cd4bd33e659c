//! The loopback event API: `POST /v1/events` on 127.0.0.1 only, with the
//! bearer token from `RINGSIDE_HOME/event-api.token`. `ringside call …` and
//! any softphone hook that can send HTTP use it.
//!
//! Request: `Authorization: Bearer <token>` and a JSON body (at most 64 KiB)
//! `{"event":"ring"|"answer"|"end","call_id":"…","from":"…","to":"…",
//! "direction":"inbound"|"outbound","duration":SECS,"disposition":"…"}`.
//! Answers: 202 `{"accepted":true,"event","call_id"}`; 401 without or with a
//! wrong token; 413 over 64 KiB; 408 for a body slower than 10 s; 400
//! `{"error","message"}` naming what is wrong; 503 over 32 connections at once.
//! Each refusal is logged with its reason (never with the token).
//!
//! `GET /v1/hello?nonce=<hex>` proves the listener knows the token without anyone
//! sending it ([`super::hello`]). Headers must arrive within 10 s (idle keep-alive
//! connections are closed after as long) and a connection lives at most 60 s
//! ([`ApiLimits`]), so slow or stuck clients cannot hold the API.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use thiserror::Error;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use super::EventStream;
use super::hello::{self, Probe};
use super::model::{EventSource, WireEvent};
use super::token::{ApiToken, Endpoint, TokenError};

/// Largest body accepted; an event is a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// How long a starting intake waits for the recorded endpoint to answer its hello.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What one client may hold of the API. Loopback clients are local programs, but a stuck
/// or hostile one must not hold connections forever or crowd out `ringside call`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiLimits {
    /// Time to send a request's headers; also how long an idle keep-alive connection stays
    /// open waiting for the next request.
    pub header_read_timeout: Duration,
    /// Time to send the body once the headers are in.
    pub body_read_timeout: Duration,
    /// A connection is closed after this long whatever it does.
    pub connection_lifetime: Duration,
    /// Connections served at once; more are answered 503 and closed at once.
    pub max_connections: usize,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            connection_lifetime: Duration::from_secs(60),
            max_connections: 32,
        }
    }
}

/// Why the API could not start.
#[derive(Debug, Error)]
pub enum ApiStartError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error(
        "another Ringside is already listening for call events on port {port}{pid}; \
         stop it first or use a different RINGSIDE_HOME",
        pid = if *.pid == 0 { String::new() } else { format!(" (pid {})", .pid) }
    )]
    AlreadyRunning { port: u16, pid: u32 },
}

#[derive(Debug)]
struct Shared {
    token: ApiToken,
    events: EventStream,
    port: u16,
    limits: ApiLimits,
}

/// The running API. Stop it with [`EventApi::shutdown`]; dropping it stops it too.
#[derive(Debug)]
pub struct EventApi {
    address: SocketAddr,
    home: PathBuf,
    endpoint: Endpoint,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EventApi {
    /// [`EventApi::start_with`] with the default limits.
    pub async fn start(
        home: &Path,
        port: u16,
        events: EventStream,
    ) -> Result<EventApi, ApiStartError> {
        EventApi::start_with(home, port, events, ApiLimits::default()).await
    }

    /// Creates the token on first start, listens on `127.0.0.1:port` (0 picks a free port)
    /// and records the port in `event-api.json` for `ringside call`. Refuses to start when
    /// the endpoint file names a live Ringside of this home (its file is left alone); a
    /// file left by a crashed run, or naming a port someone else holds, is replaced.
    pub async fn start_with(
        home: &Path,
        port: u16,
        events: EventStream,
        limits: ApiLimits,
    ) -> Result<EventApi, ApiStartError> {
        let token = ApiToken::load_or_create(home)?;
        if let Some(recorded) = Endpoint::read(home).unwrap_or_else(|err| {
            tracing::warn!("{err}; replacing it");
            None
        }) {
            match hello::probe(recorded.port, &token, PROBE_TIMEOUT).await {
                Probe::Ringside => {
                    return Err(ApiStartError::AlreadyRunning {
                        port: recorded.port,
                        pid: recorded.pid,
                    });
                }
                Probe::NotListening => {
                    tracing::info!(
                        port = recorded.port,
                        "replacing the endpoint file of a run that is gone"
                    );
                }
                Probe::NotRingside(reason) => {
                    tracing::info!(port = recorded.port, %reason, "replacing a stale endpoint file: the program on its port is not this Ringside");
                }
            }
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| ApiStartError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| ApiStartError::Bind { port, source })?;
        let endpoint = Endpoint::new_run(address.port());
        endpoint.write(home)?;
        let app = router(Arc::new(Shared {
            token,
            events,
            port: address.port(),
            limits,
        }));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, limits, stopped));
        tracing::info!(%address, "event API listening");
        Ok(EventApi {
            address,
            home: home.to_owned(),
            endpoint,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops serving and removes the endpoint file (when it is still this run's).
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
            self.endpoint.remove_if_ours(&self.home);
        }
    }
}

impl Drop for EventApi {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// The answer to a connection over the cap, written without waiting (it fits any socket
/// buffer), so a flood costs no task per refused connection.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
Retry-After: 1\r\nConnection: close\r\nContent-Length: 77\r\n\r\n\
{\"error\":\"busy\",\"message\":\"too many connections to the event API; try again\"}";

/// Accepts connections until `stopped`: each is served by hyper with the header-read
/// timeout, inside its lifetime and under the connection cap.
async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ApiLimits,
    mut stopped: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let socket = match accepted {
            Ok((socket, _)) => socket,
            Err(err) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %err, "the event API could not accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(
                max = limits.max_connections,
                "event API connection refused: at its connection cap"
            );
            let _ = socket.try_write(BUSY);
            continue;
        };
        let app = app.clone();
        connections.spawn(async move {
            serve_connection(socket, app, limits).await;
            drop(permit);
        });
    }
    // Stopping: in-flight connections are cut (an event either was published or was not).
    connections.shutdown().await;
}

async fn serve_connection(socket: TcpStream, app: Router, limits: ApiLimits) {
    let service = hyper::service::service_fn(move |request| app.clone().oneshot(request));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(socket), service);
    match tokio::time::timeout(limits.connection_lifetime, connection).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) if err.is_timeout() => {
            tracing::debug!(
                "event API connection closed: no request within the header-read timeout"
            );
        }
        Ok(Err(err)) => tracing::debug!(error = %err, "event API connection ended"),
        Err(_) => tracing::debug!("event API connection closed at the end of its lifetime"),
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/events", post(post_event))
        .route(hello::HELLO_PATH, get(hello_answer))
        .fallback(|| async {
            refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                "unknown path; events go to POST /v1/events".into(),
            )
        })
        .with_state(shared)
}

#[derive(Debug, serde::Deserialize)]
struct HelloQuery {
    nonce: String,
}

/// Proves this listener knows the token without the caller sending it (see [`hello`]).
async fn hello_answer(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HelloQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(HelloQuery { nonce })) if hello::valid_nonce(&nonce) => axum::Json(json!({
            "app": hello::APP,
            "proof": hello::proof(&shared.token, shared.port, &nonce),
        }))
        .into_response(),
        _ => refuse(
            StatusCode::BAD_REQUEST,
            "invalid_nonce",
            format!(
                "GET {}?nonce=<{} to {} hex characters>",
                hello::HELLO_PATH,
                hello::NONCE_HEX_MIN,
                hello::NONCE_HEX_MAX
            ),
        ),
    }
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
    let read = tokio::time::timeout(
        shared.limits.body_read_timeout,
        axum::body::to_bytes(body, MAX_BODY),
    );
    let bytes = match read.await {
        Err(_) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!(
                    "the body did not arrive within {} s",
                    shared.limits.body_read_timeout.as_secs_f32()
                ),
            );
        }
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) if err.to_string().contains("length limit") => return too_large(),
        Ok(Err(err)) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_is_well_formed_http() {
        let text = std::str::from_utf8(BUSY).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|l| l.parse().ok())
            .expect("a Content-Length");
        assert_eq!(length, body.len(), "Content-Length is the body's length");
        let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["error"], "busy");
    }
}
