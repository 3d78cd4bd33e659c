//! Call history for team leads and agents: who called whom, when, how long, with what
//! outcome; from Salesforce's call-log records (and their Tasks) merged with the calls
//! still in the local queue, plus the numbers the charts show and the CSV export.
//!
//! Module map:
//! - [`filter`]: [`HistoryFilter`] and its checks (dates, agent id, disposition).
//! - [`source`]: the object and field names, from the `[logging]` config.
//! - [`soql`]: the one query a page costs (names and Task in the same call).
//! - [`row`]: [`HistoryRow`], from a Salesforce record or a queued log.
//! - [`pages`]: [`History`]: first page, next page, all pages; the local-queue merge.
//! - [`stats`]: [`HistoryStats`] for the charts (per hour, per day, outcomes, agents).
//! - [`csv`]: RFC 4180 export, UTF-8 with BOM.
//! - [`query`]: [`HistoryQuery`], the filter as a person types it, checked into a filter.
//! - [`cursors`]: [`HistoryCursors`], the table's pages for a UI that holds only a number.
//! - [`charts`]: the charts' numbers over at most [`STATS_CAP`] calls.
//! - [`agent_day`]: the agent's own day, its missed calls and whether they were called back.
//! - [`export`]: the CSV export as a new file in the user's Downloads folder.
//!
//! What the signed-in user may see is what Salesforce's sharing returns: the query runs
//! as that user and nothing is filtered on this side beyond the [`HistoryFilter`].

pub mod agent_day;
pub mod charts;
pub mod csv;
pub mod cursors;
pub mod export;
pub mod filter;
pub mod pages;
pub mod query;
pub mod row;
pub mod soql;
pub mod source;
pub mod stats;

pub use agent_day::{AgentDay, MissedCall, TODAY_LIMIT, missed_calls};
pub use charts::{HistoryStatsView, STATS_CAP, check_offset, stats_zone};
pub use csv::{history_csv, write_history_csv};
pub use cursors::{HistoryCursors, HistoryPageView, TABLE_PAGE_SIZE};
pub use export::{ExportError, ExportedCsv};
pub use filter::{DateBound, HistoryFilter, MatchedObject};
pub use pages::{History, HistoryCursor, HistoryPage};
pub use query::HistoryQuery;
pub use row::{DeliveryState, HistoryRow, MatchedRecord, Owner};
pub use source::{DEFAULT_TASK_RELATIONSHIP, HistorySource};
pub use stats::{HistoryStats, StatsZone};

use crate::ipc_code::IpcCode;
use crate::outbox::OutboxError;

/// Why a history could not be read. Input errors are found before anything is sent.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "{0:?} is not a date: use YYYY-MM-DD (a whole UTC day) or YYYY-MM-DDTHH:MM:SS with Z or an offset such as +09:00"
    )]
    Date(String),
    #[error("the date range is empty: the start is not before the end")]
    EmptyRange,
    #[error("{0:?} is not a Salesforce user id (15 or 18 letters and digits starting with 005)")]
    Agent(String),
    #[error(
        "{0:?} is not a disposition: use up to 255 letters, digits, spaces and - _ / . , ( ) & + : # ! ? (no quotes or backslashes)"
    )]
    Disposition(String),
    #[error("{0:?} is not Contact, Lead or Account")]
    MatchedObject(String),
    #[error("{0:?} is neither inbound nor outbound")]
    Direction(String),
    #[error("the page size must be 1 to {max}, not {0}", max = filter::MAX_PAGE_SIZE)]
    PageSize(usize),
    #[error("the limit must be at least 1")]
    Limit,
    #[error("[logging] {key} = {value:?} is not a Salesforce API name")]
    Name { key: &'static str, value: String },
    #[error("Salesforce did not return the call history: {0}")]
    Salesforce(#[from] salesforce::Error),
    #[error("the local call-log queue could not be read: {0}")]
    Outbox(#[from] OutboxError),
    #[error("the time zone offset must be −720 to +840 minutes")]
    Offset(i32),
    #[error("this list is out of date (it was reloaded or left unused). Apply the filter again.")]
    CursorExpired,
    #[error("another org is in use now. Apply the filter again to see its calls.")]
    OrgChanged,
    #[error(transparent)]
    Export(#[from] ExportError),
}

impl HistoryError {
    /// The stable code a UI branches on: `invalid_input` (the filter: the user's to fix),
    /// `misconfigured`, `signed_out`, `salesforce_unreachable`, `salesforce_error`,
    /// `queue_unreadable`, `cursor_expired`, `org_changed`, `export_failed`.
    pub fn code(&self) -> IpcCode {
        match self {
            HistoryError::Date(_)
            | HistoryError::EmptyRange
            | HistoryError::Agent(_)
            | HistoryError::Disposition(_)
            | HistoryError::MatchedObject(_)
            | HistoryError::Direction(_)
            | HistoryError::PageSize(_)
            | HistoryError::Limit
            | HistoryError::Offset(_) => IpcCode::InvalidInput,
            HistoryError::Name { .. } => IpcCode::Misconfigured,
            HistoryError::Salesforce(e) => crate::org_error::code(e),
            HistoryError::Outbox(_) => IpcCode::QueueUnreadable,
            HistoryError::CursorExpired => IpcCode::CursorExpired,
            HistoryError::OrgChanged => IpcCode::OrgChanged,
            HistoryError::Export(_) => IpcCode::ExportFailed,
        }
    }
}
