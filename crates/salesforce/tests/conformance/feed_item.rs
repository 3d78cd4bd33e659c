//! FeedItem rows (a post in a record's Chatter feed), as the outcome action `chatter` writes
//! them: `POST sobjects/FeedItem` with `ParentId`, `Type` = TextPost and `Body`, in a
//! composite graph; and what the object reference says it refuses.
//!
//! Object reference, FeedItem: `ParentId` is required; `Body` is a `textarea` of 10,000
//! characters with the properties "Create, Nillable, Sort, Update" (no Filter: it cannot be
//! used in a WHERE clause, so Ringside finds its own post by `ParentId` and reads the bodies);
//! `Body` is "required when Type is TextPost or AdvancedTextPost". FeedItem supports
//! `create()` and `query()`, so the sObject REST resources take it (with the `api` scope:
//! Ringside reserving `chatter` for the privileged profile is its own policy, not a
//! Salesforce refusal).

use reqwest::Method;
use salesforce::{GraphResponse, QueryPage, Record};
use serde_json::{Value, json};

use crate::case::{Case, VERSION, org};

const FEED_ITEM_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_feeditem.htm";
const FIELD_REF_DOC: &str = "https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-feeditem.html";
const SUBREQUEST_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_composite_subrequest.htm";

fn url(path: &str) -> String {
    format!("/services/data/{VERSION}/{path}")
}

#[tokio::test]
async fn a_feed_item_needs_a_parent_and_a_body_of_at_most_10000_characters() {
    let org = org().await;
    let opportunity = demo_org::seed::JANE_OPEN_OPPORTUNITY_ID;
    for (name, body, code) in [
        (
            "FeedItem: no ParentId is REQUIRED_FIELD_MISSING",
            json!({"Type": "TextPost", "Body": "Qualified"}),
            "REQUIRED_FIELD_MISSING",
        ),
        (
            "FeedItem: a TextPost without Body is REQUIRED_FIELD_MISSING",
            json!({"ParentId": opportunity, "Type": "TextPost"}),
            "REQUIRED_FIELD_MISSING",
        ),
        (
            "FeedItem: a Body over 10,000 characters is STRING_TOO_LONG",
            json!({"ParentId": opportunity, "Type": "TextPost", "Body": "x".repeat(10_001)}),
            "STRING_TOO_LONG",
        ),
        (
            "FeedItem: a Type the restricted picklist does not list is refused",
            json!({"ParentId": opportunity, "Type": "Memo", "Body": "x"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
    ] {
        Case::new(name, FEED_ITEM_DOC, Method::POST, "sobjects/FeedItem")
            .body(body)
            .answers(400, Some(code))
            .check(&org)
            .await;
    }
    let created = Case::new(
        "FeedItem: a TextPost of exactly 10,000 characters on an Opportunity is created",
        FIELD_REF_DOC,
        Method::POST,
        "sobjects/FeedItem",
    )
    .body(json!({"ParentId": opportunity, "Type": "TextPost", "Body": "y".repeat(10_000)}))
    .answers(201, None)
    .check(&org)
    .await;
    let id = serde_json::from_str::<Value>(&created.text).expect("JSON")["id"]
        .as_str()
        .map(str::to_owned)
        .expect("an id");
    assert!(id.starts_with("0D5"), "FeedItem ids start with 0D5: {id}");
}

#[tokio::test]
async fn feed_items_are_found_by_parent_but_body_cannot_be_filtered() {
    let org = org().await;
    let lead = demo_org::seed::SHARED_NUMBER_LEAD_ID;
    Case::new(
        "FeedItem: a post on a Lead",
        FEED_ITEM_DOC,
        Method::POST,
        "sobjects/FeedItem",
    )
    .body(json!({"ParentId": lead, "Body": "Qualified on a call [Ringside call c-1]"}))
    .answers(201, None)
    .check(&org)
    .await;
    let found = Case::new(
        "FeedItem: ParentId is filterable; Body can be selected",
        FIELD_REF_DOC,
        Method::GET,
        format!("query?q=SELECT+Id,+Body,+Type+FROM+FeedItem+WHERE+ParentId+=+'{lead}'"),
    )
    .check(&org)
    .await;
    let page: QueryPage<Record> = serde_json::from_str(&found.text).expect("a query page");
    assert_eq!(page.total_size, 1, "{}", found.text);
    assert_eq!(
        page.records[0].fields["Type"],
        json!("TextPost"),
        "the default type"
    );
    Case::new(
        "FeedItem: Body is not filterable (no Filter property), so LIKE on it is refused",
        FEED_ITEM_DOC,
        Method::GET,
        "query?q=SELECT+Id+FROM+FeedItem+WHERE+Body+LIKE+'%25c-1%25'",
    )
    .answers(400, Some("INVALID_FIELD"))
    .check(&org)
    .await;
}

/// What `chatter` sends in its actions graph: read the signed-in user's `Name` (a `GET` row,
/// which a graph allows) and post the FeedItem whose Body holds `@{agent.Name}` inside longer
/// text. Like create_opportunity's case, a reference inside text is modelled as substituted
/// textually (the Composite Subrequest page shows references in URLs and as whole values).
#[tokio::test]
async fn a_graph_reads_the_users_name_and_posts_it_in_a_feed_item() {
    let org = org().await;
    let opportunity = demo_org::seed::JANE_OPEN_OPPORTUNITY_ID;
    let user = demo_org::seed::DEMO_USER_ID;
    let case = Case::new(
        "composite/graph: GET User Name feeds a FeedItem Body",
        SUBREQUEST_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [{"graphId": "a0", "compositeRequest": [
        {"method": "GET", "url": url(&format!("sobjects/User/{user}?fields=Name")), "referenceId": "agent"},
        {"method": "POST", "url": url("sobjects/FeedItem"), "referenceId": "post", "body": {
            "ParentId": opportunity, "Type": "TextPost", "Body": "Qualified on a call by @{agent.Name}: Pricing",
        }},
    ]}]}))
    .answers(200, None);
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    assert!(
        parsed.get("a0").is_some_and(|g| g.is_successful),
        "{}: {}",
        case.name,
        answer.text
    );
    let client = crate::case::client(&org);
    let found: Vec<Record> = client
        .query_all(&format!(
            "SELECT Body FROM FeedItem WHERE ParentId = '{opportunity}'"
        ))
        .await
        .expect("readable");
    let bodies: Vec<&str> = found
        .iter()
        .filter_map(|r| r.fields["Body"].as_str())
        .collect();
    assert!(
        bodies
            .iter()
            .any(|b| b.starts_with("Qualified on a call by ")
                && b.ends_with(": Pricing")
                && !b.contains("@{")),
        "the user's name replaced the reference: {bodies:?}"
    );
}

/// `lead_notes` reads a Lead's text field and writes `@{read.Field}` back followed by the
/// call's block. **Docs silent:** the Composite Subrequest page does not say what a reference
/// to a field whose value is null gives. The demo org takes the stricter reading: the node
/// fails (400 PROCESSING_HALTED, "Invalid reference specified"), so the whole graph rolls
/// back, and Ringside must (and does) look at the Lead and send the block alone.
#[tokio::test]
async fn a_graph_reference_to_a_null_field_is_refused_and_the_graph_rolls_back() {
    let org = org().await;
    let case = Case::new(
        "composite/graph: a reference to a null field fails its node and its graph (docs silent; stricter reading)",
        SUBREQUEST_DOC,
        Method::POST,
        "composite/graph",
    )
    .body(json!({"graphs": [{"graphId": "a0", "compositeRequest": [
        {"method": "POST", "url": url("sobjects/Lead"), "referenceId": "lead", "body": {"LastName": "Nullnotes", "Company": "Null Co"}},
        {"method": "GET", "url": url("sobjects/Lead/@{lead.id}?fields=Description"), "referenceId": "leadNotesRead"},
        {"method": "PATCH", "url": url("sobjects/Lead/@{lead.id}"), "referenceId": "notes", "body": {
            "Description": "@{leadNotesRead.Description}\n\n[Ringside call c-1]\nBudget: 10k",
        }},
    ]}]}))
    .answers(200, Some("PROCESSING_HALTED"));
    let answer = case.check(&org).await;
    let parsed: GraphResponse = serde_json::from_str(&answer.text).expect("readable");
    let g = parsed.get("a0").expect("answered");
    assert!(!g.is_successful, "{}: {}", case.name, answer.text);
    let err = g
        .graph_response
        .get("notes")
        .and_then(|r| r.error())
        .unwrap_or_else(|| panic!("{}: the write failed: {}", case.name, answer.text));
    assert!(
        err.to_string().contains("leadNotesRead.Description"),
        "{}: the error names the reference: {err}",
        case.name
    );
    let client = crate::case::client(&org);
    let leads: Vec<Record> = client
        .query_all("SELECT Id FROM Lead WHERE LastName = 'Nullnotes'")
        .await
        .expect("readable");
    assert!(
        leads.is_empty(),
        "{}: the graph rolled back whole",
        case.name
    );
}
