//! Call-log queue benchmark (DESIGN §8): durable enqueue latency, API calls per logged
//! call, and API calls to drain a backlog of 1,000 calls, against the demo org over
//! loopback with an injected latency (default 20 ms; `BENCH_LATENCY_MS` overrides); then
//! the same for calls with outcome actions (issue 17: the Lead's status, the Opportunity's
//! stage and a follow-up Event, planned from a `ringside.toml` outcome).
//!
//! `cargo run --release -p ringside-core --example bench_queue`

use ringside_core::audit::AuditActor;
use std::time::{Duration, Instant};

use ringside_core::call_log::{CallLog, Direction, LoggingSettings};
use ringside_core::config::Config;
use ringside_core::outbox::{Outbox, Worker, WorkerOptions};
use ringside_core::outcomes::plan::{ActionState, PlanOptions, PlannedAction, plan};

/// The outcome the calls with actions are logged with: three actions, each a write.
const OUTCOME: &str = r#"
[outcomes."Demo booked"]
lead = { Status = "Working - Contacted" }
opportunity = { StageName = "Qualification" }
follow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }
"#;

/// A "Demo booked" call with the seeded Lead about the seeded open Opportunity, and its
/// planned actions.
fn call_with_actions(
    id: String,
) -> Result<(CallLog, Vec<PlannedAction>), Box<dyn std::error::Error>> {
    let mut log = call(id);
    log.disposition = Some("Demo booked".into());
    log.who_id = Some(demo_org::seed::SHARED_NUMBER_LEAD_ID.into());
    let config = Config::parse(OUTCOME, std::path::Path::new("ringside.toml"))?;
    let outcome = config
        .outcomes
        .get("Demo booked")
        .ok_or("the outcome is configured")?;
    let zone = jiff::tz::TimeZone::UTC;
    let actions = plan(
        outcome,
        &log,
        &PlanOptions {
            skip: &[],
            zone: &zone,
            follow_up_at_ms: None,
            bant: None,
            agent_user_id: None,
        },
    )?;
    assert!(
        actions.iter().all(|a| a.state == ActionState::Queued),
        "every action is planned: {actions:?}"
    );
    Ok((log, actions))
}

fn call(id: String) -> CallLog {
    CallLog {
        call_id: id,
        direction: Direction::Inbound,
        from: "+14155550123".into(),
        to: "+14155550100".into(),
        started_at_ms: 1_763_000_000_000,
        duration_seconds: 95,
        disposition: Some("Resolved".into()),
        subject: None,
        notes: Some("Customer asked for a demo next week; send pricing.".into()),
        who_id: Some(demo_org::seed::JANE_CALLER_ID.into()),
        what_id: Some(demo_org::seed::JANE_OPEN_OPPORTUNITY_ID.into()),
        recording_url: None,
        summary: None,
        key_topics: vec![],
        missed: false,
        timing: Default::default(),
        memo: Vec::new(),
        intent_fields: Default::default(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn summary(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} p50={:.2} ms p95={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let latency_ms: u64 = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("ringside-bench-queue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let outbox = Outbox::open(&dir.join("ringside.db")).await?;
    println!("database: {} (WAL, synchronous=FULL)", dir.display());

    // 1. Durable enqueue: each call is committed and fsync'd before enqueue returns.
    let mut samples = Vec::new();
    for i in 0..1000 {
        let log = call(format!("enq-{i}"));
        let started = Instant::now();
        outbox.enqueue(&log, AuditActor::Agent).await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    summary("durable enqueue (1,000 calls)", samples);

    let org = demo_org::start(demo_org::DemoOrgConfig {
        port: 0,
        latency: Duration::from_millis(latency_ms),
        ..Default::default()
    })
    .await?;
    let client = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token())?,
        salesforce::ApiVersion::default(),
    )?;
    let worker = Worker::start(
        outbox.clone(),
        client,
        LoggingSettings::default(),
        WorkerOptions::default(),
    )
    .await?;
    println!(
        "demo org: {} with {latency_ms} ms injected latency per request",
        org.base_url()
    );

    // 2. Catch-up: the 1,000 calls queued above, as after an outage.
    let usage_before = org.api_usage();
    let started = Instant::now();
    let report = worker.drain(Duration::ZERO).await?;
    let elapsed = started.elapsed();
    println!(
        "catch-up drain of 1,000 queued calls: {} delivered, {} API calls (client count {}), {:.2} s",
        report.delivered,
        org.api_usage() - usage_before,
        report.api_calls,
        elapsed.as_secs_f64()
    );

    // 3. Steady state: one call logged and sent at a time.
    let mut calls = 0;
    let mut send_samples = Vec::new();
    let n = 100;
    for i in 0..n {
        outbox
            .enqueue(&call(format!("one-{i}")), AuditActor::Agent)
            .await?;
        let before = org.api_usage();
        let started = Instant::now();
        let report = worker.drain_due().await?;
        send_samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.delivered, 1, "each call is delivered");
        calls += org.api_usage() - before;
    }
    println!(
        "API calls per logged call (Task + call log): {:.2} over {n} calls",
        calls as f64 / f64::from(n)
    );
    summary("enqueue-to-delivered, one call at a time", send_samples);

    // 4. Calls with outcome actions: the log's graph and the actions' graph in one request.
    let mut enqueue_samples = Vec::new();
    let mut send_samples = Vec::new();
    let mut calls = 0;
    let n = 200;
    for i in 0..n {
        let (log, actions) = call_with_actions(format!("act-{i}"))?;
        let started = Instant::now();
        outbox
            .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
            .await?;
        enqueue_samples.push(started.elapsed().as_secs_f64() * 1000.0);
        let before = org.api_usage();
        let started = Instant::now();
        let report = worker.drain_due().await?;
        send_samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.delivered, 1, "each call is delivered: {report:?}");
        calls += org.api_usage() - before;
        let item = outbox
            .find_call(&log.call_id)
            .await?
            .ok_or("the call is queued")?;
        assert!(
            item.actions.iter().all(|a| a.state == ActionState::Applied),
            "every action applied: {:?}",
            item.actions
        );
    }
    summary(
        "durable enqueue with 3 outcome actions (200 calls)",
        enqueue_samples,
    );
    println!(
        "API calls per logged call with 3 outcome actions (Task + call log + Lead + Opportunity + Event): {:.2} over {n} calls",
        calls as f64 / f64::from(n)
    );
    summary(
        "enqueue-to-delivered with actions, one call at a time",
        send_samples,
    );
    outbox.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
