//! `check_config` against a real demo org: each validation rule, one describe request
//! per object, and every problem listed with its key, field and reason.

use std::path::Path;

use ringside_core::config::Config;
use ringside_core::config_check::{ConfigIssue, check_config, resolve_intents};
use ringside_core::describe_cache::DescribeCache;

pub async fn demo() -> (demo_org::DemoOrg, salesforce::Client) {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let token = salesforce::AccessToken::new(org.issue_access_token()).expect("token");
    let client = salesforce::Client::new(&org.base_url(), token, salesforce::ApiVersion::default())
        .expect("client for the demo org");
    (org, client)
}

async fn issues_for(toml: &str) -> Vec<ConfigIssue> {
    let (org, client) = demo().await;
    let config = Config::parse(toml, Path::new("ringside.toml")).expect("config parses");
    let issues = check_config(&config, &DescribeCache::new(client))
        .await
        .expect("the check runs against the demo org");
    org.shutdown().await;
    issues
}

fn find<'a>(issues: &'a [ConfigIssue], field: &str) -> &'a ConfigIssue {
    issues
        .iter()
        .find(|i| i.field == field)
        .unwrap_or_else(|| panic!("an issue about {field} is reported; got {issues:#?}"))
}

#[tokio::test]
async fn the_defaults_are_valid_against_the_demo_org_with_one_describe_per_object() {
    let (org, client) = demo().await;
    org.clear_request_log();
    let issues = check_config(&Config::default(), &DescribeCache::new(client))
        .await
        .expect("check runs");
    assert!(
        issues.is_empty(),
        "the defaults fit the demo org: {issues:#?}"
    );
    let paths: Vec<String> = org.data_requests().iter().map(|r| r.path.clone()).collect();
    let mut unique = paths.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        paths.len(),
        unique.len(),
        "each object is described once per run, however many keys use it: {paths:?}"
    );
    // Contact, Lead, Account, Opportunity (intent), Task, Call_Log__c.
    assert_eq!(paths.len(), 6, "one describe per object: {paths:?}");
    org.shutdown().await;
}

#[tokio::test]
async fn missing_and_read_only_fields_are_named_with_their_key() {
    let issues = issues_for(
        "[fields.Contact]\nvisible = [\"Name\", \"Title\", \"Shoe_Size__c\"]\neditable = [\"Name\", \"Title\"]\n",
    )
    .await;
    let missing = find(&issues, "Contact.Shoe_Size__c");
    assert_eq!(missing.key, "[fields.Contact] visible");
    assert!(missing.reason.contains("does not exist"), "{missing}");
    let read_only = find(&issues, "Contact.Name");
    assert_eq!(read_only.key, "[fields.Contact] editable");
    assert!(read_only.reason.contains("read-only"), "{read_only}");
    assert_eq!(issues.len(), 2, "Title is fine: {issues:#?}");
}

#[tokio::test]
async fn intents_must_target_existing_writable_fields() {
    let issues = issues_for(
        "[intents]\nconverted = \"Lead.IsConverted\"\nnope = \"Lead.Nope__c\"\nghost = \"Ghost__c.Field__c\"\nqualified = \"Lead.Status\"\ndemo = \"Opportunity.Demo_Requested_At__c\"\n",
    )
    .await;
    let read_only = find(&issues, "Lead.IsConverted");
    assert_eq!(read_only.key, "[intents] converted");
    assert!(read_only.reason.contains("read-only"), "{read_only}");
    assert_eq!(find(&issues, "Lead.Nope__c").key, "[intents] nope");
    let ghost = find(&issues, "Ghost__c");
    assert!(ghost.reason.contains("no such object"), "{ghost}");
    assert_eq!(
        issues.len(),
        3,
        "Status and the datetime are fine: {issues:#?}"
    );
}

#[tokio::test]
async fn the_call_log_object_must_have_what_the_logging_mode_writes() {
    let issues = issues_for(
        "[logging.call_log]\nsummary = \"Call_Summary__c\"\ntask_lookup = \"Phone_Call__c\"\n",
    )
    .await;
    assert_eq!(
        find(&issues, "Call_Log__c.Call_Summary__c").key,
        "[logging.call_log] summary"
    );
    assert_eq!(
        find(&issues, "Task.Phone_Call__c").key,
        "[logging.call_log] task_lookup"
    );
    let issues = issues_for("[logging.call_log]\nobject = \"Phone_Call__c\"\n").await;
    let missing = find(&issues, "Phone_Call__c");
    assert_eq!(missing.key, "[logging.call_log] object");
    // (Disposition__c's own key points elsewhere: two keys may not share a field.)
    let issues = issues_for(
        "[logging.call_log]\nexternal_id = \"Disposition__c\"\ndisposition = \"Subject__c\"\n",
    )
    .await;
    assert!(
        find(&issues, "Call_Log__c.Disposition__c")
            .reason
            .contains("External ID"),
        "an upsert key must be an External ID field: {issues:#?}"
    );
}

#[tokio::test]
async fn a_failing_org_is_an_error_not_a_verdict() {
    let (org, client) = demo().await;
    org.faults().fail_next(
        None,
        "/services/data",
        1,
        403,
        serde_json::json!([{"errorCode": "API_DISABLED_FOR_ORG", "message": "API is not enabled for this Organization or Partner"}]),
    );
    let outcome = check_config(&Config::default(), &DescribeCache::new(client)).await;
    assert!(
        outcome.is_err(),
        "the config cannot be called valid or invalid when describe fails: {outcome:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn an_object_with_200_plus_custom_fields_is_checked_from_one_describe() {
    let (org, client) = demo().await;
    let config = Config::parse(
        "[intents]\ntier = \"Customer_Profile__c.Field_218__c\"\nseen = \"Customer_Profile__c.Field_003__c\"\nnote = \"Customer_Profile__c.Field_210__c\"\nformula = \"Customer_Profile__c.Field_006__c\"\nmissing = \"Customer_Profile__c.Field_999__c\"\n",
        Path::new("ringside.toml"),
    )
    .expect("parses");
    let describes = DescribeCache::new(client);
    let wide = describes
        .describe("Customer_Profile__c")
        .await
        .expect("wide object describes");
    let custom = wide
        .fields
        .iter()
        .filter(|f| f.name.ends_with("__c"))
        .count();
    assert!(
        custom >= 200,
        "the demo object is wide: {custom} custom fields"
    );
    org.clear_request_log();
    let issues = check_config(&config, &describes).await.expect("check runs");
    assert!(
        !org.data_requests()
            .iter()
            .any(|r| r.path.contains("Customer_Profile__c")),
        "the wide describe is reused from the cache"
    );
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "Customer_Profile__c.Field_006__c",
            "Customer_Profile__c.Field_999__c"
        ],
        "the formula is read-only and 999 does not exist; the others are fine: {issues:#?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn intents_resolve_to_their_value_types() {
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let intents = resolve_intents(&Config::default(), &describes)
        .await
        .expect("resolves");
    let types: Vec<(&str, &str)> = intents
        .iter()
        .map(|i| (i.name.as_str(), i.value_type.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("call_summary", "textarea"),
            ("demo_requested", "datetime"),
            ("qualified", "picklist")
        ],
        "each default intent writes a known type"
    );
    let qualified = intents.iter().find(|i| i.name == "qualified").unwrap();
    assert!(
        qualified
            .picklist
            .contains(&"Working - Contacted".to_owned())
    );
    assert_eq!(intents[0].length, 32000, "the note's limit is known");
    org.shutdown().await;
}

/// `check_config` with `hidden` fields hidden from the demo user (field-level security).
async fn issues_hiding(toml: &str, hidden: &[(&str, &str)]) -> Vec<ConfigIssue> {
    let (org, client) = demo().await;
    for (object, field) in hidden {
        org.faults().hide_field(object, field);
    }
    let config = Config::parse(toml, Path::new("ringside.toml")).expect("config parses");
    let issues = check_config(&config, &DescribeCache::new(client))
        .await
        .expect("the check runs against the demo org");
    org.shutdown().await;
    issues
}

#[tokio::test]
async fn call_log_only_needs_the_call_logs_subject_and_notes_fields_and_names_them() {
    let call_log_only = "[logging]\nmode = \"call_log_only\"\n";
    assert!(
        issues_for(call_log_only).await.is_empty(),
        "the demo org has Subject__c and Notes__c"
    );
    let issues = issues_hiding(call_log_only, &[("Call_Log__c", "Notes__c")]).await;
    let missing = find(&issues, "Call_Log__c.Notes__c");
    assert_eq!(missing.key, "[logging.call_log] notes");
    assert!(missing.reason.contains("does not exist"), "{missing}");
    let issues = issues_hiding(call_log_only, &[("Call_Log__c", "Subject__c")]).await;
    assert_eq!(
        find(&issues, "Call_Log__c.Subject__c").key,
        "[logging.call_log] subject"
    );
    let issues = issues_hiding(
        "[logging]\nmode = \"task_and_call_log\"\n",
        &[("Call_Log__c", "Subject__c"), ("Call_Log__c", "Notes__c")],
    )
    .await;
    assert!(
        issues.is_empty(),
        "task mode keeps subject and notes on the Task and needs neither field: {issues:#?}"
    );
}

#[tokio::test]
async fn call_log_only_subject_and_notes_fields_must_hold_what_the_task_would() {
    let issues = issues_for(
        "[logging]\nmode = \"call_log_only\"\n[logging.call_log]\nsubject = \"From_Number__c\"\nfrom_number = \"Subject__c\"\nnotes = \"Key_Topics__c\"\nkey_topics = \"Notes__c\"\n",
    )
    .await;
    let subject = find(&issues, "Call_Log__c.From_Number__c");
    assert!(
        subject.key == "[logging.call_log] subject" && subject.reason.contains("phone field"),
        "a phone field is not text: {subject}"
    );
    let notes = find(&issues, "Call_Log__c.Key_Topics__c");
    assert!(
        notes.key == "[logging.call_log] notes"
            && notes.reason.contains("1000")
            && notes.reason.contains("32000"),
        "too short for the notes, with both lengths: {notes}"
    );
    let issues = issues_for(
        "[logging]\nmode = \"call_log_only\"\n[logging.call_log]\nsubject = \"Key_Topics__c\"\nnotes = \"Summary__c\"\nsummary = \"Notes__c\"\nkey_topics = \"Subject__c\"\n",
    )
    .await;
    assert!(
        issues.is_empty(),
        "configured names that fit are accepted: {issues:#?}"
    );
}

#[tokio::test]
async fn call_log_only_refuses_an_intent_that_would_write_over_the_notes() {
    let issues = issues_for(
        "[logging]\nmode = \"call_log_only\"\n[intents]\nsummary = \"Call_Log__c.Notes__c\"\nrecap = \"Task.Description\"\n",
    )
    .await;
    let intent = find(&issues, "Call_Log__c.Notes__c");
    assert_eq!(intent.key, "[intents] summary");
    assert!(intent.reason.contains("Task.Description"), "{intent}");
    assert_eq!(
        issues.len(),
        1,
        "a Task.Description summary is fine: {issues:#?}"
    );
    assert!(
        issues_for("[intents]\nsummary = \"Call_Log__c.Notes__c\"\n")
            .await
            .is_empty(),
        "task mode leaves the field to the intent"
    );
}

#[tokio::test]
async fn timing_fields_must_exist_and_be_date_times_or_numbers_or_be_switched_off() {
    let issues = issues_for(
        // The lookups of "About" are switched off, so their fields can stand in for wrong types.
        "[logging.call_log]\nopportunity = \"\"\ncase = \"\"\ndialed_at = \"Opportunity__c\"\nring_seconds = \"Case__c\"\nended_at = \"Hung_Up__c\"\n",
    )
    .await;
    let dialed = find(&issues, "Call_Log__c.Opportunity__c");
    assert_eq!(dialed.key, "[logging.call_log] dialed_at");
    assert!(
        dialed.reason.contains("make it a Date/Time field"),
        "{dialed}"
    );
    let ring = find(&issues, "Call_Log__c.Case__c");
    assert_eq!(ring.key, "[logging.call_log] ring_seconds");
    assert!(ring.reason.contains("make it a Number field"), "{ring}");
    let ended = find(&issues, "Call_Log__c.Hung_Up__c");
    assert!(
        ended.reason.contains("does not exist") && ended.reason.contains("ended_at = \"\""),
        "a missing timing field says how to log without it: {ended}"
    );
    assert_eq!(issues.len(), 3, "{issues:#?}");

    let off = issues_for("[logging.call_log]\nring_seconds = \"\"\ndialed_at = \"\"\n").await;
    assert!(
        off.is_empty(),
        "switched-off timing fields are not checked: {off:#?}"
    );
}

/// The memo (issue 17 item 4): a multi-select picklist with values, or text; anything else,
/// or a field the org lacks, is a config issue in words saying what to do.
#[tokio::test]
async fn the_memo_field_must_be_a_multi_select_picklist_or_text_or_be_switched_off() {
    let good = issues_for("[logging.call_log]\nmemo = \"Memo__c\"\n").await;
    assert!(good.is_empty(), "the demo org's memo is fine: {good:#?}");
    // Task mode keeps the notes on the Task, so Notes__c (a Long Text Area) is free here.
    let text = issues_for("[logging.call_log]\nmemo = \"Notes__c\"\n").await;
    assert!(
        text.iter().all(|i| i.field != "Call_Log__c.Notes__c"),
        "a text memo is fine: {text:#?}"
    );
    let wrong = issues_for("[logging.call_log]\ndialed_at = \"\"\nmemo = \"Dialed_At__c\"\n").await;
    let issue = find(&wrong, "Call_Log__c.Dialed_At__c");
    assert_eq!(issue.key, "[logging.call_log] memo");
    assert!(
        issue.reason.contains("datetime") && issue.reason.contains("Picklist (Multi-Select)"),
        "{issue}"
    );
    let missing = issues_for("[logging.call_log]\nmemo = \"Mmeo__c\"\n").await;
    let issue = find(&missing, "Call_Log__c.Mmeo__c");
    assert!(
        issue.reason.contains("memo = \"\""),
        "says how to log without it: {issue}"
    );
}

#[tokio::test]
async fn outcome_actions_are_checked_against_the_describes() {
    let valid = issues_for(
        r#"
[outcomes."Demo booked"]
lead = { Status = "Working - Contacted", Title = "Met on {date}" }
follow_up = { kind = "Task", subject = "Send the deck ({subject})", in_days = 2 }
[outcomes."Qualified"]
opportunity = { StageName = "Qualification" }
[outcomes."Meeting"]
follow_up = { kind = "Event", subject = "Demo: {disposition}", in_days = 1, at = "10:00", minutes = 30 }
"#,
    )
    .await;
    assert!(
        valid.is_empty(),
        "restricted picklist values that exist, a text field with placeholders, a follow-up Task and Event fit the demo org: {valid:#?}"
    );

    let issues = issues_for(
        r#"
[outcomes."Demo booked"]
lead = { Status = "Hot lead", Rating__c = "Hot", IsConverted = "true", Country = "x" }
[outcomes."Qualified"]
opportunity = { StageName = "Qualified", CloseDate = "{date}" }
"#,
    )
    .await;
    let status = find(&issues, "Lead.Status");
    assert_eq!(
        status.key, "[outcomes.\"Demo booked\"] lead",
        "the key names the outcome and action"
    );
    assert!(
        status.reason.contains("not one of the picklist values")
            && status.reason.contains("Working - Contacted"),
        "a restricted picklist value that does not exist is refused with the values it takes: {}",
        status.reason
    );
    assert!(
        find(&issues, "Lead.Rating__c")
            .reason
            .contains("does not exist"),
        "a field the Lead does not have is named"
    );
    assert!(
        find(&issues, "Lead.IsConverted")
            .reason
            .contains("not updateable"),
        "a read-only field is refused: an outcome updates the Lead"
    );
    assert!(
        !issues.iter().any(|i| i.field == "Lead.Country"),
        "a plain text value is fine: {issues:#?}"
    );
    let stage = find(&issues, "Opportunity.StageName");
    assert_eq!(stage.key, "[outcomes.\"Qualified\"] opportunity");
    assert!(
        find(&issues, "Opportunity.CloseDate")
            .reason
            .contains("placeholders"),
        "a placeholder can only fill a text field"
    );
}

#[tokio::test]
async fn create_opportunity_is_checked_against_the_opportunity_describe() {
    let valid = issues_for(
        r#"
[outcomes."Qualified"]
create_opportunity = { name = "{account} – {date}", StageName = "Prospecting", close_in_days = 30 }
"#,
    )
    .await;
    assert!(
        valid.is_empty(),
        "the issue's example fits the demo org (stage exists, the kit's External ID is there): {valid:#?}"
    );
    let issues = issues_for(
        r#"
[outcomes."Qualified"]
create_opportunity = { name = "{account}", StageName = "Qualified", close_in_days = 30, IsClosed = "true", Budget__c = "1" }
"#,
    )
    .await;
    let stage = find(&issues, "Opportunity.StageName");
    assert_eq!(stage.key, "[outcomes.\"Qualified\"] create_opportunity");
    assert!(
        stage.reason.contains("Prospecting"),
        "a stage the picklist does not list is refused with the ones it does: {}",
        stage.reason
    );
    assert!(
        find(&issues, "Opportunity.IsClosed")
            .reason
            .contains("cannot be set"),
        "a calculated field cannot be set on create"
    );
    assert!(
        find(&issues, "Opportunity.Budget__c")
            .reason
            .contains("does not exist")
    );

    // Without the setup kit's External ID, a retry could create a second Opportunity.
    let (org, client) = demo().await;
    org.faults()
        .hide_field("Opportunity", "Ringside_Call_Id__c");
    let config = Config::parse(
        "[outcomes.Qualified]\ncreate_opportunity = { name = \"x\", StageName = \"Prospecting\", close_in_days = 1 }\n",
        Path::new("ringside.toml"),
    )
    .unwrap();
    let issues = check_config(&config, &DescribeCache::new(client))
        .await
        .unwrap();
    assert!(
        find(&issues, "Opportunity.Ringside_Call_Id__c")
            .reason
            .contains("sf project deploy"),
        "says how to get the field: {issues:#?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn lead_notes_must_name_an_updateable_text_field_of_lead() {
    let issues = issues_for(
        r#"
[outcomes."A"]
lead_notes = "Description"
[outcomes."B"]
lead_notes = "LeadSource"
[outcomes."C"]
lead_notes = "IsConverted"
[outcomes."D"]
lead_notes = "Budget_Notes__c"
[outcomes."E"]
lead_notes = "Country"
"#,
    )
    .await;
    assert!(
        !issues
            .iter()
            .any(|i| i.key.contains("\"A\"") || i.key.contains("\"E\"")),
        "a long text area and a text field take the notes: {issues:#?}"
    );
    let picklist = find(&issues, "Lead.LeadSource");
    assert!(
        picklist.key.contains("lead_notes") && picklist.reason.contains("picklist"),
        "names the key and the field's type: {picklist:?}"
    );
    assert!(
        find(&issues, "Lead.IsConverted")
            .reason
            .contains("read-only"),
        "a read-only field cannot take appended notes"
    );
    assert!(
        find(&issues, "Lead.Budget_Notes__c")
            .reason
            .contains("does not exist"),
        "a missing field is named"
    );
    let hidden = issues_hiding(
        "[outcomes.\"A\"]\nlead_notes = \"Description\"\n",
        &[("Lead", "Description")],
    )
    .await;
    assert!(
        find(&hidden, "Lead.Description")
            .reason
            .contains("field-level security"),
        "a field hidden by field-level security is reported: {hidden:#?}"
    );
}

#[tokio::test]
async fn chatter_needs_the_privileged_profile_and_a_feed_item_the_user_may_create() {
    const CHATTER: &str =
        "[outcomes.\"Qualified\"]\nchatter = \"Qualified on a call by {agent}: {subject}\"\n";
    let narrow = issues_for(CHATTER).await;
    let profile = find(&narrow, "[salesforce] scope_profile");
    assert!(
        profile.key.contains("chatter")
            && profile.reason.contains("is standard")
            && profile.reason.contains("scope_profile = \"privileged\""),
        "says why and what to change: {profile:?}"
    );
    let extended = issues_for(&format!(
        "[salesforce]\nscope_profile = \"extended\"\n{CHATTER}"
    ))
    .await;
    assert!(
        find(&extended, "[salesforce] scope_profile")
            .reason
            .contains("is extended"),
        "extended is not privileged either"
    );
    let privileged = issues_for(&format!(
        "[salesforce]\nscope_profile = \"privileged\"\n{CHATTER}"
    ))
    .await;
    assert!(
        privileged.is_empty(),
        "with the privileged profile the demo org's FeedItem takes the post: {privileged:#?}"
    );
    let hidden = issues_hiding(
        &format!("[salesforce]\nscope_profile = \"privileged\"\n{CHATTER}"),
        &[("FeedItem", "Body")],
    )
    .await;
    assert!(
        find(&hidden, "FeedItem.Body").key.contains("chatter"),
        "a Body the user cannot set is named: {hidden:#?}"
    );
}
