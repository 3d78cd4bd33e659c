//! Field-level security against the demo org with a field hidden from its user (the
//! `hide_field` fault): `config validate` and `doctor` name the key, the field and the fix for
//! a hidden Task Type; a record edit to a hidden field is refused in words before anything is
//! sent; and the org itself behaves as Salesforce does (describe and records leave the field
//! out, queries and writes naming it get INVALID_FIELD).

use demo_org::seed;
use ringside_core::config::Config;
use ringside_core::config_check::check_config;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::doctor::{CheckStatus, Environment, run_checks};
use ringside_core::field_policy::FieldPolicy;
use ringside_core::record_edit::{EditError, RecordEditor};
use serde_json::json;

use crate::config_check::demo;

#[tokio::test]
async fn a_hidden_task_type_fails_config_validate_and_doctor_naming_key_field_and_fix() {
    let (org, client) = demo().await;
    org.faults().hide_field("Task", "Type");
    let config = Config::default();
    let issues = check_config(&config, &DescribeCache::new(client.clone()))
        .await
        .expect("the check runs");
    let issue = issues
        .iter()
        .find(|i| i.field == "Task.Type")
        .unwrap_or_else(|| panic!("Task.Type is reported: {issues:#?}"));
    assert_eq!(issue.key, "[logging] mode", "the config key that needs it");
    assert!(
        issue.reason.contains("not visible") && issue.reason.contains("field-level security"),
        "the reason and the fix in words: {issue}"
    );
    let checks = run_checks(
        &DescribeCache::new(client),
        Environment {
            sign_in: Ok("demo org".into()),
            keyring: Ok("test keyring".into()),
            config: Ok(&config),
        },
    )
    .await;
    let task_type = checks
        .iter()
        .find(|c| c.name == "task type")
        .expect("doctor checks Task Type");
    assert_eq!(task_type.status, CheckStatus::Fail, "{task_type:?}");
    assert!(
        task_type.detail.contains("[logging] mode") && task_type.detail.contains("Task.Type"),
        "doctor names the key and the field: {task_type:?}"
    );
    assert!(
        task_type
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("field-level security")),
        "and says what to do: {task_type:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn an_edit_to_a_hidden_field_is_refused_in_words_and_nothing_is_sent() {
    let (org, client) = demo().await;
    org.faults().hide_field("Contact", "Title");
    let editor = RecordEditor::new(DescribeCache::new(client.clone()), FieldPolicy::default());
    let shown = editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    assert!(
        shown.hidden.contains(&"Title".to_owned()),
        "the panel says which listed field is hidden: {:?}",
        shown.hidden
    );
    assert!(
        shown.fields.iter().all(|f| f.name != "Title"),
        "a hidden field is not shown"
    );
    org.clear_request_log();
    let err = editor
        .edit(
            seed::JANE_CALLER_ID,
            &[("Title".to_owned(), "Boss".to_owned())],
            shown.last_modified.as_deref(),
        )
        .await
        .expect_err("a hidden field cannot be written");
    let EditError::Refused { problems } = &err else {
        panic!("refused by field: {err}");
    };
    assert_eq!(problems[0].field, "Title");
    assert!(
        problems[0].reason.contains("field-level security"),
        "in words: {err}"
    );
    assert!(
        org.data_requests().iter().all(|r| r.method == "GET"),
        "nothing was written"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn the_demo_org_hides_the_field_everywhere_as_salesforce_does() {
    let (org, client) = demo().await;
    org.faults().hide_field("Task", "Type");
    let describe = client.describe("Task").await.expect("describe");
    assert!(describe.field("Type").is_none(), "describe leaves it out");
    assert!(describe.field("Subject").is_some(), "other fields stay");
    let query = client
        .query::<serde_json::Value>("SELECT Id, Type FROM Task LIMIT 1")
        .await
        .expect_err("a query naming it");
    assert!(query.code() == "INVALID_FIELD", "{query}");
    let created = client
        .create("Task", &json!({"Subject": "Call", "Type": "Call"}))
        .await
        .expect_err("a write setting it");
    assert_eq!(created.code(), "INVALID_FIELD", "{created}");
    let id = client
        .create("Task", &json!({"Subject": "Call"}))
        .await
        .expect("a write without it")
        .id;
    let record = client.get("Task", &id, None).await.expect("read");
    assert!(record.field("Type").is_none(), "records leave it out");
    org.faults().clear();
    assert!(
        client
            .describe("Task")
            .await
            .unwrap()
            .field("Type")
            .is_some(),
        "clear shows it again"
    );
    org.shutdown().await;
}
