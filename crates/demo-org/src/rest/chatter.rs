//! Chatter feed elements as Connect REST API serves them: `POST chatter/feed-elements` (post a
//! text feed item to a record's or user's feed) and `GET chatter/feeds/record/{id}/feed-elements`
//! (a record's feed, newest first, a page at a time). A post is a `FeedItem` row in the same
//! [`Store`] the `sobjects/FeedItem` resources write, so a post made either way is seen by
//! both: its validation (ParentId's object, Body's 10,000 characters) is the row's own.
//!
//! What the Connect REST API Developer Guide documents, and this org follows:
//! - Feed Item Input (`connect_requests_feed_item_input.htm`): `feedElementType` (only
//!   `FeedItem`) and `subjectId` (a user, group or record id, or `me`) are required; `body` is
//!   a Message Body Input of `messageSegments`, required unless the item has a link or content
//!   capability (this org has neither, so always required); "Feed item and comment bodies have
//!   a 10,000 character limit".
//! - Feed Elements, Post and Search (`connect_resources_feed_element.htm`): the answer is the
//!   Feed Item representation, HTTP 201.
//! - Feed Elements on a record feed (`connect_resources_record_feed_elements.htm`): `pageSize`
//!   1–100 (default 25), `page` a token from `nextPageToken`; the Feed Element Page has
//!   `elements`, `currentPageUrl`, `nextPageToken`/`nextPageUrl` (null on the last page).
//!
//! Where the guide is silent this org is stricter: an invalid `subjectId` (malformed, unknown,
//! or an object whose records have no feed here) is 400 `INVALID_INPUT` (the error restforce
//! added for "posting with an invalid record id to Chatter", restforce PR #808), and so is any
//! input this org does not model (segment types other than Text and Mention, capabilities,
//! an out-of-range `pageSize`). Requests count against the daily API allocation like every
//! other `/services/data` request (the HTTP layer counts them before routing). A token needs
//! `api`, or `chatter_api`, which "allows access to Connect REST API resources only" (OAuth
//! Tokens and Scopes): the HTTP layer lets a `chatter_api`-only token reach `chatter/…` and
//! nothing else (see `sessions`).

use super::{Answer, Call, method_not_allowed};
use crate::api_error::ApiError;
use crate::ids;
use crate::schema;
use crate::store::{Record, Store};
use serde_json::{Value, json};

/// `pageSize` when none is given, and its documented range.
const DEFAULT_PAGE_SIZE: usize = 25;
const MAX_PAGE_SIZE: usize = 100;

/// The objects whose records have a feed in this org (FeedItem's `ParentId` targets).
fn has_feed(object: &str) -> bool {
    schema::object("FeedItem")
        .and_then(|o| o.field("ParentId"))
        .is_some_and(|f| f.reference_to.contains(&object))
}

fn invalid_input(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALID_INPUT", message)
}

/// Routes `chatter/…` (segments after `chatter`).
pub fn route(store: &mut Store, call: &Call, segs: &[&str], now_ms: i64) -> Answer {
    let result = match (segs, call.method.as_str()) {
        (["feed-elements"], "POST") => post(store, call, now_ms),
        (["feed-elements"], m) => Ok(method_not_allowed(m, "POST")),
        (["feeds", "record", id, "feed-elements"], "GET") => record_feed(store, call, id),
        (["feeds", "record", _, "feed-elements"], m) => Ok(method_not_allowed(m, "GET")),
        _ => Err(ApiError::not_found()),
    };
    result.unwrap_or_else(Answer::from)
}

/// The record or user a `subjectId` names (`me`: the caller), or `INVALID_INPUT`.
fn subject<'s>(store: &'s Store, call: &Call, subject_id: &str) -> Result<&'s Record, ApiError> {
    let id = if subject_id == "me" {
        call.user_id.as_str()
    } else {
        subject_id
    };
    let invalid = || {
        invalid_input(format!(
            "Invalid identifier: {subject_id} is not a user, group or record whose feed can be posted to"
        ))
    };
    let canonical = ids::canonical(id).ok_or_else(invalid)?;
    let record = store.by_id(&canonical).ok_or_else(invalid)?;
    if !has_feed(record.object.name) {
        return Err(invalid());
    }
    Ok(record)
}

/// The text of a Message Body Input: its Text segments as given, a Mention as `@Name`.
fn body_text(store: &Store, body: Option<&Value>) -> Result<String, ApiError> {
    let segments = body
        .and_then(|b| b.get("messageSegments"))
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            invalid_input("body: a feed item needs a body with at least one message segment")
        })?;
    let mut text = String::new();
    for segment in segments {
        match segment.get("type").and_then(Value::as_str) {
            Some("Text") => {
                let t = segment
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid_input("A Text message segment needs its text"))?;
                text.push_str(t);
            }
            Some("Mention") => {
                let user = segment
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| store.by_id(id))
                    .filter(|r| r.object.name == "User")
                    .ok_or_else(|| invalid_input("A Mention segment needs the id of a user"))?;
                text.push('@');
                text.push_str(user.get("Name").as_str().unwrap_or_default());
            }
            other => {
                return Err(invalid_input(format!(
                    "Message segment type {} is not supported here (Text and Mention are)",
                    other.unwrap_or("(none)")
                )));
            }
        }
    }
    if text.trim().is_empty() {
        return Err(invalid_input("body: the feed item's text is empty"));
    }
    Ok(text)
}

/// `POST chatter/feed-elements`.
fn post(store: &mut Store, call: &Call, now_ms: i64) -> Result<Answer, ApiError> {
    let input = call
        .body
        .as_ref()
        .filter(|b| b.is_object())
        .ok_or_else(|| invalid_input("The request body must be a Feed Item Input object"))?;
    match input.get("feedElementType").and_then(Value::as_str) {
        Some("FeedItem") => {}
        Some(other) => {
            return Err(invalid_input(format!(
                "feedElementType: {other} is not valid; the only valid value is FeedItem"
            )));
        }
        None => return Err(invalid_input("feedElementType is required (FeedItem)")),
    }
    for unmodelled in ["capabilities", "originalFeedElementId", "attachment"] {
        if input.get(unmodelled).is_some_and(|v| !v.is_null()) {
            return Err(invalid_input(format!(
                "{unmodelled} is not supported by this org"
            )));
        }
    }
    let subject_id = input
        .get("subjectId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid_input("subjectId is required"))?;
    let parent = subject(store, call, subject_id)?.id().to_owned();
    let text = body_text(store, input.get("body"))?;
    let feed_item = schema::object("FeedItem").ok_or_else(ApiError::not_found)?;
    // The row's own rules apply (Body ≤ 10,000 characters: STRING_TOO_LONG), as a post made
    // through sobjects/FeedItem.
    let id = store.create(
        feed_item,
        &json!({"ParentId": parent, "Type": "TextPost", "Body": text}),
        now_ms,
    )?;
    let row = store.by_id(&id).ok_or_else(ApiError::not_found)?;
    Ok(Answer::json(201, feed_element(store, call, row)))
}

/// The Feed Item representation of a FeedItem row.
fn feed_element(store: &Store, call: &Call, row: &Record) -> Value {
    let base = format!("/services/data/v{}", call.version);
    let id = row.id();
    let text = row.get("Body").as_str().unwrap_or_default();
    let summary = |rid: &str| {
        let record = store.by_id(rid);
        let name = record.map(display_name).unwrap_or_default();
        let object = record.map_or("", |r| r.object.name);
        json!({"id": rid, "name": name, "type": object, "url": format!("{base}/chatter/records/{rid}")})
    };
    let parent = row.get("ParentId").as_str().unwrap_or_default();
    let actor = row.get("CreatedById").as_str().unwrap_or_default();
    json!({
        "id": id,
        "feedElementType": "FeedItem",
        "type": row.get("Type"),
        "body": {
            "isRichText": false,
            "text": text,
            "messageSegments": [{"type": "Text", "text": text}],
        },
        "capabilities": {},
        "createdDate": row.get("CreatedDate"),
        "modifiedDate": row.get("LastModifiedDate"),
        "parent": summary(parent),
        "actor": summary(actor),
        "visibility": "AllUsers",
        "url": format!("{base}/chatter/feed-elements/{id}"),
    })
}

/// What a record is called in a feed: its Name, else a Case's number.
fn display_name(record: &Record) -> String {
    ["Name", "CaseNumber", "Subject"]
        .iter()
        .find_map(|f| record.get(f).as_str())
        .unwrap_or_default()
        .to_owned()
}

/// `GET chatter/feeds/record/{id}/feed-elements`: the record's posts, newest first.
fn record_feed(store: &Store, call: &Call, id: &str) -> Result<Answer, ApiError> {
    let record_id = ids::canonical(id)
        .filter(|c| store.by_id(c).is_some_and(|r| has_feed(r.object.name)))
        .ok_or_else(ApiError::not_found)?;
    let page_size = match call.param("pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| invalid_input(format!("pageSize: {s} is not between 1 and 100")))?,
    };
    // The page token is this org's own opaque text: the offset of the page's first element.
    let start = match call.param("page") {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| invalid_input(format!("page: {t} is not a page token of this feed")))?,
    };
    let mut posts: Vec<&Record> = store
        .records_of("FeedItem")
        .filter(|r| r.get("ParentId").as_str() == Some(record_id.as_str()))
        .collect();
    // Newest first; ids grow with creation, so they order posts made in the same millisecond.
    posts.sort_by(|a, b| {
        let key = |r: &Record| {
            (
                r.get("CreatedDate").as_str().unwrap_or_default().to_owned(),
                r.id().to_owned(),
            )
        };
        key(b).cmp(&key(a))
    });
    let elements: Vec<Value> = posts
        .iter()
        .skip(start)
        .take(page_size)
        .map(|r| feed_element(store, call, r))
        .collect();
    let feed_url = format!(
        "/services/data/v{}/chatter/feeds/record/{record_id}/feed-elements",
        call.version
    );
    let page_url = |token: usize| format!("{feed_url}?page={token}&pageSize={page_size}");
    let next = (start + page_size < posts.len()).then(|| start + page_size);
    Ok(Answer::json(
        200,
        json!({
            "elements": elements,
            "currentPageToken": start.to_string(),
            "currentPageUrl": page_url(start),
            "nextPageToken": next.map(|n| n.to_string()),
            "nextPageUrl": next.map(page_url),
            "isModifiedToken": null,
            "isModifiedUrl": null,
            "updatesToken": null,
            "updatesUrl": null,
        }),
    ))
}
