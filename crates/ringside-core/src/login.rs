//! Signing in to an org: the browser flow end to end. [`login`] builds the authorize URL
//! (PKCE S256 + `state`), hands it to the caller to open, waits for the redirect from a
//! [`RedirectSource`] (the [`LoopbackRedirect`] here, or a link through [`LinkRedirect`]),
//! checks `state`, exchanges the code, reads who signed in, stores the tokens in the keyring
//! and records the org as active.
//!
//! The desktop app, whose sign-in begins in one command and ends when the OS delivers the
//! `ringside://oauth/callback` link, uses [`PendingSignIns`] instead (`pending`): begin →
//! complete(url) → wait. Also here: opening the browser (`browser`, honouring
//! `RINGSIDE_BROWSER`) and signing out / removing orgs (`sign_out`).
//!
//! Documented choice, forged callbacks: a callback whose `state` is missing or wrong is
//! answered "rejected" and logged, and the sign-in keeps waiting for the real one until the
//! timeout. Failing at once would let anything that can reach the loopback port cancel a
//! user's sign-in; accepting it would let it inject its own code. If only forged callbacks
//! arrive, the timeout error says how many were rejected.

mod browser;
mod loopback;
mod pending;
mod settings_view;
mod sign_out;

pub use browser::{BROWSER_VARIABLE, open_in_browser};
pub use loopback::{CALLBACK_PATH, LoopbackRedirect};
pub use pending::{BegunSignIn, CompletedSignIn, PendingSignIns, SignInFailure, SignInOutcome};
pub use settings_view::{ListOrgsError, OrgEntry, OrgsListing, SignInDefaults, list_orgs};
pub use sign_out::{OrgStatus, SignOut, SignOutError, org_statuses, remove_org, sign_out};

/// The desktop's redirect URI: the `ringside` scheme the deep-link plugin registers.
pub const DEEP_LINK_REDIRECT: &str = "ringside://oauth/callback";

use crate::ipc_code::IpcCode;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use salesforce::oauth::OAuthError;
/// The Salesforce sign-in types a front end names (a login host, the consumer key's app, a
/// scope profile), handed out here so the CLI and the desktop depend on core alone.
pub use salesforce::oauth::{LoginUrl, OAuthApp, ScopeProfile};

use crate::orgs::{OrgRecord, OrgRegistry, OrgsError, validate_alias};
use crate::secrets::{SecretError, SecretKey, SecretStore, StoredTokens};

/// What to sign in to.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// The name commands use for this org (`--org A`).
    pub alias: String,
    pub login_url: LoginUrl,
    /// The External Client App's consumer key.
    pub client_id: String,
    pub scope_profile: ScopeProfile,
    /// How long to wait for the browser.
    pub timeout: Duration,
}

/// The query parameters of a callback URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams(Vec<(String, String)>);

impl CallbackParams {
    /// Parses `a=1&b=2` (percent- and `+`-decoded).
    pub fn from_query(query: &str) -> Self {
        Self(
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Parses a whole callback URL (`ringside://oauth/callback?…`, `http://127.0.0.1:…`).
    pub fn from_url(url: &str) -> Result<Self, LoginError> {
        let parsed = url::Url::parse(url).map_err(|_| LoginError::MalformedCallback {
            detail: "the sign-in link is not a URL".into(),
        })?;
        Ok(Self::from_query(parsed.query().unwrap_or_default()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the browser is told about its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackVerdict {
    SignedIn { username: String },
    Forged,
    Cancelled,
    Failed { message: String },
}

impl CallbackVerdict {
    /// Status, title and text of the page shown in the browser.
    pub fn page(&self) -> (u16, &'static str, String) {
        match self {
            CallbackVerdict::SignedIn { username } => (
                200,
                "Signed in",
                format!("Ringside is signed in as {username}. You can close this tab."),
            ),
            CallbackVerdict::Forged => (
                400,
                "Rejected",
                "This sign-in answer does not belong to the sign-in Ringside started (wrong or missing state), so it was ignored.".into(),
            ),
            CallbackVerdict::Cancelled => (
                200,
                "Sign-in cancelled",
                "Access was not allowed, so Ringside is not signed in. You can close this tab.".into(),
            ),
            CallbackVerdict::Failed { message } => (400, "Sign-in failed", message.clone()),
        }
    }
}

/// How the redirect comes back to Ringside: a loopback listener, a deep link, a test.
pub trait RedirectSource: Send {
    /// The `redirect_uri` to send (must be listed in the External Client App).
    fn redirect_uri(&self) -> String;
    /// Waits for the next callback.
    fn next_callback(
        &mut self,
    ) -> Pin<Box<dyn Future<Output = Result<CallbackParams, LoginError>> + Send + '_>>;
    /// Tells the browser (if any is waiting) what became of its callback.
    fn answer(&mut self, verdict: CallbackVerdict)
    -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// A redirect delivered as a whole URL by someone else: the desktop's deep link
/// (`ringside://oauth/callback?…`, handed over by the deep-link / single-instance plugins).
/// A link that is not a URL or not for the callback path is logged and answered like a
/// forged callback (the sign-in keeps waiting): any web page can open a `ringside://` link.
#[derive(Debug)]
pub struct LinkRedirect {
    redirect_uri: String,
    links: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl LinkRedirect {
    /// A source for `redirect_uri` and the sender the link handler pushes URLs into.
    pub fn new(redirect_uri: &str) -> (Self, tokio::sync::mpsc::UnboundedSender<String>) {
        let (sender, links) = tokio::sync::mpsc::unbounded_channel();
        (
            Self {
                redirect_uri: redirect_uri.to_owned(),
                links,
            },
            sender,
        )
    }

    async fn next_link(&mut self) -> Result<CallbackParams, LoginError> {
        let Some(link) = self.links.recv().await else {
            return Err(LoginError::MalformedCallback {
                detail: "the app stopped delivering sign-in links".into(),
            });
        };
        let expected = url::Url::parse(&self.redirect_uri).ok();
        let parsed = url::Url::parse(&link).ok();
        let same_target = |a: &url::Url, b: &url::Url| {
            a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.path() == b.path()
        };
        match (expected, parsed) {
            (Some(expected), Some(parsed)) if same_target(&expected, &parsed) => Ok(
                CallbackParams::from_query(parsed.query().unwrap_or_default()),
            ),
            _ => {
                tracing::warn!("ignored a malformed sign-in link");
                // No state: the flow rejects it as forged and keeps waiting.
                Ok(CallbackParams::default())
            }
        }
    }
}

impl RedirectSource for LinkRedirect {
    fn redirect_uri(&self) -> String {
        self.redirect_uri.clone()
    }

    fn next_callback(
        &mut self,
    ) -> Pin<Box<dyn Future<Output = Result<CallbackParams, LoginError>> + Send + '_>> {
        Box::pin(self.next_link())
    }

    /// The app shows the outcome itself (from [`login`]'s result); no browser is waiting.
    fn answer(
        &mut self,
        _verdict: CallbackVerdict,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async {})
    }
}

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub record: OrgRecord,
}

/// Why a sign-in failed; each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(
        "the sign-in was cancelled in the browser (access denied); run the sign-in again and choose Allow"
    )]
    Cancelled,
    #[error(
        "no answer from the browser within {seconds} s; the sign-in was abandoned and the redirect port closed{}; run the sign-in again",
        if *forged > 0 { format!(" ({forged} forged callback(s) with a wrong or missing state were rejected)") } else { String::new() }
    )]
    Timeout { seconds: u64, forged: u32 },
    #[error(
        "cannot listen for the sign-in redirect on 127.0.0.1:{port} ({source}); choose another --redirect-port and make sure the External Client App lists http://127.0.0.1:<port>/oauth/callback"
    )]
    Listen {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the sign-in answer is malformed ({detail}); run the sign-in again")]
    MalformedCallback { detail: String },
    /// A callback whose `state` matches no sign-in in progress (forged, reused, expired).
    #[error(
        "this sign-in link was not started by Ringside (or its sign-in already finished or timed out), so it was ignored; start the sign-in again from Settings"
    )]
    ForeignLink,
    /// The sign-in was ended in the app (Cancel) before the browser answered.
    #[error("the sign-in was cancelled in Ringside")]
    Abandoned,
    #[error(
        "the browser could not be opened ({0}); use --no-browser and open the printed URL yourself"
    )]
    Browser(String),
    #[error(
        "Salesforce granted no refresh token, so the sign-in would not last; add the `refresh_token` and `offline_access` scopes to the External Client App"
    )]
    NoRefreshToken,
    /// The form left the consumer key blank and the admin set none.
    #[error(
        "no consumer key: enter the External Client App's consumer key, or ask your admin to set [salesforce] client_id in ringside.toml"
    )]
    NoClientId,
    #[error("{0}")]
    OAuth(#[from] OAuthError),
    #[error("{0}")]
    Secrets(#[from] SecretError),
    #[error("{0}")]
    Orgs(#[from] OrgsError),
}

impl LoginError {
    /// A stable code for each kind of failure, for a UI that words them itself.
    pub fn code(&self) -> IpcCode {
        match self {
            LoginError::Cancelled => IpcCode::AccessDenied,
            LoginError::Timeout { .. } => IpcCode::Timeout,
            LoginError::Listen { .. } => IpcCode::RedirectPort,
            LoginError::MalformedCallback { .. } => IpcCode::MalformedLink,
            LoginError::ForeignLink => IpcCode::ForeignLink,
            LoginError::Abandoned => IpcCode::Abandoned,
            LoginError::Browser(_) => IpcCode::Browser,
            LoginError::NoRefreshToken => IpcCode::NoRefreshToken,
            LoginError::NoClientId => IpcCode::InvalidInput,
            LoginError::OAuth(OAuthError::ApiDisabled) => IpcCode::ApiDisabled,
            LoginError::OAuth(OAuthError::UnknownClient { .. }) => IpcCode::UnknownClient,
            LoginError::OAuth(OAuthError::InvalidGrant { .. }) => IpcCode::InvalidGrant,
            LoginError::OAuth(OAuthError::Http(_)) => IpcCode::SalesforceUnreachable,
            LoginError::OAuth(OAuthError::InvalidConfig(_)) => IpcCode::InvalidInput,
            LoginError::OAuth(_) => IpcCode::OauthRefused,
            LoginError::Secrets(err) => err.code(),
            LoginError::Orgs(OrgsError::InvalidAlias { .. }) => IpcCode::InvalidInput,
            LoginError::Orgs(OrgsError::UnknownAlias { .. }) => IpcCode::UnknownOrg,
            LoginError::Orgs(_) => IpcCode::OrgRegistry,
        }
    }
}

/// Where a sign-in is recorded.
#[derive(Debug, Clone, Copy)]
pub struct LoginStores<'a> {
    /// The Ringside home holding `orgs.toml`.
    pub home: &'a Path,
    /// The keyring namespace ([`crate::secrets::namespace_for_home`]).
    pub namespace: &'a str,
    pub secrets: &'a dyn SecretStore,
}

/// Runs the whole sign-in. `open` receives the authorize URL (open a browser, or print it).
/// `redirect` is consumed so a loopback port is released as soon as this returns, whatever
/// the outcome.
pub async fn login<R: RedirectSource>(
    request: &LoginRequest,
    mut redirect: R,
    open: impl FnOnce(&str) -> Result<(), LoginError>,
    stores: LoginStores<'_>,
) -> Result<SignedIn, LoginError> {
    validate_alias(&request.alias)?;
    let app = OAuthApp::new(
        request.login_url.clone(),
        &request.client_id,
        &redirect.redirect_uri(),
    )?;
    let pending = app.authorize(request.scope_profile);
    tracing::info!(alias = %request.alias, login = %request.login_url, redirect = %app.redirect_uri(), "sign-in started");
    open(&pending.url)?;

    let mut forged = 0u32;
    let wait = async {
        loop {
            let params = redirect.next_callback().await?;
            let state_ok = params
                .get("state")
                .is_some_and(|s| pending.state_matches(s));
            if !state_ok {
                forged += 1;
                tracing::warn!("rejected a sign-in callback with a wrong or missing state");
                redirect.answer(CallbackVerdict::Forged).await;
                continue;
            }
            return Ok::<_, LoginError>(params);
        }
    };
    let params = match tokio::time::timeout(request.timeout, wait).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(LoginError::Timeout {
                seconds: request.timeout.as_secs(),
                forged,
            });
        }
    };

    if let Some(error) = params.get("error") {
        let err = if error == "access_denied" {
            LoginError::Cancelled
        } else {
            LoginError::OAuth(OAuthError::from_oauth(
                error,
                params.get("error_description"),
            ))
        };
        redirect
            .answer(if matches!(err, LoginError::Cancelled) {
                CallbackVerdict::Cancelled
            } else {
                CallbackVerdict::Failed {
                    message: err.to_string(),
                }
            })
            .await;
        return Err(err);
    }
    let Some(code) = params.get("code") else {
        let err = LoginError::MalformedCallback {
            detail: "it has neither a code nor an error".into(),
        };
        redirect
            .answer(CallbackVerdict::Failed {
                message: err.to_string(),
            })
            .await;
        return Err(err);
    };

    let result = finish(request, &app, code, pending, stores).await;
    redirect
        .answer(match &result {
            Ok(signed_in) => CallbackVerdict::SignedIn {
                username: signed_in.record.username.clone(),
            },
            Err(err) => CallbackVerdict::Failed {
                message: err.to_string(),
            },
        })
        .await;
    result
}

/// Code → tokens → identity → keyring → registry.
async fn finish(
    request: &LoginRequest,
    app: &OAuthApp,
    code: &str,
    pending: salesforce::oauth::PendingAuthorization,
    stores: LoginStores<'_>,
) -> Result<SignedIn, LoginError> {
    let grant = app.exchange_code(code, pending).await?;
    let refresh = grant
        .refresh_token
        .clone()
        .ok_or(LoginError::NoRefreshToken)?;
    let who = app.identity(&grant.identity, &grant.access_token).await?;
    let key = SecretKey::new(
        stores.namespace,
        grant.identity.org_id(),
        grant.identity.user_id(),
    );
    stores.secrets.save(
        &key,
        &StoredTokens {
            refresh,
            access: Some(grant.access_token.clone()),
        },
    )?;
    let record = OrgRecord {
        alias: request.alias.clone(),
        login_url: request.login_url.to_string(),
        instance_url: grant.instance_url.clone(),
        client_id: app.client_id().to_owned(),
        org_id: grant.identity.org_id().to_owned(),
        user_id: grant.identity.user_id().to_owned(),
        username: who.username.clone(),
        scope_profile: request.scope_profile.name().to_owned(),
        api_version: None,
    };
    let mut registry = OrgRegistry::load(stores.home)?;
    registry.upsert(record.clone());
    registry.set_active(&record.alias)?;
    registry.save(stores.home)?;
    // The code exchange and the identity read: Ringside's requests for this org too.
    crate::api_usage::count_in_home(
        stores.home,
        &record.alias,
        crate::api_usage::RequestKind::SignIn,
        2,
    )
    .await;
    tracing::info!(alias = %record.alias, username = %record.username, "signed in");
    Ok(SignedIn { record })
}
