//! sObject rows: restricted picklists, `Content-Type` on writes, `If-Match` ETags on Account
//! rows, and `?updateOnly=true` upserts by external id.

use reqwest::Method;
use salesforce::{ErrorClass, ErrorCode, Record};
use serde_json::json;

use crate::case::{Case, api_errors, client, org};

/// Restricted picklists: "only an admin can add or change values; users can't load or remove
/// values through the API".
const PICKLIST_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_picklist.htm";
/// The status codes page; it gives no body for a 415, so the errorCode checked is the demo
/// org's own choice (its `http` module says so).
const ERRORS_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm";
const CONDITIONAL_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm";
const UPSERT_DOC: &str =
    "https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html";

#[tokio::test]
async fn restricted_picklists_refuse_values_they_do_not_list() {
    let org = org().await;
    for (object, field, body) in [
        (
            "Task",
            "Status",
            json!({"Subject": "Call", "Status": "Done"}),
        ),
        (
            "Lead",
            "Status",
            json!({"LastName": "L", "Company": "C", "Status": "Hot"}),
        ),
        (
            "Opportunity",
            "StageName",
            json!({"Name": "O", "StageName": "Won", "CloseDate": "2026-12-01"}),
        ),
        ("Case", "Status", json!({"Subject": "S", "Status": "Open"})),
    ] {
        let case = Case::new(
            "sobjects: an unlisted value of a restricted picklist is 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            PICKLIST_DOC,
            Method::POST,
            format!("sobjects/{object}"),
        )
        .body(body)
        .answers(400, Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"));
        let answer = case.check(&org).await;
        let errors = api_errors(&case, &answer);
        assert_eq!(
            errors[0].error_code,
            ErrorCode::InvalidOrNullForRestrictedPicklist,
            "{object}: the client knows the code"
        );
        assert_eq!(errors[0].fields, [field], "{object}: names the field");
        assert!(
            errors[0]
                .message
                .contains("bad value for restricted picklist field"),
            "{object}: {}",
            answer.text
        );
        assert_eq!(
            errors[0].error_code.class(),
            ErrorClass::Permanent,
            "retrying the same value cannot help"
        );

        let describe = Case::new(
            "sobjects: describe marks a restricted picklist restrictedPicklist: true",
            PICKLIST_DOC,
            Method::GET,
            format!("sobjects/{object}/describe"),
        );
        let answer = describe.check(&org).await;
        let raw = answer.json(&describe);
        let described = raw["fields"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["name"] == field))
            .unwrap_or_else(|| panic!("{object}.{field} is described"));
        assert_eq!(described["restrictedPicklist"], true, "{object}.{field}");
        let parsed: salesforce::SObjectDescribe =
            serde_json::from_str(&answer.text).expect("the client reads the describe");
        assert!(
            parsed
                .field(field)
                .is_some_and(|f| f.picklist_values.iter().any(|v| v.active)),
            "{object}.{field}: the client sees the values it may write"
        );
    }

    // Through the client: an update with a listed value goes through, an unlisted one not.
    let client = client(&org);
    let lead = demo_org::seed::SHARED_NUMBER_LEAD_ID;
    client
        .update("Lead", lead, &json!({"Status": "Working - Contacted"}))
        .await
        .expect("a listed Lead Status is accepted");
    let err = client
        .update("Lead", lead, &json!({"Status": "Qualified-ish"}))
        .await
        .expect_err("an unlisted Lead Status is refused");
    assert_eq!(
        err.api_errors()[0].error_code,
        ErrorCode::InvalidOrNullForRestrictedPicklist
    );
    assert!(!err.is_retryable(), "{err}");
}

/// Multi-select picklists: the value is the chosen values joined by `;` (the SOQL page shows
/// `MSP1__c = 'AAA;BBB'`); a restricted one refuses any value it does not list, as a
/// restricted picklist does (PICKLIST_DOC).
const MULTI_PICKLIST_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/api/sforce_api_calls_soql_querying_multiselect_picklists.htm";

#[tokio::test]
async fn restricted_multi_select_picklists_take_listed_values_joined_by_semicolons_only() {
    let org = org().await;
    let describe = Case::new(
        "sobjects: a multi-select picklist is described as type multipicklist with its values",
        MULTI_PICKLIST_DOC,
        Method::GET,
        "sobjects/Call_Log__c/describe",
    );
    let answer = describe.check(&org).await;
    let parsed: salesforce::SObjectDescribe =
        serde_json::from_str(&answer.text).expect("the client reads the describe");
    let memo = parsed
        .field("Memo__c")
        .expect("Call_Log__c.Memo__c is described");
    assert_eq!(memo.field_type, salesforce::FieldType::MultiPicklist);
    assert!(
        memo.picklist_values.iter().any(|v| v.value == "Pricing"),
        "the client sees the values it may choose"
    );
    let raw = answer.json(&describe);
    assert!(
        raw["fields"].as_array().is_some_and(|fs| fs
            .iter()
            .any(|f| f["name"] == "Memo__c" && f["restrictedPicklist"] == true)),
        "the demo org's memo is restricted"
    );

    let listed = Case::new(
        "sobjects: listed multi-select values joined by ';' are accepted",
        MULTI_PICKLIST_DOC,
        Method::POST,
        "sobjects/Call_Log__c",
    )
    .body(json!({"Memo__c": "Pricing;Demo requested"}))
    .answers(201, None);
    let created = listed.check(&org).await.json(&listed);
    let id = created["id"].as_str().expect("an id");
    let row = client(&org)
        .get("Call_Log__c", id, Some(&["Memo__c"]))
        .await
        .expect("the log reads back");
    assert_eq!(row.fields["Memo__c"], "Pricing;Demo requested");

    let unlisted = Case::new(
        "sobjects: one unlisted value in a restricted multi-select picklist is 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        PICKLIST_DOC,
        Method::POST,
        "sobjects/Call_Log__c",
    )
    .body(json!({"Memo__c": "Pricing;Golf"}))
    .answers(400, Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"));
    let answer = unlisted.check(&org).await;
    let errors = api_errors(&unlisted, &answer);
    assert_eq!(errors[0].fields, ["Memo__c"]);
    assert!(errors[0].message.contains("Golf"), "{}", answer.text);
}

#[tokio::test]
async fn writes_that_are_not_json_are_415() {
    let org = org().await;
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let case = Case::new(
            "sobjects: a write whose Content-Type is not JSON is 415 (body: the demo org's UNSUPPORTED_MEDIA_TYPE, the docs give none)",
            ERRORS_DOC,
            Method::POST,
            "sobjects/Lead",
        )
        .body(json!({"LastName": "L", "Company": "C"}))
        .header("Content-Type", content_type)
        .answers(415, Some("UNSUPPORTED_MEDIA_TYPE"));
        let answer = case.check(&org).await;
        let errors = api_errors(&case, &answer);
        assert_eq!(
            errors[0].error_code.class(),
            ErrorClass::Permanent,
            "{content_type}: an unknown code is permanent to the client"
        );
    }
    // The client always sends JSON: its writes are never 415.
    client(&org)
        .create("Lead", &json!({"LastName": "L", "Company": "C"}))
        .await
        .expect("the client's own write is JSON");
}

#[tokio::test]
async fn if_match_with_a_stale_etag_is_412_on_account_rows() {
    let org = org().await;
    let row = format!("sobjects/Account/{}", demo_org::seed::ACME_ACCOUNT_ID);
    let read = Case::new(
        "sobjects: an Account row answers an ETag",
        CONDITIONAL_DOC,
        Method::GET,
        row.clone(),
    );
    let answer = read.check(&org).await;
    let etag = answer
        .headers
        .get("ETag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("ETag on an Account row");
    let _: Record = serde_json::from_str(&answer.text).expect("the client reads the row");

    let stale = Case::new(
        "sobjects: a PATCH whose If-Match holds none of the record's ETags is 412",
        CONDITIONAL_DOC,
        Method::PATCH,
        row.clone(),
    )
    .body(json!({"Website": "https://acme.example/x"}))
    .header("If-Match", "\"stale--gzip\"")
    .answers(412, Some("PRECONDITION_FAILED"));
    let answer = stale.check(&org).await;
    api_errors(&stale, &answer);

    Case::new(
        "sobjects: a PATCH whose If-Match holds the record's ETag is processed",
        CONDITIONAL_DOC,
        Method::PATCH,
        row.clone(),
    )
    .body(json!({"Website": "https://acme.example/x"}))
    .header("If-Match", etag)
    .answers(204, None)
    .check(&org)
    .await;

    Case::new(
        "sobjects: If-Match has no effect on objects other than Account",
        "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_patch.htm",
        Method::PATCH,
        format!("sobjects/Contact/{}", demo_org::seed::JANE_CALLER_ID),
    )
    .body(json!({"Title": "CTO"}))
    .header("If-Match", "\"stale--gzip\"")
    .answers(204, None)
    .check(&org)
    .await;
}

#[tokio::test]
async fn update_only_upserts_with_no_match_are_404() {
    let org = org().await;
    let case = Case::new(
        "sobjects: an upsert with ?updateOnly=true and no matching record is 404 NOT_FOUND and creates nothing",
        UPSERT_DOC,
        Method::PATCH,
        "sobjects/Call_Log__c/External_Id__c/never-logged?updateOnly=true",
    )
    .body(json!({"Direction__c": "Inbound"}))
    .answers(404, Some("NOT_FOUND"));
    let answer = case.check(&org).await;
    let errors = api_errors(&case, &answer);
    assert_eq!(errors[0].error_code, ErrorCode::NotFound, "{}", case.name);
    let found = client(&org)
        .query::<Record>("SELECT Id FROM Call_Log__c WHERE External_Id__c = 'never-logged'")
        .await
        .expect("query");
    assert_eq!(found.total_size, 0, "{}: nothing was created", case.name);
}

/// The Event object reference: a start is required, and unless `IsAllDayEvent` is true "a
/// value must be supplied for either DurationInMinutes or EndDateTime".
const EVENT_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm";

#[tokio::test]
async fn an_event_needs_a_start_and_a_length_unless_it_is_all_day() {
    let org = org().await;
    for (body, missing) in [
        (
            json!({"Subject": "Demo", "DurationInMinutes": 30}),
            "ActivityDateTime",
        ),
        (
            json!({"Subject": "Demo", "StartDateTime": "2026-12-09T10:00:00.000+0000"}),
            "DurationInMinutes",
        ),
    ] {
        let case = Case::new(
            "sobjects: an Event without a start, or without a length, is 400 REQUIRED_FIELD_MISSING",
            EVENT_DOC,
            Method::POST,
            "sobjects/Event",
        )
        .body(body)
        .answers(400, Some("REQUIRED_FIELD_MISSING"));
        let answer = case.check(&org).await;
        let errors = api_errors(&case, &answer);
        assert_eq!(
            errors[0].fields,
            [missing],
            "{}: names the field",
            case.name
        );
    }
    for body in [
        json!({"Subject": "Demo", "StartDateTime": "2026-12-09T10:00:00.000+0000", "DurationInMinutes": 30}),
        json!({"Subject": "Demo", "StartDateTime": "2026-12-09T10:00:00.000+0000", "EndDateTime": "2026-12-09T10:30:00.000+0000"}),
        json!({"Subject": "Offsite", "ActivityDateTime": "2026-12-09T00:00:00.000+0000", "IsAllDayEvent": true}),
    ] {
        Case::new(
            "sobjects: an Event with a start and a duration, an end, or all day is created",
            EVENT_DOC,
            Method::POST,
            "sobjects/Event",
        )
        .body(body)
        .answers(201, None)
        .check(&org)
        .await;
    }
}
