//! The built-in demo org: started in-process at launch so Ringside works with no Salesforce
//! account, and stopped when the app exits. This is the only place the shell links `demo-org`.

use std::sync::Mutex;

use anyhow::Context as _;

use crate::org::{OrgIdentity, OrgLink};

/// The running demo org, kept in Tauri's managed state until exit.
#[derive(Debug)]
pub struct DemoOrgHandle(Mutex<Option<demo_org::DemoOrg>>);

impl DemoOrgHandle {
    fn new(org: demo_org::DemoOrg) -> Self {
        DemoOrgHandle(Mutex::new(Some(org)))
    }

    /// Stops the server; later calls do nothing.
    pub async fn shutdown(&self) {
        let org = match self.0.lock() {
            Ok(mut guard) => guard.take(),
            // A panic elsewhere poisoned the lock; the org inside is still fine to stop.
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(org) = org {
            org.shutdown().await;
        }
    }
}

/// Starts the seeded demo org on a loopback port and links to it.
pub async fn start() -> anyhow::Result<(DemoOrgHandle, OrgLink)> {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .context("could not start the built-in demo org")?;
    let base_url = org.base_url();
    // A sign-in with a refresh token, renewed like a real one: the demo org ends access
    // tokens with its session timeout (two hours), and the app may run all day.
    let connect = || -> anyhow::Result<salesforce::Client> {
        let sign_in = org.sign_in();
        let session = ringside_core::org_session::open_in_memory(
            &base_url,
            demo_org::DEMO_CLIENT_ID,
            salesforce::AccessToken::new(sign_in.access_token)?,
            salesforce::oauth::RefreshToken::new(sign_in.refresh_token)?,
            salesforce::ApiVersion::default(),
        )?;
        Ok(session.client)
    };
    let client = connect().context("could not connect to the built-in demo org")?;
    let identity = OrgIdentity {
        alias: None,
        username: None,
        instance_url: base_url.clone(),
        demo: true,
    };
    tracing::info!(%base_url, "built-in demo org running");
    Ok((
        DemoOrgHandle::new(org),
        OrgLink::new(identity, demo_org::seed::DEMO_USER_ID.to_owned(), client).await,
    ))
}

#[cfg(test)]
mod tests {
    use ringside_core::CallerObject;

    #[test]
    fn the_started_demo_org_answers_a_lookup_for_its_seeded_contact() {
        tauri::async_runtime::block_on(async {
            let (org, link) = super::start()
                .await
                .expect("the demo org must start on loopback");

            let result = link.screen_pop.lookup().lookup("(415) 555-0123").await;
            org.shutdown().await;

            let result = result.expect("the seeded number must be found over real loopback HTTP");
            assert!(
                result
                    .matches
                    .iter()
                    .any(|m| m.object == CallerObject::Contact && !m.name.is_empty()),
                "the demo org seeds a Contact with Phone (415) 555-0123; got {:?}",
                result.matches
            );
        });
    }
}
