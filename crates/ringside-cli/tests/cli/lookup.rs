//! `ringside lookup` against the built-in demo org.

use crate::support::{lookup_json, run};

fn first_match_id(result: &serde_json::Value) -> String {
    result["matches"][0]["id"]
        .as_str()
        .expect("at least one match with an id")
        .to_owned()
}

#[test]
fn us_number_in_three_formats_finds_the_same_first_match() {
    let formatted = lookup_json(&["(415) 555-0123", "--region", "US"]);
    assert_eq!(
        formatted["normalized"], "+14155550123",
        "E.164 normalisation"
    );
    assert_eq!(
        formatted["query"], "(415) 555-0123",
        "query echoed as typed"
    );
    assert_eq!(formatted["api_calls"], 1, "one API request per lookup");
    assert_eq!(formatted["cached"], false, "a fresh process has no cache");
    assert!(formatted["elapsed_ms"].is_u64(), "elapsed_ms is reported");
    let first = &formatted["matches"][0];
    assert_eq!(
        first["object"], "Contact",
        "a Contact ranks first: {formatted}"
    );
    assert_eq!(
        first["phone"], "(415) 555-0123",
        "the stored number is shown as typed"
    );
    let expected = first_match_id(&formatted);
    for other in ["+1 415.555.0123", "4155550123"] {
        let result = lookup_json(&[other, "--region", "US"]);
        assert_eq!(
            first_match_id(&result),
            expected,
            "{other} finds the same caller first"
        );
    }
}

#[test]
fn japanese_national_number_finds_the_international_record() {
    let result = lookup_json(&["03-1234-5678", "--region", "JP"]);
    assert_eq!(
        result["normalized"], "+81312345678",
        "read as a Tokyo number"
    );
    let phones: Vec<&str> = result["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["phone"].as_str())
        .collect();
    assert!(
        phones.contains(&"+81 3-1234-5678"),
        "record stored as +81 3-1234-5678 found: {result}"
    );
}

#[test]
fn region_comes_from_the_config_file() {
    let home = std::env::temp_dir().join(format!("ringside-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("temp home");
    std::fs::write(
        home.join("ringside.toml"),
        "[phone]\ndefault_region = \"JP\"\n",
    )
    .expect("config");
    let output = crate::support::ringside()
        .env("RINGSIDE_HOME", &home)
        .args(["lookup", "--json", "03-1234-5678"])
        .output()
        .expect("ringside runs");
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        result["normalized"], "+81312345678",
        "config's JP region used: {result}"
    );
}

#[test]
fn email_lookup_ignores_case() {
    let lower = lookup_json(&["jane.caller@example.com"]);
    let upper = lookup_json(&["JANE.CALLER@EXAMPLE.COM"]);
    assert_eq!(
        lower["normalized"], "jane.caller@example.com",
        "emails are lower-cased"
    );
    assert!(
        !lower["matches"].as_array().unwrap().is_empty(),
        "the seeded email is found: {lower}"
    );
    assert_eq!(
        first_match_id(&lower),
        first_match_id(&upper),
        "case does not matter"
    );
}

#[test]
fn unknown_number_is_no_match_not_an_error() {
    let result = lookup_json(&["+1 212 555 0000"]);
    assert_eq!(
        result["matches"].as_array().map(Vec::len),
        Some(0),
        "nobody has this number"
    );
}

#[test]
fn human_output_lists_matches() {
    let run = run(&["lookup", "(415) 555-0123", "--region", "US"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains("for +14155550123"),
        "header names the number: {}",
        run.stdout
    );
    assert!(run.stdout.contains("  1. "), "ranked list: {}", run.stdout);
    assert!(
        run.stderr.contains("built-in demo org"),
        "says it used the demo org: {}",
        run.stderr
    );
}

#[test]
fn hostile_input_exits_1_with_one_clear_line() {
    let junk = "x".repeat(500);
    for input in [
        "' OR Name LIKE '%",
        "} RETURNING User(Id",
        "\\",
        "",
        &junk,
        "😀📞😀",
    ] {
        let run = run(&["lookup", input]);
        assert_eq!(
            run.code, 1,
            "{input:?} is an error, not a crash or a search"
        );
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{input:?}: exactly one line on stderr, got {:?}",
            run.stderr
        );
        assert!(
            lines[0].starts_with("error: "),
            "{input:?}: an error line: {}",
            lines[0]
        );
        assert!(!run.stderr.contains("panicked"), "no panic for {input:?}");
        assert!(run.stdout.is_empty(), "nothing on stdout for {input:?}");
    }
}

#[test]
fn unknown_org_is_refused_plainly() {
    let run = run(&["lookup", "4155550123", "--org", "prod"]);
    assert_eq!(run.code, 1, "an org that is not configured is an error");
    assert!(
        run.stderr.contains("\"prod\""),
        "names the org: {}",
        run.stderr
    );
}

#[test]
fn bad_region_flag_is_refused() {
    let run = run(&["lookup", "4155550123", "--region", "Narnia"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("two-letter region"),
        "says what to pass: {}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["lookup"]).code,
        2,
        "missing argument is a usage error"
    );
    assert_eq!(
        run(&["frobnicate"]).code,
        2,
        "unknown command is a usage error"
    );
}

#[test]
fn a_locked_region_in_the_policy_file_wins_over_the_users() {
    let home =
        std::env::temp_dir().join(format!("ringside-cli-policy-region-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("temp home");
    std::fs::write(
        home.join("ringside.toml"),
        "[phone]\ndefault_region = \"US\"\n",
    )
    .expect("config");
    let policy = home.join("policy.toml");
    std::fs::write(
        &policy,
        "locked = [\"phone.default_region\"]\n[phone]\ndefault_region = \"JP\"\n",
    )
    .expect("policy");
    let output = crate::support::ringside()
        .env("RINGSIDE_HOME", &home)
        .env("RINGSIDE_POLICY_FILE", &policy)
        .args(["lookup", "--json", "03-1234-5678"])
        .output()
        .expect("ringside runs");
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        result["normalized"], "+81312345678",
        "every command reads the merged config; the policy's locked JP region is used: {result}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("phone.default_region is locked") && stderr.contains("policy.toml"),
        "the refused user value is reported: {stderr}"
    );
    let _ = std::fs::remove_dir_all(&home);
}
