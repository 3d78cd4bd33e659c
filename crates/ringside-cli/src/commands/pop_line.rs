//! One line per call event with its pop, for `ringside listen` and the
//! terminal pop of `ringside call ring`: a sentence for people, or one JSON
//! object (`{"event","call_id","from","direction","matches":[…],…}`) for scripts.

use std::sync::Arc;

use anyhow::Context;
use ringside_core::clock::MonotonicClock;
use ringside_core::config::{Config, ringside_home};
use ringside_core::events::CallEvent;
use ringside_core::pop::{Pop, ScreenPop};
use ringside_core::{CallerLookup, LookupSettings};
use serde_json::json;

use crate::terminal_text::{safe_line, to_json};

/// The config file's lookup settings (region, object priority), else the defaults.
pub fn lookup_settings() -> anyhow::Result<LookupSettings> {
    let config = match ringside_home() {
        Some(home) => Config::load_from_home(&home)?,
        None => Config::default(),
    };
    Ok(config.lookup_settings())
}

/// A screen pop over an org client, with the real clock.
pub fn screen_pop(client: ringside_core::OrgClient) -> anyhow::Result<ScreenPop> {
    Ok(screen_pop_with(client, lookup_settings()?))
}

/// [`screen_pop`] with lookup settings the caller already read.
pub fn screen_pop_with(client: ringside_core::OrgClient, settings: LookupSettings) -> ScreenPop {
    ScreenPop::new(
        CallerLookup::new(client, settings),
        Arc::new(MonotonicClock::new()),
    )
}

/// The JSON line of an event and its pop.
pub fn json_line(event: &CallEvent, pop: &Pop) -> anyhow::Result<String> {
    let mut line = json!({
        "event": event.event,
        "call_id": event.call_id,
        "from": event.from.as_str(),
        "to": event.to.as_ref().map(|to| to.as_str()),
        "direction": event.direction,
        "duration": event.duration_secs,
        "disposition": event.disposition,
        "source": event.source,
        "matches": pop.matches(),
    });
    let extra = match pop {
        Pop::Searched { result } => json!({
            "status": "searched",
            "normalized": result.normalized,
            "cached": result.cached,
            "api_calls": result.api_calls,
            "left_out": result.left_out,
            "elapsed_ms": result.elapsed_ms,
        }),
        Pop::UnknownCaller { withheld, reason } => json!({
            "status": "unknown_caller",
            "withheld": withheld,
            "reason": reason,
        }),
        Pop::Failed {
            number,
            code,
            message,
        } => json!({
            "status": "failed",
            "normalized": number,
            "error": {"code": code, "message": message},
        }),
    };
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        line.extend(extra.clone());
    }
    to_json(&line).context("cannot write JSON")
}

/// The human line of an event and its pop. The call id, the number, the disposition and
/// the names come from the softphone and Salesforce, so the line goes through [`safe_line`].
pub fn human_line(event: &CallEvent, pop: &Pop) -> String {
    let line = raw_human_line(event, pop);
    safe_line(&line).into_owned()
}

fn raw_human_line(event: &CallEvent, pop: &Pop) -> String {
    let mut line = format!(
        "{:<6} {} {} ({})",
        event.event.as_str(),
        event.call_id,
        event.peer().as_str(),
        event.direction.as_str()
    );
    if let Some(seconds) = event.duration_secs {
        line.push_str(&format!(" {seconds}s"));
    }
    if let Some(disposition) = &event.disposition {
        line.push_str(&format!(" {disposition}"));
    }
    line.push_str(" → ");
    match pop {
        Pop::UnknownCaller { withheld: true, .. } => {
            line.push_str("unknown caller (number withheld)")
        }
        Pop::UnknownCaller { reason, .. } => line.push_str(&format!("unknown caller: {reason}")),
        Pop::Failed {
            number, message, ..
        } => line.push_str(&format!(
            "lookup failed: {message}; search {number} by hand"
        )),
        Pop::Searched { result } if result.matches.is_empty() => line.push_str(&format!(
            "no match for {}: create a Lead or Contact",
            result.normalized
        )),
        Pop::Searched { result } => {
            let best = &result.matches[0];
            line.push_str(&format!("{} ({})", best.name, best.object.api_name()));
            if let Some(company) = best.company.as_deref().filter(|c| *c != best.name) {
                line.push_str(&format!(" · {company}"));
            }
            if best.related_loaded {
                line.push_str(&format!(
                    " · {} open opportunit{}, {} open case{}",
                    best.open_opportunities.len(),
                    if best.open_opportunities.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    },
                    best.open_cases.len(),
                    if best.open_cases.len() == 1 { "" } else { "s" }
                ));
            }
            if result.matches.len() > 1 {
                line.push_str(&format!(" (+{} more)", result.matches.len() - 1));
            }
            if result.cached {
                line.push_str(" [cached]");
            }
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use ringside_core::events::{CallEventKind, CallerId, Direction, EventSource};

    use super::*;

    fn event(kind: CallEventKind, from: CallerId) -> CallEvent {
        CallEvent {
            event: kind,
            call_id: "c-9".into(),
            from,
            to: None,
            direction: Direction::Inbound,
            duration_secs: (kind == CallEventKind::End).then_some(42),
            disposition: (kind == CallEventKind::End).then(|| "answered".to_owned()),
            source: EventSource::Api,
        }
    }

    #[test]
    fn human_lines_say_what_happened_and_what_to_do() {
        let withheld = human_line(
            &event(CallEventKind::Ring, CallerId::Withheld),
            &Pop::UnknownCaller {
                withheld: true,
                reason: "the caller withheld their number".into(),
            },
        );
        assert_eq!(
            withheld,
            "ring   c-9 anonymous (inbound) → unknown caller (number withheld)"
        );
        let failed = human_line(
            &event(CallEventKind::End, CallerId::Number("+14155550123".into())),
            &Pop::Failed {
                number: "+14155550123".into(),
                code: ringside_core::ipc_code::IpcCode::Timeout,
                message: "Salesforce did not answer within 10 s".into(),
            },
        );
        assert!(
            failed.starts_with("end    c-9 +14155550123 (inbound) 42s answered → lookup failed")
                && failed.ends_with("search +14155550123 by hand"),
            "the number for a manual search: {failed}"
        );
    }

    #[test]
    fn listen_lines_show_terminal_escapes_in_data_as_text() {
        let line = human_line(
            &event(CallEventKind::Ring, CallerId::Number("+14155550123".into())),
            &Pop::Failed {
                number: "+14155550123".into(),
                code: ringside_core::ipc_code::IpcCode::SalesforceError,
                message: "no\u{1b}[2J\r\nring   c-0 forged\u{9b}31m\u{2066}".into(),
            },
        );
        assert!(
            !line.contains(['\u{1b}', '\r', '\n', '\u{9b}', '\u{2066}']),
            "the line holds no character a terminal interprets: {line:?}"
        );
        assert!(line.contains("no\\u{1b}[2J\\u{d}\\u{a}ring"), "{line}");
        let json = json_line(
            &event(CallEventKind::Ring, CallerId::Withheld),
            &Pop::UnknownCaller {
                withheld: false,
                reason: "x\u{1b}[2J\u{9b}\u{202e}".into(),
            },
        )
        .expect("serialises");
        assert!(
            !json.contains(['\u{1b}', '\u{9b}', '\u{202e}']),
            "--json escapes them too: {json:?}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            value["reason"], "x\u{1b}[2J\u{9b}\u{202e}",
            "a script still reads the value exactly"
        );
    }

    #[test]
    fn json_lines_carry_the_contract_fields() {
        let line = json_line(
            &event(CallEventKind::Ring, CallerId::Withheld),
            &Pop::UnknownCaller {
                withheld: true,
                reason: "withheld".into(),
            },
        )
        .expect("serialises");
        let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        for key in ["event", "call_id", "from", "direction", "matches"] {
            assert!(value.get(key).is_some(), "{key} is in every line: {line}");
        }
        assert_eq!(value["status"], "unknown_caller");
    }
}
