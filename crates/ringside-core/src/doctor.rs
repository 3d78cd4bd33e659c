//! `doctor`: is this org and this machine ready for Ringside? Each check passes, fails
//! with the fix in plain words, or is skipped with the reason. Describes are shared with
//! the config check through one [`DescribeCache`], so each object costs one request.

use std::time::{Duration, SystemTime};

use salesforce::ErrorCode;
use serde::Serialize;

use crate::config::Config;
use crate::config_check::{ConfigIssue, check_config};
use crate::describe_cache::DescribeCache;

/// How far this machine's clock may drift from Salesforce's before sign-in and
/// timestamps go wrong.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// Where a missing call-log object or field is fixed: the setup kit (`salesforce/`), its
/// README section and the command that lists exactly what the org lacks.
pub const SETUP_KIT_FIX: &str = "deploy the setup kit (README: \"Set up your Salesforce org\"), and run `ringside org setup --check` to list what this org lacks; or set your own names under [logging.call_log]";

/// API usage at or above this share of the daily allowance fails the check.
pub const API_USAGE_FAIL: f64 = 0.9;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Skip,
}

/// One check's result.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub name: &'static str,
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        Check {
            name,
            status: CheckStatus::Pass,
            detail: detail.into(),
            fix: None,
        }
    }
    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            name,
            status: CheckStatus::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    fn skip(name: &'static str, reason: impl Into<String>) -> Self {
        Check {
            name,
            status: CheckStatus::Skip,
            detail: reason.into(),
            fix: None,
        }
    }
}

/// What the caller knows about this machine: how the client was signed in, whether
/// the keyring answers, and whether the config file parsed.
#[derive(Debug)]
pub struct Environment<'a> {
    /// `Ok(description)` of the signed-in org (or the built-in demo org), `Err(fix)` when
    /// there is no usable sign-in.
    pub sign_in: Result<String, String>,
    /// `Ok(backend)` when the keyring answered, `Err(message with fix)` otherwise.
    pub keyring: Result<String, String>,
    /// The parsed config, or why it could not be read.
    pub config: Result<&'a Config, String>,
}

/// The keyring as the doctor reports it: `Ok(backend)` when it answers a probe now (which
/// may wait up to the probe's timeout), else the reason with its fix.
pub fn keyring_state() -> Result<String, String> {
    crate::secrets::KeyringStore::open()
        .map(|_| crate::secrets::BACKEND.to_owned())
        .map_err(|e| e.to_string())
}

impl<'a> Environment<'a> {
    /// The desktop app's environment: signed in as `username` (`None`: the org's user), or
    /// on the built-in demo org when `demo`; the keyring probed now; `config` as loaded.
    pub fn of_app(demo: bool, username: Option<&str>, config: Result<&'a Config, String>) -> Self {
        let sign_in = if demo {
            "no org signed in: checking the built-in demo org (sign in to yours in Settings)"
                .to_owned()
        } else {
            format!("signed in as {}", username.unwrap_or("the org's user"))
        };
        Environment {
            sign_in: Ok(sign_in),
            keyring: keyring_state(),
            config,
        }
    }
}

/// Runs every check against `describes`' org. Never fails as a whole: a check that
/// cannot run is reported as failed or skipped.
pub async fn run_checks(describes: &DescribeCache, env: Environment<'_>) -> Vec<Check> {
    let mut checks = Vec::new();
    let api = api_access(describes).await;
    let api_ok = api.status == CheckStatus::Pass;
    checks.push(api);
    checks.push(match &env.sign_in {
        Ok(who) => Check::pass("sign-in", who.clone()),
        Err(fix) => Check::fail("sign-in", "not signed in", fix.clone()),
    });
    let configured_version = env.config.as_ref().ok().and_then(|c| c.sign_in.api_version);
    checks.push(api_version(describes, configured_version).await);
    let logging = env.config.as_ref().map(|c| &c.logging).ok();
    let logging_object = logging
        .map(|l| l.call_log.object.clone())
        .unwrap_or_else(|| crate::call_log::CallLogFields::default().object);
    let writes_task = logging.is_none_or(|l| l.mode.writes_task());
    for need in object_needs(&logging_object, writes_task) {
        checks.push(if api_ok {
            object_access(describes, &need).await
        } else {
            Check::skip(
                "object access",
                format!("{}: the API is not reachable", need.object),
            )
        });
    }
    let issues: Option<Result<Vec<ConfigIssue>, String>> = match (&env.config, api_ok) {
        (Ok(config), true) => Some(
            check_config(config, describes)
                .await
                .map_err(|e| e.to_string()),
        ),
        _ => None,
    };
    checks.push(match &issues {
        None => Check::skip("task type", "the API is not reachable or the config is unreadable"),
        Some(Err(e)) => Check::fail("task type", e.clone(), "check the connection and run doctor again"),
        Some(Ok(list)) => match list.iter().find(|i| i.field == "Task.Type") {
            // The whole issue: the config key, the field and why (`[logging] mode: Task.Type: …`).
            Some(issue) => Check::fail("task type", issue.to_string(), "in Setup, make Task field Type visible (field-level security) for the agents' profile"),
            None => Check::pass("task type", "Task Type is visible"),
        },
    });
    checks.push(match &issues {
        None => Check::skip(
            "call-log fields",
            "the API is not reachable or the config is unreadable",
        ),
        Some(Err(e)) => Check::fail(
            "call-log fields",
            e.clone(),
            "check the connection and run doctor again",
        ),
        Some(Ok(list)) => {
            let logging: Vec<String> = list
                .iter()
                .filter(|i| i.key.starts_with("[logging") && i.field != "Task.Type")
                .map(ToString::to_string)
                .collect();
            if logging.is_empty() {
                Check::pass(
                    "call-log fields",
                    format!("{logging_object} and the Task have every field call logging writes"),
                )
            } else {
                Check::fail("call-log fields", logging.join("; "), SETUP_KIT_FIX)
            }
        }
    });
    checks.push(api_usage(describes));
    checks.push(clock_skew(describes).await);
    checks.push(match &env.keyring {
        Ok(backend) => Check::pass("keyring", format!("{backend} answers")),
        Err(message) => Check::fail("keyring", "the OS keyring does not answer", message.clone()),
    });
    checks.push(match (&env.config, &issues) {
        (Err(e), _) => Check::fail(
            "config",
            e.clone(),
            "fix the file and run `ringside config validate`",
        ),
        (Ok(_), Some(Ok(list))) if list.is_empty() => {
            Check::pass("config", "valid against this org")
        }
        (Ok(_), Some(Ok(list))) => Check::fail(
            "config",
            list.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            "run `ringside config validate` and fix each line",
        ),
        (Ok(_), _) => Check::skip("config", "could not be checked against the org"),
    });
    checks
}

/// The checks when no connection to the org could be made at all (signed out, no
/// keyring to read the session from, unreachable): the sign-in fails with `reason` and
/// the fix, the local checks still run, the org checks are skipped.
pub fn without_org(reason: &str, fix: &str, env: Environment<'_>) -> Vec<Check> {
    let mut checks = vec![Check::fail("sign-in", reason, fix)];
    for name in [
        "api access",
        "api version",
        "object access",
        "task type",
        "call-log fields",
        "api usage",
        "clock",
    ] {
        checks.push(Check::skip(name, "no connection to the org"));
    }
    checks.push(match &env.keyring {
        Ok(backend) => Check::pass("keyring", format!("{backend} answers")),
        Err(message) => Check::fail("keyring", "the OS keyring does not answer", message.clone()),
    });
    checks.push(match &env.config {
        Err(e) => Check::fail(
            "config",
            e.clone(),
            "fix the file and run `ringside config validate`",
        ),
        Ok(_) => Check::skip("config", "parses; cannot be checked without the org"),
    });
    checks
}

async fn api_access(describes: &DescribeCache) -> Check {
    const NAME: &str = "api access";
    match describes.describe("Contact").await {
        Ok(_) => Check::pass(NAME, "the REST API answers"),
        Err(err) => {
            let code = err.api_errors().first().map(|e| e.error_code.clone());
            if code == Some(ErrorCode::ApiDisabledForOrg) {
                Check::fail(
                    NAME,
                    "API_DISABLED_FOR_ORG: this org's edition has no API access",
                    "Ringside needs the Salesforce API: use Enterprise, Unlimited, Performance or Developer edition, or buy the API add-on for Professional edition (Essentials has no API)",
                )
            } else if code == Some(ErrorCode::RequestLimitExceeded) {
                Check::fail(
                    NAME,
                    "REQUEST_LIMIT_EXCEEDED: the org's daily API allowance is used up; every integration of the org is refused until requests free up (a rolling 24 hours)",
                    "call logs wait in the queue without spending attempts and are sent by themselves later; to get requests back sooner, pause other integrations or buy more API calls from Salesforce",
                )
            } else if err.needs_reauth() || err.is_signed_out() {
                Check::fail(
                    NAME,
                    "the session is no longer valid",
                    "sign in again with `ringside org login`",
                )
            } else if err.status().is_none() {
                Check::fail(
                    NAME,
                    format!("Salesforce is not reachable: {err}"),
                    "check the network connection, proxy and the org's My Domain address",
                )
            } else {
                Check::fail(
                    NAME,
                    err.to_string(),
                    "make sure the user's profile has \"API Enabled\" and read access to Contacts",
                )
            }
        }
    }
}

/// What Ringside does with one object, so the check asks for exactly that permission.
struct ObjectNeed {
    object: String,
    /// Create (call logging) rather than Read.
    create: bool,
    /// What stops working without it, and what still works.
    without: &'static str,
}

/// Every object the app uses and the permission it needs there: Read on the objects the
/// pop searches and shows, Create on what call logging writes.
fn object_needs(logging_object: &str, writes_task: bool) -> Vec<ObjectNeed> {
    let read = |object: &str, without: &'static str| ObjectNeed {
        object: object.to_owned(),
        create: false,
        without,
    };
    let mut needs = vec![
        read(
            "Contact",
            "callers are not found among Contacts and Contacts cannot be edited",
        ),
        read(
            "Lead",
            "the pop searches Contacts and Accounts only (Leads are left out, and the pop says so)",
        ),
        read("Account", "callers are not found among Accounts"),
        read("Opportunity", "a caller's open Opportunities are not shown"),
        read("Case", "a caller's open Cases are not shown"),
    ];
    if writes_task {
        needs.push(ObjectNeed {
            object: "Task".to_owned(),
            create: true,
            without: "calls cannot be logged as Tasks (they stay in the queue)",
        });
    }
    needs.push(ObjectNeed {
        object: logging_object.to_owned(),
        create: true,
        without: "calls cannot be logged (they stay in the queue)",
    });
    needs
}

/// Which REST API version is used with this org and why (`crate::api_version`); fails when
/// the admin's `[salesforce] api_version` is not served, so it cannot be used.
async fn api_version(
    describes: &DescribeCache,
    configured: Option<salesforce::ApiVersion>,
) -> Check {
    const NAME: &str = "api version";
    let used = describes.client().api_version();
    let served = match salesforce::served_versions(describes.client().instance_url()).await {
        Ok(served) => served,
        Err(err) => {
            return Check::skip(
                NAME,
                format!("using v{used}; the org's list of versions could not be read: {err}"),
            );
        }
    };
    let supported = format!(
        "{}–{}",
        crate::api_version::OLDEST_SUPPORTED,
        crate::api_version::NEWEST_KNOWN
    );
    match crate::api_version::choose(configured, &served) {
        Err(err) => Check::fail(
            NAME,
            err.to_string(),
            "check that the org's address is its My Domain (https://NAME.my.salesforce.com), or update Ringside",
        ),
        Ok(choice) if !choice.configured_is_used() => Check::fail(
            NAME,
            format!("using v{used}; {}", choice.describe()),
            format!(
                "set [salesforce] api_version in ringside.toml to a version this org serves that Ringside supports ({supported}), or remove it"
            ),
        ),
        Ok(choice) if choice.version != used => Check::fail(
            NAME,
            format!("using v{used}, but {}", choice.describe()),
            "sign in again (or restart Ringside) so the version is chosen anew",
        ),
        Ok(choice) => Check::pass(NAME, format!("using {}", choice.describe())),
    }
}

async fn object_access(describes: &DescribeCache, need: &ObjectNeed) -> Check {
    const NAME: &str = "object access";
    let object = need.object.as_str();
    let permission = if need.create { "Create" } else { "Read" };
    let fix = if need.create && object.ends_with("__c") {
        format!(
            "give the agents {permission} on {object}: assign the setup kit's permission set \"Ringside Agent\" (after deploying the kit); {SETUP_KIT_FIX}"
        )
    } else {
        format!("give the agents' profile or a permission set {permission} on {object}")
    };
    match describes.describe(object).await {
        Ok(d) if need.create && !d.createable => Check::fail(
            NAME,
            format!("{object}: readable but not createable: {}", need.without),
            fix,
        ),
        Ok(d) if !need.create && !d.queryable => Check::fail(
            NAME,
            format!("{object}: not queryable: {}", need.without),
            fix,
        ),
        Ok(d) => Check::pass(
            NAME,
            format!(
                "{object}: {}, {} fields visible",
                if need.create {
                    "createable"
                } else {
                    "readable"
                },
                d.fields.len()
            ),
        ),
        // Salesforce answers NOT_FOUND for an object the user has no access to at all.
        Err(err) if err.status() == Some(404) => Check::fail(
            NAME,
            format!("{object}: not visible to this user: {}", need.without),
            fix,
        ),
        Err(err) => Check::fail(NAME, format!("{object}: {err}"), fix),
    }
}

fn api_usage(describes: &DescribeCache) -> Check {
    const NAME: &str = "api usage";
    match describes.client().last_limit_info() {
        None => Check::skip(NAME, "Salesforce sent no Sforce-Limit-Info header"),
        Some(limit) => {
            let detail = format!(
                "{} of {} daily API requests used ({:.0}%)",
                limit.used,
                limit.max,
                limit.fraction_used() * 100.0
            );
            if limit.fraction_used() >= API_USAGE_FAIL {
                Check::fail(
                    NAME,
                    detail,
                    "the org is near its daily API limit: calls may stop being logged; reduce other integrations' usage or buy more API calls",
                )
            } else {
                Check::pass(NAME, detail)
            }
        }
    }
}

/// A forecast asked for with `doctor --agents N --calls-per-agent M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forecast {
    pub agents: u64,
    pub calls_per_agent: u64,
}

/// The "api budget" check: the org's allocation, today's use (the org's and Ringside's),
/// and, when asked, what `forecast`'s agents would cost a day at Ringside's measured
/// requests per handled call. Fails when that forecast alone exceeds the allocation;
/// skipped when nothing is known, and says "not measured yet" before a call is handled.
pub fn api_budget(
    report: Option<&crate::api_usage::UsageReport>,
    forecast: Option<Forecast>,
) -> Check {
    const NAME: &str = "api budget";
    let Some(report) = report else {
        return Check::skip(NAME, "Ringside's API usage file could not be read");
    };
    let mut detail = match report.org {
        Some(org) => format!(
            "allocation {} requests a day, {} used ({:.0}%)",
            org.max,
            org.used,
            crate::api_usage::governor::percent(org.used, org.max)
        ),
        None => "the org's allocation is not known yet".to_owned(),
    };
    detail.push_str(&format!(
        "; Ringside today: {} request{}",
        report.ringside.today,
        if report.ringside.today == 1 { "" } else { "s" }
    ));
    match report.per_call {
        Some(per_call) => detail.push_str(&format!(
            ", {per_call:.2} per handled call ({} call log{} delivered today)",
            report.handled_calls,
            if report.handled_calls == 1 { "" } else { "s" }
        )),
        None => detail
            .push_str(", requests per handled call not measured yet (no call log delivered today)"),
    }
    let Some(forecast) = forecast else {
        return Check::pass(NAME, detail);
    };
    let who = format!(
        "{} agent{} at {} call{} a day",
        forecast.agents,
        if forecast.agents == 1 { "" } else { "s" },
        forecast.calls_per_agent,
        if forecast.calls_per_agent == 1 {
            ""
        } else {
            "s"
        }
    );
    match report.forecast(forecast.agents, forecast.calls_per_agent) {
        None => Check::skip(
            NAME,
            format!(
                "{detail}; the cost of {who} is not measured yet: handle a few calls today (or run `ringside queue drain`) and ask again"
            ),
        ),
        Some(cost) => {
            let cost = cost.round() as u64;
            match report.org {
                Some(org) if cost > org.max => Check::fail(
                    NAME,
                    format!(
                        "{detail}; {who} would cost about {cost} requests a day, more than the allocation of {}",
                        org.max
                    ),
                    "raise the org's API allocation (more licences or an API add-on), or plan for fewer calls through Ringside",
                ),
                Some(org) => Check::pass(
                    NAME,
                    format!(
                        "{detail}; {who} would cost about {cost} requests a day ({:.0}% of the allocation)",
                        crate::api_usage::governor::percent(cost, org.max)
                    ),
                ),
                None => Check::pass(
                    NAME,
                    format!("{detail}; {who} would cost about {cost} requests a day"),
                ),
            }
        }
    }
}

/// Compares this machine's clock with the `Date` header of an unauthenticated request to
/// the org (`/services/data`, the version list; it needs no token).
async fn clock_skew(describes: &DescribeCache) -> Check {
    const NAME: &str = "clock";
    let url = format!("{}/services/data", describes.client().instance_url());
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(http) => http,
        Err(err) => return Check::skip(NAME, format!("no HTTP client: {err}")),
    };
    let before = SystemTime::now();
    let response = match http.get(url).send().await {
        Ok(r) => r,
        Err(_) => {
            return Check::skip(
                NAME,
                "the org did not answer, so its clock could not be read",
            );
        }
    };
    let Some(server) = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::time::parse_http_date)
    else {
        return Check::skip(NAME, "the org's answer has no Date header");
    };
    let local = crate::time::epoch_ms(before).div_euclid(1000);
    let skew = local - server;
    let detail = format!(
        "this machine is {} s {} Salesforce",
        skew.abs(),
        if skew >= 0 { "ahead of" } else { "behind" }
    );
    if skew.unsigned_abs() > MAX_CLOCK_SKEW.as_secs() {
        Check::fail(
            NAME,
            detail,
            "turn on automatic time synchronisation (NTP) in the system settings",
        )
    } else {
        Check::pass(NAME, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_budget_states_the_allocation_and_forecasts_from_the_measured_cost() {
        use crate::api_usage::{RequestKind, SeenLimit, StoredUsage, UsageReport};
        let mut stored = StoredUsage {
            limit: Some(SeenLimit {
                limit: salesforce::LimitInfo {
                    used: 500,
                    max: 100_000,
                },
                seen_at_ms: 0,
            }),
            ..Default::default()
        };
        stored.by_kind.insert(RequestKind::Pop, 30);
        stored.by_kind.insert(RequestKind::Log, 3);
        let measured = UsageReport::new(&stored, 30);
        let plain = api_budget(Some(&measured), None);
        assert_eq!(plain.status, CheckStatus::Pass);
        assert!(
            plain.detail.contains("allocation 100000")
                && plain.detail.contains("Ringside today: 33")
                && plain.detail.contains("1.10 per handled call"),
            "{}",
            plain.detail
        );
        let fits = api_budget(
            Some(&measured),
            Some(Forecast {
                agents: 50,
                calls_per_agent: 80,
            }),
        );
        assert_eq!(fits.status, CheckStatus::Pass, "{}", fits.detail);
        assert!(
            fits.detail
                .contains("50 agents at 80 calls a day would cost about 4400 requests"),
            "1.1 x 50 x 80: {}",
            fits.detail
        );
        let too_many = api_budget(
            Some(&measured),
            Some(Forecast {
                agents: 2000,
                calls_per_agent: 80,
            }),
        );
        assert_eq!(
            too_many.status,
            CheckStatus::Fail,
            "176000 > 100000: {}",
            too_many.detail
        );
        let unmeasured = api_budget(
            Some(&UsageReport::new(&stored, 0)),
            Some(Forecast {
                agents: 5,
                calls_per_agent: 10,
            }),
        );
        assert_eq!(unmeasured.status, CheckStatus::Skip);
        assert!(
            unmeasured.detail.contains("not measured yet"),
            "{}",
            unmeasured.detail
        );
    }

    #[test]
    fn without_an_org_local_checks_still_run() {
        let config = Config::default();
        let checks = without_org(
            "signed out",
            "run `ringside org login --alias prod`",
            Environment {
                sign_in: Err(String::new()),
                keyring: Err("start GNOME Keyring".into()),
                config: Ok(&config),
            },
        );
        let status = |name: &str| checks.iter().find(|c| c.name == name).map(|c| c.status);
        assert_eq!(status("sign-in"), Some(CheckStatus::Fail));
        assert_eq!(
            status("keyring"),
            Some(CheckStatus::Fail),
            "keyring is checked locally"
        );
        assert_eq!(status("clock"), Some(CheckStatus::Skip));
        assert!(
            checks[0]
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("org login"))
        );
    }
}
