//! The loopback redirect: a one-purpose HTTP listener on `127.0.0.1:<port>` that receives
//! `GET /oauth/callback?…` from the user's browser (RFC 8252 §7.3) and answers with a small
//! page. Anything else gets a 404 and is ignored. Dropping it releases the port.

use std::future::Future;
use std::pin::Pin;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{CallbackParams, CallbackVerdict, LoginError, RedirectSource};

/// The callback path registered in the External Client App.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// Requests larger than this are not a browser redirect.
const MAX_REQUEST: usize = 16 * 1024;

/// Listens for the browser's redirect on a loopback port.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    port: u16,
    /// The browser connection waiting for its page.
    waiting: Option<TcpStream>,
}

impl LoopbackRedirect {
    /// Binds `127.0.0.1:port` (0 picks a free port; a real org needs the fixed port its
    /// External Client App lists).
    pub async fn bind(port: u16) -> Result<Self, LoginError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| LoginError::Listen { port, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| LoginError::Listen { port, source })?
            .port();
        Ok(Self {
            listener,
            port,
            waiting: None,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    async fn accept_callback(&mut self) -> Result<CallbackParams, LoginError> {
        loop {
            let (mut stream, _) =
                self.listener
                    .accept()
                    .await
                    .map_err(|source| LoginError::Listen {
                        port: self.port,
                        source,
                    })?;
            let Some(target) = read_request_target(&mut stream).await else {
                let _ = respond(
                    &mut stream,
                    400,
                    "Bad request",
                    "This is not a sign-in answer.",
                )
                .await;
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            if path != CALLBACK_PATH {
                // Browsers also ask for /favicon.ico; not our business.
                let _ = respond(&mut stream, 404, "Not found", "Nothing here.").await;
                continue;
            }
            self.waiting = Some(stream);
            return Ok(CallbackParams::from_query(query));
        }
    }

    async fn answer_browser(&mut self, verdict: CallbackVerdict) {
        let Some(mut stream) = self.waiting.take() else {
            return;
        };
        let (status, title, text) = verdict.page();
        if let Err(e) = respond(&mut stream, status, title, &text).await {
            tracing::debug!(error = %e, "the browser left before its page was sent");
        }
    }
}

impl RedirectSource for LoopbackRedirect {
    fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    fn next_callback(
        &mut self,
    ) -> Pin<Box<dyn Future<Output = Result<CallbackParams, LoginError>> + Send + '_>> {
        Box::pin(self.accept_callback())
    }

    fn answer(
        &mut self,
        verdict: CallbackVerdict,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(self.answer_browser(verdict))
    }
}

/// Reads the request head and returns its target (`/path?query`), or `None` for anything
/// that is not a small `GET`.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 || head.len() + n > MAX_REQUEST {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Some(())
    };
    // A connection that never sends its request must not hold up the sign-in.
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .ok()??;
    let text = std::str::from_utf8(&head).ok()?;
    let mut parts = text.lines().next()?.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET" && target.starts_with('/')).then(|| target.to_owned())
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ringside: {}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(title),
        escape(text)
    );
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
