//! Error classification against real failures injected into the demo org.

use std::time::Duration;

use salesforce::{
    ApiVersion, Client, ClientOptions, Error, ErrorCode, InstanceUrl, Record, TransportKind,
};
use serde_json::json;

use crate::support;

const QUERY: &str = "SELECT Id FROM Contact LIMIT 1";

#[tokio::test]
async fn expired_session_needs_reauth_and_a_new_token_fixes_it() {
    let org = support::org().await;
    let client = support::client(&org);
    org.faults().expire_tokens();
    let err = client.query::<Record>(QUERY).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.api_errors()[0].error_code,
        ErrorCode::InvalidSessionId,
        "got {err}"
    );
    assert!(
        err.needs_reauth(),
        "401 INVALID_SESSION_ID means refresh the token"
    );
    assert!(!err.is_retryable(), "the same token will fail again");

    client.set_access_token(support::token(&org));
    client
        .query::<Record>(QUERY)
        .await
        .expect("a new token works on the same client");
    org.shutdown().await;
}

#[tokio::test]
async fn injected_lock_and_outage_errors_are_retryable() {
    let org = support::org().await;
    let client = support::client(&org);
    let query_path = format!("{}/query", ApiVersion::DEFAULT.base_path());
    let cases = [
        (400, "UNABLE_TO_LOCK_ROW", ErrorCode::UnableToLockRow),
        (503, "SERVER_UNAVAILABLE", ErrorCode::ServerUnavailable),
        (
            403,
            "REQUEST_LIMIT_EXCEEDED",
            ErrorCode::RequestLimitExceeded,
        ),
    ];
    for (status, wire, code) in cases {
        org.faults().fail_next(
            Some("GET"),
            &query_path,
            1,
            status,
            json!([{"message": "injected", "errorCode": wire}]),
        );
        let err = client.query::<Record>(QUERY).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.api_errors()[0].error_code, code, "got {err}");
        assert!(err.is_retryable(), "{wire} is transient");
        client
            .query::<Record>(QUERY)
            .await
            .expect("the fault was for one request only");
    }
    org.shutdown().await;
}

#[tokio::test]
async fn permanent_errors_are_not_retryable() {
    let org = support::org().await;
    let client = support::client(&org);
    let err = client
        .query::<Record>("SELECT Nope__c FROM Contact")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.api_errors().first().map(|e| &e.error_code),
            Some(ErrorCode::InvalidField | ErrorCode::MalformedQuery)
        ),
        "an unknown column is INVALID_FIELD (or MALFORMED_QUERY): {err}"
    );
    assert!(!err.is_retryable(), "a bad column stays bad");
    let path = format!("{}/sobjects/Contact", ApiVersion::DEFAULT.base_path());
    org.faults().fail_next(
        Some("POST"),
        &path,
        1,
        400,
        json!([{"message": "nope", "errorCode": "API_DISABLED_FOR_ORG"}]),
    );
    let err = client
        .create("Contact", &json!({"LastName": "X"}))
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("Essentials"),
        "the message names the cause: {err}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_json_body_that_is_not_an_error_list_still_gives_the_status() {
    let org = support::org().await;
    let client = support::client(&org);
    let query_path = format!("{}/query", ApiVersion::DEFAULT.base_path());
    // Valid JSON that is neither an error list nor an OAuth error (some gateways answer
    // like this) must not be mistaken for either.
    org.faults().fail_next(
        Some("GET"),
        &query_path,
        1,
        502,
        json!("<html><title>502 Bad Gateway</title></html>"),
    );
    let err = client.query::<Record>(QUERY).await.unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedResponse { status: 502, .. }),
        "got {err:?}"
    );
    assert!(
        err.to_string().contains("502"),
        "the status is in the message: {err}"
    );
    assert!(err.is_retryable(), "a 502 is transient");
    org.shutdown().await;
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_with_nothing_sent() {
    // A port that was just free: bind, read the port, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let instance = InstanceUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        ..ClientOptions::default()
    };
    let token = salesforce::AccessToken::new("00Dnothing!sent").unwrap();
    let client = Client::with_options(instance, token, ApiVersion::DEFAULT, options).unwrap();
    let err = client.query::<Record>(QUERY).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "got {err:?}"
    );
    assert!(err.nothing_sent(), "a refused connection sent nothing");
    assert!(!err.outcome_unknown(), "and so nothing is ambiguous");
    assert!(err.is_retryable(), "the org may come back");
    assert!(
        err.to_string().contains("nothing was sent"),
        "said plainly: {err}"
    );
    assert!(
        !err.to_string().contains("SELECT"),
        "query values stay out of the error: {err}"
    );
    assert_eq!(
        client.api_requests_made(),
        0,
        "a request that never left is not an API call"
    );
}

#[tokio::test]
async fn connection_dropped_after_commit_is_ambiguous() {
    let org = support::org().await;
    let client = support::client(&org);
    let path = format!("{}/sobjects/Contact", ApiVersion::DEFAULT.base_path());
    org.faults().drop_after_commit(Some("POST"), &path, 1);
    let err = client
        .create("Contact", &json!({"LastName": "Ghost"}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "got {err:?}");
    assert!(
        err.outcome_unknown(),
        "the write may have happened: check before writing again"
    );
    assert!(!err.nothing_sent());
    let page: salesforce::QueryPage<Record> = client
        .query("SELECT Id FROM Contact WHERE LastName = 'Ghost'")
        .await
        .unwrap();
    assert_eq!(
        page.total_size, 1,
        "the demo org did commit it, which is why the caller must check"
    );
    org.shutdown().await;
}

/// Serves `count` connections on loopback, answering each with `response` verbatim, the
/// way a corporate proxy or load balancer answers when Salesforce is out of reach.
async fn proxy_answering(response: &'static str, count: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..count {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 16 * 1024];
            // Read the request head (the tests send GETs without a body).
            let mut read = 0;
            while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_real_html_proxy_page_gives_status_and_title() {
    let base = proxy_answering(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 75\r\nConnection: close\r\n\r\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n",
        1,
    )
    .await;
    let token = salesforce::AccessToken::new("00Dproxy!token").unwrap();
    let client = Client::with_options(
        InstanceUrl::parse(&base).unwrap(),
        token,
        ApiVersion::DEFAULT,
        ClientOptions::default(),
    )
    .unwrap();
    let err = client.query::<Record>(QUERY).await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::UnexpectedResponse { status: 502, .. }),
        "got {err:?}"
    );
    assert!(
        message.contains("text/html") && message.contains("502 Bad Gateway"),
        "type and title shown: {message}"
    );
    assert!(err.is_retryable(), "a gateway error is transient");
    assert!(
        !message.contains("SELECT"),
        "the query stays out of the message: {message}"
    );
}

#[tokio::test]
async fn a_proxy_login_page_with_401_asks_to_sign_in_again() {
    let base = proxy_answering(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nContent-Length: 42\r\nConnection: close\r\n\r\n<html><title>Login required</title></html>",
        1,
    )
    .await;
    let token = salesforce::AccessToken::new("00Dproxy!token").unwrap();
    let client = Client::with_options(
        InstanceUrl::parse(&base).unwrap(),
        token,
        ApiVersion::DEFAULT,
        ClientOptions::default(),
    )
    .unwrap();
    let err = client.query::<Record>(QUERY).await.unwrap_err();
    assert!(
        err.needs_reauth(),
        "any 401 means the session cannot be used: {err:?}"
    );
    assert_eq!(
        client.api_requests_made(),
        1,
        "the request reached a server, so it counts"
    );
}
