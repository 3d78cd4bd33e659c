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
//!
//! ## Outcome actions
//! A call with queued outcome actions ([`crate::outcomes::plan`]) is sent as one
//! `/composite/graph` of two graphs: `g<i>` is the log exactly as above, `a<i>` the actions
//! (PATCH the Lead/Opportunity, POST the follow-up). Each graph is all-or-nothing on its
//! own, so an action Salesforce refuses (a stage a restricted picklist does not list, a
//! validation rule) rolls back only the actions, never the log. An item holding only
//! actions (split from its log) sends only its `a<i>` graph.
//! - Updates (`lead`, `opportunity`) are idempotent (the same fields set again), yet a
//!   second write is a second write in the record's history, its triggers and flows: after
//!   a send that may have landed, [`updates_already_applied`] reads each updated record's
//!   fields (one `GET` per update, on that path only) and one that already holds every
//!   value is not written again. The follow-up is a create: a
//!   follow-up Task carries `CallObject` = `<call id>#follow_up`, a follow-up Event is known
//!   by its subject, start and person; after a send that may have landed ([`find_follow_up`],
//!   run under the same `check_first` as [`verify`]) an existing one is not created again.
//! - A created Opportunity (`create_opportunity`) is an upsert on its External ID (the call
//!   id), so sending it again updates the one Opportunity: no check is needed. The rows it
//!   reads first (`GET`, which a graph allows) only feed it references.
//! - BANT notes (`lead_notes`) are one `GET` of the Lead's field and one `PATCH` writing
//!   back `@{leadNotesRead.Field}`, a blank line and the call's tagged block, in the same
//!   graph: appended, never replacing. After a send that may have landed, or after the
//!   graph was refused because the field was empty (a reference to a null field is refused:
//!   the stricter reading of docs that are silent on it), [`look_at_lead_notes`] reads the
//!   Lead first (one more request, on that path only): the call's tag already there means
//!   applied; an empty field means the block is sent alone, with `If-Unmodified-Since` set
//!   to the Lead's `LastModifiedDate` as that look read it
//!   (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm>):
//!   a note written to the Lead between the look and the write makes Salesforce refuse the
//!   write (412 PRECONDITION_FAILED), the queue looks again, sees text and appends after
//!   it. Text is never overwritten. Residual risk, stated plainly: HTTP dates have whole
//!   seconds, so a write in the same second as the Lead's previous change, before the
//!   look, cannot be told apart by the header.
//! - A Chatter post (`chatter`) is a FeedItem create, with an optional `GET` of the
//!   signed-in user's row for `{agent}`. FeedItem has no External ID and its `Body` cannot be
//!   filtered (object reference: no Filter property), so after a send that may have landed
//!   [`find_chatter_post`] (one more request, on that path only) reads the posts on the
//!   parent since the call started and looks for the call's tag at the end of a `Body`:
//!   found means applied, and it is not posted again.

use salesforce::{
    ApiVersion, Client, CompositeMethod, CompositeRequest, CompositeResponse, CompositeSubrequest,
    Graph, GraphRequest,
};
use serde_json::Value;

use crate::call_log::{CallLog, LoggingSettings};
use crate::outcomes::ActionName;
use crate::outcomes::plan::{
    ActionState, LEAD_NOTES_REF, PlannedAction, RowRead, chatter_tag, follow_up_marker,
    lead_notes_field, lead_notes_tag,
};

/// The most calls one graph request carries (Salesforce allows 75 graphs per payload).
pub(crate) const MAX_GRAPHS_PER_REQUEST: usize = salesforce::graph::MAX_GRAPHS;

/// The most nodes (over all graphs) one graph request carries (Salesforce allows 500).
const MAX_NODES_PER_REQUEST: usize = salesforce::graph::MAX_GRAPH_NODES;

/// The most different nodes (HTTP method and object; one request has one API version) one
/// graph request carries (Salesforce allows 15).
const MAX_DIFFERENT_NODES_PER_REQUEST: usize = salesforce::graph::MAX_DIFFERENT_GRAPH_NODES;

/// What makes two graph nodes different for Salesforce's limit, besides the API version
/// (the same for a whole request): the HTTP method and the object, compared without case.
type NodeKind = (&'static str, String);

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
    /// The call's outcome actions with their states.
    pub actions: Vec<PlannedAction>,
    /// Set when this item holds only actions (split from the log item it names).
    pub actions_of: Option<i64>,
}

impl Claimed {
    /// Whether any action still waits to be sent.
    pub fn has_queued_actions(&self) -> bool {
        self.actions.iter().any(|a| a.state == ActionState::Queued)
    }

    /// Whether this item holds only actions.
    pub fn actions_only(&self) -> bool {
        self.actions_of.is_some()
    }

    /// The graphs and nodes this item adds to a graph request, as [`send_batch`] builds
    /// them: its log's graph (the upsert, and the Task in task mode), and its queued
    /// actions' graph (each action's reads and its write).
    fn graph_size(&self, settings: &LoggingSettings) -> (usize, usize) {
        let log = usize::from(!self.actions_only());
        let log_nodes = log * (1 + usize::from(settings.mode.writes_task()));
        let action_nodes: usize = self
            .actions
            .iter()
            .filter(|a| a.state == ActionState::Queued)
            .map(|a| a.reads.len() + 1)
            .sum();
        let actions = usize::from(action_nodes > 0);
        (log + actions, log_nodes + action_nodes)
    }

    /// The kinds of node this item adds to a graph request, as [`nodes`] and
    /// [`action_nodes`] build them (for the different-nodes limit).
    fn node_kinds(&self, settings: &LoggingSettings) -> Vec<NodeKind> {
        let kind = |method: &'static str, object: &str| (method, object.to_ascii_lowercase());
        let mut kinds = Vec::new();
        if !self.actions_only() {
            kinds.push(kind("PATCH", &settings.call_log.object));
            if settings.mode.writes_task() {
                let method = if self.task_id.is_some() {
                    "PATCH"
                } else {
                    "POST"
                };
                kinds.push(kind(method, "Task"));
            }
        }
        for a in self
            .actions
            .iter()
            .filter(|a| a.state == ActionState::Queued)
        {
            kinds.extend(a.reads.iter().map(|r| kind("GET", &r.object)));
            let method = if a.record_id.is_some() || a.upsert.is_some() {
                "PATCH"
            } else {
                "POST"
            };
            kinds.push(kind(method, &a.object));
        }
        kinds
    }
}

/// Where the graph request that starts at `items[start]` ends: as many items as fit in
/// Salesforce's limits for one `/composite/graph` (75 graphs, 500 nodes and 15 different
/// nodes,
/// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm>),
/// so a backlog drains in the largest batches Salesforce allows, and at least one item, so
/// the drain always moves (one item's graphs are far below the limits).
pub(crate) fn batch_end(items: &[Claimed], start: usize, settings: &LoggingSettings) -> usize {
    let (mut graphs, mut nodes) = (0, 0);
    let mut kinds = std::collections::HashSet::new();
    let mut end = start;
    while end < items.len() {
        let (g, n) = items[end].graph_size(settings);
        let item_kinds = items[end].node_kinds(settings);
        let new_kinds = item_kinds
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .filter(|k| !kinds.contains(*k))
            .count();
        if end > start
            && (graphs + g > MAX_GRAPHS_PER_REQUEST
                || nodes + n > MAX_NODES_PER_REQUEST
                || kinds.len() + new_kinds > MAX_DIFFERENT_NODES_PER_REQUEST)
        {
            break;
        }
        graphs += g;
        nodes += n;
        kinds.extend(item_kinds);
        end += 1;
    }
    end
}

/// What one item's graphs answered in a graph request: `log` is `None` for an item that
/// holds only actions, `actions` is `None` when it had none to send.
#[derive(Debug)]
pub(crate) struct Sent {
    pub log: Option<Result<Delivered, salesforce::Error>>,
    pub actions: Option<Result<(), salesforce::Error>>,
    /// The actions' graph failed only on the BANT notes' sight of their Lead: the field
    /// is empty (the reference to it refused), or the Lead changed since the look that
    /// planned the notes alone (412). Either way: look at the Lead again.
    pub lead_notes_look_again: Option<LookAgain>,
}

/// Why the BANT notes' write must look at their Lead again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookAgain {
    /// The notes field is empty, so the reference to its text was refused: learnt once
    /// per call (the next write goes alone, conditionally), so it spends no attempt.
    Empty,
    /// The Lead changed since the look that planned the notes alone (412): something
    /// else writes the Lead, maybe without end, so this waits and spends like a retry.
    Changed,
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

/// The nodes of a call's queued actions (updates by id, the follow-up's create, the new
/// Opportunity's reads and upsert).
fn action_nodes(
    version: ApiVersion,
    item: &Claimed,
) -> Result<Vec<CompositeSubrequest>, salesforce::Error> {
    let mut out = Vec::new();
    for (i, a) in item
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.state == ActionState::Queued)
    {
        for read in &a.reads {
            out.push(read_node(version, read)?);
        }
        let reference = format!("action{i}");
        let body = Value::Object(a.body.clone());
        out.push(match (&a.record_id, &a.upsert) {
            (Some(id), _) => {
                let update = CompositeSubrequest::update(version, &reference, &a.object, id, body)?;
                match &a.unmodified_since {
                    Some(since) => update.with_header("If-Unmodified-Since", since),
                    None => update,
                }
            }
            (None, Some(key)) => CompositeSubrequest::upsert(
                version, &reference, &a.object, &key.field, &key.value, body,
            )?,
            (None, None) => CompositeSubrequest::create(version, &reference, &a.object, body)?,
        });
    }
    Ok(out)
}

/// `GET sobjects/{object}/{id}?fields=…`: a row a graph may read. The id is a record id or
/// a reference planned by Ringside itself (`@{ref.Field}`), never caller text.
fn read_node(
    version: ApiVersion,
    read: &RowRead,
) -> Result<CompositeSubrequest, salesforce::Error> {
    salesforce::validate_api_name("object", &read.object)?;
    for field in &read.fields {
        salesforce::validate_api_name("field", field)?;
    }
    let is_reference = read.id.starts_with("@{")
        && read.id.ends_with('}')
        && read.id[2..read.id.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !is_reference {
        salesforce::validate_record_id(&read.id)?;
    }
    Ok(CompositeSubrequest::new(
        CompositeMethod::Get,
        format!(
            "{}/sobjects/{}/{}?fields={}",
            version.base_path(),
            read.object,
            read.id,
            read.fields.join(",")
        ),
        &read.reference,
    ))
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

/// Sends up to [`MAX_GRAPHS_PER_REQUEST`] calls as one `/composite/graph`: per call its
/// log's graph (`g<i>`) and, when it has queued actions, their graph (`a<i>`). `Err` when
/// the whole request failed; otherwise one [`Sent`] per item, in order. (The caller keeps
/// the graphs and nodes within the limits with [`batch_end`].)
pub(crate) async fn send_batch(
    client: &Client,
    settings: &LoggingSettings,
    items: &[Claimed],
) -> Result<Vec<Sent>, salesforce::Error> {
    let version = client.api_version();
    let mut request = GraphRequest::default();
    // Per item: a build error of its log's graph, of its actions' graph.
    let mut built: Vec<(Option<salesforce::Error>, Option<salesforce::Error>)> =
        Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut errors = (None, None);
        if !item.actions_only() {
            match nodes(version, settings, item) {
                Ok(composite_request) => request.graphs.push(Graph {
                    graph_id: format!("g{i}"),
                    composite_request,
                }),
                Err(e) => errors.0 = Some(e),
            }
        }
        if item.has_queued_actions() {
            match action_nodes(version, item) {
                Ok(composite_request) => request.graphs.push(Graph {
                    graph_id: format!("a{i}"),
                    composite_request,
                }),
                Err(e) => errors.1 = Some(e),
            }
        }
        built.push(errors);
    }
    let response = if request.graphs.is_empty() {
        None
    } else {
        Some(client.composite_graph(&request).await?)
    };
    let graph_result = |graph_id: String| -> Result<&CompositeResponse, salesforce::Error> {
        let result = response
            .as_ref()
            .and_then(|r| r.get(&graph_id))
            .ok_or_else(|| salesforce::Error::UnexpectedResponse {
                status: 200,
                endpoint: "POST composite/graph".into(),
                detail: format!("no result for graph {graph_id}"),
            })?;
        if result.is_successful {
            Ok(&result.graph_response)
        } else {
            Err(real_error(&result.graph_response).unwrap_or_else(|| {
                salesforce::Error::UnexpectedResponse {
                    status: 200,
                    endpoint: "POST composite/graph".into(),
                    detail: format!("graph {graph_id} failed without an error"),
                }
            }))
        }
    };
    Ok(items
        .iter()
        .enumerate()
        .zip(built)
        .map(|((i, item), (log_error, actions_error))| Sent {
            log: (!item.actions_only()).then(|| match log_error {
                Some(e) => Err(e),
                None => graph_result(format!("g{i}")).map(|r| read_ids(item, r)),
            }),
            actions: item.has_queued_actions().then(|| match actions_error {
                Some(e) => Err(e),
                None => graph_result(format!("a{i}")).map(|_| ()),
            }),
            lead_notes_look_again: response
                .as_ref()
                .and_then(|r| r.get(&format!("a{i}")))
                .filter(|g| !g.is_successful)
                .and_then(|g| lead_notes_sight_refused(item, &g.graph_response)),
        })
        .collect())
}

/// After a send that may have landed: whether the call's queued follow-up already exists
/// in the org (found by its marker, see the module doc). `false` when there is none to
/// create.
pub(crate) async fn find_follow_up(
    client: &Client,
    item: &Claimed,
) -> Result<bool, salesforce::Error> {
    let Some(follow_up) = item
        .actions
        .iter()
        .find(|a| a.state == ActionState::Queued && a.name == ActionName::FollowUp)
    else {
        return Ok(false);
    };
    let literal = salesforce::escape::soql_literal;
    let soql = if follow_up.object == "Task" {
        format!(
            "SELECT Id FROM Task WHERE CallObject = {}",
            literal(&follow_up_marker(&item.log.call_id))
        )
    } else {
        let text = |field: &str| follow_up.body.get(field).and_then(Value::as_str);
        let start = text("StartDateTime")
            .and_then(crate::time::parse_datetime)
            .map(crate::time::soql_datetime)
            .unwrap_or_default();
        let mut soql = format!(
            "SELECT Id FROM Event WHERE Subject = {} AND StartDateTime = {start}",
            literal(text("Subject").unwrap_or_default())
        );
        if let Some(who) = text("WhoId") {
            soql.push_str(&format!(" AND WhoId = {}", literal(who)));
        }
        soql
    };
    let found: Vec<salesforce::Record> = client.query_all(&soql).await?;
    Ok(!found.is_empty())
}

/// After a send that may have landed: whether the call's queued Chatter post already exists
/// (see the module doc). `false` when none is queued.
pub(crate) async fn find_chatter_post(
    client: &Client,
    item: &Claimed,
) -> Result<bool, salesforce::Error> {
    let Some(post) = item
        .actions
        .iter()
        .find(|a| a.state == ActionState::Queued && a.name == ActionName::Chatter)
    else {
        return Ok(false);
    };
    let Some(parent) = post.body.get("ParentId").and_then(Value::as_str) else {
        return Ok(false);
    };
    // Posted no earlier than the call started: bounds the read to this call's time, never
    // the parent's whole feed. `Body` is selected, not filtered (it cannot be). A SOQL query
    // rather than the record feed (`GET chatter/feeds/record/{id}/feed-elements`): the feed
    // cannot be bounded by time, so a busy record's older posts would be paged through (25
    // a page, one request each) before the call's, and the query reads the same FeedItem
    // rows with the `api` scope every profile has.
    let soql = format!(
        "SELECT Id, Body FROM FeedItem WHERE ParentId = {} AND CreatedDate >= {}",
        salesforce::escape::soql_literal(parent),
        crate::time::soql_datetime(item.log.started_at_ms)
    );
    let tag = chatter_tag(&item.log.call_id);
    let found: Vec<salesforce::Record> = client.query_all(&soql).await?;
    Ok(found.iter().any(|r| {
        r.fields
            .get("Body")
            .and_then(Value::as_str)
            .is_some_and(|body| body.trim_end().ends_with(&tag))
    }))
}

/// After a send that may have landed: the indexes of `item`'s queued field updates (`lead`,
/// `opportunity`: by record id, nothing read first) whose record already holds every value
/// they set, read with one `GET` each (see the module doc).
pub(crate) async fn updates_already_applied(
    client: &Client,
    item: &Claimed,
) -> Result<Vec<usize>, salesforce::Error> {
    let mut applied = Vec::new();
    for (i, action) in item.actions.iter().enumerate() {
        let is_update = action.state == ActionState::Queued
            && matches!(action.name, ActionName::Lead | ActionName::Opportunity)
            && action.reads.is_empty()
            && action.upsert.is_none();
        let Some(id) = action.record_id.as_deref().filter(|_| is_update) else {
            continue;
        };
        let fields: Vec<&str> = action.body.keys().map(String::as_str).collect();
        if fields.is_empty() {
            continue;
        }
        let record = client.get(&action.object, id, Some(&fields)).await?;
        if action
            .body
            .iter()
            .all(|(field, value)| record.fields.get(field) == Some(value))
        {
            applied.push(i);
        }
    }
    Ok(applied)
}

/// What the call's Lead holds in the field its queued `lead_notes` appends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeadNotesNow {
    /// This call's block is there already (an earlier send landed).
    AlreadyThere,
    /// The field is empty: the block goes in alone, if the Lead is unchanged since this
    /// HTTP date (its `LastModifiedDate` as read).
    Empty { unmodified_since: String },
    /// Other text: the block is appended after it, as planned.
    HasText,
}

/// The queued `lead_notes` action of `item`, if any.
pub(crate) fn queued_lead_notes(item: &Claimed) -> Option<&PlannedAction> {
    item.actions
        .iter()
        .find(|a| a.state == ActionState::Queued && a.name == ActionName::LeadNotes)
}

/// Whether a failed actions' graph of `item` failed on its `lead_notes`' sight of the Lead
/// (see the module doc): a subresponse's error names the reference to the Lead's notes
/// field (the field is empty), or the notes' own write answered 412 PRECONDITION_FAILED
/// (the Lead changed since the look). `None` when the graph failed for another reason.
fn lead_notes_sight_refused(item: &Claimed, response: &CompositeResponse) -> Option<LookAgain> {
    let reference = format!("{LEAD_NOTES_REF}.");
    let notes = item
        .actions
        .iter()
        .enumerate()
        .find(|(_, a)| a.state == ActionState::Queued && a.name == ActionName::LeadNotes);
    let (index, action) = notes?;
    let write_ref = format!("action{index}");
    response.composite_response.iter().find_map(|r| {
        let e = r.error()?;
        let empty = !action.reads.is_empty()
            && matches!(e, salesforce::Error::Api { .. })
            && e.to_string().contains(&reference);
        let changed = action.unmodified_since.is_some()
            && r.http_status_code == 412
            && r.reference_id.as_deref() == Some(write_ref.as_str());
        if changed {
            Some(LookAgain::Changed)
        } else if empty {
            Some(LookAgain::Empty)
        } else {
            None
        }
    })
}

/// Reads the call's Lead (one request) to see what its `lead_notes` field holds. `None`
/// when no `lead_notes` is queued.
pub(crate) async fn look_at_lead_notes(
    client: &Client,
    item: &Claimed,
) -> Result<Option<LeadNotesNow>, salesforce::Error> {
    let Some(action) = queued_lead_notes(item) else {
        return Ok(None);
    };
    let (Some(lead), Some(field)) = (&action.record_id, lead_notes_field(action)) else {
        return Ok(None);
    };
    let record = client
        .get("Lead", lead, Some(&[field, "LastModifiedDate"]))
        .await?;
    let text = record
        .fields
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(Some(if text.contains(&lead_notes_tag(&item.log.call_id)) {
        LeadNotesNow::AlreadyThere
    } else if text.is_empty() {
        // Without the Lead's time the write could not be conditional: refuse to guess.
        let unmodified_since = record
            .fields
            .get("LastModifiedDate")
            .and_then(Value::as_str)
            .and_then(crate::time::parse_datetime)
            .and_then(crate::time::http_date)
            .ok_or_else(|| salesforce::Error::UnexpectedResponse {
                status: 200,
                endpoint: format!("GET sobjects/Lead/{lead}"),
                detail: "the Lead came back without a readable LastModifiedDate".into(),
            })?;
        LeadNotesNow::Empty { unmodified_since }
    } else {
        LeadNotesNow::HasText
    }))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_log::LoggingMode;

    fn claimed(actions: usize, reads: usize) -> Claimed {
        let action = |i: usize| PlannedAction {
            name: ActionName::Opportunity,
            state: ActionState::Queued,
            note: None,
            object: "Opportunity".into(),
            record_id: Some(format!("006Dm00000000{i:02}IAA")),
            body: Default::default(),
            upsert: None,
            reads: (0..reads)
                .map(|r| RowRead {
                    reference: format!("read{i}_{r}"),
                    object: "Opportunity".into(),
                    id: "006Dm0000000004IAA".into(),
                    fields: vec!["AccountId".into()],
                })
                .collect(),
            check_first: false,
            unmodified_since: None,
        };
        Claimed {
            id: 1,
            call_id: "c".into(),
            revision: 1,
            attempts: 0,
            check_first: false,
            task_id: None,
            log: CallLog {
                call_id: "c".into(),
                started_at_ms: 0,
                duration_seconds: 1,
                notes: None,
                who_id: None,
                ..crate::call_log::tests::sample()
            },
            last_error_code: None,
            actions: (0..actions).map(action).collect(),
            actions_of: None,
        }
    }

    #[test]
    fn a_backlog_is_cut_at_75_graphs_or_500_nodes_whichever_comes_first() {
        let task_mode = LoggingSettings::default();
        // Plain logs: 2 nodes each, so the graph limit cuts: 75, 75, 50.
        let plain = vec![claimed(0, 0); 200];
        assert_eq!(batch_end(&plain, 0, &task_mode), 75, "75 graphs, 150 nodes");
        assert_eq!(batch_end(&plain, 75, &task_mode), 150);
        assert_eq!(batch_end(&plain, 150, &task_mode), 200, "the rest");

        // With actions: two graphs per call, so 37 calls (74 graphs) at most.
        let one_action = vec![claimed(1, 0); 100];
        assert_eq!(
            batch_end(&one_action, 0, &task_mode),
            37,
            "74 graphs, 111 nodes"
        );

        // Heavy action graphs: 2 + 3 × (3 + 1) = 14 nodes a call, so nodes cut first:
        // 35 calls are 490 nodes (70 graphs), a 36th would be 504.
        let heavy = vec![claimed(3, 3); 100];
        assert_eq!(batch_end(&heavy, 0, &task_mode), 35, "500 nodes at most");

        // Call-log-only mode: 1 node per log.
        let log_only = LoggingSettings {
            mode: LoggingMode::CallLogOnly,
            ..LoggingSettings::default()
        };
        assert_eq!(
            batch_end(&plain, 0, &log_only),
            75,
            "still at most 75 graphs"
        );
    }

    #[test]
    fn a_backlog_is_cut_before_a_16th_different_node() {
        let task_mode = LoggingSettings::default();
        // Each item updates its own object (PATCH) and reads another (GET): 2 kinds of its
        // own, plus the 2 every log brings (PATCH the call log, POST the Task).
        let objects = [
            "Account",
            "Contact",
            "Lead",
            "Opportunity",
            "Case",
            "Event",
            "Campaign",
            "Asset",
            "Contract",
            "Order",
            "Product2",
            "Quote",
            "Solution",
            "Idea",
        ];
        let items: Vec<Claimed> = objects
            .iter()
            .enumerate()
            .map(|(i, object)| {
                let mut item = claimed(1, 1);
                item.actions[0].object = (*object).into();
                item.actions[0].reads[0].object = objects[(i + 7) % objects.len()].into();
                item
            })
            .collect();
        // Item 0: call log, Task, PATCH Account, GET Campaign = 4 kinds; each next item adds
        // a PATCH and (from item 7 on, where the reads wrap round) at most one GET.
        let end = batch_end(&items, 0, &task_mode);
        let kinds: std::collections::HashSet<_> = items[..end]
            .iter()
            .flat_map(|i| i.node_kinds(&task_mode))
            .collect();
        assert!(
            kinds.len() <= 15,
            "never more than 15 different nodes in one request: {kinds:?}"
        );
        let with_next: std::collections::HashSet<_> = items[..=end]
            .iter()
            .flat_map(|i| i.node_kinds(&task_mode))
            .collect();
        assert!(
            with_next.len() > 15,
            "and cut only when the next item would pass 15 ({end} items)"
        );
        assert!(end < items.len(), "the rest goes in the next request");

        // The same kinds again and again never cut early: 37 calls as before.
        let same = vec![claimed(1, 1); 100];
        assert_eq!(
            batch_end(&same, 0, &task_mode),
            37,
            "4 different nodes however many calls; the graph limit cuts"
        );
    }

    #[test]
    fn one_item_always_makes_a_batch() {
        let huge = vec![claimed(4, 200); 2];
        assert_eq!(
            batch_end(&huge, 0, &LoggingSettings::default()),
            1,
            "an item alone over a limit is still sent (Salesforce then says why), never skipped"
        );
    }
}
