//! `ringside listen` and `ringside call` as processes: the loopback API with
//! its token files, forwarding from `call`, and the terminal pop with no
//! listener. The real-softphone run is in `softphone`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use demo_org::seed;

/// A private home per test (each test runs its own listener).
pub fn home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-listen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

pub fn ringside(home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ringside"));
    command
        .env("RINGSIDE_HOME", home)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env("RUST_LOG", "ringside_core=info")
        // Reconnect to baresip quickly: it may still be starting.
        .env("RINGSIDE_BARESIP_BACKOFF_MS", "50,500");
    command
}

/// A running `ringside listen`, its stdout lines and stderr lines as channels.
pub struct Listener {
    child: Child,
    pub lines: mpsc::Receiver<String>,
    pub log: mpsc::Receiver<String>,
    /// Every stderr line received so far: a line may arrive before anyone waits
    /// for it (the adapter can connect before "listening" is printed).
    history: std::cell::RefCell<Vec<String>>,
}

impl Listener {
    pub fn start(home: &std::path::Path, extra: &[&str]) -> Listener {
        let mut child = ringside(home)
            .args(["listen", "--json"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ringside listen starts");
        let (line_tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line_tx.send(line);
            }
        });
        let (log_tx, log) = mpsc::channel();
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = log_tx.send(line);
            }
        });
        let listener = Listener {
            child,
            lines,
            log,
            history: std::cell::RefCell::new(Vec::new()),
        };
        listener.wait_for_log("listening for call events", Duration::from_secs(30));
        listener
    }

    /// Waits for a stderr line containing `needle`; panics with what was seen.
    pub fn wait_for_log(&self, needle: &str, within: Duration) {
        if let Err(seen) = self.try_wait_for_log(needle, within) {
            panic!("{seen}");
        }
    }

    /// Waits for a stderr line containing `needle` (also among lines already
    /// received); the error lists what was seen.
    pub fn try_wait_for_log(&self, needle: &str, within: Duration) -> Result<(), String> {
        if self
            .history
            .borrow()
            .iter()
            .any(|line| line.contains(needle))
        {
            return Ok(());
        }
        let deadline = std::time::Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.history.borrow_mut().push(line);
                    if found {
                        return Ok(());
                    }
                }
                Err(_) => break,
            }
        }
        Err(format!(
            "no log line with {needle:?} within {within:?}; saw: {:#?}",
            self.history.borrow()
        ))
    }

    /// The next JSON event line.
    pub fn next_event(&self, within: Duration) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(within)
            .unwrap_or_else(|_| panic!("an event line within {within:?}"));
        serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("one JSON object per line ({err}): {line}"))
    }

    pub fn stop(mut self) {
        // SIGTERM would be kinder, but std has no portable way; the endpoint file
        // left behind is exactly the stale-file case `ringside call` must handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    ringside(home)
        .arg("call")
        .args(args)
        .output()
        .expect("ringside call runs")
}

fn ids(event: &serde_json::Value) -> Vec<String> {
    event["matches"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn call_forwards_to_listen_and_listen_prints_each_pop() {
    let home = home("forward");
    let listener = Listener::start(&home, &[]);
    let token = std::fs::metadata(home.join("event-api.token")).expect("the token file exists");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            token.permissions().mode() & 0o777,
            0o600,
            "only the owner may read the token"
        );
    }

    let out = call(
        &home,
        &[
            "ring",
            "--call-id",
            "c-1",
            "--from",
            "sip:+14155550123@pbx;user=phone",
        ],
    );
    assert!(
        out.status.success(),
        "forwarded: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ring = listener.next_event(Duration::from_secs(20));
    assert_eq!(ring["event"], "ring");
    assert_eq!(ring["call_id"], "c-1");
    assert_eq!(ring["from"], "+14155550123");
    assert_eq!(ring["direction"], "inbound");
    assert_eq!(
        ids(&ring).first().map(String::as_str),
        Some(seed::JANE_CALLER_ID),
        "Jane pops: {ring}"
    );
    assert_eq!(ring["api_calls"], 1, "one API call for an uncached pop");
    let lookup = ringside(&home)
        .args(["lookup", "--json", "+14155550123"])
        .output()
        .expect("ringside lookup runs");
    let looked_up: serde_json::Value = serde_json::from_slice(&lookup.stdout).expect("lookup JSON");
    assert_eq!(
        looked_up["matches"], ring["matches"],
        "`ringside lookup` and the pop agree"
    );
    assert_eq!(
        ring["matches"][0]["open_cases"][0]["id"],
        seed::JANE_OPEN_CASE_ID,
        "her open case is in the pop"
    );

    let out = call(
        &home,
        &[
            "end",
            "--call-id",
            "c-1",
            "--from",
            "(415) 555-0123",
            "--duration",
            "42",
            "--disposition",
            "answered",
        ],
    );
    assert!(
        out.status.success(),
        "forwarded: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let end = listener.next_event(Duration::from_secs(20));
    assert_eq!(
        (end["event"].as_str(), end["duration"].as_u64()),
        (Some("end"), Some(42))
    );
    assert_eq!(
        end["cached"], true,
        "the same caller seconds later is a cache hit"
    );
    assert_eq!(end["api_calls"], 0, "a cache hit makes no API call");

    let out = call(&home, &["ring", "--call-id", "c-2", "--from", "anonymous"]);
    assert!(out.status.success());
    let anonymous = listener.next_event(Duration::from_secs(20));
    assert_eq!(anonymous["status"], "unknown_caller");
    assert_eq!(anonymous["withheld"], true);
    assert!(
        ids(&anonymous).is_empty(),
        "nothing searched for a withheld number"
    );

    // Refused before anything is sent, with the reason.
    let out = call(
        &home,
        &["ring", "--call-id", "c-3", "--from", "+1 415 CALL NOW"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "letters in a number are an error"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("letter 'C'"),
        "names the letter"
    );

    // Another token on file (another home's, or the file was replaced): the listener cannot
    // prove it knows this one, so `call` sends neither the event nor the token.
    std::fs::write(home.join("event-api.token"), "f".repeat(64)).expect("overwrite token");
    let out = call(&home, &["end", "--call-id", "c-4", "--from", "4155550123"]);
    assert_eq!(out.status.code(), Some(1), "refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another token") && stderr.contains("were not sent"),
        "says the listener is not this Ringside: {stderr}"
    );
    assert!(!stderr.contains(&"f".repeat(64)), "never prints the token");
    assert!(
        listener
            .lines
            .recv_timeout(Duration::from_millis(300))
            .is_err(),
        "nothing is printed: no event was sent"
    );
    assert!(
        listener
            .try_wait_for_log("wrong bearer token", Duration::from_millis(300))
            .is_err(),
        "the (wrong) token never reached the listener"
    );
    listener.stop();
    let _ = std::fs::remove_dir_all(&home);
}

/// A plain HTTP server on loopback that answers 200 `{}` to everything and keeps every
/// byte it received: another program on the port a crashed Ringside left in its file.
fn impostor() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("address").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = vec![0u8; 65536];
            let n = conn.read(&mut buf).unwrap_or(0);
            keep.lock().expect("lock").extend_from_slice(&buf[..n]);
            let _ = conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            );
        }
    });
    (port, seen)
}

#[test]
fn call_never_sends_the_token_to_another_program_on_a_stale_port() {
    let home = home("impostor");
    let (port, seen) = impostor();
    std::fs::write(
        home.join("event-api.json"),
        format!(r#"{{"port":{port},"instance":"crashed","pid":1}}"#),
    )
    .expect("stale endpoint");
    let token = "b".repeat(64);
    std::fs::write(home.join("event-api.token"), &token).expect("token");
    let out = call(
        &home,
        &[
            "end",
            "--call-id",
            "s-1",
            "--from",
            "+14155550123",
            "--duration",
            "3",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "an end cannot be kept");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "no Ringside of this RINGSIDE_HOME is running on port {port}"
        )) && stderr.contains("is stale")
            && stderr.contains("ringside listen"),
        "says the app is not there and what to do: {stderr}"
    );
    // A ring still pops in the terminal, after the same warning.
    let out = call(
        &home,
        &["ring", "--call-id", "s-2", "--from", "+14155550123"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Jane Caller"));
    let received = String::from_utf8_lossy(&seen.lock().expect("lock")).into_owned();
    assert!(
        received.contains("GET /v1/hello?nonce="),
        "only the hello: {received}"
    );
    assert!(
        !received.contains(&token) && !received.contains("/v1/events"),
        "neither the token nor the event reached the other program: {received}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_second_listen_on_the_same_home_refuses_and_leaves_the_first_ones_endpoint() {
    let home = home("second");
    let first = Listener::start(&home, &[]);
    let recorded = std::fs::read_to_string(home.join("event-api.json")).expect("endpoint file");
    let port = serde_json::from_str::<serde_json::Value>(&recorded).expect("JSON")["port"]
        .as_u64()
        .expect("a port");
    let out = ringside(&home)
        .args(["listen", "--json"])
        .stdin(Stdio::null())
        .output()
        .expect("a second listen runs");
    assert_eq!(out.status.code(), Some(1), "the second listen stops");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "another Ringside is already listening for call events on port {port}"
        )) && stderr.contains("different RINGSIDE_HOME"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join("event-api.json")).expect("still there"),
        recorded,
        "the first one's endpoint file is neither replaced nor removed"
    );
    let out = call(
        &home,
        &["ring", "--call-id", "x-1", "--from", "+14155550123"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        first.next_event(Duration::from_secs(20))["call_id"],
        "x-1",
        "`ringside call` still reaches the first"
    );
    first.stop();
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn call_end_refuses_a_duration_over_24_hours_before_forwarding() {
    let home = home("call-duration");
    for duration in ["86401", "4000000000", "18446744073709551615"] {
        let out = call(
            &home,
            &[
                "end",
                "--call-id",
                "c-1",
                "--from",
                "+14155550123",
                "--duration",
                duration,
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{duration} s is refused");
        assert!(
            stderr.contains("24 hours") && stderr.contains("86400"),
            "the limit is said, not 'nobody listening': {stderr}"
        );
    }
}

#[test]
fn call_forwards_a_sip_call_id_no_external_id_can_hold_under_one_stable_id() {
    let home = home("sip-call-id");
    let listener = Listener::start(&home, &[]);
    // Once refused at the API (over 256 characters) or logged never (`/`, `%`, spaces).
    let raw = format!("a/b%2F c?d#é-ü@pbx.example;{}", "x".repeat(5_000));
    let mut seen = Vec::new();
    for action in ["ring", "end"] {
        let out = call(
            &home,
            &[action, "--call-id", &raw, "--from", "+14155550123"],
        );
        assert!(
            out.status.success(),
            "{action} forwarded: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let event = listener.next_event(Duration::from_secs(20));
        assert_eq!(event["event"], action);
        seen.push(event["call_id"].as_str().expect("a call id").to_owned());
    }
    assert!(
        seen[0].starts_with("sip-") && seen[0].len() == 36,
        "the External ID the call is logged under: {seen:?}"
    );
    assert_eq!(seen[0], seen[1], "ring and end are one call");
    listener.stop();
}

#[test]
fn with_nothing_listening_ring_pops_in_the_terminal() {
    let home = home("nobody");
    let out = call(
        &home,
        &[
            "ring",
            "--call-id",
            "t-1",
            "--from",
            "415.555.0123",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pop: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        ids(&pop).first().map(String::as_str),
        Some(seed::JANE_CALLER_ID),
        "{pop}"
    );
    let out = call(
        &home,
        &["end", "--call-id", "t-1", "--from", "415.555.0123"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "an end with nobody to keep it is an error"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no Ringside is listening"),
        "says why"
    );
    // A stale endpoint file (a crashed listener) is the same as nobody listening.
    std::fs::write(home.join("event-api.json"), r#"{"port":9}"#).expect("stale endpoint");
    std::fs::write(home.join("event-api.token"), "a".repeat(64)).expect("token");
    let out = call(
        &home,
        &["ring", "--call-id", "t-2", "--from", "+14155550123"],
    );
    assert!(
        out.status.success(),
        "falls back to the terminal pop: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Jane Caller"),
        "human pop printed"
    );
    let _ = std::fs::remove_dir_all(&home);
}

/// A stand-in for baresip's ctrl_tcp on loopback: accepts the adapter's
/// connection and writes netstring events to it, as baresip does.
struct FakeCtrlTcp {
    listener: std::net::TcpListener,
}

impl FakeCtrlTcp {
    fn start() -> FakeCtrlTcp {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("non-blocking accept");
        FakeCtrlTcp { listener }
    }

    fn address(&self) -> String {
        format!(
            "127.0.0.1:{}",
            self.listener.local_addr().expect("bound").port()
        )
    }

    /// The adapter's connection, if it comes within `within`.
    fn accept(&self, within: Duration) -> Option<std::net::TcpStream> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            match self.listener.accept() {
                Ok((conn, _)) => {
                    conn.set_nonblocking(false).expect("blocking writes");
                    return Some(conn);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(err) => panic!("accept failed: {err}"),
            }
        }
        None
    }
}

/// `CALL_INCOMING` from `peer` as one netstring, the way ctrl_tcp frames it.
fn incoming_call(id: &str, peer: &str) -> Vec<u8> {
    let json = format!(
        r#"{{"event":true,"type":"CALL_INCOMING","class":"call","accountaor":"sip:agent@127.0.0.1","direction":"incoming","peeruri":"{peer}","peerdisplayname":"Jane Caller","id":"{id}","param":""}}"#
    );
    format!("{}:{json},", json.len()).into_bytes()
}

/// A port nothing listens on right now (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

#[test]
fn listen_takes_baresip_and_event_port_from_the_pop_table() {
    use std::io::Write;
    let home = home("pop-table");
    let baresip = FakeCtrlTcp::start();
    let event_port = free_port();
    std::fs::write(
        home.join("ringside.toml"),
        format!(
            "[pop]\nbaresip = \"{}\"\nevent_port = {event_port}\n",
            baresip.address()
        ),
    )
    .expect("write ringside.toml");
    // No --baresip, no --port: only the file says where to listen.
    let listener = Listener::start(&home, &[]);
    let mut conn = baresip
        .accept(Duration::from_secs(30))
        .expect("the adapter connects to the [pop] baresip address from ringside.toml");
    listener.wait_for_log(
        &format!("127.0.0.1:{event_port}/v1/events"),
        Duration::from_secs(5),
    );
    let endpoint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.join("event-api.json")).expect("endpoint file"),
    )
    .expect("endpoint JSON");
    assert_eq!(
        endpoint["port"].as_u64(),
        Some(u64::from(event_port)),
        "the event API binds [pop] event_port"
    );
    conn.write_all(&incoming_call(
        "file-1",
        "sip:+14155550123@127.0.0.1:5070;user=phone",
    ))
    .expect("send CALL_INCOMING");
    let ring = listener.next_event(Duration::from_secs(20));
    assert_eq!(ring["source"], "baresip", "{ring}");
    assert_eq!(ring["call_id"], "file-1");
    assert_eq!(
        ids(&ring).first().map(String::as_str),
        Some(seed::JANE_CALLER_ID),
        "the baresip call pops Jane: {ring}"
    );
    listener.stop();
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn baresip_flag_overrides_the_pop_table() {
    let home = home("pop-override");
    let from_file = FakeCtrlTcp::start();
    let from_flag = FakeCtrlTcp::start();
    std::fs::write(
        home.join("ringside.toml"),
        format!("[pop]\nbaresip = \"{}\"\n", from_file.address()),
    )
    .expect("write ringside.toml");
    let listener = Listener::start(&home, &["--baresip", &from_flag.address()]);
    assert!(
        from_flag.accept(Duration::from_secs(30)).is_some(),
        "the adapter connects to the --baresip address"
    );
    assert!(
        from_file.accept(Duration::from_millis(500)).is_none(),
        "the file's address is not used when --baresip is given"
    );
    listener.stop();
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_bad_baresip_address_in_the_file_is_an_error_naming_the_key() {
    let home = home("pop-bad");
    std::fs::write(
        home.join("ringside.toml"),
        "[pop]\nbaresip = \"127.0.0.1\"\n",
    )
    .expect("write ringside.toml");
    let out = ringside(&home)
        .args(["listen", "--json"])
        .stdin(Stdio::null())
        .output()
        .expect("ringside listen runs");
    assert_eq!(out.status.code(), Some(1), "refused at start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[pop] baresip") && stderr.contains("ringside.toml"),
        "names the file and the key: {stderr}"
    );
    assert!(!home.join("event-api.json").exists(), "nothing was started");
    let _ = std::fs::remove_dir_all(&home);
}
