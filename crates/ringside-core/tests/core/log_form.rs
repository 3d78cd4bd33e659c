//! The log form's logic end to end: a form prefilled from a real screen pop against the demo
//! org over HTTP, logged through a real SQLite queue and delivered as one Task and one call
//! log; org tags (a signed-out org's logs are held, never sent to another org); an admin's
//! edit and replay of a dead letter, audited; change notifications for the views.

use ringside_core::audit::AuditActor;
use std::sync::Arc;
use std::time::Duration;

use demo_org::seed;
use ringside_core::call_log::LoggingSettings;
use ringside_core::call_log::draft::{
    AutoLogPolicy, CallDraft, CallTimes, DraftBook, IntentRecord,
};
use ringside_core::call_log::form_options::{form_options, press_intent};
use ringside_core::clock::MonotonicClock;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::events::{CallEvent, CallEventKind, CallerId, Direction, EventSource};
use ringside_core::field_policy::IntentMap;
use ringside_core::outbox::{DEMO_ORG_TAG, ItemState, OrgFilter, Outbox, Worker, WorkerOptions};
use ringside_core::pop::ScreenPop;
use ringside_core::{CallerLookup, LookupSettings};
use serde_json::json;

use crate::outbox::{call, client, fast_options, org_records, temp_home};

fn end_of(call_id: &str, duration: u64) -> CallEvent {
    CallEvent {
        event: CallEventKind::End,
        call_id: call_id.to_owned(),
        from: CallerId::Number(seed::JANE_PHONE.to_owned()),
        to: Some(CallerId::Number("+14155550100".to_owned())),
        direction: Direction::Inbound,
        duration_secs: Some(duration),
        disposition: None,
        source: EventSource::Api,
    }
}

async fn worker(outbox: &Outbox, org: &demo_org::DemoOrg, filter: OrgFilter) -> Worker {
    Worker::start(
        outbox.clone(),
        client(org, Duration::from_secs(10)),
        Default::default(),
        WorkerOptions {
            org: filter,
            ..fast_options()
        },
    )
    .await
    .expect("worker starts")
}

#[tokio::test]
async fn a_form_prefilled_from_a_real_pop_lands_as_one_task_and_one_call_log() {
    let org = demo_org::start(Default::default()).await.expect("demo org");
    let lookup = CallerLookup::new(
        client(&org, Duration::from_secs(10)),
        LookupSettings::from_environment(),
    );
    let pop = ScreenPop::new(lookup, Arc::new(MonotonicClock::new()))
        .pop(&CallerId::Number(seed::JANE_PHONE.to_owned()))
        .await;
    let times = CallTimes {
        rang_at_ms: Some(1_763_000_000_000),
        answered_at_ms: Some(1_763_000_004_000),
    };
    let draft = CallDraft::after_call(&end_of("form-1", 95), times, Some(&pop), 1_763_000_100_000);
    assert_eq!(
        draft.matched.as_ref().map(|m| m.id.as_str()),
        Some(seed::JANE_CALLER_ID),
        "the pop's best match is on the form: {:?}",
        draft.matched
    );
    assert_eq!(draft.fields.who_id.as_deref(), Some(seed::JANE_CALLER_ID));
    assert!(
        draft
            .what_choices
            .iter()
            .any(|c| c.id == seed::JANE_OPEN_CASE_ID),
        "Jane's open Case is offered as WhatId: {:?}",
        draft.what_choices
    );
    assert_eq!(
        draft.started_at_ms, 1_763_000_004_000,
        "started when answered"
    );

    let mut fields = draft.fields.clone();
    fields.what_id = Some(seed::JANE_OPEN_CASE_ID.to_owned());
    fields.disposition = "Resolved".into();
    fields.notes = "ヘッドセットを交換しました。".repeat(2_000);
    let log = draft.to_call_log(&fields).expect("the form is loggable");

    let home = temp_home("log-form");
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    outbox
        .enqueue_for(&log, Some(DEMO_ORG_TAG), AuditActor::Agent)
        .await
        .expect("queued");
    let worker = worker(&outbox, &org, OrgFilter::for_org(None)).await;
    let report = worker.drain(Duration::from_secs(3)).await.expect("drain");
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(report.api_calls, 1, "one request per logged call");

    let records = org_records(&org).await;
    let tasks = &records.tasks["form-1"];
    assert_eq!(tasks.len(), 1, "exactly one Task");
    assert_eq!(records.logs["form-1"].len(), 1, "exactly one call log");
    assert_eq!(tasks[0].fields["WhatId"], json!(seed::JANE_OPEN_CASE_ID));
    assert_eq!(tasks[0].fields["WhoId"], json!(seed::JANE_CALLER_ID));
    assert_eq!(
        tasks[0].fields["Description"],
        json!(fields.notes),
        "28,000 Japanese characters arrive whole"
    );
}

#[tokio::test]
async fn a_signed_out_orgs_logs_are_held_and_never_sent_to_another_org() {
    let org = demo_org::start(Default::default()).await.expect("demo org");
    let home = temp_home("org-tags");
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    outbox
        .enqueue_for(&call("for-prod"), Some("prod"), AuditActor::Agent)
        .await
        .unwrap();
    outbox
        .enqueue(&call("untagged"), AuditActor::Agent)
        .await
        .unwrap();
    outbox
        .enqueue_for(&call("for-demo"), Some(DEMO_ORG_TAG), AuditActor::Agent)
        .await
        .unwrap();

    {
        // Signed out of prod: the app works on the demo org.
        let demo = worker(&outbox, &org, OrgFilter::for_org(None)).await;
        let report = demo.drain(Duration::from_secs(1)).await.unwrap();
        assert_eq!(
            report.delivered, 1,
            "only the demo org's own log: {report:?}"
        );
        assert_eq!(
            demo.held_for_other_orgs().await.unwrap(),
            2,
            "prod's and the untagged log wait"
        );
    }
    let prod = outbox.find_call("for-prod").await.unwrap().expect("listed");
    assert_eq!(prod.state, ItemState::Pending, "held, not dead");
    assert_eq!(prod.attempts, 0, "holding spends no attempt");
    assert_eq!(prod.org.as_deref(), Some("prod"));

    // Signed in to prod again (the demo org stands in for it here).
    let signed_in = worker(&outbox, &org, OrgFilter::for_org(Some("prod"))).await;
    let report = signed_in.drain(Duration::from_secs(1)).await.unwrap();
    assert_eq!(
        report.delivered, 2,
        "prod's log and the untagged one: {report:?}"
    );
    let records = org_records(&org).await;
    for id in ["for-prod", "untagged", "for-demo"] {
        assert_eq!(records.tasks[id].len(), 1, "{id}: exactly one Task");
    }
}

#[tokio::test]
async fn a_dead_letter_edited_and_replayed_is_audited_and_lands_once() {
    let org = demo_org::start(Default::default()).await.expect("demo org");
    let home = temp_home("edit-replay");
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    let mut changes = outbox.changes();
    let queued = outbox
        .enqueue(&call("fix-me"), AuditActor::Agent)
        .await
        .unwrap();
    assert!(
        changes.has_changed().unwrap(),
        "views are told a log was queued"
    );
    changes.mark_unchanged();
    org.faults().fail_next(
        Some("POST"),
        "/services/data",
        10,
        400,
        json!([{"message": "Subject must name the product", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Subject"]}]),
    );
    let worker = worker(&outbox, &org, OrgFilter::All).await;
    let report = worker.drain(Duration::from_secs(1)).await.unwrap();
    assert_eq!(
        report.dead, 1,
        "a validation error dead-letters at once: {report:?}"
    );
    assert!(changes.has_changed().unwrap(), "views are told it died");
    org.faults().clear();

    let dead = outbox.get(queued.id).await.unwrap();
    assert_eq!(dead.state, ItemState::Dead);
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|e| e.contains("Subject must name the product")),
        "Salesforce's message is kept for the admin: {:?}",
        dead.last_error
    );
    let mut fixed = dead.log.clone();
    fixed.subject = Some("Question about the H2 headset".into());
    outbox
        .edit(queued.id, &fixed, AuditActor::Admin)
        .await
        .unwrap();
    let edited = outbox.get(queued.id).await.unwrap();
    assert_eq!(
        edited.state,
        ItemState::Dead,
        "an edit alone sends nothing: it stays dead until replayed"
    );
    assert_eq!(edited.revision, dead.revision + 1);
    outbox.replay(queued.id, AuditActor::Admin).await.unwrap();
    let report = worker.drain(Duration::from_secs(1)).await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");

    let records = org_records(&org).await;
    assert_eq!(records.tasks["fix-me"].len(), 1, "exactly one Task");
    assert_eq!(records.logs["fix-me"].len(), 1, "exactly one call log");
    assert_eq!(
        records.tasks["fix-me"][0].fields["Subject"],
        json!("Question about the H2 headset")
    );
    let trail: Vec<String> = outbox
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.call_id == "fix-me")
        .map(|e| format!("{}:{}", e.event, e.actor))
        .collect();
    assert_eq!(
        trail,
        [
            "queued:agent",
            "dead:worker",
            "edited:admin",
            "replayed:admin",
            "sent:worker"
        ],
        "every change, with who made it"
    );
}

#[tokio::test]
async fn a_saved_form_with_a_raw_sip_call_id_is_re_keyed_and_logs_instead_of_failing_forever() {
    let home = temp_home("open-forms-raw-id");
    // What the event intake let through before the one call-id rule.
    let raw = "a/b%2F c?d@pbx.example";
    let mapped = ringside_core::call_log::external_call_id(raw).expect("maps");
    let mut draft = CallDraft::after_call(&end_of("x", 61), CallTimes::default(), None, 1_000);
    draft.call_id = raw.to_owned();
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    outbox
        .save_form(&draft, None, Some("prod"))
        .await
        .expect("saved");
    assert!(
        draft.to_call_log(&draft.fields).is_err(),
        "as saved, the form could never be logged"
    );
    let saved = outbox.saved_forms().await.expect("readable");
    assert_eq!(saved.len(), 1);
    assert_eq!(
        saved[0].draft.call_id, mapped,
        "re-keyed to its External ID"
    );
    let log = saved[0]
        .draft
        .to_call_log(&saved[0].draft.fields)
        .expect("now loggable");
    outbox
        .enqueue_form(&log, Some("prod"), AuditActor::Agent)
        .await
        .expect("queued");
    assert!(
        outbox.saved_forms().await.unwrap().is_empty(),
        "logging it closed it: no form left to log a second time at the next start"
    );
    assert!(outbox.find_call(&mapped).await.unwrap().is_some());
}

#[tokio::test]
async fn an_open_form_survives_a_restart_and_logging_it_removes_it_in_the_same_commit() {
    let home = temp_home("open-forms");
    let draft = CallDraft::after_call(&end_of("durable-1", 61), CallTimes::default(), None, 1_000);
    let mut fields = draft.fields.clone();
    fields.notes = "Rückruf am Dienstag — 折り返し電話".into();
    let mut book = DraftBook::new(AutoLogPolicy::default());
    book.open(draft, 1_000);
    assert!(book.touch("durable-1", fields.clone(), 2_000));
    let saved_draft = book.get("durable-1").cloned().expect("open");
    let deadline = book.auto_log_at("durable-1");
    {
        let outbox = Outbox::open_in_home(&home).await.expect("queue");
        outbox
            .save_form(&saved_draft, deadline, Some("prod"))
            .await
            .expect("saved");
        // No close: the process "dies" here; only what was committed counts.
        drop(outbox);
    }
    let outbox = Outbox::open_in_home(&home).await.expect("reopens");
    let saved = outbox.saved_forms().await.expect("readable");
    assert_eq!(saved.len(), 1, "the form is back after the restart");
    assert_eq!(
        saved[0].draft, saved_draft,
        "with everything the agent typed"
    );
    assert_eq!(saved[0].auto_log_at_ms, deadline, "and its auto-log time");
    assert_eq!(saved[0].org.as_deref(), Some("prod"));

    let mut restored = DraftBook::new(AutoLogPolicy::default());
    restored.restore(saved[0].draft.clone(), saved[0].auto_log_at_ms, i64::MAX);
    let due = restored.due(i64::MAX);
    assert_eq!(
        due.len(),
        1,
        "its deadline passed while the app was down: logged at start"
    );
    let log = due[0].to_call_log(&due[0].fields).expect("loggable");
    assert_eq!(log.notes.as_deref(), Some(fields.notes.as_str()));

    // A log refused before the transaction leaves the form open: nothing is lost.
    let mut bad = log.clone();
    bad.who_id = Some("not-an-id".into());
    outbox
        .enqueue_form(&bad, Some("prod"), AuditActor::Agent)
        .await
        .expect_err("invalid");
    assert_eq!(outbox.saved_forms().await.unwrap().len(), 1, "still open");

    outbox
        .enqueue_form(&log, Some("prod"), AuditActor::Agent)
        .await
        .expect("queued");
    assert!(
        outbox.saved_forms().await.unwrap().is_empty(),
        "queued and closed in one commit: never both an open form and a queued log"
    );
    let item = outbox
        .find_call("durable-1")
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(item.log.notes, log.notes);
    assert_eq!(item.org.as_deref(), Some("prod"));
    assert!(
        !outbox.discard_form("durable-1").await.unwrap(),
        "nothing left to discard"
    );
}

#[tokio::test]
async fn pressed_intents_travel_in_the_same_composite_as_the_task_and_the_call_log() {
    let org = demo_org::start(Default::default()).await.expect("demo org");
    let describes = DescribeCache::new(client(&org, Duration::from_secs(10)));
    let task = describes.describe("Task").await.expect("Task describe");
    let call_log = describes
        .describe("Call_Log__c")
        .await
        .expect("call-log describe");
    let intents = IntentMap::from_entries([
        ("call_summary", "Task.Description"),
        ("topics", "Call_Log__c.Summary__c"),
        ("qualified", "Lead.Status"),
    ])
    .expect("intents");
    let settings = LoggingSettings::default();
    let options = form_options(&intents, &settings, Some(&task), &call_log);
    let offered: Vec<_> = options
        .intents
        .iter()
        .map(|b| b.button.name.as_str())
        .collect();
    assert_eq!(
        offered,
        ["call_summary", "topics"],
        "the call's intents, not the Lead's"
    );
    assert_eq!(
        options
            .dispositions
            .as_ref()
            .map(|d| d.contains(&"Resolved".to_owned())),
        Some(true),
        "the demo org declares Disposition__c a picklist: its values are offered: {:?}",
        options.dispositions
    );

    let now = std::time::SystemTime::now();
    let summary = press_intent(
        &intents,
        &settings,
        &task,
        &call_log,
        "call_summary",
        Some("Wants the enterprise plan"),
        now,
    )
    .expect("fits Task.Description");
    let topics = press_intent(
        &intents,
        &settings,
        &task,
        &call_log,
        "topics",
        Some("pricing; rollout"),
        now,
    )
    .expect("fits Summary__c");
    assert_eq!(topics.record, IntentRecord::CallLog);
    let err = press_intent(
        &intents,
        &settings,
        &task,
        &call_log,
        "qualified",
        Some("Open"),
        now,
    )
    .expect_err("a Lead intent is the record panel's");
    assert!(err.to_string().contains("qualified"), "{err}");

    let mut book = DraftBook::new(AutoLogPolicy::default());
    let draft = CallDraft::after_call(
        &end_of("intent-1", 30),
        CallTimes::default(),
        None,
        1_763_000_000_000,
    );
    book.open(draft, 0);
    assert!(book.press("intent-1", summary, 0));
    assert!(book.press("intent-1", topics, 0));
    let draft = book.get("intent-1").cloned().unwrap();
    let mut fields = draft.fields.clone();
    fields.notes = "Call back after the board meeting".into();
    let log = draft.to_call_log(&fields).expect("loggable");

    let home = temp_home("intents");
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    outbox
        .enqueue_form(&log, Some(DEMO_ORG_TAG), AuditActor::Agent)
        .await
        .expect("queued");
    let worker = worker(&outbox, &org, OrgFilter::for_org(None)).await;
    let report = worker.drain(Duration::from_secs(3)).await.expect("drain");
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(
        report.api_calls, 1,
        "the intents ride in the call's one composite"
    );
    let records = org_records(&org).await;
    let tasks = &records.tasks["intent-1"];
    assert_eq!(tasks.len(), 1, "exactly one Task");
    assert_eq!(
        tasks[0].fields["Description"],
        json!("Wants the enterprise plan\n\nCall back after the board meeting"),
        "the summary intent and the agent's notes, both kept"
    );
    let logs = &records.logs["intent-1"];
    assert_eq!(logs.len(), 1, "exactly one call log");
    assert_eq!(logs[0].fields["Summary__c"], json!("pricing; rollout"));
}
