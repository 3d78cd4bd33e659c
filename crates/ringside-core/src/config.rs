//! Ringside's local home (`RINGSIDE_HOME`) and the admin config file
//! `ringside.toml` in it. Parsed once into validated types; the rest of the
//! program never sees raw TOML.
//!
//! Only the `[phone]` table is read so far; other tables (fields, intents) are
//! accepted and left for the features that own them.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::phone::Region;
use crate::settings::LookupSettings;

/// The config file's name inside the Ringside home.
pub const CONFIG_FILE: &str = "ringside.toml";

/// Where Ringside keeps its local state: `$RINGSIDE_HOME`, else
/// `$XDG_CONFIG_HOME/ringside`, else `~/.config/ringside`.
pub fn ringside_home() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from_env("RINGSIDE_HOME")
        .or_else(|| from_env("XDG_CONFIG_HOME").map(|dir| dir.join("ringside")))
        .or_else(|| from_env("HOME").map(|home| home.join(".config").join("ringside")))
}

/// A config file that cannot be used. Each says which file and what to fix.
#[derive(Debug, Error)]
pub enum ConfigError {
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
}

/// The validated admin config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `[phone] default_region`: how numbers without a country code are read.
    pub default_region: Option<Region>,
}

impl Config {
    /// Loads `ringside.toml` from `home`; a missing file means the defaults.
    pub fn load_from_home(home: &Path) -> Result<Config, ConfigError> {
        let path = home.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Parses config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| ConfigError::Syntax {
            path: path.to_owned(),
            message: err.message().to_owned(),
        })?;
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
        Ok(Config { default_region })
    }

    /// Lookup settings: the configured region, else the OS locale's, else US.
    pub fn lookup_settings(&self) -> LookupSettings {
        match self.default_region {
            Some(region) => LookupSettings::with_region(region),
            None => LookupSettings::from_environment(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    phone: RawPhone,
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
    fn missing_file_means_defaults() {
        let dir = std::env::temp_dir().join(format!("ringside-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        assert_eq!(
            Config::load_from_home(&dir).expect("no file is fine"),
            Config::default()
        );
    }
}
