//! Crash safety: a worker process (`tests/bin/queue_worker.rs`) is killed with SIGKILL at
//! random moments, over and over, while it delivers to the demo org; more calls and
//! updates are queued meanwhile. A final drain must leave every call delivered exactly
//! once: nothing lost, nothing duplicated.

use ringside_core::audit::{AuditActor, AuditEvent};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use ringside_core::call_log::LoggingSettings;
use ringside_core::outbox::{ItemState, Outbox, Worker};

use crate::outbox::{assert_exactly_once, call, client, fast_options, temp_home};

/// The worker process: `tests/bin/queue_worker.rs`, which cargo builds for these tests.
fn worker_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ringside-queue-worker"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_moments_loses_and_duplicates_nothing() {
    let binary = worker_binary();
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    // A little latency widens the window between Salesforce's commit and the local ack.
    org.faults().set_latency(Duration::from_millis(3));
    let home = temp_home("kill9");
    let db = home.join("ringside.db");
    let outbox = Outbox::open(&db).await.expect("queue opens");
    let mut next_call = 0;
    let mut rng = rand::rng();
    let started = Instant::now();
    let mut iterations = 0;
    let mut finished_by_itself = 0;
    while iterations < 60 && started.elapsed() < Duration::from_secs(40) {
        iterations += 1;
        for _ in 0..3 {
            outbox
                .enqueue(&call(&format!("kill-{next_call}")), AuditActor::Agent)
                .await
                .expect("queued while the worker runs");
            next_call += 1;
        }
        if next_call > 6 && rng.random_bool(0.3) {
            // An update of an earlier call, possibly in flight right now.
            let mut update = call(&format!("kill-{}", rng.random_range(0..next_call - 3)));
            update.summary = Some(format!("summary from iteration {iterations}"));
            outbox
                .enqueue(&update, AuditActor::Agent)
                .await
                .expect("update queued");
        }
        let mut child = Command::new(&binary)
            .env("RINGSIDE_DB", &db)
            .env("RINGSIDE_ORG_URL", org.base_url())
            .env("RINGSIDE_ORG_TOKEN", org.issue_access_token())
            .env("RINGSIDE_BATCH", rng.random_range(1..=4).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker starts");
        let pause = Duration::from_millis(rng.random_range(20..260));
        tokio::time::sleep(pause).await;
        match child.try_wait().expect("child status") {
            Some(_) => finished_by_itself += 1,
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reaped");
            }
        }
    }
    assert!(
        iterations >= 50,
        "at least 50 kills were tried ({iterations})"
    );
    // The final drain, in-process, after the last worker died.
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .expect("final worker starts");
    worker
        .drain(Duration::from_secs(5))
        .await
        .expect("final drain");
    let items = outbox.list().await.unwrap();
    assert_eq!(items.len(), next_call, "every queued call is still there");
    assert!(
        items.iter().all(|i| i.state == ItemState::Delivered),
        "everything is delivered: {:?}",
        items
            .iter()
            .filter(|i| i.state != ItemState::Delivered)
            .collect::<Vec<_>>()
    );
    assert_exactly_once(&org, &outbox).await;
    let audit = outbox.audit().await.unwrap();
    let requeued = audit
        .iter()
        .filter(|e| e.event == AuditEvent::Requeued)
        .count();
    assert!(
        requeued > 0,
        "some kills landed mid-send (requeued {requeued}, {finished_by_itself} runs finished by themselves)"
    );
    eprintln!(
        "kill -9: {iterations} runs, {finished_by_itself} finished by themselves, {requeued} items re-queued after a kill"
    );
}
