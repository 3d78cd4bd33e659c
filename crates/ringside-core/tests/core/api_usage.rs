//! Issue 18's usage record against the real demo org over loopback HTTP and a real SQLite
//! file: Ringside's own count per kind agrees with the org's own count
//! (`GET /__demo/usage`), concurrent writers lose nothing, and above `pause_optional_at`
//! optional requests are not sent.

use ringside_core::audit::AuditActor;
use std::time::Duration;

use demo_org::{DemoOrg, seed};
use ringside_core::api_usage::{
    ApiSettings, RequestKind, UsageRecorder, UsageReport, UsageStore, local_day,
};
use ringside_core::describe_cache::DescribeCache;
use ringside_core::outbox::worker::OrgFilter;
use ringside_core::outbox::{Outbox, Worker};
use ringside_core::{CallerLookup, CallerObject, LookupError, LookupSettings};

use crate::outbox::{call, client, fast_options, temp_home};

async fn org_with_limit(api_limit: u64) -> DemoOrg {
    demo_org::start(demo_org::DemoOrgConfig {
        api_limit,
        ..Default::default()
    })
    .await
    .expect("demo org starts")
}

/// The org's own count and allocation, read the way an admin would: `GET /__demo/usage`.
async fn demo_usage(org: &DemoOrg) -> (u64, u64) {
    let body: serde_json::Value = reqwest::get(format!("{}/__demo/usage", org.base_url()))
        .await
        .expect("/__demo/usage answers")
        .json()
        .await
        .expect("/__demo/usage is JSON");
    (
        body["api_usage"].as_u64().expect("api_usage"),
        body["limit"].as_u64().expect("limit"),
    )
}

#[tokio::test]
async fn ringsides_count_per_kind_matches_the_orgs_own_count() {
    let org = org_with_limit(500).await;
    let home = temp_home("usage-match");
    let store = UsageStore::open_in_home(&home).await.expect("usage file");
    let recorder = UsageRecorder::new(store, "acme");
    let client = client(&org, Duration::from_secs(10));
    assert!(recorder.attach(&client), "the recorder observes the client");
    assert!(
        !recorder.attach(&client.clone()),
        "attaching twice is refused, so nothing is counted twice"
    );

    let lookup = CallerLookup::new(
        client.clone(),
        LookupSettings::with_region(ringside_core::phone::Region::US),
    );
    for _ in 0..3 {
        lookup.lookup(seed::JANE_PHONE).await.expect("pop");
    }
    lookup
        .related_for(CallerObject::Contact, seed::JANE_CALLER_ID)
        .await
        .expect("related records on demand");
    DescribeCache::new(client.clone())
        .describe("Contact")
        .await
        .expect("describe");
    let outbox = Outbox::open_in_home(&home).await.expect("queue");
    outbox
        .enqueue_for(&call("usage-1"), Some("acme"), AuditActor::Agent)
        .await
        .expect("queued");
    let worker = Worker::start(
        outbox.clone(),
        client.clone(),
        Default::default(),
        fast_options(),
    )
    .await
    .expect("worker");
    let drained = worker.drain(Duration::ZERO).await.expect("drain");
    assert_eq!(drained.delivered, 1);

    let report = UsageReport::today(
        &recorder,
        ringside_core::outbox::now_ms(),
        async |start, end| {
            outbox
                .delivered_between(&OrgFilter::for_org(Some("acme")), start, end)
                .await
        },
    )
    .await
    .expect("report");
    let (org_used, org_max) = demo_usage(&org).await;
    assert_eq!(
        report.ringside.today, org_used,
        "Ringside counted exactly the requests the org counted: {report:?}"
    );
    let by_kind = &report.ringside.by_kind;
    assert_eq!(
        (
            by_kind["pop"],
            by_kind["related"],
            by_kind["describe"],
            by_kind["log"]
        ),
        (3, 1, 1, 1),
        "each request under its kind: {by_kind:?}"
    );
    let seen = report.org.expect("the latest header is kept");
    assert_eq!(
        (seen.used, seen.max),
        (org_used, org_max),
        "the kept header is the org's latest count and allocation"
    );
    assert_eq!(report.handled_calls, 1, "one call log delivered today");
    assert_eq!(report.per_call, Some(org_used as f64));

    // Durable: a new process (a new store on the same file) reads the same record.
    let reopened = UsageStore::open_in_home(&home).await.unwrap();
    let stored = reopened.read("acme", &day_now()).await.expect("read back");
    assert_eq!(stored.by_kind[&RequestKind::Pop], 3, "kept in the file");
    org.shutdown().await;
}

#[tokio::test]
async fn writers_in_parallel_on_one_file_lose_and_double_no_count() {
    let home = temp_home("usage-parallel");
    let day = day_now();
    let mut writers = Vec::new();
    // Separate stores are separate SQLite connections, as separate processes would be.
    for _ in 0..4 {
        let store = UsageStore::open_in_home(&home).await.expect("usage file");
        writers.push(tokio::spawn(async move {
            for _ in 0..50 {
                let mut pending = ringside_core::api_usage::Pending::default();
                pending.counts.insert((day_now(), RequestKind::Pop), 1);
                pending.counts.insert((day_now(), RequestKind::Log), 2);
                store.add("acme", &pending).await.expect("written");
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let stored = UsageStore::open_in_home(&home)
        .await
        .unwrap()
        .read("acme", &day)
        .await
        .unwrap();
    assert_eq!(
        (
            stored.by_kind[&RequestKind::Pop],
            stored.by_kind[&RequestKind::Log]
        ),
        (200, 400),
        "4 writers x 50 adds: every count kept once"
    );
}

fn day_now() -> String {
    local_day(ringside_core::outbox::now_ms()).unwrap().0
}

#[tokio::test]
async fn above_the_threshold_optional_requests_are_not_sent() {
    // 20 requests a day; optional requests stop at 90%, i.e. from 18 used.
    let org = org_with_limit(20).await;
    let home = temp_home("usage-governor");
    let recorder = UsageRecorder::new(UsageStore::open_in_home(&home).await.unwrap(), "acme");
    let client = client(&org, Duration::from_secs(10));
    recorder.attach(&client);
    let lookup = CallerLookup::new(
        client.clone(),
        LookupSettings::with_region(ringside_core::phone::Region::US),
    )
    .with_api_settings(ApiSettings::default());
    let describes = DescribeCache::with_max_age(client.clone(), Duration::ZERO)
        .with_api_settings(ApiSettings::default());
    describes.describe("Contact").await.expect("first describe");

    lookup
        .related_for(CallerObject::Contact, seed::JANE_CALLER_ID)
        .await
        .expect("below the threshold related records load");
    while demo_usage(&org).await.0 < 18 {
        lookup.lookup(seed::JANE_PHONE).await.expect("pops go on");
    }
    let before = demo_usage(&org).await.0;
    assert!(
        !lookup.optional_requests().allowed(),
        "the governor pauses at 90%"
    );
    let err = lookup
        .related_for(CallerObject::Contact, seed::JANE_CALLER_ID)
        .await
        .expect_err("related records on demand are held back");
    assert!(
        matches!(err, LookupError::OptionalPaused(_)),
        "held back by the governor: {err}"
    );
    assert!(
        err.to_string().contains("daily API requests"),
        "said in words: {err}"
    );
    describes
        .describe("Contact")
        .await
        .expect("a stale describe is served from the cache");
    assert_eq!(
        demo_usage(&org).await.0,
        before,
        "neither optional request reached the org"
    );
    lookup
        .lookup(seed::JANE_PHONE)
        .await
        .expect("pops still go out above the threshold");
    assert_eq!(demo_usage(&org).await.0, before + 1, "the pop was sent");

    let report = UsageReport::today(&recorder, ringside_core::outbox::now_ms(), async |_, _| {
        Ok::<u64, ringside_core::outbox::OutboxError>(0)
    })
    .await
    .unwrap();
    assert_eq!(
        report.ringside.by_kind["related"], 1,
        "only the related load below the threshold was sent"
    );
    assert_eq!(
        report.ringside.by_kind["describe"], 1,
        "only the first describe was sent"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn above_the_threshold_a_pop_is_served_from_an_older_cached_answer() {
    use ringside_core::clock::ManualClock;
    use ringside_core::pop::{PAUSED_CACHE_MAX_AGE, Pop, ScreenPop};
    use std::sync::Arc;

    let org = org_with_limit(20).await;
    let client = client(&org, Duration::from_secs(10));
    let clock = Arc::new(ManualClock::new());
    let settings = LookupSettings::with_region(ringside_core::phone::Region::US)
        .with_api_settings(ApiSettings::default());
    let pop = ScreenPop::new(CallerLookup::new(client.clone(), settings), clock.clone());
    let searched = |p: Pop| match p {
        Pop::Searched { result } => result,
        other => panic!("the pop searched: {other:?}"),
    };

    let first = searched(pop.pop_number(seed::JANE_PHONE).await);
    assert_eq!(first.api_calls, 1, "the first pop asks Salesforce");
    // Below the threshold a two-minute-old answer is not used: the pop asks again.
    clock.advance(Duration::from_secs(120));
    let again = searched(pop.pop_number(seed::JANE_PHONE).await);
    assert!(!again.cached, "below 90 % a stale answer is not served");
    let asked_at = demo_usage(&org).await.0;

    // Other work takes the org to 90 % of its allocation.
    while demo_usage(&org).await.0 < 18 {
        pop.lookup()
            .lookup(seed::JANE_PHONE)
            .await
            .expect("lookups go on");
    }
    assert!(
        !pop.lookup().optional_requests().allowed(),
        "paused at 90 %"
    );
    clock.advance(Duration::from_secs(5 * 60));
    let before = demo_usage(&org).await.0;
    let paused = searched(pop.pop_number(seed::JANE_PHONE).await);
    assert_eq!(
        demo_usage(&org).await.0,
        before,
        "the five-minute-old answer was served without a request"
    );
    assert!(
        paused.cached && paused.cached_while_paused && paused.api_calls == 0,
        "the pop says it is from the cache because the org is near its allocation: {paused:?}"
    );
    assert_eq!(paused.matches, again.matches, "the same caller");
    assert!(asked_at < before);

    // Past the longer age even a paused org's pop asks Salesforce: pops are never held back.
    clock.advance(PAUSED_CACHE_MAX_AGE);
    let fresh = searched(pop.pop_number(seed::JANE_PHONE).await);
    assert!(!fresh.cached, "too old to serve: searched again");
    assert_eq!(demo_usage(&org).await.0, before + 1);
    org.shutdown().await;
}

/// Sign-in requests are Ringside's requests too: a session renewed after its access token
/// expired is counted as `sign-in` (one per renewal the org's token endpoint answered), the
/// work that waited on it keeps its own kind, and requests sent without a client (a sign-in's
/// code exchange and identity read) are added to the same file.
#[tokio::test]
async fn session_renewals_and_sign_ins_are_counted_as_sign_in() {
    let org = org_with_limit(500).await;
    let home = temp_home("usage-sign-in");
    let sign_in = org.sign_in();
    let session = ringside_core::org_session::open_in_memory(
        &org.base_url(),
        demo_org::DEMO_CLIENT_ID,
        salesforce::AccessToken::new(sign_in.access_token).unwrap(),
        salesforce::oauth::RefreshToken::new(sign_in.refresh_token).unwrap(),
        salesforce::ApiVersion::default(),
    )
    .expect("session");
    let recorder = UsageRecorder::new(UsageStore::open_in_home(&home).await.unwrap(), "acme");
    assert!(recorder.attach(&session.client));
    let lookup = CallerLookup::new(
        session.client.clone(),
        LookupSettings::with_region(ringside_core::phone::Region::US),
    );
    let renewals_before = org.oauth_counts().refresh_token;
    org.faults().expire_tokens();
    let found =
        ringside_core::api_usage::as_kind(RequestKind::Pop, lookup.lookup(seed::JANE_PHONE))
            .await
            .expect("renewed, then found");
    assert_eq!(found.api_calls, 2, "the 401 and the resend");
    assert_eq!(org.oauth_counts().refresh_token - renewals_before, 1);
    ringside_core::api_usage::count_in_home(&home, "acme", RequestKind::SignIn, 2).await;
    recorder.flush().await.expect("written");

    let stored = UsageStore::open_in_home(&home)
        .await
        .unwrap()
        .read("acme", &day_now())
        .await
        .unwrap();
    assert_eq!(
        stored.by_kind.get(&RequestKind::SignIn).copied(),
        Some(3),
        "one renewal seen by the org's token endpoint + the two requests of a sign-in: {:?}",
        stored.by_kind
    );
    assert_eq!(
        stored.by_kind.get(&RequestKind::Pop).copied(),
        Some(2),
        "the pop's own two requests stay the pop's: {:?}",
        stored.by_kind
    );
    org.shutdown().await;
}

#[tokio::test]
async fn the_budget_today_says_when_nothing_is_counted_and_decides_from_the_latest_usage() {
    use ringside_core::api_budget::{BudgetError, OrgFigures, budget_today};
    use ringside_core::outbox::OrgTag;

    let tag = OrgTag::of(Some("acme"));
    let now = ringside_core::outbox::now_ms();
    let err = budget_today(None, None, &tag, ApiSettings::default(), None, now)
        .await
        .expect_err("without a usage count there is no budget to show");
    assert!(
        matches!(err, BudgetError::NotCounted),
        "the missing count is named: {err:?}"
    );
    assert_eq!(
        err.code(),
        "usage_unavailable",
        "the UI's budget view branches on this code"
    );
    assert!(
        err.to_string().contains("api-usage.db"),
        "the sentence names the file to check: {err}"
    );

    let home = temp_home("budget-today");
    let store = UsageStore::open_in_home(&home).await.expect("usage file");
    let recorder = UsageRecorder::new(store, tag.as_str());
    let view = budget_today(
        Some(recorder.as_ref()),
        None,
        &tag,
        ApiSettings::default(),
        Some(salesforce::LimitInfo { used: 95, max: 100 }),
        now,
    )
    .await
    .expect("a fresh usage file gives today's budget");
    assert_eq!(
        view.org,
        Some(OrgFigures { used: 95, max: 100 }),
        "the client's latest Sforce-Limit-Info is the org's figure"
    );
    assert!(
        !view.optional.allowed(),
        "95 % is over the default pause_optional_at, so optional requests pause"
    );
    assert_eq!(
        (view.ringside_today, view.handled_calls),
        (0, 0),
        "nothing was counted or delivered yet"
    );
}
