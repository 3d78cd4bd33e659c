//! Composite against the demo org: one API call, per-subrequest results.

use salesforce::{
    CompositeRequest, CompositeSubrequest, CreateResult, ErrorCode, QueryPage, Record,
};
use serde_json::json;

use crate::support;

#[tokio::test]
async fn a_failed_subrequest_is_surfaced_although_the_call_answers_200() {
    let org = support::org().await;
    let client = support::client(&org);
    let v = client.api_version();
    let mut request = CompositeRequest::new(false);
    request
        .push(
            CompositeSubrequest::create(v, "Good", "Contact", json!({"LastName": "Composite"}))
                .unwrap(),
        )
        .push(
            CompositeSubrequest::create(v, "Bad", "Contact", json!({"FirstName": "NoLast"}))
                .unwrap(),
        )
        .push(
            CompositeSubrequest::query(
                v,
                "Read",
                "SELECT Id FROM Contact WHERE LastName = 'Composite'",
            )
            .unwrap(),
        );

    let before = client.api_requests_made();
    let response = client
        .composite(&request)
        .await
        .expect("the composite call itself succeeds");
    assert_eq!(
        client.api_requests_made() - before,
        1,
        "a composite is one API call"
    );
    assert!(
        !response.all_succeeded(),
        "the bad subrequest must not hide behind HTTP 200"
    );

    let good: CreateResult = response
        .get("Good")
        .unwrap()
        .body_as()
        .expect("the good create succeeded");
    assert!(good.id.starts_with("003"));
    let bad = response.get("Bad").unwrap();
    assert_eq!(
        bad.http_status_code, 400,
        "the subrequest keeps its own status"
    );
    let err = bad.error().expect("a failed subrequest gives an error");
    assert_eq!(
        err.api_errors()[0].error_code,
        ErrorCode::RequiredFieldMissing,
        "same error as a direct call: {err}"
    );
    let (reference, _) = response.first_error().unwrap();
    assert_eq!(reference, Some("Bad"));
    let read: QueryPage<Record> = response.get("Read").unwrap().body_as().unwrap();
    assert_eq!(
        read.total_size, 1,
        "later subrequests still ran without allOrNone"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn all_or_none_rolls_back_and_marks_the_rest_processing_halted() {
    let org = support::org().await;
    let client = support::client(&org);
    let v = client.api_version();
    let mut request = CompositeRequest::new(true);
    request
        .push(
            CompositeSubrequest::create(v, "First", "Contact", json!({"LastName": "Rollback"}))
                .unwrap(),
        )
        .push(
            CompositeSubrequest::create(v, "Broken", "Contact", json!({"FirstName": "NoLast"}))
                .unwrap(),
        );
    let response = client.composite(&request).await.unwrap();
    let halted = response
        .get("First")
        .unwrap()
        .error()
        .expect("the first create was rolled back");
    assert_eq!(
        halted.api_errors()[0].error_code,
        ErrorCode::ProcessingHalted,
        "got {halted}"
    );
    assert!(
        halted.is_retryable(),
        "a halted item can be sent again on its own"
    );
    let page: QueryPage<Record> = client
        .query("SELECT Id FROM Contact WHERE LastName = 'Rollback'")
        .await
        .unwrap();
    assert_eq!(page.total_size, 0, "allOrNone means nothing was kept");
    org.shutdown().await;
}

#[tokio::test]
async fn a_reference_to_an_earlier_result_is_resolved_by_the_server() {
    let org = support::org().await;
    let client = support::client(&org);
    let v = client.api_version();
    let mut request = CompositeRequest::new(true);
    request
        .push(
            CompositeSubrequest::create(v, "NewAccount", "Account", json!({"Name": "Ref Co"}))
                .unwrap(),
        )
        .push(
            CompositeSubrequest::create(
                v,
                "NewContact",
                "Contact",
                json!({"LastName": "Ref", "AccountId": "@{NewAccount.id}"}),
            )
            .unwrap(),
        );
    let response = client.composite(&request).await.unwrap();
    assert!(response.all_succeeded(), "{response:?}");
    let account: CreateResult = response.get("NewAccount").unwrap().body_as().unwrap();
    let contact: CreateResult = response.get("NewContact").unwrap().body_as().unwrap();
    let read = client
        .get("Contact", &contact.id, Some(&["AccountId"]))
        .await
        .unwrap();
    assert_eq!(
        read.str_field("AccountId"),
        Some(account.id.as_str()),
        "@{{NewAccount.id}} was substituted"
    );
    org.shutdown().await;
}
