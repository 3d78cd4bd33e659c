//! The Admin view's outcome actions (issue 17 item 1): each `[outcomes."<disposition>"]`
//! in use listed with its actions, where it comes from and whether the policy locks it
//! ([`OutcomeSetting`]), and one outcome replaced or removed from the TOML text the admin
//! edits for it ([`save_outcome`]).
//!
//! A save goes the way every Admin save goes ([`crate::config_edit`]): the user's file is
//! edited in place (every other table, key and comment kept), the result is checked over the
//! policy file against the org's describes (each problem names its key), and written only
//! when valid. A change to a key the policy locks is refused here, naming the key; so is
//! removing an action the policy file sets (the user's file cannot take it away, and a
//! removal that comes back on the next load would be a lie). An action the admin left as the
//! policy sets it is not copied into the user's file, so the policy's later changes still
//! reach this desk.

use std::path::Path;

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table};

use crate::config::CONFIG_FILE;
use crate::config_check::ConfigIssue;
use crate::config_edit::{ConfigEditError, ConfigSave, read_document, write_if_valid};
use crate::config_policy::{KNOWN_KEYS, LoadedConfig, Source};
use crate::describe_cache::DescribeCache;

/// One configured outcome as the Admin view lists and edits it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeSetting {
    /// The disposition it is for, as the agent picks it.
    pub name: String,
    /// Its action keys (`lead`, `follow_up`, …), in the order the editor's text has them.
    pub actions: Vec<String>,
    /// The outcome's table as TOML, one `action = value` line each: what the editor shows.
    pub text: String,
    /// Which file sets it (the user's when both set some of its actions).
    pub source: Source,
    /// The policy's `locked` entry covering it or one of its actions; `None`: editable.
    pub locked: Option<String>,
}

/// The action keys an outcome may set, from [`KNOWN_KEYS`] (`outcomes.*.lead`, …).
fn action_keys() -> impl Iterator<Item = &'static str> {
    KNOWN_KEYS
        .iter()
        .filter_map(|key| key.strip_prefix("outcomes.*."))
}

/// The dotted key of one action of one outcome (`outcomes.Demo booked.lead`), as
/// [`LoadedConfig`] records it.
fn dotted(name: &str, action: &str) -> String {
    format!("outcomes.{name}.{action}")
}

/// How an issue names an outcome's key, as the config check does (`[outcomes."X"] lead`).
fn shown_key(name: &str, action: &str) -> String {
    if action.is_empty() {
        format!("[outcomes.{name:?}]")
    } else {
        format!("[outcomes.{name:?}] {action}")
    }
}

/// The values the files set for `name`'s actions, by action key.
fn set_actions<'a>(loaded: &'a LoadedConfig, name: &str) -> Vec<(&'static str, &'a toml::Value)> {
    action_keys()
        .filter_map(|action| {
            let key = dotted(name, action);
            loaded
                .values()
                .find(|(k, _)| *k == key)
                .map(|(_, set)| (action, &set.value))
        })
        .collect()
}

/// Every outcome in use (the user's file over the policy's), by disposition.
pub fn outcome_settings(loaded: &LoadedConfig) -> Vec<OutcomeSetting> {
    loaded
        .config
        .outcomes
        .iter()
        .map(|(name, _)| {
            let set = set_actions(loaded, name);
            let text = set
                .iter()
                .map(|(action, value)| format!("{action} = {}\n", inline(value)))
                .collect();
            OutcomeSetting {
                name: name.to_owned(),
                actions: set.iter().map(|(action, _)| (*action).to_owned()).collect(),
                text,
                source: loaded.source_of(&format!("outcomes.{name}")),
                locked: loaded
                    .lock_of(&format!("outcomes.{name}"))
                    .or_else(|| action_keys().find_map(|a| loaded.lock_of(&dotted(name, a))))
                    .map(str::to_owned),
            }
        })
        .collect()
}

/// A value as one line of TOML (a table inline: `{ Status = "Working" }`).
fn inline(value: &toml::Value) -> String {
    // `toml::Value`'s Display writes tables inline and strings quoted and escaped.
    value.to_string()
}

/// Replaces the outcome `name` in `home`'s config file with the actions in `text` (TOML, the
/// outcome's table: `lead = { Status = "…" }` lines), or removes it when `text` is `None`,
/// writing only when the result is valid over `policy_file` against the org's describes.
/// Every other table and comment of the file is kept.
pub async fn save_outcome(
    home: &Path,
    policy_file: &Path,
    name: &str,
    text: Option<&str>,
    describes: &DescribeCache,
) -> Result<ConfigSave, ConfigEditError> {
    let name = name.trim();
    let invalid = |action: &str, reason: String| {
        Ok(ConfigSave::Invalid {
            issues: vec![ConfigIssue {
                key: shown_key(name, action),
                field: String::new(),
                reason,
            }],
        })
    };
    if name.is_empty() {
        return invalid(
            "",
            "needs the disposition it is for (the outcome the agent picks), e.g. Demo booked"
                .into(),
        );
    }
    // Parsed twice: as a document to write (the admin's comments kept) and as values to
    // compare with what the files set now.
    let (edited, wanted) = match text {
        None => (None, toml::Table::new()),
        Some(text) => {
            let parsed = text
                .parse::<DocumentMut>()
                .map_err(|err| err.message().to_owned())
                .and_then(|document| {
                    let values = text
                        .parse::<toml::Table>()
                        .map_err(|err| err.message().to_owned())?;
                    Ok((document, values))
                });
            match parsed {
                Ok((document, values)) => (Some(document), values),
                Err(reason) => {
                    return invalid(
                        "",
                        format!(
                            "is not TOML: {}. Write one action a line, e.g. lead = {{ Status = \"Working - Contacted\" }}",
                            reason.trim_end()
                        ),
                    );
                }
            }
        }
    };
    let path = home.join(CONFIG_FILE);
    let mut document = read_document(&path)?;
    let mut keep_out: Vec<String> = Vec::new();
    if let Ok(loaded) = LoadedConfig::load_home(home, policy_file) {
        let mut issues = Vec::new();
        for action in action_keys() {
            let key = dotted(name, action);
            let now = loaded.values().find(|(k, _)| *k == key).map(|(_, set)| set);
            let after = wanted.get(action);
            let unchanged = now.map(|set| &set.value) == after;
            if !unchanged && let Some(entry) = loaded.lock_of(&key) {
                issues.push(ConfigIssue {
                    key: shown_key(name, action),
                    field: String::new(),
                    reason: format!(
                        "is locked by the system policy file {} (locked = [{entry:?}]): ask your admin to change it there",
                        loaded.policy_file.display()
                    ),
                });
                continue;
            }
            let from_policy = now.is_some_and(|set| set.source == Source::Policy);
            if from_policy && after.is_none() {
                issues.push(ConfigIssue {
                    key: shown_key(name, action),
                    field: String::new(),
                    reason: format!(
                        "is set by the system policy file {}: your file can change it but not remove it; ask your admin",
                        loaded.policy_file.display()
                    ),
                });
            }
            if from_policy && unchanged {
                keep_out.push(action.to_owned());
            }
        }
        if !issues.is_empty() {
            return Ok(ConfigSave::Invalid { issues });
        }
    }
    // A broken file on disk: the view showed what loaded last; the check below reports it.
    apply(&mut document, name, edited, &keep_out);
    write_if_valid(&path, &document.to_string(), policy_file, describes).await
}

/// Sets `[outcomes."name"]` in `document` to `edited`'s table (without the actions in
/// `keep_out`, which the policy sets as they are), or removes it.
fn apply(document: &mut DocumentMut, name: &str, edited: Option<DocumentMut>, keep_out: &[String]) {
    let root = document.as_table_mut();
    let table = edited.map(|edited| {
        let mut table: Table = edited.as_table().clone();
        for action in keep_out {
            table.remove(action);
        }
        // Placed after the file's other tables, as a `[outcomes."name"]` header.
        table.set_position(None);
        table.set_implicit(false);
        table
    });
    let outcomes_present = root.get("outcomes").is_some_and(Item::is_table);
    match table {
        Some(table) if !table.is_empty() => {
            if !outcomes_present {
                let mut outcomes = Table::new();
                // `[outcomes."X"]` headers only, no bare `[outcomes]` line.
                outcomes.set_implicit(true);
                root.insert("outcomes", Item::Table(outcomes));
            }
            if let Some(outcomes) = root.get_mut("outcomes").and_then(Item::as_table_mut) {
                let keep_decor = outcomes
                    .get(name)
                    .and_then(Item::as_table)
                    .map(|old| (old.decor().clone(), old.position()));
                let mut table = table;
                if let Some((decor, position)) = keep_decor {
                    // The comment above the header and its place in the file stay.
                    *table.decor_mut() = decor;
                    if let Some(position) = position {
                        table.set_position(Some(position));
                    }
                }
                outcomes.insert(name, Item::Table(table));
            }
        }
        _ => {
            if let Some(outcomes) = root.get_mut("outcomes").and_then(Item::as_table_mut) {
                outcomes.remove(name);
                if outcomes.is_empty() {
                    root.remove("outcomes");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(before: &str, name: &str, text: Option<&str>) -> String {
        let mut document: DocumentMut = before.parse().unwrap();
        apply(&mut document, name, text.map(|t| t.parse().unwrap()), &[]);
        document.to_string()
    }

    #[test]
    fn an_outcome_is_replaced_in_place_and_the_rest_of_the_file_kept() {
        let before = "# mine\n[phone]\ndefault_region = \"GB\"\n\n# the demo\n[outcomes.\"Demo booked\"]\nlead = { Rating = \"Warm\" }\n\n[logging]\nmode = \"call_log_only\"\n";
        let after = applied(
            before,
            "Demo booked",
            Some("lead = { Rating = \"Hot\" } # hotter\n"),
        );
        assert!(
            after.contains("# mine\n[phone]\ndefault_region = \"GB\"\n"),
            "other tables and comments kept:\n{after}"
        );
        assert!(
            after.contains(
                "# the demo\n[outcomes.\"Demo booked\"]\nlead = { Rating = \"Hot\" } # hotter\n"
            ),
            "the outcome replaced where it was, its header comment and the admin's kept:\n{after}"
        );
        let reparsed: toml::Table = after.parse().expect("still TOML");
        assert_eq!(reparsed["logging"]["mode"].as_str(), Some("call_log_only"));
        let removed = applied(&after, "Demo booked", None);
        assert!(
            !removed.contains("outcomes"),
            "the last outcome removed takes [outcomes] with it:\n{removed}"
        );
    }

    #[test]
    fn a_new_outcome_gets_its_own_header() {
        let after = applied(
            "[phone]\ndefault_region = \"GB\"\n",
            "Qualified",
            Some("lead_notes = \"Description\"\n"),
        );
        assert!(
            after.contains("[outcomes.Qualified]\nlead_notes = \"Description\"\n")
                && !after.contains("[outcomes]\n"),
            "a header for the outcome, no bare [outcomes]:\n{after}"
        );
    }

    #[test]
    fn an_outcome_reads_as_one_line_per_action() {
        let loaded = LoadedConfig::from_texts(
            Path::new("ringside.toml"),
            Some("[outcomes.\"Demo booked\"]\nlead = { Status = \"Working - Contacted\" }\nfollow_up = { kind = \"Event\", subject = \"Product demo\", in_days = 2, at = \"10:00\", minutes = 30 }\n"),
            Path::new("no-policy.toml"),
            None,
        )
        .unwrap();
        let shown = outcome_settings(&loaded);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].name, "Demo booked");
        assert_eq!(shown[0].actions, vec!["lead", "follow_up"]);
        assert_eq!(shown[0].source, Source::User);
        assert_eq!(shown[0].locked, None);
        let again: toml::Table = shown[0].text.parse().expect("the text is TOML");
        assert_eq!(
            again["follow_up"]["minutes"].as_integer(),
            Some(30),
            "the text reads back as the values:\n{}",
            shown[0].text
        );
        assert_eq!(shown[0].text.lines().count(), 2, "one line per action");
    }
}
