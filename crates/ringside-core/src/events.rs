//! Call-event intake: every way Ringside hears about a call (the loopback HTTP
//! API that `ringside call …` forwards to, the baresip adapter, deep links)
//! produces the same [`CallEvent`] and publishes it on one [`EventStream`].
//! Whoever shows pops subscribes: the CLI's `listen` today, the desktop later.
//!
//! - [`model`]: [`CallEvent`], caller ids, and the validation all sources share.
//! - [`api`]: the loopback HTTP API (127.0.0.1 only, bearer token).
//! - [`token`]: the API's token file and endpoint file under `RINGSIDE_HOME`.
//! - [`hello`]: the challenge a listener answers to prove it is this Ringside.
//! - [`netstring`] / [`baresip`]: the baresip `ctrl_tcp` adapter.
//! - [`link`]: `tel:` and `ringside://call?…` links, parsed.

pub mod api;
pub mod baresip;
pub mod hello;
pub mod link;
pub mod model;
pub mod netstring;
pub mod token;

use tokio::sync::broadcast;

pub use model::{
    CallEvent, CallEventKind, CallerId, Direction, EventError, EventSource, WireEvent,
    parse_caller_id,
};

/// Events buffered for a slow subscriber before it starts missing some.
const STREAM_CAPACITY: usize = 256;

/// The one stream of call events. Cheap to clone; every clone publishes to the
/// same subscribers.
#[derive(Debug, Clone)]
pub struct EventStream {
    sender: broadcast::Sender<CallEvent>,
}

impl Default for EventStream {
    fn default() -> Self {
        EventStream::new()
    }
}

impl EventStream {
    pub fn new() -> Self {
        EventStream {
            sender: broadcast::channel(STREAM_CAPACITY).0,
        }
    }

    /// Publishes an event to every current subscriber (none is fine: logged).
    pub fn publish(&self, event: CallEvent) {
        tracing::info!(
            event = event.event.as_str(),
            call_id = %event.call_id,
            source = ?event.source,
            "call event"
        );
        if self.sender.send(event).is_err() {
            tracing::debug!("call event with no subscriber");
        }
    }

    /// A receiver of every event published from now on. A subscriber that
    /// falls more than 256 events behind gets `RecvError::Lagged` and goes on.
    pub fn subscribe(&self) -> broadcast::Receiver<CallEvent> {
        self.sender.subscribe()
    }
}
