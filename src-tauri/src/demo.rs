//! The built-in demo org: started in-process at launch (by core's `demo`) so Ringside works
//! with no Salesforce account, and stopped when the app exits.

use std::path::Path;
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

/// Starts the seeded demo org on a loopback port and links to it as its demo user, counting
/// its requests into `home` (the Ringside home; `None`: uncounted), with the app's `config`.
pub async fn start(
    home: Option<&Path>,
    config: &Config,
) -> anyhow::Result<(DemoOrgHandle, OrgLink)> {
    let (demo, session) = BuiltinDemo::start_signed_in().await?;
    let identity = OrgIdentity {
        alias: None,
        username: None,
        instance_url: session.instance_url,
        demo: true,
    };
    let link = OrgLink::new(home, identity, session.user_id, session.client, config).await;
    Ok((DemoOrgHandle(Mutex::new(Some(demo))), link))
}

#[cfg(test)]
mod tests {
    use ringside_core::CallerObject;
    use ringside_core::api_usage::{UsageStore, local_day};
    use ringside_core::outbox::DEMO_ORG_TAG;

    /// Regression (issue 18, item 3): this test wrote `api-usage.db` into the real Ringside
    /// home of whoever ran it. The home is now passed in: a temp folder here, which also
    /// shows the demo org's requests are counted where the app is told to count them.
    #[test]
    fn the_started_demo_org_answers_a_lookup_for_its_seeded_contact() {
        let home =
            std::env::temp_dir().join(format!("ringside-desktop-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).expect("a temp home");
        tauri::async_runtime::block_on(async {
            let (org, link) = super::start(Some(&home), &ringside_core::config::Config::default())
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

            let usage = link
                .usage
                .as_ref()
                .expect("requests are counted in the given home");
            usage.flush().await.expect("the count is written");
            let day = local_day(ringside_core::outbox::now_ms())
                .expect("a local day")
                .0;
            let store = UsageStore::open_in_home(&home)
                .await
                .expect("the temp home's usage file");
            let stored = store.read(DEMO_ORG_TAG, &day).await.expect("readable");
            store.close().await;
            assert!(
                result.api_calls >= 1
                    && stored.by_kind.values().sum::<u64>() >= result.api_calls as u64,
                "the lookup's requests are counted in the temp home: {:?}",
                stored.by_kind
            );
        });
        let _ = std::fs::remove_dir_all(&home);
    }
}
