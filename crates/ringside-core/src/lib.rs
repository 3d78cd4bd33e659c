//! Ringside's headless domain. Nothing here knows about a window or a terminal:
//! the CLI and the desktop shell are thin layers over these modules.
//!
//! - [`api_usage`]: the org's API allocation, Ringside's requests per day and kind, the governor.
//! - [`api_budget`]: counting an org client's requests and today's report, shared by CLI and desktop.
//! - [`phone`]: caller input (phone number or email) → a normalised query.
//! - [`lookup`]: the screen-pop search against Salesforce and the ranking of matches.
//! - [`config`]: the Ringside home and the admin config file.
//! - [`home_files`]: the names of the files in the home and the policy file's path.
//! - [`private_files`]: the home `0700` and its files `0600` (unix).
//! - [`settings`]: where the default phone region comes from.
//! - [`call_log`]: the call log, its validation, and its Salesforce records (Task + call log).
//! - [`outbox`]: the durable call-log queue (SQLite) and the worker that delivers it exactly once.
//! - [`outcomes`]: outcome actions (`[outcomes]`) and each call's planned actions.
//! - [`outcome_choices`]: the actions' names and what the agent chose about them for a call.
//! - [`call_actions`]: a call's outcome actions as the CLI and the log form queue them.
//! - [`audit`]: the append-only log of every queue state change.
//! - [`events`]: call events from softphones, the loopback API and links, on one stream.
//! - [`pop`]: the screen pop: unknown callers, the 60 s cache, records Ringside just created.
//! - [`new_caller`]: creating a Lead or Contact for an unknown caller from the pop-up.
//! - [`record_link`]: the Lightning URL of a record, for "Open in Salesforce".
//! - [`clock`]: the time seam the cache and the pop use.
//! - [`secrets`]: sign-in tokens in the OS keyring (never a file), keyed by org and user id.
//! - [`orgs`]: the org registry `orgs.toml` (aliases, hosts, ids, the active org; no secret).
//! - [`login`]: the browser sign-in (PKCE, `state`, loopback redirect) end to end.
//! - [`org_session`]: a self-refreshing client for a signed-in org.
//! - [`signin_settings`]: the admin's `[salesforce]` sign-in settings (consumer key, host).
//! - [`field_policy`]: which fields agents see and may edit, and the intent map (`[fields.*]`, `[intents]`).
//! - [`field_value`]: a typed value checked against a field's describe (picklist, date, length…).
//! - [`describe_cache`]: describes fetched once per object per run.
//! - [`config_check`]: `config validate`, the config against the org's live describe.
//! - [`config_edit`]: the admin view's changes to `ringside.toml`, checked, then written atomically.
//! - [`config_policy`]: the system policy file read under the user's `ringside.toml`, its `locked` keys, where each value comes from.
//! - [`record_edit`]: showing and editing a record under the field policy, with conflict detection.
//! - [`edit_queue`]: record edits made while Salesforce is unreachable, queued durably and sent later.
//! - [`intents`]: what an intent button writes (record fields, or the call's Task and call log).
//! - [`doctor`]: the org readiness checks, each pass/fail with the fix.
//! - [`ipc_code`]: the closed list of error codes a front end branches on ([`ipc_code::IpcCode`]).
//! - [`history`]: call history (Salesforce merged with the local queue), chart stats, CSV.
//! - [`update_settings`]: the admin's `[update]` key and endpoint for signed auto-updates.
//! - [`time`]: instants, Salesforce date/datetime text, HTTP dates, zone offsets (over `jiff`).
//! - [`update_schedule`]: when to look for an update and when one may be installed.

pub mod api_budget;
pub mod api_usage;
pub mod api_version;
pub mod audit;
pub mod call_actions;
pub mod call_back;
pub mod call_log;
pub mod clock;
pub mod config;
pub mod config_check;
pub mod config_edit;
pub mod config_policy;
pub mod config_watch;
pub mod demo;
pub mod describe_cache;
pub mod doctor;
pub mod edit_queue;
pub mod events;
pub mod field_policy;
pub mod field_value;
pub mod history;
pub mod home_files;
pub mod intents;
pub mod ipc_code;
pub mod login;
pub mod lookup;
pub mod new_caller;
pub mod org_error;
pub mod org_session;
pub mod orgs;
pub mod outbox;
pub mod outcome_choices;
pub mod outcome_edit;
pub mod outcomes;
pub mod phone;
pub mod pop;
pub mod private_files;
pub mod record_edit;
pub mod record_link;
pub mod secrets;
pub mod settings;
pub mod setup_kit;
pub mod signin_settings;
pub mod time;
pub mod update_schedule;
pub mod update_settings;

pub use lookup::{
    CallerLookup, CallerMatch, CallerObject, LookupError, LookupResult, MatchSource, OpenCase,
    OpenOpportunity, QueryKind, RelatedRecords,
};
pub use settings::{LookupSettings, ObjectPriority};

/// The authenticated Salesforce client of one org, as the CLI and the desktop hold it: they
/// pass it to core (lookups, describes, the queue worker) and never build a request with it,
/// so they depend on core alone and core decides what every request means.
pub type OrgClient = salesforce::Client;
