//! Signing in to Salesforce: the OAuth 2.0 web-server flow with PKCE (S256) and `state`, as
//! a public client (an External Client App with "require secret" off), token refresh with
//! rotation, revocation, and the identity URL.
//!
//! Built on the `oauth2` crate (types, PKCE, the authorize URL, the token requests) with our
//! own reqwest client plugged in ([`transport`]), so the crate has a single HTTP stack.
//!
//! - [`login_url`]: where users sign in (production, sandbox, My Domain, or a loopback demo).
//! - [`scope`]: the scope profiles standard / extended / privileged.
//! - [`token`]: [`RefreshToken`] (a secret type), [`TokenGrant`], [`IdentityUrl`].
//! - [`app`]: [`OAuthApp`]: authorize URL, code exchange, refresh, revoke, identity, userinfo.
//! - [`error`]: [`OAuthError`]; `invalid_grant` is [`OAuthError::InvalidGrant`] (signed out).
//! - [`session`]: [`RefreshingSession`], the refresher a [`crate::Client`] calls on a 401, and
//!   the [`TokenPersistence`] callback that stores rotated refresh tokens.
//! - `transport`: the `oauth2` HTTP-client trait over reqwest.

pub mod app;
pub mod error;
pub mod login_url;
pub mod scope;
pub mod session;
pub mod token;
mod transport;

pub use app::{Identity, OAuthApp, PendingAuthorization};
pub use error::OAuthError;
pub use login_url::LoginUrl;
pub use scope::ScopeProfile;
pub use session::{RefreshingSession, TokenPersistence, TokenRefresher};
pub use token::{IdentityUrl, RefreshToken, TokenGrant};
