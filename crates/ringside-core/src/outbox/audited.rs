//! The queue's use of the one transaction-and-audit step ([`crate::audit::write_audited`]):
//! begin → change the items → write the audit rows that record the change → commit. A change
//! and its audit rows commit together or not at all, so the log never says something happened
//! that did not, nor misses something that did. Every state change the worker makes goes
//! through [`Outbox::write_audited`], and so do an admin's edit and replay and a salvage.
//! Queueing ([`Outbox::enqueue`]) writes its own: it reads and merges the stored payload
//! (which can fail as unreadable, not as a database error) and closes the log form in the
//! same transaction.

use sqlx::SqliteConnection;

use super::{Outbox, OutboxError};
use crate::audit::{self, AuditActor, AuditEvent, AuditRow};

/// One audit row to write with the change it records (the actor and time are the step's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditNote {
    pub call_id: String,
    pub event: AuditEvent,
    pub error_code: Option<String>,
    pub detail: Option<String>,
}

impl AuditNote {
    pub fn new(call_id: &str, event: AuditEvent) -> AuditNote {
        AuditNote {
            call_id: call_id.to_owned(),
            event,
            error_code: None,
            detail: None,
        }
    }

    pub fn code(mut self, code: &str) -> AuditNote {
        self.error_code = Some(code.to_owned());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> AuditNote {
        self.detail = Some(detail.into());
        self
    }
}

impl AuditRow for AuditNote {
    async fn append_to(
        &self,
        conn: &mut SqliteConnection,
        at: i64,
        actor: AuditActor,
    ) -> Result<(), sqlx::Error> {
        audit::append(
            conn,
            at,
            actor,
            &self.call_id,
            self.event,
            self.error_code.as_deref(),
            self.detail.as_deref(),
        )
        .await
    }
}

impl Outbox {
    /// [`audit::write_audited`] on the queue's database: `change` and the audit rows it
    /// returns (by `actor`, at `at`) commit together. Any failure, the change's or an audit
    /// row's, rolls all of it back. `doing` says what was being recorded, for the error
    /// (recognising a full or read-only database).
    pub(crate) async fn write_audited<T>(
        &self,
        doing: &'static str,
        actor: AuditActor,
        at: i64,
        change: impl AsyncFnOnce(&mut SqliteConnection) -> Result<(T, Vec<AuditNote>), sqlx::Error>,
    ) -> Result<T, OutboxError> {
        audit::write_audited(
            self.pool(),
            (doing, "auditing"),
            actor,
            at,
            change,
            |context, e| self.write_error(context, e),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::audit::AuditEntry;
    use crate::call_log::CallLog;

    fn temp_home(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ringside-audited-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn call(id: &str) -> CallLog {
        CallLog {
            call_id: id.into(),
            notes: None,
            who_id: None,
            ..crate::call_log::tests::sample()
        }
    }

    /// An outbox with one pending item, `call_id`, audited as queued.
    async fn one_pending(name: &str, call_id: &str) -> (Outbox, i64) {
        let outbox = Outbox::open(&temp_home(name).join("ringside.db"))
            .await
            .unwrap();
        let queued = outbox
            .enqueue(&call(call_id), AuditActor::Agent)
            .await
            .unwrap();
        (outbox, queued.id)
    }

    /// Marks item `id` dead, audited as `dead` (what the worker does for a refused log).
    async fn mark_dead(outbox: &Outbox, id: i64, call_id: &str) -> Result<u64, OutboxError> {
        outbox
            .write_audited(
                "recording a failed attempt",
                AuditActor::Worker,
                7,
                async |conn| {
                    let changed = sqlx::query(
                    "UPDATE outbox SET state = 'dead', attempts = 1, updated_at = 7 WHERE id = ?1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                    let note = AuditNote::new(call_id, AuditEvent::Dead)
                        .code("INVALID_FIELD")
                        .detail("refused");
                    Ok((changed, vec![note]))
                },
            )
            .await
    }

    fn events(entries: &[AuditEntry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| format!("{}:{}", e.actor, e.event))
            .collect()
    }

    #[tokio::test]
    async fn a_change_and_its_audit_row_commit_together() {
        let (outbox, id) = one_pending("together", "step-1").await;
        let changed = mark_dead(&outbox, id, "step-1").await.unwrap();
        assert_eq!(changed, 1, "the change's own result comes back");
        assert_eq!(
            outbox.get(id).await.unwrap().state,
            crate::outbox::ItemState::Dead
        );
        let audit = outbox.audit().await.unwrap();
        assert_eq!(events(&audit), ["agent:queued", "worker:dead"]);
        let dead = &audit[1];
        assert_eq!(
            (
                dead.at,
                dead.call_id.as_str(),
                dead.error_code.as_deref(),
                dead.detail.as_deref()
            ),
            (7, "step-1", Some("INVALID_FIELD"), Some("refused")),
            "the row carries the step's time and the note's fields"
        );
        outbox.close().await;
    }

    #[tokio::test]
    async fn a_failing_audit_row_leaves_the_item_unchanged() {
        let (outbox, id) = one_pending("audit-fails", "step-2").await;
        // A real SQLite failure of the audit insert (as a full disk or a damaged table
        // would give), only for this event.
        sqlx::query(
            "CREATE TRIGGER test_refuses_dead_rows BEFORE INSERT ON audit \
             WHEN NEW.event = 'dead' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        )
        .execute(outbox.pool())
        .await
        .unwrap();
        let before = outbox.get(id).await.unwrap();
        let err = mark_dead(&outbox, id, "step-2").await.unwrap_err();
        assert!(
            matches!(
                err,
                OutboxError::Database {
                    context: "auditing",
                    ..
                }
            ),
            "the error says the audit row failed: {err:?}"
        );
        let after = outbox.get(id).await.unwrap();
        assert_eq!(
            (after.state, after.attempts, after.updated_at),
            (before.state, before.attempts, before.updated_at),
            "the item's change was rolled back with its audit row"
        );
        assert_eq!(events(&outbox.audit().await.unwrap()), ["agent:queued"]);
        outbox.close().await;
    }

    #[tokio::test]
    async fn a_failing_change_writes_no_audit_row_and_undoes_its_earlier_writes() {
        let (outbox, id) = one_pending("change-fails", "step-3").await;
        let err = outbox
            .write_audited(
                "recording a delivery",
                AuditActor::Worker,
                8,
                async |conn| {
                    sqlx::query("UPDATE outbox SET state = 'delivered' WHERE id = ?1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("UPDATE no_such_table SET x = 1")
                        .execute(&mut *conn)
                        .await?;
                    Ok(((), vec![AuditNote::new("step-3", AuditEvent::Sent)]))
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                OutboxError::Database {
                    context: "recording a delivery",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            outbox.get(id).await.unwrap().state,
            crate::outbox::ItemState::Pending,
            "the first write is undone with the rest"
        );
        assert_eq!(events(&outbox.audit().await.unwrap()), ["agent:queued"]);
        outbox.close().await;
    }
}
