//! The audit log: an append-only record of every state change of a queued call log
//! (queued, updated, sent, retry, held, dead, replayed, requeued, checked), with the time,
//! the actor and the error code. SQLite triggers refuse UPDATE and DELETE on the table
//! (migration `0002_audit.sql`). Entries hold call ids, Salesforce record ids, error codes
//! and Salesforce's messages: never a token or a note's text.

use serde::Serialize;
use sqlx::{Row, SqliteConnection, SqlitePool};

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Order of writing (strictly increasing).
    pub seq: i64,
    /// Epoch milliseconds.
    pub at: i64,
    /// `agent`, `worker` or `admin`.
    pub actor: String,
    pub call_id: String,
    pub event: String,
    pub error_code: Option<String>,
    pub detail: Option<String>,
}

/// Appends one entry inside the caller's transaction, so the entry and the state change it
/// records commit together or not at all.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    at: i64,
    actor: &str,
    call_id: &str,
    event: &str,
    error_code: Option<&str>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, call_id, event, error_code, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(at)
    .bind(actor)
    .bind(call_id)
    .bind(event)
    .bind(error_code)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every entry, oldest first.
pub(crate) async fn list(pool: &SqlitePool) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, call_id, event, error_code, detail FROM audit ORDER BY seq",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                call_id: r.try_get("call_id")?,
                event: r.try_get("event")?,
                error_code: r.try_get("error_code")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}
