//! The browser sign-in against the demo org over real loopback HTTP: the loopback
//! redirect, `state` checking (forged callbacks), cancelled consent, the timeout releasing
//! the port, and what is recorded. Tokens go to an in-memory [`SecretStore`] here (the
//! real keyring is exercised by the CLI tests under `tests/keyring/run.sh`).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use ringside_core::login::{LoginError, LoginRequest, LoginStores, LoopbackRedirect, login};
use ringside_core::orgs::OrgRegistry;
use ringside_core::secrets::{SecretError, SecretKey, SecretStore, StoredTokens};
use salesforce::oauth::{LoginUrl, ScopeProfile};

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

fn temp_home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-login-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn request(org: &demo_org::DemoOrg, timeout: Duration) -> LoginRequest {
    LoginRequest {
        alias: "demo".into(),
        login_url: LoginUrl::parse(&org.base_url()).unwrap(),
        client_id: demo_org::DEMO_CLIENT_ID.into(),
        scope_profile: ScopeProfile::Standard,
        timeout,
    }
}

/// A raw HTTP GET (like a browser, not following redirects): status line, Location, body.
fn get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().expect("a status code");
    let location = answer
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .map(str::to_owned);
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, location, body)
}

fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} in {url}"))
}

/// Runs `login` with the authorize URL handed to `browser` on a blocking thread.
async fn run_login(
    org: &demo_org::DemoOrg,
    home: &std::path::Path,
    store: &MemoryStore,
    timeout: Duration,
    browser: impl FnOnce(String, String) + Send + 'static,
) -> Result<ringside_core::login::SignedIn, LoginError> {
    let redirect = LoopbackRedirect::bind(0).await.unwrap();
    let callback = format!("http://127.0.0.1:{}/oauth/callback", redirect.port());
    let open = move |url: &str| {
        let url = url.to_owned();
        std::thread::spawn(move || browser(url, callback));
        Ok(())
    };
    login(
        &request(org, timeout),
        redirect,
        open,
        LoginStores {
            home,
            namespace: "ringside-test",
            secrets: store,
        },
    )
    .await
}

#[tokio::test]
async fn loopback_login_stores_tokens_and_records_the_active_org() {
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("ok");
    let store = MemoryStore::default();
    // The browser thread hands its page over a channel: login returns as soon as the page
    // is written, which may be before the thread has read it.
    let (page_tx, page_rx) = std::sync::mpsc::channel();
    let signed_in = run_login(
        &org,
        &home,
        &store,
        Duration::from_secs(20),
        move |url, _| {
            let (status, location, _) = get(&url);
            assert_eq!(status, 302, "the demo org approves and redirects");
            let (status, _, body) = get(&location.expect("a Location"));
            assert_eq!(status, 200, "the callback page says signed in");
            page_tx.send(body).unwrap();
        },
    )
    .await
    .expect("signed in");
    assert_eq!(signed_in.record.username, demo_org::DEMO_USERNAME);
    assert_eq!(signed_in.record.org_id, demo_org::ORG_ID);
    let page = page_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the browser got its page");
    assert!(page.contains("Signed in"), "{page}");
    let registry = OrgRegistry::load(&home).unwrap();
    assert_eq!(
        registry.active.as_deref(),
        Some("demo"),
        "the new org is active"
    );
    let key = SecretKey::new(
        "ringside-test",
        &signed_in.record.org_id,
        &signed_in.record.user_id,
    );
    let tokens = store
        .load(&key)
        .unwrap()
        .expect("tokens stored under org id + user id");
    let file = std::fs::read_to_string(home.join("orgs.toml")).unwrap();
    assert!(
        !file.contains(tokens.refresh.expose_secret())
            && !file.contains(tokens.access.as_ref().unwrap().expose_secret()),
        "no token in orgs.toml"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn forged_callbacks_are_rejected_and_the_real_one_still_signs_in() {
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("forged");
    let store = MemoryStore::default();
    let signed_in = run_login(
        &org,
        &home,
        &store,
        Duration::from_secs(20),
        |url, callback| {
            // An attacker's callbacks: wrong state, then none at all.
            let (status, _, body) = get(&format!("{callback}?code=evil&state=wrong"));
            assert_eq!(status, 400, "wrong state is rejected: {body}");
            assert!(body.contains("Rejected"), "{body}");
            let (status, _, _) = get(&format!("{callback}?code=evil"));
            assert_eq!(status, 400, "missing state is rejected");
            let (status, _, _) = get(&callback.replace("/oauth/callback", "/favicon.ico"));
            assert_eq!(status, 404, "other paths are ignored");
            let (_, location, _) = get(&url);
            let (status, _, _) = get(&location.unwrap());
            assert_eq!(status, 200, "the genuine callback still works");
        },
    )
    .await
    .expect("the genuine callback signs in");
    assert_eq!(signed_in.record.alias, "demo");
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn denied_consent_is_cancelled_and_nothing_is_recorded() {
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("denied");
    let store = MemoryStore::default();
    let err = run_login(&org, &home, &store, Duration::from_secs(20), |url, _| {
        // The demo org's consent page, Deny chosen.
        let (status, location, _) = get(&format!("{url}&demo_decision=deny"));
        assert_eq!(status, 302);
        let location = location.unwrap();
        assert_eq!(query_param(&location, "error"), "access_denied");
        let (status, _, body) = get(&location);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("cancelled"), "the browser is told: {body}");
    })
    .await
    .expect_err("cancelled");
    assert!(matches!(err, LoginError::Cancelled), "{err:?}");
    assert!(err.to_string().contains("Allow"), "says what to do: {err}");
    assert_eq!(OrgRegistry::load(&home).unwrap(), OrgRegistry::default());
    assert!(store.0.lock().unwrap().is_empty(), "nothing stored");
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn timeout_counts_forged_callbacks_and_releases_the_port() {
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("timeout");
    let store = MemoryStore::default();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let err = run_login(
        &org,
        &home,
        &store,
        Duration::from_millis(600),
        move |_, callback| {
            port_tx
                .send(url::Url::parse(&callback).unwrap().port().unwrap())
                .unwrap();
            get(&format!("{callback}?code=evil&state=forged"));
        },
    )
    .await
    .expect_err("nobody completed the sign-in");
    assert!(
        matches!(err, LoginError::Timeout { forged: 1, .. }),
        "timeout reporting the forged callback: {err:?}"
    );
    assert!(err.to_string().contains("forged"), "{err}");
    let port = port_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the browser saw the port");
    std::net::TcpListener::bind(("127.0.0.1", port))
        .expect("the redirect port is free again after the timeout");
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn a_code_salesforce_refuses_fails_the_sign_in_and_tells_the_browser() {
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("badcode");
    let store = MemoryStore::default();
    let err = run_login(
        &org,
        &home,
        &store,
        Duration::from_secs(20),
        |url, callback| {
            // The right state with a code the org never issued.
            let state = query_param(&url, "state");
            let (status, _, body) = get(&format!("{callback}?code=aPrxbogus&state={state}"));
            assert_eq!(status, 400, "{body}");
            assert!(
                body.contains("Sign-in failed"),
                "the browser is told: {body}"
            );
        },
    )
    .await
    .expect_err("the code is refused");
    assert!(
        matches!(
            err,
            LoginError::OAuth(salesforce::oauth::OAuthError::InvalidGrant { .. })
        ),
        "{err:?}"
    );
    assert!(store.0.lock().unwrap().is_empty(), "nothing stored");
    assert!(!home.join("orgs.toml").exists(), "nothing recorded");
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn deep_link_redirect_ignores_malformed_links_and_signs_in() {
    use ringside_core::login::LinkRedirect;
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("link");
    let store = MemoryStore::default();
    let (redirect, links) = LinkRedirect::new("ringside://oauth/callback");
    let open = move |url: &str| {
        let url = url.to_owned();
        std::thread::spawn(move || {
            // Links any web page could fire first: not a URL, another path, no state.
            links.send("ringside://".into()).unwrap();
            links.send("not a url".into()).unwrap();
            links
                .send("ringside://oauth/other?code=x&state=y".into())
                .unwrap();
            links
                .send("ringside://oauth/callback?code=x".into())
                .unwrap();
            let (status, location, _) = get(&url);
            assert_eq!(status, 302);
            let location = location.unwrap();
            assert!(
                location.starts_with("ringside://oauth/callback?"),
                "{location}"
            );
            links.send(location).unwrap();
        });
        Ok(())
    };
    let signed_in = login(
        &request(&org, Duration::from_secs(20)),
        redirect,
        open,
        LoginStores {
            home: &home,
            namespace: "ringside-test",
            secrets: &store,
        },
    )
    .await
    .expect("the genuine deep link signs in");
    assert_eq!(signed_in.record.username, demo_org::DEMO_USERNAME);
    std::fs::remove_dir_all(&home).unwrap();
}

/// Salesforce ends an access token with the org's session timeout (two hours by default;
/// the demo org counts it on its own clock). A lookup through the signed-in org two hours
/// later refreshes once, retries, and stores the rotated tokens, without the user noticing.
#[tokio::test]
async fn a_two_hour_old_access_token_is_refreshed_transparently() {
    use ringside_core::phone::Region;
    use ringside_core::{CallerLookup, LookupSettings};
    let org = demo_org::start(Default::default()).await.unwrap();
    let home = temp_home("timeout");
    let store = std::sync::Arc::new(MemoryStore::default());
    let signed_in = run_login(
        &org,
        &home,
        &store,
        Duration::from_secs(20),
        move |url, _| {
            let (status, location, _) = get(&url);
            assert_eq!(status, 302, "the demo org approves and redirects");
            get(&location.expect("a Location"));
        },
    )
    .await
    .expect("signed in");
    let key = SecretKey::new(
        "ringside-test",
        &signed_in.record.org_id,
        &signed_in.record.user_id,
    );
    let before = store.load(&key).unwrap().expect("tokens stored");
    let session = ringside_core::org_session::open(
        &signed_in.record,
        store.clone(),
        "ringside-test",
        None,
        "sign in again",
    )
    .await
    .expect("the sign-in opens");
    assert_eq!(
        session
            .new_api_version
            .as_ref()
            .map(|choice| choice.version.to_string())
            .as_deref(),
        Some("66.0"),
        "a record without a version gets the newest the org serves, read from the org"
    );
    let lookup = CallerLookup::new(
        session.client.clone(),
        LookupSettings::with_region(Region::US),
    );
    lookup
        .lookup(demo_org::seed::JANE_PHONE)
        .await
        .expect("the fresh token works");
    assert_eq!(
        session.session.refreshes_made(),
        0,
        "no refresh while fresh"
    );

    org.advance_clock(Duration::from_secs(2 * 60 * 60));
    org.clear_request_log();
    let result = lookup
        .lookup(demo_org::seed::JANE_PHONE)
        .await
        .expect("two hours later the lookup still works: refreshed and retried");
    assert_eq!(
        result.matches.first().map(|m| m.id.as_str()),
        Some(demo_org::seed::JANE_CALLER_ID),
        "the retried search found Jane"
    );
    assert_eq!(
        session.session.refreshes_made(),
        1,
        "exactly one refresh for the expired session"
    );
    let statuses: Vec<u16> = org.data_requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![401, 200],
        "the old token was refused (session timeout), the retry answered"
    );
    let after = store.load(&key).unwrap().expect("still signed in");
    assert_ne!(
        after.refresh.expose_secret(),
        before.refresh.expose_secret(),
        "the rotated refresh token was stored"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

/// The built-in demo's sign-in lives in memory; it renews itself past the session timeout
/// like a stored one, so a demo left running for hours keeps working.
#[tokio::test]
async fn an_in_memory_demo_session_renews_itself_after_two_hours() {
    use ringside_core::phone::Region;
    use ringside_core::{CallerLookup, LookupSettings};
    let org = demo_org::start(Default::default()).await.unwrap();
    let demo = org.sign_in();
    let session = ringside_core::org_session::open_in_memory(
        &org.base_url(),
        demo_org::DEMO_CLIENT_ID,
        salesforce::AccessToken::new(demo.access_token).unwrap(),
        salesforce::oauth::RefreshToken::new(demo.refresh_token).unwrap(),
        salesforce::ApiVersion::default(),
    )
    .expect("an in-memory session");
    let lookup = CallerLookup::new(session.client, LookupSettings::with_region(Region::US));
    for hours in 1..=5 {
        org.advance_clock(Duration::from_secs(60 * 60));
        let result = lookup
            .lookup(demo_org::seed::JANE_PHONE)
            .await
            .unwrap_or_else(|e| panic!("after {hours} hours the lookup still works: {e}"));
        assert_eq!(
            result.matches.first().map(|m| m.id.as_str()),
            Some(demo_org::seed::JANE_CALLER_ID),
            "after {hours} hours Jane still pops"
        );
    }
    assert_eq!(
        session.session.refreshes_made(),
        2,
        "renewed at two and at four hours: each token lives two hours from its issue"
    );
}
