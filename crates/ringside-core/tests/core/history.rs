//! Call history against the demo org over real HTTP, seeded with thousands of call logs
//! across agents and dates: every filter gives exactly the seeded calls it should, pages
//! follow `nextRecordsUrl`, the first page is one API call, calls still in a real SQLite
//! queue (pending, dead) merge in once, and bad input is refused before any request.

use ringside_core::audit::AuditActor;
use std::collections::HashSet;
use std::time::Duration;

use demo_org::call_log_seed::SeededCall;
use demo_org::{CallLogSeed, DemoOrg, SeededCallLogs, seed};
use ringside_core::call_log::{CallLog, Direction, LoggingSettings};
use ringside_core::history::{
    DateBound, DeliveryState, History, HistoryError, HistoryFilter, HistoryRow, HistorySource,
    HistoryStats, MatchedObject, history_csv,
};
use ringside_core::outbox::{Outbox, Worker};

use super::outbox::{client, fast_options, temp_home};

/// A demo org with `count` generated calls (seed `seed`) and a client for it.
async fn seeded_org(count: usize, seed: u64) -> (DemoOrg, SeededCallLogs, History) {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let seeded = org
        .seed_call_logs(&CallLogSeed::new(count, seed))
        .expect("call logs seed");
    let history = History::new(
        client(&org, Duration::from_secs(30)),
        HistorySource::new(&LoggingSettings::default()),
    );
    (org, seeded, history)
}

/// The seeded window, so the default seed's own few call logs stay out.
fn window(seeded: &SeededCallLogs) -> HistoryFilter {
    HistoryFilter {
        since: Some(DateBound::Instant(seeded.from_ms)),
        until: Some(DateBound::Instant(seeded.until_ms)),
        ..Default::default()
    }
}

/// The seeded calls a filter should return, newest first (ties: newest record first, as
/// `ORDER BY … DESC, Id DESC` orders them).
fn expected(seeded: &SeededCallLogs, keep: impl Fn(&SeededCall) -> bool) -> Vec<&SeededCall> {
    let mut calls: Vec<&SeededCall> = seeded.calls.iter().filter(|c| keep(c)).collect();
    calls.sort_by(|a, b| {
        b.started_at_ms
            .cmp(&a.started_at_ms)
            .then_with(|| b.call_log_id.cmp(&a.call_log_id))
    });
    calls
}

fn ids(rows: &[HistoryRow]) -> Vec<&str> {
    rows.iter().map(|r| r.call_id.as_str()).collect()
}

fn expected_ids<'a>(calls: &[&'a SeededCall]) -> Vec<&'a str> {
    calls.iter().map(|c| c.call_id.as_str()).collect()
}

#[tokio::test]
async fn each_filter_returns_exactly_its_calls_newest_first() {
    let (org, seeded, history) = seeded_org(1500, 11).await;
    let day = 86_400_000;
    let agent = seeded
        .agents
        .iter()
        .find(|a| a.id != seed::DEMO_USER_ID)
        .expect("a seeded agent besides the demo user")
        .clone();
    let week_from = seeded.until_ms - 10 * day;
    let week_until = seeded.until_ms - 3 * day;
    type Keep = Box<dyn Fn(&SeededCall) -> bool>;
    let cases: Vec<(&str, HistoryFilter, Keep)> = vec![
        ("window", window(&seeded), Box::new(|_| true)),
        (
            "agent",
            HistoryFilter {
                agent: Some(agent.id.clone()),
                ..window(&seeded)
            },
            Box::new({
                let id = agent.id.clone();
                move |c| c.owner_id == id
            }),
        ),
        (
            "date range",
            HistoryFilter {
                since: Some(DateBound::Instant(week_from)),
                until: Some(DateBound::Instant(week_until)),
                ..Default::default()
            },
            Box::new(move |c| (week_from..week_until).contains(&c.started_at_ms)),
        ),
        (
            "direction",
            HistoryFilter {
                direction: Some(Direction::Outbound),
                ..window(&seeded)
            },
            Box::new(|c| c.direction == "Outbound"),
        ),
        (
            "disposition, any case",
            HistoryFilter {
                disposition: Some("left VOICEMAIL".into()),
                ..window(&seeded)
            },
            Box::new(|c| c.disposition == "Left voicemail"),
        ),
        (
            "lead",
            HistoryFilter {
                matched_object: Some(MatchedObject::Lead),
                ..window(&seeded)
            },
            Box::new(|c| c.matched_object == Some("Lead")),
        ),
        (
            "account alone",
            HistoryFilter {
                matched_object: Some(MatchedObject::Account),
                ..window(&seeded)
            },
            Box::new(|c| c.matched_object == Some("Account")),
        ),
        (
            "everything at once",
            HistoryFilter {
                agent: Some(agent.id.clone()),
                direction: Some(Direction::Inbound),
                disposition: Some("Connected".into()),
                matched_object: Some(MatchedObject::Contact),
                ..window(&seeded)
            },
            Box::new({
                let id = agent.id.clone();
                move |c| {
                    c.owner_id == id
                        && c.direction == "Inbound"
                        && c.disposition == "Connected"
                        && c.matched_object == Some("Contact")
                }
            }),
        ),
    ];
    for (name, filter, keep) in cases {
        let want = expected(&seeded, keep);
        assert!(
            !want.is_empty(),
            "{name}: the seed must give this filter something to find"
        );
        let rows = history.all(&filter).await.expect("history reads");
        assert_eq!(
            ids(&rows),
            expected_ids(&want),
            "{name}: exactly the seeded calls, newest first"
        );
    }

    // One row checked field by field against what was seeded.
    let rows = history.all(&window(&seeded)).await.expect("history reads");
    let call = seeded
        .calls
        .iter()
        .find(|c| {
            c.matched_object == Some("Contact") && c.notes.is_some() && c.duration_seconds > 0
        })
        .expect("a matched, answered call with notes");
    let row = rows
        .iter()
        .find(|r| r.call_id == call.call_id)
        .expect("the call is in the history");
    assert_eq!(row.delivery, DeliveryState::Delivered);
    assert_eq!(
        row.started_at_ms, call.started_at_ms,
        "start to the millisecond"
    );
    assert_eq!(row.duration_seconds, call.duration_seconds);
    assert_eq!(row.disposition.as_deref(), Some(call.disposition));
    assert_eq!(
        row.notes, call.notes,
        "the Task's notes come in the same query"
    );
    assert!(
        row.subject
            .as_deref()
            .is_some_and(|s| s.starts_with("Call")),
        "the Task's subject: {row:?}"
    );
    assert_eq!(row.task_id, call.task_id, "the Task's id");
    assert_eq!(row.call_log_id.as_deref(), Some(call.call_log_id.as_str()));
    let matched = row.matched.as_ref().expect("matched record");
    assert_eq!(matched.object, MatchedObject::Contact);
    assert_eq!(
        matched.name, call.matched_name,
        "the Contact's name comes along"
    );
    let owner = row.owner.as_ref().expect("owner");
    assert_eq!(owner.id, call.owner_id);
    let agent_name = seeded
        .agents
        .iter()
        .find(|a| a.id == call.owner_id)
        .map(|a| a.name.clone());
    assert_eq!(owner.name, agent_name, "the owner's name comes along");
    assert!(
        rows.iter()
            .filter_map(|r| r.matched.as_ref()?.name.as_deref())
            .any(|n| !n.is_ascii()),
        "non-Latin names come back as stored"
    );

    let stats = HistoryStats::from_rows(&rows, 0);
    assert_eq!(stats.calls as usize, seeded.calls.len());
    assert_eq!(
        stats.per_hour.iter().sum::<u32>() as usize,
        seeded.calls.len()
    );
    assert_eq!(
        stats.per_agent.iter().map(|a| a.calls).sum::<u32>() as usize,
        seeded.calls.len(),
        "every call counted for one agent"
    );
    assert_eq!(
        stats.longest.as_ref().map(|l| l.duration_seconds),
        seeded.calls.iter().map(|c| c.duration_seconds).max()
    );
    org.shutdown().await;
}

#[tokio::test]
async fn pages_follow_next_records_url_and_the_first_costs_one_call() {
    let (org, seeded, history) = seeded_org(2600, 5).await;
    let filter = HistoryFilter {
        page_size: Some(500),
        ..window(&seeded)
    };
    let usage = org.api_usage();
    let mut page = history.first_page(&filter).await.expect("first page");
    assert_eq!(page.api_calls, 1, "the first page is one API call");
    assert_eq!(org.api_usage() - usage, 1, "and the org counted one");
    assert_eq!(page.rows.len(), 500, "page size honoured");
    assert_eq!(
        page.total_in_salesforce, None,
        "one page asked for: the total is not known yet"
    );
    let mut rows = std::mem::take(&mut page.rows);
    let mut calls = page.api_calls;
    let mut pages = 1;
    while let Some(cursor) = page.next.take() {
        page = history.next_page(cursor).await.expect("next page");
        calls += page.api_calls;
        pages += 1;
        assert_eq!(
            page.total_in_salesforce,
            Some(2600),
            "known from the second page on"
        );
        assert!(page.rows.len() <= 500, "no page beyond its size");
        assert!(!page.rows.is_empty(), "no empty page before the end");
        rows.append(&mut page.rows);
    }
    assert_eq!(pages, 6, "2600 rows in pages of 500");
    assert_eq!(
        calls, 3,
        "the small first page, the full query (a 2000-row batch), one nextRecordsUrl"
    );
    let requests = org.data_requests();
    assert!(
        requests.iter().any(|r| r.path.contains("/query/01g")),
        "the second batch came from nextRecordsUrl: {requests:?}"
    );
    let unique: HashSet<&str> = ids(&rows).into_iter().collect();
    assert_eq!(unique.len(), 2600, "no call repeated or lost across pages");
    assert_eq!(
        ids(&rows),
        expected_ids(&expected(&seeded, |_| true)),
        "newest first across page boundaries"
    );
    let usage = org.api_usage();
    let all = history.all(&window(&seeded)).await.expect("all pages");
    assert_eq!(all, rows, "all() gives what paging gives");
    assert_eq!(
        org.api_usage() - usage,
        2,
        "an export is one call per 2000 rows"
    );

    let limited = history
        .all(&HistoryFilter {
            limit: Some(30),
            ..window(&seeded)
        })
        .await
        .expect("limited");
    assert_eq!(ids(&limited), ids(&rows[..30]), "a limit keeps the newest");

    // A limit beyond the first page, and calls logged while the lead scrolls: the pages
    // stay the history as it was when the view opened, without repeats or gaps.
    let filter = HistoryFilter {
        page_size: Some(300),
        limit: Some(700),
        ..window(&seeded)
    };
    let mut page = history.first_page(&filter).await.expect("first page");
    org.seed_call_logs(&CallLogSeed {
        days: 1,
        until_ms: Some(seeded.until_ms),
        ..CallLogSeed::new(5, 99)
    })
    .expect("calls logged meanwhile");
    let mut scrolled = std::mem::take(&mut page.rows);
    while let Some(cursor) = page.next.take() {
        page = history.next_page(cursor).await.expect("next page");
        scrolled.append(&mut page.rows);
    }
    assert_eq!(
        ids(&scrolled),
        ids(&rows[..700]),
        "700 rows, as of the first page"
    );
    org.shutdown().await;
}

fn local_call(id: &str, started_at_ms: i64, direction: Direction) -> CallLog {
    CallLog {
        call_id: id.into(),
        direction,
        from: "+81 3-1234-5678".into(),
        to: "+1 415 555 0100".into(),
        started_at_ms,
        duration_seconds: 42,
        disposition: Some("Connected".into()),
        subject: None,
        notes: Some("山田様: 見積もり".into()),
        who_id: Some(seed::YAMADA_CONTACT_ID.into()),
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
async fn pending_and_dead_calls_merge_in_once() {
    let (org, seeded, history) = seeded_org(300, 3).await;
    let home = temp_home("history-merge");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .expect("worker starts");
    let newest = expected(&seeded, |_| true);
    let mid = newest[100].started_at_ms;

    // A dead letter: its WhoId does not exist, a permanent error.
    let mut dead = local_call("local-dead", mid + 1, Direction::Inbound);
    dead.who_id = Some("003Dm00000000ZZIAA".into());
    outbox.enqueue(&dead, AuditActor::Agent).await.unwrap();
    let report = worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.dead, 1, "the bad log dead-letters: {report:?}");
    // A pending call, newer than everything in Salesforce.
    let pending = local_call("local-pending", seeded.until_ms - 1, Direction::Outbound);
    outbox.enqueue(&pending, AuditActor::Agent).await.unwrap();
    // An update of a call Salesforce already has, not sent yet: its twin.
    let twin_of = newest[10];
    let mut update = local_call(&twin_of.call_id, twin_of.started_at_ms, Direction::Inbound);
    update.notes = Some("update not sent yet".into());
    outbox.enqueue(&update, AuditActor::Agent).await.unwrap();

    let merged = history
        .clone()
        .with_outbox(outbox.clone(), Some(seed::DEMO_USER_ID.into()));
    let rows = merged.all(&window(&seeded)).await.expect("merged history");
    assert_eq!(
        rows.len(),
        seeded.calls.len() + 2,
        "two local-only calls; the twin once"
    );
    assert!(
        rows.windows(2)
            .all(|w| w[0].started_at_ms >= w[1].started_at_ms),
        "one timeline, newest first"
    );
    assert_eq!(
        rows[0].call_id, "local-pending",
        "the newest call is the queued one"
    );
    assert_eq!(rows[0].delivery, DeliveryState::Pending);
    assert_eq!(
        rows[0].owner.as_ref().map(|o| o.id.as_str()),
        Some(seed::DEMO_USER_ID)
    );
    let dead_row = rows
        .iter()
        .find(|r| r.call_id == "local-dead")
        .expect("dead call shown");
    assert_eq!(dead_row.delivery, DeliveryState::Dead);
    assert!(
        dead_row
            .delivery_error
            .as_deref()
            .is_some_and(|e| !e.is_empty()),
        "the dead letter carries its error: {dead_row:?}"
    );
    let twins: Vec<&HistoryRow> = rows
        .iter()
        .filter(|r| r.call_id == twin_of.call_id)
        .collect();
    assert_eq!(twins.len(), 1, "a call in both places appears once");
    assert_eq!(
        twins[0].delivery,
        DeliveryState::Pending,
        "its update is not delivered yet"
    );
    assert_eq!(
        twins[0].notes.as_deref(),
        Some("update not sent yet"),
        "the agent's latest words"
    );
    assert_eq!(
        twins[0].call_log_id.as_deref(),
        Some(twin_of.call_log_id.as_str()),
        "Salesforce's record id stays"
    );

    // Filters apply to local calls too.
    let outbound = merged
        .all(&HistoryFilter {
            direction: Some(Direction::Outbound),
            ..window(&seeded)
        })
        .await
        .unwrap();
    assert!(outbound.iter().any(|r| r.call_id == "local-pending"));
    assert!(
        !outbound.iter().any(|r| r.call_id == "local-dead"),
        "an inbound queued call is not outbound"
    );
    let other_agent = seeded
        .agents
        .iter()
        .find(|a| a.id != seed::DEMO_USER_ID)
        .unwrap();
    let theirs = merged
        .all(&HistoryFilter {
            agent: Some(other_agent.id.clone()),
            ..window(&seeded)
        })
        .await
        .unwrap();
    assert!(
        theirs
            .iter()
            .all(|r| r.delivery == DeliveryState::Delivered || r.call_id == twin_of.call_id),
        "this user's queued calls are not another agent's"
    );
    let leads = merged
        .all(&HistoryFilter {
            matched_object: Some(MatchedObject::Lead),
            ..window(&seeded)
        })
        .await
        .unwrap();
    assert!(
        !leads.iter().any(|r| r.call_id.starts_with("local-")),
        "queued calls were with a Contact"
    );
    let stats = HistoryStats::from_rows(&rows, 0);
    assert_eq!(
        (stats.pending, stats.dead),
        (2, 1),
        "the charts count what is not delivered"
    );

    // A call queued for another org never shows in this org's history.
    let elsewhere = local_call("local-other-org", seeded.until_ms - 2, Direction::Inbound);
    outbox
        .enqueue_for(&elsewhere, Some("other-org"), AuditActor::Agent)
        .await
        .unwrap();
    let this_org = merged
        .clone()
        .only_org(ringside_core::outbox::DEMO_ORG_TAG)
        .all(&window(&seeded))
        .await
        .unwrap();
    assert!(
        !this_org.iter().any(|r| r.call_id == "local-other-org"),
        "another org's queued call stays out"
    );
    assert_eq!(
        this_org.len(),
        rows.len(),
        "untagged queued calls still show"
    );
    let every_org = merged.all(&window(&seeded)).await.unwrap();
    assert!(
        every_org.iter().any(|r| r.call_id == "local-other-org"),
        "without only_org the whole queue shows"
    );

    // The page cursor merges the same way.
    let first = merged
        .clone()
        .only_org(ringside_core::outbox::DEMO_ORG_TAG)
        .first_page(&HistoryFilter {
            page_size: Some(5),
            ..window(&seeded)
        })
        .await
        .unwrap();
    assert_eq!(first.rows[0].call_id, "local-pending");
    assert_eq!(
        first.local_undelivered, 3,
        "pending, dead and the twin; not the other org's"
    );
    assert_eq!(first.api_calls, 1, "the local queue costs no API call");
    let csv = history_csv(&rows);
    assert!(
        csv.contains("local-dead") && csv.contains(",dead,"),
        "the CSV says which calls are dead"
    );
    drop(worker);
    org.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let (org, _seeded, history) = seeded_org(10, 1).await;
    org.clear_request_log();
    let usage = org.api_usage();
    for text in [
        "2026-02-30",
        "last week",
        "2026-10-01T10:00:00",
        "2026-10-01' OR Id != null",
    ] {
        assert!(
            matches!(DateBound::parse(text), Err(HistoryError::Date(_))),
            "{text:?} is refused as a date"
        );
    }
    let hostile = [
        HistoryFilter {
            disposition: Some("Connected' OR Name LIKE '%".into()),
            ..Default::default()
        },
        HistoryFilter {
            disposition: Some("x\\' OR OwnerId != null".into()),
            ..Default::default()
        },
        HistoryFilter {
            agent: Some("005' OR OwnerId != '".into()),
            ..Default::default()
        },
        HistoryFilter {
            since: Some(DateBound::Day(20_400)),
            until: Some(DateBound::Day(20_399)),
            ..Default::default()
        },
        HistoryFilter {
            page_size: Some(5000),
            ..Default::default()
        },
    ];
    for filter in hostile {
        let err = history.first_page(&filter).await.expect_err("refused");
        assert!(
            matches!(
                err,
                HistoryError::Disposition(_)
                    | HistoryError::Agent(_)
                    | HistoryError::EmptyRange
                    | HistoryError::PageSize(_)
            ),
            "a typed input error, not a Salesforce one: {err}"
        );
        assert!(!err.to_string().is_empty());
    }
    assert!(org.data_requests().is_empty(), "nothing reached the org");
    assert_eq!(org.api_usage(), usage, "no API call spent");

    let source = HistorySource {
        task_relationship: "Tasks__r) FROM Task --".into(),
        ..Default::default()
    };
    let err = History::new(client(&org, Duration::from_secs(5)), source)
        .first_page(&HistoryFilter::default())
        .await
        .expect_err("a bad name is refused");
    assert!(matches!(err, HistoryError::Name { .. }), "{err}");
    assert!(org.data_requests().is_empty(), "nothing reached the org");
    org.shutdown().await;
}

#[tokio::test]
async fn an_agent_without_view_all_data_sees_only_their_own_calls() {
    // Call logs and Tasks are private in the demo org: an agent's token sees the agent's
    // own calls, whatever the filter asks; the admin (demo user, "View All Data") sees all.
    let (org, seeded, admin_history) = seeded_org(1_200, 11).await;
    let agent = seeded
        .agents
        .iter()
        .find(|a| a.id != seed::DEMO_USER_ID && seeded.calls.iter().any(|c| c.owner_id == a.id))
        .expect("a seeded agent who owns calls")
        .id
        .clone();
    let client = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token_as(&agent)).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let history = History::new(client, HistorySource::new(&LoggingSettings::default()));
    let own = expected(&seeded, |c| c.owner_id == agent);
    assert!(
        own.len() < seeded.calls.len() && !own.is_empty(),
        "the agent owns some calls, not all"
    );
    let rows = history
        .all(&window(&seeded))
        .await
        .expect("the agent's history");
    assert_eq!(
        ids(&rows),
        expected_ids(&own),
        "exactly the agent's own calls, newest first"
    );
    let other = seeded
        .agents
        .iter()
        .find(|a| a.id != agent)
        .expect("another agent")
        .id
        .clone();
    let asked_for_other = history
        .all(&HistoryFilter {
            agent: Some(other),
            ..window(&seeded)
        })
        .await
        .expect("filtering by another agent is allowed");
    assert!(
        asked_for_other.is_empty(),
        "another agent's calls stay hidden even when asked for by owner"
    );
    let page = history
        .first_page(&window(&seeded))
        .await
        .expect("first page");
    assert!(
        page.rows
            .iter()
            .all(|r| r.owner.as_ref().is_some_and(|o| o.id == agent)),
        "the first page too"
    );
    let all = admin_history
        .all(&window(&seeded))
        .await
        .expect("the admin's history");
    assert_eq!(
        all.len(),
        seeded.calls.len(),
        "View All Data sees every call"
    );
    org.shutdown().await;
}

/// `(call id, call-log id, start)` of every call in the seeded window, plus `extra`, in the
/// history's order (newest first, ties: newest record first).
fn order_of(seeded: &SeededCallLogs, extra: &[(String, String, i64)]) -> Vec<String> {
    let mut all: Vec<(String, String, i64)> = seeded
        .calls
        .iter()
        .map(|c| (c.call_id.clone(), c.call_log_id.clone(), c.started_at_ms))
        .chain(extra.iter().cloned())
        .collect();
    all.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| b.1.cmp(&a.1)));
    all.into_iter().map(|(call_id, _, _)| call_id).collect()
}

/// Adds call logs that tie with the seeded call at `index` of the history's order: six at
/// its very instant and two more in the same second, so the 2000-row batch boundary falls
/// inside a run of equal sort keys. Returns `(call id, call-log id, start)` of each.
async fn ties_around(
    org: &DemoOrg,
    seeded: &SeededCallLogs,
    index: usize,
) -> Vec<(String, String, i64)> {
    let at = expected(seeded, |_| true)[index].started_at_ms;
    let second = at.div_euclid(1000) * 1000;
    let client = client(org, Duration::from_secs(30));
    let mut made = Vec::new();
    for (n, ms) in [at, at, at, at, at, at, second, second + 999]
        .into_iter()
        .enumerate()
    {
        let call_id = format!("tie-{n}");
        let created = client
            .create(
                "Call_Log__c",
                &serde_json::json!({
                    "External_Id__c": call_id,
                    "Direction__c": "Inbound",
                    "Started_At__c": ringside_core::time::iso_datetime(ms),
                    "Duration_Seconds__c": 30.0,
                }),
            )
            .await
            .expect("a tying call log is created");
        made.push((call_id, created.id, ms));
    }
    made
}

/// Pages through `filter`, calling `meanwhile` once after the second page (when the full
/// query's cursor is open and its first batch is buffered); returns the rows and the API
/// calls the pages reported.
async fn page_through<F, Fut>(
    history: &History,
    filter: &HistoryFilter,
    meanwhile: F,
) -> (Vec<HistoryRow>, u64)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut page = history.first_page(filter).await.expect("first page");
    let mut rows = std::mem::take(&mut page.rows);
    let mut calls = page.api_calls;
    let mut meanwhile = Some(meanwhile);
    while let Some(cursor) = page.next.take() {
        page = history
            .next_page(cursor)
            .await
            .expect("load more never shows the user an error");
        calls += page.api_calls;
        rows.append(&mut page.rows);
        if let Some(f) = meanwhile.take() {
            f().await;
        }
    }
    (rows, calls)
}

#[tokio::test]
async fn load_more_survives_a_query_locator_that_expired() {
    let (org, seeded, history) = seeded_org(2600, 21).await;
    // The full query's first batch is rows 0..2000: put a run of ties across row 2000.
    let ties = ties_around(&org, &seeded, 1997).await;
    let filter = HistoryFilter {
        page_size: Some(500),
        ..window(&seeded)
    };
    let want = order_of(&seeded, &ties);
    let (rows, calls) = page_through(&history, &filter, || async {}).await;
    assert_eq!(ids(&rows), want, "without expiry: every call, newest first");
    assert_eq!(calls, 3, "first page, full query, one nextRecordsUrl");

    org.clear_request_log();
    let (rows, calls) = page_through(&history, &filter, || async {
        org.advance_clock(Duration::from_secs(16 * 60));
    })
    .await;
    assert_eq!(
        ids(&rows),
        want,
        "16 minutes later the same rows in the same order: none twice, none missing, ties included"
    );
    let unique: HashSet<&str> = ids(&rows).into_iter().collect();
    assert_eq!(unique.len(), rows.len(), "no call shown twice");
    assert_eq!(
        calls, 4,
        "one call more than without expiry: the refused nextRecordsUrl (the re-query takes the place of the batch it would have given)"
    );
    let requests = org.data_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path.contains("/query/01g") && r.status == 400),
        "the locator really was refused: {requests:?}"
    );
    let requery = requests
        .iter()
        .filter_map(|r| r.query.as_deref())
        .filter(|q| q.contains("Started_At__c+%3C") || q.contains("Started_At__c%20%3C"))
        .count();
    assert!(
        requery >= 1,
        "the re-query asks only for rows from the last row's second on: {requests:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn load_more_survives_eleven_other_cursors_opened_meanwhile() {
    let (org, seeded, history) = seeded_org(2600, 22).await;
    let ties = ties_around(&org, &seeded, 1999).await;
    let filter = HistoryFilter {
        page_size: Some(500),
        ..window(&seeded)
    };
    let want = order_of(&seeded, &ties);
    let other = client(&org, Duration::from_secs(30));
    let (rows, calls) = page_through(&history, &filter, || async {
        // Another part of the app (or an export) as the same user, opening 11 cursors:
        // the history's is the oldest and is released.
        for _ in 0..11 {
            let page: salesforce::QueryPage<salesforce::Record> = other
                .query("SELECT Id FROM Call_Log__c ORDER BY Id")
                .await
                .expect("another query");
            assert!(!page.done, "each leaves a cursor open");
        }
    })
    .await;
    assert_eq!(
        ids(&rows),
        want,
        "the same rows as without the other cursors: none twice, none missing"
    );
    assert_eq!(
        calls, 4,
        "one call more: the refused locator (the re-query replaces its batch)"
    );

    // Export (History::all, what `ringside history` and the CSV export use) takes the
    // same path. Its pages follow each other at once, so the refusal is injected: the same
    // status and body the org gives a dead locator.
    org.clear_request_log();
    org.faults().fail_next(
        Some("GET"),
        "/services/data/v66.0/query/01g",
        1,
        400,
        serde_json::json!([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]),
    );
    let all = history.all(&window(&seeded)).await.expect("export");
    assert_eq!(ids(&all), want, "the export survives a dead locator too");
    let sent: Vec<(String, u16)> = org
        .data_requests()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(
        sent.len(),
        3,
        "the full query, the refused locator, one re-query: {sent:?}"
    );
    assert!(
        sent[1].0.contains("/query/01g") && sent[1].1 == 400 && sent[2].0.ends_with("/query"),
        "the locator was refused, then the history queried again: {sent:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn key_topics_come_back_in_the_history_its_json_and_csv() {
    let (org, seeded, history) = seeded_org(120, 17).await;
    let home = temp_home("history-topics");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let mut queued = local_call("local-topics", seeded.until_ms - 1, Direction::Inbound);
    queued.key_topics = vec!["Renewal".into(), "Pricing".into()];
    outbox.enqueue(&queued, AuditActor::Agent).await.unwrap();
    let rows = history
        .clone()
        .with_outbox(outbox.clone(), Some(seed::DEMO_USER_ID.into()))
        .all(&window(&seeded))
        .await
        .expect("history");
    let local = rows.iter().find(|r| r.call_id == "local-topics").unwrap();
    assert_eq!(
        local.key_topics,
        ["Renewal", "Pricing"],
        "a queued call's topics"
    );
    // The seeds give a key topic with each summary, from the call log's Key_Topics__c.
    let from_salesforce: Vec<&HistoryRow> = rows
        .iter()
        .filter(|r| !r.key_topics.is_empty() && r.call_id != "local-topics")
        .collect();
    assert!(
        !from_salesforce.is_empty(),
        "some seeded calls carry topics"
    );
    for row in &from_salesforce {
        assert!(row.summary.is_some(), "topics come with a summary: {row:?}");
        assert!(
            ["Pricing", "Billing", "Demo", "Support"].contains(&row.key_topics[0].as_str()),
            "{row:?}"
        );
    }
    let json = serde_json::to_value(local).unwrap();
    assert_eq!(
        json["key_topics"],
        serde_json::json!(["Renewal", "Pricing"])
    );
    let csv = history_csv(&rows);
    let header = csv.lines().next().unwrap();
    // key_topics came after the older columns; only the allowance flag and the memo were
    // added after it.
    assert!(
        header.ends_with(",key_topics,held_for_allowance,memo"),
        "{header}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("local-topics,") && l.ends_with(",\"Renewal; Pricing\",false,")),
        "the CSV row carries them: {csv}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_logged_memo_comes_back_in_the_history_its_json_and_csv() {
    let (org, seeded, plain_history) = seeded_org(40, 29).await;
    let mut logging = LoggingSettings::default();
    logging.call_log.memo = "Memo__c".into();
    let history = History::new(
        client(&org, Duration::from_secs(30)),
        HistorySource::new(&logging),
    );
    let home = temp_home("history-memo");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        logging.clone(),
        fast_options(),
    )
    .await
    .expect("worker starts");
    let mut sent = local_call("memo-sent", seeded.until_ms - 2, Direction::Inbound);
    sent.memo = vec!["Pricing".into(), "Demo requested".into()];
    outbox.enqueue(&sent, AuditActor::Agent).await.unwrap();
    let report = worker.drain(Duration::ZERO).await.unwrap();
    assert_eq!(report.delivered, 1, "the memo's log lands: {report:?}");
    let mut queued = local_call("memo-queued", seeded.until_ms - 1, Direction::Outbound);
    queued.memo = vec!["Budget confirmed".into()];
    outbox.enqueue(&queued, AuditActor::Agent).await.unwrap();

    let rows = history
        .clone()
        .with_outbox(outbox.clone(), Some(seed::DEMO_USER_ID.into()))
        .all(&window(&seeded))
        .await
        .expect("history");
    let row = |id: &str| rows.iter().find(|r| r.call_id == id).unwrap();
    assert_eq!(
        row("memo-sent").delivery,
        DeliveryState::Delivered,
        "read back from Salesforce"
    );
    assert_eq!(
        row("memo-sent").memo,
        ["Pricing", "Demo requested"],
        "Memo__c's ';'-joined values, split again"
    );
    assert_eq!(
        row("memo-queued").memo,
        ["Budget confirmed"],
        "a queued call's memo"
    );
    assert_eq!(
        serde_json::to_value(row("memo-sent")).unwrap()["memo"],
        serde_json::json!(["Pricing", "Demo requested"]),
        "the JSON the CLI and the window read"
    );
    let csv = history_csv(&rows);
    assert!(
        csv.lines().next().unwrap().ends_with(",memo"),
        "the memo column, added last"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("memo-sent,") && l.ends_with(",\"Pricing; Demo requested\"")),
        "the CSV row carries it: {csv}"
    );
    // With no memo field configured (the default), the history does not select one: an org
    // without Memo__c keeps its history, and the row's memo is empty.
    let plain = plain_history.all(&window(&seeded)).await.expect("history");
    let sent_plain = plain.iter().find(|r| r.call_id == "memo-sent").unwrap();
    assert!(sent_plain.memo.is_empty(), "{sent_plain:?}");
    org.shutdown().await;
}
