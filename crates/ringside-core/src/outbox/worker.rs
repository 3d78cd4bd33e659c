//! The worker: claims due items, delivers them ([`super::delivery`]), and records each
//! outcome with its audit entry. One worker per database at a time (an OS file lock), so
//! at start every item still `in_flight` belonged to a worker that died: it goes back to
//! `pending`, marked to check what exists before writing again.
//!
//! Outcomes: delivered; retry after the schedule's wait (an attempt spent); dead letter
//! (permanent error, or out of attempts); and three waits that spend no attempt: the org is
//! unreachable (circuit breaker: the pass stops, and the next probe comes after
//! `unreachable_wait`), the org's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED,
//! for every integration of the org: the pass stops, and one request tries again after
//! `allowance_wait`), or the session is gone (held until sign-in: the pass stops, and
//! is retried after `signed_out_wait`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::Row;

use super::audited::AuditNote;
use super::delivery::{self, Claimed, Delivered, LookAgain, MAX_GRAPHS_PER_REQUEST};
use super::retry::{RetrySchedule, Verdict, classify};
use super::{Outbox, OutboxError, database, now_ms};
use crate::audit::{AuditActor, AuditEvent};
use crate::call_log::{CallLog, LoggingSettings};
use crate::outcomes::ActionName;
use crate::outcomes::plan::{ActionState, PlannedAction};

/// Which queued logs a worker sends: it is connected to one org, and a log queued for
/// another org must wait for that org (signed out logs are held, never sent elsewhere).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OrgFilter {
    /// Every log, whatever org it was queued for (a single-org setup, tests).
    #[default]
    All,
    /// Logs tagged with this org, and untagged ones (queued before logs were tagged): a
    /// signed-in org, by alias.
    SignedIn(String),
    /// Only logs tagged with this org: the built-in demo org ([`super::DEMO_ORG_TAG`]),
    /// which must never receive a real org's (or an untagged) log.
    Only(String),
}

impl OrgFilter {
    /// The filter for a connection: the demo org takes only its own logs.
    pub fn for_org(alias: Option<&str>) -> OrgFilter {
        match alias {
            Some(alias) => OrgFilter::SignedIn(alias.to_owned()),
            None => OrgFilter::Only(super::DEMO_ORG_TAG.to_owned()),
        }
    }

    /// `(org tag, whether untagged logs match)` for the SQL condition
    /// `(?tag IS NULL OR COALESCE(org = ?tag, 0) OR (org IS NULL AND ?untagged))` (COALESCE: an
    /// untagged row compares as NULL, which `NOT` would keep NULL).
    pub(crate) fn sql_binds(&self) -> (Option<&str>, bool) {
        match self {
            OrgFilter::All => (None, true),
            OrgFilter::SignedIn(alias) => (Some(alias), true),
            OrgFilter::Only(tag) => (Some(tag), false),
        }
    }
}

/// How the worker behaves; the defaults are DESIGN §4's, tests shorten them.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub schedule: RetrySchedule,
    /// How long a claim is held before another start may take it back.
    pub lease: Duration,
    /// The wait between probes while the org is unreachable.
    pub unreachable_wait: Duration,
    /// The wait between probes while the org's daily API allocation is used up: a few
    /// minutes, so the probes themselves cost the org next to nothing.
    pub allowance_wait: Duration,
    /// The wait before trying again while signed out.
    pub signed_out_wait: Duration,
    /// Calls claimed per pass, and so per graph request (at most 75).
    pub batch: usize,
    /// Who its changes are audited as ([`AuditActor::Worker`] unless a test says otherwise).
    pub actor: AuditActor,
    /// Where to announce each new dead letter (none by default).
    pub dead_letter_webhook: Option<super::DeadLetterWebhook>,
    /// Which logs this worker sends.
    pub org: OrgFilter,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            schedule: RetrySchedule::default(),
            lease: Duration::from_secs(120),
            unreachable_wait: Duration::from_secs(5),
            allowance_wait: Duration::from_secs(300),
            signed_out_wait: Duration::from_secs(30),
            batch: MAX_GRAPHS_PER_REQUEST,
            actor: AuditActor::Worker,
            dead_letter_webhook: None,
            org: OrgFilter::All,
        }
    }
}

/// What a drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    pub delivered: u64,
    /// Failed attempts that will be retried.
    pub retried: u64,
    pub dead: u64,
    /// Items put back without spending an attempt (org unreachable, signed out, halted).
    pub waiting: u64,
    /// API calls made (as the client counts them).
    pub api_calls: u64,
    /// The last pass stopped because nothing reached the org.
    pub org_unreachable: bool,
    /// The last pass stopped because the session is gone.
    pub signed_out: bool,
    /// The last pass stopped because the org's daily API allocation is used up.
    pub allowance_used_up: bool,
}

impl DrainReport {
    fn add(&mut self, other: DrainReport) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.dead += other.dead;
        self.waiting += other.waiting;
        self.api_calls += other.api_calls;
        self.org_unreachable = other.org_unreachable;
        self.signed_out = other.signed_out;
        self.allowance_used_up = other.allowance_used_up;
    }
}

/// Sends queued call logs to one org.
#[derive(Debug)]
pub struct Worker {
    outbox: Outbox,
    client: salesforce::Client,
    settings: LoggingSettings,
    options: WorkerOptions,
    _lock: std::fs::File,
}

impl Worker {
    /// Takes the database's worker lock and puts back items left in flight by a worker
    /// that died. Fails with [`OutboxError::WorkerBusy`] if another worker runs.
    pub async fn start(
        outbox: Outbox,
        client: salesforce::Client,
        settings: LoggingSettings,
        options: WorkerOptions,
    ) -> Result<Worker, OutboxError> {
        let lock_path: PathBuf = database::sibling(outbox.path(), ".worker-lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| OutboxError::Io {
                path: lock_path.clone(),
                source,
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OutboxError::WorkerBusy {
                    path: outbox.path().to_owned(),
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(OutboxError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        let worker = Worker {
            outbox,
            client,
            settings,
            options: WorkerOptions {
                batch: options.batch.clamp(1, MAX_GRAPHS_PER_REQUEST),
                ..options
            },
            _lock: lock,
        };
        worker.requeue_in_flight(None).await?;
        Ok(worker)
    }

    /// The queue's one transaction-and-audit step ([`Outbox::write_audited`]), as this
    /// worker's actor: every state change the worker makes goes through it.
    async fn write_audited<T>(
        &self,
        doing: &'static str,
        now: i64,
        change: impl AsyncFnOnce(
            &mut sqlx::SqliteConnection,
        ) -> Result<(T, Vec<AuditNote>), sqlx::Error>,
    ) -> Result<T, OutboxError> {
        self.outbox
            .write_audited(doing, self.options.actor, now, change)
            .await
    }

    /// The client it sends with (e.g. to swap in a fresh token after sign-in).
    pub fn client(&self) -> &salesforce::Client {
        &self.client
    }

    /// Sends everything due now, in passes of up to `batch` calls, until nothing is due or
    /// the org is unreachable or the session is gone.
    pub async fn drain_due(&self) -> Result<DrainReport, OutboxError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::Log, async move {
            let calls_before = self.client.api_requests_made();
            let mut report = DrainReport::default();
            self.requeue_in_flight(Some(now_ms())).await?;
            loop {
                let claimed = self.claim().await?;
                if claimed.is_empty() {
                    break;
                }
                if self.deliver(claimed, &mut report).await? {
                    break;
                }
            }
            report.api_calls = self.client.api_requests_made() - calls_before;
            if report != DrainReport::default() {
                self.outbox.touched();
            }
            Ok(report)
        })
        .await
    }

    /// Drains, then keeps draining items whose wait ends within `wait`, and returns when
    /// nothing is pending or the time is up.
    pub async fn drain(&self, wait: Duration) -> Result<DrainReport, OutboxError> {
        let deadline = Instant::now() + wait;
        let mut total = DrainReport::default();
        loop {
            total.add(self.drain_due().await?);
            let Some(next) = self.next_due().await? else {
                break;
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let until_due = Duration::from_millis((next - now_ms()).max(5) as u64);
            tokio::time::sleep(until_due.min(left)).await;
        }
        Ok(total)
    }

    /// Runs until `stop` completes: drains, then sleeps until the next item is due or a new
    /// one is queued through the same [`Outbox`].
    pub async fn run(&self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let (pause, breaker_open) = match self.drain_due().await {
                // Circuit breaker: while the org is unreachable (or signed out) a newly
                // queued log does not wake the worker for another futile probe; it waits
                // for the next probe with the rest (and the agent's enqueue never competes
                // with probes for the database).
                Ok(report) if report.org_unreachable => (self.options.unreachable_wait, true),
                Ok(report) if report.allowance_used_up => (self.options.allowance_wait, true),
                Ok(report) if report.signed_out => (self.options.signed_out_wait, true),
                Ok(_) => match self.next_due().await {
                    Ok(Some(next)) => (
                        Duration::from_millis((next - now_ms()).max(5) as u64),
                        false,
                    ),
                    Ok(None) => (Duration::from_secs(60), false),
                    Err(e) => {
                        tracing::warn!(error = %e, "queue worker could not read the queue");
                        (self.options.unreachable_wait, false)
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "queue worker pass failed");
                    (self.options.unreachable_wait, false)
                }
            };
            if breaker_open {
                tokio::select! {
                    () = &mut stop => return,
                    () = tokio::time::sleep(pause) => {}
                }
            } else {
                tokio::select! {
                    () = &mut stop => return,
                    () = self.outbox.wake().notified() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }

    /// How many pending logs wait for another org than this worker's (held until it is
    /// signed in), so a drain can say they were not sent.
    pub async fn held_for_other_orgs(&self) -> Result<i64, OutboxError> {
        let (tag, untagged) = self.options.org.sql_binds();
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' \
               AND NOT (?1 IS NULL OR COALESCE(org = ?1, 0) OR (org IS NULL AND ?2))",
        )
        .bind(tag)
        .bind(untagged)
        .fetch_one(self.outbox.pool())
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))
    }

    /// When the next pending item this worker sends is due (epoch ms).
    pub async fn next_due(&self) -> Result<Option<i64>, OutboxError> {
        let (tag, untagged) = self.options.org.sql_binds();
        sqlx::query_scalar(
            "SELECT MIN(run_at) FROM outbox WHERE state = 'pending' \
               AND (?1 IS NULL OR COALESCE(org = ?1, 0) OR (org IS NULL AND ?2))",
        )
        .bind(tag)
        .bind(untagged)
        .fetch_one(self.outbox.pool())
        .await
        .map_err(|e| OutboxError::database("reading the queue", e))
    }

    /// Puts in-flight items back to pending, to be checked before any write: all of them
    /// (at start: their worker is gone), or those whose lease ended before `expired_before`.
    async fn requeue_in_flight(&self, expired_before: Option<i64>) -> Result<(), OutboxError> {
        let now = now_ms();
        self.write_audited("re-queueing", now, async |conn| {
            let call_ids: Vec<String> = sqlx::query_scalar(
                "UPDATE outbox SET state = 'pending', check_first = 1, lease_expires_at = NULL, \
                   run_at = ?1, updated_at = ?1 \
                 WHERE state = 'in_flight' AND (?2 IS NULL OR lease_expires_at < ?2) RETURNING call_id",
            )
            .bind(now)
            .bind(expired_before)
            .fetch_all(&mut *conn)
            .await?;
            let notes = call_ids
                .iter()
                .map(|call_id| {
                    AuditNote::new(call_id, AuditEvent::Requeued).detail(
                        "left in flight by a stopped worker; will check Salesforce before writing",
                    )
                })
                .collect();
            Ok(((), notes))
        })
        .await
    }

    /// Claims up to `batch` due items with one `UPDATE … RETURNING`.
    async fn claim(&self) -> Result<Vec<Claimed>, OutboxError> {
        let now = now_ms();
        let lease_until = now + self.options.lease.as_millis() as i64;
        let rows = sqlx::query(
            "UPDATE outbox SET state = 'in_flight', lease_expires_at = ?1, updated_at = ?2 \
             WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND run_at <= ?2 \
                            AND (?4 IS NULL OR COALESCE(org = ?4, 0) OR (org IS NULL AND ?5)) \
                          ORDER BY run_at, id LIMIT ?3) \
             RETURNING id, call_id, payload, revision, attempts, check_first, task_id, last_error_code, \
               actions, actions_of",
        )
        .bind(lease_until)
        .bind(now)
        .bind(self.options.batch as i64)
        .bind(self.options.org.sql_binds().0)
        .bind(self.options.org.sql_binds().1)
        .fetch_all(self.outbox.pool())
        .await
        .map_err(|e| self.outbox.write_error("claiming due call logs", e))?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let payload: String = row.get("payload");
            let log: CallLog = serde_json::from_str(&payload).map_err(OutboxError::Payload)?;
            let actions = match row.get::<Option<String>, _>("actions") {
                Some(text) => serde_json::from_str(&text).map_err(OutboxError::Payload)?,
                None => Vec::new(),
            };
            claimed.push(Claimed {
                actions,
                actions_of: row.get("actions_of"),
                id: row.get("id"),
                call_id: row.get("call_id"),
                revision: row.get("revision"),
                attempts: row.get("attempts"),
                check_first: row.get::<i64, _>("check_first") != 0,
                task_id: row.get("task_id"),
                log,
                last_error_code: row.get("last_error_code"),
            });
        }
        // RETURNING gives no order guarantee; deliver oldest first.
        claimed.sort_by_key(|c| c.id);
        if !claimed.is_empty() {
            // Views show these as in flight while they are sent.
            self.outbox.touched();
        }
        Ok(claimed)
    }

    /// Delivers one claimed pass. Returns true when the drain must stop (org unreachable,
    /// signed out); every claimed item has been given back or settled either way.
    async fn deliver(
        &self,
        claimed: Vec<Claimed>,
        report: &mut DrainReport,
    ) -> Result<bool, OutboxError> {
        let mut ready = Vec::with_capacity(claimed.len());
        let mut queue = claimed.into_iter();
        while let Some(mut item) = queue.next() {
            if let Err(err) = self.look_before_sending(&mut item).await? {
                if self.settle_error(&item, &err, report).await? {
                    let rest: Vec<_> = ready.into_iter().chain(queue).collect();
                    self.give_back(&rest, &err, report).await?;
                    return Ok(true);
                }
                continue;
            }
            ready.push(item);
        }
        if ready.len() == 1 && !ready[0].actions_only() && !ready[0].has_queued_actions() {
            let item = &ready[0];
            return match delivery::send_one(&self.client, &self.settings, item).await {
                Ok(done) => {
                    self.ack(item, &done, report).await?;
                    Ok(false)
                }
                Err(err) => self.settle_error(item, &err, report).await,
            };
        }
        // Calls with actions take two graphs each and more nodes; every request is as large
        // as Salesforce's graph and node limits allow, no larger.
        let mut start = 0;
        while start < ready.len() {
            let end = delivery::batch_end(&ready, start, &self.settings);
            let chunk = &ready[start..end];
            start = end;
            match delivery::send_batch(&self.client, &self.settings, chunk).await {
                Ok(results) => {
                    for (item, sent) in chunk.iter().zip(results) {
                        self.settle_sent(item, sent, report).await?;
                    }
                }
                Err(err) => {
                    // An org-wide state (unreachable, signed out, allowance used up) holds the
                    // whole batch until one shared time, so the next probe is one request
                    // again, not one per log whose wait happened to end a millisecond earlier.
                    if note_org_wide(classify(&err), report) {
                        tracing::info!(code = %err.code(), logs = ready.len() - (start - chunk.len()), "call logs held");
                        self.give_back(&ready[start - chunk.len()..], &err, report)
                            .await?;
                        return Ok(true);
                    }
                    let mut stop = false;
                    for item in chunk {
                        stop |= self.settle_error(item, &err, report).await?;
                    }
                    if stop {
                        self.give_back(&ready[start..], &err, report).await?;
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// Looks in the org before sending what may have landed already: after a send whose
    /// result the queue did not learn (`check_first`), the call's Task and each action kind
    /// that a second send would duplicate or write twice; and `lead_notes` once its field was seen empty.
    /// What is found is recorded (audited) so it is never looked up again. `Ok(Err(_))`:
    /// a look failed, and the item is settled by that error like a failed send.
    async fn look_before_sending(
        &self,
        item: &mut Claimed,
    ) -> Result<Result<(), salesforce::Error>, OutboxError> {
        match self.looks(item).await {
            Ok(()) => Ok(Ok(())),
            Err(Look::Org(err)) => Ok(Err(err)),
            Err(Look::Queue(err)) => Err(err),
        }
    }

    /// The looks of [`Worker::look_before_sending`], in order; the first failure ends them.
    async fn looks(&self, item: &mut Claimed) -> Result<(), Look> {
        let in_doubt = item.check_first;
        if in_doubt && !item.actions_only() && self.settings.mode.writes_task() {
            let found = delivery::verify(&self.client, &self.settings, item).await?;
            if found.is_some() {
                item.task_id = found;
            }
            item.check_first = false;
            self.record_check(item).await?;
        }
        // The follow-up is a create: after a send that may have landed, look for it first.
        // (The other creates are upserts, safe to send again.)
        if in_doubt && delivery::find_follow_up(&self.client, item).await? {
            self.mark_applied(
                item,
                ActionName::FollowUp,
                "the follow-up already exists; it will not be created again",
            )
            .await?;
        }
        // The Chatter post is a create without an External ID: look for the call's post.
        if in_doubt && delivery::find_chatter_post(&self.client, item).await? {
            self.mark_applied(
                item,
                ActionName::Chatter,
                "the Chatter post already exists; it will not be posted again",
            )
            .await?;
        }
        // Field updates: the same values again would still be a second write; look first.
        if in_doubt {
            let applied = delivery::updates_already_applied(&self.client, item).await?;
            if !applied.is_empty() {
                for i in &applied {
                    item.actions[*i].state = ActionState::Applied;
                }
                self.store_actions(
                    item,
                    "the record already holds the update's values; it will not be written again",
                )
                .await?;
            }
        }
        // BANT notes: after a send that may have landed, or once their field was seen
        // empty, look at the Lead first (see delivery's module doc).
        if delivery::queued_lead_notes(item).is_some_and(|a| in_doubt || a.check_first) {
            let now = delivery::look_at_lead_notes(&self.client, item).await?;
            let detail = match now {
                Some(delivery::LeadNotesNow::AlreadyThere) => {
                    "the BANT notes are already on the Lead; they will not be added again"
                }
                Some(delivery::LeadNotesNow::Empty { .. }) => {
                    "the Lead's notes field is empty; the BANT notes go in alone, unless the Lead changes first"
                }
                _ => "the Lead's notes field has text; the BANT notes follow it",
            };
            for action in &mut item.actions {
                if action.state != ActionState::Queued || action.name != ActionName::LeadNotes {
                    continue;
                }
                action.check_first = false;
                match &now {
                    Some(delivery::LeadNotesNow::AlreadyThere) => {
                        action.state = ActionState::Applied;
                    }
                    Some(delivery::LeadNotesNow::Empty { unmodified_since }) => {
                        crate::outcomes::plan::lead_notes_alone(action, unmodified_since.clone());
                    }
                    // Text there now (written since an earlier look saw none): append after
                    // it, never send the block alone over it.
                    Some(delivery::LeadNotesNow::HasText) => {
                        crate::outcomes::plan::lead_notes_appended(action);
                    }
                    None => {}
                }
            }
            if now.is_some() {
                self.store_actions(item, detail).await?;
            }
        }
        Ok(())
    }

    /// Marks `item`'s queued `name` action applied (found in the org) and records why.
    async fn mark_applied(
        &self,
        item: &mut Claimed,
        name: ActionName,
        detail: &str,
    ) -> Result<(), OutboxError> {
        for action in &mut item.actions {
            if action.state == ActionState::Queued && action.name == name {
                action.state = ActionState::Applied;
            }
        }
        self.store_actions(item, detail).await
    }

    /// Records what one item's graphs answered: the log as ever (delivered, retried, dead),
    /// and its actions: applied, or, when Salesforce did not take them, moved to their own
    /// item (see [`Worker::split_actions`]). An item of actions alone is acked or failed
    /// like a log.
    async fn settle_sent(
        &self,
        item: &Claimed,
        sent: delivery::Sent,
        report: &mut DrainReport,
    ) -> Result<(), OutboxError> {
        match sent.log {
            Some(Ok(done)) => self.ack(item, &done, report).await?,
            Some(Err(err)) => {
                self.settle_error(item, &err, report).await?;
            }
            None => {}
        }
        match sent.actions {
            None => {}
            Some(Ok(())) => {
                let mut applied = item.clone();
                for action in &mut applied.actions {
                    if action.state == ActionState::Queued {
                        action.state = ActionState::Applied;
                    }
                }
                if item.actions_only() {
                    let done = Delivered {
                        log_id: None,
                        task_id: None,
                    };
                    self.ack(item, &done, report).await?;
                }
                self.store_actions(&applied, "outcome actions applied")
                    .await?;
            }
            // The Lead's notes field was empty (the reference to it refused), or the Lead
            // changed since the look that sent the notes alone (412): not a refusal of the
            // notes. Look at the Lead again on the next pass: alone if still empty, appended
            // after whatever text is there now. Learning the field is empty is free; a 412
            // waits and spends an attempt like a retry, so a Lead that something else keeps
            // writing cannot make the queue look and write (two requests) without end.
            Some(Err(err)) if sent.lead_notes_look_again.is_some() => {
                let changed = sent.lead_notes_look_again == Some(LookAgain::Changed);
                let mut look = item.clone();
                for action in &mut look.actions {
                    if action.state == ActionState::Queued
                        && action.name == crate::outcomes::ActionName::LeadNotes
                    {
                        action.check_first = true;
                    }
                }
                match (item.actions_only(), changed) {
                    (true, false) => {
                        self.store_actions(&look, "the Lead's notes field is empty; looking again")
                            .await?;
                        self.give_back(std::slice::from_ref(&look), &err, report)
                            .await?;
                    }
                    (true, true) => {
                        self.store_actions(
                            &look,
                            "the Lead changed since Ringside looked at it; looking again",
                        )
                        .await?;
                        self.settle_lead_changed(item, &err, report).await?;
                    }
                    (false, false) => {
                        self.split_actions(&look, &err, SplitAs::SendAgain, report)
                            .await?
                    }
                    (false, true) => {
                        self.split_actions(&look, &err, SplitAs::Retry, report)
                            .await?
                    }
                }
            }
            Some(Err(err)) if item.actions_only() => {
                self.settle_error(item, &err, report).await?;
            }
            Some(Err(err)) => {
                self.split_actions(item, &err, SplitAs::Verdict, report)
                    .await?
            }
        }
        Ok(())
    }

    /// Writes an item's action states back, with an audit entry saying what happened.
    async fn store_actions(&self, item: &Claimed, detail: &str) -> Result<(), OutboxError> {
        let now = now_ms();
        let actions = serde_json::to_string(&item.actions).map_err(OutboxError::Payload)?;
        self.write_audited("recording the outcome actions", now, async |conn| {
            sqlx::query("UPDATE outbox SET actions = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(item.id)
                .bind(actions)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            let note = AuditNote::new(&item.call_id, AuditEvent::Actions).detail(detail);
            Ok(((), vec![note]))
        })
        .await
    }

    /// The log's graph was sent but its actions' graph failed (each graph is all or
    /// nothing, so none of them landed): the queued actions move to their own item,
    /// `<call id>#actions`, dead at once for a permanent refusal (with Salesforce's reason,
    /// replayable alone) or pending for a retry; the log's item marks them moved. One
    /// transaction, so they are never both queued twice nor lost.
    async fn split_actions(
        &self,
        item: &Claimed,
        err: &salesforce::Error,
        how: SplitAs,
        report: &mut DrainReport,
    ) -> Result<(), OutboxError> {
        let verdict = match how {
            SplitAs::Verdict => classify(err),
            SplitAs::SendAgain => Verdict::Halted,
            SplitAs::Retry => Verdict::Retry { in_doubt: false },
        };
        let now = now_ms();
        let (state, attempts, run_at, event) = match verdict {
            Verdict::Dead => ("dead", 1, now, AuditEvent::Dead),
            Verdict::Retry { .. } => {
                let wait = self.options.schedule.delay_after(1).unwrap_or_default();
                (
                    "pending",
                    1,
                    now + wait.as_millis() as i64,
                    AuditEvent::Retry,
                )
            }
            // Nothing about these actions: send them again on the next pass.
            _ => ("pending", 0, now, AuditEvent::Waiting),
        };
        let queued: Vec<PlannedAction> = item
            .actions
            .iter()
            .filter(|a| a.state == ActionState::Queued)
            .cloned()
            .collect();
        let mut moved = item.actions.clone();
        for action in &mut moved {
            if action.state == ActionState::Queued {
                action.state = ActionState::Moved;
            }
        }
        let code = err.code();
        let message = err.to_string();
        let actions_call_id = super::actions_item_call_id(&item.call_id);
        let queued = serde_json::to_string(&queued).map_err(OutboxError::Payload)?;
        let moved = serde_json::to_string(&moved).map_err(OutboxError::Payload)?;
        let doing = "moving the outcome actions to their own item";
        let new_id = self
            .write_audited(doing, now, async |conn| {
                let new_id: i64 = sqlx::query_scalar(SPLIT_OFF_ACTIONS)
                    .bind(item.id)
                    .bind(&actions_call_id)
                    .bind(state)
                    .bind(attempts)
                    .bind(run_at)
                    .bind(now)
                    .bind(queued)
                    .bind(&code)
                    .bind(&message)
                    .fetch_one(&mut *conn)
                    .await?;
                sqlx::query("UPDATE outbox SET actions = ?2 WHERE id = ?1")
                    .bind(item.id)
                    .bind(moved)
                    .execute(&mut *conn)
                    .await?;
                let detail =
                    format!("outcome actions not applied; moved to queue item {new_id}: {message}");
                let notes = vec![
                    AuditNote::new(&item.call_id, AuditEvent::Actions)
                        .code(&code)
                        .detail(detail),
                    AuditNote::new(&actions_call_id, event)
                        .code(&code)
                        .detail(message.as_str()),
                ];
                Ok((new_id, notes))
            })
            .await?;
        match state {
            "dead" => {
                report.dead += 1;
                if let Some(hook) = &self.options.dead_letter_webhook {
                    hook.alert(new_id, &actions_call_id, &code, &message).await;
                }
            }
            _ => report.retried += 1,
        }
        Ok(())
    }

    /// The BANT notes' conditional write of an item of actions alone was refused because
    /// the Lead changed since the look (412): an attempt spent and the schedule's wait,
    /// and once the schedule is done a dead letter that says so in words (replayable).
    async fn settle_lead_changed(
        &self,
        item: &Claimed,
        err: &salesforce::Error,
        report: &mut DrainReport,
    ) -> Result<(), OutboxError> {
        let spent = item.attempts + 1;
        let delay = self
            .options
            .schedule
            .delay_after(u32::try_from(spent).unwrap_or(u32::MAX));
        tracing::info!(call_id = %item.call_id, spent, dead = delay.is_none(), "the Lead changed before the call's notes were written");
        let message = match delay {
            Some(_) => {
                report.retried += 1;
                format!(
                    "the Lead changed since Ringside looked at it; the call's notes wait and look again ({err})"
                )
            }
            None => {
                report.dead += 1;
                format!(
                    "the Lead kept changing while Ringside wrote the call's notes; replay it ({err})"
                )
            }
        };
        self.fail_with(item, &err.code(), &message, spent, delay, false)
            .await
    }

    /// Records a failed attempt by its verdict. Returns true when the drain must stop.
    async fn settle_error(
        &self,
        item: &Claimed,
        err: &salesforce::Error,
        report: &mut DrainReport,
    ) -> Result<bool, OutboxError> {
        let verdict = classify(err);
        tracing::info!(call_id = %item.call_id, code = %err.code(), ?verdict, "call log not delivered");
        match verdict {
            Verdict::Unreachable | Verdict::SignedOut | Verdict::AllowanceUsedUp => {
                note_org_wide(verdict, report);
                self.give_back(std::slice::from_ref(item), err, report)
                    .await?;
                Ok(true)
            }
            Verdict::Halted => {
                self.give_back(std::slice::from_ref(item), err, report)
                    .await?;
                Ok(false)
            }
            Verdict::Retry { in_doubt } => {
                let spent = item.attempts + 1;
                match self
                    .options
                    .schedule
                    .delay_after(u32::try_from(spent).unwrap_or(u32::MAX))
                {
                    Some(delay) => {
                        report.retried += 1;
                        self.fail(item, err, spent, Some(delay), in_doubt).await?;
                    }
                    None => {
                        report.dead += 1;
                        self.fail(item, err, spent, None, in_doubt).await?;
                    }
                }
                Ok(false)
            }
            Verdict::Dead => {
                report.dead += 1;
                self.fail(item, err, item.attempts + 1, None, false).await?;
                Ok(false)
            }
        }
    }

    /// Puts items back to pending without spending an attempt.
    async fn give_back(
        &self,
        items: &[Claimed],
        err: &salesforce::Error,
        report: &mut DrainReport,
    ) -> Result<(), OutboxError> {
        if items.is_empty() {
            return Ok(());
        }
        let verdict = classify(err);
        let (wait, event) = match verdict {
            Verdict::SignedOut => (self.options.signed_out_wait, AuditEvent::Held),
            Verdict::Unreachable => (self.options.unreachable_wait, AuditEvent::Waiting),
            Verdict::AllowanceUsedUp => (self.options.allowance_wait, AuditEvent::Waiting),
            _ => (Duration::ZERO, AuditEvent::Waiting),
        };
        let now = now_ms();
        let code = err.code();
        let message = err.to_string();
        self.write_audited("giving items back", now, async |conn| {
            let mut notes = Vec::new();
            for item in items {
                sqlx::query(
                    "UPDATE outbox SET state = 'pending', run_at = ?2, lease_expires_at = NULL, \
                       last_error_code = ?3, last_error = ?4, updated_at = ?5 \
                     WHERE id = ?1 AND state = 'in_flight'",
                )
                .bind(item.id)
                .bind(now + wait.as_millis() as i64)
                .bind(&code)
                .bind(&message)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                // One entry per change of reason, not one per probe during a long outage.
                if item.last_error_code.as_deref() != Some(code.as_str()) {
                    notes.push(
                        AuditNote::new(&item.call_id, event)
                            .code(&code)
                            .detail("no attempt spent"),
                    );
                }
            }
            Ok(((), notes))
        })
        .await?;
        report.waiting += items.len() as u64;
        Ok(())
    }

    /// Records a spent attempt: pending again after `delay`, or dead when `delay` is None.
    async fn fail(
        &self,
        item: &Claimed,
        err: &salesforce::Error,
        spent: i64,
        delay: Option<Duration>,
        in_doubt: bool,
    ) -> Result<(), OutboxError> {
        self.fail_with(item, &err.code(), &err.to_string(), spent, delay, in_doubt)
            .await
    }

    /// [`Worker::fail`] with the error's code and message given.
    async fn fail_with(
        &self,
        item: &Claimed,
        code: &str,
        message: &str,
        spent: i64,
        delay: Option<Duration>,
        in_doubt: bool,
    ) -> Result<(), OutboxError> {
        let now = now_ms();
        let (state, run_at, event) = match delay {
            Some(d) => ("pending", now + d.as_millis() as i64, AuditEvent::Retry),
            None => ("dead", now, AuditEvent::Dead),
        };
        let now_state = self
            .write_audited("recording a failed attempt", now, async |conn| {
                // An update queued while this send was in flight gets a fresh start instead.
                let now_state: Option<String> = sqlx::query_scalar(
                    "UPDATE outbox SET \
               state = CASE WHEN revision = ?2 THEN ?3 ELSE 'pending' END, \
               attempts = CASE WHEN revision = ?2 THEN ?4 ELSE 0 END, \
               run_at = ?5, check_first = MAX(check_first, ?6), lease_expires_at = NULL, \
               last_error_code = ?7, last_error = ?8, updated_at = ?9 \
             WHERE id = ?1 AND state = 'in_flight' RETURNING state",
                )
                .bind(item.id)
                .bind(item.revision)
                .bind(state)
                .bind(spent)
                .bind(run_at)
                .bind(i64::from(in_doubt))
                .bind(code)
                .bind(message)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?;
                let note = AuditNote::new(&item.call_id, event)
                    .code(code)
                    .detail(message);
                Ok((now_state, vec![note]))
            })
            .await?;
        if now_state.as_deref() == Some("dead")
            && let Some(hook) = &self.options.dead_letter_webhook
        {
            hook.alert(item.id, &item.call_id, code, message).await;
        }
        Ok(())
    }

    /// Stores what a check found, so it is never looked up (or created) again.
    async fn record_check(&self, item: &Claimed) -> Result<(), OutboxError> {
        let now = now_ms();
        let detail = match &item.task_id {
            Some(id) => format!("Task {id} already exists; it will be updated, not created"),
            None => "no Task carries this call id yet".to_owned(),
        };
        self.write_audited("recording a check", now, async |conn| {
            sqlx::query(
                "UPDATE outbox SET check_first = 0, task_id = COALESCE(?2, task_id), updated_at = ?3 \
                 WHERE id = ?1",
            )
            .bind(item.id)
            .bind(&item.task_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            let note = AuditNote::new(&item.call_id, AuditEvent::Checked).detail(detail);
            Ok(((), vec![note]))
        })
        .await
    }

    /// Records a delivery. If the call was updated while in flight, it goes back to pending
    /// (with the ids learnt) so the update is sent to the same records.
    async fn ack(
        &self,
        item: &Claimed,
        done: &Delivered,
        report: &mut DrainReport,
    ) -> Result<(), OutboxError> {
        let now = now_ms();
        let detail = match (&done.task_id, &done.log_id) {
            (Some(t), Some(l)) => format!("Task {t}, call log {l}"),
            (None, Some(l)) => format!("call log {l}"),
            (Some(t), None) => format!("Task {t}"),
            (None, None) => "delivered".to_owned(),
        };
        self.write_audited("recording a delivery", now, async |conn| {
            sqlx::query(
                "UPDATE outbox SET \
                   state = CASE WHEN revision = ?2 THEN 'delivered' ELSE 'pending' END, \
                   attempts = 0, task_id = COALESCE(?3, task_id), log_id = COALESCE(?4, log_id), \
                   check_first = 0, delivered_at = ?5, updated_at = ?5, run_at = ?5, \
                   lease_expires_at = NULL, last_error = NULL, last_error_code = NULL \
                 WHERE id = ?1 AND state = 'in_flight'",
            )
            .bind(item.id)
            .bind(item.revision)
            .bind(&done.task_id)
            .bind(&done.log_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            let note = AuditNote::new(&item.call_id, AuditEvent::Sent).detail(detail);
            Ok(((), vec![note]))
        })
        .await?;
        report.delivered += 1;
        Ok(())
    }
}

/// Copies an item's queued actions to their own item, `<call id>#actions` (or refreshes it
/// when they were split off before), for [`Worker::split_actions`].
const SPLIT_OFF_ACTIONS: &str = "INSERT INTO outbox (call_id, payload, state, attempts, run_at, created_at, updated_at, \
       org, actions, actions_of, last_error_code, last_error) \
     SELECT ?2, payload, ?3, ?4, ?5, ?6, ?6, org, ?7, id, ?8, ?9 FROM outbox WHERE id = ?1 \
     ON CONFLICT(call_id) DO UPDATE SET payload = excluded.payload, state = excluded.state, \
       attempts = excluded.attempts, run_at = excluded.run_at, updated_at = excluded.updated_at, \
       actions = excluded.actions, revision = revision + 1, \
       last_error_code = excluded.last_error_code, last_error = excluded.last_error \
     RETURNING id";

/// How [`Worker::split_actions`] queues the actions it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SplitAs {
    /// By what the error means ([`classify`]).
    Verdict,
    /// Not a refusal of the actions: pending for the next pass, no attempt spent.
    SendAgain,
    /// A failed attempt: the schedule's first wait, one attempt spent.
    Retry,
}

/// Why a look before sending stopped: the org's answer (settled like a failed send), or
/// the queue's own database.
enum Look {
    Org(salesforce::Error),
    Queue(OutboxError),
}

impl From<salesforce::Error> for Look {
    fn from(err: salesforce::Error) -> Self {
        Look::Org(err)
    }
}

impl From<OutboxError> for Look {
    fn from(err: OutboxError) -> Self {
        Look::Queue(err)
    }
}

/// Sets the report's flag for an org-wide verdict; `false` for a verdict about one log.
fn note_org_wide(verdict: Verdict, report: &mut DrainReport) -> bool {
    match verdict {
        Verdict::Unreachable => report.org_unreachable = true,
        Verdict::SignedOut => report.signed_out = true,
        Verdict::AllowanceUsedUp => report.allowance_used_up = true,
        Verdict::Halted | Verdict::Retry { .. } | Verdict::Dead => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop runs the worker on a tokio task, so its futures must stay `Send` with
    /// the async closures of the one transaction-and-audit step inside (checked when
    /// this compiles; never called).
    #[allow(dead_code)]
    fn the_worker_can_run_on_another_thread(worker: &'static Worker) {
        fn on_any_thread<F: std::future::Future + Send>(_: F) {}
        on_any_thread(worker.drain_due());
        on_any_thread(worker.run(std::future::pending()));
    }
}
