//! What a settings view needs to list orgs and start a sign-in, decided once here so the
//! desktop's commands only forward: the orgs of this home with their state
//! ([`list_orgs`]), the sign-in form's defaults, the form checked into a [`LoginRequest`]
//! ([`LoginRequest::from_form`]), and a started desktop sign-in with its redirect (deep link,
//! or the admin's loopback port) and the browser opened ([`PendingSignIns::start`]).

use crate::ipc_code::IpcCode;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use salesforce::oauth::{LoginUrl, ScopeProfile};
use serde::Serialize;

use super::{
    BegunSignIn, CALLBACK_PATH, DEEP_LINK_REDIRECT, LoginError, LoginRequest, LoginStores,
    LoopbackRedirect, PendingSignIns, open_in_browser, org_statuses,
};
use crate::orgs::{OrgRegistry, OrgsError};
use crate::secrets::{KeyringStore, SecretStore};
use crate::signin_settings::SignInSettings;

/// One org of `orgs.toml` as the settings list shows it (no secret in here).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OrgEntry {
    pub alias: String,
    pub username: String,
    pub instance_url: String,
    pub login_url: String,
    /// The consumer key it signed in with (not a secret), for signing in again.
    pub client_id: String,
    /// `standard`, `extended` or `privileged`: the scope profile this sign-in holds.
    pub scope_profile: String,
    /// The registry's active org (what the CLI uses too).
    pub active: bool,
    /// The org the app talks to now.
    pub in_use: bool,
    /// Whether a sign-in is stored in the keyring; `null` when the keyring could not say.
    pub signed_in: Option<bool>,
}

/// What the sign-in form starts with: the admin's `[salesforce]` settings and the demo org.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignInDefaults {
    /// The External Client App's consumer key from `ringside.toml`, if set.
    pub client_id: Option<String>,
    /// The admin's login URL (production when unset).
    pub login_url: String,
    /// The built-in demo org's login URL and client id, to try the sign-in without Salesforce.
    pub demo_login_url: String,
    pub demo_client_id: String,
    /// Set when the admin chose a loopback redirect instead of the `ringside://` link.
    pub redirect_port: Option<u16>,
    pub scope_profile: String,
}

/// The orgs of a home as a settings view lists them.
#[derive(Debug, Clone)]
pub struct OrgsListing {
    pub orgs: Vec<OrgEntry>,
    /// Why the keyring cannot be used (names the backend), if so; then no org's sign-in
    /// state is known.
    pub keyring_problem: Option<String>,
    pub defaults: SignInDefaults,
}

/// Why the orgs cannot be listed; each message says which file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ListOrgsError {
    #[error("{0}")]
    Orgs(#[from] OrgsError),
    #[error("{0}")]
    Settings(#[from] crate::signin_settings::SignInSettingsError),
    /// The blocking keyring read was stopped (the runtime is shutting down).
    #[error("listing orgs stopped: {0}")]
    Stopped(String),
}

impl ListOrgsError {
    /// A stable code per kind of failure, for the UI.
    pub fn code(&self) -> IpcCode {
        match self {
            ListOrgsError::Orgs(OrgsError::UnknownAlias { .. }) => IpcCode::UnknownOrg,
            ListOrgsError::Orgs(OrgsError::InvalidAlias { .. }) => IpcCode::InvalidInput,
            ListOrgsError::Orgs(_) => IpcCode::OrgRegistry,
            ListOrgsError::Settings(_) => IpcCode::InvalidInput,
            ListOrgsError::Stopped(_) => IpcCode::Internal,
        }
    }
}

/// The orgs of `home`'s `orgs.toml` with their state, marking `in_use_alias` (the org the
/// app talks to now; `None` for the demo org), and the sign-in form's defaults from the
/// admin's `[salesforce]` table and the built-in demo org at `demo_login_url`. The keyring
/// is probed off the async threads (the probe may wait up to 15 s); a keyring that cannot be
/// used is reported, not an error, so the list still shows.
pub async fn list_orgs(
    home: &Path,
    namespace: &str,
    in_use_alias: Option<&str>,
    demo_login_url: &str,
) -> Result<OrgsListing, ListOrgsError> {
    let registry = OrgRegistry::load(home)?;
    let settings = SignInSettings::load_from_home(home)?;
    let namespace = namespace.to_owned();
    let statuses = tokio::task::spawn_blocking(move || {
        let (secrets, keyring_problem) = match KeyringStore::open() {
            Ok(store) => (Some(store), None),
            Err(err) => (None, Some(err.to_string())),
        };
        let secrets = secrets.as_ref().map(|s| s as &dyn SecretStore);
        (
            org_statuses(&registry, secrets, &namespace),
            keyring_problem,
        )
    });
    let (statuses, keyring_problem) = statuses
        .await
        .map_err(|e| ListOrgsError::Stopped(e.to_string()))?;
    let orgs = statuses
        .into_iter()
        .map(|status| OrgEntry {
            in_use: in_use_alias == Some(status.record.alias.as_str()),
            alias: status.record.alias,
            username: status.record.username,
            instance_url: status.record.instance_url,
            login_url: status.record.login_url,
            client_id: status.record.client_id,
            scope_profile: status.record.scope_profile,
            active: status.active,
            signed_in: status.signed_in,
        })
        .collect();
    let defaults = SignInDefaults {
        client_id: settings.client_id,
        login_url: settings
            .login_url
            .map(|u| u.to_string())
            .unwrap_or_else(|| LoginUrl::PRODUCTION.to_owned()),
        demo_login_url: demo_login_url.to_owned(),
        demo_client_id: crate::demo::BuiltinDemo::client_id().to_owned(),
        redirect_port: settings.redirect_port,
        scope_profile: settings.scope_profile.unwrap_or_default().name().to_owned(),
    };
    Ok(OrgsListing {
        orgs,
        keyring_problem,
        defaults,
    })
}

impl LoginRequest {
    /// The sign-in form as a person filled it in: `login_url` checked, `client_id` (blank:
    /// the admin's `[salesforce] client_id`) required, the admin's scope profile (standard
    /// when unset).
    pub fn from_form(
        alias: &str,
        login_url: &str,
        client_id: Option<&str>,
        settings: &SignInSettings,
        timeout: Duration,
    ) -> Result<LoginRequest, LoginError> {
        let login_url = LoginUrl::parse(login_url.trim())?;
        let client_id = client_id
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .or_else(|| settings.client_id.clone())
            .ok_or(LoginError::NoClientId)?;
        Ok(LoginRequest {
            alias: alias.trim().to_owned(),
            login_url,
            client_id,
            scope_profile: settings.scope_profile.unwrap_or(ScopeProfile::Standard),
            timeout,
        })
    }
}

impl PendingSignIns {
    /// Starts a desktop sign-in: listens on the admin's `redirect_port` if set (else the
    /// redirect is the `ringside://` deep link), begins it, serves the loopback redirect in
    /// the background until the request's timeout, and opens the browser at the authorize
    /// URL. A browser that cannot be opened ends the sign-in at once. The tokens go to
    /// `secrets` under `namespace`, the org to `home`'s `orgs.toml`.
    pub async fn start(
        self: &Arc<Self>,
        request: LoginRequest,
        redirect_port: Option<u16>,
        home: PathBuf,
        namespace: String,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<BegunSignIn, LoginError> {
        let loopback = match redirect_port {
            Some(port) => Some(LoopbackRedirect::bind(port).await?),
            None => None,
        };
        let redirect_uri = match &loopback {
            Some(redirect) => format!("http://127.0.0.1:{}{CALLBACK_PATH}", redirect.port()),
            None => DEEP_LINK_REDIRECT.to_owned(),
        };
        let timeout = request.timeout;
        let begun = self.begin(request, &redirect_uri)?;
        if let Some(redirect) = loopback {
            let pending = Arc::clone(self);
            let id = begun.id;
            tokio::spawn(async move {
                let stores = LoginStores {
                    home: &home,
                    namespace: &namespace,
                    secrets: secrets.as_ref(),
                };
                pending.serve_loopback(id, redirect, timeout, stores).await;
            });
        }
        if let Err(err) = open_in_browser(&begun.authorize_url) {
            self.cancel(begun.id);
            return Err(err);
        }
        Ok(begun)
    }
}
