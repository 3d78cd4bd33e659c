//! The main window: made at start (unless Ringside starts in the tray, `--hidden`), closed by
//! the agent without quitting when the tray icon is up, and made again when something needs
//! it (the tray's "Show Ringside", a second launch, Enter in the pop-up, a sign-in's result).
//!
//! Why closing drops the window instead of hiding it: a window's web page runs in a WebKit
//! web process, the largest part of the app's memory (README, performance). A closed main
//! window gives that back while the tray keeps popping callers and logging calls; the pop-up
//! gives its own back after `[pop] keep_loaded_secs` ([`crate::popup`]).

use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

use crate::ipc::MAIN_LABEL;

/// The command-line flag that starts Ringside in the tray with no window (a login item).
pub const START_HIDDEN_FLAG: &str = "--hidden";

/// Whether the app was started with [`START_HIDDEN_FLAG`] (`args` without the program name).
pub fn starts_hidden(mut args: impl Iterator<Item = String>) -> bool {
    args.any(|arg| arg == START_HIDDEN_FLAG)
}

/// The main window, made from its `tauri.conf.json` entry if it is not open.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    if let Some(window) = app.get_webview_window(MAIN_LABEL) {
        return Ok(window);
    }
    // Not found only if tauri.conf.json lost its main window entry.
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN_LABEL)
        .ok_or(tauri::Error::WindowNotFound)?
        .clone();
    match WebviewWindowBuilder::from_config(app, &config)?.build() {
        Ok(window) => {
            crate::webview_memory::tune(&window);
            tracing::info!("main window opened");
            Ok(window)
        }
        // Two callers at once (a sign-in result and the tray): the other one made it.
        Err(err) => app.get_webview_window(MAIN_LABEL).ok_or(err),
    }
}

/// Opens the main window if it is closed, and brings it to the front. Returns it, or why not.
pub fn show<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let window = open(app)?;
    window.unminimize()?;
    window.show()?;
    window.set_focus()?;
    Ok(window)
}

/// [`show`], for callers with nobody to tell: a failure is logged with `what` asked for it.
pub fn show_or_log<R: Runtime>(app: &AppHandle<R>, what: &str) {
    if let Err(err) = show(app) {
        tracing::warn!(%err, "{what}: could not show the main window");
    }
}

/// Whether the main window is open now (shown, minimised or behind others).
pub fn is_open<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(MAIN_LABEL).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_flag_starts_hidden() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(starts_hidden(args(&["--hidden"]).into_iter()));
        assert!(
            !starts_hidden(args(&[]).into_iter()),
            "a plain start shows the window"
        );
        assert!(
            !starts_hidden(args(&["ringside://call?x=--hidden", "--hiddenx"]).into_iter()),
            "a link or another flag is not the flag"
        );
    }
}
