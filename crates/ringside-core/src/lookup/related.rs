//! The screen pop's single round trip: one `/composite` whose first subrequest
//! is the SOSL search and whose later subrequests read the open Opportunities
//! and Cases of the records that search finds, through composite references
//! (`@{search.searchRecords[0].Id}`). A composite is one API call however many
//! subrequests it holds, so the pop still costs exactly one request.
//!
//! Salesforce references address one result at a time (the `[]` operator
//! indexes a collection; there is no "all of them"), so the related queries are
//! written per search-result position, for the first [`RELATED_FOR_FIRST`]
//! positions. A position beyond the results, or a field the record at that
//! position does not have (a Lead has no `AccountId`), makes that subrequest
//! fail with an unresolved reference; those failures are expected and ignored.
//! See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm>.

use std::collections::HashMap;

use salesforce::{CompositeRequest, CompositeResponse, CompositeSubrequest, QueryPage, Record};

use super::model::{OpenCase, OpenOpportunity};

/// Reference id of the search subrequest.
const SEARCH_REF: &str = "search";

/// Search positions whose related records are fetched. Three subrequests per
/// position plus the search must fit Salesforce's 25-subrequest cap.
pub(super) const RELATED_FOR_FIRST: usize = 8;

/// Related records listed per match; the record panel shows the rest.
const RELATED_LIMIT: u32 = 10;

/// A stand-in for a composite reference while the SOQL is percent-encoded: the
/// encoder would turn `@{…}` into `%40%7B…`, which Salesforce would not
/// substitute. Letters only, so it passes through encoding unchanged; the SOQL
/// here holds no caller input, so it cannot collide with anything.
const ID_PLACEHOLDER: &str = "RINGSIDEREFID";
const ACCOUNT_ID_PLACEHOLDER: &str = "RINGSIDEREFACCOUNTID";

/// Builds the composite: the search, then for each position `k` the open
/// Opportunities of an Account at `k`, those of a Contact's Account at `k`,
/// and the open Cases of a Contact or Account at `k`.
pub(super) fn composite_request(
    version: salesforce::ApiVersion,
    sosl: &str,
) -> Result<CompositeRequest, salesforce::Error> {
    let mut request = CompositeRequest::new(false);
    request.push(CompositeSubrequest::search(version, SEARCH_REF, sosl)?);
    let opportunities = format!(
        "SELECT Id, Name, StageName, Amount, CloseDate FROM Opportunity \
         WHERE IsClosed = false AND AccountId = '{{id}}' ORDER BY CloseDate LIMIT {RELATED_LIMIT}"
    );
    let cases = format!(
        "SELECT Id, CaseNumber, Subject, Status FROM Case WHERE IsClosed = false \
         AND (ContactId = '{ID_PLACEHOLDER}' OR AccountId = '{ID_PLACEHOLDER}') \
         ORDER BY CreatedDate DESC LIMIT {RELATED_LIMIT}"
    );
    for k in 0..RELATED_FOR_FIRST {
        let subs = [
            (
                format!("accountOpps{k}"),
                opportunities.replace("{id}", ID_PLACEHOLDER),
            ),
            (
                format!("contactOpps{k}"),
                opportunities.replace("{id}", ACCOUNT_ID_PLACEHOLDER),
            ),
            (format!("cases{k}"), cases.clone()),
        ];
        for (reference, soql) in subs {
            let mut sub = CompositeSubrequest::query(version, &reference, &soql)?;
            // Longest placeholder first: one is a prefix of the other's tail.
            sub.url = sub
                .url
                .replace(
                    ACCOUNT_ID_PLACEHOLDER,
                    &format!("@{{{SEARCH_REF}.searchRecords[{k}].AccountId}}"),
                )
                .replace(
                    ID_PLACEHOLDER,
                    &format!("@{{{SEARCH_REF}.searchRecords[{k}].Id}}"),
                );
            request.push(sub);
        }
    }
    Ok(request)
}

/// What the composite answered: the search's records and, by record id, the
/// related records of the positions that had them.
pub(super) struct Answer {
    pub records: Vec<Record>,
    pub related: HashMap<String, Related>,
}

/// Open Opportunities and Cases of one record.
#[derive(Debug, Default)]
pub(super) struct Related {
    pub opportunities: Vec<OpenOpportunity>,
    pub cases: Vec<OpenCase>,
}

/// Reads the composite answer. The search failing fails the lookup; a related
/// query failing only leaves that record without related records (logged).
pub(super) fn read_answer(response: &CompositeResponse) -> Result<Answer, salesforce::Error> {
    let search = response
        .get(SEARCH_REF)
        .ok_or_else(|| missing_subresponse(SEARCH_REF))?;
    let records = search.body_as::<salesforce::SearchResult>()?.search_records;
    let mut related = HashMap::new();
    for (k, record) in records.iter().enumerate().take(RELATED_FOR_FIRST) {
        let Some(id) = record.str_field("Id") else {
            continue;
        };
        let opportunities_ref = match record.sobject_type() {
            "Contact" => format!("contactOpps{k}"),
            "Account" => format!("accountOpps{k}"),
            // Leads have no Opportunities or Cases until they are converted.
            "Lead" => {
                related.insert(id.to_owned(), Related::default());
                continue;
            }
            _ => continue,
        };
        // A Contact without an Account has no Account Opportunities; its
        // reference resolves to null and that subrequest's failure means nothing.
        let has_account =
            record.sobject_type() == "Account" || record.str_field("AccountId").is_some();
        let opportunities = if has_account {
            read_rows(response, &opportunities_ref, opportunity)
        } else {
            Some(Vec::new())
        };
        let cases = read_rows(response, &format!("cases{k}"), case);
        if let (Some(opportunities), Some(cases)) = (opportunities, cases) {
            related.insert(
                id.to_owned(),
                Related {
                    opportunities,
                    cases,
                },
            );
        }
    }
    Ok(Answer { records, related })
}

fn missing_subresponse(reference: &str) -> salesforce::Error {
    salesforce::Error::UnexpectedResponse {
        status: 200,
        endpoint: "composite".into(),
        detail: format!("no subresponse for `{reference}`"),
    }
}

/// The rows of one related query, or `None` (logged) when it failed.
fn read_rows<T>(
    response: &CompositeResponse,
    reference: &str,
    convert: fn(&Record) -> Option<T>,
) -> Option<Vec<T>> {
    let Some(sub) = response.get(reference) else {
        tracing::warn!(
            reference,
            "composite answer lacks a related-records subresponse"
        );
        return None;
    };
    match sub.body_as::<QueryPage<Record>>() {
        Ok(page) => Some(page.records.iter().filter_map(convert).collect()),
        Err(err) => {
            tracing::warn!(reference, error = %err, "related records could not be read");
            None
        }
    }
}

fn opportunity(record: &Record) -> Option<OpenOpportunity> {
    Some(OpenOpportunity {
        id: record.str_field("Id")?.to_owned(),
        name: record.str_field("Name").unwrap_or_default().to_owned(),
        stage: record.str_field("StageName").map(str::to_owned),
        amount: record.f64_field("Amount"),
        close_date: record.str_field("CloseDate").map(str::to_owned),
    })
}

fn case(record: &Record) -> Option<OpenCase> {
    Some(OpenCase {
        id: record.str_field("Id")?.to_owned(),
        number: record.str_field("CaseNumber").map(str::to_owned),
        subject: record.str_field("Subject").map(str::to_owned),
        status: record.str_field("Status").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_stay_unencoded_and_fit_the_cap() {
        let request = composite_request(
            salesforce::ApiVersion::DEFAULT,
            "FIND {\"x\"} RETURNING Contact(Id)",
        )
        .expect("builds");
        request
            .validate()
            .expect("within Salesforce's 25-subrequest cap, unique references");
        let contact_opps = &request.composite_request[2];
        assert_eq!(contact_opps.reference_id, "contactOpps0");
        assert!(
            contact_opps
                .url
                .contains("%27@{search.searchRecords[0].AccountId}%27"),
            "Salesforce only substitutes a raw @{{…}}: {}",
            contact_opps.url
        );
        let cases = &request.composite_request[request.composite_request.len() - 1];
        assert!(
            cases.url.contains("@{search.searchRecords[7].Id}"),
            "the last position's cases: {}",
            cases.url
        );
        assert!(
            !request
                .composite_request
                .iter()
                .any(|s| s.url.contains("RINGSIDEREF")),
            "no placeholder survives"
        );
    }
}
