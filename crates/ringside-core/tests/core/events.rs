//! The event intake over real loopback sockets: the HTTP API with its token,
//! and the baresip adapter against a TCP server speaking ctrl_tcp's netstrings.

use ringside_core::audit::AuditActor;
use std::time::Duration;

use ringside_core::events::api::{ApiLimits, ApiStartError, EventApi};
use ringside_core::events::baresip::{self, Backoff, BaresipConfig};
use ringside_core::events::hello::{self, Probe};
use ringside_core::events::link::{LinkError, LinkIntake, LinkOutcome};
use ringside_core::events::netstring::encode;
use ringside_core::events::token::{ApiToken, Endpoint};
use ringside_core::events::{CallEvent, CallEventKind, CallerId, EventSource, EventStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

fn temp_home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-events-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// One raw HTTP/1.1 request; returns the status and the body.
async fn request(port: u16, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let authorization = token.map(|t| format!("Bearer {t}"));
    request_with(port, authorization.as_deref(), body).await
}

/// [`request`] with the whole `Authorization` header value given.
async fn request_with(port: u16, authorization: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("the API accepts connections");
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head sent");
    // The server may answer (413, 401) and close before reading a large body.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

async fn next_event(events: &mut broadcast::Receiver<CallEvent>) -> CallEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event arrives within 5 s")
        .expect("the stream is open")
}

async fn no_event(events: &mut broadcast::Receiver<CallEvent>) {
    let got = tokio::time::timeout(Duration::from_millis(200), events.recv()).await;
    assert!(got.is_err(), "no event was published: {got:?}");
}

#[tokio::test]
async fn api_accepts_authenticated_events_and_refuses_everything_else() {
    let home = temp_home("api");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, 0, stream.clone())
        .await
        .expect("starts");
    let port = api.address().port();
    assert!(api.address().ip().is_loopback(), "bound to 127.0.0.1 only");
    assert_eq!(
        Endpoint::read(&home).expect("readable").map(|e| e.port),
        Some(port),
        "the port is recorded for `ringside call`"
    );
    let token = ApiToken::load(&home).expect("the token file exists");
    let ring = br#"{"event":"ring","call_id":"c-1","from":"sip:+14155550123@pbx;user=phone"}"#;

    let (status, body) = request(port, Some(token.expose()), ring).await;
    assert_eq!(status, 202, "accepted: {body}");
    let event = next_event(&mut events).await;
    assert_eq!(event.event, CallEventKind::Ring);
    assert_eq!(event.from, CallerId::Number("+14155550123".into()));
    assert_eq!(event.source, EventSource::Api);

    let (status, body) = request(port, None, ring).await;
    assert_eq!(status, 401, "no token: {body}");
    assert!(!body.contains(token.expose()), "the token is never echoed");
    let (status, _) = request(port, Some("0123456789abcdef0123456789abcdef"), ring).await;
    assert_eq!(status, 401, "wrong token");

    let cases: &[(&[u8], u16, &str)] = &[
        (b"ring!", 400, "not valid JSON"),
        (br#"{"event":"ring","call_id":"c"#, 400, "not valid JSON"),
        (
            br#"{"event":"ring","from":"+14155550123"}"#,
            400,
            "missing field `call_id`",
        ),
        (
            br#"{"event":"ring","call_id":"c"}"#,
            400,
            "missing field `from`",
        ),
        (
            br#"{"event":"ring","call_id":"c","from":"+1 415 CALL NOW"}"#,
            400,
            "letter",
        ),
        (br#"[1,2,3]"#, 400, "malformed"),
    ];
    for (body, expected_status, expected_text) in cases {
        let (status, answer) = request(port, Some(token.expose()), body).await;
        assert_eq!(
            status,
            *expected_status,
            "{}: {answer}",
            String::from_utf8_lossy(body)
        );
        assert!(
            answer.contains(expected_text),
            "{}: says {expected_text:?}: {answer}",
            String::from_utf8_lossy(body)
        );
    }
    let megabyte = vec![b' '; 1024 * 1024];
    let (status, _) = request(port, Some(token.expose()), &megabyte).await;
    assert_eq!(status, 413, "a 1 MB body is refused");
    no_event(&mut events).await;

    // Anonymous callers are events too: they pop "unknown caller".
    let anonymous = br#"{"event":"ring","call_id":"c-2","from":"sip:anonymous@anonymous.invalid"}"#;
    assert_eq!(request(port, Some(token.expose()), anonymous).await.0, 202);
    assert_eq!(next_event(&mut events).await.from, CallerId::Withheld);

    api.shutdown().await;
    assert_eq!(
        Endpoint::read(&home).expect("readable"),
        None,
        "the endpoint file is removed on stop"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "nothing listens after shutdown"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn bearer_auth_scheme_is_case_insensitive() {
    // RFC 7235 §2.1: the auth scheme is a case-insensitive token.
    let home = temp_home("bearer-case");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, 0, stream.clone())
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("the token file exists");
    for (i, scheme) in ["bearer", "BEARER", "BeArEr"].into_iter().enumerate() {
        let body = format!(r#"{{"event":"ring","call_id":"case-{i}","from":"+14155550123"}}"#);
        let authorization = format!("{scheme} {}", token.expose());
        let (status, answer) = request_with(port, Some(&authorization), body.as_bytes()).await;
        assert_eq!(
            status, 202,
            "`{scheme} <token>` is the Bearer scheme: {answer}"
        );
        assert_eq!(next_event(&mut events).await.call_id, format!("case-{i}"));
    }
    let wrong = format!("bearer{}", token.expose());
    let (status, _) = request_with(port, Some(&wrong), b"{}").await;
    assert_eq!(status, 401, "the scheme and the token are still two words");
    let basic = format!("Basic {}", token.expose());
    let (status, _) = request_with(port, Some(&basic), b"{}").await;
    assert_eq!(
        status, 401,
        "another scheme with the right token is refused"
    );
    no_event(&mut events).await;
    api.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

fn baresip_event(kind: &str, id: &str, peer: &str) -> Vec<u8> {
    encode(
        format!(
            r#"{{"event":true,"type":"{kind}","class":"call","accountaor":"sip:agent@127.0.0.1","direction":"incoming","peeruri":"{peer}","id":"{id}","param":""}}"#
        )
        .as_bytes(),
    )
}

fn fast_backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(100),
    }
}

#[tokio::test]
async fn baresip_adapter_waits_for_baresip_and_survives_restarts_and_garbage() {
    // Reserve a port, then free it: baresip is "not running" at first.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let adapter = tokio::spawn(baresip::run(
        BaresipConfig {
            address: format!("127.0.0.1:{port}"),
            backoff: fast_backoff(),
        },
        stream.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("port still free");

    // First baresip: one good call, then a broken netstring (the adapter drops the connection).
    let (mut conn, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the adapter connects once baresip is up")
        .unwrap();
    conn.write_all(&baresip_event(
        "CALL_INCOMING",
        "a1",
        "sip:+14155550123@127.0.0.1:5070;user=phone",
    ))
    .await
    .unwrap();
    let ring = next_event(&mut events).await;
    assert_eq!(
        (ring.event, ring.call_id.as_str()),
        (CallEventKind::Ring, "a1")
    );
    assert_eq!(ring.source, EventSource::Baresip);
    conn.write_all(b"1048576:").await.unwrap();
    let mut probe = [0u8; 1];
    let closed = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut probe)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "an oversized netstring drops the connection"
    );

    // Second connection: garbage JSON is skipped, a truncated frame at close is logged.
    let (mut conn, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the adapter reconnects")
        .unwrap();
    conn.write_all(&encode(b"this is not json")).await.unwrap();
    conn.write_all(&encode(br#"{"event":true,"type":"CALL_INCOMING","class":"call","peeruri":"sip:anonymous@anonymous.invalid","id":"a2"}"#))
        .await
        .unwrap();
    let anonymous = next_event(&mut events).await;
    assert_eq!(
        anonymous.from,
        CallerId::Withheld,
        "anonymous → unknown caller"
    );
    conn.write_all(&baresip_event(
        "CALL_CLOSED",
        "a2",
        "sip:anonymous@anonymous.invalid",
    ))
    .await
    .unwrap();
    let end = next_event(&mut events).await;
    assert_eq!(
        end.disposition.as_deref(),
        Some("missed"),
        "closed without answer"
    );
    conn.write_all(b"50:{\"event\":true").await.unwrap();
    drop(conn);

    // baresip restarts: a new listener on the same port; the adapter finds it.
    drop(listener);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind");
    let (mut conn, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the adapter reconnects after a restart")
        .unwrap();
    conn.write_all(&baresip_event("CALL_INCOMING", "a3", "sip:4155550123@host"))
        .await
        .unwrap();
    let ring = next_event(&mut events).await;
    assert_eq!(ring.call_id, "a3", "events flow again after the restart");
    assert!(!adapter.is_finished(), "the adapter never gave up");
    adapter.abort();
}

/// Posts one event; the status and the answer's body.
async fn post(port: u16, token: &ApiToken, event: &serde_json::Value) -> (u16, String) {
    request(port, Some(token.expose()), event.to_string().as_bytes()).await
}

#[tokio::test]
async fn api_refuses_durations_salesforce_cannot_store_and_publishes_nothing() {
    let home = temp_home("api-duration");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, 0, stream.clone())
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("the token file exists");
    // `CallDurationInSeconds` is a 32-bit integer: these used to become dead letters.
    for duration in [86_401u64, 4_000_000_000, u64::MAX] {
        let end = serde_json::json!({"event":"end","call_id":"c-d","from":"+14155550123","duration":duration});
        let (status, answer) = post(port, &token, &end).await;
        assert_eq!(status, 400, "{duration} s is refused: {answer}");
        assert!(
            answer.contains("24 hours") && answer.contains("86400"),
            "the limit is said: {answer}"
        );
    }
    no_event(&mut events).await;
    let day =
        serde_json::json!({"event":"end","call_id":"c-d","from":"+14155550123","duration":86_400});
    assert_eq!(post(port, &token, &day).await.0, 202, "24 hours is a call");
    assert_eq!(next_event(&mut events).await.duration_secs, Some(86_400));
    api.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_sip_call_id_no_external_id_can_hold_is_logged_exactly_once_from_the_api() {
    use ringside_core::call_log::draft::{CallDraft, CallTimes};
    use ringside_core::call_log::{LoggingSettings, external_call_id};
    use ringside_core::outbox::{Outbox, Worker};

    let home = temp_home("api-call-id");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, 0, stream.clone())
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("the token file exists");
    // Every character that once made the log form retry forever, and 5,000 of them.
    let raw = format!("a/b%2F c?d#é-ü@pbx.example;{}", "x".repeat(5_000));
    let mapped = external_call_id(&raw).expect("a real call id always maps");
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    // The softphone repeats its end event, before and after the drain: all must land on
    // one record.
    let end_event = |disposition: &str| serde_json::json!({"event":"end","call_id":raw,"from":demo_org::seed::JANE_PHONE,"to":"+14155550100","duration":42,"disposition":disposition});
    for disposition in ["answered", "answered again"] {
        let (status, answer) = post(port, &token, &end_event(disposition)).await;
        assert_eq!(status, 202, "the call id is accepted: {answer}");
        let event = next_event(&mut events).await;
        assert_eq!(
            event.call_id, mapped,
            "the event carries the External ID the call is logged under"
        );
        let draft = CallDraft::after_call(&event, CallTimes::default(), None, 1_763_000_000_000);
        let log = draft
            .to_call_log(&draft.fields)
            .expect("the log form accepts it");
        outbox
            .enqueue(&log, AuditActor::Agent)
            .await
            .expect("queued");
    }
    let items = outbox.list().await.expect("queue readable");
    assert_eq!(items.len(), 1, "the same softphone id is one queued call");
    let worker = Worker::start(
        outbox.clone(),
        crate::outbox::client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        crate::outbox::fast_options(),
    )
    .await
    .expect("worker starts");
    let report = worker.drain(Duration::ZERO).await.expect("drain");
    assert_eq!(report.delivered, 1, "logged, not a dead letter: {report:?}");
    crate::outbox::assert_exactly_once(&org, &outbox).await;
    let (status, answer) = post(port, &token, &end_event("answered late")).await;
    assert_eq!(status, 202, "{answer}");
    let event = next_event(&mut events).await;
    assert_eq!(
        event.call_id, mapped,
        "the same External ID after the drain"
    );
    let draft = CallDraft::after_call(&event, CallTimes::default(), None, 1_763_000_000_000);
    let log = draft.to_call_log(&draft.fields).expect("accepted");
    assert!(
        outbox
            .enqueue(&log, AuditActor::Agent)
            .await
            .expect("queued")
            .updated,
        "an update of the call already sent"
    );
    worker.drain(Duration::ZERO).await.expect("drain");
    crate::outbox::assert_exactly_once(&org, &outbox).await;
    let records = crate::outbox::org_records(&org).await;
    assert_eq!(
        records.logs.get(&mapped).map(Vec::len),
        Some(1),
        "one call log under the mapped External ID"
    );
    assert_eq!(outbox.list().await.expect("readable").len(), 1);
    api.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn links_without_the_secret_only_pop_and_never_reach_the_stream() {
    // The desktop opens a log form on every `end` on the stream and auto-logs it: a link
    // any web page can open must not get there without the per-install secret.
    let home = temp_home("link-secret");
    let token = ApiToken::load_or_create(&home).expect("token");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let links = LinkIntake::new(Some(token.clone()), stream.clone());
    assert_eq!(
        links.handle("ringside://call?event=ring&call_id=w-1&from=%2B14155550123"),
        Ok(LinkOutcome::Pop(CallerId::Number("+14155550123".into()))),
        "a plain ring link pops the caller"
    );
    assert_eq!(
        links.handle("ringside://call?event=answer&call_id=w-1&from=%2B14155550123"),
        Ok(LinkOutcome::Pop(CallerId::Number("+14155550123".into())))
    );
    assert_eq!(
        links.handle("ringside://call?event=end&call_id=w-1&from=%2B14155550123&duration=42"),
        Err(LinkError::EndNeedsSecret),
        "a plain end link is refused: no log form, no auto-log"
    );
    assert_eq!(
        links.handle(&format!(
            "ringside://call?event=end&call_id=w-1&from=%2B14155550123&secret={}",
            "a".repeat(64)
        )),
        Err(LinkError::WrongSecret)
    );
    no_event(&mut events).await;
    // A softphone that can only open links gets full events with the secret.
    let end = format!(
        "ringside://call?event=end&call_id=w-2&from=%2B14155550123&duration=42&secret={}",
        token.expose()
    );
    assert_eq!(links.handle(&end), Ok(LinkOutcome::Published));
    let event = next_event(&mut events).await;
    assert_eq!(
        (event.event, event.call_id.as_str(), event.source),
        (CallEventKind::End, "w-2", EventSource::Link)
    );
    // Without a readable token no link is more than a pop.
    let blind = LinkIntake::new(None, stream.clone());
    assert_eq!(blind.handle(&end), Err(LinkError::WrongSecret));
    no_event(&mut events).await;
    let _ = std::fs::remove_dir_all(&home);
}

fn fast_limits(max_connections: usize) -> ApiLimits {
    ApiLimits {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        connection_lifetime: Duration::from_secs(5),
        max_connections,
    }
}

/// Reads until the server closes; `None` when it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_client_that_stalls_mid_request_is_disconnected() {
    let home = temp_home("api-stall");
    let api = EventApi::start_with(&home, 0, EventStream::new(), fast_limits(32))
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("token");

    let mut half = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    half.write_all(b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .await
        .expect("half a header");
    assert!(
        closed_within(&mut half, Duration::from_secs(3))
            .await
            .is_some(),
        "half a header and silence: closed after the header-read timeout"
    );

    let mut silent = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    assert!(
        closed_within(&mut silent, Duration::from_secs(3))
            .await
            .is_some(),
        "a connection that never sends a byte is closed too"
    );

    let mut slow_body = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Length: 100\r\n\r\n{{\"event\"",
        token.expose()
    );
    slow_body
        .write_all(head.as_bytes())
        .await
        .expect("head sent");
    let answer = closed_within(&mut slow_body, Duration::from_secs(3))
        .await
        .expect("a body that stops arriving is given up on");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // Kept alive after an answer, then idle: closed after the same timeout.
    let mut kept = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    kept.write_all(b"GET /v1/hello?nonce=00112233445566778899 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("request");
    let answer = closed_within(&mut kept, Duration::from_secs(3))
        .await
        .expect("an idle keep-alive connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    api.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_flood_of_idle_connections_cannot_keep_a_real_event_out() {
    let home = temp_home("api-flood");
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start_with(&home, 0, stream.clone(), fast_limits(4))
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("token");
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(
            TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connects"),
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut over = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let answer = closed_within(&mut over, Duration::from_secs(1))
        .await
        .expect("over the cap: answered and closed at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    // The idle ones time out, and a real client gets through.
    let ring = br#"{"event":"ring","call_id":"flood-1","from":"+14155550123"}"#;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = request(port, Some(token.expose()), ring).await;
        if status == 202 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle connections never made room"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(next_event(&mut events).await.call_id, "flood-1");
    for mut conn in idle {
        assert!(
            closed_within(&mut conn, Duration::from_secs(1))
                .await
                .is_some(),
            "each idle connection was closed"
        );
    }
    api.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

/// A plain HTTP server that answers 200 `{}` to everything and keeps what it received.
async fn impostor() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("address").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = std::sync::Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = conn.read(&mut buf).await.unwrap_or(0);
            keep.lock().expect("lock").extend_from_slice(&buf[..n]);
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .await;
        }
    });
    (port, seen)
}

#[tokio::test]
async fn hello_proves_the_listener_knows_the_token_without_anyone_sending_it() {
    let home = temp_home("api-hello");
    let api = EventApi::start(&home, 0, EventStream::new())
        .await
        .expect("starts");
    let port = api.address().port();
    let token = ApiToken::load(&home).expect("token");
    let nonce = hello::new_nonce();
    let mut conn = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    conn.write_all(
        format!(
            "GET /v1/hello?nonce={nonce} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .expect("hello sent");
    let answer = closed_within(&mut conn, Duration::from_secs(3))
        .await
        .expect("answered");
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).expect("a body")).expect("JSON");
    assert_eq!(body["app"], "ringside");
    let proof = body["proof"].as_str().expect("a proof");
    assert!(hello::proof_matches(&token, port, &nonce, proof));
    assert!(
        !hello::proof_matches(&token, port + 1, &nonce, proof),
        "the proof names the port, so it cannot be relayed from another one"
    );
    assert!(
        !answer.contains(token.expose()),
        "the token itself is never sent"
    );
    assert_eq!(
        hello::probe(port, &token, Duration::from_secs(2)).await,
        Probe::Ringside
    );

    let (other, seen) = impostor().await;
    assert!(
        matches!(
            hello::probe(other, &token, Duration::from_secs(2)).await,
            Probe::NotRingside(_)
        ),
        "a program that answers HTTP is not Ringside"
    );
    let received = String::from_utf8_lossy(&seen.lock().expect("lock")).into_owned();
    assert!(received.contains("/v1/hello?nonce="), "{received}");
    assert!(
        !received.contains(token.expose()),
        "the token never left: {received}"
    );
    api.shutdown().await;
    assert_eq!(
        hello::probe(port, &token, Duration::from_secs(2)).await,
        Probe::NotListening
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_second_intake_never_takes_over_or_removes_the_first_ones_endpoint() {
    let home = temp_home("api-second");
    let first = EventApi::start(&home, 0, EventStream::new())
        .await
        .expect("the first starts");
    let port = first.address().port();
    let recorded = Endpoint::read(&home).expect("readable").expect("written");
    assert_eq!(recorded.port, port);
    assert_eq!(recorded.pid, std::process::id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.join("event-api.json"))
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the endpoint file is private");
    }

    let err = EventApi::start(&home, 0, EventStream::new())
        .await
        .expect_err("a second intake on the same home is refused");
    assert!(
        matches!(err, ApiStartError::AlreadyRunning { port: p, .. } if p == port),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&format!("already listening for call events on port {port}"))
            && message.contains(&format!("pid {}", std::process::id()))
            && message.contains("different RINGSIDE_HOME"),
        "{message}"
    );
    assert_eq!(
        Endpoint::read(&home).expect("readable"),
        Some(recorded.clone()),
        "the first one's file is untouched"
    );

    // A later run wrote the file (same port, another run): stopping leaves it alone.
    let later = Endpoint {
        instance: "later-run".into(),
        ..recorded.clone()
    };
    later.write(&home).expect("written");
    first.shutdown().await;
    assert_eq!(
        Endpoint::read(&home).expect("readable"),
        Some(later),
        "an intake removes the endpoint file only while it is its own"
    );

    // A file left by a crashed run, pointing at a program that is not Ringside: replaced.
    let (other, seen) = impostor().await;
    Endpoint {
        port: other,
        instance: "crashed".into(),
        pid: 1,
    }
    .write(&home)
    .expect("written");
    let next = EventApi::start(&home, 0, EventStream::new())
        .await
        .expect("a stale endpoint file does not stop a new intake");
    assert_eq!(
        Endpoint::read(&home).expect("readable").map(|e| e.port),
        Some(next.address().port())
    );
    let token = ApiToken::load(&home).expect("token");
    assert!(
        !String::from_utf8_lossy(&seen.lock().expect("lock")).contains(token.expose()),
        "the check never sent the token"
    );
    next.shutdown().await;
    assert_eq!(
        Endpoint::read(&home).expect("readable"),
        None,
        "its own: removed"
    );
    let _ = std::fs::remove_dir_all(&home);
}
