//! Sign-in and refresh against the demo org over real HTTP: the web-server flow with PKCE,
//! identity, refresh with rotation inside the client (single-flight), signed-out, revoke.

use std::sync::{Arc, Mutex};

use salesforce::oauth::{
    LoginUrl, OAuthApp, OAuthError, RefreshToken, RefreshingSession, ScopeProfile, TokenPersistence,
};
use salesforce::{AccessToken, ApiVersion, Client, ClientOptions, Error, InstanceUrl};

use crate::support;

const REDIRECT: &str = "http://127.0.0.1:49999/oauth/callback";

/// Records what the session stores (the test's view of the keyring).
#[derive(Debug, Default)]
struct Recorder {
    stored: Mutex<Vec<(String, String)>>,
    signed_out: Mutex<bool>,
}

impl TokenPersistence for Recorder {
    fn store(&self, refresh: &RefreshToken, access: &AccessToken) -> Result<(), String> {
        self.stored.lock().unwrap().push((
            refresh.expose_secret().to_owned(),
            access.expose_secret().to_owned(),
        ));
        Ok(())
    }
    fn signed_out(&self) {
        *self.signed_out.lock().unwrap() = true;
    }
}

fn app(org: &support::DemoOrg) -> OAuthApp {
    OAuthApp::new(
        LoginUrl::parse(&org.base_url()).expect("loopback login URL"),
        demo_org::DEMO_CLIENT_ID,
        REDIRECT,
    )
    .expect("an app for the demo org")
}

/// Follows the authorize URL like a browser would, without following the redirect, and
/// returns the callback's query parameters.
async fn browser(url: &str) -> Vec<(String, String)> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(url).send().await.expect("authorize answers");
    assert_eq!(answer.status(), 302, "the demo user is approved at once");
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(REDIRECT),
        "back to our callback: {location}"
    );
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Signs in through the web-server flow and returns the grant.
async fn sign_in(org: &support::DemoOrg) -> salesforce::oauth::TokenGrant {
    let app = app(org);
    let pending = app.authorize(ScopeProfile::Standard);
    assert!(
        pending.url.contains("code_challenge_method=S256")
            && pending
                .url
                .contains("scope=api+refresh_token+offline_access"),
        "PKCE S256 and the standard scopes are asked for: {}",
        pending.url
    );
    let params = browser(&pending.url).await;
    let state = param(&params, "state").expect("state comes back");
    assert!(pending.state_matches(state), "the state round-trips");
    assert!(!pending.state_matches("forged"), "another state is refused");
    let code = param(&params, "code").expect("a code");
    app.exchange_code(code, pending)
        .await
        .expect("the code is exchanged")
}

fn refreshing_client(
    org: &support::DemoOrg,
    access: AccessToken,
    refresh: RefreshToken,
) -> (Client, Arc<RefreshingSession>, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let session = Arc::new(RefreshingSession::new(
        app(org),
        refresh,
        recorder.clone(),
        "sign in again with `ringside org login --alias demo`",
    ));
    let client = Client::with_refresher(
        InstanceUrl::parse(&org.base_url()).unwrap(),
        access,
        ApiVersion::DEFAULT,
        ClientOptions::default(),
        session.clone(),
    )
    .unwrap();
    (client, session, recorder)
}

#[tokio::test]
async fn web_server_flow_with_pkce_gives_tokens_identity_and_userinfo() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    assert!(
        grant.refresh_token.is_some(),
        "refresh_token scope brings one"
    );
    assert_eq!(grant.identity.org_id(), demo_org::ORG_ID);
    assert_eq!(grant.instance_url, org.base_url());
    let app = app(&org);
    let who = app
        .identity(&grant.identity, &grant.access_token)
        .await
        .expect("identity URL answers");
    assert_eq!(who.username, demo_org::DEMO_USERNAME);
    assert_eq!(who.user_id, grant.identity.user_id());
    let info = app.userinfo(&grant.access_token).await.expect("userinfo");
    assert_eq!(info["preferred_username"], demo_org::DEMO_USERNAME);
    assert!(
        !format!("{grant:?}").contains(grant.access_token.expose_secret()),
        "Debug of a grant never shows a token"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn wrong_verifier_reused_code_and_unknown_client_are_typed_errors() {
    let org = support::org().await;
    let a = app(&org);
    let first = a.authorize(ScopeProfile::Standard);
    let second = a.authorize(ScopeProfile::Standard);
    let params = browser(&first.url).await;
    let code = param(&params, "code").unwrap().to_owned();
    // The second request's verifier does not match the first's challenge.
    let err = a.exchange_code(&code, second).await.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant { .. }), "{err:?}");
    // The code was spent by the failed attempt: single use.
    let err = a.exchange_code(&code, first).await.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant { .. }), "{err:?}");

    let stranger = OAuthApp::new(
        LoginUrl::parse(&org.base_url()).unwrap(),
        "3MVGunknown",
        REDIRECT,
    )
    .unwrap();
    let err = stranger
        .refresh(&RefreshToken::new("5Aepwhatever").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::UnknownClient { .. }) && err.to_string().contains("consumer key"),
        "an unknown consumer key is explained: {err}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn expired_session_is_refreshed_once_rotated_token_stored_and_request_retried() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let first_refresh = grant.refresh_token.clone().unwrap();
    let (client, session, recorder) =
        refreshing_client(&org, grant.access_token, first_refresh.clone());
    client
        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
        .await
        .expect("works before expiry");
    org.faults().expire_tokens();
    let page = client
        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
        .await
        .expect("refreshed and retried transparently");
    assert_eq!(page.records.len(), 1);
    assert_eq!(session.refreshes_made(), 1);
    let stored = recorder.stored.lock().unwrap().clone();
    assert_eq!(
        stored.len(),
        1,
        "the rotated tokens were handed to the store"
    );
    assert_ne!(
        stored[0].0,
        first_refresh.expose_secret(),
        "rotation: a new refresh token was stored"
    );
    assert_eq!(
        stored[0].1,
        client.access_token().expose_secret(),
        "the stored access token is the one in use"
    );
    // The old refresh token is dead now (used once).
    let err = app(&org).refresh(&first_refresh).await.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant { .. }), "{err:?}");
    org.shutdown().await;
}

#[tokio::test]
async fn twenty_concurrent_requests_during_expiry_cause_exactly_one_refresh() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let (client, session, _recorder) =
        refreshing_client(&org, grant.access_token, grant.refresh_token.unwrap());
    org.faults().expire_tokens();
    let before = org.oauth_counts().refresh_token;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .unwrap()
            .expect("every request succeeds after the shared refresh");
    }
    let refreshes = org.oauth_counts().refresh_token - before;
    println!("refresh requests for 20 concurrent expired requests: {refreshes}");
    assert_eq!(
        refreshes, 1,
        "single-flight: the org saw exactly one refresh"
    );
    assert_eq!(session.refreshes_made(), 1);
    org.shutdown().await;
}

/// Counts what the client reports: REST requests and token-endpoint requests apart.
#[derive(Debug, Default)]
struct Counted {
    api: std::sync::atomic::AtomicU64,
    token: std::sync::atomic::AtomicU64,
}

impl salesforce::RequestObserver for Counted {
    fn request_sent(&self, _: &salesforce::SentRequest) {
        self.api.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn token_request_sent(&self) {
        self.token
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[tokio::test]
async fn the_observer_is_told_of_each_token_request_the_org_saw_and_of_nothing_else() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let (client, _session, _recorder) =
        refreshing_client(&org, grant.access_token, grant.refresh_token.unwrap());
    let counted = Arc::new(Counted::default());
    assert!(client.observe(counted.clone()));
    let token_requests_before = org.oauth_counts().refresh_token;
    for round in 0..2 {
        org.faults().expire_tokens();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().expect("refreshed and retried");
        }
        let seen_by_org = org.oauth_counts().refresh_token - token_requests_before;
        assert_eq!(
            counted.token.load(std::sync::atomic::Ordering::Relaxed),
            seen_by_org,
            "round {round}: one token request reported per refresh the org answered"
        );
    }
    assert_eq!(
        org.oauth_counts().refresh_token - token_requests_before,
        2,
        "one refresh per expiry"
    );
    assert_eq!(
        counted.api.load(std::sync::atomic::Ordering::Relaxed),
        client.api_requests_made(),
        "REST requests are reported as before, token requests apart from them"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn revoked_refresh_token_means_signed_out_with_the_hint() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let (client, session, recorder) =
        refreshing_client(&org, grant.access_token, grant.refresh_token.unwrap());
    org.faults().revoke_refresh_tokens();
    org.faults().expire_tokens();
    let err = client
        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::SignedOut { .. }) && err.is_signed_out() && err.needs_reauth(),
        "invalid_grant on refresh is SignedOut: {err:?}"
    );
    assert!(
        err.to_string().contains("ringside org login --alias demo"),
        "the message names the next step: {err}"
    );
    assert!(*recorder.signed_out.lock().unwrap(), "the store was told");
    assert!(session.is_signed_out());
    // Later requests do not hammer the token endpoint.
    let before = org.oauth_counts().refresh_token;
    let again = client
        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
        .await
        .unwrap_err();
    assert!(again.is_signed_out());
    assert_eq!(
        org.oauth_counts().refresh_token,
        before,
        "no new refresh once signed out"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn revoke_ends_the_refresh_token_and_its_access_tokens() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let refresh = grant.refresh_token.unwrap();
    let a = app(&org);
    a.revoke(&refresh).await.expect("revoked");
    a.revoke(&refresh)
        .await
        .expect("revoking again is not an error: the goal is reached");
    let err = a.refresh(&refresh).await.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant { .. }), "{err:?}");
    let token_only = Client::new(&org.base_url(), grant.access_token, ApiVersion::DEFAULT).unwrap();
    let err = token_only
        .query::<serde_json::Value>("SELECT Id FROM Contact LIMIT 1")
        .await
        .unwrap_err();
    assert!(err.needs_reauth(), "the access token died with it: {err:?}");
    assert_eq!(org.oauth_counts().revoke, 2);
    org.shutdown().await;
}

#[tokio::test]
async fn api_disabled_edition_is_explained_whatever_shape_the_error_has() {
    let org = support::org().await;
    let grant = sign_in(&org).await;
    let refresh = grant.refresh_token.unwrap();
    let a = app(&org);
    for (status, body) in [
        (
            403,
            serde_json::json!([{"message": "API is not enabled for this Organization or Partner", "errorCode": "API_DISABLED_FOR_ORG"}]),
        ),
        (
            400,
            serde_json::json!({"error": "API_DISABLED_FOR_ORG", "error_description": "API is not enabled"}),
        ),
    ] {
        org.faults()
            .fail_next(Some("POST"), "/services/oauth2/token", 1, status, body);
        let err = a.refresh(&refresh).await.unwrap_err();
        assert!(matches!(err, OAuthError::ApiDisabled), "{err:?}");
        assert!(
            err.to_string().contains("Professional"),
            "names the editions: {err}"
        );
    }
    org.shutdown().await;
}
