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
async fn proxy_answering(response: impl Into<String>, count: usize) -> String {
    let response: String = response.into();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..count {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 64 * 1024];
            // Read the request head, then as much body as it announces, so the answer is
            // not cut off by a reset over unread bytes.
            let mut read = 0;
            let head_end = loop {
                if let Some(at) = buf[..read].windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(at + 4);
                }
                match socket.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break None,
                    Ok(n) => read += n,
                }
            };
            if let Some(head_end) = head_end {
                let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while read < head_end + length && read < buf.len() {
                    match socket.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => read += n,
                    }
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

/// A raw HTTP/1.1 answer with a correct Content-Length.
fn http_answer(status_line: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A client for a loopback server at `base`.
fn loopback_client(base: &str) -> Client {
    Client::with_options(
        InstanceUrl::parse(base).unwrap(),
        salesforce::AccessToken::new("00Dloopback!token").unwrap(),
        ApiVersion::DEFAULT,
        ClientOptions::default(),
    )
    .unwrap()
}

fn one_create(client: &Client) -> salesforce::CompositeRequest {
    let mut request = salesforce::CompositeRequest::new(true);
    request.push(
        salesforce::CompositeSubrequest::create(
            client.api_version(),
            "NewTask",
            "Task",
            json!({"Subject": "Call"}),
        )
        .unwrap(),
    );
    request
}

#[tokio::test]
async fn a_maintenance_page_answered_200_to_a_composite_is_a_named_retryable_error() {
    let base = proxy_answering(
        http_answer(
            "200 OK",
            "text/html; charset=utf-8",
            "<html><head><title>Salesforce is down for maintenance</title></head><body>…</body></html>",
        ),
        1,
    )
    .await;
    let client = loopback_client(&base);
    let err = client.composite(&one_create(&client)).await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::Decode { status: 200, .. }),
        "got {err:?}"
    );
    assert!(
        message.starts_with("POST composite: Salesforce answered HTTP 200 OK"),
        "the request and the status in words: {message}"
    );
    assert!(
        message.contains("down for maintenance"),
        "the page's title: {message}"
    );
    assert!(
        !message.contains("expected") && !message.contains("line 1 column"),
        "no serde message for the user: {message}"
    );
    assert!(
        err.is_retryable() && err.outcome_unknown(),
        "retry later, checking first whether the write landed"
    );
}

#[tokio::test]
async fn a_plain_text_503_to_a_composite_gives_the_status_in_words() {
    let base = proxy_answering(
        http_answer(
            "503 Service Unavailable",
            "text/plain",
            "upstream connect error or disconnect/reset before headers",
        ),
        1,
    )
    .await;
    let client = loopback_client(&base);
    let err = client.composite(&one_create(&client)).await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::UnexpectedResponse { status: 503, .. }),
        "got {err:?}"
    );
    assert!(
        message.contains("POST composite") && message.contains("503 Service Unavailable"),
        "{message}"
    );
    assert!(message.contains("upstream connect error"), "{message}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_composite_refused_over_its_limit_is_limit_exceeded() {
    // As recorded from a real org (guardian/support-service-lambdas#766).
    let body = r#"{"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED","message":"The request can’t contain more than 25 operations."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":null}]}"#;
    let base = proxy_answering(http_answer("200 OK", "application/json", body), 1).await;
    let client = loopback_client(&base);
    let err = client.composite(&one_create(&client)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, .. }),
        "got {err:?}"
    );
    assert_eq!(err.api_errors()[0].error_code, ErrorCode::LimitExceeded);
    assert!(!err.is_retryable(), "the same request is refused again");
}

#[tokio::test]
async fn a_200_that_is_json_of_another_shape_or_an_error_list_is_read() {
    let base = proxy_answering(
        http_answer("200 OK", "application/json", r#"{"hello":"world"}"#),
        1,
    )
    .await;
    let client = loopback_client(&base);
    let err = client.composite(&one_create(&client)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                json_body: true,
                ..
            }
        ),
        "got {err:?}"
    );
    assert!(
        err.to_string().contains("keys hello"),
        "its shape is shown: {err}"
    );
    assert!(!err.is_retryable(), "the same answer would come again");

    let base = proxy_answering(
        http_answer(
            "200 OK",
            "application/json",
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        ),
        1,
    )
    .await;
    let client = loopback_client(&base);
    let err = client.composite(&one_create(&client)).await.unwrap_err();
    assert_eq!(
        err.code(),
        "INVALID_SESSION_ID",
        "a top-level error list: {err:?}"
    );
}

#[tokio::test]
async fn a_failed_graph_with_an_error_list_inside_is_read() {
    let body = json!({"graphs": [{
        "graphId": "g0",
        "graphResponse": {"compositeResponse": [
            {"body": [{"errorCode": "DUPLICATE_VALUE", "fields": [], "message": "duplicate value found"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "log"},
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": null}
        ]},
        "isSuccessful": false
    }]})
    .to_string();
    let base = proxy_answering(http_answer("200 OK", "application/json", &body), 1).await;
    let client = loopback_client(&base);
    let mut request = salesforce::GraphRequest::default();
    request.graphs.push(salesforce::Graph {
        graph_id: "g0".into(),
        composite_request: one_create(&client).composite_request,
    });
    let response = client
        .composite_graph(&request)
        .await
        .expect("a graph failing inside a 200 is an answer, not an error");
    let err = response
        .get("g0")
        .unwrap()
        .error()
        .expect("the graph failed");
    assert_eq!(err.code(), "DUPLICATE_VALUE");
}

#[tokio::test]
async fn an_upsert_answered_300_lists_the_matching_records() {
    let body = r#"["/services/data/v66.0/sobjects/Call_Log__c/a00000000000001AAA","/services/data/v66.0/sobjects/Call_Log__c/a00000000000002AAA"]"#;
    let base = proxy_answering(
        http_answer("300 Multiple Choices", "application/json", body),
        1,
    )
    .await;
    let client = loopback_client(&base);
    let err = client
        .upsert_by_external_id("Call_Log__c", "External_Id__c", "call-1", &json!({}))
        .await
        .unwrap_err();
    let Error::MultipleMatches { matches, .. } = &err else {
        panic!("300 is MultipleMatches: {err:?}")
    };
    assert_eq!(matches.len(), 2, "{err}");
    assert!(
        err.to_string().starts_with("Call_Log__c.External_Id__c:"),
        "{err}"
    );
}
