//! The `/composite/graph` resource: several independent graphs in one API call, each graph
//! all-or-nothing on its own. This is what lets a catch-up drain send many call logs in one
//! request while one bad record sinks only its own graph.
//!
//! Limits per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm>:
//! at most 75 graphs, 500 nodes and 15 different nodes in one payload; after 14 failed graphs Salesforce halts
//! the rest (they answer `PROCESSING_HALTED`). Graph nodes are the same subrequests as in
//! `/composite`, so [`CompositeSubrequest`]'s typed constructors build them.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::composite::{CompositeResponse, CompositeSubrequest};
use crate::error::Error;

/// The most graphs one `/composite/graph` payload may carry.
pub const MAX_GRAPHS: usize = 75;
/// The most nodes (subrequests, over all graphs) one payload may carry.
pub const MAX_GRAPH_NODES: usize = 500;
/// The most *different* nodes one payload may carry: nodes differ by API version, HTTP
/// method or object (`GET sobjects/Account` and `PATCH sobjects/Account` are two).
pub const MAX_DIFFERENT_GRAPH_NODES: usize = 15;

/// One graph: subrequests that succeed or fail together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    /// Unique within the payload; the answer names the graph by it.
    pub graph_id: String,
    /// The nodes, in order; later ones may use `@{ref.id}` of earlier ones.
    pub composite_request: Vec<CompositeSubrequest>,
}

/// A whole `/composite/graph` payload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphRequest {
    /// The graphs, each all-or-nothing.
    pub graphs: Vec<Graph>,
}

impl GraphRequest {
    /// Total nodes over all graphs.
    pub fn node_count(&self) -> usize {
        self.graphs.iter().map(|g| g.composite_request.len()).sum()
    }

    /// Checks the payload limits before it costs an API call: 1 to 75 graphs, at most 500
    /// nodes, unique graph ids, every graph valid as a composite (unique reference ids).
    pub fn validate(&self) -> Result<(), Error> {
        let graphs = self.graphs.len();
        if graphs == 0 || graphs > MAX_GRAPHS {
            return Err(Error::InvalidInput(format!(
                "a composite graph request needs 1 to {MAX_GRAPHS} graphs, not {graphs}"
            )));
        }
        let nodes = self.node_count();
        if nodes > MAX_GRAPH_NODES {
            return Err(Error::InvalidInput(format!(
                "a composite graph request may hold at most {MAX_GRAPH_NODES} nodes, not {nodes}"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for graph in &self.graphs {
            let id_ok = !graph.graph_id.is_empty()
                && graph.graph_id.len() < 40
                && graph
                    .graph_id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && graph
                    .graph_id
                    .starts_with(|c: char| c.is_ascii_alphanumeric());
            if !id_ok {
                return Err(Error::InvalidInput(format!(
                    "`{}` is not a valid graph id (letters, digits, `_`, under 40 characters)",
                    graph.graph_id.escape_debug()
                )));
            }
            if !seen.insert(graph.graph_id.as_str()) {
                return Err(Error::InvalidInput(format!(
                    "the graph id `{}` is used twice",
                    graph.graph_id
                )));
            }
            // Each node obeys the composite's rules (reference id shape, versioned URL);
            // only the 25-subrequest cap is a composite limit, not a graph one.
            let mut references = std::collections::HashSet::new();
            if graph.composite_request.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "graph `{}` has no nodes",
                    graph.graph_id
                )));
            }
            for node in &graph.composite_request {
                if !node.is_graph_node() {
                    return Err(Error::InvalidInput(format!(
                        "graph `{}` node `{}` is not an sObject row ({:?} {}); a composite graph holds only record creates, reads, updates, deletes and upserts",
                        graph.graph_id,
                        node.reference_id,
                        node.method,
                        node.url.split('?').next().unwrap_or_default()
                    )));
                }
                if !references.insert(node.reference_id.as_str()) {
                    return Err(Error::InvalidInput(format!(
                        "graph `{}` uses the reference id `{}` twice",
                        graph.graph_id, node.reference_id
                    )));
                }
                crate::composite::CompositeRequest {
                    all_or_none: true,
                    composite_request: vec![node.clone()],
                }
                .validate()?;
            }
        }
        Ok(())
    }
}

/// The answer: one entry per graph, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphResponse {
    /// Each graph's outcome.
    pub graphs: Vec<GraphResult>,
}

impl GraphResponse {
    /// The outcome of the graph with this id.
    pub fn get(&self, graph_id: &str) -> Option<&GraphResult> {
        self.graphs.iter().find(|g| g.graph_id == graph_id)
    }
}

/// One graph's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphResult {
    /// The graph id it answers.
    pub graph_id: String,
    /// The subresponses, as in `/composite` (missing or null reads as none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub graph_response: CompositeResponse,
    /// Whether every node succeeded (a failed graph was rolled back as a whole).
    pub is_successful: bool,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<CompositeResponse, D::Error> {
    Ok(Option::<CompositeResponse>::deserialize(d)?.unwrap_or_default())
}

impl GraphResult {
    /// Why a failed graph failed: the node whose error rolled the graph back (not the ones
    /// answering `PROCESSING_HALTED`), as [`CompositeResponse::cause`] finds it. `None` for a
    /// successful graph.
    pub fn error(&self) -> Option<Error> {
        if self.is_successful {
            return None;
        }
        Some(
            self.graph_response
                .cause()
                .map(|(_, err)| err)
                .unwrap_or_else(|| Error::UnexpectedResponse {
                    status: 200,
                    endpoint: "POST composite/graph".into(),
                    detail: format!("graph `{}` failed without an error", self.graph_id),
                }),
        )
    }
}

impl Client {
    /// Sends a `/composite/graph` request (one API call). Each graph commits or rolls back on
    /// its own: inspect every [`GraphResult::is_successful`] (and [`GraphResult::error`]).
    /// A payload Salesforce refuses as a whole (over its limits) is an [`Error::Api`].
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph.htm>.
    pub async fn composite_graph(&self, request: &GraphRequest) -> Result<GraphResponse, Error> {
        request.validate()?;
        let body = serde_json::to_value(request).map_err(|e| {
            Error::InvalidInput(format!(
                "the composite graph request could not be serialised: {e}"
            ))
        })?;
        let response: GraphResponse = self
            .post_json(
                &format!("{}/composite/graph", self.api_version().base_path()),
                &body,
                "a composite graph response",
            )
            .await?;
        if response.graphs.len() != request.graphs.len() {
            return Err(Error::UnexpectedResponse {
                status: 200,
                endpoint: "POST composite/graph".into(),
                detail: format!(
                    "{} graph results for {} graphs",
                    response.graphs.len(),
                    request.graphs.len()
                ),
            });
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiVersion, ErrorCode};
    use serde_json::json;

    #[test]
    fn a_failed_graph_gives_the_node_that_caused_it() {
        // Recorded from a real org (salesforce-misc/ReVoman,
        // src/test/resources/composite/graph/resp/graph-error-response.json).
        let response: GraphResponse = serde_json::from_value(json!({"graphs": [{
            "graphId": "1",
            "graphResponse": {"compositeResponse": [
                {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "account"},
                {"body": [{"errorCode": "DUPLICATE_VALUE", "fields": [], "message": "duplicate value found: Name duplicates value on record with id: 0tjxx00000001H3AAI"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "attributeDefinition"},
                {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "contact"}
            ]},
            "isSuccessful": false
        }]}))
        .expect("a failed graph is readable");
        let graph = response.get("1").unwrap();
        let err = graph.error().expect("the graph failed");
        assert_eq!(
            err.api_errors()[0].error_code,
            ErrorCode::DuplicateValue,
            "the cause, not the rolled-back nodes: {err}"
        );
    }

    #[test]
    fn a_successful_graph_and_a_graph_without_a_response_are_read() {
        let response: GraphResponse = serde_json::from_value(json!({"graphs": [
            {"graphId": "graph1", "graphResponse": {"compositeResponse": [
                {"body": {"id": "0014H00002x6HUhQAM", "success": true, "errors": []}, "httpHeaders": {"Location": "/services/data/v50.0/sobjects/Account/0014H00002x6HUhQAM"}, "httpStatusCode": 201, "referenceId": "newAccount"}
            ]}, "isSuccessful": true},
            {"graphId": "graph2", "graphResponse": null, "isSuccessful": false}
        ]}))
        .unwrap();
        assert!(response.get("graph1").unwrap().error().is_none());
        let empty = response.get("graph2").unwrap();
        assert!(empty.graph_response.composite_response.is_empty());
        assert!(
            matches!(empty.error(), Some(Error::UnexpectedResponse { .. })),
            "a failure without a node still reads as a failure"
        );
    }

    #[test]
    fn validation_refuses_nodes_that_are_not_sobject_rows() {
        let v = ApiVersion::DEFAULT;
        let request = GraphRequest {
            graphs: vec![Graph {
                graph_id: "g".into(),
                composite_request: vec![
                    CompositeSubrequest::create(v, "t", "Task", json!({})).unwrap(),
                    CompositeSubrequest::query(v, "q", "SELECT Id FROM Task").unwrap(),
                ],
            }],
        };
        let err = request.validate().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("`q`")),
            "the query node is named before anything is sent: {err}"
        );
    }
}
