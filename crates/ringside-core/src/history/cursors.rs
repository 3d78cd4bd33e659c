//! The history table's paging for a UI that holds only a number: each open view's cursor is
//! kept here by number, with the org it reads, so a "load more" after an org switch is
//! refused instead of mixing two orgs' calls.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::{History, HistoryCursor, HistoryError, HistoryFilter, HistoryPage, HistoryRow};

/// Rows per page of the table: a dozen screens of rows. The first page is one query of this
/// many rows, so a smaller page shows sooner; later pages come mostly from the 2,000-row
/// batch the second page fetched (no API call).
pub const TABLE_PAGE_SIZE: usize = 200;
/// Cursors kept at once (each view keeps its newest; older ones are dropped).
const CURSORS_KEPT: usize = 16;

/// One page of the table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct HistoryPageView {
    pub rows: Vec<HistoryRow>,
    /// Hand to the next-page call for the following rows; `None` at the end.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub cursor: Option<u64>,
    /// Calls Salesforce matched in all, once known: `None` after a full first page (it
    /// asked for one page only); known from the second page on.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total_in_salesforce: Option<u64>,
    /// Calls of this machine's queue that match (not delivered yet, or dead).
    pub local_undelivered: u32,
    /// Why queued calls are not shown, when the local queue cannot be read.
    pub queue_problem: Option<String>,
}

/// The cursors of the open views, by number. `Org` is whatever stands for the org in use
/// (compared by identity: the same `Arc`).
#[derive(Debug)]
pub struct HistoryCursors<Org> {
    next_id: AtomicU64,
    kept: Mutex<HashMap<u64, Kept<Org>>>,
}

impl<Org> Default for HistoryCursors<Org> {
    fn default() -> Self {
        HistoryCursors {
            next_id: AtomicU64::new(0),
            kept: Mutex::new(HashMap::new()),
        }
    }
}

#[derive(Debug)]
struct Kept<Org> {
    /// The org the cursor reads: a next page after a switch would mix two orgs.
    org: Arc<Org>,
    history: History,
    cursor: HistoryCursor,
}

impl<Org> HistoryCursors<Org> {
    /// The first [`TABLE_PAGE_SIZE`] rows for `filter`, newest call first (one API call);
    /// the cursor for the rest is kept under the page's number.
    pub async fn first_page(
        &self,
        org: Arc<Org>,
        history: History,
        filter: &HistoryFilter,
    ) -> Result<HistoryPageView, HistoryError> {
        let filter = HistoryFilter {
            page_size: Some(TABLE_PAGE_SIZE),
            ..filter.clone()
        };
        let page = history.first_page(&filter).await?;
        Ok(self.view(page, org, history))
    }

    /// The page after cursor number `id`, while `current` is still the org it reads. Each
    /// cursor is used once; on failure it stays, so the same call can be tried again.
    pub async fn next_page(
        &self,
        id: u64,
        current: &Arc<Org>,
    ) -> Result<HistoryPageView, HistoryError> {
        let kept = self.take(id).ok_or(HistoryError::CursorExpired)?;
        if !Arc::ptr_eq(&kept.org, current) {
            return Err(HistoryError::OrgChanged);
        }
        let page = match kept.history.next_page(kept.cursor.clone()).await {
            Ok(page) => page,
            Err(err) => {
                self.keep_as(id, kept);
                return Err(err);
            }
        };
        Ok(self.view(page, kept.org, kept.history))
    }

    fn view(&self, page: HistoryPage, org: Arc<Org>, history: History) -> HistoryPageView {
        let cursor = page.next.map(|cursor| {
            self.keep(Kept {
                org,
                history,
                cursor,
            })
        });
        HistoryPageView {
            rows: page.rows,
            cursor,
            total_in_salesforce: page.total_in_salesforce,
            local_undelivered: u32::try_from(page.local_undelivered).unwrap_or(u32::MAX),
            queue_problem: None,
        }
    }

    fn keep(&self, kept: Kept<Org>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut map = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(id, kept);
        // Ids grow, so the smallest are the oldest: drop those beyond what views still use.
        while map.len() > CURSORS_KEPT {
            let Some(oldest) = map.keys().min().copied() else {
                break;
            };
            map.remove(&oldest);
        }
        id
    }

    /// Puts a cursor back under its own number (after a failed page).
    fn keep_as(&self, id: u64, kept: Kept<Org>) {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, kept);
    }

    fn take(&self, id: u64) -> Option<Kept<Org>> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)
    }
}
