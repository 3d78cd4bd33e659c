//! The `ringside` command (DESIGN §6). Parses arguments, runs one command,
//! and turns its outcome into an exit code: 0 ok, 1 error (one line on
//! stderr), 2 usage error (clap's own exit code).

mod args;
mod commands;
mod demo;
mod org;
mod terminal_text;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr so `--json` output on stdout stays machine-readable.
/// `RUST_LOG` raises the level; the default shows only warnings.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// The error and its causes on one line, as the CLI contract promises.
fn one_line(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    // The error may quote data (a field value, Salesforce's message): shown, not interpreted.
    let joined = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    terminal_text::safe_line(&joined).into_owned()
}
