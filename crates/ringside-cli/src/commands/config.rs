//! `ringside config validate [FILE]`: the admin config, read over the system policy file,
//! against the org's live describe, each problem named with the file it is in; and
//! `ringside config show`: the effective config with the source of each value.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ringside_core::config::Config;
use ringside_core::config_check::{ConfigIssue, check_config, resolve_intents};
use ringside_core::config_policy::{LoadedConfig, Source, policy_path};
use ringside_core::describe_cache::DescribeCache;

use crate::args::{ConfigCommand, ConfigShowArgs, ConfigValidateArgs};

pub async fn run(command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Validate(args) => validate(args).await,
        ConfigCommand::Show(args) => show(args),
    }
}

/// The config to check: the file given (which must exist), else `ringside.toml` in the
/// Ringside home (a missing home file means the defaults, which are checked too); either
/// read over the system policy file. Also the name to report it by.
pub fn load(file: Option<&PathBuf>) -> anyhow::Result<(Config, String)> {
    let loaded = load_layers(file)?;
    let name = name_of(&loaded);
    Ok((loaded.config, name))
}

fn load_layers(file: Option<&PathBuf>) -> anyhow::Result<LoadedConfig> {
    Ok(match file {
        Some(path) => LoadedConfig::load(path, true, &policy_path())?,
        None => LoadedConfig::load_home(&crate::org::home()?, &policy_path())?,
    })
}

/// The user's file, and the policy file under it when there is one.
fn name_of(loaded: &LoadedConfig) -> String {
    if loaded.policy_present {
        format!(
            "{} (over the policy file {})",
            loaded.user_file.display(),
            loaded.policy_file.display()
        )
    } else {
        loaded.user_file.display().to_string()
    }
}

/// The file an org issue is about: the one setting its key (`[fields.Contact] visible` is
/// `fields.Contact.visible`); a default value is the user's to override.
fn file_of<'a>(loaded: &'a LoadedConfig, issue: &ConfigIssue) -> &'a Path {
    let key = issue
        .key
        .trim_start_matches('[')
        .replacen("] ", ".", 1)
        .replace(']', "");
    match loaded.source_of(&key) {
        Source::Policy => &loaded.policy_file,
        Source::User | Source::Default => &loaded.user_file,
    }
}

async fn validate(args: ConfigValidateArgs) -> anyhow::Result<()> {
    // Parse first: a file with a typo is refused without touching the network.
    let loaded = load_layers(args.file.as_ref())?;
    let name = name_of(&loaded);
    if !loaded.user_present {
        // Said, so an admin who expected their file to be read is not told "valid" blindly.
        eprintln!(
            "ringside: {} does not exist; checking {}",
            loaded.user_file.display(),
            if loaded.policy_present {
                "the policy file and the defaults"
            } else {
                "the defaults"
            }
        );
    }
    let org = crate::org::connect(args.org.as_deref()).await?;
    let describes = DescribeCache::new(org.client.clone());
    let config = &loaded.config;
    let outcome = match check_config(config, &describes).await {
        Ok(issues) => resolve_intents(config, &describes)
            .await
            .map(|intents| (issues, intents)),
        Err(err) => Err(err),
    };
    org.close().await;
    let (org_issues, intents) = outcome.context("cannot check the config against the org")?;
    // A user's value for a locked key is ignored at load; here it is a problem to fix.
    let mut problems: Vec<(String, serde_json::Value)> = loaded
        .refused
        .iter()
        .map(|conflict| {
            (
                conflict.to_string(),
                serde_json::json!({
                    "file": conflict.user_file.display().to_string(),
                    "key": conflict.key,
                    "field": "",
                    "reason": conflict.to_string(),
                    "locked_by": conflict.policy_file.display().to_string(),
                }),
            )
        })
        .collect();
    for issue in &org_issues {
        let file = file_of(&loaded, issue).display().to_string();
        problems.push((
            format!("{file}: {issue}"),
            serde_json::json!({"file": file, "key": issue.key, "field": issue.field, "reason": issue.reason}),
        ));
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let issues: Vec<&serde_json::Value> = problems.iter().map(|(_, json)| json).collect();
        serde_json::to_writer(
            &mut stdout,
            &serde_json::json!({
                "file": loaded.user_file.display().to_string(),
                "policy_file": loaded.policy_present.then(|| loaded.policy_file.display().to_string()),
                "valid": problems.is_empty(),
                "issues": issues,
                "intents": intents,
            }),
        )?;
        writeln!(stdout)?;
    } else if problems.is_empty() {
        writeln!(stdout, "{name}: valid")?;
    } else {
        for (line, _) in &problems {
            eprintln!("{line}");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{name}: {} problem{} found",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        )
    }
}

fn show(args: ConfigShowArgs) -> anyhow::Result<()> {
    let loaded = load_layers(None)?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let values: Vec<serde_json::Value> = loaded
            .shown_values()
            .map(|(key, value, source)| {
                serde_json::json!({
                    "key": key,
                    "value": value,
                    "source": source,
                    "locked": loaded.lock_of(key),
                })
            })
            .collect();
        let refused: Vec<serde_json::Value> = loaded
            .refused
            .iter()
            .map(
                |c| serde_json::json!({"key": c.key, "locked": c.locked, "message": c.to_string()}),
            )
            .collect();
        serde_json::to_writer(
            &mut stdout,
            &serde_json::json!({
                "user_file": loaded.user_file.display().to_string(),
                "user_present": loaded.user_present,
                "policy_file": loaded.policy_file.display().to_string(),
                "policy_present": loaded.policy_present,
                "locked": loaded.locked,
                "values": values,
                "refused": refused,
            }),
        )?;
        writeln!(stdout)?;
        return Ok(());
    }
    let present = |yes: bool| if yes { "" } else { " (none)" };
    writeln!(
        stdout,
        "# user file:   {}{}",
        loaded.user_file.display(),
        present(loaded.user_present)
    )?;
    writeln!(
        stdout,
        "# policy file: {}{}",
        loaded.policy_file.display(),
        present(loaded.policy_present)
    )?;
    if !loaded.locked.is_empty() {
        writeln!(stdout, "# locked:      {}", loaded.locked.join(", "))?;
    }
    for (key, value, source) in loaded.shown_values() {
        let lock = match loaded.lock_of(key) {
            Some(_) => ", locked",
            None => "",
        };
        writeln!(stdout, "{key} = {value}  # {}{lock}", source.describe())?;
    }
    // A key locked but set by no file is pinned to its default: say so, it is a value too.
    for entry in &loaded.locked {
        if loaded.source_of(entry) == Source::Default {
            writeln!(stdout, "# {entry}: default, locked")?;
        }
    }
    writeln!(
        stdout,
        "# every other key has its default (see the README's Configuration section)"
    )?;
    for conflict in &loaded.refused {
        eprintln!("ringside: {conflict}");
    }
    Ok(())
}
