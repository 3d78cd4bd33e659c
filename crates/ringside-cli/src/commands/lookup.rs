//! `ringside lookup`: the screen-pop query from a terminal or a script.

use std::io::Write;

use anyhow::Context;
use ringside_core::config::{Config, ringside_home};
use ringside_core::phone::{Region, parse_caller_input};
use ringside_core::{CallerLookup, LookupResult, LookupSettings};

use crate::args::LookupArgs;
use crate::terminal_text::{safe_line, to_json};

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
        let line = to_json(&result).context("cannot write JSON")?;
        writeln!(stdout, "{line}").context("cannot write to stdout")?;
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

/// Every line carries Salesforce data (names, titles), so each goes through [`safe_line`].
fn write_human(out: &mut impl Write, result: &LookupResult) -> std::io::Result<()> {
    let normalized = safe_line(&result.normalized);
    match result.matches.len() {
        0 => writeln!(out, "No match for {normalized}")?,
        1 => writeln!(out, "1 match for {normalized}")?,
        n => writeln!(out, "{n} matches for {normalized}")?,
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
        writeln!(out, "{}", safe_line(&line))?;
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

#[cfg(test)]
mod tests {
    use ringside_core::{CallerMatch, CallerObject, MatchSource, QueryKind};

    use super::*;

    #[test]
    fn lookup_shows_terminal_escapes_in_salesforce_data_as_text() {
        let result = LookupResult {
            query: "+14155550123".into(),
            normalized: "+14155550123".into(),
            kind: QueryKind::Phone,
            matches: vec![CallerMatch {
                object: CallerObject::Contact,
                id: "003Dm0000000007IAA".into(),
                name: "Jane\r\n  2. Forged Line (Contact)".into(),
                company: Some("Acme\u{202e}gnp.exe".into()),
                title: Some("VP\u{1b}]0;pwned\u{7}\u{1b}[2J".into()),
                phone: Some("+14155550123".into()),
                email: None,
                matched_field: "Phone".into(),
                owner: None,
                last_modified: None,
                open_opportunities: Vec::new(),
                open_cases: Vec::new(),
                related_loaded: false,
                source: MatchSource::Search,
            }],
            api_calls: 1,
            left_out: Vec::new(),
            cached: false,
            cached_while_paused: false,
            elapsed_ms: 3,
        };
        let mut out = Vec::new();
        write_human(&mut out, &result).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']),
            "no raw escape, BEL, CR or override reaches the terminal: {text:?}"
        );
        assert_eq!(
            text.lines().count(),
            2,
            "a CR LF in a name cannot forge a match line: {text:?}"
        );
        assert!(
            text.contains("VP\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
            "the title is shown escaped, visibly: {text:?}"
        );
    }
}
