//! `ringside org setup --check` against the built-in demo org: it matches the kit; a field
//! or object hidden from the user, or a configured name the org lacks, is listed in words
//! with the fix, and the command exits 1.

use std::path::PathBuf;

use crate::support::{Run, ringside};

fn home(name: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-setup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    if !config.is_empty() {
        std::fs::write(dir.join("ringside.toml"), config).expect("config written");
    }
    dir
}

fn run(home: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = ringside()
        .env("RINGSIDE_HOME", home)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("ringside runs");
    Run {
        code: out.status.code().expect("exits normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8"),
        stderr: String::from_utf8(out.stderr).expect("utf-8"),
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("--json prints one object ({e}): {}", run.stdout))
}

#[test]
fn org_setup_check_passes_against_the_demo_org() {
    let dir = home("ready", "");
    let text = run(&dir, &["org", "setup", "--check"], &[]);
    assert_eq!(
        text.code, 0,
        "the demo org matches the kit: {}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Call_Log__c matches the setup kit: 22 fields"),
        "says what was checked: {}",
        text.stdout
    );
    let report = json(&run(&dir, &["org", "setup", "--check", "--json"], &[]));
    assert_eq!(report["ready"], true, "{report}");
    assert_eq!(report["task_lookup_checked"], true, "{report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");
}

#[test]
fn org_setup_check_lists_fields_hidden_from_the_user_with_the_fix() {
    let dir = home("hidden-fields", "");
    let hidden = [(
        "RINGSIDE_DEMO_HIDDEN_FIELDS",
        "Call_Log__c.External_Id__c,Task.Call_Log__c",
    )];
    let text = run(&dir, &["org", "setup", "--check"], &hidden);
    assert_eq!(text.code, 1, "something is missing: {}", text.stdout);
    assert!(
        text.stdout
            .contains("FAIL  Call_Log__c.External_Id__c (Text(255)) is missing, or field-level security hides it from this user"),
        "the field, its kit type and the reason: {}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("FAIL  Task.Call_Log__c (Lookup) is missing"),
        "the Task lookup too: {}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("sf project deploy start --source-dir force-app")
            && text.stdout.contains("\"Ringside Agent\""),
        "each with what to do: {}",
        text.stdout
    );
    assert!(
        text.stderr.contains("2 problems") && text.stderr.contains("Set up your Salesforce org"),
        "stderr says how many and where to read on: {}",
        text.stderr
    );
    let report = json(&run(&dir, &["org", "setup", "--check", "--json"], &hidden));
    let kinds: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["field_missing", "task_lookup_missing"], "{report}");
    assert_eq!(report["ready"], false);
}

#[test]
fn org_setup_check_says_the_call_log_object_is_missing() {
    let dir = home("hidden-object", "");
    let hidden = [("RINGSIDE_DEMO_HIDDEN_OBJECTS", "Call_Log__c")];
    let text = run(&dir, &["org", "setup", "--check"], &hidden);
    assert_eq!(text.code, 1, "{}", text.stdout);
    assert!(
        text.stdout.contains(
            "the call-log object Call_Log__c is not in this org, or this user has no access to it"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn org_setup_check_looks_for_the_configured_names() {
    let dir = home(
        "renamed",
        "[logging.call_log]\nduration = \"Talk_Time__c\"\n",
    );
    let text = run(&dir, &["org", "setup", "--check"], &[]);
    assert_eq!(text.code, 1, "{}", text.stdout);
    assert!(
        text.stdout
            .contains("Call_Log__c.Talk_Time__c (Number(18, 0)) is missing")
            && text.stdout.contains(
                "(set by [logging.call_log] duration; the kit's field is Duration_Seconds__c)"
            ),
        "the configured name, its key and the kit's name: {}",
        text.stdout
    );
}

#[test]
fn org_setup_without_check_is_a_usage_error() {
    let dir = home("usage", "");
    let text = run(&dir, &["org", "setup"], &[]);
    assert_eq!(text.code, 2, "--check is required: {}", text.stderr);
}
