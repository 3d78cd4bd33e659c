//! The admin's sign-in settings: the `[salesforce]` table of `ringside.toml`, so agents
//! sign in without typing the consumer key. [`crate::config::Config`] reads it in the same
//! parse as the rest of the file (`Config::sign_in`); [`SignInSettings::load_from_home`]
//! reads this table alone, so a problem elsewhere in the file never blocks signing in.
//!
//! ```toml
//! [salesforce]
//! client_id = "3MVG9…"                         # the External Client App's consumer key
//! login_url = "https://acme.my.salesforce.com"  # default https://login.salesforce.com
//! redirect_port = 1717                          # loopback callback port
//! scope_profile = "standard"                    # standard | extended | privileged
//! api_version = "62.0"                          # optional; see [`crate::api_version`]
//! ```

use std::path::{Path, PathBuf};

use salesforce::oauth::{LoginUrl, ScopeProfile};
use serde::Deserialize;

/// The validated `[salesforce]` table; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInSettings {
    pub client_id: Option<String>,
    pub login_url: Option<LoginUrl>,
    pub redirect_port: Option<u16>,
    pub scope_profile: Option<ScopeProfile>,
    /// The REST API version to use when the org serves it ([`crate::api_version`]).
    pub api_version: Option<salesforce::ApiVersion>,
}

/// A `[salesforce]` table that cannot be used; says which file and key.
#[derive(Debug, thiserror::Error)]
pub enum SignInSettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: [salesforce] {detail}")]
    Invalid { path: PathBuf, detail: String },
}

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    salesforce: RawSalesforce,
}

/// A file's `[salesforce]` table unvalidated, and `locked` (only the policy file has one).
#[derive(Debug, Default, Deserialize)]
struct LayerFile {
    #[serde(default)]
    salesforce: toml::Table,
    #[serde(default)]
    locked: Vec<String>,
}

/// `path`'s `[salesforce]` and `locked`; `None` when there is no such file.
fn read_table(path: &Path) -> Result<Option<LayerFile>, SignInSettingsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map(Some)
            .map_err(|e: toml::de::Error| SignInSettingsError::Invalid {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SignInSettingsError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The raw `[salesforce]` table, also read by [`crate::config`]'s single parse.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSalesforce {
    client_id: Option<String>,
    login_url: Option<String>,
    redirect_port: Option<u16>,
    scope_profile: Option<String>,
    api_version: Option<String>,
}

impl SignInSettings {
    /// Reads `[salesforce]` from `home/ringside.toml` over the system policy file
    /// ([`crate::config_policy`]), honouring its `locked` keys; missing files or tables mean
    /// no settings.
    pub fn load_from_home(home: &Path) -> Result<Self, SignInSettingsError> {
        Self::load_layered(
            &home.join(crate::home_files::CONFIG_FILE),
            &crate::home_files::policy_path(),
        )
    }

    /// `[salesforce]` of `user_file` over the policy file's, key by key; a key the policy
    /// locks keeps the policy's value. Only TOML syntax and this table are checked, so a
    /// problem elsewhere in either file never blocks signing in.
    pub fn load_layered(user_file: &Path, policy_file: &Path) -> Result<Self, SignInSettingsError> {
        let Some(policy) = read_table(policy_file)? else {
            return match read_table(user_file)? {
                Some(user) => Self::from_table(user.salesforce, user_file),
                None => Ok(Self::default()),
            };
        };
        let Some(user) = read_table(user_file)? else {
            return Self::from_table(policy.salesforce, policy_file);
        };
        let mut merged = policy.salesforce;
        for (key, value) in user.salesforce {
            let full = format!("salesforce.{key}");
            let locked = policy
                .locked
                .iter()
                .any(|entry| entry == "salesforce" || *entry == full);
            if !locked {
                merged.insert(key, value);
            }
        }
        let both = PathBuf::from(format!(
            "{} (over the policy file {})",
            user_file.display(),
            policy_file.display()
        ));
        Self::from_table(merged, &both)
    }

    fn from_table(table: toml::Table, path: &Path) -> Result<Self, SignInSettingsError> {
        let raw: RawSalesforce =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| SignInSettingsError::Invalid {
                    path: path.to_path_buf(),
                    detail: e.message().trim_end().to_owned(),
                })?;
        Self::from_raw(raw, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, SignInSettingsError> {
        let invalid = |detail: String| SignInSettingsError::Invalid {
            path: path.to_path_buf(),
            detail,
        };
        // The full message quotes the offending line, so the key is named.
        let raw: RawFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        Self::from_raw(raw.salesforce, path)
    }

    /// Validates an already parsed `[salesforce]` table; `path` is for messages.
    pub(crate) fn from_raw(raw: RawSalesforce, path: &Path) -> Result<Self, SignInSettingsError> {
        let invalid = |detail: String| SignInSettingsError::Invalid {
            path: path.to_path_buf(),
            detail,
        };
        let client_id = raw.client_id.map(|c| c.trim().to_owned());
        if client_id.as_deref().is_some_and(str::is_empty) {
            return Err(invalid("client_id is empty".into()));
        }
        Ok(Self {
            client_id,
            login_url: raw
                .login_url
                .map(|u| LoginUrl::parse(&u))
                .transpose()
                .map_err(|e| invalid(e.to_string()))?,
            redirect_port: raw.redirect_port,
            scope_profile: raw
                .scope_profile
                .map(|p| p.parse::<ScopeProfile>())
                .transpose()
                .map_err(|e| invalid(e.to_string()))?,
            api_version: raw
                .api_version
                .map(|v| salesforce::ApiVersion::parse(&v))
                .transpose()
                .map_err(|e| invalid(format!("api_version: {e}")))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_table_and_ignores_the_rest_of_the_file() {
        let settings = SignInSettings::parse(
            "[phone]\ndefault_region = \"GB\"\n[salesforce]\nclient_id = \"3MVGkey\"\nlogin_url = \"https://test.salesforce.com\"\nredirect_port = 7777\nscope_profile = \"extended\"\n",
            Path::new("ringside.toml"),
        )
        .unwrap();
        assert_eq!(settings.client_id.as_deref(), Some("3MVGkey"));
        assert_eq!(
            settings.login_url.unwrap().as_str(),
            "https://test.salesforce.com"
        );
        assert_eq!(settings.redirect_port, Some(7777));
        assert_eq!(settings.scope_profile, Some(ScopeProfile::Extended));
        assert_eq!(settings.api_version, None, "no version configured");
        let pinned = SignInSettings::parse(
            "[salesforce]\napi_version = \"v62.0\"\n",
            Path::new("ringside.toml"),
        )
        .unwrap();
        assert_eq!(
            pinned.api_version.map(|v| v.to_string()).as_deref(),
            Some("62.0")
        );
        assert_eq!(
            SignInSettings::parse("", Path::new("x")).unwrap(),
            SignInSettings::default()
        );
    }

    #[test]
    fn bad_values_name_the_file_and_key() {
        for (text, needle) in [
            (
                "[salesforce]\nlogin_url = \"http://login.salesforce.com\"",
                "login URL",
            ),
            ("[salesforce]\nscope_profile = \"admin\"", "scope profile"),
            ("[salesforce]\nclient_secret = \"x\"", "client_secret"),
            ("[salesforce]\nclient_id = \"  \"", "client_id"),
            ("[salesforce]\nredirect_port = 70000", "redirect_port"),
            ("[salesforce]\napi_version = \"sixty\"", "api_version"),
        ] {
            let err = SignInSettings::parse(text, Path::new("ringside.toml")).unwrap_err();
            let message = err.to_string();
            assert!(
                message.contains("ringside.toml") && message.contains(needle),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn a_locked_login_url_in_the_policy_file_wins_over_the_users() {
        let dir =
            std::env::temp_dir().join(format!("ringside-signin-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (user, policy) = (dir.join("user.toml"), dir.join("policy.toml"));
        std::fs::write(
            &policy,
            "locked = [\"salesforce.login_url\"]\n[salesforce]\nlogin_url = \"https://acme.my.salesforce.com\"\nclient_id = \"3MVGorg\"\n",
        )
        .unwrap();
        std::fs::write(
            &user,
            "[salesforce]\nlogin_url = \"https://test.salesforce.com\"\nclient_id = \"3MVGmine\"\n[pop]\nopen_on = 3\n",
        )
        .unwrap();
        let settings = SignInSettings::load_layered(&user, &policy).expect("readable");
        assert_eq!(
            settings.login_url.map(|u| u.as_str().to_owned()).as_deref(),
            Some("https://acme.my.salesforce.com"),
            "the locked login URL is the policy's"
        );
        assert_eq!(
            settings.client_id.as_deref(),
            Some("3MVGmine"),
            "an unlocked key is the user's; a bad [pop] does not block sign-in"
        );
        let missing = dir.join("none.toml");
        assert_eq!(
            SignInSettings::load_layered(&user, &missing)
                .unwrap()
                .client_id
                .as_deref(),
            Some("3MVGmine"),
            "no policy file: the user's file alone"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
