//! Which Salesforce org a command talks to: `--org ALIAS`, else the active org (both
//! signed in through `ringside org login`, tokens in the OS keyring, refreshed as needed),
//! else the built-in demo org, started in-process. Every command that talks to Salesforce
//! goes through [`connect`], so org selection lives in one place.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ringside_core::orgs::{OrgRecord, OrgRegistry};
use ringside_core::secrets::{KeyringStore, SecretStore, namespace_for_home};

use crate::demo::BuiltinDemo;

/// A connection to the org a command should use. Keep it alive for as long as
/// the client is used: for the built-in demo it owns the server.
pub struct OrgConnection {
    pub client: salesforce::Client,
    /// The in-process demo org, when no real org is configured.
    demo: Option<BuiltinDemo>,
}

impl OrgConnection {
    /// Whether this is the built-in demo org (no org signed in).
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    /// Stops the built-in demo org, if this connection started one.
    pub async fn close(self) {
        if let Some(demo) = self.demo {
            demo.shutdown().await;
        }
    }
}

/// The Ringside home (`RINGSIDE_HOME`, else the user's config dir).
pub fn home() -> anyhow::Result<PathBuf> {
    ringside_core::config::ringside_home().context("no Ringside home: set RINGSIDE_HOME or HOME")
}

/// The keyring namespace of this home (see [`namespace_for_home`]).
pub fn keyring_namespace() -> String {
    let explicit = std::env::var_os("RINGSIDE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    namespace_for_home(explicit.as_deref())
}

/// The OS keyring, checked to answer.
pub fn keyring() -> anyhow::Result<Arc<dyn SecretStore>> {
    Ok(Arc::new(KeyringStore::open()?))
}

/// The next step when an org is signed out.
pub fn sign_in_hint(alias: &str) -> String {
    format!("`ringside org login --alias {alias}` signs in again")
}

/// Connects to `--org ALIAS`, else the active org, else the built-in demo org
/// (said on stderr, as DESIGN §6 asks).
pub async fn connect(alias: Option<&str>) -> anyhow::Result<OrgConnection> {
    let registry = match ringside_core::config::ringside_home() {
        Some(home) => OrgRegistry::load(&home)?,
        None => OrgRegistry::default(),
    };
    let record = match alias {
        Some(alias) => Some(registry.require(alias)?),
        None => registry.active_record(),
    };
    match record {
        Some(record) => connect_signed_in(record).await,
        None => connect_demo().await,
    }
}

async fn connect_signed_in(record: &OrgRecord) -> anyhow::Result<OrgConnection> {
    let session = ringside_core::org_session::open_from_home(
        &home()?,
        record,
        keyring()?,
        &keyring_namespace(),
        &sign_in_hint(&record.alias),
    )
    .await?;
    Ok(OrgConnection {
        client: session.client,
        demo: None,
    })
}

async fn connect_demo() -> anyhow::Result<OrgConnection> {
    eprintln!("ringside: no Salesforce org configured; using the built-in demo org");
    let demo = BuiltinDemo::start().await?;
    let client = demo.client()?;
    Ok(OrgConnection {
        client,
        demo: Some(demo),
    })
}
