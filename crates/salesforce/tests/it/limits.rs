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
