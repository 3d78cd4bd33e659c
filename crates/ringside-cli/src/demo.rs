//! The built-in demo org, started in-process on a loopback port so a new user
//! sees Ringside work without a Salesforce account. The only place the CLI
//! links the demo server.

use anyhow::Context;

/// A running demo org; stops when dropped via [`BuiltinDemo::shutdown`].
pub struct BuiltinDemo {
    org: demo_org::DemoOrg,
}

impl BuiltinDemo {
    pub async fn start() -> anyhow::Result<BuiltinDemo> {
        let org = demo_org::start(demo_org::DemoOrgConfig::default())
            .await
            .context("cannot start the built-in demo org")?;
        Ok(BuiltinDemo { org })
    }

    /// A client for the demo user that renews its own token (the org's session timeout ends
    /// access tokens, so `ringside listen` left running must refresh as with a real org).
    pub fn client(&self) -> anyhow::Result<salesforce::Client> {
        let sign_in = self.org.sign_in();
        let session = ringside_core::org_session::open_in_memory(
            &self.org.base_url(),
            demo_org::DEMO_CLIENT_ID,
            salesforce::AccessToken::new(sign_in.access_token)?,
            salesforce::oauth::RefreshToken::new(sign_in.refresh_token)?,
            salesforce::ApiVersion::default(),
        )?;
        Ok(session.client)
    }

    pub async fn shutdown(self) {
        self.org.shutdown().await;
    }
}
