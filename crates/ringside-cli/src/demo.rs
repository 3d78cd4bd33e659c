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

    pub fn base_url(&self) -> String {
        self.org.base_url()
    }

    pub fn access_token(&self) -> String {
        self.org.issue_access_token()
    }

    pub async fn shutdown(self) {
        self.org.shutdown().await;
    }
}
