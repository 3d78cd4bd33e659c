//! Fault injection: what a test asks the org to do wrong. Added latency; an error
//! status and body for the next N matching requests; expiring every access token;
//! dropping the connection before the handler runs or after its write is committed;
//! refusing connections for a while (listener closed, then re-bound on the same port);
//! hiding a field from the user (field-level security, see [`crate::field_security`]);
//! setting the org's daily API allocation (`api_limit`, see [`crate::org`]): a test lowers it
//! to see `REQUEST_LIMIT_EXCEEDED`, then raises it again to see the app resume; setting the
//! search-index lag (`index_lag`) and the session timeout (`session_timeout`, see
//! [`crate::sessions`]).
//!
//! Rules match a request by optional HTTP method and a prefix of the URL path (e.g.
//! `/services/data/v66.0/composite`). Faults apply only to `/services/…` requests, never
//! to the `/__demo/` control API. The same controls are reachable over HTTP as
//! [`FaultCommand`] JSON posted to `/__demo/faults`, or given at start in the environment
//! as a JSON list, `RINGSIDE_DEMO_FAULTS='[{"kind":"refuse_connections","seconds":60}]'`
//! (how a test makes the CLI's built-in demo org unreachable, say).
//!
//! One control is Rust-only: [`Faults::hold_next`] stops the next matching request before
//! its handler runs until the test releases it, so a test can make another write land at a
//! precise point between two of the client's requests (a race, on purpose).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// The environment variable holding fault commands (a JSON list) applied at start.
pub const FAULTS_ENV: &str = "RINGSIDE_DEMO_FAULTS";

/// Applies the [`FAULTS_ENV`] commands; a malformed value is logged and ignored.
pub(crate) fn apply_from_env(faults: &Faults) {
    let Ok(text) = std::env::var(FAULTS_ENV) else {
        return;
    };
    match serde_json::from_str::<Vec<FaultCommand>>(&text) {
        Ok(commands) => {
            for command in commands {
                tracing::info!(?command, "fault applied from {FAULTS_ENV}");
                faults.apply(command);
            }
        }
        Err(err) => tracing::warn!("{FAULTS_ENV} is not a JSON list of fault commands: {err}"),
    }
}

/// What a matching request gets instead of a normal answer.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    Error { status: u16, body: Value },
    DropBeforeHandler,
    DropAfterCommit,
    Hold(std::sync::Arc<Gate>),
}

/// Equal when the same fault: two holds are equal only if they are the same gate.
impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Action::Error { status, body },
                Action::Error {
                    status: s2,
                    body: b2,
                },
            ) => status == s2 && body == b2,
            (Action::DropBeforeHandler, Action::DropBeforeHandler)
            | (Action::DropAfterCommit, Action::DropAfterCommit) => true,
            (Action::Hold(a), Action::Hold(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The two signals of a held request: it arrived (and waits), and it may go on.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    reached: Notify,
    release: Notify,
}

impl Gate {
    /// Called by the server for a held request: says it arrived, waits for the release.
    pub(crate) async fn hold(&self) {
        self.reached.notify_one();
        self.release.notified().await;
    }
}

/// A request held by [`Faults::hold_next`].
#[derive(Debug, Clone)]
pub struct HeldRequest(std::sync::Arc<Gate>);

impl HeldRequest {
    /// Waits until the matching request has arrived (it is held, its handler not run).
    pub async fn reached(&self) {
        self.0.reached.notified().await;
    }

    /// Lets the held request go on to its handler (or lets the next one through at once,
    /// if none has arrived yet).
    pub fn release(&self) {
        self.0.release.notify_one();
    }
}

#[derive(Debug)]
struct Rule {
    method: Option<String>,
    path_prefix: String,
    remaining: u32,
    action: Action,
}

#[derive(Debug, Default)]
struct State {
    latency: Duration,
    index_lag: Duration,
    rules: Vec<Rule>,
    refuse_for: Option<Duration>,
    /// (object, field) pairs the user cannot see.
    hidden_fields: Vec<(String, String)>,
    /// Objects the user cannot read.
    hidden_objects: Vec<String>,
    /// The newest API version served (`"62.0"`); `None`: every version this org knows.
    newest_api_version: Option<String>,
}

/// A fault command, as JSON on `POST /__demo/faults` (`{"kind": "error", …}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultCommand {
    /// Added latency before every `/services` answer.
    Latency { ms: u64 },
    /// The next `times` matching requests get `status` and `body` (the handler does not run).
    Error {
        #[serde(default)]
        method: Option<String>,
        path_prefix: String,
        #[serde(default = "one")]
        times: u32,
        status: u16,
        body: Value,
    },
    /// The next `times` matching requests have their connection closed before the handler runs.
    DropBefore {
        #[serde(default)]
        method: Option<String>,
        path_prefix: String,
        #[serde(default = "one")]
        times: u32,
    },
    /// The next `times` matching requests run (their writes are committed) but the
    /// connection is closed instead of sending the response.
    DropAfter {
        #[serde(default)]
        method: Option<String>,
        path_prefix: String,
        #[serde(default = "one")]
        times: u32,
    },
    /// Every access token issued so far stops working (401 INVALID_SESSION_ID); refresh
    /// tokens still work.
    ExpireTokens,
    /// Every refresh token issued so far stops working (`invalid_grant`), as when an admin
    /// revokes the app's sessions or a sixth login pushes the oldest out.
    RevokeRefreshTokens,
    /// Close the listener (and open connections) and re-bind after `seconds`.
    RefuseConnections { seconds: f64 },
    /// Search-index lag: records created less than `ms` ago (on the org's clock) are not
    /// found by SOSL (queries and reads still see them), as Salesforce's index lags behind
    /// writes. 0 turns the lag off; `clear` restores the org's configured lag.
    IndexLag { ms: u64 },
    /// The org's session timeout: access tokens issued more than `ms` ago (on the org's
    /// clock) answer 401 INVALID_SESSION_ID. Applies to tokens already issued too; not undone
    /// by `clear`.
    SessionTimeout { ms: u64 },
    /// Field-level security: the user can no longer see `object`.`field` (absent from
    /// describe and records; queries, reads and writes naming it get INVALID_FIELD).
    HideField { object: String, field: String },
    /// Object permissions: the user can no longer read `object` at all (left out of
    /// describeGlobal; its resources answer NOT_FOUND, SOQL and SOSL naming it INVALID_TYPE).
    HideObject { object: String },
    /// The org serves API versions up to `newest` only (`"62.0"`), as an org not yet on a
    /// newer release: the versions list stops there and newer paths answer NOT_FOUND.
    ApiVersions { newest: String },
    /// Set the org's daily API allocation to `max` calls (`Sforce-Limit-Info`'s M and
    /// `/limits`' `DailyApiRequests.Max`). Once the calls counted pass it, every data request
    /// answers 403 `REQUEST_LIMIT_EXCEEDED`; raising it lets requests through again.
    ApiLimit { max: u64 },
    /// Remove every rule, the added latency, hidden fields and objects, and set the index
    /// lag back to the org's configured one (the API allocation and session timeout stay).
    Clear,
}

fn one() -> u32 {
    1
}

/// The org's fault switches. Shared by the server and whoever drives the tests.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
    token_epoch: AtomicU64,
    session_epoch: AtomicU64,
    /// The daily API allocation (the M of `Sforce-Limit-Info: api-usage=N/M`).
    api_limit: AtomicU64,
    /// The index lag the org was started with: what `clear` goes back to.
    configured_index_lag: Duration,
    /// The session timeout, in milliseconds.
    session_timeout_ms: AtomicU64,
    refuse: Notify,
}

impl Faults {
    pub(crate) fn new(
        latency: Duration,
        api_limit: u64,
        index_lag: Duration,
        session_timeout: Duration,
    ) -> Self {
        Faults {
            state: Mutex::new(State {
                latency,
                index_lag,
                ..State::default()
            }),
            api_limit: AtomicU64::new(api_limit),
            configured_index_lag: index_lag,
            session_timeout_ms: AtomicU64::new(
                u64::try_from(session_timeout.as_millis()).unwrap_or(u64::MAX),
            ),
            ..Faults::default()
        }
    }

    /// Sets the org's session timeout: access tokens issued longer ago than this are
    /// refused (401 INVALID_SESSION_ID), those already issued included.
    pub fn set_session_timeout(&self, timeout: Duration) {
        self.session_timeout_ms.store(
            u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }

    /// The org's session timeout.
    pub fn session_timeout(&self) -> Duration {
        Duration::from_millis(self.session_timeout_ms.load(Ordering::SeqCst))
    }

    /// Sets the org's daily API allocation. Raising it above the calls already counted lets
    /// requests through again; lowering it to them or below refuses every data request with
    /// 403 `REQUEST_LIMIT_EXCEEDED`. Not undone by [`Faults::clear`]: it is the org's
    /// allocation, not a passing fault.
    pub fn set_api_limit(&self, max: u64) {
        self.api_limit.store(max, Ordering::SeqCst);
    }

    /// The org's daily API allocation.
    pub fn api_limit(&self) -> u64 {
        self.api_limit.load(Ordering::SeqCst)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave State inconsistent (plain fields).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the latency added before every `/services` response.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    pub fn latency(&self) -> Duration {
        self.state().latency
    }

    fn push(&self, method: Option<&str>, path_prefix: &str, times: u32, action: Action) {
        self.state().rules.push(Rule {
            method: method.map(str::to_ascii_uppercase),
            path_prefix: path_prefix.to_owned(),
            remaining: times,
            action,
        });
    }

    /// The next `times` requests matching `method` (any when `None`) and `path_prefix`
    /// are answered with `status` and the JSON `body` instead of running.
    pub fn fail_next(
        &self,
        method: Option<&str>,
        path_prefix: &str,
        times: u32,
        status: u16,
        body: Value,
    ) {
        self.push(method, path_prefix, times, Action::Error { status, body });
    }

    /// The next `times` matching requests see their connection closed before the handler runs.
    pub fn drop_before_handler(&self, method: Option<&str>, path_prefix: &str, times: u32) {
        self.push(method, path_prefix, times, Action::DropBeforeHandler);
    }

    /// The next `times` matching requests are handled (writes committed) but the
    /// connection is closed instead of sending the response.
    pub fn drop_after_commit(&self, method: Option<&str>, path_prefix: &str, times: u32) {
        self.push(method, path_prefix, times, Action::DropAfterCommit);
    }

    /// The next request matching `method` and `path_prefix` waits before its handler runs
    /// until the returned handle is released; other requests are served meanwhile.
    pub fn hold_next(&self, method: Option<&str>, path_prefix: &str) -> HeldRequest {
        let gate = std::sync::Arc::new(Gate::default());
        self.push(method, path_prefix, 1, Action::Hold(gate.clone()));
        HeldRequest(gate)
    }

    /// Invalidates every access token issued so far.
    pub fn expire_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Invalidates every refresh token issued so far (the next refresh gets `invalid_grant`).
    pub fn revoke_refresh_tokens(&self) {
        self.session_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Closes the listener and every open connection, refusing connections for
    /// `duration`, then listens again on the same port.
    pub fn refuse_connections(&self, duration: Duration) {
        self.state().refuse_for = Some(duration);
        self.refuse.notify_one();
    }

    /// Hides `object`.`field` from the user, as a profile without read access to it does.
    pub fn hide_field(&self, object: &str, field: &str) {
        let mut s = self.state();
        if !s
            .hidden_fields
            .iter()
            .any(|(o, f)| o.eq_ignore_ascii_case(object) && f.eq_ignore_ascii_case(field))
        {
            s.hidden_fields.push((object.to_owned(), field.to_owned()));
        }
    }

    /// The fields hidden from the user, as (object, field).
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        self.state().hidden_fields.clone()
    }

    /// Hides `object` from the user, as a profile without Read on it does.
    pub fn hide_object(&self, object: &str) {
        let mut s = self.state();
        if !s
            .hidden_objects
            .iter()
            .any(|o| o.eq_ignore_ascii_case(object))
        {
            s.hidden_objects.push(object.to_owned());
        }
    }

    /// Serves API versions up to `newest` only (see [`FaultCommand::ApiVersions`]).
    pub fn serve_api_versions_up_to(&self, newest: &str) {
        self.state().newest_api_version = Some(newest.trim_start_matches('v').to_owned());
    }

    /// The newest API version served, when limited.
    pub fn newest_api_version(&self) -> Option<String> {
        self.state().newest_api_version.clone()
    }

    /// The objects hidden from the user.
    pub fn hidden_objects(&self) -> Vec<String> {
        self.state().hidden_objects.clone()
    }

    /// Removes all pending rules, the added latency, hidden fields and objects, and sets the
    /// index lag back to the one the org was started with.
    pub fn clear(&self) {
        let mut s = self.state();
        s.rules.clear();
        s.hidden_fields.clear();
        s.hidden_objects.clear();
        s.latency = Duration::ZERO;
        s.index_lag = self.configured_index_lag;
    }

    /// Hides records created less than `lag` ago (on the org's clock) from SOSL; zero turns
    /// the lag off. The org starts with [`crate::DemoOrgConfig::index_lag`].
    pub fn set_index_lag(&self, lag: Duration) {
        self.state().index_lag = lag;
    }

    pub fn index_lag(&self) -> Duration {
        self.state().index_lag
    }

    /// Applies a command received over HTTP.
    pub fn apply(&self, command: FaultCommand) {
        match command {
            FaultCommand::Latency { ms } => self.set_latency(Duration::from_millis(ms)),
            FaultCommand::Error {
                method,
                path_prefix,
                times,
                status,
                body,
            } => self.fail_next(method.as_deref(), &path_prefix, times, status, body),
            FaultCommand::DropBefore {
                method,
                path_prefix,
                times,
            } => self.drop_before_handler(method.as_deref(), &path_prefix, times),
            FaultCommand::DropAfter {
                method,
                path_prefix,
                times,
            } => self.drop_after_commit(method.as_deref(), &path_prefix, times),
            FaultCommand::ExpireTokens => self.expire_tokens(),
            FaultCommand::RevokeRefreshTokens => self.revoke_refresh_tokens(),
            FaultCommand::RefuseConnections { seconds } => {
                self.refuse_connections(Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)))
            }
            FaultCommand::IndexLag { ms } => self.set_index_lag(Duration::from_millis(ms)),
            FaultCommand::SessionTimeout { ms } => {
                self.set_session_timeout(Duration::from_millis(ms))
            }
            FaultCommand::HideField { object, field } => self.hide_field(&object, &field),
            FaultCommand::HideObject { object } => self.hide_object(&object),
            FaultCommand::ApiVersions { newest } => self.serve_api_versions_up_to(&newest),
            FaultCommand::ApiLimit { max } => self.set_api_limit(max),
            FaultCommand::Clear => self.clear(),
        }
    }

    /// Takes one use of the first rule matching this request, if any.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Action> {
        let mut s = self.state();
        let rule = s.rules.iter_mut().find(|r| {
            r.remaining > 0
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.starts_with(&r.path_prefix)
        })?;
        rule.remaining -= 1;
        let action = rule.action.clone();
        s.rules.retain(|r| r.remaining > 0);
        Some(action)
    }

    pub(crate) fn token_epoch(&self) -> u64 {
        self.token_epoch.load(Ordering::SeqCst)
    }

    pub(crate) fn session_epoch(&self) -> u64 {
        self.session_epoch.load(Ordering::SeqCst)
    }

    /// Waits until a refusal is requested; returns its duration.
    pub(crate) async fn refusal_requested(&self) -> Duration {
        loop {
            if let Some(d) = self.state().refuse_for.take() {
                return d;
            }
            self.refuse.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_count_down_and_match_method_and_prefix() {
        let f = Faults::new(
            Duration::ZERO,
            15_000,
            Duration::ZERO,
            Duration::from_secs(7200),
        );
        f.fail_next(
            Some("post"),
            "/services/data/v66.0/composite",
            2,
            503,
            Value::Null,
        );
        assert_eq!(
            f.take("GET", "/services/data/v66.0/composite"),
            None,
            "method must match"
        );
        assert!(
            f.take("POST", "/services/data/v66.0/composite").is_some(),
            "first use"
        );
        assert!(
            f.take("POST", "/services/data/v66.0/composite/").is_some(),
            "prefix match, second use"
        );
        assert_eq!(
            f.take("POST", "/services/data/v66.0/composite"),
            None,
            "exhausted after N"
        );
    }

    #[test]
    fn commands_deserialize() {
        let c: FaultCommand =
            serde_json::from_str(r#"{"kind":"drop_after","path_prefix":"/services"}"#)
                .expect("valid JSON command");
        assert_eq!(
            c,
            FaultCommand::DropAfter {
                method: None,
                path_prefix: "/services".into(),
                times: 1
            },
            "times defaults to 1"
        );
    }
}
