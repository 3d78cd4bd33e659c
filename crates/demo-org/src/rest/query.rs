//! `query` and `queryAll` (SOQL, paged through `nextRecordsUrl`) and `search` (SOSL)
//! resources.
//!
//! `queryAll` is `query` over the Recycle Bin too: deleted rows come back with `IsDeleted`
//! true, and its `nextRecordsUrl` is a `query/…` URL that keeps reading them, as the
//! QueryAll page says ("Although the nextRecordsUrl has query in the URL, it still provides
//! the remaining results from the initial QueryAll request";
//! <https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.html>).
//! `queryAll/{locator}` reads the same cursors. Parent-to-child subqueries and semi-join
//! subqueries read live rows only (the docs do not say; the smaller answer).
//!
//! `COUNT()` answers `{"totalSize":N,"done":true,"records":[]}`, `COUNT(field)` one
//! AggregateResult row (`soql::eval::aggregate`); neither opens a cursor.
//!
//! A query that does not fit one batch opens a cursor ([`crate::org::Cursors`]: 15 minutes
//! unused, 10 per user, closed once read to the end); its `nextRecordsUrl` is
//! `/services/data/vNN.N/query/{locator}-{offset}`, as in the REST API's "Query More
//! Results" page (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query_more_results.htm>).

use super::{Answer, Call};
use crate::api_error::ApiError;
use crate::org::{Cursor, Org, lock};
use crate::soql::eval::Rows;
use crate::store::Store;
use crate::{soql, sosl};
use serde_json::{Value, json};

/// Rows per page unless `Sforce-Query-Options: batchSize=N` asks otherwise.
pub const DEFAULT_BATCH: usize = 2000;
/// Salesforce's bounds for batchSize.
const MIN_BATCH: usize = 200;
const MAX_BATCH: usize = 2000;

/// The body of one batch: rows `start..start+batch` of `ids`, rendered now.
fn page_body(
    org: &Org,
    store: &Store,
    cursor: &Cursor,
    call: &Call,
    start: usize,
    batch: usize,
    locator: Option<&str>,
) -> Result<Value, ApiError> {
    let end = (start + batch).min(cursor.ids.len());
    let records = soql::eval::render(
        store,
        &cursor.query,
        &call.version,
        cursor.now_ms,
        &cursor.ids[start..end],
        &call.viewer(org),
        cursor.rows,
    )?;
    let mut body =
        json!({"totalSize": cursor.ids.len(), "done": end >= cursor.ids.len(), "records": records});
    if end < cursor.ids.len()
        && let Some(loc) = locator
    {
        body["nextRecordsUrl"] = json!(format!(
            "/services/data/v{}/query/{loc}-{end}",
            call.version
        ));
    }
    Ok(body)
}

/// `GET query?q=…` (`which` is [`Rows::Live`]) or `GET queryAll?q=…` ([`Rows::IncludingDeleted`]).
pub fn query(org: &Org, store: &Store, call: &Call, now_ms: i64, which: Rows) -> Answer {
    let run = || -> Result<Answer, ApiError> {
        let q = call.param("q").ok_or_else(|| {
            ApiError::malformed_query("A query is required: pass it as the q parameter")
        })?;
        let parsed = soql::parse(q)?;
        if !parsed.aggregates.is_empty() {
            let records = soql::eval::aggregate(store, &parsed, now_ms, &call.viewer(org), which)?;
            return Ok(Answer::json(
                200,
                json!({"totalSize": records.len(), "done": true, "records": records}),
            ));
        }
        let rows = soql::eval::execute_as(store, &parsed, now_ms, &call.viewer(org), which)?;
        if parsed.count_only {
            return Ok(Answer::json(
                200,
                json!({"totalSize": rows.total_size, "done": true, "records": []}),
            ));
        }
        let batch = call
            .batch_size
            .unwrap_or(DEFAULT_BATCH)
            .clamp(MIN_BATCH, MAX_BATCH);
        let cursor = Cursor {
            query: parsed,
            rows: which,
            ids: rows.ids,
            batch,
            now_ms,
            user_id: call.user_id.clone(),
            last_used_ms: now_ms,
        };
        if cursor.ids.len() <= batch {
            return Ok(Answer::json(
                200,
                page_body(org, store, &cursor, call, 0, batch, None)?,
            ));
        }
        // The first batch is rendered before the cursor is kept, so it carries no URL yet.
        let mut body = page_body(org, store, &cursor, call, 0, batch, None)?;
        let locator = lock(&org.cursors).open(cursor);
        body["nextRecordsUrl"] = json!(format!(
            "/services/data/v{}/query/{locator}-{batch}",
            call.version
        ));
        Ok(Answer::json(200, body))
    };
    run().unwrap_or_else(Answer::from)
}

/// `GET query/{locator}-{offset}`: the batch at `offset`. Reading it starts the cursor's
/// 15 minutes again; the last batch closes it. An unknown, expired, released or closed
/// locator is 400 INVALID_QUERY_LOCATOR, worded as Salesforce words it.
pub fn next_page(org: &Org, store: &Store, call: &Call, locator: &str, now_ms: i64) -> Answer {
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let run = || -> Result<Answer, ApiError> {
        let (loc, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
        let offset: usize = offset.parse().map_err(|_| invalid())?;
        let mut cursors = lock(&org.cursors);
        let cursor = cursors
            .touch(loc, &call.user_id, now_ms)
            .ok_or_else(invalid)?;
        if offset > cursor.ids.len() {
            return Err(invalid());
        }
        let batch = call
            .batch_size
            .map(|b| b.clamp(MIN_BATCH, MAX_BATCH))
            .unwrap_or(cursor.batch);
        let body = page_body(org, store, cursor, call, offset, batch, Some(loc))?;
        if offset + batch >= cursor.ids.len() {
            // Read to its last row: Salesforce closes the cursor.
            cursors.close(loc);
        }
        Ok(Answer::json(200, body))
    };
    run().unwrap_or_else(Answer::from)
}

/// `GET search?q=…`.
pub fn search(org: &Org, store: &Store, call: &Call, now_ms: i64) -> Answer {
    let run = || -> Result<Answer, ApiError> {
        let q = call.param("q").ok_or_else(|| {
            ApiError::malformed_search("A search is required: pass it as the q parameter")
        })?;
        let parsed = sosl::parse(q)?;
        Ok(Answer::json(
            200,
            sosl::search::run(
                store,
                &parsed,
                &call.version,
                now_ms,
                i64::try_from(org.faults.index_lag().as_millis()).unwrap_or(i64::MAX),
            )?,
        ))
    };
    run().unwrap_or_else(Answer::from)
}
