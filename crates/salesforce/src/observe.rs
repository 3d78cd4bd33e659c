//! A hook told about every request a [`crate::Client`] sends, so an application can keep
//! its own count of API usage (per kind of work, durably) without this crate knowing how.
//!
//! The hook sees exactly the requests [`crate::Client::api_requests_made`] counts: every
//! request that got an answer or may have reached the server, a resend after a refreshed
//! session included (two requests). Connection failures, where nothing was sent, are not
//! reported.

use crate::limits::LimitInfo;

/// One request sent by a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentRequest {
    /// The answer's HTTP status; `None` when the request may have reached the server but no
    /// answer came back (a timeout, a connection lost after sending).
    pub status: Option<u16>,
    /// The answer's `Sforce-Limit-Info` usage, when it carried one.
    pub limit: Option<LimitInfo>,
}

/// Told about every request a client (and its clones) sends. Called on the task that sent
/// it, inside the request, so it must be quick and must not block: keep a count in memory
/// and write it elsewhere.
pub trait RequestObserver: Send + Sync + std::fmt::Debug {
    fn request_sent(&self, request: &SentRequest);

    /// Told about each request to the OAuth token endpoint the client made to renew its
    /// session after a 401 (one per refresh, however many requests waited on it; not when
    /// the connection failed and nothing was sent). These are not REST API requests, so
    /// [`crate::Client::api_requests_made`] does not count them, but they are requests the
    /// application sent on the user's behalf. The default ignores them.
    fn token_request_sent(&self) {}
}
