//! Best-effort recovery of the agent's unsent call logs from a damaged database that was moved
//! aside ([`super::Recovery`]): first through SQLite itself, read-only (a file whose damage is
//! elsewhere still answers the query), else by scanning the raw bytes of the file and its WAL
//! for the JSON payloads the queue stores. Recovered logs are queued again "checked first":
//! one that had already been delivered is found in Salesforce by its call id and updated,
//! never created twice. Call ids the new database already holds are left alone.
//!
//! Limits, said plainly: a payload longer than a database page (long notes) is split across
//! overflow pages, so the byte scan cannot read it back; only the SQLite path can.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::audited::AuditNote;
use super::{Outbox, OutboxError, now_ms};
use crate::audit::{AuditActor, AuditEvent};
use crate::call_log::CallLog;

/// What a salvage found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SalvageReport {
    /// `sqlite` (the file still answered queries) or `byte_scan`.
    pub method: String,
    /// Undelivered logs (or, from a byte scan, any logs) found in the file.
    pub found: usize,
    /// Queued into this database.
    pub queued: usize,
    /// Call ids this database already had.
    pub skipped: usize,
}

/// The start of every stored payload: a [`CallLog`] serialises `call_id` first.
const PAYLOAD_START: &[u8] = b"{\"call_id\":\"";

impl Outbox {
    /// Reads the call logs out of a damaged database file at `file` and queues the ones this
    /// database does not hold yet (audited as `salvaged`, checked against Salesforce before
    /// any write).
    pub async fn salvage(
        &self,
        file: &Path,
        actor: AuditActor,
    ) -> Result<SalvageReport, OutboxError> {
        let (method, logs) = match read_with_sqlite(file).await {
            Some(logs) => ("sqlite", logs),
            None => ("byte_scan", scan_bytes(file)?),
        };
        let mut report = SalvageReport {
            method: method.to_owned(),
            found: logs.len(),
            ..SalvageReport::default()
        };
        for log in logs {
            if log.validate().is_err() {
                continue;
            }
            if self.find_call(&log.call_id).await?.is_some() {
                report.skipped += 1;
                continue;
            }
            self.insert_salvaged(&log, file, actor).await?;
            report.queued += 1;
        }
        if report.queued > 0 {
            self.touched();
            self.wake().notify_one();
        }
        Ok(report)
    }

    async fn insert_salvaged(
        &self,
        log: &CallLog,
        file: &Path,
        actor: AuditActor,
    ) -> Result<(), OutboxError> {
        let now = now_ms();
        let payload = serde_json::to_string(log).map_err(OutboxError::Payload)?;
        let detail = format!("recovered from {}", file.display());
        self.write_audited("salvaging", actor, now, async |conn| {
            // check_first: it may have been delivered before the file broke.
            sqlx::query(
                "INSERT INTO outbox (call_id, payload, state, run_at, created_at, updated_at, check_first) \
                 VALUES (?1, ?2, 'pending', ?3, ?3, ?3, 1)",
            )
            .bind(&log.call_id)
            .bind(payload)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            let note = AuditNote::new(&log.call_id, AuditEvent::Salvaged).detail(detail);
            Ok(((), vec![note]))
        })
        .await
    }
}

/// The undelivered logs, if SQLite can still read the file (read-only, nothing written).
async fn read_with_sqlite(file: &Path) -> Option<Vec<CallLog>> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true);
    let mut conn = options.connect().await.ok()?;
    let rows = sqlx::query(
        "SELECT payload FROM outbox WHERE state != 'delivered' \
         AND call_id NOT LIKE '%#actions' ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .ok();
    let _ = conn.close().await;
    let logs = rows?
        .iter()
        .filter_map(|row| row.try_get::<String, _>("payload").ok())
        .filter_map(|payload| serde_json::from_str(&payload).ok())
        .collect();
    Some(logs)
}

/// Every JSON payload in the raw bytes of the file and its WAL (the WAL last: it holds the
/// newer version of a call).
fn scan_bytes(file: &Path) -> Result<Vec<CallLog>, OutboxError> {
    let mut by_call: BTreeMap<String, CallLog> = BTreeMap::new();
    let wal = super::database::sibling(file, "-wal");
    for path in [file.to_path_buf(), wal] {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(OutboxError::Io { path, source }),
        };
        for log in payloads_in(&bytes) {
            by_call.insert(log.call_id.clone(), log);
        }
    }
    Ok(by_call.into_values().collect())
}

fn payloads_in(bytes: &[u8]) -> Vec<CallLog> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = find(&bytes[at..], PAYLOAD_START) {
        let start = at + offset;
        let mut stream =
            serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<CallLog>();
        match stream.next() {
            Some(Ok(log)) => {
                found.push(log);
                at = start + stream.byte_offset().max(1);
            }
            _ => at = start + 1,
        }
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_found_among_garbage_and_a_cut_one_is_skipped() {
        let log = |id: &str| CallLog {
            call_id: id.into(),
            started_at_ms: 1,
            duration_seconds: 2,
            notes: Some("メモ".into()),
            who_id: None,
            ..crate::call_log::tests::sample()
        };
        let mut bytes = b"\x00\x01SQLite garbage".to_vec();
        bytes.extend(serde_json::to_vec(&log("a")).unwrap());
        bytes.extend(b"\xff\xfe");
        let whole = serde_json::to_vec(&log("cut")).unwrap();
        bytes.extend(&whole[..whole.len() / 2]);
        bytes.extend(b"more garbage");
        bytes.extend(serde_json::to_vec(&log("b")).unwrap());
        let ids: Vec<_> = payloads_in(&bytes).into_iter().map(|l| l.call_id).collect();
        assert_eq!(
            ids,
            ["a", "b"],
            "whole payloads are read; a cut one is skipped"
        );
    }
}
