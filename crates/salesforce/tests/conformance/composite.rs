//! `/composite`, `/composite/graph`, `/composite/sobjects`: the REST API Developer Guide's
//! "Composite" pages.

use reqwest::Method;
use serde_json::json;

use crate::case::{Case, VERSION, org};

const COMPOSITE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm";

#[tokio::test]
async fn a_composite_answers_200_with_each_subrequests_own_status() {
    let org = org().await;
    let case = Case::new(
        "composite: a failed subrequest keeps its own status inside an HTTP 200 answer",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "compositeRequest": [
        {"method": "GET", "url": format!("/services/data/{VERSION}/sobjects/Contact/003000000000000AAA"), "referenceId": "missing"}
    ]}))
    .answers(200, Some("NOT_FOUND"));
    let answer = case.check(&org).await;
    let parsed: salesforce::CompositeResponse = serde_json::from_str(&answer.text)
        .expect("the client reads the documented composite answer");
    let sub = parsed
        .get("missing")
        .expect("the subresponse by its reference");
    assert_eq!(sub.http_status_code, 404, "{}: {}", case.name, answer.text);
    assert!(
        sub.error().is_some(),
        "the client turns the failed subresponse into an error"
    );
}
