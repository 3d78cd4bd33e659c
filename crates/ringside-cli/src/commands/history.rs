//! `ringside history`: the call history from a terminal or a script: the org's call logs
//! (and their Tasks) merged with this machine's queued calls, newest first; as a table,
//! as JSON `{"calls":[…]}`, or as CSV (RFC 4180, UTF-8 with BOM) for spreadsheets.
//! Every filter is checked before the org is contacted.
//!
//! The table pads and clips by display width (a CJK character takes two terminal
//! columns, a combining mark none), so columns line up whatever the names' script.
//! `--stats` reads hours and days in this machine's time zone (`TZ`), DST included.

use std::io::Write;

use anyhow::Context;
use ringside_core::call_log::Direction;
use ringside_core::config::Config;
use ringside_core::history::{
    DeliveryState, History, HistoryFilter, HistoryQuery, HistoryRow, HistorySource, HistoryStats,
    StatsZone, write_history_csv,
};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::args::HistoryArgs;
use crate::terminal_text::{safe_line, to_json};

pub async fn run(args: HistoryArgs) -> anyhow::Result<()> {
    // Bad input is refused here, before the org (or the built-in demo) is started.
    let filter = HistoryFilter {
        limit: args.limit,
        ..query(&args).to_filter()?
    };
    filter.validate()?;
    let home = super::queue::home()?;
    let config = Config::load_from_home(&home)?;
    HistorySource::new(&config.logging).validate()?;
    // Only reads the queue: works on a read-only home too.
    let outbox = super::queue::open_for_reading(&home).await?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let history = History::for_org(
        org.client.clone(),
        &config.logging,
        Some(&outbox),
        Some(org.user_id().to_owned()),
        org.tag(),
    );
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
            value["stats"] =
                serde_json::to_value(HistoryStats::in_zone(&rows, &StatsZone::system()))?;
        }
        let line = to_json(&value).context("cannot write JSON")?;
        writeln!(stdout, "{line}").context("cannot write to stdout")?;
    } else {
        write_table(&mut stdout, &rows).context("cannot write to stdout")?;
        if args.stats {
            write_stats(
                &mut stdout,
                &HistoryStats::in_zone(&rows, &StatsZone::system()),
            )
            .context("cannot write to stdout")?;
        }
    }
    Ok(())
}

/// The flags as core's [`HistoryQuery`], checked there as the desktop's form is.
fn query(args: &HistoryArgs) -> HistoryQuery {
    HistoryQuery {
        since: args.since.clone(),
        until: args.until.clone(),
        agent: args.agent.clone(),
        direction: args.direction.clone(),
        disposition: args.disposition.clone(),
        matched_object: args.object.clone(),
    }
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
        let state = state_text(row);
        let line = format!(
            "{:<17}  {:<3}  {:>6}  {}  {}  {}  {state}",
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
            fit(row.disposition.as_deref().unwrap_or(""), 16),
            fit(&with, 28),
            fit(&agent, 20),
        );
        // Every field was escaped (by `fit` or above); the whole line again, to be sure.
        writeln!(out, "{}", safe_line(line.trim_end()))?;
    }
    let pending = rows
        .iter()
        .filter(|r| r.delivery == DeliveryState::Pending)
        .count();
    let dead = rows
        .iter()
        .filter(|r| r.delivery == DeliveryState::Dead)
        .count();
    let held = rows.iter().filter(|r| is_held_for_allowance(r)).count();
    if held > 0 {
        writeln!(
            out,
            "{} calls ({pending} pending, {held} of them held for the org's API allowance, {dead} dead)",
            rows.len()
        )
    } else {
        writeln!(out, "{} calls ({pending} pending, {dead} dead)", rows.len())
    }
}

/// What the log waits for, in words: a log held for the org's allowance is not this call's
/// failure (Salesforce's "TotalRequests Limit exceeded." would read as one), so it says why
/// it is not in Salesforce yet instead.
fn state_text(row: &HistoryRow) -> String {
    match (&row.delivery, &row.delivery_error) {
        (DeliveryState::Delivered, _) => String::new(),
        _ if is_held_for_allowance(row) => {
            "pending: not in Salesforce yet because the org's API allowance is used up".to_owned()
        }
        (state, Some(error)) => format!("{} ({})", state.as_str(), safe_line(error)),
        (state, None) => state.as_str().to_owned(),
    }
}

fn is_held_for_allowance(row: &HistoryRow) -> bool {
    row.delivery == DeliveryState::Pending && row.held_for_allowance
}

fn write_stats(out: &mut impl Write, stats: &HistoryStats) -> std::io::Result<()> {
    writeln!(
        out,
        "average talk time {:.0} s; longest {}",
        stats.average_duration_seconds,
        stats
            .longest
            .as_ref()
            .map(|l| format!("{} s ({})", l.duration_seconds, safe_line(&l.call_id)))
            .unwrap_or_else(|| "none".into())
    )?;
    for outcome in &stats.outcomes {
        writeln!(
            out,
            "  {} {}",
            fit(outcome.disposition.as_deref().unwrap_or("(none)"), 20),
            outcome.calls
        )?;
    }
    for agent in &stats.per_agent {
        writeln!(
            out,
            "  {} {} calls, average {:.0} s",
            fit(
                agent
                    .name
                    .as_deref()
                    .or(agent.owner_id.as_deref())
                    .unwrap_or("(unknown)"),
                20
            ),
            agent.calls,
            agent.average_duration_seconds
        )?;
    }
    Ok(())
}

/// `text` in exactly `width` terminal columns: cut with `…` when wider, padded with
/// spaces when narrower. Widths are display widths (`山` is two columns, a combining
/// accent none), not characters, so the next column starts at the same place on every line.
/// The text is made terminal-safe first ([`safe_line`]), so an escaped control is measured
/// as the characters shown.
fn fit(text: &str, width: usize) -> String {
    let text = safe_line(text);
    let text = text.as_ref();
    let mut out = String::new();
    let mut used = 0;
    if text.width() <= width {
        out.push_str(text);
        used = text.width();
    } else {
        // Room for the `…` (one column).
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width.saturating_sub(1) {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::history::{MatchedObject, MatchedRecord, Owner};

    fn row(with: &str, agent: &str) -> HistoryRow {
        HistoryRow {
            call_id: format!("call-{with}"),
            started_at: "2026-10-01T09:15:00.000Z".into(),
            started_at_ms: 0,
            direction: Some(Direction::Inbound),
            from: Some("+14155550123".into()),
            to: None,
            duration_seconds: 75,
            disposition: Some("Connected".into()),
            subject: None,
            notes: None,
            summary: None,
            key_topics: Vec::new(),
            memo: Vec::new(),
            recording_url: None,
            matched: Some(MatchedRecord {
                object: MatchedObject::Contact,
                id: "003000000000001AAA".into(),
                name: Some(with.into()),
            }),
            owner: Some(Owner {
                id: "005000000000001AAA".into(),
                name: Some(agent.into()),
            }),
            delivery: DeliveryState::Pending,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        }
    }

    #[test]
    fn history_table_pads_by_display_width() {
        let rows = [
            row("Jane Caller", "Ada Agent"),
            row("山田 太郎", "佐藤 花子"),
            row("محمد الأحمد", "Zoë Ağaoğlu"),
            // Wider than the column: cut by width too.
            row("株式会社サンプル東京本社営業部第一課", "Ada Agent"),
        ];
        let mut out = Vec::new();
        write_table(&mut out, &rows).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().take(rows.len() + 1).collect();
        // The STATE column ("pending") starts at the same display column on every line.
        let state_columns: Vec<usize> = lines
            .iter()
            .skip(1)
            .map(|line| {
                let at = line.find("pending").expect("every row is pending");
                line[..at].width()
            })
            .collect();
        let header_state = lines[0][..lines[0].find("STATE").expect("header")].width();
        assert!(
            state_columns.iter().all(|c| *c == header_state),
            "columns line up under the header ({header_state}): {state_columns:?}\n{text}"
        );
        assert!(
            lines[4].contains('…'),
            "a name wider than its column is cut: {}",
            lines[4]
        );
    }

    /// Salesforce's own data (another integration's call logs) may hold what intake refuses.
    #[test]
    fn history_table_shows_escapes_in_salesforce_data_as_text() {
        let mut forged = row("Jane\r\n2026-01-01 00:00   in  forged", "Ada\u{9b}31m");
        forged.disposition = Some("Call\u{1b}]0;pwned\u{7}\u{1b}[2J".into());
        let mut out = Vec::new();
        write_table(&mut out, &[forged]).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}']),
            "no raw escape, BEL, CR or C1 reaches the terminal: {text:?}"
        );
        assert!(
            text.contains("\\u{1b}") || text.contains("\\r"),
            "shown visibly: {text}"
        );
        assert_eq!(
            text.lines().count(),
            3,
            "the header, one row and the total: a line break in data forges no row: {text}"
        );
    }

    #[test]
    fn a_log_held_for_the_allowance_says_so_in_words_not_as_a_failure() {
        let mut held = row("Jane Caller", "Ada Agent");
        held.delivery_error = Some("TotalRequests Limit exceeded.".into());
        held.held_for_allowance = true;
        let mut failing = row("John Caller", "Ada Agent");
        failing.delivery_error = Some("UNABLE_TO_LOCK_ROW: unable to obtain lock".into());
        let mut out = Vec::new();
        write_table(&mut out, &[held, failing]).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].ends_with(
                "pending: not in Salesforce yet because the org's API allowance is used up"
            ),
            "the held log says why it waits: {text}"
        );
        assert!(
            !lines[1].contains("Limit exceeded"),
            "Salesforce's error text would read as this call's failure: {text}"
        );
        assert!(
            lines[2].ends_with("pending (UNABLE_TO_LOCK_ROW: unable to obtain lock)"),
            "another wait keeps its error: {text}"
        );
        assert_eq!(
            lines[3], "2 calls (2 pending, 1 of them held for the org's API allowance, 0 dead)",
            "the total counts the held logs: {text}"
        );
    }

    #[test]
    fn fit_counts_columns_not_characters() {
        assert_eq!(
            fit("山田", 6),
            "山田  ",
            "two wide characters are four columns"
        );
        assert_eq!(fit("山田太郎", 5), "山田…", "cut to width");
        assert_eq!(
            fit("山田太郎", 6),
            "山田… ",
            "a wide character that does not fit leaves a padded column"
        );
        assert_eq!(
            fit("e\u{301}", 3),
            "e\u{301}  ",
            "a combining accent takes no column"
        );
        assert_eq!(fit("abc", 3), "abc");
    }
}
