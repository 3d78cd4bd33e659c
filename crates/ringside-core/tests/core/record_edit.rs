//! `RecordEditor` against a real demo org: the policy decides what is shown and written,
//! values are type-checked before anything is sent, a change behind the agent's back is
//! a conflict with both values, and a refused edit writes nothing.

use demo_org::seed;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::field_policy::{FieldPolicy, ObjectFields};
use ringside_core::record_edit::{EditError, RecordEditor};
use serde_json::json;

use crate::config_check::demo;

fn editor(client: &salesforce::Client, policy: FieldPolicy) -> RecordEditor {
    RecordEditor::new(DescribeCache::new(client.clone()), policy)
}

fn changes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn title_of(client: &salesforce::Client, id: &str) -> serde_json::Value {
    client
        .get("Contact", id, Some(&["Title"]))
        .await
        .expect("contact reads")
        .field("Title")
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn show_lists_only_visible_fields_and_marks_what_is_editable() {
    let (org, client) = demo().await;
    let shown = editor(&client, FieldPolicy::default())
        .show(seed::JANE_CALLER_ID)
        .await
        .expect("Jane shows");
    let names: Vec<&str> = shown.fields.iter().map(|f| f.name.as_str()).collect();
    assert!(
        !names.contains(&"MailingCountry"),
        "not in visible: {names:?}"
    );
    let email = shown
        .fields
        .iter()
        .find(|f| f.name == "Email")
        .expect("Email visible");
    assert!(
        !email.editable,
        "Email is read-only unless listed in editable"
    );
    let source = shown
        .fields
        .iter()
        .find(|f| f.name == "LeadSource")
        .expect("LeadSource");
    assert!(source.editable && source.picklist.contains(&"Web".to_owned()));
    assert!(
        shown.last_modified.is_some(),
        "show returns the version to edit against"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn an_allowed_edit_is_written_and_returns_the_new_version() {
    let (org, client) = demo().await;
    let editor = editor(&client, FieldPolicy::default());
    let seen = editor.show(seed::JANE_CALLER_ID).await.expect("show");
    let done = editor
        .edit(
            seed::JANE_CALLER_ID,
            &changes(&[("Title", "Head of Support"), ("LeadSource", "web")]),
            seen.last_modified.as_deref(),
        )
        .await
        .expect("allowed fields are written");
    assert_eq!(done.changed, ["Title", "LeadSource"]);
    assert_ne!(
        done.last_modified, seen.last_modified,
        "the record has a new version"
    );
    assert_eq!(
        title_of(&client, seed::JANE_CALLER_ID).await,
        json!("Head of Support")
    );
    let source = client
        .get("Contact", seed::JANE_CALLER_ID, Some(&["LeadSource"]))
        .await
        .unwrap();
    assert_eq!(
        source.str_field("LeadSource"),
        Some("Web"),
        "picklist value is canonicalised"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn bad_values_are_refused_by_name_and_nothing_is_written() {
    let (org, client) = demo().await;
    let mut policy = FieldPolicy::default();
    policy
        .set(
            "Lead",
            ObjectFields {
                visible: vec![
                    "Status".into(),
                    "Email".into(),
                    "Description".into(),
                    "Title".into(),
                ],
                editable: vec![
                    "Status".into(),
                    "Email".into(),
                    "Description".into(),
                    "Title".into(),
                ],
            },
        )
        .unwrap();
    let editor = editor(&client, policy);
    let note = "x".repeat(40_000);
    org.clear_request_log();
    let err = editor
        .edit(
            seed::SHARED_NUMBER_LEAD_ID,
            &changes(&[
                ("Status", "Hot"),
                ("Email", "not an email"),
                ("Description", &note),
                ("Title", "Fine"),
            ]),
            None,
        )
        .await
        .expect_err("bad values refuse the whole edit");
    let EditError::Refused { problems } = &err else {
        panic!("a refusal listing each field: {err}");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["Status", "Email", "Description"], "{err}");
    let text = err.to_string();
    assert!(
        text.contains("\"Hot\" is not one of the picklist values"),
        "{text}"
    );
    assert!(
        text.contains("40000 characters") && text.contains("32000"),
        "{text}"
    );
    assert!(text.contains("not an email address"), "{text}");
    let writes: Vec<_> = org
        .data_requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(
        writes.is_empty(),
        "a refused edit sends no write at all: {writes:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn policy_refusals_name_the_rule() {
    let (org, client) = demo().await;
    let editor = editor(&client, FieldPolicy::default());
    for (field, value, needle) in [
        (
            "Email",
            "jane@example.org",
            "email and phone fields can be edited only when the admin lists them",
        ),
        ("Phone", "+1 415 555 0100", "email and phone fields"),
        ("MailingCountry", "France", "not a field agents see"),
        ("Name", "Someone", "not in [fields.Contact] editable"),
    ] {
        let err = editor
            .edit(seed::JANE_CALLER_ID, &changes(&[(field, value)]), None)
            .await
            .expect_err("refused by policy");
        assert!(err.to_string().contains(needle), "{field}: {err}");
    }
    let mut dates = FieldPolicy::default();
    dates
        .set(
            "Contact",
            ObjectFields {
                visible: vec!["Title".into(), "Email".into()],
                editable: vec!["Email".into()],
            },
        )
        .unwrap();
    let done = RecordEditor::new(DescribeCache::new(client.clone()), dates)
        .edit(
            seed::JANE_CALLER_ID,
            &changes(&[("Email", "jane@example.org")]),
            None,
        )
        .await
        .expect("Email is editable once the admin lists it");
    assert_eq!(done.changed, ["Email"]);
    org.shutdown().await;
}

#[tokio::test]
async fn a_change_behind_the_agents_back_is_a_conflict_with_both_values() {
    let (org, client) = demo().await;
    let editor = editor(&client, FieldPolicy::default());
    let seen = editor.show(seed::JANE_CALLER_ID).await.expect("show");
    // Someone else edits the record in Salesforce after the agent saw it.
    client
        .update(
            "Contact",
            seed::JANE_CALLER_ID,
            &json!({"Title": "Changed in Salesforce"}),
        )
        .await
        .expect("the other user's edit");
    let err = editor
        .edit(
            seed::JANE_CALLER_ID,
            &changes(&[("Title", "Agent's title")]),
            seen.last_modified.as_deref(),
        )
        .await
        .expect_err("a stale edit must not overwrite");
    let EditError::Conflict {
        fields, current, ..
    } = &err
    else {
        panic!("a conflict: {err}");
    };
    assert_eq!(fields[0].yours, json!("Agent's title"));
    assert_eq!(fields[0].theirs, json!("Changed in Salesforce"));
    assert_ne!(
        current, &seen.last_modified,
        "the current version is reported"
    );
    assert_eq!(
        title_of(&client, seed::JANE_CALLER_ID).await,
        json!("Changed in Salesforce"),
        "the other user's change survives"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn deleted_and_unknown_records_are_said_plainly() {
    let (org, client) = demo().await;
    let editor = editor(&client, FieldPolicy::default());
    let seen = editor.show(seed::YAMADA_CONTACT_ID).await.expect("show");
    client
        .delete("Contact", seed::YAMADA_CONTACT_ID)
        .await
        .expect("deleted in Salesforce");
    for expected in [seen.last_modified.as_deref(), None] {
        let err = editor
            .edit(
                seed::YAMADA_CONTACT_ID,
                &changes(&[("Title", "X")]),
                expected,
            )
            .await
            .expect_err("a deleted record cannot be edited");
        assert!(
            matches!(err, EditError::Deleted { .. }) && err.to_string().contains("was deleted"),
            "ENTITY_IS_DELETED in words (expected {expected:?}): {err}"
        );
    }
    let err = editor
        .show("003Dm00000000ZZIAA")
        .await
        .expect_err("no such contact");
    assert!(matches!(err, EditError::NotFound { .. }), "{err}");
    let err = editor
        .show("006Dm0000000004IAA")
        .await
        .expect_err("an Opportunity id");
    assert!(matches!(err, EditError::UnsupportedRecord { .. }), "{err}");
    let err = editor
        .edit(
            seed::JANE_CALLER_ID,
            &changes(&[("Title", "X")]),
            Some("31/12/2026"),
        )
        .await
        .expect_err("a malformed version stamp");
    assert!(matches!(err, EditError::BadTimestamp(_)), "{err}");
    org.shutdown().await;
}

#[tokio::test]
async fn salesforce_validation_errors_come_back_in_words() {
    let (org, client) = demo().await;
    let editor = editor(&client, FieldPolicy::default());
    org.faults().fail_next(
        Some("POST"),
        "/services/data/v66.0/composite",
        1,
        400,
        json!([{"errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Title must not mention competitors", "fields": ["Title"]}]),
    );
    let err = editor
        .edit(
            seed::JANE_CALLER_ID,
            &changes(&[("Title", "Ex-Competitor")]),
            None,
        )
        .await
        .expect_err("the validation rule refuses");
    assert!(
        matches!(err, EditError::Rejected { .. })
            && err
                .to_string()
                .contains("Title must not mention competitors (Title)"),
        "{err}"
    );
    org.shutdown().await;
}
