//! The pop-up window: what it shows ([`PopUpdate`], sent as the typed Tauri event
//! [`POP_UPDATE_EVENT`](crate::ipc::POP_UPDATE_EVENT)), the latest update kept for a window that opens after it was sent
//! (and changed when the call ends or the agent creates a record for the caller), and opening
//! the small always-on-top window itself. The pop is computed in ringside-core.

use std::sync::Mutex;

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

/// The pop-up window's title until the UI sends the one in the agent's language.
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
/// The window is made on the first call that needs it, and its page runs in the main
/// window's WebKit web process (a related view) instead of a second one of its own: a web
/// process is the largest part of the app's memory (README, performance). WebKitGTK objects
/// live on the main thread, so the window is made there, from the main web view.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(POPUP_LABEL) {
        bring_forward(&window);
        return;
    }
    let Some(main) = app.get_webview_window(MAIN_LABEL) else {
        // No main window (it is closing): the app is about to exit, nothing to pop over.
        tracing::warn!("no main window, so no pop-up");
        return;
    };
    let handle = app.clone();
    let made = main.with_webview(move |main_view| {
        // Another call may have made it while this waited for the main thread.
        if let Some(window) = handle.get_webview_window(POPUP_LABEL) {
            bring_forward(&window);
            return;
        }
        let title = handle
            .try_state::<PopupTitle>()
            .map_or_else(|| DEFAULT_POPUP_TITLE.to_owned(), |t| t.get());
        let builder =
            WebviewWindowBuilder::new(&handle, POPUP_LABEL, WebviewUrl::App("popup.html".into()))
                .title(title)
                .inner_size(360.0, 420.0)
                .min_inner_size(300.0, 240.0)
                .always_on_top(true)
                .focused(true);
        #[cfg(target_os = "linux")]
        let builder = builder.with_related_view(main_view.inner());
        #[cfg(not(target_os = "linux"))]
        let _ = main_view;
        match builder.build() {
            Ok(window) => crate::webview_memory::tune(&window),
            Err(err) => tracing::warn!(%err, "could not open the pop-up window"),
        }
    });
    if let Err(err) = made {
        tracing::warn!(%err, "could not open the pop-up window");
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

/// Hides the pop-up window (Esc); it is reused for the next call.
pub fn hide<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(POPUP_LABEL)
        && let Err(err) = window.hide()
    {
        tracing::warn!(%err, "could not hide the pop-up window");
    }
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
    fn searching_serialises_with_a_null_pop() {
        let json = serde_json::to_value(update("T1", None)).expect("PopUpdate must serialise");
        assert_eq!(
            json,
            serde_json::json!({ "call_id": "T1", "caller": { "kind": "withheld" }, "pop": null, "ended": null }),
            "the UI's generated PopUpdate type reads a null pop as searching"
        );
    }
}
