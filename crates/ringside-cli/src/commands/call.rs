//! `ringside call ring|answer|end …`: a softphone's "run on call" hook. The
//! event is validated here, then forwarded to the running intake's loopback
//! API (port and token from `RINGSIDE_HOME`). The listener on the recorded port
//! first proves it knows the token (`GET /v1/hello`), so a program holding a
//! stale port from a crashed run never receives it. With no Ringside listening,
//! `ring` looks the caller up and prints the pop in the terminal.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use ringside_core::events::hello::{self, Probe};
use ringside_core::events::token::{ApiToken, ENDPOINT_FILE, Endpoint};
use ringside_core::events::{CallEvent, CallEventKind, Direction, EventSource, WireEvent};

use super::pop_line;
use crate::args::{CallAction, CallArgs, CallDirection};

pub async fn run(args: CallArgs) -> anyhow::Result<()> {
    let wire = WireEvent {
        event: match args.action {
            CallAction::Ring => CallEventKind::Ring,
            CallAction::Answer => CallEventKind::Answer,
            CallAction::End => CallEventKind::End,
        },
        call_id: args.call_id.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        direction: Some(match args.direction {
            CallDirection::Inbound => Direction::Inbound,
            CallDirection::Outbound => Direction::Outbound,
        }),
        duration: args.duration,
        disposition: args.disposition.clone(),
    };
    // Refused here with the same rules the API applies, so a broken hook is
    // told at once what is wrong.
    let event = wire.clone().validate(EventSource::Local)?;
    let home = ringside_core::config::ringside_home()
        .context("no Ringside home: set RINGSIDE_HOME or HOME")?;
    match forward(&home, &event).await? {
        Forwarded::Accepted(port) => {
            eprintln!(
                "ringside: {} {} sent to the running Ringside on port {port}",
                event.event.as_str(),
                event.call_id
            );
            Ok(())
        }
        Forwarded::NobodyListening => match event.event {
            CallEventKind::Ring => pop_here(&args, &event).await,
            _ => bail!(
                "no Ringside is listening (start the app or `ringside listen`); \
                 `{}` events are only kept by a running Ringside",
                event.event.as_str()
            ),
        },
        Forwarded::Impostor { port, reason } => {
            let stale = format!(
                "no Ringside of this RINGSIDE_HOME is running on port {port} (recorded in {}): \
                 the program there {reason}; the event and the token were not sent. The file \
                 is stale if Ringside crashed: start the app or `ringside listen` again, which \
                 replaces it",
                home.join(ENDPOINT_FILE).display()
            );
            match event.event {
                CallEventKind::Ring => {
                    eprintln!("ringside: {stale}");
                    pop_here(&args, &event).await
                }
                _ => bail!("{stale}"),
            }
        }
    }
}

enum Forwarded {
    Accepted(u16),
    NobodyListening,
    /// Something listens on the recorded port but is not this Ringside.
    Impostor {
        port: u16,
        reason: String,
    },
}

/// One loopback round trip: enough for a running Ringside, short for a hook.
const HELLO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

async fn forward(home: &Path, event: &CallEvent) -> anyhow::Result<Forwarded> {
    let Some(endpoint) = Endpoint::read(home)? else {
        return Ok(Forwarded::NobodyListening);
    };
    let token = ApiToken::load(home)?;
    // The token goes only to a listener that proved it knows it already.
    match hello::probe(endpoint.port, &token, HELLO_TIMEOUT).await {
        Probe::Ringside => {}
        Probe::NotListening => return Ok(Forwarded::NobodyListening),
        Probe::NotRingside(reason) => {
            return Ok(Forwarded::Impostor {
                port: endpoint.port,
                reason,
            });
        }
    }
    let body = serde_json::json!({
        "event": event.event,
        "call_id": event.call_id,
        "from": event.from.as_str(),
        "to": event.to.as_ref().map(|to| to.as_str()),
        "direction": event.direction,
        "duration": event.duration_secs,
        "disposition": event.disposition,
    });
    let url = format!("http://127.0.0.1:{}/v1/events", endpoint.port);
    let client = reqwest::Client::builder()
        .no_proxy()
        // The proven listener answers itself; a redirect would carry the token elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .context("cannot build an HTTP client")?;
    let response = client
        .post(&url)
        .bearer_auth(token.expose())
        .json(&body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        // A stale endpoint file after a crash: nobody is there.
        Err(err) if err.is_connect() => return Ok(Forwarded::NobodyListening),
        Err(err) => {
            return Err(anyhow::Error::new(err).context("the running Ringside did not answer"));
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(Forwarded::Accepted(endpoint.port));
    }
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or(text);
    bail!("the running Ringside refused the event ({status}): {message}")
}

async fn pop_here(args: &CallArgs, event: &CallEvent) -> anyhow::Result<()> {
    eprintln!("ringside: no Ringside is listening; looking the caller up here");
    let org = crate::org::connect(args.org.as_deref()).await?;
    let pop = pop_line::screen_pop(org.client.clone())?;
    let shown = pop.pop(event.peer()).await;
    org.close().await;
    let line = if args.json {
        pop_line::json_line(event, &shown)?
    } else {
        pop_line::human_line(event, &shown)
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").context("cannot write to stdout")?;
    if args.json {
        return Ok(());
    }
    if let ringside_core::pop::Pop::Searched { result } = &shown {
        for (rank, found) in result.matches.iter().enumerate() {
            writeln!(
                stdout,
                "{:>3}. {} ({}) · {}",
                rank + 1,
                found.name,
                found.object.api_name(),
                found.id
            )
            .context("cannot write to stdout")?;
            for opportunity in &found.open_opportunities {
                writeln!(
                    stdout,
                    "     opportunity: {} · {} · {} · closes {}",
                    opportunity.name,
                    opportunity.stage.as_deref().unwrap_or("-"),
                    opportunity
                        .amount
                        .map_or("-".to_owned(), |a| format!("{a:.2}")),
                    opportunity.close_date.as_deref().unwrap_or("-")
                )
                .context("cannot write to stdout")?;
            }
            for case in &found.open_cases {
                writeln!(
                    stdout,
                    "     case: {} · {} · {}",
                    case.number.as_deref().unwrap_or("-"),
                    case.subject.as_deref().unwrap_or("-"),
                    case.status.as_deref().unwrap_or("-")
                )
                .context("cannot write to stdout")?;
            }
        }
    }
    Ok(())
}
