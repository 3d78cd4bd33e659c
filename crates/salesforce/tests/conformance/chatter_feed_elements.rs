//! Chatter feed elements through the Connect REST API: `POST chatter/feed-elements` with a
//! Feed Item Input, and a record's feed, `GET chatter/feeds/record/{id}/feed-elements`.
//! A post made here is the FeedItem row `sobjects/FeedItem` reads and writes (and the other
//! way round), and each request counts against the API allocation like any other.
//!
//! Ringside itself keeps posting its outcome's `chatter` as a FeedItem row inside the actions'
//! composite graph (one request per logged call): a graph takes only sObject rows, and the
//! FeedItem object reference documents `create()` for it. These cases pin what the demo org
//! answers so a client (or a test) using the Connect resources meets Salesforce's rules.

use reqwest::Method;
use salesforce::{QueryPage, Record};
use serde_json::{Value, json};

use crate::case::{Case, org};

/// Feed Item Input: `feedElementType` (only FeedItem) and `subjectId` required; the body's
/// message segments; "Feed item and comment bodies have a 10,000 character limit".
const INPUT_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_requests_feed_item_input.htm";
/// Post a Feed Item: `POST /chatter/feed-elements`, returns a Feed Item.
const POST_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/quickreference_post_feed_item.htm";
/// A record feed's feed elements: `pageSize` 1–100 (default 25), the Feed Element Page.
const RECORD_FEED_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_resources_record_feed_elements.htm";
/// Docs silent on the body of an invalid `subjectId`; restforce added `INVALID_INPUT` for
/// "posting with an invalid record id to Chatter" (restforce/restforce#808).
const INVALID_INPUT_SOURCE: &str = "https://github.com/restforce/restforce/pull/808";
const HEADER_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm";

fn post(subject: &str, text: &str) -> Value {
    json!({
        "feedElementType": "FeedItem",
        "subjectId": subject,
        "body": {"messageSegments": [{"type": "Text", "text": text}]},
    })
}

#[tokio::test]
async fn a_feed_item_posted_to_a_record_is_a_feed_item_row() {
    let org = org().await;
    let opportunity = demo_org::seed::JANE_OPEN_OPPORTUNITY_ID;
    let case = Case::new(
        "chatter: POST feed-elements with a Text segment on an Opportunity is 201 with the Feed Item",
        POST_DOC,
        Method::POST,
        "chatter/feed-elements",
    )
    .body(post(opportunity, "Qualified on a call [Ringside call fe-1]"))
    .answers(201, None);
    let answer = case.check(&org).await;
    let item = answer.json(&case);
    let id = item["id"].as_str().expect("the feed item's id");
    assert!(
        id.starts_with("0D5"),
        "{}: a FeedItem id: {item}",
        case.name
    );
    assert_eq!(item["feedElementType"], json!("FeedItem"), "{}", case.name);
    assert_eq!(item["parent"]["id"], json!(opportunity), "{}", case.name);
    assert_eq!(
        item["body"]["text"],
        json!("Qualified on a call [Ringside call fe-1]"),
        "{}: the text as posted",
        case.name
    );
    assert_eq!(
        item["actor"]["id"],
        json!(demo_org::seed::DEMO_USER_ID),
        "{}: posted as the token's user",
        case.name
    );
    let found = Case::new(
        "chatter: the post is a FeedItem row SOQL finds by ParentId",
        INPUT_DOC,
        Method::GET,
        format!("query?q=SELECT+Id,+Body,+Type+FROM+FeedItem+WHERE+ParentId+=+'{opportunity}'"),
    )
    .check(&org)
    .await;
    let page: QueryPage<Record> = serde_json::from_str(&found.text).expect("a query page");
    assert!(
        page.records.iter().any(|r| r.id() == Some(id)
            && r.fields["Type"] == json!("TextPost")
            && r.fields["Body"] == json!("Qualified on a call [Ringside call fe-1]")),
        "the Connect post and the sObject row are one: {}",
        found.text
    );
}

#[tokio::test]
async fn a_feed_item_input_needs_its_type_a_valid_subject_and_a_body_within_10000_characters() {
    let org = org().await;
    let opportunity = demo_org::seed::JANE_OPEN_OPPORTUNITY_ID;
    let before = org.api_usage();
    for (name, doc, body, code) in [
        (
            "chatter: no feedElementType is refused",
            INPUT_DOC,
            json!({"subjectId": opportunity, "body": {"messageSegments": [{"type": "Text", "text": "x"}]}}),
            "INVALID_INPUT",
        ),
        (
            "chatter: a feedElementType other than FeedItem is refused",
            INPUT_DOC,
            json!({"feedElementType": "Bundle", "subjectId": opportunity, "body": {"messageSegments": [{"type": "Text", "text": "x"}]}}),
            "INVALID_INPUT",
        ),
        (
            "chatter: no subjectId is refused",
            INPUT_DOC,
            json!({"feedElementType": "FeedItem", "body": {"messageSegments": [{"type": "Text", "text": "x"}]}}),
            "INVALID_INPUT",
        ),
        (
            "chatter: a subjectId that is no record is INVALID_INPUT (docs silent; restforce#808)",
            INVALID_INPUT_SOURCE,
            post("006Dm0000000999IAA", "x"),
            "INVALID_INPUT",
        ),
        (
            "chatter: a malformed subjectId is INVALID_INPUT (docs silent; restforce#808)",
            INVALID_INPUT_SOURCE,
            post("not-an-id", "x"),
            "INVALID_INPUT",
        ),
        (
            "chatter: a feed item without a body is refused (no link or content capability)",
            INPUT_DOC,
            json!({"feedElementType": "FeedItem", "subjectId": opportunity}),
            "INVALID_INPUT",
        ),
        (
            "chatter: a body over 10,000 characters is refused, as the FeedItem Body field",
            INPUT_DOC,
            post(opportunity, &"x".repeat(10_001)),
            "STRING_TOO_LONG",
        ),
    ] {
        Case::new(name, doc, Method::POST, "chatter/feed-elements")
            .body(body)
            .answers(400, Some(code))
            .check(&org)
            .await;
    }
    let refused = org.api_usage() - before;
    assert_eq!(
        refused, 7,
        "each refused post still counted as an API request, as every request does"
    );
    Case::new(
        "chatter: a body of exactly 10,000 characters is posted",
        INPUT_DOC,
        Method::POST,
        "chatter/feed-elements",
    )
    .body(post(opportunity, &"y".repeat(10_000)))
    .answers(201, None)
    .check(&org)
    .await;
}

#[tokio::test]
async fn a_record_feed_lists_posts_newest_first_a_page_at_a_time_whichever_way_they_were_made() {
    let org = org().await;
    let lead = demo_org::seed::SHARED_NUMBER_LEAD_ID;
    let feed = format!("chatter/feeds/record/{lead}/feed-elements");
    // One post as a FeedItem row, then two through Connect, one millisecond apart at least.
    Case::new(
        "chatter: a FeedItem row on a Lead",
        INPUT_DOC,
        Method::POST,
        "sobjects/FeedItem",
    )
    .body(json!({"ParentId": lead, "Type": "TextPost", "Body": "first (row)"}))
    .answers(201, None)
    .check(&org)
    .await;
    for text in ["second (connect)", "third (connect)"] {
        org.advance_clock(std::time::Duration::from_secs(1));
        Case::new(
            "chatter: a post on a Lead",
            POST_DOC,
            Method::POST,
            "chatter/feed-elements",
        )
        .body(post(lead, text))
        .answers(201, None)
        .check(&org)
        .await;
    }
    let case = Case::new(
        "chatter: the record feed, pageSize=2: the two newest and a nextPageUrl",
        RECORD_FEED_DOC,
        Method::GET,
        format!("{feed}?pageSize=2"),
    );
    let first = case.check(&org).await.json(&case);
    let texts = |page: &Value| -> Vec<String> {
        page["elements"]
            .as_array()
            .expect("elements")
            .iter()
            .map(|e| e["body"]["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        texts(&first),
        ["third (connect)", "second (connect)"],
        "{}: {first}",
        case.name
    );
    let next = first["nextPageUrl"].as_str().expect("a next page");
    let path = next
        .split_once(&format!("/{}/", crate::case::VERSION))
        .map(|(_, p)| p.to_owned())
        .expect("a URL under this version");
    let case = Case::new(
        "chatter: the next page holds the FeedItem row made through sobjects, and no next page",
        RECORD_FEED_DOC,
        Method::GET,
        path,
    );
    let second = case.check(&org).await.json(&case);
    assert_eq!(texts(&second), ["first (row)"], "{}: {second}", case.name);
    assert!(second["nextPageUrl"].is_null(), "{}: {second}", case.name);
    let case = Case::new(
        "chatter: the record feed counts as an API request (Sforce-Limit-Info)",
        HEADER_DOC,
        Method::GET,
        feed.clone(),
    );
    let before = org.api_usage();
    let answer = case.check(&org).await;
    assert!(
        answer.headers.get("Sforce-Limit-Info").is_some(),
        "{}",
        case.name
    );
    assert_eq!(org.api_usage(), before + 1, "{}", case.name);
    for (name, path, status, code) in [
        (
            "chatter: pageSize over 100 is refused",
            format!("{feed}?pageSize=101"),
            400,
            "INVALID_INPUT",
        ),
        (
            "chatter: pageSize 0 is refused",
            format!("{feed}?pageSize=0"),
            400,
            "INVALID_INPUT",
        ),
        (
            "chatter: the feed of a record that does not exist is NOT_FOUND",
            "chatter/feeds/record/006Dm0000000999IAA/feed-elements".to_owned(),
            404,
            "NOT_FOUND",
        ),
    ] {
        Case::new(name, RECORD_FEED_DOC, Method::GET, path)
            .answers(status, Some(code))
            .check(&org)
            .await;
    }
}
