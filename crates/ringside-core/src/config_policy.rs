//! One config for every desk: the system policy file, read under the user's `ringside.toml`.
//!
//! The policy file (`/etc/ringside/ringside.toml` on Linux, `%ProgramData%\Ringside\ringside.toml`
//! on Windows, `/Library/Application Support/Ringside/ringside.toml` on macOS; `RINGSIDE_POLICY_FILE`
//! overrides the path) is the base layer; the user's file is merged over it table by table, key
//! by key. Keys the policy lists in `locked = ["logging.mode", "intents", …]` (dotted keys or whole
//! tables) keep the policy's value, or the default when the policy does not set them: a user's
//! value for one is refused and reported naming both files (a warning when the config is loaded,
//! an error in `config validate` and in the Admin view's save).
//!
//! Each file must be valid on its own, and so must the two together: an error names the file it
//! is in, or both files when only their combination is wrong. A missing policy file is normal
//! (nothing is locked); an unreadable or invalid one is an error, never silently skipped.
//!
//! For each key a file sets, [`LoadedConfig`] keeps its value and which file set it, so
//! `ringside config show` and the Admin view can say where every value comes from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::{Table, Value};

use crate::config::{CONFIG_FILE, Config, ConfigError, LOCKED_KEY, read_config_text};

pub use crate::home_files::{POLICY_ENV, policy_path};

/// Every key a config file may set, as dotted paths (`*`: a name the admin chooses). A
/// `locked` entry must be one of these or a table holding some of them; the merge treats each
/// as one value (an intent's `{ field, value }` table is replaced whole, never mixed).
pub const KNOWN_KEYS: &[&str] = &[
    "phone.default_region",
    "logging.mode",
    "logging.dead_letter_webhook",
    "logging.auto_log_after_secs",
    "logging.call_log.object",
    "logging.call_log.external_id",
    "logging.call_log.direction",
    "logging.call_log.duration",
    "logging.call_log.from_number",
    "logging.call_log.to_number",
    "logging.call_log.started_at",
    "logging.call_log.dialed_at",
    "logging.call_log.answered_at",
    "logging.call_log.ended_at",
    "logging.call_log.ring_seconds",
    "logging.call_log.recording_url",
    "logging.call_log.summary",
    "logging.call_log.key_topics",
    "logging.call_log.memo",
    "logging.call_log.disposition",
    "logging.call_log.subject",
    "logging.call_log.notes",
    "logging.call_log.contact",
    "logging.call_log.lead",
    "logging.call_log.account",
    "logging.call_log.opportunity",
    "logging.call_log.case",
    "logging.call_log.task_lookup",
    "lookup.object_priority",
    "lookup.phone_fields.Contact",
    "lookup.phone_fields.Lead",
    "lookup.phone_fields.Account",
    "pop.open_on",
    "pop.keep_loaded_secs",
    "pop.event_port",
    "pop.baresip",
    "pop.baresip_allow_remote",
    "fields.Contact.visible",
    "fields.Contact.editable",
    "fields.Lead.visible",
    "fields.Lead.editable",
    "fields.Account.visible",
    "fields.Account.editable",
    "intents.*",
    "salesforce.client_id",
    "salesforce.login_url",
    "salesforce.redirect_port",
    "salesforce.scope_profile",
    "salesforce.api_version",
    "update.pubkey",
    "update.endpoint",
    "update.check",
    "api.pause_optional_at",
    "outcomes.*.lead",
    "outcomes.*.opportunity",
    "outcomes.*.follow_up",
    "outcomes.*.create_opportunity",
    "outcomes.*.lead_notes",
    "outcomes.*.chatter",
];

/// Keys whose value is a secret (the webhook URL carries its token): shown as set, never
/// printed.
pub const SECRET_KEYS: [&str; 1] = ["logging.dead_letter_webhook"];

/// Where an effective value comes from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Neither file sets it: Ringside's default.
    Default,
    /// The system policy file.
    Policy,
    /// The user's `ringside.toml`.
    User,
}

impl Source {
    /// How `config show` names it.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Policy => "policy file",
            Source::User => "user file",
        }
    }
}

/// A user's value for a key the policy locks: refused, the policy's value (or the default) kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockConflict {
    /// The key the user's file sets, e.g. `logging.mode`.
    pub key: String,
    /// The `locked` entry covering it, e.g. `logging` or `logging.mode`.
    pub locked: String,
    pub user_file: PathBuf,
    pub policy_file: PathBuf,
}

impl fmt::Display for LockConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} is locked by the system policy file {} (locked = [{:?}]), so this value is ignored: remove it from {}, or ask your admin to change the policy",
            self.user_file.display(),
            self.key,
            self.policy_file.display(),
            self.locked,
            self.user_file.display(),
        )
    }
}

/// A value a file sets, and which file.
#[derive(Debug, Clone, PartialEq)]
pub struct SetValue {
    pub value: Value,
    pub source: Source,
}

/// The effective config of this desk and where each of its values comes from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub user_file: PathBuf,
    /// Whether the user's file exists (else only the policy and defaults apply).
    pub user_present: bool,
    /// The policy file's path, read or not.
    pub policy_file: PathBuf,
    /// Whether a policy file was read.
    pub policy_present: bool,
    /// The policy's `locked` entries, as written.
    pub locked: Vec<String>,
    /// The user's values for locked keys, which were not used.
    pub refused: Vec<LockConflict>,
    /// Every key a file sets (at [`KNOWN_KEYS`] granularity) with its value and source.
    values: BTreeMap<String, SetValue>,
}

// `Config::load_from_home` lives here, beside the layering it runs, so `config` (the
// parse of one file) needs nothing from this module.
impl Config {
    /// The effective config of this desk: `ringside.toml` from `home` read over the system
    /// policy file (this module); a missing file (either) means the defaults.
    /// A user value for a key the policy locks is refused with a warning naming both files.
    pub fn load_from_home(home: &Path) -> Result<Config, ConfigError> {
        let loaded = LoadedConfig::load_home(home, &policy_path())?;
        loaded.warn_refused();
        Ok(loaded.config)
    }
}

impl LoadedConfig {
    /// `home`'s `ringside.toml` over the policy file at `policy_file`; either may be missing.
    pub fn load_home(home: &Path, policy_file: &Path) -> Result<Self, ConfigError> {
        Self::load(&home.join(CONFIG_FILE), false, policy_file)
    }

    /// `user_file` over the policy file. With `user_required` a missing user file is an
    /// error (a file named on the command line), else it means "nothing set by the user".
    pub fn load(
        user_file: &Path,
        user_required: bool,
        policy_file: &Path,
    ) -> Result<Self, ConfigError> {
        let policy_text = match read_config_text(policy_file) {
            Ok(text) => Some(text),
            Err(ConfigError::Missing { .. }) => None,
            Err(err) => return Err(ConfigError::Policy(Box::new(err))),
        };
        let user_text = match read_config_text(user_file) {
            Ok(text) => Some(text),
            Err(ConfigError::Missing { .. }) if !user_required => None,
            Err(err) => return Err(err),
        };
        Self::from_texts(
            user_file,
            user_text.as_deref(),
            policy_file,
            policy_text.as_deref(),
        )
    }

    /// The merge itself, on the files' texts (`None`: no such file); the paths name them in
    /// messages.
    pub fn from_texts(
        user_file: &Path,
        user_text: Option<&str>,
        policy_file: &Path,
        policy_text: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let policy = policy_text
            .map(|text| read_policy(text, policy_file))
            .transpose()
            .map_err(|err| ConfigError::Policy(Box::new(err)))?;
        let user = user_text
            .map(|text| {
                let config = Config::parse(text, user_file)?;
                Ok::<_, ConfigError>((config, table_of(text, user_file)?))
            })
            .transpose()?;
        let mut loaded = LoadedConfig {
            config: Config::default(),
            user_file: user_file.to_owned(),
            user_present: user.is_some(),
            policy_file: policy_file.to_owned(),
            policy_present: policy.is_some(),
            locked: Vec::new(),
            refused: Vec::new(),
            values: BTreeMap::new(),
        };
        match (policy, user) {
            (None, None) => {}
            (None, Some((config, table))) => {
                loaded.config = config;
                collect_values(&table, "", Source::User, &mut loaded.values);
            }
            (Some(policy), None) => {
                loaded.config = policy.config;
                loaded.locked = policy.locked;
                collect_values(&policy.table, "", Source::Policy, &mut loaded.values);
            }
            (Some(policy), Some((_, user_table))) => {
                let mut merged = policy.table.clone();
                collect_values(&policy.table, "", Source::Policy, &mut loaded.values);
                let mut refused = Vec::new();
                merge_into(
                    &mut merged,
                    &user_table,
                    "",
                    &policy.locked,
                    &mut loaded.values,
                    &mut refused,
                );
                // Each file was valid alone; what fails now comes from the two together.
                let both = PathBuf::from(format!(
                    "{} (over the policy file {})",
                    user_file.display(),
                    policy_file.display()
                ));
                loaded.config = Config::from_table(merged, &both)?;
                loaded.refused = refused
                    .into_iter()
                    .map(|(key, locked)| LockConflict {
                        key,
                        locked,
                        user_file: user_file.to_owned(),
                        policy_file: policy_file.to_owned(),
                    })
                    .collect();
                loaded.locked = policy.locked;
            }
        }
        Ok(loaded)
    }

    /// Logs each refused user value (the CLI prints warnings on stderr, the app to its log).
    pub fn warn_refused(&self) {
        for conflict in &self.refused {
            tracing::warn!("{conflict}");
        }
    }

    /// Where `key` (a dotted key or table) gets its value: the file that sets it or a table
    /// holding it, else for a table the files setting keys in it (the user's when both do),
    /// else the default. A locked key always comes from the policy (or is the default).
    pub fn source_of(&self, key: &str) -> Source {
        if let Some(set) = self
            .values
            .iter()
            .find(|(k, _)| covers(k, key))
            .map(|(_, set)| set)
        {
            return set.source;
        }
        let mut inside = self
            .values
            .iter()
            .filter(|(k, _)| covers(key, k))
            .map(|(_, set)| set.source)
            .peekable();
        if inside.peek().is_none() {
            return Source::Default;
        }
        if inside.any(|s| s == Source::User) {
            Source::User
        } else {
            Source::Policy
        }
    }

    /// The `locked` entry covering `key` (the key itself or a table holding it), if any.
    pub fn lock_of(&self, key: &str) -> Option<&str> {
        lock_covering(&self.locked, key)
    }

    /// Every key a file sets, in key order, with its value and source.
    pub fn values(&self) -> impl Iterator<Item = (&str, &SetValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// [`Self::values`] fit to print: a secret's value (see [`SECRET_KEYS`]) is `<redacted>`.
    pub fn shown_values(&self) -> impl Iterator<Item = (&str, Value, Source)> {
        self.values().map(|(key, set)| {
            let value = if SECRET_KEYS.contains(&key) {
                Value::String("<redacted>".to_owned())
            } else {
                set.value.clone()
            };
            (key, value, set.source)
        })
    }
}

/// The policy file read: its config alone, its table without `locked`, and `locked`.
struct PolicyFile {
    config: Config,
    table: Table,
    locked: Vec<String>,
}

fn read_policy(text: &str, path: &Path) -> Result<PolicyFile, ConfigError> {
    // Valid alone: a desk with no file of its own runs on exactly this.
    let config = Config::parse_layer(text, path, true)?;
    let mut table = table_of(text, path)?;
    let locked = match table.remove(LOCKED_KEY) {
        None => Vec::new(),
        Some(value) => parse_locked(value, path)?,
    };
    Ok(PolicyFile {
        config,
        table,
        locked,
    })
}

fn table_of(text: &str, path: &Path) -> Result<Table, ConfigError> {
    toml::from_str(text).map_err(|err: toml::de::Error| ConfigError::Syntax {
        path: path.to_owned(),
        message: err.message().trim_end().to_owned(),
    })
}

/// `locked = ["logging.mode", "intents"]`: each entry a known key or a table of them.
fn parse_locked(value: Value, path: &Path) -> Result<Vec<String>, ConfigError> {
    let invalid = |detail: String| ConfigError::InvalidLocked {
        path: path.to_owned(),
        detail,
    };
    let Value::Array(items) = value else {
        return Err(invalid(format!("found {}", value.type_str())));
    };
    let mut locked = Vec::new();
    for item in items {
        let Value::String(entry) = item else {
            return Err(invalid(format!("found {} in the list", item.type_str())));
        };
        let entry = entry.trim().to_owned();
        if !is_known_key_or_table(&entry) {
            return Err(ConfigError::UnknownLockedKey {
                path: path.to_owned(),
                nearest: nearest_key(&entry),
                entry,
            });
        }
        locked.push(entry);
    }
    Ok(locked)
}

/// Whether `a` is `b` or a table holding it (`logging` covers `logging.mode`).
fn covers(a: &str, b: &str) -> bool {
    b == a || b.strip_prefix(a).is_some_and(|rest| rest.starts_with('.'))
}

fn lock_covering<'a>(locked: &'a [String], key: &str) -> Option<&'a str> {
    locked
        .iter()
        .find(|entry| covers(entry, key))
        .map(String::as_str)
}

/// Whether the dotted `key` matches the known key `pattern` segment by segment (`*` any one).
fn matches_known(pattern: &str, key: &str) -> bool {
    let (pattern, key): (Vec<&str>, Vec<&str>) =
        (pattern.split('.').collect(), key.split('.').collect());
    pattern.len() == key.len() && pattern.iter().zip(&key).all(|(p, k)| *p == "*" || p == k)
}

/// A key read as one value (merged and reported whole).
fn is_known_leaf(key: &str) -> bool {
    KNOWN_KEYS.iter().any(|pattern| matches_known(pattern, key))
}

/// A known key, or a table holding known keys (`pop`, `logging.call_log`, `fields.Contact`).
fn is_known_key_or_table(key: &str) -> bool {
    !key.is_empty()
        && KNOWN_KEYS.iter().any(|pattern| {
            let segments = key.split('.').count();
            let head: Vec<&str> = pattern.split('.').take(segments).collect();
            head.len() == segments && matches_known(&head.join("."), key)
        })
}

/// The known key or table a misspelt `locked` entry most likely meant.
fn nearest_key(entry: &str) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    for pattern in KNOWN_KEYS {
        let segments: Vec<&str> = pattern.split('.').collect();
        for n in 1..=segments.len() {
            let candidate = segments[..n].join(".");
            if !candidate.contains('*') && !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
    }
    let lower = entry.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                crate::config::edit_distance(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Records every value `table` sets, down to known keys (an unknown table is walked to its
/// leaves; parsing has refused unknown keys before this runs).
fn collect_values(
    table: &Table,
    prefix: &str,
    source: Source,
    into: &mut BTreeMap<String, SetValue>,
) {
    for (key, value) in table {
        let path = join(prefix, key);
        match value {
            Value::Table(inner) if !is_known_leaf(&path) => {
                collect_values(inner, &path, source, into);
            }
            _ => {
                into.insert(
                    path,
                    SetValue {
                        value: value.clone(),
                        source,
                    },
                );
            }
        }
    }
}

/// Merges the user's table `over` into the policy's `base`, key by key down to known keys;
/// a key a `locked` entry covers keeps the policy's value and lands in `refused` as
/// (key, entry).
fn merge_into(
    base: &mut Table,
    over: &Table,
    prefix: &str,
    locked: &[String],
    values: &mut BTreeMap<String, SetValue>,
    refused: &mut Vec<(String, String)>,
) {
    for (key, value) in over {
        let path = join(prefix, key);
        if let Some(entry) = lock_covering(locked, &path) {
            // Each refused key by name, so the warning says exactly which lines to remove.
            let mut leaves = BTreeMap::new();
            match value {
                Value::Table(inner) if !is_known_leaf(&path) => {
                    collect_values(inner, &path, Source::User, &mut leaves);
                }
                _ => {
                    leaves.insert(
                        path.clone(),
                        SetValue {
                            value: value.clone(),
                            source: Source::User,
                        },
                    );
                }
            }
            refused.extend(leaves.into_keys().map(|key| (key, entry.to_owned())));
            continue;
        }
        if let Value::Table(inner) = value
            && !is_known_leaf(&path)
        {
            // Walked even when the policy has no such table: a locked key may lie inside.
            let slot = base
                .entry(key.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            if !slot.is_table() {
                *slot = Value::Table(Table::new());
            }
            if let Value::Table(slot) = slot {
                merge_into(slot, inner, &path, locked, values, refused);
            }
            continue;
        }
        values.retain(|k, _| !covers(&path, k));
        values.insert(
            path,
            SetValue {
                value: value.clone(),
                source: Source::User,
            },
        );
        base.insert(key.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(user: Option<&str>, policy: Option<&str>) -> Result<LoadedConfig, ConfigError> {
        LoadedConfig::from_texts(
            Path::new("/home/a/ringside.toml"),
            user,
            Path::new("/etc/ringside/ringside.toml"),
            policy,
        )
    }

    #[test]
    fn the_user_file_is_merged_over_the_policy_key_by_key() {
        let loaded = load(
            Some("[pop]\nopen_on = \"answer\"\n[logging]\nauto_log_after_secs = 30\n"),
            Some("[pop]\nopen_on = \"manual\"\nbaresip = \"127.0.0.1:4444\"\n[logging]\nmode = \"call_log_only\"\n"),
        )
        .expect("valid layers");
        let config = &loaded.config;
        assert_eq!(
            config.pop.open_on,
            crate::pop::settings::PopOpenOn::Answer,
            "an unlocked key: the user's value wins"
        );
        assert_eq!(
            config.pop.baresip.as_deref(),
            Some("127.0.0.1:4444"),
            "a key only the policy sets in the same table is kept (key by key, not table by table)"
        );
        assert_eq!(
            config.logging.mode,
            crate::call_log::LoggingMode::CallLogOnly,
            "a table only the policy sets is kept"
        );
        assert_eq!(config.auto_log.after.as_secs(), 30);
        assert_eq!(loaded.source_of("pop.open_on"), Source::User);
        assert_eq!(loaded.source_of("pop.baresip"), Source::Policy);
        assert_eq!(loaded.source_of("logging.mode"), Source::Policy);
        assert_eq!(loaded.source_of("phone.default_region"), Source::Default);
        assert_eq!(
            loaded.source_of("pop"),
            Source::User,
            "a table set by both counts as the user's"
        );
        assert!(loaded.refused.is_empty(), "nothing locked");
    }

    #[test]
    fn a_locked_key_keeps_the_policy_value_and_the_users_is_refused_naming_both_files() {
        let loaded = load(
            Some("[logging]\nmode = \"task_and_call_log\"\nauto_log_after_secs = 30\n[fields.Contact]\nvisible = [\"Name\"]\n[intents]\nmine = \"Lead.Status\"\n"),
            Some("locked = [\"logging.mode\", \"intents\", \"pop.open_on\"]\n[logging]\nmode = \"call_log_only\"\n[intents]\nqualified = \"Lead.Status\"\n"),
        )
        .expect("a conflict is a warning at load, not a failure");
        assert_eq!(
            loaded.config.logging.mode,
            crate::call_log::LoggingMode::CallLogOnly,
            "the policy's value wins"
        );
        assert_eq!(
            loaded.config.auto_log.after.as_secs(),
            30,
            "an unlocked key in the same table is the user's"
        );
        let intents: Vec<&str> = loaded
            .config
            .intents
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            intents,
            ["qualified"],
            "a locked table takes nothing from the user"
        );
        let refused: Vec<(&str, &str)> = loaded
            .refused
            .iter()
            .map(|c| (c.key.as_str(), c.locked.as_str()))
            .collect();
        assert_eq!(
            refused,
            [
                ("intents.mine", "intents"),
                ("logging.mode", "logging.mode")
            ],
            "each refused key with the entry that locks it"
        );
        let message = loaded.refused[1].to_string();
        assert!(
            message.contains("/home/a/ringside.toml")
                && message.contains("/etc/ringside/ringside.toml")
                && message.contains("logging.mode"),
            "names both files and the key: {message}"
        );
        assert_eq!(loaded.lock_of("intents.qualified"), Some("intents"));
        assert_eq!(
            loaded.lock_of("pop.open_on"),
            Some("pop.open_on"),
            "a key the policy locks without setting keeps the default"
        );
        assert_eq!(loaded.config.pop.open_on, Default::default());
        assert_eq!(loaded.lock_of("pop.baresip"), None);
        assert_eq!(loaded.source_of("fields.Contact.visible"), Source::User);
    }

    #[test]
    fn a_locked_key_inside_a_table_the_policy_does_not_set_is_still_refused() {
        let loaded = load(
            Some("[fields.Contact]\nvisible = [\"Name\", \"Title\", \"Email\"]\neditable = [\"Email\"]\n"),
            Some("locked = [\"fields.Contact.editable\"]\n"),
        )
        .expect("valid");
        let contact = loaded.config.fields.object("Contact").expect("Contact");
        assert_eq!(
            contact.visible,
            ["Name", "Title", "Email"],
            "visible is not locked"
        );
        assert_eq!(
            loaded.refused.len(),
            1,
            "editable is refused although the policy has no [fields]: {:?}",
            loaded.refused
        );
        assert!(
            !contact.is_editable("Email"),
            "the user's editable list is not used (Email is never editable by default)"
        );
    }

    #[test]
    fn locked_entries_must_name_known_keys() {
        for (entry, nearest) in [
            ("loging.mode", Some("logging.mode")),
            ("pop.opn_on", Some("pop.open_on")),
            ("fields.Opportunity", None),
            ("salesforce.client_secret", None),
        ] {
            let err = load(None, Some(&format!("locked = [{entry:?}]\n"))).unwrap_err();
            let ConfigError::Policy(inner) = &err else {
                panic!("a policy problem says it is the policy file: {err}");
            };
            assert!(
                matches!(&**inner, ConfigError::UnknownLockedKey { entry: e, nearest: n, .. } if e == entry && n.as_deref() == nearest),
                "{entry}: {err}"
            );
            let message = err.to_string();
            assert!(
                message.starts_with("/etc/ringside/ringside.toml")
                    && message.contains("ask your admin"),
                "names the policy file and who fixes it: {message}"
            );
        }
        for entry in [
            "logging",
            "logging.call_log",
            "logging.call_log.subject",
            "intents",
            "intents.qualified",
            "fields.Contact",
            "lookup.phone_fields.Lead",
            "salesforce.login_url",
        ] {
            load(None, Some(&format!("locked = [{entry:?}]\n")))
                .unwrap_or_else(|err| panic!("{entry} is a known key or table: {err}"));
        }
        let err = load(None, Some("locked = \"logging.mode\"\n")).unwrap_err();
        assert!(
            err.to_string().contains("must be a list"),
            "a string instead of a list: {err}"
        );
    }

    #[test]
    fn every_known_key_is_one_the_parser_reads() {
        // A drift check: a key listed here but refused by the parser would let an admin
        // lock a key that no file may set.
        for pattern in KNOWN_KEYS {
            let key = pattern.replace('*', "some_intent");
            let (table, leaf) = key.rsplit_once('.').expect("dotted");
            let text = format!("[{table}]\n{leaf} = {{ not_a_value = true }}\n");
            let err = Config::parse(&text, Path::new("t.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                !err.contains("unknown field") && !err.contains("unknown top-level"),
                "{key} is read by the parser: {err}"
            );
        }
    }

    #[test]
    fn every_table_the_parser_reads_can_be_locked() {
        // The other direction of the drift check: a new table (such as `[update]`) must list
        // its keys here, or an admin could not lock them.
        for table in crate::config::KNOWN_TABLES {
            assert!(
                KNOWN_KEYS
                    .iter()
                    .any(|key| key.starts_with(&format!("{table}."))),
                "[{table}] has no lockable keys in KNOWN_KEYS"
            );
        }
    }

    #[test]
    fn errors_name_the_file_they_are_in_or_both_when_only_the_combination_fails() {
        let err = load(Some("[pop]\nopen_on = \"ringing\"\n"), Some("")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/home/a/ringside.toml: [pop] open_on"),
            "the user's file: {err}"
        );
        let err = load(Some(""), Some("[pop]\nopen_on = \"ringing\"\n")).unwrap_err();
        assert!(
            matches!(err, ConfigError::Policy(_))
                && err
                    .to_string()
                    .starts_with("/etc/ringside/ringside.toml: [pop] open_on"),
            "the policy file: {err}"
        );
        // Alone each is fine; together a remote baresip has no allow_remote.
        let err = load(
            Some("[pop]\nbaresip = \"10.0.0.5:4444\"\nbaresip_allow_remote = true\n"),
            Some("locked = [\"pop.baresip_allow_remote\"]\n"),
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(
                "/home/a/ringside.toml (over the policy file /etc/ringside/ringside.toml)"
            ) && message.contains("baresip_allow_remote"),
            "names both files: {message}"
        );
        let err = load(Some("locked = [\"pop\"]\n"), None).unwrap_err();
        assert!(
            matches!(err, ConfigError::LockedOutsidePolicy { .. }),
            "a user's file cannot lock keys: {err}"
        );
    }

    #[test]
    fn no_files_mean_the_defaults_and_no_locks() {
        let loaded = load(None, None).expect("defaults");
        assert_eq!(loaded.config, Config::default());
        assert!(!loaded.policy_present && !loaded.user_present && loaded.locked.is_empty());
        assert_eq!(loaded.source_of("logging.mode"), Source::Default);
    }
}
