//! Serving over real loopback TCP with hyper's HTTP/1 connection builder, which is what
//! lets faults act below HTTP: a request can have its connection closed before the handler
//! runs or after it has committed (the service returns an error, so hyper closes the
//! connection without writing a response), and the listener can be closed and re-bound on
//! the same port to refuse connections for a while. Also applies the added latency and
//! injected error answers, and writes the request log.

use crate::faults::Action;
use crate::org::{LoggedRequest, Org};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    org: Arc<Org>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/services") {
        // The /__demo control API is never slowed down or broken.
        return Ok(router
            .oneshot(req.map(Body::new))
            .await
            .unwrap_or_else(|e| match e {}));
    }
    let method = req.method().as_str().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let at = SystemTime::now();
    let logged = path.starts_with("/services/data");
    let log = |status: u16, delivered: bool| {
        if logged {
            org.log_request(LoggedRequest {
                method: method.clone(),
                path: path.clone(),
                query: query.clone(),
                status,
                delivered,
                at,
            });
        }
    };
    let latency = org.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match org.faults.take(&method, &path) {
        Some(Action::DropBeforeHandler) => {
            log(0, false);
            Err(DropConnection)
        }
        Some(Action::Error { status, body }) => {
            let mut r = Response::new(Body::from(body.to_string()));
            *r.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            log(status, true);
            Ok(r)
        }
        Some(Action::DropAfterCommit) => {
            let r = router
                .oneshot(req.map(Body::new))
                .await
                .unwrap_or_else(|e| match e {});
            log(r.status().as_u16(), false);
            Err(DropConnection)
        }
        // A held request waits for its release, then is served as any other.
        held @ (Some(Action::Hold(_)) | None) => {
            if let Some(Action::Hold(gate)) = held {
                gate.hold().await;
            }
            let r = router
                .oneshot(req.map(Body::new))
                .await
                .unwrap_or_else(|e| match e {});
            log(r.status().as_u16(), true);
            Ok(r)
        }
    }
}

async fn rebind(addr: SocketAddr, shutdown: &mut watch::Receiver<bool>) -> Option<TcpListener> {
    // The old socket may linger for a moment; retry briefly rather than give up the port.
    for _ in 0..200 {
        match TcpListener::bind(addr).await {
            Ok(l) => return Some(l),
            Err(e) => tracing::debug!(error = %e, "re-bind failed, retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(25)) => {}
            _ = shutdown.changed() => return None,
        }
    }
    tracing::error!(%addr, "could not re-bind the demo org's port");
    None
}

/// Accepts connections until `shutdown` flips, honouring refusal faults.
pub async fn serve(
    listener: TcpListener,
    org: Arc<Org>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "demo org listener has no address");
            return;
        }
    };
    // Bumped to close every open connection (refusal or shutdown).
    let (kill_tx, _) = watch::channel(0u64);
    let mut listener = Some(listener);
    while let Some(current) = listener.as_ref() {
        tokio::select! {
            // In this order: a refusal asked for before a connection arrives (at start, say)
            // closes the socket before that connection is served.
            biased;
            _ = shutdown.changed() => break,
            refuse_for = org.faults.refusal_requested() => {
                tracing::info!(?refuse_for, "refusing connections");
                // Closing the socket makes new connections fail with "connection refused".
                drop(listener.take());
                kill_tx.send_modify(|n| *n += 1);
                tokio::select! {
                    _ = tokio::time::sleep(refuse_for) => {}
                    _ = shutdown.changed() => break,
                }
                listener = rebind(addr, &mut shutdown).await;
            }
            accepted = current.accept() => {
                let (stream, _) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let org = org.clone();
                let router = router.clone();
                let mut kill = kill_tx.subscribe();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(org.clone(), router.clone(), req));
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        result = conn.as_mut() => {
                            if let Err(e) = result {
                                tracing::debug!(error = %e, "connection ended");
                            }
                        }
                        _ = kill.changed() => {}
                    }
                });
            }
        }
    }
    kill_tx.send_modify(|n| *n += 1);
}
