//! `ScreenPop` against a real demo org: the cache (with a hand-moved clock),
//! unknown callers, records Ringside created before the search index has them.

use std::sync::Arc;
use std::time::Duration;

use demo_org::seed;
use ringside_core::clock::ManualClock;
use ringside_core::events::CallerId;
use ringside_core::phone::Region;
use ringside_core::pop::{CreatedRecord, Pop, ScreenPop, StoredPhone};
use ringside_core::{CallerLookup, CallerObject, LookupResult, LookupSettings, MatchSource};

struct Fixture {
    org: demo_org::DemoOrg,
    pop: ScreenPop,
    clock: Arc<ManualClock>,
}

async fn fixture() -> Fixture {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let lookup = CallerLookup::connect(
        &org.base_url(),
        org.issue_access_token(),
        LookupSettings::with_region(Region::US),
    )
    .expect("connects to the demo org");
    let clock = Arc::new(ManualClock::new());
    let pop = ScreenPop::new(lookup, clock.clone());
    Fixture { org, pop, clock }
}

fn searched(pop: Pop) -> LookupResult {
    match pop {
        Pop::Searched { result } => result,
        other => panic!("expected a search result, got {other:?}"),
    }
}

fn number(n: &str) -> CallerId {
    CallerId::Number(n.into())
}

#[tokio::test]
async fn second_pop_within_60s_is_a_cache_hit_without_api_calls() {
    let Fixture { org, pop, clock } = fixture().await;
    org.clear_request_log();
    let first = searched(pop.pop(&number("+14155550123")).await);
    assert!(
        !first.cached && first.api_calls == 1,
        "first pop searches: {first:?}"
    );
    // Another spelling of the same number: the cache is keyed by E.164.
    clock.advance(Duration::from_secs(59));
    let second = searched(pop.pop(&number("(415) 555-0123")).await);
    assert!(second.cached, "within 60 s the cache answers");
    assert_eq!(second.api_calls, 0, "a cache hit makes no API call");
    assert_eq!(
        second.query, "(415) 555-0123",
        "the query is the one asked now"
    );
    assert_eq!(second.matches, first.matches, "the same matches");
    assert_eq!(org.data_requests().len(), 1, "the server saw one request");
    clock.advance(Duration::from_secs(2));
    let third = searched(pop.pop(&number("4155550123")).await);
    assert!(!third.cached, "after 60 s the entry is stale");
    assert_eq!(org.data_requests().len(), 2, "and a new search is made");
    org.shutdown().await;
}

#[tokio::test]
async fn withheld_and_unreadable_numbers_pop_unknown_without_searching() {
    let Fixture { org, pop, .. } = fixture().await;
    org.clear_request_log();
    assert!(
        matches!(
            pop.pop(&CallerId::Withheld).await,
            Pop::UnknownCaller { withheld: true, .. }
        ),
        "withheld"
    );
    for unreadable in ["12", "+999 123", "1234567890123456789"] {
        let outcome = pop.pop(&number(unreadable)).await;
        let Pop::UnknownCaller { withheld, reason } = outcome else {
            panic!("{unreadable:?} cannot be searched: {outcome:?}")
        };
        assert!(!withheld, "{unreadable:?} was not withheld");
        assert!(!reason.is_empty(), "a reason is given");
    }
    assert!(org.data_requests().is_empty(), "nothing was searched");
    org.shutdown().await;
}

#[tokio::test]
async fn created_records_pop_before_the_search_index_has_them() {
    let Fixture { org, pop, clock } = fixture().await;
    let caller = "+1 212 555 0142";
    let before = searched(pop.pop(&number(caller)).await);
    assert!(
        before.matches.is_empty(),
        "nobody has this number yet: {before:?}"
    );
    // The agent creates a Lead from the pop; Salesforce's search may lag for minutes.
    pop.remember_created(CreatedRecord {
        object: CallerObject::Lead,
        id: "00QDm00000000ZZMAA".into(),
        name: "Nia Newcaller".into(),
        company: Some("Newco".into()),
        title: None,
        phones: vec![StoredPhone {
            field: "Phone".into(),
            value: "(212) 555-0142".into(),
        }],
        email: None,
        owner: None,
    });
    org.clear_request_log();
    let after = searched(pop.pop(&number("tel:+12125550142")).await);
    assert!(
        !after.cached,
        "creating the record invalidated the cached empty answer"
    );
    let lead = after.matches.first().expect("the new Lead pops");
    assert_eq!(lead.id, "00QDm00000000ZZMAA");
    assert_eq!(lead.source, MatchSource::RecentlyCreated, "matched locally");
    assert_eq!(lead.matched_field, "Phone");
    let cached = searched(pop.pop(&number(caller)).await);
    assert!(cached.cached, "the next pop is a cache hit");
    assert_eq!(
        cached.matches.len(),
        1,
        "and still shows the new Lead, once"
    );
    clock.advance(Duration::from_secs(16 * 60));
    let later = searched(pop.pop(&number(caller)).await);
    assert!(
        later.matches.is_empty(),
        "after the memory window only Salesforce's search counts"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn ringside_edits_invalidate_cached_pops() {
    let Fixture { org, pop, .. } = fixture().await;
    searched(pop.pop(&number(seed::JANE_PHONE)).await);
    assert_eq!(
        pop.invalidate_record(seed::JANE_CALLER_ID),
        1,
        "Jane's cached pop is dropped"
    );
    let again = searched(pop.pop(&number(seed::JANE_PHONE)).await);
    assert!(!again.cached, "the edit forces a fresh search");
    assert!(
        pop.invalidate_number("+14155550123"),
        "drop by number works too"
    );
    assert!(
        !pop.invalidate_number("+14155550123"),
        "nothing left to drop"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn slow_salesforce_gives_a_clear_error_with_the_number() {
    let Fixture { org, pop, .. } = fixture().await;
    let pop = pop.with_timeout(Duration::from_millis(200));
    org.faults().set_latency(Duration::from_millis(1500));
    let outcome = pop.pop(&number("415.555.0123")).await;
    let Pop::Failed {
        number,
        code,
        message,
    } = outcome
    else {
        panic!("a timeout is a failure: {outcome:?}")
    };
    assert_eq!(code, "timeout");
    assert_eq!(
        number, "+14155550123",
        "the number is there for a manual search"
    );
    assert!(message.contains("by hand"), "says what to do: {message}");
    org.faults().set_latency(Duration::ZERO);
    org.shutdown().await;
    let down = pop.pop(&CallerId::Number("4155550123".into())).await;
    assert!(
        matches!(&down, Pop::Failed { code, .. } if code == "salesforce_unreachable"),
        "a stopped org is unreachable: {down:?}"
    );
}

/// Issue 4's acceptance: the same seeded person from every spelling a softphone
/// or an agent may use.
#[tokio::test]
async fn every_spelling_of_janes_number_pops_jane() {
    let Fixture { org, pop, .. } = fixture().await;
    let pop = pop.with_cache_ttl(Duration::ZERO);
    for spelling in [
        "(415) 555-0123",
        "+14155550123",
        "415.555.0123",
        "sip:+14155550123@host;user=phone",
    ] {
        let caller = ringside_core::events::parse_caller_id(spelling).expect("a caller id");
        let result = searched(pop.pop(&caller).await);
        assert_eq!(
            result.matches.first().map(|m| m.id.as_str()),
            Some(seed::JANE_CALLER_ID),
            "{spelling:?} pops Jane"
        );
    }
    org.shutdown().await;
}

/// Related records loaded on demand for a match beyond the first ones stay with
/// the cached pop: the same caller again within 60 s shows them, no API call.
#[tokio::test]
async fn related_records_loaded_on_demand_join_the_cached_pop() {
    let Fixture { org, pop, clock } = fixture().await;
    let admin = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token()).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let crowded = "+1 212 555 0177";
    for n in 0..10 {
        let contact = admin
            .create(
                "Contact",
                &serde_json::json!({"FirstName": format!("Many{n}"), "LastName": "Callers", "Phone": crowded}),
            )
            .await
            .expect("contact")
            .id;
        admin
            .create(
                "Case",
                &serde_json::json!({"Subject": "Question", "Status": "New", "ContactId": contact}),
            )
            .await
            .expect("case");
    }
    // These records stand for data the org held before the call: let the search index
    // catch up with them (the index lag is not this test's subject; new_caller.rs has it).
    org.advance_clock(demo_org::DEFAULT_INDEX_LAG);
    let first = searched(pop.pop(&number(crowded)).await);
    assert_eq!(first.matches.len(), 10, "ten Contacts share the number");
    let unloaded = first
        .matches
        .iter()
        .find(|m| !m.related_loaded)
        .expect("a match beyond the first eight came without related records");
    org.clear_request_log();
    let related = pop
        .related_for(unloaded.object, &unloaded.id)
        .await
        .expect("related records load");
    assert_eq!(org.data_requests().len(), 1, "one request on demand");
    assert_eq!(
        related.open_cases.len(),
        1,
        "its own open case: {related:?}"
    );

    clock.advance(Duration::from_secs(30));
    org.clear_request_log();
    let again = searched(pop.pop(&number(crowded)).await);
    assert!(
        again.cached && again.api_calls == 0,
        "a cache hit: {again:?}"
    );
    assert!(org.data_requests().is_empty(), "nothing sent");
    let shown = again
        .matches
        .iter()
        .find(|m| m.id == unloaded.id)
        .expect("the match is still there");
    assert!(
        shown.related_loaded && shown.open_cases == related.open_cases,
        "the cached pop now carries what was loaded on demand: {shown:?}"
    );
    org.shutdown().await;
}

/// Regression (issue 14, item 2): with the org's daily API allowance used up, a pop already
/// in the cache still shows, and a new number fails with the reason in words (not a raw
/// Salesforce error).
#[tokio::test]
async fn a_used_up_allowance_still_shows_cached_pops_and_says_why_for_new_ones() {
    let Fixture { org, pop, clock } = fixture().await;
    let first = searched(pop.pop(&number("+14155550123")).await);
    assert!(!first.matches.is_empty(), "Jane is found");
    org.faults().set_api_limit(org.api_usage());
    clock.advance(Duration::from_secs(30));
    let again = searched(pop.pop(&number("+14155550123")).await);
    assert!(
        again.cached && again.matches == first.matches,
        "the cached pop still shows: {again:?}"
    );
    match pop.pop(&number(seed::SHARED_NUMBER)).await {
        Pop::Failed { code, message, .. } => {
            assert_eq!(code, "api_allowance_used_up", "{message}");
            assert!(
                message.contains("daily API allowance is used up"),
                "in words: {message}"
            );
        }
        other => panic!("expected a failure with the reason, got {other:?}"),
    }
    org.shutdown().await;
}

/// Regression (issue 14, item 2): the lookup remembers that the org's allowance is used up,
/// for the desktop's org badge, and forgets it by itself once a request passes again.
#[tokio::test]
async fn the_lookup_knows_when_the_allowance_is_used_up_and_when_it_is_back() {
    let Fixture { org, pop, .. } = fixture().await;
    assert!(
        !pop.lookup().allowance_used_up(),
        "a fresh lookup knows of no limit"
    );
    let max = org.api_limit();
    org.faults().set_api_limit(org.api_usage());
    assert!(
        pop.lookup().lookup("+14155550123").await.is_err(),
        "Salesforce refuses the search"
    );
    assert!(
        pop.lookup().allowance_used_up(),
        "the refusal is remembered"
    );
    assert!(
        pop.lookup().clone().allowance_used_up(),
        "and shared by clones (the pop-up and the Caller tab)"
    );
    assert!(
        pop.lookup().lookup("not a number").await.is_err(),
        "input refused before anything is sent"
    );
    assert!(
        pop.lookup().allowance_used_up(),
        "a lookup that sent nothing tells nothing about the allowance"
    );
    org.faults().set_api_limit(max);
    pop.lookup()
        .lookup("+14155550123")
        .await
        .expect("Salesforce answers again");
    assert!(
        !pop.lookup().allowance_used_up(),
        "an answered search clears it"
    );
    org.shutdown().await;
}
