//! `ringside demo-org serve`: the demo org as its own process, for tests,
//! benchmarks and trying Ringside against a server you can poke.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;

use crate::args::DemoOrgCommand;

pub async fn run(command: DemoOrgCommand) -> anyhow::Result<()> {
    match command {
        DemoOrgCommand::Serve {
            port,
            latency_ms,
            api_limit,
            index_lag_ms,
            session_timeout_minutes,
        } => {
            let config = demo_org::DemoOrgConfig {
                port,
                latency: Duration::from_millis(latency_ms),
                api_limit,
                index_lag: Duration::from_millis(index_lag_ms),
                session_timeout: Duration::from_secs(session_timeout_minutes.saturating_mul(60)),
            };
            serve(config).await
        }
    }
}

async fn serve(config: demo_org::DemoOrgConfig) -> anyhow::Result<()> {
    let port = config.port;
    let org = demo_org::start(config)
        .await
        .with_context(|| format!("cannot start the demo org on 127.0.0.1:{port}"))?;
    // The base URL is the first line on stdout: scripts read it to find the server.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", org.base_url()).context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    drop(stdout);
    eprintln!("demo org listening; press Ctrl-C to stop");
    wait_for_stop_signal().await;
    org.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM from a test harness or service manager.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
