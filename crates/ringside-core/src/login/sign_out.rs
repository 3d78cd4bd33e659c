//! Signing out and forgetting orgs, shared by `ringside org logout|remove` and the desktop's
//! settings: revoke the refresh token at Salesforce (`/services/oauth2/revoke`, which also
//! ends its access tokens), delete the keyring entry, and for a removal drop the registry
//! record. Also what the settings list shows per org ([`org_statuses`]).

use crate::ipc_code::IpcCode;
use std::path::Path;

use salesforce::oauth::{LoginUrl, OAuthApp, OAuthError, RefreshToken};

use super::DEEP_LINK_REDIRECT;
use crate::orgs::{OrgRecord, OrgRegistry, OrgsError};
use crate::secrets::{SecretError, SecretKey, SecretStore};

/// What signing out did at Salesforce. The local sign-in is gone in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOut {
    /// No sign-in was stored for this org on this device.
    AlreadySignedOut,
    /// Salesforce revoked the refresh token.
    Revoked,
    /// Salesforce could not be asked (unreachable, refused); says why. An admin can still
    /// revoke it under Setup.
    NotRevoked { reason: String },
}

/// Why signing out or removing an org failed.
#[derive(Debug, thiserror::Error)]
pub enum SignOutError {
    #[error("{0}")]
    Secrets(#[from] SecretError),
    #[error("{0}")]
    Orgs(#[from] OrgsError),
}

impl SignOutError {
    /// A stable code per kind of failure, for the UI.
    pub fn code(&self) -> IpcCode {
        match self {
            SignOutError::Secrets(err) => err.code(),
            SignOutError::Orgs(OrgsError::UnknownAlias { .. }) => IpcCode::UnknownOrg,
            SignOutError::Orgs(OrgsError::InvalidAlias { .. }) => IpcCode::InvalidInput,
            SignOutError::Orgs(_) => IpcCode::OrgRegistry,
        }
    }
}

/// Revokes and deletes `record`'s stored sign-in. The keyring entry is deleted even when
/// Salesforce cannot be reached: signing out on this device must always work. The revoke
/// request is counted in `home`'s API usage as `sign-in` (see [`revoke_counted`]).
pub async fn sign_out(
    home: &Path,
    record: &OrgRecord,
    secrets: &dyn SecretStore,
    namespace: &str,
) -> Result<SignOut, SignOutError> {
    let key = SecretKey::new(namespace, &record.org_id, &record.user_id);
    let Some(tokens) = secrets.load(&key)? else {
        return Ok(SignOut::AlreadySignedOut);
    };
    let revoked = revoke_counted(home, record, DEEP_LINK_REDIRECT, &tokens.refresh).await;
    secrets.delete(&key)?;
    Ok(match revoked {
        Ok(()) => {
            tracing::info!(alias = %record.alias, "signed out; the sign-in was revoked at Salesforce");
            SignOut::Revoked
        }
        Err(err) => {
            tracing::warn!(alias = %record.alias, "signed out on this device, but not revoked: {err}");
            SignOut::NotRevoked {
                reason: err.to_string(),
            }
        }
    })
}

/// Revokes `refresh` at `record`'s login host (`/services/oauth2/revoke`) and, when the
/// request was sent (whatever Salesforce answered), counts it in `home`'s `api-usage.db` for
/// `record.alias` as `sign-in`, like the token requests: it goes to the OAuth endpoints, not
/// the REST API, and no document says whether those use the daily allocation, so Ringside
/// counts them (the stricter reading). Nothing is counted when nothing reached Salesforce.
pub(crate) async fn revoke_counted(
    home: &Path,
    record: &OrgRecord,
    redirect: &str,
    refresh: &RefreshToken,
) -> Result<(), OAuthError> {
    let revoked = match LoginUrl::parse(&record.login_url)
        .and_then(|login| OAuthApp::new(login, &record.client_id, redirect))
    {
        Ok(app) => app.revoke(refresh).await,
        Err(err) => Err(err),
    };
    if !matches!(&revoked, Err(err) if err.nothing_sent()) {
        crate::api_usage::count_in_home(
            home,
            &record.alias,
            crate::api_usage::RequestKind::SignIn,
            1,
        )
        .await;
    }
    revoked
}

/// Forgets `alias` on this device: signs it out (revoking if still signed in), then removes
/// its record from `orgs.toml` (clearing the active org if it was this one).
pub async fn remove_org(
    home: &Path,
    alias: &str,
    secrets: &dyn SecretStore,
    namespace: &str,
) -> Result<(OrgRecord, SignOut), SignOutError> {
    let record = OrgRegistry::load(home)?.require(alias)?.clone();
    let signed_out = sign_out(home, &record, secrets, namespace).await?;
    // Reloaded: the registry may have changed while Salesforce was asked.
    let mut registry = OrgRegistry::load(home)?;
    let removed = registry.remove(alias)?;
    registry.save(home)?;
    tracing::info!(alias, "org removed from this device");
    Ok((removed, signed_out))
}

/// One org of the registry as the settings list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgStatus {
    pub record: OrgRecord,
    /// The registry's active org.
    pub active: bool,
    /// Whether a sign-in is stored; `None` when the keyring could not say.
    pub signed_in: Option<bool>,
}

/// Every registered org with its state. `secrets` is `None` when no keyring is reachable
/// (then no org's state is known).
pub fn org_statuses(
    registry: &OrgRegistry,
    secrets: Option<&dyn SecretStore>,
    namespace: &str,
) -> Vec<OrgStatus> {
    registry
        .orgs
        .iter()
        .map(|record| {
            let signed_in = secrets.and_then(|secrets| {
                let key = SecretKey::new(namespace, &record.org_id, &record.user_id);
                match secrets.load(&key) {
                    Ok(tokens) => Some(tokens.is_some()),
                    Err(err) => {
                        tracing::warn!(alias = %record.alias, "sign-in state unknown: {err}");
                        None
                    }
                }
            });
            OrgStatus {
                active: registry.active.as_deref() == Some(record.alias.as_str()),
                record: record.clone(),
                signed_in,
            }
        })
        .collect()
}
