//! Outcome actions (issue 17) through the real queue and the demo org over HTTP: one
//! request per logged call with actions, a refused action never blocks its log and becomes
//! its own dead letter replayed alone, and a retry after a lost answer creates no second
//! follow-up.

use ringside_core::audit::AuditActor;
use std::path::Path;
use std::time::Duration;

use demo_org::{DemoOrg, seed};
use ringside_core::call_log::{CallLog, LoggingSettings};
use ringside_core::config::Config;
use ringside_core::outbox::{
    ItemState, Outbox, OutboxItem, Worker, WorkerOptions, actions_item_call_id,
};
use ringside_core::outcomes::plan::{ActionState, PlanOptions, PlannedAction, plan};
use salesforce::Record;
use serde_json::json;

use crate::outbox::{call, client, expired_session_client, fast_options, temp_home};

const CONFIG: &str = r#"
[outcomes."Demo booked"]
lead = { Status = "Closed - Not Converted" }
opportunity = { StageName = "Qualification" }
follow_up = { kind = "Task", subject = "Send the deck ({subject})", in_days = 2 }
"#;

struct Fixture {
    org: DemoOrg,
    outbox: Outbox,
    worker: Worker,
}

async fn fixture(name: &str) -> Fixture {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let outbox = Outbox::open_in_home(&temp_home(name))
        .await
        .expect("queue opens");
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .expect("worker starts");
    Fixture {
        org,
        outbox,
        worker,
    }
}

/// A call with the seeded Lead and Opportunity, and its planned "Demo booked" actions.
fn call_with_actions(id: &str) -> (CallLog, Vec<PlannedAction>) {
    let mut log = call(id);
    log.who_id = Some(seed::SHARED_NUMBER_LEAD_ID.to_owned());
    log.what_id = Some(seed::JANE_OPEN_OPPORTUNITY_ID.to_owned());
    log.disposition = Some("Demo booked".into());
    log.subject = Some("Pricing".into());
    let actions = plan_outcome(CONFIG, "Demo booked", &log, &in_utc());
    (log, actions)
}

static UTC: jiff::tz::TimeZone = jiff::tz::TimeZone::UTC;

/// Planning options that change nothing: UTC, nothing skipped, no follow-up time, no BANT
/// notes, no signed-in user. A test names only the field it is about.
fn in_utc() -> PlanOptions<'static> {
    PlanOptions {
        skip: &[],
        zone: &UTC,
        follow_up_at_ms: None,
        bant: None,
        agent_user_id: None,
    }
}

/// Plans `log`'s actions for the outcome `name` of `config` (a `ringside.toml`'s text).
fn plan_outcome(
    config: &str,
    name: &str,
    log: &CallLog,
    options: &PlanOptions<'_>,
) -> Vec<PlannedAction> {
    let config = Config::parse(config, Path::new("ringside.toml")).expect("config parses");
    plan(config.outcomes.get(name).expect("configured"), log, options).expect("planned")
}

async fn query(org: &DemoOrg, soql: &str) -> Vec<Record> {
    client(org, Duration::from_secs(10))
        .query_all(soql)
        .await
        .expect("readable")
}

async fn follow_ups(org: &DemoOrg, call_id: &str) -> Vec<Record> {
    query(
        org,
        &format!("SELECT Id, Subject, ActivityDate, WhoId FROM Task WHERE CallObject = '{call_id}#follow_up'"),
    )
    .await
}

async fn call_tasks(org: &DemoOrg, call_id: &str) -> usize {
    query(
        org,
        &format!("SELECT Id FROM Task WHERE CallObject = '{call_id}'"),
    )
    .await
    .len()
}

async fn lead_status(org: &DemoOrg) -> serde_json::Value {
    query(
        org,
        &format!(
            "SELECT Status FROM Lead WHERE Id = '{}'",
            seed::SHARED_NUMBER_LEAD_ID
        ),
    )
    .await[0]
        .fields["Status"]
        .clone()
}

async fn stage(org: &DemoOrg) -> serde_json::Value {
    query(
        org,
        &format!(
            "SELECT StageName FROM Opportunity WHERE Id = '{}'",
            seed::JANE_OPEN_OPPORTUNITY_ID
        ),
    )
    .await[0]
        .fields["StageName"]
        .clone()
}

fn states(item: &OutboxItem) -> Vec<ActionState> {
    item.actions.iter().map(|a| a.state).collect()
}

#[tokio::test]
async fn a_call_with_actions_is_one_request_that_logs_it_and_applies_every_action() {
    let f = fixture("actions-one-request").await;
    let (log, actions) = call_with_actions("act-1");
    let queued = f
        .outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.org.clear_request_log();
    let report = f.worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let requests = f.org.data_requests();
    assert_eq!(
        requests.len(),
        1,
        "the log and its actions go in one API request: {requests:?}"
    );
    assert!(
        requests[0].path.ends_with("/composite/graph"),
        "a graph request, so the actions have their own graph: {requests:?}"
    );
    assert_eq!(
        call_tasks(&f.org, "act-1").await,
        1,
        "the call's Task, once"
    );
    assert_eq!(lead_status(&f.org).await, json!("Closed - Not Converted"));
    assert_eq!(stage(&f.org).await, json!("Qualification"));
    let follow = follow_ups(&f.org, "act-1").await;
    assert_eq!(follow.len(), 1, "one follow-up Task: {follow:?}");
    assert_eq!(
        follow[0].fields["Subject"],
        json!("Send the deck (Pricing)")
    );
    assert_eq!(
        follow[0].fields["WhoId"],
        json!(seed::SHARED_NUMBER_LEAD_ID),
        "the follow-up is with the call's Lead"
    );
    let item = f.outbox.get(queued.id).await.unwrap();
    assert_eq!(item.state, ItemState::Delivered);
    assert_eq!(
        states(&item),
        vec![ActionState::Applied; 3],
        "each action's state is kept with the call"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_refused_action_does_not_block_the_log_and_is_replayed_alone_once() {
    let f = fixture("actions-refused").await;
    let (log, actions) = call_with_actions("act-2");
    let queued = f
        .outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    // The agent's profile cannot see the stage: Salesforce refuses the actions' graph.
    f.org.faults().hide_field("Opportunity", "StageName");
    f.worker.drain_due().await.unwrap();
    let item = f.outbox.get(queued.id).await.unwrap();
    assert_eq!(
        item.state,
        ItemState::Delivered,
        "the log landed although its actions were refused: {item:?}"
    );
    assert_eq!(call_tasks(&f.org, "act-2").await, 1);
    assert_eq!(states(&item), vec![ActionState::Moved; 3]);
    let dead = f
        .outbox
        .find_call(&actions_item_call_id("act-2"))
        .await
        .unwrap()
        .expect("the actions are their own queue item");
    assert_eq!(
        dead.state,
        ItemState::Dead,
        "a refusal is permanent: {dead:?}"
    );
    assert_eq!(dead.actions_of, Some(queued.id), "it names its call's item");
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|e| e.contains("StageName")),
        "the reason in words, naming the field: {:?}",
        dead.last_error
    );
    assert_eq!(
        lead_status(&f.org).await,
        json!("Working - Contacted"),
        "the actions' graph rolled back whole: the Lead is untouched too"
    );
    assert!(follow_ups(&f.org, "act-2").await.is_empty());

    // The admin fixes the profile and replays the dead actions: only they are sent.
    f.org.faults().clear();
    f.outbox.replay(dead.id, AuditActor::Admin).await.unwrap();
    f.org.clear_request_log();
    let report = f.worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(f.org.data_requests().len(), 1, "one request for the replay");
    assert_eq!(stage(&f.org).await, json!("Qualification"));
    assert_eq!(lead_status(&f.org).await, json!("Closed - Not Converted"));
    assert_eq!(
        follow_ups(&f.org, "act-2").await.len(),
        1,
        "the follow-up, once"
    );
    assert_eq!(
        call_tasks(&f.org, "act-2").await,
        1,
        "the replay did not send the log again"
    );
    let replayed = f.outbox.get(dead.id).await.unwrap();
    assert_eq!(replayed.state, ItemState::Delivered);
    assert_eq!(
        f.outbox
            .delivered_between(&ringside_core::outbox::OrgFilter::All, 0, i64::MAX)
            .await
            .unwrap(),
        1,
        "the replayed actions are no second handled call"
    );
    assert_eq!(states(&replayed), vec![ActionState::Applied; 3]);
    // Nothing is left to send: a further drain makes no request.
    f.org.clear_request_log();
    f.worker.drain_due().await.unwrap();
    assert!(f.org.data_requests().is_empty(), "applied once");
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_creates_no_second_follow_up() {
    let f = fixture("actions-dropped").await;
    let (log, actions) = call_with_actions("act-3");
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.org
        .faults()
        .drop_after_commit(Some("POST"), "/services/data/v66.0/composite/graph", 1);
    let first = f.worker.drain_due().await.unwrap();
    assert_eq!(
        first.retried, 1,
        "the lost answer is a failed attempt: {first:?}"
    );
    assert_eq!(
        follow_ups(&f.org, "act-3").await.len(),
        1,
        "Salesforce did commit the first send"
    );
    f.worker.drain(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        follow_ups(&f.org, "act-3").await.len(),
        1,
        "the retry looked for the follow-up and did not create it again"
    );
    assert_eq!(call_tasks(&f.org, "act-3").await, 1, "nor the call's Task");
    let item = f.outbox.find_call("act-3").await.unwrap().unwrap();
    assert_eq!(item.state, ItemState::Delivered);
    assert_eq!(states(&item), vec![ActionState::Applied; 3]);
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_follow_up_event_is_created_once_even_when_the_answer_is_lost() {
    let f = fixture("actions-event").await;
    let mut log = call("act-4");
    log.disposition = Some("Meeting".into());
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let actions = plan_outcome(
        "[outcomes.Meeting]\nfollow_up = { kind = \"Event\", subject = \"Product demo\", in_days = 2, at = \"10:00\", minutes = 30 }\n",
        "Meeting",
        &log,
        &PlanOptions {
            zone: &zone,
            ..in_utc()
        },
    );
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.org
        .faults()
        .drop_after_commit(Some("POST"), "/services/data/v66.0/composite/graph", 1);
    f.worker.drain(Duration::from_secs(2)).await.unwrap();
    let events = query(
        &f.org,
        &format!(
            "SELECT Id, StartDateTime, DurationInMinutes, WhoId FROM Event WHERE WhoId = '{}'",
            seed::JANE_CALLER_ID
        ),
    )
    .await;
    assert_eq!(
        events.len(),
        1,
        "the retry found the Event by its subject, start and person: {events:?}"
    );
    // The call (2025-11-13 02:13:20Z) is on the 13th in Berlin; two days on at 10:00 CET.
    assert_eq!(
        events[0].fields["StartDateTime"].as_str().map(|s| &s[..19]),
        Some("2025-11-15T09:00:00"),
        "{events:?}"
    );
    assert_eq!(events[0].fields["DurationInMinutes"], json!(30));
    let item = f.outbox.find_call("act-4").await.unwrap().unwrap();
    assert_eq!(item.state, ItemState::Delivered);
    assert_eq!(states(&item), vec![ActionState::Applied]);
    let audit = f.outbox.audit().await.unwrap();
    assert!(
        audit.iter().any(|e| e
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("the follow-up already exists"))),
        "the lost answer was retried, and the retry looked first: {audit:?}"
    );
    f.org.shutdown().await;
}

const CREATE_OPPORTUNITY: &str = r#"
[outcomes.Qualified]
create_opportunity = { name = "{account} – {date}", StageName = "Prospecting", close_in_days = 30 }
"#;

/// A worker over `outbox` whose session the org expires before it sends anything (see
/// [`expired_session_client`]), so the fault tests also prove a refresh costs no attempt and
/// writes nothing twice.
async fn expiring_worker(org: &DemoOrg, outbox: &Outbox, options: WorkerOptions) -> Worker {
    let client = expired_session_client(
        org,
        salesforce::ClientOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            query_batch_size: None,
        },
    );
    Worker::start(outbox.clone(), client, LoggingSettings::default(), options)
        .await
        .expect("worker starts")
}

/// A Qualified call with the seeded Contact (of Acme), its actions planned from `config`.
fn qualified_call(id: &str, config: &str) -> (CallLog, Vec<PlannedAction>) {
    let mut log = call(id);
    log.disposition = Some("Qualified".into());
    log.subject = Some("Pricing".into());
    log.what_id = None;
    let actions = plan_outcome(config, "Qualified", &log, &in_utc());
    (log, actions)
}

async fn created_opportunities(org: &DemoOrg, call_id: &str) -> Vec<Record> {
    query(
        org,
        &format!("SELECT Id, Name, StageName, CloseDate, AccountId FROM Opportunity WHERE Ringside_Call_Id__c = '{call_id}'"),
    )
    .await
}

#[tokio::test]
async fn a_created_opportunity_exists_once_per_call_through_503s_lost_answers_and_an_expired_session()
 {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let outbox = Outbox::open_in_home(&temp_home("actions-create-opp"))
        .await
        .expect("queue opens");
    let worker = expiring_worker(&org, &outbox, fast_options()).await;
    let ids: Vec<String> = (0..6).map(|i| format!("opp-{i}")).collect();
    for id in &ids {
        let (log, actions) = qualified_call(id, CREATE_OPPORTUNITY);
        assert_eq!(actions[0].state, ActionState::Queued, "{actions:?}");
        outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
            .await
            .unwrap();
    }
    let graph = "/services/data/v66.0/composite/graph";
    org.faults().fail_next(
        Some("POST"),
        graph,
        2,
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Service unavailable"}]),
    );
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    worker.drain(Duration::from_secs(3)).await.unwrap();
    // A later resend of a call whose Opportunity exists (as after a lost answer) adds none.
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    let (log, actions) = qualified_call("opp-late", CREATE_OPPORTUNITY);
    outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    worker.drain(Duration::from_secs(3)).await.unwrap();

    let acme = query(
        &org,
        &format!(
            "SELECT Name FROM Account WHERE Id = '{}'",
            seed::ACME_ACCOUNT_ID
        ),
    )
    .await[0]
        .fields["Name"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in ids.iter().map(String::as_str).chain(["opp-late"]) {
        let found = created_opportunities(&org, id).await;
        assert_eq!(
            found.len(),
            1,
            "{id}: exactly one Opportunity for the call: {found:?}"
        );
        let opp = &found[0].fields;
        assert_eq!(
            opp["AccountId"],
            json!(seed::ACME_ACCOUNT_ID),
            "{id}: on the Contact's Account"
        );
        // The call (2025-11-13 02:13:20Z) is on the 13th in UTC; closing 30 days later.
        assert_eq!(
            opp["Name"],
            json!(format!("{acme} – 2025-11-13")),
            "{id}: {{account}} and {{date}} filled"
        );
        assert_eq!(opp["CloseDate"], json!("2025-12-13"), "{id}");
        assert_eq!(opp["StageName"], json!("Prospecting"), "{id}");
        assert_eq!(call_tasks(&org, id).await, 1, "{id}: one call Task");
        let item = outbox.find_call(id).await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Delivered, "{id}: {item:?}");
        assert_eq!(states(&item), vec![ActionState::Applied], "{id}");
    }
    let logs = query(
        &org,
        "SELECT Id FROM Call_Log__c WHERE External_Id__c LIKE 'opp-%'",
    )
    .await;
    assert_eq!(logs.len(), 7, "one call log per call: {logs:?}");
    org.shutdown().await;
}

#[tokio::test]
async fn a_refused_opportunity_is_its_own_dead_letter_and_the_log_lands() {
    let f = fixture("actions-create-opp-refused").await;
    let (log, actions) = qualified_call("opp-refused", CREATE_OPPORTUNITY);
    let queued = f
        .outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    // The org lacks the setup kit's External ID (hidden from this user): Salesforce refuses
    // the upsert, and only the actions' graph.
    f.org
        .faults()
        .hide_field("Opportunity", "Ringside_Call_Id__c");
    f.org.clear_request_log();
    f.worker.drain_due().await.unwrap();
    assert_eq!(
        f.org.data_requests().len(),
        1,
        "one request for the log and its actions"
    );
    let item = f.outbox.get(queued.id).await.unwrap();
    assert_eq!(item.state, ItemState::Delivered, "the log landed: {item:?}");
    assert_eq!(call_tasks(&f.org, "opp-refused").await, 1);
    let dead = f
        .outbox
        .find_call(&actions_item_call_id("opp-refused"))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("the refused action is its own item: {:?}", item.actions));
    assert_eq!(dead.state, ItemState::Dead, "{dead:?}");
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|e| e.contains("Ringside_Call_Id__c")),
        "the reason names what is missing: {:?}",
        dead.last_error
    );
    f.org.faults().clear();
    f.outbox.replay(dead.id, AuditActor::Admin).await.unwrap();
    f.worker.drain_due().await.unwrap();
    assert_eq!(
        created_opportunities(&f.org, "opp-refused").await.len(),
        1,
        "the replay creates it, once"
    );
    assert_eq!(
        call_tasks(&f.org, "opp-refused").await,
        1,
        "the replay did not resend the log"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_call_with_no_account_plans_no_opportunity_and_says_why() {
    let mut log = call("opp-none");
    log.who_id = Some(seed::SHARED_NUMBER_LEAD_ID.to_owned());
    log.what_id = None;
    let actions = plan_outcome(CREATE_OPPORTUNITY, "Qualified", &log, &in_utc());
    assert_eq!(actions[0].state, ActionState::Skipped);
    assert!(
        actions[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("no Account")),
        "a Lead has no Account: {actions:?}"
    );
}

/// The desktop log form's path (issue 17 item 2): the agent's choices are saved with the
/// form, survive a restart, and the committed item carries exactly the actions they leave:
/// an unticked follow-up creates nothing; a moved one lands at the chosen time.
#[tokio::test]
async fn a_log_forms_choices_survive_a_restart_and_decide_what_is_sent() {
    use ringside_core::call_actions::for_form;
    use ringside_core::call_log::draft::CallDraft;
    use ringside_core::outcome_choices::{ActionChoices, ActionName};

    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let home = temp_home("form-choices");
    std::fs::write(
        home.join("ringside.toml"),
        "[outcomes.\"Demo booked\"]\nlead = { Status = \"Closed - Not Converted\" }\nfollow_up = { kind = \"Event\", subject = \"Demo: {subject}\", in_days = 2, at = \"10:00\", minutes = 30 }\n",
    )
    .unwrap();
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    // The app's current config, as the desktop's log form gets it.
    let config =
        ringside_core::config_watch::ConfigWatch::open(&home, &home.join("no-policy.toml"))
            .current();
    assert_eq!(config.problem, None, "the test's config loads");
    let form = |call_id: &str, subject: &str, choices: ActionChoices| {
        let mut draft = CallDraft::manual(1_763_000_000_000);
        draft.call_id = call_id.to_owned();
        draft.fields.from = seed::SHARED_NUMBER.to_owned();
        draft.fields.to = "+14155550100".to_owned();
        draft.fields.duration_seconds = 60;
        draft.fields.disposition = "Demo booked".into();
        draft.fields.subject = subject.to_owned();
        draft.fields.who_id = Some(seed::SHARED_NUMBER_LEAD_ID.to_owned());
        draft.fields.actions = choices;
        draft
    };
    let unticked = form(
        "form-act-1",
        "no demo",
        ActionChoices {
            skip: vec![ActionName::FollowUp],
            follow_up_at_ms: None,
            bant: None,
        },
    );
    // 2025-12-01T14:30:00Z: the agent moved the demo.
    let moved_at = 1_764_599_400_000;
    let moved = form(
        "form-act-2",
        "moved demo",
        ActionChoices {
            skip: Vec::new(),
            follow_up_at_ms: Some(moved_at),
            bant: None,
        },
    );
    // "About": the moved demo is about the seeded open Opportunity.
    let mut moved = moved;
    moved.fields.what_id = Some(seed::JANE_OPEN_OPPORTUNITY_ID.to_owned());
    {
        let outbox = Outbox::open_in_home(&home).await.unwrap();
        outbox.save_form(&unticked, None, None).await.unwrap();
        outbox.save_form(&moved, None, None).await.unwrap();
        outbox.close().await;
    }
    // The app restarts: the forms come back with the agent's choices.
    let outbox = Outbox::open_in_home(&home).await.unwrap();
    let saved = outbox.saved_forms().await.unwrap();
    for draft in [&unticked, &moved] {
        let back = saved
            .iter()
            .find(|f| f.draft.call_id == draft.call_id)
            .expect("the form is back");
        assert_eq!(
            back.draft.fields.actions, draft.fields.actions,
            "the choices are saved with the form"
        );
        let log = back.draft.to_call_log(&back.draft.fields).unwrap();
        let actions = for_form(
            config.config(),
            &log,
            &back.draft.fields.actions,
            &zone,
            None,
        );
        assert_eq!(actions.problem, None);
        outbox
            .enqueue_form_with_actions(&log, None, AuditActor::Agent, &actions.actions)
            .await
            .unwrap();
    }
    assert!(
        outbox.saved_forms().await.unwrap().is_empty(),
        "logging closed both forms"
    );
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .unwrap();
    let report = worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 2, "{report:?}");
    assert_eq!(lead_status(&org).await, json!("Closed - Not Converted"));
    let events = |subject: &'static str| {
        let org = &org;
        async move {
            query(
                org,
                &format!("SELECT Id, StartDateTime FROM Event WHERE Subject = '{subject}'"),
            )
            .await
        }
    };
    assert!(
        events("Demo: no demo").await.is_empty(),
        "the unticked follow-up created no Event"
    );
    let landed = events("Demo: moved demo").await;
    assert_eq!(landed.len(), 1, "exactly one Event: {landed:?}");
    assert_eq!(
        landed[0].fields["StartDateTime"].as_str().map(|s| &s[..19]),
        Some("2025-12-01T14:30:00"),
        "at the time the agent chose, not in_days/at: {landed:?}"
    );
    let about = query(
        &org,
        "SELECT Opportunity__c, Case__c FROM Call_Log__c WHERE External_Id__c = 'form-act-2'",
    )
    .await;
    assert_eq!(
        about[0].fields["Opportunity__c"],
        json!(seed::JANE_OPEN_OPPORTUNITY_ID),
        "About sets the call log's Opportunity lookup, so the call shows on the deal: {about:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn agent_text_that_looks_like_a_reference_is_logged_as_typed_not_refused() {
    // Salesforce reads `@{ref.Field}` anywhere in a graph body as a reference; the demo org
    // refuses one it cannot resolve, as Salesforce does. Typed text must not be read so.
    let f = fixture("actions-inert-text").await;
    let typed_notes = "Customer pasted @{x.Id} from their template";
    let typed_subject = "Quote @{q.records[0].Id}";
    let (mut log, _) = call_with_actions("inert-1");
    log.notes = Some(typed_notes.into());
    log.subject = Some(typed_subject.into());
    // Re-plan with the new subject: the follow-up's subject holds `{subject}`.
    let actions = plan_outcome(CONFIG, "Demo booked", &log, &in_utc());
    let queued = f
        .outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    let report = f.worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 1, "not refused: {report:?}");
    let item = f.outbox.get(queued.id).await.unwrap();
    assert_eq!(item.state, ItemState::Delivered, "{item:?}");
    assert_eq!(
        states(&item),
        vec![ActionState::Applied; 3],
        "the actions carrying the subject are not refused either"
    );
    let looks = |v: &serde_json::Value| {
        v.as_str()
            .unwrap_or_default()
            .replace(salesforce::composite::REFERENCE_BREAK, "")
    };
    let task = query(
        &f.org,
        "SELECT Subject, Description FROM Task WHERE CallObject = 'inert-1'",
    )
    .await;
    assert_eq!(task.len(), 1, "{task:?}");
    assert_eq!(
        looks(&task[0].fields["Subject"]),
        typed_subject,
        "the subject reads as typed"
    );
    assert!(
        looks(&task[0].fields["Description"]).contains(typed_notes),
        "the notes read as typed: {:?}",
        task[0].fields["Description"]
    );
    let follow = follow_ups(&f.org, "inert-1").await;
    assert_eq!(
        looks(&follow[0].fields["Subject"]),
        format!("Send the deck ({typed_subject})"),
        "the follow-up's {{subject}} reads as typed"
    );
    f.org.shutdown().await;
}

const LEAD_NOTES: &str = r#"
[outcomes.Qualified]
lead_notes = "Description"
"#;

/// A Qualified call with the seeded Lead and the agent's BANT notes.
fn bant_call(id: &str, budget: &str) -> (CallLog, Vec<PlannedAction>) {
    let mut log = call(id);
    log.disposition = Some("Qualified".into());
    log.who_id = Some(seed::SHARED_NUMBER_LEAD_ID.to_owned());
    log.what_id = None;
    let bant = ringside_core::outcomes::Bant {
        budget: budget.into(),
        authority: "CFO signs".into(),
        need: "Fewer missed calls".into(),
        timeline: "Q3".into(),
    };
    let actions = plan_outcome(
        LEAD_NOTES,
        "Qualified",
        &log,
        &PlanOptions {
            bant: Some(&bant),
            ..in_utc()
        },
    );
    (log, actions)
}

async fn lead_description(org: &DemoOrg) -> String {
    query(
        org,
        &format!(
            "SELECT Description FROM Lead WHERE Id = '{}'",
            seed::SHARED_NUMBER_LEAD_ID
        ),
    )
    .await[0]
        .fields["Description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn set_lead_description(org: &DemoOrg, text: Option<&str>) {
    client(org, Duration::from_secs(10))
        .update(
            "Lead",
            seed::SHARED_NUMBER_LEAD_ID,
            &json!({ "Description": text }),
        )
        .await
        .expect("the Lead is writable");
}

#[tokio::test]
async fn bant_notes_are_appended_to_the_leads_text_in_the_one_request() {
    let f = fixture("lead-notes-append").await;
    set_lead_description(&f.org, Some("Met at the expo.")).await;
    let (log, actions) = bant_call("ln-1", "50k");
    assert_eq!(actions[0].state, ActionState::Queued, "{actions:?}");
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.org.clear_request_log();
    let report = f.worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let requests = f.org.data_requests();
    assert_eq!(
        requests.len(),
        1,
        "a Lead with notes: the log and the appended BANT notes are one request: {requests:?}"
    );
    assert_eq!(
        lead_description(&f.org).await,
        "Met at the expo.\n\n[Ringside call ln-1]\nBudget: 50k\nAuthority: CFO signs\nNeed: Fewer missed calls\nTimeline: Q3",
        "appended after the earlier text, never replacing it"
    );
    let item = f.outbox.find_call("ln-1").await.unwrap().unwrap();
    assert_eq!(states(&item), vec![ActionState::Applied]);
    f.org.shutdown().await;
}

#[tokio::test]
async fn bant_notes_on_an_empty_lead_go_in_alone_after_one_look() {
    let f = fixture("lead-notes-empty").await;
    set_lead_description(&f.org, None).await;
    let (log, actions) = bant_call("ln-empty", "10k");
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.org.clear_request_log();
    // Each pass sends what is due: the refused graph, then the look and the notes alone.
    for _ in 0..3 {
        f.worker.drain_due().await.unwrap();
    }
    let requests = f.org.data_requests();
    assert_eq!(
        requests.len(),
        3,
        "the refused graph (the log lands), one look at the Lead, the notes alone: {requests:?}"
    );
    assert_eq!(
        lead_description(&f.org).await,
        "[Ringside call ln-empty]\nBudget: 10k\nAuthority: CFO signs\nNeed: Fewer missed calls\nTimeline: Q3",
        "the block alone: nothing was there to keep"
    );
    let log_item = f.outbox.find_call("ln-empty").await.unwrap().unwrap();
    assert_eq!(log_item.state, ItemState::Delivered, "{log_item:?}");
    let notes_item = f
        .outbox
        .find_call(&actions_item_call_id("ln-empty"))
        .await
        .unwrap()
        .expect("the notes moved to their own item");
    assert_eq!(notes_item.state, ItemState::Delivered, "{notes_item:?}");
    assert_eq!(states(&notes_item), vec![ActionState::Applied]);
    assert_eq!(call_tasks(&f.org, "ln-empty").await, 1, "one call Task");
    f.org.shutdown().await;
}

#[tokio::test]
async fn bant_notes_land_once_per_call_through_503s_lost_answers_and_an_expired_session() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    set_lead_description(&org, Some("Earlier notes.")).await;
    let outbox = Outbox::open_in_home(&temp_home("lead-notes-faults"))
        .await
        .expect("queue opens");
    let worker = expiring_worker(&org, &outbox, fast_options()).await;
    let ids: Vec<String> = (0..5).map(|i| format!("ln-f{i}")).collect();
    for id in &ids {
        let (log, actions) = bant_call(id, id);
        outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
            .await
            .unwrap();
    }
    let graph = "/services/data/v66.0/composite/graph";
    org.faults().fail_next(
        Some("POST"),
        graph,
        2,
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Service unavailable"}]),
    );
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    worker.drain(Duration::from_secs(3)).await.unwrap();
    // A lone call whose answer is lost after it committed: its retry looks, adds nothing.
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    let (log, actions) = bant_call("ln-late", "late");
    outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    worker.drain(Duration::from_secs(3)).await.unwrap();

    let text = lead_description(&org).await;
    assert!(
        text.starts_with("Earlier notes.\n\n"),
        "the earlier text is kept, first: {text:?}"
    );
    for id in ids.iter().map(String::as_str).chain(["ln-late"]) {
        let tag = format!("[Ringside call {id}]\n");
        assert_eq!(
            text.matches(&tag).count(),
            1,
            "{id}: its BANT block exactly once: {text:?}"
        );
        assert_eq!(call_tasks(&org, id).await, 1, "{id}: one call Task");
        let item = outbox.find_call(id).await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Delivered, "{id}: {item:?}");
        assert_eq!(states(&item), vec![ActionState::Applied], "{id}");
    }
    org.shutdown().await;
}

const CHATTER: &str = r#"
[outcomes."Qualified"]
chatter = "Qualified on a call by {agent}: {subject}"
"#;

/// A "Qualified" call about the seeded Opportunity, planned for the demo org's user.
fn chatter_call(id: &str) -> (CallLog, Vec<PlannedAction>) {
    let mut log = call(id);
    log.disposition = Some("Qualified".into());
    log.subject = Some("Pricing".into());
    log.what_id = Some(seed::JANE_OPEN_OPPORTUNITY_ID.to_owned());
    let actions = plan_outcome(
        CHATTER,
        "Qualified",
        &log,
        &PlanOptions {
            agent_user_id: Some(seed::DEMO_USER_ID),
            ..in_utc()
        },
    );
    (log, actions)
}

/// The Opportunity's posts that end with the call's tag.
async fn chatter_posts(org: &DemoOrg, call_id: &str) -> Vec<String> {
    query(
        org,
        &format!(
            "SELECT Body FROM FeedItem WHERE ParentId = '{}'",
            seed::JANE_OPEN_OPPORTUNITY_ID
        ),
    )
    .await
    .iter()
    .filter_map(|r| r.fields["Body"].as_str().map(str::to_owned))
    .filter(|b| b.ends_with(&format!("[Ringside call {call_id}]")))
    .collect()
}

#[tokio::test]
async fn a_chatter_post_exists_once_per_call_through_503s_lost_answers_and_an_expired_session() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let outbox = Outbox::open_in_home(&temp_home("actions-chatter"))
        .await
        .expect("queue opens");
    let worker = expiring_worker(&org, &outbox, fast_options()).await;
    let ids: Vec<String> = (0..6).map(|i| format!("chat-{i}")).collect();
    for id in &ids {
        let (log, actions) = chatter_call(id);
        assert_eq!(actions[0].state, ActionState::Queued, "{actions:?}");
        outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
            .await
            .unwrap();
    }
    let graph = "/services/data/v66.0/composite/graph";
    org.faults().fail_next(
        Some("POST"),
        graph,
        2,
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Service unavailable"}]),
    );
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    worker.drain(Duration::from_secs(3)).await.unwrap();
    // A call whose post landed but whose answer was lost, sent alone: the look finds it.
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    let (log, actions) = chatter_call("chat-late");
    outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    worker.drain(Duration::from_secs(3)).await.unwrap();

    let name = query(
        &org,
        &format!("SELECT Name FROM User WHERE Id = '{}'", seed::DEMO_USER_ID),
    )
    .await[0]
        .fields["Name"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in ids.iter().map(String::as_str).chain(["chat-late"]) {
        let posts = chatter_posts(&org, id).await;
        assert_eq!(
            posts,
            vec![format!(
                "Qualified on a call by {name}: Pricing\n\n[Ringside call {id}]"
            )],
            "{id}: exactly one post, the agent's name and the subject filled"
        );
        assert_eq!(call_tasks(&org, id).await, 1, "{id}: one call Task");
        let item = outbox.find_call(id).await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Delivered, "{id}: {item:?}");
        assert_eq!(states(&item), vec![ActionState::Applied], "{id}");
    }
    org.shutdown().await;
}

#[tokio::test]
async fn a_refused_chatter_post_is_its_own_dead_letter_and_the_log_lands() {
    let Fixture {
        org,
        outbox,
        worker,
    } = fixture("actions-chatter-refused").await;
    // A post on a Contact that does not exist: Salesforce refuses the FeedItem's ParentId.
    let (mut log, mut actions) = chatter_call("chat-refused");
    log.what_id = None;
    actions[0].body["ParentId"] = json!("003Dm00000000ZZIAA");
    outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    worker.drain(Duration::from_secs(1)).await.unwrap();
    let item = outbox.find_call("chat-refused").await.unwrap().unwrap();
    assert_eq!(item.state, ItemState::Delivered, "the log lands: {item:?}");
    assert_eq!(call_tasks(&org, "chat-refused").await, 1);
    let moved = outbox
        .find_call(&actions_item_call_id("chat-refused"))
        .await
        .unwrap()
        .expect("the post moved to its own item");
    assert_eq!(
        moved.state,
        ItemState::Dead,
        "a permanent refusal: {moved:?}"
    );
    assert!(
        moved
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("ParentId") || e.contains("cross reference")),
        "the reason in words: {:?}",
        moved.last_error
    );
    org.shutdown().await;
}

/// Issue 17's acceptance outcomes, as its closing example writes them.
const ACCEPTANCE: &str = r#"
[outcomes."Demo booked"]
lead = { Status = "Working - Contacted", Rating = "Hot" }
follow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }

[outcomes."Qualified"]
opportunity = { StageName = "Qualification" }
create_opportunity = { name = "{account} – {date}", StageName = "Prospecting", close_in_days = 30 }
lead_notes = "Description"
"#;

/// A call with its own Lead (and, when Qualified, the seeded open Opportunity), planned from
/// [`ACCEPTANCE`].
fn acceptance_call(id: &str, lead: &str, outcome: &str) -> (CallLog, Vec<PlannedAction>) {
    let mut log = call(id);
    log.who_id = Some(lead.to_owned());
    log.what_id = (outcome == "Qualified").then(|| seed::JANE_OPEN_OPPORTUNITY_ID.to_owned());
    log.disposition = Some(outcome.into());
    log.subject = Some("Pricing".into());
    let bant = ringside_core::outcomes::Bant {
        budget: format!("budget of {id}"),
        authority: "CFO signs".into(),
        need: "Fewer missed calls".into(),
        timeline: "Q3".into(),
    };
    let actions = plan_outcome(
        ACCEPTANCE,
        outcome,
        &log,
        &PlanOptions {
            bant: Some(&bant),
            ..in_utc()
        },
    );
    (log, actions)
}

/// Issue 17, acceptance: 20 calls with outcomes through 503 bursts, connections dropped
/// after commit and an expired session: each Lead updated once (counted by the org, not
/// the client), exactly one Event per "Demo booked", exactly one new Opportunity per
/// "Qualified", one Task and one call log per call, linked.
#[tokio::test]
async fn twenty_calls_with_outcomes_through_503s_lost_answers_and_an_expired_session_land_once_and_linked()
 {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let setup = client(&org, Duration::from_secs(10));
    // One Lead per call, so "updated once" is per call; half the Qualified Leads have notes
    // already (appended after), half none (the notes go in alone).
    let mut calls = Vec::new();
    for i in 0..20 {
        let outcome = if i % 2 == 0 {
            "Demo booked"
        } else {
            "Qualified"
        };
        let description = (i % 4 == 1).then(|| format!("Met lead {i} at the expo."));
        let lead = setup
            .create(
                "Lead",
                &json!({"LastName": format!("Acceptance {i}"), "Company": "Initech", "Status": "Open - Not Contacted", "Description": description}),
            )
            .await
            .expect("a Lead is created")
            .id;
        calls.push((format!("acc-{i:02}"), lead, outcome, description));
    }
    let outbox = Outbox::open_in_home(&temp_home("actions-acceptance"))
        .await
        .expect("queue opens");
    // Passes of 6 calls, so the faults fall on different batches.
    let worker = expiring_worker(
        &org,
        &outbox,
        WorkerOptions {
            batch: 6,
            ..fast_options()
        },
    )
    .await;
    for (id, lead, outcome, _) in &calls {
        let (log, actions) = acceptance_call(id, lead, outcome);
        assert!(
            actions.iter().all(|a| a.state == ActionState::Queued),
            "{id}: every action planned: {actions:?}"
        );
        outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
            .await
            .unwrap();
    }
    let graph = "/services/data/v66.0/composite/graph";
    let unavailable =
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Service unavailable"}]);
    org.faults()
        .fail_next(Some("POST"), graph, 2, 503, unavailable.clone());
    org.faults().drop_after_commit(Some("POST"), graph, 2);
    org.faults()
        .fail_next(Some("POST"), graph, 1, 503, unavailable);
    org.faults().drop_after_commit(Some("POST"), graph, 1);
    worker.drain(Duration::from_secs(5)).await.unwrap();

    let acme = seed::ACME_ACCOUNT_ID;
    for (id, lead, outcome, description) in &calls {
        let item = outbox.find_call(id).await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Delivered, "{id}: {item:?}");
        if let Some(split) = outbox.find_call(&actions_item_call_id(id)).await.unwrap() {
            assert_eq!(split.state, ItemState::Delivered, "{id}: {split:?}");
        }
        assert_eq!(
            org.updates_applied(lead),
            1,
            "{id}: the org applied exactly one update to its Lead"
        );
        let logs = query(
            &org,
            &format!("SELECT Id, Lead__c, Contact__c, Opportunity__c FROM Call_Log__c WHERE External_Id__c = '{id}'"),
        )
        .await;
        assert_eq!(logs.len(), 1, "{id}: one call log: {logs:?}");
        let log = &logs[0].fields;
        assert_eq!(log["Lead__c"], json!(lead), "{id}: the log names its Lead");
        assert_eq!(log["Contact__c"], json!(null), "{id}: and no Contact");
        let tasks = query(
            &org,
            &format!("SELECT Id, WhoId, WhatId, Call_Log__c FROM Task WHERE CallObject = '{id}'"),
        )
        .await;
        assert_eq!(tasks.len(), 1, "{id}: one call Task: {tasks:?}");
        let task = &tasks[0].fields;
        assert_eq!(
            task["Call_Log__c"], log["Id"],
            "{id}: the Task points at the log"
        );
        assert_eq!(
            task["WhoId"],
            json!(lead),
            "{id}: the Task is with the Lead"
        );
        let events = query(
            &org,
            &format!("SELECT Id FROM Event WHERE WhoId = '{lead}' AND Subject = 'Product demo'"),
        )
        .await;
        let lead_row = query(
            &org,
            &format!("SELECT Status, Rating, Description FROM Lead WHERE Id = '{lead}'"),
        )
        .await;
        let lead_row = &lead_row[0].fields;
        if *outcome == "Demo booked" {
            assert_eq!(events.len(), 1, "{id}: exactly one Event: {events:?}");
            assert_eq!(lead_row["Status"], json!("Working - Contacted"), "{id}");
            assert_eq!(lead_row["Rating"], json!("Hot"), "{id}");
            assert_eq!(log["Opportunity__c"], json!(null), "{id}");
        } else {
            assert!(events.is_empty(), "{id}: no Event for Qualified");
            assert_eq!(
                log["Opportunity__c"],
                json!(seed::JANE_OPEN_OPPORTUNITY_ID),
                "{id}: the log names the Opportunity it was about"
            );
            assert_eq!(
                task["WhatId"],
                json!(seed::JANE_OPEN_OPPORTUNITY_ID),
                "{id}"
            );
            let created = created_opportunities(&org, id).await;
            assert_eq!(
                created.len(),
                1,
                "{id}: exactly one new Opportunity: {created:?}"
            );
            assert_eq!(created[0].fields["AccountId"], json!(acme), "{id}");
            let text = lead_row["Description"].as_str().unwrap_or_default();
            let tag = format!("[Ringside call {id}]\n");
            assert_eq!(
                text.matches(&tag).count(),
                1,
                "{id}: its BANT notes once: {text:?}"
            );
            if let Some(earlier) = description {
                assert!(
                    text.starts_with(&format!("{earlier}\n\n")),
                    "{id}: the earlier text kept, first: {text:?}"
                );
            } else {
                assert!(text.starts_with(&tag), "{id}: the notes alone: {text:?}");
            }
        }
    }
    assert_eq!(stage(&org).await, json!("Qualification"), "the stage moved");
    let logs = query(
        &org,
        "SELECT Id FROM Call_Log__c WHERE External_Id__c LIKE 'acc-%'",
    )
    .await;
    assert_eq!(logs.len(), 20, "one call log per call, no more");
    org.shutdown().await;
}

/// Issue 17, acceptance: a validation rule refusing the stage change. The call log lands,
/// the stage action is a dead letter that says why (the rule's own message), and replaying
/// it after the admin fixes the rule applies it once (counted by the org).
#[tokio::test]
async fn a_validation_rule_refusing_the_stage_leaves_a_dead_letter_in_words_and_the_replay_applies_it_once()
 {
    let f = fixture("actions-validation-rule").await;
    let opp = seed::JANE_OPEN_OPPORTUNITY_ID;
    f.org.add_validation_rule(demo_org::ValidationRule {
        object: "Opportunity".into(),
        field: "StageName".into(),
        refused_value: "Qualification".into(),
        message: "Qualify only after a discovery call is logged".into(),
    });
    let (log, actions) = call_with_actions("act-rule");
    let queued = f
        .outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    f.worker.drain_due().await.unwrap();
    let item = f.outbox.get(queued.id).await.unwrap();
    assert_eq!(item.state, ItemState::Delivered, "the log landed: {item:?}");
    assert_eq!(call_tasks(&f.org, "act-rule").await, 1, "its Task too");
    let dead = f
        .outbox
        .find_call(&actions_item_call_id("act-rule"))
        .await
        .unwrap()
        .expect("the refused actions are their own item");
    assert_eq!(
        dead.state,
        ItemState::Dead,
        "a validation rule is permanent: {dead:?}"
    );
    let why = dead.last_error.clone().unwrap_or_default();
    assert!(
        why.contains("Qualify only after a discovery call is logged")
            && why.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        "the dead letter says why, in the rule's words: {why}"
    );
    assert_eq!(f.org.updates_applied(opp), 0, "the stage was not changed");

    f.org.clear_validation_rules();
    f.outbox.replay(dead.id, AuditActor::Admin).await.unwrap();
    f.worker.drain_due().await.unwrap();
    assert_eq!(
        stage(&f.org).await,
        json!("Qualification"),
        "applied on replay"
    );
    assert_eq!(f.org.updates_applied(opp), 1, "once");
    assert_eq!(
        f.outbox.get(dead.id).await.unwrap().state,
        ItemState::Delivered
    );
    f.worker.drain_due().await.unwrap();
    assert_eq!(f.org.updates_applied(opp), 1, "nothing sent again");
    assert_eq!(
        call_tasks(&f.org, "act-rule").await,
        1,
        "the log was not resent"
    );
    f.org.shutdown().await;
}

/// Regression (the `lead_notes` empty-field race): the queue saw the Lead's notes field
/// empty and planned the BANT block alone; someone writes a note to that field before the
/// block's write reaches Salesforce. The write carries `If-Unmodified-Since` (the look's
/// `LastModifiedDate`), so Salesforce refuses it (412); the queue looks again and appends
/// after the new note. Both texts survive.
#[tokio::test]
async fn a_note_written_between_the_look_and_the_bant_write_is_kept_and_the_notes_follow_it() {
    let f = fixture("lead-notes-race").await;
    set_lead_description(&f.org, None).await;
    let (log, actions) = bant_call("ln-race", "20k");
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    let graph = "/services/data/v66.0/composite/graph";
    // The first graph: the log lands, the notes' reference to the empty field is refused.
    let first = f.org.faults().hold_next(Some("POST"), graph);
    let worker = std::sync::Arc::new(f.worker);
    let draining = tokio::spawn({
        let worker = worker.clone();
        async move { worker.drain_due().await }
    });
    first.reached().await;
    // The second graph comes after the look at the Lead: the block alone, conditional.
    let second = f.org.faults().hold_next(Some("POST"), graph);
    first.release();
    second.reached().await;
    let looks: Vec<_> = f
        .org
        .data_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.contains("/sobjects/Lead/"))
        .collect();
    assert_eq!(looks.len(), 1, "the look at the Lead came first: {looks:?}");
    // Someone writes a note in between (a second later than the Lead's last change: HTTP
    // dates, and so If-Unmodified-Since, have whole seconds).
    f.org.advance_clock(Duration::from_secs(2));
    set_lead_description(&f.org, Some("Called back by Sam: wants pricing.")).await;
    second.release();
    draining
        .await
        .expect("the drain ran")
        .expect("the drain passed");
    // The 412 waits the schedule's first step (an attempt spent) before the look again.
    worker.drain(Duration::from_secs(5)).await.unwrap();

    let text = lead_description(&f.org).await;
    assert_eq!(
        text,
        "Called back by Sam: wants pricing.\n\n[Ringside call ln-race]\nBudget: 20k\nAuthority: CFO signs\nNeed: Fewer missed calls\nTimeline: Q3",
        "the note written in between is kept, the BANT notes follow it, once"
    );
    let refused: Vec<_> = f
        .org
        .data_requests()
        .into_iter()
        .filter(|r| r.path == graph)
        .collect();
    assert!(
        refused.len() >= 3,
        "the log's graph, the conditional write Salesforce refused, the append: {refused:?}"
    );
    let notes_item = f
        .outbox
        .find_call(&actions_item_call_id("ln-race"))
        .await
        .unwrap()
        .expect("the notes are their own item");
    assert_eq!(notes_item.state, ItemState::Delivered, "{notes_item:?}");
    assert_eq!(states(&notes_item), vec![ActionState::Applied]);
    assert_eq!(call_tasks(&f.org, "ln-race").await, 1, "one call Task");
    f.org.shutdown().await;
}

/// Issue 16: a Lead that something else writes between every look and every conditional
/// BANT write. Each 412 spends an attempt and waits the schedule's step, so the queue stops
/// after the schedule (a bounded number of requests, not a loop without end) with a dead
/// letter that says why in words; replayed once the Lead is quiet, the notes land once.
#[tokio::test]
async fn a_lead_that_keeps_changing_dead_letters_the_bant_notes_after_the_schedule_and_the_replay_writes_them()
 {
    let f = fixture("lead-notes-keeps-changing").await;
    set_lead_description(&f.org, None).await;
    let (log, actions) = bant_call("ln-churn", "30k");
    f.outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .unwrap();
    let graph = "/services/data/v66.0/composite/graph";
    // Before every graph reaches the org, another integration writes the Lead (a second
    // later each time: If-Unmodified-Since has whole seconds), leaving the notes empty.
    f.org.clear_request_log();
    let worker = std::sync::Arc::new(f.worker);
    let mut draining = tokio::spawn({
        let worker = worker.clone();
        async move { worker.drain(Duration::from_secs(10)).await }
    });
    let mut held = f.org.faults().hold_next(Some("POST"), graph);
    let mut round = 0;
    // Without a bound the queue would look and write for ever: fail instead of hanging.
    let give_up = tokio::time::sleep(Duration::from_secs(20));
    tokio::pin!(give_up);
    let report = loop {
        tokio::select! {
            done = &mut draining => break done.expect("the drain ran").expect("the drain passed"),
            () = &mut give_up => panic!("still looking and writing after {round} conditional writes"),
            () = held.reached() => {
                round += 1;
                f.org.advance_clock(Duration::from_secs(2));
                client(&f.org, Duration::from_secs(10))
                    .update(
                        "Lead",
                        seed::SHARED_NUMBER_LEAD_ID,
                        &json!({ "Title": format!("Synced {round}") }),
                    )
                    .await
                    .expect("the Lead is writable");
                let next = f.org.faults().hold_next(Some("POST"), graph);
                held.release();
                held = next;
            }
        }
    };
    f.org.faults().clear();

    let item = f
        .outbox
        .find_call(&actions_item_call_id("ln-churn"))
        .await
        .unwrap()
        .expect("the notes are their own item");
    assert_eq!(item.state, ItemState::Dead, "{item:?} {report:?}");
    let why = item.last_error.clone().unwrap_or_default();
    assert!(
        why.contains("the Lead kept changing while Ringside wrote the call's notes; replay it"),
        "the dead letter says why in words: {why}"
    );
    // The schedule (5 waits in the test options) gives 6 conditional writes; with the
    // first graph (log + notes reading the empty field) that is 7, and one look per write.
    let requests = f.org.data_requests();
    let graphs = requests.iter().filter(|r| r.path == graph).count();
    let looks = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/sobjects/Lead/"))
        .count();
    assert_eq!(graphs, 7, "bounded: {requests:?}");
    assert_eq!(looks, 6, "one look per conditional write: {requests:?}");
    assert_eq!(
        lead_description(&f.org).await,
        "",
        "nothing written over the Lead"
    );

    // Quiet now: the replay looks once more and writes the notes alone, once.
    f.outbox.replay(item.id, AuditActor::Admin).await.unwrap();
    worker.drain(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        lead_description(&f.org).await,
        "[Ringside call ln-churn]\nBudget: 30k\nAuthority: CFO signs\nNeed: Fewer missed calls\nTimeline: Q3",
    );
    let replayed = f.outbox.get(item.id).await.unwrap();
    assert_eq!(replayed.state, ItemState::Delivered, "{replayed:?}");
    assert_eq!(call_tasks(&f.org, "ln-churn").await, 1, "one call Task");
    f.org.shutdown().await;
}

/// One queued action writing `object` (an update of `record`, else a create) after reading
/// `read` (object, id), built by hand: the configured outcomes reach too few kinds of
/// node to pass Salesforce's different-nodes limit.
fn hand_action(
    object: &str,
    record: Option<&str>,
    body: serde_json::Value,
    read: (&str, &str),
) -> PlannedAction {
    PlannedAction {
        name: ringside_core::outcomes::ActionName::Opportunity,
        state: ActionState::Queued,
        note: None,
        object: object.into(),
        record_id: record.map(str::to_owned),
        body: body.as_object().cloned().expect("an object"),
        upsert: None,
        reads: vec![ringside_core::outcomes::plan::RowRead {
            reference: "handRead".into(),
            object: read.0.into(),
            id: read.1.into(),
            fields: vec!["Id".into()],
        }],
        check_first: false,
        unmodified_since: None,
    }
}

/// A backlog whose calls together write and read more than 15 kinds of node (method ×
/// object) is cut into requests of at most 15 different nodes, which Salesforce requires
/// (resources_composite_graph_limits.htm; the demo org refuses a 16th): every call lands.
#[tokio::test]
async fn a_backlog_with_more_than_15_different_nodes_is_cut_into_requests_salesforce_takes() {
    let f = fixture("actions-node-kinds").await;
    let calls = [
        hand_action(
            "Account",
            Some(seed::ACME_ACCOUNT_ID),
            json!({"Description": "a"}),
            ("User", seed::DEMO_USER_ID),
        ),
        hand_action(
            "Contact",
            Some(seed::JANE_CALLER_ID),
            json!({"Title": "Buyer"}),
            ("Account", seed::ACME_ACCOUNT_ID),
        ),
        hand_action(
            "Lead",
            Some(seed::SHARED_NUMBER_LEAD_ID),
            json!({"Description": "l"}),
            ("Contact", seed::JANE_CALLER_ID),
        ),
        hand_action(
            "Case",
            Some(seed::JANE_OPEN_CASE_ID),
            json!({"Description": "c"}),
            ("Lead", seed::SHARED_NUMBER_LEAD_ID),
        ),
        hand_action(
            "Opportunity",
            Some(seed::JANE_OPEN_OPPORTUNITY_ID),
            json!({"StageName": "Qualification"}),
            ("Case", seed::JANE_OPEN_CASE_ID),
        ),
        hand_action(
            "Account",
            None,
            json!({"Name": "Kinds Inc"}),
            ("Opportunity", seed::JANE_OPEN_OPPORTUNITY_ID),
        ),
        hand_action(
            "Contact",
            None,
            json!({"LastName": "Kinds"}),
            ("User", seed::DEMO_USER_ID),
        ),
        hand_action(
            "Lead",
            None,
            json!({"LastName": "Kinds", "Company": "Kinds Inc"}),
            ("User", seed::DEMO_USER_ID),
        ),
        hand_action(
            "Event",
            None,
            json!({"Subject": "Kinds", "StartDateTime": "2025-11-15T10:00:00.000Z", "DurationInMinutes": 30}),
            ("User", seed::DEMO_USER_ID),
        ),
    ];
    for (i, action) in calls.into_iter().enumerate() {
        let log = call(&format!("kinds-{i}"));
        f.outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &[action])
            .await
            .unwrap();
    }
    f.org.clear_request_log();
    let report = f.worker.drain_due().await.unwrap();
    assert_eq!(report.delivered, 9, "{report:?}");
    assert_eq!(report.dead, 0, "nothing refused for the limit: {report:?}");
    for i in 0..9 {
        let id = format!("kinds-{i}");
        let item = f.outbox.find_call(&id).await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Delivered, "{id}: {item:?}");
        assert_eq!(states(&item), vec![ActionState::Applied], "{id}: {item:?}");
        assert!(
            f.outbox
                .find_call(&actions_item_call_id(&id))
                .await
                .unwrap()
                .is_none(),
            "{id}: no action split off"
        );
    }
    // 2 kinds every log brings, 9 writes (5 PATCH, 4 POST), 7 kinds of read: 18 in all,
    // so two requests.
    let graphs: Vec<_> = f
        .org
        .data_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/composite/graph"))
        .collect();
    assert_eq!(graphs.len(), 2, "cut once, no more: {graphs:?}");
    assert!(graphs.iter().all(|r| r.status == 200), "{graphs:?}");
    f.org.shutdown().await;
}
