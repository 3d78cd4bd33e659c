//! WebKitGTK settings that keep the app's memory small (DESIGN §8: every process together
//! ≤ 150 MB). The app shows two small local pages, not the web, so WebKit's defaults for a
//! browser cost memory for nothing:
//! - the cache model: `WebBrowser` keeps decoded pages and resources in memory for going
//!   back and forth between sites; `DocumentViewer` keeps none (the pages are embedded in
//!   the binary, served at once);
//! - the back/forward page cache: the windows never navigate back;
//! - GPU compositing: on software GL (Mesa llvmpipe, the common case in a VM or a remote
//!   desktop) it renders layers through LLVM-generated code and keeps GL buffers per layer;
//!   a form and a list do not need it (`WEBKIT_DISABLE_COMPOSITING_MODE=1` does the same);
//! - the DMA-BUF renderer (web process paints into GL buffers the app process shows): it
//!   has no setting, only `WEBKIT_DISABLE_DMABUF_RENDERER=1`, read by WebKit when the first
//!   web view is made and inherited by the web process, so [`before_webkit_starts`] sets it;
//! - JavaScriptCore's JIT compilers: the pages run a few small handlers per call, which the
//!   interpreter runs as fast for what an agent sees (the pop-up shows the caller in the same
//!   time with and without it: README, performance), while the JIT's compiled code and its
//!   bookkeeping grew the web process by about a third more per call in the soak. JSC reads
//!   `JSC_useJIT` from the environment when it starts, in the app and in the web process.
//!
//! The numbers each setting saved are in the README's performance section
//! (`scripts/bench-desktop.sh` measures them).

use tauri::{Runtime, WebviewWindow};

/// Turns WebKit's DMA-BUF renderer and JavaScriptCore's JIT off for this process and the
/// web processes it starts, unless the user set either variable themselves. Call it first in `run`:
/// the environment is changed before any other thread exists (tracing and tauri start none
/// before), so nothing reads it concurrently.
pub fn before_webkit_starts() {
    #[cfg(target_os = "linux")]
    for (name, value, what) in [
        (DMABUF_RENDERER_OFF, "1", "WebKit's DMA-BUF renderer"),
        (JAVASCRIPT_JIT, "0", "JavaScriptCore's JIT"),
    ] {
        if let Err(err) = webkit2gtk::glib::setenv(name, value, false) {
            tracing::warn!(%err, "could not turn {what} off");
        }
    }
}

/// WebKitGTK's switch for the DMA-BUF renderer (see the module doc).
pub const DMABUF_RENDERER_OFF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// JavaScriptCore's option for its JIT compilers (see the module doc); `0` leaves the
/// interpreter. A user who sets it keeps their value.
pub const JAVASCRIPT_JIT: &str = "JSC_useJIT";

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
