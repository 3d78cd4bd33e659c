//! The durable queue against a real SQLite file and the real demo org over HTTP, with
//! faults injected through `DemoOrg::faults()`. After every scenario the org must hold
//! exactly one Task and one call log per logged call, each Task linked to its call log,
//! and every local item must be delivered or dead-lettered with a reason.

use ringside_core::audit::{AuditActor, AuditEvent};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use demo_org::{DemoOrg, seed};
use ringside_core::call_log::{CallLog, Direction, LoggingMode, LoggingSettings};
use ringside_core::outbox::{
    ItemState, OpenOptions, Outbox, OutboxError, RetrySchedule, Worker, WorkerOptions, keep_unsent,
};
use salesforce::{ApiVersion, ClientOptions, InstanceUrl, Record};
use serde_json::json;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh directory per test (the database is always a real file).
pub fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ringside-outbox-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn call(id: &str) -> CallLog {
    CallLog {
        call_id: id.to_owned(),
        direction: Direction::Inbound,
        from: seed::JANE_PHONE.to_owned(),
        to: "+14155550100".to_owned(),
        started_at_ms: 1_763_000_000_000,
        duration_seconds: 95,
        disposition: Some("Resolved".into()),
        subject: None,
        notes: Some("wants a demo next week".into()),
        who_id: Some(seed::JANE_CALLER_ID.to_owned()),
        what_id: Some(seed::JANE_OPEN_OPPORTUNITY_ID.to_owned()),
        recording_url: None,
        summary: None,
        key_topics: vec![],
        missed: false,
        timing: Default::default(),
        memo: Vec::new(),
        intent_fields: Default::default(),
    }
}

pub fn client(org: &DemoOrg, timeout: Duration) -> salesforce::Client {
    salesforce::Client::with_options(
        InstanceUrl::parse(&org.base_url()).expect("demo url"),
        salesforce::AccessToken::new(org.issue_access_token()).expect("token"),
        ApiVersion::default(),
        ClientOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: timeout,
            query_batch_size: None,
        },
    )
    .expect("client")
}

/// A refresher that hands out a token the demo org issued after its tokens were expired.
#[derive(Debug)]
struct FreshToken(String);

impl salesforce::oauth::TokenRefresher for FreshToken {
    fn refresh(
        &self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<salesforce::AccessToken, salesforce::Error>>
                + Send
                + '_,
        >,
    > {
        let token = self.0.clone();
        Box::pin(async move { salesforce::AccessToken::new(token) })
    }
}

/// A client whose session the org has already expired: its first request is refused with
/// `INVALID_SESSION_ID`, and its refresher hands it a token issued after the expiry.
pub fn expired_session_client(org: &DemoOrg, options: ClientOptions) -> salesforce::Client {
    let stale = salesforce::AccessToken::new(org.issue_access_token()).expect("token");
    org.faults().expire_tokens();
    salesforce::Client::with_refresher(
        InstanceUrl::parse(&org.base_url()).expect("loopback URL"),
        stale,
        ApiVersion::default(),
        options,
        std::sync::Arc::new(FreshToken(org.issue_access_token())),
    )
    .expect("client")
}

/// Short waits so fault scenarios finish in milliseconds.
pub fn fast_options() -> WorkerOptions {
    WorkerOptions {
        schedule: RetrySchedule::new(vec![Duration::from_millis(10); 5]),
        unreachable_wait: Duration::from_millis(50),
        allowance_wait: Duration::from_millis(50),
        signed_out_wait: Duration::from_millis(20),
        ..WorkerOptions::default()
    }
}

struct Fixture {
    org: DemoOrg,
    outbox: Outbox,
    worker: Worker,
    home: PathBuf,
}

async fn fixture_with(name: &str, settings: LoggingSettings, timeout: Duration) -> Fixture {
    fixture_with_options(name, settings, timeout, fast_options()).await
}

async fn fixture_with_options(
    name: &str,
    settings: LoggingSettings,
    timeout: Duration,
    options: WorkerOptions,
) -> Fixture {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let home = temp_home(name);
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let worker = Worker::start(outbox.clone(), client(&org, timeout), settings, options)
        .await
        .expect("worker starts");
    Fixture {
        org,
        outbox,
        worker,
        home,
    }
}

async fn fixture(name: &str) -> Fixture {
    fixture_with(name, LoggingSettings::default(), Duration::from_secs(10)).await
}

/// What the org holds: call logs by external id, and Tasks by call id.
pub struct OrgRecords {
    pub logs: HashMap<String, Vec<Record>>,
    pub tasks: HashMap<String, Vec<Record>>,
}

pub async fn org_records(org: &DemoOrg) -> OrgRecords {
    let reader = client(org, Duration::from_secs(10));
    let logs: Vec<Record> = reader
        .query_all("SELECT Id, External_Id__c, Summary__c, Duration_Seconds__c, Contact__c FROM Call_Log__c")
        .await
        .expect("call logs readable");
    let tasks: Vec<Record> = reader
        .query_all("SELECT Id, CallObject, Call_Log__c, Subject, TaskSubtype, CallType, Description, WhoId, WhatId, Status FROM Task WHERE CallObject != null")
        .await
        .expect("tasks readable");
    let mut by_log: HashMap<String, Vec<Record>> = HashMap::new();
    for r in logs {
        let key = r.fields["External_Id__c"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        by_log.entry(key).or_default().push(r);
    }
    let mut by_task: HashMap<String, Vec<Record>> = HashMap::new();
    for r in tasks {
        let key = r.fields["CallObject"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        by_task.entry(key).or_default().push(r);
    }
    OrgRecords {
        logs: by_log,
        tasks: by_task,
    }
}

/// Exactly one call log and one Task per delivered call, the Task linked to the log;
/// every local item delivered or dead with a reason; nothing for dead ones.
pub async fn assert_exactly_once(org: &DemoOrg, outbox: &Outbox) {
    let records = org_records(org).await;
    for item in outbox.list().await.expect("queue readable") {
        match item.state {
            ItemState::Delivered => {
                let logs = records.logs.get(&item.call_id).map_or(0, Vec::len);
                let tasks = records
                    .tasks
                    .get(&item.call_id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                assert_eq!(logs, 1, "{}: exactly one call log", item.call_id);
                assert_eq!(
                    tasks.len(),
                    1,
                    "{}: exactly one Task: {tasks:?}",
                    item.call_id
                );
                let log_id = records.logs[&item.call_id][0].fields["Id"].clone();
                assert_eq!(
                    tasks[0].fields["Call_Log__c"], log_id,
                    "{}: the Task links to its call log",
                    item.call_id
                );
                assert_eq!(
                    item.task_id.as_deref(),
                    tasks[0].fields["Id"].as_str(),
                    "the queue knows the Task id"
                );
            }
            ItemState::Dead => {
                assert!(
                    item.last_error.is_some() && item.last_error_code.is_some(),
                    "{}: a dead letter says why",
                    item.call_id
                );
                assert!(
                    !records.tasks.contains_key(&item.call_id),
                    "{}: a dead letter wrote no Task",
                    item.call_id
                );
            }
            other => panic!(
                "{}: left {other:?}; every item must be delivered or dead",
                item.call_id
            ),
        }
    }
}

#[tokio::test]
async fn one_logged_call_is_one_api_call_with_every_task_field() {
    let f = fixture("happy").await;
    let queued = f
        .outbox
        .enqueue(&call("happy-1"), AuditActor::Agent)
        .await
        .expect("queued");
    assert!(!queued.updated);
    f.org.clear_request_log();
    let report = f.worker.drain(Duration::ZERO).await.expect("drain");
    assert_eq!(report.delivered, 1);
    assert_eq!(
        report.api_calls, 1,
        "Task and call log go in one composite: {report:?}"
    );
    let requests = f.org.data_requests();
    assert_eq!(
        requests.len(),
        1,
        "one request reached the org: {requests:?}"
    );
    let records = org_records(&f.org).await;
    let task = &records.tasks["happy-1"][0].fields;
    assert_eq!(task["TaskSubtype"], "Call");
    assert_eq!(task["CallType"], "Inbound");
    assert_eq!(task["Status"], "Completed");
    assert_eq!(task["Description"], "wants a demo next week");
    assert_eq!(task["WhoId"], seed::JANE_CALLER_ID);
    assert_eq!(task["WhatId"], seed::JANE_OPEN_OPPORTUNITY_ID);
    assert_eq!(
        records.logs["happy-1"][0].fields["Contact__c"],
        seed::JANE_CALLER_ID
    );
    assert_exactly_once(&f.org, &f.outbox).await;
    let events: Vec<String> = f
        .outbox
        .audit()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.to_string())
        .collect();
    assert_eq!(
        events,
        ["queued", "sent"],
        "each state change is audited once"
    );
}

#[tokio::test]
async fn a_later_update_changes_the_same_records() {
    let f = fixture("update").await;
    f.outbox
        .enqueue(&call("upd-1"), AuditActor::Agent)
        .await
        .unwrap();
    f.worker.drain(Duration::ZERO).await.unwrap();
    let mut later = call("upd-1");
    later.notes = None;
    later.summary = Some("Customer asked about pricing".into());
    later.recording_url = Some("https://recordings.example.com/upd-1.mp3".into());
    let queued = f.outbox.enqueue(&later, AuditActor::Agent).await.unwrap();
    assert!(queued.updated, "the same call id updates the queued call");
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.api_calls, 1, "an update is one call too");
    assert_exactly_once(&f.org, &f.outbox).await;
    let records = org_records(&f.org).await;
    assert_eq!(
        records.logs["upd-1"][0].fields["Summary__c"],
        "Customer asked about pricing"
    );
    assert_eq!(
        records.tasks["upd-1"][0].fields["Description"], "wants a demo next week",
        "the agent's notes survive the summary update"
    );
}

#[tokio::test]
async fn call_log_only_mode_writes_no_task() {
    let settings = LoggingSettings {
        mode: LoggingMode::CallLogOnly,
        ..LoggingSettings::default()
    };
    let f = fixture_with("logonly", settings, Duration::from_secs(10)).await;
    f.outbox
        .enqueue(&call("only-1"), AuditActor::Agent)
        .await
        .unwrap();
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.delivered, 1);
    let records = org_records(&f.org).await;
    assert_eq!(records.logs["only-1"].len(), 1);
    assert!(
        !records.tasks.contains_key("only-1"),
        "call-log-only mode writes no Task"
    );
}

/// `code` is the code the audit should show: an error list's `errorCode`, or `HTTP_<status>`
/// for a body that is not a Salesforce error (a proxy's answer).
async fn burst(status: u16, code: &str, times: u32) {
    let f = fixture(&format!("burst-{status}")).await;
    for i in 0..3 {
        f.outbox
            .enqueue(&call(&format!("burst-{status}-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    f.org.faults().fail_next(
        Some("POST"),
        "/services/data/v66.0/composite",
        times,
        status,
        if code.starts_with("HTTP_") {
            json!([])
        } else {
            json!([{"message": format!("injected {code}"), "errorCode": code}])
        },
    );
    let report = f.worker.drain(Duration::from_secs(3)).await.unwrap();
    assert_eq!(
        report.delivered, 3,
        "{code}: everything lands after the burst: {report:?}"
    );
    assert!(
        report.retried >= 1,
        "{code}: the burst cost attempts: {report:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
    let audit = f.outbox.audit().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.event == AuditEvent::Retry && e.error_code.as_deref() == Some(code)),
        "{code}: the retry is audited with its code"
    );
}

#[tokio::test]
async fn burst_of_503_then_delivered_once() {
    burst(503, "SERVER_UNAVAILABLE", 3).await;
}

#[tokio::test]
async fn burst_of_500_then_delivered_once() {
    burst(500, "HTTP_500", 2).await;
}

/// Regression (issue 14, item 2): a used-up org allowance dead-lettered every call within
/// minutes. It is an org-wide state, like an outage: the queue waits without spending
/// attempts, tries again with one request per wait, and resumes by itself — here through
/// more refusals than the schedule has attempts.
#[tokio::test]
async fn a_used_up_allowance_spends_no_attempt_and_never_dead_letters() {
    let f = fixture("allowance").await;
    for i in 0..3 {
        f.outbox
            .enqueue(&call(&format!("allowance-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    let refusals = 10;
    f.org.faults().fail_next(
        Some("POST"),
        "/services/data/v66.0/composite",
        refusals,
        403,
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]),
    );
    let first = f.worker.drain_due().await.unwrap();
    assert!(
        first.allowance_used_up && first.dead == 0 && first.retried == 0,
        "the pass stops and says why, spending nothing: {first:?}"
    );
    let held: std::collections::BTreeSet<i64> = f
        .outbox
        .list()
        .await
        .unwrap()
        .iter()
        .map(|item| item.run_at)
        .collect();
    assert_eq!(
        held.len(),
        1,
        "the batch is held until one shared time, so the next probe is one request: {held:?}"
    );
    let report = f.worker.drain(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        report.delivered, 3,
        "all land once the allowance is back, none dead: {report:?}"
    );
    assert_eq!(report.dead, 0, "{report:?}");
    for item in f.outbox.list().await.unwrap() {
        assert!(
            item.attempts <= 1,
            "the refusals spent no attempts (ten of them would have dead-lettered it): {item:?}"
        );
    }
    let requests = f
        .org
        .data_requests()
        .iter()
        .filter(|r| r.path.ends_with("/composite") || r.path.ends_with("/composite/graph"))
        .count();
    assert!(
        requests <= refusals as usize + 2,
        "one request per probe, not one per queued log: {requests}"
    );
    let audit = f.outbox.audit().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.event == AuditEvent::Waiting
                && e.error_code.as_deref() == Some("REQUEST_LIMIT_EXCEEDED"))
            .count(),
        3,
        "each log's wait is audited once, not once per probe: {audit:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
}

/// The demo org's real daily allocation (not an injected error): once used up, every send
/// is refused with 403 REQUEST_LIMIT_EXCEEDED; the queue keeps the logs pending, and
/// delivers each exactly once when the allocation is raised again
/// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
#[tokio::test]
async fn a_used_up_api_allocation_holds_the_queue_until_it_is_raised() {
    let f = fixture("allocation").await;
    for i in 0..3 {
        f.outbox
            .enqueue(&call(&format!("allocation-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    f.org.faults().set_api_limit(f.org.api_usage());
    let held = f.worker.drain_due().await.unwrap();
    assert_eq!(
        held.delivered, 0,
        "nothing lands past the allocation: {held:?}"
    );
    assert!(held.allowance_used_up, "the drain says why: {held:?}");
    for item in f.outbox.list().await.unwrap() {
        assert_eq!(
            item.state,
            ItemState::Pending,
            "a used-up allocation is transient: the log waits, never a dead letter: {item:?}"
        );
        assert_eq!(item.attempts, 0, "and spends no attempt: {item:?}");
    }
    let audit = f.outbox.audit().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.error_code.as_deref() == Some("REQUEST_LIMIT_EXCEEDED")),
        "the refusal is audited with Salesforce's code: {audit:?}"
    );
    // A team lead reads the history meanwhile (the org frees a few requests, the queue is
    // not drained): each held log says it waits for the allowance, not that it failed.
    f.org.faults().set_api_limit(f.org.api_usage() + 10);
    let history = ringside_core::history::History::new(
        client(&f.org, Duration::from_secs(10)),
        ringside_core::history::HistorySource::new(&LoggingSettings::default()),
    )
    .with_outbox(f.outbox.clone(), None);
    let rows = history
        .all(&ringside_core::history::HistoryFilter::default())
        .await
        .expect("history reads");
    let pending: Vec<_> = rows
        .iter()
        .filter(|r| r.delivery == ringside_core::history::DeliveryState::Pending)
        .collect();
    assert_eq!(pending.len(), 3, "the three held logs: {pending:?}");
    assert!(
        pending.iter().all(|r| r.held_for_allowance),
        "held for the org's allowance, in the row the views read: {pending:?}"
    );
    // The CSV (the CLI's `history --csv` and the desktop's export both write it) flags them.
    let csv = ringside_core::history::history_csv(&rows);
    let records = ringside_core::history::csv::parse_rfc4180(&csv).expect("strict RFC 4180");
    let flag = records[0]
        .iter()
        .position(|c| c == "held_for_allowance")
        .expect("the CSV has a held_for_allowance column");
    assert_eq!(
        records[1..].iter().filter(|r| r[flag] == "true").count(),
        3,
        "each held log is flagged in the CSV: {csv}"
    );
    f.org.faults().set_api_limit(f.org.api_usage() + 100);
    let report = f.worker.drain(Duration::from_secs(3)).await.unwrap();
    assert_eq!(
        report.delivered, 3,
        "the queue resumes once the allocation is raised: {report:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
}

/// Issue 18, item 2: once the used-up allocation is raised, a backlog drains "in the largest
/// batches Salesforce allows": 100 held logs are 75 graphs in one `/composite/graph` (its
/// limit, https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm)
/// and 25 in a second, counted in the demo org's own request log, not 100 requests.
#[tokio::test]
async fn a_backlog_held_for_the_allowance_drains_in_two_graph_requests_once_raised() {
    let f = fixture("backlog").await;
    for i in 0..100 {
        f.outbox
            .enqueue(&call(&format!("backlog-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    f.org.faults().set_api_limit(f.org.api_usage());
    let held = f.worker.drain_due().await.unwrap();
    assert!(
        held.allowance_used_up && held.delivered == 0,
        "the allocation is used up: the backlog waits: {held:?}"
    );
    assert_eq!(
        f.org.data_requests().len(),
        1,
        "one probe was refused, not one per log"
    );

    f.org.clear_request_log();
    let used_before = f.org.api_usage();
    f.org.faults().set_api_limit(used_before + 1_000);
    let report = f.worker.drain(Duration::from_secs(5)).await.unwrap();
    assert_eq!(report.delivered, 100, "the whole backlog lands: {report:?}");
    let requests = f.org.data_requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/services/data/v66.0/composite/graph",
            "/services/data/v66.0/composite/graph"
        ],
        "75 graphs, then the other 25: two requests for 100 logs"
    );
    assert_eq!(
        f.org.api_usage() - used_before,
        2,
        "the org's own count agrees: two requests of its allocation"
    );
    assert_eq!(report.api_calls, 2, "and the drain's own count: {report:?}");
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn unable_to_lock_row_is_retried() {
    burst(400, "UNABLE_TO_LOCK_ROW", 2).await;
}

#[tokio::test]
async fn connection_dropped_after_commit_creates_no_second_task() {
    let f = fixture("dropped").await;
    f.outbox
        .enqueue(&call("drop-1"), AuditActor::Agent)
        .await
        .unwrap();
    f.org
        .faults()
        .drop_after_commit(Some("POST"), "/services/data/v66.0/composite", 1);
    let first = f.worker.drain_due().await.unwrap();
    assert_eq!(
        first.retried, 1,
        "the lost answer is a failed attempt: {first:?}"
    );
    let after_drop = org_records(&f.org).await;
    assert_eq!(
        after_drop.tasks["drop-1"].len(),
        1,
        "Salesforce did commit the first send"
    );
    let report = f.worker.drain(Duration::from_secs(2)).await.unwrap();
    // Under load the 10 ms retry can come due inside the first drain and deliver there.
    assert_eq!(
        first.delivered + report.delivered,
        1,
        "delivered once, in one drain or the other: {first:?} {report:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
    let audit = f.outbox.audit().await.unwrap();
    assert!(
        audit.iter().any(|e| e.event == AuditEvent::Checked
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("already exists"))),
        "the retry looked before writing and found the Task: {audit:?}"
    );
}

#[tokio::test]
async fn a_timeout_is_checked_before_writing_again() {
    // Retries wait 400 ms: a 10 ms retry could come due again inside the first drain on a
    // loaded machine and time out there too, again and again, until out of attempts (the
    // flake this test had).
    let f = fixture_with_options(
        "timeout",
        LoggingSettings::default(),
        Duration::from_millis(300),
        WorkerOptions {
            schedule: RetrySchedule::new(vec![Duration::from_millis(400); 5]),
            ..fast_options()
        },
    )
    .await;
    f.outbox
        .enqueue(&call("slow-1"), AuditActor::Agent)
        .await
        .unwrap();
    f.org.faults().set_latency(Duration::from_millis(800));
    let first = f.worker.drain_due().await.unwrap();
    assert_eq!(first.retried, 1, "a timeout spends an attempt: {first:?}");
    assert_eq!(
        first.delivered, 0,
        "nothing lands while Salesforce is too slow: {first:?}"
    );
    let items = f.outbox.list().await.unwrap();
    assert_eq!(
        items[0].attempts, 1,
        "one attempt per timed-out send: {items:?}"
    );
    f.org.faults().set_latency(Duration::ZERO);
    let report = f.worker.drain(Duration::from_secs(2)).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert!(
        report.api_calls >= 2,
        "a check precedes the write after a timeout"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn expired_session_holds_without_spending_attempts() {
    let f = fixture("expired").await;
    for i in 0..4 {
        f.outbox
            .enqueue(&call(&format!("exp-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    f.org.faults().expire_tokens();
    let held = f.worker.drain_due().await.unwrap();
    assert!(
        held.signed_out,
        "the drain stops while signed out: {held:?}"
    );
    assert_eq!(
        held.dead + held.retried,
        0,
        "no attempt is spent on a dead session"
    );
    for item in f.outbox.list().await.unwrap() {
        assert_eq!(item.state, ItemState::Pending, "held items stay queued");
        assert_eq!(item.attempts, 0, "holding spends no attempt");
    }
    // Sign-in again (the refresh layer does this for real orgs).
    f.worker
        .client()
        .set_access_token(salesforce::AccessToken::new(f.org.issue_access_token()).unwrap());
    let report = f.worker.drain(Duration::from_secs(2)).await.unwrap();
    assert_eq!(report.delivered, 4, "{report:?}");
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn one_bad_record_in_a_batch_does_not_sink_the_others() {
    let f = fixture("batch-bad").await;
    for i in 0..6 {
        let mut log = call(&format!("batch-{i}"));
        if i == 3 {
            // Key topics are limited to 1,000 characters in the org: STRING_TOO_LONG.
            log.key_topics = vec!["x".repeat(1500)];
        }
        f.outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    }
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(
        report.api_calls, 1,
        "six calls go in one graph request: {report:?}"
    );
    assert_eq!(report.delivered, 5);
    assert_eq!(report.dead, 1, "a permanent error dead-letters at once");
    let dead = f.outbox.dead().await.unwrap();
    assert_eq!(dead[0].call_id, "batch-3");
    assert_eq!(dead[0].last_error_code.as_deref(), Some("STRING_TOO_LONG"));
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("Key_Topics__c")
            || dead[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("Key Topics"),
        "Salesforce's message is kept for the admin: {:?}",
        dead[0].last_error
    );
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn org_down_waits_without_attempts_and_resumes_by_itself() {
    let f = fixture("down").await;
    for i in 0..3 {
        f.outbox
            .enqueue(&call(&format!("down-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    f.org
        .faults()
        .refuse_connections(Duration::from_millis(1500));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = f.worker.drain_due().await.unwrap();
    assert!(first.org_unreachable, "{first:?}");
    assert_eq!(first.api_calls, 0, "nothing reached the org");
    for item in f.outbox.list().await.unwrap() {
        assert_eq!(item.attempts, 0, "an unreachable org spends no attempt");
    }
    let report = f.worker.drain(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        report.delivered, 3,
        "resumes once the org is back: {report:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
    let waits = f
        .outbox
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == AuditEvent::Waiting)
        .count();
    assert!(
        waits <= 3,
        "one audit entry per item per outage, not one per probe ({waits})"
    );
}

#[tokio::test]
async fn out_of_attempts_goes_dead_then_replay_delivers_once() {
    let f = fixture("attempts").await;
    f.outbox
        .enqueue(&call("tired-1"), AuditActor::Agent)
        .await
        .unwrap();
    f.org.faults().fail_next(
        Some("POST"),
        "/services/data/v66.0/composite",
        6,
        503,
        json!([{"message": "busy", "errorCode": "SERVER_UNAVAILABLE"}]),
    );
    let report = f.worker.drain(Duration::from_secs(3)).await.unwrap();
    assert_eq!(
        report.dead, 1,
        "six failed attempts dead-letter the item: {report:?}"
    );
    let dead = f.outbox.dead().await.unwrap();
    assert_eq!(dead[0].attempts, 6);
    f.outbox
        .replay(dead[0].id, AuditActor::Admin)
        .await
        .unwrap();
    let report = f.worker.drain(Duration::from_secs(2)).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_exactly_once(&f.org, &f.outbox).await;
    assert!(matches!(
        f.outbox.replay(dead[0].id, AuditActor::Admin).await,
        Err(OutboxError::NotDead { .. })
    ));
}

#[tokio::test]
async fn a_permanent_error_dead_letters_at_once_with_the_message() {
    let f = fixture("permanent").await;
    let mut log = call("perm-1");
    log.who_id = Some("003Dm00000000ZZIAA".into());
    f.outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.dead, 1, "{report:?}");
    assert_eq!(report.api_calls, 1, "no retry for a permanent error");
    let dead = f.outbox.dead().await.unwrap().remove(0);
    assert_eq!(dead.attempts, 1);
    assert!(dead.last_error_code.is_some(), "{dead:?}");
    // The admin fixes the field and replays: delivered, and the edit is audited.
    let mut fixed = dead.log.clone();
    fixed.who_id = Some(seed::JANE_CALLER_ID.into());
    f.outbox
        .edit(dead.id, &fixed, AuditActor::Admin)
        .await
        .unwrap();
    assert_eq!(
        f.outbox.get(dead.id).await.unwrap().state,
        ItemState::Dead,
        "an edit alone sends nothing"
    );
    f.outbox.replay(dead.id, AuditActor::Admin).await.unwrap();
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_exactly_once(&f.org, &f.outbox).await;
    let events: Vec<String> = f
        .outbox
        .audit()
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{}:{}", e.actor, e.event))
        .collect();
    assert_eq!(
        events,
        [
            "agent:queued",
            "worker:dead",
            "admin:edited",
            "admin:replayed",
            "worker:sent"
        ]
    );
    let mut other = fixed.clone();
    other.call_id = "someone-else".into();
    assert!(
        f.outbox
            .edit(dead.id, &other, AuditActor::Admin)
            .await
            .is_err(),
        "an edit cannot move a log to another call"
    );
    let _ = f.home;
}

#[tokio::test]
async fn catch_up_drains_in_batches() {
    let f = fixture("catchup").await;
    for i in 0..300 {
        f.outbox
            .enqueue(&call(&format!("cu-{i}")), AuditActor::Agent)
            .await
            .unwrap();
    }
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.delivered, 300);
    assert!(
        report.api_calls <= 30,
        "N queued calls take at most N/10 API calls: {report:?}"
    );
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn the_audit_log_refuses_update_and_delete() {
    let f = fixture("audit").await;
    f.outbox
        .enqueue(&call("aud-1"), AuditActor::Agent)
        .await
        .unwrap();
    f.outbox.close().await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        f.home.join("ringside.db").display()
    ))
    .await
    .unwrap();
    let update = sqlx::query("UPDATE audit SET event = 'forged'")
        .execute(&pool)
        .await;
    assert!(
        update.unwrap_err().to_string().contains("append-only"),
        "the trigger refuses UPDATE"
    );
    let delete = sqlx::query("DELETE FROM audit").execute(&pool).await;
    assert!(delete.is_err(), "the trigger refuses DELETE");
}

/// Rows written before the audit words were types (plain text in the append-only table)
/// read back as the same words, and a word this version does not write (a newer version's,
/// one typed in by hand) stays readable as stored instead of failing the whole log.
#[tokio::test]
async fn audit_rows_written_with_the_old_strings_read_back_as_the_same_words() {
    use ringside_core::audit::{AuditWord, Recorded};
    let home = temp_home("old-audit-rows");
    let path = home.join("ringside.db");
    Outbox::open(&path).await.unwrap().close().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    // Every actor and event text older versions stored, written as they wrote them.
    let old_actors = ["agent", "auto-log", "worker", "admin", "ringside"];
    let old_events = [
        "queued",
        "updated",
        "edited",
        "replayed",
        "salvaged",
        "requeued",
        "checked",
        "sent",
        "retry",
        "dead",
        "waiting",
        "held",
        "actions",
        "edit_queued",
        "edit_applied",
        "edit_retry",
        "edit_conflict",
        "edit_failed",
        "edit_resolved",
    ];
    let mut written = Vec::new();
    for (i, event) in old_events.iter().enumerate() {
        written.push((old_actors[i % old_actors.len()], *event));
    }
    written.push(("bench", "archived"));
    for (at, (actor, event)) in written.iter().enumerate() {
        sqlx::query("INSERT INTO audit (at, actor, call_id, event) VALUES (?1, ?2, 'old-1', ?3)")
            .bind(at as i64)
            .bind(actor)
            .bind(event)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    let outbox = Outbox::open(&path).await.unwrap();
    let entries = outbox.audit().await.expect("old rows read back");
    let read: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e.actor.to_string(), e.event.to_string()))
        .collect();
    let expected: Vec<(String, String)> = written
        .iter()
        .map(|(a, e)| (a.to_string(), e.to_string()))
        .collect();
    assert_eq!(read, expected, "every row reads back as stored");
    for entry in &entries[..old_events.len()] {
        let (Some(actor), Some(event)) = (entry.actor.known(), entry.event.known()) else {
            panic!("an old word is no longer known: {entry:?}");
        };
        assert_eq!(actor.as_str(), entry.actor.as_str());
        assert_eq!(AuditWord::as_str(event), entry.event.as_str());
    }
    assert_eq!(entries[0].event, AuditEvent::Queued);
    assert_eq!(entries[0].actor, AuditActor::Agent);
    let unknown = entries.last().unwrap();
    assert_eq!(unknown.actor, Recorded::Unknown("bench".into()));
    assert_eq!(unknown.event, Recorded::Unknown("archived".into()));
    let json = serde_json::to_value(unknown).unwrap();
    assert_eq!(
        (json["actor"].as_str(), json["event"].as_str()),
        (Some("bench"), Some("archived")),
        "`ringside audit --json` prints the stored text"
    );
}

#[tokio::test]
async fn a_second_worker_on_the_same_database_is_refused() {
    let f = fixture("busy").await;
    let second = Worker::start(
        f.outbox.clone(),
        client(&f.org, Duration::from_secs(2)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await;
    assert!(matches!(second, Err(OutboxError::WorkerBusy { .. })));
}

#[tokio::test]
async fn a_read_only_database_is_refused_and_left_untouched() {
    let home = temp_home("readonly");
    let path = home.join("ringside.db");
    {
        let outbox = Outbox::open(&path).await.unwrap();
        outbox
            .enqueue(&call("ro-1"), AuditActor::Agent)
            .await
            .unwrap();
        outbox.close().await;
    }
    let before = std::fs::read(&path).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let err = Outbox::open(&path).await.unwrap_err();
    assert!(matches!(err, OutboxError::ReadOnly { .. }), "{err:?}");
    assert!(
        err.to_string().contains("read-only"),
        "says so plainly: {err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is not changed"
    );
    // The agent's log is kept beside it and imported once the database is writable.
    let kept = keep_unsent(&home, &call("ro-2"), Some("prod")).unwrap();
    assert!(kept.exists());
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let outbox = Outbox::open(&path).await.unwrap();
    let ids: Vec<String> = outbox
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.call_id)
        .collect();
    assert_eq!(ids, ["ro-1", "ro-2"], "nothing lost, the kept log imported");
    assert!(!kept.exists(), "the kept file is removed once imported");
    let imported = outbox.find_call("ro-2").await.unwrap().expect("queued");
    assert_eq!(
        imported.org.as_deref(),
        Some("prod"),
        "the kept log goes back to the org it was logged for, not to whichever org drains"
    );
}

#[tokio::test]
async fn a_kept_log_keeps_its_org_tag_and_an_untagged_old_file_still_imports() {
    let home = temp_home("kept-org");
    let mut noted = call("kept-tagged");
    noted.notes = Some("お客様は来週デモを希望".into());
    let file = keep_unsent(&home, &noted, Some("sandbox")).expect("kept");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("\"org\": \"sandbox\""),
        "the tag is in the file itself: {text}"
    );
    // A file kept before the tag existed: the bare log.
    let old = home.join("unsent").join("kept-old.json");
    std::fs::write(&old, serde_json::to_vec(&call("kept-old")).unwrap()).unwrap();
    let outbox = Outbox::open_in_home(&home)
        .await
        .expect("opens and imports");
    let tagged = outbox
        .find_call("kept-tagged")
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(tagged.org.as_deref(), Some("sandbox"), "org tag restored");
    assert_eq!(
        tagged.log, noted,
        "the log comes back whole, notes included"
    );
    let untagged = outbox
        .find_call("kept-old")
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(untagged.org, None, "an old file stays untagged");
    assert!(
        !file.exists() && !old.exists(),
        "both files removed once queued"
    );
    assert!(
        keep_unsent(&home, &call("a/b"), None).is_err(),
        "a call id that is no file name is refused, never written outside unsent/"
    );
}

#[tokio::test]
async fn a_corrupt_database_is_moved_aside_not_overwritten() {
    let home = temp_home("corrupt");
    let path = home.join("ringside.db");
    std::fs::write(&path, b"this is not a database, but someone's data").unwrap();
    let outbox = Outbox::open(&path).await.expect("opens a fresh database");
    let recovery = outbox.recovery().expect("says what it did").clone();
    assert_eq!(
        std::fs::read(&recovery.moved_to).unwrap(),
        b"this is not a database, but someone's data",
        "the old file is kept byte for byte"
    );
    outbox
        .enqueue(&call("after-corrupt"), AuditActor::Agent)
        .await
        .unwrap();
    assert_eq!(outbox.status().await.unwrap().pending, 1);
}

#[tokio::test]
async fn a_damaged_sqlite_file_is_moved_aside() {
    let home = temp_home("damaged");
    let path = home.join("ringside.db");
    {
        let outbox = Outbox::open(&path).await.unwrap();
        for i in 0..50 {
            outbox
                .enqueue(&call(&format!("dmg-{i}")), AuditActor::Agent)
                .await
                .unwrap();
        }
        outbox.close().await;
    }
    // Keep the SQLite header, smash pages after it.
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(100).take(8000) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(home.join("ringside.db-wal"));
    let outbox = Outbox::open(&path).await.expect("opens a fresh database");
    let recovery = outbox.recovery().expect("the damage is reported");
    assert!(
        recovery.moved_to.exists(),
        "the damaged file is kept for recovery"
    );
}

#[tokio::test]
async fn a_full_database_says_so_and_the_log_can_be_kept() {
    let home = temp_home("full");
    let path = home.join("ringside.db");
    {
        Outbox::open(&path).await.unwrap().close().await;
    }
    let pages: u32 = {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n as u32
    };
    let outbox = Outbox::open_with(
        &path,
        &OpenOptions {
            max_page_count: Some(pages),
        },
    )
    .await
    .unwrap();
    let mut big = call("full-1");
    big.notes = Some("n".repeat(30_000));
    let mut result = Ok(());
    for i in 0..20 {
        big.call_id = format!("full-{i}");
        if let Err(e) = outbox.enqueue(&big, AuditActor::Agent).await {
            result = Err(e);
            break;
        }
    }
    let err = result.expect_err("a capped database fills up");
    assert!(matches!(err, OutboxError::Full { .. }), "{err:?}");
    assert!(err.database_unusable());
    assert!(err.to_string().contains("full"), "{err}");
}

#[tokio::test]
async fn past_14_failed_graphs_the_halted_rest_is_resent_without_spending_attempts() {
    let f = fixture("halted").await;
    for i in 0..26 {
        let mut log = call(&format!("halt-{i:02}"));
        if i < 16 {
            log.key_topics = vec!["x".repeat(1500)];
        }
        f.outbox.enqueue(&log, AuditActor::Agent).await.unwrap();
    }
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(
        report.dead, 16,
        "every bad record is dead-lettered: {report:?}"
    );
    assert_eq!(report.delivered, 10, "every good record lands: {report:?}");
    assert!(
        report.waiting >= 11,
        "halted graphs were given back: {report:?}"
    );
    for item in f.outbox.dead().await.unwrap() {
        assert_eq!(
            item.attempts, 1,
            "{}: a halted graph spent no attempt",
            item.call_id
        );
        assert_eq!(item.last_error_code.as_deref(), Some("STRING_TOO_LONG"));
    }
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn the_running_worker_sends_what_is_queued_while_it_waits() {
    let f = fixture("run").await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = f.worker.run(async {
        let _ = stopped.await;
    });
    let drive = async {
        // Queued after the worker went idle: the enqueue wakes it.
        tokio::time::sleep(Duration::from_millis(100)).await;
        f.outbox
            .enqueue(&call("run-1"), AuditActor::Agent)
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while f.outbox.status().await.unwrap().delivered < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "the worker delivers without being asked"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = stop.send(());
    };
    tokio::join!(run, drive);
    assert_exactly_once(&f.org, &f.outbox).await;
}

#[tokio::test]
async fn each_new_dead_letter_is_announced_on_the_webhook() {
    use axum::extract::State;
    use std::sync::{Arc, Mutex};
    type Seen = Arc<Mutex<Vec<serde_json::Value>>>;
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(seen): State<Seen>, axum::Json(body): axum::Json<serde_json::Value>| async move {
                    seen.lock().unwrap().push(body);
                    "ok"
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .unwrap();
    let outbox = Outbox::open_in_home(&temp_home("webhook")).await.unwrap();
    let options = WorkerOptions {
        dead_letter_webhook: Some(
            ringside_core::outbox::DeadLetterWebhook::parse(&hook_url).unwrap(),
        ),
        ..fast_options()
    };
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(5)),
        LoggingSettings::default(),
        options,
    )
    .await
    .unwrap();
    // The call id carries Slack markup: the alert must show it, not ping the channel.
    let mut bad = call("hook-bad-<!channel>");
    bad.key_topics = vec!["x".repeat(1500)];
    outbox.enqueue(&bad, AuditActor::Agent).await.unwrap();
    outbox
        .enqueue(&call("hook-good"), AuditActor::Agent)
        .await
        .unwrap();
    worker.drain(Duration::ZERO).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.len(),
        1,
        "one alert for one dead letter, none for the delivered call: {seen:?}"
    );
    let text = seen[0]["text"]
        .as_str()
        .expect("Slack-compatible {\"text\"}");
    assert!(
        text.contains("hook-bad") && text.contains("STRING_TOO_LONG"),
        "{text}"
    );
    assert!(
        text.contains("hook-bad-&lt;!channel&gt;") && !text.contains("<!channel>"),
        "Slack markup from data is escaped, so the alert never pings the channel: {text}"
    );
    assert!(
        text.contains("ringside queue replay"),
        "says what to do: {text}"
    );
    assert!(
        !text.contains("wants a demo"),
        "the agent's notes stay out of the channel: {text}"
    );
}

#[tokio::test]
async fn dial_answer_and_end_times_and_the_ring_time_land_on_the_call_log_only_when_known() {
    use ringside_core::call_log::CallTiming;
    let mut settings = LoggingSettings::default();
    settings.call_log.ring_seconds = "Ring_Seconds__c".into();
    let f = fixture_with("timing", settings, Duration::from_secs(10)).await;
    let mut answered = call("timing-answered");
    answered.started_at_ms = 1_763_000_008_000;
    answered.duration_seconds = 95;
    answered.timing = CallTiming {
        dialed_at_ms: Some(1_763_000_000_000),
        answered_at_ms: Some(1_763_000_008_000),
        ended_at_ms: Some(1_763_000_103_000),
    };
    let mut missed = call("timing-missed");
    missed.missed = true;
    missed.duration_seconds = 0;
    missed.timing = CallTiming {
        dialed_at_ms: Some(1_763_000_000_000),
        answered_at_ms: None,
        ended_at_ms: Some(1_763_000_025_000),
    };
    for log in [&answered, &missed, &call("timing-none")] {
        f.outbox
            .enqueue(log, AuditActor::Agent)
            .await
            .expect("queued");
    }
    let report = f.worker.drain(Duration::ZERO).await.expect("drain");
    assert_eq!(report.delivered, 3, "{report:?}");
    let reader = client(&f.org, Duration::from_secs(10));
    let rows: Vec<Record> = reader
        .query_all(
            "SELECT External_Id__c, Dialed_At__c, Answered_At__c, Ended_At__c, Ring_Seconds__c, \
             Duration_Seconds__c FROM Call_Log__c WHERE External_Id__c LIKE 'timing-%'",
        )
        .await
        .expect("call logs readable");
    let row = |id: &str| {
        rows.iter()
            .find(|r| r.fields["External_Id__c"] == id)
            .unwrap_or_else(|| panic!("{id} landed: {rows:?}"))
            .fields
            .clone()
    };
    let a = row("timing-answered");
    assert!(
        a["Dialed_At__c"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-11-13T02:13:20")),
        "{a:?}"
    );
    assert!(
        a["Answered_At__c"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-11-13T02:13:28")),
        "{a:?}"
    );
    assert!(
        a["Ended_At__c"]
            .as_str()
            .is_some_and(|t| t.starts_with("2025-11-13T02:15:03")),
        "{a:?}"
    );
    assert_eq!(
        a["Ring_Seconds__c"].as_f64(),
        Some(8.0),
        "dial to answer: {a:?}"
    );
    assert_eq!(
        a["Duration_Seconds__c"].as_f64(),
        Some(95.0),
        "talk time: {a:?}"
    );
    let m = row("timing-missed");
    assert!(
        m["Answered_At__c"].is_null(),
        "a missed call has no answer time: {m:?}"
    );
    assert_eq!(
        m["Ring_Seconds__c"].as_f64(),
        Some(25.0),
        "rang until it ended: {m:?}"
    );
    let none = row("timing-none");
    for field in [
        "Dialed_At__c",
        "Answered_At__c",
        "Ended_At__c",
        "Ring_Seconds__c",
    ] {
        assert!(
            none[field].is_null(),
            "{field} unknown, not written: {none:?}"
        );
    }
}

#[tokio::test]
async fn a_queue_view_lists_open_items_oldest_first_then_only_the_newest_deliveries() {
    let f = fixture("open-and-recent").await;
    for id in ["sent-1", "sent-2", "sent-3"] {
        f.outbox
            .enqueue(&call(id), AuditActor::Agent)
            .await
            .unwrap();
        let report = f.worker.drain(Duration::ZERO).await.unwrap();
        assert_eq!(report.delivered, 1, "{id} is delivered: {report:?}");
    }
    let mut refused = call("refused-1");
    refused.who_id = Some("003Dm00000000ZZIAA".into());
    f.outbox.enqueue(&refused, AuditActor::Agent).await.unwrap();
    let report = f.worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(
        report.dead, 1,
        "an unknown WhoId is refused at once: {report:?}"
    );
    f.outbox
        .enqueue(&call("waiting-1"), AuditActor::Agent)
        .await
        .unwrap();

    let listed = f.outbox.open_and_recent(2).await.expect("the queue reads");
    let ids: Vec<&str> = listed.iter().map(|item| item.call_id.as_str()).collect();
    assert_eq!(
        ids,
        ["refused-1", "waiting-1", "sent-3", "sent-2"],
        "open items oldest first, then the two newest deliveries newest first; sent-1 is left out"
    );
}

/// The memo as MiiTel writes it (issue 17 item 4): a multi-select picklist on the demo org
/// (`Memo__c`, restricted). Listed values land `;`-joined; an unlisted one is refused before
/// queueing, in words, by the check the desktop form and the CLI run; one that slipped
/// through unchecked (queued while the org was unreachable) is refused by the org and
/// becomes a dead letter naming the field, the other logs still delivered.
#[tokio::test]
async fn a_multi_select_memo_lands_semicolon_joined_and_an_unlisted_value_is_refused_in_words() {
    use ringside_core::call_log::memo::{MemoCheck, MemoError, MemoInput, check_memo_with_org};
    use ringside_core::describe_cache::DescribeCache;
    let mut settings = LoggingSettings::default();
    settings.call_log.memo = "Memo__c".into();
    let f = fixture_with("memo", settings.clone(), Duration::from_secs(10)).await;
    let describes = DescribeCache::new(client(&f.org, Duration::from_secs(10)));
    let described = describes.describe("Call_Log__c").await.expect("describe");
    assert!(
        matches!(
            ringside_core::call_log::memo::memo_input(&settings, &described),
            MemoInput::Picklist { ref values } if values.iter().any(|v| v == "Pricing")
        ),
        "the form offers the org's values"
    );

    let mut good = call("memo-good");
    good.memo = vec!["Pricing".into(), "Demo requested".into()];
    assert_eq!(
        check_memo_with_org(&good.memo, &settings, &describes).await,
        Ok(MemoCheck::Checked)
    );
    let mut bad = call("memo-bad");
    bad.memo = vec!["Pricing".into(), "Golf".into()];
    let refused = check_memo_with_org(&bad.memo, &settings, &describes)
        .await
        .expect_err("an unlisted value is refused before queueing");
    assert!(matches!(refused, MemoError::UnknownValue { .. }));
    let words = refused.to_string();
    assert!(
        words.contains("\"Golf\"")
            && words.contains("Call_Log__c.Memo__c")
            && words.contains("Pricing"),
        "names the value, the field and what may be picked: {words}"
    );

    // Queued unchecked (as when the org was unreachable at log time): the org refuses it.
    for log in [&good, &bad] {
        f.outbox
            .enqueue(log, AuditActor::Agent)
            .await
            .expect("queued");
    }
    let report = f.worker.drain(Duration::ZERO).await.expect("drain");
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(report.dead, 1, "{report:?}");
    let dead = f.outbox.dead().await.expect("dead letters");
    assert_eq!(dead[0].call_id, "memo-bad");
    assert_eq!(
        dead[0].last_error_code.as_deref(),
        Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    );
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("Golf")),
        "the dead letter says which value: {:?}",
        dead[0].last_error
    );
    let rows: Vec<Record> = client(&f.org, Duration::from_secs(10))
        .query_all(
            "SELECT External_Id__c, Memo__c FROM Call_Log__c WHERE External_Id__c = 'memo-good'",
        )
        .await
        .expect("call logs readable");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].fields["Memo__c"], "Pricing;Demo requested");
}

#[tokio::test]
async fn a_text_memo_field_takes_typed_values_and_no_memo_field_offers_none() {
    use ringside_core::call_log::memo::{MemoCheck, MemoInput, check_memo_with_org, memo_input};
    use ringside_core::describe_cache::DescribeCache;
    // Notes__c is a Long Text Area: a memo pointed there is text, unchecked.
    let mut settings = LoggingSettings::default();
    settings.call_log.memo = "Notes__c".into();
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let describes = DescribeCache::new(client(&org, Duration::from_secs(10)));
    let described = describes.describe("Call_Log__c").await.expect("describe");
    assert_eq!(memo_input(&settings, &described), MemoInput::Text);
    let typed = vec!["anything goes".to_owned()];
    assert_eq!(
        check_memo_with_org(&typed, &settings, &describes).await,
        Ok(MemoCheck::Checked)
    );
    assert_eq!(
        memo_input(&LoggingSettings::default(), &described),
        MemoInput::None,
        "no memo field is configured by default"
    );
}
