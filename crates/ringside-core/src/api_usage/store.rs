//! The usage file `api-usage.db` in the Ringside home: the latest `Sforce-Limit-Info` per
//! org and Ringside's own request counts per org, local day and kind. SQLite in WAL mode
//! with a busy timeout, so the CLI and the desktop can write at once; every count is an
//! `INSERT … ON CONFLICT DO UPDATE SET requests = requests + ?`, which SQLite applies
//! atomically, so concurrent writers never lose or double a count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use salesforce::LimitInfo;
use sqlx::Row;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::UsageError;
use super::kind::RequestKind;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-api-usage");

/// The usage file's name in the Ringside home.
pub const USAGE_FILE: &str = "api-usage.db";

/// The latest usage the org reported, and when it was seen (epoch ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenLimit {
    pub limit: LimitInfo,
    pub seen_at_ms: i64,
}

/// Counts not yet written: per (local day, kind), and the newest limit seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pending {
    pub counts: BTreeMap<(String, RequestKind), u64>,
    pub limit: Option<SeenLimit>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.limit.is_none()
    }

    /// Adds `other` (counts add up; the newer limit wins): to put back a batch whose write
    /// failed.
    pub fn merge(&mut self, other: Pending) {
        for (key, n) in other.counts {
            *self.counts.entry(key).or_default() += n;
        }
        self.limit = match (self.limit, other.limit) {
            (Some(a), Some(b)) => Some(if b.seen_at_ms > a.seen_at_ms { b } else { a }),
            (a, b) => a.or(b),
        };
    }
}

/// What the file holds for one org and one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredUsage {
    pub limit: Option<SeenLimit>,
    /// Ringside's requests that day, per kind (kinds with none are absent).
    pub by_kind: BTreeMap<RequestKind, u64>,
}

/// The usage file, open.
#[derive(Debug, Clone)]
pub struct UsageStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl UsageStore {
    /// Opens (creating) `api-usage.db` in `home`.
    pub async fn open_in_home(home: &Path) -> Result<UsageStore, UsageError> {
        Self::open(&home.join(USAGE_FILE)).await
    }

    /// Opens (creating) the usage file at `path`, private to the user.
    pub async fn open(path: &Path) -> Result<UsageStore, UsageError> {
        let failed = |what: &'static str| {
            let path = path.to_owned();
            move |source| UsageError::Database { path, what, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_files::create_private_dir_all(dir).map_err(|source| {
                UsageError::Folder {
                    path: dir.to_owned(),
                    source,
                }
            })?;
        }
        if !path.exists() {
            // Created 0600 before SQLite opens it (SQLite would use the umask).
            let _ = crate::private_files::private_file_options()
                .truncate(false)
                .open(path);
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(failed("read the connect options"))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A count lost to a power cut costs nothing; an fsync per request would cost
            // the pop its latency.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(failed("open"))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| UsageError::Database {
                path: path.to_owned(),
                what: "prepare",
                source: e.into(),
            })?;
        Ok(UsageStore {
            pool,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds `pending` to `org`'s record in one transaction.
    pub async fn add(&self, org: &str, pending: &Pending) -> Result<(), UsageError> {
        let failed = |source| UsageError::Database {
            path: self.path.clone(),
            what: "write",
            source,
        };
        let mut tx = self.pool.begin().await.map_err(failed)?;
        for ((day, kind), n) in &pending.counts {
            sqlx::query(
                "INSERT INTO request_count (org, day, kind, requests) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (org, day, kind) DO UPDATE SET requests = requests + excluded.requests",
            )
            .bind(org)
            .bind(day)
            .bind(kind.as_str())
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        }
        if let Some(seen) = pending.limit {
            // The newest header wins, whichever process saw it.
            sqlx::query(
                "INSERT INTO org_limit (org, used, max, seen_at_ms) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (org) DO UPDATE SET used = excluded.used, max = excluded.max, \
                 seen_at_ms = excluded.seen_at_ms WHERE excluded.seen_at_ms >= org_limit.seen_at_ms",
            )
            .bind(org)
            .bind(seen.limit.used as i64)
            .bind(seen.limit.max as i64)
            .bind(seen.seen_at_ms)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        }
        tx.commit().await.map_err(failed)
    }

    /// What the file holds for `org` on local `day` (`YYYY-MM-DD`).
    pub async fn read(&self, org: &str, day: &str) -> Result<StoredUsage, UsageError> {
        let failed = |source| UsageError::Database {
            path: self.path.clone(),
            what: "read",
            source,
        };
        let limit = sqlx::query("SELECT used, max, seen_at_ms FROM org_limit WHERE org = ?1")
            .bind(org)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed)?
            .map(|row| SeenLimit {
                limit: LimitInfo {
                    used: row.get::<i64, _>(0).max(0) as u64,
                    max: row.get::<i64, _>(1).max(0) as u64,
                },
                seen_at_ms: row.get(2),
            });
        let rows =
            sqlx::query("SELECT kind, requests FROM request_count WHERE org = ?1 AND day = ?2")
                .bind(org)
                .bind(day)
                .fetch_all(&self.pool)
                .await
                .map_err(failed)?;
        let mut by_kind = BTreeMap::new();
        for row in rows {
            let name: String = row.get(0);
            // A kind written by a newer Ringside is still part of the total.
            let kind = RequestKind::from_name(&name).unwrap_or(RequestKind::Other);
            *by_kind.entry(kind).or_default() += row.get::<i64, _>(1).max(0) as u64;
        }
        Ok(StoredUsage { limit, by_kind })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
