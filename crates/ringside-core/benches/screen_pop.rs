//! Screen-pop benchmark (DESIGN §8): a call event published on the event
//! stream → the subscriber's pop with its matches, against the demo org over
//! real loopback HTTP, with 0 ms and 50 ms injected latency, uncached and
//! cached. Prints p50/p95/p99/max, the backend overhead above the injected
//! round trip, and the API calls per pop from the demo org's request log. The
//! "+custom" row searches with a custom phone field configured
//! (`[lookup] phone_fields.Contact = ["Work_Phone__c"]`): still one request per pop.
//!
//! Run: `cargo bench -p ringside-core --bench screen_pop` (release build).
//! Not a test: it asserts nothing about time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ringside_core::clock::MonotonicClock;
use ringside_core::events::{
    CallEvent, CallEventKind, CallerId, Direction, EventSource, EventStream,
};
use ringside_core::phone::Region;
use ringside_core::pop::{Pop, ScreenPop};
use ringside_core::settings::CustomPhoneFields;
use ringside_core::{CallerLookup, CallerObject, LookupSettings};

/// Seeded callers in the spellings softphones send.
const CALLERS: &[&str] = &[
    "+14155550123",
    "(415) 555-0123",
    "415.555.0123",
    "+44 20 7946 0958",
    "+49 30 901820",
    "+55 11 91234-5678",
    "+81 3-1234-5678",
    "+1 212 555 0199",
];

struct Row {
    name: String,
    /// The same composite sent bare with the client: network + demo-org work.
    /// (p50, p99) of that bare round trip; `None` for cached runs, which send nothing.
    baseline: Option<(Duration, Duration)>,
    latency: Duration,
    samples: Vec<Duration>,
    api_calls: usize,
    matched: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// The lookup settings of a run: US numbers, with or without a custom Contact phone field.
fn settings(custom_field: bool) -> LookupSettings {
    let settings = LookupSettings::with_region(Region::US);
    if !custom_field {
        return settings;
    }
    let mut fields = CustomPhoneFields::default();
    fields
        .set(CallerObject::Contact, &["Work_Phone__c".to_owned()])
        .expect("a valid API name");
    settings.with_phone_fields(fields)
}

async fn measure(
    name: &str,
    latency: Duration,
    cached: bool,
    custom_field: bool,
    iterations: usize,
) -> Row {
    let org = demo_org::start(demo_org::DemoOrgConfig {
        port: 0,
        latency,
        ..Default::default()
    })
    .await
    .expect("demo org starts");
    let lookup = CallerLookup::connect(
        &org.base_url(),
        org.issue_access_token(),
        settings(custom_field),
    )
    .expect("connects");
    let baseline = if cached {
        None
    } else {
        Some(bare_round_trip(&org, &lookup, iterations).await)
    };
    let mut pop = ScreenPop::new(lookup, Arc::new(MonotonicClock::new()));
    if !cached {
        pop = pop.with_cache_ttl(Duration::ZERO);
    }
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    // Warm up: connection pool, and for the cached run, the cache itself.
    for caller in CALLERS {
        pop.pop(&CallerId::Number((*caller).to_owned())).await;
    }
    org.clear_request_log();
    let mut samples = Vec::with_capacity(iterations);
    let mut matched = 0;
    for i in 0..iterations {
        let event = CallEvent {
            event: CallEventKind::Ring,
            call_id: format!("bench-{i}"),
            from: CallerId::Number(CALLERS[i % CALLERS.len()].to_owned()),
            to: None,
            direction: Direction::Inbound,
            duration_secs: None,
            disposition: None,
            source: EventSource::Local,
        };
        let started = Instant::now();
        stream.publish(event);
        let received = events.recv().await.expect("the event arrives");
        let shown = pop.pop(received.peer()).await;
        samples.push(started.elapsed());
        if let Pop::Searched { result } = &shown {
            matched += usize::from(!result.matches.is_empty());
        } else {
            panic!("the pop failed: {shown:?}");
        }
    }
    let api_calls = org.data_requests().len();
    org.shutdown().await;
    samples.sort();
    Row {
        name: name.to_owned(),
        baseline,
        latency,
        samples,
        api_calls,
        matched,
    }
}

/// p50 and p99 of the bare composite round trip (the request a pop sends, sent by the
/// client alone), so the pop's own overhead can be told from the server's work.
async fn bare_round_trip(
    org: &demo_org::DemoOrg,
    lookup: &CallerLookup,
    iterations: usize,
) -> (Duration, Duration) {
    let client = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token()).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let requests: Vec<_> = CALLERS
        .iter()
        .map(|c| lookup.request_for(c).expect("a request"))
        .collect();
    for request in &requests {
        client.composite(request).await.expect("warm-up");
    }
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let started = Instant::now();
        client
            .composite(&requests[i % requests.len()])
            .await
            .expect("composite works");
        samples.push(started.elapsed());
    }
    samples.sort();
    (percentile(&samples, 50.0), percentile(&samples, 99.0))
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    let rows = vec![
        measure("uncached", Duration::ZERO, false, false, 1000 / scale).await,
        measure("+custom", Duration::ZERO, false, true, 1000 / scale).await,
        measure(
            "uncached",
            Duration::from_millis(50),
            false,
            false,
            200 / scale,
        )
        .await,
        measure("cached", Duration::ZERO, true, false, 20000 / scale).await,
        measure(
            "cached",
            Duration::from_millis(50),
            true,
            false,
            20000 / scale,
        )
        .await,
    ];
    println!("screen pop: call event → matches (demo org on loopback, release build)");
    println!(
        "{:<9} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>12} {:>9} {:>9} {:>13} {:>13} {:>8}",
        "pop",
        "latency",
        "n",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "p99-lat ms",
        "bare p50",
        "bare p99",
        "own p50 ms",
        "API calls/pop",
        "matched"
    );
    for row in &rows {
        let p50 = percentile(&row.samples, 50.0);
        let p99 = percentile(&row.samples, 99.0);
        let (bare50, bare99, own50) = match row.baseline {
            Some((b50, b99)) => (ms(b50), ms(b99), ms(p50.saturating_sub(b50))),
            None => ("-".to_owned(), "-".to_owned(), ms(p50)),
        };
        println!(
            "{:<9} {:>6}ms {:>6} {:>8} {:>8} {:>8} {:>8} {:>12} {:>9} {:>9} {:>13} {:>13.3} {:>7}%",
            row.name,
            row.latency.as_millis(),
            row.samples.len(),
            ms(p50),
            ms(percentile(&row.samples, 95.0)),
            ms(p99),
            ms(*row.samples.last().expect("samples")),
            ms(p99.saturating_sub(row.latency)),
            bare50,
            bare99,
            own50,
            row.api_calls as f64 / row.samples.len() as f64,
            row.matched * 100 / row.samples.len(),
        );
    }
    println!(
        "bare: the same /composite sent by the salesforce client alone (network + demo-org work);"
    );
    println!("own p50: the pop's p50 minus the bare p50 (event stream, parsing, matching, cache).");
}
