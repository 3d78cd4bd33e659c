//! The baresip adapter: connects to baresip's `ctrl_tcp` module, reads its
//! netstring JSON events and turns them into [`CallEvent`]s.
//!
//! baresip sends no timestamps or durations, so [`CallTracker`] measures
//! answer and hang-up times itself; a `CALL_CLOSED` without a
//! `CALL_ESTABLISHED` is a missed call. `ctrl_tcp` serves one client and
//! baresip may not be running yet or may restart: [`run`] reconnects with
//! backoff forever and never gives up or panics on what it reads.
//!
//! Commands (call back: `dial`) go over the same connection, because a second
//! client would disconnect the adapter: [`control`] gives a [`BaresipControl`]
//! handle whose commands [`run_with_control`] writes between events, matching
//! baresip's `{"response":true,"ok":…,"data":…,"token":…}` answers by token.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::EventStream;
use super::model::{CallEvent, CallEventKind, CallerId, Direction, EventSource, parse_caller_id};
use super::netstring::{self, NetstringDecoder, NetstringError};

/// Commands waiting to be written; a full queue refuses more rather than growing.
const COMMAND_QUEUE: usize = 16;
/// Commands sent and not answered yet, per connection.
const MAX_PENDING: usize = 64;
/// Longest number accepted for `dial` (E.164 has at most 15 digits; extensions add some).
const MAX_DIAL_LEN: usize = 32;

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
        // The same rule as every intake: the External ID the call is logged under (a
        // SIP Call-ID with `/`, `%` or spaces is hashed, never dropped).
        let id = match crate::call_log::external_call_id(&message.id) {
            Ok(id) => id,
            Err(crate::call_log::CallIdError::Empty) => {
                // The first event of an outgoing call may carry no id; a later one will.
                tracing::debug!(kind = %message.kind, "baresip call event without a call id ignored");
                return None;
            }
            Err(err) => {
                tracing::warn!(kind = %message.kind, "baresip call event ignored: {err}");
                return None;
            }
        };
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
                    // Measured here, so never refused: a call held open past the
                    // 24-hour bound (a stuck line) is logged as 24 hours.
                    Some(answered) => (
                        now.saturating_duration_since(answered)
                            .as_secs()
                            .min(crate::call_log::MAX_CALL_SECONDS as u64),
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

/// Why a command to baresip did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BaresipCommandError {
    #[error("{0:?} is not a phone number to dial: use digits, an optional leading +, * or #")]
    InvalidNumber(String),
    #[error(
        "baresip is not connected: start baresip with ctrl_tcp, or check [pop] baresip in ringside.toml"
    )]
    NotConnected,
    #[error("too many commands are waiting for baresip; try again in a moment")]
    Busy,
    #[error("baresip did not answer within {0} ms")]
    Timeout(u64),
    #[error("baresip refused the command: {0}")]
    Refused(String),
    #[error("the connection to baresip dropped before it answered")]
    Disconnected,
}

/// One command on its way to baresip, with where its answer goes.
#[derive(Debug)]
struct Command {
    /// The JSON text, token included.
    json: String,
    token: String,
    reply: oneshot::Sender<Result<String, BaresipCommandError>>,
}

/// Sends commands to baresip over the adapter's connection. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BaresipControl {
    commands: mpsc::Sender<Command>,
    connected: Arc<AtomicBool>,
    next_token: Arc<AtomicU64>,
    timeout: Duration,
}

/// The adapter's end of [`BaresipControl`]: hand it to [`run_with_control`].
#[derive(Debug)]
pub struct CommandQueue {
    commands: mpsc::Receiver<Command>,
    connected: Arc<AtomicBool>,
}

/// A control handle and the queue the adapter reads; `timeout` bounds the wait for
/// each answer.
pub fn control(timeout: Duration) -> (BaresipControl, CommandQueue) {
    let (sender, receiver) = mpsc::channel(COMMAND_QUEUE);
    let connected = Arc::new(AtomicBool::new(false));
    (
        BaresipControl {
            commands: sender,
            connected: Arc::clone(&connected),
            next_token: Arc::new(AtomicU64::new(1)),
            timeout,
        },
        CommandQueue {
            commands: receiver,
            connected,
        },
    )
}

/// `number` if baresip may dial it: digits with an optional leading `+`, and `*`/`#`
/// (service codes). Spaces, dashes, dots and parentheses people type are dropped;
/// anything else (a SIP URI, letters) is refused so nothing but a number reaches baresip.
pub fn dialable(number: &str) -> Result<String, BaresipCommandError> {
    let invalid = || BaresipCommandError::InvalidNumber(number.to_owned());
    let mut out = String::new();
    for (i, c) in number.trim().chars().enumerate() {
        match c {
            '0'..='9' | '*' | '#' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(invalid()),
        }
    }
    if !out.chars().any(|c| c.is_ascii_digit()) || out.len() > MAX_DIAL_LEN {
        return Err(invalid());
    }
    Ok(out)
}

impl BaresipControl {
    /// Whether the adapter is connected to baresip right now.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Dials `number` in baresip (`{"command":"dial","params":number,"token":…}`) and
    /// waits for baresip's answer: `Ok` with its `data` when it accepted the command.
    pub async fn dial(&self, number: &str) -> Result<String, BaresipCommandError> {
        let number = dialable(number)?;
        self.send("dial", &number).await
    }

    async fn send(&self, command: &str, params: &str) -> Result<String, BaresipCommandError> {
        if !self.is_connected() {
            return Err(BaresipCommandError::NotConnected);
        }
        let token = format!(
            "ringside-{}",
            self.next_token.fetch_add(1, Ordering::Relaxed)
        );
        let json =
            serde_json::json!({"command": command, "params": params, "token": token}).to_string();
        let (reply, answer) = oneshot::channel();
        self.commands
            .try_send(Command { json, token, reply })
            .map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => BaresipCommandError::Busy,
                mpsc::error::TrySendError::Closed(_) => BaresipCommandError::NotConnected,
            })?;
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(BaresipCommandError::Disconnected),
            Err(_) => Err(BaresipCommandError::Timeout(
                u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            )),
        }
    }
}

/// baresip's answer to a command.
#[derive(Debug, Deserialize)]
struct Response {
    #[serde(default)]
    response: bool,
    #[serde(default)]
    ok: bool,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    token: Option<String>,
}

impl Response {
    /// `data` as text (baresip sends a string; anything else is shown as JSON).
    fn data_text(&self) -> String {
        match &self.data {
            serde_json::Value::String(text) => text.trim().to_owned(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// Commands written and not answered yet, by token.
#[derive(Debug, Default)]
struct Pending {
    replies: HashMap<String, oneshot::Sender<Result<String, BaresipCommandError>>>,
}

impl Pending {
    fn insert(&mut self, command: Command) {
        // Callers that gave up (timed out) need no answer any more.
        self.replies.retain(|_, reply| !reply.is_closed());
        if self.replies.len() >= MAX_PENDING {
            let _ = command.reply.send(Err(BaresipCommandError::Busy));
            return;
        }
        self.replies.insert(command.token, command.reply);
    }

    /// Hands a response to the command with its token; `false` when it is not one.
    fn answer(&mut self, payload: &[u8]) -> bool {
        let Ok(response) = serde_json::from_slice::<Response>(payload) else {
            return false;
        };
        if !response.response {
            return false;
        }
        let Some(reply) = response
            .token
            .as_deref()
            .and_then(|t| self.replies.remove(t))
        else {
            tracing::debug!("a baresip response for no command of ours ignored");
            return true;
        };
        let result = if response.ok {
            Ok(response.data_text())
        } else {
            let reason = response.data_text();
            Err(BaresipCommandError::Refused(if reason.is_empty() {
                "no reason given".into()
            } else {
                reason
            }))
        };
        let _ = reply.send(result);
        true
    }

    fn disconnected(&mut self) {
        for (_, reply) in self.replies.drain() {
            let _ = reply.send(Err(BaresipCommandError::Disconnected));
        }
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
    // No one sends commands; the handle lives as long as the adapter so the queue stays open.
    let (_control, queue) = control(Duration::from_secs(5));
    run_with_control(config, events, queue).await;
}

/// [`run`], also writing the commands of `queue`'s [`BaresipControl`] to baresip.
/// Between connections, commands are refused at once with
/// [`BaresipCommandError::NotConnected`].
pub async fn run_with_control(config: BaresipConfig, events: EventStream, mut queue: CommandQueue) {
    let mut wait = config.backoff.initial;
    loop {
        match TcpStream::connect(&config.address).await {
            Ok(stream) => {
                tracing::info!(address = %config.address, "connected to baresip ctrl_tcp");
                let mut tracker = CallTracker::new();
                queue.connected.store(true, Ordering::SeqCst);
                let outcome = read_events(stream, &mut tracker, &events, &mut queue).await;
                queue.connected.store(false, Ordering::SeqCst);
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
        refuse_while_disconnected(&mut queue, wait).await;
        wait = (wait * 2).min(config.backoff.max);
    }
}

/// Waits `wait`, refusing any command that arrives meanwhile.
async fn refuse_while_disconnected(queue: &mut CommandQueue, wait: Duration) {
    let until = tokio::time::sleep(wait);
    tokio::pin!(until);
    loop {
        tokio::select! {
            () = &mut until => return,
            command = queue.commands.recv() => match command {
                Some(command) => {
                    let _ = command.reply.send(Err(BaresipCommandError::NotConnected));
                }
                // Every handle is gone: only the wait remains.
                None => {
                    until.await;
                    return;
                }
            },
        }
    }
}

async fn read_events(
    mut stream: TcpStream,
    tracker: &mut CallTracker,
    events: &EventStream,
    queue: &mut CommandQueue,
) -> Disconnect {
    let mut pending = Pending::default();
    let outcome = exchange(&mut stream, tracker, events, queue, &mut pending).await;
    pending.disconnected();
    outcome
}

/// Reads events and answers, and writes commands, until the connection ends.
async fn exchange(
    stream: &mut TcpStream,
    tracker: &mut CallTracker,
    events: &EventStream,
    queue: &mut CommandQueue,
    pending: &mut Pending,
) -> Disconnect {
    let mut decoder = NetstringDecoder::default();
    let mut buffer = [0u8; 4096];
    let mut commands_open = true;
    loop {
        let read = tokio::select! {
            read = stream.read(&mut buffer) => read,
            command = queue.commands.recv(), if commands_open => {
                match command {
                    Some(command) => {
                        tracing::debug!(token = %command.token, "command to baresip");
                        if let Err(err) = stream.write_all(&netstring::encode(command.json.as_bytes())).await {
                            let _ = command.reply.send(Err(BaresipCommandError::Disconnected));
                            return Disconnect::Io(err);
                        }
                        pending.insert(command);
                    }
                    None => commands_open = false,
                }
                continue;
            }
        };
        let read = match read {
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
                Ok(Some(payload)) if pending.answer(&payload) => {}
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
    async fn a_sip_call_id_with_slashes_and_spaces_is_hashed_and_a_stuck_line_is_capped() {
        let mut tracker = CallTracker::new();
        let start = Instant::now();
        let raw = "a/b%c?d e ü@10.0.0.1";
        let ring = tracker
            .on_payload(&incoming("CALL_INCOMING", raw), start)
            .expect("valid")
            .expect("a call id no External ID can hold still rings");
        assert_eq!(
            Ok(ring.call_id.clone()),
            crate::call_log::external_call_id(raw),
            "the one call-id rule every intake shares"
        );
        tracker
            .on_payload(&incoming("CALL_ESTABLISHED", raw), start)
            .expect("valid");
        let end = tracker
            .on_payload(
                &incoming("CALL_CLOSED", raw),
                start + Duration::from_secs(3 * 24 * 3600),
            )
            .expect("valid")
            .expect("an end");
        assert_eq!(end.call_id, ring.call_id, "ring and end are the same call");
        assert_eq!(
            end.duration_secs,
            Some(crate::call_log::MAX_CALL_SECONDS as u64),
            "a line held open for days is logged as 24 hours, never as a dead letter"
        );
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

    /// Reads one netstring payload from a loopback "baresip" connection.
    async fn read_frame(conn: &mut TcpStream, decoder: &mut NetstringDecoder) -> serde_json::Value {
        let mut buffer = [0u8; 1024];
        loop {
            if let Some(frame) = decoder.next_frame().expect("the adapter writes netstrings") {
                return serde_json::from_slice(&frame).expect("a command is JSON");
            }
            let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buffer))
                .await
                .expect("the adapter writes the command")
                .expect("readable");
            assert!(
                n > 0,
                "the adapter closed the connection instead of sending"
            );
            decoder.push(&buffer[..n]);
        }
    }

    async fn answer(conn: &mut TcpStream, json: serde_json::Value) {
        conn.write_all(&netstring::encode(json.to_string().as_bytes()))
            .await
            .expect("written");
    }

    #[tokio::test]
    async fn dial_goes_over_the_adapters_connection_and_reads_baresips_answer() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback");
        let address = listener.local_addr().expect("address").to_string();
        let stream = EventStream::new();
        let mut events = stream.subscribe();
        let (control, queue) = control(Duration::from_millis(500));
        assert_eq!(
            control.dial("+14155550123").await,
            Err(BaresipCommandError::NotConnected),
            "before the adapter is connected, a dial is refused at once (the UI falls back to tel:)"
        );
        let adapter = tokio::spawn(run_with_control(
            BaresipConfig {
                address,
                backoff: Backoff {
                    initial: Duration::from_millis(20),
                    max: Duration::from_millis(50),
                },
            },
            stream,
            queue,
        ));
        let (mut conn, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
            .await
            .expect("the adapter connects")
            .expect("accepted");
        let started = Instant::now();
        while !control.is_connected() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "marked connected"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut decoder = NetstringDecoder::default();

        // Accepted: the exact command JSON, then baresip's answer by token.
        let dial = tokio::spawn({
            let control = control.clone();
            async move { control.dial("+1 (415) 555-0123").await }
        });
        let command = read_frame(&mut conn, &mut decoder).await;
        assert_eq!(command["command"], "dial", "{command}");
        assert_eq!(
            command["params"], "+14155550123",
            "the number as baresip dials it, punctuation dropped: {command}"
        );
        let token = command["token"].as_str().expect("a token").to_owned();
        assert!(!token.is_empty(), "{command}");
        assert_eq!(
            command.as_object().map(|o| o.len()),
            Some(3),
            "command, params and token only: {command}"
        );
        // An event in between still reaches the event stream, and an answer to a token
        // that is not ours does not complete the dial.
        conn.write_all(&netstring::encode(&incoming("CALL_INCOMING", "x1")))
            .await
            .expect("written");
        answer(
            &mut conn,
            serde_json::json!({"response": true, "ok": true, "data": "", "token": "someone-else"}),
        )
        .await;
        answer(
            &mut conn,
            serde_json::json!({"response": true, "ok": true, "data": "dialing", "token": token}),
        )
        .await;
        assert_eq!(
            dial.await.expect("joined"),
            Ok("dialing".into()),
            "baresip's data comes back"
        );
        let ring = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("the event arrives")
            .expect("an event");
        assert_eq!(ring.call_id, "x1", "events keep flowing beside commands");

        // Refused: baresip's reason is the error.
        let dial = tokio::spawn({
            let control = control.clone();
            async move { control.dial("+14155550199").await }
        });
        let command = read_frame(&mut conn, &mut decoder).await;
        assert_ne!(
            command["token"].as_str(),
            Some(token.as_str()),
            "a new token per command"
        );
        answer(
            &mut conn,
            serde_json::json!({"response": true, "ok": false, "data": "ua: no account", "token": command["token"]}),
        )
        .await;
        assert_eq!(
            dial.await.expect("joined"),
            Err(BaresipCommandError::Refused("ua: no account".into()))
        );

        // No answer: the caller times out; a dropped connection fails what is pending.
        assert_eq!(
            control.dial("+14155550100").await,
            Err(BaresipCommandError::Timeout(500)),
            "an unanswered command ends after the timeout"
        );
        let _ = read_frame(&mut conn, &mut decoder).await;
        let dial = tokio::spawn({
            let control = control.clone();
            async move { control.dial("+14155550101").await }
        });
        let _ = read_frame(&mut conn, &mut decoder).await;
        drop(conn);
        assert_eq!(
            dial.await.expect("joined"),
            Err(BaresipCommandError::Disconnected),
            "baresip went away before answering"
        );

        // Bad input never reaches baresip.
        for bad in [
            "",
            "sip:+1415@evil.example",
            "+1415\",\"x",
            "call me",
            "++1415",
        ] {
            assert!(
                matches!(
                    control.dial(bad).await,
                    Err(BaresipCommandError::InvalidNumber(_))
                ),
                "{bad:?} is refused before sending"
            );
        }
        adapter.abort();
    }

    /// A free loopback port (TCP and UDP), released for the caller to use.
    fn free_port() -> u16 {
        loop {
            let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
            let port = tcp.local_addr().expect("address").port();
            // baresip also opens SIP/TLS on the next port (`sip_listen` + 1), so that one
            // must be free too, or baresip fails with "Address already in use".
            let next_free = port
                .checked_add(1)
                .is_some_and(|next| std::net::TcpListener::bind(("127.0.0.1", next)).is_ok());
            if next_free && std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
    }

    #[tokio::test]
    #[ignore = "needs baresip: run with --ignored (scripts/test.sh does)"]
    async fn dial_reaches_a_real_baresip() {
        // A real baresip (SOFTPHONES.md's headless config) on free ports; its account's
        // domain is its own SIP port, so the dialled number calls baresip itself and nothing
        // leaves the machine. Ignored by a plain `cargo test`; run with `--ignored`, a missing
        // baresip fails it (returning early would count as a pass).
        assert!(
            std::process::Command::new("baresip")
                .arg("-h")
                .output()
                .is_ok(),
            "needs baresip: apt-get install baresip (scripts/install-deps.sh installs it)"
        );
        let sip = free_port();
        // The control port must not be the SIP/TLS neighbour baresip opens on `sip + 1`.
        let ctrl = loop {
            let port = free_port();
            if port.abs_diff(sip) > 1 {
                break port;
            }
        };
        let dir =
            std::env::temp_dir().join(format!("ringside-baresip-dial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("config"),
            format!(
                "sip_listen 127.0.0.1:{sip}\nnet_interface 127.0.0.1\naudio_player aubridge,nil\n\
                 audio_source ausine,440\nausrc_srate 48000\nausrc_channels 2\naudio_alert aubridge,nil\n\
                 module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule ausine.so\nmodule aubridge.so\n\
                 module_tmp uuid.so\nmodule_tmp account.so\nmodule_app contact.so\nmodule_app menu.so\n\
                 module_app ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{ctrl}\n"
            ),
        )
        .expect("config");
        std::fs::write(
            dir.join("accounts"),
            format!("<sip:agent@127.0.0.1:{sip}>;regint=0;answermode=manual\n"),
        )
        .expect("accounts");
        std::fs::write(dir.join("contacts"), "").expect("contacts");
        /// Stops the baresip this test started, even when an assertion fails.
        struct Running(std::process::Child);
        impl Drop for Running {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        // baresip's own output goes to a file, shown when the test fails.
        let output = std::fs::File::create(dir.join("output.log")).expect("output log");
        let _baresip = Running(
            std::process::Command::new("baresip")
                .arg("-f")
                .arg(&dir)
                .stdin(std::process::Stdio::null())
                .stdout(output.try_clone().expect("output log"))
                .stderr(output)
                .spawn()
                .expect("baresip starts"),
        );
        let baresip_said = || {
            std::fs::read_to_string(dir.join("output.log")).unwrap_or_else(|err| err.to_string())
        };
        let stream = EventStream::new();
        let mut events = stream.subscribe();
        let (control, queue) = control(Duration::from_secs(5));
        let adapter = tokio::spawn(run_with_control(
            BaresipConfig {
                address: format!("127.0.0.1:{ctrl}"),
                backoff: Backoff {
                    initial: Duration::from_millis(50),
                    max: Duration::from_millis(200),
                },
            },
            stream,
            queue,
        ));
        // Ready means baresip answers a harmless command, not only that its port accepts
        // a connection: on a loaded machine baresip may listen before its main loop runs.
        let started = Instant::now();
        loop {
            if control.is_connected() && control.send("listcalls", "").await.is_ok() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "baresip answers on its ctrl_tcp within 30 s; baresip said:\n{}",
                baresip_said()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let answer = control.dial("+14155550123").await;
        assert!(
            answer.is_ok(),
            "baresip accepts the dial: {answer:?}; baresip said:\n{}",
            baresip_said()
        );
        // The call baresip placed comes back as call events over the same connection.
        let outbound = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match events.recv().await {
                    Ok(event) if event.direction == Direction::Outbound => return event,
                    Ok(_) => {}
                    Err(err) => panic!("event stream: {err}"),
                }
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "baresip reports the outgoing call; baresip said:\n{}",
                baresip_said()
            )
        });
        assert_eq!(
            outbound.to,
            Some(CallerId::Number("+14155550123".into())),
            "the number dialled"
        );
        adapter.abort();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dialable_numbers() {
        assert_eq!(dialable(" +49 30 1234-567 ").as_deref(), Ok("+49301234567"));
        assert_eq!(dialable("*21#").as_deref(), Ok("*21#"));
        assert!(dialable("+").is_err(), "no digits");
        assert!(dialable(&"1".repeat(40)).is_err(), "too long");
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
