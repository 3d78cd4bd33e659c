//! The tray icon and its menu: "Show Ringside" brings the main window to the front, "Show
//! caller" opens the pop-up on the latest call (the way in when pops are set to manual), "Quit" exits.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const SHOW: &str = "show";
const SHOW_CALLER: &str = "show-caller";
const QUIT: &str = "quit";

pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, SHOW, "Show Ringside", true, None::<&str>)?;
    let show_caller = MenuItem::with_id(app, SHOW_CALLER, "Show caller", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &show_caller, &quit])?;
    TrayIconBuilder::with_id("main")
        .icon(tauri::include_image!("../icons/32x32.png"))
        .tooltip("Ringside")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            SHOW => show_main_window(app),
            SHOW_CALLER => crate::popup::show(app),
            QUIT => app.exit(0),
            other => tracing::warn!(id = other, "unknown tray menu item"),
        })
        .build(app)?;
    Ok(())
}

fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        tracing::warn!("tray: the main window is gone");
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(err) = shown {
        tracing::warn!(%err, "tray: could not show the main window");
    }
}
