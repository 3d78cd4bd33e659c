//! `ringside history`: the call history from a terminal or a script: the org's call logs
//! (and their Tasks) merged with this machine's queued calls, newest first; as a table,
//! as JSON `{"calls":[…]}`, or as CSV (RFC 4180, UTF-8 with BOM) for spreadsheets.
//! Every filter is checked before the org is contacted.

use std::io::Write;

use anyhow::Context;
use ringside_core::call_log::Direction;
use ringside_core::config::Config;
use ringside_core::history::{
    DateBound, DeliveryState, History, HistoryError, HistoryFilter, HistoryRow, HistorySource,
    HistoryStats, MatchedObject, write_history_csv,
};
use ringside_core::orgs::OrgRegistry;

use crate::args::HistoryArgs;

pub async fn run(args: HistoryArgs) -> anyhow::Result<()> {
    // Bad input is refused here, before the org (or the built-in demo) is started.
    let filter = filter(&args)?;
    filter.validate()?;
    let home = super::queue::home()?;
    let config = Config::load_from_home(&home)?;
    let source = HistorySource::new(&config.logging);
    source.validate()?;
    let (owner, org_tag) = signed_in_user(&home, args.org.as_deref())?;
    let outbox = super::queue::open(&home).await?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let history = History::new(org.client.clone(), source)
        .with_outbox(outbox.clone(), Some(owner))
        .only_org(org_tag);
    let outcome = history.all(&filter).await;
    org.close().await;
    outbox.close().await;
    let rows = outcome?;
    let mut stdout = std::io::stdout().lock();
    if args.csv {
        write_history_csv(&rows, &mut stdout).context("cannot write to stdout")?;
    } else if args.json {
        let mut value = serde_json::json!({ "calls": rows });
        if args.stats {
            value["stats"] = serde_json::to_value(HistoryStats::from_rows(&rows, 0))?;
        }
        serde_json::to_writer(&mut stdout, &value).context("cannot write JSON")?;
        writeln!(stdout).context("cannot write to stdout")?;
    } else {
        write_table(&mut stdout, &rows).context("cannot write to stdout")?;
        if args.stats {
            write_stats(&mut stdout, &HistoryStats::from_rows(&rows, 0))
                .context("cannot write to stdout")?;
        }
    }
    Ok(())
}

fn filter(args: &HistoryArgs) -> anyhow::Result<HistoryFilter> {
    let date = |flag: &str, text: &Option<String>| -> anyhow::Result<Option<DateBound>> {
        text.as_deref()
            .map(|t| DateBound::parse(t).with_context(|| format!("--{flag}")))
            .transpose()
    };
    Ok(HistoryFilter {
        since: date("since", &args.since)?,
        until: date("until", &args.until)?,
        agent: args.agent.clone(),
        direction: args
            .direction
            .as_deref()
            .map(|d| Direction::parse(d).map_err(|_| HistoryError::Direction(d.to_owned())))
            .transpose()?,
        disposition: args.disposition.clone(),
        matched_object: args
            .object
            .as_deref()
            .map(MatchedObject::parse)
            .transpose()?,
        page_size: None,
        limit: args.limit,
    })
}

/// The user the queued calls belong to and the queue's tag of the org `connect` will use
/// (its alias), else the demo user and the demo org's tag.
fn signed_in_user(home: &std::path::Path, alias: Option<&str>) -> anyhow::Result<(String, String)> {
    let registry = OrgRegistry::load(home)?;
    let record = match alias {
        Some(alias) => Some(registry.require(alias)?),
        None => registry.active_record(),
    };
    Ok(match record {
        Some(record) => (record.user_id.clone(), record.alias.clone()),
        None => (
            demo_org::seed::DEMO_USER_ID.to_owned(),
            ringside_core::outbox::DEMO_ORG_TAG.to_owned(),
        ),
    })
}

fn write_table(out: &mut impl Write, rows: &[HistoryRow]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No calls");
    }
    writeln!(
        out,
        "{:<17}  {:<3}  {:>6}  {:<16}  {:<28}  {:<20}  STATE",
        "STARTED (UTC)", "DIR", "TIME", "OUTCOME", "WITH", "AGENT"
    )?;
    for row in rows {
        let direction = match row.direction {
            Some(Direction::Inbound) => "in",
            Some(Direction::Outbound) => "out",
            None => "?",
        };
        let with = row
            .matched
            .as_ref()
            .map(|m| m.name.clone().unwrap_or_else(|| m.id.clone()))
            .or_else(|| match row.direction {
                Some(Direction::Outbound) => row.to.clone(),
                _ => row.from.clone(),
            })
            .unwrap_or_default();
        let agent = row
            .owner
            .as_ref()
            .map(|o| o.name.clone().unwrap_or_else(|| o.id.clone()))
            .unwrap_or_default();
        let state = match (&row.delivery, &row.delivery_error) {
            (DeliveryState::Delivered, _) => String::new(),
            (state, Some(error)) => format!("{} ({error})", state.as_str()),
            (state, None) => state.as_str().to_owned(),
        };
        let line = format!(
            "{:<17}  {:<3}  {:>6}  {:<16}  {:<28}  {:<20}  {state}",
            row.started_at
                .get(..16)
                .unwrap_or_default()
                .replace('T', " "),
            direction,
            format!(
                "{}:{:02}",
                row.duration_seconds / 60,
                row.duration_seconds % 60
            ),
            clip(row.disposition.as_deref().unwrap_or(""), 16),
            clip(&with, 28),
            clip(&agent, 20),
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let pending = rows
        .iter()
        .filter(|r| r.delivery == DeliveryState::Pending)
        .count();
    let dead = rows
        .iter()
        .filter(|r| r.delivery == DeliveryState::Dead)
        .count();
    writeln!(out, "{} calls ({pending} pending, {dead} dead)", rows.len())
}

fn write_stats(out: &mut impl Write, stats: &HistoryStats) -> std::io::Result<()> {
    writeln!(
        out,
        "average talk time {:.0} s; longest {}",
        stats.average_duration_seconds,
        stats
            .longest
            .as_ref()
            .map(|l| format!("{} s ({})", l.duration_seconds, l.call_id))
            .unwrap_or_else(|| "none".into())
    )?;
    for outcome in &stats.outcomes {
        writeln!(
            out,
            "  {:<20} {}",
            outcome.disposition.as_deref().unwrap_or("(none)"),
            outcome.calls
        )?;
    }
    for agent in &stats.per_agent {
        writeln!(
            out,
            "  {:<20} {} calls, average {:.0} s",
            agent
                .name
                .as_deref()
                .or(agent.owner_id.as_deref())
                .unwrap_or("(unknown)"),
            agent.calls,
            agent.average_duration_seconds
        )?;
    }
    Ok(())
}

/// At most `width` characters, with `…` when cut.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
