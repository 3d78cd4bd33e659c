//! The baresip adapter: connects to baresip's `ctrl_tcp` module, reads its
//! netstring JSON events and turns them into [`CallEvent`]s.
//!
//! baresip sends no timestamps or durations, so [`CallTracker`] measures
//! answer and hang-up times itself; a `CALL_CLOSED` without a
//! `CALL_ESTABLISHED` is a missed call. `ctrl_tcp` serves one client and
//! baresip may not be running yet or may restart: [`run`] reconnects with
//! backoff forever and never gives up or panics on what it reads.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::EventStream;
use super::model::{CallEvent, CallEventKind, CallerId, Direction, EventSource, parse_caller_id};
use super::netstring::{NetstringDecoder, NetstringError};

/// Calls tracked at once; a softphone that never closes calls cannot grow memory.
const MAX_TRACKED_CALLS: usize = 256;

/// How long to wait between connection attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait after a failure.
    pub initial: Duration,
    /// The longest wait; doubling stops here.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

/// Where baresip's `ctrl_tcp` listens, and how to retry.
#[derive(Debug, Clone)]
pub struct BaresipConfig {
    /// `host:port` of `ctrl_tcp_listen`, e.g. `127.0.0.1:4444`.
    pub address: String,
    pub backoff: Backoff,
}

/// One baresip message (an event or a command response).
#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    event: bool,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    peeruri: String,
    #[serde(default)]
    accountaor: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    param: String,
}

/// What is known about a call in progress.
#[derive(Debug)]
struct Tracked {
    started: Instant,
    answered: Option<Instant>,
    direction: Direction,
    peer: CallerId,
    local: Option<CallerId>,
}

impl Tracked {
    /// A call Ringside sees for the first time at `now`, not yet answered.
    fn first_seen(message: &Message, direction: Direction, now: Instant) -> Tracked {
        Tracked {
            started: now,
            answered: None,
            direction,
            peer: peer_of(&message.peeruri),
            local: local_of(&message.accountaor),
        }
    }
}

/// The direction baresip states on an event; anything but "outgoing" is inbound.
fn stated_direction(message: &Message) -> Direction {
    if message.direction == "outgoing" {
        Direction::Outbound
    } else {
        Direction::Inbound
    }
}

/// Turns baresip's events into ring / answer / end, measuring times itself.
#[derive(Debug, Default)]
pub struct CallTracker {
    calls: HashMap<String, Tracked>,
}

impl CallTracker {
    pub fn new() -> Self {
        CallTracker::default()
    }

    /// Reads one netstring payload. `Ok(None)` for messages that are not call
    /// events Ringside cares about; `Err` with the reason for garbage.
    pub fn on_payload(
        &mut self,
        payload: &[u8],
        now: Instant,
    ) -> Result<Option<CallEvent>, String> {
        let message: Message = serde_json::from_slice(payload)
            .map_err(|err| format!("a baresip message is not the JSON expected: {err}"))?;
        if !message.event || message.class != "call" {
            return Ok(None);
        }
        Ok(self.on_message(message, now))
    }

    fn on_message(&mut self, message: Message, now: Instant) -> Option<CallEvent> {
        let id = message.id.trim().to_owned();
        if id.is_empty() {
            // The first event of an outgoing call may carry no id; a later one will.
            tracing::debug!(kind = %message.kind, "baresip call event without a call id ignored");
            return None;
        }
        match message.kind.as_str() {
            "CALL_INCOMING" | "CALL_OUTGOING" | "CALL_RINGING" => {
                if self.calls.contains_key(&id) {
                    return None;
                }
                let direction =
                    if message.direction == "outgoing" || message.kind != "CALL_INCOMING" {
                        Direction::Outbound
                    } else {
                        Direction::Inbound
                    };
                self.evict_if_full();
                let tracked = Tracked::first_seen(&message, direction, now);
                let event = self.event(CallEventKind::Ring, &id, &tracked, None, None);
                self.calls.insert(id, tracked);
                Some(event)
            }
            "CALL_ESTABLISHED" => {
                // Ringside started after the ring: count from now.
                let tracked = self.calls.entry(id.clone()).or_insert_with(|| {
                    Tracked::first_seen(&message, stated_direction(&message), now)
                });
                tracked.answered.get_or_insert(now);
                let tracked = &self.calls[&id];
                Some(self.event(CallEventKind::Answer, &id, tracked, None, None))
            }
            "CALL_CLOSED" => {
                let tracked = self.calls.remove(&id).unwrap_or_else(|| {
                    Tracked::first_seen(&message, stated_direction(&message), now)
                });
                let (duration, disposition) = match tracked.answered {
                    Some(answered) => (
                        now.saturating_duration_since(answered).as_secs(),
                        "answered",
                    ),
                    None if tracked.direction == Direction::Inbound => (0, "missed"),
                    None => (0, "no_answer"),
                };
                tracing::debug!(reason = %message.param, disposition, "baresip call closed");
                Some(self.event(
                    CallEventKind::End,
                    &id,
                    &tracked,
                    Some(duration),
                    Some(disposition.to_owned()),
                ))
            }
            _ => None,
        }
    }

    fn event(
        &self,
        kind: CallEventKind,
        id: &str,
        tracked: &Tracked,
        duration_secs: Option<u64>,
        disposition: Option<String>,
    ) -> CallEvent {
        let (from, to) = match tracked.direction {
            Direction::Inbound => (tracked.peer.clone(), tracked.local.clone()),
            Direction::Outbound => (
                tracked.local.clone().unwrap_or(CallerId::Withheld),
                Some(tracked.peer.clone()),
            ),
        };
        CallEvent {
            event: kind,
            call_id: id.to_owned(),
            from,
            to,
            direction: tracked.direction,
            duration_secs,
            disposition,
            source: EventSource::Baresip,
        }
    }

    fn evict_if_full(&mut self) {
        if self.calls.len() < MAX_TRACKED_CALLS {
            return;
        }
        if let Some(oldest) = self
            .calls
            .iter()
            .min_by_key(|(_, t)| t.started)
            .map(|(id, _)| id.clone())
        {
            tracing::warn!(
                "more than {MAX_TRACKED_CALLS} open calls from baresip; forgetting the oldest"
            );
            self.calls.remove(&oldest);
        }
    }
}

/// The remote party from `peeruri`: a number, or withheld (anonymous or a
/// SIP user name that is not a number, which cannot be searched either).
fn peer_of(peeruri: &str) -> CallerId {
    match parse_caller_id(peeruri) {
        Ok(id) => id,
        Err(reason) => {
            tracing::warn!(%reason, "baresip reported a caller that is not a number; popping unknown caller");
            CallerId::Withheld
        }
    }
}

fn local_of(accountaor: &str) -> Option<CallerId> {
    match parse_caller_id(accountaor) {
        Ok(CallerId::Number(number)) => Some(CallerId::Number(number)),
        _ => None,
    }
}

/// Why one connection to baresip ended.
#[derive(Debug)]
enum Disconnect {
    Closed,
    Io(std::io::Error),
    Framing(NetstringError),
}

/// Runs the adapter until the stream has no subscribers left... and even then
/// keeps reconnecting: it ends only when its task is aborted. Logs every
/// connection failure and every refused message with its reason.
pub async fn run(config: BaresipConfig, events: EventStream) {
    let mut wait = config.backoff.initial;
    loop {
        match TcpStream::connect(&config.address).await {
            Ok(stream) => {
                tracing::info!(address = %config.address, "connected to baresip ctrl_tcp");
                let mut tracker = CallTracker::new();
                let outcome = read_events(stream, &mut tracker, &events).await;
                match outcome {
                    Disconnect::Closed => {
                        tracing::warn!(address = %config.address, "baresip closed the connection; reconnecting")
                    }
                    Disconnect::Io(err) => {
                        tracing::warn!(address = %config.address, error = %err, "lost the baresip connection; reconnecting")
                    }
                    Disconnect::Framing(err) => {
                        tracing::warn!(address = %config.address, error = %err, "baresip sent a broken netstring; reconnecting")
                    }
                }
                // A connection that worked resets the backoff.
                wait = config.backoff.initial;
            }
            Err(err) => {
                tracing::warn!(address = %config.address, error = %err, retry_in_ms = wait.as_millis() as u64, "cannot reach baresip ctrl_tcp");
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(config.backoff.max);
    }
}

async fn read_events(
    mut stream: TcpStream,
    tracker: &mut CallTracker,
    events: &EventStream,
) -> Disconnect {
    let mut decoder = NetstringDecoder::default();
    let mut buffer = [0u8; 4096];
    loop {
        let read = match stream.read(&mut buffer).await {
            Ok(0) => {
                if let Err(err) = decoder.finish() {
                    tracing::warn!(error = %err, "baresip's last message was cut off");
                }
                return Disconnect::Closed;
            }
            Ok(n) => n,
            Err(err) => return Disconnect::Io(err),
        };
        decoder.push(&buffer[..read]);
        loop {
            match decoder.next_frame() {
                Ok(Some(payload)) => match tracker.on_payload(&payload, Instant::now()) {
                    Ok(Some(event)) => events.publish(event),
                    Ok(None) => {}
                    Err(reason) => tracing::warn!(%reason, "baresip message ignored"),
                },
                Ok(None) => break,
                Err(err) => return Disconnect::Framing(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(kind: &str, id: &str) -> Vec<u8> {
        format!(
            r#"{{"event":true,"type":"{kind}","class":"call","accountaor":"sip:agent@127.0.0.1","direction":"incoming","peeruri":"sip:+14155550123@127.0.0.1:5070;user=phone","peerdisplayname":"Jane Caller","id":"{id}","param":""}}"#
        )
        .into_bytes()
    }

    #[tokio::test(start_paused = true)]
    async fn answered_call_measures_talk_time() {
        let mut tracker = CallTracker::new();
        let start = Instant::now();
        let ring = tracker
            .on_payload(&incoming("CALL_INCOMING", "c1"), start)
            .expect("valid")
            .expect("a ring");
        assert_eq!(ring.event, CallEventKind::Ring);
        assert_eq!(
            ring.from,
            CallerId::Number("+14155550123".into()),
            "peeruri → number"
        );
        assert_eq!(ring.direction, Direction::Inbound);
        let answer = tracker
            .on_payload(
                &incoming("CALL_ESTABLISHED", "c1"),
                start + Duration::from_secs(3),
            )
            .expect("valid")
            .expect("an answer");
        assert_eq!(answer.event, CallEventKind::Answer);
        let end = tracker
            .on_payload(
                &incoming("CALL_CLOSED", "c1"),
                start + Duration::from_secs(45),
            )
            .expect("valid")
            .expect("an end");
        assert_eq!(
            end.duration_secs,
            Some(42),
            "talk time runs from answer to hang-up"
        );
        assert_eq!(end.disposition.as_deref(), Some("answered"));
    }

    #[tokio::test(start_paused = true)]
    async fn closed_without_established_is_missed() {
        let mut tracker = CallTracker::new();
        let now = Instant::now();
        tracker
            .on_payload(&incoming("CALL_INCOMING", "c2"), now)
            .expect("valid");
        let end = tracker
            .on_payload(
                &incoming("CALL_CLOSED", "c2"),
                now + Duration::from_secs(20),
            )
            .expect("valid")
            .expect("an end");
        assert_eq!(end.disposition.as_deref(), Some("missed"), "never answered");
        assert_eq!(end.duration_secs, Some(0), "no talk time");
    }

    #[tokio::test(start_paused = true)]
    async fn anonymous_callers_and_noise() {
        let mut tracker = CallTracker::new();
        let now = Instant::now();
        let anonymous = br#"{"event":true,"type":"CALL_INCOMING","class":"call","direction":"incoming","peeruri":"sip:anonymous@anonymous.invalid","id":"c3"}"#;
        let ring = tracker
            .on_payload(anonymous, now)
            .expect("valid")
            .expect("a ring");
        assert_eq!(ring.from, CallerId::Withheld, "anonymous → unknown caller");
        let letters = br#"{"event":true,"type":"CALL_INCOMING","class":"call","direction":"incoming","peeruri":"sip:bob@example.com","id":"c4"}"#;
        let ring = tracker
            .on_payload(letters, now)
            .expect("valid")
            .expect("a ring");
        assert_eq!(
            ring.from,
            CallerId::Withheld,
            "a SIP user name cannot be searched"
        );
        for noise in [
            &br#"{"response":true,"ok":true,"data":"","token":"t"}"#[..],
            br#"{"event":true,"type":"CALL_REMOTE_SDP","class":"call","id":"c3"}"#,
            br#"{"event":true,"type":"REGISTER_OK","class":"register"}"#,
            br#"{"event":true,"type":"CALL_RINGING","class":"call","direction":"outgoing"}"#,
        ] {
            assert_eq!(
                tracker.on_payload(noise, now),
                Ok(None),
                "{} is not a call event Ringside reports",
                String::from_utf8_lossy(noise)
            );
        }
        assert!(
            tracker.on_payload(b"not json", now).is_err(),
            "garbage is an error, not a panic"
        );
        assert!(
            tracker.on_payload(br#"{"event":"yes"}"#, now).is_err(),
            "wrong types too"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn many_unclosed_calls_do_not_grow_without_bound() {
        let mut tracker = CallTracker::new();
        let now = Instant::now();
        for i in 0..(MAX_TRACKED_CALLS + 50) {
            tracker
                .on_payload(
                    &incoming("CALL_INCOMING", &format!("leak{i}")),
                    now + Duration::from_millis(i as u64),
                )
                .expect("valid");
        }
        assert!(
            tracker.calls.len() <= MAX_TRACKED_CALLS,
            "bounded: {}",
            tracker.calls.len()
        );
    }
}
