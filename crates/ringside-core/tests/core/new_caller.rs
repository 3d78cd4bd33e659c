//! The pop's Owner.Name, custom phone fields and "Create Lead / Create Contact"
//! against a real demo org over loopback HTTP. The demo org's search index lags
//! behind writes by default (Salesforce's does), so "found locally" is really local.

use std::sync::Arc;
use std::time::Duration;

use demo_org::seed;
use ringside_core::clock::ManualClock;
use ringside_core::events::CallerId;
use ringside_core::new_caller::{CreateCallerError, NewCaller, create_caller_record};
use ringside_core::phone::Region;
use ringside_core::pop::{Pop, ScreenPop};
use ringside_core::settings::CustomPhoneFields;
use ringside_core::{CallerLookup, CallerObject, LookupResult, LookupSettings, MatchSource};

struct Fixture {
    org: demo_org::DemoOrg,
    client: salesforce::Client,
    pop: ScreenPop,
}

async fn fixture(settings: LookupSettings) -> Fixture {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let token = salesforce::AccessToken::new(org.issue_access_token()).expect("a token");
    let client = salesforce::Client::new(&org.base_url(), token, salesforce::ApiVersion::default())
        .expect("a client for the demo org");
    let pop = ScreenPop::new(
        CallerLookup::new(client.clone(), settings),
        Arc::new(ManualClock::new()),
    );
    Fixture { org, client, pop }
}

fn searched(pop: Pop) -> LookupResult {
    match pop {
        Pop::Searched { result } => result,
        other => panic!("expected a search result, got {other:?}"),
    }
}

fn lead(last: &str, company: &str, phone: &str) -> NewCaller {
    NewCaller {
        object: CallerObject::Lead,
        first_name: Some("Nia".into()),
        last_name: last.into(),
        company: Some(company.into()),
        phone: phone.into(),
    }
}

#[tokio::test]
async fn the_owner_comes_in_the_same_single_request() {
    let Fixture { org, pop, .. } = fixture(LookupSettings::with_region(Region::US)).await;
    org.clear_request_log();
    let result = searched(pop.pop(&CallerId::Number(seed::JANE_PHONE.into())).await);
    let jane = result
        .matches
        .iter()
        .find(|m| m.id == seed::JANE_CALLER_ID)
        .expect("Jane pops");
    assert!(
        jane.owner.as_deref().is_some_and(|name| !name.is_empty()),
        "Owner.Name is read from the search: {jane:?}"
    );
    assert_eq!(
        org.data_requests().len(),
        1,
        "the owner costs no second request"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_configured_custom_phone_field_finds_the_caller() {
    let mut fields = CustomPhoneFields::default();
    fields
        .set(CallerObject::Contact, &["Work_Phone__c".to_owned()])
        .expect("a valid API name");
    let configured = LookupSettings::with_region(Region::US).with_phone_fields(fields);
    let Fixture { org, client, pop } = fixture(configured).await;
    // Only the custom field holds this number.
    let created = client
        .create(
            "Contact",
            &serde_json::json!({"LastName": "Worker", "FirstName": "Wanda", "Work_Phone__c": "(628) 555-0177"}),
        )
        .await
        .expect("the demo org has Work_Phone__c on Contact");
    // The Contact stands for one the org already held (created here, not through the pop,
    // so there is no local match): let the search index catch up with it.
    org.advance_clock(demo_org::DEFAULT_INDEX_LAG);
    let result = searched(pop.pop(&CallerId::Number("+16285550177".into())).await);
    let found = result
        .matches
        .iter()
        .find(|m| m.id == created.id)
        .expect("the Contact with the number in Work_Phone__c pops");
    assert_eq!(found.matched_field, "Work_Phone__c");
    assert_eq!(found.phone.as_deref(), Some("(628) 555-0177"));

    // Without the setting the same search finds the record, but its standard
    // fields do not hold the number, so the normalise-and-keep check drops it.
    let plain = CallerLookup::new(client.clone(), LookupSettings::with_region(Region::US));
    let result = plain.lookup("+16285550177").await.expect("lookup works");
    assert!(
        result.matches.iter().all(|m| m.id != created.id),
        "an unconfigured field is not compared: {result:?}"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_created_lead_pops_locally_while_the_search_index_lags() {
    let Fixture { org, client, pop } = fixture(LookupSettings::with_region(Region::US)).await;
    // Salesforce's index lags behind writes: the demo org plays that by default.
    assert!(
        org.faults().index_lag() > Duration::ZERO,
        "the demo org's index lags unless told otherwise"
    );
    let caller = CallerId::Number("+1 (212) 555-0142".into());
    let before = searched(pop.pop(&caller).await);
    assert!(before.matches.is_empty(), "nobody has this number yet");

    let created = create_caller_record(
        &client,
        &pop,
        lead("Newcaller-山田", "Newco Ltd", "+1 (212) 555-0142"),
    )
    .await
    .expect("the Lead is created");
    assert_eq!(created.source, MatchSource::RecentlyCreated);
    assert_eq!(
        created.name, "Nia Newcaller-山田",
        "non-Latin names are fine"
    );
    let stored = client
        .get("Lead", &created.id, Some(&["Phone", "Company", "LastName"]))
        .await
        .expect("the Lead exists in Salesforce");
    assert_eq!(
        stored.str_field("Phone"),
        Some("+12125550142"),
        "E.164 saved"
    );
    assert_eq!(stored.str_field("Company"), Some("Newco Ltd"));

    org.clear_request_log();
    let again = searched(pop.pop(&caller).await);
    assert!(
        !again.cached && again.api_calls == 1,
        "creating the record dropped the cached empty answer, so Salesforce is asked again"
    );
    let first = again.matches.first().expect("the new Lead pops");
    assert_eq!(first.id, created.id, "the new Lead is the match");
    assert_eq!(
        first.source,
        MatchSource::RecentlyCreated,
        "found locally: the lagging index did not have it"
    );

    // Once the index catches up, the search finds it and it is listed once.
    org.advance_clock(org.faults().index_lag());
    pop.invalidate_number("+12125550142");
    let indexed = searched(pop.pop(&caller).await);
    assert_eq!(
        indexed
            .matches
            .iter()
            .filter(|m| m.id == created.id)
            .count(),
        1,
        "one person, listed once"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn bad_input_sends_nothing_and_salesforce_refusals_are_in_words() {
    let Fixture { org, client, pop } = fixture(LookupSettings::with_region(Region::US)).await;
    org.clear_request_log();
    for (new, field) in [
        (lead("   ", "Newco", "+12125550143"), "last_name"),
        (lead("Doe", " ", "+12125550143"), "company"),
        (lead(&"x".repeat(81), "Newco", "+12125550143"), "last_name"),
        (lead("Doe", "Newco", "anonymous"), "phone"),
    ] {
        let err = create_caller_record(&client, &pop, new)
            .await
            .expect_err("refused before sending");
        assert!(
            matches!(&err, CreateCallerError::Invalid { field: f, .. } if *f == field),
            "{field} named: {err}"
        );
    }
    assert!(
        org.data_requests().is_empty(),
        "nothing was sent for bad input"
    );

    org.faults().fail_next(
        Some("POST"),
        "/services/data",
        1,
        400,
        serde_json::json!([{"message": "Use one of these records?", "errorCode": "DUPLICATES_DETECTED", "fields": []}]),
    );
    let err = create_caller_record(&client, &pop, lead("Doe", "Newco", "+12125550143"))
        .await
        .expect_err("the duplicate rule refuses");
    assert_eq!(err.code(), "duplicates_detected", "the UI branches on it");
    let words = err.to_string();
    assert!(
        words.contains("Use one of these records?") && words.contains("duplicate rule"),
        "Salesforce's message and the next step, in words: {words}"
    );
    org.shutdown().await;
}
