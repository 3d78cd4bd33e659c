//! WebKitGTK settings that keep the app's memory small (DESIGN §8: every process together
//! ≤ 150 MB). The app shows two small local pages, not the web, so WebKit's defaults for a
//! browser cost memory for nothing:
//! - the cache model: `WebBrowser` keeps decoded pages and resources in memory for going
//!   back and forth between sites; `DocumentViewer` keeps none (the pages are embedded in
//!   the binary, served at once);
//! - the back/forward page cache: the windows never navigate back;
//! - GPU compositing: on software GL (Mesa llvmpipe, the common case in a VM or a remote
//!   desktop) it renders layers through LLVM-generated code and keeps GL buffers per layer;
//!   a form and a list do not need it (`WEBKIT_DISABLE_COMPOSITING_MODE=1` does the same).
//!
//! The numbers each setting saved are in the README's performance section
//! (`scripts/bench-desktop.sh` measures them).

use tauri::{Runtime, WebviewWindow};

/// Applies the settings to `window`'s web view. A failure only costs memory: logged.
pub fn tune<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    if let Err(err) = window.with_webview(|webview| linux::tune(&webview.inner())) {
        tracing::warn!(%err, label = window.label(), "could not apply the web view's memory settings");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebView, WebViewExt,
    };

    pub fn tune(view: &WebView) {
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(view) {
            settings.set_enable_page_cache(false);
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    }
}
