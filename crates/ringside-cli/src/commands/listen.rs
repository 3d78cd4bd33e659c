//! `ringside listen`: the call-event intake headless. Serves the loopback
//! event API (and the baresip adapter when asked), looks every caller up and
//! prints one line per event with its pop until interrupted.

use std::io::Write;

use anyhow::Context;
use ringside_core::events::EventStream;
use ringside_core::events::api::EventApi;
use ringside_core::events::baresip::{self, Backoff, BaresipConfig};
use tokio::sync::broadcast::error::RecvError;

use super::pop_line;
use crate::args::ListenArgs;

pub async fn run(args: ListenArgs) -> anyhow::Result<()> {
    if let Some(address) = &args.baresip {
        check_address(address)?;
    }
    let home = ringside_core::config::ringside_home()
        .context("no Ringside home: set RINGSIDE_HOME or HOME")?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let pop = pop_line::screen_pop(org.client.clone())?;
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, args.port, stream.clone())
        .await
        .context("cannot start the event API")?;
    let adapter = args.baresip.as_ref().map(|address| {
        tokio::spawn(baresip::run(
            BaresipConfig {
                address: address.clone(),
                backoff: backoff_from_env(),
            },
            stream.clone(),
        ))
    });
    // stderr, so stdout carries only event lines; tests and scripts wait for this line.
    eprintln!(
        "ringside: listening for call events on http://{}/v1/events{}",
        api.address(),
        args.baresip
            .as_deref()
            .map(|a| format!(" and baresip ctrl_tcp at {a}"))
            .unwrap_or_default()
    );
    let outcome = loop {
        let received = tokio::select! {
            received = events.recv() => received,
            () = stop_signal() => break Ok(()),
        };
        let event = match received {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the terminal fell behind; some call events were not printed"
                );
                continue;
            }
            Err(RecvError::Closed) => break Ok(()),
        };
        let shown = pop.pop(event.peer()).await;
        let line = if args.json {
            pop_line::json_line(&event, &shown)?
        } else {
            pop_line::human_line(&event, &shown)
        };
        let mut stdout = std::io::stdout().lock();
        if let Err(err) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
            break Err(anyhow::Error::new(err).context("cannot write to stdout"));
        }
    };
    if let Some(adapter) = adapter {
        adapter.abort();
    }
    api.shutdown().await;
    org.close().await;
    outcome
}

/// `HOST:PORT` with a port, so a typo is a usage error now, not a reconnect loop forever.
fn check_address(address: &str) -> anyhow::Result<()> {
    let port = address
        .rsplit_once(':')
        .map(|(host, port)| (host, port.parse::<u16>()));
    match port {
        Some((host, Ok(port))) if !host.is_empty() && port != 0 => Ok(()),
        _ => anyhow::bail!("--baresip {address:?} is not HOST:PORT, e.g. 127.0.0.1:4444"),
    }
}

/// `RINGSIDE_BARESIP_BACKOFF_MS=initial,max` shortens reconnects for tests.
fn backoff_from_env() -> Backoff {
    let parsed = std::env::var("RINGSIDE_BARESIP_BACKOFF_MS")
        .ok()
        .and_then(|v| {
            let (initial, max) = v.split_once(',')?;
            Some(Backoff {
                initial: std::time::Duration::from_millis(initial.trim().parse().ok()?),
                max: std::time::Duration::from_millis(max.trim().parse().ok()?),
            })
        });
    parsed.unwrap_or_default()
}

/// Ctrl-C, or SIGTERM from a test harness or service manager.
async fn stop_signal() {
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
