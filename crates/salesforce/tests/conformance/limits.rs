//! The daily API allocation: the "Status Codes and Error Responses" page (403
//! `REQUEST_LIMIT_EXCEEDED`), the `Sforce-Limit-Info` header page and the Limits resource
//! (`DailyApiRequests`).
//!
//! The pages do not say whether a `/limits` call counts, or whether refused calls count; the
//! demo org counts both (the stricter choice, see `demo_org`'s `org` module doc), and these
//! cases hold it to that.

use reqwest::Method;
use salesforce::{ErrorCode, LimitInfo, Record};
use serde_json::{Value, json};

use crate::case::{Case, api_errors, client, org_with};

const ERRORS_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm";
const HEADER_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm";
const LIMITS_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm";

fn limit_info(case: &Case, answer: &crate::case::Answer) -> LimitInfo {
    answer
        .headers
        .get("Sforce-Limit-Info")
        .and_then(|v| v.to_str().ok())
        .and_then(LimitInfo::parse_header)
        .unwrap_or_else(|| {
            panic!(
                "{}: no readable Sforce-Limit-Info header\n  documented at {HEADER_DOC}",
                case.name
            )
        })
}

#[tokio::test]
async fn limits_and_the_header_report_the_same_allocation() {
    let org = org_with(demo_org::DemoOrgConfig {
        api_limit: 40,
        ..Default::default()
    })
    .await;
    let case = Case::new(
        "limits: DailyApiRequests Max/Remaining agree with Sforce-Limit-Info api-usage=N/M",
        LIMITS_DOC,
        Method::GET,
        "limits",
    );
    let answer = case.check(&org).await;
    let info = limit_info(&case, &answer);
    let body = answer.json(&case);
    assert_eq!(
        (info.used, info.max),
        (1, 40),
        "{}: the header names the configured allocation",
        case.name
    );
    assert_eq!(
        body["DailyApiRequests"],
        json!({"Max": info.max, "Remaining": info.max - info.used}),
        "{}: /limits agrees with its own header (the call counts)\n  documented at {}",
        case.name,
        case.doc
    );
}

#[tokio::test]
async fn a_used_up_allocation_answers_403_request_limit_exceeded() {
    let org = org_with(demo_org::DemoOrgConfig {
        api_limit: 2,
        ..Default::default()
    })
    .await;
    let client = client(&org);
    client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("the first call is within the allocation");
    client
        .describe("Contact")
        .await
        .expect("the second call is within the allocation");

    let case = Case::new(
        "limits: past the daily allocation every data request is 403 REQUEST_LIMIT_EXCEEDED",
        ERRORS_DOC,
        Method::GET,
        "sobjects/Contact/describe",
    )
    .answers(403, Some("REQUEST_LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    let errors = api_errors(&case, &answer);
    assert_eq!(
        errors[0].error_code,
        ErrorCode::RequestLimitExceeded,
        "{}: the client knows the code",
        case.name
    );
    assert_eq!(
        errors[0].message, "TotalRequests Limit exceeded.",
        "{}",
        case.name
    );
    let info = limit_info(&case, &answer);
    assert!(
        info.used > info.max && info.fraction_used() > 1.0,
        "{}: refused calls count, and the client reads usage past the allocation: {info:?}",
        case.name
    );
    Case::new(
        "limits: /limits itself is refused once the allocation is used up",
        LIMITS_DOC,
        Method::GET,
        "limits",
    )
    .answers(403, Some("REQUEST_LIMIT_EXCEEDED"))
    .check(&org)
    .await;

    // Through the client: the error the outbox sees, and the usage it keeps.
    let err = client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect_err("the client's query is refused too");
    assert_eq!(err.status(), Some(403), "{err}");
    assert_eq!(
        err.api_errors()[0].error_code,
        ErrorCode::RequestLimitExceeded
    );
    assert!(
        err.is_retryable(),
        "REQUEST_LIMIT_EXCEEDED is transient: the queue waits and retries ({err})"
    );
    assert!(!err.needs_reauth(), "a new token would not help");
    let seen = client
        .last_limit_info()
        .expect("the refusal carries Sforce-Limit-Info");
    assert!(
        seen.used > seen.max,
        "the client keeps the over-limit usage: {seen:?}"
    );

    // Raising the allocation (a new day, or a bigger licence) lets calls through again.
    org.faults().set_api_limit(seen.used + 10);
    client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("calls go through again once the allocation is raised");
    let after = client.last_limit_info().expect("header");
    assert_eq!(
        after.max,
        seen.used + 10,
        "the header names the new allocation"
    );
}

#[tokio::test]
async fn the_header_is_on_every_data_response_and_errors_too() {
    let org = org_with(demo_org::DemoOrgConfig::default()).await;
    let case = Case::new(
        "limits: Sforce-Limit-Info is on error answers too",
        HEADER_DOC,
        Method::GET,
        "sobjects/Nope__c/describe",
    )
    .answers(404, Some("NOT_FOUND"));
    let answer = case.check(&org).await;
    let info = limit_info(&case, &answer);
    assert_eq!(
        info.max,
        demo_org::DEFAULT_API_LIMIT,
        "{}: the default allocation (a Developer Edition's)",
        case.name
    );
    let body: Value = answer.json(&case);
    assert!(body.is_array(), "{}: an error list", case.name);
}
