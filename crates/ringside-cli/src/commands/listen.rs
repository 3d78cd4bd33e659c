//! `ringside listen`: the call-event intake headless. Serves the loopback
//! event API (and the baresip adapter when asked), looks every caller up and
//! prints one line per event with its pop until interrupted.
//!
//! Where to listen comes from the command line first, then ringside.toml's
//! `[pop]` table (`baresip`, `event_port`), the same settings the desktop app
//! reads, so a softphone hookup configured once works in both.

use std::io::Write;

use anyhow::Context;
use ringside_core::config::Config;
use ringside_core::events::EventStream;
use ringside_core::events::api::EventApi;
use ringside_core::events::baresip::{self, Backoff, BaresipConfig};
use ringside_core::pop::settings::{PopSettings, validate_host_port};
use tokio::sync::broadcast::error::RecvError;

use super::pop_line;
use crate::args::ListenArgs;

pub async fn run(args: ListenArgs) -> anyhow::Result<()> {
    if let Some(address) = &args.baresip {
        check_address(address)?;
    }
    let home = ringside_core::config::ringside_home()
        .context("no Ringside home: set RINGSIDE_HOME or HOME")?;
    // Read before connecting: a bad `[pop] baresip` is reported at once, naming the key.
    let config = Config::load_from_home(&home)?;
    let Intake { baresip, port } = intake(&args, &config.pop);
    let org = crate::org::connect(args.org.as_deref()).await?;
    let pop = pop_line::screen_pop_with(org.client.clone(), config.lookup_settings());
    let stream = EventStream::new();
    let mut events = stream.subscribe();
    let api = EventApi::start(&home, port, stream.clone())
        .await
        .context("cannot start the event API")?;
    let adapter = baresip.as_ref().map(|address| {
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
        baresip
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

/// Where this listener hears calls.
#[derive(Debug, PartialEq, Eq)]
struct Intake {
    /// baresip's ctrl_tcp `host:port`, or `None` for no adapter.
    baresip: Option<String>,
    /// The event API's port; 0 picks a free one.
    port: u16,
}

/// The command line wins over `[pop]`; the file's values were validated when it was read.
fn intake(args: &ListenArgs, pop: &PopSettings) -> Intake {
    Intake {
        baresip: args.baresip.clone().or_else(|| pop.baresip.clone()),
        port: args.port.or(pop.event_port).unwrap_or(0),
    }
}

/// `HOST:PORT` with a port, so a typo is a usage error now, not a reconnect loop forever.
/// The same rule as `[pop] baresip` in the config file.
fn check_address(address: &str) -> anyhow::Result<()> {
    validate_host_port(address).map_err(|reason| {
        anyhow::anyhow!("--baresip {address:?} is not HOST:PORT, e.g. 127.0.0.1:4444: {reason}")
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(baresip: Option<&str>, port: Option<u16>) -> ListenArgs {
        ListenArgs {
            baresip: baresip.map(str::to_owned),
            port,
            org: None,
            json: false,
        }
    }

    #[test]
    fn command_line_wins_over_the_pop_table() {
        let file = PopSettings {
            baresip: Some("127.0.0.1:4444".into()),
            event_port: Some(47123),
            ..PopSettings::default()
        };
        assert_eq!(
            intake(&args(None, None), &file),
            Intake {
                baresip: Some("127.0.0.1:4444".into()),
                port: 47123
            },
            "with no flags, the file's [pop] decides"
        );
        assert_eq!(
            intake(&args(Some("10.0.0.2:5555"), Some(0)), &file),
            Intake {
                baresip: Some("10.0.0.2:5555".into()),
                port: 0
            },
            "flags override the file, --port 0 included"
        );
        assert_eq!(
            intake(&args(None, None), &PopSettings::default()),
            Intake {
                baresip: None,
                port: 0
            },
            "neither: no adapter, a free port"
        );
    }

    #[test]
    fn a_bad_flag_address_is_refused_with_the_reason() {
        let err = check_address("127.0.0.1").expect_err("no port");
        assert!(err.to_string().contains("--baresip"), "{err}");
        check_address("localhost:14444").expect("a host and a port");
    }
}
