//! The durable queue of record edits made while Salesforce is unreachable (issue 6): an
//! edit (or an intent press) is committed to the outbox's SQLite file (table
//! `record_edits`, WAL, fsync on commit) before the agent's action returns, and shown as
//! "pending" until it is sent.
//!
//! Sending ([`EditQueue::send_due`]) goes through the same [`RecordEditor`] as a live edit,
//! so the policy, the type checks and the conflict check all apply again:
//! - the edit carries the `LastModifiedDate` the agent saw (or, from the CLI without
//!   `--expect-modified`, the moment it was queued); if the record changed meanwhile the edit
//!   is not applied but becomes a **conflict** with both values, for the agent to resolve;
//! - a permanent error (validation rule, `ENTITY_IS_DELETED`, field-level security, a value
//!   the describe refuses) marks it **failed** with the reason in words;
//! - while the org is unreachable (connection refused, DNS, offline) or the session is gone,
//!   nothing is spent: the pass stops and the edit waits; other transient errors spend an
//!   attempt and wait per the [`RetrySchedule`], then fail.
//!
//! Exactly once: a row is claimed (its `run_at` pushed past a lease) before it is sent, so
//! two senders never send it at once; a send that landed but whose answer was lost comes back
//! as a "conflict" whose values are all the agent's own, which is recognised as applied.
//! Two queued edits of one record: once the first applies, the next ones expect the version it
//! produced (Ringside's own change is not someone else's).
//!
//! Every step is written to the append-only [`crate::audit`] log in the same transaction as
//! the state change (queued, applied, retry, conflict, failed, resolved; a live edit saved
//! through [`save_or_queue`] as applied too), with the record id and field names, never the
//! values.

/// Audit actors: the agent made or resolved the edit; the worker sent it.
const AGENT: AuditActor = AuditActor::Agent;
const WORKER: AuditActor = AuditActor::Worker;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::Serialize;
use sqlx::{Row, SqlitePool};

use crate::audit::{self, AuditActor, AuditEvent, RecordEditAudit};
use crate::outbox::retry::{RetrySchedule, Verdict, classify};
use crate::outbox::{Outbox, now_ms};
use crate::record_edit::{
    ConflictField, EditError, EditOutcome, FieldChange, FieldProblem, RecordEditor,
    object_for_any_id,
};

/// What a save from an editor (the desktop record panel) came to. A conflict and refused
/// values are answers the agent acts on, not failures: they carry what the editor shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordSave {
    /// Written; `outcome.last_modified` is the new version to edit from.
    Saved { outcome: EditOutcome },
    /// Someone changed the record since it was shown: theirs and yours per field. Save
    /// again with `current` as the expected version to overwrite with the agent's choice.
    Conflict {
        current: Option<String>,
        fields: Vec<ConflictField>,
    },
    /// Values refused before anything was sent, each with its reason.
    Refused { problems: Vec<FieldProblem> },
    /// Salesforce could not be reached: the edit is in the durable queue, "pending", and is
    /// sent when Salesforce answers again.
    Queued { edit: QueuedEdit },
}

impl RecordSave {
    /// Turns an edit's result into an answer for an editor; other errors stay errors.
    pub fn from_edit(result: Result<EditOutcome, EditError>) -> Result<RecordSave, EditError> {
        match result {
            Ok(outcome) => Ok(RecordSave::Saved { outcome }),
            Err(EditError::Conflict {
                current, fields, ..
            }) => Ok(RecordSave::Conflict { current, fields }),
            Err(EditError::Refused { problems }) => Ok(RecordSave::Refused { problems }),
            Err(other) => Err(other),
        }
    }
}

/// How long a sender holds a claimed edit before another may take it (a sender that died).
const CLAIM_LEASE_MS: i64 = 60_000;
/// Edits looked at per pass.
const BATCH: i64 = 50;
/// How long an applied or resolved edit is kept (for `ringside contact show` and debugging)
/// before it is deleted, so the table does not grow with every edit ever made. Old ones go
/// when another edit settles (the only way settled rows are added), not on every poll.
pub const SETTLED_EDITS_KEPT: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Where a queued edit is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuedEditState {
    /// Waiting for Salesforce.
    Pending,
    /// Written to Salesforce.
    Applied,
    /// The record changed in Salesforce since the agent saw it: not written; the agent decides.
    Conflict,
    /// Salesforce (or the policy) refused it for good; `error` says why.
    Failed,
    /// The agent dealt with a conflict or a failure (kept for the record, no longer shown).
    Resolved,
}

impl QueuedEditState {
    fn as_str(self) -> &'static str {
        match self {
            QueuedEditState::Pending => "pending",
            QueuedEditState::Applied => "applied",
            QueuedEditState::Conflict => "conflict",
            QueuedEditState::Failed => "failed",
            QueuedEditState::Resolved => "resolved",
        }
    }

    fn parse(text: &str) -> QueuedEditState {
        match text {
            "applied" => QueuedEditState::Applied,
            "conflict" => QueuedEditState::Conflict,
            "failed" => QueuedEditState::Failed,
            "resolved" => QueuedEditState::Resolved,
            _ => QueuedEditState::Pending,
        }
    }
}

/// The record as it is now, for a conflict: its version and, per field, both values.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QueuedConflict {
    pub current: Option<String>,
    pub fields: Vec<ConflictField>,
}

/// One queued edit as the record panel and the CLI show it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedEdit {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub object: String,
    pub record_id: String,
    /// The field changes, as typed (empty for an intent press).
    pub changes: Vec<FieldChange>,
    /// The intent pressed, for an intent press.
    pub intent: Option<String>,
    pub state: QueuedEditState,
    pub attempts: u32,
    /// A stable code for a failed edit (as [`EditError::code`]).
    pub error_code: Option<String>,
    /// Why it failed, in words.
    pub error: Option<String>,
    pub conflict: Option<QueuedConflict>,
    /// When the agent made it (epoch ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
}

/// What a send pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EditSendReport {
    pub applied: u64,
    pub conflicts: u64,
    pub failed: u64,
    /// Attempts that failed and will be tried again.
    pub retried: u64,
    /// The pass stopped because nothing reached the org (no attempt spent).
    pub org_unreachable: bool,
    /// The pass stopped because the session is gone (no attempt spent).
    pub signed_out: bool,
}

/// Why the queue itself failed (the database, not Salesforce).
#[derive(Debug, thiserror::Error)]
pub enum EditQueueError {
    #[error("record-edit queue database error while {context}: {source}")]
    Database {
        context: &'static str,
        source: sqlx::Error,
    },
    #[error("no queued record edit has id {0}")]
    NotFound(i64),
    #[error("queued record edit {id} is {state}; only a conflict or a failed edit is resolved")]
    NotOpen { id: i64, state: &'static str },
    #[error("{0:?} is not a record id Ringside edits")]
    UnsupportedRecord(String),
}

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> EditQueueError {
    move |source| EditQueueError::Database { context, source }
}

/// What to queue: field changes, or an intent press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRequest {
    /// Field changes as typed, with the `LastModifiedDate` the agent saw (`None`: the moment
    /// it is queued is taken as the version the agent saw).
    Fields {
        changes: Vec<(String, String)>,
        expected_modified: Option<String>,
    },
    /// An intent button; its value is worked out when sent, with the press time kept here.
    Intent { name: String, input: Option<String> },
}

/// The queue, over the outbox's database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EditQueue {
    pool: SqlitePool,
    wake: Arc<tokio::sync::Notify>,
    changed: Arc<tokio::sync::watch::Sender<u64>>,
}

const COLUMNS: &str = "id, object, record_id, changes, intent, state, attempts, error_code, error, \
     conflict, created_at";

impl EditQueue {
    /// The queue in `outbox`'s database file (its migration made the table).
    pub fn new(outbox: &Outbox) -> EditQueue {
        EditQueue {
            pool: outbox.pool().clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
            changed: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }

    /// Completes when something was queued through this handle (a sender waits on it).
    pub async fn queued(&self) {
        self.wake.notified().await;
    }

    /// A receiver that sees a new value after every committed change from this handle.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn touched(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Commits an edit of record `id` for org `org` (its tag) before returning.
    pub async fn queue(
        &self,
        org: &str,
        id: &str,
        request: &EditRequest,
    ) -> Result<QueuedEdit, EditQueueError> {
        let object = object_for_any_id(id)
            .ok_or_else(|| EditQueueError::UnsupportedRecord(id.to_owned()))?;
        let now = now_ms();
        let (changes, intent, input, expected) = match request {
            EditRequest::Fields {
                changes,
                expected_modified,
            } => (
                serde_json::to_string(changes).unwrap_or_else(|_| "[]".into()),
                None,
                None,
                expected_modified.clone(),
            ),
            EditRequest::Intent { name, input } => {
                ("[]".to_owned(), Some(name.clone()), input.clone(), None)
            }
        };
        let (names, intent_note) = request_audit(request);
        let steps = ("queueing an edit", "auditing a queued edit");
        let row_id = self
            .write_audited(steps, AGENT, now, async |conn| {
                let row_id: i64 = sqlx::query_scalar(
                    "INSERT INTO record_edits (org, object, record_id, changes, intent, \
                     intent_input, expected_modified, run_at, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(org)
                .bind(object)
                .bind(id)
                .bind(&changes)
                .bind(&intent)
                .bind(&input)
                .bind(&expected)
                .bind(now)
                .bind(now)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?;
                let entry = RecordEditAudit {
                    event: AuditEvent::EditQueued,
                    record_id: id,
                    edit_id: Some(row_id),
                    fields: &names,
                    error_code: None,
                    detail: intent_note.as_deref(),
                };
                Ok((row_id, vec![entry]))
            })
            .await?;
        tracing::info!(
            object,
            edit = row_id,
            "record edit queued until Salesforce answers"
        );
        self.wake.notify_one();
        self.touched();
        self.get(row_id).await
    }

    /// One queued edit.
    pub async fn get(&self, id: i64) -> Result<QueuedEdit, EditQueueError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM record_edits WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading an edit"))?
        .ok_or(EditQueueError::NotFound(id))?;
        Ok(edit_from_row(&row))
    }

    /// The edits of record `record_id` the agent still has to see: pending, conflicts and
    /// failures (applied and resolved ones are history), oldest first.
    pub async fn open_for_record(
        &self,
        record_id: &str,
    ) -> Result<Vec<QueuedEdit>, EditQueueError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM record_edits WHERE record_id = ? \
             AND state IN ('pending', 'conflict', 'failed') ORDER BY id"
        )))
        .bind(record_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing a record's edits"))?;
        Ok(rows.iter().map(edit_from_row).collect())
    }

    /// Every queued edit, oldest first.
    pub async fn list(&self) -> Result<Vec<QueuedEdit>, EditQueueError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM record_edits ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing edits"))?;
        Ok(rows.iter().map(edit_from_row).collect())
    }

    /// The agent dealt with a conflict or a failed edit (saved their choice, took theirs, or
    /// gave up): it is no longer shown.
    pub async fn resolve(&self, id: i64) -> Result<(), EditQueueError> {
        let edit = self.get(id).await?;
        if !matches!(
            edit.state,
            QueuedEditState::Conflict | QueuedEditState::Failed
        ) {
            return Err(EditQueueError::NotOpen {
                id,
                state: edit.state.as_str(),
            });
        }
        let names: Vec<String> = edit.changes.iter().map(|c| c.field.clone()).collect();
        self.set_state(
            id,
            QueuedEditState::Resolved,
            StateNote::default(),
            (
                AGENT,
                RecordEditAudit {
                    event: AuditEvent::EditResolved,
                    record_id: &edit.record_id,
                    edit_id: Some(id),
                    fields: &names,
                    error_code: None,
                    detail: edit.intent.as_deref(),
                },
            ),
        )
        .await?;
        self.prune_expired().await?;
        self.touched();
        Ok(())
    }

    /// Sends org `org`'s due edits with `editor` (built over that org's client and the
    /// admin's policy), until none is due or the org stops answering.
    pub async fn send_due(
        &self,
        editor: &RecordEditor,
        org: &str,
        schedule: &RetrySchedule,
    ) -> Result<EditSendReport, EditQueueError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::Edit, async move {
            let mut report = EditSendReport::default();
            // An edit is tried once per pass: one that failed waits for the next pass even if
            // its backoff (milliseconds in tests) ran out while this pass went on.
            let mut tried = std::collections::HashSet::new();
            loop {
                let due: Vec<DueEdit> = self
                    .due(org)
                    .await?
                    .into_iter()
                    .filter(|row| tried.insert(row.id))
                    .collect();
                if due.is_empty() {
                    break;
                }
                let mut stop = false;
                for mut row in due {
                    let Some(expected) = self.claim(row.id).await? else {
                        continue;
                    };
                    row.expected = expected;
                    if self.send_one(editor, &row, schedule, &mut report).await? {
                        stop = true;
                        break;
                    }
                }
                self.touched();
                if stop {
                    break;
                }
            }
            Ok(report)
        })
        .await
    }

    /// Deletes settled edits older than [`SETTLED_EDITS_KEPT`].
    async fn prune_expired(&self) -> Result<u64, EditQueueError> {
        let kept_ms = i64::try_from(SETTLED_EDITS_KEPT.as_millis()).unwrap_or(i64::MAX);
        self.prune_settled(now_ms().saturating_sub(kept_ms)).await
    }

    /// Deletes applied and resolved edits last touched before `before_ms` (epoch ms); pending
    /// edits, conflicts and failures the agent has not dealt with are never deleted.
    /// Returns how many went.
    pub async fn prune_settled(&self, before_ms: i64) -> Result<u64, EditQueueError> {
        let done = sqlx::query(
            "DELETE FROM record_edits WHERE state IN ('applied', 'resolved') AND updated_at < ?",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await
        .map_err(db("pruning settled edits"))?;
        if done.rows_affected() > 0 {
            tracing::debug!(pruned = done.rows_affected(), "settled record edits pruned");
        }
        Ok(done.rows_affected())
    }

    async fn due(&self, org: &str) -> Result<Vec<DueEdit>, EditQueueError> {
        let rows = sqlx::query(
            "SELECT id, record_id, changes, intent, intent_input, expected_modified, attempts, \
             created_at FROM record_edits WHERE org = ? AND state = 'pending' AND run_at <= ? \
             ORDER BY id LIMIT ?",
        )
        .bind(org)
        .bind(now_ms())
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await
        .map_err(db("finding due edits"))?;
        Ok(rows
            .iter()
            .map(|r| DueEdit {
                id: r.get("id"),
                record_id: r.get("record_id"),
                changes: serde_json::from_str(r.get::<&str, _>("changes")).unwrap_or_default(),
                intent: r.get("intent"),
                input: r.get("intent_input"),
                expected: r.get("expected_modified"),
                attempts: u32::try_from(r.get::<i64, _>("attempts")).unwrap_or(u32::MAX),
                created_at: r.get("created_at"),
            })
            .collect())
    }

    /// Takes a due edit for this sender: `None` when another sender took it first, else the
    /// version it now expects (an earlier queued edit of the record may have moved it on).
    async fn claim(&self, id: i64) -> Result<Option<Option<String>>, EditQueueError> {
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE record_edits SET run_at = ?, updated_at = ? \
             WHERE id = ? AND state = 'pending' AND run_at <= ? RETURNING expected_modified",
        )
        .bind(now + CLAIM_LEASE_MS)
        .bind(now)
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("claiming an edit"))?;
        Ok(row.map(|r| r.get("expected_modified")))
    }

    /// Sends one claimed edit and records what came of it. True: stop the pass (the org is
    /// unreachable or the session is gone; the edit waits, no attempt spent).
    async fn send_one(
        &self,
        editor: &RecordEditor,
        row: &DueEdit,
        schedule: &RetrySchedule,
        report: &mut EditSendReport,
    ) -> Result<bool, EditQueueError> {
        let made_at =
            UNIX_EPOCH + Duration::from_millis(u64::try_from(row.created_at).unwrap_or(0));
        let result: Result<EditOutcome, EditError> = match &row.intent {
            Some(name) => {
                editor
                    .apply_intent(&row.record_id, name, row.input.as_deref(), made_at)
                    .await
            }
            None => {
                // Without the version the agent saw, the moment the edit was made stands in:
                // a change in Salesforce after it is someone else's.
                let expected = row
                    .expected
                    .clone()
                    .unwrap_or_else(|| crate::time::utc_datetime(made_at));
                editor
                    .edit(&row.record_id, &row.changes, Some(&expected))
                    .await
            }
        };
        match result {
            Ok(outcome) => {
                self.applied(
                    row,
                    outcome.last_modified.as_deref(),
                    &outcome.changed,
                    None,
                )
                .await?;
                report.applied += 1;
            }
            Err(EditError::Conflict {
                current, fields, ..
            }) => {
                if fields.iter().all(|f| f.yours == f.theirs) {
                    // Every value is already the agent's: an earlier send landed although its
                    // answer was lost. Applied, not a conflict (and not written twice).
                    self.applied(
                        row,
                        current.as_deref(),
                        &row.field_names(),
                        Some("already in Salesforce"),
                    )
                    .await?;
                    report.applied += 1;
                } else {
                    let names: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
                    let conflict = QueuedConflict { current, fields };
                    let text = serde_json::to_string(&conflict).ok();
                    self.set_state(
                        row.id,
                        QueuedEditState::Conflict,
                        StateNote {
                            conflict: text,
                            ..StateNote::default()
                        },
                        (WORKER, row.audit(AuditEvent::EditConflict, &names, None)),
                    )
                    .await?;
                    tracing::info!(edit = row.id, "queued edit conflicts with a newer record");
                    report.conflicts += 1;
                }
            }
            Err(EditError::Salesforce(err)) => match classify(&err) {
                // A used-up org allowance holds edits like an outage: no attempt spent.
                Verdict::Unreachable | Verdict::AllowanceUsedUp => {
                    self.put_back(row.id, 0).await?;
                    report.org_unreachable = true;
                    return Ok(true);
                }
                Verdict::SignedOut => {
                    self.put_back(row.id, 0).await?;
                    report.signed_out = true;
                    return Ok(true);
                }
                Verdict::Halted => self.put_back(row.id, 0).await?,
                Verdict::Retry { .. } => {
                    let spent = row.attempts.saturating_add(1);
                    match schedule.delay_after(spent) {
                        Some(wait) => {
                            self.retry_later(
                                row,
                                spent,
                                wait,
                                err.code().as_str(),
                                &err.to_string(),
                            )
                            .await?;
                            report.retried += 1;
                        }
                        None => {
                            self.failed(row, err.code().as_str(), &err.to_string())
                                .await?;
                            report.failed += 1;
                        }
                    }
                }
                Verdict::Dead => {
                    self.failed(row, err.code().as_str(), &err.to_string())
                        .await?;
                    report.failed += 1;
                }
            },
            // A locked row is transient although Salesforce answers it with a 400.
            Err(EditError::Rejected { code, message }) if code == "UNABLE_TO_LOCK_ROW" => {
                let spent = row.attempts.saturating_add(1);
                match schedule.delay_after(spent) {
                    Some(wait) => {
                        self.retry_later(row, spent, wait, &code, &message).await?;
                        report.retried += 1;
                    }
                    None => {
                        self.failed(row, "salesforce_rejected", &message).await?;
                        report.failed += 1;
                    }
                }
            }
            Err(other) => {
                self.failed(row, other.code().as_str(), &other.to_string())
                    .await?;
                report.failed += 1;
            }
        }
        Ok(false)
    }

    async fn applied(
        &self,
        row: &DueEdit,
        last_modified: Option<&str>,
        changed: &[String],
        note: Option<&str>,
    ) -> Result<(), EditQueueError> {
        let entry = RecordEditAudit {
            event: AuditEvent::EditApplied,
            record_id: &row.record_id,
            edit_id: Some(row.id),
            fields: changed,
            error_code: None,
            detail: note.or(row.intent.as_deref()),
        };
        let steps = ("recording an edit", "auditing an edit");
        self.write_audited(steps, WORKER, now_ms(), async |conn| {
            sqlx::query(
                "UPDATE record_edits SET state = 'applied', last_modified = ?, error_code = NULL, \
                 error = NULL, updated_at = ? WHERE id = ?",
            )
            .bind(last_modified)
            .bind(now_ms())
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
            // Later queued edits of this record were made from the same version as this one;
            // the version this edit produced is theirs now.
            if let (Some(before), Some(after)) = (&row.expected, last_modified) {
                sqlx::query(
                    "UPDATE record_edits SET expected_modified = ? WHERE record_id = ? \
                     AND state = 'pending' AND expected_modified = ? AND id > ?",
                )
                .bind(after)
                .bind(&row.record_id)
                .bind(before)
                .bind(row.id)
                .execute(&mut *conn)
                .await?;
            }
            Ok(((), vec![entry]))
        })
        .await?;
        tracing::info!(edit = row.id, "queued record edit applied");
        self.prune_expired().await?;
        Ok(())
    }

    async fn failed(&self, row: &DueEdit, code: &str, message: &str) -> Result<(), EditQueueError> {
        tracing::warn!(edit = row.id, code, "queued record edit failed");
        self.set_state(
            row.id,
            QueuedEditState::Failed,
            StateNote {
                code: Some(code),
                message: Some(message),
                ..StateNote::default()
            },
            (
                WORKER,
                row.audit(AuditEvent::EditFailed, &row.field_names(), Some(code)),
            ),
        )
        .await
    }

    async fn put_back(&self, id: i64, wait_ms: i64) -> Result<(), EditQueueError> {
        sqlx::query("UPDATE record_edits SET run_at = ?, updated_at = ? WHERE id = ?")
            .bind(now_ms() + wait_ms)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db("putting an edit back"))?;
        Ok(())
    }

    async fn retry_later(
        &self,
        row: &DueEdit,
        attempts: u32,
        wait: Duration,
        code: &str,
        message: &str,
    ) -> Result<(), EditQueueError> {
        let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
        let names = row.field_names();
        let entry = row.audit(AuditEvent::EditRetry, &names, Some(code));
        let steps = ("scheduling a retry", "auditing a retry");
        self.write_audited(steps, WORKER, now_ms(), async |conn| {
            sqlx::query(
                "UPDATE record_edits SET attempts = ?, run_at = ?, error_code = ?, error = ?, \
                 updated_at = ? WHERE id = ?",
            )
            .bind(i64::from(attempts))
            .bind(now_ms() + wait_ms)
            .bind(code)
            .bind(message)
            .bind(now_ms())
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Moves edit `id` to `state` and audits it (`entry`, by `actor`) in one transaction.
    async fn set_state(
        &self,
        id: i64,
        state: QueuedEditState,
        note: StateNote<'_>,
        (actor, entry): (AuditActor, RecordEditAudit<'_>),
    ) -> Result<(), EditQueueError> {
        let steps = ("recording an edit's state", "auditing an edit's state");
        self.write_audited(steps, actor, now_ms(), async |conn| {
            sqlx::query(
                "UPDATE record_edits SET state = ?, error_code = COALESCE(?, error_code), \
                 error = COALESCE(?, error), conflict = COALESCE(?, conflict), updated_at = ? \
                 WHERE id = ?",
            )
            .bind(state.as_str())
            .bind(note.code)
            .bind(note.message)
            .bind(note.conflict)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(((), vec![entry]))
        })
        .await
    }

    /// The one transaction-and-audit step ([`audit::write_audited`], shared with the call-log
    /// queue) on this queue's database: `change` and its audit entries commit together.
    /// `steps` names what was being recorded and what was being audited, for the error.
    async fn write_audited<'a, T>(
        &self,
        steps: (&'static str, &'static str),
        actor: AuditActor,
        at: i64,
        change: impl AsyncFnOnce(
            &mut sqlx::SqliteConnection,
        ) -> Result<(T, Vec<RecordEditAudit<'a>>), sqlx::Error>,
    ) -> Result<T, EditQueueError> {
        audit::write_audited(&self.pool, steps, actor, at, change, |context, source| {
            EditQueueError::Database { context, source }
        })
        .await
    }

    /// Audits an edit saved live (Salesforce answered at once, nothing queued), so the audit
    /// log holds every record edit, not only the queued ones.
    pub async fn audit_live_edit(
        &self,
        outcome: &EditOutcome,
        intent: Option<&str>,
    ) -> Result<(), EditQueueError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db("auditing a live edit"))?;
        audit::append_record_edit(
            &mut conn,
            now_ms(),
            AGENT,
            RecordEditAudit {
                event: AuditEvent::EditApplied,
                record_id: &outcome.id,
                edit_id: None,
                fields: &outcome.changed,
                error_code: None,
                detail: intent,
            },
        )
        .await
        .map_err(db("auditing a live edit"))
    }
}

/// What a state change records besides the state (each `None` keeps the stored value).
#[derive(Debug, Default)]
struct StateNote<'a> {
    code: Option<&'a str>,
    message: Option<&'a str>,
    conflict: Option<String>,
}

/// The field names and the intent note an edit request is audited with.
fn request_audit(request: &EditRequest) -> (Vec<String>, Option<String>) {
    match request {
        EditRequest::Fields { changes, .. } => {
            (changes.iter().map(|(f, _)| f.clone()).collect(), None)
        }
        EditRequest::Intent { name, .. } => (Vec::new(), Some(name.clone())),
    }
}

struct DueEdit {
    id: i64,
    record_id: String,
    changes: Vec<(String, String)>,
    intent: Option<String>,
    input: Option<String>,
    expected: Option<String>,
    attempts: u32,
    created_at: i64,
}

impl DueEdit {
    fn field_names(&self) -> Vec<String> {
        self.changes.iter().map(|(f, _)| f.clone()).collect()
    }

    /// An audit entry about this edit (the intent's name as its note for an intent press).
    fn audit<'a>(
        &'a self,
        event: AuditEvent,
        fields: &'a [String],
        error_code: Option<&'a str>,
    ) -> RecordEditAudit<'a> {
        RecordEditAudit {
            event,
            record_id: &self.record_id,
            edit_id: Some(self.id),
            fields,
            error_code,
            detail: self.intent.as_deref(),
        }
    }
}

fn edit_from_row(row: &sqlx::sqlite::SqliteRow) -> QueuedEdit {
    let changes: Vec<(String, String)> =
        serde_json::from_str(row.get::<&str, _>("changes")).unwrap_or_default();
    QueuedEdit {
        id: row.get("id"),
        object: row.get("object"),
        record_id: row.get("record_id"),
        changes: changes
            .into_iter()
            .map(|(field, value)| FieldChange { field, value })
            .collect(),
        intent: row.get("intent"),
        state: QueuedEditState::parse(row.get::<&str, _>("state")),
        attempts: u32::try_from(row.get::<i64, _>("attempts")).unwrap_or(u32::MAX),
        error_code: row.get("error_code"),
        error: row.get("error"),
        conflict: row
            .get::<Option<&str>, _>("conflict")
            .and_then(|text| serde_json::from_str(text).ok()),
        created_at: row.get("created_at"),
    }
}

/// True when an edit's error means Salesforce could not be reached (connection refused, DNS,
/// offline, or the answer was lost), so the edit should be queued instead of refused: a
/// queued edit's conflict check makes sending it again safe.
pub fn should_queue(err: &EditError) -> bool {
    matches!(
        err,
        EditError::Salesforce(salesforce::Error::Transport { .. })
    )
}

/// Saves now, or, when Salesforce cannot be reached, commits the edit to `queue` (for org tag
/// `org`) and answers [`RecordSave::Queued`]. The policy is checked before anything is queued
/// (offline, without a describe); the values are checked when it is sent. With no queue (its
/// database cannot be opened), an unreachable org stays an error. Used by the record panel
/// and `ringside contact edit`, so both queue the same way.
pub async fn save_or_queue(
    editor: &RecordEditor,
    queue: Option<&EditQueue>,
    org: &str,
    id: &str,
    request: &EditRequest,
) -> Result<RecordSave, EditError> {
    let now = match request {
        EditRequest::Fields {
            changes,
            expected_modified,
        } => editor.edit(id, changes, expected_modified.as_deref()).await,
        EditRequest::Intent { name, input } => {
            editor
                .apply_intent(id, name, input.as_deref(), std::time::SystemTime::now())
                .await
        }
    };
    let err = match now {
        Err(err) if should_queue(&err) => err,
        Ok(outcome) => {
            if let Some(queue) = queue {
                let intent = match request {
                    EditRequest::Intent { name, .. } => Some(name.as_str()),
                    EditRequest::Fields { .. } => None,
                };
                // The edit is in Salesforce already: a failed audit write must not turn it
                // into an error the agent would retry; it is logged instead.
                if let Err(audit_err) = queue.audit_live_edit(&outcome, intent).await {
                    tracing::warn!(error = %audit_err, "a saved record edit was not audited");
                }
            }
            return RecordSave::from_edit(Ok(outcome));
        }
        other => return RecordSave::from_edit(other),
    };
    let Some(queue) = queue else {
        return Err(err);
    };
    match request {
        EditRequest::Fields { changes, .. } => {
            if let Err(refused) = editor.check_policy(id, changes) {
                return RecordSave::from_edit(Err(refused));
            }
        }
        EditRequest::Intent { name, .. } => {
            if let Err(refused) = editor.check_intent(id, name) {
                return RecordSave::from_edit(Err(refused));
            }
        }
    }
    tracing::info!(
        code = %err.code(),
        "Salesforce unreachable; queueing the edit"
    );
    let edit = queue
        .queue(org, id, request)
        .await
        .map_err(|queue_err| EditError::NotQueued {
            reason: queue_err.to_string(),
        })?;
    Ok(RecordSave::Queued { edit })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared transaction-and-audit step holds for the record-edit queue too: a queued
    /// edit whose audit row fails is not queued (no edit the log does not know about).
    #[tokio::test]
    async fn a_refused_audit_row_leaves_no_queued_edit() {
        let home =
            std::env::temp_dir().join(format!("ringside-edit-queue-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        let outbox = Outbox::open(&home.join("ringside.db")).await.unwrap();
        let queue = EditQueue::new(&outbox);
        // A real SQLite failure of the audit insert (as a full disk or a damaged table would
        // give), only for this event.
        sqlx::query(
            "CREATE TRIGGER test_refuses_queued_edits BEFORE INSERT ON audit \
             WHEN NEW.event = 'edit_queued' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        )
        .execute(outbox.pool())
        .await
        .unwrap();
        let request = EditRequest::Fields {
            changes: vec![("Title".into(), "Head of Sales".into())],
            expected_modified: None,
        };
        let err = queue
            .queue("demo", "003000000000001AAA", &request)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                EditQueueError::Database {
                    context: "auditing a queued edit",
                    ..
                }
            ),
            "the error says the audit row failed: {err:?}"
        );
        assert!(
            queue.list().await.unwrap().is_empty(),
            "the queued edit was rolled back with its audit row"
        );
        outbox.close().await;
        let _ = std::fs::remove_dir_all(&home);
    }
}
