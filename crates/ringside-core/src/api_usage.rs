//! Ringside's API budget per org (issue 18): the org's latest `Sforce-Limit-Info`, Ringside's
//! own requests per local day and kind, and what a handled call costs; plus the governor
//! that stops optional requests near the org's daily allocation.
//!
//! - [`kind`]: what a request was for, set around each piece of work ([`as_kind`]).
//! - [`store`]: the usage file `api-usage.db` (SQLite), safe for several processes at once.
//! - [`governor`]: `[api] pause_optional_at` and the decision for optional requests.
//!
//! Counting happens where requests are really sent: a [`UsageRecorder`] is the
//! [`salesforce::RequestObserver`] of an org's client, so it sees exactly the requests
//! [`salesforce::Client::api_requests_made`] counts — a resend after a refreshed session is
//! two — and nothing is counted twice (a client takes one observer). Counts are kept in
//! memory and written by [`UsageRecorder::flush`] (the flusher task does it shortly after
//! each request; a command flushes before it exits).
//!
//! The org is keyed like the queue keys it: a signed-in org's alias, or
//! [`crate::outbox::DEMO_ORG_TAG`] for the built-in demo org.
//!
//! **A handled call** is a call log Ringside delivered to Salesforce that local day
//! (`delivered_at`, from the queue). Requests per handled call is then everything Ringside
//! sent that day (pops, logs, and the rest) divided by those calls; with no call delivered
//! yet it is not measured (`None`).

pub mod governor;
pub mod kind;
pub mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

pub use governor::{ApiSettings, OptionalRequests, Paused};
pub use kind::{RequestKind, as_kind};
pub use store::{Pending, SeenLimit, StoredUsage, UsageStore};

/// Why the usage file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(
        "cannot {what} the API usage file {path}: {source}; check that the Ringside home is writable, or delete the file to start counting again"
    )]
    Database {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the folder {path} for the API usage file: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the local clock or time zone cannot name today's date: {0}")]
    Clock(String),
}

/// The local calendar day of `epoch_ms`, as `YYYY-MM-DD`, and its bounds in epoch ms.
pub fn local_day(epoch_ms: i64) -> Result<(String, i64, i64), UsageError> {
    let clock = |e: jiff::Error| UsageError::Clock(e.to_string());
    let tz = jiff::tz::TimeZone::system();
    let date = jiff::Timestamp::from_millisecond(epoch_ms)
        .map_err(clock)?
        .to_zoned(tz.clone())
        .date();
    let start = date.to_zoned(tz.clone()).map_err(clock)?;
    let end = date
        .tomorrow()
        .map_err(clock)?
        .to_zoned(tz)
        .map_err(clock)?;
    Ok((
        date.to_string(),
        start.timestamp().as_millisecond(),
        end.timestamp().as_millisecond(),
    ))
}

/// Counts the requests of one org's client (see the module doc).
#[derive(Debug)]
pub struct UsageRecorder {
    org: String,
    store: UsageStore,
    pending: Mutex<Pending>,
    wake: Arc<tokio::sync::Notify>,
}

impl UsageRecorder {
    /// A recorder for `org` (an alias or [`crate::outbox::DEMO_ORG_TAG`]) writing to `store`.
    pub fn new(store: UsageStore, org: &str) -> Arc<UsageRecorder> {
        Arc::new(UsageRecorder {
            org: org.to_owned(),
            store,
            pending: Mutex::default(),
            wake: Arc::default(),
        })
    }

    /// Counts every request `client` (and its clones) sends from now on. `false` when the
    /// client already has an observer (its requests are counted there).
    pub fn attach(self: &Arc<Self>, client: &salesforce::Client) -> bool {
        client.observe(self.clone())
    }

    pub fn org(&self) -> &str {
        &self.org
    }

    pub fn store(&self) -> &UsageStore {
        &self.store
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the counts kept in memory. On failure they are kept for the next flush.
    pub async fn flush(&self) -> Result<(), UsageError> {
        let batch = std::mem::take(&mut *self.pending());
        if batch.is_empty() {
            return Ok(());
        }
        match self.store.add(&self.org, &batch).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.pending().merge(batch);
                Err(e)
            }
        }
    }

    /// A task that flushes shortly after requests are counted (batched over `delay`), for
    /// a long-running process. It ends when the recorder is dropped; the owner still
    /// flushes once before exiting.
    pub fn spawn_flusher(self: &Arc<Self>, delay: Duration) -> tokio::task::JoinHandle<()> {
        let wake = self.wake.clone();
        let recorder = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                wake.notified().await;
                tokio::time::sleep(delay).await;
                let Some(recorder) = recorder.upgrade() else {
                    return;
                };
                if let Err(e) = recorder.flush().await {
                    tracing::warn!(error = %e, "API usage not written yet; kept for the next try");
                }
            }
        })
    }
}

impl Drop for UsageRecorder {
    fn drop(&mut self) {
        // Lets the flusher see the recorder is gone and end.
        self.wake.notify_one();
    }
}

impl UsageRecorder {
    /// Counts `n` requests of `kind` sent now outside this recorder's client: the token
    /// requests that opened the org's session before the client existed.
    pub fn count(&self, kind: RequestKind, n: u64) {
        if n == 0 {
            return;
        }
        let Some(day) = today() else { return };
        *self.pending().counts.entry((day, kind)).or_default() += n;
        self.wake.notify_one();
    }
}

/// Counts `n` requests of `kind` for `org` straight into `home`'s usage file: for requests
/// sent without a counted client (a sign-in's code exchange and identity read). A failure is
/// logged, never returned: counting never fails the work it counts.
pub async fn count_in_home(home: &std::path::Path, org: &str, kind: RequestKind, n: u64) {
    let Some(day) = today() else { return };
    let mut batch = Pending::default();
    batch.counts.insert((day, kind), n);
    let written = match UsageStore::open_in_home(home).await {
        Ok(store) => store.add(org, &batch).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        tracing::warn!(error = %e, org, kind = kind.as_str(), n, "requests not counted");
    }
}

/// Today's local day as the usage file keys it, or `None` (logged) when the clock cannot be
/// placed in the agent's time zone.
fn today() -> Option<String> {
    let now = crate::time::epoch_ms(std::time::SystemTime::now());
    match local_day(now) {
        Ok((day, _, _)) => Some(day),
        Err(e) => {
            tracing::warn!(error = %e, "API request not counted");
            None
        }
    }
}

impl salesforce::RequestObserver for UsageRecorder {
    /// Session renewals go to the token endpoint: counted as sign-in whatever work waited
    /// on them, since the renewal is not that work's request.
    fn token_request_sent(&self) {
        self.count(RequestKind::SignIn, 1);
    }

    fn request_sent(&self, request: &salesforce::SentRequest) {
        let now = crate::time::epoch_ms(std::time::SystemTime::now());
        let Some(day) = today() else { return };
        {
            let mut pending = self.pending();
            *pending.counts.entry((day, kind::current())).or_default() += 1;
            if let Some(limit) = request.limit {
                pending.merge(Pending {
                    counts: BTreeMap::new(),
                    limit: Some(SeenLimit {
                        limit,
                        seen_at_ms: now,
                    }),
                });
            }
        }
        self.wake.notify_one();
    }
}

/// `ringside org usage`'s answer, serialised exactly as the CLI contract's `--json`:
/// `{"org":{"used","max"},"ringside":{"today","by_kind":{…}},"per_call"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageReport {
    /// The org's latest reported usage; `None` when none is known.
    pub org: Option<OrgUsage>,
    pub ringside: RingsideUsage,
    /// Ringside's requests today per handled call; `None` before a call is handled today.
    pub per_call: Option<f64>,
    /// Calls handled today (call logs delivered).
    #[serde(skip)]
    pub handled_calls: u64,
    /// When the org's usage was seen (epoch ms).
    #[serde(skip)]
    pub org_seen_at_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OrgUsage {
    pub used: u64,
    pub max: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RingsideUsage {
    pub today: u64,
    /// Every kind, zeros included, so scripts can rely on the keys.
    pub by_kind: BTreeMap<&'static str, u64>,
}

impl UsageReport {
    /// The report from what the usage file holds for today and the calls handled today.
    pub fn new(stored: &StoredUsage, handled_calls: u64) -> UsageReport {
        let by_kind: BTreeMap<&'static str, u64> = RequestKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), stored.by_kind.get(&k).copied().unwrap_or(0)))
            .collect();
        let today = by_kind.values().sum();
        UsageReport {
            org: stored.limit.map(|s| OrgUsage {
                used: s.limit.used,
                max: s.limit.max,
            }),
            ringside: RingsideUsage { today, by_kind },
            per_call: (handled_calls > 0).then(|| today as f64 / handled_calls as f64),
            handled_calls,
            org_seen_at_ms: stored.limit.map(|s| s.seen_at_ms),
        }
    }

    /// Reads today's report for `recorder`'s org (flushing it first). `handled_between`
    /// counts the org's handled calls between two instants (epoch ms, end exclusive): the
    /// queue's delivered logs, which this module leaves to its caller (the queue counts its
    /// own requests here, so this module must not depend on it).
    pub async fn today<E>(
        recorder: &UsageRecorder,
        now_ms: i64,
        handled_between: impl AsyncFnOnce(i64, i64) -> Result<u64, E>,
    ) -> Result<UsageReport, UsageReportError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        recorder.flush().await?;
        let (day, start, end) = local_day(now_ms)?;
        let stored = recorder.store.read(&recorder.org, &day).await?;
        let handled = handled_between(start, end)
            .await
            .map_err(|err| UsageReportError::HandledCalls(Box::new(err)))?;
        Ok(UsageReport::new(&stored, handled))
    }

    /// What `agents` agents taking `calls_per_agent` calls a day would cost per day, at the
    /// measured requests per handled call; `None` when not measured yet.
    pub fn forecast(&self, agents: u64, calls_per_agent: u64) -> Option<f64> {
        self.per_call
            .map(|per_call| per_call * agents as f64 * calls_per_agent as f64)
    }
}

/// Why a usage report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum UsageReportError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The handled calls could not be counted (the queue's own error, passed through).
    #[error(transparent)]
    HandledCalls(Box<dyn std::error::Error + Send + Sync>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_call_is_todays_requests_over_handled_calls_and_none_before_any() {
        let mut stored = StoredUsage::default();
        stored.by_kind.insert(RequestKind::Pop, 10);
        stored.by_kind.insert(RequestKind::Log, 2);
        stored.by_kind.insert(RequestKind::Other, 3);
        let report = UsageReport::new(&stored, 5);
        assert_eq!(report.ringside.today, 15, "every kind counts toward today");
        assert_eq!(report.per_call, Some(3.0));
        assert_eq!(report.forecast(10, 100), Some(3000.0));
        assert_eq!(
            report.ringside.by_kind.len(),
            RequestKind::ALL.len(),
            "every kind is listed, zeros included"
        );
        let none = UsageReport::new(&stored, 0);
        assert_eq!(none.per_call, None, "no handled call: not measured");
        assert_eq!(none.forecast(10, 100), None);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json.as_object().unwrap().keys().collect::<Vec<_>>(),
            vec!["org", "ringside", "per_call"],
            "exactly the contract's keys: {json}"
        );
    }

    #[test]
    fn a_local_day_is_named_and_bounded() {
        let now = crate::time::epoch_ms(std::time::SystemTime::now());
        let (day, start, end) = local_day(now).unwrap();
        assert!(start <= now && now < end, "{start} <= {now} < {end}");
        assert_eq!(day.len(), 10, "YYYY-MM-DD: {day}");
    }
}
