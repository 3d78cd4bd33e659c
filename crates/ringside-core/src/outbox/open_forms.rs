//! The log forms not yet logged, saved in the queue's database (table `open_forms`) when a
//! form opens and on every change, so a crash or `kill -9` of the app loses no form and
//! none of what the agent typed. A form's row goes away in the transaction that queues its
//! call ([`Outbox::enqueue_form`]), so no crash can leave both an open form and a queued
//! log of the same call (which would log it twice), nor neither.

use sqlx::{Row, Sqlite, Transaction};

use super::{Outbox, OutboxError, now_ms};
use crate::call_log::draft::CallDraft;
use crate::call_log::external_call_id;

/// A form as it was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedForm {
    pub draft: CallDraft,
    /// When the idle rule logs it (epoch ms); `None` for a form opened by hand.
    pub auto_log_at_ms: Option<i64>,
    /// The org tag in use when it opened.
    pub org: Option<String>,
}

impl Outbox {
    /// Saves (or replaces) the form of `draft.call_id`, committed (fsync'd) before returning.
    pub async fn save_form(
        &self,
        draft: &CallDraft,
        auto_log_at_ms: Option<i64>,
        org: Option<&str>,
    ) -> Result<(), OutboxError> {
        let json = serde_json::to_string(draft).map_err(OutboxError::Payload)?;
        sqlx::query(
            "INSERT INTO open_forms (call_id, draft, auto_log_at, org, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (call_id) DO UPDATE SET draft = excluded.draft, \
               auto_log_at = excluded.auto_log_at, \
               org = COALESCE(excluded.org, open_forms.org), updated_at = excluded.updated_at",
        )
        .bind(&draft.call_id)
        .bind(json)
        .bind(auto_log_at_ms)
        .bind(org)
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(|e| self.write_error("saving a log form", e))?;
        Ok(())
    }

    /// Every saved form, oldest call first. A row that cannot be read back is skipped and
    /// logged (left in place for an admin), so one bad row never hides the others.
    ///
    /// A form saved before every intake mapped call ids may carry a raw SIP Call-ID no
    /// External ID can hold (the form would be refused on every try): it is re-keyed to
    /// [`external_call_id`]'s id, saved under it and its old row removed, so logging it
    /// closes it and a later event for the call lands on the same form.
    pub async fn saved_forms(&self) -> Result<Vec<SavedForm>, OutboxError> {
        let mut forms = self.read_saved_forms().await?;
        for form in &mut forms {
            let Ok(mapped) = external_call_id(&form.draft.call_id) else {
                continue;
            };
            if mapped == form.draft.call_id {
                continue;
            }
            let raw = std::mem::replace(&mut form.draft.call_id, mapped);
            // Save first, then drop the old row: a crash between leaves both rows, and the
            // next read maps the old one onto the same id again.
            let rekeyed = async {
                self.save_form(&form.draft, form.auto_log_at_ms, form.org.as_deref())
                    .await?;
                self.discard_form(&raw).await
            };
            if let Err(err) = rekeyed.await {
                tracing::warn!(call_id = %form.draft.call_id, error = %err, "a saved log form could not be re-keyed to its External ID");
            }
        }
        Ok(forms)
    }

    async fn read_saved_forms(&self) -> Result<Vec<SavedForm>, OutboxError> {
        let rows = sqlx::query("SELECT call_id, draft, auto_log_at, org FROM open_forms")
            .fetch_all(self.pool())
            .await
            .map_err(|e| OutboxError::database("reading the saved log forms", e))?;
        let mut forms = Vec::with_capacity(rows.len());
        for row in rows {
            let call_id: String = row.get("call_id");
            match serde_json::from_str::<CallDraft>(row.get::<&str, _>("draft")) {
                Ok(draft) => forms.push(SavedForm {
                    draft,
                    auto_log_at_ms: row.get("auto_log_at"),
                    org: row.get("org"),
                }),
                Err(e) => {
                    tracing::warn!(%call_id, error = %e, "a saved log form is unreadable; left in place")
                }
            }
        }
        forms.sort_by_key(|f| f.draft.started_at_ms);
        Ok(forms)
    }

    /// Deletes a saved form without queueing anything (a form the agent discarded).
    pub async fn discard_form(&self, call_id: &str) -> Result<bool, OutboxError> {
        let done = sqlx::query("DELETE FROM open_forms WHERE call_id = ?1")
            .bind(call_id)
            .execute(self.pool())
            .await
            .map_err(|e| self.write_error("discarding a log form", e))?;
        Ok(done.rows_affected() > 0)
    }
}

/// Deletes the saved form of `call_id` inside the caller's transaction.
pub(crate) async fn delete_in(
    tx: &mut Transaction<'_, Sqlite>,
    call_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM open_forms WHERE call_id = ?1")
        .bind(call_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
