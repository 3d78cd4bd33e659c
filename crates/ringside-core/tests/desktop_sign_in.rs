//! The desktop's sign-in, begun by one call and completed from a deep link
//! ([`PendingSignIns`]), against the demo org over real loopback HTTP: the genuine link signs
//! in, forged / reused / stray links are refused without disturbing the sign-in, consent
//! denied, the timeout, the app's Cancel, signing an alias in again, signing out and removing
//! an org. Tokens go to an in-memory [`SecretStore`] (the real keyring is tested under
//! `tests/keyring/run.sh` and by the desktop WebDriver test).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use ringside_core::api_usage::{RequestKind, UsageStore, local_day};
use ringside_core::login::{
    DEEP_LINK_REDIRECT, LoginError, LoginRequest, LoginStores, PendingSignIns, SignOut,
    org_statuses, remove_org, sign_out,
};
use ringside_core::orgs::OrgRegistry;
use ringside_core::secrets::{SecretError, SecretKey, SecretStore, StoredTokens};
use salesforce::oauth::{LoginUrl, OAuthApp, OAuthError, ScopeProfile};

/// A test double of the keyring (in addition to the real one, tested elsewhere).
#[derive(Debug, Default)]
struct MemoryStore(Mutex<HashMap<String, StoredTokens>>);

impl SecretStore for MemoryStore {
    fn load(&self, key: &SecretKey) -> Result<Option<StoredTokens>, SecretError> {
        Ok(self.0.lock().unwrap().get(&key.account()).cloned())
    }
    fn save(&self, key: &SecretKey, tokens: &StoredTokens) -> Result<(), SecretError> {
        self.0.lock().unwrap().insert(key.account(), tokens.clone());
        Ok(())
    }
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        self.0.lock().unwrap().remove(&key.account());
        Ok(())
    }
}

const NAMESPACE: &str = "ringside-desktop-test";

struct Fixture {
    org: demo_org::DemoOrg,
    home: std::path::PathBuf,
    store: MemoryStore,
    pending: PendingSignIns,
}

impl Fixture {
    async fn new(name: &str) -> Self {
        let home = std::env::temp_dir().join(format!(
            "ringside-desktop-signin-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        Fixture {
            org: demo_org::start(Default::default()).await.unwrap(),
            home,
            store: MemoryStore::default(),
            pending: PendingSignIns::new(),
        }
    }

    fn request(&self, alias: &str, timeout: Duration) -> LoginRequest {
        LoginRequest {
            alias: alias.into(),
            login_url: LoginUrl::parse(&self.org.base_url()).unwrap(),
            client_id: demo_org::DEMO_CLIENT_ID.into(),
            scope_profile: ScopeProfile::Standard,
            timeout,
        }
    }

    fn stores(&self) -> LoginStores<'_> {
        LoginStores {
            home: &self.home,
            namespace: NAMESPACE,
            secrets: &self.store,
        }
    }

    fn registry(&self) -> OrgRegistry {
        OrgRegistry::load(&self.home).unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// What the browser does with the authorize URL: the demo org approves at once and
/// redirects (302) to the callback, which is returned.
async fn consent(authorize_url: &str) -> String {
    let url = authorize_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let rest = url
            .strip_prefix("http://")
            .expect("the demo org is plain http");
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = TcpStream::connect(authority).expect("the demo org accepts");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 302"),
            "the authorize step redirects: {answer}"
        );
        answer
            .lines()
            .find_map(|l| {
                l.strip_prefix("location: ")
                    .or_else(|| l.strip_prefix("Location: "))
            })
            .expect("a Location header")
            .to_owned()
    })
    .await
    .unwrap()
}

fn demo_app(org: &demo_org::DemoOrg) -> OAuthApp {
    OAuthApp::new(
        LoginUrl::parse(&org.base_url()).unwrap(),
        demo_org::DEMO_CLIENT_ID,
        DEEP_LINK_REDIRECT,
    )
    .unwrap()
}

#[tokio::test]
async fn the_genuine_link_signs_in_and_the_same_link_again_is_refused() {
    let f = Fixture::new("ok").await;
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    assert_eq!(begun.redirect_uri, DEEP_LINK_REDIRECT);
    let link = consent(&begun.authorize_url).await;
    assert!(
        link.starts_with("ringside://oauth/callback?code="),
        "the demo org redirects to the deep link: {link}"
    );

    let completed = f.pending.complete(&link, f.stores()).await.unwrap();
    assert_eq!(completed.alias, "acme");
    assert_eq!(
        completed.result,
        Ok(demo_org::DEMO_USERNAME.to_owned()),
        "complete reports who signed in"
    );
    let signed_in = f
        .pending
        .wait(begun)
        .await
        .expect("the waiter gets the same success");
    assert_eq!(signed_in.record.username, demo_org::DEMO_USERNAME);
    assert_eq!(
        f.registry().active.as_deref(),
        Some("acme"),
        "the new org is active"
    );
    let key = SecretKey::new(NAMESPACE, demo_org::ORG_ID, &signed_in.record.user_id);
    assert!(
        f.store.load(&key).unwrap().is_some(),
        "tokens are in the keyring"
    );

    let again = f.pending.complete(&link, f.stores()).await;
    assert!(
        matches!(again, Err(LoginError::ForeignLink)),
        "a used state belongs to no sign-in any more: {again:?}"
    );
    let statuses = org_statuses(&f.registry(), Some(&f.store), NAMESPACE);
    assert_eq!(statuses.len(), 1);
    assert!(statuses[0].active, "the only org is active");
    assert_eq!(statuses[0].signed_in, Some(true), "and signed in");
}

#[tokio::test]
async fn forged_missing_state_and_stray_links_are_refused_and_the_sign_in_still_finishes() {
    let f = Fixture::new("forged").await;
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    for (link, why) in [
        (
            "ringside://oauth/callback?code=stolen&state=guessed",
            "a state Ringside never sent",
        ),
        ("ringside://oauth/callback?code=stolen", "no state at all"),
        (
            "ringside://oauth/callback?error=access_denied",
            "an error without state cannot cancel",
        ),
    ] {
        let refused = f.pending.complete(link, f.stores()).await;
        assert!(
            matches!(refused, Err(LoginError::ForeignLink)),
            "{why}: {refused:?}"
        );
        let message = refused.unwrap_err().to_string();
        assert!(
            message.contains("not started by Ringside"),
            "the user is told the link is not theirs: {message}"
        );
    }
    for link in [
        "ringside://call?event=ring",
        "not a url",
        "https://evil.example/oauth/callback?state=x",
    ] {
        let refused = f.pending.complete(link, f.stores()).await;
        assert!(
            matches!(refused, Err(LoginError::MalformedCallback { .. })),
            "{link} is not a sign-in callback: {refused:?}"
        );
    }
    assert_eq!(
        f.pending.pending_count(),
        1,
        "refused links leave the sign-in pending"
    );
    assert!(
        f.registry().orgs.is_empty(),
        "nothing was recorded for refused links"
    );

    let link = consent(&begun.authorize_url).await;
    f.pending.complete(&link, f.stores()).await.unwrap();
    let signed_in = f
        .pending
        .wait(begun)
        .await
        .expect("the genuine link still signs in");
    assert_eq!(signed_in.record.alias, "acme");
}

#[tokio::test]
async fn denied_consent_ends_the_sign_in_as_cancelled_and_records_nothing() {
    let f = Fixture::new("denied").await;
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    // The demo org's Deny button.
    let link = consent(&format!("{}&demo_decision=deny", begun.authorize_url)).await;
    assert!(link.contains("error=access_denied"), "{link}");
    let completed = f.pending.complete(&link, f.stores()).await.unwrap();
    assert!(
        completed.result.is_err(),
        "the link belonged to the sign-in, which failed"
    );
    let outcome = f.pending.wait(begun).await;
    let err = outcome.expect_err("denied consent is no sign-in");
    assert!(matches!(err, LoginError::Cancelled), "{err:?}");
    assert_eq!(err.code(), "access_denied", "the UI words it by this code");
    assert!(f.registry().orgs.is_empty(), "nothing recorded");
    assert_eq!(f.pending.pending_count(), 0);
}

#[tokio::test]
async fn an_unanswered_sign_in_times_out_and_its_late_link_is_refused() {
    let f = Fixture::new("timeout").await;
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_millis(300)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    let authorize_url = begun.authorize_url.clone();
    let err = f.pending.wait(begun).await.expect_err("nobody answered");
    assert!(matches!(err, LoginError::Timeout { .. }), "{err:?}");
    assert_eq!(err.code(), "timeout");
    assert_eq!(
        f.pending.pending_count(),
        0,
        "a timed-out sign-in is forgotten"
    );

    let late = consent(&authorize_url).await;
    let refused = f.pending.complete(&late, f.stores()).await;
    assert!(
        matches!(refused, Err(LoginError::ForeignLink)),
        "a link arriving after the timeout finishes nothing: {refused:?}"
    );
    assert!(f.registry().orgs.is_empty());
}

#[tokio::test]
async fn cancel_in_the_app_ends_the_wait_and_only_that_sign_in() {
    let f = Fixture::new("cancel").await;
    let first = f
        .pending
        .begin(
            f.request("one", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    let second = f
        .pending
        .begin(
            f.request("two", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    assert_ne!(first.id, second.id);
    assert!(f.pending.cancel(first.id), "it was pending");
    assert!(
        !f.pending.cancel(first.id),
        "cancelling twice finds nothing"
    );
    let err = f.pending.wait(first).await.expect_err("cancelled");
    assert!(matches!(err, LoginError::Abandoned), "{err:?}");

    let link = consent(&second.authorize_url).await;
    f.pending.complete(&link, f.stores()).await.unwrap();
    let signed_in = f
        .pending
        .wait(second)
        .await
        .expect("the other sign-in is untouched");
    assert_eq!(signed_in.record.alias, "two");

    let third = f
        .pending
        .begin(
            f.request("three", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    assert_eq!(
        f.pending.cancel_all(),
        1,
        "Cancel without an id ends what is pending"
    );
    let err = f.pending.wait(third).await.expect_err("cancelled");
    assert!(matches!(err, LoginError::Abandoned), "{err:?}");
}

#[tokio::test]
async fn bad_settings_are_refused_before_the_browser_opens() {
    let f = Fixture::new("bad").await;
    let bad_alias = f.pending.begin(
        f.request("has space", Duration::from_secs(5)),
        DEEP_LINK_REDIRECT,
    );
    assert_eq!(bad_alias.unwrap_err().code(), "invalid_input");
    let mut request = f.request("acme", Duration::from_secs(5));
    request.client_id = " ".into();
    let bad_key = f.pending.begin(request, DEEP_LINK_REDIRECT).unwrap_err();
    assert!(
        matches!(bad_key, LoginError::OAuth(OAuthError::InvalidConfig(_))),
        "{bad_key:?}"
    );
    assert_eq!(f.pending.pending_count(), 0);
}

async fn sign_in(f: &Fixture, alias: &str) -> ringside_core::login::SignedIn {
    let begun = f
        .pending
        .begin(
            f.request(alias, Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    let link = consent(&begun.authorize_url).await;
    f.pending.complete(&link, f.stores()).await.unwrap();
    f.pending.wait(begun).await.unwrap()
}

fn tokens_of(f: &Fixture, record: &ringside_core::orgs::OrgRecord) -> Option<StoredTokens> {
    f.store
        .load(&SecretKey::new(NAMESPACE, &record.org_id, &record.user_id))
        .unwrap()
}

#[tokio::test]
async fn signing_an_alias_in_again_revokes_the_replaced_sign_in() {
    let f = Fixture::new("again").await;
    let first = sign_in(&f, "acme").await;
    let old = tokens_of(&f, &first.record).unwrap();
    let second = sign_in(&f, "acme").await;
    let new = tokens_of(&f, &second.record).unwrap();
    assert_ne!(
        old.refresh, new.refresh,
        "the new sign-in has its own token"
    );
    let refused = demo_app(&f.org).refresh(&old.refresh).await;
    assert!(
        matches!(refused, Err(OAuthError::InvalidGrant { .. })),
        "the replaced refresh token was revoked, giving its approval back: {refused:?}"
    );
    demo_app(&f.org)
        .refresh(&new.refresh)
        .await
        .expect("the new sign-in still works");
}

#[tokio::test]
async fn sign_out_revokes_and_remove_forgets_the_org() {
    let f = Fixture::new("remove").await;
    let acme = sign_in(&f, "acme").await.record;
    let tokens = tokens_of(&f, &acme).unwrap();

    assert_eq!(
        sign_out(&f.home, &acme, &f.store, NAMESPACE).await.unwrap(),
        SignOut::Revoked
    );
    assert!(
        tokens_of(&f, &acme).is_none(),
        "the keyring entry is deleted"
    );
    assert!(
        demo_app(&f.org).refresh(&tokens.refresh).await.is_err(),
        "the refresh token is revoked at the org"
    );
    assert_eq!(
        sign_out(&f.home, &acme, &f.store, NAMESPACE).await.unwrap(),
        SignOut::AlreadySignedOut,
        "signing out twice is harmless"
    );
    assert_eq!(
        org_statuses(&f.registry(), Some(&f.store), NAMESPACE)[0].signed_in,
        Some(false),
        "the org stays listed, signed out"
    );

    // Removing a still signed-in org revokes it too.
    let again = sign_in(&f, "acme").await.record;
    let tokens = tokens_of(&f, &again).unwrap();
    let (removed, signed_out) = remove_org(&f.home, "acme", &f.store, NAMESPACE)
        .await
        .unwrap();
    assert_eq!(removed.alias, "acme");
    assert_eq!(signed_out, SignOut::Revoked);
    assert!(tokens_of(&f, &again).is_none());
    assert!(demo_app(&f.org).refresh(&tokens.refresh).await.is_err());
    let registry = f.registry();
    assert!(registry.orgs.is_empty(), "the record is gone");
    assert_eq!(registry.active, None, "the removed org is no longer active");
    let unknown = remove_org(&f.home, "acme", &f.store, NAMESPACE)
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), "unknown_org", "{unknown}");
}

/// Requests of `kind` counted today for `alias` in the fixture's home.
async fn counted(f: &Fixture, alias: &str, kind: RequestKind) -> u64 {
    let day = local_day(ringside_core::outbox::now_ms()).unwrap().0;
    let store = UsageStore::open_in_home(&f.home).await.unwrap();
    let stored = store.read(alias, &day).await.unwrap();
    store.close().await;
    stored.by_kind.get(&kind).copied().unwrap_or(0)
}

/// Issue 18, item 4: signing out sends `/services/oauth2/revoke`, a request like the token
/// requests: counted as `sign-in`, once per revoke the org saw; nothing when nothing was sent.
#[tokio::test]
async fn each_revoke_the_org_saw_is_counted_as_sign_in() {
    let f = Fixture::new("revoke-counted").await;
    let acme = sign_in(&f, "acme").await.record;
    let after_sign_in = counted(&f, "acme", RequestKind::SignIn).await;
    assert_eq!(after_sign_in, 2, "the code exchange and the identity read");
    let revokes_before = f.org.oauth_counts().revoke;

    assert_eq!(
        sign_out(&f.home, &acme, &f.store, NAMESPACE).await.unwrap(),
        SignOut::Revoked
    );
    assert_eq!(
        f.org.oauth_counts().revoke - revokes_before,
        1,
        "one revoke sent"
    );
    assert_eq!(
        counted(&f, "acme", RequestKind::SignIn).await,
        after_sign_in + 1,
        "the revoke is counted as sign-in, like the org saw it"
    );
    sign_out(&f.home, &acme, &f.store, NAMESPACE).await.unwrap();
    assert_eq!(
        counted(&f, "acme", RequestKind::SignIn).await,
        after_sign_in + 1,
        "already signed out: nothing sent, nothing counted"
    );

    // Signing an alias in again revokes the replaced sign-in: counted too.
    sign_in(&f, "acme").await;
    let revokes_before = f.org.oauth_counts().revoke;
    let before = counted(&f, "acme", RequestKind::SignIn).await;
    sign_in(&f, "acme").await;
    assert_eq!(f.org.oauth_counts().revoke - revokes_before, 1);
    assert_eq!(
        counted(&f, "acme", RequestKind::SignIn).await,
        before + 2 + 1,
        "the new sign-in's two requests and the replaced one's revoke"
    );

    // An org that cannot be reached saw nothing: nothing is counted.
    let mut unreachable = f.registry().require("acme").unwrap().clone();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    unreachable.login_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let before = counted(&f, "acme", RequestKind::SignIn).await;
    let result = sign_out(&f.home, &unreachable, &f.store, NAMESPACE)
        .await
        .unwrap();
    assert!(
        matches!(result, SignOut::NotRevoked { .. }),
        "signed out here, not at Salesforce: {result:?}"
    );
    assert_eq!(
        counted(&f, "acme", RequestKind::SignIn).await,
        before,
        "a revoke that never reached the org is not counted"
    );
}

/// A GET like a browser: status and body.
async fn browser_get(url: &str) -> (u16, String) {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let rest = url.strip_prefix("http://").unwrap();
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = TcpStream::connect(authority).expect("the listener accepts");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        (answer[9..12].parse().unwrap(), answer)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn with_a_loopback_redirect_port_the_browser_gets_its_page_and_forged_requests_are_rejected()
{
    use ringside_core::login::LoopbackRedirect;
    let f = Fixture::new("loopback").await;
    let redirect = LoopbackRedirect::bind(0).await.unwrap();
    let port = redirect.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/oauth/callback");
    let request = f.request("acme", Duration::from_secs(20));
    let begun = f.pending.begin(request, &redirect_uri).unwrap();
    let id = begun.id;
    let browser = async {
        let (status, page) =
            browser_get(&format!("{redirect_uri}?code=stolen&state=guessed")).await;
        assert_eq!(
            status, 400,
            "a forged callback gets the rejected page: {page}"
        );
        let link = consent(&begun.authorize_url).await;
        assert!(link.starts_with(&redirect_uri), "{link}");
        let (status, page) = browser_get(&link).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Signed in"), "the browser is told: {page}");
    };
    let serve = f
        .pending
        .serve_loopback(id, redirect, Duration::from_secs(20), f.stores());
    tokio::join!(serve, browser);
    let signed_in = f
        .pending
        .wait(begun)
        .await
        .expect("signed in through the loopback");
    assert_eq!(signed_in.record.alias, "acme");
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "the redirect port is released when the sign-in ends"
    );
}

#[tokio::test]
async fn an_org_without_api_access_is_explained_and_nothing_is_recorded() {
    let f = Fixture::new("api-disabled").await;
    // What an Essentials org answers the token request with.
    f.org.faults().apply(demo_org::FaultCommand::Error {
        method: Some("POST".into()),
        path_prefix: "/services/oauth2/token".into(),
        times: 1,
        status: 400,
        body: serde_json::json!([{
            "message": "The REST API is not enabled for this Organization.",
            "errorCode": "API_DISABLED_FOR_ORG"
        }]),
    });
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    let link = consent(&begun.authorize_url).await;
    f.pending.complete(&link, f.stores()).await.unwrap();
    let err = f.pending.wait(begun).await.expect_err("no API, no sign-in");
    assert_eq!(err.code(), "api_disabled", "{err}");
    assert!(
        err.to_string().contains("Essentials and Professional"),
        "the edition is explained: {err}"
    );
    assert!(f.registry().orgs.is_empty(), "nothing recorded");
}

/// A keyring that answers but refuses to store (no Secret Service provider).
#[derive(Debug, Default)]
struct NoKeyring;

impl SecretStore for NoKeyring {
    fn load(&self, _: &SecretKey) -> Result<Option<StoredTokens>, SecretError> {
        Ok(None)
    }
    fn save(&self, _: &SecretKey, _: &StoredTokens) -> Result<(), SecretError> {
        Err(SecretError::Unavailable {
            backend: ringside_core::secrets::BACKEND,
            detail: "org.freedesktop.secrets was not provided by any .service files".into(),
            fix: "start a Secret Service provider",
        })
    }
    fn delete(&self, _: &SecretKey) -> Result<(), SecretError> {
        Ok(())
    }
}

#[tokio::test]
async fn without_a_keyring_the_sign_in_fails_naming_the_backend_and_records_nothing() {
    let f = Fixture::new("no-keyring").await;
    let begun = f
        .pending
        .begin(
            f.request("acme", Duration::from_secs(20)),
            DEEP_LINK_REDIRECT,
        )
        .unwrap();
    let link = consent(&begun.authorize_url).await;
    let stores = LoginStores {
        home: &f.home,
        namespace: NAMESPACE,
        secrets: &NoKeyring,
    };
    f.pending.complete(&link, stores).await.unwrap();
    let err = f
        .pending
        .wait(begun)
        .await
        .expect_err("tokens had nowhere to go");
    assert_eq!(err.code(), "keyring_unavailable");
    assert!(
        err.to_string().contains(ringside_core::secrets::BACKEND),
        "the missing backend is named: {err}"
    );
    assert!(
        f.registry().orgs.is_empty(),
        "no org is recorded without its tokens (never a file fallback)"
    );
}

#[test]
fn the_sign_in_form_is_checked_into_a_request_with_the_admins_defaults() {
    use ringside_core::signin_settings::SignInSettings;
    let admin = SignInSettings {
        client_id: Some("admins-key".into()),
        scope_profile: Some(ScopeProfile::Extended),
        ..Default::default()
    };
    let timeout = Duration::from_secs(300);

    let request = LoginRequest::from_form(
        "  acme ",
        " https://test.salesforce.com ",
        Some("   "),
        &admin,
        timeout,
    )
    .expect("a sandbox URL and a blank key (the admin's) make a request");
    assert_eq!(request.alias, "acme", "the alias is trimmed");
    assert_eq!(request.login_url.to_string(), LoginUrl::SANDBOX);
    assert_eq!(
        request.client_id, "admins-key",
        "a blank consumer key falls back to the admin's"
    );
    assert_eq!(
        request.scope_profile,
        ScopeProfile::Extended,
        "the admin's scope profile is asked for"
    );
    let own = LoginRequest::from_form("a", LoginUrl::PRODUCTION, Some(" mine "), &admin, timeout)
        .expect("a typed key is used");
    assert_eq!(own.client_id, "mine", "the typed key wins, trimmed");

    let none = LoginRequest::from_form(
        "a",
        LoginUrl::PRODUCTION,
        None,
        &SignInSettings::default(),
        timeout,
    )
    .expect_err("no typed key and none from the admin");
    assert!(matches!(none, LoginError::NoClientId), "{none:?}");
    assert_eq!(
        none.code(),
        "invalid_input",
        "the form shows it as bad input"
    );
    assert!(
        none.to_string().contains("[salesforce] client_id"),
        "the sentence says where the admin sets it: {none}"
    );
    assert_eq!(
        ScopeProfile::Standard,
        LoginRequest::from_form(
            "a",
            LoginUrl::PRODUCTION,
            Some("k"),
            &SignInSettings::default(),
            timeout
        )
        .unwrap()
        .scope_profile,
        "without an admin's choice the narrowest profile is asked for"
    );

    let bad = LoginRequest::from_form("a", "http://evil.example", Some("k"), &admin, timeout)
        .expect_err("plain http off loopback is refused");
    assert_eq!(bad.code(), "invalid_input", "{bad}");
    assert!(
        bad.to_string().contains("plain http"),
        "the sentence says what is wrong with the URL: {bad}"
    );
}

#[tokio::test]
async fn the_settings_list_marks_the_active_org_and_the_one_in_use_with_the_forms_defaults() {
    use ringside_core::login::{ListOrgsError, list_orgs};
    use ringside_core::orgs::OrgRecord;

    let f = Fixture::new("list").await;
    let record = |alias: &str| OrgRecord {
        alias: alias.into(),
        login_url: LoginUrl::PRODUCTION.into(),
        instance_url: format!("https://{alias}.my.salesforce.com"),
        client_id: "key".into(),
        org_id: "00D000000000001AAA".into(),
        user_id: format!("005{alias}"),
        username: format!("agent@{alias}.example"),
        scope_profile: "standard".into(),
        api_version: None,
    };
    let mut registry = OrgRegistry::default();
    registry.upsert(record("alpha"));
    registry.upsert(record("beta"));
    registry.set_active("alpha").unwrap();
    registry.save(&f.home).unwrap();
    std::fs::write(
        f.home.join("ringside.toml"),
        "[salesforce]\nclient_id = \"admins-key\"\nredirect_port = 1717\n",
    )
    .unwrap();

    let listing = list_orgs(&f.home, NAMESPACE, Some("beta"), "http://127.0.0.1:9")
        .await
        .expect("the registry and the admin's table read");
    let flags: Vec<(&str, bool, bool)> = listing
        .orgs
        .iter()
        .map(|o| (o.alias.as_str(), o.active, o.in_use))
        .collect();
    assert_eq!(
        flags,
        [("alpha", true, false), ("beta", false, true)],
        "alpha is the registry's active org, beta the one the app uses now"
    );
    assert_eq!(
        listing.keyring_problem.is_some(),
        listing.orgs[0].signed_in.is_none(),
        "the sign-in state is unknown exactly when the keyring cannot be used: {:?}",
        listing.keyring_problem
    );
    let defaults = &listing.defaults;
    assert_eq!(defaults.client_id.as_deref(), Some("admins-key"));
    assert_eq!(
        defaults.login_url,
        LoginUrl::PRODUCTION,
        "production when the admin set no login URL"
    );
    assert_eq!(defaults.redirect_port, Some(1717));
    assert_eq!(defaults.scope_profile, "standard");
    assert_eq!(defaults.demo_login_url, "http://127.0.0.1:9");
    assert!(
        !defaults.demo_client_id.is_empty(),
        "the demo org's consumer key is offered for a try-out sign-in"
    );

    std::fs::write(
        f.home.join("ringside.toml"),
        "[salesforce]\nredirect_port = \"x\"\n",
    )
    .unwrap();
    let err = list_orgs(&f.home, NAMESPACE, None, "http://127.0.0.1:9")
        .await
        .expect_err("a broken [salesforce] table is named");
    assert!(matches!(err, ListOrgsError::Settings(_)), "{err:?}");
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("ringside.toml"), "{err}");
}
