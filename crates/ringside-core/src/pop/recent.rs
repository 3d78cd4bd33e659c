//! Records Ringside itself created, remembered for a while: Salesforce's
//! search index may not have a new record for minutes (DESIGN §3, index lag),
//! and a caller who rings back right after the agent created their Lead must
//! not get a "Create Lead" prompt again.

use std::time::Duration;

use crate::lookup::{CallerMatch, CallerObject, MatchSource};
use crate::phone::{CallerQuery, Region};

/// Records remembered at most; the oldest go first.
const MAX_RECORDS: usize = 512;

/// A phone field of a created record and the value as it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhone {
    /// The API name, e.g. `Phone`, `MobilePhone`.
    pub field: String,
    pub value: String,
}

/// What Ringside saved when it created a Contact, Lead or Account.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedRecord {
    pub object: CallerObject,
    pub id: String,
    pub name: String,
    /// Account name for a Contact, Company for a Lead.
    pub company: Option<String>,
    pub title: Option<String>,
    pub phones: Vec<StoredPhone>,
    pub email: Option<String>,
    /// The owner's name, when known (the agent who created it, usually).
    pub owner: Option<String>,
}

#[derive(Debug)]
struct Remembered {
    created_at: Duration,
    record: CreatedRecord,
}

/// The remembered records, each for `window` after its creation.
#[derive(Debug)]
pub(super) struct RecentlyCreated {
    window: Duration,
    records: Vec<Remembered>,
}

impl RecentlyCreated {
    pub(super) fn new(window: Duration) -> Self {
        RecentlyCreated {
            window,
            records: Vec::new(),
        }
    }

    pub(super) fn remember(&mut self, record: CreatedRecord, now: Duration) {
        self.forget_expired(now);
        self.records.retain(|r| r.record.id != record.id);
        if self.records.len() >= MAX_RECORDS {
            self.records.remove(0);
        }
        self.records.push(Remembered {
            created_at: now,
            record,
        });
    }

    /// The remembered records whose stored number or email is the caller's.
    pub(super) fn matching(
        &mut self,
        query: &CallerQuery,
        region: Region,
        now: Duration,
    ) -> Vec<CallerMatch> {
        self.forget_expired(now);
        self.records
            .iter()
            .rev()
            .filter_map(|r| match_record(&r.record, query, region))
            .collect()
    }

    fn forget_expired(&mut self, now: Duration) {
        let window = self.window;
        self.records
            .retain(|r| now.saturating_sub(r.created_at) < window);
    }
}

fn match_record(
    record: &CreatedRecord,
    query: &CallerQuery,
    region: Region,
) -> Option<CallerMatch> {
    let (matched_field, phone) = match query {
        CallerQuery::Phone(phone) => {
            let stored = record
                .phones
                .iter()
                .find(|p| phone.matches_stored(&p.value, region))?;
            (stored.field.clone(), Some(stored.value.clone()))
        }
        CallerQuery::Email(email) => {
            let stored = record.email.as_deref()?;
            if stored.trim().to_lowercase() != *email {
                return None;
            }
            (
                "Email".to_owned(),
                record.phones.first().map(|p| p.value.clone()),
            )
        }
    };
    Some(CallerMatch {
        object: record.object,
        id: record.id.clone(),
        name: record.name.clone(),
        company: match record.object {
            CallerObject::Account => Some(record.name.clone()),
            _ => record.company.clone(),
        },
        title: record.title.clone(),
        phone,
        email: record.email.clone(),
        matched_field,
        owner: record.owner.clone(),
        last_modified: None,
        open_opportunities: Vec::new(),
        open_cases: Vec::new(),
        // A record created moments ago has nothing related that Ringside knows of.
        related_loaded: false,
        source: MatchSource::RecentlyCreated,
    })
}
