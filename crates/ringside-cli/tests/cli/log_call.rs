//! `ringside log-call`, `queue …` and `audit` as a user runs them: a private home per test,
//! a real database file, the built-in demo org for `queue drain`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, write_config};

fn home(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ringside-cli-queue-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

fn run_in(home: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .env("RINGSIDE_HOME", home)
        .env("LANG", "C")
        .env_remove("RUST_LOG")
        .args(args)
        .output()
        .expect("the ringside binary runs");
    Run {
        code: output.status.code().expect("exits normally"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

fn json_in(home: &Path, args: &[&str]) -> serde_json::Value {
    let run = run_in(home, args);
    assert_eq!(run.code, 0, "{args:?} succeeds; stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{args:?} prints JSON ({e}): {}", run.stdout))
}

const CALL: &[&str] = &[
    "log-call",
    "--from",
    "+14155550123",
    "--to",
    "+14155550100",
    "--direction",
    "inbound",
    "--duration",
    "42",
    "--who",
    "003Dm0000000003IAA",
    "--notes",
    "asked for a demo",
];

#[test]
fn log_call_queues_without_network_and_prints_the_call_id() {
    let home = home("queue");
    let run = run_in(&home, &[CALL, &["--call-id", "cli-1"]].concat());
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.stdout.trim(), "cli-1", "the call id is printed alone");
    assert!(
        !run.stderr.contains("demo org"),
        "queueing talks to no org: {}",
        run.stderr
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(
        status,
        serde_json::json!({"pending": 1, "in_flight": 0, "delivered": 0, "dead": 0})
    );
    let generated = json_in(&home, &[CALL, &["--json"]].concat());
    assert!(
        generated["call_id"].as_str().unwrap().starts_with("rs-"),
        "a call id is made up when none is given: {generated}"
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_nothing_queued() {
    let home = home("bad");
    for (args, expect) in [
        (
            vec!["--direction", "sideways"],
            "neither inbound nor outbound",
        ),
        (vec!["--duration", "-3"], "0 to 86400 seconds"),
        (vec!["--what", "hello"], "not a Salesforce record id"),
    ] {
        let mut all: Vec<&str> = CALL.to_vec();
        // Later flags win in clap only for repeated options; rebuild with the bad value.
        for pair in args.chunks(2) {
            if let Some(pos) = all.iter().position(|a| *a == pair[0]) {
                all[pos + 1] = pair[1];
            } else {
                all.extend_from_slice(pair);
            }
        }
        let run = run_in(&home, &all);
        assert_eq!(run.code, 1, "{args:?} is refused");
        assert!(
            run.stderr.contains(expect),
            "{args:?}: says why: {}",
            run.stderr
        );
    }
    let long_notes = "x".repeat(32_001);
    let mut all = CALL.to_vec();
    let pos = all.iter().position(|a| *a == "--notes").unwrap();
    all[pos + 1] = &long_notes;
    let run = run_in(&home, &all);
    assert!(
        run.stderr.contains("32000"),
        "the notes limit is named: {}",
        run.stderr
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 0, "nothing was queued");
}

#[test]
fn log_call_refuses_a_duration_salesforce_cannot_store_and_queues_nothing() {
    let home = home("duration");
    // `CallDurationInSeconds` is a 32-bit integer: 4,000,000,000 s used to be queued and
    // then die as a dead letter.
    for duration in ["86401", "4000000000", "9223372036854775807"] {
        let mut all = CALL.to_vec();
        let pos = all.iter().position(|a| *a == "--duration").unwrap();
        all[pos + 1] = duration;
        let run = run_in(&home, &all);
        assert_eq!(run.code, 1, "{duration} s is refused: {}", run.stdout);
        assert!(
            run.stderr.contains("86400") && run.stderr.contains("24 hours"),
            "the limit is said: {}",
            run.stderr
        );
    }
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 0, "nothing was queued");
}

/// [`CALL`] with `flag` set to `value` (replacing the flag's value when CALL has it).
fn with<'a>(flag: &'a str, value: &'a str) -> Vec<&'a str> {
    let mut all = CALL.to_vec();
    match all.iter().position(|a| *a == flag) {
        Some(pos) => all[pos + 1] = value,
        None => all.extend([flag, value]),
    }
    all
}

#[test]
fn log_call_takes_dial_answer_and_end_times_and_refuses_ones_that_cannot_be() {
    let home = home("timing");
    let mut all = with("--duration", "95");
    all.extend([
        "--call-id",
        "timed-1",
        "--dialed-at",
        "2026-03-31T23:29:52+09:00",
        "--answered-at",
        "2026-03-31T14:30:00Z",
        "--ended-at",
        "2026-03-31T14:31:35.400Z",
    ]);
    let run = run_in(&home, &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = json_in(&home, &["queue", "list", "--json"]);
    let log = &list["items"][0]["log"];
    assert_eq!(
        log["timing"]["dialed_at_ms"], 1_774_967_392_000_i64,
        "{list}"
    );
    assert_eq!(
        log["timing"]["answered_at_ms"], 1_774_967_400_000_i64,
        "{list}"
    );
    assert_eq!(
        log["timing"]["ended_at_ms"], 1_774_967_495_400_i64,
        "{list}"
    );
    assert_eq!(
        log["started_at_ms"], 1_774_967_400_000_i64,
        "the call started when it was answered: {list}"
    );

    for (extra, expect) in [
        (
            vec!["--dialed-at", "yesterday"],
            "--dialed-at: \"yesterday\" is not an ISO-8601 date-time",
        ),
        (vec!["--answered-at", "2026-03-31T14:30:00"], "with a zone"),
        (
            vec![
                "--dialed-at",
                "2026-03-31T14:31:00Z",
                "--answered-at",
                "2026-03-31T14:30:00Z",
            ],
            "the answer time is before the dial time",
        ),
        (
            vec!["--missed", "--answered-at", "2026-03-31T14:30:00Z"],
            "a missed call has no answer time",
        ),
        (
            vec![
                "--answered-at",
                "2026-03-31T14:30:00Z",
                "--ended-at",
                "2026-03-31T14:40:00Z",
            ],
            "--duration: the duration (42 s) is not the talk time from answer to end (600 s)",
        ),
    ] {
        let mut all = CALL.to_vec();
        all.extend(extra.iter().copied());
        let run = run_in(&home, &all);
        assert_eq!(run.code, 1, "{extra:?} is refused: {}", run.stdout);
        assert!(run.stderr.contains(expect), "{extra:?}: {}", run.stderr);
    }
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(
        status["pending"], 1,
        "only the good log was queued: {status}"
    );
}

/// Regression (issue 14, item 7): a subject holding a terminal escape or a line break was
/// queued as is, and printed raw later by every tool that shows the log.
#[test]
fn log_call_refuses_control_characters_in_the_subject_and_notes_and_queues_nothing() {
    let home = home("control-characters");
    for (flag, value, field) in [
        ("--subject", "Demo \u{1b}]0;owned\u{7}", "subject"),
        ("--subject", "two\r\nlines", "subject"),
        ("--notes", "colour \u{1b}[31m", "notes"),
    ] {
        let run = run_in(&home, &with(flag, value));
        assert_eq!(run.code, 1, "{value:?} is refused: {}", run.stdout);
        assert!(
            run.stderr.contains(field) && run.stderr.contains("control character U+00"),
            "names the field and the character: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains('\u{1b}'),
            "the escape itself is not echoed: {:?}",
            run.stderr
        );
    }
    let run = run_in(&home, &with("--notes", "line one\nline two\tindented"));
    assert_eq!(
        run.code, 0,
        "notes keep line breaks and tabs: {}",
        run.stderr
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 1, "only the good log was queued");
}

#[test]
fn a_sip_call_id_no_external_id_can_hold_is_logged_once_under_a_stable_id() {
    let home = home("sip-call-id");
    // `/`, `%`, `?`, spaces, non-ASCII and 5,000 characters: each once made a log
    // Salesforce could never take.
    let raw = format!("a/b%2F c?d#é-ü@pbx.example;{}", "x".repeat(5_000));
    let first = json_in(&home, &[CALL, &["--call-id", &raw, "--json"]].concat());
    let mapped = first["call_id"].as_str().expect("a call id").to_owned();
    assert!(
        mapped.starts_with("sip-") && mapped.len() == 36,
        "logged as sip- and a hash: {first}"
    );
    let again = json_in(
        &home,
        &[CALL, &["--call-id", &raw, "--json", "--subject", "again"]].concat(),
    );
    assert_eq!(again["call_id"], mapped, "the same id maps to the same id");
    assert_eq!(again["updated"], true, "…and updates the queued call");
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 1, "logged once: {drained}");
    let first_task = json_in(&home, &["queue", "list", "--json"])["items"][0]["task_id"].clone();
    assert!(
        first_task.as_str().is_some_and(|t| t.starts_with("00T")),
        "delivered, with its Task: {first_task}"
    );
    // (A report after the drain updating the same records is in the core test
    // `a_sip_call_id_no_external_id_can_hold_is_logged_exactly_once_from_the_api`: the
    // CLI's built-in demo org does not outlive one command.)
    let list = json_in(&home, &["queue", "list", "--json"]);
    let items = list["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        1,
        "one queued call for one softphone id: {list}"
    );
    assert_eq!(items[0]["state"], "delivered", "{list}");
}

#[test]
fn drain_sends_to_the_org_then_status_list_and_audit_show_it() {
    let home = home("drain");
    run_in(&home, &[CALL, &["--call-id", "cli-d1"]].concat());
    run_in(&home, &[CALL, &["--call-id", "cli-d2"]].concat());
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 2, "{drained}");
    assert_eq!(
        drained["report"]["api_calls"], 1,
        "two calls in one graph request: {drained}"
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["delivered"], 2);
    let list = json_in(&home, &["queue", "list", "--json"]);
    assert!(
        list["items"][0]["task_id"]
            .as_str()
            .is_some_and(|t| t.starts_with("00T")),
        "the Task id is kept: {list}"
    );
    let audit = json_in(&home, &["audit", "--json"]);
    let events: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["queued", "queued", "sent", "sent"]);
    let human = run_in(&home, &["audit"]);
    assert!(human.stdout.contains("sent") && human.stdout.contains("cli-d1"));
}

#[test]
fn drain_with_no_org_signed_in_never_sends_another_orgs_logs_to_the_demo_org() {
    let home = home("held");
    // Queued while the org "prod" was the active org…
    std::fs::write(home.join("orgs.toml"), "active = \"prod\"\n").expect("registry written");
    run_in(&home, &[CALL, &["--call-id", "for-prod"]].concat());
    // …and one queued with no org at all, which belongs to the demo org.
    std::fs::remove_file(home.join("orgs.toml")).expect("signed out");
    run_in(&home, &[CALL, &["--call-id", "for-demo"]].concat());

    let run = run_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(run.code, 0, "the drain ran: {}", run.stderr);
    let drained: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(drained["org"], "demo", "{drained}");
    assert_eq!(
        drained["report"]["delivered"], 1,
        "only the demo org's own log went to the demo org: {drained}"
    );
    assert_eq!(drained["held_for_other_orgs"], 1, "{drained}");
    assert!(
        run.stderr.contains("no org signed in")
            && run
                .stderr
                .contains("1 log(s) queued for another org stay queued"),
        "the user is told plainly what was and was not sent: {}",
        run.stderr
    );
    let list = json_in(&home, &["queue", "list", "--json"]);
    let prod = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["call_id"] == "for-prod")
        .expect("the prod log is listed");
    assert_eq!(
        prod["state"], "pending",
        "held, not sent and not dead: {prod}"
    );
    assert_eq!(prod["attempts"], 0, "holding spends no attempt");
    assert_eq!(prod["org"], "prod");
}

#[test]
fn dead_letters_are_listed_and_replayed() {
    let home = home("dead");
    // A well-formed Contact id that does not exist: Salesforce refuses it for good.
    let mut all = CALL.to_vec();
    let pos = all.iter().position(|a| *a == "--who").unwrap();
    all[pos + 1] = "003Dm00000000ZZIAA";
    run_in(
        &home,
        &[all.as_slice(), &["--call-id", "cli-dead"]].concat(),
    );
    json_in(&home, &["queue", "drain", "--json"]);
    let dead = json_in(&home, &["queue", "dead", "--json"]);
    let item = &dead["items"][0];
    assert_eq!(item["call_id"], "cli-dead");
    assert!(
        item["last_error"].as_str().is_some(),
        "the reason is shown: {dead}"
    );
    let id = item["id"].as_i64().unwrap().to_string();
    let replayed = json_in(&home, &["queue", "replay", &id, "--json"]);
    assert_eq!(replayed["replayed"], 1);
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 1, "replayed items are pending again");
    let all = json_in(&home, &["queue", "replay", "--all", "--json"]);
    assert_eq!(all["replayed"], 0, "nothing else is dead");
    let missing = run_in(&home, &["queue", "replay"]);
    assert_eq!(missing.code, 2, "an id or --all is required");
}

#[test]
fn a_read_only_database_keeps_the_log_and_says_so() {
    let home = home("readonly");
    run_in(&home, &[CALL, &["--call-id", "ro-a"]].concat());
    let db = home.join("ringside.db");
    let mut perms = std::fs::metadata(&db).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&db, perms).unwrap();
    let run = run_in(&home, &[CALL, &["--call-id", "ro-b"]].concat());
    assert_eq!(run.code, 1, "the log could not be queued");
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert!(
        run.stderr.contains("kept in"),
        "says where the log is: {}",
        run.stderr
    );
    assert!(home.join("unsent").join("ro-b.json").exists());
    let mut perms = std::fs::metadata(&db).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&db, perms).unwrap();
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(
        status["pending"], 2,
        "the kept log is queued once the database is writable"
    );
}

/// Issue 14, item 5: a home on a read-only file system (the database written before the
/// remount) can still be read by every command that only reads.
#[test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
fn queue_status_list_and_history_work_on_a_read_only_home() {
    let disk = crate::mounted::Tmpfs::mount("cli-ro-read", "1m");
    let home = disk.path().join("home");
    let queued = run_in(&home, &[CALL, &["--call-id", "ro-home-1"]].concat());
    assert_eq!(queued.code, 0, "{}", queued.stderr);
    disk.remount_read_only();

    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 1, "the queue is read: {status}");
    let list = json_in(&home, &["queue", "list", "--json"]);
    assert_eq!(list["items"][0]["call_id"], "ro-home-1", "{list}");
    let dead = run_in(&home, &["queue", "dead"]);
    assert_eq!(dead.code, 0, "{}", dead.stderr);
    let audit = json_in(&home, &["audit", "--json"]);
    assert_eq!(audit["entries"][0]["event"], "queued", "{audit}");
    let history = json_in(&home, &["history", "--json", "--limit", "50"]);
    let calls = history["calls"].as_array().expect("calls");
    assert!(
        calls
            .iter()
            .any(|c| c["call_id"] == "ro-home-1" && c["delivery"] == "pending"),
        "history shows the queued call from the read-only home: {history}"
    );
}

/// Issue 14, item 5: a command that must write, on a read-only home, says "read-only" in
/// words, once (it said SQLite's "(code: 14) unable to open database file" three times).
#[test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
fn a_writing_command_on_a_read_only_home_says_read_only_once() {
    let disk = crate::mounted::Tmpfs::mount("cli-ro-write", "1m");
    let home = disk.path().join("home");
    let queued = run_in(&home, &[CALL, &["--call-id", "ro-write-1"]].concat());
    assert_eq!(queued.code, 0, "{}", queued.stderr);
    disk.remount_read_only();

    let expected = format!(
        "Ringside's data folder {} is read-only (read-only file system)",
        home.display()
    );
    for args in [
        [CALL, &["--call-id", "ro-write-2"]].concat(),
        vec!["queue", "replay", "--all"],
    ] {
        let run = run_in(&home, &args);
        assert_eq!(run.code, 1, "{args:?} fails: {}", run.stderr);
        assert_eq!(
            run.stderr.matches(&expected).count(),
            1,
            "{args:?} says it is read-only, and why, once: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.matches("read-only file system").count(),
            1,
            "{args:?}: the cause is not repeated by a second failure: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("unable to open database file")
                && !run.stderr.contains("os error"),
            "{args:?} speaks in words, not SQLite's or the OS's: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("error:"))
                .count(),
            1,
            "{args:?}: one error line: {}",
            run.stderr
        );
    }
    let log_call = run_in(&home, &[CALL, &["--call-id", "ro-write-3"]].concat());
    assert!(
        log_call
            .stderr
            .contains("copy your notes now: asked for a demo"),
        "the agent is told to save the notes, which could not be kept: {}",
        log_call.stderr
    );
}

/// Issue 14, item 5: on a full disk `log-call` leaves no zero-byte `unsent/.….partial`
/// file and says the disk is full, once, with the notes to copy.
#[test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
fn log_call_on_a_full_disk_leaves_no_partial_file_and_says_the_disk_is_full() {
    // Room for the first run's database and its write-ahead log (the migrations alone fill
    // ~190 KiB of WAL, more with each new one); fill() then takes the rest to the last byte.
    let disk = crate::mounted::Tmpfs::mount("cli-nospace", "512k");
    let home = disk.path().join("home");
    let queued = run_in(&home, &[CALL, &["--call-id", "full-1"]].concat());
    assert_eq!(queued.code, 0, "{}", queued.stderr);
    std::fs::create_dir_all(home.join("unsent")).expect("unsent");
    let filler = disk.fill();
    let run = run_in(&home, &[CALL, &["--call-id", "full-2"]].concat());
    assert_eq!(run.code, 1, "nothing could be written: {}", run.stderr);
    assert!(
        run.stderr.contains("is full"),
        "says the disk is full: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("full").count(),
        1,
        "said once, not again for the kept file: {}",
        run.stderr
    );
    assert!(run.stderr.contains("copy your notes now"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(home.join("unsent"))
        .expect("unsent")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "no .partial file is left behind: {left:?}");
    std::fs::remove_file(filler).expect("space freed");
    let again = run_in(&home, &[CALL, &["--call-id", "full-3"]].concat());
    assert_eq!(
        again.code, 0,
        "works again once there is space: {}",
        again.stderr
    );
}

#[test]
fn a_corrupt_database_is_moved_aside_and_the_user_is_told() {
    let home = home("corrupt");
    std::fs::write(home.join("ringside.db"), b"garbage that is not SQLite").unwrap();
    let run = run_in(&home, &[CALL, &["--call-id", "after"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("moved to"),
        "the user is told: {}",
        run.stderr
    );
    let kept = std::fs::read_dir(&home).unwrap().flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .starts_with("ringside.db.corrupt-")
    });
    assert!(kept, "the old file is kept");
}

#[test]
fn a_corrupt_databases_unsent_notes_are_read_back_and_salvage_can_be_rerun() {
    let home = home("salvage");
    let mut with_notes = CALL.to_vec();
    let pos = with_notes.iter().position(|a| *a == "--notes").unwrap();
    with_notes[pos + 1] = "rappeler vendredi — 金曜日";
    run_in(
        &home,
        &[with_notes.as_slice(), &["--call-id", "salv-1"]].concat(),
    );
    // Destroy the SQLite header; the payload bytes stay where they were.
    let db = home.join("ringside.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..100].fill(0xAB);
    std::fs::write(&db, bytes).unwrap();

    let run = run_in(&home, &["queue", "list", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("1 unsent call log(s) were read back"),
        "the user is told the notes were recovered: {}",
        run.stderr
    );
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list["items"][0]["call_id"], "salv-1", "{list}");
    assert_eq!(
        list["items"][0]["log"]["notes"],
        "rappeler vendredi — 金曜日"
    );

    let moved = std::fs::read_dir(&home)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ringside.db.corrupt-"))
                && p.extension().is_none_or(|e| e != "json")
                && !p.to_string_lossy().ends_with("-wal")
                && !p.to_string_lossy().ends_with("-shm")
        })
        .expect("the damaged file is kept");
    let again = json_in(
        &home,
        &["queue", "salvage", moved.to_str().unwrap(), "--json"],
    );
    assert_eq!(again["queued"], 0, "nothing is queued twice: {again}");
    assert_eq!(again["skipped"], 1, "{again}");
}

/// Issue 14, item 8: the CLI's home is private on unix, new or left world-readable.
#[cfg(unix)]
#[test]
fn log_call_leaves_the_home_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    let parent = home("private");
    let fresh = parent.join("fresh");
    let run = run_in(&fresh, &[CALL, &["--call-id", "private-1"]].concat());
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        mode(&fresh),
        0o700,
        "a home the CLI creates is the agent's alone"
    );
    assert_eq!(
        mode(&fresh.join("ringside.db")),
        0o600,
        "call notes and numbers"
    );

    let old = parent.join("old");
    std::fs::create_dir_all(&old).unwrap();
    write_config(&old, "[phone]\ndefault_region = \"US\"\n");
    std::fs::set_permissions(
        old.join("ringside.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = run_in(&old, &[CALL, &["--call-id", "private-2"]].concat());
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(mode(&old), 0o700, "a 0755 home is narrowed");
    assert_eq!(
        mode(&old.join("ringside.toml")),
        0o600,
        "a 0644 config is narrowed"
    );
    assert_eq!(mode(&old.join("ringside.db")), 0o600);
    let _ = std::fs::remove_dir_all(&parent);
}

#[test]
fn org_usage_counts_each_kind_across_commands_and_per_handled_call() {
    let home = home("usage");
    let before = json_in(&home, &["org", "usage", "--json"]);
    assert_eq!(
        before["per_call"],
        serde_json::Value::Null,
        "no call handled yet: not measured: {before}"
    );
    assert_eq!(
        before["org"],
        serde_json::json!({"used": 1, "max": 15000}),
        "with nothing known, one /limits request is asked (and counted by the org): {before}"
    );
    for _ in 0..2 {
        json_in(&home, &["lookup", "--json", "(415) 555-0123"]);
    }
    run_in(&home, &[CALL, &["--call-id", "usage-1"]].concat());
    run_in(&home, &[CALL, &["--call-id", "usage-2"]].concat());
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 2, "{drained}");
    let drain_calls = drained["report"]["api_calls"].as_u64().expect("api_calls");

    let after = json_in(&home, &["org", "usage", "--json"]);
    let keys: Vec<&String> = after.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["org", "ringside", "per_call"],
        "the contract's keys: {after}"
    );
    let by_kind = &after["ringside"]["by_kind"];
    assert_eq!(by_kind["pop"], 2, "two lookups, one request each: {after}");
    assert_eq!(
        by_kind["log"], drain_calls,
        "the drain's own count: {after}"
    );
    assert_eq!(
        by_kind["usage"], 2,
        "each `org usage` on the built-in demo asks /limits once"
    );
    let today = after["ringside"]["today"].as_u64().unwrap();
    assert_eq!(
        today,
        2 + drain_calls + 2,
        "today is the sum of the kinds: {after}"
    );
    assert_eq!(
        after["per_call"].as_f64(),
        Some(today as f64 / 2.0),
        "per handled call: today's requests over the two call logs delivered: {after}"
    );
    let words = run_in(&home, &["org", "usage"]);
    assert_eq!(words.code, 0, "{}", words.stderr);
    assert!(
        words.stdout.contains("daily API requests") && words.stdout.contains("per handled call"),
        "said in words: {}",
        words.stdout
    );
    assert!(
        words.stderr.contains("built-in demo org"),
        "no org configured: said on stderr: {}",
        words.stderr
    );

    let doctor = run_in(
        &home,
        &[
            "doctor",
            "--json",
            "--agents",
            "10",
            "--calls-per-agent",
            "50",
        ],
    );
    let checks: serde_json::Value = serde_json::from_str(&doctor.stdout)
        .unwrap_or_else(|e| panic!("doctor --json ({e}): {}", doctor.stdout));
    let budget = checks["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "api budget")
        .unwrap_or_else(|| panic!("doctor has an api budget check: {checks}"))
        .clone();
    let detail = budget["detail"].as_str().unwrap();
    assert_eq!(budget["status"], "pass", "{budget}");
    assert!(
        detail.contains("allocation 15000 requests a day")
            && detail.contains("10 agents at 50 calls a day would cost about"),
        "the allocation, today's use and the forecast: {detail}"
    );
}

const OUTCOMES: &str = r#"
[outcomes."Demo booked"]
lead = { Status = "Closed - Not Converted" }
opportunity = { StageName = "Qualification" }
follow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }
"#;

/// A call with the demo org's seeded Lead about its seeded open Opportunity.
const OUTCOME_CALL: &[&str] = &[
    "log-call",
    "--from",
    "+442079460958",
    "--to",
    "+14155550100",
    "--direction",
    "outbound",
    "--duration",
    "300",
    "--who",
    "00QDm0000000009MAA",
    "--about",
    "006Dm0000000004IAA",
    "--disposition",
    "Demo booked",
];

#[test]
fn log_call_with_a_disposition_queues_its_outcome_actions_and_the_queue_shows_their_state() {
    let home = home("outcome");
    write_config(&home, OUTCOMES);
    let queued = json_in(
        &home,
        &[
            OUTCOME_CALL,
            &["--call-id", "out-1", "--skip-action", "follow_up", "--json"],
        ]
        .concat(),
    );
    assert_eq!(
        queued["actions"],
        serde_json::json!([
            {"name": "lead", "state": "queued"},
            {"name": "opportunity", "state": "queued"},
            {"name": "follow_up", "state": "skipped", "note": "skipped by the agent"},
        ]),
        "--json reports each action, what will happen to it and why one will not: {queued}"
    );
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 1, "{drained}");
    assert_eq!(
        drained["report"]["api_calls"], 1,
        "the log and its actions in one request: {drained}"
    );
    let list = run_in(&home, &["queue", "list"]);
    assert!(
        list.stdout
            .contains("actions lead:applied opportunity:applied follow_up:skipped"),
        "queue list shows each action with its state: {}",
        list.stdout
    );

    // A misspelt action is refused before anything is queued.
    let run = run_in(
        &home,
        &[
            OUTCOME_CALL,
            &["--call-id", "out-2", "--skip-action", "followup"],
        ]
        .concat(),
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("\"followup\" is not an outcome action")
            && run.stderr.contains("follow_up"),
        "says which names exist: {}",
        run.stderr
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(
        status["pending"], 0,
        "nothing queued for the refused call: {status}"
    );

    // Without --json the call id goes to stdout and each action that will not happen is
    // named on stderr with its reason.
    let run = run_in(
        &home,
        &[
            OUTCOME_CALL,
            &["--call-id", "out-3", "--skip-action", "follow_up"],
        ]
        .concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "out-3");
    assert!(
        run.stderr
            .contains("ringside: follow_up skipped: skipped by the agent"),
        "the skipped action and why: {}",
        run.stderr
    );
}

#[test]
fn a_broken_config_costs_the_call_its_actions_not_its_log() {
    let home = home("outcome-broken-config");
    write_config(&home, "[outcomes.\"Demo booked\"\nlead = {");
    let run = run_in(
        &home,
        &[OUTCOME_CALL, &["--call-id", "out-broken"]].concat(),
    );
    assert_eq!(
        run.code, 0,
        "the softphone's log is kept even when ringside.toml cannot be read: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "the call is logged, but the outcome actions of \"Demo booked\" were not applied"
        ) && run.stderr.contains("ringside.toml"),
        "says which actions did not happen and why: {}",
        run.stderr
    );
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(status["pending"], 1, "the log is queued: {status}");
}

/// `--memo` (repeatable) when the org's memo field is a multi-select picklist (the demo org's
/// `Memo__c`): listed values are queued and land `;`-joined; an unlisted one is refused
/// before queueing, in words naming the value and what may be picked; --memo with no memo
/// field configured is refused too (the agent meant something that would not happen).
#[test]
fn log_call_memo_values_are_checked_against_the_orgs_multi_select_picklist() {
    let home = home("memo");
    let run = run_in(
        &home,
        &[CALL, &["--call-id", "memo-0", "--memo", "Pricing"]].concat(),
    );
    assert_ne!(run.code, 0, "no memo field configured: {}", run.stdout);
    assert!(
        run.stderr.contains("[logging.call_log] memo") && run.stderr.contains("nothing was queued"),
        "{}",
        run.stderr
    );

    write_config(&home, "[logging.call_log]\nmemo = \"Memo__c\"\n");
    let run = run_in(
        &home,
        &[
            CALL,
            &["--call-id", "memo-1", "--memo", "Pricing", "--memo", "Golf"],
        ]
        .concat(),
    );
    assert_ne!(run.code, 0, "an unlisted value is refused: {}", run.stdout);
    assert!(
        run.stderr.contains("\"Golf\"")
            && run.stderr.contains("Call_Log__c.Memo__c")
            && run.stderr.contains("Demo requested"),
        "names the value, the field and the values to pick from: {}",
        run.stderr
    );
    let run = run_in(
        &home,
        &[CALL, &["--call-id", "memo-2", "--memo", "a;b"]].concat(),
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("`;`"), "{}", run.stderr);
    let status = json_in(&home, &["queue", "status", "--json"]);
    assert_eq!(
        status["pending"], 0,
        "nothing queued for refused calls: {status}"
    );

    let queued = run_in(
        &home,
        &[
            CALL,
            &[
                "--call-id",
                "memo-3",
                "--memo",
                "Pricing",
                "--memo",
                "Demo requested",
            ],
        ]
        .concat(),
    );
    assert_eq!(queued.code, 0, "{}", queued.stderr);
    let list = json_in(&home, &["queue", "list", "--json"]);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 1, "{drained}");
    assert_eq!(drained["report"]["dead"], 0, "{drained}");
}

const CHATTER_OUTCOME: &str =
    "[outcomes.\"Qualified\"]\nchatter = \"Qualified on a call by {agent}: {subject}\"\n";

/// `{agent}` with no org signed in: log-call asks the built-in demo org who its user is (as
/// the desktop does, from the sign-in) instead of skipping the post with "sign in"; the post
/// reads that user's name in the graph and lands when the queue drains. (The demo org is new
/// in every command, so the post's text is checked in ringside-core's `demo` test, which
/// keeps one org across the drain.)
#[test]
fn a_chatter_post_naming_the_agent_is_queued_and_sent_on_the_builtin_demo_org() {
    let home = home("chatter-agent");
    write_config(&home, CHATTER_OUTCOME);
    let call: Vec<&str> = OUTCOME_CALL
        .iter()
        .map(|a| if *a == "Demo booked" { "Qualified" } else { a })
        .chain([
            "--call-id",
            "chat-agent-1",
            "--subject",
            "Pricing",
            "--json",
        ])
        .collect();
    let queued = json_in(&home, &call);
    assert_eq!(
        queued["actions"],
        serde_json::json!([{"name": "chatter", "state": "queued"}]),
        "the post is queued, not skipped for want of a signed-in user: {queued}"
    );
    let list = json_in(&home, &["queue", "list", "--json"]);
    let action = &list["items"][0]["actions"][0];
    assert_eq!(
        action["reads"][0]["object"], "User",
        "the post reads its agent's name in the graph: {action}"
    );
    assert_eq!(
        action["reads"][0]["id"], "005Dm0000000001IAA",
        "the demo org's signed-in user: {action}"
    );
    assert!(
        action["body"]["Body"]
            .as_str()
            .is_some_and(|b| b.starts_with("Qualified on a call by @{chatterAgent.Name}: Pricing")),
        "{action}"
    );
    let drained = json_in(&home, &["queue", "drain", "--json"]);
    assert_eq!(drained["report"]["delivered"], 1, "{drained}");
    assert_eq!(drained["report"]["dead"], 0, "{drained}");
    let list = run_in(&home, &["queue", "list"]);
    assert!(
        list.stdout.contains("actions chatter:applied"),
        "the post was made: {}",
        list.stdout
    );
}
