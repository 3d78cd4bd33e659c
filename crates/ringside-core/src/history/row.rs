//! One call as the history shows it ([`HistoryRow`]), from either side: a call-log record
//! Salesforce returned (with its Task), or a log still in the local queue. Both become the
//! same row, so the table, the charts and the CSV never ask where a call came from.

use salesforce::Record;
use serde::Serialize;

use super::filter::MatchedObject;
use super::source::HistorySource;
use crate::call_log::Direction;
use crate::outbox::{ItemState, OutboxItem};
use crate::time::iso_datetime;

/// Whether a call has reached Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// In Salesforce (this row came from there).
    Delivered,
    /// In the local queue, waiting or being sent.
    Pending,
    /// In the local queue's dead letters: it failed for good until an admin replays it.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Delivered => "delivered",
            DeliveryState::Pending => "pending",
            DeliveryState::Dead => "dead",
        }
    }
}

/// The Contact, Lead or Account a call was with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MatchedRecord {
    pub object: MatchedObject,
    pub id: String,
    /// `None` for a call still in the local queue (the name lives in Salesforce).
    pub name: Option<String>,
}

/// The agent who owns the call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Owner {
    pub id: String,
    pub name: Option<String>,
}

/// One call in the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryRow {
    /// The softphone's call id (the call log's external id); the record id for a call log
    /// written without one.
    pub call_id: String,
    /// When the call started, `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
    pub started_at: String,
    /// The same instant in epoch milliseconds (for sorting and charts).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub started_at_ms: i64,
    /// `None` when Salesforce holds a direction other than Inbound/Outbound.
    #[cfg_attr(feature = "ts", ts(type = "\"inbound\" | \"outbound\" | null"))]
    pub direction: Option<Direction>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_seconds: i64,
    pub disposition: Option<String>,
    /// The Task's subject (the call log's subject field in "call log only" mode).
    pub subject: Option<String>,
    /// The agent's notes (the Task's `Description`; the call log's notes field in "call log
    /// only" mode).
    pub notes: Option<String>,
    pub summary: Option<String>,
    /// The call's key topics (the call log's `;`-separated key-topics field, split).
    pub key_topics: Vec<String>,
    /// The memo's values (the call log's `;`-joined memo field, split; empty when no memo
    /// field is configured).
    pub memo: Vec<String>,
    pub recording_url: Option<String>,
    pub matched: Option<MatchedRecord>,
    pub owner: Option<Owner>,
    pub delivery: DeliveryState,
    /// Why a pending call last failed, or why a dead one died (for the team lead).
    pub delivery_error: Option<String>,
    /// Pending because the org's daily API allowance is used up (REQUEST_LIMIT_EXCEEDED, an
    /// org-wide hold that spends no attempt): the view says so in words, since the team lead
    /// must not read it as this call's failure.
    pub held_for_allowance: bool,
    /// The call-log record in Salesforce.
    pub call_log_id: Option<String>,
    /// The Task in Salesforce.
    pub task_id: Option<String>,
}

impl HistoryRow {
    /// A row from a call-log record as [`super::soql::history_query`] selects it.
    pub(crate) fn from_record(record: &Record, source: &HistorySource) -> HistoryRow {
        let f = &source.logging.call_log;
        let text = |path: &str| record.str_field(path).map(str::to_owned);
        let call_log_id = record.id().map(str::to_owned);
        let started_at_ms = record
            .str_field(&f.started_at)
            .or_else(|| record.str_field("CreatedDate"))
            .and_then(crate::time::parse_datetime)
            .unwrap_or(0);
        // The subquery's first (newest) Task, read in place: a history page has thousands
        // of rows, and copying each nested result into records would double the work.
        let task = source
            .includes_tasks()
            .then(|| {
                let (_, children) = record
                    .fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&source.task_relationship))?;
                children.get("records")?.as_array()?.first()?.as_object()
            })
            .flatten();
        let task_text = |field: &str| {
            task.and_then(|t| t.get(field))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let matched = [
            (MatchedObject::Contact, &f.contact),
            (MatchedObject::Lead, &f.lead),
            (MatchedObject::Account, &f.account),
        ]
        .into_iter()
        .find_map(|(object, field)| {
            let id = record.str_field(field)?.to_owned();
            let name = text(&format!("{}.Name", relationship_name(field)));
            Some(MatchedRecord { object, id, name })
        });
        let owner = text("OwnerId").map(|id| Owner {
            id,
            name: text("Owner.Name"),
        });
        HistoryRow {
            call_id: text(&f.external_id)
                .filter(|s| !s.is_empty())
                .or_else(|| call_log_id.clone())
                .unwrap_or_default(),
            started_at: iso_datetime(started_at_ms),
            started_at_ms,
            direction: record
                .str_field(&f.direction)
                .and_then(|d| Direction::parse(d).ok()),
            from: text(&f.from_number),
            to: text(&f.to_number),
            duration_seconds: record.f64_field(&f.duration).unwrap_or(0.0).round() as i64,
            disposition: text(&f.disposition).or_else(|| task_text("CallDisposition")),
            subject: if source.includes_tasks() {
                task_text("Subject")
            } else {
                text(&f.subject)
            },
            notes: if source.includes_tasks() {
                task_text("Description")
            } else {
                text(&f.notes)
            },
            summary: text(&f.summary),
            key_topics: text(&f.key_topics)
                .map(|t| split_key_topics(&t))
                .unwrap_or_default(),
            memo: Some(&f.memo)
                .filter(|m| !m.is_empty())
                .and_then(|m| text(m))
                .map(|t| split_key_topics(&t))
                .unwrap_or_default(),
            recording_url: text(&f.recording_url),
            matched,
            owner,
            delivery: DeliveryState::Delivered,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id,
            task_id: task_text("Id"),
        }
    }

    /// A row from a queued (not yet delivered) log. `owner_id` is the signed-in user, who
    /// will own the records once they are written.
    pub(crate) fn from_outbox(item: &OutboxItem, owner_id: Option<&str>) -> HistoryRow {
        let log = &item.log;
        let matched = log.who_id.iter().chain(log.what_id.iter()).find_map(|id| {
            MatchedObject::of_id(id).map(|object| MatchedRecord {
                object,
                id: id.clone(),
                name: None,
            })
        });
        HistoryRow {
            call_id: log.call_id.clone(),
            started_at: iso_datetime(log.started_at_ms),
            started_at_ms: log.started_at_ms,
            direction: Some(log.direction),
            from: Some(log.from.clone()),
            to: Some(log.to.clone()),
            duration_seconds: log.duration_seconds,
            disposition: log.effective_disposition(),
            subject: Some(log.effective_subject()),
            notes: log.notes.clone(),
            summary: log.summary.clone(),
            key_topics: log.key_topics.clone(),
            memo: log.memo.clone(),
            recording_url: log.recording_url.clone(),
            matched,
            owner: owner_id.map(|id| Owner {
                id: id.to_owned(),
                name: None,
            }),
            delivery: if item.state == ItemState::Dead {
                DeliveryState::Dead
            } else {
                DeliveryState::Pending
            },
            delivery_error: item.last_error.clone(),
            held_for_allowance: item.state == ItemState::Pending
                && item.last_error_code.as_deref()
                    == Some(salesforce::ErrorCode::RequestLimitExceeded.as_str()),
            call_log_id: item.log_id.clone(),
            task_id: item.task_id.clone(),
        }
    }

    /// The queued version of a call Salesforce already has (an update not yet sent, or a
    /// send whose answer was lost): what the agent wrote last wins, Salesforce's ids and
    /// names stay, and the row says it is not delivered.
    pub(crate) fn overlaid_with(mut self, local: HistoryRow) -> HistoryRow {
        fn keep(old: &mut Option<String>, new: Option<String>) {
            if new.is_some() {
                *old = new;
            }
        }
        self.started_at = local.started_at;
        self.started_at_ms = local.started_at_ms;
        self.direction = local.direction.or(self.direction);
        keep(&mut self.from, local.from);
        keep(&mut self.to, local.to);
        self.duration_seconds = local.duration_seconds;
        keep(&mut self.disposition, local.disposition);
        keep(&mut self.subject, local.subject);
        keep(&mut self.notes, local.notes);
        keep(&mut self.summary, local.summary);
        if !local.key_topics.is_empty() {
            self.key_topics = local.key_topics;
        }
        if !local.memo.is_empty() {
            self.memo = local.memo;
        }
        keep(&mut self.recording_url, local.recording_url);
        if let Some(m) = local.matched
            && self.matched.as_ref().is_none_or(|old| old.id != m.id)
        {
            self.matched = Some(m);
        }
        self.delivery = local.delivery;
        self.delivery_error = local.delivery_error;
        self.held_for_allowance = local.held_for_allowance;
        self
    }
}

/// The relationship name of a custom lookup (`Contact__c` → `Contact__r`) or a standard
/// one (`AccountId` → `Account`).
pub(crate) fn relationship_name(field: &str) -> String {
    if let Some(stem) = field.strip_suffix("__c") {
        format!("{stem}__r")
    } else if let Some(stem) = field.strip_suffix("Id").filter(|s| !s.is_empty()) {
        stem.to_owned()
    } else {
        field.to_owned()
    }
}

/// The key topics (or memo values) a call log holds: `; `-joined as Ringside writes them (a
/// multi-select picklist joins with `;` alone), each trimmed, empty ones left out.
pub fn split_key_topics(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_topics_split_on_semicolons_with_or_without_a_space() {
        assert_eq!(
            split_key_topics("pricing; demo;renewal ;"),
            ["pricing", "demo", "renewal"]
        );
        assert!(split_key_topics(" ; ").is_empty());
    }

    #[test]
    fn relationship_names_follow_salesforce_conventions() {
        assert_eq!(relationship_name("Contact__c"), "Contact__r");
        assert_eq!(relationship_name("AccountId"), "Account");
        assert_eq!(relationship_name("ns__Lead__c"), "ns__Lead__r");
    }
}
