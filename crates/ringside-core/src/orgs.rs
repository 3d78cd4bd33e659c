//! The org registry: `RINGSIDE_HOME/orgs.toml`, the orgs this device has signed in to and
//! which one is active. It holds only what identifies a sign-in (alias, hosts, consumer
//! key, org and user ids, username, scope profile); the tokens are in the keyring
//! ([`crate::secrets`]). Every save is atomic (temporary file, fsync, rename).

use std::path::{Path, PathBuf};

use salesforce::oauth::ScopeProfile;
use serde::{Deserialize, Serialize};

pub use crate::home_files::ORGS_FILE as FILE_NAME;

/// One signed-in org and user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRecord {
    pub alias: String,
    pub login_url: String,
    pub instance_url: String,
    pub client_id: String,
    pub org_id: String,
    pub user_id: String,
    pub username: String,
    /// `standard`, `extended` or `privileged`.
    pub scope_profile: String,
    /// The REST API version chosen for this org ([`crate::api_version`]), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

impl OrgRecord {
    /// The profile this sign-in holds (an unknown name reads as standard, the narrowest).
    pub fn profile(&self) -> ScopeProfile {
        self.scope_profile.parse().unwrap_or_default()
    }
}

/// The whole registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRegistry {
    /// The alias commands use when no `--org` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    #[serde(default, rename = "org")]
    pub orgs: Vec<OrgRecord>,
}

/// Why the registry could not be read, written or changed.
#[derive(Debug, thiserror::Error)]
pub enum OrgsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid org registry ({detail}); fix or delete it and sign in again")]
    Parse { path: PathBuf, detail: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no org named {alias:?}; `ringside org list` shows the orgs signed in on this device")]
    UnknownAlias { alias: String },
    #[error("{alias:?} is not a usable alias: use 1 to 40 letters, digits, `-`, `_` or `.`")]
    InvalidAlias { alias: String },
}

/// Checks an alias: short, and safe in file names, commands and URLs.
pub fn validate_alias(alias: &str) -> Result<(), OrgsError> {
    let ok = (1..=40).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(OrgsError::InvalidAlias {
            alias: alias.chars().take(60).collect(),
        })
    }
}

impl OrgRegistry {
    /// Reads `home/orgs.toml`; a missing file is an empty registry.
    pub fn load(home: &Path) -> Result<Self, OrgsError> {
        let path = home.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(OrgsError::Read { path, source }),
        };
        toml::from_str(&text).map_err(|e| OrgsError::Parse {
            path,
            detail: e.message().to_owned(),
        })
    }

    /// Writes `home/orgs.toml` atomically: readers see the old or the new file, never half.
    pub fn save(&self, home: &Path) -> Result<(), OrgsError> {
        let path = home.join(FILE_NAME);
        let write_err = |source| OrgsError::Write {
            path: path.clone(),
            source,
        };
        crate::private_files::create_private_dir_all(home).map_err(write_err)?;
        let text = toml::to_string_pretty(self).map_err(|e| OrgsError::Write {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let mut bytes =
            b"# Orgs signed in on this device. No secrets: tokens are in the OS keyring.\n"
                .to_vec();
        bytes.extend_from_slice(text.as_bytes());
        // Readers see the old file or the new one; a failed write leaves no temp file.
        let result = crate::private_files::write_private_atomically(&path, &bytes);
        result.map_err(write_err)
    }

    pub fn get(&self, alias: &str) -> Option<&OrgRecord> {
        self.orgs.iter().find(|o| o.alias == alias)
    }

    /// The record for `alias`, or an error naming how to list the known ones.
    pub fn require(&self, alias: &str) -> Result<&OrgRecord, OrgsError> {
        self.get(alias).ok_or_else(|| OrgsError::UnknownAlias {
            alias: alias.to_owned(),
        })
    }

    /// The active org's record, if any.
    pub fn active_record(&self) -> Option<&OrgRecord> {
        self.active.as_deref().and_then(|a| self.get(a))
    }

    /// Adds or replaces the record with the same alias.
    pub fn upsert(&mut self, record: OrgRecord) {
        match self.orgs.iter_mut().find(|o| o.alias == record.alias) {
            Some(existing) => *existing = record,
            None => self.orgs.push(record),
        }
    }

    /// Keeps the API version chosen for `alias` (no-op for an unknown alias).
    pub fn remember_api_version(&mut self, alias: &str, version: salesforce::ApiVersion) {
        if let Some(record) = self.orgs.iter_mut().find(|r| r.alias == alias) {
            record.api_version = Some(version.to_string());
        }
    }

    pub fn set_active(&mut self, alias: &str) -> Result<(), OrgsError> {
        self.require(alias)?;
        self.active = Some(alias.to_owned());
        Ok(())
    }

    /// Removes `alias`; the active org is cleared when it was this one.
    pub fn remove(&mut self, alias: &str) -> Result<OrgRecord, OrgsError> {
        let index = self
            .orgs
            .iter()
            .position(|o| o.alias == alias)
            .ok_or_else(|| OrgsError::UnknownAlias {
                alias: alias.to_owned(),
            })?;
        if self.active.as_deref() == Some(alias) {
            self.active = None;
        }
        Ok(self.orgs.remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(alias: &str) -> OrgRecord {
        OrgRecord {
            alias: alias.into(),
            login_url: "https://login.salesforce.com".into(),
            instance_url: "https://acme.my.salesforce.com".into(),
            client_id: "3MVGexample".into(),
            org_id: "00DDm0000000001MAA".into(),
            user_id: "005Dm0000000001AAA".into(),
            username: "dana@acme.example".into(),
            scope_profile: "standard".into(),
            api_version: None,
        }
    }

    #[test]
    fn save_load_round_trip_and_active_follows_removal() {
        let home = std::env::temp_dir().join(format!("ringside-orgs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        assert_eq!(OrgRegistry::load(&home).unwrap(), OrgRegistry::default());
        let mut registry = OrgRegistry::default();
        registry.upsert(record("prod"));
        registry.upsert(record("sandbox"));
        registry.set_active("sandbox").unwrap();
        registry.save(&home).unwrap();
        let loaded = OrgRegistry::load(&home).unwrap();
        assert_eq!(loaded, registry, "what is saved is what is read");
        assert_eq!(loaded.active_record().unwrap().alias, "sandbox");
        let leftovers: Vec<_> = std::fs::read_dir(&home)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from(FILE_NAME)],
            "no temp file left"
        );
        registry.remove("sandbox").unwrap();
        assert_eq!(registry.active, None, "removing the active org clears it");
        assert!(matches!(
            registry.set_active("nope"),
            Err(OrgsError::UnknownAlias { .. })
        ));
        std::fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn aliases_are_checked_and_a_broken_file_is_explained() {
        for good in ["prod", "acme-sandbox_2", "a.b"] {
            assert!(validate_alias(good).is_ok(), "{good}");
        }
        for bad in ["", "has space", "../x", &"a".repeat(41)] {
            assert!(validate_alias(bad).is_err(), "{bad:?}");
        }
        let home = std::env::temp_dir().join(format!("ringside-orgs-bad-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join(FILE_NAME), "org = 3").unwrap();
        let err = OrgRegistry::load(&home).unwrap_err();
        assert!(err.to_string().contains("orgs.toml"), "{err}");
        std::fs::remove_dir_all(&home).unwrap();
    }
}
