//! The queue view's commands: counts and items (pending, in flight, dead, recent deliveries)
//! with their last error, editing a queued or dead log, and replaying dead letters. Thin
//! forwarders to ringside-core's `Outbox`; edits and replays are audited with the actor
//! `admin`. Granted to the main window by `capabilities/queue.json`.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;

use ringside_core::audit::AuditActor;
use ringside_core::config_watch::ConfigWatch;
use ringside_core::outbox::{
    DeliveryReason, ItemState, OrgTag, OutboxError, OutboxItem, QueueStatus, actions_item_of,
};
use ringside_core::outcomes::plan::PlannedAction;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::IpcError;
use crate::org::ActiveOrg;
use crate::outbox_runner::CallLogQueue;

/// Delivered items shown (the newest), so the view confirms recent logs without growing forever.
const DELIVERED_SHOWN: usize = 20;
/// Who edits and replays from the queue view, in the audit log.
const ACTOR: AuditActor = AuditActor::Admin;

/// Counts per state (also the payload of the `queue-changed` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct QueueCounts {
    #[cfg_attr(test, ts(type = "number"))]
    pub pending: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub in_flight: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub delivered: i64,
    #[cfg_attr(test, ts(type = "number"))]
    pub dead: i64,
}

impl From<QueueStatus> for QueueCounts {
    fn from(s: QueueStatus) -> Self {
        QueueCounts {
            pending: s.pending,
            in_flight: s.in_flight,
            delivered: s.delivered,
            dead: s.dead,
        }
    }
}

/// One queued call log as the view lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct QueueEntry {
    #[cfg_attr(test, ts(type = "number"))]
    pub id: i64,
    pub call_id: String,
    /// `pending`, `in_flight`, `delivered` or `dead`.
    pub state: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub attempts: i64,
    pub last_error_code: Option<String>,
    /// Salesforce's (or the network's) message.
    pub last_error: Option<String>,
    /// The org it waits for when that is not the org in use (signed out): its alias, or
    /// `demo` for the built-in demo org.
    pub held_for: Option<String>,
    /// Why it is not delivered, for the UI's sentence: `held` (another org), `unreachable`,
    /// `signed_out`, `retrying`, `refused` (Salesforce said no: fix and replay), `gave_up`
    /// (out of attempts); `null` when there is nothing wrong.
    pub reason: Option<String>,
    pub from: String,
    pub to: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub started_at_ms: i64,
    pub subject: String,
    pub disposition: String,
    pub notes: String,
    pub who_id: Option<String>,
    pub what_id: Option<String>,
    /// Set on an item that holds only a call's outcome actions (refused beside its
    /// delivered log, replayable alone): the id of that call. The view shows it as the
    /// call's actions, not as a call log.
    pub actions_of_call: Option<String>,
    /// The call's outcome actions with their states; empty: none.
    pub actions: Vec<PlannedAction>,
}

/// The whole view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct QueueOverview {
    pub counts: QueueCounts,
    /// Pending, in flight and dead items, oldest first, then the newest deliveries.
    pub entries: Vec<QueueEntry>,
    /// Why the queue cannot be used at all (database read-only, full…) and what to do.
    pub problem: Option<String>,
    /// Something the user should know (a damaged database was moved aside).
    pub notice: Option<String>,
}

/// An admin's correction of a log Salesforce refused. Empty text clears the field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct QueueEdit {
    pub subject: String,
    pub disposition: String,
    pub notes: String,
    pub who_id: Option<String>,
    pub what_id: Option<String>,
}

pub fn state_name(state: ItemState) -> &'static str {
    match state {
        ItemState::Pending => "pending",
        ItemState::InFlight => "in_flight",
        ItemState::Delivered => "delivered",
        ItemState::Dead => "dead",
    }
}

pub fn queue_error(err: OutboxError) -> IpcError {
    let code = match &err {
        OutboxError::Invalid(_) => IpcCode::CallLogInvalid,
        OutboxError::NotFound(_) => IpcCode::QueueItemNotFound,
        OutboxError::NotDead { .. } => IpcCode::QueueItemNotDead,
        err if err.database_unusable() => IpcCode::QueueUnusable,
        _ => IpcCode::QueueFailed,
    };
    IpcError {
        code,
        message: err.to_string(),
    }
}

fn unavailable(queue: &CallLogQueue) -> IpcError {
    IpcError {
        code: IpcCode::QueueUnusable,
        message: queue
            .problem()
            .unwrap_or("The call-log queue is not open.")
            .to_owned(),
    }
}

fn entry(item: OutboxItem, org_in_use: &str) -> QueueEntry {
    let held_for = item
        .org
        .as_deref()
        .filter(|org| *org != org_in_use && item.state == ItemState::Pending)
        .map(|org| OrgTag::label(org).to_owned());
    let reason = DeliveryReason::of(&item, held_for.is_some()).map(|r| r.as_str().to_owned());
    let actions_of_call = item
        .actions_of
        .and_then(|_| actions_item_of(&item.call_id))
        .map(str::to_owned);
    let log = item.log;
    QueueEntry {
        actions_of_call,
        actions: item.actions,
        reason,
        id: item.id,
        call_id: item.call_id,
        state: state_name(item.state).into(),
        attempts: item.attempts,
        last_error_code: item.last_error_code,
        last_error: item.last_error,
        held_for,
        from: log.from,
        to: log.to,
        started_at_ms: log.started_at_ms,
        subject: log.subject.unwrap_or_default(),
        disposition: log.disposition.unwrap_or_default(),
        notes: log.notes.unwrap_or_default(),
        who_id: log.who_id,
        what_id: log.what_id,
    }
}

/// Counts and items for the queue view.
#[tauri::command]
pub async fn queue_overview(
    queue: State<'_, CallLogQueue>,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<QueueOverview, IpcError> {
    let notice = notice(&queue, &config);
    let Some(outbox) = queue.outbox() else {
        return Ok(QueueOverview {
            counts: QueueCounts::from(QueueStatus::default()),
            entries: Vec::new(),
            problem: Some(unavailable(&queue).message),
            notice,
        });
    };
    let counts = outbox.status().await.map_err(queue_error)?;
    let items = outbox.open_and_recent(DELIVERED_SHOWN).await;
    let org_in_use = active.current().tag.clone();
    let entries = items.map_err(queue_error)?.into_iter();
    Ok(QueueOverview {
        counts: counts.into(),
        entries: entries
            .map(|item| entry(item, org_in_use.as_str()))
            .collect(),
        problem: None,
        notice,
    })
}

/// The queue's own notice and, when the config files are not in use, why (logging runs on
/// the last settings that loaded meanwhile).
fn notice(queue: &CallLogQueue, config: &ConfigWatch) -> Option<String> {
    let config_problem = config.current().problem.as_ref().map(|problem| {
        format!("{problem}. Call logging keeps the last settings that loaded until it is fixed.")
    });
    let parts: Vec<String> = queue
        .notice()
        .map(str::to_owned)
        .into_iter()
        .chain(config_problem)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Corrects a queued or dead log (audited as `edited` by `admin`); a dead one stays dead
/// until replayed.
#[tauri::command]
pub async fn edit_queued_call_log(
    id: i64,
    edit: QueueEdit,
    queue: State<'_, CallLogQueue>,
) -> Result<(), IpcError> {
    let outbox = queue.outbox().ok_or_else(|| unavailable(&queue))?;
    let item = outbox.get(id).await.map_err(queue_error)?;
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut log = item.log;
    log.subject = text(&edit.subject);
    log.disposition = text(&edit.disposition);
    log.notes = Some(edit.notes).filter(|n| !n.trim().is_empty());
    log.who_id = edit.who_id.as_deref().and_then(text);
    log.what_id = edit.what_id.as_deref().and_then(text);
    outbox.edit(id, &log, ACTOR).await.map_err(queue_error)
}

/// Sends one dead letter again (audited as `replayed` by `admin`).
#[tauri::command]
pub async fn replay_queued_call_log(
    id: i64,
    queue: State<'_, CallLogQueue>,
) -> Result<(), IpcError> {
    let outbox = queue.outbox().ok_or_else(|| unavailable(&queue))?;
    outbox.replay(id, ACTOR).await.map_err(queue_error)
}

/// Sends every dead letter again; returns how many.
#[tauri::command]
pub async fn replay_all_call_logs(queue: State<'_, CallLogQueue>) -> Result<u32, IpcError> {
    let outbox = queue.outbox().ok_or_else(|| unavailable(&queue))?;
    let count = outbox.replay_all(ACTOR).await.map_err(queue_error)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}
