//! Describe and record writes against the demo org.

use salesforce::{Error, ErrorCode, FieldType, UpsertOutcome};
use serde_json::json;

use crate::support;

#[tokio::test]
async fn describe_contact_lists_fields_with_their_flags() {
    let org = support::org().await;
    let client = support::client(&org);
    let contact = client.describe("Contact").await.unwrap();
    assert_eq!(contact.name, "Contact");
    assert_eq!(
        contact.key_prefix.as_deref(),
        Some("003"),
        "Contact ids start with 003"
    );
    let last = contact.field("LastName").expect("LastName is visible");
    assert!(
        last.createable && !last.nillable,
        "LastName is required on create"
    );
    assert_eq!(last.field_type, FieldType::String);
    assert!(last.length > 0, "text fields carry a length");
    let account = contact.field("AccountId").expect("AccountId is visible");
    assert_eq!(account.field_type, FieldType::Reference);
    assert_eq!(account.reference_to, vec!["Account".to_string()]);
    assert_eq!(
        account.relationship_name.as_deref(),
        Some("Account"),
        "dotted paths use this name"
    );
    let source = contact.field("LeadSource").expect("LeadSource is visible");
    assert!(
        !source.picklist_values.is_empty(),
        "picklists list their values"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn describe_of_an_unknown_object_is_a_permanent_not_found() {
    let org = support::org().await;
    let client = support::client(&org);
    let err = client.describe("No_Such_Object__c").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "got {err}");
    assert!(
        !err.is_retryable(),
        "an object that does not exist will not appear by retrying"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn create_get_update_delete_round_trip() {
    let org = support::org().await;
    let client = support::client(&org);
    let created = client
        .create(
            "Contact",
            &json!({"LastName": "Roundtrip", "FirstName": "Rita", "Phone": "+1 555 0100"}),
        )
        .await
        .unwrap();
    assert!(
        created.id.starts_with("003"),
        "a Contact id: {}",
        created.id
    );

    let got = client
        .get("Contact", &created.id, Some(&["Id", "LastName", "Phone"]))
        .await
        .unwrap();
    assert_eq!(
        got.str_field("LastName"),
        Some("Roundtrip"),
        "the created value is stored"
    );
    assert_eq!(got.id(), Some(created.id.as_str()));

    client
        .update("Contact", &created.id, &json!({"Title": "Head of Tests"}))
        .await
        .unwrap();
    let got = client.get("Contact", &created.id, None).await.unwrap();
    assert_eq!(
        got.str_field("Title"),
        Some("Head of Tests"),
        "the update is visible on read"
    );
    assert_eq!(
        got.str_field("LastName"),
        Some("Roundtrip"),
        "an update leaves other fields alone"
    );

    client.delete("Contact", &created.id).await.unwrap();
    let err = client.get("Contact", &created.id, None).await.unwrap_err();
    assert!(
        matches!(
            err.api_errors().first().map(|e| &e.error_code),
            Some(ErrorCode::NotFound | ErrorCode::EntityIsDeleted)
        ),
        "a deleted record reads as gone: {err}"
    );
    assert!(!err.is_retryable(), "a deleted record stays deleted");
    org.shutdown().await;
}

#[tokio::test]
async fn create_without_a_required_field_names_the_field() {
    let org = support::org().await;
    let client = support::client(&org);
    let err = client
        .create("Contact", &json!({"FirstName": "NoLast"}))
        .await
        .unwrap_err();
    let first = err
        .api_errors()
        .first()
        .expect("Salesforce lists the error");
    assert_eq!(
        first.error_code,
        ErrorCode::RequiredFieldMissing,
        "got {err}"
    );
    assert!(
        first.fields.iter().any(|f| f == "LastName"),
        "the form can highlight LastName: {first:?}"
    );
    assert!(!err.is_retryable());
    org.shutdown().await;
}

#[tokio::test]
async fn upsert_creates_then_updates_the_same_record() {
    let org = support::org().await;
    let client = support::client(&org);
    let body = json!({"Direction__c": "Inbound", "Duration_Seconds__c": 42});
    let first = client
        .upsert_by_external_id("Call_Log__c", "External_Id__c", "call/2026-11-22 #1", &body)
        .await
        .unwrap();
    let UpsertOutcome::Created { id } = &first else {
        panic!("first upsert must create: {first:?}")
    };

    let again = client
        .upsert_by_external_id(
            "Call_Log__c",
            "External_Id__c",
            "call/2026-11-22 #1",
            &json!({"Duration_Seconds__c": 43}),
        )
        .await
        .unwrap();
    assert!(
        matches!(again, UpsertOutcome::Updated { .. }),
        "the retry must update, not duplicate: {again:?}"
    );
    if let Some(updated) = again.id() {
        assert_eq!(updated, id, "the same record was updated");
    }
    let record = client.get("Call_Log__c", id, None).await.unwrap();
    assert_eq!(
        record.f64_field("Duration_Seconds__c"),
        Some(43.0),
        "the update landed"
    );
    assert_eq!(
        record.str_field("External_Id__c"),
        Some("call/2026-11-22 #1"),
        "the percent-encoded value arrived intact"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn upsert_with_a_duplicated_external_id_lists_the_matches() {
    let org = support::org().await;
    let client = support::client(&org);
    let err = client
        .upsert_by_external_id(
            "Account",
            "Legacy_Id__c",
            demo_org::seed::LEGACY_DUP_VALUE,
            &json!({"Name": "X"}),
        )
        .await
        .unwrap_err();
    let Error::MultipleMatches { matches, .. } = &err else {
        panic!("300 must be MultipleMatches: {err:?}")
    };
    assert_eq!(matches.len(), 2, "both duplicates are named: {matches:?}");
    assert!(!err.is_retryable(), "a person must resolve the duplicates");
    org.shutdown().await;
}
