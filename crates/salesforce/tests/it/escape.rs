//! The escaping helpers end to end: hostile values reach the server as data.

use salesforce::escape::{soql_like_contains, soql_literal, sosl_term};
use salesforce::{QueryPage, Record};

use crate::support;

const HOSTILE: &[&str] = &[
    "' OR Name LIKE '%",
    "\\",
    "O'Brien \"Bob\"",
    "} RETURNING User(Id",
    "line\nbreak\ttab",
    "nul\0byte",
    "محمد 山田 😀",
];

#[tokio::test]
async fn hostile_soql_values_match_nothing_instead_of_breaking_the_query() {
    let org = support::org().await;
    let client = support::client(&org);
    for value in HOSTILE {
        let soql = format!(
            "SELECT Id FROM Contact WHERE Name = {}",
            soql_literal(value)
        );
        let page: QueryPage<Record> = client.query(&soql).await.unwrap_or_else(|e| {
            panic!("{value:?} must stay one literal, but the query failed: {e}")
        });
        assert_eq!(
            page.total_size, 0,
            "{value:?} matches no Contact name, so no rows"
        );
        let like = format!(
            "SELECT Id FROM Contact WHERE Name LIKE {}",
            soql_like_contains(value)
        );
        let page: QueryPage<Record> = client
            .query(&like)
            .await
            .unwrap_or_else(|e| panic!("LIKE {value:?}: {e}"));
        assert_eq!(
            page.total_size, 0,
            "{value:?} with wildcards escaped matches nothing"
        );
    }
    org.shutdown().await;
}

#[tokio::test]
async fn pasting_the_hostile_value_raw_would_return_every_contact() {
    // The negative control for the test above: pasting the value raw must fail, which
    // shows the demo org parses SOQL strictly enough for the escaping test to mean something.
    let org = support::org().await;
    let client = support::client(&org);
    let injected: QueryPage<Record> = client
        .query("SELECT Id FROM Contact WHERE Name = '' OR Name LIKE '%'")
        .await
        .expect("the injected text is valid SOQL");
    assert!(
        injected.total_size > 0,
        "pasted raw, the hostile value returns every Contact"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn hostile_sosl_terms_search_without_malformed_search() {
    let org = support::org().await;
    let client = support::client(&org);
    for value in HOSTILE {
        let sosl = format!(
            "FIND {{\"{}\"}} IN ALL FIELDS RETURNING Contact(Id)",
            sosl_term(value)
        );
        client
            .search(&sosl)
            .await
            .unwrap_or_else(|e| panic!("{value:?} must stay inside the FIND phrase, but: {e}"));
    }
    org.shutdown().await;
}
