//! `org_error::code` on real failures over real sockets: a port nobody listens on is
//! `salesforce_unreachable`, an ended session is `signed_out`, a refused query is
//! `salesforce_error`: the codes the desktop's views branch on.

use std::time::Duration;

use ringside_core::org_error;

use super::outbox::client;

#[tokio::test]
async fn real_failures_get_the_code_the_ui_branches_on() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let api = client(&org, Duration::from_secs(5));

    let refused = api
        .query::<serde_json::Value>("SELECT Id FROM NoSuchObject__c")
        .await
        .expect_err("an unknown object is refused");
    assert_eq!(org_error::code(&refused), "salesforce_error", "{refused}");

    org.faults().expire_tokens();
    let ended = api
        .query::<serde_json::Value>("SELECT Id FROM User LIMIT 1")
        .await
        .expect_err("an ended session is refused");
    assert_eq!(org_error::code(&ended), "signed_out", "{ended}");

    let base = org.base_url();
    org.shutdown().await;
    let gone = salesforce::Client::with_options(
        salesforce::InstanceUrl::parse(&base).expect("url"),
        salesforce::AccessToken::new("00Dx!token".to_owned()).expect("token"),
        salesforce::ApiVersion::default(),
        salesforce::ClientOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(2),
            query_batch_size: None,
        },
    )
    .expect("client");
    let unreachable = gone
        .query::<serde_json::Value>("SELECT Id FROM User LIMIT 1")
        .await
        .expect_err("nobody listens any more");
    assert_eq!(
        org_error::code(&unreachable),
        "salesforce_unreachable",
        "{unreachable}"
    );
}
