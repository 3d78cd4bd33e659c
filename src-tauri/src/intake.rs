//! Event intake for the desktop app: one `EventStream`, fed by the loopback event API that
//! `ringside call …` forwards to, by `ringside://call` links carrying the per-install secret
//! (managed [`LinkIntake`]) and, when configured, by the baresip adapter; and the task that
//! turns each call event into the pop-up. When another Ringside (a `ringside listen`) already
//! serves the event API for this home, the app runs without its own API and says so in the
//! log; links and baresip still work. Matching, caching and timeouts are
//! ringside-core's [`ScreenPop`](ringside_core::pop::ScreenPop); this only wires them to the window.
//!
//! Settings: `[pop]` in `RINGSIDE_HOME/ringside.toml` (`open_on = "ring" | "answer" |
//! "manual"`, `event_port`, `baresip = "127.0.0.1:4444"`; see ringside-core's config), from
//! the app's current config ([`ConfigWatch`]). `open_on` is read at each call event, so a
//! saved or edited file applies to the next call; `event_port` and `baresip` are where the
//! app listens and apply at the next start. The environment variables `RINGSIDE_POP_ON` and
//! `RINGSIDE_EVENT_PORT` override the file (for tests and one-off runs). A broken config file
//! leaves the last good settings in use (the watch carries the problem), so calls still pop.
//!
//! The baresip adapter's command handle is managed as [`BaresipDial`]: call back dials
//! through the adapter's own ctrl_tcp connection (baresip serves one client, so a second
//! connection would cut the adapter off).

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use ringside_core::config_watch::{ConfigSnapshot, ConfigWatch};
use ringside_core::events::api::EventApi;
use ringside_core::events::baresip::{self, Backoff, BaresipConfig, BaresipControl};
use ringside_core::events::link::LinkIntake;
use ringside_core::events::token::ApiToken;
use ringside_core::events::{CallEvent, CallEventKind, EventStream};
use ringside_core::pop::{PopOpenOn, PopSettings};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::org::ActiveOrg;
use crate::popup::{self, CallEnded, LatestPop, PopUpdate};

/// Whether `event` brings the pop-up window to the screen by itself under `open_on`.
fn shows_window(open_on: PopOpenOn, kind: CallEventKind) -> bool {
    matches!(
        (open_on, kind),
        (PopOpenOn::Ring, CallEventKind::Ring) | (PopOpenOn::Answer, CallEventKind::Answer)
    )
}

/// How long a command to baresip may wait for its answer.
const BARESIP_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The baresip adapter's command handle, when `[pop] baresip` is configured (managed state;
/// `None` without baresip).
#[derive(Debug, Clone, Default)]
pub struct BaresipDial(pub Option<BaresipControl>);

/// The running loopback API and baresip adapter, kept in managed state and stopped at exit
/// (the API removes its endpoint file).
#[derive(Debug, Default)]
pub struct RunningApi {
    api: Mutex<Option<EventApi>>,
    baresip: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl RunningApi {
    pub async fn shutdown(&self) {
        if let Some(adapter) = self
            .baresip
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            adapter.abort();
        }
        let api = self
            .api
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(api) = api {
            api.shutdown().await;
        }
    }
}

/// Starts the API, the baresip adapter (when `[pop] baresip` is set) and the pop task.
/// Needs `LatestPop` and `ActiveOrg` managed already.
pub async fn start<R: Runtime>(app: AppHandle<R>) -> anyhow::Result<RunningApi> {
    let home = ringside_core::config::ringside_home()
        .context("no Ringside home: set RINGSIDE_HOME or HOME")?;
    let config = Arc::clone(&*app.state::<Arc<ConfigWatch>>());
    let settings = pop_settings(&config.current())?;
    let stream = EventStream::new();
    // Managed, so other features (the log form) subscribe to the same events.
    app.manage(stream.clone());
    let receiver = stream.subscribe();
    // Links are full call events only with this secret; without a token they only pop.
    let secret = match ApiToken::load_or_create(&home) {
        Ok(token) => Some(token),
        Err(err) => {
            tracing::error!("{err}; ringside://call links can only pop the caller");
            None
        }
    };
    app.manage(LinkIntake::new(secret, stream.clone()));
    // Without the API (another Ringside serves it, or the port is taken) pops still come
    // from links and baresip.
    let api = match EventApi::start(&home, settings.event_port.unwrap_or(0), stream.clone()).await {
        Ok(api) => Some(api),
        Err(err) => {
            tracing::error!(
                "no event API in this app, so `ringside call` does not reach it: {err} (under {})",
                home.display()
            );
            None
        }
    };
    // baresip may not run yet, or restart: the adapter reconnects with backoff and only
    // logs, so a missing softphone never stops the app.
    let (control, adapter) = match settings.baresip {
        Some(address) => {
            tracing::info!(%address, "listening to baresip ctrl_tcp");
            let (control, queue) = baresip::control(BARESIP_COMMAND_TIMEOUT);
            let adapter = tauri::async_runtime::spawn(baresip::run_with_control(
                BaresipConfig {
                    address,
                    backoff: Backoff::default(),
                },
                stream,
                queue,
            ));
            (Some(control), Some(adapter))
        }
        None => (None, None),
    };
    app.manage(BaresipDial(control));
    tracing::info!(open_on = settings.open_on.as_str(), "pop-up opens on");
    tauri::async_runtime::spawn(deliver(app, receiver, config.subscribe()));
    Ok(RunningApi {
        api: Mutex::new(api),
        baresip: Mutex::new(adapter),
    })
}

/// `[pop]` from the config in use, then the environment overrides.
fn pop_settings(config: &ConfigSnapshot) -> anyhow::Result<PopSettings> {
    let mut settings = config.config().pop.clone();
    settings.open_on = open_on(config);
    if let Ok(value) = std::env::var("RINGSIDE_EVENT_PORT")
        && !value.trim().is_empty()
    {
        let port: u16 = value.trim().parse().with_context(|| {
            format!("RINGSIDE_EVENT_PORT = {value:?} is not a port number (0–65535)")
        })?;
        settings.event_port = (port != 0).then_some(port);
    }
    Ok(settings)
}

/// When the pop-up window comes up: `RINGSIDE_POP_ON` if set, else `[pop] open_on` of
/// `config`.
fn open_on(config: &ConfigSnapshot) -> PopOpenOn {
    if let Ok(value) = std::env::var("RINGSIDE_POP_ON")
        && !value.trim().is_empty()
    {
        match PopOpenOn::parse(value.trim()) {
            Some(open_on) => return open_on,
            None => tracing::warn!(
                value,
                "RINGSIDE_POP_ON is not ring, answer or manual; ignored"
            ),
        }
    }
    config.config().pop.open_on
}

/// For each call event: a ring (or an answer of a call never rung, as with auto-answer)
/// shows "searching…" at once and then the pop; the window comes up when `open_on` says
/// so (with `manual` the tray's "Show caller" opens it on the latest pop). An end marks the
/// call in the pop-up as ended or missed.
async fn deliver<R: Runtime>(
    app: AppHandle<R>,
    mut receiver: tokio::sync::broadcast::Receiver<CallEvent>,
    mut config: tokio::sync::watch::Receiver<Arc<ConfigSnapshot>>,
) {
    let mut open_on = open_on(&config.borrow_and_update());
    loop {
        let event = match receiver.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the pop-up fell behind and skipped call events");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        // The config as it is now: an admin's change applies to the next call.
        if config.has_changed().unwrap_or(false) {
            open_on = self::open_on(&config.borrow_and_update());
            tracing::info!(
                open_on = open_on.as_str(),
                "pop-up opens on (config changed)"
            );
        }
        let latest = app.state::<LatestPop>();
        match event.event {
            CallEventKind::End => {
                if let Some(update) = latest.end(&event.call_id, CallEnded::of(&event)) {
                    popup::send(&app, &update);
                }
            }
            CallEventKind::Answer if latest.is_current(&event.call_id) => {
                if shows_window(open_on, event.event) {
                    popup::show(&app);
                }
            }
            CallEventKind::Ring | CallEventKind::Answer => {
                begin_pop(&app, &event);
                if shows_window(open_on, event.event)
                    || (event.event == CallEventKind::Answer && open_on == PopOpenOn::Ring)
                {
                    popup::show(&app);
                }
            }
        }
    }
}

/// "Searching…" for the call's peer, then its pop from the org in use when the call rang.
fn begin_pop<R: Runtime>(app: &AppHandle<R>, event: &CallEvent) {
    let searching = PopUpdate {
        call_id: event.call_id.clone(),
        caller: event.peer().clone(),
        pop: None,
        ended: None,
    };
    app.state::<LatestPop>().begin(searching.clone());
    popup::send(app, &searching);
    // Each pop runs on its own so a slow search never delays the next call's "searching…".
    let app = app.clone();
    // The org in use when the call rings answers it, even if the agent switches meanwhile.
    let screen_pop = Arc::clone(&app.state::<ActiveOrg>().current().screen_pop);
    tauri::async_runtime::spawn(async move {
        let pop = screen_pop.pop(&searching.caller).await;
        if let Some(done) = app.state::<LatestPop>().finish(&searching.call_id, pop) {
            popup::send(&app, &done);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_shows_the_window_on_its_own_event_only() {
        assert!(shows_window(PopOpenOn::Ring, CallEventKind::Ring));
        assert!(
            !shows_window(PopOpenOn::Ring, CallEventKind::Answer),
            "on ring: answering must not pop again"
        );
        assert!(shows_window(PopOpenOn::Answer, CallEventKind::Answer));
        assert!(!shows_window(PopOpenOn::Answer, CallEventKind::Ring));
        for kind in [
            CallEventKind::Ring,
            CallEventKind::Answer,
            CallEventKind::End,
        ] {
            assert!(
                !shows_window(PopOpenOn::Manual, kind),
                "manual never opens the window by itself"
            );
        }
    }

    #[test]
    fn the_config_sets_the_pop_and_a_broken_one_keeps_the_last_good_settings() {
        use ringside_core::config_watch::ConfigWatch;
        let home =
            std::env::temp_dir().join(format!("ringside-intake-test-{}", std::process::id()));
        std::fs::create_dir_all(&home).expect("temp home");
        std::fs::write(
            home.join("ringside.toml"),
            "[pop]\nopen_on = \"manual\"\nbaresip = \"127.0.0.1:14444\"\n",
        )
        .expect("config written");
        let watch = ConfigWatch::open(&home, &home.join("no-policy.toml"));
        // Only meaningful without the overrides (tests run without them set).
        if std::env::var_os("RINGSIDE_POP_ON").is_none()
            && std::env::var_os("RINGSIDE_EVENT_PORT").is_none()
        {
            let settings = pop_settings(&watch.current()).expect("valid config");
            assert_eq!(settings.open_on, PopOpenOn::Manual);
            assert_eq!(settings.baresip.as_deref(), Some("127.0.0.1:14444"));
            std::fs::write(home.join("ringside.toml"), "[pop]\nopen_on = 3\n").expect("written");
            let broken = watch.reload();
            assert!(
                broken.problem.is_some(),
                "the problem is carried for the UI"
            );
            let settings = pop_settings(&broken).expect("a broken file is reported, not fatal");
            assert_eq!(
                settings.open_on,
                PopOpenOn::Manual,
                "calls still pop, with the last good settings"
            );
        }
        let _ = std::fs::remove_dir_all(&home);
    }
}
