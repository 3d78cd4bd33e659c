//! Integration tests: the client against the demo org over real loopback HTTP. Modules
//! mirror `src/`.

mod support;

mod composite;
mod errors;
mod escape;
mod limits;
mod oauth;
mod query;
mod sobject;
