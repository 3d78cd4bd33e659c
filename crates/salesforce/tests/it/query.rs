//! Query and search against the demo org.

use salesforce::escape::{soql_literal, sosl_term};
use salesforce::{ClientOptions, QueryPage, Record};

use crate::support;

#[tokio::test]
async fn query_pages_through_next_records_url_until_done() {
    let org = support::org().await;
    let options = ClientOptions {
        query_batch_size: Some(200),
        ..ClientOptions::default()
    };
    let client = support::client_with(&org, options);

    let first: QueryPage<Record> = client.query("SELECT Id, Name FROM Contact").await.unwrap();
    assert!(
        first.total_size > 200,
        "the seed has more Contacts than one 200-row page ({})",
        first.total_size
    );
    assert!(!first.done, "a 200-row batch cannot hold every Contact");
    assert_eq!(first.records.len(), 200, "the batch size hint is honoured");
    let next = first
        .next_records_url
        .clone()
        .expect("an unfinished page names its successor");

    let second: QueryPage<Record> = client.query_more(&next).await.unwrap();
    assert!(
        !second.records.is_empty(),
        "the cursor yields the following rows"
    );
    assert_ne!(
        first.records[0].id(),
        second.records[0].id(),
        "the second page is not the first again"
    );

    let before = client.api_requests_made();
    let all: Vec<Record> = client
        .query_all("SELECT Id, Name FROM Contact")
        .await
        .unwrap();
    assert_eq!(
        all.len() as u64,
        first.total_size,
        "query_all returns every row of every page"
    );
    let pages = first.total_size.div_ceil(200);
    assert_eq!(
        client.api_requests_made() - before,
        pages,
        "one API call per page"
    );
    let mut ids: Vec<_> = all.iter().filter_map(|r| r.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        all.len(),
        "no row is returned twice across pages"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn query_reads_parent_fields_through_dotted_paths() {
    let org = support::org().await;
    let client = support::client(&org);
    let soql = format!(
        "SELECT Id, Name, Account.Name FROM Contact WHERE Id = {}",
        soql_literal(demo_org::seed::JANE_CALLER_ID)
    );
    let page: QueryPage<Record> = client.query(&soql).await.unwrap();
    assert_eq!(page.records.len(), 1, "one Contact has Jane's id");
    let jane = &page.records[0];
    assert_eq!(jane.sobject_type(), "Contact");
    assert_eq!(jane.str_field("Name"), Some("Jane Caller"));
    assert_eq!(
        jane.str_field("Account.Name"),
        Some("Acme Corporation"),
        "the parent is nested"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn search_finds_a_contact_by_a_formatted_phone_number() {
    let org = support::org().await;
    let client = support::client(&org);
    let sosl = format!(
        "FIND {{\"{}\"}} IN PHONE FIELDS RETURNING Contact(Id, Name)",
        sosl_term(demo_org::seed::JANE_PHONE)
    );
    let result = client.search(&sosl).await.unwrap();
    let found: Vec<_> = result
        .search_records
        .iter()
        .filter_map(|r| r.id())
        .collect();
    assert!(
        found.contains(&demo_org::seed::JANE_CALLER_ID),
        "Jane's stored number must find her even with ( ) - escaped: {found:?}"
    );
    assert!(
        result
            .search_records
            .iter()
            .all(|r| r.sobject_type() == "Contact"),
        "only Contacts were asked for"
    );
    org.shutdown().await;
}
