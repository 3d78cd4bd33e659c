//! Sign-ins started by the desktop app and finished by a link: [`PendingSignIns`] keeps each
//! started sign-in (its PKCE verifier and `state`) until the browser's redirect comes back as
//! a whole URL (`ringside://oauth/callback?code=…&state=…`, delivered by the deep-link
//! plugin, or a loopback request), then exchanges the code, stores the tokens and records the
//! org exactly like [`super::login`].
//!
//! Unlike [`super::login`], which waits inside one call, the desktop begins a sign-in in one
//! command, gets the outcome in another and completes it from a third place (the deep-link
//! handler), so the pending state lives here between them:
//!
//! 1. [`PendingSignIns::begin`] → a [`BegunSignIn`] with the authorize URL to open;
//! 2. [`PendingSignIns::complete`] with the callback URL, from whoever received it;
//! 3. [`PendingSignIns::wait`] gives the outcome, or [`LoginError::Timeout`] after the
//!    request's timeout; [`PendingSignIns::cancel`] ends it from the app's Cancel button.
//!
//! A callback is matched to its sign-in by `state` (compared in constant time). One that
//! matches none (forged, already used, expired or never started) is refused with
//! [`LoginError::ForeignLink`] and touches no pending sign-in, so a web page that opens a
//! `ringside://` link can neither finish nor cancel the user's sign-in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use salesforce::oauth::{OAuthApp, OAuthError, PendingAuthorization};
use tokio::sync::oneshot;

use super::{CallbackParams, LoginError, LoginRequest, LoginStores, SignedIn, finish};
use crate::orgs::{OrgRegistry, validate_alias};
use crate::secrets::SecretKey;

/// What a sign-in ends with.
pub type SignInOutcome = Result<SignedIn, LoginError>;

/// The sign-ins waiting for their redirect, in the app's managed state.
#[derive(Debug, Default)]
pub struct PendingSignIns {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
}

struct Entry {
    id: u64,
    request: LoginRequest,
    app: OAuthApp,
    authorization: PendingAuthorization,
    outcome: oneshot::Sender<SignInOutcome>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The authorization holds the verifier and state: its own Debug redacts them.
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("alias", &self.request.alias)
            .field("authorization", &self.authorization)
            .finish_non_exhaustive()
    }
}

/// A started sign-in: open `authorize_url` in the browser, then [`PendingSignIns::wait`].
#[derive(Debug)]
pub struct BegunSignIn {
    /// Names this sign-in for [`PendingSignIns::cancel`].
    pub id: u64,
    /// The authorize URL (PKCE challenge and `state` in it; not a secret by itself).
    pub authorize_url: String,
    /// The `redirect_uri` sent, which the External Client App must list.
    pub redirect_uri: String,
    outcome: oneshot::Receiver<SignInOutcome>,
}

impl PendingSignIns {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a sign-in for `request` whose redirect comes back to `redirect_uri`
    /// (`ringside://oauth/callback` or `http://127.0.0.1:PORT/oauth/callback`).
    pub fn begin(
        &self,
        request: LoginRequest,
        redirect_uri: &str,
    ) -> Result<BegunSignIn, LoginError> {
        validate_alias(&request.alias)?;
        let app = OAuthApp::new(request.login_url.clone(), &request.client_id, redirect_uri)?;
        let authorization = app.authorize(request.scope_profile);
        let authorize_url = authorization.url.clone();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (sender, receiver) = oneshot::channel();
        tracing::info!(id, alias = %request.alias, login = %request.login_url, redirect = %redirect_uri, "desktop sign-in started");
        self.lock().push(Entry {
            id,
            request,
            app,
            authorization,
            outcome: sender,
        });
        Ok(BegunSignIn {
            id,
            authorize_url,
            redirect_uri: redirect_uri.to_owned(),
            outcome: receiver,
        })
    }

    /// Waits for the outcome of `begun`. After the request's timeout the sign-in is dropped
    /// (a late link is then refused as foreign) and [`LoginError::Timeout`] returned.
    pub async fn wait(&self, begun: BegunSignIn) -> SignInOutcome {
        let timeout = self
            .lock()
            .iter()
            .find(|e| e.id == begun.id)
            .map(|e| e.request.timeout);
        let Some(timeout) = timeout else {
            // Completed (or cancelled) before anyone waited: the outcome is already sent.
            return begun.outcome.await.unwrap_or(Err(LoginError::Abandoned));
        };
        match tokio::time::timeout(timeout, begun.outcome).await {
            Ok(outcome) => outcome.unwrap_or(Err(LoginError::Abandoned)),
            Err(_) => {
                self.take(|e| e.id == begun.id);
                tracing::warn!(id = begun.id, "desktop sign-in timed out");
                Err(LoginError::Timeout {
                    seconds: timeout.as_secs(),
                    forged: 0,
                })
            }
        }
    }

    /// Ends sign-in `id` from the app (its Cancel button): its waiter gets
    /// [`LoginError::Abandoned`]. Says whether it was still pending.
    pub fn cancel(&self, id: u64) -> bool {
        match self.take(|e| e.id == id) {
            Some(entry) => {
                tracing::info!(id, "desktop sign-in cancelled in the app");
                let _ = entry.outcome.send(Err(LoginError::Abandoned));
                true
            }
            None => false,
        }
    }

    /// Ends every pending sign-in (the app's Cancel when it does not track ids); says how many.
    pub fn cancel_all(&self) -> usize {
        let ended: Vec<Entry> = self.lock().drain(..).collect();
        for entry in &ended {
            tracing::info!(id = entry.id, "desktop sign-in cancelled in the app");
        }
        let count = ended.len();
        for entry in ended {
            let _ = entry.outcome.send(Err(LoginError::Abandoned));
        }
        count
    }

    /// How many sign-ins are waiting for their redirect.
    pub fn pending_count(&self) -> usize {
        self.lock().len()
    }

    /// Completes the sign-in `callback_url` belongs to. Returns that sign-in's outcome (also
    /// sent to its waiter). A link that belongs to no pending sign-in is refused with
    /// [`LoginError::ForeignLink`] or [`LoginError::MalformedCallback`] and changes nothing.
    pub async fn complete(
        &self,
        callback_url: &str,
        stores: LoginStores<'_>,
    ) -> Result<CompletedSignIn, LoginError> {
        let params = self.callback_params(callback_url)?;
        self.complete_params(params, stores).await
    }

    /// [`PendingSignIns::complete`] for a callback already split into its parameters (the
    /// loopback listener's).
    pub async fn complete_params(
        &self,
        params: CallbackParams,
        stores: LoginStores<'_>,
    ) -> Result<CompletedSignIn, LoginError> {
        let Some(state) = params.get("state") else {
            tracing::warn!("refused a sign-in link without a state");
            return Err(LoginError::ForeignLink);
        };
        let Some(entry) = self.take(|e| e.authorization.state_matches(state)) else {
            tracing::warn!("refused a sign-in link whose state matches no pending sign-in");
            return Err(LoginError::ForeignLink);
        };
        let id = entry.id;
        let outcome = finish_from(
            entry.request.clone(),
            &entry.app,
            entry.authorization,
            &params,
            stores,
        )
        .await;
        match &outcome {
            Ok(done) => tracing::info!(id, alias = %done.record.alias, "desktop sign-in finished"),
            Err(err) => tracing::warn!(id, "desktop sign-in failed: {err}"),
        }
        // The waiter gets the typed outcome; the caller a summary (LoginError is not Clone).
        let summary = CompletedSignIn {
            id,
            alias: entry.request.alias.clone(),
            result: match &outcome {
                Ok(done) => Ok(done.record.username.clone()),
                Err(err) => Err(SignInFailure {
                    code: err.code(),
                    message: err.to_string(),
                }),
            },
        };
        if entry.outcome.send(outcome).is_err() {
            tracing::debug!(id, "nobody was waiting for this sign-in any more");
        }
        Ok(summary)
    }

    /// Serves sign-in `id`'s loopback redirect (an admin's `redirect_port`) until that
    /// sign-in ends or `timeout` passes, answering each browser request with a page. Forged
    /// callbacks get the "rejected" page and the listener keeps waiting; dropping
    /// `redirect` at the end releases the port.
    pub async fn serve_loopback(
        &self,
        id: u64,
        mut redirect: super::LoopbackRedirect,
        timeout: std::time::Duration,
        stores: LoginStores<'_>,
    ) {
        use super::{CallbackVerdict, RedirectSource};
        let serve = async {
            loop {
                let params = match redirect.next_callback().await {
                    Ok(params) => params,
                    Err(err) => {
                        tracing::warn!("the sign-in redirect listener stopped: {err}");
                        return;
                    }
                };
                let verdict = match self.complete_params(params, stores).await {
                    Err(LoginError::ForeignLink) => CallbackVerdict::Forged,
                    Err(err) => CallbackVerdict::Failed {
                        message: err.to_string(),
                    },
                    Ok(done) => {
                        let verdict = match done.result {
                            Ok(username) => CallbackVerdict::SignedIn { username },
                            Err(failure) if failure.code == "access_denied" => {
                                CallbackVerdict::Cancelled
                            }
                            Err(failure) => CallbackVerdict::Failed {
                                message: failure.message,
                            },
                        };
                        if done.id == id {
                            redirect.answer(verdict).await;
                            return;
                        }
                        verdict
                    }
                };
                redirect.answer(verdict).await;
                if !self.lock().iter().any(|e| e.id == id) {
                    return; // Cancelled or timed out meanwhile.
                }
            }
        };
        let _ = tokio::time::timeout(timeout, serve).await;
    }

    fn callback_params(&self, callback_url: &str) -> Result<CallbackParams, LoginError> {
        let malformed = |detail: &str| LoginError::MalformedCallback {
            detail: detail.to_owned(),
        };
        if callback_url.len() > 8 * 1024 {
            return Err(malformed("the sign-in link is too long"));
        }
        let url = url::Url::parse(callback_url.trim())
            .map_err(|_| malformed("the sign-in link is not a URL"))?;
        let is_callback = match url.scheme() {
            "ringside" => {
                url.host_str() == Some("oauth") && url.path().trim_end_matches('/') == "/callback"
            }
            "http" => url.host_str() == Some("127.0.0.1") && url.path() == super::CALLBACK_PATH,
            _ => false,
        };
        if !is_callback {
            return Err(malformed(
                "it is not a sign-in callback (ringside://oauth/callback?…)",
            ));
        }
        Ok(CallbackParams::from_query(url.query().unwrap_or_default()))
    }

    fn take(&self, matches: impl Fn(&Entry) -> bool) -> Option<Entry> {
        let mut entries = self.lock();
        let index = entries.iter().position(matches)?;
        Some(entries.remove(index))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // Entries are pushed and removed whole; a panic elsewhere leaves them consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What [`PendingSignIns::complete`] did with a link that belonged to a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedSignIn {
    pub id: u64,
    pub alias: String,
    /// The username signed in, or why not (its waiter has the typed error).
    pub result: Result<String, SignInFailure>,
}

/// A failed sign-in in words: [`LoginError::code`] and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailure {
    pub code: crate::ipc_code::IpcCode,
    pub message: String,
}

/// The callback's `error` or `code` → the sign-in's outcome. Signing an alias in again
/// replaces its sign-in: the replaced refresh token is revoked afterwards, giving back one
/// of the five approvals Salesforce allows per user and app (DESIGN §3).
async fn finish_from(
    request: LoginRequest,
    app: &OAuthApp,
    authorization: PendingAuthorization,
    params: &CallbackParams,
    stores: LoginStores<'_>,
) -> SignInOutcome {
    if let Some(error) = params.get("error") {
        return Err(if error == "access_denied" {
            LoginError::Cancelled
        } else {
            LoginError::OAuth(OAuthError::from_oauth(
                error,
                params.get("error_description"),
            ))
        });
    }
    let Some(code) = params.get("code") else {
        return Err(LoginError::MalformedCallback {
            detail: "it has neither a code nor an error".into(),
        });
    };
    let previous = OrgRegistry::load(stores.home)?.get(&request.alias).cloned();
    let replaced = match &previous {
        Some(p) => stores
            .secrets
            .load(&SecretKey::new(stores.namespace, &p.org_id, &p.user_id))?
            .map(|tokens| (p.clone(), tokens)),
        None => None,
    };
    let signed_in = finish(&request, app, code, authorization, stores).await?;
    if let Some((old, tokens)) = replaced {
        let new_key = (&signed_in.record.org_id, &signed_in.record.user_id);
        if new_key != (&old.org_id, &old.user_id) {
            // Another user under the same alias: their keyring entry is no longer referenced.
            let _ =
                stores
                    .secrets
                    .delete(&SecretKey::new(stores.namespace, &old.org_id, &old.user_id));
        }
        let revoked =
            super::sign_out::revoke_counted(stores.home, &old, app.redirect_uri(), &tokens.refresh)
                .await;
        if let Err(err) = revoked {
            tracing::warn!(alias = %old.alias, "the replaced sign-in could not be revoked: {err}");
        }
    }
    Ok(signed_in)
}
