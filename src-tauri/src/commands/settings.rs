//! The settings view's org commands: list the orgs of `orgs.toml` with their state, sign in
//! (browser + deep link or the admin's loopback port), cancel, use an org or the built-in demo
//! org, sign out, remove. Each forwards to ringside-core (`login`, `orgs`) and swaps
//! [`ActiveOrg`] so every feature uses the new org at once.

use std::sync::Arc;
use std::time::Duration;

use ringside_core::config_watch::ConfigWatch;
use ringside_core::login::{
    DEEP_LINK_REDIRECT, LoginRequest, LoopbackRedirect, PendingSignIns, SignOut, SignOutError,
    open_in_browser,
};
use ringside_core::org_session::SessionError;
use ringside_core::orgs::{OrgRegistry, OrgsError};
use ringside_core::secrets::{KeyringStore, SecretError};
use ringside_core::signin_settings::SignInSettings;
use salesforce::oauth::{LoginUrl, ScopeProfile};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::IpcError;
use crate::org::{ActiveOrg, OrgIdentity, connect_signed_in};
use crate::signin::{RefusedLink, Stores};

/// How long a sign-in waits for the browser before giving up.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// One org of `orgs.toml` as the settings list shows it (no secret in here).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
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
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
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

/// Everything the settings view lists.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct OrgsOverview {
    pub orgs: Vec<OrgEntry>,
    /// Whether the app talks to the built-in demo org now.
    pub demo_in_use: bool,
    /// Why the keyring cannot be used (names the backend), if so.
    pub keyring_problem: Option<String>,
    /// Why the registry's active org is not the one in use, if so.
    pub active_problem: Option<String>,
    /// A sign-in link refused before anyone listened (e.g. the one the app was started
    /// with); returned once.
    pub refused_link: Option<IpcError>,
    pub defaults: SignInDefaults,
}

/// The sign-in form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SignInForm {
    pub alias: String,
    /// https://login.salesforce.com, https://test.salesforce.com, a My Domain URL, or the demo org's.
    pub login_url: String,
    /// The consumer key; empty uses the admin's.
    pub client_id: Option<String>,
}

/// What signing out did at Salesforce.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SignOutResult {
    pub revoked: bool,
    /// Why Salesforce could not revoke it (the local sign-in is gone anyway).
    pub not_revoked_reason: Option<String>,
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: "invalid_input".into(),
        message,
    }
}

fn internal(err: anyhow::Error) -> IpcError {
    IpcError {
        code: "internal".into(),
        message: format!("{err:#}"),
    }
}

impl From<SecretError> for IpcError {
    fn from(err: SecretError) -> Self {
        IpcError {
            code: secret_code(&err).to_owned(),
            message: err.to_string(),
        }
    }
}

impl From<OrgsError> for IpcError {
    fn from(err: OrgsError) -> Self {
        SignOutError::Orgs(err).into()
    }
}

impl From<SignOutError> for IpcError {
    fn from(err: SignOutError) -> Self {
        IpcError {
            code: err.code().to_owned(),
            message: err.to_string(),
        }
    }
}

fn secret_code(err: &SecretError) -> &'static str {
    match err {
        SecretError::Unavailable { .. } => "keyring_unavailable",
        SecretError::Refused { .. } => "keyring_refused",
        SecretError::Corrupt { .. } => "keyring_corrupt",
    }
}

/// A connection failure in words, with a code the view branches on.
fn connect_error(err: anyhow::Error) -> IpcError {
    let code = match (
        err.downcast_ref::<SessionError>(),
        err.downcast_ref::<SecretError>(),
    ) {
        (Some(SessionError::SignedOut { .. }), _) => "signed_out",
        (Some(SessionError::Secrets(e)), _) | (_, Some(e)) => secret_code(e),
        _ => "org_unavailable",
    };
    IpcError {
        code: code.into(),
        message: format!("{err:#}"),
    }
}

/// The keyring, probed off the async threads (the probe may wait up to 15 s).
async fn keyring() -> Result<KeyringStore, IpcError> {
    tauri::async_runtime::spawn_blocking(KeyringStore::open)
        .await
        .map_err(|e| internal(anyhow::anyhow!("the keyring probe stopped: {e}")))?
        .map_err(IpcError::from)
}

fn stores() -> Result<Stores, IpcError> {
    Stores::of_this_home().map_err(internal)
}

fn settings(stores: &Stores) -> Result<SignInSettings, IpcError> {
    SignInSettings::load_from_home(&stores.home).map_err(|e| invalid(e.to_string()))
}

/// The orgs of `orgs.toml`, which is in use, and the sign-in form's defaults.
#[tauri::command]
pub async fn list_orgs(
    active: State<'_, ActiveOrg>,
    refused: State<'_, RefusedLink>,
) -> Result<OrgsOverview, IpcError> {
    let stores = stores()?;
    let registry = OrgRegistry::load(&stores.home)?;
    let settings = settings(&stores)?;
    let (secrets, keyring_problem) = match keyring().await {
        Ok(store) => (Some(store), None),
        Err(err) => (None, Some(err.message)),
    };
    let namespace = stores.namespace.clone();
    let listed = registry.clone();
    let statuses = tauri::async_runtime::spawn_blocking(move || {
        ringside_core::login::org_statuses(
            &listed,
            secrets
                .as_ref()
                .map(|s| s as &dyn ringside_core::secrets::SecretStore),
            &namespace,
        )
    })
    .await
    .map_err(|e| internal(anyhow::anyhow!("listing orgs stopped: {e}")))?;
    let in_use = active.current().identity.clone();
    let orgs = statuses
        .into_iter()
        .map(|status| OrgEntry {
            in_use: in_use.alias.as_deref() == Some(status.record.alias.as_str()),
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
    Ok(OrgsOverview {
        orgs,
        demo_in_use: in_use.demo,
        keyring_problem,
        active_problem: active.problem(),
        refused_link: refused.take(),
        defaults: SignInDefaults {
            client_id: settings.client_id,
            login_url: settings
                .login_url
                .map(|u| u.to_string())
                .unwrap_or_else(|| LoginUrl::PRODUCTION.to_owned()),
            demo_login_url: active.demo_identity().instance_url.clone(),
            demo_client_id: ringside_core::demo::BuiltinDemo::client_id().to_owned(),
            redirect_port: settings.redirect_port,
            scope_profile: settings.scope_profile.unwrap_or_default().name().to_owned(),
        },
    })
}

/// Signs in: opens the system browser (or `RINGSIDE_BROWSER`) at the authorize URL and waits
/// for the redirect (deep link, or the admin's loopback port) up to 5 minutes. The org
/// signed in becomes the active org and the one in use.
#[tauri::command]
pub async fn sign_in(
    form: SignInForm,
    pending: State<'_, Arc<PendingSignIns>>,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<OrgIdentity, IpcError> {
    let stores = stores()?;
    let settings = settings(&stores)?;
    let login_url = LoginUrl::parse(form.login_url.trim()).map_err(|e| invalid(e.to_string()))?;
    let client_id = form
        .client_id
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .or(settings.client_id)
        .ok_or_else(|| {
            invalid(
                "no consumer key: enter the External Client App's consumer key, or ask your admin to set [salesforce] client_id in ringside.toml".into(),
            )
        })?;
    let request = LoginRequest {
        alias: form.alias.trim().to_owned(),
        login_url,
        client_id,
        scope_profile: settings.scope_profile.unwrap_or(ScopeProfile::Standard),
        timeout: SIGN_IN_TIMEOUT,
    };
    // Fail before the browser opens if the tokens would have nowhere to go.
    keyring().await?;
    let loopback = match settings.redirect_port {
        Some(port) => Some(LoopbackRedirect::bind(port).await.map_err(IpcError::from)?),
        None => None,
    };
    let redirect_uri = match &loopback {
        Some(redirect) => format!(
            "http://127.0.0.1:{}{}",
            redirect.port(),
            ringside_core::login::CALLBACK_PATH
        ),
        None => DEEP_LINK_REDIRECT.to_owned(),
    };
    let begun = pending.begin(request, &redirect_uri)?;
    let id = begun.id;
    if let Some(redirect) = loopback {
        let pending = Arc::clone(&pending);
        let served = stores.clone();
        tauri::async_runtime::spawn(async move {
            pending
                .serve_loopback(id, redirect, SIGN_IN_TIMEOUT, served.borrow())
                .await;
        });
    }
    if let Err(err) = open_in_browser(&begun.authorize_url) {
        pending.cancel(id);
        return Err(err.into());
    }
    let signed_in = pending.wait(begun).await?;
    let link = connect_signed_in(&signed_in.record, config.current().config())
        .await
        .map_err(connect_error)?;
    let identity = link.identity.clone();
    active.switch_to(Arc::new(link));
    Ok(identity)
}

/// Ends the sign-in in progress (the view's Cancel button).
#[tauri::command]
pub fn cancel_sign_in(pending: State<'_, Arc<PendingSignIns>>) -> u32 {
    u32::try_from(pending.cancel_all()).unwrap_or(u32::MAX)
}

/// Makes `alias` the active org and the one in use (it must still be signed in).
#[tauri::command]
pub async fn use_org(
    alias: String,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<OrgIdentity, IpcError> {
    let stores = stores()?;
    let mut registry = OrgRegistry::load(&stores.home)?;
    let record = registry.require(&alias)?.clone();
    let link = connect_signed_in(&record, config.current().config())
        .await
        .map_err(connect_error)?;
    registry.set_active(&alias)?;
    registry.save(&stores.home)?;
    let identity = link.identity.clone();
    active.switch_to(Arc::new(link));
    Ok(identity)
}

/// Uses the built-in demo org (no active org in `orgs.toml`, for the CLI too).
#[tauri::command]
pub fn use_demo_org(active: State<'_, ActiveOrg>) -> Result<(), IpcError> {
    let stores = stores()?;
    let mut registry = OrgRegistry::load(&stores.home)?;
    registry.active = None;
    registry.save(&stores.home)?;
    active.use_demo();
    Ok(())
}

/// Signs out of `alias`: revokes at Salesforce, deletes the keyring entry. If it was in use
/// (or the active org), the app goes back to the built-in demo org.
#[tauri::command]
pub async fn sign_out_org(
    alias: String,
    active: State<'_, ActiveOrg>,
) -> Result<SignOutResult, IpcError> {
    let stores = stores()?;
    let mut registry = OrgRegistry::load(&stores.home)?;
    let record = registry.require(&alias)?.clone();
    let secrets = keyring().await?;
    let signed_out =
        ringside_core::login::sign_out(&stores.home, &record, &secrets, &stores.namespace).await?;
    // Signed out means no longer the org in use: back to the demo org, here and in the CLI.
    if registry.active.as_deref() == Some(alias.as_str()) {
        registry.active = None;
        registry.save(&stores.home)?;
    }
    leave_if_in_use(&active, &alias);
    Ok(sign_out_result(signed_out))
}

/// Forgets `alias` on this device (signing it out first if needed).
#[tauri::command]
pub async fn remove_org(
    alias: String,
    active: State<'_, ActiveOrg>,
) -> Result<SignOutResult, IpcError> {
    let stores = stores()?;
    let secrets = keyring().await?;
    let (_, signed_out) =
        ringside_core::login::remove_org(&stores.home, &alias, &secrets, &stores.namespace).await?;
    leave_if_in_use(&active, &alias);
    Ok(sign_out_result(signed_out))
}

fn leave_if_in_use(active: &ActiveOrg, alias: &str) {
    if active.current().identity.alias.as_deref() == Some(alias) {
        active.use_demo();
    }
}

fn sign_out_result(signed_out: SignOut) -> SignOutResult {
    match signed_out {
        SignOut::AlreadySignedOut | SignOut::Revoked => SignOutResult {
            revoked: true,
            not_revoked_reason: None,
        },
        SignOut::NotRevoked { reason } => SignOutResult {
            revoked: false,
            not_revoked_reason: Some(reason),
        },
    }
}
