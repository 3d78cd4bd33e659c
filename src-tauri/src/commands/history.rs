//! The history view's commands: pages of the call history for a filter (the cursor stays
//! here, the UI holds only its number), the chart numbers ([`HistoryStats`] over up to
//! [`STATS_CAP`] calls), the CSV export into the user's Downloads folder, the agent's own
//! day with its missed calls, and the one-click call back (baresip's `dial` over the
//! adapter's connection when `[pop] baresip` is configured, else `tel:` through the
//! system's opener). Reading, merging, stats and CSV are ringside-core's `history`; this module
//! parses the UI's filter, forwards, and maps errors to [`IpcError`].
//! Granted to the main window by `capabilities/history.json`.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ringside_core::call_log::Direction;
use ringside_core::events::baresip::BaresipCommandError;
use ringside_core::history::{
    DateBound, History, HistoryCursor, HistoryError, HistoryFilter, HistoryRow, HistorySource,
    HistoryStats, MatchedObject, StatsZone, write_history_csv,
};
use ringside_core::orgs::OrgRegistry;
use ringside_core::time::iso_date;
use serde::{Deserialize, Serialize};
use tauri::{Manager as _, State};

use crate::error::IpcError;
use crate::intake::BaresipDial;
use crate::org::{self, ActiveOrg, OrgLink};
use crate::outbox_runner::{CallLogQueue, org_tag};

/// The most calls the charts are computed over (the newest ones): at 2,000 rows per
/// Salesforce batch that is 10 API calls, a few seconds on a slow link. The view says
/// when a filter matches more.
pub const STATS_CAP: usize = 20_000;
/// Rows per page of the table: a dozen screens of rows. The first page is one query of this
/// many rows, so a smaller page shows sooner; later pages come mostly from the 2,000-row
/// batch the second page fetched (no API call).
pub const TABLE_PAGE_SIZE: usize = 200;
/// The most calls the agent's own day lists.
const TODAY_LIMIT: usize = 1_000;
/// Cursors kept at once (each view keeps its newest; older ones are dropped).
const CURSORS_KEPT: usize = 16;

/// The filter as the history view's form sends it. Every field is optional; dates are
/// `YYYY-MM-DD` (a whole UTC day) or an instant with its offset (the UI sends the user's
/// local midnight, e.g. `2026-11-01T00:00:00+09:00`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryQuery {
    pub since: Option<String>,
    /// Exclusive when an instant; a day includes all of itself.
    pub until: Option<String>,
    /// The agent's User id.
    pub agent: Option<String>,
    /// `inbound` or `outbound`.
    pub direction: Option<String>,
    pub disposition: Option<String>,
    /// `Contact`, `Lead` or `Account`.
    pub matched_object: Option<String>,
}

impl HistoryQuery {
    /// The checked core filter; blank fields mean "any".
    fn to_filter(&self) -> Result<HistoryFilter, HistoryError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let filter = HistoryFilter {
            since: given(&self.since)
                .map(|t| DateBound::parse(&t))
                .transpose()?,
            until: given(&self.until)
                .map(|t| DateBound::parse(&t))
                .transpose()?,
            agent: given(&self.agent),
            direction: given(&self.direction)
                .map(|d| Direction::parse(&d).map_err(|_| HistoryError::Direction(d)))
                .transpose()?,
            disposition: given(&self.disposition),
            matched_object: given(&self.matched_object)
                .map(|m| MatchedObject::parse(&m))
                .transpose()?,
            page_size: None,
            limit: None,
        };
        filter.validate()?;
        Ok(filter)
    }
}

/// One page of the table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPageView {
    pub rows: Vec<HistoryRow>,
    /// Hand to `history_next_page` for the following rows; `None` at the end.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub cursor: Option<u64>,
    /// Calls Salesforce matched in all, once known: `None` after a full first page (it
    /// asked for one page only); known from the second page on.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub total_in_salesforce: Option<u64>,
    /// Calls of this machine's queue that match (not delivered yet, or dead).
    pub local_undelivered: u32,
    /// Why queued calls are not shown, when the local queue cannot be read.
    pub queue_problem: Option<String>,
}

/// The charts' numbers for a filter.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct HistoryStatsView {
    pub stats: HistoryStats,
    /// True when the filter matches more than `cap` calls: the stats cover the newest `cap`.
    pub capped: bool,
    pub cap: u32,
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ExportedCsv {
    pub path: String,
    pub folder: String,
    pub rows: u32,
}

/// A missed call of the agent's day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct MissedCall {
    pub call: HistoryRow,
    /// The number to call back (the caller's), when the call has one.
    pub number: Option<String>,
    /// The agent called this number later the same day.
    pub called_back: bool,
}

/// The signed-in agent's calls since the start of their day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct AgentDay {
    /// The signed-in user (the owner of the calls listed).
    pub agent_id: String,
    /// Newest first.
    pub calls: Vec<HistoryRow>,
    /// Missed inbound calls, newest first.
    pub missed: Vec<MissedCall>,
    /// True when the day has more than the calls listed.
    pub limit_reached: bool,
}

/// How a call back was started.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CallBack {
    /// `baresip`: baresip accepted its `dial` command (over the adapter's ctrl_tcp
    /// connection). `tel`: the `tel:` link was handed to the system's opener (the softphone
    /// registered for `tel:` dials).
    pub via: String,
    /// The number as a link, e.g. `tel:+14155550123` (opened when `via` is `tel`).
    pub uri: String,
    /// Set when baresip is configured but `tel:` was used: why (it was not connected).
    pub fallback: Option<String>,
}

/// The cursors of the open views, by number (managed state).
#[derive(Debug, Default)]
pub struct HistoryCursors {
    next_id: AtomicU64,
    kept: Mutex<HashMap<u64, KeptCursor>>,
}

#[derive(Debug)]
struct KeptCursor {
    /// The org the cursor reads: a next page after a switch would mix two orgs.
    link: Arc<OrgLink>,
    history: History,
    cursor: HistoryCursor,
}

impl HistoryCursors {
    fn keep(&self, kept: KeptCursor) -> u64 {
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
    fn keep_as(&self, id: u64, kept: KeptCursor) {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, kept);
    }

    fn take(&self, id: u64) -> Option<KeptCursor> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)
    }
}

/// The first page for `query`, newest call first: one API call.
#[tauri::command]
pub async fn history_first_page(
    query: HistoryQuery,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    cursors: State<'_, HistoryCursors>,
) -> Result<HistoryPageView, IpcError> {
    let mut filter = query.to_filter().map_err(history_error)?;
    filter.page_size = Some(TABLE_PAGE_SIZE);
    let link = active.current();
    let history = history_for(&link, &queue);
    let page = history.first_page(&filter).await.map_err(history_error)?;
    let cursor = page.next.map(|cursor| {
        cursors.keep(KeptCursor {
            link,
            history,
            cursor,
        })
    });
    Ok(HistoryPageView {
        rows: page.rows,
        cursor,
        total_in_salesforce: page.total_in_salesforce,
        local_undelivered: u32::try_from(page.local_undelivered).unwrap_or(u32::MAX),
        queue_problem: queue.outbox().is_none().then(|| queue_problem(&queue)),
    })
}

/// The page after `cursor` (from `history_first_page` or an earlier `history_next_page`).
/// Each cursor is used once; on failure it stays, so the same call can be tried again.
#[tauri::command]
pub async fn history_next_page(
    cursor: u64,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
    cursors: State<'_, HistoryCursors>,
) -> Result<HistoryPageView, IpcError> {
    let kept = cursors.take(cursor).ok_or_else(|| IpcError {
        code: "cursor_expired".into(),
        message:
            "this list is out of date (it was reloaded or left unused). Apply the filter again."
                .into(),
    })?;
    if !Arc::ptr_eq(&kept.link, &active.current()) {
        return Err(IpcError {
            code: "org_changed".into(),
            message: "another org is in use now. Apply the filter again to see its calls.".into(),
        });
    }
    let page = match kept.history.next_page(kept.cursor.clone()).await {
        Ok(page) => page,
        Err(err) => {
            cursors.keep_as(cursor, kept);
            return Err(history_error(err));
        }
    };
    let KeptCursor { link, history, .. } = kept;
    let next = page.next.map(|cursor| {
        cursors.keep(KeptCursor {
            link,
            history,
            cursor,
        })
    });
    Ok(HistoryPageView {
        rows: page.rows,
        cursor: next,
        total_in_salesforce: page.total_in_salesforce,
        local_undelivered: u32::try_from(page.local_undelivered).unwrap_or(u32::MAX),
        queue_problem: queue.outbox().is_none().then(|| queue_problem(&queue)),
    })
}

/// The charts' numbers for `query`, with hours and days read in the user's IANA
/// `time_zone` (from the browser: right across daylight-saving changes), or at the fixed
/// `utc_offset_minutes` east of UTC when the zone is missing or unknown here, over at most
/// [`STATS_CAP`] calls (the newest).
#[tauri::command]
pub async fn history_stats(
    query: HistoryQuery,
    utc_offset_minutes: i32,
    time_zone: Option<String>,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<HistoryStatsView, IpcError> {
    let mut filter = query.to_filter().map_err(history_error)?;
    check_offset(utc_offset_minutes)?;
    // One more than the cap tells whether there were more.
    filter.limit = Some(STATS_CAP + 1);
    let history = history_for(&active.current(), &queue);
    let mut rows = history.all(&filter).await.map_err(history_error)?;
    let capped = rows.len() > STATS_CAP;
    rows.truncate(STATS_CAP);
    Ok(HistoryStatsView {
        stats: HistoryStats::in_zone(&rows, &stats_zone(time_zone.as_deref(), utc_offset_minutes)),
        capped,
        cap: STATS_CAP as u32,
    })
}

/// Writes every call matching `query` as CSV (RFC 4180, UTF-8 with BOM) to a new file
/// `ringside-history-<local date>.csv` in the user's Downloads folder (never overwriting:
/// ` (2)`, ` (3)`… when the name is taken).
#[tauri::command]
pub async fn export_history_csv(
    query: HistoryQuery,
    utc_offset_minutes: i32,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<ExportedCsv, IpcError> {
    let filter = query.to_filter().map_err(history_error)?;
    check_offset(utc_offset_minutes)?;
    let history = history_for(&active.current(), &queue);
    let rows = history.all(&filter).await.map_err(history_error)?;
    let folder = downloads_dir().ok_or_else(|| IpcError {
        code: "export_failed".into(),
        message: "no Downloads folder was found (HOME is not set).".into(),
    })?;
    let local_now = ringside_core::outbox::now_ms() + i64::from(utc_offset_minutes) * 60_000;
    let stem = format!("ringside-history-{}", iso_date(local_now));
    let count = rows.len();
    let written = tokio::task::spawn_blocking(move || write_new_csv(&folder, &stem, &rows))
        .await
        .map_err(|err| export_error(&format!("the export stopped: {err}")))?
        .map_err(|err| export_error(&err.to_string()))?;
    tracing::info!(rows = count, path = %written.display(), "history exported");
    Ok(ExportedCsv {
        folder: written
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        path: written.display().to_string(),
        rows: u32::try_from(count).unwrap_or(u32::MAX),
    })
}

/// The signed-in agent's calls since `since` (the start of their day, as an instant with
/// its offset), with the missed ones and whether each was called back.
#[tauri::command]
pub async fn agent_day(
    since: String,
    active: State<'_, ActiveOrg>,
    queue: State<'_, CallLogQueue>,
) -> Result<AgentDay, IpcError> {
    let link = active.current();
    let agent_id = signed_in_user(&link)?;
    let filter = HistoryQuery {
        since: Some(since),
        agent: Some(agent_id.clone()),
        ..HistoryQuery::default()
    }
    .to_filter()
    .map_err(history_error)?;
    let filter = HistoryFilter {
        limit: Some(TODAY_LIMIT + 1),
        ..filter
    };
    let history = history_for(&link, &queue);
    let mut calls = history.all(&filter).await.map_err(history_error)?;
    let limit_reached = calls.len() > TODAY_LIMIT;
    calls.truncate(TODAY_LIMIT);
    Ok(AgentDay {
        missed: missed_calls(&calls),
        agent_id,
        calls,
        limit_reached,
    })
}

/// Calls `number` back: checks it is a phone number, then, when baresip is configured,
/// sends baresip `dial <E.164>` over the adapter's connection; without baresip (or while
/// it is not connected: nothing was sent, so nothing can ring twice) hands `tel:<E.164>`
/// to the system's opener (`xdg-open`, or the program in `RINGSIDE_BROWSER`), which starts
/// the softphone registered for `tel:`. A dial baresip refused or did not answer is an
/// error (`baresip_failed`), not a second attempt through `tel:`.
#[tauri::command]
pub async fn call_back(number: String, app: tauri::AppHandle) -> Result<CallBack, IpcError> {
    let uri = tel_uri(&number)?;
    let e164 = uri.trim_start_matches("tel:").to_owned();
    // Not managed when the intake could not start: then there is no baresip either.
    let control = app
        .try_state::<BaresipDial>()
        .and_then(|dial| dial.0.clone());
    let fallback = match control {
        Some(control) => match control.dial(&e164).await {
            Ok(_) => {
                tracing::info!("call back started through baresip");
                return Ok(CallBack {
                    via: "baresip".into(),
                    uri,
                    fallback: None,
                });
            }
            Err(BaresipCommandError::NotConnected) => {
                Some(BaresipCommandError::NotConnected.to_string())
            }
            Err(err) => {
                return Err(IpcError {
                    code: "baresip_failed".into(),
                    message: err.to_string(),
                });
            }
        },
        None => None,
    };
    ringside_core::login::open_in_browser(&uri).map_err(|err| IpcError {
        code: "opener_failed".into(),
        message: format!("the phone link could not be opened: {err}"),
    })?;
    tracing::info!(
        baresip_not_connected = fallback.is_some(),
        "call back started through tel:"
    );
    Ok(CallBack {
        via: "tel".into(),
        uri,
        fallback,
    })
}

/// The zone the charts are read in: `time_zone` when this system knows it, else the offset.
fn stats_zone(time_zone: Option<&str>, utc_offset_minutes: i32) -> StatsZone {
    time_zone
        .and_then(|name| {
            let zone = StatsZone::named(name);
            if zone.is_none() {
                tracing::warn!(
                    time_zone = name,
                    "unknown time zone; the charts use the fixed UTC offset"
                );
            }
            zone
        })
        .unwrap_or(StatsZone::Offset(utc_offset_minutes))
}

/// Opens a call's recording in the browser: only `https://` and `http://` links.
#[tauri::command]
pub fn open_recording(url: String) -> Result<(), IpcError> {
    let parsed = tauri::Url::parse(url.trim()).map_err(|_| invalid("that is not a link"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(invalid("only web links (https://) are opened"));
    }
    ringside_core::login::open_in_browser(parsed.as_str()).map_err(|err| IpcError {
        code: "opener_failed".into(),
        message: format!("the recording could not be opened: {err}"),
    })
}

/// A history over `link`'s org with this machine's queue merged in (when it opened): only
/// the calls queued for this org (or untagged), never another org's.
fn history_for(link: &OrgLink, queue: &CallLogQueue) -> History {
    let history = History::new(
        link.client.clone(),
        HistorySource::new(&queue.config().logging),
    );
    match queue.outbox() {
        Some(outbox) => history
            .with_outbox(outbox.clone(), signed_in_user(link).ok())
            .only_org(org_tag(link)),
        None => history,
    }
}

/// The User id of the org in use: the demo user, or the signed-in org's from `orgs.toml`.
fn signed_in_user(link: &OrgLink) -> Result<String, IpcError> {
    if link.identity.demo {
        return Ok(demo_org::seed::DEMO_USER_ID.to_owned());
    }
    let unknown = |why: String| IpcError {
        code: "signed_out".into(),
        message: format!("the signed-in user is not known ({why}). Sign in again in Settings."),
    };
    let alias = link
        .identity
        .alias
        .as_deref()
        .ok_or_else(|| unknown("no org alias".into()))?;
    let registry = org::home()
        .map_err(|e| unknown(format!("{e:#}")))
        .and_then(|home| OrgRegistry::load(&home).map_err(|e| unknown(e.to_string())))?;
    registry
        .get(alias)
        .map(|record| record.user_id.clone())
        .ok_or_else(|| unknown(format!("{alias} is not in orgs.toml")))
}

/// Missed inbound calls, with whether the agent called the number later.
fn missed_calls(calls: &[HistoryRow]) -> Vec<MissedCall> {
    calls
        .iter()
        .filter(|row| is_missed(row))
        .map(|row| {
            let number = row.from.clone().filter(|n| !n.trim().is_empty());
            let called_back = number.as_deref().is_some_and(|number| {
                calls.iter().any(|later| {
                    later.direction == Some(Direction::Outbound)
                        && later.started_at_ms > row.started_at_ms
                        && later
                            .to
                            .as_deref()
                            .is_some_and(|to| same_number(to, number))
                })
            });
            MissedCall {
                call: row.clone(),
                number,
                called_back,
            }
        })
        .collect()
}

/// An inbound call nobody answered: the queue writes disposition `Missed` for those.
fn is_missed(row: &HistoryRow) -> bool {
    row.direction == Some(Direction::Inbound)
        && row
            .disposition
            .as_deref()
            .is_some_and(|d| d.trim().eq_ignore_ascii_case("missed"))
}

/// Two spellings of one number: the same digits, or one ending in the other's (a national
/// number and its international form) when that is at least 7 digits.
fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (
        ringside_core::phone::digits_only(a),
        ringside_core::phone::digits_only(b),
    );
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.ends_with(&short)
}

/// `tel:` and the E.164 form of `number` (in the OS locale's region when it has no `+`).
fn tel_uri(number: &str) -> Result<String, IpcError> {
    let region = ringside_core::LookupSettings::from_environment().default_region;
    let phone = ringside_core::phone::normalize_phone(number, region)
        .map_err(|_| invalid("that is not a phone number to call back"))?;
    Ok(format!("tel:{}", phone.e164()))
}

/// The user's Downloads folder: `XDG_DOWNLOAD_DIR` when set to an absolute path, else the
/// one named in `user-dirs.dirs` (what file managers show), else `~/Downloads`.
fn downloads_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DOWNLOAD_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some(dir);
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)?;
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".config"));
    let named = std::fs::read_to_string(config.join("user-dirs.dirs"))
        .ok()
        .and_then(|text| user_dirs_download(&text, &home));
    Some(named.unwrap_or_else(|| home.join("Downloads")))
}

/// `XDG_DOWNLOAD_DIR="$HOME/Descargas"` in a `user-dirs.dirs` file → the path.
fn user_dirs_download(text: &str, home: &Path) -> Option<PathBuf> {
    let value = text
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("XDG_DOWNLOAD_DIR="))?
        .trim()
        .trim_matches('"');
    let path = match value.strip_prefix("$HOME") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None => PathBuf::from(value),
    };
    // `$HOME/` alone means "no Downloads folder": the home itself is not one.
    (path.is_absolute() && path != home).then_some(path)
}

/// Writes `rows` to a new `<stem>.csv` (or `<stem> (2).csv`…) in `folder`, creating it.
fn write_new_csv(folder: &Path, stem: &str, rows: &[HistoryRow]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    for n in 1..=999 {
        let name = if n == 1 {
            format!("{stem}.csv")
        } else {
            format!("{stem} ({n}).csv")
        };
        let path = folder.join(name);
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        };
        let mut out = std::io::BufWriter::new(file);
        write_history_csv(rows, &mut out)?;
        out.flush()?;
        return Ok(path);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{stem}.csv and 998 numbered copies already exist"),
    ))
}

fn check_offset(minutes: i32) -> Result<(), IpcError> {
    // Real zones run from UTC−12 to UTC+14.
    if (-12 * 60..=14 * 60).contains(&minutes) {
        Ok(())
    } else {
        Err(invalid("the time zone offset must be −720 to +840 minutes"))
    }
}

fn queue_problem(queue: &CallLogQueue) -> String {
    queue
        .problem()
        .unwrap_or("the local call-log queue is not open")
        .to_owned()
}

fn invalid(message: &str) -> IpcError {
    IpcError {
        code: "invalid_input".into(),
        message: message.to_owned(),
    }
}

fn export_error(why: &str) -> IpcError {
    IpcError {
        code: "export_failed".into(),
        message: format!("the CSV file could not be written: {why}"),
    }
}

/// The UI branches on `invalid_input` (the filter), `signed_out`, `salesforce_unreachable`,
/// `salesforce_error` and `queue_unreadable`.
fn history_error(err: HistoryError) -> IpcError {
    let code = match &err {
        HistoryError::Date(_)
        | HistoryError::EmptyRange
        | HistoryError::Agent(_)
        | HistoryError::Disposition(_)
        | HistoryError::MatchedObject(_)
        | HistoryError::Direction(_)
        | HistoryError::PageSize(_)
        | HistoryError::Limit => "invalid_input",
        HistoryError::Name { .. } => "misconfigured",
        HistoryError::Salesforce(e) if e.needs_reauth() => "signed_out",
        HistoryError::Salesforce(salesforce::Error::Transport { .. }) => "salesforce_unreachable",
        HistoryError::Salesforce(_) => "salesforce_error",
        HistoryError::Outbox(_) => "queue_unreadable",
    };
    if code != "invalid_input" {
        tracing::warn!(code, "history read failed");
    }
    IpcError {
        code: code.into(),
        message: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(call_id: &str, at_ms: i64, direction: Direction, from: &str, to: &str) -> HistoryRow {
        HistoryRow {
            call_id: call_id.into(),
            started_at: String::new(),
            started_at_ms: at_ms,
            direction: Some(direction),
            from: Some(from.into()),
            to: Some(to.into()),
            duration_seconds: 0,
            disposition: None,
            subject: None,
            notes: None,
            summary: None,
            key_topics: Vec::new(),
            recording_url: None,
            matched: None,
            owner: None,
            delivery: ringside_core::history::DeliveryState::Delivered,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        }
    }

    #[test]
    fn the_form_becomes_a_checked_filter_with_blanks_meaning_any() {
        let query = HistoryQuery {
            since: Some("2026-11-01T00:00:00+09:00".into()),
            until: Some("  ".into()),
            agent: Some(String::new()),
            direction: Some("inbound".into()),
            disposition: Some("Left voicemail".into()),
            matched_object: Some("lead".into()),
        };
        let filter = query.to_filter().expect("a filled-in form is a filter");
        assert_eq!(
            filter.since_ms(),
            Some(1_793_458_800_000),
            "local midnight in Tokyo is 15:00 UTC the day before"
        );
        assert_eq!(filter.until, None, "a blank end date means no end");
        assert_eq!(filter.agent, None, "a blank agent means every agent");
        assert_eq!(filter.direction, Some(Direction::Inbound));
        assert_eq!(filter.matched_object, Some(MatchedObject::Lead));

        for bad in [
            HistoryQuery {
                direction: Some("sideways".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                agent: Some("Robert'); DROP".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                since: Some("yesterday".into()),
                ..HistoryQuery::default()
            },
        ] {
            let err = bad.to_filter().expect_err("a bad field is refused");
            assert_eq!(
                history_error(err).code,
                "invalid_input",
                "the UI shows a bad filter as the user's input to fix, for {bad:?}"
            );
        }
    }

    #[test]
    fn missed_calls_know_whether_they_were_called_back() {
        let mut missed = row(
            "m1",
            1_000,
            Direction::Inbound,
            "+1 415 555 0123",
            "+1 415 555 0100",
        );
        missed.disposition = Some("Missed".into());
        let mut other_missed = row("m2", 2_000, Direction::Inbound, "+81 3 1234 5678", "x");
        other_missed.disposition = Some("missed".into());
        let mut answered = row("a", 1_500, Direction::Inbound, "+1 212 555 0000", "x");
        answered.disposition = Some("Connected".into());
        let call_back = row("b", 3_000, Direction::Outbound, "x", "(415) 555-0123");
        let earlier_dial = row("c", 500, Direction::Outbound, "x", "03 1234 5678");
        let calls = [call_back, other_missed, answered, missed, earlier_dial];

        let found = missed_calls(&calls);

        let summary: Vec<(&str, bool)> = found
            .iter()
            .map(|m| (m.call.call_id.as_str(), m.called_back))
            .collect();
        assert_eq!(
            summary,
            [("m2", false), ("m1", true)],
            "only inbound Missed calls are listed; m1's number was dialled afterwards, m2's only before"
        );
        assert_eq!(found[1].number.as_deref(), Some("+1 415 555 0123"));
    }

    #[test]
    fn call_back_links_are_e164_and_refuse_what_is_no_number() {
        assert_eq!(
            tel_uri("+1 (415) 555-0123").expect("a number"),
            "tel:+14155550123"
        );
        assert_eq!(
            tel_uri("call me; rm -rf").expect_err("not a number").code,
            "invalid_input"
        );
    }

    #[test]
    fn recordings_open_only_as_web_links() {
        for bad in ["file:///etc/passwd", "javascript:alert(1)", "not a link"] {
            assert_eq!(
                open_recording(bad.into())
                    .expect_err("refused before anything is opened")
                    .code,
                "invalid_input",
                "{bad} must not reach the opener"
            );
        }
    }

    #[test]
    fn the_downloads_folder_follows_user_dirs() {
        let home = Path::new("/home/ayse");
        assert_eq!(
            user_dirs_download(
                "# comment\nXDG_DESKTOP_DIR=\"$HOME/Masaüstü\"\nXDG_DOWNLOAD_DIR=\"$HOME/İndirilenler\"\n",
                home
            ),
            Some(PathBuf::from("/home/ayse/İndirilenler"))
        );
        assert_eq!(
            user_dirs_download("XDG_DOWNLOAD_DIR=\"/data/dl\"", home),
            Some(PathBuf::from("/data/dl"))
        );
        assert_eq!(
            user_dirs_download("XDG_DOWNLOAD_DIR=\"$HOME/\"", home),
            None,
            "the home itself means the user has no Downloads folder"
        );
    }

    #[test]
    fn an_export_never_overwrites_and_starts_with_the_bom() {
        let dir = std::env::temp_dir().join(format!("ringside-export-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut named = row("c1", 0, Direction::Inbound, "+81 3 1234 5678", "x");
        named.notes = Some("折り返し電話を希望, \"至急\"".into());
        let first = write_new_csv(&dir, "ringside-history-2026-11-22", &[named.clone()])
            .expect("the folder is created and the file written");
        let second = write_new_csv(&dir, "ringside-history-2026-11-22", &[named])
            .expect("a second export gets its own name");
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("ringside-history-2026-11-22.csv")
        );
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("ringside-history-2026-11-22 (2).csv"),
            "the first export is kept"
        );
        let text = std::fs::read_to_string(&second).expect("readable");
        let records =
            ringside_core::history::csv::parse_rfc4180(&text).expect("RFC 4180 with a BOM");
        assert_eq!(records.len(), 2, "header and one call");
        assert!(
            records[1].contains(&"折り返し電話を希望, \"至急\"".to_owned()),
            "Japanese notes with a comma and quotes read back exactly"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
