//! Ringside's local home (`RINGSIDE_HOME`) and the admin config file
//! `ringside.toml` in it. Parsed once into validated types; the rest of the
//! program never sees raw TOML.
//!
//! Read here: `[phone]`, `[logging]` (mode and call-log API names), `[lookup]`
//! (`object_priority`, `phone_fields.<Object>`), `[pop]` (`open_on`, `keep_loaded_secs`,
//! `event_port`, `baresip`), `[fields.<Object>]` and `[intents]` (see [`crate::field_policy`]);
//! `[salesforce]` (validated by [`crate::signin_settings`], in this same parse); `[update]`
//! (the signed auto-update's key and endpoint, [`crate::update_settings`]); `[outcomes]` (what
//! a disposition also does in Salesforce, [`crate::outcomes`]).
//! Any other top-level key is refused with the nearest known name, and a file larger
//! than [`MAX_CONFIG_BYTES`] is refused before it is parsed.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::call_log::draft::AutoLogPolicy;
use crate::call_log::{CallLogFields, LoggingMode, LoggingSettings};
use crate::field_policy::{FieldPolicy, IntentMap, IntentTarget, ObjectFields};
use crate::lookup::CallerObject;
use crate::outbox::DeadLetterWebhook;
use crate::phone::Region;
use crate::pop::settings::{
    DEFAULT_KEEP_LOADED_SECS, MAX_KEEP_LOADED_SECS, PopOpenOn, PopSettings, validate_host_port,
};
use crate::settings::{CustomPhoneFields, LookupSettings, ObjectPriority};
use crate::signin_settings::SignInSettings;
use crate::update_settings::UpdateSettings;

pub use crate::home_files::CONFIG_FILE;

/// The largest config file Ringside reads: a real one is a few KiB; anything near this is
/// the wrong file (a log, a database) and parsing it would only waste memory.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The policy file's list of keys a user's file cannot change ([`crate::config_policy`]).
pub const LOCKED_KEY: &str = "locked";

/// The top-level tables `ringside.toml` may hold.
pub(crate) const KNOWN_TABLES: [&str; 10] = [
    "phone",
    "logging",
    "lookup",
    "pop",
    "fields",
    "intents",
    "salesforce",
    "update",
    "api",
    "outcomes",
];

/// Where Ringside keeps its local state: `$RINGSIDE_HOME`, else the platform's place for a
/// user's application data: `$XDG_CONFIG_HOME/ringside` or `~/.config/ringside` on Linux,
/// `%APPDATA%\Ringside` on Windows (which usually has no `HOME`), `~/.config/ringside` on macOS.
pub fn ringside_home() -> Option<PathBuf> {
    home_for(HomeRules::THIS_PLATFORM, |name| std::env::var_os(name))
}

/// Which platform's rule [`home_for`] follows. A value, not `cfg!`, so that every platform's
/// rule is tested on the machine that runs the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeRules {
    /// `$XDG_CONFIG_HOME/ringside`, else `$HOME/.config/ringside`.
    Unix,
    /// `%APPDATA%\Ringside` (the roaming profile, where Windows apps keep a user's settings),
    /// else `%USERPROFILE%\AppData\Roaming\Ringside`, else the Unix rule (e.g. under MSYS).
    Windows,
}

impl HomeRules {
    /// The rule of the platform this binary was built for.
    pub const THIS_PLATFORM: HomeRules = if cfg!(windows) {
        HomeRules::Windows
    } else {
        HomeRules::Unix
    };
}

/// Ringside's home under `rules`, reading variables through `var` (empty values count as unset:
/// `RINGSIDE_HOME=` must not make the current directory the home).
pub fn home_for(
    rules: HomeRules,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let from_env = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let unix = || {
        from_env("XDG_CONFIG_HOME")
            .map(|dir| dir.join("ringside"))
            .or_else(|| from_env("HOME").map(|home| home.join(".config").join("ringside")))
    };
    let windows = || {
        from_env("APPDATA")
            .or_else(|| {
                from_env("USERPROFILE").map(|profile| profile.join("AppData").join("Roaming"))
            })
            .map(|roaming| roaming.join("Ringside"))
    };
    from_env("RINGSIDE_HOME").or_else(|| match rules {
        HomeRules::Unix => unix(),
        HomeRules::Windows => windows().or_else(unix),
    })
}

/// A config file that cannot be used. Each says which file and what to fix.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path} does not exist: give the path of an existing ringside.toml")]
    Missing { path: PathBuf },
    #[error(
        "{path} is larger than {} KiB ({size} bytes or more): a ringside.toml is a few KiB, so this is likely the wrong file",
        MAX_CONFIG_BYTES / 1024
    )]
    TooLarge { path: PathBuf, size: u64 },
    /// A top-level key Ringside does not read (a misspelt table would otherwise be ignored).
    #[error(
        "{path}: unknown top-level {kind} [{key}]{}; the known tables are [{}]",
        nearest.map(|n| format!(" (did you mean [{n}]?)")).unwrap_or_default(),
        KNOWN_TABLES.join("], [")
    )]
    UnknownTable {
        path: PathBuf,
        key: String,
        /// `table` or `key`.
        kind: &'static str,
        nearest: Option<&'static str>,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error(
        "{path}: [phone] default_region = {value:?} is not a two-letter region code such as US, GB, JP"
    )]
    InvalidRegion { path: PathBuf, value: String },
    #[error(
        "{path}: [lookup] object_priority = {value} must list \"Contact\", \"Lead\" and \"Account\", each once, e.g. [\"Lead\", \"Contact\", \"Account\"]"
    )]
    InvalidObjectPriority { path: PathBuf, value: String },
    #[error(
        "{path}: [lookup] phone_fields.{object} is unusable: {reason} (objects: Contact, Lead, Account; values: lists of field API names such as [\"Work_Phone__c\"])"
    )]
    InvalidPhoneFields {
        path: PathBuf,
        object: String,
        reason: String,
    },
    /// A `[pop]` value; `key` names it, `reason` says what to write.
    #[error("{path}: [pop] {key} {reason}")]
    InvalidPop {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
    #[error(
        "{path}: [logging] mode = {value:?} is not one of \"task_and_call_log\", \"call_log_only\""
    )]
    InvalidLoggingMode { path: PathBuf, value: String },
    #[error(
        "{path}: [logging] auto_log_after_secs = {value} is out of range: give 1 to 86400 seconds"
    )]
    InvalidAutoLog { path: PathBuf, value: i64 },
    #[error("{path}: [logging] dead_letter_webhook is unusable: {reason}")]
    InvalidWebhook { path: PathBuf, reason: String },
    #[error("{path}: [logging.call_log] {key} = {value:?} is not a Salesforce API name: {reason}")]
    InvalidLoggingName {
        path: PathBuf,
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "{path}: [logging.call_log] {key} and {other} both name the field {value:?}: each would write over the other; give every key its own field"
    )]
    DuplicateLoggingName {
        path: PathBuf,
        key: &'static str,
        other: &'static str,
        value: String,
    },
    /// A `[salesforce]` value (consumer key, login URL, scope profile).
    #[error(transparent)]
    SignIn(#[from] crate::signin_settings::SignInSettingsError),
    /// A `[fields.*]` or `[intents]` entry; `detail` names the table, key and fix.
    #[error("{path}: {detail}")]
    InvalidFieldPolicy { path: PathBuf, detail: String },
    /// An `[update]` value ([`crate::update_settings`]); `key` names it, `reason` the fix.
    #[error("{path}: [update] {key} {reason}")]
    InvalidUpdate {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
    /// `[api] pause_optional_at` outside (0, 1].
    #[error(
        "{path}: [api] pause_optional_at = {value} must be a share of the org's daily API allocation above 0 and at most 1, e.g. 0.9 to pause optional requests at 90 %"
    )]
    InvalidApi { path: PathBuf, value: f64 },
    /// An `[outcomes."<disposition>"]` entry ([`crate::outcomes`]); `key` names the action.
    #[error("{path}: [outcomes.{outcome:?}]{} {reason}", if key.is_empty() { String::new() } else { format!(" {key}") })]
    InvalidOutcome {
        path: PathBuf,
        outcome: String,
        key: String,
        reason: String,
    },
    /// `locked = [...]` in a user's file: only the system policy file locks keys.
    #[error(
        "{path}: `locked` is read only from the system policy file (see `ringside config show` for where it is on this machine); remove it from this file"
    )]
    LockedOutsidePolicy { path: PathBuf },
    /// The policy file's `locked` is not a list of key names.
    #[error(
        "{path}: locked must be a list of dotted key names such as [\"logging.mode\", \"pop.open_on\", \"intents\"]: {detail}"
    )]
    InvalidLocked { path: PathBuf, detail: String },
    /// A `locked` entry that names no key Ringside reads (a typo would lock nothing).
    #[error(
        "{path}: locked entry {entry:?} is not a key Ringside reads{}; write a table (\"pop\") or a dotted key (\"pop.open_on\")",
        nearest.as_ref().map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default()
    )]
    UnknownLockedKey {
        path: PathBuf,
        entry: String,
        nearest: Option<String>,
    },
    /// A problem in the system policy file (read under every user's file on this machine).
    #[error(
        "{0} (this is the system policy file your organisation deploys: ask your admin to fix it)"
    )]
    Policy(Box<ConfigError>),
}

/// The longest idle time before a call is logged anyway: a day.
const MAX_AUTO_LOG_AFTER_SECS: i64 = 86_400;

/// The validated admin config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `[phone] default_region`: how numbers without a country code are read.
    pub default_region: Option<Region>,
    /// `[logging]`: what a logged call writes and under which API names.
    pub logging: LoggingSettings,
    /// `[logging] dead_letter_webhook`: a Slack-compatible URL alerted on each new dead letter.
    pub dead_letter_webhook: Option<DeadLetterWebhook>,
    /// `[logging] auto_log_after_secs`: how long an untouched log form waits before the
    /// call is logged anyway (default 120 s).
    pub auto_log: AutoLogPolicy,
    /// `[lookup] object_priority`: which object's matches the pop lists first.
    pub object_priority: ObjectPriority,
    /// `[lookup] phone_fields.<Object>`: custom phone fields searched besides the standard ones.
    pub phone_fields: CustomPhoneFields,
    /// `[pop]`: when the desktop pop-up opens, the event API's port, baresip's address.
    pub pop: PopSettings,
    /// `[fields.<Object>]`: what agents see and may change.
    pub fields: FieldPolicy,
    /// `[intents]`: the field each intent button writes.
    pub intents: IntentMap,
    /// `[salesforce]`: the sign-in settings (consumer key, login URL, scope profile).
    pub sign_in: SignInSettings,
    /// `[update]`: the organisation's update key and endpoint; `None` when updates are off.
    pub update: Option<UpdateSettings>,
    /// `[api]`: when Ringside pauses optional requests ([`crate::api_usage::governor`]).
    pub api: crate::api_usage::ApiSettings,
    /// `[outcomes."<disposition>"]`: what logging a call with that disposition also does.
    pub outcomes: crate::outcomes::OutcomeActions,
}

impl Config {
    /// Loads the one config file at `path` on its own (no policy file under it):
    /// [`ConfigError::Missing`] if there is none, [`ConfigError::TooLarge`] past
    /// [`MAX_CONFIG_BYTES`] (read no further than that).
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(&read_config_text(path)?, path)
    }

    /// Parses config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::parse_layer(text, path, false)
    }

    /// Parses one file's text; only the policy file (`policy`) may hold `locked`, which is
    /// read by [`crate::config_policy`], not here.
    pub(crate) fn parse_layer(
        text: &str,
        path: &Path,
        policy: bool,
    ) -> Result<Config, ConfigError> {
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_owned(),
                size: text.len() as u64,
            });
        }
        let syntax = |err: toml::de::Error| ConfigError::Syntax {
            path: path.to_owned(),
            message: syntax_message(text, &err),
        };
        let table: toml::Table = toml::from_str(text).map_err(syntax)?;
        check_top_level(&table, path, policy)?;
        let raw: RawConfig = toml::from_str(text).map_err(|err| ConfigError::Syntax {
            path: path.to_owned(),
            message: syntax_message(text, &err),
        })?;
        Config::from_raw(raw, path)
    }

    /// Validates an already merged table (the policy file under the user's,
    /// [`crate::config_policy`]); `path` names both files in messages.
    pub(crate) fn from_table(table: toml::Table, path: &Path) -> Result<Config, ConfigError> {
        check_top_level(&table, path, false)?;
        let raw: RawConfig =
            toml::Value::Table(table)
                .try_into()
                .map_err(|err: toml::de::Error| ConfigError::Syntax {
                    path: path.to_owned(),
                    message: err.message().trim_end().to_owned(),
                })?;
        Config::from_raw(raw, path)
    }

    fn from_raw(raw: RawConfig, path: &Path) -> Result<Config, ConfigError> {
        let default_region = match raw.phone.default_region {
            None => None,
            Some(value) => {
                Some(
                    Region::parse(&value).ok_or_else(|| ConfigError::InvalidRegion {
                        path: path.to_owned(),
                        value: value.clone(),
                    })?,
                )
            }
        };
        let dead_letter_webhook = match &raw.logging.dead_letter_webhook {
            None => None,
            Some(text) => Some(DeadLetterWebhook::parse(text).map_err(|reason| {
                ConfigError::InvalidWebhook {
                    path: path.to_owned(),
                    reason,
                }
            })?),
        };
        let auto_log = match raw.logging.auto_log_after_secs {
            None => AutoLogPolicy::default(),
            Some(secs) if (1..=MAX_AUTO_LOG_AFTER_SECS).contains(&secs) => AutoLogPolicy {
                after: std::time::Duration::from_secs(secs.unsigned_abs()),
            },
            Some(secs) => {
                return Err(ConfigError::InvalidAutoLog {
                    path: path.to_owned(),
                    value: secs,
                });
            }
        };
        let logging = logging_settings(raw.logging, path)?;
        let phone_fields = phone_fields(&raw.lookup, path)?;
        let object_priority = object_priority(raw.lookup, path)?;
        let pop = pop_settings(raw.pop, path)?;
        let policy_error = |detail: String| ConfigError::InvalidFieldPolicy {
            path: path.to_owned(),
            detail,
        };
        let mut fields = FieldPolicy::default();
        for (object, table) in raw.fields {
            let defaults = fields.object(&object).cloned();
            let visible = table
                .visible
                .or_else(|| defaults.as_ref().map(|d| d.visible.clone()))
                .unwrap_or_default();
            // Editable defaults only apply while visible is the default too, so narrowing
            // visible never leaves a default editable field the admin just hid.
            let editable = table.editable.unwrap_or_else(|| {
                defaults
                    .map(|d| {
                        d.editable
                            .into_iter()
                            .filter(|f| visible.iter().any(|v| v.eq_ignore_ascii_case(f)))
                            .collect()
                    })
                    .unwrap_or_default()
            });
            fields
                .set(&object, ObjectFields { visible, editable })
                .map_err(policy_error)?;
        }
        let sign_in = SignInSettings::from_raw(raw.salesforce, path)?;
        let update = match raw.update {
            None => None,
            Some(table) => crate::update_settings::from_raw(table).map_err(|(key, reason)| {
                ConfigError::InvalidUpdate {
                    path: path.to_owned(),
                    key,
                    reason,
                }
            })?,
        };
        let mut api = crate::api_usage::ApiSettings::default();
        if let Some(value) = raw.api.pause_optional_at {
            // NaN fails both comparisons.
            if !(value > 0.0 && value <= 1.0) {
                return Err(ConfigError::InvalidApi {
                    path: path.to_owned(),
                    value,
                });
            }
            api.pause_optional_at = value;
        }
        let intents = match raw.intents {
            None => IntentMap::default(),
            Some(table) => IntentMap::from_targets(
                table
                    .into_iter()
                    .map(|(name, raw)| {
                        let (target, value) = match raw {
                            RawIntent::Target(target) => (target, None),
                            RawIntent::Table(table) => (table.field, table.value),
                        };
                        IntentTarget::parse(&name, &target).map(|t| t.with_value(value))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(policy_error)?,
            ),
        };
        let outcomes = crate::outcomes::OutcomeActions::from_tables(raw.outcomes).map_err(|e| {
            ConfigError::InvalidOutcome {
                path: path.to_owned(),
                outcome: e.outcome,
                key: e.key,
                reason: e.reason,
            }
        })?;
        Ok(Config {
            outcomes,
            default_region,
            logging,
            dead_letter_webhook,
            auto_log,
            object_priority,
            phone_fields,
            pop,
            fields,
            intents,
            sign_in,
            update,
            api,
        })
    }

    /// Lookup settings: the configured region, else the OS locale's, else US.
    pub fn lookup_settings(&self) -> LookupSettings {
        let settings = match self.default_region {
            Some(region) => LookupSettings::with_region(region),
            None => LookupSettings::from_environment(),
        };
        settings
            .with_object_priority(self.object_priority)
            .with_phone_fields(self.phone_fields.clone())
            .with_api_settings(self.api)
    }
}

/// The text of the config file at `path`: [`ConfigError::Missing`] if there is none,
/// [`ConfigError::TooLarge`] past [`MAX_CONFIG_BYTES`] (read no further than that).
pub(crate) fn read_config_text(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let read_err = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ConfigError::Missing {
                path: path.to_owned(),
            }
        } else {
            ConfigError::Read {
                path: path.to_owned(),
                source,
            }
        }
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not UTF-8 text",
        ))
    })?;
    Ok(text)
}

/// Refuses a top-level key Ringside does not read; `locked` only in the policy file.
fn check_top_level(table: &toml::Table, path: &Path, policy: bool) -> Result<(), ConfigError> {
    for (key, value) in table {
        if KNOWN_TABLES.contains(&key.as_str()) || (policy && key == LOCKED_KEY) {
            continue;
        }
        if key == LOCKED_KEY {
            return Err(ConfigError::LockedOutsidePolicy {
                path: path.to_owned(),
            });
        }
        return Err(ConfigError::UnknownTable {
            path: path.to_owned(),
            key: key.clone(),
            kind: if value.is_table() { "table" } else { "key" },
            nearest: nearest_table(key),
        });
    }
    Ok(())
}

/// The known table a misspelt one most likely meant (at most two edits away, or a
/// case-insensitive match).
fn nearest_table(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    KNOWN_TABLES
        .iter()
        .map(|known| (edit_distance(&key, known), *known))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Levenshtein distance (the keys are a few ASCII letters).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `[lookup] phone_fields.<Object> = ["Field__c", …]`.
fn phone_fields(raw: &RawLookup, path: &Path) -> Result<CustomPhoneFields, ConfigError> {
    let mut fields = CustomPhoneFields::default();
    for (object, names) in raw.phone_fields.iter().flatten() {
        let invalid = |reason: String| ConfigError::InvalidPhoneFields {
            path: path.to_owned(),
            object: object.clone(),
            reason,
        };
        let caller_object = match object.as_str() {
            "Contact" => CallerObject::Contact,
            "Lead" => CallerObject::Lead,
            "Account" => CallerObject::Account,
            _ => {
                return Err(invalid(
                    "Ringside pops Contacts, Leads and Accounts only".into(),
                ));
            }
        };
        fields.set(caller_object, names).map_err(invalid)?;
    }
    Ok(fields)
}

/// `[pop]`: `open_on`, `keep_loaded_secs`, `event_port`, `baresip`.
fn pop_settings(raw: RawPop, path: &Path) -> Result<PopSettings, ConfigError> {
    let invalid = |key, reason: String| ConfigError::InvalidPop {
        path: path.to_owned(),
        key,
        reason,
    };
    let open_on = match raw.open_on {
        None => PopOpenOn::default(),
        Some(value) => PopOpenOn::parse(&value).ok_or_else(|| {
            invalid(
                "open_on",
                format!("= {value:?} is not one of \"ring\", \"answer\", \"manual\""),
            )
        })?,
    };
    let keep_loaded_secs = match raw.keep_loaded_secs {
        None => DEFAULT_KEEP_LOADED_SECS,
        Some(secs) => u32::try_from(secs)
            .ok()
            .filter(|secs| *secs <= MAX_KEEP_LOADED_SECS)
            .ok_or_else(|| {
                invalid(
                    "keep_loaded_secs",
                    format!(
                        "= {secs} is out of range: give 0 (close a dismissed pop-up at once) to {MAX_KEEP_LOADED_SECS} seconds"
                    ),
                )
            })?,
    };
    let event_port = match raw.event_port {
        None | Some(0) => None,
        Some(port) => Some(u16::try_from(port).map_err(|_| {
            invalid(
                "event_port",
                format!("= {port} is not a port from 1 to 65535 (leave it out to pick a free one)"),
            )
        })?),
    };
    let baresip = match raw.baresip {
        None => None,
        Some(address) => {
            let address = address.trim();
            validate_host_port(address)
                .map_err(|reason| invalid("baresip", format!("= {address:?}: {reason}")))?;
            // ctrl_tcp is unauthenticated plain text and takes `dial`: anyone on the path
            // can listen to call events or place calls. Remote only when the admin says so.
            if !is_loopback_address(address) && raw.baresip_allow_remote != Some(true) {
                return Err(invalid(
                    "baresip",
                    format!(
                        "= {address:?} is not on this machine: baresip's ctrl_tcp is unauthenticated plain text that can place calls, so use 127.0.0.1:PORT (an SSH tunnel reaches a remote baresip), or set [pop] baresip_allow_remote = true if the network between them is trusted"
                    ),
                ));
            }
            Some(address.to_owned())
        }
    };
    Ok(PopSettings {
        open_on,
        keep_loaded_secs,
        event_port,
        baresip,
    })
}

/// `127.0.0.1:4444`, `localhost:4444`, `[::1]:4444` (a `host:port` already validated).
fn is_loopback_address(address: &str) -> bool {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `[lookup] object_priority`: a permutation of Contact, Lead, Account.
fn object_priority(raw: RawLookup, path: &Path) -> Result<ObjectPriority, ConfigError> {
    let Some(names) = raw.object_priority else {
        return Ok(ObjectPriority::default());
    };
    let invalid = || ConfigError::InvalidObjectPriority {
        path: path.to_owned(),
        value: format!("{names:?}"),
    };
    let objects: Vec<CallerObject> = names
        .iter()
        .map(|name| match name.as_str() {
            "Contact" => Ok(CallerObject::Contact),
            "Lead" => Ok(CallerObject::Lead),
            "Account" => Ok(CallerObject::Account),
            _ => Err(invalid()),
        })
        .collect::<Result<_, _>>()?;
    let order: [CallerObject; 3] = objects.try_into().map_err(|_| invalid())?;
    ObjectPriority::new(order).ok_or_else(invalid)
}

/// The TOML error with the line it points at, so a wrong type names its key
/// (`message()` alone says "invalid type: integer" without saying where).
fn syntax_message(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end().to_owned();
    let Some(span) = err.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or_default().trim();
    if line.is_empty() {
        message
    } else {
        format!("{message} (line {line_no}: {line})")
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    phone: RawPhone,
    #[serde(default)]
    logging: RawLogging,
    #[serde(default)]
    lookup: RawLookup,
    #[serde(default)]
    pop: RawPop,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, RawObjectFields>,
    intents: Option<std::collections::BTreeMap<String, RawIntent>>,
    #[serde(default)]
    salesforce: crate::signin_settings::RawSalesforce,
    update: Option<crate::update_settings::RawUpdate>,
    #[serde(default)]
    api: RawApi,
    #[serde(default)]
    outcomes: std::collections::BTreeMap<String, toml::Table>,
}

/// `[api]`: the API budget.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApi {
    pause_optional_at: Option<f64>,
}

/// One `[intents]` entry: `"Object.Field"` or `{ field = "Object.Field", value = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "\"Object.Field\" or { field = \"Object.Field\", value = \"…\" }"
)]
enum RawIntent {
    Target(String),
    Table(RawIntentTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntentTable {
    field: String,
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjectFields {
    visible: Option<Vec<String>>,
    editable: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLookup {
    object_priority: Option<Vec<String>>,
    phone_fields: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPop {
    open_on: Option<String>,
    keep_loaded_secs: Option<i64>,
    // Wider than u16 so 70000 gets the port message rather than a bare type error.
    event_port: Option<i64>,
    baresip: Option<String>,
    /// Accept a `baresip` address off this machine (plain-text control that can dial).
    baresip_allow_remote: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogging {
    mode: Option<String>,
    dead_letter_webhook: Option<String>,
    auto_log_after_secs: Option<i64>,
    #[serde(default)]
    call_log: RawCallLogNames,
}

/// Each key overrides one default name of [`CallLogFields`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCallLogNames {
    object: Option<String>,
    external_id: Option<String>,
    direction: Option<String>,
    duration: Option<String>,
    from_number: Option<String>,
    to_number: Option<String>,
    started_at: Option<String>,
    dialed_at: Option<String>,
    answered_at: Option<String>,
    ended_at: Option<String>,
    ring_seconds: Option<String>,
    recording_url: Option<String>,
    summary: Option<String>,
    key_topics: Option<String>,
    memo: Option<String>,
    disposition: Option<String>,
    subject: Option<String>,
    notes: Option<String>,
    contact: Option<String>,
    lead: Option<String>,
    account: Option<String>,
    opportunity: Option<String>,
    case: Option<String>,
    task_lookup: Option<String>,
}

/// The `[logging.call_log]` keys that may be set to `""`: that field is then not written.
pub use crate::call_log::mapping::OPTIONAL_CALL_LOG_KEYS;

fn logging_settings(raw: RawLogging, path: &Path) -> Result<LoggingSettings, ConfigError> {
    let mode = match raw.mode {
        None => LoggingMode::default(),
        Some(value) => {
            LoggingMode::parse(&value).ok_or_else(|| ConfigError::InvalidLoggingMode {
                path: path.to_owned(),
                value: value.clone(),
            })?
        }
    };
    let n = raw.call_log;
    let d = CallLogFields::default();
    let call_log = CallLogFields {
        object: n.object.unwrap_or(d.object),
        external_id: n.external_id.unwrap_or(d.external_id),
        direction: n.direction.unwrap_or(d.direction),
        duration: n.duration.unwrap_or(d.duration),
        from_number: n.from_number.unwrap_or(d.from_number),
        to_number: n.to_number.unwrap_or(d.to_number),
        started_at: n.started_at.unwrap_or(d.started_at),
        dialed_at: n.dialed_at.unwrap_or(d.dialed_at),
        answered_at: n.answered_at.unwrap_or(d.answered_at),
        ended_at: n.ended_at.unwrap_or(d.ended_at),
        ring_seconds: n.ring_seconds.unwrap_or(d.ring_seconds),
        recording_url: n.recording_url.unwrap_or(d.recording_url),
        summary: n.summary.unwrap_or(d.summary),
        key_topics: n.key_topics.unwrap_or(d.key_topics),
        memo: n.memo.unwrap_or(d.memo),
        disposition: n.disposition.unwrap_or(d.disposition),
        subject: n.subject.unwrap_or(d.subject),
        notes: n.notes.unwrap_or(d.notes),
        contact: n.contact.unwrap_or(d.contact),
        lead: n.lead.unwrap_or(d.lead),
        account: n.account.unwrap_or(d.account),
        opportunity: n.opportunity.unwrap_or(d.opportunity),
        case: n.case.unwrap_or(d.case),
        task_lookup: n.task_lookup.unwrap_or(d.task_lookup),
    };
    for (key, value) in call_log.named() {
        // An empty timing name turns that field off (an org set up before it existed).
        if value.is_empty() && OPTIONAL_CALL_LOG_KEYS.contains(&key) {
            continue;
        }
        salesforce::validate_api_name(key, value).map_err(|err| {
            ConfigError::InvalidLoggingName {
                path: path.to_owned(),
                key,
                value: value.to_owned(),
                reason: err.to_string(),
            }
        })?;
    }
    // Two keys on one field would write over each other in the same upsert. Only the
    // fields this mode writes count: task mode never writes `subject`/`notes`, so an older
    // config using `Notes__c` as its summary stays valid until it switches modes.
    let mut seen: Vec<(&'static str, &str)> = Vec::new();
    for (key, value) in call_log.named() {
        if matches!(key, "object" | "task_lookup")
            || (mode.writes_task() && matches!(key, "subject" | "notes"))
            || value.is_empty()
        {
            continue;
        }
        if let Some((other, _)) = seen.iter().find(|(_, v)| v.eq_ignore_ascii_case(value)) {
            return Err(ConfigError::DuplicateLoggingName {
                path: path.to_owned(),
                key,
                other,
                value: value.to_owned(),
            });
        }
        seen.push((key, value));
    }
    Ok(LoggingSettings { mode, call_log })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhone {
    default_region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("ringside.toml"))
    }

    fn env<'a>(
        pairs: &'a [(&'a str, &'a str)],
    ) -> impl Fn(&str) -> Option<std::ffi::OsString> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| std::ffi::OsString::from(value))
        }
    }

    #[test]
    fn ringside_home_wins_on_every_platform() {
        for rules in [HomeRules::Unix, HomeRules::Windows] {
            let vars = [
                ("RINGSIDE_HOME", "/srv/desk"),
                ("APPDATA", r"C:\Users\ayse\AppData\Roaming"),
                ("HOME", "/home/ayse"),
            ];
            assert_eq!(
                home_for(rules, env(&vars)),
                Some(PathBuf::from("/srv/desk")),
                "{rules:?}: an explicit RINGSIDE_HOME is the home, as DESIGN §6 promises"
            );
        }
    }

    #[test]
    fn windows_keeps_state_under_appdata_without_a_home_variable() {
        let vars = [("APPDATA", r"C:\Users\ayse\AppData\Roaming")];
        assert_eq!(
            home_for(HomeRules::Windows, env(&vars)),
            Some(PathBuf::from(r"C:\Users\ayse\AppData\Roaming").join("Ringside")),
            "Windows has no HOME: the roaming application-data folder is the default"
        );
        let vars = [("USERPROFILE", r"C:\Users\ayse")];
        assert_eq!(
            home_for(HomeRules::Windows, env(&vars)),
            Some(
                PathBuf::from(r"C:\Users\ayse")
                    .join("AppData")
                    .join("Roaming")
                    .join("Ringside")
            ),
            "without APPDATA the profile's own AppData\\Roaming is used"
        );
        let vars = [("HOME", "/home/ayse")];
        assert_eq!(
            home_for(HomeRules::Windows, env(&vars)),
            Some(PathBuf::from("/home/ayse/.config/ringside")),
            "a Windows shell with only HOME (MSYS, Cygwin) falls back to the Unix place"
        );
        assert_eq!(
            home_for(HomeRules::Windows, env(&[])),
            None,
            "no variable at all: no home, so the caller says so instead of guessing"
        );
    }

    #[test]
    fn unix_uses_xdg_then_home_and_ignores_appdata() {
        let vars = [
            ("XDG_CONFIG_HOME", "/home/jane/.cfg"),
            ("HOME", "/home/jane"),
        ];
        assert_eq!(
            home_for(HomeRules::Unix, env(&vars)),
            Some(PathBuf::from("/home/jane/.cfg/ringside"))
        );
        let vars = [("HOME", "/home/jane"), ("APPDATA", "/wine/appdata")];
        assert_eq!(
            home_for(HomeRules::Unix, env(&vars)),
            Some(PathBuf::from("/home/jane/.config/ringside")),
            "APPDATA (set by Wine or a stray export) is not the Unix home"
        );
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let vars = [
            ("RINGSIDE_HOME", ""),
            ("APPDATA", ""),
            ("XDG_CONFIG_HOME", ""),
            ("HOME", "/home/jane"),
        ];
        for rules in [HomeRules::Unix, HomeRules::Windows] {
            assert_eq!(
                home_for(rules, env(&vars)),
                Some(PathBuf::from("/home/jane/.config/ringside")),
                "{rules:?}: an empty RINGSIDE_HOME= must not make the current directory the home"
            );
        }
    }

    #[test]
    fn region_is_read_and_other_tables_are_left_alone() {
        let config =
            parse("[phone]\ndefault_region = \"jp\"\n[intents]\nqualified = \"Lead.Status\"\n")
                .expect("valid config");
        assert_eq!(
            config.default_region,
            Region::parse("JP"),
            "region read case-insensitively"
        );
    }

    #[test]
    fn bad_values_name_the_file_and_the_fix() {
        let err = parse("[phone]\ndefault_region = \"Japan\"").unwrap_err();
        assert!(
            err.to_string().contains("two-letter region"),
            "says what to write: {err}"
        );
        let err = parse("[phone\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ringside.toml is not valid TOML"),
            "{err}"
        );
        let err = parse("[phone]\nregion = \"JP\"").unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { .. }),
            "unknown key in [phone] refused: {err}"
        );
    }

    #[test]
    fn auto_log_after_secs_sets_the_idle_time_and_refuses_nonsense() {
        assert_eq!(
            parse("").expect("empty config").auto_log.after,
            std::time::Duration::from_secs(120),
            "two minutes by default"
        );
        let config = parse("[logging]\nauto_log_after_secs = 2").expect("a short idle time");
        assert_eq!(config.auto_log.after, std::time::Duration::from_secs(2));
        for bad in ["0", "-5", "86401"] {
            let err = parse(&format!("[logging]\nauto_log_after_secs = {bad}")).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidAutoLog { .. }),
                "{bad} is refused with the range: {err}"
            );
        }
    }

    #[test]
    fn logging_table_sets_mode_and_names_and_refuses_bad_ones() {
        let config = parse(
            "[logging]\nmode = \"call_log_only\"\n[logging.call_log]\nobject = \"Phone_Call__c\"\n",
        )
        .expect("valid logging table");
        assert_eq!(config.logging.mode, LoggingMode::CallLogOnly);
        assert_eq!(config.logging.call_log.object, "Phone_Call__c");
        assert_eq!(
            config.logging.call_log.external_id, "External_Id__c",
            "names not given keep their defaults"
        );
        assert_eq!(
            (
                config.logging.call_log.subject.as_str(),
                config.logging.call_log.notes.as_str()
            ),
            ("Subject__c", "Notes__c"),
            "the call log's subject and notes fields default to DESIGN §4's names"
        );
        let config =
            parse("[logging.call_log]\nsubject = \"Betreff__c\"\nnotes = \"Notizen__c\"\n")
                .expect("subject and notes names are configurable");
        assert_eq!(config.logging.call_log.subject, "Betreff__c");
        assert_eq!(config.logging.call_log.notes, "Notizen__c");
        let err = parse("[logging.call_log]\nnotes = \"Notes; DROP\"").unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidLoggingName { key: "notes", .. }),
            "the notes name is checked like the others: {err}"
        );
        let err = parse(
            "[logging]\nmode = \"call_log_only\"\n[logging.call_log]\nnotes = \"summary__C\"\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::DuplicateLoggingName {
                    key: "notes",
                    other: "summary",
                    ..
                }
            ),
            "two keys on one field would write over each other: {err}"
        );
        parse("[logging.call_log]\nsummary = \"Notes__c\"\n")
            .expect("task mode never writes the notes field, so an older config keeps working");
        let err = parse("[logging]\nmode = \"both\"").unwrap_err();
        assert!(
            err.to_string().contains("task_and_call_log"),
            "names the allowed modes: {err}"
        );
        let err = parse("[logging.call_log]\nsummary = \"Summary c\"").unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidLoggingName { key: "summary", .. }),
            "a space is not in an API name: {err}"
        );
        let config = parse("[logging]\ndead_letter_webhook = \"https://hooks.example.com/T/B/x\"")
            .expect("an https webhook is accepted");
        assert!(config.dead_letter_webhook.is_some());
        let err =
            parse("[logging]\ndead_letter_webhook = \"http://hooks.example.com/x\"").unwrap_err();
        assert!(
            !err.to_string().contains("hooks.example.com"),
            "the webhook URL is a secret and stays out of the message: {err}"
        );
        let err = parse("[logging.call_log]\nsumary = \"X__c\"").unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { .. }),
            "a misspelt key is refused: {err}"
        );
    }

    #[test]
    fn lookup_object_priority_is_validated_at_parse_time() {
        let config = parse("[lookup]\nobject_priority = [\"Lead\", \"Account\", \"Contact\"]\n")
            .expect("a permutation is valid");
        assert_eq!(
            config.lookup_settings().object_priority.order(),
            [
                CallerObject::Lead,
                CallerObject::Account,
                CallerObject::Contact
            ],
            "the admin's order reaches the lookup settings"
        );
        assert_eq!(
            parse("").expect("empty config").object_priority,
            ObjectPriority::default(),
            "default Contact > Lead > Account"
        );
        for bad in [
            "[\"Lead\", \"Lead\", \"Account\"]",
            "[\"Contact\", \"Lead\"]",
            "[\"Contact\", \"Lead\", \"Account\", \"Case\"]",
            "[\"contact\", \"Lead\", \"Account\"]",
        ] {
            let err = parse(&format!("[lookup]\nobject_priority = {bad}")).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidObjectPriority { .. })
                    && err.to_string().contains("each once"),
                "{bad} is refused with the fix: {err}"
            );
        }
        let err = parse("[lookup]\npriority = []").unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { .. }),
            "unknown key in [lookup] refused: {err}"
        );
    }

    #[test]
    fn fields_and_intents_are_parsed_and_bad_ones_named() {
        let config = parse(
            "[fields.Contact]\nvisible = [\"Name\", \"Title\", \"Email\"]\neditable = [\"Title\", \"Email\"]\n[fields.Lead]\nvisible = [\"Name\"]\n[intents]\nqualified = \"Lead.Status\"\n",
        )
        .expect("valid fields and intents");
        let contact = config.fields.object("Contact").expect("Contact configured");
        assert!(
            contact.is_editable("Email"),
            "Email is editable once listed"
        );
        assert!(
            config.fields.object("Lead").unwrap().editable.is_empty(),
            "narrowing visible drops default editable fields that are no longer visible"
        );
        assert_eq!(
            config.intents.iter().count(),
            1,
            "[intents] replaces the defaults"
        );
        assert_eq!(
            parse("").unwrap().intents.iter().count(),
            3,
            "default intents"
        );
        for (text, needle) in [
            (
                "[fields.Contact]\nvisble = [\"Name\"]",
                "unknown field `visble`",
            ),
            (
                "[fields.Contact]\nvisible = \"Name\"",
                "line 2: visible = \"Name\"",
            ),
            ("[intents]\nqualified = 3", "line 2: qualified = 3"),
            (
                "[fields.Opportunity]\nvisible = [\"Name\"]",
                "Contact, Lead, Account",
            ),
            (
                "[fields.Contact]\nvisible = [\"Name\"]\neditable = [\"Title\"]",
                "not in visible",
            ),
            (
                "[intents]\nqualified = \"LeadStatus\"",
                "[intents] qualified",
            ),
            (
                "[fields.Contact]\nvisible = [\"Bad Name\"]",
                "[fields.Contact] visible",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.starts_with("ringside.toml"),
                "{text:?} → {err}"
            );
        }
    }

    #[test]
    fn phone_fields_are_read_per_object_and_bad_ones_named() {
        let config = parse("[lookup]\nphone_fields.Contact = [\"Work_Phone__c\"]\nphone_fields.Lead = [\"Direct__c\"]\n")
            .expect("valid phone fields");
        let settings = config.lookup_settings();
        assert_eq!(
            settings.phone_fields.of(CallerObject::Contact),
            ["Work_Phone__c".to_owned()],
            "the Contact's custom field reaches the lookup settings"
        );
        assert_eq!(
            settings.phone_fields.of(CallerObject::Lead),
            ["Direct__c".to_owned()]
        );
        for (text, needle) in [
            (
                "[lookup]\nphone_fields.Case = [\"X__c\"]",
                "phone_fields.Case",
            ),
            (
                "[lookup]\nphone_fields.Contact = [\"Work Phone\"]",
                "phone_fields.Contact",
            ),
            (
                "[lookup]\nphone_fields.Contact = \"Work_Phone__c\"",
                "line 2: phone_fields.Contact",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?} → {err}");
        }
    }

    #[test]
    fn pop_table_is_validated_and_names_the_key() {
        assert_eq!(
            parse("").expect("empty").pop,
            PopSettings::default(),
            "no [pop]: open on ring, any free port, no baresip"
        );
        let config = parse(
            "[pop]\nopen_on = \"answer\"\nkeep_loaded_secs = 0\nevent_port = 47123\nbaresip = \"127.0.0.1:4444\"\n",
        )
        .expect("valid [pop]");
        assert_eq!(
            config.pop,
            PopSettings {
                open_on: PopOpenOn::Answer,
                keep_loaded_secs: 0,
                event_port: Some(47123),
                baresip: Some("127.0.0.1:4444".into()),
            }
        );
        for (text, needle) in [
            ("[pop]\nopen_on = \"ringing\"", "[pop] open_on"),
            ("[pop]\nopen_on = 1", "line 2: open_on = 1"),
            ("[pop]\nevent_port = 70000", "[pop] event_port"),
            ("[pop]\nkeep_loaded_secs = -1", "[pop] keep_loaded_secs"),
            ("[pop]\nkeep_loaded_secs = 86401", "[pop] keep_loaded_secs"),
            (
                "[pop]\nkeep_loaded_secs = \"5m\"",
                "line 2: keep_loaded_secs",
            ),
            ("[pop]\nevent_port = \"4444\"", "line 2: event_port"),
            ("[pop]\nbaresip = \"127.0.0.1\"", "[pop] baresip"),
            ("[pop]\nbaresip = 4444", "line 2: baresip"),
            ("[pop]\nbaresip_port = 4444", "unknown field `baresip_port`"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.starts_with("ringside.toml"),
                "{text:?} → {err}"
            );
        }
    }

    #[test]
    fn an_intent_may_carry_a_fixed_value_and_a_misspelt_key_is_refused() {
        let config = parse(
            "[intents]\nnurture = { field = \"Lead.Status\", value = \"Qualified\" }\nstage = \"Lead.Status\"\n",
        )
        .expect("both intent forms parse");
        let nurture = config.intents.get("nurture").expect("nurture");
        assert_eq!(
            (nurture.field.as_str(), nurture.value.as_deref()),
            ("Status", Some("Qualified")),
            "the table form gives the field and its fixed value"
        );
        assert_eq!(
            config.intents.get("stage").and_then(|i| i.value.clone()),
            None,
            "the string form lets the field's type decide"
        );
        let err =
            parse("[intents]\nnurture = { field = \"Lead.Status\", valeu = \"x\" }").unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { .. }) && err.to_string().contains("line 2"),
            "a misspelt key in an intent table is refused with its line: {err}"
        );
    }

    #[test]
    fn the_salesforce_table_is_read_in_the_same_parse() {
        let config = parse("[salesforce]\nclient_id = \"3MVGkey\"\nscope_profile = \"extended\"\n")
            .expect("valid [salesforce]");
        assert_eq!(config.sign_in.client_id.as_deref(), Some("3MVGkey"));
        assert_eq!(
            config.sign_in.scope_profile,
            Some(salesforce::oauth::ScopeProfile::Extended),
            "one read of the file gives the sign-in settings too"
        );
        let err = parse("[salesforce]\nlogin_url = \"http://login.salesforce.com\"").unwrap_err();
        assert!(
            matches!(err, ConfigError::SignIn(_)) && err.to_string().contains("[salesforce]"),
            "a bad sign-in value is a config error naming its table: {err}"
        );
        let err = parse("[salesforce]\nclient_secret = \"x\"").unwrap_err();
        assert!(
            err.to_string().contains("client_secret"),
            "an unknown key (a secret has no place here) is refused: {err}"
        );
    }

    #[test]
    fn api_pause_optional_at_defaults_to_0_9_and_is_refused_outside_0_to_1() {
        assert_eq!(parse("").unwrap().api.pause_optional_at, 0.9);
        assert_eq!(
            parse("[api]\npause_optional_at = 0.75\n")
                .unwrap()
                .api
                .pause_optional_at,
            0.75
        );
        assert_eq!(
            parse("[api]\npause_optional_at = 0.75\n")
                .unwrap()
                .lookup_settings()
                .api
                .pause_optional_at,
            0.75,
            "every lookup built from the config (CLI and desktop) obeys the admin's threshold"
        );
        assert_eq!(
            parse("[api]\npause_optional_at = 1\n")
                .ok()
                .map(|c| c.api.pause_optional_at),
            Some(1.0),
            "1 (pause only when used up) is allowed, written as an integer too"
        );
        for bad in ["0.0", "-0.5", "1.5", "nan"] {
            let err = parse(&format!("[api]\npause_optional_at = {bad}\n"))
                .expect_err("outside (0, 1] is refused");
            assert!(
                matches!(err, ConfigError::InvalidApi { .. })
                    && err.to_string().contains("[api] pause_optional_at"),
                "names the key and the fix: {err}"
            );
        }
        let err = parse("[api]\npause_at = 0.5\n").unwrap_err();
        assert!(
            err.to_string().contains("pause_at"),
            "an unknown [api] key is named: {err}"
        );
    }

    #[test]
    fn update_table_is_read_and_plain_http_off_loopback_is_refused() {
        // A public key from `tauri signer generate` (its private half was thrown away).
        let key = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDk5MzA4NTVDMDZBMUQ4NjYKUldSbTJLRUdYSVV3bVpFbWhaOTQzakN0eEpURFAzWTVPOG9paEVlaUNFaVBSQ2daMnRZaHZYWm8K";
        let config = parse(&format!(
            "[update]\npubkey = \"{key}\"\nendpoint = \"https://u.example.com/latest.json\"\n"
        ))
        .unwrap();
        let update = config
            .update
            .expect("[update] with a key and an endpoint turns updates on");
        assert_eq!(update.pubkey.as_str(), key);
        assert_eq!(
            update.endpoint.url().as_str(),
            "https://u.example.com/latest.json"
        );
        assert_eq!(
            parse("").unwrap().update,
            None,
            "no [update]: no update checks"
        );
        let err = parse(&format!(
            "[update]\npubkey = \"{key}\"\nendpoint = \"http://u.example.com/latest.json\"\n"
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidUpdate {
                    key: "endpoint",
                    ..
                }
            ),
            "plain http off loopback is refused when the config is read: {err}"
        );
        assert!(err.to_string().contains("[update] endpoint"), "{err}");
        let err = parse("[update]\npubkey = \"x\"\nendpoint = \"https://u.example.com/l.json\"\nchannel = \"beta\"\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("channel"),
            "an unknown [update] key is named, not ignored: {err}"
        );
    }

    #[test]
    fn outcomes_are_read_and_a_bad_one_names_the_file_the_outcome_and_the_key() {
        let config = parse(
            "[outcomes.\"Demo booked\"]\nlead = { Status = \"Working - Contacted\" }\nfollow_up = { kind = \"Task\", subject = \"Call back about {subject}\", in_days = 1 }\n",
        )
        .expect("a valid outcome");
        assert_eq!(
            config
                .outcomes
                .get("Demo booked")
                .map(crate::outcomes::Outcome::actions),
            Some(vec![
                crate::outcomes::ActionName::Lead,
                crate::outcomes::ActionName::FollowUp
            ]),
            "the outcome's actions are part of the one parse"
        );
        let message = parse("[outcomes.Qualified]\nchatter = \"Qualified by {agnet}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("ringside.toml: [outcomes.\"Qualified\"] chatter uses {agnet}"),
            "names the file, the outcome and the key, and says why: {message}"
        );
        let message = parse("[outcomes.Qualified]\nopportunity = { StageName = \"{stage}\" }\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("[outcomes.\"Qualified\"] opportunity") && message.contains("{stage}"),
            "an unknown placeholder is a config error naming the key: {message}"
        );
    }

    #[test]
    fn unknown_top_level_table_is_refused_with_the_nearest_name() {
        let err = parse("[intent]\nqualified = \"Lead.Status\"\n").unwrap_err();
        assert!(
            matches!(&err, ConfigError::UnknownTable { key, nearest: Some("intents"), .. } if key == "intent"),
            "[intent] is not silently ignored: {err}"
        );
        let message = err.to_string();
        assert!(
            message.contains("[intent]") && message.contains("did you mean [intents]?"),
            "names the table and the fix: {message}"
        );
        let err = parse("defualt_region = \"GB\"\n").unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::UnknownTable {
                    kind: "key",
                    nearest: None,
                    ..
                }
            ),
            "a stray top-level key is refused too: {err}"
        );
        assert!(
            parse("[Fields.Contact]\nvisible = [\"Name\"]\n")
                .unwrap_err()
                .to_string()
                .contains("did you mean [fields]?"),
            "table names are case-sensitive; the hint says which was meant"
        );
    }

    #[test]
    fn oversized_config_file_is_refused_before_parsing() {
        let dir = std::env::temp_dir().join(format!("ringside-config-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut text = String::from("[phone]\ndefault_region = \"GB\"\n");
        text.push_str(&"# padding\n".repeat(120_000));
        std::fs::write(dir.join(CONFIG_FILE), &text).expect("written");
        let err = Config::load_from_home(&dir).unwrap_err();
        assert!(
            matches!(err, ConfigError::TooLarge { .. }) && err.to_string().contains("1024 KiB"),
            "a 1.2 MB file is refused with the limit: {err}"
        );
        assert!(
            matches!(parse(&text), Err(ConfigError::TooLarge { .. })),
            "text handed to parse is capped too"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn remote_baresip_is_refused_unless_allowed() {
        for address in [
            "10.0.0.5:4444",
            "pbx.example.com:4444",
            "[2001:db8::1]:4444",
        ] {
            let err = parse(&format!("[pop]\nbaresip = \"{address}\"\n")).unwrap_err();
            let message = err.to_string();
            assert!(
                matches!(err, ConfigError::InvalidPop { key: "baresip", .. })
                    && message.contains("baresip_allow_remote = true"),
                "{address}: plain-text control off this machine needs an explicit yes: {message}"
            );
        }
        for address in [
            "127.0.0.1:4444",
            "localhost:4444",
            "[::1]:4444",
            "127.0.0.2:4444",
        ] {
            assert!(
                parse(&format!("[pop]\nbaresip = \"{address}\"\n")).is_ok(),
                "{address} is this machine"
            );
        }
        let config = parse("[pop]\nbaresip = \"10.0.0.5:4444\"\nbaresip_allow_remote = true\n")
            .expect("the admin said so");
        assert_eq!(config.pop.baresip.as_deref(), Some("10.0.0.5:4444"));
    }

    #[test]
    fn missing_file_is_named_when_asked_for() {
        let path =
            std::env::temp_dir().join(format!("ringside-no-such-{}.toml", std::process::id()));
        let err = Config::load_file(&path).unwrap_err();
        assert!(
            matches!(err, ConfigError::Missing { .. })
                && err.to_string().contains("does not exist"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = std::env::temp_dir().join(format!("ringside-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        assert_eq!(
            Config::load_from_home(&dir).expect("no file is fine"),
            Config::default()
        );
    }
}
