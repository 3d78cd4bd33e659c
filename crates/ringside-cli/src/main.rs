//! The `ringside` command (DESIGN §6). Parses arguments, runs one command,
//! and turns its outcome into an exit code: 0 ok, 1 error (one line on
//! stderr), 2 usage error (clap's own exit code).

mod args;
mod commands;
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

/// The error and its causes on one line, as the CLI contract promises. A cause whose text
/// the line already holds is left out: many errors quote their source (and sqlx's
/// "error returned from database: X" has X as its source again), which printed SQLite's
/// message three times.
fn one_line(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.is_empty() {
            text = cause;
        } else if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    // The error may quote data (a field value, Salesforce's message): shown, not interpreted.
    let joined = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    terminal_text::safe_line(&joined).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("opening the queue: {source}")]
    struct Quoting {
        source: Inner,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("(code: 14) unable to open database file")]
    struct Inner;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Silent {
        source: Inner,
    }

    #[test]
    fn an_error_that_quotes_its_cause_is_said_once() {
        let err = anyhow::Error::new(Quoting { source: Inner }).context("ringside.db");
        let line = one_line(&err);
        assert_eq!(
            line.matches("unable to open database file").count(),
            1,
            "the cause is said once: {line}"
        );
        assert_eq!(
            line,
            "ringside.db: opening the queue: (code: 14) unable to open database file"
        );
        let line = one_line(&anyhow::Error::new(Silent { source: Inner }));
        assert_eq!(
            line, "outer: (code: 14) unable to open database file",
            "a cause the message does not quote is still shown"
        );
    }
}
