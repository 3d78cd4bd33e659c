//! `ringside org remove`: a signed-in org is revoked at Salesforce, its keyring entry
//! deleted and its record dropped; an unknown alias is refused. The sign-in is made
//! in-process against an in-process demo org (the login command has its own tests), the
//! tokens stored in the real OS keyring, so it is `#[ignore]`d and run with `--ignored` by
//! `tests/keyring/run.sh` (`RINGSIDE_KEYRING_TESTS=required`), like `org_login`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use ringside_core::orgs::{OrgRecord, OrgRegistry};
use ringside_core::secrets::{
    KeyringStore, SecretKey, SecretStore, StoredTokens, namespace_for_home,
};
use salesforce::oauth::{LoginUrl, OAuthApp, OAuthError, ScopeProfile};

const REDIRECT: &str = "ringside://oauth/callback";

/// A browser that does not follow redirects: the authorize URL's `Location`.
fn location_of(url: &str) -> String {
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
    answer
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(": ")?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.to_owned())
        })
        .unwrap_or_else(|| panic!("the demo org redirects: {answer}"))
}

#[test]
#[ignore = "needs a private OS keyring: bash tests/keyring/run.sh"]
fn keyring_org_remove_revokes_deletes_the_entry_and_forgets_the_org() {
    // Outside tests/keyring/run.sh this would touch the developer's own keyring.
    assert_eq!(
        std::env::var("RINGSIDE_KEYRING_TESTS").as_deref(),
        Ok("required"),
        "needs a private OS keyring: run `bash tests/keyring/run.sh` (apt packages dbus and gnome-keyring)"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let org = runtime
        .block_on(demo_org::start(Default::default()))
        .unwrap();
    let home = std::env::temp_dir().join(format!("ringside-org-remove-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let login = LoginUrl::parse(&org.base_url()).unwrap();
    let app = OAuthApp::new(login.clone(), demo_org::DEMO_CLIENT_ID, REDIRECT).unwrap();

    // A real sign-in: authorize, follow the redirect, exchange the code.
    let pending = app.authorize(ScopeProfile::Standard);
    let callback = location_of(&pending.url);
    let params = ringside_core::login::CallbackParams::from_url(&callback).unwrap();
    let code = params.get("code").expect("a code in the callback");
    let grant = runtime.block_on(app.exchange_code(code, pending)).unwrap();
    let refresh = grant.refresh_token.clone().expect("a refresh token");
    let key = SecretKey::new(
        &namespace_for_home(Some(&home)),
        grant.identity.org_id(),
        grant.identity.user_id(),
    );
    let keyring = KeyringStore::open().expect("the harness provides a keyring");
    keyring
        .save(
            &key,
            &StoredTokens {
                refresh: refresh.clone(),
                access: Some(grant.access_token.clone()),
            },
        )
        .unwrap();
    let mut registry = OrgRegistry::default();
    registry.upsert(OrgRecord {
        alias: "acme".into(),
        login_url: login.to_string(),
        instance_url: grant.instance_url.clone(),
        client_id: demo_org::DEMO_CLIENT_ID.into(),
        org_id: grant.identity.org_id().into(),
        user_id: grant.identity.user_id().into(),
        username: demo_org::DEMO_USERNAME.into(),
        scope_profile: "standard".into(),
        api_version: None,
    });
    registry.set_active("acme").unwrap();
    registry.save(&home).unwrap();

    let ringside = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ringside"))
            .args(args)
            .env("RINGSIDE_HOME", &home)
            .env("LANG", "C")
            .output()
            .expect("ringside runs")
    };
    let out = ringside(&["org", "remove", "acme"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "org remove succeeds: {stderr}");
    assert!(
        stderr.contains("revoked"),
        "it says the sign-in was revoked: {stderr}"
    );
    assert!(
        keyring.load(&key).unwrap().is_none(),
        "the keyring entry is deleted"
    );
    let registry = OrgRegistry::load(&home).unwrap();
    assert!(registry.orgs.is_empty(), "the org is no longer listed");
    assert_eq!(registry.active, None, "and no longer active");
    let refused = runtime.block_on(app.refresh(&refresh));
    assert!(
        matches!(refused, Err(OAuthError::InvalidGrant { .. })),
        "the refresh token was revoked at the org: {refused:?}"
    );

    let out = ringside(&["org", "remove", "acme"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "removing an unknown org is an error"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("org list"),
        "it says how to see the known orgs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    runtime.block_on(org.shutdown());
    let _ = std::fs::remove_dir_all(&home);
}
