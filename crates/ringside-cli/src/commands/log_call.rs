//! `ringside log-call`: queues a call log durably and prints its call id. Needs no
//! network: the worker (`ringside queue drain`, or the desktop app) sends it later.
//! If the database cannot take the log (read-only, full, damaged), the log is kept as a
//! file beside it and queued the next time the database opens.
//!
//! With `--disposition`, the outcome configured for it (`[outcomes."<disposition>"]`) is
//! planned now and queued with the log (minus `--skip-action`s): the worker sends both in
//! one request.

use ringside_core::audit::AuditActor;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use ringside_core::call_actions::{ForCallError, active_user_id, for_call, for_call_as};
use ringside_core::call_log::{
    CallLog, CallTiming, Direction, external_call_id, memo, new_call_id, parse_iso_datetime,
};
use ringside_core::orgs::OrgRegistry;
use ringside_core::outbox::{self, Commit, CommitError, Committed, OrgTag, now_ms};
use ringside_core::outcome_choices::{ActionChoices, ChoiceError};
use ringside_core::outcomes::plan::PlannedAction;

use crate::args::LogCallArgs;

pub async fn run(args: LogCallArgs) -> anyhow::Result<()> {
    let home = super::queue::home()?;
    let log = call_log(&args, now_ms())?;
    // Bad input is refused before the database is touched.
    log.validate()?;
    check_memo(&home, &log).await?;
    let actions = outcome_actions(&home, &args, &log).await?;
    // Queued for the active org (or the demo org when none is signed in), so only that
    // org's worker ever sends it. Reading the registry needs no network.
    let active = OrgRegistry::load(&home).ok().and_then(|r| r.active);
    let org = OrgTag::of(active.as_deref());
    let commit = Commit {
        log: &log,
        org: &org,
        actor: AuditActor::Agent,
        actions: &actions,
        closes_form: false,
    };
    // Queued, else (the database cannot take it) kept as a file: core decides.
    let (outbox, committed, took) = match super::queue::open(&home).await {
        Ok(outbox) => {
            let started = Instant::now();
            let committed = outbox::commit(&home, Ok(&outbox), commit).await;
            (Some(outbox), committed, started.elapsed())
        }
        Err(err) => {
            let committed = outbox::commit(&home, Err(err), commit).await;
            (None, committed, Duration::ZERO)
        }
    };
    let queued = match committed {
        Ok(Committed::Queued(queued)) => queued,
        Ok(Committed::Kept { file, cause }) => {
            return Err(anyhow::anyhow!(
                "{cause}. Your call log was kept in {} and will be queued as soon as the database works again",
                file.display()
            ));
        }
        Err(CommitError::Refused(err)) => return Err(err.into()),
        // The same cause (the whole home is read-only, the disk is full) is said once.
        Err(CommitError::NotKept { cause, keep_error }) => {
            let notes = log.notes.as_deref().unwrap_or("(none)");
            return Err(if cause.same_cause(&keep_error) {
                anyhow::anyhow!(
                    "{cause}. The call log could not be kept as a file either; copy your notes now: {notes}"
                )
            } else {
                anyhow::anyhow!(
                    "{cause}. The call log could not be kept either ({keep_error}); copy your notes now: {notes}"
                )
            });
        }
    };
    let enqueue_ms = took.as_secs_f64() * 1000.0;
    if let Some(outbox) = outbox {
        outbox.close().await;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "call_id": queued.call_id,
            "id": queued.id,
            "updated": queued.updated,
            "enqueue_ms": enqueue_ms,
            "actions": actions.iter().map(action_json).collect::<Vec<_>>(),
        });
        writeln!(stdout, "{value}").context("cannot write to stdout")?;
    } else {
        writeln!(stdout, "{}", queued.call_id).context("cannot write to stdout")?;
        // The agent asked for the outcome: say which of its actions will not happen, and why.
        for action in actions.iter().filter(|a| a.note.is_some()) {
            eprintln!(
                "ringside: {} {}: {}",
                action.name,
                serde_json::to_value(action.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                action.note.as_deref().unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// One action in `--json`: its name, its state and, when it will not be applied, why.
fn action_json(action: &PlannedAction) -> serde_json::Value {
    let mut value = serde_json::json!({"name": action.name, "state": action.state});
    if let Some(note) = &action.note {
        value["note"] = serde_json::json!(note);
    }
    value
}

/// The disposition's outcome actions planned for this call (ringside-core's
/// `call_actions::for_call`), or none (no disposition, no outcome for it). A misspelt
/// `--skip-action` is refused; so is a `--skip-action` or `--follow-up-at` with nothing to
/// apply it to, since the agent meant something that would not happen.
async fn outcome_actions(
    home: &std::path::Path,
    args: &LogCallArgs,
    log: &CallLog,
) -> anyhow::Result<Vec<PlannedAction>> {
    let mut choices = ActionChoices::parse(&args.skip_actions, args.follow_up_at.as_deref())
        .map_err(|err| match err {
            ChoiceError::UnknownAction(_) => anyhow::anyhow!("--skip-action {err}"),
            ChoiceError::BadFollowUpAt(_) => anyhow::anyhow!("--follow-up-at {err}"),
            ChoiceError::BantTooLong(_) => anyhow::anyhow!("{err}"),
        })?;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let bant = ringside_core::outcomes::Bant {
        budget: text(&args.bant_budget),
        authority: text(&args.bant_authority),
        need: text(&args.bant_need),
        timeline: text(&args.bant_timeline),
    };
    if !bant.is_empty() {
        choices.bant = Some(
            bant.checked()
                .map_err(|err| anyhow::anyhow!("--bant-{err}"))?,
        );
    }
    let zone = ringside_core::time::agent_zone();
    match for_call(home, log, &choices, &zone) {
        Ok(actions) if actions.iter().any(PlannedAction::waits_for_signed_in_user) => {
            demo_agent_actions(home, log, &choices, actions).await
        }
        Ok(actions) => Ok(actions),
        // An unreadable ringside.toml must not cost the call its log: the log is queued
        // without the outcome's actions, and the agent is told which did not happen and why.
        Err(err @ ForCallError::Config(_)) => {
            let disposition = log.disposition.as_deref().unwrap_or_default();
            eprintln!(
                "ringside: warning: the call is logged, but the outcome actions of {disposition:?} were not applied: {err}"
            );
            Ok(Vec::new())
        }
        Err(err) => Err(err.into()),
    }
}

/// A `chatter` post naming the agent (`{agent}`) needs the signed-in user's id. A signed-in
/// org's is in `orgs.toml`; with none signed in, the log is queued for the built-in demo org,
/// whose user only its sign-in names (as in the desktop), so the demo org is started to ask.
/// If it cannot start, the post stays skipped (the log is queued; the agent is told).
async fn demo_agent_actions(
    home: &std::path::Path,
    log: &CallLog,
    choices: &ActionChoices,
    planned: Vec<PlannedAction>,
) -> anyhow::Result<Vec<PlannedAction>> {
    let signed_in = OrgRegistry::load(home)
        .ok()
        .and_then(|r| r.active)
        .is_some();
    if signed_in || active_user_id(home).is_some() {
        // A signed-in org without a known user: its post stays skipped, with its reason.
        return Ok(planned);
    }
    match crate::org::builtin_demo_user_id().await {
        Ok(user) => {
            let zone = ringside_core::time::agent_zone();
            Ok(for_call_as(home, log, choices, &zone, Some(&user))?)
        }
        Err(err) => {
            eprintln!(
                "ringside: warning: the built-in demo org's user could not be read ({err:#}); the Chatter post that names the agent is skipped"
            );
            Ok(planned)
        }
    }
}

/// A memo is checked against the org's memo field before queueing: a value its
/// multi-select picklist does not list would only come back as a dead letter. This is the
/// one case log-call talks to Salesforce, and only to read the (cached) describe; if the org
/// cannot be reached the log is queued anyway and the agent is warned.
async fn check_memo(home: &std::path::Path, log: &CallLog) -> anyhow::Result<()> {
    if log.memo.is_empty() {
        return Ok(());
    }
    let config = ringside_core::config::Config::load_from_home(home)
        .context("--memo needs ringside.toml's [logging.call_log] memo")?;
    let logging = &config.logging;
    if logging.call_log.memo.is_empty() {
        anyhow::bail!(
            "--memo was given, but ringside.toml names no memo field: set [logging.call_log] memo (e.g. \"Memo__c\"); nothing was queued"
        );
    }
    let org = match crate::org::connect(None).await {
        Ok(org) => org,
        Err(err) => {
            eprintln!(
                "ringside: warning: the memo could not be checked against the org ({err:#}); the log is queued, and a value the org refuses will show in `ringside queue dead`"
            );
            return Ok(());
        }
    };
    let describes = ringside_core::describe_cache::DescribeCache::new(org.client.clone());
    let checked = memo::check_memo_with_org(&log.memo, logging, &describes).await;
    org.close().await;
    match checked? {
        memo::MemoCheck::Checked => Ok(()),
        memo::MemoCheck::Unchecked { reason } => {
            eprintln!(
                "ringside: warning: the memo could not be checked against the org ({reason}); the log is queued, and a value the org refuses will show in `ringside queue dead`"
            );
            Ok(())
        }
    }
}

/// The call started when it was answered (else dialed), as the desktop form has it; with
/// neither given, it ended now and started `duration` seconds ago.
fn call_log(a: &LogCallArgs, now: i64) -> anyhow::Result<CallLog> {
    let at = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<i64>> {
        value
            .as_deref()
            .map(|text| parse_iso_datetime(text).with_context(|| format!("--{flag}")))
            .transpose()
    };
    let timing = CallTiming {
        dialed_at_ms: at("dialed-at", &a.dialed_at)?,
        answered_at_ms: at("answered-at", &a.answered_at)?,
        ended_at_ms: at("ended-at", &a.ended_at)?,
    };
    timing.check_duration(a.duration).context("--duration")?;
    let direction = Direction::parse(&a.direction)?;
    // The one rule every intake shares: a softphone id an External ID cannot hold is
    // logged under a stable hash of it, so the same id again still updates one record.
    let call_id = match &a.call_id {
        Some(raw) => external_call_id(raw)?,
        None => new_call_id(),
    };
    Ok(CallLog {
        call_id,
        direction,
        from: a.from.clone(),
        to: a.to.clone(),
        started_at_ms: timing
            .answered_at_ms
            .or(timing.dialed_at_ms)
            .unwrap_or_else(|| now - a.duration.max(0).saturating_mul(1000)),
        duration_seconds: a.duration,
        disposition: a.disposition.clone(),
        subject: a.subject.clone(),
        notes: a.notes.clone(),
        who_id: a.who.clone(),
        what_id: a.what.clone(),
        recording_url: a.recording_url.clone(),
        summary: a.summary.clone(),
        key_topics: a.key_topics.clone(),
        memo: a
            .memo
            .iter()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect(),
        missed: a.missed,
        timing,
        intent_fields: Default::default(),
    })
}
