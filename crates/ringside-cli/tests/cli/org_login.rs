//! `ringside org login|list|use|logout` and lookups through a signed-in org, end to end:
//! the binary, `ringside demo-org serve` as its own process, real HTTP, and the real OS
//! keyring (Secret Service). These need a keyring, so they are `#[ignore]`d (a plain
//! `cargo test` reports them as ignored, never as passed) and run with `--ignored` by
//! `tests/keyring/run.sh`, which sets `RINGSIDE_KEYRING_TESTS=required` and starts a private
//! D-Bus session and an unlocked gnome-keyring. Run with `--ignored` anywhere else, they fail
//! and say so, because touching a developer's own keyring could prompt or hang.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ringside_core::secrets::{KeyringStore, SecretKey, SecretStore, namespace_for_home};

const ALIAS: &str = "acme";

/// Fails the test unless it runs inside `tests/keyring/run.sh`'s private Secret Service:
/// outside it the test would touch the developer's own keyring (or find none), and a
/// test that returned early would be counted as passed.
fn require_private_keyring() {
    assert_eq!(
        std::env::var("RINGSIDE_KEYRING_TESTS").as_deref(),
        Ok("required"),
        "needs a private OS keyring: run `bash tests/keyring/run.sh` (apt packages dbus and gnome-keyring)"
    );
}

/// Kills a child process even when an assertion fails.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One test's world: a demo org process and a private Ringside home.
struct World {
    _server: Proc,
    base_url: String,
    home: PathBuf,
    /// Everything the CLI printed, for the no-secrets check.
    output: String,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl World {
    fn new(name: &str) -> World {
        let home = std::env::temp_dir().join(format!("ringside-org-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).expect("temp home");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ringside"))
            .args(["demo-org", "serve", "--port", "0"])
            .env("RINGSIDE_HOME", &home)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo-org serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the base URL line");
        World {
            _server: Proc(child),
            base_url: line.trim().to_owned(),
            home,
            output: String::new(),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ringside"));
        command
            .env("RINGSIDE_HOME", &self.home)
            .env("LANG", "C")
            // The most verbose logs: the no-secrets test searches them.
            .env("RUST_LOG", "trace");
        command
    }

    fn run(&mut self, args: &[&str]) -> Run {
        let out = self.command().args(args).output().expect("ringside runs");
        let run = Run {
            code: out.status.code().expect("exits normally"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        self.output.push_str(&run.stdout);
        self.output.push_str(&run.stderr);
        run
    }

    /// `org login --no-browser`, following the printed URL like a browser that does not
    /// follow redirects by itself: GET the authorize URL, then GET its Location (the
    /// loopback callback).
    fn login(&mut self) {
        let base_url = self.base_url.clone();
        self.login_with(&[
            "--login-url",
            &base_url,
            "--client-id",
            demo_org::DEMO_CLIENT_ID,
            "--redirect-port",
            "0",
        ]);
    }

    fn login_with(&mut self, extra: &[&str]) {
        let mut child = Proc(
            self.command()
                .args([
                    "org",
                    "login",
                    "--alias",
                    ALIAS,
                    "--no-browser",
                    "--timeout-secs",
                    "60",
                ])
                .args(extra)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("org login starts"),
        );
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).expect("the authorize URL line");
        let url = url.trim().to_owned();
        assert!(
            url.starts_with(&format!("{}/services/oauth2/authorize?", self.base_url)),
            "the URL alone on its line: {url:?}"
        );
        let (status, location, _) = http("GET", &url, None);
        assert_eq!(status, 302, "the demo org approves at once");
        let location = location.expect("a Location to the loopback callback");
        assert!(location.starts_with("http://127.0.0.1:"), "{location}");
        let (status, _, page) = http("GET", &location, None);
        assert_eq!(status, 200, "the callback page: {page}");
        assert!(page.contains("Signed in"), "{page}");
        let status = child.0.wait().expect("login exits");
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        child
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        self.output.push_str(&url);
        self.output.push_str(&rest);
        self.output.push_str(&stderr);
        assert!(status.success(), "login succeeds; stderr: {stderr}");
        assert!(
            stderr.contains("signed in to acme as dana.demo@ringside.example"),
            "{stderr}"
        );
    }

    fn fault(&self, json: &str) {
        let (status, _, body) = http(
            "POST",
            &format!("{}/__demo/faults", self.base_url),
            Some(json),
        );
        assert_eq!(status, 204, "fault {json} accepted: {body}");
    }

    fn oauth_counts(&self) -> serde_json::Value {
        let (_, _, body) = http("GET", &format!("{}/__demo/oauth", self.base_url), None);
        serde_json::from_str(&body).expect("counts JSON")
    }

    fn key(&self) -> SecretKey {
        SecretKey::new(
            &namespace_for_home(Some(&self.home)),
            demo_org::ORG_ID,
            demo_org::seed::DEMO_USER_ID,
        )
    }

    fn stored(&self) -> Option<ringside_core::secrets::StoredTokens> {
        KeyringStore::open()
            .expect("the harness provides a keyring")
            .load(&self.key())
            .expect("the keyring answers")
    }

    fn list(&mut self) -> serde_json::Value {
        let run = self.run(&["org", "list", "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).expect("org list --json is JSON")
    }

    fn lookup(&mut self) -> Run {
        self.run(&["lookup", "--json", "(415) 555-0123", "--region", "US"])
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Ok(store) = KeyringStore::open() {
            let _ = store.delete(&self.key());
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// A raw HTTP/1.1 request: status, Location, body.
/// `body` is JSON when it starts with `{` or `[`, else a form.
fn http(method: &str, url: &str, body: Option<&str>) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("connects");
    let body = body.unwrap_or_default();
    let content_type = if body.starts_with(['{', '[']) {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().expect("status");
    let location = answer.lines().find_map(|l| {
        let (name, value) = l.split_once(": ")?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.to_owned())
    });
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, location, body)
}

/// Asks the org to refresh with `token` directly and expects `invalid_grant`.
fn assert_refresh_token_dead(
    world: &World,
    token: &ringside_core::secrets::RefreshToken,
    what: &str,
) {
    let form = format!(
        "grant_type=refresh_token&client_id={}&refresh_token={}",
        demo_org::DEMO_CLIENT_ID,
        token.expose_secret()
    );
    let (status, _, body) = http(
        "POST",
        &format!("{}/services/oauth2/token", world.base_url),
        Some(&form),
    );
    assert_eq!(status, 400, "{what}: its refresh token is dead: {body}");
    assert!(body.contains("invalid_grant"), "{what}: {body}");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
#[ignore = "needs a private OS keyring: bash tests/keyring/run.sh"]
fn keyring_login_lookup_refresh_rotation_list_use_and_logout() {
    require_private_keyring();
    let mut world = World::new("flow");
    world.login();

    let orgs = world.list();
    let org = &orgs["orgs"][0];
    assert_eq!(org["alias"], ALIAS);
    assert_eq!(org["username"], demo_org::DEMO_USERNAME);
    assert_eq!(org["instance_url"], world.base_url.as_str());
    assert_eq!(org["scope_profile"], "standard");
    assert_eq!(org["active"], true, "the org just signed in is active");
    assert_eq!(org["signed_in"], true, "tokens are in the keyring");
    let first = world.stored().expect("tokens stored");

    // Lookups go to the signed-in org, not the built-in demo.
    let run = world.lookup();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("built-in demo org"), "{}", run.stderr);
    let result: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(result["matches"][0]["id"], demo_org::seed::JANE_CALLER_ID);
    let run = world.run(&["lookup", "--json", "4155550123", "--org", ALIAS]);
    assert_eq!(run.code, 0, "--org names the signed-in org: {}", run.stderr);

    // Expiry: the next lookup refreshes once, retries, and stores the rotated tokens.
    world.fault(r#"{"kind":"expire_tokens"}"#);
    let before = world.oauth_counts()["refresh_token"].as_u64().unwrap();
    let run = world.lookup();
    assert_eq!(run.code, 0, "refreshed and retried: {}", run.stderr);
    assert_eq!(
        world.oauth_counts()["refresh_token"].as_u64().unwrap() - before,
        1,
        "exactly one refresh"
    );
    let second = world.stored().expect("still signed in");
    assert_ne!(
        first.refresh, second.refresh,
        "the rotated refresh token was stored"
    );
    assert_ne!(first.access, second.access, "and the new access token");
    // The next process reuses the stored access token: no refresh.
    let run = world.lookup();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        world.oauth_counts()["refresh_token"].as_u64().unwrap() - before,
        1
    );

    // Signing in again replaces the sign-in and revokes the replaced refresh token, so
    // approvals do not pile up towards Salesforce's limit of five.
    let replaced = world.stored().expect("signed in");
    world.login();
    assert_eq!(
        world.oauth_counts()["revoke"],
        1,
        "the replaced sign-in was revoked"
    );
    assert_ne!(world.stored().expect("signed in").refresh, replaced.refresh);
    assert_refresh_token_dead(&world, &replaced.refresh, "the replaced sign-in");

    let run = world.run(&["org", "use", "nope"]);
    assert_eq!(run.code, 1, "an unknown alias is refused");
    assert!(run.stderr.contains("org list"), "{}", run.stderr);
    let run = world.run(&["org", "use", ALIAS]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Logout revokes at Salesforce and deletes the keyring entry; the org stays listed.
    let signed_out = world.stored().expect("signed in before logout");
    let run = world.run(&["org", "logout", ALIAS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("revoked"), "{}", run.stderr);
    assert_eq!(world.oauth_counts()["revoke"], 2, "one more revoke request");
    assert!(world.stored().is_none(), "the keyring entry is gone");
    assert_eq!(world.list()["orgs"][0]["signed_in"], false);
    let run = world.lookup();
    assert_eq!(
        run.code, 1,
        "a signed-out org is an error, not the demo org"
    );
    assert!(
        run.stderr
            .contains("`ringside org login --alias acme` signs in again"),
        "says how to sign in again: {}",
        run.stderr
    );
    assert_refresh_token_dead(&world, &signed_out.refresh, "the logged-out sign-in");
}

#[test]
#[ignore = "needs a private OS keyring: bash tests/keyring/run.sh"]
fn keyring_revoked_refresh_token_signs_the_org_out_with_the_hint() {
    require_private_keyring();
    let mut world = World::new("revoked");
    world.login();
    // Salesforce ends the sign-in (an admin revoked it) while the access token also expires.
    world.fault(r#"{"kind":"revoke_refresh_tokens"}"#);
    world.fault(r#"{"kind":"expire_tokens"}"#);
    let run = world.lookup();
    assert_eq!(run.code, 1, "signed out is an error: {}", run.stdout);
    assert!(
        run.stderr
            .contains("`ringside org login --alias acme` signs in again"),
        "says how to sign in again: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr
            .trim()
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1
    );
    assert!(
        world.stored().is_none(),
        "the dead refresh token was deleted"
    );
    assert_eq!(
        world.list()["orgs"][0]["signed_in"],
        false,
        "listed as signed out"
    );
    // Signing in again under the same alias reuses its host and consumer key.
    world.login();
    assert_eq!(world.list()["orgs"][0]["signed_in"], true);
}

#[test]
#[ignore = "needs a private OS keyring: bash tests/keyring/run.sh"]
fn keyring_no_token_in_any_file_or_log() {
    require_private_keyring();
    let mut world = World::new("secrets");
    // This time the consumer key, host and port come from the admin's config.
    std::fs::write(
        world.home.join("ringside.toml"),
        format!(
            "[salesforce]\nclient_id = \"{}\"\nlogin_url = \"{}\"\nredirect_port = 0\n",
            demo_org::DEMO_CLIENT_ID,
            world.base_url
        ),
    )
    .unwrap();
    world.login_with(&[]);
    let mut tokens = Vec::new();
    let mut remember = |world: &World| {
        let stored = world.stored().expect("signed in");
        tokens.push(stored.refresh.expose_secret().to_owned());
        tokens.push(
            stored
                .access
                .expect("access cached")
                .expose_secret()
                .to_owned(),
        );
    };
    remember(&world);
    world.fault(r#"{"kind":"expire_tokens"}"#);
    let run = world.lookup();
    assert_eq!(run.code, 0, "{}", run.stderr);
    remember(&world);
    world.run(&["org", "list"]);
    world.run(&["org", "list", "--json"]);
    assert!(
        world.output.contains("TRACE") || world.output.contains("DEBUG"),
        "the logs were captured at their most verbose"
    );
    let files = files_under(&world.home);
    assert!(
        files.iter().any(|f| f.ends_with("orgs.toml")),
        "the registry is among the files searched: {files:?}"
    );
    for token in &tokens {
        assert!(token.len() > 20, "a real token value");
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(token.as_str()),
                "a token leaked into {}",
                file.display()
            );
        }
        assert!(
            !world.output.contains(token.as_str()),
            "a token leaked into the CLI's output or logs"
        );
    }
}

#[test]
fn login_without_a_consumer_key_or_with_a_bad_config_says_what_to_give() {
    // No keyring needed: both are refused before the keyring is touched.
    let home = std::env::temp_dir().join(format!("ringside-org-nokey-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let run = |home: &Path| {
        Command::new(env!("CARGO_BIN_EXE_ringside"))
            .args(["org", "login", "--alias", "prod", "--no-browser"])
            .env("RINGSIDE_HOME", home)
            .output()
            .expect("runs")
    };
    let out = run(&home);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--client-id") && stderr.contains("External Client App"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no URL printed");
    std::fs::write(
        home.join("ringside.toml"),
        "[salesforce]\nlogin_url = \"http://login.salesforce.com\"\n",
    )
    .unwrap();
    let out = run(&home);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ringside.toml") && stderr.contains("[salesforce]"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

/// The API version is read from the org once (`GET /services/data/`) and kept with the org:
/// an org serving up to v64.0 is spoken to in v64.0, and the admin's `[salesforce]
/// api_version` is used when the org serves it.
#[test]
#[ignore = "needs a private OS keyring: bash tests/keyring/run.sh"]
fn keyring_the_api_version_is_chosen_from_what_the_org_serves_and_kept() {
    require_private_keyring();
    let mut world = World::new("apiversion");
    world.login();
    world.fault(r#"{"kind":"api_versions","newest":"64.0"}"#);
    let run = world.lookup();
    assert_eq!(
        run.code, 0,
        "an org on an older release still pops: {}",
        run.stderr
    );
    let registry = world.home.join("orgs.toml");
    let orgs = || std::fs::read_to_string(&registry).expect("orgs.toml");
    assert!(
        orgs().contains("api_version = \"64.0\""),
        "the newest version the org serves is kept with the org: {}",
        orgs()
    );
    let (_, _, log) = http("GET", &format!("{}/__demo/requests", world.base_url), None);
    assert!(
        log.contains("/services/data/v64.0/composite") && !log.contains("/services/data/v66.0/"),
        "every data request used v64.0: {log}"
    );
    std::fs::write(
        world.home.join("ringside.toml"),
        "[salesforce]\napi_version = \"62.0\"\n",
    )
    .expect("config written");
    let run = world.lookup();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        orgs().contains("api_version = \"62.0\""),
        "the configured version, served by the org, replaces it: {}",
        orgs()
    );
}
