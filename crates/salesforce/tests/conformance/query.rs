//! SOQL: long text areas can be neither filtered nor sorted (the SOQL and SOSL Reference's
//! WHERE and ORDER BY pages), and describe says so.

use reqwest::Method;
use salesforce::{ErrorCode, Record};

use crate::case::{Case, api_errors, client, org};

const ORDER_BY_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm";
const WHERE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fieldexpression.htm";
const DESCRIBE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm";

fn q(soql: &str) -> String {
    format!(
        "query?q={}",
        percent_encoding::utf8_percent_encode(soql, percent_encoding::NON_ALPHANUMERIC)
    )
}

#[tokio::test]
async fn long_text_areas_in_order_by_or_where_are_invalid_field() {
    let org = org().await;
    for (soql, doc, verb) in [
        (
            "SELECT Id FROM Contact ORDER BY Description",
            ORDER_BY_DOC,
            "sorted",
        ),
        (
            "SELECT Id FROM Call_Log__c ORDER BY Summary__c DESC",
            ORDER_BY_DOC,
            "sorted",
        ),
        (
            "SELECT Id FROM Contact WHERE Description LIKE '%x%'",
            WHERE_DOC,
            "filtered",
        ),
        (
            "SELECT Id FROM Task WHERE Description != null",
            WHERE_DOC,
            "filtered",
        ),
    ] {
        let case = Case::new(
            "query: a long text area in ORDER BY or WHERE is 400 INVALID_FIELD",
            doc,
            Method::GET,
            q(soql),
        )
        .answers(400, Some("INVALID_FIELD"));
        let answer = case.check(&org).await;
        let errors = api_errors(&case, &answer);
        assert!(
            errors[0]
                .message
                .contains(&format!("can not be {verb} in a query call")),
            "{soql}: {}",
            answer.text
        );
    }
    let err = client(&org)
        .query::<Record>("SELECT Id FROM Contact ORDER BY Description")
        .await
        .expect_err("the client's query is refused");
    assert_eq!(err.api_errors()[0].error_code, ErrorCode::InvalidField);
    assert!(!err.is_retryable(), "a query error is permanent: {err}");
}

#[tokio::test]
async fn describe_says_long_text_areas_are_not_filterable_or_sortable() {
    let org = org().await;
    let case = Case::new(
        "describe: a long text area is filterable: false, sortable: false",
        DESCRIBE_DOC,
        Method::GET,
        "sobjects/Task/describe",
    );
    let answer = case.check(&org).await;
    let raw = answer.json(&case);
    let field = |name: &str| {
        raw["fields"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("Task.{name} is described"))
    };
    let description = field("Description");
    assert_eq!(
        (&description["filterable"], &description["sortable"]),
        (&serde_json::json!(false), &serde_json::json!(false)),
        "{}: Task.Description (32,000 characters)",
        case.name
    );
    let subject = field("Subject");
    assert_eq!(
        (&subject["filterable"], &subject["sortable"]),
        (&serde_json::json!(true), &serde_json::json!(true)),
        "{}: Task.Subject is a plain text field",
        case.name
    );
}
