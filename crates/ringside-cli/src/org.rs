//! Which Salesforce org a command talks to: `--org ALIAS`, else the active org (both
//! signed in through `ringside org login`, tokens in the OS keyring, refreshed as needed),
//! else the built-in demo org, started in-process. Every command that talks to Salesforce
//! goes through [`connect`], so org selection lives in one place.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ringside_core::api_usage::{RequestKind, UsageRecorder};
use ringside_core::orgs::{OrgRecord, OrgRegistry};
use ringside_core::outbox::OrgTag;
use ringside_core::secrets::{KeyringStore, SecretStore, namespace_for_home};

use ringside_core::demo::BuiltinDemo;

/// A connection to the org a command should use. Keep it alive for as long as
/// the client is used: for the built-in demo it owns the server.
pub struct OrgConnection {
    pub client: ringside_core::OrgClient,
    /// The in-process demo org, when no real org is configured.
    demo: Option<BuiltinDemo>,
    /// Counts the client's requests into the home's usage file (issue 18); `None` when the
    /// file cannot be opened (counting never stops a command).
    usage: Option<Arc<UsageRecorder>>,
    /// The org as the queue and the usage file name it: the alias, or `*demo`.
    tag: OrgTag,
    /// The signed-in user's id (`005…`): the owner of the calls this command queues.
    user_id: String,
}

impl OrgConnection {
    /// Whether this is the built-in demo org (no org signed in).
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    /// The org as the queue and the usage file name it (the alias, or `*demo`).
    pub fn tag(&self) -> &OrgTag {
        &self.tag
    }

    /// The signed-in user's id (`005…`).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The usage recorder counting this connection's requests.
    pub fn usage(&self) -> Option<&Arc<UsageRecorder>> {
        self.usage.as_ref()
    }

    /// Writes the requests counted so far and stops the built-in demo org, if this
    /// connection started one.
    pub async fn close(self) {
        if let Some(usage) = &self.usage
            && let Err(e) = usage.flush().await
        {
            tracing::warn!(error = %e, "the API usage of this command was not written");
        }
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
    let tag = OrgTag::of(Some(&record.alias));
    let usage = attach_usage(&session.client, &tag).await;
    if let Some(usage) = &usage {
        // A session opened without a kept access token renewed it before the count began.
        usage.count(RequestKind::SignIn, session.session.refreshes_made());
    }
    Ok(OrgConnection {
        client: session.client,
        demo: None,
        usage,
        tag,
        user_id: record.user_id.clone(),
    })
}

async fn connect_demo() -> anyhow::Result<OrgConnection> {
    eprintln!("ringside: no Salesforce org configured; using the built-in demo org");
    let (demo, session) = BuiltinDemo::start_signed_in().await?;
    let client = session.client;
    let tag = OrgTag::of(None);
    let usage = attach_usage(&client, &tag).await;
    Ok(OrgConnection {
        client,
        demo: Some(demo),
        usage,
        tag,
        user_id: session.user_id,
    })
}

/// The built-in demo org's user id (`005…`), as its sign-in names it (the identity URL of the
/// token answer, as the desktop reads it): the demo org is started, signed in to and stopped.
/// For work queued while no org is signed in that must name the agent (`chatter`'s `{agent}`).
pub async fn builtin_demo_user_id() -> anyhow::Result<String> {
    let (demo, session) = BuiltinDemo::start_signed_in().await?;
    demo.shutdown().await;
    Ok(session.user_id)
}

/// Counts `client`'s requests for `tag` in the home's usage file (the same function the
/// desktop uses), flushed shortly after each request and at [`OrgConnection::close`].
async fn attach_usage(
    client: &ringside_core::OrgClient,
    tag: &OrgTag,
) -> Option<Arc<UsageRecorder>> {
    let home = ringside_core::config::ringside_home()?;
    ringside_core::api_budget::count_requests(&home, client, tag.as_str()).await
}
