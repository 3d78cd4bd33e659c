//! The built-in demo org: started in-process on a loopback port so Ringside works with no
//! Salesforce account, signed in as its demo user with a session that renews itself like a
//! real one. The desktop and the CLI both start it here; who the demo user is comes from the
//! sign-in's identity URL (the token answer's `id`, as Salesforce's), never from the demo
//! org's seed data. Nothing is sent to sign in: a demo org that is unreachable from the start
//! (a fault a test sets) still gives a session whose work queues until it answers.

use salesforce::oauth::{IdentityUrl, RefreshToken};
use salesforce::{AccessToken, ApiVersion};

use crate::org_session::{self, SessionError};

/// Why the built-in demo org could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("could not start the built-in demo org: {0}")]
    Start(#[from] demo_org::DemoOrgError),
    #[error("could not connect to the built-in demo org: {0}")]
    Connect(String),
    #[error("could not connect to the built-in demo org: {0}")]
    Session(#[from] SessionError),
}

/// A running built-in demo org. Stop it with [`BuiltinDemo::shutdown`].
#[derive(Debug)]
pub struct BuiltinDemo {
    org: demo_org::DemoOrg,
}

/// A signed-in session to the built-in demo org.
#[derive(Debug, Clone)]
pub struct DemoSession {
    /// Renews its own token (the demo org ends access tokens with its session timeout, and
    /// the app, or `ringside listen`, may run all day).
    pub client: salesforce::Client,
    /// The signed-in user's id (`005…`), as the org said at sign-in.
    pub user_id: String,
    /// Where the org listens (`http://127.0.0.1:<port>`): also its login URL.
    pub instance_url: String,
}

fn connect(err: impl std::fmt::Display) -> DemoError {
    DemoError::Connect(err.to_string())
}

impl BuiltinDemo {
    /// Starts the seeded demo org on a free loopback port.
    pub async fn start() -> Result<BuiltinDemo, DemoError> {
        let org = demo_org::start(demo_org::DemoOrgConfig::default()).await?;
        tracing::info!(base_url = %org.base_url(), "built-in demo org running");
        Ok(BuiltinDemo { org })
    }

    /// The demo org's consumer key: the `client_id` of its own OAuth sign-in.
    pub fn client_id() -> &'static str {
        demo_org::DEMO_CLIENT_ID
    }

    pub fn base_url(&self) -> String {
        self.org.base_url()
    }

    /// Signs in as the demo user: a client that renews its token, and who the user is.
    pub async fn connect(&self) -> Result<DemoSession, DemoError> {
        let base_url = self.org.base_url();
        let sign_in = self.org.sign_in();
        let refresh = RefreshToken::new(sign_in.refresh_token).map_err(connect)?;
        let access = AccessToken::new(sign_in.access_token).map_err(connect)?;
        let user_id = IdentityUrl::parse(&sign_in.identity_url)
            .map_err(connect)?
            .user_id()
            .to_owned();
        let session = org_session::open_in_memory(
            &base_url,
            Self::client_id(),
            access,
            refresh,
            ApiVersion::default(),
        )?;
        Ok(DemoSession {
            client: session.client,
            user_id,
            instance_url: base_url,
        })
    }

    /// Starts the demo org and signs in as its user; a failed sign-in stops the server
    /// again, so no caller leaves an org running that nothing can reach.
    pub async fn start_signed_in() -> Result<(BuiltinDemo, DemoSession), DemoError> {
        let demo = BuiltinDemo::start().await?;
        match demo.connect().await {
            Ok(session) => Ok((demo, session)),
            Err(err) => {
                demo.shutdown().await;
                Err(err)
            }
        }
    }

    /// Stops the server.
    pub async fn shutdown(self) {
        self.org.shutdown().await;
    }
}
