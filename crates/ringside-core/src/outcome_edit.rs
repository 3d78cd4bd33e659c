//! The Admin view's outcome actions (issue 17 item 1): each `[outcomes."<disposition>"]`
//! in use listed with its actions, where it comes from and whether the policy locks it
//! ([`OutcomeSetting`]), and one outcome replaced or removed: from the typed form the Admin
//! tab shows ([`OutcomeForm`], [`save_outcome_form`]) or from TOML text ([`save_outcome`]).
//!
//! The form is a plain mirror of the `[outcomes."…"]` table (snake_case, one member per
//! action, numbers left unchecked): it is turned into that table here and read by the same
//! parser as the file ([`crate::outcomes`]), so the form and the file cannot disagree on
//! what is valid. A problem the parser finds is reported like the org check's, with the
//! action as its key and the field or follow-up key it is in, so the form shows it there.
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

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Table};

use crate::config::CONFIG_FILE;
use crate::config_check::ConfigIssue;
use crate::config_edit::{ConfigEditError, ConfigSave, read_document, write_if_valid};
use crate::config_policy::{KNOWN_KEYS, LoadedConfig, Source};
use crate::describe_cache::DescribeCache;
use crate::outcomes::OutcomeActions;

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
    /// Its actions as the form shows them.
    pub form: OutcomeForm,
}

/// One outcome's actions as the Admin tab's form edits them: the `[outcomes."…"]` table's
/// members, typed. `None` (or a missing block): the outcome has no such action.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeForm {
    /// `lead`: field → value updates of the call's Lead (an empty list is refused, naming it).
    pub lead: Option<Vec<OutcomeFieldValue>>,
    /// `opportunity`: field → value updates of the Opportunity the call was about.
    pub opportunity: Option<Vec<OutcomeFieldValue>>,
    pub follow_up: Option<OutcomeFollowUp>,
    pub create_opportunity: Option<OutcomeNewOpportunity>,
    /// `lead_notes`: the Lead text field the BANT notes are appended to.
    pub lead_notes: Option<String>,
    /// `chatter`: the post's text (privileged scope profile only).
    pub chatter: Option<String>,
}

/// One `Field = "value"` of a `lead`, `opportunity` or `create_opportunity` action.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeFieldValue {
    /// The field's API name.
    pub field: String,
    /// The value, which may hold placeholders (`{date}`, …).
    pub value: String,
}

/// `follow_up`: the Task or Event a call books. Numbers the admin left empty are `None`, so
/// the parser says what they must be instead of a zero standing in for them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeFollowUp {
    /// `Task` or `Event`.
    pub kind: String,
    pub subject: String,
    /// Days after the call (`None`: the same day).
    pub in_days: Option<i32>,
    /// An Event's start, `HH:MM` in the agent's time zone.
    pub at: Option<String>,
    /// An Event's length in minutes.
    pub minutes: Option<i32>,
}

/// `create_opportunity`: the new Opportunity a call creates.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeNewOpportunity {
    /// Its `Name`, which may hold `{account}`.
    pub name: String,
    /// Its `StageName` (required).
    pub stage_name: String,
    pub close_in_days: Option<i32>,
    /// Any other Opportunity field it sets.
    pub fields: Vec<OutcomeFieldValue>,
}

impl OutcomeForm {
    /// The form of the actions the files set (each value as loaded, so a form sent back
    /// unchanged is the same table and a policy-set action stays the policy's).
    fn of_values(set: &[(&str, &toml::Value)]) -> OutcomeForm {
        let text = |value: &toml::Value| match value {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let number = |value: Option<&toml::Value>| {
            value
                .and_then(toml::Value::as_integer)
                .and_then(|n| i32::try_from(n).ok())
        };
        let rows = |value: &toml::Value, skip: &[&str]| -> Vec<OutcomeFieldValue> {
            value
                .as_table()
                .into_iter()
                .flatten()
                .filter(|(field, _)| !skip.contains(&field.as_str()))
                .map(|(field, value)| OutcomeFieldValue {
                    field: field.clone(),
                    value: text(value),
                })
                .collect()
        };
        let mut form = OutcomeForm::default();
        for (action, value) in set {
            let get = |key: &str| value.get(key);
            match *action {
                "lead" => form.lead = Some(rows(value, &[])),
                "opportunity" => form.opportunity = Some(rows(value, &[])),
                "follow_up" => {
                    form.follow_up = Some(OutcomeFollowUp {
                        kind: get("kind").map(text).unwrap_or_default(),
                        subject: get("subject").map(text).unwrap_or_default(),
                        in_days: number(get("in_days")),
                        at: get("at").map(text),
                        minutes: number(get("minutes")),
                    });
                }
                "create_opportunity" => {
                    form.create_opportunity = Some(OutcomeNewOpportunity {
                        name: get("name").map(text).unwrap_or_default(),
                        stage_name: get("StageName").map(text).unwrap_or_default(),
                        close_in_days: number(get("close_in_days")),
                        fields: rows(value, &["name", "StageName", "close_in_days"]),
                    });
                }
                "lead_notes" => form.lead_notes = Some(text(value)),
                "chatter" => form.chatter = Some(text(value)),
                _ => {}
            }
        }
        form
    }

    /// The `[outcomes."…"]` table this form stands for. Empty texts are left out (the
    /// parser then says what is required); a field row with neither name nor value is a
    /// blank row the admin did not fill, and is skipped.
    fn to_table(&self) -> toml::Table {
        let string = |text: &str| toml::Value::String(text.to_owned());
        let fields = |rows: &[OutcomeFieldValue], table: &mut toml::Table| {
            for row in rows {
                let field = row.field.trim();
                if field.is_empty() && row.value.is_empty() {
                    continue;
                }
                table.insert(field.to_owned(), string(&row.value));
            }
        };
        let mut out = toml::Table::new();
        for (action, rows) in [("lead", &self.lead), ("opportunity", &self.opportunity)] {
            if let Some(rows) = rows {
                let mut table = toml::Table::new();
                fields(rows, &mut table);
                out.insert(action.to_owned(), toml::Value::Table(table));
            }
        }
        if let Some(follow_up) = &self.follow_up {
            let mut table = toml::Table::new();
            table.insert("kind".into(), string(&follow_up.kind));
            if !follow_up.subject.trim().is_empty() {
                table.insert("subject".into(), string(&follow_up.subject));
            }
            if let Some(days) = follow_up.in_days {
                table.insert("in_days".into(), toml::Value::Integer(days.into()));
            }
            if let Some(at) = follow_up.at.as_deref().filter(|at| !at.trim().is_empty()) {
                table.insert("at".into(), string(at.trim()));
            }
            if let Some(minutes) = follow_up.minutes {
                table.insert("minutes".into(), toml::Value::Integer(minutes.into()));
            }
            out.insert("follow_up".into(), toml::Value::Table(table));
        }
        if let Some(create) = &self.create_opportunity {
            let mut table = toml::Table::new();
            if !create.name.trim().is_empty() {
                table.insert("name".into(), string(&create.name));
            }
            if !create.stage_name.is_empty() {
                table.insert("StageName".into(), string(&create.stage_name));
            }
            if let Some(days) = create.close_in_days {
                table.insert("close_in_days".into(), toml::Value::Integer(days.into()));
            }
            fields(&create.fields, &mut table);
            out.insert("create_opportunity".into(), toml::Value::Table(table));
        }
        if let Some(field) = &self.lead_notes {
            out.insert("lead_notes".into(), string(field.trim()));
        }
        if let Some(text) = &self.chatter {
            out.insert("chatter".into(), string(text));
        }
        out
    }
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
                form: OutcomeForm::of_values(&set),
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

/// [`save_outcome`] from the Admin tab's form: the form becomes the outcome's table (one
/// action a line), read by the config's own parser first so a problem in it (an unknown
/// placeholder, a follow-up Event without its time, …) comes back as an issue on the action
/// and the field or key it is in, then saved and checked against the org like any edit.
/// `None` removes the outcome.
pub async fn save_outcome_form(
    home: &Path,
    policy_file: &Path,
    name: &str,
    form: Option<&OutcomeForm>,
    describes: &DescribeCache,
) -> Result<ConfigSave, ConfigEditError> {
    let name = name.trim();
    let Some(form) = form else {
        return save_outcome(home, policy_file, name, None, describes).await;
    };
    let table = form.to_table();
    if !name.is_empty()
        && let Err(err) =
            OutcomeActions::from_tables([(name.to_owned(), table.clone())].into_iter().collect())
    {
        return Ok(ConfigSave::Invalid {
            issues: vec![form_issue(name, err)],
        });
    }
    // `toml::Value`'s Display writes each action as one inline line, quoted and escaped.
    let text: String = table
        .iter()
        .map(|(action, value)| format!("{action} = {}\n", inline(value)))
        .collect();
    save_outcome(home, policy_file, name, Some(&text), describes).await
}

/// A parse problem of the form as an issue: the action as the key (as the org check names
/// it), and where in the action it is as the field (`Lead.Status`, `follow_up.at`,
/// `Opportunity.StageName`), so the form can show it next to that input.
fn form_issue(name: &str, err: crate::outcomes::OutcomeError) -> ConfigIssue {
    let (action, rest) = err.key.split_once('.').unwrap_or((err.key.as_str(), ""));
    let object = match action {
        "lead" => Some("Lead"),
        "opportunity" | "create_opportunity" => Some("Opportunity"),
        _ => None,
    };
    let inner = err.field.as_deref().unwrap_or(rest);
    let field = match (object, inner) {
        (_, "") => String::new(),
        // `create_opportunity.name` / `.close_in_days` are the action's own keys.
        (Some(_), "name" | "close_in_days") | (None, _) => format!("{action}.{inner}"),
        (Some(object), field) => format!("{object}.{field}"),
    };
    let reason = match &err.field {
        // The field is shown beside the reason already.
        Some(field) => err
            .reason
            .strip_prefix(&format!("{field}: "))
            .unwrap_or(&err.reason)
            .to_owned(),
        None => err.reason,
    };
    ConfigIssue {
        key: shown_key(name, action),
        field,
        reason,
    }
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

    #[test]
    fn a_form_with_every_action_is_the_table_it_came_from() {
        let text = "[outcomes.Qualified]\nlead = { Status = \"Working - Contacted\", Rating = \"Hot\" }\nopportunity = { StageName = \"Qualification\" }\nfollow_up = { kind = \"Task\", subject = \"Call back\", in_days = 1 }\ncreate_opportunity = { name = \"{account} – {date}\", StageName = \"Prospecting\", close_in_days = 30, LeadSource = \"Phone\" }\nlead_notes = \"Description\"\nchatter = \"Qualified by {agent}\"\n";
        let loaded = LoadedConfig::from_texts(
            Path::new("ringside.toml"),
            Some(text),
            Path::new("no-policy.toml"),
            None,
        )
        .unwrap();
        let shown = outcome_settings(&loaded);
        let form = &shown[0].form;
        let create = form
            .create_opportunity
            .as_ref()
            .expect("create_opportunity");
        assert_eq!(
            (
                create.stage_name.as_str(),
                create.close_in_days,
                create.fields.len()
            ),
            ("Prospecting", Some(30), 1),
            "StageName and close_in_days have their own inputs; other fields are rows: {create:?}"
        );
        assert_eq!(form.follow_up.as_ref().and_then(|f| f.at.clone()), None);
        let raw: toml::Table = text.parse().unwrap();
        assert_eq!(
            toml::Value::Table(form.to_table()),
            raw["outcomes"]["Qualified"],
            "sent back unchanged, the form is the same table (a policy's action stays the policy's)"
        );
    }

    #[test]
    fn a_blank_row_is_skipped_and_an_empty_action_is_left_to_the_parser() {
        let form = OutcomeForm {
            lead: Some(vec![OutcomeFieldValue {
                field: " ".into(),
                value: String::new(),
            }]),
            ..OutcomeForm::default()
        };
        let err =
            OutcomeActions::from_tables([("X".to_owned(), form.to_table())].into_iter().collect())
                .expect_err("a lead block with no field is refused");
        let issue = form_issue("X", err);
        assert_eq!(issue.key, "[outcomes.\"X\"] lead");
        assert!(issue.reason.contains("names no field"), "{issue:?}");
    }

    #[test]
    fn a_new_outcome_leaves_the_files_leading_comment_at_the_top() {
        let before = "# Ringside admin config.\n# Comments are kept.\n\n[fields.Contact]\nvisible = [\"Name\"]\n\n[intents]\nqualified = \"Lead.Status\"\n";
        let after = applied(
            before,
            "Demo booked",
            Some("lead = { Status = \"Working\" }\n"),
        );
        assert!(
            after.starts_with(before),
            "the file's first comment stays first, the outcome comes after the rest:\n{after}"
        );
    }
}
