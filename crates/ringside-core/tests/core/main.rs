//! ringside-core against the demo org over real HTTP on loopback. Modules
//! mirror `src/`.

mod lookup;
mod outbox;
mod queue_kill;
