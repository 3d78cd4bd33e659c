//! Reading the history page by page: the first page is one API call; later pages come
//! from what that call already returned, then from `nextRecordsUrl`, one call per
//! Salesforce batch. Calls still in the local queue are merged in by start time and
//! replace their delivered twin (same call id), so each call appears once.

use std::collections::VecDeque;

use salesforce::{QueryPage, Record};

use super::filter::{HistoryFilter, MAX_PAGE_SIZE};
use super::row::{DeliveryState, HistoryRow};
use super::source::HistorySource;
use super::{HistoryError, soql};
use crate::outbox::{ItemState, Outbox};

/// Reads call history from one org, merged with the local queue when one is given.
#[derive(Debug, Clone)]
pub struct History {
    client: salesforce::Client,
    source: HistorySource,
    local: Option<LocalQueue>,
}

#[derive(Debug, Clone)]
struct LocalQueue {
    outbox: Outbox,
    owner_id: Option<String>,
}

/// One page of history, newest call first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// Ask [`History::next_page`] with this for the following rows; `None` at the end.
    pub next: Option<HistoryCursor>,
    /// Calls Salesforce matched in all (every page).
    pub total_in_salesforce: u64,
    /// Calls in the local queue that match the filter (not delivered yet, or dead).
    pub local_undelivered: usize,
    /// API calls this page cost (0 when it came from rows already fetched).
    pub api_calls: u64,
}

/// Where the next page starts. Opaque: hand it back to [`History::next_page`].
#[derive(Debug, Clone)]
pub struct HistoryCursor {
    remote: VecDeque<HistoryRow>,
    next_records_url: Option<String>,
    local: VecDeque<HistoryRow>,
    page_size: usize,
    /// Rows still allowed by the filter's limit.
    remaining: Option<usize>,
    total_in_salesforce: u64,
    local_undelivered: usize,
}

impl History {
    /// History from `client`'s org, under `source`'s names.
    pub fn new(client: salesforce::Client, source: HistorySource) -> History {
        History {
            client,
            source,
            local: None,
        }
    }

    /// Merges in the calls of `outbox` that are not delivered yet. `owner_id` is the
    /// signed-in user (the owner those calls will have), used by the agent filter; when
    /// unknown, an agent filter leaves local calls out.
    pub fn with_outbox(mut self, outbox: Outbox, owner_id: Option<String>) -> History {
        self.local = Some(LocalQueue { outbox, owner_id });
        self
    }

    /// The first page: one API call. Refuses a bad filter before sending anything.
    pub async fn first_page(&self, filter: &HistoryFilter) -> Result<HistoryPage, HistoryError> {
        filter.validate()?;
        self.source.validate()?;
        let local = self.local_rows(filter).await?;
        let soql = soql::history_query(&self.source, filter);
        tracing::debug!(object = %self.source.logging.call_log.object, "history query");
        let page: QueryPage<Record> = self.client.query(&soql).await?;
        let mut cursor = HistoryCursor {
            remote: VecDeque::new(),
            next_records_url: None,
            local_undelivered: local.len(),
            local: local.into(),
            page_size: filter.page_size(),
            remaining: filter.limit,
            total_in_salesforce: page.total_size,
        };
        cursor.take_salesforce_page(page, &self.source);
        self.fill(cursor, 1).await
    }

    /// The page after `cursor`.
    pub async fn next_page(&self, cursor: HistoryCursor) -> Result<HistoryPage, HistoryError> {
        self.fill(cursor, 0).await
    }

    /// Every matching call (all pages), for export.
    pub async fn all(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>, HistoryError> {
        let mut filter = filter.clone();
        filter.page_size = Some(MAX_PAGE_SIZE);
        let mut page = self.first_page(&filter).await?;
        let mut rows = std::mem::take(&mut page.rows);
        while let Some(cursor) = page.next.take() {
            page = self.next_page(cursor).await?;
            rows.append(&mut page.rows);
        }
        Ok(rows)
    }

    /// Takes rows from both sides, newest first, until the page is full.
    async fn fill(
        &self,
        mut cursor: HistoryCursor,
        mut api_calls: u64,
    ) -> Result<HistoryPage, HistoryError> {
        let want = cursor
            .remaining
            .map_or(cursor.page_size, |r| r.min(cursor.page_size));
        let mut rows = Vec::with_capacity(want);
        while rows.len() < want {
            if cursor.remote.is_empty()
                && let Some(url) = cursor.next_records_url.take()
            {
                let page: QueryPage<Record> = self.client.query_more(&url).await?;
                api_calls += 1;
                cursor.take_salesforce_page(page, &self.source);
            }
            let local_first = match (cursor.local.front(), cursor.remote.front()) {
                // Ties go to Salesforce's row, so a queued twin (same call, same start)
                // is found and merged before it could be shown on its own.
                (Some(l), Some(r)) => l.started_at_ms > r.started_at_ms,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let row = if local_first {
                cursor.local.pop_front()
            } else {
                cursor.remote.pop_front().map(|remote| {
                    match cursor
                        .local
                        .iter()
                        .position(|l| l.call_id == remote.call_id)
                    {
                        Some(at) => match cursor.local.remove(at) {
                            Some(local) => remote.overlaid_with(local),
                            None => remote,
                        },
                        None => remote,
                    }
                })
            };
            rows.extend(row);
        }
        if let Some(r) = cursor.remaining.as_mut() {
            *r -= rows.len();
        }
        let more = cursor.remaining != Some(0)
            && (!cursor.remote.is_empty()
                || cursor.next_records_url.is_some()
                || !cursor.local.is_empty());
        Ok(HistoryPage {
            rows,
            total_in_salesforce: cursor.total_in_salesforce,
            local_undelivered: cursor.local_undelivered,
            api_calls,
            next: more.then_some(cursor),
        })
    }

    /// The queue's undelivered calls that pass `filter`, newest first.
    async fn local_rows(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>, HistoryError> {
        let Some(local) = &self.local else {
            return Ok(Vec::new());
        };
        let items = local.outbox.list().await?;
        let mut rows: Vec<HistoryRow> = items
            .iter()
            .filter(|item| item.state != ItemState::Delivered)
            .map(|item| HistoryRow::from_outbox(item, local.owner_id.as_deref()))
            .filter(|row| passes(row, filter))
            .collect();
        rows.sort_by(|a, b| {
            b.started_at_ms
                .cmp(&a.started_at_ms)
                .then_with(|| b.call_id.cmp(&a.call_id))
        });
        debug_assert!(rows.iter().all(|r| r.delivery != DeliveryState::Delivered));
        Ok(rows)
    }
}

impl HistoryCursor {
    fn take_salesforce_page(&mut self, page: QueryPage<Record>, source: &HistorySource) {
        self.remote.extend(
            page.records
                .iter()
                .map(|record| HistoryRow::from_record(record, source)),
        );
        self.next_records_url = if page.done {
            None
        } else {
            page.next_records_url
        };
    }
}

/// The filter applied to a local row, meaning what the SOQL means.
fn passes(row: &HistoryRow, filter: &HistoryFilter) -> bool {
    let same_id = |a: &str, b: &str| a.get(..15).is_some() && a.get(..15) == b.get(..15);
    filter.since_ms().is_none_or(|s| row.started_at_ms >= s)
        && filter.until_ms().is_none_or(|u| row.started_at_ms < u)
        && filter.agent.as_deref().is_none_or(|agent| {
            row.owner
                .as_ref()
                .is_some_and(|owner| same_id(&owner.id, agent))
        })
        && filter.direction.is_none_or(|d| row.direction == Some(d))
        && filter.disposition.as_deref().is_none_or(|wanted| {
            row.disposition
                .as_deref()
                .is_some_and(|d| d.to_lowercase() == wanted.to_lowercase())
        })
        && filter
            .matched_object
            .is_none_or(|object| row.matched.as_ref().is_some_and(|m| m.object == object))
}
