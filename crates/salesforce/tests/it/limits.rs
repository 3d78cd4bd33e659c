//! API usage tracking against the demo org.

use salesforce::Record;

use crate::support;

#[tokio::test]
async fn limit_header_and_request_count_are_tracked() {
    let org = support::org().await;
    let client = support::client(&org);
    assert_eq!(
        client.last_limit_info(),
        None,
        "nothing is known before the first call"
    );
    assert_eq!(client.api_requests_made(), 0);

    client
        .query::<Record>("SELECT Id FROM Contact LIMIT 1")
        .await
        .unwrap();
    let first = client
        .last_limit_info()
        .expect("every data response carries Sforce-Limit-Info");
    assert!(
        first.max > 0 && first.used >= 1,
        "usage counts this call: {first:?}"
    );

    client.describe("Contact").await.unwrap();
    let second = client.last_limit_info().unwrap();
    assert!(
        second.used > first.used,
        "the latest header wins: {first:?} then {second:?}"
    );
    assert_eq!(client.api_requests_made(), 2, "two calls were made");
    assert_eq!(
        org.data_requests().len(),
        2,
        "the server saw exactly the calls we counted"
    );

    let clone = client.clone();
    clone.describe("Account").await.unwrap();
    assert_eq!(client.api_requests_made(), 3, "clones share the counter");
    org.shutdown().await;
}

/// Keeps what the client reported, for the observer test.
#[derive(Debug, Default)]
struct Seen(std::sync::Mutex<Vec<salesforce::SentRequest>>);

impl salesforce::RequestObserver for Seen {
    fn request_sent(&self, request: &salesforce::SentRequest) {
        self.0.lock().unwrap().push(*request);
    }
}

#[tokio::test]
async fn the_observer_sees_each_request_once_with_its_usage_and_limits_agrees() {
    let org = demo_org::start(demo_org::DemoOrgConfig {
        port: 0,
        api_limit: 50,
        ..Default::default()
    })
    .await
    .expect("demo org");
    let client = support::client(&org);
    let seen = std::sync::Arc::new(Seen::default());
    assert!(client.observe(seen.clone()), "the first observer is taken");
    assert!(
        !client.clone().observe(std::sync::Arc::new(Seen::default())),
        "a second observer is refused, so no request is reported twice"
    );

    client
        .query::<Record>("SELECT Id FROM Contact LIMIT 1")
        .await
        .unwrap();
    client.describe("Contact").await.unwrap();
    let limits = client.limits().await.expect("/limits answers");

    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen.len(),
        3,
        "three requests, each reported once: {seen:?}"
    );
    assert!(
        seen.iter().all(|s| s.status == Some(200)),
        "each with its status: {seen:?}"
    );
    assert_eq!(
        seen.iter()
            .map(|s| s.limit.map(|l| l.used))
            .collect::<Vec<_>>(),
        vec![Some(1), Some(2), Some(3)],
        "each with the usage its own answer carried"
    );
    assert_eq!(
        (limits.used, limits.max),
        (org.api_usage(), 50),
        "/limits reads used = Max - Remaining, the org's own count (the /limits call included)"
    );
    org.shutdown().await;
}
