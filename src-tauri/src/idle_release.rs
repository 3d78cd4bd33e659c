//! What the app gives back once no window is open (Ringside in the tray, its pop-up closed
//! after `[pop] keep_loaded_secs`): WebKit's network process, the phone-number patterns
//! compiled for the callers' countries ([`ringside_core::phone::release_compiled_patterns`],
//! up to ~17 MB after calls from many countries; one country's are compiled again, once,
//! on its next call), and the freed heap memory glibc keeps for later (`malloc_trim`: the
//! closed pages' and the patterns' memory stays with the process otherwise; 13 MiB after a
//! 300-call soak, README performance).
//!
//! Why the network process: WebKitGTK starts one network process with the first page and
//! never stops it, even when no page is left (tauri keeps the web context for the app's life
//! for that reason: <https://github.com/tauri-apps/tauri/issues/14626>). With no page it does nothing, yet it
//! is about 34 MiB (PSS) of an app waiting in the tray for the next call. WebKit starts a new
//! one with the next page, as it does after the process crashed; its storage is on disk
//! (`tests/desktop/tray.test.mjs` checks the next ring's pop-up and Enter on it after a stop).
//! WebKitGTK has no call for this, so the process, a child of the app named by WebKit, is
//! sent SIGTERM.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

/// How long after the last window closed the process is stopped: the closed pages' web
/// processes end first, and a call ringing just after the close finds it still there.
const AFTER_LAST_WINDOW: Duration = Duration::from_secs(2);

/// The process name WebKitGTK gives its network process, as `/proc/PID/stat` shows it (the
/// kernel keeps the first 15 bytes of "WebKitNetworkProcess").
const NETWORK_PROCESS_COMM: &str = "WebKitNetworkPr";

/// Called when a window closed: if none is open [`AFTER_LAST_WINDOW`] later, gives back
/// what the module doc lists. Failures only cost memory: logged.
pub fn when_no_window<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(AFTER_LAST_WINDOW).await;
        if !app.webview_windows().is_empty() {
            return;
        }
        ringside_core::phone::release_compiled_patterns();
        #[cfg(target_os = "linux")]
        linux::stop_network_processes();
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        glibc::return_freed_memory();
    });
}

/// The pid in one `/proc/PID/stat` line if it is WebKit's network process started by
/// `parent`. The name sits in parentheses and may itself hold spaces or ')', so the fields
/// after it are read from the last ')'.
fn network_process_of(stat: &str, parent: i32) -> Option<i32> {
    let (head, tail) = stat.rsplit_once(')')?;
    let (pid, comm) = head.split_once(" (")?;
    let ppid = tail.split_whitespace().nth(1)?.parse::<i32>().ok()?;
    (comm == NETWORK_PROCESS_COMM && ppid == parent)
        .then(|| pid.trim().parse().ok())
        .flatten()
}

#[cfg(target_os = "linux")]
mod linux {
    use rustix::process::{Pid, Signal, getpid, kill_process};

    pub fn stop_network_processes() {
        let me = getpid().as_raw_nonzero().get();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        for entry in entries.flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let Some(pid) = super::network_process_of(&stat, me).and_then(Pid::from_raw) else {
                continue;
            };
            match kill_process(pid, Signal::TERM) {
                Ok(()) => tracing::info!(
                    pid = pid.as_raw_nonzero().get(),
                    "no window open: stopped WebKit's network process (the next page starts a new one)"
                ),
                Err(err) => tracing::warn!(%err, "could not stop WebKit's idle network process"),
            }
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// Hands the free pages of every malloc arena back to the kernel. glibc frees memory to
    /// the kernel only from the top of a heap, so what a closed page and the released
    /// patterns freed in the middle of the arenas would stay counted as the app's.
    #[allow(unsafe_code)]
    pub fn return_freed_memory() {
        // SAFETY: malloc_trim takes no pointer from us; it walks glibc's own arenas under
        // their locks and may be called from any thread at any time (malloc_trim(3)).
        let released = unsafe { libc::malloc_trim(0) };
        tracing::debug!(
            released = released == 1,
            "returned freed heap memory to the system"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_webkits_network_process_under_this_app_is_picked() {
        let stat = |pid: i32, comm: &str, ppid: i32| {
            format!("{pid} ({comm}) S {ppid} 25000 25000 0 -1 4194560 1500 0")
        };
        assert_eq!(
            network_process_of(&stat(4242, "WebKitNetworkPr", 100), 100),
            Some(4242)
        );
        assert_eq!(
            network_process_of(&stat(4243, "WebKitWebProces", 100), 100),
            None,
            "a web process is WebKit's to end with its page"
        );
        assert_eq!(
            network_process_of(&stat(4244, "WebKitNetworkPr", 7), 100),
            None,
            "another app's network process is left alone"
        );
        assert_eq!(
            network_process_of("4245 (odd) name) S 100 1 1", 100),
            None,
            "a name with ') ' in it is read up to the last ')'"
        );
        assert_eq!(network_process_of("garbage", 100), None);
    }
}
