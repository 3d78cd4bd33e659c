//! The pop-up window's commands: read the current pop, dismiss the window (Esc), and open a
//! matched record in the main window (Enter). Granted to the pop-up only (`capabilities/popup.json`),
//! except `record_to_show`, with which a main window made for that Enter reads its record.
//! Also `set_shell_labels`, which the main window calls with its catalog's tray labels and
//! pop-up title (granted to the main window only, `capabilities/shell-labels.json`).

use ringside_core::CallerMatch;
use ringside_core::ipc_code::IpcCode;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::IpcError;
use crate::popup::{self, LatestPop, PopUpdate, PopupTitle, RecordToShow};
use crate::tray::{ShellLabels, TrayMenu};

/// The pop to show now (`null` before any call), for a window that just opened.
#[tauri::command]
pub fn current_pop(latest: State<'_, LatestPop>) -> Option<PopUpdate> {
    // The pop-up's page asks once it has loaded: scripts/bench_desktop.py times a new
    // pop-up (Ringside in the tray) from the ring to this line.
    tracing::debug!("pop-up page loaded: current pop asked for");
    latest.get()
}

/// The record Enter in the pop-up asked for while the main window was closed, once: the
/// main window's page asks when it starts.
#[tauri::command]
pub fn record_to_show(pending: State<'_, RecordToShow>) -> Option<CallerMatch> {
    pending.take()
}

/// Hides the pop-up (Esc). Never blocks answering: the window is only hidden.
#[tauri::command]
pub fn dismiss_pop<R: Runtime>(app: AppHandle<R>) {
    popup::hide(&app);
}

/// Shows the main window on the record `record_id` of call `call_id`'s pop (Enter).
#[tauri::command]
pub fn open_caller_record<R: Runtime>(
    call_id: String,
    record_id: String,
    app: AppHandle<R>,
    latest: State<'_, LatestPop>,
) -> Result<(), IpcError> {
    let record = find_record(latest.get(), &call_id, &record_id).ok_or_else(|| IpcError {
        code: IpcCode::RecordNotInPop,
        message: "That record is no longer in the pop-up (another call replaced it). Search for it in the main window.".into(),
    })?;
    let unavailable = |err: tauri::Error| IpcError {
        code: IpcCode::BackendUnavailable,
        message: format!("Could not show the main window: {err}"),
    };
    if crate::main_window::is_open(&app) {
        crate::main_window::show(&app)
            .and_then(|_| crate::ipc::emit_show_record(&app, &record))
            .map_err(unavailable)?;
    } else {
        // Closed (Ringside in the tray): the new window's page is not listening yet, so it
        // reads the record when it starts (`record_to_show`).
        app.state::<RecordToShow>().keep(record);
        crate::main_window::show(&app).map_err(unavailable)?;
    }
    popup::hide(&app);
    Ok(())
}

/// Puts the tray menu and the pop-up's title in the UI's language (sent whenever it changes).
#[tauri::command]
pub fn set_shell_labels<R: Runtime>(
    labels: ShellLabels,
    app: AppHandle<R>,
    title: State<'_, PopupTitle>,
) -> Result<(), IpcError> {
    let labels = labels.checked().map_err(|message| IpcError {
        code: IpcCode::InvalidInput,
        message,
    })?;
    // No tray (no StatusNotifier host) is not an error: there is nothing to relabel.
    if let Some(tray) = app.try_state::<TrayMenu<R>>() {
        tray.relabel(&labels).map_err(|err| IpcError {
            code: IpcCode::BackendUnavailable,
            message: format!("the tray menu could not be relabelled: {err}"),
        })?;
        // What the menu says now, read back from the menu items (the desktop test checks it).
        match tray.labels() {
            Ok(shown) => tracing::info!(?shown, "tray menu relabelled"),
            Err(err) => tracing::warn!(%err, "could not read the tray labels back"),
        }
    }
    title.set(&app, labels.popup_title);
    Ok(())
}

fn find_record(latest: Option<PopUpdate>, call_id: &str, record_id: &str) -> Option<CallerMatch> {
    let update = latest.filter(|update| update.call_id == call_id)?;
    update
        .pop?
        .matches()
        .iter()
        .find(|record| record.id == record_id)
        .cloned()
}
