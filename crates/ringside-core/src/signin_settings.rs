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
    /// Reads `home/ringside.toml`; a missing file or table means no settings.
    pub fn load_from_home(home: &Path) -> Result<Self, SignInSettingsError> {
        let path = home.join(crate::config::CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SignInSettingsError::Read { path, source }),
        }
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
}
