//! A working connection to a signed-in org: the [`salesforce::Client`] built from the
//! registry record and the keyring, renewing its own token (refresh once and retry once on
//! a 401, single-flight, rotated tokens written back to the keyring first), or, for the
//! built-in demo org, from tokens held in memory ([`open_in_memory`]).

use std::sync::Arc;

use salesforce::oauth::{LoginUrl, OAuthApp, RefreshToken, RefreshingSession, TokenPersistence};
use salesforce::{AccessToken, ApiVersion, Client, ClientOptions, InstanceUrl};

use crate::orgs::OrgRecord;
use crate::secrets::{SecretKey, SecretStore, StoredTokens};

/// Redirect URI given to the refresh-only app (a refresh request sends none).
const REFRESH_ONLY_REDIRECT: &str = "ringside://oauth/callback";

/// Writes refreshed tokens back to the keyring; forgets them when Salesforce ends the sign-in.
#[derive(Debug)]
pub struct KeyringPersistence {
    secrets: Arc<dyn SecretStore>,
    key: SecretKey,
}

impl KeyringPersistence {
    pub fn new(secrets: Arc<dyn SecretStore>, key: SecretKey) -> Self {
        Self { secrets, key }
    }
}

impl TokenPersistence for KeyringPersistence {
    fn store(&self, refresh: &RefreshToken, access: &AccessToken) -> Result<(), String> {
        self.secrets
            .save(
                &self.key,
                &StoredTokens {
                    refresh: refresh.clone(),
                    access: Some(access.clone()),
                },
            )
            .map_err(|e| e.to_string())
    }

    fn signed_out(&self) {
        // The refresh token is dead: keeping it would only make the org look signed in.
        if let Err(e) = self.secrets.delete(&self.key) {
            tracing::warn!(error = %e, "could not delete a dead sign-in from the keyring");
        }
    }
}

/// Why a signed-in org cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{alias} is signed out (no sign-in stored in the keyring for {username}); {hint}")]
    SignedOut {
        alias: String,
        username: String,
        hint: String,
    },
    #[error("{0}")]
    Secrets(#[from] crate::secrets::SecretError),
    #[error("the org {alias} is recorded with an unusable setting: {detail}")]
    Misconfigured { alias: String, detail: String },
    #[error("{0}")]
    Salesforce(#[from] salesforce::Error),
    #[error("{alias}: {source}")]
    ApiVersion {
        alias: String,
        #[source]
        source: crate::api_version::VersionError,
    },
}

/// A client for a signed-in org and the session renewing it.
#[derive(Debug, Clone)]
pub struct OrgSession {
    pub client: Client,
    pub session: Arc<RefreshingSession>,
    /// The API version chosen by asking the org now, when the record did not hold one
    /// for this configuration: the caller keeps it in the registry
    /// ([`crate::orgs::OrgRegistry::remember_api_version`]) so the next open need not ask.
    pub new_api_version: Option<crate::api_version::VersionChoice>,
}

impl OrgSession {
    /// The client of `session`: on a 401 it refreshes through `session` and retries once.
    fn renewing(
        instance: InstanceUrl,
        access: AccessToken,
        version: ApiVersion,
        session: Arc<RefreshingSession>,
        new_api_version: Option<crate::api_version::VersionChoice>,
    ) -> Result<OrgSession, SessionError> {
        let client = Client::with_refresher(
            instance,
            access,
            version,
            ClientOptions::default(),
            session.clone(),
        )?;
        Ok(OrgSession {
            client,
            session,
            new_api_version,
        })
    }
}

/// Opens `record`'s sign-in from the keyring. `signed_out_hint` is the next step shown if
/// Salesforce has ended it (e.g. which command signs in again). The API version is the
/// record's (chosen at an earlier open) unless the admin configured another
/// (`configured_version`); then, or when the record has none, it is chosen by asking the
/// org ([`crate::api_version`]).
pub async fn open(
    record: &OrgRecord,
    secrets: Arc<dyn SecretStore>,
    namespace: &str,
    configured_version: Option<ApiVersion>,
    signed_out_hint: &str,
) -> Result<OrgSession, SessionError> {
    let misconfigured = |detail: String| SessionError::Misconfigured {
        alias: record.alias.clone(),
        detail,
    };
    let key = SecretKey::new(namespace, &record.org_id, &record.user_id);
    let Some(tokens) = secrets.load(&key)? else {
        return Err(SessionError::SignedOut {
            alias: record.alias.clone(),
            username: record.username.clone(),
            hint: signed_out_hint.to_owned(),
        });
    };
    let login = LoginUrl::parse(&record.login_url).map_err(|e| misconfigured(e.to_string()))?;
    let app = OAuthApp::new(login, &record.client_id, REFRESH_ONLY_REDIRECT)
        .map_err(|e| misconfigured(e.to_string()))?;
    let instance =
        InstanceUrl::parse(&record.instance_url).map_err(|e| misconfigured(e.to_string()))?;
    let remembered = record
        .api_version
        .as_deref()
        .and_then(|v| ApiVersion::parse(v).ok())
        .filter(|v| configured_version.is_none_or(|c| c == *v));
    let (version, new_api_version) = match remembered {
        Some(version) => (version, None),
        None => {
            let choice = crate::api_version::negotiate(&instance, configured_version)
                .await
                .map_err(|source| SessionError::ApiVersion {
                    alias: record.alias.clone(),
                    source,
                })?;
            (choice.version, Some(choice))
        }
    };
    let persistence = Arc::new(KeyringPersistence::new(secrets, key));
    let session = Arc::new(RefreshingSession::new(
        app,
        tokens.refresh,
        persistence,
        signed_out_hint,
    ));
    let access = match tokens.access {
        Some(access) => access,
        // No cached access token: get one now (a refresh, which also proves the sign-in).
        None => salesforce::oauth::TokenRefresher::refresh(session.as_ref()).await?,
    };
    OrgSession::renewing(instance, access, version, session, new_api_version)
}

/// [`open`] for the org `record` of the registry in `home`, with the admin's
/// `[salesforce] api_version` from `home`'s config, keeping a newly chosen API version in
/// the registry (a failure to write it is logged: the next open asks again).
pub async fn open_from_home(
    home: &std::path::Path,
    record: &OrgRecord,
    secrets: Arc<dyn SecretStore>,
    namespace: &str,
    signed_out_hint: &str,
) -> Result<OrgSession, SessionError> {
    // A broken [salesforce] table is reported by `config validate` and `doctor`; the
    // sign-in itself must not depend on it.
    let configured = crate::signin_settings::SignInSettings::load_from_home(home)
        .ok()
        .and_then(|s| s.api_version);
    let session = open(record, secrets, namespace, configured, signed_out_hint).await?;
    if let Some(choice) = &session.new_api_version {
        let remembered = crate::orgs::OrgRegistry::load(home).and_then(|mut registry| {
            registry.remember_api_version(&record.alias, choice.version);
            registry.save(home)
        });
        if let Err(e) = remembered {
            tracing::warn!(error = %e, "could not keep the org's API version in the registry");
        }
    }
    Ok(session)
}

/// Keeps rotated tokens nowhere but in the [`RefreshingSession`] itself: for a sign-in that
/// lives and dies with the process (the built-in demo org, which forgets its tokens when it
/// stops anyway).
#[derive(Debug)]
struct ProcessOnly;

impl TokenPersistence for ProcessOnly {
    fn store(&self, _refresh: &RefreshToken, _access: &AccessToken) -> Result<(), String> {
        Ok(())
    }

    fn signed_out(&self) {}
}

/// A session for tokens held in memory only, renewing itself like [`open`]'s: the built-in
/// demo org's sign-in (`login_url` is the org's own URL, `client_id` its consumer key).
/// Salesforce ends access tokens with the org's session timeout, and a demo left running
/// must renew its token as a real sign-in does rather than fail after two hours.
pub fn open_in_memory(
    instance_url: &str,
    client_id: &str,
    access: AccessToken,
    refresh: RefreshToken,
    version: ApiVersion,
) -> Result<OrgSession, SessionError> {
    let misconfigured = |detail: String| SessionError::Misconfigured {
        alias: "(built-in demo)".into(),
        detail,
    };
    let login = LoginUrl::parse(instance_url).map_err(|e| misconfigured(e.to_string()))?;
    let app = OAuthApp::new(login, client_id, REFRESH_ONLY_REDIRECT)
        .map_err(|e| misconfigured(e.to_string()))?;
    let instance = InstanceUrl::parse(instance_url).map_err(|e| misconfigured(e.to_string()))?;
    let session = Arc::new(RefreshingSession::new(
        app,
        refresh,
        Arc::new(ProcessOnly),
        "restart Ringside to start the built-in demo org again",
    ));
    OrgSession::renewing(instance, access, version, session, None)
}
