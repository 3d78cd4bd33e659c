//! `run_checks` against a real demo org: a ready org passes, an org without API access
//! fails with the edition explained, and every failure carries a fix.

use ringside_core::config::Config;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::doctor::{Check, CheckStatus, Environment, run_checks};
use std::path::Path;

use crate::config_check::demo;

fn env(config: &Config) -> Environment<'_> {
    Environment {
        sign_in: Ok("demo org".into()),
        keyring: Ok("test keyring".into()),
        config: Ok(config),
    }
}

fn named<'a>(checks: &'a [Check], name: &str) -> Vec<&'a Check> {
    checks.iter().filter(|c| c.name == name).collect()
}

#[tokio::test]
async fn a_ready_org_passes_every_check() {
    let (org, client) = demo().await;
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let failed: Vec<_> = checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .collect();
    assert!(failed.is_empty(), "the demo org is ready: {failed:#?}");
    let usage = &named(&checks, "api usage")[0];
    assert!(
        usage.detail.contains("daily API requests used"),
        "{usage:?}"
    );
    assert_eq!(
        named(&checks, "object access").len(),
        7,
        "Contact, Lead, Account, Opportunity, Case, Task, call log"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn api_disabled_is_explained_and_other_checks_are_skipped() {
    let (org, client) = demo().await;
    org.faults().fail_next(
        None,
        "/services/data",
        1,
        403,
        serde_json::json!([{"errorCode": "API_DISABLED_FOR_ORG", "message": "API is not enabled for this Organization or Partner"}]),
    );
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let api = &named(&checks, "api access")[0];
    assert_eq!(api.status, CheckStatus::Fail);
    assert!(
        api.detail.contains("API_DISABLED_FOR_ORG")
            && api
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("Professional")),
        "the edition problem is said with the fix: {api:?}"
    );
    assert!(
        named(&checks, "object access")
            .iter()
            .all(|c| c.status == CheckStatus::Skip),
        "object checks cannot run without the API"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn a_broken_config_keyring_and_call_log_each_fail_with_a_fix() {
    let (org, client) = demo().await;
    let config = Config::parse(
        "[logging.call_log]\nduration = \"Talk_Time__c\"\n",
        Path::new("ringside.toml"),
    )
    .expect("parses");
    let checks = run_checks(
        &DescribeCache::new(client),
        Environment {
            sign_in: Err("sign in with `ringside org login`".into()),
            keyring: Err("no OS keyring; start GNOME Keyring".into()),
            config: Ok(&config),
        },
    )
    .await;
    for name in ["sign-in", "keyring", "call-log fields", "config"] {
        let check = &named(&checks, name)[0];
        assert_eq!(check.status, CheckStatus::Fail, "{name}: {check:?}");
        assert!(check.fix.is_some(), "{name} says how to fix it");
    }
    assert!(
        named(&checks, "call-log fields")[0]
            .detail
            .contains("Talk_Time__c")
    );
    org.shutdown().await;
}

/// A missing call-log field or object points to the README section that exists ("Set up
/// your Salesforce org", the setup kit) and to `ringside org setup --check`; the fix once
/// named a README section that did not exist.
#[tokio::test]
async fn a_missing_call_log_setup_points_to_the_setup_kit_section_and_the_check() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    assert!(
        readme.lines().any(|l| l == "## Set up your Salesforce org"),
        "the section doctor names exists"
    );
    let (org, client) = demo().await;
    org.faults().hide_field("Call_Log__c", "Direction__c");
    org.faults().hide_object("Call_Log__c");
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let failing: Vec<&Check> = checks
        .iter()
        .filter(|c| {
            c.status == CheckStatus::Fail
                && (c.name == "call-log fields"
                    || (c.name == "object access" && c.detail.starts_with("Call_Log__c")))
        })
        .collect();
    assert_eq!(
        failing.len(),
        2,
        "the object and its fields fail: {checks:#?}"
    );
    for check in failing {
        let fix = check.fix.as_deref().unwrap_or_default();
        assert!(
            fix.contains("\"Set up your Salesforce org\"")
                && fix.contains("ringside org setup --check"),
            "{}: the fix names the README section and the check: {fix}",
            check.name
        );
    }
    org.shutdown().await;
}

/// A profile without Lead or Case access: doctor says what each missing permission costs
/// (Leads are left out of the pop, open Cases are not shown) and how to grant it; the other
/// objects still pass.
#[tokio::test]
async fn objects_the_user_cannot_read_are_named_with_what_stops_working() {
    let (org, client) = demo().await;
    org.faults().hide_object("Lead");
    org.faults().hide_object("Case");
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let objects = named(&checks, "object access");
    let failed: Vec<&&Check> = objects
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .collect();
    assert_eq!(failed.len(), 2, "Lead and Case only: {objects:#?}");
    let lead = failed
        .iter()
        .find(|c| c.detail.starts_with("Lead:"))
        .expect("the Lead check fails");
    assert!(
        lead.detail.contains("Contacts and Accounts only")
            && lead
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("Read on Lead")),
        "says the pop goes on without Leads, and the permission to grant: {lead:?}"
    );
    assert!(
        failed
            .iter()
            .any(|c| c.detail.starts_with("Case:") && c.detail.contains("open Cases")),
        "says what a missing Case permission costs: {failed:#?}"
    );
    let task = objects
        .iter()
        .find(|c| c.detail.starts_with("Task:"))
        .expect("Task is checked");
    assert!(
        task.status == CheckStatus::Pass && task.detail.contains("createable"),
        "call logging needs Create on Task, which the demo user has: {task:?}"
    );
    org.shutdown().await;
}

/// The API version: which one is used and why; an admin's version the org does not serve
/// fails with the fix; an org on an older release is spoken to in its newest version.
#[tokio::test]
async fn the_api_version_in_use_is_said_and_a_version_the_org_lacks_is_a_failure() {
    let (org, client) = demo().await;
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let version = named(&checks, "api version")[0];
    assert!(
        version.status == CheckStatus::Pass && version.detail.contains("v66.0"),
        "the demo org serves up to v66.0, which is used: {version:?}"
    );

    org.faults().serve_api_versions_up_to("64.0");
    let instance = salesforce::InstanceUrl::parse(&org.base_url()).expect("loopback URL");
    let chosen = ringside_core::api_version::negotiate(&instance, None)
        .await
        .expect("the org's versions are read");
    assert_eq!(
        chosen.version.to_string(),
        "64.0",
        "an org on an older release: its newest version"
    );
    let token = salesforce::AccessToken::new(org.issue_access_token()).expect("token");
    let older = salesforce::Client::new(&org.base_url(), token, chosen.version).expect("client");
    let mut pinned = Config::default();
    pinned.sign_in.api_version = Some(salesforce::ApiVersion::major(65));
    let checks = run_checks(&DescribeCache::new(older), env(&pinned)).await;
    let version = named(&checks, "api version")[0];
    assert_eq!(version.status, CheckStatus::Fail, "{version:?}");
    assert!(
        version.detail.contains("65.0") && version.detail.contains("60.0–64.0"),
        "names the configured version and what the org serves: {version:?}"
    );
    assert!(
        version
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("[salesforce] api_version")),
        "says which setting to change: {version:?}"
    );
    assert_eq!(
        named(&checks, "api access")[0].status,
        CheckStatus::Pass,
        "the version in use works"
    );
    org.shutdown().await;
}

/// Regression (issue 14, item 2): a used-up org allowance is named as such by doctor, with
/// what happens to call logs meanwhile, not as a missing "API Enabled" permission.
#[tokio::test]
async fn a_used_up_allowance_is_said_in_words() {
    let (org, client) = demo().await;
    org.faults().set_api_limit(org.api_usage());
    let config = Config::default();
    let checks = run_checks(&DescribeCache::new(client), env(&config)).await;
    let api = named(&checks, "api access")[0];
    assert_eq!(api.status, CheckStatus::Fail, "{api:?}");
    assert!(
        api.detail.contains("allowance is used up")
            && api.fix.as_deref().is_some_and(|f| f.contains("queue")),
        "says what is wrong and that logs wait: {api:?}"
    );
    org.shutdown().await;
}

#[test]
fn the_apps_doctor_names_who_is_signed_in_or_the_demo_org() {
    use ringside_core::doctor::Environment;
    let demo = Environment::of_app(true, None, Err("no config".into()));
    assert_eq!(
        demo.sign_in.as_deref(),
        Ok("no org signed in: checking the built-in demo org (sign in to yours in Settings)"),
        "on the demo org the check says how to check one's own org"
    );
    let signed_in = Environment::of_app(false, Some("agent@acme.example"), Err("x".into()));
    assert_eq!(
        signed_in.sign_in.as_deref(),
        Ok("signed in as agent@acme.example"),
        "a signed-in org names its user"
    );
    assert_eq!(
        Environment::of_app(false, None, Err("x".into()))
            .sign_in
            .as_deref(),
        Ok("signed in as the org's user"),
        "an identity without a username still reads as a sentence"
    );
}
