//! The history's SOQL: one query on the call-log object with the matched record's and
//! owner's names (parent relationships) and the call's Task (a parent-to-child subquery),
//! so a page of history is one API call. Filters run in Salesforce (`WHERE`), newest first.
//!
//! Every value comes from a validated [`HistoryFilter`] and enters the text only through
//! `salesforce::escape::soql_literal` or as a datetime literal from [`crate::time`]; names
//! come from a validated [`HistorySource`].
//! See <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm>.

use salesforce::escape::soql_literal;

use super::filter::{HistoryFilter, MatchedObject};
use super::row::relationship_name;
use super::source::HistorySource;
use crate::time::soql_datetime;

/// The SOQL for `filter` (already validated) on `source`.
pub fn history_query(source: &HistorySource, filter: &HistoryFilter) -> String {
    query(source, filter, None)
}

/// [`history_query`] for the rows from `last_started_at_ms`'s second on, in the history's
/// order (`started_at DESC NULLS LAST`): where a re-query starts when a `nextRecordsUrl` has
/// died. `Some(ms)`: rows that started before the end of that second, and rows with no start;
/// `None` (the last row had no start): rows with no start. SOQL's datetime literals are
/// whole seconds
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm>)
/// while stored times may carry milliseconds, so the rows of that second already fetched come
/// again, and the caller skips them by id.
pub fn history_query_from(
    source: &HistorySource,
    filter: &HistoryFilter,
    last_started_at_ms: Option<i64>,
) -> String {
    let started_at = &source.logging.call_log.started_at;
    let keyset = match last_started_at_ms {
        Some(ms) => format!(
            "({started_at} < {} OR {started_at} = null)",
            soql_datetime(ms.div_euclid(1000) * 1000 + 1000)
        ),
        None => format!("{started_at} = null"),
    };
    query(source, filter, Some(keyset))
}

fn query(source: &HistorySource, filter: &HistoryFilter, keyset: Option<String>) -> String {
    let f = &source.logging.call_log;
    let mut fields: Vec<String> = vec![
        "Id".into(),
        f.external_id.clone(),
        f.direction.clone(),
        f.duration.clone(),
        f.from_number.clone(),
        f.to_number.clone(),
        f.started_at.clone(),
        f.recording_url.clone(),
        f.summary.clone(),
        f.key_topics.clone(),
        f.disposition.clone(),
    ];
    // The memo only when one is configured (`""` switches it off: an org without the field
    // keeps its history).
    if !f.memo.is_empty() && !fields.iter().any(|s| s.eq_ignore_ascii_case(&f.memo)) {
        fields.push(f.memo.clone());
    }
    for lookup in [&f.contact, &f.lead, &f.account] {
        fields.push(lookup.clone());
        fields.push(format!("{}.Name", relationship_name(lookup)));
    }
    fields.extend(["OwnerId".into(), "Owner.Name".into(), "CreatedDate".into()]);
    if !source.includes_tasks() {
        // No Task in this mode: the call log holds the subject and notes itself. A field
        // selected twice is a MALFORMED_QUERY in Salesforce, so a name already selected
        // (a source built in code may share one) is not repeated.
        for name in [&f.subject, &f.notes] {
            if !fields.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                fields.push(name.clone());
            }
        }
    }
    if source.includes_tasks() {
        // The newest Task of the call (there is one; a second would be a duplicate).
        fields.push(format!(
            "(SELECT Id, Subject, Description, CallDisposition FROM {} ORDER BY CreatedDate DESC LIMIT 1)",
            source.task_relationship
        ));
    }
    let mut conditions: Vec<String> = Vec::new();
    if let Some(ms) = filter.since_ms() {
        conditions.push(format!("{} >= {}", f.started_at, soql_datetime(ms)));
    }
    if let Some(ms) = filter.until_ms() {
        conditions.push(format!("{} < {}", f.started_at, soql_datetime(ms)));
    }
    if let Some(agent) = &filter.agent {
        conditions.push(format!("OwnerId = {}", soql_literal(agent)));
    }
    if let Some(direction) = filter.direction {
        conditions.push(format!(
            "{} = {}",
            f.direction,
            soql_literal(direction.salesforce_value())
        ));
    }
    if let Some(disposition) = &filter.disposition {
        conditions.push(format!("{} = {}", f.disposition, soql_literal(disposition)));
    }
    match filter.matched_object {
        Some(MatchedObject::Contact) => conditions.push(format!("{} != null", f.contact)),
        Some(MatchedObject::Lead) => conditions.push(format!("{} != null", f.lead)),
        // A row shows its Contact or Lead before its Account, so "Account" means calls
        // matched to the company alone.
        Some(MatchedObject::Account) => {
            conditions.push(format!("{} != null", f.account));
            conditions.push(format!("{} = null", f.contact));
            conditions.push(format!("{} = null", f.lead));
        }
        None => {}
    }
    conditions.extend(keyset);
    let mut soql = format!("SELECT {} FROM {}", fields.join(", "), f.object);
    if !conditions.is_empty() {
        soql.push_str(" WHERE ");
        soql.push_str(&conditions.join(" AND "));
    }
    // Id breaks ties, so pages never repeat or skip a call that shares its start second.
    soql.push_str(&format!(
        " ORDER BY {} DESC NULLS LAST, Id DESC",
        f.started_at
    ));
    if let Some(limit) = filter.limit {
        soql.push_str(&format!(" LIMIT {limit}"));
    }
    soql
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_log::Direction;
    use crate::history::filter::DateBound;

    #[test]
    fn every_filter_becomes_a_where_clause() {
        let filter = HistoryFilter {
            since: Some(DateBound::parse("2026-10-01").unwrap()),
            until: Some(DateBound::parse("2026-10-07").unwrap()),
            agent: Some("005Dm0000000001IAA".into()),
            direction: Some(Direction::Inbound),
            disposition: Some("Left voicemail".into()),
            matched_object: Some(MatchedObject::Account),
            limit: Some(50),
            ..Default::default()
        };
        let q = history_query(&HistorySource::default(), &filter);
        assert!(
            q.contains(
                "WHERE Started_At__c >= 2026-10-01T00:00:00Z AND Started_At__c < 2026-10-08T00:00:00Z \
                 AND OwnerId = '005Dm0000000001IAA' AND Direction__c = 'Inbound' \
                 AND Disposition__c = 'Left voicemail' AND Account__c != null AND Contact__c = null AND Lead__c = null"
            ),
            "{q}"
        );
        assert!(
            q.ends_with("ORDER BY Started_At__c DESC NULLS LAST, Id DESC LIMIT 50"),
            "{q}"
        );
        assert!(
            q.contains("Contact__r.Name") && q.contains("Owner.Name"),
            "names in the same call: {q}"
        );
        assert!(
            q.contains("FROM Tasks__r ORDER BY CreatedDate DESC LIMIT 1)"),
            "{q}"
        );
    }

    #[test]
    fn a_re_query_starts_at_the_last_rows_second_with_the_same_filters() {
        let filter = HistoryFilter {
            direction: Some(Direction::Inbound),
            ..Default::default()
        };
        let source = HistorySource::default();
        // 2026-10-01T10:15:30.250Z
        let ms = crate::time::parse_datetime("2026-10-01T10:15:30.250+0000")
            .expect("a Salesforce datetime");
        let q = history_query_from(&source, &filter, Some(ms));
        assert!(
            q.contains(
                "WHERE Direction__c = 'Inbound' AND (Started_At__c < 2026-10-01T10:15:31Z OR Started_At__c = null) ORDER BY"
            ),
            "the filter, then everything up to the end of the last row's second: {q}"
        );
        let q = history_query_from(&source, &filter, None);
        assert!(
            q.contains("AND Started_At__c = null ORDER BY Started_At__c DESC NULLS LAST, Id DESC"),
            "after a row with no start only rows with no start remain: {q}"
        );
    }

    #[test]
    fn configured_names_are_used_and_call_log_only_has_no_task() {
        let mut source = HistorySource::default();
        source.logging.call_log.object = "Phone_Call__c".into();
        source.logging.call_log.started_at = "Began__c".into();
        source.logging.mode = crate::call_log::LoggingMode::CallLogOnly;
        let q = history_query(&source, &HistoryFilter::default());
        assert!(
            q.contains("FROM Phone_Call__c ORDER BY Began__c DESC"),
            "{q}"
        );
        assert!(
            !q.contains("(SELECT"),
            "no Task subquery without Tasks: {q}"
        );
        assert!(
            q.contains(", Subject__c, Notes__c"),
            "the call log's own subject and notes are read instead: {q}"
        );
        source.logging.call_log.notes = "summary__c".into();
        let q = history_query(&source, &HistoryFilter::default());
        assert_eq!(
            q.to_ascii_lowercase().matches("summary__c").count(),
            1,
            "a field is selected once (twice is a MALFORMED_QUERY): {q}"
        );
        let q = history_query(&HistorySource::default(), &HistoryFilter::default());
        assert!(
            !q.contains("Subject__c") && !q.contains("Notes__c"),
            "task mode reads them from the Task: an org set up for Tasks need not have the fields: {q}"
        );
    }
}
