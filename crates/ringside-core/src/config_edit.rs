//! The admin view's changes to `ringside.toml`: what the view shows ([`AdminSettings`], read
//! from the validated config), how a change is applied to the file's document
//! ([`ConfigDocument`]: only `[fields.*]`, `[intents]`, `[logging] mode` and
//! `[salesforce] scope_profile` are touched; every other table and key is kept), and saving:
//! the new text is parsed and checked against the org's live describe first, and written
//! (atomically: temp file, fsync, rename) only when it is valid. Import does the same for a
//! whole file. The file is edited in place, so the admin's comments and layout are kept.
//!
//! With a system policy file ([`crate::config_policy`]) the view shows the merged values and
//! where each comes from ([`KeySource`]); a save that changes a key the policy locks is
//! refused here (not only greyed out in the view), and a key the admin did not change is not
//! copied into the user's file, so the policy's later changes still reach this desk.

use crate::ipc_code::IpcCode;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::call_log::LoggingMode;
use crate::config::{CONFIG_FILE, Config};
use crate::config_check::{ConfigIssue, check_config};
use crate::config_policy::{LoadedConfig, Source};
use crate::describe_cache::DescribeCache;
use crate::field_policy::{ObjectFields, POLICY_OBJECTS};

/// Visible and editable fields of one object, as the admin view edits them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectSettings {
    pub object: String,
    pub visible: Vec<String>,
    pub editable: Vec<String>,
}

/// One intent as the admin view edits it: `target` is `Object.Field`, `value` a fixed value
/// (`None` lets the field's type decide).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentSetting {
    pub name: String,
    pub target: String,
    pub value: Option<String>,
}

/// Everything the admin view edits.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSettings {
    /// Contact, Lead and Account, in that order.
    pub objects: Vec<ObjectSettings>,
    pub intents: Vec<IntentSetting>,
    /// `task_and_call_log` or `call_log_only`.
    pub logging_mode: String,
    /// `standard`, `extended` or `privileged`; `None` leaves it to the default (standard).
    pub scope_profile: Option<String>,
}

impl AdminSettings {
    /// What the view shows for a config (defaults filled in).
    pub fn from_config(config: &Config) -> Self {
        let objects = POLICY_OBJECTS
            .iter()
            .map(|object| {
                let fields = config
                    .fields
                    .object(object)
                    .cloned()
                    .unwrap_or(ObjectFields {
                        visible: Vec::new(),
                        editable: Vec::new(),
                    });
                ObjectSettings {
                    object: (*object).to_owned(),
                    visible: fields.visible,
                    editable: fields.editable,
                }
            })
            .collect();
        AdminSettings {
            objects,
            intents: config
                .intents
                .iter()
                .map(|i| IntentSetting {
                    name: i.name.clone(),
                    target: format!("{}.{}", i.object, i.field),
                    value: i.value.clone(),
                })
                .collect(),
            logging_mode: match config.logging.mode {
                LoggingMode::TaskAndCallLog => "task_and_call_log",
                LoggingMode::CallLogOnly => "call_log_only",
            }
            .to_owned(),
            scope_profile: config.sign_in.scope_profile.map(|p| p.name().to_owned()),
        }
    }
}

/// Where one key the admin view edits gets its value, and the `locked` entry covering it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeySource {
    /// A dotted key: `fields.Contact.visible`, `intents`, `intents.qualified`, `logging.mode`,
    /// `salesforce.scope_profile`.
    pub key: String,
    pub source: Source,
    /// The policy's `locked` entry covering the key; `None` when the admin may change it.
    pub locked: Option<String>,
}

/// The dotted keys the admin view edits for `settings` (each object's lists, the intents
/// table and each intent, the logging mode, the scope profile).
fn admin_keys(settings: &AdminSettings) -> Vec<String> {
    let mut keys = Vec::new();
    for object in &settings.objects {
        keys.push(format!("fields.{}.visible", object.object));
        keys.push(format!("fields.{}.editable", object.object));
    }
    keys.push("intents".to_owned());
    keys.extend(
        settings
            .intents
            .iter()
            .map(|i| format!("intents.{}", i.name)),
    );
    keys.push("logging.mode".to_owned());
    keys.push("salesforce.scope_profile".to_owned());
    keys
}

/// Where each value the view shows comes from, and which are locked.
pub fn key_sources(loaded: &LoadedConfig) -> Vec<KeySource> {
    admin_keys(&AdminSettings::from_config(&loaded.config))
        .into_iter()
        .map(|key| KeySource {
            source: loaded.source_of(&key),
            locked: loaded.lock_of(&key).map(str::to_owned),
            key,
        })
        .collect()
}

/// The changes from `before` (what the view showed) to `after` that touch a key the policy
/// locks, each as an issue naming the key and the policy file. Empty: nothing locked changed.
pub fn locked_changes(
    loaded: &LoadedConfig,
    before: &AdminSettings,
    after: &AdminSettings,
) -> Vec<ConfigIssue> {
    let mut issues = Vec::new();
    let mut refuse = |key: String, shown: String| {
        if let Some(entry) = loaded.lock_of(&key) {
            issues.push(ConfigIssue {
                reason: format!(
                    "is locked by the system policy file {} (locked = [{entry:?}]): ask your admin to change it there",
                    loaded.policy_file.display()
                ),
                key: shown,
                field: String::new(),
            });
        }
    };
    for object in &after.objects {
        let old = before.objects.iter().find(|o| o.object == object.object);
        if old.map(|o| &o.visible) != Some(&object.visible) {
            refuse(
                format!("fields.{}.visible", object.object),
                format!("[fields.{}] visible", object.object),
            );
        }
        if old.map(|o| &o.editable) != Some(&object.editable) {
            refuse(
                format!("fields.{}.editable", object.object),
                format!("[fields.{}] editable", object.object),
            );
        }
    }
    let mut names: Vec<&str> = before
        .intents
        .iter()
        .chain(&after.intents)
        .map(|i| i.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let find = |list: &[IntentSetting]| list.iter().find(|i| i.name == name).cloned();
        if find(&before.intents) != find(&after.intents) {
            refuse(format!("intents.{name}"), format!("[intents] {name}"));
        }
    }
    if before.logging_mode != after.logging_mode {
        refuse("logging.mode".into(), "[logging] mode".into());
    }
    if before.scope_profile != after.scope_profile {
        refuse(
            "salesforce.scope_profile".into(),
            "[salesforce] scope_profile".into(),
        );
    }
    // The user's file is merged over the policy's key by key, so it cannot take away an
    // intent the policy sets: saying so beats a removal that comes back on the next load.
    for intent in &before.intents {
        let key = format!("intents.{}", intent.name);
        if loaded.lock_of(&key).is_none()
            && loaded.source_of(&key) == Source::Policy
            && !after.intents.iter().any(|i| i.name == intent.name)
        {
            issues.push(ConfigIssue {
                key: format!("[intents] {}", intent.name),
                field: String::new(),
                reason: format!(
                    "is set by the system policy file {}: your file can change where it writes but not remove it; ask your admin",
                    loaded.policy_file.display()
                ),
            });
        }
    }
    issues
}

/// What the admin view showed, for [`ConfigDocument::apply_changes`].
#[allow(missing_debug_implementations)] // holds a closure
pub struct Shown<'a> {
    pub settings: &'a AdminSettings,
    /// Whether a file (the policy's or the user's) sets a dotted key.
    pub from_file: &'a dyn Fn(&str) -> bool,
}

/// The config file as a TOML document, edited in place (`toml_edit`): comments, blank lines,
/// key order and formatting stay as the admin wrote them. A key whose value the view did not
/// change is not touched at all; a changed value keeps the comments around its key.
#[derive(Debug, Clone, Default)]
pub struct ConfigDocument {
    document: DocumentMut,
}

impl PartialEq for ConfigDocument {
    fn eq(&self, other: &Self) -> bool {
        self.to_text() == other.to_text()
    }
}

impl ConfigDocument {
    /// Parses the file's text (only TOML syntax is checked here).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.parse::<DocumentMut>()
            .map(|document| ConfigDocument { document })
            .map_err(|e| e.to_string())
    }

    /// Applies the admin view's settings; every other table, key and comment stays as it was.
    pub fn apply(&mut self, settings: &AdminSettings) {
        self.apply_changes(settings, None);
    }

    /// [`Self::apply`] after the view showed `shown` (the merged values, the policy file's
    /// included); `from_file(key)` says whether a file sets a dotted key. A value the admin
    /// left unchanged that a file sets is not written to this file, where it would hide the
    /// policy's later changes or set a locked key. Default values are written as before, since
    /// an `[intents]` table with some names replaces all the default intents.
    pub fn apply_changes(&mut self, settings: &AdminSettings, shown: Option<Shown<'_>>) {
        let kept = |key: String, unchanged: bool| {
            unchanged && shown.as_ref().is_some_and(|shown| (shown.from_file)(&key))
        };
        let root = self.document.as_table_mut();
        let fields = child(root, "fields");
        // `[fields.Contact]` headers only, no bare `[fields]` line, for a table made here.
        if fields.is_empty() {
            fields.set_implicit(true);
        }
        let defaults = crate::field_policy::FieldPolicy::default();
        for object in &settings.objects {
            // An object the file leaves to the defaults stays that way while it is unchanged.
            let is_default = defaults
                .object(&object.object)
                .is_some_and(|d| d.visible == object.visible && d.editable == object.editable);
            if is_default && !fields.contains_key(&object.object) {
                continue;
            }
            let before = shown.as_ref().and_then(|shown| {
                shown
                    .settings
                    .objects
                    .iter()
                    .find(|o| o.object == object.object)
            });
            let keep_visible = kept(
                format!("fields.{}.visible", object.object),
                before.is_some_and(|b| b.visible == object.visible),
            );
            let keep_editable = kept(
                format!("fields.{}.editable", object.object),
                before.is_some_and(|b| b.editable == object.editable),
            );
            if keep_visible && keep_editable {
                continue;
            }
            let entry = child(fields, &object.object);
            if !keep_visible {
                set_strings(entry, "visible", &object.visible);
            }
            if !keep_editable {
                set_strings(entry, "editable", &object.editable);
            }
        }
        let keep: Vec<&str> = settings.intents.iter().map(|i| i.name.as_str()).collect();
        let gone: Vec<String> = root
            .get("intents")
            .and_then(Item::as_table_like)
            .map(|intents| {
                intents
                    .iter()
                    .map(|(key, _)| key.to_owned())
                    .filter(|key| !keep.contains(&key.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let written: Vec<&IntentSetting> = settings
            .intents
            .iter()
            .filter(|intent| {
                !kept(
                    format!("intents.{}", intent.name),
                    shown
                        .as_ref()
                        .is_some_and(|shown| shown.settings.intents.contains(intent)),
                )
            })
            .collect();
        // Made only when something changes: an empty [intents] would drop the defaults.
        if !gone.is_empty() || !written.is_empty() {
            let intents = child(root, "intents");
            for key in gone {
                intents.remove(&key);
            }
            for intent in written {
                let wanted = (intent.target.clone(), intent.value.clone());
                if intents.get(&intent.name).and_then(intent_of).as_ref() == Some(&wanted) {
                    continue;
                }
                let value = match &intent.value {
                    None => Value::from(intent.target.as_str()),
                    Some(fixed) => {
                        let mut table = InlineTable::new();
                        table.insert("field", Value::from(intent.target.as_str()));
                        table.insert("value", Value::from(fixed.as_str()));
                        Value::InlineTable(table)
                    }
                };
                set_value(intents, &intent.name, value);
            }
        }
        let shown = shown.map(|shown| shown.settings);
        if shown.is_none_or(|shown| shown.logging_mode != settings.logging_mode) {
            let logging = child(root, "logging");
            if logging.get("mode").and_then(Item::as_str) != Some(settings.logging_mode.as_str()) {
                set_value(logging, "mode", Value::from(settings.logging_mode.as_str()));
            }
        }
        if shown.is_some_and(|shown| shown.scope_profile == settings.scope_profile) {
            return;
        }
        match &settings.scope_profile {
            Some(profile) => {
                let sf = child(root, "salesforce");
                if sf.get("scope_profile").and_then(Item::as_str) != Some(profile.as_str()) {
                    set_value(sf, "scope_profile", Value::from(profile.as_str()));
                }
            }
            None => {
                if let Some(sf) = root.get_mut("salesforce").and_then(Item::as_table_mut) {
                    sf.remove("scope_profile");
                }
            }
        }
    }

    /// The document as file text.
    pub fn to_text(&self) -> String {
        self.document.to_string()
    }
}

/// Gets or creates the table `key` in `table` (a non-table value there is replaced).
fn child<'a>(table: &'a mut Table, key: &str) -> &'a mut Table {
    if !table.get(key).is_some_and(Item::is_table) {
        table.insert(key, Item::Table(Table::new()));
    }
    match table.get_mut(key).and_then(Item::as_table_mut) {
        Some(t) => t,
        // Just made a table above.
        None => unreachable!("{key} was made a table"),
    }
}

/// Sets `key` to `value`, keeping the key's own comments and the old value's trailing comment.
fn set_value(table: &mut Table, key: &str, mut value: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        let decor = old.decor().clone();
        *value.decor_mut() = decor;
        table[key] = Item::Value(value);
    } else {
        table.insert(key, Item::Value(value));
    }
}

/// Sets the string list `key`, leaving it untouched when it already holds exactly `list`.
fn set_strings(table: &mut Table, key: &str, list: &[String]) {
    let current: Option<Vec<&str>> = table
        .get(key)
        .and_then(Item::as_array)
        .and_then(|array| array.iter().map(Value::as_str).collect());
    if current.is_some_and(|c| c.len() == list.len() && c.iter().zip(list).all(|(a, b)| *a == b)) {
        return;
    }
    let array: Array = list.iter().map(String::as_str).collect();
    set_value(table, key, Value::Array(array));
}

/// An intent entry as (target, fixed value): `name = "Object.Field"` or
/// `name = { field = "Object.Field", value = "…" }` (inline or as a table).
fn intent_of(item: &Item) -> Option<(String, Option<String>)> {
    if let Some(target) = item.as_str() {
        return Some((target.to_owned(), None));
    }
    let table = item.as_table_like()?;
    let field = table.get("field")?.as_str()?.to_owned();
    let value = match table.get("value") {
        Some(v) => Some(v.as_str()?.to_owned()),
        None => None,
    };
    Some((field, value))
}

/// What a save or an import came to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfigSave {
    /// Written to `path`.
    Saved { path: String },
    /// Not written: each problem with its key, field and reason.
    Invalid { issues: Vec<ConfigIssue> },
}

/// Why the config could not be saved (an invalid config is a [`ConfigSave::Invalid`]).
#[derive(Debug, thiserror::Error)]
pub enum ConfigEditError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The org could not be asked (network, session): nothing was written.
    #[error("the config could not be checked against Salesforce, so it was not saved: {0}")]
    Salesforce(#[from] salesforce::Error),
}

impl ConfigEditError {
    /// The stable code a UI branches on: `config_unreadable`, `config_unwritable`, or the
    /// Salesforce failure's ([`crate::org_error::code`]).
    pub fn code(&self) -> IpcCode {
        match self {
            ConfigEditError::Read { .. } => IpcCode::ConfigUnreadable,
            ConfigEditError::Write { .. } => IpcCode::ConfigUnwritable,
            ConfigEditError::Salesforce(e) => crate::org_error::code(e),
        }
    }
}

/// Checks config text as `config validate` does: it must parse (every table, `[salesforce]`
/// included), and fit the org behind `describes`. An empty list means valid. The text is
/// checked alone; [`check_layered`] checks it over the policy file.
pub async fn check_text(
    text: &str,
    describes: &DescribeCache,
) -> Result<Vec<ConfigIssue>, salesforce::Error> {
    let path = Path::new(CONFIG_FILE);
    let config = match Config::parse(text, path) {
        Ok(config) => config,
        Err(err) => return Ok(vec![file_issue(err.to_string())]),
    };
    check_config(&config, describes).await
}

fn file_issue(reason: String) -> ConfigIssue {
    ConfigIssue {
        key: CONFIG_FILE.to_owned(),
        field: String::new(),
        reason,
    }
}

/// The user's file `user_file` with `text` as its content, read over the policy file at
/// `policy_file` as every load does: the merged config must parse and fit the org, and the
/// text may not set a key the policy locks (each such key is an issue naming both files).
pub async fn check_layered(
    user_file: &Path,
    text: &str,
    policy_file: &Path,
    describes: &DescribeCache,
) -> Result<Vec<ConfigIssue>, salesforce::Error> {
    let policy_text = match crate::config::read_config_text(policy_file) {
        Ok(text) => Some(text),
        Err(crate::config::ConfigError::Missing { .. }) => None,
        Err(err) => {
            let err = crate::config::ConfigError::Policy(Box::new(err));
            return Ok(vec![file_issue(err.to_string())]);
        }
    };
    let loaded = match LoadedConfig::from_texts(
        user_file,
        Some(text),
        policy_file,
        policy_text.as_deref(),
    ) {
        Ok(loaded) => loaded,
        Err(err) => return Ok(vec![file_issue(err.to_string())]),
    };
    let mut issues: Vec<ConfigIssue> = loaded
        .refused
        .iter()
        .map(|conflict| ConfigIssue {
            key: conflict.key.clone(),
            field: String::new(),
            reason: conflict.to_string(),
        })
        .collect();
    issues.extend(check_config(&loaded.config, describes).await?);
    Ok(issues)
}

/// The first lines of a config file the Admin view creates.
const NEW_FILE_HEADER: &str = "# Ringside admin config: visible and editable fields, intents, logging.\n# Comments you add here are kept when the Admin view saves.\n\n";

/// Applies `settings` to `home`'s config file and writes it if the result is valid, read
/// over the policy file at `policy_file`. A change to a key the policy locks is refused
/// before anything is written.
pub async fn save_settings(
    home: &Path,
    policy_file: &Path,
    settings: &AdminSettings,
    describes: &DescribeCache,
) -> Result<ConfigSave, ConfigEditError> {
    let path = home.join(CONFIG_FILE);
    let mut document = ConfigDocument {
        document: read_document(&path)?,
    };
    match LoadedConfig::load_home(home, policy_file) {
        Ok(loaded) => {
            let shown = AdminSettings::from_config(&loaded.config);
            let issues = locked_changes(&loaded, &shown, settings);
            if !issues.is_empty() {
                return Ok(ConfigSave::Invalid { issues });
            }
            let from_file = |key: &str| loaded.source_of(key) != Source::Default;
            document.apply_changes(
                settings,
                Some(Shown {
                    settings: &shown,
                    from_file: &from_file,
                }),
            );
        }
        // The view showed the defaults and says saving replaces the broken file; a broken
        // policy file is reported by the check below and nothing is written.
        Err(_) => document.apply(settings),
    }
    write_if_valid(&path, &document.to_text(), policy_file, describes).await
}

/// The config file at `path` as a document to edit in place; a file not there yet starts
/// with a line saying what it is (an existing one keeps its own).
pub(crate) fn read_document(path: &Path) -> Result<DocumentMut, ConfigEditError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .parse::<DocumentMut>()
            .map_err(|err| ConfigEditError::Read {
                path: path.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, err.to_string()),
            }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            // As the root table's prefix, not as parsed text: a document of comments only
            // keeps them as its trailing text, which is written after every table added.
            let mut document = DocumentMut::new();
            document
                .as_table_mut()
                .decor_mut()
                .set_prefix(NEW_FILE_HEADER);
            Ok(document)
        }
        Err(source) => Err(ConfigEditError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Replaces `home`'s config file with `text` (an imported file) if it is valid; the text is
/// written as given, comments included.
/// A file setting a key the policy file locks is refused.
pub async fn import_text(
    home: &Path,
    policy_file: &Path,
    text: &str,
    describes: &DescribeCache,
) -> Result<ConfigSave, ConfigEditError> {
    write_if_valid(&home.join(CONFIG_FILE), text, policy_file, describes).await
}

/// Writes `text` to `path` only when it is valid over `policy_file` against the org.
pub(crate) async fn write_if_valid(
    path: &Path,
    text: &str,
    policy_file: &Path,
    describes: &DescribeCache,
) -> Result<ConfigSave, ConfigEditError> {
    let issues = check_layered(path, text, policy_file, describes).await?;
    if !issues.is_empty() {
        return Ok(ConfigSave::Invalid { issues });
    }
    write_atomic(path, text).map_err(|source| ConfigEditError::Write {
        path: path.to_owned(),
        source,
    })?;
    tracing::info!(path = %path.display(), "config saved");
    Ok(ConfigSave::Saved {
        path: path.display().to_string(),
    })
}

/// Writes `text` to `path` so a reader sees the old file or the new one, never half of
/// either: a temp file in the same directory, flushed to disk, then renamed over (see
/// [`crate::private_files::write_private_atomically`]; a failed write leaves no temp file).
/// `0600`: the config holds the dead-letter webhook URL, a secret.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_files::create_private_dir_all(dir)?;
    crate::private_files::write_private_atomically(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_of(text: &str) -> AdminSettings {
        let path = Path::new("ringside.toml");
        AdminSettings::from_config(&Config::parse(text, path).expect("valid config"))
    }

    #[test]
    fn applying_the_shown_settings_keeps_every_other_table_and_round_trips() {
        let text = "[phone]\ndefault_region = \"GB\"\n[salesforce]\nclient_id = \"3MVGkey\"\n[logging]\nauto_log_after_secs = 30\n";
        let mut settings = settings_of(text);
        settings.objects[0].visible.push("MailingCountry".into());
        settings.intents.push(IntentSetting {
            name: "nurture".into(),
            target: "Lead.Status".into(),
            value: Some("Working - Contacted".into()),
        });
        settings.logging_mode = "call_log_only".into();
        settings.scope_profile = Some("extended".into());
        let mut document = ConfigDocument::parse(text).expect("TOML");
        document.apply(&settings);
        let written = document.to_text();

        let reread = settings_of(&written);
        // Intents read back in name order.
        settings.intents.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            reread, settings,
            "what was saved reads back the same:\n{written}"
        );
        let config = Config::parse(&written, Path::new("x")).unwrap();
        assert_eq!(
            config.default_region,
            crate::phone::Region::parse("GB"),
            "[phone] is kept"
        );
        assert!(
            written.contains("auto_log_after_secs = 30"),
            "other [logging] keys are kept:\n{written}"
        );
        assert!(
            written.contains("client_id = \"3MVGkey\""),
            "[salesforce] client_id is kept:\n{written}"
        );
    }

    #[test]
    fn saving_keeps_comments_layout_and_untouched_keys_byte_for_byte() {
        let text = r#"# Ringside config for the Berlin call center.
# Owner: ops@example.com

[salesforce]
client_id = "3MVGkey"   # External Client App "Ringside"
scope_profile = "standard"

# What agents see on a Contact.
[fields.Contact]
visible  = ["Name", "Title", "Email", "Phone"]   # keep Phone for callbacks
editable = ["Title"]

[intents]
# Sales asked for this one.
demo_requested = "Opportunity.Demo_Requested_At__c"
qualified      = "Lead.Status"  # legacy

[logging]
mode = "task_and_call_log" # default
auto_log_after_secs = 30
"#;
        let mut settings = settings_of(text);
        settings.objects[0].editable.push("Email".into());
        settings.intents.retain(|i| i.name != "qualified");
        settings.logging_mode = "call_log_only".into();
        let mut document = ConfigDocument::parse(text).expect("TOML");
        document.apply(&settings);
        let written = document.to_text();
        for kept in [
            "# Ringside config for the Berlin call center.\n# Owner: ops@example.com\n",
            "client_id = \"3MVGkey\"   # External Client App \"Ringside\"",
            "# What agents see on a Contact.\n[fields.Contact]",
            "visible  = [\"Name\", \"Title\", \"Email\", \"Phone\"]   # keep Phone for callbacks",
            "# Sales asked for this one.\ndemo_requested = \"Opportunity.Demo_Requested_At__c\"",
            "auto_log_after_secs = 30",
        ] {
            assert!(
                written.contains(kept),
                "{kept:?} is kept as written:\n{written}"
            );
        }
        assert!(
            written.contains("editable = [\"Title\", \"Email\"]"),
            "the changed list is written:\n{written}"
        );
        assert!(
            written.contains("mode = \"call_log_only\" # default"),
            "a changed value keeps its trailing comment:\n{written}"
        );
        assert!(
            !written.contains("qualified"),
            "a removed intent goes, with its line:\n{written}"
        );
        assert_eq!(settings_of(&written).logging_mode, "call_log_only");
        let mut unchanged = ConfigDocument::parse(text).unwrap();
        unchanged.apply(&settings_of(text));
        assert_eq!(
            unchanged.to_text(),
            text,
            "saving without a change rewrites nothing"
        );
    }

    #[test]
    fn no_scope_profile_removes_the_key_only() {
        let text = "[salesforce]\nclient_id = \"k\"\nscope_profile = \"privileged\"\n";
        let mut settings = settings_of(text);
        assert_eq!(settings.scope_profile.as_deref(), Some("privileged"));
        settings.scope_profile = None;
        let mut document = ConfigDocument::parse(text).unwrap();
        document.apply(&settings);
        let written = document.to_text();
        assert!(!written.contains("scope_profile"), "{written}");
        assert!(written.contains("client_id"), "{written}");
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("ringside-config-edit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join(CONFIG_FILE);
        write_atomic(&path, "a = 1\n").expect("first write");
        write_atomic(&path, "a = 2\n").expect("second write");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "only the config file remains: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_new_files_first_lines_stay_first_when_tables_are_added() {
        let dir = std::env::temp_dir().join(format!("ringside-new-header-{}", std::process::id()));
        let mut document = read_document(&dir.join("absent.toml")).expect("a new document");
        let mut table = toml_edit::Table::new();
        table.insert("default_region", toml_edit::value("GB"));
        document.insert("phone", toml_edit::Item::Table(table));
        let text = document.to_string();
        assert!(
            text.starts_with(NEW_FILE_HEADER) && text.ends_with("default_region = \"GB\"\n"),
            "the header says what the file is, at its top:\n{text}"
        );
    }
}
