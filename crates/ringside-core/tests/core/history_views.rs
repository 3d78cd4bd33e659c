//! What the desktop's history view and the CLI get from core over real HTTP against the demo
//! org and a real SQLite queue: the agent's own day with its missed calls and call backs,
//! the table's numbered cursors (refused after an org switch, kept after a failed page),
//! and the charts' cap.

use ringside_core::audit::AuditActor;
use std::sync::Arc;
use std::time::Duration;

use demo_org::{CallLogSeed, seed};
use ringside_core::call_log::{CallLog, Direction, LoggingSettings};
use ringside_core::history::{
    DateBound, History, HistoryCursors, HistoryFilter, HistoryQuery, TABLE_PAGE_SIZE,
};
use ringside_core::outbox::{Outbox, Worker};

use super::outbox::{client, fast_options, temp_home};

fn call(id: &str, at_ms: i64, direction: Direction, from: &str, to: &str) -> CallLog {
    CallLog {
        call_id: id.into(),
        direction,
        from: from.into(),
        to: to.into(),
        started_at_ms: at_ms,
        duration_seconds: 30,
        disposition: None,
        subject: None,
        notes: None,
        who_id: None,
        what_id: None,
        recording_url: None,
        summary: None,
        key_topics: vec![],
        missed: false,
        timing: Default::default(),
        memo: Vec::new(),
        intent_fields: Default::default(),
    }
}

#[tokio::test]
async fn the_agent_day_lists_the_days_calls_and_knows_which_miss_was_called_back() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let home = temp_home("agent-day");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .expect("worker starts");
    let day_start = 1_795_000_000_000_i64;
    let minute = 60_000;
    let yesterday = call(
        "yesterday",
        day_start - 3_600_000,
        Direction::Inbound,
        "+1 212 555 0100",
        "+1 415 555 0100",
    );
    let mut missed = call(
        "missed-called-back",
        day_start + 10 * minute,
        Direction::Inbound,
        "+1 415 555 0123",
        "+1 415 555 0100",
    );
    missed.missed = true;
    missed.duration_seconds = 0;
    let mut still_missed = call(
        "missed-open",
        day_start + 20 * minute,
        Direction::Inbound,
        "+81 3 1234 5678",
        "+1 415 555 0100",
    );
    still_missed.missed = true;
    still_missed.duration_seconds = 0;
    let call_back = call(
        "call-back",
        day_start + 30 * minute,
        Direction::Outbound,
        "+1 415 555 0100",
        "(415) 555-0123",
    );
    for log in [&yesterday, &missed, &still_missed] {
        outbox
            .enqueue(log, AuditActor::Agent)
            .await
            .expect("queued");
    }
    let report = worker.drain(Duration::ZERO).await.expect("drained");
    assert_eq!(
        report.delivered, 3,
        "three calls reach Salesforce: {report:?}"
    );
    // The call back is still in the queue: the day merges it in.
    outbox
        .enqueue(&call_back, AuditActor::Agent)
        .await
        .expect("queued");

    let history = History::for_org(
        client(&org, Duration::from_secs(10)),
        &LoggingSettings::default(),
        Some(&outbox),
        Some(seed::DEMO_USER_ID.into()),
        &ringside_core::outbox::OrgTag::of(None),
    );
    let since = "2026-11-18T11:06:40Z"; // day_start
    assert!(
        matches!(DateBound::parse(since), Ok(DateBound::Instant(ms)) if ms == day_start),
        "the test's day starts where it says"
    );
    let day = history
        .agent_day(since, seed::DEMO_USER_ID)
        .await
        .expect("the day reads");

    let ids: Vec<&str> = day.calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(
        ids,
        ["call-back", "missed-open", "missed-called-back"],
        "today's calls newest first, the queued one merged in, yesterday's left out"
    );
    let missed: Vec<(&str, bool)> = day
        .missed
        .iter()
        .map(|m| (m.call.call_id.as_str(), m.called_back))
        .collect();
    assert_eq!(
        missed,
        [("missed-open", false), ("missed-called-back", true)],
        "the number dialled later counts as called back, in another spelling too"
    );
    assert_eq!(day.agent_id, seed::DEMO_USER_ID);
    assert!(!day.limit_reached);

    let other = history
        .agent_day(since, "005Dm00000000ZZIAA")
        .await
        .expect("another agent's day reads");
    assert!(
        other.calls.is_empty(),
        "another agent's day has none of these: {other:?}"
    );
    let err = history
        .agent_day("this morning", seed::DEMO_USER_ID)
        .await
        .expect_err("a start that is no instant is refused");
    assert_eq!(err.code(), "invalid_input");
    outbox.close().await;
    org.shutdown().await;
}

#[tokio::test]
async fn a_cursor_is_refused_after_an_org_switch_and_kept_after_a_failed_page() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let seeded = org
        .seed_call_logs(&CallLogSeed::new(2 * TABLE_PAGE_SIZE + 50, 5))
        .expect("call logs seed");
    let history = History::new(
        client(&org, Duration::from_secs(10)),
        ringside_core::history::HistorySource::new(&LoggingSettings::default()),
    );
    let filter = HistoryFilter {
        since: Some(DateBound::Instant(seeded.from_ms)),
        until: Some(DateBound::Instant(seeded.until_ms)),
        ..HistoryFilter::default()
    };
    let cursors: HistoryCursors<&str> = HistoryCursors::default();
    let org_a = Arc::new("org a");
    let org_b = Arc::new("org a"); // equal text, another org: compared by identity

    let first = cursors
        .first_page(Arc::clone(&org_a), history.clone(), &filter)
        .await
        .expect("first page");
    assert_eq!(first.rows.len(), TABLE_PAGE_SIZE, "one table page");
    let id = first.cursor.expect("more to come");
    let switched = cursors
        .next_page(id, &org_b)
        .await
        .expect_err("another org's next page would mix two orgs");
    assert_eq!(switched.code(), "org_changed");
    assert_eq!(
        cursors
            .next_page(id, &org_a)
            .await
            .expect_err("used up")
            .code(),
        "cursor_expired",
        "a refused cursor is gone: the view applies its filter again"
    );

    let again = cursors
        .first_page(Arc::clone(&org_a), history.clone(), &filter)
        .await
        .expect("first page again");
    let id = again.cursor.expect("more to come");
    org.faults().fail_next(
        Some("GET"),
        "/services/data",
        1,
        503,
        serde_json::json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}]),
    );
    let failed = cursors
        .next_page(id, &org_a)
        .await
        .expect_err("Salesforce failed the page");
    assert_ne!(failed.code(), "invalid_input", "{failed}");
    let second = cursors
        .next_page(id, &org_a)
        .await
        .expect("the same cursor works once Salesforce answers again");
    assert_eq!(second.rows.len(), TABLE_PAGE_SIZE);
    assert_eq!(
        second
            .rows
            .first()
            .map(|r| r.started_at_ms <= again.rows[TABLE_PAGE_SIZE - 1].started_at_ms),
        Some(true),
        "the second page follows the first"
    );
    assert_eq!(second.total_in_salesforce, Some(seeded.calls.len() as u64));
    org.shutdown().await;
}

#[tokio::test]
async fn the_charts_cover_the_filtered_calls_and_say_they_are_not_capped() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let seeded = org
        .seed_call_logs(&CallLogSeed::new(120, 9))
        .expect("call logs seed");
    let history = History::new(
        client(&org, Duration::from_secs(10)),
        ringside_core::history::HistorySource::new(&LoggingSettings::default()),
    );
    let query = HistoryQuery {
        since: Some(ringside_core::time::iso_datetime(seeded.from_ms)),
        until: Some(ringside_core::time::iso_datetime(seeded.until_ms)),
        direction: Some("inbound".into()),
        ..HistoryQuery::default()
    };
    let filter = query.to_filter().expect("a good form");
    let view = history
        .charts(
            &filter,
            &ringside_core::history::stats_zone(Some("Asia/Tokyo"), 0),
        )
        .await
        .expect("charts");
    let inbound = seeded
        .calls
        .iter()
        .filter(|c| c.direction == "Inbound")
        .count();
    let counted: u64 = view.stats.outcomes.iter().map(|o| u64::from(o.calls)).sum();
    assert_eq!(counted, inbound as u64, "every inbound call counted once");
    assert!(!view.capped);
    assert_eq!(view.cap as usize, ringside_core::history::STATS_CAP);
    org.shutdown().await;
}

/// The UI sends the history filter as JSON with snake_case keys (issue 16, casing). A key the
/// struct does not know, like the old camelCase `matchedObject`, is refused in words instead of
/// dropping that filter and answering with more calls than were asked for.
#[test]
fn history_query_reads_snake_case_keys_and_refuses_unknown_ones() {
    let query: ringside_core::history::HistoryQuery =
        serde_json::from_str(r#"{"matched_object":"Lead","direction":"inbound"}"#)
            .expect("snake_case keys are read");
    assert_eq!(query.matched_object.as_deref(), Some("Lead"));
    assert_eq!(query.direction.as_deref(), Some("inbound"));
    assert_eq!(query.since, None, "a missing key means any");

    let err =
        serde_json::from_str::<ringside_core::history::HistoryQuery>(r#"{"matchedObject":"Lead"}"#)
            .expect_err("a camelCase key must not be dropped silently");
    assert!(
        err.to_string().contains("unknown field `matchedObject`"),
        "the error names the key: {err}"
    );
}
