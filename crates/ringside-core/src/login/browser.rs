//! Opening the authorize URL in the user's browser: the platform's opener (`xdg-open`,
//! `open`, `rundll32 url.dll`), or the program named by `RINGSIDE_BROWSER` — the way to
//! use a browser other than the system default (and how the desktop tests record the URL
//! instead of opening one). The variable names a program, run with the URL as its only
//! argument and no shell, so nothing in the URL is interpreted.

use std::process::{Command, Stdio};

use super::LoginError;

/// The environment variable naming a program to open sign-in pages with.
pub const BROWSER_VARIABLE: &str = "RINGSIDE_BROWSER";

/// Starts the browser on `url` and returns without waiting for it.
pub fn open_in_browser(url: &str) -> Result<(), LoginError> {
    let mut command = match std::env::var_os(BROWSER_VARIABLE).filter(|v| !v.is_empty()) {
        Some(program) => Command::new(program),
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(windows) => {
            // rundll32 takes the URL verbatim; `cmd /c start` would split it at `&`.
            let mut c = Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        }
        None => Command::new("xdg-open"),
    };
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| LoginError::Browser(format!("{program}: {e}")))?;
    // Reap the opener when it exits (it usually hands over to the browser at once), so no
    // zombie process is left behind in a long-running app.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
