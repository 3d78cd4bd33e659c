//! `ringside config validate`, `contact show|edit` and `doctor` as an admin or agent runs
//! them, each against the built-in demo org (no org signed in) over real HTTP.

use std::path::PathBuf;

use crate::support::{Run, ringside};

/// A private home holding `config` as its ringside.toml (none when empty).
fn home(name: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-admin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    if !config.is_empty() {
        std::fs::write(dir.join("ringside.toml"), config).expect("config written");
    }
    dir
}

fn run_in(home: &PathBuf, args: &[&str]) -> Run {
    run_with(home, args, &[])
}

/// `run_in` with extra environment (e.g. a field hidden from the built-in demo org's user).
fn run_with(home: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Run {
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

const JANE: &str = "003Dm0000000003IAA";

#[test]
fn config_validate_says_valid_or_lists_every_problem() {
    let dir = home("validate", "");
    let ok = run_in(&dir, &["config", "validate"]);
    assert_eq!(ok.code, 0, "the defaults are valid: {}", ok.stderr);
    assert!(ok.stdout.trim_end().ends_with("valid"), "{}", ok.stdout);

    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[fields.Contact]\nvisible = [\"Name\", \"Shoe_Size__c\"]\neditable = [\"Name\"]\n[intents]\nconverted = \"Lead.IsConverted\"\n",
    )
    .unwrap();
    let bad = run_in(&dir, &["config", "validate", file.to_str().unwrap()]);
    assert_eq!(bad.code, 1, "problems exit 1");
    for needle in [
        "[fields.Contact] visible: Contact.Shoe_Size__c: does not exist",
        "[fields.Contact] editable: Contact.Name: is read-only",
        "[intents] converted: Lead.IsConverted: is read-only",
        "3 problems found",
    ] {
        assert!(bad.stderr.contains(needle), "{needle:?} in: {}", bad.stderr);
    }
    let json = run_in(
        &dir,
        &["config", "validate", "--json", file.to_str().unwrap()],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON object");
    assert_eq!(value["valid"], false);
    assert_eq!(value["issues"].as_array().map(Vec::len), Some(3), "{value}");
    assert_eq!(
        value["intents"][0]["value_type"], "boolean",
        "valid-looking intents are listed with their value type: {value}"
    );
}

#[test]
fn config_validate_refuses_a_malformed_file_before_any_request() {
    let dir = home("malformed", "");
    for (text, needle) in [
        (
            "[fields.Contact]\nvisibel = [\"Name\"]\n",
            "unknown field `visibel`",
        ),
        ("[intents]\nqualified = 3\n", "qualified = 3"),
    ] {
        let file = dir.join("c.toml");
        std::fs::write(&file, text).unwrap();
        let run = run_in(&dir, &["config", "validate", file.to_str().unwrap()]);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
        assert!(
            !run.stderr.contains("demo org"),
            "no org is contacted for a file that does not parse: {}",
            run.stderr
        );
    }
}

#[test]
fn config_validate_refuses_an_unknown_table_naming_the_nearest() {
    let dir = home("unknown-table", "[intent]\nqualified = \"Lead.Status\"\n");
    let run = run_in(&dir, &["config", "validate"]);
    assert_eq!(
        run.code, 1,
        "[intent] is not reported valid: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("[intent]") && run.stderr.contains("did you mean [intents]?"),
        "names the table and the nearest known one: {}",
        run.stderr
    );
    assert!(!run.stdout.contains("valid"), "{}", run.stdout);
}

#[test]
fn config_validate_refuses_an_oversized_file_and_a_remote_baresip() {
    let dir = home("limits", "");
    let big = dir.join("big.toml");
    std::fs::write(&big, "# x\n".repeat(300_000)).unwrap();
    let run = run_in(&dir, &["config", "validate", big.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("larger than 1024 KiB"),
        "a clear size message: {}",
        run.stderr
    );
    let remote = dir.join("remote.toml");
    std::fs::write(&remote, "[pop]\nbaresip = \"192.168.1.20:4444\"\n").unwrap();
    let run = run_in(&dir, &["config", "validate", remote.to_str().unwrap()]);
    assert_eq!(
        run.code, 1,
        "plain-text control off this machine is refused"
    );
    assert!(
        run.stderr.contains("[pop] baresip") && run.stderr.contains("baresip_allow_remote"),
        "names the key and the way out: {}",
        run.stderr
    );
}

#[test]
fn config_validate_says_a_missing_file_is_missing() {
    let dir = home("missing", "");
    let file = dir.join("nope.toml");
    let run = run_in(&dir, &["config", "validate", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "a file that is not there is not valid");
    assert!(
        run.stderr.contains("nope.toml does not exist"),
        "{}",
        run.stderr
    );
    let defaults = run_in(&dir, &["config", "validate"]);
    assert_eq!(defaults.code, 0, "{}", defaults.stderr);
    assert!(
        defaults
            .stderr
            .contains("ringside.toml does not exist; checking the defaults"),
        "without a file the defaults are checked, and that is said: {}",
        defaults.stderr
    );
}

#[test]
fn contact_show_and_edit_follow_the_policy() {
    let dir = home("contact", "");
    let shown = run_in(&dir, &["contact", "show", JANE, "--json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let record: serde_json::Value = serde_json::from_str(&shown.stdout).expect("JSON");
    let names: Vec<&str> = record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Title") && !names.contains(&"MailingCountry"),
        "{names:?}"
    );

    let human = run_in(&dir, &["contact", "show", JANE]);
    assert!(
        human.stdout.contains("Email") && human.stdout.contains("(read-only)"),
        "{}",
        human.stdout
    );

    let edited = run_in(
        &dir,
        &["contact", "edit", JANE, "Title=Head of Support", "--json"],
    );
    assert_eq!(edited.code, 0, "{}", edited.stderr);
    let done: serde_json::Value = serde_json::from_str(&edited.stdout).expect("JSON");
    assert_eq!(done["changed"], serde_json::json!(["Title"]));

    let long = format!("Description={}", "n".repeat(40_000));
    for (args, needle) in [
        (vec!["Email=jane@example.org"], "Email: is read-only"),
        (
            vec!["LeadSource=Billboard"],
            "\"Billboard\" is not one of the picklist values",
        ),
        (vec![long.as_str()], "40000 characters"),
        (vec!["Title"], "is not Field=Value"),
    ] {
        let mut all = vec!["contact", "edit", JANE];
        all.extend(args);
        let run = run_in(&dir, &all);
        assert_eq!(run.code, 1, "{needle}");
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
}

#[test]
fn contact_edit_refuses_control_characters_in_a_single_line_field() {
    let dir = home("contact-controls", "");
    for value in ["a\u{1b}]0;pwned\u{7}b", "Boss\r\nForged: yes", "x\u{9b}2J"] {
        let pair = format!("Title={value}");
        let run = run_in(&dir, &["contact", "edit", JANE, &pair]);
        assert_eq!(run.code, 1, "{value:?} is refused before any write");
        assert!(
            run.stderr.contains("Title: holds the control character U+"),
            "{value:?}: the message names the field and the character: {}",
            run.stderr
        );
        assert!(
            !format!("{}{}", run.stdout, run.stderr).contains(['\u{1b}', '\u{7}', '\u{9b}']),
            "{value:?}: nothing raw is echoed to the terminal"
        );
    }
    let notes = run_in(
        &dir,
        &[
            "contact",
            "edit",
            JANE,
            "Description=line 1\nline 2\tend",
            "--json",
        ],
    );
    assert_eq!(
        notes.code, 0,
        "a text area keeps line breaks and tabs: {}",
        notes.stderr
    );
    let shown = run_in(&dir, &["contact", "show", JANE]);
    assert!(
        !shown.stdout.contains('\u{1b}'),
        "the record shows nothing raw: {}",
        shown.stdout
    );
}

#[test]
fn contact_edit_against_a_stale_version_reports_the_conflict() {
    let dir = home("conflict", "");
    let run = run_in(
        &dir,
        &[
            "contact",
            "edit",
            JANE,
            "Title=Mine",
            "--expect-modified",
            "2020-01-01T00:00:00.000+0000",
            "--json",
        ],
    );
    assert_eq!(run.code, 1, "a conflict is an error");
    let conflict: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON conflict");
    assert_eq!(conflict["conflict"]["fields"][0]["yours"], "Mine");
    assert_eq!(
        conflict["conflict"]["fields"][0]["theirs"],
        "VP Customer Operations"
    );
    assert!(
        run.stderr
            .contains("changed in Salesforce since you saw it"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_account_field_outside_editable_is_refused() {
    let dir = home(
        "account",
        "[fields.Account]\nvisible = [\"Name\", \"Description\"]\neditable = [\"Description\"]\n",
    );
    let run = run_in(
        &dir,
        &["contact", "edit", "001Dm0000000002IAA", "Name=Other"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not in [fields.Account] editable"),
        "{}",
        run.stderr
    );
}

#[test]
fn doctor_lists_each_check_and_fails_on_any_failure() {
    let dir = home(
        "doctor",
        "[logging.call_log]\nduration = \"Talk_Time__c\"\n",
    );
    let run = run_in(&dir, &["doctor", "--json"]);
    assert_eq!(run.code, 1, "a missing call-log field fails doctor");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let checks = report["checks"].as_array().expect("checks");
    let status = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{name} check present: {report}"))
    };
    assert_eq!(status("api access"), "pass");
    assert_eq!(status("call-log fields"), "fail");
    assert_eq!(status("config"), "fail");
    let keyring = checks.iter().find(|c| c["name"] == "keyring").unwrap();
    assert!(
        keyring["status"] == "pass" || keyring["fix"].as_str().is_some_and(|f| !f.is_empty()),
        "the keyring passes or says how to fix it: {keyring}"
    );
}

#[test]
fn doctor_without_a_usable_org_still_reports_the_local_checks() {
    let dir = home("doctor-no-org", "");
    let run = run_in(&dir, &["doctor", "--org", "nowhere", "--json"]);
    assert_eq!(run.code, 1, "no org is a failure");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let checks = report["checks"].as_array().expect("checks");
    let sign_in = checks
        .iter()
        .find(|c| c["name"] == "sign-in")
        .expect("sign-in check");
    assert_eq!(sign_in["status"], "fail");
    assert!(
        sign_in["detail"]
            .as_str()
            .is_some_and(|d| d.contains("nowhere")),
        "the unknown alias is named: {sign_in}"
    );
    assert!(
        checks.iter().any(|c| c["name"] == "keyring"),
        "the keyring is checked without an org"
    );
}

#[test]
fn a_task_type_hidden_by_field_level_security_fails_validate_and_doctor_with_the_fix() {
    let dir = home("fls-task-type", "");
    let hidden = [("RINGSIDE_DEMO_HIDDEN_FIELDS", "Task.Type")];
    let validate = run_with(&dir, &["config", "validate"], &hidden);
    assert_eq!(
        validate.code, 1,
        "a hidden Task Type is a problem: {}",
        validate.stderr
    );
    assert!(
        validate
            .stderr
            .contains("[logging] mode: Task.Type: is not visible to this user"),
        "the key, the field and the reason: {}",
        validate.stderr
    );
    assert!(
        validate.stderr.contains("field-level security"),
        "and the fix: {}",
        validate.stderr
    );
    let doctor = run_with(&dir, &["doctor", "--json"], &hidden);
    assert_eq!(doctor.code, 1, "doctor fails: {}", doctor.stderr);
    let report: serde_json::Value = serde_json::from_str(&doctor.stdout).expect("JSON");
    let check = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["name"] == "task type"))
        .cloned()
        .unwrap_or_else(|| panic!("a task type check: {report}"));
    assert_eq!(check["status"], "fail", "{check}");
    let detail = check["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("[logging] mode") && detail.contains("Task.Type"),
        "doctor names the key and the field: {check}"
    );
    assert!(
        check["fix"]
            .as_str()
            .is_some_and(|f| f.contains("field-level security")),
        "and the fix: {check}"
    );
}

#[test]
fn contact_edit_of_a_field_hidden_by_field_level_security_is_refused_in_words() {
    let dir = home("fls-title", "");
    let run = run_with(
        &dir,
        &["contact", "edit", JANE, "Title=Boss"],
        &[("RINGSIDE_DEMO_HIDDEN_FIELDS", "Contact.Title")],
    );
    assert_eq!(run.code, 1, "refused: {}", run.stdout);
    assert!(
        run.stderr
            .contains("Title: is hidden from this user by field-level security"),
        "the field and why: {}",
        run.stderr
    );
}

/// Queues record edits in `home`'s database, as the app or an earlier `contact edit` does
/// while Salesforce is unreachable.
fn queue_edits(home: &std::path::Path, edits: &[(&str, &str, Option<&str>)]) {
    use ringside_core::edit_queue::{EditQueue, EditRequest};
    use ringside_core::outbox::{DEMO_ORG_TAG, Outbox};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let outbox = Outbox::open_in_home(home).await.expect("queue opens");
        let queue = EditQueue::new(&outbox);
        for (field, value, expected) in edits {
            queue
                .queue(
                    DEMO_ORG_TAG,
                    JANE,
                    &EditRequest::Fields {
                        changes: vec![((*field).to_owned(), (*value).to_owned())],
                        expected_modified: expected.map(str::to_owned),
                    },
                )
                .await
                .expect("queued");
        }
        outbox.close().await;
    });
}

#[test]
fn contact_show_sends_queued_edits_and_lists_a_conflict_in_words() {
    let dir = home("queued-edits", "");
    queue_edits(
        &dir,
        &[
            ("Title", "Queued While Offline", None),
            // Made from a version older than the record's: someone changed it since.
            (
                "Department",
                "Stale Department",
                Some("2020-01-01T00:00:00.000+0000"),
            ),
        ],
    );
    let shown = run_in(&dir, &["contact", "show", JANE]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stderr
            .contains("queued edits sent: 1 saved, 1 in conflict, 0 failed"),
        "the due edits are sent first: {}",
        shown.stderr
    );
    assert!(
        shown.stdout.contains("Queued While Offline"),
        "the queued value is in Salesforce now: {}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains(
            "conflict: Department=Stale Department was not saved, the record changed in Salesforce"
        ),
        "the conflict is listed with both values: {}",
        shown.stdout
    );
    let json = run_in(&dir, &["contact", "show", JANE, "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let queued = value["queued_edits"].as_array().expect("queued_edits");
    assert_eq!(queued.len(), 1, "only the conflict is still open: {value}");
    assert_eq!(queued[0]["state"], "conflict");
}

/// The built-in demo org refusing connections from its start (its listener closed).
const OFFLINE: (&str, &str) = (
    "RINGSIDE_DEMO_FAULTS",
    r#"[{"kind":"refuse_connections","seconds":60}]"#,
);

#[test]
fn contact_edit_while_salesforce_is_unreachable_is_queued_then_saved_by_the_next_run() {
    let dir = home("edit-offline", "");
    let offline = run_with(
        &dir,
        &["contact", "edit", JANE, "Title=Edited While Offline"],
        &[OFFLINE],
    );
    assert_eq!(
        offline.code, 0,
        "a queued edit is not an error: {}",
        offline.stderr
    );
    assert!(
        offline
            .stdout
            .contains("Salesforce is unreachable; the edit is queued (#1)"),
        "the agent is told it is queued, with its number: {}",
        offline.stdout
    );
    let refused = run_with(
        &dir,
        &["contact", "edit", JANE, "Email=new@example.com"],
        &[OFFLINE],
    );
    assert_eq!(
        refused.code, 1,
        "the admin's policy holds offline too: {}",
        refused.stdout
    );
    assert!(
        refused.stderr.contains("Email"),
        "the refusal names the field: {}",
        refused.stderr
    );

    let shown = run_in(&dir, &["contact", "show", JANE, "--json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown.stderr.contains("queued edits sent: 1 saved"),
        "the next run sends the queued edit first: {}",
        shown.stderr
    );
    let value: serde_json::Value = serde_json::from_str(&shown.stdout).expect("JSON");
    assert!(
        value.to_string().contains("Edited While Offline"),
        "the queued value is in Salesforce: {value}"
    );
    assert_eq!(
        value["queued_edits"].as_array().map(Vec::len),
        Some(0),
        "nothing is left open: {value}"
    );

    // The audit log holds both steps, with actor, record and field, never the value.
    let audit = run_in(&dir, &["audit", "--json"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let entries: serde_json::Value = serde_json::from_str(&audit.stdout).expect("JSON");
    let steps: Vec<(&str, &str)> = entries["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [("edit_queued", "agent"), ("edit_applied", "worker")],
        "{entries}"
    );
    assert_eq!(entries["entries"][1]["record_id"], JANE, "{entries}");
    assert_eq!(
        entries["entries"][1]["fields"],
        serde_json::json!(["Title"])
    );
    assert!(
        !audit.stdout.contains("Edited While Offline"),
        "no value: {entries}"
    );
    let human = run_in(&dir, &["audit"]);
    assert!(
        human.stdout.contains("edit_applied")
            && human.stdout.contains(&format!("{JANE} edit #1 [Title]")),
        "the human list names the record, the queued edit and the field: {}",
        human.stdout
    );
}

#[test]
fn call_log_only_without_the_call_logs_notes_field_fails_validate_and_doctor_naming_it() {
    let dir = home(
        "call-log-only-notes",
        "[logging]\nmode = \"call_log_only\"\n",
    );
    let ok = run_in(&dir, &["config", "validate"]);
    assert_eq!(
        ok.code, 0,
        "the demo org's call log has Subject__c and Notes__c: {}",
        ok.stderr
    );
    let hidden = [("RINGSIDE_DEMO_HIDDEN_FIELDS", "Call_Log__c.Notes__c")];
    let validate = run_with(&dir, &["config", "validate"], &hidden);
    assert_eq!(validate.code, 1, "a missing notes field is a problem");
    assert!(
        validate
            .stderr
            .contains("[logging.call_log] notes: Call_Log__c.Notes__c: does not exist"),
        "the key, the field and the reason: {}",
        validate.stderr
    );
    let doctor = run_with(&dir, &["doctor", "--json"], &hidden);
    let report: serde_json::Value = serde_json::from_str(&doctor.stdout).expect("JSON");
    let check = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["name"] == "call-log fields"))
        .cloned()
        .unwrap_or_else(|| panic!("a call-log fields check: {report}"));
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Call_Log__c.Notes__c")),
        "doctor names the field: {check}"
    );
    let task_mode = home("task-mode-notes", "");
    let validate = run_with(&task_mode, &["config", "validate"], &hidden);
    assert_eq!(
        validate.code, 0,
        "task mode keeps the notes on the Task and does not need the field: {}",
        validate.stderr
    );
}

/// A home with `user` as its ringside.toml and `policy` as the policy file beside it; runs
/// `args` with RINGSIDE_POLICY_FILE pointing at it.
fn run_with_policy(name: &str, user: &str, policy: &str, args: &[&str]) -> (Run, PathBuf, PathBuf) {
    let dir = home(name, user);
    let policy_file = dir.join("policy.toml");
    std::fs::write(&policy_file, policy).expect("policy written");
    let run = run_with(
        &dir,
        args,
        &[("RINGSIDE_POLICY_FILE", policy_file.to_str().unwrap())],
    );
    (run, dir.join("ringside.toml"), policy_file)
}

#[test]
fn config_validate_reads_the_policy_file_and_names_the_file_of_each_error() {
    // A user's value for a locked key: an error naming both files.
    let (run, user, policy) = run_with_policy(
        "policy-locked",
        "[logging]\nmode = \"task_and_call_log\"\n",
        "locked = [\"logging.mode\"]\n[logging]\nmode = \"call_log_only\"\n",
        &["config", "validate"],
    );
    assert_eq!(
        run.code, 1,
        "a locked key set by the user is a problem: {}",
        run.stderr
    );
    let line = run
        .stderr
        .lines()
        .find(|l| {
            l.starts_with(&user.display().to_string()) && l.contains("logging.mode is locked")
        })
        .unwrap_or_else(|| panic!("a line naming the user's file and the key: {}", run.stderr));
    assert!(
        line.contains(&policy.display().to_string()),
        "and the policy file: {line}"
    );

    // An org problem in a value the policy sets is named with the policy file; one the user
    // sets with the user's.
    let (run, user, policy) = run_with_policy(
        "policy-org",
        "[fields.Lead]\nvisible = [\"Name\", \"Hat_Size__c\"]\neditable = []\n",
        "[fields.Contact]\nvisible = [\"Name\", \"Shoe_Size__c\"]\neditable = []\n",
        &["config", "validate"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (file, needle) in [
        (&policy, "[fields.Contact] visible: Contact.Shoe_Size__c"),
        (&user, "[fields.Lead] visible: Lead.Hat_Size__c"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(&format!("{}: {needle}", file.display()))),
            "{needle} is named with {}: {}",
            file.display(),
            run.stderr
        );
    }
    let (json, _, policy) = run_with_policy(
        "policy-org-json",
        "",
        "[fields.Contact]\nvisible = [\"Name\", \"Shoe_Size__c\"]\neditable = []\n",
        &["config", "validate", "--json"],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON object");
    assert_eq!(
        value["policy_file"],
        policy.display().to_string(),
        "{value}"
    );
    assert_eq!(
        value["issues"][0]["file"],
        policy.display().to_string(),
        "{value}"
    );

    // A broken policy file is never skipped: validate fails naming it, before any request.
    let (run, _, policy) = run_with_policy(
        "policy-bad",
        "",
        "[pop]\nopen_on = \"ringing\"\n",
        &["config", "validate"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("{}: [pop] open_on", policy.display()))
            && run.stderr.contains("system policy file"),
        "{}",
        run.stderr
    );
    // Unreadable (here: a directory where the file should be).
    let dir = home("policy-unreadable", "");
    let run = run_with(
        &dir,
        &["config", "validate"],
        &[("RINGSIDE_POLICY_FILE", dir.to_str().unwrap())],
    );
    assert_eq!(
        run.code, 1,
        "an unreadable policy file fails validate: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("cannot read {}", dir.display()))
            && run.stderr.contains("system policy file"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_show_prints_each_value_with_its_source_and_what_is_locked() {
    let (run, user, policy) = run_with_policy(
        "policy-show",
        "[pop]\nopen_on = \"answer\"\nevent_port = 47000\n[logging]\nmode = \"task_and_call_log\"\n",
        "locked = [\"logging.mode\"]\n[logging]\nmode = \"call_log_only\"\ndead_letter_webhook = \"https://hooks.example.com/T/B/s3cret\"\n[pop]\nopen_on = \"manual\"\n",
        &["config", "show"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        format!("# user file:   {}", user.display()),
        format!("# policy file: {}", policy.display()),
        "# locked:      logging.mode".to_owned(),
        "logging.mode = \"call_log_only\"  # policy file, locked".to_owned(),
        "pop.open_on = \"answer\"  # user file".to_owned(),
        "pop.event_port = 47000  # user file".to_owned(),
        "logging.dead_letter_webhook = \"<redacted>\"  # policy file".to_owned(),
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line:?} in:\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("s3cret"),
        "the webhook URL is a secret"
    );
    assert!(
        run.stderr.contains("logging.mode is locked"),
        "the refused user value is reported: {}",
        run.stderr
    );
    let (json, _, _) = run_with_policy(
        "policy-show-json",
        "[pop]\nopen_on = \"answer\"\n",
        "locked = [\"logging.mode\"]\n[logging]\nmode = \"call_log_only\"\n",
        &["config", "show", "--json"],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(value["locked"], serde_json::json!(["logging.mode"]));
    assert_eq!(
        value["values"],
        serde_json::json!([
            {"key": "logging.mode", "value": "call_log_only", "source": "policy", "locked": "logging.mode"},
            {"key": "pop.open_on", "value": "answer", "source": "user", "locked": null},
        ]),
        "{value}"
    );
}
