//! What a lookup returns: the types the CLI prints as JSON and the UI renders.
//! The desktop UI's TypeScript types are generated from these (feature `ts`).

use serde::Serialize;

/// Whether the agent searched by phone number or by email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    Phone,
    Email,
}

// `CallerObject` is defined beside the lookup settings (their object priority ranks it),
// so `settings` needs nothing from `lookup`; it is still named `lookup::CallerObject`.
pub use crate::settings::CallerObject;

/// One record that matches the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallerMatch {
    pub object: CallerObject,
    /// The Salesforce record id.
    pub id: String,
    pub name: String,
    /// The Account name for a Contact, the Company for a Lead, the name for an Account.
    pub company: Option<String>,
    pub title: Option<String>,
    /// The stored phone value that matched (as typed in Salesforce), or the main phone.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The field the caller's number or email was found in, e.g. `MobilePhone`.
    pub matched_field: String,
    /// The record owner's name (`Owner.Name`, a user or a queue), read in the same search.
    pub owner: Option<String>,
    /// `LastModifiedDate` as Salesforce sent it; used to rank ties.
    pub last_modified: Option<String>,
    /// Open Opportunities: the Account's for an Account or a Contact (through its
    /// Account), none for a Lead. Fetched in the same request as the search.
    pub open_opportunities: Vec<OpenOpportunity>,
    /// Open Cases: the Contact's own for a Contact, the Account's for an Account.
    pub open_cases: Vec<OpenCase>,
    /// Whether `open_opportunities` / `open_cases` are known. False when the
    /// record was beyond the matches Ringside fetches related records for, when
    /// fetching them failed, or for a record matched locally before Salesforce's
    /// search index had it: the UI then says "open the record for details"
    /// instead of "no open cases".
    pub related_loaded: bool,
    /// Where the match came from: Salesforce's search, or Ringside's memory of a
    /// record it created moments ago (not yet searchable in Salesforce).
    pub source: MatchSource,
}

/// Where a match came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MatchSource {
    /// Salesforce's search answered with it.
    Search,
    /// Ringside created it recently; Salesforce's search index may not have it yet.
    RecentlyCreated,
}

/// An open Opportunity of a matched record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OpenOpportunity {
    pub id: String,
    pub name: String,
    pub stage: Option<String>,
    pub amount: Option<f64>,
    /// `CloseDate` as Salesforce sent it (`YYYY-MM-DD`).
    pub close_date: Option<String>,
}

/// An open Case of a matched record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OpenCase {
    pub id: String,
    /// `CaseNumber`, e.g. `00001026`.
    pub number: Option<String>,
    pub subject: Option<String>,
    pub status: Option<String>,
}

/// One record's open Opportunities and Cases, fetched when the agent picks a
/// match whose related records did not come with the pop
/// ([`crate::CallerLookup::related_for`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RelatedRecords {
    pub open_opportunities: Vec<OpenOpportunity>,
    pub open_cases: Vec<OpenCase>,
}

impl CallerMatch {
    /// This match with `related` as its open Opportunities and Cases, now known.
    pub fn with_related(mut self, related: RelatedRecords) -> CallerMatch {
        self.open_opportunities = related.open_opportunities;
        self.open_cases = related.open_cases;
        self.related_loaded = true;
        self
    }
}

/// The answer to one lookup (DESIGN §6 JSON contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LookupResult {
    /// The input exactly as given.
    pub query: String,
    /// E.164 for phones (`+14155550123`), lower-case for emails.
    pub normalized: String,
    pub kind: QueryKind,
    /// Ranked best first.
    pub matches: Vec<CallerMatch>,
    /// Salesforce API requests this lookup sent (1 uncached, 0 from cache; counted, so a
    /// resend after a refreshed session shows as 2).
    pub api_calls: u32,
    /// Objects not searched because the signed-in user cannot read them (a profile
    /// without Lead access still pops Contacts and Accounts).
    pub left_out: Vec<CallerObject>,
    pub cached: bool,
    /// Served from a cached answer older than the usual 60 s because the org is near its
    /// daily API allocation (the governor paused optional requests): the pop says so.
    pub cached_while_paused: bool,
    // A lookup never takes 2^53 ms, so a JS number is exact; ts-rs would say bigint.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub elapsed_ms: u64,
}
