//! The running org's shared state: records, issued tokens, API usage, query cursors,
//! the request log, the fault switches and the org's clock. One `Org` per server, behind
//! an `Arc`.
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
//!
//! ## Query cursors (`nextRecordsUrl` locators)
//! A query whose rows do not fit one batch keeps a server-side cursor, named by the
//! locator in its `nextRecordsUrl`. As the SOAP API Developer Guide's "QueryLocator" page
//! says (<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm>):
//! a cursor expires after 15 minutes of inactivity ([`LOCATOR_IDLE_MS`]; each page read
//! starts the 15 minutes again), and a user has at most 10 open ([`MAX_OPEN_PER_USER`]):
//! opening an 11th releases that user's oldest. A cursor read to its last row is closed.
//! A closed, expired or released locator answers 400
//! `[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]`.
//!
//! Salesforce's newer "API Query Cursor Limits" page
//! (<https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-apicursors.html>)
//! says these limits were lifted with API v56.0: cursors now live 2 days and their number
//! is not limited. This org keeps the older, stricter rules on purpose (an app that
//! survives them survives the newer ones, and a locator can still die: after 2 days,
//! [`LOCATOR_LIFETIME_MS`], which is enforced too), and says so in its docs.
//! Where the documentation is silent, the stricter choice: a locator used by another user
//! than the one who ran the query is invalid for them, and expiry is checked at exactly
//! 15 minutes.

use crate::faults::Faults;
use crate::sessions::{Sessions, TokenCheck};
use crate::store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// The daily API allocation unless configured otherwise (a Developer Edition's).
pub const DEFAULT_API_LIMIT: u64 = 15_000;

/// A query cursor unused this long is expired (15 minutes of inactivity).
pub const LOCATOR_IDLE_MS: i64 = 15 * 60 * 1000;
/// A query cursor older than this is expired however recently it was used (2 days).
pub const LOCATOR_LIFETIME_MS: i64 = 2 * 24 * 60 * 60 * 1000;
/// Open query cursors per user; opening one more closes that user's oldest.
pub const MAX_OPEN_PER_USER: usize = 10;

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
    /// Live rows only (`query`) or the Recycle Bin's too (`queryAll`): later pages render
    /// the same rows the first did.
    pub rows: crate::soql::eval::Rows,
    pub ids: Vec<String>,
    pub batch: usize,
    /// When the query ran (named date literals keep their meaning on later pages; the
    /// 2-day lifetime counts from here).
    pub now_ms: i64,
    /// The user who ran the query: the cursor counts against their 10, and only they can
    /// read it.
    pub user_id: String,
    /// When a page was last read from it (or the query ran): the 15 minutes count from here.
    pub last_used_ms: i64,
}

impl Cursor {
    fn expired(&self, now_ms: i64) -> bool {
        now_ms - self.last_used_ms >= LOCATOR_IDLE_MS || now_ms - self.now_ms >= LOCATOR_LIFETIME_MS
    }
}

/// The open cursors, oldest first. See the module doc for their rules.
#[derive(Debug, Default)]
pub struct Cursors {
    next: u64,
    /// Locators in the order they were opened.
    order: Vec<String>,
    map: HashMap<String, Cursor>,
}

impl Cursors {
    /// Keeps `cursor` open and returns its locator. Expired cursors are dropped first; past
    /// [`MAX_OPEN_PER_USER`] for its user, that user's oldest are closed.
    pub fn open(&mut self, cursor: Cursor) -> String {
        let now_ms = cursor.last_used_ms;
        let expired: Vec<String> = self
            .map
            .iter()
            .filter(|(_, c)| c.expired(now_ms))
            .map(|(l, _)| l.clone())
            .collect();
        for locator in expired {
            self.close(&locator);
        }
        self.next += 1;
        let locator = crate::ids::make_id("01g", self.next);
        let user = cursor.user_id.clone();
        self.order.push(locator.clone());
        self.map.insert(locator.clone(), cursor);
        let users: Vec<String> = self
            .order
            .iter()
            .filter(|l| self.map.get(*l).is_some_and(|c| c.user_id == user))
            .cloned()
            .collect();
        for oldest in &users[..users.len().saturating_sub(MAX_OPEN_PER_USER)] {
            self.close(oldest);
        }
        locator
    }

    /// The open cursor `locator` as `user_id` may read it at `now_ms`, its 15 minutes
    /// started again; `None` when it is unknown, closed, expired (then closed now) or
    /// another user's.
    pub fn touch(&mut self, locator: &str, user_id: &str, now_ms: i64) -> Option<&Cursor> {
        let cursor = self.map.get(locator)?;
        if cursor.expired(now_ms) {
            self.close(locator);
            return None;
        }
        let cursor = self.map.get_mut(locator)?;
        if cursor.user_id != user_id {
            return None;
        }
        cursor.last_used_ms = now_ms;
        Some(cursor)
    }

    /// Closes `locator` (read to its end, released or expired).
    pub fn close(&mut self, locator: &str) {
        if self.map.remove(locator).is_some() {
            self.order.retain(|l| l != locator);
        }
    }

    /// How many cursors `user_id` has open (expired ones not yet dropped included).
    #[cfg(test)]
    pub fn open_for(&self, user_id: &str) -> usize {
        self.map.values().filter(|c| c.user_id == user_id).count()
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
    /// Added to the wall clock: how far a test moved the org's clock forward.
    clock_offset_ms: AtomicI64,
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
            clock_offset_ms: AtomicI64::new(0),
            user_id,
            base_url,
        }
    }

    /// The org's time, in milliseconds since the epoch: the wall clock plus however far
    /// [`Org::advance_clock`] moved it. Everything that asks "when" in a request (record
    /// timestamps, `TODAY`, cursor expiry, `issued_at`) reads this clock.
    pub fn now_ms(&self) -> i64 {
        crate::clock::now_ms() + self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// Moves the org's clock forward by `ms` (never back: a negative value is ignored; at
    /// most a century at a time). Returns the org's new time.
    pub fn advance_clock(&self, ms: i64) -> i64 {
        const CENTURY_MS: i64 = 100 * 366 * 86_400_000;
        self.clock_offset_ms
            .fetch_add(ms.clamp(0, CENTURY_MS), Ordering::SeqCst);
        self.now_ms()
    }

    /// A new bearer token for the demo user with full scopes, shaped like a Salesforce
    /// session id; it ends with the session timeout like any other.
    pub fn issue_token(&self) -> String {
        let now_ms = self.now_ms();
        lock(&self.sessions).issue_access(self.faults.token_epoch(), None, now_ms, true)
    }

    /// A new bearer token acting as `user_id` (a seeded agent): it sees what that user's
    /// sharing allows (see [`Org::sees_all_data`]).
    pub fn issue_token_as(&self, user_id: &str) -> String {
        let now_ms = self.now_ms();
        lock(&self.sessions).issue_access_as(self.faults.token_epoch(), user_id, now_ms)
    }

    /// A sign-in for the demo user with the standard scopes (`api refresh_token
    /// offline_access`), as the web-server flow would give one, without the browser.
    pub fn sign_in(&self) -> crate::sessions::Grant {
        let now_ms = self.now_ms();
        lock(&self.sessions).grant(
            "api refresh_token offline_access".into(),
            self.faults.token_epoch(),
            self.faults.session_epoch(),
            now_ms,
        )
    }

    /// The session timeout in milliseconds (see [`crate::sessions`]).
    pub fn session_timeout_ms(&self) -> i64 {
        i64::try_from(self.faults.session_timeout().as_millis()).unwrap_or(i64::MAX)
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

    /// What `token` may do now: valid, valid without the `api` scope, or dead (unknown,
    /// past the session timeout, expired by a fault, revoked).
    pub fn check_token(&self, token: &str) -> TokenCheck {
        let (now_ms, timeout_ms) = (self.now_ms(), self.session_timeout_ms());
        lock(&self.sessions).check_access(token, self.faults.token_epoch(), now_ms, timeout_ms)
    }

    /// Whether `token` is alive (whatever its scopes): what the identity URL and userinfo ask.
    pub fn token_valid(&self, token: &str) -> bool {
        self.check_token(token) != TokenCheck::Invalid
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(user: &str, at_ms: i64) -> Cursor {
        Cursor {
            query: crate::soql::parse("SELECT Id FROM Contact").expect("valid SOQL"),
            rows: crate::soql::eval::Rows::Live,
            ids: vec!["003000000000001AAA".into(); 3],
            batch: 200,
            now_ms: at_ms,
            user_id: user.into(),
            last_used_ms: at_ms,
        }
    }

    #[test]
    fn expired_cursors_are_dropped_when_another_opens() {
        let mut cursors = Cursors::default();
        let old = cursors.open(cursor("005A", 0));
        cursors.open(cursor("005B", LOCATOR_IDLE_MS));
        assert_eq!(
            cursors.open_for("005A"),
            0,
            "an idle cursor is dropped, not kept until someone asks for it"
        );
        assert!(
            cursors.touch(&old, "005A", LOCATOR_IDLE_MS).is_none(),
            "and its locator is gone"
        );
    }

    #[test]
    fn a_cursor_in_use_still_ends_after_two_days() {
        let mut cursors = Cursors::default();
        let locator = cursors.open(cursor("005A", 0));
        let mut now = 0;
        while now + LOCATOR_IDLE_MS / 2 < LOCATOR_LIFETIME_MS {
            now += LOCATOR_IDLE_MS / 2;
            assert!(
                cursors.touch(&locator, "005A", now).is_some(),
                "read every 7.5 minutes: open at {now} ms"
            );
        }
        assert!(
            cursors
                .touch(&locator, "005A", LOCATOR_LIFETIME_MS)
                .is_none(),
            "2 days after the query the cursor is gone, however recently it was read"
        );
    }
}
