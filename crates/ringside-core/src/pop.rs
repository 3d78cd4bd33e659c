//! The screen pop: from a caller id to what the agent sees. Withheld and
//! unreadable numbers pop "unknown caller" without a search; a number seen in
//! the last 60 s comes from the cache (no API call) — up to 10 min while the org is near its
//! daily API allocation ([`PAUSED_CACHE_MAX_AGE`]); otherwise one lookup.
//! Records Ringside created recently are matched locally and merged in, since
//! Salesforce's search index may not have them yet.
//!
//! - [`cache`]: lookup results by normalised number, with a time to live.
//! - [`recent`]: records Ringside created, matched locally.
//! - [`settings`]: `[pop]`: when the pop-up opens, the event port, baresip's address.

mod cache;
mod recent;
pub mod settings;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;

pub use recent::{CreatedRecord, StoredPhone};
pub use settings::{PopOpenOn, PopSettings};

use crate::clock::Clock;
use crate::events::CallerId;
use crate::lookup::{
    CallerLookup, CallerObject, LookupError, LookupResult, MatchSource, RelatedRecords,
};
use crate::phone::{CallerQuery, normalize_email, normalize_phone, parse_caller_input};

/// How long a lookup answers for the same number (DESIGN §8, issue 4).
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// How old a cached answer may be while the org is near its daily API allocation (the
/// governor paused optional requests): a caller ringing again within ten minutes pops from
/// the cache instead of spending one of the org's last requests. Ten minutes, because an
/// edit made in Salesforce meanwhile is the price, and a pop older than that is likelier
/// to mislead than to save a request that matters.
pub const PAUSED_CACHE_MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// How long Ringside remembers records it created (search-index lag is minutes).
pub const RECENT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a pop waits for Salesforce before it shows an error and the number.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// What the agent sees for one caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Pop {
    /// Searched (or answered from the cache); `matches` may be empty, which
    /// means "no record yet: create a Lead or Contact".
    Searched { result: LookupResult },
    /// No search was made: the number was withheld or cannot be a phone number.
    UnknownCaller {
        /// `true` for anonymous / private / empty caller ids.
        withheld: bool,
        /// Why there is nothing to search, for the agent.
        reason: String,
    },
    /// The search failed; the number is shown so the agent can search by hand.
    Failed {
        /// The normalised number (E.164), for a manual search.
        number: String,
        /// [`crate::LookupError::code`], or `timeout`.
        code: crate::ipc_code::IpcCode,
        message: String,
    },
}

impl Pop {
    /// The matches to show (none for an unknown caller or a failure).
    pub fn matches(&self) -> &[crate::CallerMatch] {
        match self {
            Pop::Searched { result } => &result.matches,
            _ => &[],
        }
    }
}

/// The screen pop for one org: lookup, cache and local memory together. Share
/// it behind an `Arc`; every method takes `&self`.
#[derive(Debug)]
pub struct ScreenPop {
    lookup: CallerLookup,
    clock: Arc<dyn Clock>,
    timeout: Duration,
    cache: Mutex<cache::PopCache>,
    recent: Mutex<recent::RecentlyCreated>,
}

impl ScreenPop {
    /// A pop with the default cache time (60 s), memory window (15 min) and timeout (10 s).
    pub fn new(lookup: CallerLookup, clock: Arc<dyn Clock>) -> Self {
        ScreenPop {
            lookup,
            clock,
            timeout: LOOKUP_TIMEOUT,
            cache: Mutex::new(cache::PopCache::keeping(CACHE_TTL, PAUSED_CACHE_MAX_AGE)),
            recent: Mutex::new(recent::RecentlyCreated::new(RECENT_WINDOW)),
        }
    }

    /// Another cache time to live (zero turns the cache off); entries are still kept up
    /// to [`PAUSED_CACHE_MAX_AGE`] for a paused org.
    pub fn with_cache_ttl(self, ttl: Duration) -> Self {
        *lock(&self.cache) = cache::PopCache::keeping(ttl, PAUSED_CACHE_MAX_AGE);
        self
    }

    /// Another lookup timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn lookup(&self) -> &CallerLookup {
        &self.lookup
    }

    /// The pop for a caller id as a softphone reported it.
    pub async fn pop(&self, caller: &CallerId) -> Pop {
        match caller {
            CallerId::Withheld => Pop::UnknownCaller {
                withheld: true,
                reason: "the caller withheld their number".into(),
            },
            CallerId::Number(number) => self.pop_number(number).await,
        }
    }

    /// The pop for a number (or email) typed or received as text.
    pub async fn pop_number(&self, input: &str) -> Pop {
        let started = Instant::now();
        let region = self.lookup.settings().default_region;
        let query = match parse_caller_input(input, region) {
            Ok(query) => query,
            Err(err) => {
                tracing::info!(reason = %err, "caller id is not a searchable number; unknown caller");
                return Pop::UnknownCaller {
                    withheld: false,
                    reason: err.to_string(),
                };
            }
        };
        let key = cache_key(&query);
        let now = self.clock.now();
        // Near the org's allocation an older answer beats spending one of its last requests.
        let paused = !self.lookup.optional_requests().allowed();
        let cached = {
            let mut cache = lock(&self.cache);
            let max_age = if paused {
                PAUSED_CACHE_MAX_AGE
            } else {
                cache.ttl()
            };
            cache.get(&key, now, max_age)
        };
        let mut result = match cached {
            Some(cache::Hit {
                result: mut hit,
                age,
            }) => {
                let stale = age >= lock(&self.cache).ttl();
                if stale {
                    tracing::info!(
                        age_s = age.as_secs(),
                        "org near its daily API allocation: pop served from the cache"
                    );
                }
                hit.query = input.to_owned();
                hit.cached = true;
                hit.cached_while_paused = stale;
                hit.api_calls = 0;
                hit
            }
            None => {
                let outcome = tokio::time::timeout(
                    self.timeout,
                    self.lookup.lookup_query(input, &query, started),
                )
                .await;
                let found = match outcome {
                    Ok(Ok(found)) => found,
                    Ok(Err(err)) => {
                        tracing::warn!(code = %err.code(), error = %err, "screen pop lookup failed");
                        return Pop::Failed {
                            number: key,
                            code: err.code(),
                            message: err.to_string(),
                        };
                    }
                    Err(_) => {
                        tracing::warn!(
                            timeout_ms = self.timeout.as_millis() as u64,
                            "screen pop lookup timed out"
                        );
                        return Pop::Failed {
                            number: key,
                            code: crate::ipc_code::IpcCode::Timeout,
                            message: format!(
                                "Salesforce did not answer within {} s; search for the number by hand",
                                self.timeout.as_secs()
                            ),
                        };
                    }
                };
                lock(&self.cache).put(key, found.clone(), self.clock.now());
                found
            }
        };
        self.merge_recent(&query, &mut result);
        result.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Pop::Searched { result }
    }

    /// Remembers a record Ringside just created, so it pops even before
    /// Salesforce's search finds it, and drops cached answers for its numbers.
    pub fn remember_created(&self, record: CreatedRecord) {
        let region = self.lookup.settings().default_region;
        {
            let mut cache = lock(&self.cache);
            for phone in &record.phones {
                if let Ok(query) = normalize_phone(&phone.value, region) {
                    cache.remove(query.e164());
                }
            }
            if let Some(email) = record
                .email
                .as_deref()
                .and_then(|e| normalize_email(e).ok())
            {
                cache.remove(&email);
            }
        }
        lock(&self.recent).remember(record, self.clock.now());
    }

    /// The open Opportunities and Cases of a match the pop did not fetch them for
    /// ([`CallerLookup::related_for`]: one request), kept with the cached pops that
    /// show the record, so the caller ringing again within the cache time shows them
    /// without asking again.
    pub async fn related_for(
        &self,
        object: CallerObject,
        id: &str,
    ) -> Result<RelatedRecords, LookupError> {
        let related = self.lookup.related_for(object, id).await?;
        lock(&self.cache).add_related(id, &related);
        Ok(related)
    }

    /// Ringside edited a record: cached pops that show it are dropped, so the
    /// next pop shows the edit. Returns how many cached answers were dropped.
    pub fn invalidate_record(&self, record_id: &str) -> usize {
        lock(&self.cache).remove_record(record_id)
    }

    /// Drops the cached answer for a number or email (e.g. after Ringside
    /// changed a phone field). Returns whether there was one.
    pub fn invalidate_number(&self, input: &str) -> bool {
        match parse_caller_input(input, self.lookup.settings().default_region) {
            Ok(query) => lock(&self.cache).remove(&cache_key(&query)),
            Err(_) => false,
        }
    }

    fn merge_recent(&self, query: &CallerQuery, result: &mut LookupResult) {
        let region = self.lookup.settings().default_region;
        let local = lock(&self.recent).matching(query, region, self.clock.now());
        if local.is_empty() {
            return;
        }
        for found in local {
            if !result.matches.iter().any(|m| m.id == found.id) {
                result.matches.push(found);
            }
        }
        // Object priority first; within an object, a record Ringside has just
        // created for this caller is the likeliest one, so it leads.
        let priority = self.lookup.settings().object_priority;
        result.matches.sort_by_key(|m| {
            (
                priority.rank(m.object),
                m.source != MatchSource::RecentlyCreated,
            )
        });
    }
}

fn cache_key(query: &CallerQuery) -> String {
    match query {
        CallerQuery::Phone(phone) => phone.e164().to_owned(),
        CallerQuery::Email(email) => email.clone(),
    }
}

/// The caches hold plain data; a panic elsewhere cannot leave them half-written
/// in a way that matters, so a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
