//! ringside-core against the demo org over real HTTP on loopback. Modules
//! mirror `src/`.

mod events;
mod lookup;
mod outbox;
mod pop;
mod queue_kill;
