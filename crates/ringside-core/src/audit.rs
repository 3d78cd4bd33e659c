//! The audit log: an append-only record of every state change of a queued call log
//! (queued, updated, sent, retry, held, dead, replayed, requeued, checked), with the time,
//! the actor and the error code. SQLite triggers refuse UPDATE and DELETE on the table
//! (migration `0002_audit.sql`). Entries hold call ids, Salesforce record ids, error codes
//! and Salesforce's messages: never a token or a note's text.
//!
//! Record edits (Contact/Lead/Account fields and intent presses) are audited in the same
//! table ([`RecordEditAudit`], events `edit_queued`, `edit_applied`, `edit_retry`,
//! `edit_conflict`, `edit_failed`, `edit_resolved`): their rows leave `call_id` empty and
//! carry the record id, the queued edit's id and the field API names, never the values (a
//! value may be personal data; Salesforce's field history keeps it) nor Salesforce's message
//! (which can quote the value): the error code says why.

mod words;

pub use words::{AuditActor, AuditEvent, AuditWord, Recorded};

use serde::Serialize;
use sqlx::{Row, SqliteConnection, SqlitePool};

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Order of writing (strictly increasing).
    pub seq: i64,
    /// Epoch milliseconds.
    pub at: i64,
    /// Who acted (read back as stored, even a word this version does not write).
    pub actor: Recorded<AuditActor>,
    pub call_id: String,
    pub event: Recorded<AuditEvent>,
    pub error_code: Option<String>,
    pub detail: Option<String>,
    /// The Salesforce record a record edit touched (`None` for call-log entries).
    pub record_id: Option<String>,
    /// The queued record edit's id, when the edit went through the queue.
    pub edit_id: Option<i64>,
    /// The field API names a record edit wrote or tried to (never their values).
    pub fields: Vec<String>,
}

/// What a record-edit audit entry says, besides its time and actor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordEditAudit<'a> {
    /// One of the `Edit*` events.
    pub event: AuditEvent,
    pub record_id: &'a str,
    pub edit_id: Option<i64>,
    pub fields: &'a [String],
    pub error_code: Option<&'a str>,
    /// A short fixed note (an intent press's name, "already in Salesforce"): never a value.
    pub detail: Option<&'a str>,
}

/// An audit row written by [`write_audited`] with the change it records: a call-log queue
/// note (`outbox::AuditNote`) or a record-edit entry ([`RecordEditAudit`]).
pub(crate) trait AuditRow {
    /// Appends this row, at `at` by `actor`, inside the caller's transaction.
    async fn append_to(
        &self,
        conn: &mut SqliteConnection,
        at: i64,
        actor: AuditActor,
    ) -> Result<(), sqlx::Error>;
}

impl AuditRow for RecordEditAudit<'_> {
    async fn append_to(
        &self,
        conn: &mut SqliteConnection,
        at: i64,
        actor: AuditActor,
    ) -> Result<(), sqlx::Error> {
        append_record_edit(conn, at, actor, *self).await
    }
}

/// The one transaction-and-audit step of the queues (the call-log outbox and the record-edit
/// queue): runs `change` in one `BEGIN IMMEDIATE` transaction (taken at once, so two writers
/// never deadlock upgrading a read), writes the audit rows it returns (by `actor`, at `at`) in
/// the same transaction, and commits. A change and its audit rows commit together or not at
/// all, so the log never says something happened that did not, nor misses something that
/// did. A failure of the change or the commit becomes `error(doing, e)`; of an audit row,
/// `error(auditing, e)`.
pub(crate) async fn write_audited<T, N: AuditRow, E>(
    pool: &SqlitePool,
    (doing, auditing): (&'static str, &'static str),
    actor: AuditActor,
    at: i64,
    change: impl AsyncFnOnce(&mut SqliteConnection) -> Result<(T, Vec<N>), sqlx::Error>,
    error: impl Fn(&'static str, sqlx::Error) -> E,
) -> Result<T, E> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| error(doing, e))?;
    let (value, rows) = change(&mut tx).await.map_err(|e| error(doing, e))?;
    for row in &rows {
        row.append_to(&mut tx, at, actor)
            .await
            .map_err(|e| error(auditing, e))?;
    }
    tx.commit().await.map_err(|e| error(doing, e))?;
    Ok(value)
}

/// Appends one record-edit entry inside the caller's transaction (or on its own).
pub(crate) async fn append_record_edit(
    conn: &mut SqliteConnection,
    at: i64,
    actor: AuditActor,
    entry: RecordEditAudit<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, call_id, event, error_code, detail, record_id, edit_id, \
         fields) VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(at)
    .bind(actor.as_str())
    .bind(entry.event.as_str())
    .bind(entry.error_code)
    .bind(entry.detail)
    .bind(entry.record_id)
    .bind(entry.edit_id)
    .bind(entry.fields.join(","))
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends one entry inside the caller's transaction, so the entry and the state change it
/// records commit together or not at all.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    at: i64,
    actor: AuditActor,
    call_id: &str,
    event: AuditEvent,
    error_code: Option<&str>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, call_id, event, error_code, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(at)
    .bind(actor.as_str())
    .bind(call_id)
    .bind(event.as_str())
    .bind(error_code)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every entry, oldest first.
pub(crate) async fn list(pool: &SqlitePool) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, call_id, event, error_code, detail, record_id, edit_id, fields \
         FROM audit ORDER BY seq",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: Recorded::parse(r.try_get("actor")?),
                call_id: r.try_get("call_id")?,
                event: Recorded::parse(r.try_get("event")?),
                error_code: r.try_get("error_code")?,
                detail: r.try_get("detail")?,
                record_id: r.try_get("record_id")?,
                edit_id: r.try_get("edit_id")?,
                fields: r
                    .try_get::<Option<String>, _>("fields")?
                    .map(|f| {
                        f.split(',')
                            .filter(|n| !n.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}
