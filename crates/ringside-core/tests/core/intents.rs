//! Intents against a real demo org: fixed values are checked by `config validate` (a
//! picklist value not in the list, a text too long for the field), the record panel's buttons
//! come from the describe, and pressing one writes its field in the org.

use std::path::Path;
use std::time::SystemTime;

use demo_org::seed;
use ringside_core::config::Config;
use ringside_core::config_check::check_config;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::field_policy::FieldPolicy;
use ringside_core::intents::IntentKind;
use ringside_core::record_edit::{EditError, RecordEditor};
use serde_json::json;

use crate::config_check::demo;

const INTENTS: &str = "[intents]\nnurture = { field = \"Lead.Status\", value = \"closed - not converted\" }\nstage = \"Lead.Status\"\ncall_summary = \"Task.Description\"\n";

#[tokio::test]
async fn fixed_values_that_cannot_be_written_are_config_errors_naming_key_and_field() {
    let (org, client) = demo().await;
    let config = Config::parse(
        &format!(
            "[intents]\nwon = {{ field = \"Lead.Status\", value = \"Won\" }}\nlong = {{ field = \"Lead.Title\", value = \"{}\" }}\nok = {{ field = \"Lead.Status\", value = \"Working - Contacted\" }}\n",
            "x".repeat(129)
        ),
        Path::new("ringside.toml"),
    )
    .expect("the table form parses");
    let issues = check_config(&config, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    let won = issues
        .iter()
        .find(|i| i.key == "[intents] won")
        .unwrap_or_else(|| panic!("a value not in the picklist is reported: {issues:#?}"));
    assert_eq!(won.field, "Lead.Status", "the issue names the field");
    assert!(
        won.reason.contains("not one of the picklist values"),
        "says why: {won}"
    );
    let long = issues
        .iter()
        .find(|i| i.key == "[intents] long")
        .unwrap_or_else(|| panic!("a value too long for the field is reported: {issues:#?}"));
    assert!(
        long.reason.contains("at most 128"),
        "names the limit: {long}"
    );
    assert!(
        !issues.iter().any(|i| i.key == "[intents] ok"),
        "a value in the picklist is fine: {issues:#?}"
    );
}

#[tokio::test]
async fn a_lead_shows_its_intent_buttons_and_pressing_one_writes_the_field() {
    let (org, client) = demo().await;
    let config = Config::parse(INTENTS, Path::new("ringside.toml")).expect("parses");
    let editor = RecordEditor::new(DescribeCache::new(client.clone()), FieldPolicy::default())
        .with_intents(config.intents);
    let lead = seed::SHARED_NUMBER_LEAD_ID;

    let shown = editor.show(lead).await.expect("the Lead shows");
    let names: Vec<&str> = shown.intents.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["nurture", "stage"],
        "only intents on Lead are buttons on a Lead (the Task one belongs to the call)"
    );
    assert_eq!(
        shown.intents[0].kind,
        IntentKind::Fixed {
            value: "Closed - Not Converted".into()
        },
        "the fixed value is kept in the org's spelling"
    );
    assert!(
        matches!(&shown.intents[1].kind, IntentKind::Choose { values } if values.contains(&"Working - Contacted".to_owned())),
        "a picklist without a fixed value offers the describe's values: {:?}",
        shown.intents[1]
    );

    let status = |client: salesforce::Client| async move {
        client
            .get("Lead", lead, Some(&["Status"]))
            .await
            .expect("the Lead reads")
            .field("Status")
            .cloned()
    };
    editor
        .apply_intent(lead, "nurture", None, SystemTime::now())
        .await
        .expect("the fixed intent writes");
    assert_eq!(
        status(client.clone()).await,
        Some(json!("Closed - Not Converted")),
        "the demo org holds the intent's value"
    );

    let err = editor
        .apply_intent(lead, "stage", Some("Won"), SystemTime::now())
        .await
        .expect_err("a pick outside the picklist is refused");
    assert!(
        matches!(&err, EditError::Refused { problems } if problems[0].reason.contains("not one of the picklist values")),
        "{err}"
    );
    editor
        .apply_intent(
            lead,
            "stage",
            Some("Working - Contacted"),
            SystemTime::now(),
        )
        .await
        .expect("the agent's pick writes");
    assert_eq!(
        status(client.clone()).await,
        Some(json!("Working - Contacted")),
        "the agent's pick is in the org"
    );

    let err = editor
        .apply_intent(lead, "call_summary", Some("hi"), SystemTime::now())
        .await
        .expect_err("a Task intent is not a record button");
    assert!(matches!(err, EditError::Refused { .. }), "{err}");
    org.shutdown().await;
}

#[tokio::test]
async fn demo_requested_is_offered_on_related_opportunities_and_writes_that_opportunity() {
    let (org, client) = demo().await;
    // The defaults: demo_requested = "Opportunity.Demo_Requested_At__c".
    let editor = RecordEditor::new(DescribeCache::new(client.clone()), FieldPolicy::default())
        .with_intents(Config::default().intents);
    let shown = editor.show(seed::JANE_CALLER_ID).await.expect("Jane shows");
    let opportunity = shown
        .related_intents
        .iter()
        .find(|r| r.object == "Opportunity")
        .unwrap_or_else(|| {
            panic!(
                "Opportunity intents are offered: {:?}",
                shown.related_intents
            )
        });
    let demo = opportunity
        .intents
        .iter()
        .find(|i| i.name == "demo_requested")
        .expect("demo_requested is a button on each open Opportunity");
    assert_eq!(demo.field, "Demo_Requested_At__c");
    assert_eq!(
        demo.kind,
        IntentKind::Now,
        "a datetime field takes the moment of the press"
    );
    assert!(
        shown.intents.iter().all(|i| i.name != "demo_requested"),
        "not a button on the Contact itself"
    );

    let pressed = SystemTime::now();
    let done = editor
        .apply_intent(
            seed::JANE_OPEN_OPPORTUNITY_ID,
            "demo_requested",
            None,
            pressed,
        )
        .await
        .expect("the intent writes on the Opportunity");
    assert_eq!(done.object, "Opportunity");
    assert_eq!(done.changed, ["Demo_Requested_At__c"]);
    let written = client
        .get(
            "Opportunity",
            seed::JANE_OPEN_OPPORTUNITY_ID,
            Some(&["Demo_Requested_At__c"]),
        )
        .await
        .expect("reads")
        .str_field("Demo_Requested_At__c")
        .map(str::to_owned)
        .expect("the field is set");
    assert_eq!(
        &written[..19],
        &ringside_core::time::utc_datetime(pressed)[..19],
        "the press time, type-checked as a datetime"
    );

    let err = editor
        .apply_intent(seed::JANE_OPEN_OPPORTUNITY_ID, "qualified", None, pressed)
        .await
        .expect_err("a Lead intent is not pressed on an Opportunity");
    assert!(
        matches!(&err, EditError::Refused { .. })
            && err.to_string().contains("is not an intent on Opportunity"),
        "{err}"
    );
    let err = editor
        .apply_intent(seed::JANE_CALLER_ID, "demo_requested", None, pressed)
        .await
        .expect_err("an Opportunity intent is not pressed on a Contact");
    assert!(
        err.to_string().contains("is not an intent on Contact"),
        "{err}"
    );
    org.shutdown().await;
}
