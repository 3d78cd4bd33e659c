//! The org the desktop app talks to: the active org of `orgs.toml` (signed in with
//! `ringside org login` or the settings view, tokens in the OS keyring), else the built-in demo
//! org. Features ask [`ActiveOrg::current`] on every action instead of keeping a client, so
//! signing in, switching or signing out takes effect at once, everywhere.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use ringside_core::CallerLookup;
use ringside_core::api_usage::{ApiSettings, RequestKind, UsageRecorder};
use ringside_core::clock::MonotonicClock;
use ringside_core::config::Config;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::orgs::{OrgRecord, OrgRegistry};
use ringside_core::outbox::OrgTag;
use ringside_core::pop::ScreenPop;
use ringside_core::secrets::{KeyringStore, namespace_for_home};

/// Which org a link talks to, as the UI may show it (no secret in here).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct OrgIdentity {
    /// The alias in `orgs.toml`; `None` for the built-in demo org.
    pub alias: Option<String>,
    /// The signed-in user's username; `None` for the demo org.
    pub username: Option<String>,
    pub instance_url: String,
    pub demo: bool,
}

/// A connection to one org: its client and its screen pop (whose 60 s cache belongs to this
/// org, so switching orgs never shows another org's caller).
#[derive(Debug)]
pub struct OrgLink {
    pub identity: OrgIdentity,
    /// The signed-in user's id (`005…`): the owner of the calls this app queues, and the
    /// agent whose day the history shows.
    pub user_id: String,
    /// What this org's queued logs and edits and its usage counts are tagged with.
    pub tag: OrgTag,
    pub client: ringside_core::OrgClient,
    pub screen_pop: Arc<ScreenPop>,
    /// Describes for the log form and the record panel, kept while the org is in use and
    /// checked again (`If-Modified-Since`) once older than [`DESCRIBE_MAX_AGE`].
    pub describes: DescribeCache,
    /// Counts every request of `client` (and its clones: the queue worker's, the edits')
    /// into the home's `api-usage.db`, as the CLI does; `None` when that file cannot be
    /// opened (logged; the app works uncounted).
    pub usage: Option<Arc<UsageRecorder>>,
    /// The admin's `[api]` table: the governor's threshold for this org's optional requests.
    pub api: ApiSettings,
}

/// How long the app uses a describe before asking Salesforce whether it changed: opening a
/// form costs no request, and an admin's change to the org shows within this time.
const DESCRIBE_MAX_AGE: Duration = Duration::from_secs(300);

impl OrgLink {
    /// Links to an org through an authenticated client, counting its requests (issue 18)
    /// through the same core function as the CLI, into `home` (the Ringside home; passed in
    /// so a test counts into its own folder, never the user's). `None`: no home, uncounted.
    /// `config` is the app's config in use now: its `[phone]`, `[lookup]` and `[api]` apply
    /// to this link for as long as it is in use (a changed file applies from the next
    /// sign-in, org switch or start).
    pub async fn new(
        home: Option<&Path>,
        identity: OrgIdentity,
        user_id: String,
        client: ringside_core::OrgClient,
        config: &Config,
    ) -> Self {
        let settings = config.lookup_settings();
        let api = settings.api;
        // The demo org's identity has no alias: it is tagged as the demo org.
        let tag = OrgTag::of(identity.alias.as_deref());
        let usage = match home {
            Some(home) => {
                ringside_core::api_budget::count_requests(home, &client, tag.as_str()).await
            }
            None => None,
        };
        let lookup = CallerLookup::new(client.clone(), settings);
        let screen_pop = Arc::new(ScreenPop::new(lookup, Arc::new(MonotonicClock::new())));
        OrgLink {
            identity,
            user_id,
            tag,
            describes: DescribeCache::with_max_age(client.clone(), DESCRIBE_MAX_AGE)
                .with_api_settings(api),
            client,
            screen_pop,
            usage,
            api,
        }
    }
}

/// The org in use now, in Tauri's managed state.
#[derive(Debug)]
pub struct ActiveOrg {
    current: RwLock<Arc<OrgLink>>,
    demo: Arc<OrgLink>,
    /// Why the active org of `orgs.toml` is not the one in use (signed out, no keyring…).
    problem: Mutex<Option<String>>,
}

impl ActiveOrg {
    /// Starts on the demo org; call [`ActiveOrg::connect_registered`] to move to the active org.
    pub fn new(demo: OrgLink) -> Self {
        let demo = Arc::new(demo);
        ActiveOrg {
            current: RwLock::new(Arc::clone(&demo)),
            demo,
            problem: Mutex::new(None),
        }
    }

    /// The org to use for the next action.
    pub fn current(&self) -> Arc<OrgLink> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The built-in demo org's identity (its URL is the login URL of its own OAuth sign-in).
    pub fn demo_identity(&self) -> &OrgIdentity {
        &self.demo.identity
    }

    /// Goes back to the built-in demo org (always running): after signing out of the org in use.
    pub fn use_demo(&self) {
        self.switch_to(Arc::clone(&self.demo));
    }

    /// Makes `link` the org in use and clears any earlier problem.
    pub fn switch_to(&self, link: Arc<OrgLink>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = link;
        self.set_problem(None);
    }

    /// Why the registered active org is not in use, in words (for the settings view).
    pub fn problem(&self) -> Option<String> {
        self.problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_problem(&self, problem: Option<String>) {
        *self.problem.lock().unwrap_or_else(PoisonError::into_inner) = problem;
    }

    /// Moves to the active org of `orgs.toml`, if one is set. When it cannot be used (signed
    /// out, no keyring, unreachable), stays where it is and remembers why: the app keeps
    /// working on the demo org and the settings view says what to do.
    pub async fn connect_registered(&self, config: &Config) {
        match registered_link(config).await {
            Ok(Some(link)) => {
                tracing::info!(alias = ?link.identity.alias, "using the active org");
                self.switch_to(Arc::new(link));
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!("the active org cannot be used: {err:#}");
                self.set_problem(Some(format!("{err:#}")));
            }
        }
    }
}

/// The Ringside home (`RINGSIDE_HOME`, else the user's config dir).
pub fn home() -> anyhow::Result<PathBuf> {
    ringside_core::config::ringside_home().context("no Ringside home: set RINGSIDE_HOME or HOME")
}

/// The keyring namespace of this home: the same as the CLI's, so a sign-in made with
/// `ringside org login` is the desktop's too.
pub fn keyring_namespace() -> String {
    let explicit = std::env::var_os("RINGSIDE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    namespace_for_home(explicit.as_deref())
}

/// The next step when an org is signed out, in the desktop's words.
pub fn sign_in_hint(alias: &str) -> String {
    format!("sign in to {alias} again in Settings")
}

async fn registered_link(config: &Config) -> anyhow::Result<Option<OrgLink>> {
    let registry = OrgRegistry::load(&home()?)?;
    match registry.active_record() {
        Some(record) => Ok(Some(connect_signed_in(record, config).await?)),
        None => Ok(None),
    }
}

/// Opens a signed-in org from its registry record and the tokens in the OS keyring, with the
/// lookup settings of `config` (the config in use).
pub async fn connect_signed_in(record: &OrgRecord, config: &Config) -> anyhow::Result<OrgLink> {
    let secrets = Arc::new(KeyringStore::open()?);
    let session = ringside_core::org_session::open_from_home(
        &home()?,
        record,
        secrets,
        &keyring_namespace(),
        &sign_in_hint(&record.alias),
    )
    .await?;
    let identity = OrgIdentity {
        alias: Some(record.alias.clone()),
        username: Some(record.username.clone()),
        instance_url: record.instance_url.clone(),
        demo: false,
    };
    let renewed_at_open = session.session.refreshes_made();
    let home = home()?;
    let link = OrgLink::new(
        Some(&home),
        identity,
        record.user_id.clone(),
        session.client,
        config,
    )
    .await;
    if let Some(usage) = &link.usage {
        // A session opened without a kept access token renewed it before the count began.
        usage.count(RequestKind::SignIn, renewed_at_open);
    }
    Ok(link)
}
