//! Committing a call log: into the queue, else, when the database cannot take it (read-only,
//! full, damaged, not open), as a file in `unsent/` that is queued the next time the database
//! opens. The one place this fallback is decided, for the desktop's log form and the CLI's
//! `log-call` alike; each says the outcome in its own words.

use std::path::{Path, PathBuf};

use super::{Enqueued, OrgTag, Outbox, OutboxError, keep_unsent};
use crate::audit::AuditActor;
use crate::call_log::CallLog;
use crate::outcomes::plan::PlannedAction;

/// One log to commit and how.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    pub log: &'a CallLog,
    /// The org it is queued for: only that org's worker sends it.
    pub org: &'a OrgTag,
    /// Who logged it, for the audit trail (`agent`, `auto-log`).
    pub actor: AuditActor,
    /// Outcome actions sent with the log in one request (none: just the log).
    pub actions: &'a [PlannedAction],
    /// The log comes from a saved form: the form is deleted with the queueing (one
    /// transaction), or after the log was kept as a file, so it is never logged twice.
    pub closes_form: bool,
}

/// Where a committed log is now.
#[derive(Debug)]
pub enum Committed {
    Queued(Enqueued),
    /// The database could not take it (`cause`): it is in `file`, queued when the database
    /// works again. Its actions are not kept (the log is what must not be lost).
    Kept {
        file: PathBuf,
        cause: OutboxError,
    },
}

/// Why a log was neither queued nor kept: it is only where the caller still holds it.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Not a storage problem (an invalid log, a broken payload): nothing was kept.
    #[error(transparent)]
    Refused(OutboxError),
    /// The database could not take it, and no file could be written either.
    #[error("{cause}. The call log could not be kept as a file either ({keep_error})")]
    NotKept {
        cause: OutboxError,
        keep_error: OutboxError,
    },
}

/// Queues `commit.log` in `outbox` (`Err`: why the queue did not open), else keeps it as a
/// file under `home`.
pub async fn commit(
    home: &Path,
    outbox: Result<&Outbox, OutboxError>,
    commit: Commit<'_>,
) -> Result<Committed, CommitError> {
    let org = Some(commit.org.as_str());
    let (outbox, queued) = match outbox {
        Ok(outbox) => {
            let queued = outbox
                .enqueue_in(
                    commit.log,
                    org,
                    commit.actor,
                    commit.closes_form,
                    Some(commit.actions),
                )
                .await;
            (Some(outbox), queued)
        }
        Err(err) => (None, Err(err)),
    };
    let cause = match queued {
        Ok(queued) => return Ok(Committed::Queued(queued)),
        Err(err) if err.database_unusable() => err,
        Err(err) => return Err(CommitError::Refused(err)),
    };
    match keep_unsent(home, commit.log, org) {
        Ok(file) => {
            tracing::warn!(call_id = %commit.log.call_id, file = %file.display(), "{cause}; the call log was kept as a file");
            // The file holds the log now; a saved form (if the database still reads)
            // would log it a second time at the next start.
            if commit.closes_form
                && let Some(outbox) = outbox
                && let Err(err) = outbox.discard_form(&commit.log.call_id).await
            {
                tracing::debug!(%err, "the kept log's saved form stays until the database works");
            }
            Ok(Committed::Kept { file, cause })
        }
        Err(keep_error) => Err(CommitError::NotKept { cause, keep_error }),
    }
}
