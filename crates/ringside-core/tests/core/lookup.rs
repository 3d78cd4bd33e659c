//! `CallerLookup` against a real demo org: one request per lookup, what the
//! server saw, and hostile input that must never reach it.

use std::collections::HashMap;

use demo_org::seed;
use ringside_core::phone::Region;
use ringside_core::{CallerLookup, CallerObject, LookupError, LookupSettings};
use serde_json::json;

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

/// The pop fetches the related records of the search's first record, which is
/// the top-ranked match: a Lead's (known to be none) when Leads rank first, an
/// Account's own when it is the only match; the others on demand.
#[tokio::test]
async fn related_records_for_leads_and_accounts() {
    let Fixture { org, .. } = fixture().await;
    let leads_first = LookupSettings::with_region(Region::US).with_object_priority(
        ringside_core::settings::ObjectPriority::new([
            CallerObject::Lead,
            CallerObject::Contact,
            CallerObject::Account,
        ])
        .expect("each object once"),
    );
    let lookup = CallerLookup::connect(&org.base_url(), org.issue_access_token(), leads_first)
        .expect("connects");
    let shared = lookup
        .lookup(seed::SHARED_NUMBER)
        .await
        .expect("lookup works");
    let lead = &shared.matches[0];
    assert_eq!(
        lead.id,
        seed::SHARED_NUMBER_LEAD_ID,
        "Leads rank first here"
    );
    assert!(
        lead.related_loaded && lead.open_opportunities.is_empty() && lead.open_cases.is_empty(),
        "a Lead has nothing related, and that is known: {lead:?}"
    );
    assert!(
        shared.matches[1..].iter().all(|m| !m.related_loaded),
        "the others' related records come on demand: {:?}",
        shared.matches
    );
    let globex = lookup
        .lookup(seed::GLOBEX_MAIN_NUMBER)
        .await
        .expect("lookup works");
    assert!(
        globex.matches[0].related_loaded,
        "the top match got its related records: {:?}",
        globex.matches[0]
    );
    org.shutdown().await;
}

/// Salesforce allows at most 5 query subrequests per composite: the pop sends
/// the search plus 3, and the top match is the one whose related records came.
#[tokio::test]
async fn the_pop_stays_inside_the_composite_limits_and_loads_the_top_match() {
    let Fixture { org, lookup } = fixture().await;
    for number in [
        seed::JANE_PHONE,
        seed::SHARED_NUMBER,
        seed::GLOBEX_MAIN_NUMBER,
        seed::CONVERTED_TWIN_NUMBER,
    ] {
        let request = lookup.request_for(number).expect("a request");
        let queries = request
            .composite_request
            .iter()
            .filter(|s| s.url.contains("/query?") || s.url.contains("/queryAll?"))
            .count();
        assert!(
            queries <= 5 && request.composite_request.len() <= 25,
            "{number}: {queries} queries in {} subrequests exceed Salesforce's composite limits",
            request.composite_request.len()
        );
        let result = lookup.lookup(number).await.expect("lookup works");
        let top = result.matches.first().expect("the seeded caller is found");
        assert!(
            top.related_loaded,
            "{number}: the top match's related records come with the pop: {top:?}"
        );
    }
    org.shutdown().await;
}

/// `api_calls` counts what was sent: a pop whose session had expired is sent
/// again after the refresh, and says so.
#[tokio::test]
async fn api_calls_counts_a_resend_after_a_refreshed_session() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let client = crate::outbox::expired_session_client(&org, salesforce::ClientOptions::default());
    let lookup = CallerLookup::new(client, LookupSettings::with_region(Region::US));
    org.clear_request_log();
    let result = lookup
        .lookup(seed::JANE_PHONE)
        .await
        .expect("refreshed, then found");
    assert_eq!(
        org.data_requests().len(),
        2,
        "the 401 and the resend both reached the org"
    );
    assert_eq!(
        result.api_calls, 2,
        "the pop reports both requests it sent, not an assumed 1"
    );
    org.shutdown().await;
}

/// More matches than the pop fetches related records for: ten Contacts of one
/// Account share a number. All but the top match come without related records;
/// `related_for` fetches one record's in a single request.
#[tokio::test]
async fn related_records_on_demand_beyond_the_first_matches() {
    let Fixture { org, lookup } = fixture().await;
    let admin = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token()).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let number = "+1 212 555 0199";
    let account = admin
        .create("Account", &json!({"Name": "Crowded Ltd", "Phone": number}))
        .await
        .expect("account")
        .id;
    let open_opportunity = admin
        .create(
            "Opportunity",
            &json!({"Name": "Crowded - Renewal", "StageName": "Prospecting", "Amount": 1200.0,
                    "CloseDate": "2031-01-31", "AccountId": account}),
        )
        .await
        .expect("open opportunity")
        .id;
    admin
        .create(
            "Opportunity",
            &json!({"Name": "Crowded - Old", "StageName": "Closed Lost",
                    "CloseDate": "2020-01-31", "AccountId": account}),
        )
        .await
        .expect("closed opportunity");
    let mut contacts = Vec::new();
    for n in 0..10 {
        let id = admin
            .create(
                "Contact",
                &json!({"FirstName": format!("Crowd{n}"), "LastName": "Member",
                        "Phone": number, "AccountId": account}),
            )
            .await
            .expect("contact")
            .id;
        contacts.push(id);
    }
    let mut cases = HashMap::new();
    for id in &contacts {
        let case = admin
            .create(
                "Case",
                &json!({"Subject": "Crowd question", "Status": "New",
                        "ContactId": id, "AccountId": account}),
            )
            .await
            .expect("case")
            .id;
        cases.insert(id.clone(), case);
    }
    let lonely = admin
        .create(
            "Contact",
            &json!({"FirstName": "No", "LastName": "Account", "Phone": number}),
        )
        .await
        .expect("contact without an account")
        .id;

    // These records stand for data the org held before the call: let the search index
    // catch up with them (the index lag is not this test's subject; new_caller.rs has it).
    org.advance_clock(demo_org::DEFAULT_INDEX_LAG);
    let result = lookup.lookup(number).await.expect("lookup works");
    assert_eq!(result.matches.len(), 12, "the Account and eleven Contacts");
    let unloaded: Vec<&ringside_core::CallerMatch> = result
        .matches
        .iter()
        .filter(|m| !m.related_loaded)
        .collect();
    assert_eq!(
        unloaded.len(),
        11,
        "all matches but the top one come without related records"
    );
    let loaded_contact = &result.matches[0];
    assert!(
        loaded_contact.related_loaded && loaded_contact.object == CallerObject::Contact,
        "the top match, a Contact, came with its related records: {loaded_contact:?}"
    );

    for found in &unloaded {
        org.clear_request_log();
        let related = lookup
            .related_for(found.object, &found.id)
            .await
            .expect("related records load");
        let requests = org.data_requests();
        assert_eq!(
            requests.len(),
            1,
            "one API call for one record's related records: {requests:?}"
        );
        let opportunities: Vec<&str> = related
            .open_opportunities
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        let case_ids: Vec<&str> = related.open_cases.iter().map(|c| c.id.as_str()).collect();
        match found.object {
            CallerObject::Contact if found.id == lonely => {
                assert!(
                    opportunities.is_empty() && case_ids.is_empty(),
                    "a Contact without an Account has nothing: {related:?}"
                );
            }
            CallerObject::Contact => {
                assert_eq!(
                    opportunities,
                    [open_opportunity.as_str()],
                    "its Account's open Opportunity only"
                );
                assert_eq!(case_ids, [cases[&found.id].as_str()], "its own open Case");
            }
            CallerObject::Account => {
                assert_eq!(opportunities, [open_opportunity.as_str()]);
                assert_eq!(case_ids.len(), 10, "every open Case on the Account");
            }
            CallerObject::Lead => unreachable!("no Lead has this number"),
        }
        let shown = (*found).clone().with_related(related);
        assert!(
            shown.related_loaded,
            "the match now knows its related records"
        );
    }

    // On demand and in the pop agree for the same record.
    let again = lookup
        .related_for(CallerObject::Contact, &loaded_contact.id)
        .await
        .expect("related records load");
    assert_eq!(again.open_opportunities, loaded_contact.open_opportunities);
    assert_eq!(again.open_cases, loaded_contact.open_cases);

    // A Lead has none: nothing is asked. A bad id is refused before sending.
    org.clear_request_log();
    let lead = lookup
        .related_for(CallerObject::Lead, seed::SHARED_NUMBER_LEAD_ID)
        .await
        .expect("a Lead's related records");
    assert!(lead.open_opportunities.is_empty() && lead.open_cases.is_empty());
    let err = lookup
        .related_for(CallerObject::Contact, "003' OR Name != '")
        .await
        .expect_err("not a record id");
    assert_eq!(err.code(), "invalid_input", "{err}");
    assert!(
        org.data_requests().is_empty(),
        "neither sends a request: {:?}",
        org.data_requests()
    );

    // A record deleted since the pop says so.
    admin.delete("Contact", &lonely).await.expect("delete");
    let err = lookup
        .related_for(CallerObject::Contact, &lonely)
        .await
        .expect_err("the Contact is gone");
    assert_eq!(err.code(), "record_not_found", "{err}");
    org.shutdown().await;
}

#[tokio::test]
async fn a_number_stored_with_the_trunk_prefix_in_parentheses_is_found() {
    // German-speaking offices often store "+49 (0)89 …": the caller rings as +49 89 …
    let Fixture { org, lookup } = fixture().await;
    let reader = salesforce::Client::new(
        &org.base_url(),
        salesforce::AccessToken::new(org.issue_access_token()).expect("token"),
        salesforce::ApiVersion::default(),
    )
    .expect("client");
    let stored: Vec<salesforce::Record> = reader
        .query_all("SELECT Id, Phone FROM Contact WHERE Phone LIKE '+49 (0)%' LIMIT 3")
        .await
        .expect("seeded German contacts");
    assert!(
        !stored.is_empty(),
        "the seed stores some numbers as +49 (0)…"
    );
    for contact in stored {
        let phone = contact.fields["Phone"]
            .as_str()
            .expect("a phone")
            .to_owned();
        let ringing = phone.replace("(0)", "");
        org.clear_request_log();
        let result = lookup.lookup(&ringing).await.expect("lookup works");
        assert!(
            result
                .matches
                .iter()
                .any(|m| Some(m.id.as_str()) == contact.id()),
            "{ringing} finds the contact stored as {phone}: {:?}",
            result.matches
        );
        assert_eq!(org.data_requests().len(), 1, "still one request");
    }
    org.shutdown().await;
}

/// A profile without Lead access: Salesforce refuses any search naming Lead. The pop
/// still finds Contacts and Accounts, says Leads were left out, and from then on asks
/// without Lead (one request again).
#[tokio::test]
async fn a_user_who_cannot_read_leads_still_pops_contacts() {
    let Fixture { org, lookup } = fixture().await;
    org.faults().hide_object("Lead");
    org.clear_request_log();
    let first = lookup
        .lookup(seed::SHARED_NUMBER)
        .await
        .expect("the pop works without Lead access");
    let ids: Vec<&str> = first.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [seed::SHARED_NUMBER_CONTACT_ID],
        "the Contact is found, the Lead cannot be"
    );
    assert_eq!(first.left_out, [CallerObject::Lead], "the pop says so");
    assert_eq!(
        (first.api_calls, org.data_requests().len()),
        (2, 2),
        "the refused search and the search without Lead, both counted"
    );
    org.clear_request_log();
    let again = lookup
        .lookup(seed::JANE_PHONE)
        .await
        .expect("later pops work");
    assert_eq!(
        (again.api_calls, org.data_requests().len()),
        (1, 1),
        "later pops leave Lead out at once"
    );
    assert_eq!(again.left_out, [CallerObject::Lead]);
    assert_eq!(
        again.matches.first().map(|m| m.id.as_str()),
        Some(seed::JANE_CALLER_ID)
    );
    org.shutdown().await;
}
