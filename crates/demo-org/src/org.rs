//! The running org's shared state: records, issued tokens, API usage, query cursors,
//! the request log and the fault switches. One `Org` per server, behind an `Arc`.

use crate::faults::Faults;
use crate::sessions::Sessions;
use crate::store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// The daily API request allowance shown in `Sforce-Limit-Info` (a Developer Edition's).
pub const API_LIMIT: u64 = 15_000;

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

    /// Counts one API call and returns the new total.
    pub fn count_call(&self) -> u64 {
        self.api_usage.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn api_usage(&self) -> u64 {
        self.api_usage.load(Ordering::SeqCst)
    }

    pub fn limit_header(&self) -> String {
        format!("api-usage={}/{API_LIMIT}", self.api_usage())
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
