//! `ringside lookup`: the screen-pop query from a terminal or a script.

use std::io::Write;

use anyhow::Context;
use ringside_core::config::{Config, ringside_home};
use ringside_core::phone::{Region, parse_caller_input};
use ringside_core::{CallerLookup, LookupResult, LookupSettings};

use crate::args::LookupArgs;

pub async fn run(args: LookupArgs) -> anyhow::Result<()> {
    let settings = settings(&args)?;
    // Bad input is refused before anything starts, so the agent sees one line
    // saying what is wrong and no request is ever made with it.
    parse_caller_input(&args.query, settings.default_region)?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let lookup = CallerLookup::new(org.client.clone(), settings);
    let outcome = lookup.lookup(&args.query).await;
    org.close().await;
    let result = outcome?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &result).context("cannot write JSON")?;
        writeln!(stdout).context("cannot write to stdout")?;
    } else {
        write_human(&mut stdout, &result).context("cannot write to stdout")?;
    }
    Ok(())
}

/// `--region`, else the config file's region, else the OS locale's, else US.
fn settings(args: &LookupArgs) -> anyhow::Result<LookupSettings> {
    if let Some(code) = &args.region {
        let region = Region::parse(code).with_context(|| {
            format!("--region {code:?} is not a two-letter region code such as US, GB, JP")
        })?;
        return Ok(LookupSettings::with_region(region));
    }
    let config = match ringside_home() {
        Some(home) => Config::load_from_home(&home)?,
        None => Config::default(),
    };
    Ok(config.lookup_settings())
}

fn write_human(out: &mut impl Write, result: &LookupResult) -> std::io::Result<()> {
    match result.matches.len() {
        0 => writeln!(out, "No match for {}", result.normalized)?,
        1 => writeln!(out, "1 match for {}", result.normalized)?,
        n => writeln!(out, "{n} matches for {}", result.normalized)?,
    }
    for (rank, found) in result.matches.iter().enumerate() {
        let mut line = format!(
            "{:>3}. {} ({})",
            rank + 1,
            found.name,
            found.object.api_name()
        );
        if let Some(company) = found.company.as_deref().filter(|c| *c != found.name) {
            line.push_str(&format!(" · {company}"));
        }
        if let Some(title) = &found.title {
            line.push_str(&format!(" · {title}"));
        }
        let contact = match result.kind {
            ringside_core::QueryKind::Phone => found.phone.as_deref(),
            ringside_core::QueryKind::Email => found.email.as_deref(),
        };
        if let Some(value) = contact {
            line.push_str(&format!(" · {} {value}", found.matched_field));
        }
        line.push_str(&format!(" · {}", found.id));
        writeln!(out, "{line}")?;
    }
    for object in &result.left_out {
        writeln!(
            out,
            "{}s were not searched: your Salesforce user cannot read them (`ringside doctor` says which permission to grant)",
            object.api_name()
        )?;
    }
    Ok(())
}
