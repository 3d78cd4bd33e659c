//! Event intake for the desktop app: one `EventStream`, the loopback event API that
//! `ringside call …` forwards to, and the task that turns each call event into a pop-up.
//! Matching, caching and timeouts are ringside-core's [`ScreenPop`]; this only wires them to
//! the window.
//!
//! Settings (environment, read at launch): `RINGSIDE_EVENT_PORT` (the API's port; default 0,
//! any free port, written to `RINGSIDE_HOME/event-api.json`) and `RINGSIDE_POP_ON` (`ring`,
//! the default; `answer`; or `manual`, which never opens the window by itself).

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use ringside_core::events::api::EventApi;
use ringside_core::events::{CallEvent, CallEventKind, EventStream};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::org::ActiveOrg;
use crate::popup::{self, LatestPop, PopUpdate};

/// When the pop-up opens by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopTrigger {
    Ring,
    Answer,
    Manual,
}

impl PopTrigger {
    /// Reads `RINGSIDE_POP_ON`; an unknown value is logged and the default (`ring`) used.
    fn from_environment() -> PopTrigger {
        match std::env::var("RINGSIDE_POP_ON")
            .ok()
            .as_deref()
            .map(str::trim)
        {
            None | Some("" | "ring") => PopTrigger::Ring,
            Some("answer") => PopTrigger::Answer,
            Some("manual") => PopTrigger::Manual,
            Some(other) => {
                tracing::warn!(
                    value = other,
                    "RINGSIDE_POP_ON is not ring, answer or manual; using ring"
                );
                PopTrigger::Ring
            }
        }
    }

    fn pops_on(self, kind: CallEventKind) -> bool {
        matches!(
            (self, kind),
            (PopTrigger::Ring, CallEventKind::Ring) | (PopTrigger::Answer, CallEventKind::Answer)
        )
    }
}

/// The running loopback API, kept in managed state and stopped at exit (removes the endpoint file).
#[derive(Debug, Default)]
pub struct RunningApi(Mutex<Option<EventApi>>);

impl RunningApi {
    pub async fn shutdown(&self) {
        let api = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(api) = api {
            api.shutdown().await;
        }
    }
}

/// Starts the API and the pop task. Needs `LatestPop` and `ActiveOrg` managed already.
pub async fn start<R: Runtime>(app: AppHandle<R>) -> anyhow::Result<RunningApi> {
    let home = ringside_core::config::ringside_home()
        .context("no Ringside home: set RINGSIDE_HOME or HOME")?;
    let port = event_port()?;
    let stream = EventStream::new();
    let receiver = stream.subscribe();
    let api = EventApi::start(&home, port, stream)
        .await
        .with_context(|| format!("could not start the event API under {}", home.display()))?;
    tauri::async_runtime::spawn(deliver(app, receiver, PopTrigger::from_environment()));
    Ok(RunningApi(Mutex::new(Some(api))))
}

fn event_port() -> anyhow::Result<u16> {
    match std::env::var("RINGSIDE_EVENT_PORT") {
        Err(_) => Ok(0),
        Ok(value) if value.trim().is_empty() => Ok(0),
        Ok(value) => value.trim().parse().with_context(|| {
            format!("RINGSIDE_EVENT_PORT = {value:?} is not a port number (0–65535)")
        }),
    }
}

/// For each event that should pop: "searching…" at once, then the pop when ringside-core has it.
async fn deliver<R: Runtime>(
    app: AppHandle<R>,
    mut receiver: tokio::sync::broadcast::Receiver<CallEvent>,
    trigger: PopTrigger,
) {
    loop {
        let event = match receiver.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the pop-up fell behind and skipped call events");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        if !trigger.pops_on(event.event) {
            continue;
        }
        let searching = PopUpdate {
            call_id: event.call_id.clone(),
            caller: event.from.clone(),
            pop: None,
        };
        app.state::<LatestPop>().begin(searching.clone());
        popup::send(&app, &searching);
        popup::show(&app);
        // Each pop runs on its own so a slow search never delays the next call's "searching…".
        let app = app.clone();
        // The org in use when the call rings answers it, even if the agent switches meanwhile.
        let screen_pop = Arc::clone(&app.state::<ActiveOrg>().current().screen_pop);
        tauri::async_runtime::spawn(async move {
            let pop = screen_pop.pop(&searching.caller).await;
            let done = PopUpdate {
                pop: Some(pop),
                ..searching
            };
            if app.state::<LatestPop>().finish(done.clone()) {
                popup::send(&app, &done);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_trigger_pops_on_its_own_event_only() {
        assert!(PopTrigger::Ring.pops_on(CallEventKind::Ring));
        assert!(
            !PopTrigger::Ring.pops_on(CallEventKind::Answer),
            "on ring: answering must not pop again"
        );
        assert!(PopTrigger::Answer.pops_on(CallEventKind::Answer));
        assert!(!PopTrigger::Answer.pops_on(CallEventKind::Ring));
        for kind in [
            CallEventKind::Ring,
            CallEventKind::Answer,
            CallEventKind::End,
        ] {
            assert!(
                !PopTrigger::Manual.pops_on(kind),
                "manual never opens the window by itself"
            );
        }
    }
}
