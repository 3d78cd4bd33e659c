//! The durable call-log queue (the outbox): a log is committed to SQLite before
//! [`Outbox::enqueue`] returns, then a [`Worker`] delivers it to Salesforce exactly once.
//!
//! One row per call id. Its life: `pending` → claimed (`in_flight`, with a lease) →
//! `delivered`, or back to `pending` with a later `run_at` (retry, outage, signed out), or
//! `dead` (permanent error or out of attempts) until an admin replays it. A later update of
//! the same call rewrites the row's payload and sends it again, to the same records.
//! Every change is written to the [`crate::audit`] log in the same transaction.
//!
//! Module map: `audited` is the one transaction-and-audit step (the worker's changes, edits,
//! replays and salvages go through it); [`database`] opens the file safely; [`open_forms`] keeps the log forms not
//! yet logged (so a crash loses none); [`retry`] holds the schedule and the
//! error verdicts; [`salvage`] reads unsent logs back out of a damaged file moved aside;
//! [`webhook`] alerts an admin channel of new dead letters; `delivery` builds and sends the Salesforce requests; [`worker`] runs
//! the drain.

mod audited;
pub mod commit;
pub mod database;
mod delivery;
pub mod delivery_reason;
pub mod open_forms;
pub mod org_tag;
pub mod retry;
pub mod salvage;
pub mod webhook;
pub mod worker;

pub use commit::{Commit, CommitError, Committed, commit};
pub use database::{OpenOptions, Recovery};
pub use delivery_reason::DeliveryReason;
pub use open_forms::SavedForm;
pub use org_tag::{DEMO_ORG_TAG, OrgTag};
pub use retry::RetrySchedule;
pub use salvage::SalvageReport;
pub use webhook::DeadLetterWebhook;
pub use worker::{DrainReport, OrgFilter, Worker, WorkerOptions};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sqlx::{Row, SqlitePool};

use crate::audit::{self, AuditActor, AuditEntry, AuditEvent};
use crate::call_log::{CallLog, CallLogError};
use crate::outcomes::plan::PlannedAction;
use crate::private_files::StorageProblem;
use audited::AuditNote;

pub use crate::home_files::{DATABASE_FILE, UNSENT_DIR};

/// Everything that can go wrong with the queue. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// Nothing can be written where the queue lives: `path` is the data folder (a read-only
    /// file system, no write permission) or the database file (marked read-only). Reading
    /// still works through [`Outbox::open_in_home_for_reading`].
    #[error("{}", read_only_text(.path, *.cause))]
    ReadOnly { path: PathBuf, cause: ReadOnlyCause },
    #[error(
        "the call-log database {path} is full (the disk or its size limit); free some space and try again"
    )]
    Full { path: PathBuf },
    /// A file could not be written because the disk (or this user's quota on it) is full;
    /// `path` is the folder.
    #[error(
        "the disk is full: nothing more can be written to {path}. Free space on that disk and try again"
    )]
    DiskFull { path: PathBuf },
    #[error("the call-log database {path} is damaged ({reason}) and could not be replaced")]
    Corrupt { path: PathBuf, reason: String },
    /// The queue could not be opened earlier (the reason is that error's message); a log
    /// given meanwhile is kept as a file.
    #[error("the call-log database {path} cannot be used: {reason}")]
    Unavailable { path: PathBuf, reason: String },
    #[error("another Ringside worker is already sending from {path}")]
    WorkerBusy { path: PathBuf },
    #[error(transparent)]
    Invalid(#[from] CallLogError),
    #[error("no queued call log has id {0}")]
    NotFound(i64),
    #[error("queued call log {id} is {state}, not dead; only dead letters are replayed")]
    NotDead { id: i64, state: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the call-log database could not be migrated: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("call-log database error while {context}: {source}")]
    Database {
        context: &'static str,
        source: sqlx::Error,
    },
    #[error("a queued call log could not be read back: {0}")]
    Payload(serde_json::Error),
}

impl OutboxError {
    pub(crate) fn database(context: &'static str, source: sqlx::Error) -> Self {
        OutboxError::Database { context, source }
    }

    /// Whether the database itself is unusable (so the log should be kept elsewhere).
    pub fn database_unusable(&self) -> bool {
        matches!(
            self,
            OutboxError::ReadOnly { .. }
                | OutboxError::Full { .. }
                | OutboxError::DiskFull { .. }
                | OutboxError::Corrupt { .. }
                | OutboxError::Unavailable { .. }
        )
    }

    /// Whether `other` has the same cause as this error (both read-only for the same reason,
    /// or both a full disk), so a message that already said it need not say it again.
    pub fn same_cause(&self, other: &OutboxError) -> bool {
        use OutboxError::{DiskFull, Full, ReadOnly};
        match (self, other) {
            (ReadOnly { cause: a, .. }, ReadOnly { cause: b, .. }) => {
                a == b || (a.is_folder() && b.is_folder())
            }
            (Full { .. } | DiskFull { .. }, Full { .. } | DiskFull { .. }) => true,
            _ => false,
        }
    }

    /// The error of a failed write of `path` (a file or folder in `folder`): a read-only
    /// file system, a missing write permission and a full disk are said in words.
    pub(crate) fn write_io(folder: &Path, path: &Path, source: std::io::Error) -> OutboxError {
        match StorageProblem::of(&source) {
            Some(problem) => OutboxError::storage(folder, problem),
            None => OutboxError::Io {
                path: path.to_owned(),
                source,
            },
        }
    }

    /// The error for `problem` found while writing `path` in `folder` (each names the
    /// folder: that is what the agent can free or fix).
    pub(crate) fn storage(folder: &Path, problem: StorageProblem) -> OutboxError {
        match problem {
            StorageProblem::ReadOnlyFileSystem => OutboxError::ReadOnly {
                path: folder.to_owned(),
                cause: ReadOnlyCause::FileSystem,
            },
            StorageProblem::NoWritePermission => OutboxError::ReadOnly {
                path: folder.to_owned(),
                cause: ReadOnlyCause::NoPermission,
            },
            StorageProblem::DiskFull => OutboxError::DiskFull {
                path: folder.to_owned(),
            },
        }
    }
}

/// Why Ringside cannot write its data (see [`OutboxError::ReadOnly`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnlyCause {
    /// The data folder is on a file system mounted read-only.
    FileSystem,
    /// This user may not write to the data folder.
    NoPermission,
    /// The database file itself is marked read-only (no write bit; checked by hand, since
    /// root could still write it and Ringside must not).
    ReadOnlyFile,
}

impl ReadOnlyCause {
    fn is_folder(self) -> bool {
        !matches!(self, ReadOnlyCause::ReadOnlyFile)
    }
}

fn read_only_text(path: &Path, cause: ReadOnlyCause) -> String {
    let path = path.display();
    match cause {
        ReadOnlyCause::FileSystem => format!(
            "Ringside's data folder {path} is read-only (read-only file system): call logs cannot be queued, sent or changed. Remount it read-write, or set RINGSIDE_HOME to a writable folder, and try again"
        ),
        ReadOnlyCause::NoPermission => format!(
            "Ringside's data folder {path} is read-only (no write permission for this user): call logs cannot be queued, sent or changed. Give your user write access to it, or set RINGSIDE_HOME to a writable folder, and try again"
        ),
        ReadOnlyCause::ReadOnlyFile => format!(
            "the call-log database {path} is read-only (the file has no write permission); Ringside will not change it. Make it writable (chmod u+w) and try again"
        ),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    crate::time::epoch_ms(std::time::SystemTime::now())
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Pending,
    InFlight,
    Delivered,
    Dead,
}

impl ItemState {
    fn parse(s: &str) -> ItemState {
        match s {
            "in_flight" => ItemState::InFlight,
            "delivered" => ItemState::Delivered,
            "dead" => ItemState::Dead,
            _ => ItemState::Pending,
        }
    }
}

/// One queued call log as the queue views show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub call_id: String,
    /// The org it was queued for: an alias, [`DEMO_ORG_TAG`], or `None` (queued before
    /// logs were tagged; sent to whichever signed-in org drains the queue).
    pub org: Option<String>,
    pub state: ItemState,
    pub attempts: i64,
    pub revision: i64,
    /// Epoch ms before which it is not sent.
    pub run_at: i64,
    pub last_error_code: Option<String>,
    /// Salesforce's message (or the transport's), shown to the admin.
    pub last_error: Option<String>,
    pub task_id: Option<String>,
    pub log_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub log: CallLog,
    /// The call's outcome actions ([`crate::outcomes::plan`]) with their states; empty: none.
    pub actions: Vec<PlannedAction>,
    /// Set on an item that holds only a call's actions (split from its log, which this names):
    /// sending it sends the actions alone.
    pub actions_of: Option<i64>,
}

/// Counts per state (`ringside queue status --json`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueStatus {
    pub pending: i64,
    pub in_flight: i64,
    pub delivered: i64,
    pub dead: i64,
    /// Pending logs held because the org's daily API allocation is used up
    /// (REQUEST_LIMIT_EXCEEDED): they spend no attempt and are sent by themselves later.
    /// Left out of the JSON when 0, so the documented four counts stay the whole answer
    /// in the ordinary case (DESIGN §6).
    #[serde(skip_serializing_if = "is_zero")]
    pub held_for_allowance: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// What [`Outbox::enqueue`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enqueued {
    pub id: i64,
    pub call_id: String,
    /// True when the call was already queued or delivered and this updated it.
    pub updated: bool,
}

/// The queue. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    pool: SqlitePool,
    path: Arc<PathBuf>,
    recovery: Option<Recovery>,
    wake: Arc<tokio::sync::Notify>,
    /// Bumped after every committed change, so views can refresh (see [`Outbox::changes`]).
    changed: Arc<tokio::sync::watch::Sender<u64>>,
}

const ITEM_COLUMNS: &str = "id, call_id, org, payload, revision, state, attempts, run_at, \
     last_error_code, last_error, task_id, log_id, created_at, updated_at, check_first, \
     actions, actions_of";

/// The call id of the item that holds a call's actions once they are split from its log.
pub fn actions_item_call_id(call_id: &str) -> String {
    format!("{call_id}#actions")
}

/// The call whose actions an item holds, when `item_call_id` names an actions item
/// ([`actions_item_call_id`]'s inverse); `None` for a call log's own item.
pub fn actions_item_of(item_call_id: &str) -> Option<&str> {
    item_call_id.strip_suffix("#actions")
}

impl Outbox {
    /// Opens (creating if needed) the queue at `path`, then imports any logs kept in the
    /// [`UNSENT_DIR`] beside it.
    pub async fn open(path: &Path) -> Result<Outbox, OutboxError> {
        Outbox::open_with(path, &OpenOptions::default()).await
    }

    /// [`Outbox::open`] with options.
    pub async fn open_with(path: &Path, options: &OpenOptions) -> Result<Outbox, OutboxError> {
        let (pool, mut recovery) = database::open(path, options).await?;
        let mut outbox = Outbox {
            pool,
            path: Arc::new(path.to_owned()),
            recovery: None,
            wake: Arc::new(tokio::sync::Notify::new()),
            changed: Arc::new(tokio::sync::watch::channel(0).0),
        };
        outbox.import_unsent().await?;
        // A damaged file was moved aside: read the agent's unsent logs back out of it (best
        // effort; a failure here must not keep the new database from opening).
        if let Some(moved) = recovery.as_mut() {
            match outbox.salvage(&moved.moved_to, AuditActor::Ringside).await {
                Ok(report) => moved.salvaged = Some(report),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read logs back out of the damaged database")
                }
            }
        }
        outbox.recovery = recovery;
        Ok(outbox)
    }

    /// Opens `RINGSIDE_HOME/ringside.db`, first making the home private
    /// ([`crate::private_files::secure_home`]): this is where the CLI and the desktop open
    /// the home. A home whose modes cannot be changed (another owner, a filesystem without
    /// modes) is warned about, not refused: the agent's logs matter more.
    pub async fn open_in_home(home: &Path) -> Result<Outbox, OutboxError> {
        if let Err(e) = crate::private_files::secure_home(home) {
            tracing::warn!(home = %home.display(), error = %e, "could not make the Ringside home private");
        }
        // Temp files of config/registry/token writes a crash interrupted (kept logs' ones
        // are read back by the import instead).
        crate::private_files::remove_stale_partials(home, |_| false);
        Outbox::open(&home.join(DATABASE_FILE)).await
    }

    /// Opens the queue to read it (`queue status|list|dead`, `audit`, `history`, the
    /// desktop's views). Where the home can be written this is [`Outbox::open_in_home`],
    /// which also does the chores an open owes (importing kept logs, migrating, moving a
    /// damaged file aside). Where it cannot ([`OutboxError::ReadOnly`]: a read-only file
    /// system, no write permission, a read-only file), the existing database is opened
    /// read-only instead, changing nothing, so the agent still sees the queue; a write
    /// through it fails with [`OutboxError::ReadOnly`]. If even that fails (no database
    /// yet, one from an older version that needs migrating, a damaged one), the first
    /// error is returned.
    pub async fn open_in_home_for_reading(home: &Path) -> Result<Outbox, OutboxError> {
        let refused = match Outbox::open_in_home(home).await {
            Err(refused @ OutboxError::ReadOnly { .. }) => refused,
            other => return other,
        };
        let path = home.join(DATABASE_FILE);
        match database::open_read_only(&path).await {
            Ok(pool) => {
                tracing::info!(path = %path.display(), reason = %refused, "the queue is opened read-only");
                Ok(Outbox {
                    pool,
                    path: Arc::new(path),
                    recovery: None,
                    wake: Arc::new(tokio::sync::Notify::new()),
                    changed: Arc::new(tokio::sync::watch::channel(0).0),
                })
            }
            Err(why) => {
                tracing::info!(path = %path.display(), %why, "the queue cannot be opened read-only either");
                Err(refused)
            }
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set when opening found an unreadable database and moved it aside.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) fn wake(&self) -> &tokio::sync::Notify {
        &self.wake
    }

    /// A receiver that sees a new value after every committed change of the queue (queued,
    /// claimed, sent, failed, edited, replayed), from this process. Views refresh on it.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Tells [`Outbox::changes`] subscribers that something was committed.
    pub(crate) fn touched(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Validates the log and commits it (fsync'd) before returning. The same call id again
    /// updates the queued call (merging in what the update carries) and sends it again.
    /// The log is untagged: any worker may send it (see [`Outbox::enqueue_for`]).
    pub async fn enqueue(&self, log: &CallLog, actor: AuditActor) -> Result<Enqueued, OutboxError> {
        self.enqueue_for(log, None, actor).await
    }

    /// [`Outbox::enqueue`] for one org (`org`: its alias, or [`DEMO_ORG_TAG`]): only a
    /// worker connected to that org sends it. An update keeps the org the call was first
    /// queued for unless it names one.
    pub async fn enqueue_for(
        &self,
        log: &CallLog,
        org: Option<&str>,
        actor: AuditActor,
    ) -> Result<Enqueued, OutboxError> {
        self.enqueue_in(log, org, actor, false, None).await
    }

    /// [`Outbox::enqueue_for`] with the call's planned outcome actions: they are sent with
    /// the log, in the same request (see `delivery`). Queueing the same call again keeps
    /// the actions first planned unless new ones are given.
    pub async fn enqueue_with_actions(
        &self,
        log: &CallLog,
        org: Option<&str>,
        actor: AuditActor,
        actions: &[PlannedAction],
    ) -> Result<Enqueued, OutboxError> {
        self.enqueue_in(log, org, actor, false, Some(actions)).await
    }

    /// [`Outbox::enqueue_for`] for a log form: also deletes the call's saved form (see
    /// [`open_forms`]) in the same transaction, so a crash leaves either the open form or
    /// the queued log, never both and never neither.
    pub async fn enqueue_form(
        &self,
        log: &CallLog,
        org: Option<&str>,
        actor: AuditActor,
    ) -> Result<Enqueued, OutboxError> {
        self.enqueue_in(log, org, actor, true, None).await
    }

    /// [`Outbox::enqueue_form`] with the call's planned outcome actions (the desktop log
    /// form's "Log call"): the log, its actions and the closing of its saved form in one
    /// transaction, exactly as the CLI queues a call with actions.
    pub async fn enqueue_form_with_actions(
        &self,
        log: &CallLog,
        org: Option<&str>,
        actor: AuditActor,
        actions: &[PlannedAction],
    ) -> Result<Enqueued, OutboxError> {
        self.enqueue_in(log, org, actor, true, Some(actions)).await
    }

    async fn enqueue_in(
        &self,
        log: &CallLog,
        org: Option<&str>,
        actor: AuditActor,
        close_form: bool,
        actions: Option<&[PlannedAction]>,
    ) -> Result<Enqueued, OutboxError> {
        log.validate()?;
        let now = now_ms();
        let actions = actions
            .filter(|a| !a.is_empty())
            .map(serde_json::to_string)
            .transpose()
            .map_err(OutboxError::Payload)?;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.write_error("starting to queue a call log", e))?;
        let existing = sqlx::query("SELECT id, payload FROM outbox WHERE call_id = ?1")
            .bind(&log.call_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.write_error("looking for the call", e))?;
        let (id, updated) = match existing {
            None => {
                let payload = serde_json::to_string(log).map_err(OutboxError::Payload)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO outbox (call_id, payload, state, run_at, created_at, updated_at, org, actions) \
                     VALUES (?1, ?2, 'pending', ?3, ?3, ?3, ?4, ?5) RETURNING id",
                )
                .bind(&log.call_id)
                .bind(payload)
                .bind(now)
                .bind(org)
                .bind(&actions)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| self.write_error("queueing the call log", e))?;
                audit::append(
                    &mut tx,
                    now,
                    actor,
                    &log.call_id,
                    AuditEvent::Queued,
                    None,
                    None,
                )
                .await
                .map_err(|e| self.write_error("auditing", e))?;
                (id, false)
            }
            Some(row) => {
                let id: i64 = row.get("id");
                let old: CallLog = serde_json::from_str(row.get::<&str, _>("payload"))
                    .map_err(OutboxError::Payload)?;
                let merged = old.merged_with(log);
                let payload = serde_json::to_string(&merged).map_err(OutboxError::Payload)?;
                // An in-flight send keeps its lease; the new revision makes its ack put the
                // item back to pending instead of delivered, so the update is sent too.
                sqlx::query(
                    "UPDATE outbox SET payload = ?2, revision = revision + 1, \
                       state = CASE WHEN state = 'in_flight' THEN 'in_flight' ELSE 'pending' END, \
                       attempts = CASE WHEN state = 'in_flight' THEN attempts ELSE 0 END, \
                       run_at = ?3, updated_at = ?3, last_error = NULL, last_error_code = NULL, \
                       org = COALESCE(?4, org), actions = COALESCE(?5, actions) \
                     WHERE id = ?1",
                )
                .bind(id)
                .bind(payload)
                .bind(now)
                .bind(org)
                .bind(&actions)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.write_error("updating the queued call log", e))?;
                audit::append(
                    &mut tx,
                    now,
                    actor,
                    &log.call_id,
                    AuditEvent::Updated,
                    None,
                    None,
                )
                .await
                .map_err(|e| self.write_error("auditing", e))?;
                (id, true)
            }
        };
        if close_form {
            open_forms::delete_in(&mut tx, &log.call_id)
                .await
                .map_err(|e| self.write_error("closing the log form", e))?;
        }
        tx.commit()
            .await
            .map_err(|e| self.write_error("committing the call log", e))?;
        self.touched();
        self.wake.notify_one();
        Ok(Enqueued {
            id,
            call_id: log.call_id.clone(),
            updated,
        })
    }

    /// Counts per state.
    pub async fn status(&self) -> Result<QueueStatus, OutboxError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| OutboxError::database("counting the queue", e))?;
        let held_for_allowance: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' \
               AND last_error_code = 'REQUEST_LIMIT_EXCEEDED'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| OutboxError::database("counting the queue", e))?;
        let mut status = QueueStatus {
            held_for_allowance,
            ..QueueStatus::default()
        };
        for row in rows {
            let n: i64 = row.get("n");
            match ItemState::parse(row.get::<&str, _>("state")) {
                ItemState::Pending => status.pending = n,
                ItemState::InFlight => status.in_flight = n,
                ItemState::Delivered => status.delivered = n,
                ItemState::Dead => status.dead = n,
            }
        }
        Ok(status)
    }

    /// How many call logs of `org` were delivered to Salesforce between `from_ms` and
    /// `to_ms` (epoch ms, end excluded): the "handled calls" API usage is measured per. An
    /// item of split-off outcome actions is no call, and is not counted.
    pub async fn delivered_between(
        &self,
        org: &worker::OrgFilter,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<u64, OutboxError> {
        let (tag, untagged) = org.sql_binds();
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'delivered' AND actions_of IS NULL \
               AND delivered_at >= ?3 AND delivered_at < ?4 \
               AND (?1 IS NULL OR COALESCE(org = ?1, 0) OR (org IS NULL AND ?2))",
        )
        .bind(tag)
        .bind(untagged)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))?;
        Ok(n.max(0) as u64)
    }

    /// Every item, oldest first.
    pub async fn list(&self) -> Result<Vec<OutboxItem>, OutboxError> {
        self.items_where("1 = 1").await
    }

    /// What a queue view lists: the items still open (pending, in flight, dead), oldest
    /// first, then the `delivered_shown` newest deliveries, newest first — so a view confirms
    /// recent logs without growing with every call ever delivered.
    pub async fn open_and_recent(
        &self,
        delivered_shown: usize,
    ) -> Result<Vec<OutboxItem>, OutboxError> {
        let (delivered, open): (Vec<_>, Vec<_>) = self
            .list()
            .await?
            .into_iter()
            .partition(|item| item.state == ItemState::Delivered);
        let newest_delivered = delivered.into_iter().rev().take(delivered_shown);
        Ok(open.into_iter().chain(newest_delivered).collect())
    }

    /// Dead letters, oldest first.
    pub async fn dead(&self) -> Result<Vec<OutboxItem>, OutboxError> {
        self.items_where("state = 'dead'").await
    }

    /// One item.
    pub async fn get(&self, id: i64) -> Result<OutboxItem, OutboxError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))?
        .ok_or(OutboxError::NotFound(id))?;
        item_from_row(&row)
    }

    /// The item of one call, if it was queued.
    pub async fn find_call(&self, call_id: &str) -> Result<Option<OutboxItem>, OutboxError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM outbox WHERE call_id = ?1"
        )))
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))?;
        row.as_ref().map(item_from_row).transpose()
    }

    async fn items_where(&self, condition: &'static str) -> Result<Vec<OutboxItem>, OutboxError> {
        // Safe: `condition` is one of this module's constant strings, never input.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM outbox WHERE {condition} ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))?;
        rows.iter().map(item_from_row).collect()
    }

    /// An admin's correction of a queued or dead call log (e.g. a bad field that made
    /// Salesforce refuse it): replaces the payload as given (no merging) and audits it as
    /// `edited`. The state is kept: a dead letter stays dead until [`Outbox::replay`].
    pub async fn edit(&self, id: i64, log: &CallLog, actor: AuditActor) -> Result<(), OutboxError> {
        log.validate()?;
        let item = self.get(id).await?;
        if item.call_id != log.call_id {
            return Err(OutboxError::Invalid(CallLogError::CallId(format!(
                "{} (an edit cannot change the call id {})",
                log.call_id, item.call_id
            ))));
        }
        let now = now_ms();
        let payload = serde_json::to_string(log).map_err(OutboxError::Payload)?;
        self.write_audited("editing a call log", actor, now, async |conn| {
            sqlx::query(
                "UPDATE outbox SET payload = ?2, revision = revision + 1, updated_at = ?3 WHERE id = ?1",
            )
            .bind(id)
            .bind(payload)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(((), vec![AuditNote::new(&log.call_id, AuditEvent::Edited)]))
        })
        .await?;
        self.touched();
        Ok(())
    }

    /// Sends a dead letter again from a clean slate of attempts.
    pub async fn replay(&self, id: i64, actor: AuditActor) -> Result<(), OutboxError> {
        let item = self.get(id).await?;
        if item.state != ItemState::Dead {
            return Err(OutboxError::NotDead {
                id,
                state: format!("{:?}", item.state).to_lowercase(),
            });
        }
        self.replay_where(Some(id), actor).await.map(|_| ())
    }

    /// Replays every dead letter; returns how many.
    pub async fn replay_all(&self, actor: AuditActor) -> Result<usize, OutboxError> {
        self.replay_where(None, actor).await
    }

    async fn replay_where(&self, id: Option<i64>, actor: AuditActor) -> Result<usize, OutboxError> {
        let now = now_ms();
        let replayed = self
            .write_audited("replaying", actor, now, async |conn| {
                let call_ids: Vec<String> = sqlx::query_scalar(
                    "UPDATE outbox SET state = 'pending', attempts = 0, run_at = ?1, updated_at = ?1 \
                     WHERE state = 'dead' AND (?2 IS NULL OR id = ?2) RETURNING call_id",
                )
                .bind(now)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let notes: Vec<_> = call_ids
                    .iter()
                    .map(|call_id| AuditNote::new(call_id, AuditEvent::Replayed))
                    .collect();
                Ok((notes.len(), notes))
            })
            .await?;
        self.touched();
        self.wake.notify_one();
        Ok(replayed)
    }

    /// The audit log, oldest first.
    pub async fn audit(&self) -> Result<Vec<AuditEntry>, OutboxError> {
        audit::list(&self.pool)
            .await
            .map_err(|e| OutboxError::database("reading the audit log", e))
    }

    /// Closes the database (waiting for open connections).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write error, recognising a full or read-only database (and saying why it is
    /// read-only).
    pub(crate) fn write_error(&self, context: &'static str, e: sqlx::Error) -> OutboxError {
        let code = e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| database::primary(&c));
        match code {
            Some(13) => OutboxError::Full {
                path: self.path.to_path_buf(),
            },
            Some(8) => database::read_only_error(&self.path),
            // SQLITE_IOERR: a full disk or a file system remounted read-only under an open
            // queue shows as an I/O error; said in words when the folder shows why.
            Some(10) => match database::folder_problem(&self.path) {
                Some(problem) => {
                    OutboxError::storage(self.path.parent().unwrap_or(Path::new(".")), problem)
                }
                None => OutboxError::database(context, e),
            },
            _ => OutboxError::database(context, e),
        }
    }

    /// Imports logs kept as files while the database was unusable, then removes each file.
    async fn import_unsent(&self) -> Result<(), OutboxError> {
        let Some(dir) = self.path.parent().map(|p| p.join(UNSENT_DIR)) else {
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let file = entry.path();
            // The temp file of a keep a crash interrupted: read back if it was written
            // whole (the crash came before the rename), else removed (an empty or cut file
            // holds nothing to send, and would sit there forever).
            let interrupted = crate::private_files::is_stale_partial(&entry);
            if file.extension().is_none_or(|e| e != "json") && !interrupted {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            match serde_json::from_str::<KeptLog>(&text) {
                Err(e) if interrupted => {
                    tracing::info!(file = %file.display(), error = %e, "removing the unfinished temp file of an interrupted keep");
                    let _ = std::fs::remove_file(&file);
                }
                Ok(KeptLog { org, log }) => {
                    self.enqueue_for(&log, org.as_deref(), AuditActor::Agent)
                        .await?;
                    std::fs::remove_file(&file).map_err(|source| OutboxError::Io {
                        path: file.clone(),
                        source,
                    })?;
                    tracing::info!(call_id = %log.call_id, "kept call log imported into the queue");
                }
                Err(e) => {
                    tracing::warn!(file = %file.display(), error = %e, "a kept call log is unreadable; left in place");
                }
            }
        }
        Ok(())
    }
}

/// A log kept as a file: the log's own fields plus the org it was queued for, so it is
/// queued for that org again (never sent to whichever org happens to drain the queue).
/// Files written before the tag existed read back untagged.
#[derive(Debug, Serialize, serde::Deserialize)]
struct KeptLog {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org: Option<String>,
    #[serde(flatten)]
    log: CallLog,
}

/// Keeps a log the database could not take, as `<home>/unsent/<call id>.json` (fsync'd)
/// with its org tag (`org`, as for [`Outbox::enqueue_for`]), so the agent's notes survive
/// until the queue opens again and then go to the org they were meant for.
pub fn keep_unsent(home: &Path, log: &CallLog, org: Option<&str>) -> Result<PathBuf, OutboxError> {
    log.validate()?;
    let dir = home.join(UNSENT_DIR);
    crate::private_files::create_private_dir_all(&dir)
        .map_err(|e| OutboxError::write_io(home, &dir, e))?;
    let file = dir.join(format!("{}.json", log.call_id));
    let kept = KeptLog {
        org: org.map(str::to_owned),
        log: log.clone(),
    };
    let text = serde_json::to_vec_pretty(&kept).map_err(OutboxError::Payload)?;
    // Written beside and renamed into place, so a crash never leaves half a file that
    // would then be skipped as unreadable; a failed write (a full disk) leaves nothing.
    // 0600: the agent's notes are nobody else's to read.
    crate::private_files::write_private_atomically(&file, &text)
        .map_err(|e| OutboxError::write_io(&dir, &file, e))?;
    Ok(file)
}

fn item_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<OutboxItem, OutboxError> {
    let get = |e: sqlx::Error| OutboxError::database("reading a queue row", e);
    let payload: String = row.try_get("payload").map_err(get)?;
    Ok(OutboxItem {
        id: row.try_get("id").map_err(get)?,
        call_id: row.try_get("call_id").map_err(get)?,
        org: row.try_get("org").map_err(get)?,
        state: ItemState::parse(row.try_get::<&str, _>("state").map_err(get)?),
        attempts: row.try_get("attempts").map_err(get)?,
        revision: row.try_get("revision").map_err(get)?,
        run_at: row.try_get("run_at").map_err(get)?,
        last_error_code: row.try_get("last_error_code").map_err(get)?,
        last_error: row.try_get("last_error").map_err(get)?,
        task_id: row.try_get("task_id").map_err(get)?,
        log_id: row.try_get("log_id").map_err(get)?,
        created_at: row.try_get("created_at").map_err(get)?,
        updated_at: row.try_get("updated_at").map_err(get)?,
        log: serde_json::from_str(&payload).map_err(OutboxError::Payload)?,
        actions: match row.try_get::<Option<String>, _>("actions").map_err(get)? {
            Some(text) => serde_json::from_str(&text).map_err(OutboxError::Payload)?,
            None => Vec::new(),
        },
        actions_of: row.try_get("actions_of").map_err(get)?,
    })
}
