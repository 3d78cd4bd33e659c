//! Keeping a sign-in alive: [`RefreshingSession`] turns a refresh token into new access
//! tokens for a [`crate::Client`], hands each rotated refresh token to a
//! [`TokenPersistence`] before the new access token is used, and remembers when Salesforce
//! has ended the sign-in (`invalid_grant`) so no further refresh is attempted.
//!
//! Single-flight is the client's job (it holds the gate); this type also serialises its own
//! refreshes so two clients sharing one session cannot spend the same refresh token twice
//! (with rotation, the second use would revoke the whole family).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::app::OAuthApp;
use super::error::OAuthError;
use super::token::RefreshToken;
use crate::error::Error;
use crate::secret::AccessToken;

/// Renews an access token. [`crate::Client::with_refresher`] calls it after a 401.
pub trait TokenRefresher: Send + Sync + fmt::Debug {
    /// A new access token, or [`Error::SignedOut`] when only a new sign-in helps.
    fn refresh(&self) -> Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + '_>>;
}

/// Where the newest tokens are kept (the OS keyring, in Ringside).
pub trait TokenPersistence: Send + Sync + fmt::Debug {
    /// Stores the tokens after a refresh, before the new access token is used. With
    /// rotation, `refresh` is the only refresh token still alive: if this fails, the
    /// sign-in will not survive a restart, so the refresh is reported as failed.
    fn store(&self, refresh: &RefreshToken, access: &AccessToken) -> Result<(), String>;
    /// Salesforce refused the refresh token: forget it (the sign-in is over).
    fn signed_out(&self);
}

/// A refresh token and the app that can redeem it.
pub struct RefreshingSession {
    app: OAuthApp,
    /// The current refresh token. A tokio mutex: held across the refresh request, so
    /// refreshes through this session never overlap.
    refresh_token: tokio::sync::Mutex<Option<RefreshToken>>,
    persistence: Arc<dyn TokenPersistence>,
    /// The next step shown when signed out, e.g. "sign in again with `ringside org login --alias A`".
    hint: String,
    refreshes: AtomicU64,
    signed_out_reason: std::sync::Mutex<Option<String>>,
}

impl fmt::Debug for RefreshingSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingSession")
            .field("app", &self.app)
            .field("refreshes", &self.refreshes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RefreshingSession {
    pub fn new(
        app: OAuthApp,
        refresh_token: RefreshToken,
        persistence: Arc<dyn TokenPersistence>,
        signed_out_hint: impl Into<String>,
    ) -> Self {
        Self {
            app,
            refresh_token: tokio::sync::Mutex::new(Some(refresh_token)),
            persistence,
            hint: signed_out_hint.into(),
            refreshes: AtomicU64::new(0),
            signed_out_reason: std::sync::Mutex::new(None),
        }
    }

    /// How many refresh requests this session sent (for tests and benchmarks).
    pub fn refreshes_made(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Whether Salesforce has ended this sign-in.
    pub fn is_signed_out(&self) -> bool {
        self.signed_out_reason
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn signed_out_error(&self, reason: String) -> Error {
        Error::SignedOut {
            reason,
            hint: self.hint.clone(),
        }
    }

    async fn refresh_now(&self) -> Result<AccessToken, Error> {
        let mut current = self.refresh_token.lock().await;
        if let Some(reason) = self
            .signed_out_reason
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Err(self.signed_out_error(reason));
        }
        let Some(token) = current.as_ref() else {
            return Err(self.signed_out_error("no refresh token".into()));
        };
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::info!(login = %self.app.login_url(), "refreshing the Salesforce session");
        match self.app.refresh(token).await {
            Ok(grant) => {
                // Without rotation Salesforce sends no new refresh token: the old one stays valid.
                let newest = grant.refresh_token.unwrap_or_else(|| token.clone());
                // Stored before the access token is handed out: if the process dies right
                // after, the only live refresh token is already safe.
                let stored = self.persistence.store(&newest, &grant.access_token);
                *current = Some(newest);
                stored.map_err(Error::TokenStore)?;
                Ok(grant.access_token)
            }
            Err(OAuthError::InvalidGrant { description }) => {
                tracing::warn!("Salesforce refused the refresh token: signed out");
                *current = None;
                *self
                    .signed_out_reason
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(description.clone());
                self.persistence.signed_out();
                Err(self.signed_out_error(description))
            }
            Err(other) => Err(other.into()),
        }
    }
}

impl TokenRefresher for RefreshingSession {
    fn refresh(&self) -> Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + '_>> {
        Box::pin(self.refresh_now())
    }
}
