//! # Conformance: what Salesforce documents, checked against the demo org
//!
//! Each case is one documented request and the answer Salesforce's documentation gives for it
//! (status, `errorCode`, body shape), with the URL of the page it follows. Every case runs
//! against the demo org over real HTTP, and its answer is then read through the `salesforce`
//! client's own parsers, so a case fails when the demo org answers differently from
//! Salesforce *or* when the client cannot read what Salesforce sends.
//!
//! The rule (README, "Contributing"): a Salesforce behaviour Ringside relies on gets a case
//! here before the code that uses it. Where the documentation is silent, the case models the
//! stricter behaviour and says so.
//!
//! Modules group cases by the documentation page they follow.

mod case;

mod chatter_feed_elements;
mod composite;
mod feed_item;
mod limits;
mod object_access;
mod query;
mod query_more;
mod sessions;
mod sobjects;
mod soql;
mod versions;
