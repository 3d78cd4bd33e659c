//! `ringside org usage [--org A] [--json]`: the org's daily API usage (its latest
//! `Sforce-Limit-Info`; when none is known yet, one `/limits` request), Ringside's requests
//! today by kind, and requests per handled call (a call log delivered today).

use std::io::Write;

use anyhow::Context;
use ringside_core::api_usage::{RequestKind, UsageReport, as_kind, local_day};
use ringside_core::outbox::Outbox;

use crate::args::OrgUsageArgs;
use crate::terminal_text::to_json;

pub async fn run(args: OrgUsageArgs) -> anyhow::Result<()> {
    let home = crate::org::home()?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let report = usage_report(&org, &home, true).await;
    org.close().await;
    let report = report?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{}", to_json(&report)?)?;
    } else {
        for line in describe(&report) {
            writeln!(stdout, "{line}")?;
        }
    }
    Ok(())
}

/// Today's usage report for `org`. With `ask_limits`, the org's usage is asked from
/// `/limits` when no header is known (and always for the built-in demo, new in every run).
pub(crate) async fn usage_report(
    org: &crate::org::OrgConnection,
    home: &std::path::Path,
    ask_limits: bool,
) -> anyhow::Result<UsageReport> {
    let recorder = org.usage().with_context(|| {
        format!(
            "the API usage file in {} cannot be opened (see the warning above)",
            home.display()
        )
    })?;
    recorder.flush().await?;
    let now = ringside_core::outbox::now_ms();
    let (day, _, _) = local_day(now)?;
    // The built-in demo org is new in every run, so a header kept from an earlier run is
    // of an org that no longer exists.
    let unknown = recorder
        .store()
        .read(org.tag().as_str(), &day)
        .await?
        .limit
        .is_none();
    if ask_limits && (org.is_demo() || unknown) {
        // No answer has told us the org's usage yet: ask once (itself one API call, counted).
        as_kind(RequestKind::Usage, org.client.limits())
            .await
            .context("could not read the org's API usage from Salesforce")?;
    }
    // Handled calls come from the queue; a home without one has handled none.
    let outbox = if home.join(ringside_core::outbox::DATABASE_FILE).exists() {
        Outbox::open_in_home_for_reading(home).await.ok()
    } else {
        None
    };
    let filter = org.tag().worker_filter();
    Ok(ringside_core::api_budget::report_today(recorder, outbox.as_ref(), &filter, now).await?)
}

/// The report in words, one line each.
fn describe(report: &UsageReport) -> Vec<String> {
    let mut lines = Vec::new();
    match report.org {
        Some(org) => lines.push(format!(
            "The org has used {} of its {} daily API requests ({:.1}%, rolling 24 hours).",
            org.used,
            org.max,
            if org.max == 0 {
                100.0
            } else {
                org.used as f64 * 100.0 / org.max as f64
            }
        )),
        None => lines.push("The org's API usage is not known yet.".to_owned()),
    }
    let kinds: Vec<String> = report
        .ringside
        .by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    lines.push(if kinds.is_empty() {
        "Ringside sent no request to it today.".to_owned()
    } else {
        format!(
            "Ringside sent {} request{} to it today ({}).",
            report.ringside.today,
            if report.ringside.today == 1 { "" } else { "s" },
            kinds.join(", ")
        )
    });
    lines.push(match report.per_call {
        Some(per_call) => format!(
            "That is {per_call:.2} requests per handled call ({} call log{} delivered today).",
            report.handled_calls,
            if report.handled_calls == 1 { "" } else { "s" }
        ),
        None => {
            "Requests per handled call: not measured yet (no call log delivered today).".to_owned()
        }
    });
    lines
}
