//! The API budget as the CLI and the desktop show and use it (issue 18): one place that
//! attaches the usage count to an org's client, and today's report with its handled calls
//! taken from the queue. Both front ends go through here, so what the desktop counts and
//! shows cannot drift from what `ringside org usage` counts and prints.
//!
//! It sits above [`crate::api_usage`] and [`crate::outbox`]: the queue labels its own requests
//! through `api_usage`, so the report's "handled calls" (delivered logs) are joined here.

use crate::ipc_code::IpcCode;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::api_usage::{
    ApiSettings, OptionalRequests, RequestKind, UsageRecorder, UsageReport, UsageReportError,
    UsageStore,
};
use crate::outbox::{OrgFilter, OrgTag, Outbox};

/// How long counted requests wait in memory before the flusher writes them: requests in a
/// burst (a pop and its related records) share one write.
pub const FLUSH_DELAY: Duration = Duration::from_millis(200);

/// Counts every request `client` (and its clones) sends, for `org_key` (an alias, or
/// [`crate::outbox::DEMO_ORG_TAG`]), into `home`'s usage file, flushed shortly after each
/// request. `None` when the file cannot be opened: counting never stops the app, so the
/// reason is logged and the client works uncounted.
pub async fn count_requests(
    home: &Path,
    client: &salesforce::Client,
    org_key: &str,
) -> Option<Arc<UsageRecorder>> {
    match UsageStore::open_in_home(home).await {
        Ok(store) => {
            let recorder = UsageRecorder::new(store, org_key);
            if !recorder.attach(client) {
                tracing::warn!(org = org_key, "this client is already counted elsewhere");
            }
            recorder.spawn_flusher(FLUSH_DELAY);
            Some(recorder)
        }
        Err(e) => {
            tracing::warn!(error = %e, "API usage is not counted in this run");
            None
        }
    }
}

/// Today's usage report for `recorder`'s org: the handled calls are the logs `outbox`
/// delivered today to the org `filter` names (none when there is no queue).
pub async fn report_today(
    recorder: &UsageRecorder,
    outbox: Option<&Outbox>,
    filter: &OrgFilter,
    now_ms: i64,
) -> Result<UsageReport, UsageReportError> {
    let handled_between = async |start, end| match outbox {
        Some(outbox) => outbox.delivered_between(filter, start, end).await,
        None => Ok(0),
    };
    UsageReport::today(recorder, now_ms, handled_between).await
}

/// Why today's budget cannot be shown. Both are `usage_unavailable` to a UI: the budget view
/// says the count is missing, whatever the cause.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// The usage file could not be opened when the org was linked ([`count_requests`]
    /// returned `None`), so nothing is counted in this run.
    #[error(
        "Ringside cannot open its API usage file (api-usage.db) in its home folder, so requests are not counted in this run; check that the folder is writable and restart Ringside"
    )]
    NotCounted,
    /// The usage file could not be read.
    #[error(transparent)]
    Report(#[from] UsageReportError),
}

impl BudgetError {
    /// The stable code a UI branches on.
    pub fn code(&self) -> IpcCode {
        IpcCode::UsageUnavailable
    }
}

/// Today's budget of the org tagged `tag`, as the desktop shows it: the report of
/// `recorder` (the org's count; `None` when it could not be opened), the logs `outbox`
/// delivered today to that org as handled calls, and the governor's decision under `api`
/// from `latest` (the org's client's newest `Sforce-Limit-Info`).
pub async fn budget_today(
    recorder: Option<&UsageRecorder>,
    outbox: Option<&Outbox>,
    tag: &OrgTag,
    api: ApiSettings,
    latest: Option<salesforce::LimitInfo>,
    now_ms: i64,
) -> Result<BudgetView, BudgetError> {
    let recorder = recorder.ok_or(BudgetError::NotCounted)?;
    // The same filter the org's queue worker sends with: its own logs (and, for a signed-in
    // org, untagged ones) are the calls it handled.
    let report = report_today(recorder, outbox, &tag.worker_filter(), now_ms).await?;
    Ok(BudgetView::new(&report, api, latest))
}

/// The desktop's view of the budget: the report in a shape the UI reads, plus what the
/// governor decides now (the banner and the paused optional requests follow it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetView {
    /// The org's latest reported usage; `None` when no answer has told it yet.
    pub org: Option<OrgFigures>,
    /// Ringside's requests today (all kinds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ringside_today: u64,
    /// Ringside's requests today per kind, in report order, zeros included.
    pub by_kind: Vec<KindCount>,
    /// Requests per handled call today; `None` before a call log is delivered today.
    pub per_call: Option<f64>,
    /// Call logs delivered today.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub handled_calls: u64,
    /// `[api] pause_optional_at`, the share from which optional requests stop.
    pub pause_at: f64,
    /// The governor's decision now.
    pub optional: OptionalRequests,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OrgFigures {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub used: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: RequestKind,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
}

impl BudgetView {
    /// The view of `report` under `api`. `latest` is the newest usage the org's client has
    /// seen in this process; the governor decides from it, else from the report's (another
    /// process — the CLI — may have seen it last).
    pub fn new(
        report: &UsageReport,
        api: ApiSettings,
        latest: Option<salesforce::LimitInfo>,
    ) -> BudgetView {
        let org = latest
            .map(|l| OrgFigures {
                used: l.used,
                max: l.max,
            })
            .or(report.org.map(|o| OrgFigures {
                used: o.used,
                max: o.max,
            }));
        let by_kind = RequestKind::ALL
            .into_iter()
            .map(|kind| KindCount {
                kind,
                requests: report
                    .ringside
                    .by_kind
                    .get(kind.as_str())
                    .copied()
                    .unwrap_or(0),
            })
            .collect();
        BudgetView {
            optional: api.optional_requests(org.map(|o| salesforce::LimitInfo {
                used: o.used,
                max: o.max,
            })),
            org,
            ringside_today: report.ringside.today,
            by_kind,
            per_call: report.per_call,
            handled_calls: report.handled_calls,
            pause_at: api.pause_optional_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_usage::{SeenLimit, StoredUsage};

    #[test]
    fn the_clients_latest_usage_wins_and_the_governor_decides_from_it() {
        let mut stored = StoredUsage::default();
        stored.by_kind.insert(RequestKind::Pop, 4);
        stored.limit = Some(SeenLimit {
            limit: salesforce::LimitInfo { used: 10, max: 100 },
            seen_at_ms: 1,
        });
        let report = UsageReport::new(&stored, 2);
        let api = ApiSettings::default();
        let from_file = BudgetView::new(&report, api, None);
        assert_eq!(from_file.org, Some(OrgFigures { used: 10, max: 100 }));
        assert!(from_file.optional.allowed(), "10 % is below 90 %");
        assert_eq!(from_file.per_call, Some(2.0));
        assert_eq!(from_file.by_kind.len(), RequestKind::ALL.len());
        assert_eq!(from_file.by_kind[0].requests, 4, "pop first");
        let seen_now = BudgetView::new(
            &report,
            api,
            Some(salesforce::LimitInfo { used: 95, max: 100 }),
        );
        assert_eq!(seen_now.org, Some(OrgFigures { used: 95, max: 100 }));
        assert!(
            !seen_now.optional.allowed(),
            "95 % pauses optional requests"
        );
    }
}
