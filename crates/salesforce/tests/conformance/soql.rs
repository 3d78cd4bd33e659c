//! SOQL beyond plain SELECTs, and `/composite/batch`: the REST API's QueryAll and Composite
//! Batch pages and the SOQL and SOSL Reference's COUNT(), comparison operators (semi-joins
//! and anti-joins) and FIELDS() pages. Each answer is read through the client's parsers
//! (`QueryPage<Record>`, `Error`/`ErrorCode`, `ApiError::list_from_json`).
//!
//! Where the pages name a rule but not the answer, the case says the demo org's choice:
//! the semi-join refusals' codes (INVALID_FIELD for a wrong field, MALFORMED_QUERY for a
//! wrong shape) and the answer to a batch of more than 25 subrequests (HTTP 400
//! LIMIT_EXCEEDED, nothing run, as the Batch page says of errors found before processing).

use reqwest::Method;
use salesforce::{ErrorCode, QueryPage, Record};
use serde_json::{Value, json};

use crate::case::{Case, VERSION, api_errors, client, org};

const QUERY_ALL_DOC: &str =
    "https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.html";
const QUERY_ALL_EXAMPLE_DOC: &str =
    "https://developer.salesforce.com/docs/platform/api-rest/guide/dome-queryall.html";
const COUNT_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm";
const SEMI_JOIN_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm";
const FIELDS_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm";
const BATCH_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm";
const BATCH_BODY_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite_batch.htm";

fn encoded(soql: &str) -> String {
    percent_encoding::utf8_percent_encode(soql, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A query page as the client reads it.
fn page(case: &Case, text: &str) -> QueryPage<Record> {
    serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "{}: the client cannot read the query page ({e}): {text}\n  documented at {}",
            case.name, case.doc
        )
    })
}

#[tokio::test]
async fn query_all_includes_deleted_records_that_query_leaves_out() {
    let org = org().await;
    let sf = client(&org);
    let created = sf
        .create("Contact", &json!({"LastName": "Recycled"}))
        .await
        .expect("a contact is created");
    sf.delete("Contact", &created.id)
        .await
        .expect("and deleted");
    let soql = format!(
        "SELECT Id, IsDeleted FROM Contact WHERE Id = '{}'",
        created.id
    );
    let case = Case::new(
        "queryAll: a deleted record comes back with IsDeleted true",
        QUERY_ALL_DOC,
        Method::GET,
        format!("queryAll?q={}", encoded(&soql)),
    );
    let answer = case.check(&org).await;
    let found = page(&case, &answer.text);
    assert_eq!(found.total_size, 1, "{}: {}", case.name, answer.text);
    assert_eq!(
        found.records[0].fields.get("IsDeleted"),
        Some(&json!(true)),
        "{}",
        case.name
    );
    let live: QueryPage<Record> = sf.query(&soql).await.expect("query runs");
    assert_eq!(
        live.total_size, 0,
        "query: \"the Query resource will automatically filter out items that have been deleted\" ({QUERY_ALL_EXAMPLE_DOC})"
    );
    let case = Case::new(
        "queryAll: WHERE IsDeleted = TRUE finds only deleted records",
        QUERY_ALL_EXAMPLE_DOC,
        Method::GET,
        format!(
            "queryAll/?q={}",
            encoded("SELECT Id FROM Contact WHERE isDeleted = TRUE")
        ),
    );
    let answer = case.check(&org).await;
    let deleted = page(&case, &answer.text);
    assert_eq!(
        deleted
            .records
            .iter()
            .filter_map(Record::id)
            .collect::<Vec<_>>(),
        vec![created.id.as_str()],
        "{}",
        case.name
    );
}

#[tokio::test]
async fn query_all_pages_continue_at_query_urls() {
    let org = org().await;
    let sf = client(&org);
    let created = sf
        .create("Contact", &json!({"LastName": "Recycled"}))
        .await
        .expect("a contact is created");
    sf.delete("Contact", &created.id)
        .await
        .expect("and deleted");
    let case = Case::new(
        "queryAll: nextRecordsUrl has query in it and still reads the queryAll rows",
        QUERY_ALL_DOC,
        Method::GET,
        format!(
            "queryAll?q={}",
            encoded("SELECT Id FROM Contact ORDER BY Id")
        ),
    )
    .header("Sforce-Query-Options", "batchSize=200");
    let answer = case.check(&org).await;
    let mut current = page(&case, &answer.text);
    let total = current.total_size;
    let mut ids: Vec<String> = Vec::new();
    loop {
        ids.extend(
            current
                .records
                .iter()
                .filter_map(Record::id)
                .map(str::to_owned),
        );
        let Some(next) = current.next_records_url.take() else {
            break;
        };
        assert!(
            next.starts_with(&format!("/services/data/{VERSION}/query/")),
            "{}: {next}",
            case.name
        );
        current = sf.query_more(&next).await.expect("the next page reads");
    }
    assert_eq!(ids.len() as u64, total, "{}: every row once", case.name);
    assert!(
        ids.contains(&created.id),
        "{}: the deleted row is on a later page",
        case.name
    );
}

#[tokio::test]
async fn count_answers_its_size_and_count_field_an_aggregate_result() {
    let org = org().await;
    let sf = client(&org);
    let all: Vec<Record> = sf
        .query_all("SELECT Id, Email FROM Contact")
        .await
        .expect("every contact");
    let case = Case::new(
        "COUNT(): the size field is the count, records is empty",
        COUNT_DOC,
        Method::GET,
        format!("query?q={}", encoded("SELECT COUNT() FROM Contact")),
    );
    let answer = case.check(&org).await;
    let counted = page(&case, &answer.text);
    assert_eq!(
        (counted.total_size, counted.done, counted.records.len()),
        (all.len() as u64, true, 0),
        "{}: {}",
        case.name,
        answer.text
    );
    let aggregate: QueryPage<Record> = sf
        .query("SELECT COUNT(Id), COUNT(Email) withEmail FROM Contact")
        .await
        .expect("COUNT(field) runs");
    let row = &aggregate.records[0];
    assert_eq!(
        row.sobject_type(),
        "AggregateResult",
        "COUNT(field): an AggregateResult row ({COUNT_DOC})"
    );
    assert_eq!(
        row.fields.get("expr0"),
        Some(&json!(all.len())),
        "the count is in expr0, the implied alias ({COUNT_DOC})"
    );
    let with_email = all
        .iter()
        .filter(|r| !r.fields.get("Email").is_none_or(Value::is_null))
        .count();
    assert_eq!(
        row.fields.get("withEmail"),
        Some(&json!(with_email)),
        "COUNT(Email) counts non-null values, under its alias ({COUNT_DOC})"
    );
    for (soql, why) in [
        (
            "SELECT COUNT() FROM Contact ORDER BY LastName",
            "You can't use COUNT() with an ORDER BY clause",
        ),
        (
            "SELECT COUNT(), Id FROM Contact",
            "COUNT() must be the only element in the SELECT list",
        ),
        (
            "SELECT LastName, COUNT(Id) FROM Contact",
            "a field beside an aggregate must be grouped",
        ),
    ] {
        let err = sf
            .query::<Record>(soql)
            .await
            .expect_err("the query is refused");
        assert_eq!(
            err.api_errors()[0].error_code,
            ErrorCode::MalformedQuery,
            "{soql}: {why} ({COUNT_DOC}): {err}"
        );
    }
}

#[tokio::test]
async fn semi_joins_and_anti_joins_and_their_restrictions() {
    let org = org().await;
    let sf = client(&org);
    let accounts: Vec<Record> = sf
        .query_all("SELECT Id FROM Account")
        .await
        .expect("accounts");
    let with: Vec<Record> = sf
        .query_all("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)")
        .await
        .expect("a semi-join runs");
    let without: Vec<Record> = sf
        .query_all("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)")
        .await
        .expect("an anti-join runs");
    assert_eq!(
        with.len() + without.len(),
        accounts.len(),
        "a semi-join and its anti-join split the accounts ({SEMI_JOIN_DOC})"
    );
    assert!(!with.is_empty() && !without.is_empty());
    for (soql, code, rule) in [
        (
            "SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)",
            "INVALID_FIELD",
            "the left operand must be an ID or reference field",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)",
            "INVALID_FIELD",
            "the subquery must select an ID or reference field",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)",
            "MALFORMED_QUERY",
            "the subquery selects one field",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Case))",
            "MALFORMED_QUERY",
            "no nested semi-joins",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN (SELECT AccountId FROM Case) AND Id IN (SELECT AccountId FROM Opportunity)",
            "MALFORMED_QUERY",
            "no more than two semi-joins or anti-joins per WHERE",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'Acme' OR Id IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "no OR with a semi-join",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact ORDER BY LastName)",
            "MALFORMED_QUERY",
            "no ORDER BY in the subquery",
        ),
    ] {
        let case = Case::new(
            "semi-join: a documented restriction is refused",
            SEMI_JOIN_DOC,
            Method::GET,
            format!("query?q={}", encoded(soql)),
        )
        .answers(400, Some(code));
        let answer = case.check(&org).await;
        let errors = api_errors(&case, &answer);
        assert_eq!(errors[0].error_code.as_str(), code, "{soql}: {rule}");
    }
}

#[tokio::test]
async fn fields_all_and_custom_need_a_limit_of_200_standard_does_not() {
    let org = org().await;
    let sf = client(&org);
    for soql in [
        "SELECT FIELDS(ALL) FROM Account",
        "SELECT FIELDS(CUSTOM) FROM Account LIMIT 201",
    ] {
        let case = Case::new(
            "FIELDS(ALL)/FIELDS(CUSTOM) without LIMIT 200 or less is MALFORMED_QUERY",
            FIELDS_DOC,
            Method::GET,
            format!("query?q={}", encoded(soql)),
        )
        .answers(400, Some("MALFORMED_QUERY"));
        let answer = case.check(&org).await;
        assert_eq!(
            api_errors(&case, &answer)[0].message,
            "The SOQL FIELDS function must have a LIMIT of at most 200",
            "{soql}: the message real orgs answer"
        );
    }
    let all: QueryPage<Record> = sf
        .query("SELECT FIELDS(ALL) FROM Account LIMIT 200")
        .await
        .expect("FIELDS(ALL) with LIMIT 200 runs");
    assert!(
        all.records[0].fields.get("Legacy_Id__c").is_some()
            && all.records[0].fields.get("Name").is_some(),
        "FIELDS(ALL): standard and custom fields ({FIELDS_DOC})"
    );
    let standard: QueryPage<Record> = sf
        .query("SELECT FIELDS(STANDARD) FROM Account")
        .await
        .expect("FIELDS(STANDARD) needs no LIMIT");
    assert!(
        standard.records[0].fields.get("Name").is_some()
            && standard.records[0].fields.get("Legacy_Id__c").is_none(),
        "FIELDS(STANDARD): standard fields only ({FIELDS_DOC})"
    );
    let err = sf
        .query::<Record>("SELECT Id, FIELDS(ALL) FROM Account LIMIT 200")
        .await
        .expect_err("a field named twice is refused");
    assert!(
        err.api_errors()[0]
            .message
            .contains("duplicate field selected: Id"),
        "the documented duplicate error ({FIELDS_DOC}): {err}"
    );
}

#[tokio::test]
async fn composite_batch_answers_each_subrequest_and_halts_on_error() {
    let org = org().await;
    let account = "001Dm0000000002IAA";
    let case = Case::new(
        "composite/batch: HTTP 200, hasErrors, results with statusCode and result",
        BATCH_DOC,
        Method::POST,
        "composite/batch",
    )
    .body(json!({"batchRequests": [
        {"method": "PATCH", "url": format!("{VERSION}/sobjects/Account/{account}"), "richInput": {"Phone": "+1 555 0100"}},
        {"method": "GET", "url": format!("{VERSION}/sobjects/Account/{account}?fields=Phone")},
    ]}));
    let answer = case.check(&org).await;
    let body = answer.json(&case);
    assert_eq!(body["hasErrors"], false, "{}: {body}", case.name);
    assert_eq!(
        body["results"][0]["statusCode"], 204,
        "{}: {body}",
        case.name
    );
    let record: Record = serde_json::from_value(body["results"][1]["result"].clone())
        .expect("the client reads a batch result as a record");
    assert_eq!(
        record.fields.get("Phone"),
        Some(&json!("+1 555 0100")),
        "{}: commits are reflected in the output of later subrequests",
        case.name
    );

    let case = Case::new(
        "composite/batch: haltOnError answers 412 BATCH_PROCESSING_HALTED for the rest",
        BATCH_BODY_DOC,
        Method::POST,
        "composite/batch",
    )
    .body(json!({"haltOnError": true, "batchRequests": [
        {"method": "GET", "url": format!("{VERSION}/sobjects/Account/001000000000000AAA")},
        {"method": "GET", "url": format!("{VERSION}/sobjects/Account/{account}")},
    ]}));
    let answer = case.check(&org).await;
    let body = answer.json(&case);
    assert_eq!(body["hasErrors"], true, "{}: {body}", case.name);
    assert_eq!(
        body["results"][1]["statusCode"], 412,
        "{}: {body}",
        case.name
    );
    let halted = salesforce::ApiError::list_from_json(&body["results"][1]["result"])
        .expect("the client reads the halted subrequest's error list");
    assert_eq!(
        halted[0].error_code.as_str(),
        "BATCH_PROCESSING_HALTED",
        "{}",
        case.name
    );

    let one = json!({"method": "GET", "url": format!("{VERSION}/limits")});
    let case = Case::new(
        "composite/batch: more than 25 subrequests is refused before any runs (the org's choice of 400 LIMIT_EXCEEDED)",
        BATCH_DOC,
        Method::POST,
        "composite/batch",
    )
    .body(json!({"batchRequests": vec![one; 26]}))
    .answers(400, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    assert_eq!(
        api_errors(&case, &answer)[0].error_code,
        ErrorCode::LimitExceeded
    );

    let case = Case::new(
        "composite/batch: an invalid url is HTTP 400 before any subrequest runs",
        BATCH_BODY_DOC,
        Method::POST,
        "composite/batch",
    )
    .body(json!({"batchRequests": [
        {"method": "GET", "url": format!("{VERSION}/limits")},
        {"method": "GET", "url": "not-a-resource"},
    ]}))
    .answers(400, Some("INVALID_API_INPUT"));
    case.check(&org).await;
}
