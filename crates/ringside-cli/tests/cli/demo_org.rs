//! `ringside demo-org serve` as its own process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use crate::support::ringside;

/// Kills the server even when an assertion fails.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ringside demo-org serve` with `extra` arguments; returns the server and the
/// `host:port` it printed first.
fn serve(extra: &[&str]) -> (Server, String) {
    let child = ringside()
        .args(["demo-org", "serve", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo-org serve starts");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().expect("piped stdout");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("a first line");
    let authority = first_line
        .trim()
        .strip_prefix("http://")
        .expect("base URL is http://host:port")
        .to_owned();
    (server, authority)
}

/// One raw HTTP/1.1 request; the whole response (status line, headers, body) as text.
fn request(authority: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> String {
    let mut stream = TcpStream::connect(authority).expect("the server accepts connections");
    let auth = token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response
}

#[test]
fn api_limit_sets_the_daily_allocation_and_the_api_limit_fault_raises_it() {
    let (_server, authority) = serve(&["--api-limit", "2"]);
    let tokens = request(&authority, "POST", "/__demo/tokens", None, "{}");
    let token_json = tokens.split("\r\n\r\n").nth(1).expect("a body");
    let token: serde_json::Value = serde_json::from_str(token_json).expect("token JSON");
    let token = token["access_token"].as_str().expect("access_token");
    let limits = "/services/data/v66.0/limits";
    let first = request(&authority, "GET", limits, Some(token), "");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(
        first
            .to_ascii_lowercase()
            .contains("sforce-limit-info: api-usage=1/2"),
        "the header names --api-limit: {first}"
    );
    assert!(
        first.contains("\"Max\":2") && first.contains("\"Remaining\":1"),
        "/limits agrees with the header: {first}"
    );
    let second = request(&authority, "GET", limits, Some(token), "");
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    let refused = request(&authority, "GET", limits, Some(token), "");
    assert!(
        refused.starts_with("HTTP/1.1 403") && refused.contains("REQUEST_LIMIT_EXCEEDED"),
        "past --api-limit every data request is refused: {refused}"
    );
    let raised = request(
        &authority,
        "POST",
        "/__demo/faults",
        None,
        r#"{"kind":"api_limit","max":10}"#,
    );
    assert!(raised.starts_with("HTTP/1.1 204"), "{raised}");
    let again = request(&authority, "GET", limits, Some(token), "");
    assert!(
        again.starts_with("HTTP/1.1 200") && again.contains("\"Max\":10"),
        "calls go through once the allocation is raised: {again}"
    );
}

#[test]
fn serve_prints_its_base_url_first_and_answers_salesforce_paths() {
    let (_server, authority) = serve(&[]);
    let base_url = format!("http://{authority}");
    let authority = authority.as_str();
    assert!(
        authority.starts_with("127.0.0.1:"),
        "binds loopback only: {base_url}"
    );

    // A raw HTTP/1.1 request: the versions list needs no session.
    let mut stream =
        TcpStream::connect(authority).expect("the printed address accepts connections");
    write!(
        stream,
        "GET /services/data/ HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "versions list served: {response}"
    );
    assert!(
        response.contains("\"version\""),
        "lists API versions: {response}"
    );
}

fn body_json(response: &str) -> serde_json::Value {
    let body = response.split("\r\n\r\n").nth(1).expect("a body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON body ({e}): {response}"))
}

fn demo_token(authority: &str) -> String {
    let tokens = request(authority, "POST", "/__demo/tokens", None, "{}");
    body_json(&tokens)["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Creates a Contact with `phone` and answers how many Contacts a phone search finds at once.
fn create_then_search(authority: &str, token: &str, phone: &str, digits: &str) -> usize {
    let created = request(
        authority,
        "POST",
        "/services/data/v66.0/sobjects/Contact",
        Some(token),
        &format!(r#"{{"LastName":"Served","Phone":"{phone}"}}"#),
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let search = request(
        authority,
        "GET",
        &format!(
            "/services/data/v66.0/search?q=FIND%20%7B{digits}%7D%20IN%20PHONE%20FIELDS%20RETURNING%20Contact(Id)"
        ),
        Some(token),
        "",
    );
    assert!(search.starts_with("HTTP/1.1 200"), "{search}");
    body_json(&search)["searchRecords"]
        .as_array()
        .expect("searchRecords")
        .len()
}

#[test]
fn index_lag_ms_sets_the_search_index_lag_and_zero_turns_it_off() {
    let (_server, authority) = serve(&[]);
    let token = demo_token(&authority);
    assert_eq!(
        create_then_search(&authority, &token, "(303) 555-0111", "3035550111"),
        0,
        "by default the search index lags: a new record is not found at once"
    );
    let (_server, authority) = serve(&["--index-lag-ms", "0"]);
    let token = demo_token(&authority);
    assert_eq!(
        create_then_search(&authority, &token, "(303) 555-0112", "3035550112"),
        1,
        "--index-lag-ms 0: found at once"
    );
}

#[test]
fn session_timeout_minutes_ends_access_tokens() {
    let (_server, authority) = serve(&["--session-timeout-minutes", "1"]);
    let token = demo_token(&authority);
    let limits = "/services/data/v66.0/limits";
    let fresh = request(&authority, "GET", limits, Some(&token), "");
    assert!(fresh.starts_with("HTTP/1.1 200"), "{fresh}");
    let moved = request(
        &authority,
        "POST",
        "/__demo/clock",
        None,
        r#"{"advance_ms":60000}"#,
    );
    assert!(moved.starts_with("HTTP/1.1 200"), "{moved}");
    let ended = request(&authority, "GET", limits, Some(&token), "");
    assert!(
        ended.starts_with("HTTP/1.1 401") && ended.contains("INVALID_SESSION_ID"),
        "a minute later the token has ended: {ended}"
    );
}
