//! The pop-up window: what it shows ([`PopUpdate`], sent as the typed Tauri event
//! [`POP_UPDATE_EVENT`]), the latest update kept for a window that opens after it was sent,
//! and opening the small always-on-top window itself. The pop is computed in ringside-core.

use std::sync::Mutex;

use ringside_core::events::CallerId;
use ringside_core::pop::Pop;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The pop-up window's label; `capabilities/popup.json` grants this window its commands.
pub const POPUP_LABEL: &str = "popup";
/// The event the pop-up window listens to.
pub const POP_UPDATE_EVENT: &str = "pop-update";

/// What the pop-up shows for one call. `pop` is `null` while the search runs ("searching…").
/// Generated into `ui/src/bindings/PopUpdate.ts` by ts-rs (`export_bindings` tests).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct PopUpdate {
    pub call_id: String,
    /// The calling party as the softphone reported it (shown for a manual search).
    pub caller: CallerId,
    pub pop: Option<Pop>,
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

    /// Stores a finished pop unless a newer call replaced it meanwhile; says whether it did.
    pub fn finish(&self, update: PopUpdate) -> bool {
        let mut latest = lock(&self.0);
        let current = latest
            .as_ref()
            .is_some_and(|shown| shown.call_id == update.call_id);
        if current {
            *latest = Some(update);
        }
        current
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
    if let Err(err) = app.emit_to(POPUP_LABEL, POP_UPDATE_EVENT, update) {
        tracing::warn!(%err, "could not send the pop to its window");
    }
}

/// Opens the pop-up window, or brings the existing one to the front.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    let shown = match app.get_webview_window(POPUP_LABEL) {
        Some(window) => window
            .unminimize()
            .and_then(|()| window.show())
            .and_then(|()| window.set_focus()),
        None => WebviewWindowBuilder::new(app, POPUP_LABEL, WebviewUrl::App("popup.html".into()))
            .title("Ringside: caller")
            .inner_size(360.0, 420.0)
            .min_inner_size(300.0, 240.0)
            .always_on_top(true)
            .focused(true)
            .build()
            .map(|_| ()),
    };
    if let Err(err) = shown {
        tracing::warn!(%err, "could not open the pop-up window");
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
        assert!(
            latest.finish(update("A", Some(unknown()))),
            "A is still the call on screen"
        );
        assert_eq!(latest.get(), Some(update("A", Some(unknown()))));
    }

    #[test]
    fn a_slow_pop_for_an_older_call_does_not_replace_the_newer_call() {
        let latest = LatestPop::default();
        latest.begin(update("A", None));
        latest.begin(update("B", None));
        assert!(
            !latest.finish(update("A", Some(unknown()))),
            "B rang after A: A's late answer must not cover it"
        );
        assert_eq!(
            latest.get(),
            Some(update("B", None)),
            "the pop-up still shows B searching"
        );
    }

    #[test]
    fn searching_serialises_with_a_null_pop() {
        let json = serde_json::to_value(update("T1", None)).expect("PopUpdate must serialise");
        assert_eq!(
            json,
            serde_json::json!({ "call_id": "T1", "caller": { "kind": "withheld" }, "pop": null }),
            "the UI's generated PopUpdate type reads a null pop as searching"
        );
    }
}
