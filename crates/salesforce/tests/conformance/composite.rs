//! `/composite`, `/composite/graph`, `/composite/sobjects`: the REST API Developer Guide's
//! "Composite" pages.

use reqwest::Method;
use salesforce::{
    CompositeResponse, CompositeSubresponse, ErrorCode, GraphResponse, QueryPage, Record,
    SearchResult,
};
use serde_json::{Value, json};

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
    let usage = answer
        .headers
        .get("Sforce-Limit-Info")
        .and_then(|v| v.to_str().ok())
        .and_then(salesforce::LimitInfo::parse_header);
    assert!(
        usage.is_some(),
        "{}: every data response carries Sforce-Limit-Info (api-usage=N/M)",
        case.name
    );
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

/// "Composite Response Body": what each subresponse carries.
const RESPONSE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite.htm";
const GRAPH_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm";
const GRAPH_LIMITS_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm";

fn url(path: &str) -> String {
    format!("/services/data/{VERSION}/{path}")
}

fn query(i: usize) -> Value {
    json!({"method": "GET", "url": url("query?q=SELECT+Id+FROM+Contact+LIMIT+1"), "referenceId": format!("q{i}")})
}

fn create(reference: &str, last_name: &str) -> Value {
    json!({"method": "POST", "url": url("sobjects/Contact"), "referenceId": reference, "body": {"LastName": last_name}})
}

/// Reads a composite answer refused as a whole through the client and checks the error the
/// client derives from it: LIMIT_EXCEEDED, permanent, not tied to any subrequest.
fn assert_refused_by_the_client(case: &Case, text: &str) {
    let parsed: CompositeResponse = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{}: the client reads the refusal ({e}): {text}", case.name));
    let refusal = parsed
        .refusal()
        .unwrap_or_else(|| panic!("{}: one entry with referenceId null: {text}", case.name));
    assert_eq!(
        refusal.api_errors()[0].error_code,
        ErrorCode::LimitExceeded,
        "{}: {refusal}",
        case.name
    );
    assert!(
        !refusal.is_retryable(),
        "{}: the same request would be refused again",
        case.name
    );
    let (reference, _) = parsed.first_error().expect("the refusal is an error");
    assert_eq!(
        reference, None,
        "{}: the refusal names no subrequest",
        case.name
    );
}

/// Contacts with this last name, through the client's query parser.
async fn contacts_named(org: &demo_org::DemoOrg, last_name: &str) -> u64 {
    let case = Case::new(
        "query: count the contacts a case created",
        "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm",
        Method::GET,
        format!("query?q=SELECT+Id+FROM+Contact+WHERE+LastName+=+'{last_name}'"),
    );
    let answer = case.check(org).await;
    let page: QueryPage<Record> =
        serde_json::from_str(&answer.text).expect("the client reads a query page");
    page.total_size
}

#[tokio::test]
async fn more_than_25_subrequests_are_refused_with_one_limit_exceeded_entry() {
    // The answer shape is recorded from a real org in
    // https://github.com/guardian/support-service-lambdas/pull/766.
    let org = org().await;
    let subs: Vec<Value> = (0..26)
        .map(|i| create(&format!("c{i}"), "TwentySix"))
        .collect();
    let case = Case::new(
        "composite: 26 subrequests exceed the limit of 25; nothing runs",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "compositeRequest": subs}))
    .answers(200, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    assert_refused_by_the_client(&case, &answer.text);
    assert_eq!(contacts_named(&org, "TwentySix").await, 0, "{}", case.name);
}

#[tokio::test]
async fn six_query_subrequests_are_refused() {
    let org = org().await;
    let subs: Vec<Value> = (0..6).map(query).collect();
    let case = Case::new(
        "composite: 6 query subrequests exceed the limit of 5 query or sObject Collections operations",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"compositeRequest": subs}))
    .answers(200, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    assert_refused_by_the_client(&case, &answer.text);
}

#[tokio::test]
async fn five_queries_and_an_sobject_collections_call_are_refused() {
    let org = org().await;
    let mut subs: Vec<Value> = (0..5).map(query).collect();
    subs.push(json!({"method": "POST", "url": url("composite/sobjects"), "referenceId": "collection", "body": {"allOrNone": false, "records": [{"attributes": {"type": "Contact"}, "LastName": "Collected"}]}}));
    let case = Case::new(
        "composite: an sObject Collections subrequest counts with the queries (5 + 1 > 5)",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"compositeRequest": subs}))
    .answers(200, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    assert_refused_by_the_client(&case, &answer.text);
    assert_eq!(contacts_named(&org, "Collected").await, 0, "{}", case.name);
}

#[tokio::test]
async fn a_search_and_five_queries_are_accepted() {
    let org = org().await;
    let mut subs = vec![
        json!({"method": "GET", "url": url("search?q=FIND+%7BSmith%7D+IN+NAME+FIELDS+RETURNING+Contact(Id)"), "referenceId": "search"}),
    ];
    subs.extend((0..5).map(query));
    let case = Case::new(
        "composite: a search is not a query operation, so a search and 5 queries run",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"compositeRequest": subs}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    assert!(
        parsed.all_succeeded(),
        "{}: {}\n  documented at {}",
        case.name,
        answer.text,
        case.doc
    );
    parsed
        .get("search")
        .expect("the search answered")
        .body_as::<SearchResult>()
        .expect("the client reads the search result");
    for i in 0..5 {
        parsed
            .get(&format!("q{i}"))
            .expect("each query answered")
            .body_as::<QueryPage<Record>>()
            .expect("the client reads each page");
    }
}

#[tokio::test]
async fn an_unresolvable_reference_fails_its_subrequest_and_the_others_run() {
    // Real orgs answer 400 PROCESSING_HALTED "Invalid reference specified. No value for …"
    // (recorded in salesforce-misc/ReVoman's
    // src/test/resources/composite/query/resp/query-response-all-error.json).
    let org = org().await;
    let case = Case::new(
        "composite: references to a later subrequest, past the end of a list, to a missing or null field fail with PROCESSING_HALTED; without allOrNone the rest runs",
        RESPONSE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "compositeRequest": [
        {"method": "GET", "url": url("sobjects/Contact/@{kept.id}"), "referenceId": "forward"},
        {"method": "GET", "url": url("query?q=SELECT+Id,+Email+FROM+Contact+WHERE+LastName+=+'Nobody'"), "referenceId": "none"},
        {"method": "PATCH", "url": url("sobjects/Contact/@{none.records[9].Id}"), "referenceId": "pastEnd", "body": {"Title": "x"}},
        create("kept", "Kept"),
        {"method": "GET", "url": url("sobjects/Contact/@{kept.nope}"), "referenceId": "missingField"},
        {"method": "GET", "url": url("query?q=SELECT+Id,+Email+FROM+Contact+WHERE+Id+=+'@{kept.id}'"), "referenceId": "fresh"},
        // A new Contact has no Email: the docs are silent on null; the demo org refuses it.
        {"method": "PATCH", "url": url("sobjects/Contact/@{kept.id}"), "referenceId": "nullField", "body": {"Title": "@{fresh.records[0].Email}"}},
    ]}))
    .answers(200, Some("PROCESSING_HALTED"));
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    for reference in ["forward", "pastEnd", "missingField", "nullField"] {
        let err = parsed
            .get(reference)
            .and_then(|s| s.error())
            .unwrap_or_else(|| panic!("{}: `{reference}` failed: {}", case.name, answer.text));
        assert_eq!(err.status(), Some(400), "{}: {reference}", case.name);
        assert_eq!(
            err.api_errors()[0].error_code,
            ErrorCode::ProcessingHalted,
            "{}: {reference}: {err}",
            case.name
        );
        assert!(
            err.api_errors()[0]
                .message
                .starts_with("Invalid reference specified."),
            "{}: {reference}: {err}",
            case.name
        );
    }
    let kept = parsed.get("kept").expect("answered");
    assert_eq!(kept.http_status_code, 201, "{}: {}", case.name, answer.text);
    assert_eq!(contacts_named(&org, "Kept").await, 1, "{}", case.name);
}

fn graph(id: &str, nodes: Vec<Value>) -> Value {
    json!({"graphId": id, "compositeRequest": nodes})
}

#[tokio::test]
async fn graph_nodes_other_than_sobject_rows_fail_their_graph() {
    let org = org().await;
    for (kind, node) in [
        (
            "a query",
            json!({"method": "GET", "url": url("query?q=SELECT+Id+FROM+Contact"), "referenceId": "other"}),
        ),
        (
            "a search",
            json!({"method": "GET", "url": url("search?q=FIND+%7BSmith%7D"), "referenceId": "other"}),
        ),
        (
            "a describe",
            json!({"method": "GET", "url": url("sobjects/Contact/describe"), "referenceId": "other"}),
        ),
        (
            "sObject Collections",
            json!({"method": "POST", "url": url("composite/sobjects"), "referenceId": "other", "body": {"records": []}}),
        ),
        (
            "limits",
            json!({"method": "GET", "url": url("limits"), "referenceId": "other"}),
        ),
    ] {
        let case = Case::new(
            "composite/graph: a node that is not an sObject row fails its graph before it runs (answer shape modelled: the docs give none)",
            GRAPH_DOC,
            Method::POST,
            "composite/graph",
        )
        .body(json!({"graphs": [
            graph("mixed", vec![create("row", "Mixed"), node]),
            graph("rows", vec![create("row", "RowsOnly")]),
        ]}))
        .answers(200, Some("INVALID_API_INPUT"));
        let answer = case.check(&org).await;
        let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
        let mixed = parsed.get("mixed").expect("the graph answered");
        assert!(
            !mixed.is_successful,
            "{} ({kind}): {}",
            case.name, answer.text
        );
        let err = mixed.error().expect("a failed graph has an error");
        assert_eq!(
            err.code(),
            "INVALID_API_INPUT",
            "{} ({kind}): {err}",
            case.name
        );
        assert!(!err.is_retryable(), "{} ({kind})", case.name);
        assert!(
            parsed.get("rows").is_some_and(|g| g.is_successful),
            "{} ({kind}): the other graph ran: {}",
            case.name,
            answer.text
        );
    }
    assert_eq!(
        contacts_named(&org, "Mixed").await,
        0,
        "nothing of a refused graph ran"
    );
}

#[tokio::test]
async fn graph_row_kinds_are_accepted() {
    let org = org().await;
    let case = Case::new(
        "composite/graph: create, read, update and delete by id, and upsert, read and delete by external id are graph nodes",
        GRAPH_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [graph("rows", vec![
        create("contact", "GraphRows"),
        json!({"method": "GET", "url": url("sobjects/Contact/@{contact.id}"), "referenceId": "read"}),
        json!({"method": "PATCH", "url": url("sobjects/Contact/@{contact.id}"), "referenceId": "update", "body": {"Title": "Row"}}),
        json!({"method": "PATCH", "url": url("sobjects/Call_Log__c/External_Id__c/graph-rows-1"), "referenceId": "upsert", "body": {"Direction__c": "Inbound"}}),
        json!({"method": "GET", "url": url("sobjects/Call_Log__c/External_Id__c/graph-rows-1"), "referenceId": "byExternalId"}),
        json!({"method": "DELETE", "url": url("sobjects/Call_Log__c/External_Id__c/graph-rows-1"), "referenceId": "deleteByExternalId"}),
        json!({"method": "DELETE", "url": url("sobjects/Contact/@{contact.id}"), "referenceId": "delete"}),
    ])]}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    let rows = parsed.get("rows").expect("answered");
    assert!(
        rows.is_successful,
        "{}: {}\n  documented at {}",
        case.name, answer.text, case.doc
    );
    assert!(rows.error().is_none());
}

#[tokio::test]
async fn more_than_75_graphs_are_refused_and_75_are_accepted() {
    let org = org().await;
    let graphs = |n: usize| {
        (0..n)
            .map(|i| graph(&format!("g{i}"), vec![create("c", "SeventyFive")]))
            .collect::<Vec<_>>()
    };
    let case = Case::new(
        "composite/graph: 76 graphs exceed the limit of 75; nothing runs (answer shape modelled: HTTP 400 LIMIT_EXCEEDED)",
        GRAPH_LIMITS_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": graphs(76)}))
    .answers(400, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    let errors = salesforce::ApiError::list_from_json(&answer.json(&case))
        .expect("the client reads the error list");
    assert_eq!(
        errors[0].error_code,
        ErrorCode::LimitExceeded,
        "{}",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "SeventyFive").await,
        0,
        "{}",
        case.name
    );

    let case = Case::new(
        "composite/graph: 75 graphs are within the limit",
        GRAPH_LIMITS_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": graphs(75)}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    assert!(
        parsed.graphs.iter().all(|g| g.is_successful),
        "{}: {}",
        case.name,
        answer.text
    );
}

#[tokio::test]
async fn more_than_500_nodes_are_refused_and_500_are_accepted() {
    let org = org().await;
    // Five graphs of 100 like nodes (one "different node": same version, method, object).
    let graphs = |extra: usize| {
        (0..5)
            .map(|g| {
                let n = 100 + usize::from(g == 0) * extra;
                graph(
                    &format!("g{g}"),
                    (0..n)
                        .map(|i| create(&format!("c{i}"), "FiveHundred"))
                        .collect(),
                )
            })
            .collect::<Vec<_>>()
    };
    let case = Case::new(
        "composite/graph: 501 nodes exceed the limit of 500 per payload; nothing runs (answer shape modelled: HTTP 400 LIMIT_EXCEEDED)",
        GRAPH_LIMITS_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": graphs(1)}))
    .answers(400, Some("LIMIT_EXCEEDED"));
    let answer = case.check(&org).await;
    let errors = salesforce::ApiError::list_from_json(&answer.json(&case)).expect("readable");
    assert_eq!(
        errors[0].error_code,
        ErrorCode::LimitExceeded,
        "{}",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "FiveHundred").await,
        0,
        "{}",
        case.name
    );

    let case = Case::new(
        "composite/graph: 500 nodes are within the limit",
        GRAPH_LIMITS_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": graphs(0)}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    assert!(
        parsed.graphs.iter().all(|g| g.is_successful),
        "{}",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "FiveHundred").await,
        500,
        "{}",
        case.name
    );
}

#[tokio::test]
async fn more_than_15_different_nodes_are_refused() {
    let org = org().await;
    // 8 objects × (POST, GET) = 16 different nodes.
    let nodes: Vec<Value> = [
        "Account", "Contact", "Lead", "Task", "Case", "Opportunity", "Call_Log__c", "User",
    ]
    .iter()
    .flat_map(|object| {
        [
            json!({"method": "POST", "url": url(&format!("sobjects/{object}")), "referenceId": format!("new{object}"), "body": {}}),
            json!({"method": "GET", "url": url(&format!("sobjects/{object}/@{{new{object}.id}}")), "referenceId": format!("get{object}")}),
        ]
    })
    .collect();
    let case = Case::new(
        "composite/graph: 16 different nodes (API version, method, object) exceed the limit of 15 (answer shape modelled: HTTP 400 LIMIT_EXCEEDED)",
        GRAPH_LIMITS_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [graph("wide", nodes)]}))
    .answers(400, Some("LIMIT_EXCEEDED"));
    case.check(&org).await;
}

#[tokio::test]
async fn each_graph_is_all_or_nothing() {
    let org = org().await;
    let case = Case::new(
        "composite/graph: a failing node rolls its whole graph back (the rest answer PROCESSING_HALTED); other graphs commit",
        GRAPH_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [
        graph("broken", vec![
            create("first", "RolledBack"),
            json!({"method": "POST", "url": url("sobjects/Contact"), "referenceId": "noLastName", "body": {"FirstName": "Nobody"}}),
        ]),
        graph("fine", vec![create("only", "Committed")]),
    ]}))
    .answers(200, Some("REQUIRED_FIELD_MISSING"));
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    let broken = parsed.get("broken").expect("answered");
    assert!(!broken.is_successful, "{}", case.name);
    let first = broken
        .graph_response
        .get("first")
        .and_then(|s| s.error())
        .expect("the successful node was rolled back");
    assert_eq!(first.code(), "PROCESSING_HALTED", "{}: {first}", case.name);
    let cause = broken.error().expect("the graph failed");
    assert_eq!(
        cause.api_errors()[0].error_code,
        ErrorCode::RequiredFieldMissing,
        "{}: the client finds the node that failed the graph: {cause}",
        case.name
    );
    assert!(
        parsed.get("fine").is_some_and(|g| g.is_successful),
        "{}",
        case.name
    );
    assert_eq!(contacts_named(&org, "RolledBack").await, 0, "{}", case.name);
    assert_eq!(contacts_named(&org, "Committed").await, 1, "{}", case.name);
}

/// Outcome actions (issue 17) ride in their own graph beside the call log's, so a record
/// the org refuses (here a stage a restricted picklist does not list) fails only its own
/// graph: "the steps in a given set of requests are either all completed or all not
/// completed", per graph, and each graph answers its own `isSuccessful`.
#[tokio::test]
async fn a_graph_refused_at_run_time_leaves_the_other_graph_landed() {
    let org = org().await;
    let case = Case::new(
        "composite/graph: a graph whose node is refused at run time (restricted picklist) rolls back alone; the other graph lands",
        GRAPH_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [
        graph("actions", vec![
            json!({"method": "POST", "url": url("sobjects/Lead"), "referenceId": "lead",
                   "body": {"LastName": "RefusedStage", "Company": "C"}}),
            json!({"method": "PATCH", "url": url("sobjects/Lead/@{lead.id}"), "referenceId": "stage",
                   "body": {"Status": "Hot"}}),
        ]),
        graph("log", vec![create("row", "LogLands")]),
    ]}))
    .answers(200, Some("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"));
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    let actions = parsed.get("actions").expect("the refused graph answered");
    assert!(!actions.is_successful, "{}: {}", case.name, answer.text);
    let err = actions.error().expect("a failed graph has an error");
    assert!(
        !err.is_retryable(),
        "{}: a refused value is permanent, so the actions go to dead letter at once: {err}",
        case.name
    );
    assert!(
        parsed.get("log").is_some_and(|g| g.is_successful),
        "{}: the other graph landed: {}",
        case.name,
        answer.text
    );
    assert_eq!(
        contacts_named(&org, "LogLands").await,
        1,
        "the log's graph ran"
    );
    let leads = Case::new(
        "query: the refused graph's Lead",
        "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm",
        Method::GET,
        "query?q=SELECT+Id+FROM+Lead+WHERE+LastName+=+'RefusedStage'",
    )
    .check(&org)
    .await;
    let page: QueryPage<Record> = serde_json::from_str(&leads.text).expect("a query page");
    assert_eq!(
        page.total_size, 0,
        "the refused graph rolled back whole: its created Lead is gone too"
    );
}

const SUBREQUEST_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_composite_subrequest.htm";
const UPSERT_DOC: &str =
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm";

/// What `create_opportunity` sends in its actions graph: read the Contact's `AccountId`, read
/// that Account's `Name` (the Composite Subrequest page: "@{Account1Data.Name}" refers to a
/// field of a record read earlier, in the body or the URL), then upsert the Opportunity by its
/// External ID (`PATCH sobjects/X/Field/value` is a graph node; the upsert page: 201 when it
/// created, 200 when it updated). **Modelled:** the page shows references as whole values and
/// inside URLs; it does not show one inside longer text ("{name} – date"); the demo org
/// substitutes it textually, as in a URL.
#[tokio::test]
async fn a_graph_reads_the_account_and_upserts_an_opportunity_by_external_id_once() {
    let org = org().await;
    let upsert = |reference: &str| {
        graph(
            reference,
            vec![
                json!({"method": "GET", "url": url(&format!("sobjects/Contact/{}?fields=AccountId", demo_org::seed::JANE_CALLER_ID)), "referenceId": "contact"}),
                json!({"method": "GET", "url": url("sobjects/Account/@{contact.AccountId}?fields=Name"), "referenceId": "account"}),
                json!({"method": "PATCH", "url": url("sobjects/Opportunity/Ringside_Call_Id__c/conf-opp-1"), "referenceId": "opp", "body": {
                    "Name": "@{account.Name} – 2026-12-07",
                    "StageName": "Prospecting",
                    "CloseDate": "2027-01-06",
                    "AccountId": "@{contact.AccountId}",
                }}),
            ],
        )
    };
    for (status, what) in [(201, "created"), (200, "updated, not created again")] {
        let case = Case::new(
            "composite/graph: GET rows feed references; an Opportunity upsert by External ID creates once, then updates",
            UPSERT_DOC,
            Method::POST,
            "composite/graph",
        )
        .body(json!({"graphs": [upsert("g")]}))
        .answers(200, None);
        let answer = case.check(&org).await;
        let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
        let g = parsed.get("g").expect("answered");
        assert!(
            g.is_successful,
            "{}: {}\n  documented at {SUBREQUEST_DOC}",
            case.name, answer.text
        );
        let opp = g.graph_response.get("opp").expect("the upsert answered");
        assert_eq!(
            opp.http_status_code, status,
            "{}: {what}: {}",
            case.name, answer.text
        );
    }
    let client = crate::case::client(&org);
    let found: Vec<Record> = client
        .query_all(
            "SELECT Name, AccountId FROM Opportunity WHERE Ringside_Call_Id__c = 'conf-opp-1'",
        )
        .await
        .expect("readable");
    assert_eq!(found.len(), 1, "one Opportunity for the key: {found:?}");
    assert_eq!(
        found[0].fields["AccountId"],
        json!(demo_org::seed::ACME_ACCOUNT_ID),
        "on the Contact's Account"
    );
    assert!(
        found[0].fields["Name"]
            .as_str()
            .is_some_and(|n| n.ends_with(" – 2026-12-07") && !n.contains("@{")),
        "the reference inside the text is replaced by the Account's name: {found:?}"
    );
}

/// The Contact's Title, through the client's query parser.
async fn title_of(org: &demo_org::DemoOrg, id: &str) -> Option<String> {
    let case = Case::new(
        "query: read the Title a case changed",
        "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm",
        Method::GET,
        format!("query?q=SELECT+Title+FROM+Contact+WHERE+Id+=+'{id}'"),
    );
    let answer = case.check(org).await;
    let page: QueryPage<Record> =
        serde_json::from_str(&answer.text).expect("the client reads a query page");
    page.records
        .first()
        .and_then(|r| r.fields.get("Title"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[tokio::test]
async fn an_all_or_none_composite_that_fails_takes_back_what_ran_before() {
    let org = org().await;
    let made = Case::new(
        "composite: a Contact made before the all-or-none request",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "compositeRequest": [create("kept", "AllOrNoneKept")]}))
    .answers(200, None)
    .check(&org)
    .await;
    let kept: CompositeResponse = serde_json::from_str(&made.text).expect("readable");
    let kept_id = kept
        .get("kept")
        .and_then(|s| s.body["id"].as_str())
        .expect("created")
        .to_owned();
    let case = Case::new(
        "composite: with allOrNone true, a failing subrequest rolls back the create and the update before it; they answer PROCESSING_HALTED",
        COMPOSITE_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": true, "compositeRequest": [
        create("first", "AllOrNoneRolledBack"),
        {"method": "PATCH", "url": url(&format!("sobjects/Contact/{kept_id}")), "referenceId": "retitle", "body": {"Title": "Changed"}},
        {"method": "POST", "url": url("sobjects/Contact"), "referenceId": "noLastName", "body": {"FirstName": "Nobody"}},
    ]}))
    .answers(200, Some("PROCESSING_HALTED"));
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    let failed = parsed
        .get("noLastName")
        .and_then(|s| s.error())
        .expect("the failing one");
    assert_eq!(
        failed.api_errors()[0].error_code,
        ErrorCode::RequiredFieldMissing,
        "{}: {failed}",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "AllOrNoneRolledBack").await,
        0,
        "{}",
        case.name
    );
    assert_eq!(
        title_of(&org, &kept_id).await,
        None,
        "{}: the update was taken back",
        case.name
    );
}

const COLLECTIONS_CREATE_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm";

#[tokio::test]
async fn an_all_or_none_collection_with_a_bad_record_creates_none() {
    let org = org().await;
    let case = Case::new(
        "composite/sobjects: with allOrNone true, one invalid record rolls back the whole request: 200, every SaveResult success false, the valid ones ALL_OR_NONE_OPERATION_ROLLED_BACK",
        COLLECTIONS_CREATE_DOC,
        Method::POST,
        "composite/sobjects",
    )
    .body(json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Contact"}, "LastName": "CollectionRolledBack"},
        {"attributes": {"type": "Contact"}, "FirstName": "NoLastName"},
    ]}))
    .answers(200, None);
    let results = case.check(&org).await.json(&case);
    let codes: Vec<(bool, &str)> = results
        .as_array()
        .expect("a list of SaveResults")
        .iter()
        .map(|r| {
            (
                r["success"] == json!(true),
                r["errors"][0]["statusCode"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (false, "ALL_OR_NONE_OPERATION_ROLLED_BACK"),
            (false, "REQUIRED_FIELD_MISSING")
        ],
        "{}",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "CollectionRolledBack").await,
        0,
        "{}",
        case.name
    );
}

/// "allOrNone Parameters in Composite and Collections Requests": "If the Composite request
/// has allOrNone set to true, then the all-or-none behavior also applies to each of the
/// sObject Collections subrequests, overriding the value of allOrNone in the subrequests.
/// If the Composite request has allOrNone set to false, then each sObject Collections
/// subrequest behaves according to its value of allOrNone." Its example is a collection of
/// two Accounts, one of which fails, and a Contact create after it, in four cases (both
/// flags false, only the collection's true, both true, only the composite's true).
const ALL_OR_NONE_PARAMETERS_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm";

/// An sObject Collections create subrequest of two Contacts with the collection's own
/// `allOrNone`: the first valid, the second without the required LastName.
fn collection(reference: &str, all_or_none: bool, last_name: &str) -> Value {
    json!({"method": "POST", "url": url("composite/sobjects"), "referenceId": reference, "body": {"allOrNone": all_or_none, "records": [
        {"attributes": {"type": "Contact"}, "LastName": last_name},
        {"attributes": {"type": "Contact"}, "FirstName": "NoLastName"},
    ]}})
}

/// The subresponse for `reference`, or a panic naming the case.
fn subresponse<'a>(
    case: &Case,
    parsed: &'a CompositeResponse,
    reference: &str,
) -> &'a CompositeSubresponse {
    parsed
        .get(reference)
        .unwrap_or_else(|| panic!("{}: no subresponse `{reference}`", case.name))
}

/// A collection subresponse's SaveResults as (success, first statusCode), after checking
/// that the subrequest itself answered 200: a record's failure is told in its SaveResult,
/// not in the subrequest's status.
fn save_results(case: &Case, parsed: &CompositeResponse, reference: &str) -> Vec<(bool, String)> {
    let sub = subresponse(case, parsed, reference);
    assert_eq!(
        sub.http_status_code, 200,
        "{}: the collection subrequest answers 200 with one SaveResult per record: {:?}",
        case.name, sub.body
    );
    sub.body
        .as_array()
        .unwrap_or_else(|| panic!("{}: a list of SaveResults: {:?}", case.name, sub.body))
        .iter()
        .map(|r| {
            let code = r["errors"][0]["statusCode"].as_str().unwrap_or("");
            (r["success"] == json!(true), code.to_owned())
        })
        .collect()
}

/// Asserts that `reference` answered 400 PROCESSING_HALTED, as every other subrequest of a
/// failed all-or-none composite does.
fn assert_halted(case: &Case, parsed: &CompositeResponse, reference: &str) {
    let sub = subresponse(case, parsed, reference);
    assert_eq!(
        sub.http_status_code, 400,
        "{}: `{reference}` was rolled back or not run: {:?}",
        case.name, sub.body
    );
    assert_eq!(
        sub.error()
            .and_then(|e| e.api_errors().first().map(|a| a.error_code.clone())),
        Some(ErrorCode::ProcessingHalted),
        "{}: `{reference}` says why: {:?}",
        case.name,
        sub.body
    );
}

/// Asserts that the collection subrequest `reference` gave its own all-or-none answer: the
/// valid record ALL_OR_NONE_OPERATION_ROLLED_BACK, the one without LastName
/// REQUIRED_FIELD_MISSING (Collections create page).
fn assert_collection_rolled_back(case: &Case, parsed: &CompositeResponse, reference: &str) {
    assert_eq!(
        save_results(case, parsed, reference),
        vec![
            (false, "ALL_OR_NONE_OPERATION_ROLLED_BACK".to_owned()),
            (false, "REQUIRED_FIELD_MISSING".to_owned())
        ],
        "{}: the collection's own all-or-none answer: its valid record rolled back too",
        case.name
    );
}

/// Asserts that the create `reference` answered 201: the composite went on past a failure.
fn assert_created(case: &Case, parsed: &CompositeResponse, reference: &str) {
    let sub = subresponse(case, parsed, reference);
    assert_eq!(
        sub.http_status_code, 201,
        "{}: the composite went on and `{reference}` was created: {:?}",
        case.name, sub.body
    );
}

#[tokio::test]
async fn an_all_or_none_composite_takes_back_a_partly_failed_collection_subrequest() {
    // The docs' case 4 (composite true, collection false). Its documented answer: the
    // collection subrequest answers 200 with its own per-record results ("Even though the
    // response body for sObject Collections request shows "success" : true for the creation
    // of the first Account, the fact that the Composite request is rolled back means that
    // the Account creation is rolled back. The final result is that the new Account is not
    // created."), and the Contact create after it answers 400 PROCESSING_HALTED. A create
    // before the collection is taken back too and answers PROCESSING_HALTED, as before any
    // failing subrequest of an all-or-none composite.
    let org = org().await;
    let case = Case::new(
        "composite: with allOrNone true, a collection subrequest (allOrNone false) with one bad record rolls back the whole composite; the collection answers 200 with its SaveResults, the others PROCESSING_HALTED",
        ALL_OR_NONE_PARAMETERS_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": true, "collateSubrequests": false, "compositeRequest": [
        create("before", "AonOuterBefore"),
        collection("records", false, "AonOuterRecord"),
        create("after", "AonOuterAfter"),
    ]}))
    .answers(200, Some("PROCESSING_HALTED"));
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    assert_halted(&case, &parsed, "before");
    assert_eq!(
        save_results(&case, &parsed, "records"),
        vec![
            (true, String::new()),
            (false, "REQUIRED_FIELD_MISSING".to_owned())
        ],
        "{}: the collection's own answer, as with allOrNone false (the docs' example body)",
        case.name
    );
    assert_halted(&case, &parsed, "after");
    for last_name in ["AonOuterBefore", "AonOuterRecord", "AonOuterAfter"] {
        assert_eq!(
            contacts_named(&org, last_name).await,
            0,
            "{}: {last_name} was taken back (the record the collection called a success too)",
            case.name
        );
    }
}

#[tokio::test]
async fn an_all_or_none_composite_with_an_all_or_none_collection_rolls_both_back() {
    // The docs' case 3 (both true): "both requests have allOrNone set to true, so they are
    // both rolled back". The page shows no body for this case; the docs being silent, the
    // collection answers as it does alone with allOrNone true (Collections create page: the
    // valid record ALL_OR_NONE_OPERATION_ROLLED_BACK, nothing kept) and the Contact create
    // after it PROCESSING_HALTED, as after any failure in an all-or-none composite.
    let org = org().await;
    let case = Case::new(
        "composite: with allOrNone true, an all-or-none collection subrequest with one bad record rolls back itself and the composite",
        ALL_OR_NONE_PARAMETERS_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": true, "collateSubrequests": false, "compositeRequest": [
        collection("records", true, "AonBothRecord"),
        create("after", "AonBothAfter"),
    ]}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    assert_collection_rolled_back(&case, &parsed, "records");
    assert_halted(&case, &parsed, "after");
    for last_name in ["AonBothRecord", "AonBothAfter"] {
        assert_eq!(
            contacts_named(&org, last_name).await,
            0,
            "{}: {last_name} was rolled back",
            case.name
        );
    }
}

#[tokio::test]
async fn an_all_or_none_collection_in_a_partial_composite_rolls_back_alone() {
    // The docs' case 2 (composite false, collection true): "the inner sObject Collections
    // request has allOrNone set to true, so it is rolled back. The outer Composite request is
    // not rolled back."
    let org = org().await;
    let case = Case::new(
        "composite: with allOrNone false, an all-or-none collection subrequest with one bad record rolls back alone; the Contact create after it is kept",
        ALL_OR_NONE_PARAMETERS_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "collateSubrequests": false, "compositeRequest": [
        collection("records", true, "AonInnerRecord"),
        create("after", "AonInnerAfter"),
    ]}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    assert_collection_rolled_back(&case, &parsed, "records");
    assert_created(&case, &parsed, "after");
    assert_eq!(
        contacts_named(&org, "AonInnerRecord").await,
        0,
        "{}: the collection rolled back",
        case.name
    );
    assert_eq!(
        contacts_named(&org, "AonInnerAfter").await,
        1,
        "{}: the composite did not",
        case.name
    );
}

#[tokio::test]
async fn a_partial_collection_in_a_partial_composite_keeps_what_succeeded() {
    // The docs' case 1 (both false): "neither request is rolled back. One account is created
    // and one fails."
    let org = org().await;
    let case = Case::new(
        "composite: with allOrNone false on both, the collection's valid record and the Contact create after it are kept",
        ALL_OR_NONE_PARAMETERS_DOC,
        Method::POST,
        "composite",
    )
    .body(json!({"allOrNone": false, "collateSubrequests": false, "compositeRequest": [
        collection("records", false, "AonNeitherRecord"),
        create("after", "AonNeitherAfter"),
    ]}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: CompositeResponse = serde_json::from_str(&answer.text).expect("readable");
    assert_eq!(
        save_results(&case, &parsed, "records"),
        vec![
            (true, String::new()),
            (false, "REQUIRED_FIELD_MISSING".to_owned())
        ],
        "{}: partial success: the valid record saved, the other failed",
        case.name
    );
    assert_created(&case, &parsed, "after");
    for last_name in ["AonNeitherRecord", "AonNeitherAfter"] {
        assert_eq!(
            contacts_named(&org, last_name).await,
            1,
            "{}: {last_name} was kept",
            case.name
        );
    }
}
