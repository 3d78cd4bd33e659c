//! Reading the history page by page.
//!
//! - The first page is one small query (`LIMIT` the page size), so it costs one round
//!   trip and a few hundred rows however long the history is.
//! - The next page runs the full query once (one API call, a batch of up to 2000 rows)
//!   and skips the rows the first page already showed; later pages come from that batch,
//!   then from `nextRecordsUrl`, one call per batch. Calls logged after the first page
//!   do not slip in mid-list; the view shows them when it starts again.
//! - [`History::all`] runs the full query at once (export).
//! - A `nextRecordsUrl` can die before it is read (Salesforce answers 400
//!   INVALID_QUERY_LOCATOR: unused for 15 minutes, released when the user opened an 11th
//!   cursor, or 2 days old; see
//!   <https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm>).
//!   Then the page re-queries from the last row it fetched (the same filters, from that
//!   row's second on, in the same order) and skips what it already has, so the user sees no
//!   error and no row twice or missing; it costs that one query besides the refused request.
//!
//! Calls still in the local queue are merged in by start time and replace their
//! delivered twin (same call id), so each call appears once.

use std::collections::{HashSet, VecDeque};

use salesforce::{ErrorCode, QueryPage, Record};

use super::filter::{HistoryFilter, MAX_PAGE_SIZE};
use super::row::HistoryRow;
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
    /// Show only calls queued for this org (and untagged ones); `None`: every call.
    org: Option<String>,
}

/// One page of history, newest call first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    /// Ask [`History::next_page`] with this for the following rows; `None` at the end.
    pub next: Option<HistoryCursor>,
    /// Calls Salesforce matched in all, once known: `None` after a first page that
    /// filled up (it asked for one page only), known from the second page on.
    pub total_in_salesforce: Option<u64>,
    /// Calls in the local queue that match the filter (not delivered yet, or dead).
    pub local_undelivered: usize,
    /// API calls this page cost (0 when it came from rows already fetched).
    pub api_calls: u64,
}

/// Where a Salesforce row sits in the history's order (`started_at DESC NULLS LAST`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    started_at_ms: Option<i64>,
    call_log_id: Option<String>,
}

/// The last instant fetched so far (by the first page, or by every batch), and the rows
/// fetched at that instant.
#[derive(Debug, Clone)]
struct ResumeAfter {
    started_at_ms: Option<i64>,
    seen_at_that_instant: HashSet<String>,
}

impl ResumeAfter {
    /// Moves on to `p`, the next row in the history's order.
    fn advance(fetched: &mut Option<ResumeAfter>, p: &Position) {
        match fetched {
            Some(f) if f.started_at_ms == p.started_at_ms => {
                f.seen_at_that_instant.extend(p.call_log_id.clone());
            }
            _ => {
                *fetched = Some(ResumeAfter {
                    started_at_ms: p.started_at_ms,
                    seen_at_that_instant: p.call_log_id.iter().cloned().collect(),
                });
            }
        }
    }

    /// Whether the full query's row at `p` was already fetched (or is newer than the
    /// first page, i.e. logged since).
    fn covers(&self, p: &Position) -> bool {
        match (p.started_at_ms, self.started_at_ms) {
            (Some(a), Some(b)) if a != b => a > b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            _ => p
                .call_log_id
                .as_ref()
                .is_some_and(|id| self.seen_at_that_instant.contains(id)),
        }
    }
}

/// Where the next page starts. Opaque: hand it back to [`History::next_page`].
#[derive(Debug, Clone)]
pub struct HistoryCursor {
    filter: HistoryFilter,
    remote: VecDeque<HistoryRow>,
    next_records_url: Option<String>,
    /// Set after a first page that filled up: the full query has not run yet.
    resume: Option<ResumeAfter>,
    /// The last Salesforce row fetched (shown or buffered) and the rows at its instant:
    /// where a re-query starts when `next_records_url` has died.
    fetched: Option<ResumeAfter>,
    local: VecDeque<HistoryRow>,
    /// Rows still allowed by the filter's limit.
    remaining: Option<usize>,
    total_in_salesforce: Option<u64>,
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

    /// One org's history as the desktop and the CLI show it: `client`'s org under the
    /// `[logging]` names, with the calls of `outbox` (when the queue opened) queued for
    /// `org` (or untagged) merged in as `owner_id`'s, never another org's.
    pub fn for_org(
        client: salesforce::Client,
        logging: &crate::call_log::LoggingSettings,
        outbox: Option<&Outbox>,
        owner_id: Option<String>,
        org: &crate::outbox::OrgTag,
    ) -> History {
        let history = History::new(client, HistorySource::new(logging));
        match outbox {
            Some(outbox) => history.with_outbox(outbox.clone(), owner_id).only_org(org),
            None => history,
        }
    }

    /// Merges in the calls of `outbox` that are not delivered yet. `owner_id` is the
    /// signed-in user (the owner those calls will have), used by the agent filter; when
    /// unknown, an agent filter leaves local calls out.
    pub fn with_outbox(mut self, outbox: Outbox, owner_id: Option<String>) -> History {
        self.local = Some(LocalQueue {
            outbox,
            owner_id,
            org: None,
        });
        self
    }

    /// Shows only the queued calls tagged for `org` (its alias, or
    /// [`crate::outbox::DEMO_ORG_TAG`]) and untagged ones (they go to whichever org drains
    /// the queue), so another org's calls never appear in this org's history. Call after
    /// [`History::with_outbox`].
    pub fn only_org(mut self, org: impl Into<String>) -> History {
        if let Some(local) = self.local.as_mut() {
            local.org = Some(org.into());
        }
        self
    }

    /// The first page: one API call for at most the page size of rows. Refuses a bad
    /// filter before sending anything.
    pub async fn first_page(&self, filter: &HistoryFilter) -> Result<HistoryPage, HistoryError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::History, async move {
            let mut cursor = self.start(filter).await?;
            let page_limit = filter
                .limit
                .map_or(filter.page_size(), |l| l.min(filter.page_size()));
            let soql = soql::history_query(
                &self.source,
                &HistoryFilter {
                    limit: Some(page_limit),
                    ..filter.clone()
                },
            );
            let page: QueryPage<Record> = self.client.query(&soql).await?;
            let rows_fetched = page.records.len();
            let positions = cursor.take_salesforce_page(page, &self.source);
            if rows_fetched < page_limit || Some(page_limit) == filter.limit {
                // Everything there is (or everything the limit allows) is here.
                cursor.total_in_salesforce = Some(rows_fetched as u64);
            } else {
                let last = positions.last().map(|p| p.started_at_ms).unwrap_or(None);
                cursor.resume = Some(ResumeAfter {
                    started_at_ms: last,
                    seen_at_that_instant: positions
                        .into_iter()
                        .filter(|p| p.started_at_ms == last)
                        .filter_map(|p| p.call_log_id)
                        .collect(),
                });
            }
            self.fill(cursor, 1).await
        })
        .await
    }

    /// The page after `cursor`.
    pub async fn next_page(&self, cursor: HistoryCursor) -> Result<HistoryPage, HistoryError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::History, async move {
            self.fill(cursor, 0).await
        })
        .await
    }

    /// Every matching call (all pages), for export: the full query and its
    /// `nextRecordsUrl` batches, one API call per 2000 rows.
    pub async fn all(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>, HistoryError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::History, async move {
            let filter = HistoryFilter {
                page_size: Some(MAX_PAGE_SIZE),
                ..filter.clone()
            };
            let mut cursor = self.start(&filter).await?;
            let page: QueryPage<Record> = self
                .client
                .query(&soql::history_query(&self.source, &filter))
                .await?;
            cursor.total_in_salesforce = Some(page.total_size);
            cursor.take_salesforce_page(page, &self.source);
            let mut page = self.fill(cursor, 1).await?;
            let mut rows = std::mem::take(&mut page.rows);
            while let Some(cursor) = page.next.take() {
                page = self.next_page(cursor).await?;
                rows.append(&mut page.rows);
            }
            Ok(rows)
        })
        .await
    }

    /// Checks everything and reads the local queue; nothing is sent.
    async fn start(&self, filter: &HistoryFilter) -> Result<HistoryCursor, HistoryError> {
        filter.validate()?;
        self.source.validate()?;
        let local = self.local_rows(filter).await?;
        tracing::debug!(object = %self.source.logging.call_log.object, local = local.len(), "history query");
        Ok(HistoryCursor {
            filter: filter.clone(),
            remote: VecDeque::new(),
            next_records_url: None,
            resume: None,
            fetched: None,
            local_undelivered: local.len(),
            local: local.into(),
            remaining: filter.limit,
            total_in_salesforce: None,
        })
    }

    /// Takes rows from both sides, newest first, until the page is full.
    async fn fill(
        &self,
        mut cursor: HistoryCursor,
        mut api_calls: u64,
    ) -> Result<HistoryPage, HistoryError> {
        let page_size = cursor.filter.page_size();
        let want = cursor.remaining.map_or(page_size, |r| r.min(page_size));
        let mut rows = Vec::with_capacity(want);
        while rows.len() < want {
            // A loop: a batch can be all skipped rows, and a page is never left short
            // while Salesforce has more.
            while cursor.remote.is_empty()
                && (cursor.resume.is_some() || cursor.next_records_url.is_some())
            {
                if let Some(resume) = cursor.resume.take() {
                    // No LIMIT: calls logged since the first page would take places in it
                    // and then be skipped; `remaining` keeps the count instead.
                    let soql = soql::history_query(
                        &self.source,
                        &HistoryFilter {
                            limit: None,
                            ..cursor.filter.clone()
                        },
                    );
                    let page: QueryPage<Record> = self.client.query(&soql).await?;
                    api_calls += 1;
                    cursor.total_in_salesforce = Some(page.total_size);
                    cursor.take_salesforce_page_after(page, &self.source, &resume);
                } else if let Some(url) = cursor.next_records_url.take() {
                    api_calls += 1;
                    match self.client.query_more::<Record>(&url).await {
                        Ok(page) => {
                            cursor.take_salesforce_page(page, &self.source);
                        }
                        Err(e) if is_dead_locator(&e) => {
                            api_calls += self.requery_after_fetched(&mut cursor).await?;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            let local_first = match (cursor.local.front(), cursor.remote.front()) {
                // Ties go to Salesforce's row, so a queued twin (same call, same start)
                // is found and merged before it could be shown on its own.
                (Some(l), Some(r)) => l.started_at_ms > r.started_at_ms,
                // Salesforce may still hold older rows: wait for them before the queue's.
                (Some(_), None) => cursor.resume.is_none() && cursor.next_records_url.is_none(),
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
                || cursor.resume.is_some()
                || !cursor.local.is_empty());
        Ok(HistoryPage {
            rows,
            total_in_salesforce: cursor.total_in_salesforce,
            local_undelivered: cursor.local_undelivered,
            api_calls,
            next: more.then_some(cursor),
        })
    }

    /// Runs the history query again from the last row `cursor` fetched, after its
    /// `nextRecordsUrl` died: the same filters (no LIMIT: `remaining` keeps the count), from
    /// that row's second on, skipping the rows already fetched at its instant and any newer
    /// (see [`soql::history_query_from`]). Returns the API calls it made (one). The total
    /// stays the one the full query reported.
    async fn requery_after_fetched(&self, cursor: &mut HistoryCursor) -> Result<u64, HistoryError> {
        let filter = HistoryFilter {
            limit: None,
            ..cursor.filter.clone()
        };
        let fetched = cursor.fetched.clone();
        tracing::info!(
            object = %self.source.logging.call_log.object,
            "history: the query locator expired or was released; querying again from the last row fetched"
        );
        let soql = match &fetched {
            Some(after) => soql::history_query_from(&self.source, &filter, after.started_at_ms),
            // No row fetched yet (a locator never comes before its first batch): from the top.
            None => soql::history_query(&self.source, &filter),
        };
        let page: QueryPage<Record> = self.client.query(&soql).await?;
        match &fetched {
            Some(after) => cursor.take_salesforce_page_after(page, &self.source, after),
            None => {
                cursor.take_salesforce_page(page, &self.source);
            }
        }
        Ok(1)
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
            // An item holding only a call's actions is no call of its own.
            .filter(|item| item.actions_of.is_none())
            .filter(|item| match (&local.org, &item.org) {
                (Some(wanted), Some(tag)) => wanted == tag,
                _ => true,
            })
            .map(|item| HistoryRow::from_outbox(item, local.owner_id.as_deref()))
            .filter(|row| passes(row, filter))
            .collect();
        rows.sort_by(|a, b| {
            b.started_at_ms
                .cmp(&a.started_at_ms)
                .then_with(|| b.call_id.cmp(&a.call_id))
        });
        Ok(rows)
    }
}

impl HistoryCursor {
    /// Buffers a batch of Salesforce rows; returns their positions.
    fn take_salesforce_page(
        &mut self,
        page: QueryPage<Record>,
        source: &HistorySource,
    ) -> Vec<Position> {
        let started_at = &source.logging.call_log.started_at;
        let mut positions = Vec::with_capacity(page.records.len());
        for record in &page.records {
            let position = Position {
                started_at_ms: record
                    .str_field(started_at)
                    .and_then(crate::time::parse_datetime),
                call_log_id: record.id().map(str::to_owned),
            };
            ResumeAfter::advance(&mut self.fetched, &position);
            positions.push(position);
            self.remote
                .push_back(HistoryRow::from_record(record, source));
        }
        self.next_records_url = if page.done {
            None
        } else {
            page.next_records_url
        };
        positions
    }

    /// Like [`HistoryCursor::take_salesforce_page`], leaving out the rows the first page
    /// already showed (and any logged since).
    fn take_salesforce_page_after(
        &mut self,
        page: QueryPage<Record>,
        source: &HistorySource,
        resume: &ResumeAfter,
    ) {
        let started_at = &source.logging.call_log.started_at;
        for record in &page.records {
            let position = Position {
                started_at_ms: record
                    .str_field(started_at)
                    .and_then(crate::time::parse_datetime),
                call_log_id: record.id().map(str::to_owned),
            };
            // Rows in the history's order: the last one (skipped or not) is where a
            // re-query would start.
            ResumeAfter::advance(&mut self.fetched, &position);
            if !resume.covers(&position) {
                self.remote
                    .push_back(HistoryRow::from_record(record, source));
            }
        }
        self.next_records_url = if page.done {
            None
        } else {
            page.next_records_url
        };
    }
}

/// Whether `e` is Salesforce refusing a `nextRecordsUrl` it no longer has.
fn is_dead_locator(e: &salesforce::Error) -> bool {
    e.api_errors()
        .iter()
        .any(|a| a.error_code == ErrorCode::InvalidQueryLocator)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_fetched_instant_keeps_every_row_fetched_at_it() {
        let at = |ms: Option<i64>, id: &str| Position {
            started_at_ms: ms,
            call_log_id: Some(id.to_owned()),
        };
        let mut fetched = None;
        for p in [
            at(Some(3000), "a01A"),
            at(Some(2000), "a01C"),
            at(Some(2000), "a01B"),
        ] {
            ResumeAfter::advance(&mut fetched, &p);
        }
        let f = fetched.clone().expect("rows were fetched");
        assert_eq!(f.started_at_ms, Some(2000), "the last row's instant");
        assert_eq!(
            f.seen_at_that_instant,
            ["a01B".to_owned(), "a01C".to_owned()].into(),
            "both ties fetched at it, so a re-query skips them both"
        );
        assert!(
            f.covers(&at(Some(2999), "a01Z")) && !f.covers(&at(Some(1999), "a01Y")),
            "a re-query from the second of 2000 ms skips newer rows, keeps older ones"
        );
        ResumeAfter::advance(&mut fetched, &at(None, "a01D"));
        assert_eq!(
            fetched.map(|f| f.started_at_ms),
            Some(None),
            "rows with no start come last and start their own run"
        );
    }

    #[test]
    fn resuming_skips_exactly_what_the_first_page_fetched() {
        let resume = ResumeAfter {
            started_at_ms: Some(1000),
            seen_at_that_instant: ["a01A".to_owned()].into(),
        };
        let at = |ms: Option<i64>, id: &str| Position {
            started_at_ms: ms,
            call_log_id: Some(id.to_owned()),
        };
        assert!(
            resume.covers(&at(Some(2000), "a01N")),
            "newer: shown (or logged since)"
        );
        assert!(
            resume.covers(&at(Some(1000), "a01A")),
            "same instant, fetched"
        );
        assert!(
            !resume.covers(&at(Some(1000), "a01B")),
            "same instant, not fetched yet"
        );
        assert!(!resume.covers(&at(Some(999), "a01C")), "older");
        assert!(
            !resume.covers(&at(None, "a01D")),
            "no start time sorts last"
        );
        let after_nulls = ResumeAfter {
            started_at_ms: None,
            seen_at_that_instant: ["a01D".to_owned()].into(),
        };
        assert!(
            after_nulls.covers(&at(Some(5), "a01E")),
            "every dated row came first"
        );
        assert!(after_nulls.covers(&at(None, "a01D")));
        assert!(!after_nulls.covers(&at(None, "a01F")));
    }
}
