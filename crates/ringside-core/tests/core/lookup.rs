//! `CallerLookup` against a real demo org: one request per lookup, what the
//! server saw, and hostile input that must never reach it.

use demo_org::seed;
use ringside_core::phone::Region;
use ringside_core::{CallerLookup, CallerObject, LookupError, LookupSettings};

struct Fixture {
    org: demo_org::DemoOrg,
    lookup: CallerLookup,
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
    Fixture { org, lookup }
}

#[tokio::test]
async fn one_data_request_per_lookup() {
    let Fixture { org, lookup } = fixture().await;
    org.clear_request_log();
    let result = lookup.lookup(seed::JANE_PHONE).await.expect("lookup works");
    let requests = org.data_requests();
    assert_eq!(
        requests.len(),
        1,
        "exactly one API request per uncached lookup: {requests:?}"
    );
    assert_eq!(
        result.api_calls, 1,
        "the result reports the request it made"
    );
    assert!(!result.matches.is_empty(), "the seeded caller is found");
    org.shutdown().await;
}

#[tokio::test]
async fn shared_number_lists_contact_before_lead() {
    let Fixture { org, lookup } = fixture().await;
    let result = lookup
        .lookup(seed::SHARED_NUMBER)
        .await
        .expect("lookup works");
    let ids: Vec<&str> = result.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [seed::SHARED_NUMBER_CONTACT_ID, seed::SHARED_NUMBER_LEAD_ID],
        "the Contact, then the Lead with the same number"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn converted_leads_are_not_popped() {
    let Fixture { org, lookup } = fixture().await;
    let result = lookup
        .lookup(seed::CONVERTED_TWIN_NUMBER)
        .await
        .expect("lookup works");
    let ids: Vec<&str> = result.matches.iter().map(|m| m.id.as_str()).collect();
    assert!(
        ids.contains(&seed::CONVERTED_TWIN_CONTACT_ID),
        "the Contact is found: {ids:?}"
    );
    assert!(
        !ids.contains(&seed::CONVERTED_LEAD_ID),
        "the converted Lead is not: {ids:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn email_lookup_finds_the_contact_whatever_the_case() {
    let Fixture { org, lookup } = fixture().await;
    let result = lookup
        .lookup(&seed::JANE_EMAIL.to_uppercase())
        .await
        .expect("lookup works");
    assert_eq!(
        result.normalized,
        seed::JANE_EMAIL.to_lowercase(),
        "emails are lower-cased"
    );
    assert_eq!(
        result.matches.first().map(|m| m.id.as_str()),
        Some(seed::JANE_CALLER_ID)
    );
    org.shutdown().await;
}

#[tokio::test]
async fn account_main_number_finds_the_account_and_its_contacts() {
    let Fixture { org, lookup } = fixture().await;
    let result = lookup
        .lookup(seed::GLOBEX_MAIN_NUMBER)
        .await
        .expect("lookup works");
    let ids: Vec<&str> = result.matches.iter().map(|m| m.id.as_str()).collect();
    for contact in [seed::GLOBEX_CONTACT_1_ID, seed::GLOBEX_CONTACT_2_ID] {
        assert!(
            ids.contains(&contact),
            "{contact} shares the main number: {ids:?}"
        );
    }
    assert_eq!(
        ids.last(),
        Some(&seed::GLOBEX_ACCOUNT_ID),
        "the Account ranks after its Contacts"
    );
    assert_eq!(
        result.matches.last().map(|m| m.object),
        Some(CallerObject::Account),
        "the last match is the Account itself"
    );
    org.shutdown().await;
}

/// Addresses full of SOSL reserved characters are valid emails; escaping must
/// keep every one of them a well-formed search.
#[tokio::test]
async fn reserved_characters_never_make_a_malformed_search() {
    let Fixture { org, lookup } = fixture().await;
    org.clear_request_log();
    let addresses = [
        "o'brien@example.com",
        "a+b-c@example.com",
        "x}RETURNING,User(Id@example.com",
        "\"quoted\"@example.com",
        "un\"balanced@example.com",
        "back\\slash@example.com",
        "w?ld*card~@example.com",
        "(paren)[br]{brace}^caret!bang&amp|pipe:colon@example.com",
        "山田@例え.jp",
        "محمد@مثال.sa",
    ];
    for address in addresses {
        let result = lookup.lookup(address).await;
        assert!(result.is_ok(), "{address:?} searches cleanly: {result:?}");
    }
    for request in org.data_requests() {
        assert_eq!(
            request.status, 200,
            "no MALFORMED_SEARCH or other error: {request:?}"
        );
    }
    org.shutdown().await;
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let Fixture { org, lookup } = fixture().await;
    org.clear_request_log();
    for input in ["' OR Name LIKE '%", "} RETURNING User(Id", "\\", "", "🙂"] {
        let err = lookup
            .lookup(input)
            .await
            .expect_err("hostile input is refused");
        assert_eq!(err.code(), "invalid_input", "{input:?}: {err}");
    }
    assert!(org.data_requests().is_empty(), "nothing reached the server");
    org.shutdown().await;
}

#[tokio::test]
async fn expired_session_is_reported_as_signed_out() {
    let Fixture { org, lookup } = fixture().await;
    org.faults().expire_tokens();
    let err = lookup
        .lookup("4155550123")
        .await
        .expect_err("expired token fails");
    assert!(
        matches!(err, LookupError::SignedOut(_)),
        "401 means sign in again: {err}"
    );
    assert!(
        err.to_string().contains("sign in again"),
        "says what to do: {err}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn unreachable_org_is_reported_as_such() {
    let Fixture { org, lookup } = fixture().await;
    org.shutdown().await;
    let err = lookup
        .lookup("4155550123")
        .await
        .expect_err("no server, no answer");
    assert_eq!(err.code(), "salesforce_unreachable", "{err}");
}

/// Related records come back in the same single request as the search: Jane's
/// open Opportunity (on her Account) and her own open Case, not the closed ones.
#[tokio::test]
async fn related_open_records_arrive_in_the_same_request() {
    let Fixture { org, lookup } = fixture().await;
    org.clear_request_log();
    let result = lookup
        .lookup("+1 415 555 0123")
        .await
        .expect("lookup works");
    assert_eq!(
        org.data_requests().len(),
        1,
        "search and related records share one API call"
    );
    let jane = result
        .matches
        .iter()
        .find(|m| m.id == seed::JANE_CALLER_ID)
        .expect("Jane is found");
    assert!(
        jane.related_loaded,
        "related records were fetched for the first match"
    );
    let opportunities: Vec<&str> = jane
        .open_opportunities
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        opportunities,
        [seed::JANE_OPEN_OPPORTUNITY_ID],
        "the Account's open Opportunity only, not the closed pilot"
    );
    let opportunity = &jane.open_opportunities[0];
    assert_eq!(opportunity.stage.as_deref(), Some("Proposal/Price Quote"));
    assert_eq!(opportunity.amount, Some(48000.0), "amount as a number");
    assert!(opportunity.close_date.is_some(), "close date is shown");
    let cases: Vec<&str> = jane.open_cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        cases,
        [seed::JANE_OPEN_CASE_ID],
        "her open Case, not the closed one"
    );
    assert!(
        jane.open_cases[0].number.is_some()
            && jane.open_cases[0].status.as_deref() == Some("Working"),
        "case number and status are shown: {:?}",
        jane.open_cases[0]
    );
    org.shutdown().await;
}

/// A Lead has no Opportunities or Cases; an Account has its own; positions
/// beyond the search results do not turn into errors.
#[tokio::test]
async fn related_records_for_leads_and_accounts() {
    let Fixture { org, lookup } = fixture().await;
    let shared = lookup
        .lookup(seed::SHARED_NUMBER)
        .await
        .expect("lookup works");
    let lead = shared
        .matches
        .iter()
        .find(|m| m.id == seed::SHARED_NUMBER_LEAD_ID)
        .expect("the Lead is found");
    assert!(
        lead.related_loaded && lead.open_opportunities.is_empty() && lead.open_cases.is_empty(),
        "a Lead has nothing related, and that is known: {lead:?}"
    );
    let globex = lookup
        .lookup(seed::GLOBEX_MAIN_NUMBER)
        .await
        .expect("lookup works");
    for found in &globex.matches {
        assert!(
            found.related_loaded,
            "every match got related records: {found:?}"
        );
    }
    org.shutdown().await;
}
