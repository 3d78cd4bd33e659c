//! The Salesforce side of one delivery: which requests a queued log becomes, and what
//! their answers mean.
//!
//! ## Exactly once
//! - The call log is always written by upsert on its external id (the call id), so sending
//!   it twice updates the same record.
//! - The Task has no external id, so it is created only when the queue *knows* none exists:
//!   the first send of a call whose earlier sends, if any, certainly did not land. The
//!   create and the call-log upsert go in one all-or-none request, so either both records
//!   exist afterwards or neither does; the Task carries `CallObject` = call id.
//! - Whenever a send may have landed without the queue learning its result (timeout,
//!   connection lost after sending, a 5xx, the process killed mid-send), the item is marked
//!   `check_first`. Its next send first runs [`verify`]: one all-or-none composite that
//!   upserts the call log and then queries `Task WHERE CallObject = call id`. The upsert
//!   takes the call log's row lock, so the query runs after any earlier transaction that
//!   wrote the same log has committed or rolled back. If a Task is found it is updated, never
//!   created again.
//! - Once the Task id is known it is stored with the item, and later updates of the call
//!   (summary, recording) `PATCH` that Task.
//!
//! - Residual risk, stated plainly: on a real org a request can still be waiting inside
//!   Salesforce after the client gave up on it. If it started its transaction only after
//!   the check above ran, a second Task could appear. The check runs no earlier than the
//!   first retry wait, and Salesforce's own request timeout bounds the window; the demo org
//!   cancels a request whose client went away, so the tests cannot show this case.
//!
//! One logged call is one API call (a `/composite`); a catch-up batch is one
//! `/composite/graph` for up to 75 calls, each call its own all-or-nothing graph.

use salesforce::{
    ApiVersion, Client, CompositeRequest, CompositeResponse, CompositeSubrequest, Graph,
    GraphRequest,
};
use serde_json::Value;

use crate::call_log::{CallLog, LoggingSettings};

/// The most calls one graph request carries (Salesforce allows 75 graphs per payload).
pub(crate) const MAX_GRAPHS_PER_REQUEST: usize = salesforce::graph::MAX_GRAPHS;

/// A claimed item, as the worker sends it.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    pub id: i64,
    pub call_id: String,
    pub revision: i64,
    pub attempts: i64,
    pub check_first: bool,
    pub task_id: Option<String>,
    pub log: CallLog,
    /// The reason of the last wait or failure, so a repeated wait is audited once.
    pub last_error_code: Option<String>,
}

/// Ids learnt from a successful delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivered {
    pub log_id: Option<String>,
    pub task_id: Option<String>,
}

const LOG_REF: &str = "log";
const TASK_REF: &str = "task";
const FIND_REF: &str = "existingTask";

/// The nodes for one call: upsert the log, then create or update the Task.
fn nodes(
    version: ApiVersion,
    settings: &LoggingSettings,
    item: &Claimed,
) -> Result<Vec<CompositeSubrequest>, salesforce::Error> {
    let f = &settings.call_log;
    let mut out = vec![CompositeSubrequest::upsert(
        version,
        LOG_REF,
        &f.object,
        &f.external_id,
        &item.call_id,
        settings.call_log_body(&item.log),
    )?];
    if settings.mode.writes_task() {
        let reference = format!("@{{{LOG_REF}.id}}");
        out.push(match &item.task_id {
            Some(task_id) => CompositeSubrequest::update(
                version,
                TASK_REF,
                "Task",
                task_id,
                settings.task_body(&item.log, false, &reference),
            )?,
            None => CompositeSubrequest::create(
                version,
                TASK_REF,
                "Task",
                settings.task_body(&item.log, true, &reference),
            )?,
        });
    }
    Ok(out)
}

/// The real error of a failed all-or-none response: the subrequest that failed, not the
/// ones rolled back with PROCESSING_HALTED.
fn real_error(response: &CompositeResponse) -> Option<salesforce::Error> {
    response.cause().map(|(_, err)| err)
}

fn read_ids(item: &Claimed, response: &CompositeResponse) -> Delivered {
    let id_of = |reference: &str| {
        response
            .get(reference)
            .and_then(|r| r.body.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Delivered {
        log_id: id_of(LOG_REF),
        task_id: id_of(TASK_REF).or_else(|| item.task_id.clone()),
    }
}

/// Sends one call as one `/composite` (allOrNone).
pub(crate) async fn send_one(
    client: &Client,
    settings: &LoggingSettings,
    item: &Claimed,
) -> Result<Delivered, salesforce::Error> {
    let mut request = CompositeRequest::new(true);
    for node in nodes(client.api_version(), settings, item)? {
        request.push(node);
    }
    let response = client.composite(&request).await?;
    match real_error(&response) {
        None => Ok(read_ids(item, &response)),
        Some(err) => Err(err),
    }
}

/// Sends up to [`MAX_GRAPHS_PER_REQUEST`] calls as one `/composite/graph`, one graph per
/// call. `Err` when the whole request failed; otherwise one result per item, in order.
pub(crate) async fn send_batch(
    client: &Client,
    settings: &LoggingSettings,
    items: &[Claimed],
) -> Result<Vec<Result<Delivered, salesforce::Error>>, salesforce::Error> {
    let version = client.api_version();
    let mut request = GraphRequest::default();
    let mut built: Vec<Option<salesforce::Error>> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match nodes(version, settings, item) {
            Ok(composite_request) => {
                request.graphs.push(Graph {
                    graph_id: format!("g{i}"),
                    composite_request,
                });
                built.push(None);
            }
            Err(e) => built.push(Some(e)),
        }
    }
    let response = if request.graphs.is_empty() {
        None
    } else {
        Some(client.composite_graph(&request).await?)
    };
    Ok(items
        .iter()
        .enumerate()
        .zip(built)
        .map(|((i, item), build_error)| {
            if let Some(e) = build_error {
                return Err(e);
            }
            let result = response
                .as_ref()
                .and_then(|r| r.get(&format!("g{i}")))
                .ok_or_else(|| salesforce::Error::UnexpectedResponse {
                    status: 200,
                    endpoint: "POST composite/graph".into(),
                    detail: format!("no result for graph g{i}"),
                })?;
            if result.is_successful {
                Ok(read_ids(item, &result.graph_response))
            } else {
                Err(real_error(&result.graph_response).unwrap_or_else(|| {
                    salesforce::Error::UnexpectedResponse {
                        status: 200,
                        endpoint: "POST composite/graph".into(),
                        detail: format!("graph g{i} failed without an error"),
                    }
                }))
            }
        })
        .collect())
}

/// After a send that may have landed: upserts the call log (taking its row lock) and finds
/// the Task that carries this call id, in one all-or-none composite. Returns the Task id,
/// if one exists (the oldest, should there somehow be several).
pub(crate) async fn verify(
    client: &Client,
    settings: &LoggingSettings,
    item: &Claimed,
) -> Result<Option<String>, salesforce::Error> {
    let version = client.api_version();
    let f = &settings.call_log;
    let soql = format!(
        "SELECT Id FROM Task WHERE CallObject = {} ORDER BY CreatedDate ASC",
        salesforce::escape::soql_literal(&item.call_id)
    );
    let mut request = CompositeRequest::new(true);
    request
        .push(CompositeSubrequest::upsert(
            version,
            LOG_REF,
            &f.object,
            &f.external_id,
            &item.call_id,
            settings.call_log_body(&item.log),
        )?)
        .push(CompositeSubrequest::query(version, FIND_REF, &soql)?);
    let response = client.composite(&request).await?;
    if let Some(err) = real_error(&response) {
        return Err(err);
    }
    let page: salesforce::QueryPage<salesforce::Record> = response
        .get(FIND_REF)
        .ok_or_else(|| salesforce::Error::UnexpectedResponse {
            status: 200,
            endpoint: "POST composite".into(),
            detail: "no answer to the Task query".into(),
        })?
        .body_as()?;
    if page.records.len() > 1 {
        tracing::warn!(call_id = %item.call_id, count = page.records.len(), "several Tasks carry this call id; updating the oldest");
    }
    Ok(page
        .records
        .first()
        .and_then(|r| r.fields.get("Id"))
        .and_then(Value::as_str)
        .map(str::to_owned))
}
