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
