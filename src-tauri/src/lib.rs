//! Ringside's desktop shell. This module only wires things together: logging, the built-in
//! demo org, the call-event intake ([`intake`]) feeding the pop-up window ([`popup`]), managed
//! state, the tray, and the command list. Commands live in [`commands`].

mod commands;
mod deep_link;
mod demo;
mod edit_runner;
mod error;
mod idle_release;
mod intake;
/// Window labels, event names and typed emit functions, generated from `ipc/contract.rs` by
/// build.rs.
mod ipc {
    include!(concat!(env!("OUT_DIR"), "/ipc_events.rs"));
}
mod log_forms;
mod main_window;
mod org;
mod outbox_runner;
mod popup;
mod signin;
mod tray;
mod updates;
mod webview_memory;

use std::sync::Arc;

use ringside_core::config_policy::policy_path;
use ringside_core::config_watch::{self, ConfigWatch};
use tauri::Manager;

pub use error::IpcError;

/// Builds and runs the app until the user quits. Returns an error if it cannot start.
pub fn run() -> anyhow::Result<()> {
    webview_memory::before_webkit_starts();
    init_logging();
    require_display()?;
    let mut context = tauri::generate_context!();
    // The version is the package's (tauri.conf.json, which `make package` may override): after
    // an update's relaunch this line says which version came up.
    tracing::info!(version = %context.package_info().version, "Ringside starting");
    // The one current config every feature reads (ringside.toml over the policy file),
    // reloaded when the Admin view saves and when either file changes on disk.
    let config = Arc::new(ConfigWatch::open(&org::home()?, &policy_path()));
    // Signed updates only with the admin's key and endpoint (`[update]`): the plugin reads
    // them from its config, which is set here since tauri.conf.json carries no key.
    let update = updates::settings_at_start(&config.current());
    if let Some(settings) = &update {
        context
            .config_mut()
            .plugins
            .0
            .insert("updater".into(), updates::plugin_config(settings));
    }
    let mut builder = tauri::Builder::default()
        // First: a second launch (e.g. the OS opening a `ringside://` or `tel:` link) hands its
        // link to this copy and exits; the deep-link feature forwards it to `deep_link`.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if argv.len() <= 1 {
                main_window::show_or_log(app, "a second launch");
            }
        }))
        .plugin(tauri_plugin_deep_link::init());
    if update.is_some() {
        builder = builder.plugin(tauri_plugin_updater::Builder::new().build());
    }
    let start_hidden = main_window::starts_hidden(std::env::args().skip(1));
    let app = builder
        .setup(move |app| {
            // tauri.conf.json makes no window (`create: false`): the main window is made here,
            // or later from the tray when Ringside starts in it.
            if !start_hidden {
                main_window::open(app.handle())?;
            }
            tauri::async_runtime::spawn(Arc::clone(&config).watch_files(config_watch::POLL_EVERY));
            app.manage(Arc::clone(&config));
            let (demo_org, demo_link) = tauri::async_runtime::block_on(demo::start(
                ringside_core::config::ringside_home().as_deref(),
                config.current().config(),
            ))?;
            app.manage(demo_org);
            let active = org::ActiveOrg::new(demo_link);
            tauri::async_runtime::block_on(active.connect_registered(config.current().config()));
            app.manage(active);
            app.manage(popup::LatestPop::default());
            // The tray's and the pop-up's first words, in the OS language (the UI corrects
            // them to the agent's choice when a page opens).
            let shell_labels = tray::ShellLabels::in_os_language();
            app.manage(popup::PopupTitle::new(shell_labels.popup_title.clone()));
            app.manage(popup::PopupRelease::default());
            app.manage(popup::RecordToShow::default());
            app.manage(commands::history::HistoryCursors::default());
            // Without the intake the search box still works; say why no pop-up will come.
            match tauri::async_runtime::block_on(intake::start(app.handle().clone())) {
                Ok(api) => {
                    app.manage(api);
                }
                Err(err) => tracing::error!("no call events, so no pop-up: {err:#}"),
            }
            // Call logging: the outbox (even a broken one: the app still opens and says
            // why), its worker for the org in use, and the log forms fed by the intake.
            let queue = tauri::async_runtime::block_on(outbox_runner::CallLogQueue::open());
            let policy = config.current().config().auto_log;
            // Record edits made while Salesforce is unreachable: same database file.
            app.manage(edit_runner::RecordEditQueue::new(queue.outbox()));
            app.state::<edit_runner::RecordEditQueue>()
                .start(app.handle().clone());
            let outbox = queue.outbox().cloned();
            app.manage(queue);
            app.state::<outbox_runner::CallLogQueue>()
                .start(app.handle().clone());
            // Forms left open by the last run (a crash, a kill) come back before the idle
            // rule starts: one whose auto-log time passed is logged at once.
            let forms = log_forms::LogForms::new(policy, outbox);
            tauri::async_runtime::block_on(forms.restore_saved());
            app.manage(forms);
            log_forms::start(app.handle());
            app.manage(updates::UpdateNotices::default());
            if update.is_some() {
                updates::start(app.handle());
            }
            app.manage(Arc::new(ringside_core::login::PendingSignIns::new()));
            app.manage(signin::RefusedLink::default());
            // After the intake: a link the app was started with may be a call event.
            deep_link::install(app.handle());
            // A missing tray (no StatusNotifier host) must not stop the window from working.
            match tray::install(app.handle(), &shell_labels) {
                // The start-up benchmark (scripts/bench-desktop.py) times this line.
                Ok(()) => tracing::info!("tray ready"),
                Err(err) => tracing::warn!(%err, "no tray icon"),
            }
            Ok(())
        })
        // The list is generated from ipc/contract.rs by build.rs (one declaration per command).
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/ipc_handlers.rs")))
        .build(context)?;
    app.run(|app, event| {
        // With a tray icon, closing the last window leaves Ringside in the tray (calls still
        // pop and are logged; "Quit" ends it). Without one, nothing could bring a window back,
        // so closing the main window quits, as does closing the last window. `code` is set
        // when the app itself asked to exit (the tray's "Quit", an update).
        if let tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } = &event
            && tray::is_installed(app)
        {
            api.prevent_exit();
        }
        if let tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } = &event
        {
            idle_release::when_no_window(app);
            if label == ipc::MAIN_LABEL {
                if tray::is_installed(app) {
                    tracing::info!(
                        "main window closed: Ringside goes on in the tray (its menu's Quit ends it; starting ringside-desktop again opens the window)"
                    );
                    popup::main_window_closed(app);
                } else {
                    app.exit(0);
                }
            }
        }
        if let tauri::RunEvent::Exit = event {
            // The API first: its endpoint file must not point `ringside call` at a dead app.
            if let Some(api) = app.try_state::<intake::RunningApi>() {
                tauri::async_runtime::block_on(api.shutdown());
            }
            // Forms of ended calls are logged as they stand, then the queue worker stops
            // (before the demo org it may be sending to).
            if app.try_state::<log_forms::LogForms>().is_some() {
                tauri::async_runtime::block_on(log_forms::log_open_forms_at_exit(app));
            }
            if let Some(edits) = app.try_state::<edit_runner::RecordEditQueue>() {
                tauri::async_runtime::block_on(edits.shutdown());
            }
            if let Some(queue) = app.try_state::<outbox_runner::CallLogQueue>() {
                tauri::async_runtime::block_on(queue.shutdown());
            }
            if let Some(org) = app.try_state::<demo::DemoOrgHandle>() {
                tauri::async_runtime::block_on(org.shutdown());
            }
        }
    });
    Ok(())
}

/// GTK panics when it finds no display; say what is missing instead.
fn require_display() -> anyhow::Result<()> {
    let unset = |name| std::env::var_os(name).is_none_or(|value| value.is_empty());
    if cfg!(target_os = "linux") && unset("DISPLAY") && unset("WAYLAND_DISPLAY") {
        anyhow::bail!(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset): start Ringside from a desktop \
             session, or use the `ringside` command in a terminal"
        );
    }
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // `try_init`: a second call (tests) keeps the first subscriber instead of panicking.
    // stderr: logs are diagnostics, and tauri-driver passes a tested app's stderr on.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
