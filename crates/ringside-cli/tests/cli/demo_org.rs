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

#[test]
fn serve_prints_its_base_url_first_and_answers_salesforce_paths() {
    let child = ringside()
        .args(["demo-org", "serve", "--port", "0"])
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
    let base_url = first_line.trim();
    let authority = base_url
        .strip_prefix("http://")
        .expect("base URL is http://host:port");
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
