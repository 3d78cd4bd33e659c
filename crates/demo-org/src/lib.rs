//! # demo-org: a Salesforce-compatible REST server for demos, tests and benchmarks
//!
//! An independent implementation of Salesforce's side of the REST API (it shares no code
//! with the `salesforce` client crate, so it catches the client's mistakes), seeded with a
//! deterministic org ([`seed`]) and able to misbehave on request ([`Faults`]).
//!
//! Served on `127.0.0.1` only, over real TCP. Salesforce surface under
//! `/services/data/`: versions list, `vNN.N/sobjects` (describeGlobal, describe with `If-Modified-Since` → 304, CRUD,
//! read/upsert/delete by external id), `query` and `queryAll` (SOQL, paged), `search` (SOSL),
//! `composite`, `composite/graph`, `composite/sobjects`, `composite/batch`, `limits`. Every data response carries `Sforce-Limit-Info:
//! api-usage=N/M` (M the daily allocation, [`DemoOrgConfig::api_limit`], default
//! [`DEFAULT_API_LIMIT`]); errors are Salesforce's JSON lists.
//!
//! ## What it refuses, as Salesforce does
//! - **The daily API allocation**: once the calls counted pass it, every data request
//!   (`/limits` too) answers 403 `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests
//!   Limit exceeded."}]`; `/limits`' `DailyApiRequests` and the header agree. Which calls count
//!   is said in `org`'s module doc (refused ones do; `/limits` does).
//! - **Restricted picklists** (Task.Status, Task.TaskSubtype, Task.CallType, Lead.Status,
//!   Opportunity.StageName, Case.Status, Call_Log__c.Direction__c): an unlisted value on
//!   create, update, upsert or in a composite is 400 `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`
//!   (`"Status: bad value for restricted picklist field: X"`, `fields: ["Status"]`); describe
//!   says `restrictedPicklist: true` and lists the values.
//! - **Long text areas** (text areas over 255 characters: every `Description`,
//!   `Summary__c`, `Key_Topics__c`, `Notes__c`) in `WHERE` or `ORDER BY` (SOQL, subqueries and SOSL
//!   `RETURNING`): 400 `INVALID_FIELD` ("field 'Description' can not be filtered/sorted in a
//!   query call"); describe says `filterable`/`sortable` false.
//! - **Writes that are not JSON**: a POST, PATCH or PUT whose `Content-Type` is not
//!   `application/json` (XML, form data, none) is 415 `UNSUPPORTED_MEDIA_TYPE` (the docs name
//!   the status, not the body: the body is this org's choice).
//! - **ETags on Account rows**: GET/PATCH answer an `ETag`; `If-Match` without it is 412
//!   `PRECONDITION_FAILED`, `If-None-Match` with it 304 (GET) or 412 (PATCH); other objects
//!   ignore both headers, as Salesforce documents.
//! - **`?updateOnly=true` upserts** by external id never create: no match is 404 `NOT_FOUND`
//!   (honoured on every served version; the docs do not say since when).
//! - **SOQL's documented limits** (module `soql::eval`, where each page is cited): `COUNT()`
//!   with ORDER BY or other fields; a plain field or ORDER BY beside `COUNT(field)` (no GROUP
//!   BY here: "Field must be grouped or aggregated"); `FIELDS(ALL)`/`FIELDS(CUSTOM)` without
//!   `LIMIT` ≤ 200 ("The SOQL FIELDS function must have a LIMIT of at most 200"); semi-joins
//!   and anti-joins whose left operand or selected field is not one Id/reference field
//!   (INVALID_FIELD), or that are nested, more than two per WHERE, under OR or NOT, on the
//!   main query's object, with ORDER BY or LIMIT, or inside a parent-to-child subquery
//!   (MALFORMED_QUERY). All are 400.
//! - **`/composite/batch`** (module `rest::batch`): more than 25 subrequests, an empty list,
//!   a bad method or url (another version than served or later than the batch's, a resource
//!   the Batch page does not list, a composite, a `@{…}` reference) are 400 before anything
//!   runs. `haltOnError` answers 412 `BATCH_PROCESSING_HALTED` for the subrequests after a
//!   failed one. Each subrequest counts as one API call besides the batch itself ("Each
//!   subrequest counts against rate limits").
//! - **Sessions end** ([`DemoOrgConfig::session_timeout`], default two hours): an access
//!   token issued longer ago than that, on the org's clock, answers 401
//!   `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`. Use does
//!   not extend it (the stricter reading; the pages are cited in `sessions`' module doc).
//! - **A token without the `api` scope** (nor `full`): 401 `INVALID_SESSION_ID` "This session
//!   is not valid for use with the REST API". The authorize step grants the scopes asked
//!   for; [`DemoOrg::issue_access_token`] and `/__demo/tokens` give full ones.
//! - **Authorization codes** expire 15 minutes after the authorize step (`invalid_grant`
//!   "expired authorization code"); a code presented again is `invalid_grant` and revokes
//!   every token its first exchange produced (RFC 6749 §4.1.2).
//! - **Search-index lag** ([`DemoOrgConfig::index_lag`], default [`DEFAULT_INDEX_LAG`]): SOSL
//!   does not find a record until that long after its `CreatedDate` on the org's clock
//!   (queries and reads see it at once); [`DemoOrg::advance_clock`] moves past it.
//!
//! OAuth (web-server flow with PKCE S256, as an External Client App with PKCE on, no
//! secret, refresh-token rotation on; its consumer key is [`DEMO_CLIENT_ID`], any other is
//! `invalid_client_id`; callbacks `ringside://oauth/callback` and
//! `http://127.0.0.1:ANY/oauth/callback`): `GET /services/oauth2/authorize` approves at once
//! as the demo user and redirects to `redirect_uri?code=…&state=…` (`prompt=consent` shows
//! an Allow/Deny page first; Deny redirects with `error=access_denied`);
//! `GET /services/oauth2/userinfo`; `POST
//! /services/oauth2/token` (`authorization_code` with `code_verifier`, or
//! `refresh_token`; answers have no `expires_in`); `POST /services/oauth2/revoke`;
//! the identity URL `GET /id/{orgId}/{userId}`. Reusing a rotated-out refresh token
//! revokes its whole family (`invalid_grant`).
//!
//! ## Test-harness control API (`/__demo/`, loopback only, no authentication)
//! For a server run as its own process (`ringside demo-org serve`):
//! - `POST /__demo/tokens` → `{"access_token","instance_url","id","token_type","issued_at"}`:
//!   a fresh token for the demo user, with full scopes (it still ends with the session timeout).
//! - `POST /__demo/faults` with a [`FaultCommand`] JSON, e.g.
//!   `{"kind":"latency","ms":200}`,
//!   `{"kind":"error","method":"POST","path_prefix":"/services/data/v66.0/composite","times":2,"status":503,"body":[{"message":"busy","errorCode":"SERVER_UNAVAILABLE"}]}`,
//!   `{"kind":"drop_before","path_prefix":"/services/data","times":1}`,
//!   `{"kind":"drop_after","method":"PATCH","path_prefix":"/services/data/v66.0/sobjects/Call_Log__c"}`,
//!   `{"kind":"expire_tokens"}`, `{"kind":"revoke_refresh_tokens"}`, `{"kind":"refuse_connections","seconds":2}`,
//!   `{"kind":"index_lag","ms":600000}` (SOSL does not find records created less than that long
//!   ago; 0 turns the lag off; `clear` restores the configured one),
//!   `{"kind":"session_timeout","ms":7200000}` (access tokens older than that answer 401
//!   INVALID_SESSION_ID, those already issued included; `clear` keeps it),
//!   `{"kind":"hide_object","object":"Lead"}` (the user has no Read on Lead: see `object_access`),
//!   `{"kind":"api_limit","max":20000}` (sets the daily API allocation: lower it to see
//!   REQUEST_LIMIT_EXCEEDED, raise it to let calls through again; `clear` keeps it),
//!   `{"kind":"clear"}` → 204.
//! - `GET /__demo/requests` → the [`LoggedRequest`] list (`at` in epoch milliseconds);
//!   `DELETE /__demo/requests` clears it.
//! - `GET /__demo/usage` → `{"api_usage","limit"}`: the N and M of `Sforce-Limit-Info`.
//! - `POST /__demo/call_logs` with a [`CallLogSeed`] JSON, e.g. `{"count":5000,"seed":1}`
//!   (optional `"days"`, default 30, and `"until_ms"`, default a fixed 2026-10-20T00:00Z)
//!   → `{"seeded","from_ms","until_ms","agents":[{"id","name"}]}`: a call history of that
//!   many call logs with their Tasks, over six agents (see [`call_log_seed`]).
//! - `GET /__demo/oauth` → `{"authorization_code","refresh_token","revoke"}`: token and
//!   revoke requests answered so far.
//! - `POST /__demo/clock` with `{"advance_ms":960000}` → `{"now_ms"}`: moves the org's clock
//!   forward (here 16 minutes, enough to expire every idle query cursor) without waiting;
//!   `GET /__demo/clock` → `{"now_ms"}`. The clock never goes back; [`DemoOrg::advance_clock`]
//!   does the same in process. Record timestamps, `TODAY`, cursor expiry, `issued_at`, the
//!   session timeout, code expiry and the search-index lag read this clock; the request log's `at` stays wall-clock time.
//!
//! Faults never apply to `/__demo/` requests (but a refusal closes the whole listener).
//!
//! ## Documented choices
//! - SOSL phone matching compares digits exactly (module `sosl::search`): `+14155550123` does
//!   not find a stored `(415) 555-0123`, `4155550123` does.
//! - Unrestricted picklists accept any value (as in Salesforce); the restricted ones are
//!   listed above.
//! - Error bodies include `fields` on DML errors and omit it on others, as Salesforce does.
//! - The search-index lag defaults to 30 seconds: Salesforce's large-data-volume guide says
//!   "about 15 minutes or more" at worst; the default stays usable in the built-in demo and
//!   is longer than any test's create-then-search (see `sosl::search`). Updates are indexed
//!   at once (more lenient than Salesforce).
//! - Sharing (module `sharing`): `Call_Log__c` and `Task` are private to their owner unless
//!   the user has "View All Data" (the demo user has); other objects are public read.
//! - Parent-to-child subqueries follow the relationships in `schema::CHILD_RELATIONSHIPS`
//!   (`Call_Log__c.Tasks__r` is the Task's call-log lookup).
//! - Deleted records go to a Recycle Bin (module `store`): `GET` by id answers 404
//!   `ENTITY_IS_DELETED`, `query` and SOSL leave them out, `queryAll` returns them with
//!   `IsDeleted` true (every object's `IsDeleted` can be selected and filtered; describe does
//!   not list it) and pages them through `query/…` locators, as the QueryAll page says.
//!   Nothing is purged and nothing undeleted. Child and semi-join subqueries of a `queryAll`
//!   read live rows only.
//! - SOQL aggregates: `COUNT()` and `COUNT(field) [alias]` only, without GROUP BY; one
//!   `AggregateResult` row with `expr0`, `expr1`, … for the unaliased ones.
//! - `FIELDS(STANDARD)` is every field whose name does not end in `__c`, `FIELDS(CUSTOM)` the
//!   others; fields hidden by field-level security are left out of the rows, and sharing
//!   applies as to any query. FIELDS() is refused inside parent-to-child subqueries (the
//!   docs allow it there with its LIMIT rule; not modelled, so refused rather than faked).
//!
//! ## Composite limits (module `rest::composite`, where each is cited)
//! - `/composite`: at most 25 subrequests, of which at most 5 query or sObject Collections
//!   operations (`query`, `queryAll`, their next-page locators, anything under
//!   `composite/sobjects`; a `search` does not count). Over either limit nothing runs and
//!   the answer is HTTP 200 with one entry `{"body":[{"errorCode":"LIMIT_EXCEEDED",…}],
//!   "httpHeaders":{},"httpStatusCode":400,"referenceId":null}`, as real orgs answer.
//! - An `@{ref.path}` that cannot be resolved (unknown or later reference, failed
//!   subrequest, index past the end, missing field) fails its subrequest with 400
//!   PROCESSING_HALTED; without `allOrNone` the others still run. A reference to a null
//!   value, an object or a list is refused the same way (the docs only list scalar types as
//!   referenceable and are silent on null: the stricter reading).
//! - `/composite/graph`: nodes may only be sObject rows (`POST sobjects/X`,
//!   `GET|PATCH|DELETE sobjects/X/{id}`, by external id `GET|PATCH|DELETE|POST
//!   sobjects/X/Field/value`); a graph holding anything else fails as a whole before it
//!   runs (the node answers INVALID_API_INPUT, the rest PROCESSING_HALTED; the answer shape
//!   is this org's choice, the docs give none). At most 75 graphs, 500 nodes and 15
//!   different nodes per payload, else HTTP 400 LIMIT_EXCEEDED and nothing runs (shape
//!   also this org's choice); each graph all-or-nothing; after 14 failed graphs the rest
//!   are halted.
//! - Query cursors (`nextRecordsUrl`) follow the SOAP API guide's "QueryLocator" rules,
//!   stricter than today's Salesforce: a cursor unused for 15 minutes expires, a user has at
//!   most 10 open (an 11th closes that user's oldest), a cursor read to its end is closed,
//!   and any of those answers 400 `[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]`.
//!   Salesforce lifted the 15 minutes and the 10 with API v56.0 (cursors now live 2 days,
//!   which this org enforces too); see `org`'s module doc for the pages and why the older
//!   rules are kept.

mod api_error;
pub mod call_log_seed;
mod clock;
mod faults;
mod field_security;
mod http;
mod ids;
mod oauth;
mod object_access;
mod org;
mod rest;
mod schema;
pub mod seed;
mod server;
mod sessions;
mod sharing;
mod soql;
mod sosl;
mod store;

pub use call_log_seed::{CallLogSeed, CallLogSeedError, SeededCallLogs};
pub use faults::{FaultCommand, Faults, HeldRequest};
pub use oauth::{DEMO_USERNAME, ORG_ID};
pub use org::{DEFAULT_API_LIMIT, LoggedRequest};
pub use sessions::{DEFAULT_SESSION_TIMEOUT, DEMO_CLIENT_ID, OAuthCounts};
pub use sosl::search::DEFAULT_INDEX_LAG;
pub use store::ValidationRule;

use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The newest API version served (Spring '26).
pub const LATEST_API_VERSION: &str = "66.0";

/// How to start the org.
#[derive(Clone, Debug)]
pub struct DemoOrgConfig {
    /// TCP port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Latency added before every `/services` response (changeable later through [`Faults`]).
    pub latency: Duration,
    /// The daily API allocation (default [`DEFAULT_API_LIMIT`], a Developer Edition's): once
    /// this many calls are counted, every data request answers 403 `REQUEST_LIMIT_EXCEEDED`
    /// (changeable later through [`Faults::set_api_limit`]).
    pub api_limit: u64,
    /// Search-index lag (default [`DEFAULT_INDEX_LAG`]): SOSL does not find a record until
    /// this long after it was created, on the org's clock. Zero turns it off (a test that
    /// searches for what it just created, and is not about the lag, says so with zero).
    /// Changeable later through [`Faults::set_index_lag`]; [`Faults::clear`] comes back here.
    pub index_lag: Duration,
    /// The session timeout (default [`DEFAULT_SESSION_TIMEOUT`], two hours): an access token
    /// issued longer ago than this, on the org's clock, answers 401 INVALID_SESSION_ID.
    /// Changeable later through [`Faults::set_session_timeout`].
    pub session_timeout: Duration,
}

impl Default for DemoOrgConfig {
    fn default() -> Self {
        DemoOrgConfig {
            port: 0,
            latency: Duration::ZERO,
            api_limit: DEFAULT_API_LIMIT,
            index_lag: DEFAULT_INDEX_LAG,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
        }
    }
}

/// The tokens of [`DemoOrg::sign_in`].
#[derive(Clone)]
pub struct DemoSignIn {
    pub access_token: String,
    pub refresh_token: String,
    /// The token's identity URL (`{base}/id/{orgId}/{userId}`), as the token endpoint's `id`.
    pub identity_url: String,
}

impl std::fmt::Debug for DemoSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoSignIn { <redacted> }")
    }
}

/// Why the org could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoOrgError {
    /// The port could not be bound (in use, or not permitted).
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

/// A running demo org. Dropping it stops the server (without waiting); call
/// [`DemoOrg::shutdown`] to stop it and wait until the port is released.
pub struct DemoOrg {
    org: Arc<org::Org>,
    base_url: String,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Drop for DemoOrg {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl std::fmt::Debug for DemoOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoOrg")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Seeds the org and starts serving on 127.0.0.1.
pub async fn start(config: DemoOrgConfig) -> Result<DemoOrg, DemoOrgError> {
    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|source| DemoOrgError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| DemoOrgError::Bind {
        port: config.port,
        source,
    })?;
    let base_url = format!("http://{addr}");
    let org = Arc::new(org::Org::new(
        seed::build(),
        Faults::new(
            config.latency,
            config.api_limit,
            config.index_lag,
            config.session_timeout,
        ),
        base_url.clone(),
    ));
    field_security::hide_from_env(&org.faults);
    object_access::hide_from_env(&org.faults);
    // Before the server runs, so a refusal asked for at start holds from the first request.
    faults::apply_from_env(&org.faults);
    let router = http::router(org.clone());
    let (shutdown, rx) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, org.clone(), router, rx));
    tracing::info!(%base_url, "demo org listening");
    Ok(DemoOrg {
        org,
        base_url,
        shutdown,
        task: Some(task),
    })
}

impl DemoOrg {
    /// `http://127.0.0.1:PORT`: the instance URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// A fresh valid bearer token for the seeded demo user ([`seed::DEMO_USER_ID`]).
    pub fn issue_access_token(&self) -> String {
        self.org.issue_token()
    }

    /// A sign-in for the demo user, as `ringside org login` would get one but without the
    /// browser: an access token and a refresh token (standard scopes, rotation on, consumer
    /// key [`DEMO_CLIENT_ID`]). The access token ends with the session timeout like any
    /// other; the refresh token renews it at `/services/oauth2/token`. What the built-in demo
    /// uses, so a long-running app renews its demo session as it would a real one.
    pub fn sign_in(&self) -> DemoSignIn {
        let grant = self.org.sign_in();
        DemoSignIn {
            access_token: grant.access_token,
            refresh_token: grant.refresh_token.unwrap_or_default(),
            identity_url: oauth::identity_url(&self.org),
        }
    }

    /// A fresh valid bearer token acting as `user_id` (e.g. a seeded agent without
    /// "View All Data": call logs and Tasks are private, so it sees only its own).
    pub fn issue_access_token_as(&self, user_id: &str) -> String {
        self.org.issue_token_as(user_id)
    }

    /// Fault injection switches.
    pub fn faults(&self) -> &Faults {
        &self.org.faults
    }

    /// Every `/services/data` request seen so far, oldest first.
    pub fn data_requests(&self) -> Vec<LoggedRequest> {
        self.org.requests()
    }

    pub fn clear_request_log(&self) {
        self.org.clear_requests();
    }

    /// Token and revoke requests answered so far (a refresh is one `refresh_token`).
    pub fn oauth_counts(&self) -> OAuthCounts {
        org::lock(&self.org.sessions).counts
    }

    /// Adds a generated call history (call logs with their Tasks over several agents).
    pub fn seed_call_logs(&self, spec: &CallLogSeed) -> Result<SeededCallLogs, CallLogSeedError> {
        call_log_seed::seed(&mut org::lock(&self.org.store), spec)
    }

    /// Moves the org's clock forward by `by` without waiting: query cursors unused for 15
    /// minutes expire, `TODAY` and new records' timestamps move on. Returns the org's new
    /// time (epoch milliseconds). Over HTTP: `POST /__demo/clock`.
    pub fn advance_clock(&self, by: Duration) -> i64 {
        self.org
            .advance_clock(i64::try_from(by.as_millis()).unwrap_or(i64::MAX))
    }

    /// How many updates to the record `id` the org committed: a rolled-back composite or
    /// graph counts none, a request whose answer was lost after it committed counts. What
    /// a test asks to see that a record was written once, whatever the client believes.
    pub fn updates_applied(&self, id: &str) -> u32 {
        org::lock(&self.org.store).updates_applied(id)
    }

    /// Adds a validation rule: creates and updates setting its field to its value are
    /// refused with FIELD_CUSTOM_VALIDATION_EXCEPTION (see [`ValidationRule`]).
    pub fn add_validation_rule(&self, rule: ValidationRule) {
        org::lock(&self.org.store).add_validation_rule(rule);
    }

    /// Removes every validation rule, as an admin fixing a rule does.
    pub fn clear_validation_rules(&self) {
        org::lock(&self.org.store).clear_validation_rules();
    }

    /// The org's time in epoch milliseconds: the wall clock plus every [`DemoOrg::advance_clock`].
    pub fn now_ms(&self) -> i64 {
        self.org.now_ms()
    }

    /// API calls counted so far (the N of `Sforce-Limit-Info: api-usage=N/M`).
    pub fn api_usage(&self) -> u64 {
        self.org.api_usage()
    }

    /// The daily API allocation (the M of `Sforce-Limit-Info: api-usage=N/M`).
    pub fn api_limit(&self) -> u64 {
        self.org.api_limit()
    }

    /// Stops listening, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "demo org task ended abnormally");
        }
    }
}
