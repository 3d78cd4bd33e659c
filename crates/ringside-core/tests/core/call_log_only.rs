//! "Call log only" mode against the real demo org over HTTP and a real SQLite queue: the
//! agent's subject and notes land in the call log's own fields, the history reads them back,
//! a mode switch between queueing and sending loses nothing and rewrites no queued item, and
//! text too long for the fields is refused when it is queued, never dead-lettered later.

use ringside_core::audit::AuditActor;
use std::path::PathBuf;
use std::time::Duration;

use demo_org::DemoOrg;
use ringside_core::call_log::{CallLog, CallLogError, LoggingMode, LoggingSettings};
use ringside_core::history::{History, HistoryFilter, HistoryRow, HistorySource};
use ringside_core::outbox::{Outbox, OutboxError, RetrySchedule, Worker, WorkerOptions};
use salesforce::Record;
use serde_json::json;

use super::outbox::{call, client, fast_options, temp_home};

fn call_log_only() -> LoggingSettings {
    LoggingSettings {
        mode: LoggingMode::CallLogOnly,
        ..LoggingSettings::default()
    }
}

fn task_mode() -> LoggingSettings {
    LoggingSettings::default()
}

async fn org() -> DemoOrg {
    demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts")
}

async fn queue(name: &str) -> (Outbox, PathBuf) {
    let home = temp_home(name);
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    (outbox, home)
}

/// Starts a worker with `settings` (the config in force now), drains, and stops it.
async fn send_with(org: &DemoOrg, outbox: &Outbox, settings: LoggingSettings) {
    let worker = Worker::start(
        outbox.clone(),
        client(org, Duration::from_secs(10)),
        settings,
        fast_options(),
    )
    .await
    .expect("worker starts");
    let report = worker.drain(Duration::from_secs(2)).await.expect("drains");
    assert_eq!(report.dead, 0, "nothing dead-letters: {report:?}");
    assert!(report.delivered >= 1, "the call is sent: {report:?}");
}

/// The call log with this call id, with the fields named in `fields`.
async fn call_log_record(org: &DemoOrg, call_id: &str, fields: &str) -> Record {
    let rows: Vec<Record> = client(org, Duration::from_secs(10))
        .query_all(&format!(
            "SELECT {fields} FROM Call_Log__c WHERE External_Id__c = '{call_id}'"
        ))
        .await
        .expect("call logs readable");
    assert_eq!(rows.len(), 1, "one call log for {call_id}");
    rows.into_iter().next().unwrap()
}

async fn tasks_of(org: &DemoOrg, call_id: &str) -> Vec<Record> {
    client(org, Duration::from_secs(10))
        .query_all(&format!(
            "SELECT Id, Subject, Description FROM Task WHERE CallObject = '{call_id}'"
        ))
        .await
        .expect("tasks readable")
}

fn typed(id: &str) -> CallLog {
    let mut log = call(id);
    log.subject = Some("Renewal — Jane wants 40 seats".into());
    log.notes = Some("Line one\nLine two: call back Friday".into());
    log
}

async fn history_row(org: &DemoOrg, settings: &LoggingSettings, call_id: &str) -> HistoryRow {
    let history = History::new(
        client(org, Duration::from_secs(10)),
        HistorySource::new(settings),
    );
    let rows = history
        .all(&HistoryFilter::default())
        .await
        .expect("history reads");
    rows.into_iter()
        .find(|r| r.call_id == call_id)
        .unwrap_or_else(|| panic!("{call_id} is in the history"))
}

#[tokio::test]
async fn call_log_only_writes_subject_and_notes_to_the_call_log_and_history_shows_them() {
    let org = org().await;
    let (outbox, _home) = queue("clo-fields").await;
    let mut log = typed("clo-1");
    log.intent_fields
        .task
        .insert("Description".into(), json!("Summary: renewal in Q3"));
    outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    send_with(&org, &outbox, call_log_only()).await;

    let record = call_log_record(&org, "clo-1", "Subject__c, Notes__c").await;
    assert_eq!(record.str_field("Subject__c"), log.subject.as_deref());
    assert_eq!(
        record.str_field("Notes__c"),
        Some("Summary: renewal in Q3\n\nLine one\nLine two: call back Friday"),
        "the pressed summary first, then every character the agent typed"
    );
    assert!(
        tasks_of(&org, "clo-1").await.is_empty(),
        "no Task is written"
    );

    let row = history_row(&org, &call_log_only(), "clo-1").await;
    assert_eq!(row.subject.as_deref(), log.subject.as_deref());
    assert_eq!(
        row.notes.as_deref(),
        Some("Summary: renewal in Q3\n\nLine one\nLine two: call back Friday")
    );
    org.shutdown().await;
}

#[tokio::test]
async fn configured_subject_and_notes_names_are_written_and_read() {
    let org = org().await;
    let (outbox, _home) = queue("clo-names").await;
    let mut settings = call_log_only();
    // The demo org's text fields, shuffled: every key still has its own field, and each
    // can hold what it gets (the same set passes config_check).
    settings.call_log.subject = "Key_Topics__c".into();
    settings.call_log.notes = "Summary__c".into();
    settings.call_log.summary = "Notes__c".into();
    settings.call_log.key_topics = "Subject__c".into();
    outbox
        .enqueue(&typed("clo-names-1"), AuditActor::Agent)
        .await
        .unwrap();
    send_with(&org, &outbox, settings.clone()).await;
    let record = call_log_record(
        &org,
        "clo-names-1",
        "Key_Topics__c, Summary__c, Subject__c, Notes__c",
    )
    .await;
    assert_eq!(
        record.str_field("Key_Topics__c"),
        Some("Renewal — Jane wants 40 seats")
    );
    assert_eq!(
        record.str_field("Summary__c"),
        Some("Line one\nLine two: call back Friday")
    );
    assert_eq!(
        (record.str_field("Subject__c"), record.str_field("Notes__c")),
        (None, None),
        "the default names get nothing of the subject and notes when others are configured"
    );
    let row = history_row(&org, &settings, "clo-names-1").await;
    assert_eq!(
        row.subject.as_deref(),
        Some("Renewal — Jane wants 40 seats")
    );
    assert_eq!(
        row.notes.as_deref(),
        Some("Line one\nLine two: call back Friday")
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_log_queued_in_task_mode_keeps_subject_and_notes_after_a_switch_to_call_log_only() {
    let org = org().await;
    let (outbox, _home) = queue("clo-switch").await;
    let log = typed("switch-1");
    let queued = outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    // A first send under task mode that fails (Salesforce busy), so the log waits.
    org.faults().fail_next(
        Some("POST"),
        "/services/data/v66.0/composite",
        1,
        503,
        json!([{"message": "busy", "errorCode": "SERVER_UNAVAILABLE"}]),
    );
    {
        // A first retry 1.5 s later, not fast_options' 10 ms: on a loaded machine a 10 ms retry
        // came due inside this same drain and was delivered under task mode (a flake seen
        // twice). The next worker's drain waits up to 2 s, so it still sends it.
        let options = WorkerOptions {
            schedule: RetrySchedule::new(vec![Duration::from_millis(1_500); 5]),
            ..fast_options()
        };
        let worker = Worker::start(
            outbox.clone(),
            client(&org, Duration::from_secs(10)),
            task_mode(),
            options,
        )
        .await
        .expect("task-mode worker starts");
        let report = worker.drain(Duration::ZERO).await.unwrap();
        assert_eq!(report.delivered, 0, "the first send failed: {report:?}");
    }
    assert_eq!(
        outbox.get(queued.id).await.unwrap().log,
        log,
        "a failed send leaves the queued log as it was"
    );
    // The admin switches to call-log-only; the next worker sends under the new config.
    send_with(&org, &outbox, call_log_only()).await;
    let record = call_log_record(&org, "switch-1", "Subject__c, Notes__c").await;
    assert_eq!(record.str_field("Subject__c"), log.subject.as_deref());
    assert_eq!(record.str_field("Notes__c"), log.notes.as_deref());
    assert!(tasks_of(&org, "switch-1").await.is_empty());
    assert_eq!(
        outbox.get(queued.id).await.unwrap().log,
        log,
        "sending under another mode never rewrites what the queued item holds"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_log_queued_in_call_log_only_mode_keeps_them_on_the_task_after_a_switch_back() {
    let org = org().await;
    let (outbox, _home) = queue("clo-switch-back").await;
    let log = typed("switch-back-1");
    let queued = outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    send_with(&org, &outbox, task_mode()).await;
    let tasks = tasks_of(&org, "switch-back-1").await;
    assert_eq!(tasks.len(), 1, "task mode writes the Task");
    assert_eq!(tasks[0].str_field("Subject"), log.subject.as_deref());
    assert_eq!(tasks[0].str_field("Description"), log.notes.as_deref());
    let record = call_log_record(&org, "switch-back-1", "Subject__c, Notes__c").await;
    assert_eq!(
        (record.str_field("Subject__c"), record.str_field("Notes__c")),
        (None, None),
        "task mode does not write the call log's subject and notes fields"
    );
    assert_eq!(outbox.get(queued.id).await.unwrap().log, log);
    org.shutdown().await;
}

#[tokio::test]
async fn text_too_long_for_the_call_log_fields_is_refused_when_queued_not_dead_lettered() {
    let org = org().await;
    let (outbox, _home) = queue("clo-long").await;
    let refused = |err: OutboxError, limit: &str| {
        assert!(
            matches!(err, OutboxError::Invalid(CallLogError::TooLong { .. })),
            "refused as too long: {err}"
        );
        assert!(err.to_string().contains(limit), "names the limit: {err}");
    };
    let mut long_notes = typed("long-notes");
    long_notes.notes = Some("n".repeat(32_001));
    refused(
        outbox
            .enqueue(&long_notes, AuditActor::Agent)
            .await
            .unwrap_err(),
        "32000",
    );
    let mut long_subject = typed("long-subject");
    long_subject.subject = Some("s".repeat(256));
    refused(
        outbox
            .enqueue(&long_subject, AuditActor::Agent)
            .await
            .unwrap_err(),
        "255",
    );
    let mut joined = typed("long-joined");
    joined.notes = Some("n".repeat(20_000));
    joined
        .intent_fields
        .task
        .insert("Description".into(), json!("s".repeat(12_000)));
    refused(
        outbox
            .enqueue(&joined, AuditActor::Agent)
            .await
            .unwrap_err(),
        "32000",
    );
    assert!(
        outbox.list().await.unwrap().is_empty(),
        "nothing refused was queued"
    );

    // At the limit (counted in characters, not bytes) the call log takes it.
    let mut full = typed("full-notes");
    full.notes = Some("é".repeat(32_000));
    full.subject = Some("ü".repeat(255));
    outbox.enqueue(&full, AuditActor::Agent).await.unwrap();
    send_with(&org, &outbox, call_log_only()).await;
    let record = call_log_record(&org, "full-notes", "Subject__c, Notes__c").await;
    assert_eq!(record.str_field("Notes__c"), full.notes.as_deref());
    assert_eq!(record.str_field("Subject__c"), full.subject.as_deref());

    // Without a subject the call log gets the made-up one a Task would.
    let mut unnamed = call("long-number");
    unnamed.subject = None;
    unnamed.from = "4".repeat(40);
    outbox.enqueue(&unnamed, AuditActor::Agent).await.unwrap();
    send_with(&org, &outbox, call_log_only()).await;
    let record = call_log_record(&org, "long-number", "Subject__c").await;
    assert_eq!(
        record.str_field("Subject__c"),
        Some(format!("Call from {}", "4".repeat(40)).as_str())
    );
    org.shutdown().await;
}
