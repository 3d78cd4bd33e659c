//! `nextRecordsUrl` locators: the REST API's "Query More Results" page and the rules of the
//! SOAP API Developer Guide's "QueryLocator" page (a cursor expires after 15 minutes of
//! inactivity; a user has at most 10 open and opening an 11th releases the oldest), read
//! through `salesforce::Client::query_more` as `Error::Api` with
//! `ErrorCode::InvalidQueryLocator`.
//!
//! Salesforce's newer "API Query Cursor Limits" page ([`CURSOR_LIMITS_DOC`]) says both
//! limits were lifted with API v56.0 (cursors live 2 days, any number open). These cases keep
//! the older, stricter rules, as the demo org does: an app that survives them survives the
//! newer ones, and a locator can still die (2 days, or a cursor already read to its end).
//! The status and body of the refusal (400, `[{"message":"invalid query locator",
//! "errorCode":"INVALID_QUERY_LOCATOR"}]`) are not on either page; they follow the error
//! code the "Query More Results" page's resource answers and responses recorded from real
//! orgs in public clients (SOAP's `InvalidQueryLocatorFault` carries the same message).

use std::time::Duration;

use demo_org::{CallLogSeed, DemoOrg};
use reqwest::Method;
use salesforce::{ErrorClass, ErrorCode, QueryPage, Record};

use crate::case::{Case, VERSION, org};

const QUERY_LOCATOR_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm";
const QUERY_MORE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query_more_results.htm";
/// The page saying the limits were lifted with API v56.0 (see the module doc).
const CURSOR_LIMITS_DOC: &str = "https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-apicursors.html";

/// A query of more rows than one 200-row batch.
const SOQL: &str = "SELECT Id FROM Call_Log__c ORDER BY Id";

/// A fresh org with enough call logs for several 200-row batches.
async fn org_with_call_logs() -> DemoOrg {
    let org = org().await;
    org.seed_call_logs(&CallLogSeed::new(1000, 7))
        .expect("call logs seed");
    org
}

/// A client for `org` asking for 200-row batches.
fn client(org: &DemoOrg) -> salesforce::Client {
    let token = salesforce::AccessToken::new(org.issue_access_token())
        .expect("the demo org issues usable tokens");
    let instance =
        salesforce::InstanceUrl::parse(&org.base_url()).expect("the demo org's URL is usable");
    salesforce::Client::with_options(
        instance,
        token,
        salesforce::ApiVersion::DEFAULT,
        salesforce::ClientOptions {
            query_batch_size: Some(200),
            ..salesforce::ClientOptions::default()
        },
    )
    .expect("a client for the demo org")
}

/// Runs [`SOQL`] through the client; returns its `nextRecordsUrl`.
async fn open_cursor(client: &salesforce::Client) -> String {
    let page: QueryPage<Record> = client.query(SOQL).await.expect("the query runs");
    assert!(!page.done, "more rows than one batch");
    page.next_records_url
        .expect("an unfinished page names its cursor")
}

/// The documented refusal of `url` (a `nextRecordsUrl`), sent raw.
fn refused(name: &'static str, url: &str) -> Case {
    let path = url
        .strip_prefix(&format!("/services/data/{VERSION}/"))
        .expect("a nextRecordsUrl of the case's API version");
    Case::new(name, QUERY_LOCATOR_DOC, Method::GET, path)
        .answers(400, Some("INVALID_QUERY_LOCATOR"))
}

/// Reads `url` through the client and checks it is the documented refusal, as the client
/// names it.
async fn assert_client_reads_invalid_locator(case: &Case, client: &salesforce::Client, url: &str) {
    let err = client
        .query_more::<Record>(url)
        .await
        .expect_err("a dead locator is refused");
    let salesforce::Error::Api { status, errors } = &err else {
        panic!(
            "{}: expected Error::Api, got {err:?}\n  documented at {}",
            case.name, case.doc
        );
    };
    assert_eq!(*status, 400, "{}: the status as sent", case.name);
    assert_eq!(
        errors[0].error_code,
        ErrorCode::InvalidQueryLocator,
        "{}: the client knows the code",
        case.name
    );
    assert_eq!(
        errors[0].message, "invalid query locator",
        "{}: Salesforce's wording",
        case.name
    );
    assert_eq!(
        errors[0].error_code.class(),
        ErrorClass::Permanent,
        "{}: retrying the same locator cannot help; running the query again can",
        case.name
    );
    assert!(
        !err.is_retryable(),
        "{}: the client does not retry it blindly",
        case.name
    );
}

#[tokio::test]
async fn a_locator_unused_for_15_minutes_is_invalid_query_locator() {
    let org = org_with_call_logs().await;
    let client = client(&org);
    let url = open_cursor(&client).await;
    // Reading a page starts the 15 minutes again ("after 15 minutes of inactivity").
    org.advance_clock(Duration::from_secs(14 * 60));
    let second: QueryPage<Record> = client
        .query_more(&url)
        .await
        .expect("14 minutes idle: the cursor is still open");
    let next = second.next_records_url.expect("more batches");
    org.advance_clock(Duration::from_secs(14 * 60));
    let third: QueryPage<Record> = client
        .query_more(&next)
        .await
        .expect("14 minutes after the last read: still open");
    let next = third.next_records_url.expect("more batches");
    org.advance_clock(Duration::from_secs(15 * 60));
    let case = refused(
        "query more: a locator unused for 15 minutes is 400 INVALID_QUERY_LOCATOR",
        &next,
    );
    let answer = case.check(&org).await;
    assert_eq!(
        answer.text, r#"[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]"#,
        "{}: the body as Salesforce sends it (see the module doc; newer orgs: {CURSOR_LIMITS_DOC})",
        case.name
    );
    assert!(
        answer.headers.contains_key("Sforce-Limit-Info"),
        "{}: a refusal is a data response like any other, with the usage header",
        case.name
    );
    assert_client_reads_invalid_locator(&case, &client, &next).await;
    org.shutdown().await;
}

#[tokio::test]
async fn an_eleventh_cursor_releases_the_users_oldest() {
    let org = org_with_call_logs().await;
    let client = client(&org);
    // The oldest is opened raw, as the "Query More Results" page shows it: a batch, `done`
    // false and the locator's URL.
    let first = Case::new(
        "query: a query larger than its batch answers a nextRecordsUrl",
        QUERY_MORE_DOC,
        Method::GET,
        format!(
            "query?q={}",
            percent_encoding::utf8_percent_encode(SOQL, percent_encoding::NON_ALPHANUMERIC)
        ),
    )
    .header("Sforce-Query-Options", "batchSize=200");
    let answer = first.check(&org).await;
    let page: QueryPage<Record> =
        serde_json::from_str(&answer.text).expect("the client reads the documented page");
    assert!(!page.done, "{}: not done after one batch", first.name);
    let mut urls = vec![
        page.next_records_url
            .expect("the first batch names its cursor"),
    ];
    for _ in 0..10 {
        urls.push(open_cursor(&client).await);
    }
    let case = refused(
        "query more: the oldest of a user's cursors is released when an 11th opens",
        &urls[0],
    );
    case.check(&org).await;
    assert_client_reads_invalid_locator(&case, &client, &urls[0]).await;
    for url in &urls[1..] {
        let page: Result<QueryPage<Record>, _> = client.query_more(url).await;
        assert!(
            page.is_ok(),
            "{}: the ten newest stay open ({url}): {page:?}\n  documented at {}",
            case.name,
            case.doc
        );
    }
    org.shutdown().await;
}

#[tokio::test]
async fn a_cursor_read_to_its_end_is_closed() {
    let org = org_with_call_logs().await;
    let client = client(&org);
    let mut url = open_cursor(&client).await;
    loop {
        let page: QueryPage<Record> = client.query_more(&url).await.expect("the next batch");
        if page.done {
            break;
        }
        url = page.next_records_url.expect("more batches");
    }
    let case = Case::new(
        "query more: the last batch's locator is closed once read (done is true)",
        QUERY_MORE_DOC,
        Method::GET,
        url.strip_prefix(&format!("/services/data/{VERSION}/"))
            .expect("a nextRecordsUrl of the case's API version"),
    )
    .answers(400, Some("INVALID_QUERY_LOCATOR"));
    case.check(&org).await;
    assert_client_reads_invalid_locator(&case, &client, &url).await;
    org.shutdown().await;
}
