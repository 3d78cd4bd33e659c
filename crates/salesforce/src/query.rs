//! Response shapes of the query and search resources.
//!
//! Query: <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm>;
//! search: <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm>.

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// One page of SOQL results. When `done` is false, `next_records_url` fetches the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T> {
    /// The number of rows the whole query matched (all pages).
    pub total_size: u64,
    /// Whether this is the last page.
    pub done: bool,
    /// The path of the next page, e.g. `/services/data/v66.0/query/01gxx-2000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_records_url: Option<String>,
    /// The rows of this page.
    pub records: Vec<T>,
}

/// The result of a SOSL search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// The matching records of every returned object, in Salesforce's order.
    pub search_records: Vec<Record>,
}

impl<'de> Deserialize<'de> for SearchResult {
    /// Salesforce answers `{"searchRecords": [...]}`; API versions before 37.0 answered a bare
    /// list. Both are accepted.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Object {
                #[serde(rename = "searchRecords")]
                search_records: Vec<Record>,
            },
            List(Vec<Record>),
        }
        Ok(match Shape::deserialize(d)? {
            Shape::Object { search_records } | Shape::List(search_records) => {
                SearchResult { search_records }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_page_reads_camel_case_and_next_url() {
        let page: QueryPage<Record> = serde_json::from_str(
            r#"{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v66.0/query/01g-2","records":[
                {"attributes":{"type":"Contact","url":"/x"},"Id":"003000000000001AAA"}]}"#,
        )
        .unwrap();
        assert_eq!(page.total_size, 3);
        assert!(!page.done, "more pages follow");
        assert_eq!(
            page.next_records_url.as_deref(),
            Some("/services/data/v66.0/query/01g-2")
        );
        assert_eq!(page.records[0].id(), Some("003000000000001AAA"));
    }

    #[test]
    fn search_accepts_object_and_legacy_list() {
        let object: SearchResult = serde_json::from_str(
            r#"{"searchRecords":[{"attributes":{"type":"Lead","url":"/l"},"Id":"00Q000000000001AAA"}]}"#,
        )
        .unwrap();
        assert_eq!(object.search_records[0].sobject_type(), "Lead");
        let list: SearchResult =
            serde_json::from_str(r#"[{"attributes":{"type":"Contact"}}]"#).unwrap();
        assert_eq!(list.search_records.len(), 1, "pre-v37 shape still reads");
    }
}
