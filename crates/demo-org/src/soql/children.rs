//! Parent-to-child subqueries (`SELECT Id, (SELECT Subject FROM Tasks__r) FROM Call_Log__c`):
//! each outer row carries its child records as a nested query result
//! `{"totalSize","done","records"}`, or `null` when it has none, as Salesforce renders them.
//! See <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm>.
//!
//! Children are grouped by parent id in one pass over the child object per batch, so a
//! batch of thousands of rows costs one scan, not one scan per row.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::eval::{Selection, field_at};
use super::parser::ChildQuery;
use crate::api_error::ApiError;
use crate::ids;
use crate::schema::{self, ObjectDef};
use crate::sharing::Viewer;
use crate::store::{Record, Store};

/// A subquery compiled against its child object.
#[derive(Debug)]
pub struct ChildSelection {
    /// The relationship name as the schema spells it: the key in the rendered row.
    name: &'static str,
    child: &'static str,
    field: &'static str,
    /// `field`'s position in the child's describe (read without hashing in the scan).
    field_position: Option<usize>,
    selection: Selection,
    limit: Option<usize>,
}

impl ChildSelection {
    pub fn compile(
        parent: &'static ObjectDef,
        query: &ChildQuery,
        now_ms: i64,
    ) -> Result<Self, ApiError> {
        let relationship = schema::child_relationship(parent.name, &query.relationship)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_TYPE",
                    format!(
                        "ERROR at Row:1:Column:{}\nDidn't understand relationship '{}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
                        query.relationship_col, query.relationship
                    ),
                )
            })?;
        let child = schema::object(relationship.child).ok_or_else(|| {
            ApiError::bad_request("INVALID_TYPE", "child relationship to an unknown object")
        })?;
        let selection = Selection::compile(
            child,
            &query.fields,
            query.filter.as_ref(),
            &query.order_by,
            now_ms,
        )?;
        Ok(ChildSelection {
            name: relationship.name,
            child: child.name,
            field: relationship.field,
            field_position: child
                .fields
                .iter()
                .position(|f| f.name == relationship.field),
            selection,
            limit: query.limit.map(|l| l as usize),
        })
    }

    /// The matching children of the `parents` being rendered that `viewer` may see (sharing
    /// applies to subquery rows as to top-level ones), sorted and limited, by parent id.
    pub fn index<'s>(
        &self,
        store: &'s Store,
        parents: &HashSet<&str>,
        viewer: &Viewer<'_>,
    ) -> HashMap<String, Vec<&'s Record>> {
        let mut by_parent: HashMap<String, Vec<&'s Record>> = HashMap::new();
        for record in store.records_of(self.child) {
            let Some(raw) = field_at(record, self.field, self.field_position).as_str() else {
                continue;
            };
            // Stored lookups are 18-character ids; only a 15-character one needs the
            // (allocating) conversion before it can be compared.
            let parent = if raw.len() == 18 {
                if !parents.contains(raw) {
                    continue;
                }
                raw.to_owned()
            } else {
                match ids::canonical(raw) {
                    Some(id) if parents.contains(id.as_str()) => id,
                    _ => continue,
                }
            };
            if viewer.sees(record) && self.selection.matches(store, record) {
                by_parent.entry(parent).or_default().push(record);
            }
        }
        for children in by_parent.values_mut() {
            self.selection.sort(store, children);
            if let Some(limit) = self.limit {
                children.truncate(limit);
            }
        }
        by_parent
    }

    /// Adds this relationship's children (or `null`) to a rendered parent row.
    pub fn render_into(
        &self,
        store: &Store,
        index: &HashMap<String, Vec<&Record>>,
        parent: &Record,
        row: &mut Value,
        version: &str,
    ) {
        let value = match index.get(parent.id()) {
            Some(children) if !children.is_empty() => {
                let records: Vec<Value> = children
                    .iter()
                    .map(|c| self.selection.render(store, c, version))
                    .collect();
                json!({"totalSize": records.len(), "done": true, "records": records})
            }
            _ => Value::Null,
        };
        if let Value::Object(map) = row {
            map.insert(self.name.to_owned(), value);
        }
    }
}
