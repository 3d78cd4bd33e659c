//! Call-history benchmark (issue 7): the first page of a 10,000-call history against the
//! demo org over loopback with an injected latency per request (default 50 ms;
//! `BENCH_LATENCY_MS` overrides, `BENCH_CALLS` changes the history size). Prints
//! percentiles, the API calls each operation used, and the time beyond the injected
//! round trip (the target: first page ≤ 1 round trip + 100 ms).
//!
//! `cargo run --release -p ringside-core --example bench_history`

use std::time::{Duration, Instant};

use demo_org::CallLogSeed;
use ringside_core::history::{DateBound, History, HistoryFilter, HistorySource};

/// CPU time this process (the demo org and the client together) has used, in ms, read from
/// `/proc/self/stat` (Linux; `None` elsewhere). Unlike wall time it does not grow when
/// other programs load the machine, so it shows what an operation costs on an idle core.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some((utime + stime) * 10.0)
}

fn cpu_note(before: Option<f64>, ops: usize) -> String {
    match (before, cpu_ms()) {
        (Some(a), Some(b)) => format!(
            "; CPU {:.1} ms per operation (org + client)",
            (b - a) / ops as f64
        ),
        _ => String::new(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn summary(name: &str, mut samples: Vec<f64>, latency_ms: u64, api_calls: f64, cpu: String) {
    samples.sort_by(f64::total_cmp);
    let p99 = percentile(&samples, 0.99);
    println!(
        "{name}: n={} p50={:.1} ms p95={:.1} ms p99={:.1} ms max={:.1} ms; API calls {api_calls:.2}; p99 beyond the round trip {:.1} ms{cpu}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        p99,
        samples[samples.len() - 1],
        p99 - latency_ms as f64,
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let latency_ms = env("BENCH_LATENCY_MS", 50);
    let count = env("BENCH_CALLS", 10_000) as usize;
    let runs = env("BENCH_RUNS", 50) as usize;
    let org = demo_org::start(demo_org::DemoOrgConfig {
        port: 0,
        latency: Duration::from_millis(latency_ms),
        ..Default::default()
    })
    .await?;
    let seeded = org.seed_call_logs(&CallLogSeed {
        days: 90,
        ..CallLogSeed::new(count, 1)
    })?;
    println!(
        "demo org: {} with {latency_ms} ms injected latency per request; {} call logs (+ Tasks) over {} agents and 90 days",
        org.base_url(),
        seeded.calls.len(),
        seeded.agents.len()
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        // Wall times grow with other work on the machine; the CPU column does not.
        println!(
            "load average: {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let client = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token())?,
        salesforce::ApiVersion::default(),
    )?;
    let history = History::new(client, HistorySource::default());
    let window = HistoryFilter {
        since: Some(DateBound::Instant(seeded.from_ms)),
        until: Some(DateBound::Instant(seeded.until_ms)),
        ..Default::default()
    };
    // Warm the connection pool, as a running app has.
    history.first_page(&window).await?;

    let views: [(&str, HistoryFilter); 3] = [
        ("first page (200 rows), whole history", window.clone()),
        (
            "first page (200 rows), one agent",
            HistoryFilter {
                agent: Some(seeded.agents[1].id.clone()),
                ..window.clone()
            },
        ),
        (
            "first page (200 rows), one week, inbound, Connected",
            HistoryFilter {
                since: Some(DateBound::Instant(seeded.until_ms - 7 * 86_400_000)),
                direction: Some(ringside_core::call_log::Direction::Inbound),
                disposition: Some("Connected".into()),
                ..window.clone()
            },
        ),
    ];
    for (name, filter) in views {
        let mut samples = Vec::with_capacity(runs);
        let before = org.api_usage();
        let cpu = cpu_ms();
        let mut rows = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let page = history.first_page(&filter).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            rows = page.rows.len();
            assert_eq!(page.api_calls, 1, "a first page is one API call");
        }
        let calls = (org.api_usage() - before) as f64 / runs as f64;
        let cpu = cpu_note(cpu, runs);
        summary(
            &format!("{name} [{rows} rows]"),
            samples,
            latency_ms,
            calls,
            cpu,
        );
    }

    // Scrolling on: the next 200 rows come from the batch already fetched.
    let mut samples = Vec::new();
    let mut page = history.first_page(&window).await?;
    let before = org.api_usage();
    let cpu = cpu_ms();
    let mut pages = 0;
    while let Some(cursor) = page.next.take() {
        let started = Instant::now();
        page = history.next_page(cursor).await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        pages += 1;
    }
    let calls = (org.api_usage() - before) as f64 / f64::from(pages);
    let cpu = cpu_note(cpu, pages as usize);
    summary(
        &format!("next page (200 rows), {pages} pages to the end"),
        samples,
        latency_ms,
        calls,
        cpu,
    );

    // Export: every call.
    let mut samples = Vec::new();
    let before = org.api_usage();
    let cpu = cpu_ms();
    let export_runs = 5;
    for _ in 0..export_runs {
        let started = Instant::now();
        let rows = history.all(&window).await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len(), seeded.calls.len(), "every call exported");
    }
    let calls = (org.api_usage() - before) as f64 / f64::from(export_runs);
    let cpu = cpu_note(cpu, export_runs as usize);
    summary(
        &format!("all {} calls (CSV export)", seeded.calls.len()),
        samples,
        latency_ms,
        calls,
        cpu,
    );
    org.shutdown().await;
    Ok(())
}
