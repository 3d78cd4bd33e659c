//! The settings view's org commands: list the orgs of `orgs.toml` with their state, sign in
//! (browser + deep link or the admin's loopback port), cancel, use an org or the built-in demo
//! org, sign out, remove. Each forwards to ringside-core (`login`, `orgs`) and swaps
//! [`ActiveOrg`] so every feature uses the new org at once.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;
use std::time::Duration;

use ringside_core::config_watch::ConfigWatch;
use ringside_core::login::{
    ListOrgsError, LoginRequest, OrgEntry, PendingSignIns, SignInDefaults, SignOut, SignOutError,
};
use ringside_core::org_session::SessionError;
use ringside_core::orgs::{OrgRegistry, OrgsError};
use ringside_core::secrets::SecretStore;
use ringside_core::secrets::{KeyringStore, SecretError};
use ringside_core::signin_settings::SignInSettings;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::IpcError;
use crate::org::{ActiveOrg, OrgIdentity, connect_signed_in};
use crate::signin::{RefusedLink, Stores};

/// How long a sign-in waits for the browser before giving up.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// Everything the settings view lists.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
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
pub struct SignOutResult {
    pub revoked: bool,
    /// Why Salesforce could not revoke it (the local sign-in is gone anyway).
    pub not_revoked_reason: Option<String>,
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: IpcCode::InvalidInput,
        message,
    }
}

fn internal(err: anyhow::Error) -> IpcError {
    IpcError {
        code: IpcCode::Internal,
        message: format!("{err:#}"),
    }
}

impl From<SecretError> for IpcError {
    fn from(err: SecretError) -> Self {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl From<ListOrgsError> for IpcError {
    fn from(err: ListOrgsError) -> Self {
        IpcError {
            code: err.code(),
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
            code: err.code(),
            message: err.to_string(),
        }
    }
}

/// A connection failure in words, with a code the view branches on.
fn connect_error(err: anyhow::Error) -> IpcError {
    let code = match (
        err.downcast_ref::<SessionError>(),
        err.downcast_ref::<SecretError>(),
    ) {
        (Some(SessionError::SignedOut { .. }), _) => IpcCode::SignedOut,
        (Some(SessionError::Secrets(e)), _) | (_, Some(e)) => e.code(),
        _ => IpcCode::OrgUnavailable,
    };
    IpcError {
        code,
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
    let in_use = active.current().identity.clone();
    let demo_login_url = &active.demo_identity().instance_url;
    let listing = ringside_core::login::list_orgs(
        &stores.home,
        &stores.namespace,
        in_use.alias.as_deref(),
        demo_login_url,
    );
    let listing = listing.await?;
    Ok(OrgsOverview {
        orgs: listing.orgs,
        demo_in_use: in_use.demo,
        keyring_problem: listing.keyring_problem,
        active_problem: active.problem(),
        refused_link: refused.take(),
        defaults: listing.defaults,
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
    let (alias, login_url) = (&form.alias, &form.login_url);
    let client_id = form.client_id.as_deref();
    let request = LoginRequest::from_form(alias, login_url, client_id, &settings, SIGN_IN_TIMEOUT)?;
    // Fail before the browser opens if the tokens would have nowhere to go.
    keyring().await?;
    let (home, namespace) = (stores.home, stores.namespace);
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore);
    let begun = pending.start(request, settings.redirect_port, home, namespace, secrets);
    let signed_in = pending.wait(begun.await?).await?;
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
