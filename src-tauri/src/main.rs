//! The `ringside-desktop` binary; everything lives in the library.

// Why: without this a release build on Windows opens a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match ringside_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ringside: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
