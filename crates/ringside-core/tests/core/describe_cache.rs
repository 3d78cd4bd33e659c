//! Describe refresh with `If-Modified-Since` against a real demo org: an unchanged object is
//! answered 304 (no body) and the cached describe is kept; a date before the schema changed
//! brings the whole describe.

use ringside_core::describe_cache::DescribeCache;

use crate::config_check::demo;

#[tokio::test]
async fn a_refresh_of_an_unchanged_describe_is_a_304_and_keeps_the_cached_one() {
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client.clone());
    let first = describes
        .describe("Contact")
        .await
        .expect("Contact describes");
    org.clear_request_log();

    let refreshed = describes
        .refresh("Contact")
        .await
        .expect("the refresh runs");
    assert!(
        refreshed.unchanged,
        "the demo org's schema did not change since the first fetch"
    );
    assert!(
        std::sync::Arc::ptr_eq(&refreshed.describe, &first),
        "the cached describe is kept, not re-read"
    );
    let requests = org.data_requests();
    assert_eq!(
        requests
            .iter()
            .map(|r| (r.path.as_str(), r.status))
            .collect::<Vec<_>>(),
        [("/services/data/v66.0/sobjects/Contact/describe", 304)],
        "one conditional request, answered 304 Not Modified"
    );

    let old = client
        .describe_if_modified_since("Contact", "Wed, 01 Jan 2025 00:00:00 GMT")
        .await
        .expect("the conditional describe runs");
    assert!(
        old.is_some_and(|d| d.field("Title").is_some()),
        "a date before the schema changed gets the whole describe"
    );
    let err = client
        .describe_if_modified_since("Contact", "x\r\nEvil: 1")
        .await
        .expect_err("a header value with a line break is refused before sending");
    assert!(err.to_string().contains("not an HTTP date"), "{err}");
    org.shutdown().await;
}

#[tokio::test]
async fn a_long_lived_cache_reuses_a_young_describe_and_checks_an_old_one_with_a_304() {
    let (org, client) = demo().await;
    let young = DescribeCache::with_max_age(client.clone(), std::time::Duration::from_secs(600));
    let first = young.describe("Task").await.expect("Task describes");
    org.clear_request_log();
    let again = young.describe("task").await.expect("from the cache");
    assert!(std::sync::Arc::ptr_eq(&first, &again), "the same describe");
    assert!(
        org.data_requests().is_empty(),
        "a describe younger than the maximum age costs no request"
    );

    let old = DescribeCache::with_max_age(client.clone(), std::time::Duration::ZERO);
    let first = old.describe("Task").await.expect("Task describes");
    org.clear_request_log();
    let checked = old.describe("Task").await.expect("checked again");
    assert!(
        std::sync::Arc::ptr_eq(&first, &checked),
        "unchanged: the cached describe is kept"
    );
    assert_eq!(
        org.data_requests()
            .iter()
            .map(|r| (r.path.as_str(), r.status))
            .collect::<Vec<_>>(),
        [("/services/data/v66.0/sobjects/Task/describe", 304)],
        "an old describe is checked with If-Modified-Since and answered 304"
    );
    org.shutdown().await;
}
