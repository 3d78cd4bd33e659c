//! The command line, as clap types. Validation beyond syntax happens in the
//! commands, which own their error messages.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ringside",
    version,
    about = "Ringside: a softphone companion for Salesforce",
    long_about = "Ringside finds who is calling in Salesforce and logs every call.\n\
                  With no org configured, commands use the built-in demo org.\n\
                  RINGSIDE_HOME=DIR puts all local state (config, database, logs) under DIR."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the caller for a phone number or email address (the screen-pop query).
    Lookup(LookupArgs),
    /// Run the built-in demo org (a Salesforce-compatible server with seeded data).
    #[command(name = "demo-org", subcommand)]
    DemoOrg(DemoOrgCommand),
    /// A softphone hook: report a call event to the running Ringside (with none
    /// running, `ring` prints the pop here).
    Call(CallArgs),
    /// Run the call-event intake headless: the loopback API (and the baresip
    /// adapter), one line per call event with its pop.
    Listen(ListenArgs),
    /// Sign in to Salesforce orgs, list them, pick the active one, sign out.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Queue a call log durably (no network needed); prints its call id.
    #[command(name = "log-call")]
    LogCall(Box<LogCallArgs>),
    /// The call-log queue: counts, items, sending, dead letters and replay.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// The append-only audit log of every queue state change.
    Audit(AuditArgs),
    /// The admin config: check it against the org, or show it with where each value comes from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Show or edit a Contact, Lead or Account under the admin's field policy.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Check that the org and this machine are ready: API access, sign-in, object and
    /// field access, API usage, clock, keyring, config.
    Doctor(DoctorArgs),
    /// The call history: the org's call logs and this machine's queued calls, newest
    /// first, as a table, JSON or CSV (UTF-8 with BOM, for spreadsheets).
    History(HistoryArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check the config (default: ringside.toml in RINGSIDE_HOME), read over the system
    /// policy file, against the org's live describe; lists every problem with the file it
    /// is in and exits 1, or prints "valid".
    Validate(ConfigValidateArgs),
    /// Print the effective config (ringside.toml in RINGSIDE_HOME over the system policy
    /// file) with the source of each value and the keys the policy locks.
    Show(ConfigShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ConfigShowArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ConfigValidateArgs {
    /// The config file to check.
    #[arg(value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Show the fields agents may see.
    Show(ContactShowArgs),
    /// Change fields agents may edit: Field=Value…
    Edit(ContactEditArgs),
}

#[derive(Debug, clap::Args)]
pub struct ContactShowArgs {
    /// A Contact, Lead or Account id.
    pub id: String,
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ContactEditArgs {
    /// A Contact, Lead or Account id.
    pub id: String,
    /// Field=Value pairs (API names); an empty value clears the field.
    #[arg(value_name = "FIELD=VALUE", required = true)]
    pub changes: Vec<String>,
    /// The LastModifiedDate you saw (from `contact show`): the edit is refused with both
    /// values if the record changed since. Default: read just before writing.
    #[arg(long, value_name = "TS")]
    pub expect_modified: Option<String>,
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Calls from this day (YYYY-MM-DD, UTC) or instant (YYYY-MM-DDTHH:MM:SSZ or +HH:MM).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Calls up to this day (inclusive) or before this instant.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// One agent's calls: a Salesforce User id (the call log's owner).
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,
    #[arg(long, value_name = "inbound|outbound")]
    pub direction: Option<String>,
    /// Calls with this outcome (case-insensitive).
    #[arg(long, value_name = "S")]
    pub disposition: Option<String>,
    /// Calls matched to a Contact, a Lead, or an Account alone.
    #[arg(long, value_name = "Contact|Lead|Account")]
    pub object: Option<String>,
    /// At most N calls (the newest).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    /// JSON on stdout: {"calls":[…]}, newest first.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV on stdout (RFC 4180, UTF-8 with BOM, CRLF).
    #[arg(long)]
    pub csv: bool,
    /// Add the summary: outcomes, talk times, per agent (JSON: a "stats" object).
    #[arg(long, conflicts_with = "csv")]
    pub stats: bool,
}

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// With --calls-per-agent: what this many agents would cost a day in API requests, at
    /// Ringside's measured requests per handled call.
    #[arg(long, value_name = "N", requires = "calls_per_agent")]
    pub agents: Option<u64>,
    /// Calls each agent handles a day (with --agents).
    #[arg(long, value_name = "M", requires = "agents")]
    pub calls_per_agent: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct LogCallArgs {
    /// The caller's number.
    #[arg(long, value_name = "N")]
    pub from: String,
    /// The called number.
    #[arg(long, value_name = "N")]
    pub to: String,
    /// inbound or outbound.
    #[arg(long, value_name = "DIR")]
    pub direction: String,
    /// Talk time in seconds (0 to 86400: a call longer than 24 hours is refused).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: i64,
    /// The softphone's call id (default: a new random one). The same id again updates
    /// the logged call. An id an External ID cannot hold (spaces, `/`, `%`, over 255
    /// characters) is logged as `sip-` and a hash of it.
    #[arg(long, value_name = "ID")]
    pub call_id: Option<String>,
    /// The Contact or Lead id the call was with.
    #[arg(long, value_name = "ID")]
    pub who: Option<String>,
    /// The Account, Opportunity or Case id the call was about (also --about; an
    /// Opportunity here is the one an outcome's `opportunity` action updates).
    #[arg(long, visible_alias = "about", value_name = "ID")]
    pub what: Option<String>,
    #[arg(long, value_name = "S")]
    pub subject: Option<String>,
    /// The agent's notes (up to 32,000 characters).
    #[arg(long, value_name = "S")]
    pub notes: Option<String>,
    #[arg(long, value_name = "S")]
    pub disposition: Option<String>,
    #[arg(long, value_name = "URL")]
    pub recording_url: Option<String>,
    #[arg(long, value_name = "S")]
    pub summary: Option<String>,
    /// A key topic of the call (repeatable).
    #[arg(long = "key-topic", value_name = "S")]
    pub key_topics: Vec<String>,
    /// A memo value (repeatable), written `;`-joined to `[logging.call_log] memo`. When the
    /// org's field is a multi-select picklist, each value must be one of its values: checked
    /// against the org before queueing (queued unchecked, with a warning, when the org
    /// cannot be reached).
    #[arg(long = "memo", value_name = "VALUE")]
    pub memo: Vec<String>,
    /// Nobody answered.
    #[arg(long)]
    pub missed: bool,
    /// When the call was dialed (or began to ring): ISO-8601 with a zone, e.g.
    /// 2026-03-31T14:30:00Z or 2026-03-31T23:30:00+09:00.
    #[arg(long, value_name = "TIME")]
    pub dialed_at: Option<String>,
    /// When it was answered (ISO-8601; not with --missed).
    #[arg(long, value_name = "TIME")]
    pub answered_at: Option<String>,
    /// When it ended (ISO-8601). With --answered-at, --duration must be the talk time
    /// between them (within a second).
    #[arg(long, value_name = "TIME")]
    pub ended_at: Option<String>,
    /// An action of the disposition's outcome ([outcomes."<disposition>"] in ringside.toml)
    /// not to run for this call: lead, opportunity, create_opportunity, follow_up or
    /// lead_notes (repeatable).
    #[arg(long = "skip-action", value_name = "NAME")]
    pub skip_actions: Vec<String>,
    /// When the outcome's follow-up is due or starts, instead of its in_days and at
    /// (ISO-8601 with a zone, e.g. 2026-04-02T10:00:00+02:00).
    #[arg(long, value_name = "TIME")]
    pub follow_up_at: Option<String>,
    /// BANT notes for the outcome's lead_notes: the Lead's budget (with the other three,
    /// appended to the Lead's configured text field, never replacing it).
    #[arg(long, value_name = "TEXT")]
    pub bant_budget: Option<String>,
    /// BANT notes: who decides.
    #[arg(long, value_name = "TEXT")]
    pub bant_authority: Option<String>,
    /// BANT notes: what they need.
    #[arg(long, value_name = "TEXT")]
    pub bant_need: Option<String>,
    /// BANT notes: when they mean to buy.
    #[arg(long, value_name = "TEXT")]
    pub bant_timeline: Option<String>,
    /// Print {"call_id","id","updated","enqueue_ms","actions":[{"name","state"}]} on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Counts per state.
    Status(JsonFlag),
    /// Every queued call log with its state and last error.
    List(JsonFlag),
    /// Send everything due now to the org.
    Drain(QueueDrainArgs),
    /// Dead letters with Salesforce's message.
    Dead(JsonFlag),
    /// Send dead letters again: one by id, or all with --all.
    Replay(QueueReplayArgs),
    /// Read unsent call logs back out of a damaged database file that was moved aside.
    Salvage(QueueSalvageArgs),
}

#[derive(Debug, clap::Args)]
pub struct QueueSalvageArgs {
    /// The damaged file (`ringside.db.corrupt-…`, named when it was moved aside).
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct JsonFlag {
    /// One JSON value on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct QueueDrainArgs {
    /// Also wait up to this many seconds for items in backoff.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub wait: u64,
    /// The org to send to (default: the active org; with none, the demo org).
    #[arg(long, value_name = "ALIAS")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct QueueReplayArgs {
    /// The queue id of the dead letter (`ringside queue dead`).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<i64>,
    /// Replay every dead letter.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// One JSON object on stdout: {"entries":[…]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Sign in through the browser (OAuth with PKCE); the org becomes the active one.
    Login(OrgLoginArgs),
    /// The orgs signed in on this device.
    List {
        /// One JSON object on stdout: {"orgs":[…]}.
        #[arg(long)]
        json: bool,
    },
    /// Make ALIAS the org commands use when no --org is given.
    Use { alias: String },
    /// Sign out: revoke the sign-in at Salesforce and delete it from the keyring.
    Logout { alias: String },
    /// Forget ALIAS on this device: sign out (revoking if still signed in) and remove it
    /// from the org list.
    Remove { alias: String },
    /// Compare the org with the setup kit (salesforce/ in the repository: the call-log
    /// object, its fields, the Task lookup, the "Ringside Agent" permission set) and list
    /// what is missing; exit 1 while anything is.
    Setup(OrgSetupArgs),
    /// The org's daily API usage, Ringside's share today by kind, and requests per
    /// handled call (a call log delivered today).
    Usage(OrgUsageArgs),
}

#[derive(Debug, clap::Args)]
pub struct OrgUsageArgs {
    /// The org (default: the active org; with none configured, the demo org).
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    /// One JSON object on stdout: {"org":{"used","max"},"ringside":{"today","by_kind":{…}},"per_call"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct OrgSetupArgs {
    /// Check the org against the kit (deploying is done with `sf`, see the README's "Set up
    /// your Salesforce org").
    #[arg(long, required = true)]
    pub check: bool,
    /// The org to check (default: the active org; with none configured, the demo org).
    #[arg(long, value_name = "A")]
    pub org: Option<String>,
    /// One JSON object on stdout: {"object","fields_checked","task_lookup_checked","ready","problems":[…]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct OrgLoginArgs {
    /// The name for this org in Ringside (`--org ALIAS`).
    #[arg(long, value_name = "ALIAS")]
    pub alias: String,
    /// https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or
    /// your My Domain, e.g. https://acme.my.salesforce.com (default: the alias's previous
    /// one, else [salesforce] login_url, else production).
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// The consumer key of your External Client App (default: the one this alias used
    /// before, else [salesforce] client_id in ringside.toml).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Loopback port for the redirect; the app must list
    /// http://127.0.0.1:PORT/oauth/callback (0 picks any free port: demo org and tests).
    /// (Default: [salesforce] redirect_port in ringside.toml, else 1717.)
    #[arg(long, value_name = "N")]
    pub redirect_port: Option<u16>,
    /// Print the sign-in URL on its own line instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// standard (api refresh_token offline_access), extended (+ web full) or
    /// privileged (+ chatter_api). Default: [salesforce] scope_profile, else standard.
    #[arg(long, value_name = "P")]
    pub scope_profile: Option<String>,
    /// Give up waiting for the browser after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout_secs: u64,
}

#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// A phone number in any format ("(415) 555-0123", "+44 20 7946 0958", "sip:+1415…@host")
    /// or an email address.
    pub query: String,
    /// The org to search (default: the active org; with none configured, the demo org).
    #[arg(long, value_name = "ALIAS")]
    pub org: Option<String>,
    /// Region for numbers typed without a country code, e.g. JP (default: the config's
    /// [phone] default_region, else the OS locale, else US).
    #[arg(long, value_name = "CC")]
    pub region: Option<String>,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DemoOrgCommand {
    /// Serve the demo org on 127.0.0.1 until interrupted; prints its base URL first.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Latency added to every request, in milliseconds.
        #[arg(long, default_value_t = 0, value_name = "MS")]
        latency_ms: u64,
        /// The org's daily API allocation: once this many calls are made, every data
        /// request answers 403 REQUEST_LIMIT_EXCEEDED (raise it again with the `api_limit`
        /// fault on /__demo/faults).
        #[arg(long, default_value_t = demo_org::DEFAULT_API_LIMIT, value_name = "N")]
        api_limit: u64,
        /// Search-index lag, in milliseconds: SOSL finds a new record only this long after it
        /// was created, as Salesforce's index lags behind writes. 0 turns it off (change it
        /// later with the `index_lag` fault on /__demo/faults).
        #[arg(long, default_value_t = default_index_lag_ms(), value_name = "MS")]
        index_lag_ms: u64,
        /// Session timeout, in minutes: access tokens older than this answer 401
        /// INVALID_SESSION_ID (Salesforce's default is two hours).
        #[arg(long, default_value_t = default_session_timeout_minutes(), value_name = "MINUTES")]
        session_timeout_minutes: u64,
    },
}

fn default_index_lag_ms() -> u64 {
    u64::try_from(demo_org::DEFAULT_INDEX_LAG.as_millis()).unwrap_or(u64::MAX)
}

fn default_session_timeout_minutes() -> u64 {
    demo_org::DEFAULT_SESSION_TIMEOUT.as_secs() / 60
}

/// `ringside call ring|answer|end …`.
#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// What happened: ring, answer or end.
    #[arg(value_enum)]
    pub action: CallAction,
    /// The softphone's id for the call (the same on ring, answer and end).
    #[arg(long, value_name = "ID")]
    pub call_id: String,
    /// The calling number (`anonymous` when withheld; `sip:`/`tel:` URIs are fine).
    #[arg(long, value_name = "N")]
    pub from: String,
    /// The called number.
    #[arg(long, value_name = "N")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t = CallDirection::Inbound)]
    pub direction: CallDirection,
    /// Talk time in seconds (on `end`; at most 86400, 24 hours).
    #[arg(long, value_name = "S")]
    pub duration: Option<u64>,
    /// How the call ended, e.g. answered, missed (on `end`).
    #[arg(long, value_name = "TEXT")]
    pub disposition: Option<String>,
    /// The org to search when no Ringside is running (default: the active org).
    #[arg(long, value_name = "ALIAS")]
    pub org: Option<String>,
    /// Print the local pop as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CallAction {
    Ring,
    Answer,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CallDirection {
    Inbound,
    Outbound,
}

/// `ringside listen …`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Connect to baresip's ctrl_tcp module at HOST:PORT (reconnects when it restarts).
    /// Default: `[pop] baresip` in ringside.toml; neither means no baresip adapter.
    #[arg(long, value_name = "HOST:PORT")]
    pub baresip: Option<String>,
    /// Port of the loopback event API on 127.0.0.1 (0 picks a free one; the port is
    /// written to RINGSIDE_HOME/event-api.json for `ringside call`).
    /// Default: `[pop] event_port` in ringside.toml, else a free port.
    #[arg(long)]
    pub port: Option<u16>,
    /// The org to search (default: the active org; with none configured, the demo org).
    #[arg(long, value_name = "ALIAS")]
    pub org: Option<String>,
    /// One JSON object per line: {"event","call_id","from","direction","matches":[…],…}.
    #[arg(long)]
    pub json: bool,
}
