//! The built-in demo org: started in-process at launch (by core's `demo`) so Ringside works
//! with no Salesforce account, and stopped when the app exits.

use std::sync::Mutex;

use ringside_core::config::Config;
use ringside_core::demo::BuiltinDemo;

use crate::org::{OrgIdentity, OrgLink};

/// The running demo org, kept in Tauri's managed state until exit.
#[derive(Debug)]
pub struct DemoOrgHandle(Mutex<Option<BuiltinDemo>>);

impl DemoOrgHandle {
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

/// Starts the seeded demo org on a loopback port and links to it as its demo user.
pub async fn start(config: &Config) -> anyhow::Result<(DemoOrgHandle, OrgLink)> {
    let demo = BuiltinDemo::start().await?;
    let session = match demo.connect().await {
        Ok(session) => session,
        Err(err) => {
            demo.shutdown().await;
            return Err(err.into());
        }
    };
    let identity = OrgIdentity {
        alias: None,
        username: None,
        instance_url: session.instance_url,
        demo: true,
    };
    let link = OrgLink::new(identity, session.user_id, session.client, config).await;
    Ok((DemoOrgHandle(Mutex::new(Some(demo))), link))
}

#[cfg(test)]
mod tests {
    use ringside_core::CallerObject;

    #[test]
    fn the_started_demo_org_answers_a_lookup_for_its_seeded_contact() {
        tauri::async_runtime::block_on(async {
            let (org, link) = super::start(&ringside_core::config::Config::default())
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
            assert!(
                link.user_id.starts_with("005"),
                "the demo user comes from the sign-in: {}",
                link.user_id
            );
        });
    }
}
