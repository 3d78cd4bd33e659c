//! The screen pop's single round trip: one `/composite` whose first subrequest
//! is the SOSL search and whose later subrequests read the open Opportunities
//! and Cases of the search's first record, through composite references
//! (`@{search.searchRecords[0].Id}`). A composite is one API call however many
//! subrequests it holds, so the pop still costs exactly one request.
//!
//! Salesforce allows at most 5 query subrequests in one composite (and 25 in
//! all): "Composite", request body,
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm>.
//! Over that, the whole composite is refused. So the pop asks for the related
//! records of one record only, the search's first: the search lists objects in
//! the admin's rank order, newest first (see `sosl`), so that record is the
//! match the pop shows first in all but rare cases (a false positive the
//! number check throws away, or a newer record that matched on a secondary
//! number). Any other match gets its related records on demand, when the
//! agent picks it ([`record_request`]).
//!
//! References address one result at a time, so the queries are written for
//! position 0, three of them: the open Opportunities of an Account there, those
//! of a Contact's Account there (`AccountId`, which a Lead or an Account does
//! not have: that subrequest then fails with an unresolved reference, which is
//! expected and ignored), and the open Cases of a Contact or Account there.
//!
//! The on-demand request, [`record_request`], is again one `/composite` (the
//! Contact's `AccountId` read and used through a reference, its Account's open
//! Opportunities, its open Cases), with the record id as an escaped SOQL literal.

use std::collections::HashMap;

use salesforce::escape::soql_literal;
use salesforce::{CompositeRequest, CompositeResponse, CompositeSubrequest, QueryPage, Record};

use super::model::{CallerObject, OpenCase, OpenOpportunity};

/// Reference id of the search subrequest.
const SEARCH_REF: &str = "search";
/// Reference ids of the pop's related-record queries.
const ACCOUNT_OPPORTUNITIES_REF: &str = "accountOpportunities";
const CONTACT_OPPORTUNITIES_REF: &str = "contactOpportunities";
const CASES_REF: &str = "cases";

/// Query subrequests in one pop: inside Salesforce's 5 per composite.
pub(super) const POP_QUERIES: usize = 3;

/// Related records listed per match; the record panel shows the rest.
const RELATED_LIMIT: u32 = 10;

/// A stand-in for a composite reference while the SOQL is percent-encoded: the
/// encoder would turn `@{…}` into `%40%7B…`, which Salesforce would not
/// substitute. Letters only, so it passes through encoding unchanged; the SOQL
/// here holds no caller input, so it cannot collide with anything.
const ID_PLACEHOLDER: &str = "RINGSIDEREFID";
const ACCOUNT_ID_PLACEHOLDER: &str = "RINGSIDEREFACCOUNTID";

/// Builds the composite: the search, then the open Opportunities of an Account
/// first in the results, those of a Contact's Account first in the results, and
/// the open Cases of a Contact or Account first in the results.
#[cfg(test)]
pub(super) fn composite_request(
    version: salesforce::ApiVersion,
    sosl: &str,
) -> Result<CompositeRequest, salesforce::Error> {
    composite_request_with(version, sosl, &related_subrequests(version)?)
}

/// [`composite_request`] with the related-record subrequests already built
/// ([`related_subrequests`]): only the search differs from one pop to the next.
pub(super) fn composite_request_with(
    version: salesforce::ApiVersion,
    sosl: &str,
    related: &[CompositeSubrequest],
) -> Result<CompositeRequest, salesforce::Error> {
    let mut request = CompositeRequest::new(false);
    request.push(CompositeSubrequest::search(version, SEARCH_REF, sosl)?);
    for sub in related {
        request.push(sub.clone());
    }
    Ok(request)
}

/// The related-record subrequests of every pop: they refer to the search's
/// first record, never to the caller, so they are the same for every pop of one
/// API version. Built once per [`super::CallerLookup`].
pub(super) fn related_subrequests(
    version: salesforce::ApiVersion,
) -> Result<Vec<CompositeSubrequest>, salesforce::Error> {
    let first_id = format!("@{{{SEARCH_REF}.searchRecords[0].Id}}");
    let first_account_id = format!("@{{{SEARCH_REF}.searchRecords[0].AccountId}}");
    let subs = [
        (
            ACCOUNT_OPPORTUNITIES_REF,
            opportunities_soql(&format!("'{ID_PLACEHOLDER}'")),
        ),
        (
            CONTACT_OPPORTUNITIES_REF,
            opportunities_soql(&format!("'{ACCOUNT_ID_PLACEHOLDER}'")),
        ),
        (CASES_REF, cases_soql(&format!("'{ID_PLACEHOLDER}'"))),
    ];
    let mut related = Vec::with_capacity(POP_QUERIES);
    for (reference, soql) in subs {
        let mut sub = CompositeSubrequest::query(version, reference, &soql)?;
        // Longest placeholder first: one is a prefix of the other's tail.
        sub.url = sub
            .url
            .replace(ACCOUNT_ID_PLACEHOLDER, &first_account_id)
            .replace(ID_PLACEHOLDER, &first_id);
        related.push(sub);
    }
    debug_assert_eq!(related.len(), POP_QUERIES);
    Ok(related)
}

/// Open Opportunities of the Account `account_id` (a SOQL literal, quotes included).
fn opportunities_soql(account_id: &str) -> String {
    format!(
        "SELECT Id, Name, StageName, Amount, CloseDate FROM Opportunity \
         WHERE IsClosed = false AND AccountId = {account_id} ORDER BY CloseDate LIMIT {RELATED_LIMIT}"
    )
}

/// Open Cases of the Contact or Account `id` (a SOQL literal, quotes included).
fn cases_soql(id: &str) -> String {
    format!(
        "SELECT Id, CaseNumber, Subject, Status FROM Case WHERE IsClosed = false \
         AND (ContactId = {id} OR AccountId = {id}) \
         ORDER BY CreatedDate DESC LIMIT {RELATED_LIMIT}"
    )
}

/// References of the on-demand request.
const RECORD_CONTACT_REF: &str = "contact";
const RECORD_OPPORTUNITIES_REF: &str = "opportunities";
const RECORD_CASES_REF: &str = "cases";

/// The one request for one record's open Opportunities and Cases, or `None`
/// for a Lead (it has neither until converted, so there is nothing to ask).
/// `id` must already be a checked record id; it is still escaped as a literal.
pub(super) fn record_request(
    version: salesforce::ApiVersion,
    object: CallerObject,
    id: &str,
) -> Result<Option<CompositeRequest>, salesforce::Error> {
    let id_literal = soql_literal(id);
    let mut request = CompositeRequest::new(false);
    match object {
        CallerObject::Lead => return Ok(None),
        CallerObject::Account => {
            request.push(CompositeSubrequest::query(
                version,
                RECORD_OPPORTUNITIES_REF,
                &opportunities_soql(&id_literal),
            )?);
        }
        CallerObject::Contact => {
            // A Contact's Opportunities are its Account's; the pop's match does not
            // carry the AccountId, so read it in the same composite and refer to it.
            request.push(CompositeSubrequest::query(
                version,
                RECORD_CONTACT_REF,
                &format!("SELECT Id, AccountId FROM Contact WHERE Id = {id_literal}"),
            )?);
            let mut sub = CompositeSubrequest::query(
                version,
                RECORD_OPPORTUNITIES_REF,
                &opportunities_soql(&format!("'{ACCOUNT_ID_PLACEHOLDER}'")),
            )?;
            sub.url = sub.url.replace(
                ACCOUNT_ID_PLACEHOLDER,
                &format!("@{{{RECORD_CONTACT_REF}.records[0].AccountId}}"),
            );
            request.push(sub);
        }
    }
    request.push(CompositeSubrequest::query(
        version,
        RECORD_CASES_REF,
        &cases_soql(&id_literal),
    )?);
    Ok(Some(request))
}

/// Why the on-demand answer has no related records.
#[derive(Debug)]
pub(super) enum RecordAnswerError {
    /// The record is gone (deleted, or not visible to this user).
    NotFound,
    Salesforce(salesforce::Error),
}

/// Reads [`record_request`]'s answer. Unlike the pop's, a failed query is an
/// error here: the agent asked for exactly these records.
pub(super) fn read_record_answer(
    object: CallerObject,
    response: &CompositeResponse,
) -> Result<Related, RecordAnswerError> {
    let rows = |reference: &str| -> Result<Vec<Record>, RecordAnswerError> {
        let sub = response
            .get(reference)
            .ok_or_else(|| RecordAnswerError::Salesforce(missing_subresponse(reference)))?;
        sub.body_as::<QueryPage<Record>>()
            .map(|page| page.records)
            .map_err(RecordAnswerError::Salesforce)
    };
    let has_account = match object {
        CallerObject::Lead => return Ok(Related::default()),
        CallerObject::Account => true,
        CallerObject::Contact => {
            let contact = rows(RECORD_CONTACT_REF)?;
            let contact = contact.first().ok_or(RecordAnswerError::NotFound)?;
            contact.str_field("AccountId").is_some()
        }
    };
    // A Contact without an Account has no Opportunities; its reference resolved
    // to nothing and that subrequest's failure means nothing.
    let opportunities = if has_account {
        rows(RECORD_OPPORTUNITIES_REF)?
            .iter()
            .filter_map(opportunity)
            .collect()
    } else {
        Vec::new()
    };
    let cases = rows(RECORD_CASES_REF)?.iter().filter_map(case).collect();
    Ok(Related {
        opportunities,
        cases,
    })
}

/// What the composite answered: the search's records and, by record id, the
/// related records of the first one (when they could be read).
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
/// query failing only leaves that record without related records (logged), to
/// be fetched on demand.
pub(super) fn read_answer(response: &CompositeResponse) -> Result<Answer, salesforce::Error> {
    let search = response
        .get(SEARCH_REF)
        .ok_or_else(|| missing_subresponse(SEARCH_REF))?;
    let records = search.body_as::<salesforce::SearchResult>()?.search_records;
    let mut related = HashMap::new();
    if let Some(first) = records.first()
        && let Some(id) = first.str_field("Id")
        && let Some(found) = first_record_related(response, first)
    {
        related.insert(id.to_owned(), found);
    }
    Ok(Answer { records, related })
}

/// The related records of the search's first record, `None` when they could not
/// be read.
fn first_record_related(response: &CompositeResponse, first: &Record) -> Option<Related> {
    let opportunities_ref = match first.sobject_type() {
        "Contact" => CONTACT_OPPORTUNITIES_REF,
        "Account" => ACCOUNT_OPPORTUNITIES_REF,
        // Leads have no Opportunities or Cases until they are converted.
        "Lead" => return Some(Related::default()),
        _ => return None,
    };
    // A Contact without an Account has no Account Opportunities; its reference
    // resolves to nothing and that subrequest's failure means nothing.
    let has_account = first.sobject_type() == "Account" || first.str_field("AccountId").is_some();
    let opportunities = if has_account {
        read_rows(response, opportunities_ref, opportunity)?
    } else {
        Vec::new()
    };
    let cases = read_rows(response, CASES_REF, case)?;
    Some(Related {
        opportunities,
        cases,
    })
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
    fn on_demand_request_escapes_the_id_and_refers_to_the_contacts_account() {
        let request = record_request(
            salesforce::ApiVersion::DEFAULT,
            CallerObject::Contact,
            "003Dm0000000003IAA",
        )
        .expect("builds")
        .expect("a Contact has related records");
        request.validate().expect("a valid composite");
        let refs: Vec<&str> = request
            .composite_request
            .iter()
            .map(|s| s.reference_id.as_str())
            .collect();
        assert_eq!(refs, ["contact", "opportunities", "cases"]);
        assert!(
            request.composite_request[1]
                .url
                .contains("%27@{contact.records[0].AccountId}%27"),
            "the Opportunities follow the Contact's Account: {}",
            request.composite_request[1].url
        );
        let hostile = record_request(
            salesforce::ApiVersion::DEFAULT,
            CallerObject::Account,
            "x' OR Name != '",
        )
        .expect("builds")
        .expect("an Account has related records");
        assert!(
            hostile.composite_request[0].url.contains("%5C%27"),
            "a quote in the id is escaped, never closes the literal: {}",
            hostile.composite_request[0].url
        );
        assert!(
            record_request(
                salesforce::ApiVersion::DEFAULT,
                CallerObject::Lead,
                "00QDm0000000009MAA"
            )
            .expect("builds")
            .is_none(),
            "nothing to ask for a Lead"
        );
    }

    #[test]
    fn prebuilt_related_subrequests_give_the_same_composite() {
        let version = salesforce::ApiVersion::DEFAULT;
        let related = related_subrequests(version).expect("builds");
        assert_eq!(
            related.len(),
            POP_QUERIES,
            "three queries, for the first record"
        );
        for sosl in [
            "FIND {\"+14155550123\"} IN PHONE FIELDS RETURNING Contact(Id)",
            "FIND {\"jane@example.com\"} IN EMAIL FIELDS RETURNING Lead(Id)",
        ] {
            let reused = composite_request_with(version, sosl, &related).expect("builds");
            let fresh = composite_request(version, sosl).expect("builds");
            assert_eq!(
                serde_json::to_value(&reused).expect("serialises"),
                serde_json::to_value(&fresh).expect("serialises"),
                "reusing the related subrequests sends exactly the same request"
            );
            assert!(
                reused.composite_request[0].url.contains("search?q="),
                "the search comes first, the related queries refer to it"
            );
        }
    }

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
        let queries = request
            .composite_request
            .iter()
            .filter(|s| s.url.contains("/query?") || s.url.contains("/queryAll?"))
            .count();
        assert!(
            queries <= 5,
            "Salesforce refuses a composite with more than 5 query subrequests; the pop has {queries}"
        );
        assert_eq!(
            request.composite_request.len(),
            1 + POP_QUERIES,
            "the search plus the first record's related queries"
        );
        let contact_opps = &request.composite_request[2];
        assert_eq!(contact_opps.reference_id, "contactOpportunities");
        assert!(
            contact_opps
                .url
                .contains("%27@{search.searchRecords[0].AccountId}%27"),
            "Salesforce only substitutes a raw @{{…}}: {}",
            contact_opps.url
        );
        let cases = &request.composite_request[3];
        assert!(
            cases.url.contains("@{search.searchRecords[0].Id}"),
            "the first record's cases: {}",
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
