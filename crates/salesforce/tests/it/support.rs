//! Starting a demo org and a client pointed at it.

use std::time::Duration;

use salesforce::{AccessToken, ApiVersion, Client, ClientOptions, InstanceUrl};

pub use demo_org::DemoOrg;

/// A fresh demo org (its own port and data) for one test.
pub async fn org() -> DemoOrg {
    demo_org::start(demo_org::DemoOrgConfig {
        port: 0,
        latency: Duration::ZERO,
        ..Default::default()
    })
    .await
    .expect("the demo org must start on a free loopback port")
}

/// A client for `org` with a freshly issued token.
pub fn client(org: &DemoOrg) -> Client {
    client_with(org, ClientOptions::default())
}

pub fn client_with(org: &DemoOrg, options: ClientOptions) -> Client {
    let instance = InstanceUrl::parse(&org.base_url().to_string())
        .expect("the demo org's base URL is a loopback http URL");
    Client::with_options(instance, token(org), ApiVersion::DEFAULT, options)
        .expect("a client for the demo org")
}

pub fn token(org: &DemoOrg) -> AccessToken {
    AccessToken::new(org.issue_access_token().to_string())
        .expect("the demo org issues usable tokens")
}
