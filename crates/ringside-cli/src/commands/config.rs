//! `ringside config validate [FILE]`: the admin config against the org's live describe.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ringside_core::config::{CONFIG_FILE, Config};
use ringside_core::config_check::{check_config, resolve_intents};
use ringside_core::describe_cache::DescribeCache;

use crate::args::{ConfigCommand, ConfigValidateArgs};

pub async fn run(command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Validate(args) => validate(args).await,
    }
}

/// The file to check: the one given (which must exist), else `ringside.toml` in the
/// Ringside home (a missing home file means the defaults, which are checked too).
pub fn load(file: Option<&PathBuf>) -> anyhow::Result<(Config, String)> {
    match file {
        Some(path) => Ok((Config::load_file(path)?, path.display().to_string())),
        None => {
            let home = crate::org::home()?;
            Ok((
                Config::load_from_home(&home)?,
                home.join(CONFIG_FILE).display().to_string(),
            ))
        }
    }
}

async fn validate(args: ConfigValidateArgs) -> anyhow::Result<()> {
    // Parse first: a file with a typo is refused without touching the network.
    let (config, name) = load(args.file.as_ref())?;
    if args.file.is_none() && !std::path::Path::new(&name).exists() {
        // Said, so an admin who expected their file to be read is not told "valid" blindly.
        eprintln!("ringside: {name} does not exist; checking the defaults");
    }
    let org = crate::org::connect(args.org.as_deref()).await?;
    let describes = DescribeCache::new(org.client.clone());
    let outcome = match check_config(&config, &describes).await {
        Ok(issues) => resolve_intents(&config, &describes)
            .await
            .map(|intents| (issues, intents)),
        Err(err) => Err(err),
    };
    org.close().await;
    let (issues, intents) = outcome.context("cannot check the config against the org")?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(
            &mut stdout,
            &serde_json::json!({"file": name, "valid": issues.is_empty(), "issues": issues, "intents": intents}),
        )?;
        writeln!(stdout)?;
    } else if issues.is_empty() {
        writeln!(stdout, "{name}: valid")?;
    } else {
        for issue in &issues {
            eprintln!("{name}: {issue}");
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{name}: {} problem{} found against the org",
            issues.len(),
            if issues.len() == 1 { "" } else { "s" }
        )
    }
}
