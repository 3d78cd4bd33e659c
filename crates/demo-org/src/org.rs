//! The running org's shared state: records, issued tokens, API usage, query cursors,
//! the request log and the fault switches. One `Org` per server, behind an `Arc`.
//!
//! ## The daily API allocation
//! Every authenticated `/services/data` request is one API call (a composite too, whatever it
//! holds), counted before it is answered. The allocation (the M of `Sforce-Limit-Info:
//! api-usage=N/M` and `DailyApiRequests.Max` of `/limits`) is [`DEFAULT_API_LIMIT`] unless
//! `DemoOrgConfig::api_limit`, `ringside demo-org serve --api-limit N` or the `api_limit`
//! fault set it. Once a call would pass it, the org answers that call, and every later data
//! request, 403 `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit
//! exceeded."}]`, as Salesforce does when an org's total allocation is used up
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>:
//! "If the error code is REQUEST_LIMIT_EXCEEDED, you've exceeded API request limits in your
//! org"; allocations:
//! <https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html>).
//! There is no rolling 24-hour window here: usage only grows, and a test raises the
//! allocation (the `api_limit` fault) to let calls through again.
//!
//! Where the documentation is silent, the stricter choice:
//! - `GET /limits` is an API call like any other: it counts, and is refused once the
//!   allocation is used up (the Limits page names no exemption:
//!   <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm>).
//! - Refused calls count too, so a client that keeps retrying an exhausted org digs itself
//!   deeper (the header can then read `api-usage=N/M` with N > M, as Salesforce's does when an
//!   org runs over its allocation). `/limits` answers only while N ≤ M, so its `Remaining`
//!   (M − N) is never negative and always agrees with the header of the same answer.
//! - Unauthenticated requests (401) and the `/__demo/` control API are not counted.

use crate::faults::Faults;
use crate::sessions::Sessions;
use crate::store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// The daily API allocation unless configured otherwise (a Developer Edition's).
pub const DEFAULT_API_LIMIT: u64 = 15_000;

/// Cursors kept for `query/{locator}` pages; the oldest are dropped past this.
const MAX_CURSORS: usize = 200;

/// One `/services/data` request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    /// URL path, e.g. `/services/data/v66.0/query`.
    pub path: String,
    /// Raw query string (still percent-encoded), if any.
    pub query: Option<String>,
    /// Status the org produced; 0 when the connection was dropped before the handler ran.
    pub status: u16,
    /// False when a fault dropped the connection instead of sending the response.
    pub delivered: bool,
    /// When the request arrived.
    #[serde(serialize_with = "ser_time")]
    pub at: SystemTime,
}

fn ser_time<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(
        t.duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
    )
}

/// A query's matching rows, for `nextRecordsUrl` paging: their ids in order, rendered a
/// batch at a time as the client asks (a server-side cursor, as Salesforce keeps).
#[derive(Debug)]
pub struct Cursor {
    pub query: crate::soql::Query,
    pub ids: Vec<String>,
    pub batch: usize,
    /// When the query ran (named date literals keep their meaning on later pages).
    pub now_ms: i64,
}

#[derive(Debug, Default)]
pub struct Cursors {
    next: u64,
    order: Vec<String>,
    map: HashMap<String, Cursor>,
}

impl Cursors {
    pub fn insert(&mut self, cursor: Cursor) -> String {
        self.next += 1;
        let locator = crate::ids::make_id("01g", self.next);
        self.order.push(locator.clone());
        self.map.insert(locator.clone(), cursor);
        if self.order.len() > MAX_CURSORS {
            let old = self.order.remove(0);
            self.map.remove(&old);
        }
        locator
    }

    pub fn get(&self, locator: &str) -> Option<&Cursor> {
        self.map.get(locator)
    }
}

#[derive(Debug)]
pub struct Org {
    pub store: Mutex<Store>,
    pub faults: Faults,
    pub sessions: Mutex<Sessions>,
    api_usage: AtomicU64,
    log: Mutex<Vec<LoggedRequest>>,
    pub cursors: Mutex<Cursors>,
    pub user_id: String,
    /// `http://127.0.0.1:PORT`, the instance URL.
    pub base_url: String,
}

/// Locks a mutex, recovering from poisoning: the guarded data stays consistent because
/// every mutation is completed before anything that could panic.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Org {
    pub fn new(store: Store, faults: Faults, base_url: String) -> Self {
        let user_id = store.default_owner.clone();
        Org {
            store: Mutex::new(store),
            faults,
            sessions: Mutex::new(Sessions::default()),
            api_usage: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            cursors: Mutex::new(Cursors::default()),
            user_id,
            base_url,
        }
    }

    /// A new bearer token for the demo user, shaped like a Salesforce session id.
    pub fn issue_token(&self) -> String {
        lock(&self.sessions).issue_access(self.faults.token_epoch(), None)
    }

    /// A new bearer token acting as `user_id` (a seeded agent): it sees what that user's
    /// sharing allows (see [`Org::sees_all_data`]).
    pub fn issue_token_as(&self, user_id: &str) -> String {
        lock(&self.sessions).issue_access_as(self.faults.token_epoch(), user_id)
    }

    /// The user a valid `token` acts as: the demo user unless it was issued for another.
    pub fn user_of(&self, token: &str) -> String {
        lock(&self.sessions)
            .user_of(token)
            .map_or_else(|| self.user_id.clone(), str::to_owned)
    }

    /// Whether `user_id` has "View All Data": the demo user (the org's admin) does; the
    /// seeded agents do not, so private objects show them their own records only.
    pub fn sees_all_data(&self, user_id: &str) -> bool {
        user_id == self.user_id
    }

    pub fn token_valid(&self, token: &str) -> bool {
        lock(&self.sessions).access_valid(token, self.faults.token_epoch())
    }

    /// Counts one API call; `false` when it passes the allocation and must be refused
    /// (REQUEST_LIMIT_EXCEEDED). The refused call stays counted (see the module doc).
    pub fn count_call(&self) -> bool {
        let used = self.api_usage.fetch_add(1, Ordering::SeqCst) + 1;
        used <= self.api_limit()
    }

    pub fn api_usage(&self) -> u64 {
        self.api_usage.load(Ordering::SeqCst)
    }

    /// The daily API allocation (changeable through the `api_limit` fault).
    pub fn api_limit(&self) -> u64 {
        self.faults.api_limit()
    }

    /// `api-usage=N/M`: the calls counted so far and the allocation.
    pub fn limit_header(&self) -> String {
        format!("api-usage={}/{}", self.api_usage(), self.api_limit())
    }

    pub fn log_request(&self, entry: LoggedRequest) {
        lock(&self.log).push(entry);
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }
}
