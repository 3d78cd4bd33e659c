//! `ringside queue status|list|drain|dead|replay`: the call-log queue from a terminal.
//! `drain` sends to the org `crate::org::connect` picks, with the `[logging]` settings of
//! the config file, and only the logs queued for that org: with no org signed in that is the
//! built-in demo org (a throwaway in-process org), which gets only the logs queued while no
//! org was signed in; logs queued for a signed-out org stay queued, and the drain says so.

use ringside_core::audit::AuditActor;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use ringside_core::config::Config;
use ringside_core::outbox::{OrgTag, Outbox, OutboxItem, Worker, WorkerOptions};

use crate::args::{QueueCommand, QueueDrainArgs, QueueReplayArgs, QueueSalvageArgs};
use crate::terminal_text::{safe_line, to_json};

/// The Ringside home (`RINGSIDE_HOME`, else the user's config dir), where the queue lives.
pub fn home() -> anyhow::Result<std::path::PathBuf> {
    ringside_core::config::ringside_home().context("no Ringside home: set RINGSIDE_HOME or HOME")
}

/// Opens the queue in the Ringside home to change it, telling the user if a damaged
/// database had to be moved aside.
pub async fn open(home: &Path) -> Result<Outbox, ringside_core::outbox::OutboxError> {
    told(Outbox::open_in_home(home).await?)
}

/// Opens the queue in the Ringside home for a command that only reads it: on a read-only
/// home (a read-only file system, no write permission) it is opened read-only and the
/// command still works ([`Outbox::open_in_home_for_reading`]).
pub async fn open_for_reading(home: &Path) -> Result<Outbox, ringside_core::outbox::OutboxError> {
    told(Outbox::open_in_home_for_reading(home).await?)
}

fn told(outbox: Outbox) -> Result<Outbox, ringside_core::outbox::OutboxError> {
    if let Some(recovery) = outbox.recovery() {
        eprintln!(
            "ringside: the call-log database was unreadable ({}); it was moved to {} and a new one was started",
            recovery.reason,
            recovery.moved_to.display()
        );
        match &recovery.salvaged {
            Some(s) => eprintln!(
                "ringside: {} unsent call log(s) were read back out of it and queued again (each is checked against Salesforce before any write)",
                s.queued
            ),
            None => eprintln!(
                "ringside: nothing could be read back out of it; keep the file and try `ringside queue salvage {}`",
                recovery.moved_to.display()
            ),
        }
    }
    Ok(outbox)
}

pub async fn run(command: QueueCommand) -> anyhow::Result<()> {
    let home = super::queue::home()?;
    let reads_only = matches!(
        command,
        QueueCommand::Status(_) | QueueCommand::List(_) | QueueCommand::Dead(_)
    );
    let outbox = if reads_only {
        open_for_reading(&home).await?
    } else {
        open(&home).await?
    };
    let result = match command {
        QueueCommand::Status(flag) => status(&outbox, flag.json).await,
        QueueCommand::List(flag) => items(outbox.list().await?, flag.json, "queue is empty"),
        QueueCommand::Dead(flag) => items(outbox.dead().await?, flag.json, "no dead letters"),
        QueueCommand::Replay(args) => replay(&outbox, args).await,
        QueueCommand::Drain(args) => drain(&home, &outbox, args).await,
        QueueCommand::Salvage(args) => salvage(&outbox, args).await,
    };
    outbox.close().await;
    result
}

/// What a held queue means while the org's daily API allocation is used up.
const ALLOWANCE_USED_UP: &str = "the org's daily API allowance is used up (every integration of the org shares it): queued logs wait without using up their attempts, and are sent by themselves when Salesforce allows requests again";

async fn status(outbox: &Outbox, json: bool) -> anyhow::Result<()> {
    let s = outbox.status().await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &s).context("cannot write JSON")?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "pending {}, in flight {}, delivered {}, dead {}",
            s.pending, s.in_flight, s.delivered, s.dead
        )?;
        if s.held_for_allowance > 0 {
            writeln!(out, "{}", ALLOWANCE_USED_UP)?;
        }
    }
    Ok(())
}

fn items(items: Vec<OutboxItem>, json: bool, empty: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let line = to_json(&serde_json::json!({ "items": items })).context("cannot write JSON")?;
        writeln!(out, "{line}")?;
        return Ok(());
    }
    if items.is_empty() {
        writeln!(out, "{empty}")?;
    }
    for item in &items {
        writeln!(out, "{}", item_line(item))?;
    }
    Ok(())
}

/// One queued log in words; the call id and Salesforce's message are data, so the line
/// goes through [`safe_line`]: shown, not interpreted.
fn item_line(item: &OutboxItem) -> String {
    let mut line = format!(
        "{:>5}  {:<9}  {}  attempts {}",
        item.id,
        format!("{:?}", item.state).to_lowercase(),
        item.call_id,
        item.attempts
    );
    if let Some(task) = &item.task_id {
        line.push_str(&format!("  Task {task}"));
    }
    if let Some(log_item) = item.actions_of {
        line.push_str(&format!("  actions of item {log_item}"));
    }
    if !item.actions.is_empty() {
        let actions: Vec<String> = item
            .actions
            .iter()
            .map(|a| format!("{}:{}", a.name, a.state.as_str()))
            .collect();
        line.push_str(&format!("  actions {}", actions.join(" ")));
    }
    if let (Some(code), Some(message)) = (&item.last_error_code, &item.last_error) {
        line.push_str(&format!("  {code}: {message}"));
    }
    safe_line(&line).into_owned()
}

async fn replay(outbox: &Outbox, args: QueueReplayArgs) -> anyhow::Result<()> {
    let count = match (args.all, args.id) {
        (true, _) => outbox.replay_all(AuditActor::Admin).await?,
        (false, Some(id)) => {
            outbox.replay(id, AuditActor::Admin).await?;
            1
        }
        (false, None) => anyhow::bail!("give a queue id, or --all"),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::json!({ "replayed": count }))?;
    } else {
        writeln!(out, "{count} dead letter(s) queued again")?;
    }
    Ok(())
}

async fn salvage(outbox: &Outbox, args: QueueSalvageArgs) -> anyhow::Result<()> {
    if !args.file.is_file() {
        anyhow::bail!("{} is not a file", args.file.display());
    }
    let report = outbox.salvage(&args.file, AuditActor::Admin).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report).context("cannot write JSON")?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "found {} call log(s) in {} ({}): queued {}, already queued {}",
            report.found,
            args.file.display(),
            report.method.replace('_', " "),
            report.queued,
            report.skipped
        )?;
    }
    Ok(())
}

async fn drain(home: &Path, outbox: &Outbox, args: QueueDrainArgs) -> anyhow::Result<()> {
    let config = Config::load_from_home(home)?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let worker = Worker::start(
        outbox.clone(),
        org.client.clone(),
        config.logging,
        WorkerOptions {
            dead_letter_webhook: config.dead_letter_webhook,
            org: org.tag().worker_filter(),
            ..WorkerOptions::default()
        },
    )
    .await;
    let outcome = match worker {
        Ok(worker) => {
            let drained = worker.drain(Duration::from_secs(args.wait)).await;
            match (drained, worker.held_for_other_orgs().await) {
                (Ok(report), Ok(held)) => Ok((report, held)),
                (Err(err), _) | (_, Err(err)) => Err(anyhow::Error::from(err)),
            }
        }
        Err(err) => Err(err.into()),
    };
    let tag = org.tag().clone();
    org.close().await;
    let (report, held) = outcome?;
    if tag.is_demo() {
        eprintln!(
            "ringside: no org signed in: sent only the logs queued for the built-in demo org (an in-process test org; they do not reach Salesforce)"
        );
    }
    if held > 0 {
        eprintln!(
            "ringside: {held} log(s) queued for another org stay queued until that org is signed in (`ringside org login`, or --org ALIAS)"
        );
    }
    let status = outbox.status().await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "report": report,
            "status": status,
            "org": OrgTag::label(tag.as_str()),
            "held_for_other_orgs": held,
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(
            out,
            "delivered {}, retrying {}, dead {}, API calls {}; now pending {}, dead {}",
            report.delivered,
            report.retried,
            report.dead,
            report.api_calls,
            status.pending,
            status.dead
        )?;
        if report.org_unreachable {
            writeln!(
                out,
                "the org could not be reached; queued logs wait and are sent later"
            )?;
        }
        if report.signed_out {
            writeln!(
                out,
                "the org is signed out; queued logs are kept until you sign in again"
            )?;
        }
        if report.allowance_used_up {
            writeln!(out, "{ALLOWANCE_USED_UP}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ringside_core::outbox::ItemState;

    use super::*;

    #[test]
    fn queue_list_shows_escape_sequences_in_salesforce_messages_as_text() {
        let log = serde_json::from_value(serde_json::json!({
            "call_id": "c-1", "direction": "inbound", "from": "+14155550123",
            "to": "+14155550100", "started_at_ms": 0, "duration_seconds": 1
        }))
        .expect("a call log");
        let item = OutboxItem {
            id: 7,
            call_id: "c-1".into(),
            org: None,
            state: ItemState::Dead,
            attempts: 3,
            revision: 1,
            run_at: 0,
            last_error_code: Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST".into()),
            last_error: Some("bad value: x\u{1b}[2J\r\n    8  delivered  forged".into()),
            task_id: None,
            log_id: None,
            created_at: 0,
            updated_at: 0,
            log,
            actions: Vec::new(),
            actions_of: None,
        };
        let line = item_line(&item);
        assert!(
            !line.contains(['\u{1b}', '\r', '\n']),
            "no raw escape or line break from Salesforce's message: {line:?}"
        );
        assert!(line.contains("x\\u{1b}[2J\\u{d}\\u{a}"), "{line}");
    }
}
