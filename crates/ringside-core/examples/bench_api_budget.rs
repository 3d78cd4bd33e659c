//! API budget benchmark (issue 18): 1,000 simulated calls, each a screen pop and a call log,
//! against the demo org over real loopback HTTP with the pop cache at its default (60 s) →
//! requests per handled call, read from the demo org's own count (`GET /__demo/usage`'s
//! number), and Ringside's own count by kind (`api-usage.db`) beside it.
//!
//! The calls come 30 s apart on a simulated clock (1,000 calls ≈ 8 h of one busy line). The
//! caller mix: one call in four is a repeat of one of the last four callers (a callback
//! within two minutes; only the one 30 s ago is still in the cache), the rest come from a
//! pool of seeded customers and unknown numbers. Each call's log is queued and sent as the
//! desktop's worker sends it: at once, one composite per call.
//!
//! It also times each handled call (wall clock, over the loopback demo org with no injected
//! latency): the pop (event → matches), the log (durable enqueue → delivered), and both,
//! reported as p50 / p99.
//!
//! Run: `cargo run --release -p ringside-core --example bench_api_budget`.

use ringside_core::audit::AuditActor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ringside_core::api_usage::{UsageRecorder, UsageReport, UsageStore};
use ringside_core::call_log::{CallLog, Direction};
use ringside_core::clock::ManualClock;
use ringside_core::outbox::{OrgFilter, Outbox, Worker, WorkerOptions};
use ringside_core::phone::Region;
use ringside_core::pop::{Pop, ScreenPop};
use ringside_core::{CallerLookup, LookupSettings};

const CALLS: usize = 1000;
const SPACING: Duration = Duration::from_secs(30);

/// Seeded customers, in the spellings softphones send.
const KNOWN: &[&str] = &[
    "+14155550123",
    "+44 20 7946 0958",
    "+49 30 901820",
    "+55 11 91234-5678",
    "+81 3-1234-5678",
    "+1 212 555 0199",
];

/// A small deterministic generator (the run must be repeatable).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("the demo org starts");
    let home =
        std::env::temp_dir().join(format!("ringside-bench-api-budget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let sign_in = org.sign_in();
    let client = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(sign_in.access_token).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let recorder = UsageRecorder::new(
        UsageStore::open_in_home(&home).await.expect("usage file"),
        "bench",
    );
    recorder.attach(&client);
    let clock = Arc::new(ManualClock::new());
    let pop = ScreenPop::new(
        CallerLookup::new(client.clone(), LookupSettings::with_region(Region::US)),
        clock.clone(),
    );
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    let worker = Worker::start(
        outbox.clone(),
        client.clone(),
        Default::default(),
        WorkerOptions::default(),
    )
    .await
    .expect("worker");

    let before = org.api_usage();
    let mut rng = Lcg(18);
    let mut recent: Vec<String> = Vec::new();
    let (mut cached, mut known, mut delivered) = (0u64, 0u64, 0u64);
    let (mut pop_ms, mut log_ms, mut call_ms) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..CALLS {
        clock.advance(SPACING);
        let number = if !recent.is_empty() && rng.next(4) == 0 {
            recent[rng.next(recent.len() as u64) as usize].clone()
        } else if rng.next(3) == 0 {
            format!("+1 415 555 {:04}", 2000 + rng.next(5000))
        } else {
            KNOWN[rng.next(KNOWN.len() as u64) as usize].to_owned()
        };
        recent.push(number.clone());
        if recent.len() > 4 {
            recent.remove(0);
        }
        let started = Instant::now();
        let who = match pop.pop_number(&number).await {
            Pop::Searched { result } => {
                cached += u64::from(result.cached);
                known += u64::from(!result.matches.is_empty());
                result.matches.first().map(|m| m.id.clone())
            }
            _ => None,
        };
        let popped = started.elapsed();
        let log = CallLog {
            call_id: format!("bench-{i}"),
            direction: Direction::Inbound,
            from: number,
            to: "+14155550100".to_owned(),
            started_at_ms: 1_763_000_000_000 + i as i64 * 30_000,
            duration_seconds: 60 + rng.next(400) as i64,
            disposition: Some("Resolved".into()),
            subject: None,
            notes: Some("simulated call".into()),
            who_id: who.filter(|id| id.starts_with("003") || id.starts_with("00Q")),
            what_id: None,
            recording_url: None,
            summary: None,
            key_topics: vec![],
            missed: false,
            memo: Vec::new(),
            intent_fields: Default::default(),
            timing: Default::default(),
        };
        outbox
            .enqueue(&log, AuditActor::Agent)
            .await
            .expect("queued");
        delivered += worker.drain(Duration::ZERO).await.expect("drain").delivered as u64;
        let handled = started.elapsed();
        pop_ms.push(popped.as_secs_f64() * 1e3);
        log_ms.push((handled - popped).as_secs_f64() * 1e3);
        call_ms.push(handled.as_secs_f64() * 1e3);
    }
    let org_count = org.api_usage() - before;
    let report = UsageReport::today(
        &recorder,
        ringside_core::outbox::now_ms(),
        async |start, end| outbox.delivered_between(&OrgFilter::All, start, end).await,
    )
    .await
    .expect("usage report");
    println!("calls: {CALLS} (30 s apart), pop cache: default 60 s");
    println!(
        "pops: {known} with a match, {cached} from the cache; call logs delivered: {delivered}"
    );
    println!(
        "API requests (the demo org's own count): {org_count} → {:.3} per handled call",
        org_count as f64 / delivered.max(1) as f64
    );
    println!(
        "Ringside's own count: {} by kind {:?}, per_call {:?}",
        report.ringside.today,
        report
            .ringside
            .by_kind
            .iter()
            .filter(|(_, n)| **n > 0)
            .collect::<Vec<_>>(),
        report.per_call
    );
    println!("time per handled call (ms, 0 ms injected latency): p50 / p99");
    for (what, times) in [
        ("pop (event → matches)", &mut pop_ms),
        ("log (enqueue → delivered)", &mut log_ms),
        ("pop + log", &mut call_ms),
    ] {
        println!(
            "  {what}: {:.2} / {:.2}",
            percentile(times, 0.50),
            percentile(times, 0.99)
        );
    }
    let _ = std::fs::remove_dir_all(&home);
    org.shutdown().await;
}

/// The nearest-rank percentile `p` (0..=1) of `values` (sorted in place).
fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}
