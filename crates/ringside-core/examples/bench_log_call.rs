//! "Log call" latency while Salesforce is down (issue 5: ≤ 50 ms): the agent's action is the
//! log form's validation (`CallDraft::to_call_log`) plus the durable enqueue, while a worker
//! keeps trying to send in the background, (a) to an org that refuses connections and (b) to
//! an org that hangs (every answer 5 s late, so a send is always in flight). Log call is
//! `enqueue_form` (the queued log and the closing of the saved form in one commit); before it,
//! the form is saved once as the app does on each (debounced) edit, and that save is timed
//! too. Prints percentiles; not a timed test.
//!
//! `cargo run --release -p ringside-core --example bench_log_call`

use ringside_core::audit::AuditActor;
use std::time::{Duration, Instant};

use ringside_core::call_log::draft::{CallDraft, CallTimes};
use ringside_core::events::{CallEvent, CallEventKind, CallerId, Direction, EventSource};
use ringside_core::outbox::{DEMO_ORG_TAG, OrgFilter, Outbox, Worker, WorkerOptions};

const CALLS: usize = 300;

fn end(call_id: String) -> CallEvent {
    CallEvent {
        event: CallEventKind::End,
        call_id,
        from: CallerId::Number("+14155550123".into()),
        to: Some(CallerId::Number("+14155550100".into())),
        direction: Direction::Inbound,
        duration_secs: Some(95),
        disposition: None,
        source: EventSource::Api,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn scenario(
    name: &str,
    client: salesforce::Client,
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!(
        "ringside-bench-log-call-{}-{}",
        name.replace(' ', "-"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let outbox = Outbox::open(&dir.join("ringside.db")).await?;
    let worker = Worker::start(
        outbox.clone(),
        client,
        Default::default(),
        // The app's own timings (DESIGN §4): a probe every 5 s while the org is unreachable.
        WorkerOptions {
            org: OrgFilter::for_org(None),
            ..WorkerOptions::default()
        },
    )
    .await?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        worker
            .run(async {
                let _ = stop_rx.await;
            })
            .await;
    });
    // Notes of a long call: 2,000 characters, non-Latin.
    let notes = "お客様はヘッドセットの交換を希望。".repeat(118);
    let mut samples = Vec::with_capacity(CALLS);
    let mut saves = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let draft = CallDraft::after_call(
            &end(format!("bench-{i}")),
            CallTimes::default(),
            None,
            1_763_000_000_000,
        );
        let mut fields = draft.fields.clone();
        fields.notes.clone_from(&notes);
        fields.disposition = "Resolved".into();
        let mut saved = draft.clone();
        saved.fields = fields.clone();
        let started = Instant::now();
        outbox
            .save_form(&saved, Some(1_763_000_120_000), Some(DEMO_ORG_TAG))
            .await?;
        saves.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let log = draft.to_call_log(&fields)?;
        outbox
            .enqueue_form(&log, Some(DEMO_ORG_TAG), AuditActor::Agent)
            .await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        // An agent logs a call every few seconds; leave the worker room to run in between.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
    let status = outbox.status().await?;
    samples.sort_by(f64::total_cmp);
    saves.sort_by(f64::total_cmp);
    println!(
        "Form save (each edit) with Salesforce {name}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        saves.len(),
        percentile(&saves, 0.50),
        percentile(&saves, 0.99),
        saves[saves.len() - 1],
    );
    assert!(
        outbox.saved_forms().await?.is_empty(),
        "every logged form was closed in its queueing commit"
    );
    println!(
        "Log call with Salesforce {name}: n={} p50={:.2} ms p95={:.2} ms p99={:.2} ms max={:.2} ms (queue: {} pending, {} delivered)",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
        status.pending + status.in_flight,
        status.delivered
    );
    outbox.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // (a) Nothing listens on the port: every send is refused (the circuit breaker waits).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let refused = salesforce::Client::new(
        &format!("http://{closed}"),
        salesforce::AccessToken::new("00Dbench!refused".to_owned())?,
        salesforce::ApiVersion::default(),
    )?;
    scenario("refusing connections", refused).await?;

    // (b) The org answers, 5 s late: a send is in flight the whole time.
    let org = demo_org::start(demo_org::DemoOrgConfig::default()).await?;
    org.faults().set_latency(Duration::from_secs(5));
    let slow = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token())?,
        salesforce::ApiVersion::default(),
    )?;
    scenario("hanging (5 s per answer)", slow).await?;
    org.faults().clear();
    org.shutdown().await;
    Ok(())
}
