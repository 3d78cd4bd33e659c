//! Objects the user's profile gives no Read on: Salesforce answers as if the type did not
//! exist for this user. The REST API's status codes page lists NOT_FOUND for a resource that
//! does not exist; SOQL and SOSL name the type INVALID_TYPE.

use reqwest::Method;
use salesforce::ErrorCode;

use crate::case::{Case, org};

const STATUS_CODES_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm";
const INVALID_TYPE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode";

#[tokio::test]
async fn an_unreadable_object_is_not_found_and_its_type_is_invalid_in_queries_and_searches() {
    let org = org().await;
    org.faults().hide_object("Lead");
    let describe = Case::new(
        "describe of an object the user cannot read",
        STATUS_CODES_DOC,
        Method::GET,
        "sobjects/Lead/describe",
    )
    .answers(404, Some("NOT_FOUND"));
    describe.check(&org).await;
    let query = Case::new(
        "SOQL FROM an object the user cannot read",
        INVALID_TYPE_DOC,
        Method::GET,
        "query?q=SELECT%20Id%20FROM%20Lead",
    )
    .answers(400, Some("INVALID_TYPE"));
    let answer = query.check(&org).await;
    let errors = salesforce::ApiError::list_from_json(&answer.json(&query))
        .expect("the client reads Salesforce's error list");
    assert_eq!(
        errors[0].error_code,
        ErrorCode::InvalidType,
        "{}",
        query.name
    );
    assert!(
        errors[0].message.contains("'Lead'"),
        "{}: the message names the type, which the pop relies on to leave it out: {}",
        query.name,
        answer.text
    );
    let search = Case::new(
        "SOSL RETURNING an object the user cannot read refuses the whole search",
        INVALID_TYPE_DOC,
        Method::GET,
        "search?q=FIND%20%7B4155550123%7D%20IN%20PHONE%20FIELDS%20RETURNING%20Contact(Id),%20Lead(Id)",
    )
    .answers(400, Some("INVALID_TYPE"));
    search.check(&org).await;
    let global = Case::new(
        "describeGlobal leaves out an object the user cannot read",
        "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm",
        Method::GET,
        "sobjects",
    );
    let answer = global.check(&org).await;
    let names: Vec<String> = answer.json(&global)["sobjects"]
        .as_array()
        .expect("a list of objects")
        .iter()
        .filter_map(|o| o["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        names.iter().any(|n| n == "Contact") && !names.iter().any(|n| n == "Lead"),
        "{}: {names:?}",
        global.name
    );
}
