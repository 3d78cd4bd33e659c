//! `ringside org setup --check`: the org against the setup kit compiled into this binary,
//! under the configured `[logging]` names; one line per problem with its fix, exit 1 while
//! anything is missing.

use std::io::Write;

use anyhow::Context;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::setup_kit::Kit;
use ringside_core::setup_kit::check::check_org;
use serde_json::json;

use crate::args::OrgSetupArgs;
use crate::terminal_text::{safe_line, to_json};

pub async fn run(args: OrgSetupArgs) -> anyhow::Result<()> {
    // --check is required by the parser; this is the only thing `org setup` does.
    debug_assert!(args.check);
    let (config, _) = super::config::load(None)?;
    let kit = Kit::builtin().context("the setup kit built into ringside is broken")?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let describes = DescribeCache::new(org.client.clone());
    let report = check_org(&kit, &describes, &config.logging).await;
    org.close().await;
    let report = report?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let out = json!({
            "object": report.object,
            "fields_checked": report.fields_checked,
            "task_lookup_checked": report.task_lookup_checked,
            "ready": report.is_ready(),
            "problems": report.problems,
        });
        writeln!(stdout, "{}", to_json(&out)?)?;
    } else if report.is_ready() {
        writeln!(
            stdout,
            "{} matches the setup kit: {} fields{}, each visible and editable for this user",
            safe_line(&report.object),
            report.fields_checked,
            if report.task_lookup_checked {
                " and the Task's lookup"
            } else {
                " (the Task's lookup is not checked: call log only)"
            }
        )?;
    } else {
        for problem in &report.problems {
            // The shape of `doctor`'s failures.
            writeln!(stdout, "FAIL  {}", safe_line(&problem.detail))?;
            writeln!(stdout, "      fix: {}", safe_line(&problem.fix))?;
        }
    }
    let count = report.problems.len();
    if count > 0 {
        anyhow::bail!(
            "the org does not match the setup kit ({count} problem{}); see the README's \"Set up your Salesforce org\"",
            if count == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
