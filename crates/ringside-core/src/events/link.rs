//! `tel:` and `ringside://call?…` links, parsed into what they ask for. A pure
//! function: the desktop shell registers the schemes and hands links here.
//!
//! - `ringside://call?event=ring&call_id=ID&from=N[&to=N][&direction=inbound|outbound][&duration=S][&disposition=D][&secret=T]`
//!   is validated exactly like the loopback API's JSON body.
//! - `tel:+1-415-555-0123` (RFC 3966) asks to show the caller for that number.
//!
//! Any local program, and any web page the browser lets open the scheme, can open a link.
//! So a link may only pop the caller ([`CallLink::Pop`]) unless it carries the per-install
//! secret (`secret=` holding the event API token from `RINGSIDE_HOME/event-api.token`):
//! only then is it a call event ([`CallLink::Event`]) that can open and auto-log a call log.
//! Without it a `ring` or `answer` pops the caller and an `end` is refused. The secret is
//! never part of an error message.

use thiserror::Error;

use super::EventStream;
use super::model::{
    CallEvent, CallEventKind, CallerId, Direction, EventError, EventSource, WireEvent,
    parse_caller_id,
};
use super::token::ApiToken;

/// Longest link accepted.
pub const MAX_LINK_CHARS: usize = 4096;

/// What a link may do. Only [`parse_link`] makes an `Event`, and only for a link that
/// carries the secret, so whoever handles links cannot forget the check.
#[derive(Debug, Clone, PartialEq)]
pub enum CallLink {
    /// A call event for the stream (the link carried the per-install secret).
    Event(CallEvent),
    /// Show who this number is and nothing more: a `tel:` link, or a `ringside://call`
    /// ring or answer without the secret. Never a call, never a call log.
    Pop(CallerId),
}

/// Why a link is refused; each says what a good link looks like.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("the link is {0} characters long; at most {MAX_LINK_CHARS}")]
    TooLong(usize),
    #[error(
        "not a link Ringside handles: {0}; use tel:+14155550123 or ringside://call?event=ring&call_id=…&from=…"
    )]
    UnknownScheme(String),
    #[error("the link is not a valid URL: {0}")]
    NotAUrl(String),
    #[error("ringside://{0} is not a Ringside link; only ringside://call?… is")]
    UnknownAction(String),
    #[error("the link's `{0}` parameter is given twice")]
    Repeated(String),
    #[error("the link has an unknown parameter `{0}`")]
    UnknownParameter(String),
    #[error("the link's `{0}` parameter is missing")]
    Missing(&'static str),
    #[error("the link's `{field}` parameter is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the tel: link holds no number")]
    EmptyTel,
    #[error(
        "a ringside://call link without `secret` may only pop the caller (event=ring or \
         answer), not end a call; add secret=<the token in RINGSIDE_HOME/event-api.token> \
         or send the event to the event API"
    )]
    EndNeedsSecret,
    #[error(
        "the link's `secret` is not this Ringside's; use the token in \
         RINGSIDE_HOME/event-api.token (the link was ignored)"
    )]
    WrongSecret,
}

/// Parses a link; `secret` is this install's event API token (`None` when it cannot be
/// read: then every link only pops).
pub fn parse_link(link: &str, secret: Option<&ApiToken>) -> Result<CallLink, LinkError> {
    let link = link.trim();
    let chars = link.chars().count();
    if chars > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(chars));
    }
    let scheme = link
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match scheme.as_str() {
        "tel" => parse_tel(link.get(4..).unwrap_or_default()),
        "ringside" => parse_ringside(link, secret),
        _ => Err(LinkError::UnknownScheme(
            link.chars()
                .take(40)
                .collect::<String>()
                .escape_debug()
                .to_string(),
        )),
    }
}

fn parse_tel(rest: &str) -> Result<CallLink, LinkError> {
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| LinkError::Invalid {
            field: "tel",
            reason: "not UTF-8 after percent-decoding".into(),
        })?;
    // RFC 3966 parameters (`;ext=`, `;phone-context=`) follow the number.
    let number = decoded.split(';').next().unwrap_or_default().trim();
    if number.is_empty() {
        return Err(LinkError::EmptyTel);
    }
    match parse_caller_id(number) {
        Ok(CallerId::Withheld) => Err(LinkError::EmptyTel),
        Ok(id) => Ok(CallLink::Pop(id)),
        Err(reason) => Err(LinkError::Invalid {
            field: "tel",
            reason,
        }),
    }
}

fn parse_ringside(link: &str, secret: Option<&ApiToken>) -> Result<CallLink, LinkError> {
    let url = url::Url::parse(link).map_err(|err| LinkError::NotAUrl(err.to_string()))?;
    let action = url.host_str().unwrap_or_default();
    let action = if action.is_empty() {
        url.path().trim_matches('/')
    } else {
        action
    };
    if !action.eq_ignore_ascii_case("call") {
        return Err(LinkError::UnknownAction(action.chars().take(40).collect()));
    }
    let mut params: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (key, value) in url.query_pairs() {
        let key = key.into_owned();
        if !matches!(
            key.as_str(),
            "event"
                | "call_id"
                | "from"
                | "to"
                | "direction"
                | "duration"
                | "disposition"
                | "secret"
        ) {
            return Err(LinkError::UnknownParameter(key.chars().take(40).collect()));
        }
        if params.insert(key.clone(), value.into_owned()).is_some() {
            return Err(LinkError::Repeated(key));
        }
    }
    // Checked first: a wrong secret is refused whatever else the link says.
    let authorised = match params.remove("secret") {
        None => false,
        Some(presented) => match secret {
            Some(token) if token.matches(presented.trim()) => true,
            _ => return Err(LinkError::WrongSecret),
        },
    };
    let event = match params.get("event").map(String::as_str) {
        Some("ring") => CallEventKind::Ring,
        Some("answer") => CallEventKind::Answer,
        Some("end") => CallEventKind::End,
        Some(other) => {
            return Err(LinkError::Invalid {
                field: "event",
                reason: format!(
                    "{:?} is not ring, answer or end",
                    other.chars().take(40).collect::<String>()
                ),
            });
        }
        None => return Err(LinkError::Missing("event")),
    };
    let direction = match params.get("direction").map(String::as_str) {
        None => None,
        Some("inbound") => Some(Direction::Inbound),
        Some("outbound") => Some(Direction::Outbound),
        Some(_) => {
            return Err(LinkError::Invalid {
                field: "direction",
                reason: "use inbound or outbound".into(),
            });
        }
    };
    let duration = params
        .get("duration")
        .map(|d| d.parse::<u64>())
        .transpose()
        .map_err(|_| LinkError::Invalid {
            field: "duration",
            reason: "whole seconds from 0 to 86400 (24 hours), e.g. 42".into(),
        })?;
    let wire = WireEvent {
        event,
        call_id: params
            .remove("call_id")
            .ok_or(LinkError::Missing("call_id"))?,
        from: params.remove("from").ok_or(LinkError::Missing("from"))?,
        to: params.remove("to"),
        direction,
        duration,
        disposition: params.remove("disposition"),
    };
    let event = wire.validate(EventSource::Link).map_err(|err| match err {
        EventError::InvalidField { field, reason } => LinkError::Invalid { field, reason },
        other => LinkError::Invalid {
            field: "link",
            reason: other.to_string(),
        },
    })?;
    if authorised {
        return Ok(CallLink::Event(event));
    }
    match event.event {
        CallEventKind::Ring | CallEventKind::Answer => Ok(CallLink::Pop(event.peer().clone())),
        CallEventKind::End => Err(LinkError::EndNeedsSecret),
    }
}

/// What handling a link did.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkOutcome {
    /// A call event (the link carried the secret) went onto the stream.
    Published,
    /// Pop this caller; nothing went onto the stream.
    Pop(CallerId),
}

/// Links into the intake: parsed with this install's secret, and only links that carried
/// it reach the [`EventStream`] (where an `end` opens a log form that is auto-logged).
#[derive(Debug, Clone)]
pub struct LinkIntake {
    secret: Option<ApiToken>,
    events: EventStream,
}

impl LinkIntake {
    pub fn new(secret: Option<ApiToken>, events: EventStream) -> Self {
        LinkIntake { secret, events }
    }

    /// Handles one link: publishes it when it is a call event, else says whom to pop.
    pub fn handle(&self, link: &str) -> Result<LinkOutcome, LinkError> {
        match parse_link(link, self.secret.as_ref())? {
            CallLink::Event(event) => {
                self.events.publish(event);
                Ok(LinkOutcome::Published)
            }
            CallLink::Pop(caller) => Ok(LinkOutcome::Pop(caller)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> ApiToken {
        // One home per call: the tests run in parallel and each removes its own.
        let home = std::env::temp_dir().join(format!(
            "ringside-link-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let token = ApiToken::load_or_create(&home).expect("a token");
        let _ = std::fs::remove_dir_all(&home);
        token
    }

    #[test]
    fn ringside_links_with_the_secret_become_events() {
        let token = token();
        let link = format!(
            "ringside://call?event=end&call_id=abc%201&from=%2B14155550123&direction=inbound&duration=42&disposition=answered&secret={}",
            token.expose()
        );
        let Ok(CallLink::Event(event)) = parse_link(&link, Some(&token)) else {
            panic!("a valid end event link")
        };
        assert_eq!(event.event, CallEventKind::End);
        assert_eq!(
            Ok(event.call_id),
            crate::call_log::external_call_id("abc 1"),
            "percent-decoded, then the one call-id rule (a space cannot be in an External ID)"
        );
        assert_eq!(event.from, CallerId::Number("+14155550123".into()));
        assert_eq!(event.duration_secs, Some(42));
        assert_eq!(event.source, EventSource::Link);
    }

    #[test]
    fn links_without_the_secret_only_pop() {
        let token = token();
        assert_eq!(
            parse_link(
                "ringside://call?event=ring&call_id=c&from=%2B14155550123",
                Some(&token)
            ),
            Ok(CallLink::Pop(CallerId::Number("+14155550123".into()))),
            "a ring without the secret pops the caller, it is no call event"
        );
        assert_eq!(
            parse_link(
                "ringside://call?event=answer&call_id=c&from=%2B14155550123&to=%2B4930123&direction=outbound",
                Some(&token)
            ),
            Ok(CallLink::Pop(CallerId::Number("+4930123".into()))),
            "an answer without the secret pops the other party"
        );
        for end in [
            "ringside://call?event=end&call_id=c&from=%2B14155550123&duration=42",
            "ringside://call?event=end&call_id=c&from=%2B14155550123",
        ] {
            assert_eq!(
                parse_link(end, Some(&token)),
                Err(LinkError::EndNeedsSecret),
                "an end without the secret never reaches the log forms: {end}"
            );
        }
        let wrong = format!(
            "ringside://call?event=end&call_id=c&from=1&secret={}",
            "0".repeat(64)
        );
        let err = parse_link(&wrong, Some(&token)).expect_err("a wrong secret is refused");
        assert_eq!(err, LinkError::WrongSecret);
        assert!(!err.to_string().contains(&"0".repeat(64)), "{err}");
        let right = format!(
            "ringside://call?event=end&call_id=c&from=1&secret={}",
            token.expose()
        );
        assert_eq!(
            parse_link(&right, None),
            Err(LinkError::WrongSecret),
            "without a known token no secret is right"
        );
        let twice = format!("{right}&secret={}", token.expose());
        let err = parse_link(&twice, Some(&token)).expect_err("twice");
        assert!(
            !err.to_string().contains(token.expose()),
            "errors never show the secret: {err}"
        );
    }

    #[test]
    fn tel_links_show_the_number() {
        assert_eq!(
            parse_link("tel:+1-415-555-0123;ext=7", None),
            Ok(CallLink::Pop(CallerId::Number("+1-415-555-0123".into()))),
            "parameters after ; are not part of the number"
        );
        assert_eq!(
            parse_link("TEL:%2B14155550123", None),
            Ok(CallLink::Pop(CallerId::Number("+14155550123".into())))
        );
    }

    #[test]
    fn upper_case_link_schemes_are_accepted() {
        // RFC 3986 §3.1: schemes are case-insensitive; §3.2.2: so is the host (the action).
        for link in [
            "RINGSIDE://call?event=ring&call_id=c&from=%2B14155550123",
            "Ringside://CALL?event=ring&call_id=c&from=%2B14155550123",
        ] {
            assert!(
                matches!(parse_link(link, None), Ok(CallLink::Pop(_))),
                "{link} is the same link as ringside://call?…: {:?}",
                parse_link(link, None)
            );
        }
        assert_eq!(
            parse_link("Tel:+14155550123", None),
            Ok(CallLink::Pop(CallerId::Number("+14155550123".into()))),
            "a mixed-case tel: scheme is still tel:"
        );
    }

    #[test]
    fn broken_links_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("tel:", "holds no number"),
            ("tel:call-me", "letter"),
            ("mailto:x@y", "not a link Ringside handles"),
            ("ringside://dial?from=1", "only ringside://call"),
            (
                "ringside://call?call_id=c&from=1",
                "`event` parameter is missing",
            ),
            (
                "ringside://call?event=ring&from=1",
                "`call_id` parameter is missing",
            ),
            (
                "ringside://call?event=ring&call_id=c",
                "`from` parameter is missing",
            ),
            (
                "ringside://call?event=hold&call_id=c&from=1",
                "not ring, answer or end",
            ),
            (
                "ringside://call?event=ring&call_id=c&from=1&from=2",
                "given twice",
            ),
            (
                "ringside://call?event=ring&call_id=c&from=1&token=x",
                "unknown parameter `token`",
            ),
            (
                "ringside://call?event=end&call_id=c&from=1&duration=-3",
                "whole seconds",
            ),
            (
                "ringside://call?event=end&call_id=c&from=1&duration=4000000000",
                "at most 86400 s",
            ),
            (
                "ringside://call?event=end&call_id=c&from=1&duration=18446744073709551616",
                "0 to 86400",
            ),
            (
                "ringside://call?event=ring&call_id=c&from=abc",
                "`from` parameter is invalid",
            ),
            (
                "ringside://call?event=ring&call_id=c&from=1&direction=sideways",
                "inbound or outbound",
            ),
        ];
        for (link, expected) in cases {
            let err = parse_link(link, None).expect_err(link);
            assert!(err.to_string().contains(expected), "{link}: {err}");
        }
        let huge = format!(
            "ringside://call?event=ring&call_id={}&from=1",
            "x".repeat(5000)
        );
        assert!(
            matches!(parse_link(&huge, None), Err(LinkError::TooLong(_))),
            "oversized link"
        );
    }
}
