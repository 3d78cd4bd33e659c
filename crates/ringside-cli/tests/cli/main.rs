//! The `ringside` binary run as a user runs it, against the demo org over real
//! HTTP on loopback. Modules mirror `src/commands/`.

mod admin;
mod demo_org;
mod history;
mod listen;
mod log_call;
mod lookup;
// The same tmpfs helper the core tests use: one copy.
#[path = "../../../ringside-core/tests/core/mounted.rs"]
mod mounted;
mod org_login;
mod org_remove;
mod org_setup;
mod readme_config;
mod softphone;
mod support;
