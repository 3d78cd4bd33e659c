//! The pop-up window: what it shows ([`PopUpdate`], sent as the typed Tauri event
//! [`POP_UPDATE_EVENT`](crate::ipc::POP_UPDATE_EVENT)), the latest update kept for a window that opens after it was sent
//! (and changed when the call ends or the agent creates a record for the caller), and opening
//! the small always-on-top window itself. The pop is computed in ringside-core.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ringside_core::events::{CallEvent, CallerId};
use ringside_core::pop::Pop;
use ringside_core::{CallerMatch, RelatedRecords};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

// The labels are generated from the IPC contract (ipc/contract.rs), which also names these
// windows in the capabilities that grant them their commands: one spelling of each.
use crate::ipc::{MAIN_LABEL, POPUP_LABEL};

/// What the pop-up shows for one call. `pop` is `null` while the search runs ("searching…").
/// Generated into `ui/src/bindings/PopUpdate.ts` by ts-rs (`export_bindings` tests).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct PopUpdate {
    pub call_id: String,
    /// The calling party as the softphone reported it (shown for a manual search).
    pub caller: CallerId,
    pub pop: Option<Pop>,
    /// Set once the call has ended: whether it was missed, and its talk time.
    pub ended: Option<CallEnded>,
}

/// How a call that is in the pop-up ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct CallEnded {
    /// Nobody answered (the caller hung up while it rang, or it timed out).
    pub missed: bool,
    /// Talk time in seconds, when the source knew it.
    // A call never lasts 2^53 s, so a JS number is exact; ts-rs would say bigint.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub duration_secs: Option<u64>,
}

impl CallEnded {
    /// Reads an `end` event: missed when the source says so, or when it gives no
    /// disposition and no talk time at all.
    pub fn of(event: &CallEvent) -> CallEnded {
        let missed = match event.disposition.as_deref() {
            Some(disposition) => disposition.eq_ignore_ascii_case("missed"),
            None => event.duration_secs == Some(0),
        };
        CallEnded {
            missed,
            duration_secs: event.duration_secs,
        }
    }
}

/// The latest update, so a pop-up that loads after the event was sent still shows it.
#[derive(Debug, Default)]
pub struct LatestPop(Mutex<Option<PopUpdate>>);

impl LatestPop {
    pub fn get(&self) -> Option<PopUpdate> {
        lock(&self.0).clone()
    }

    /// Starts showing a new call (its "searching…" state).
    pub fn begin(&self, update: PopUpdate) {
        *lock(&self.0) = Some(update);
    }

    /// Whether `call_id` is the call the pop-up is about.
    pub fn is_current(&self, call_id: &str) -> bool {
        lock(&self.0)
            .as_ref()
            .is_some_and(|shown| shown.call_id == call_id)
    }

    /// Stores a finished pop unless a newer call replaced it meanwhile; returns the update
    /// to send (keeping an end that arrived while the search ran).
    pub fn finish(&self, call_id: &str, pop: Pop) -> Option<PopUpdate> {
        self.change(call_id, |shown| shown.pop = Some(pop))
    }

    /// Marks the call as ended, if it is the one shown; returns the update to send.
    pub fn end(&self, call_id: &str, ended: CallEnded) -> Option<PopUpdate> {
        self.change(call_id, |shown| shown.ended = Some(ended))
    }

    /// Lists a record the agent just created for this call's caller first, if the call is
    /// still the one shown; returns the update to send.
    pub fn add_created(&self, call_id: &str, created: CallerMatch) -> Option<PopUpdate> {
        self.change(call_id, |shown| {
            if let Some(Pop::Searched { result }) = &mut shown.pop {
                result.matches.retain(|m| m.id != created.id);
                result.matches.insert(0, created);
            }
        })
    }

    /// Keeps the related records loaded on demand for `record_id` with the pop shown, so
    /// the record panel (Enter) and a re-opened pop-up have them without asking again.
    /// Returns whether a match of the pop on screen took them.
    pub fn add_related(&self, record_id: &str, related: &RelatedRecords) -> bool {
        let mut latest = lock(&self.0);
        let Some(Pop::Searched { result }) = latest.as_mut().and_then(|shown| shown.pop.as_mut())
        else {
            return false;
        };
        let mut taken = false;
        for found in result.matches.iter_mut().filter(|m| m.id == record_id) {
            *found = found.clone().with_related(related.clone());
            taken = true;
        }
        taken
    }

    fn change(&self, call_id: &str, change: impl FnOnce(&mut PopUpdate)) -> Option<PopUpdate> {
        let mut latest = lock(&self.0);
        let shown = latest.as_mut().filter(|shown| shown.call_id == call_id)?;
        change(shown);
        Some(shown.clone())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a complete value behind; keep using it.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends the update to the pop-up window (if it is open; otherwise it reads [`LatestPop`]).
pub fn send<R: Runtime>(app: &AppHandle<R>, update: &PopUpdate) {
    if let Err(err) = crate::ipc::emit_pop_update(app, update) {
        tracing::warn!(%err, "could not send the pop to its window");
    }
}

/// A record to show in a main window made for it (Enter in the pop-up while the main window
/// was closed), kept until that window's page asks.
#[derive(Debug, Default)]
pub struct RecordToShow(Mutex<Option<CallerMatch>>);

impl RecordToShow {
    pub fn keep(&self, record: CallerMatch) {
        *lock(&self.0) = Some(record);
    }

    pub fn take(&self) -> Option<CallerMatch> {
        lock(&self.0).take()
    }
}

/// The pop-up window's English title: the fallback when the UI's catalogs give none
/// (`ShellLabels::in_os_language` sets the first one; the UI sends the agent's choice).
pub const DEFAULT_POPUP_TITLE: &str = "Ringside: caller";

/// The pop-up's title in the UI's language (set by `set_shell_labels`).
#[derive(Debug)]
pub struct PopupTitle(Mutex<String>);

impl Default for PopupTitle {
    fn default() -> Self {
        PopupTitle(Mutex::new(DEFAULT_POPUP_TITLE.to_owned()))
    }
}

impl PopupTitle {
    pub fn new(title: String) -> PopupTitle {
        PopupTitle(Mutex::new(title))
    }

    pub fn get(&self) -> String {
        lock(&self.0).clone()
    }

    /// Stores the title and retitles an open pop-up.
    pub fn set<R: Runtime>(&self, app: &AppHandle<R>, title: String) {
        if let Some(window) = app.get_webview_window(POPUP_LABEL)
            && let Err(err) = window.set_title(&title)
        {
            tracing::warn!(%err, "could not retitle the pop-up window");
        }
        *lock(&self.0) = title;
    }
}

/// Opens the pop-up window, or brings the existing one to the front.
///
/// The window is made on the first call that needs it. While the main window is open, its
/// page runs in the main window's WebKit web process (a related view) instead of a second one
/// of its own: a web process is the largest part of the app's memory (README, performance).
/// WebKitGTK objects live on the main thread, so the window is made there, from the main web
/// view. With the main window closed (Ringside in the tray) it gets a web process of its own,
/// closed `[pop] keep_loaded_secs` after the agent dismisses it ([`hide`]).
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(state) = app.try_state::<PopupRelease>() {
        state.shown();
    }
    if let Some(window) = app.get_webview_window(POPUP_LABEL) {
        bring_forward(&window);
        return;
    }
    let Some(main) = app.get_webview_window(MAIN_LABEL) else {
        if let Some(window) = build(app, None) {
            crate::webview_memory::tune(&window);
            if let Some(state) = app.try_state::<PopupRelease>() {
                state.set_shares_main(false);
            }
        }
        return;
    };
    let handle = app.clone();
    let made = main.with_webview(move |main_view| {
        // Another call may have made it while this waited for the main thread.
        if let Some(window) = handle.get_webview_window(POPUP_LABEL) {
            bring_forward(&window);
            return;
        }
        #[cfg(target_os = "linux")]
        let related = Some(main_view.inner());
        #[cfg(not(target_os = "linux"))]
        let related = {
            let _ = main_view;
            None
        };
        if let Some(window) = build(&handle, related) {
            crate::webview_memory::tune(&window);
            if let Some(state) = handle.try_state::<PopupRelease>() {
                state.set_shares_main(true);
            }
        }
    });
    if let Err(err) = made {
        tracing::warn!(%err, "could not open the pop-up window");
    }
}

/// The web view the pop-up's page shares a web process with (the main window's), where the
/// platform has one.
#[cfg(target_os = "linux")]
type RelatedView = webkit2gtk::WebView;
#[cfg(not(target_os = "linux"))]
type RelatedView = ();

/// Makes the pop-up window; `None` (logged) when it cannot.
fn build<R: Runtime>(
    app: &AppHandle<R>,
    related: Option<RelatedView>,
) -> Option<tauri::WebviewWindow<R>> {
    let title = app
        .try_state::<PopupTitle>()
        .map_or_else(|| DEFAULT_POPUP_TITLE.to_owned(), |t| t.get());
    let builder = WebviewWindowBuilder::new(app, POPUP_LABEL, WebviewUrl::App("popup.html".into()))
        .title(title)
        .inner_size(360.0, 420.0)
        .min_inner_size(300.0, 240.0)
        .always_on_top(true)
        .focused(true);
    #[cfg(target_os = "linux")]
    let builder = match related {
        Some(view) => builder.with_related_view(view),
        None => builder,
    };
    #[cfg(not(target_os = "linux"))]
    let _ = related;
    match builder.build() {
        Ok(window) => Some(window),
        Err(err) => {
            tracing::warn!(%err, "could not open the pop-up window");
            None
        }
    }
}

fn bring_forward<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(err) = shown {
        tracing::warn!(%err, "could not bring the pop-up window forward");
    }
}

/// Hides the pop-up window (Esc); it is reused for the next call, or closed after
/// `[pop] keep_loaded_secs` if it holds a web process alone ([`release_when_idle`]).
pub fn hide<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(POPUP_LABEL) {
        if let Err(err) = window.hide() {
            tracing::warn!(%err, "could not hide the pop-up window");
        }
        if let Some(state) = app.try_state::<PopupRelease>() {
            state.hidden();
        }
        release_when_idle(app);
    }
}

/// When the hidden pop-up is closed to give its memory back (`[pop] keep_loaded_secs`), and
/// whether its page shares the open main window's web process (then closing it gives
/// little back, and the next call would wait for a new page: it stays).
#[derive(Debug, Default)]
pub struct PopupRelease(Mutex<ReleaseState>);

#[derive(Debug, Default, Clone, Copy)]
struct ReleaseState {
    hidden_at: Option<Instant>,
    shares_main: bool,
}

impl PopupRelease {
    fn shown(&self) {
        lock(&self.0).hidden_at = None;
    }

    fn hidden(&self) {
        lock(&self.0).hidden_at = Some(Instant::now());
    }

    /// Whether the pop-up just made shares the main window's web process; `false` also when
    /// the main window closes (its web process then holds the pop-up's page alone).
    pub fn set_shares_main(&self, shares: bool) {
        lock(&self.0).shares_main = shares;
    }

    fn due(&self, keep: Duration, now: Instant) -> bool {
        let state = *lock(&self.0);
        due_for_release(
            state.hidden_at.map(|at| now.duration_since(at)),
            keep,
            state.shares_main,
        )
    }
}

/// Whether a pop-up hidden for `hidden_for` (`None`: on screen) is closed now.
fn due_for_release(hidden_for: Option<Duration>, keep: Duration, shares_main: bool) -> bool {
    !shares_main && hidden_for.is_some_and(|hidden| hidden >= keep)
}

/// The main window closed: the pop-up's page (made in its web process) now holds that
/// process alone, so a hidden pop-up is closed after the keep time.
pub fn main_window_closed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(state) = app.try_state::<PopupRelease>() {
        state.set_shares_main(false);
    }
    release_when_idle(app);
}

/// Closes the pop-up once it has been hidden for `[pop] keep_loaded_secs` and holds a web
/// process of its own (the main window is closed, or was when the pop-up was made), unless a
/// call shows it again first. Called when the agent dismisses it and when the main window
/// closes; the next call makes a new one.
fn release_when_idle<R: Runtime>(app: &AppHandle<R>) {
    if app.try_state::<PopupRelease>().is_none() {
        return;
    }
    let keep_secs = app
        .state::<std::sync::Arc<ringside_core::config_watch::ConfigWatch>>()
        .current()
        .config()
        .pop
        .keep_loaded_secs;
    let keep = Duration::from_secs(u64::from(keep_secs));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(keep).await;
        let Some(window) = app.get_webview_window(POPUP_LABEL) else {
            return;
        };
        if app.state::<PopupRelease>().due(keep, Instant::now()) {
            tracing::info!(keep_secs, "pop-up closed to give its memory back");
            if let Err(err) = window.destroy() {
                tracing::warn!(%err, "could not close the hidden pop-up window");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(call_id: &str, pop: Option<Pop>) -> PopUpdate {
        PopUpdate {
            call_id: call_id.to_owned(),
            caller: CallerId::Withheld,
            pop,
            ended: None,
        }
    }

    fn end_event(disposition: Option<&str>, duration: Option<u64>) -> CallEvent {
        CallEvent {
            event: ringside_core::events::CallEventKind::End,
            call_id: "A".into(),
            from: CallerId::Withheld,
            to: None,
            direction: ringside_core::events::Direction::Inbound,
            duration_secs: duration,
            disposition: disposition.map(str::to_owned),
            source: ringside_core::events::EventSource::Baresip,
        }
    }

    fn unknown() -> Pop {
        Pop::UnknownCaller {
            withheld: true,
            reason: "withheld".into(),
        }
    }

    #[test]
    fn a_finished_pop_replaces_its_own_searching_state() {
        let latest = LatestPop::default();
        latest.begin(update("A", None));
        assert_eq!(
            latest.finish("A", unknown()),
            Some(update("A", Some(unknown()))),
            "A is still the call on screen"
        );
        assert_eq!(latest.get(), Some(update("A", Some(unknown()))));
    }

    #[test]
    fn an_end_that_comes_before_the_search_finishes_is_kept() {
        let latest = LatestPop::default();
        latest.begin(update("A", None));
        let missed = CallEnded::of(&end_event(Some("missed"), Some(0)));
        assert!(
            missed.missed,
            "baresip's missed disposition is a missed call"
        );
        assert!(latest.end("A", missed.clone()).is_some());
        let done = latest.finish("A", unknown()).expect("A is on screen");
        assert_eq!(
            done.ended,
            Some(missed),
            "the late pop must not erase that the call was missed"
        );
        assert_eq!(
            latest.end("B", CallEnded::of(&end_event(None, Some(0)))),
            None,
            "another call's end changes nothing on screen"
        );
    }

    #[test]
    fn missed_is_read_from_the_disposition_or_a_zero_talk_time() {
        assert!(!CallEnded::of(&end_event(Some("answered"), Some(42))).missed);
        assert!(CallEnded::of(&end_event(None, Some(0))).missed);
        assert!(
            !CallEnded::of(&end_event(None, None)).missed,
            "no facts: not called missed"
        );
    }

    #[test]
    fn a_slow_pop_for_an_older_call_does_not_replace_the_newer_call() {
        let latest = LatestPop::default();
        latest.begin(update("A", None));
        latest.begin(update("B", None));
        assert!(
            latest.finish("A", unknown()).is_none(),
            "B rang after A: A's late answer must not cover it"
        );
        assert_eq!(
            latest.get(),
            Some(update("B", None)),
            "the pop-up still shows B searching"
        );
    }

    #[test]
    fn related_records_loaded_on_demand_join_the_shown_match() {
        use ringside_core::{CallerObject, LookupResult, MatchSource, OpenCase, QueryKind};
        let unloaded = |id: &str| CallerMatch {
            object: CallerObject::Contact,
            id: id.into(),
            name: "Crowd Member".into(),
            company: None,
            title: None,
            phone: None,
            email: None,
            matched_field: "Phone".into(),
            owner: None,
            last_modified: None,
            open_opportunities: Vec::new(),
            open_cases: Vec::new(),
            related_loaded: false,
            source: MatchSource::Search,
        };
        let searched = Pop::Searched {
            result: LookupResult {
                query: "+12125550199".into(),
                normalized: "+12125550199".into(),
                kind: QueryKind::Phone,
                matches: vec![unloaded("003A"), unloaded("003B")],
                api_calls: 1,
                left_out: Vec::new(),
                cached: false,
                cached_while_paused: false,
                elapsed_ms: 3,
            },
        };
        let latest = LatestPop::default();
        let related = RelatedRecords {
            open_opportunities: Vec::new(),
            open_cases: vec![OpenCase {
                id: "500X".into(),
                number: Some("00001".into()),
                subject: None,
                status: Some("New".into()),
            }],
        };
        assert!(
            !latest.add_related("003B", &related),
            "no pop on screen: nothing to keep them in"
        );
        latest.begin(update("A", Some(searched)));
        assert!(latest.add_related("003B", &related), "003B is on screen");
        let Some(PopUpdate {
            pop: Some(Pop::Searched { result }),
            ..
        }) = latest.get()
        else {
            panic!("the pop stays searched");
        };
        assert!(
            !result.matches[0].related_loaded,
            "another match is untouched"
        );
        assert!(result.matches[1].related_loaded, "the picked one is loaded");
        assert_eq!(result.matches[1].open_cases, related.open_cases);
        assert!(
            !latest.add_related("003Z", &related),
            "a record not in the pop changes nothing"
        );
    }

    #[test]
    fn a_hidden_pop_up_is_closed_after_the_keep_time_unless_it_shares_the_main_window() {
        let keep = Duration::from_secs(300);
        assert!(
            !due_for_release(None, keep, false),
            "a pop-up on screen is never closed"
        );
        assert!(
            !due_for_release(Some(Duration::from_secs(299)), keep, false),
            "dismissed a moment ago: the next call may come"
        );
        assert!(
            due_for_release(Some(keep), keep, false),
            "hidden for the whole keep time, in a web process of its own"
        );
        assert!(
            !due_for_release(Some(Duration::from_secs(3600)), keep, true),
            "in the open main window's web process it costs little: kept for a fast next pop"
        );
        assert!(
            due_for_release(Some(Duration::ZERO), Duration::ZERO, false),
            "keep_loaded_secs = 0 closes it at once"
        );
        let state = PopupRelease::default();
        let now = Instant::now();
        state.hidden();
        assert!(state.due(Duration::ZERO, now + Duration::from_secs(1)));
        state.shown();
        assert!(
            !state.due(Duration::ZERO, now + Duration::from_secs(1)),
            "a call showed it again after it was dismissed"
        );
    }

    #[test]
    fn searching_serialises_with_a_null_pop() {
        let json = serde_json::to_value(update("T1", None)).expect("PopUpdate must serialise");
        assert_eq!(
            json,
            serde_json::json!({ "call_id": "T1", "caller": { "kind": "withheld" }, "pop": null, "ended": null }),
            "the UI's generated PopUpdate type reads a null pop as searching"
        );
    }
}
