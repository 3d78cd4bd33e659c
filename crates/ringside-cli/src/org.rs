//! Which Salesforce org a command talks to. Today: the built-in demo org,
//! started in-process (signing in to real orgs is not built yet, so `--org`
//! is refused plainly). Every command that talks to Salesforce goes through
//! [`connect`], so org selection lives in one place.

use anyhow::bail;

use crate::demo::BuiltinDemo;

/// A connection to the org a command should use. Keep it alive for as long as
/// the client is used: for the built-in demo it owns the server.
pub struct OrgConnection {
    pub client: salesforce::Client,
    /// The in-process demo org, when no real org is configured.
    demo: Option<BuiltinDemo>,
}

impl OrgConnection {
    /// Stops the built-in demo org, if this connection started one.
    pub async fn close(self) {
        if let Some(demo) = self.demo {
            demo.shutdown().await;
        }
    }
}

/// Connects to `--org ALIAS`, else the active org, else the built-in demo org
/// (said on stderr, as DESIGN §6 asks).
pub async fn connect(alias: Option<&str>) -> anyhow::Result<OrgConnection> {
    if let Some(alias) = alias {
        bail!(
            "no org named {alias:?} is configured; signing in to your own Salesforce org is not \
             available in this version yet (leave out --org to use the built-in demo org)"
        );
    }
    eprintln!("ringside: no Salesforce org configured; using the built-in demo org");
    let demo = BuiltinDemo::start().await?;
    let token = salesforce::AccessToken::new(demo.access_token())?;
    let client =
        salesforce::Client::new(&demo.base_url(), token, salesforce::ApiVersion::default())?;
    Ok(OrgConnection {
        client,
        demo: Some(demo),
    })
}
