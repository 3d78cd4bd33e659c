//! The README's example `ringside.toml` and example policy file are checked with
//! `ringside config validate` against the built-in demo org, as an admin would check them, so
//! the README can never again show a config Ringside refuses (it once had a `Lead.Status`
//! value the org does not have, and a `pubkey` that is not a key).

use std::path::{Path, PathBuf};

use crate::support::ringside;

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first ```toml block after the line `after` (a heading, or the block's own first line
/// when `after` is a line inside it), without its fences.
fn toml_block(readme: &str, after: &str, inclusive: bool) -> String {
    let mut lines = readme.lines().skip_while(|l| !l.starts_with(after));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("README.md has no line starting with {after:?}"));
    let mut block = String::new();
    if inclusive {
        block.push_str(first);
        block.push('\n');
    } else {
        lines
            .by_ref()
            .find(|l| l.starts_with("```toml"))
            .unwrap_or_else(|| panic!("README.md has no ```toml block after {after:?}"));
    }
    for line in lines.by_ref() {
        if line.starts_with("```") {
            return block;
        }
        block.push_str(line);
        block.push('\n');
    }
    panic!("the ```toml block after {after:?} in README.md is not closed");
}

/// The policy example starts inside its block, with its path as a comment.
fn policy_block(readme: &str) -> String {
    let opening = readme
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|pair| pair[0] == "```toml" && pair[1].starts_with("# /etc/ringside/ringside.toml"))
        .map(|pair| pair[1].to_owned())
        .expect("README.md's policy file example (a ```toml block starting with its path)");
    toml_block(readme, &opening, true)
}

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-readme-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

/// `ringside config validate` in `home` (the demo org, as no org is signed in).
fn validate(home: &Path, policy_file: &Path) -> (i32, String, String) {
    let out = ringside()
        .env("RINGSIDE_HOME", home)
        .env("RINGSIDE_POLICY_FILE", policy_file)
        .args(["config", "validate"])
        .output()
        .expect("ringside runs");
    (
        out.status.code().expect("exits normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_readme_example_config_validates_against_the_demo_org() {
    let example = toml_block(
        &readme(),
        "## Configuration (`ringside.toml` in `RINGSIDE_HOME`)",
        false,
    );
    // The whole example, not a fragment: every table the README documents there.
    for table in [
        "[phone]",
        "[lookup]",
        "[pop]",
        "[fields.Contact]",
        "[intents]",
        "[salesforce]",
        "[update]",
        "[logging]",
        "[logging.call_log]",
        "[outcomes.",
    ] {
        assert!(
            example.contains(table),
            "the README's example config has {table}:\n{example}"
        );
    }
    let dir = home("example");
    std::fs::write(dir.join("ringside.toml"), &example).expect("config written");
    let (code, stdout, stderr) = validate(&dir, &dir.join("no-policy-file.toml"));
    assert_eq!(
        code, 0,
        "the README's example config must validate against the demo org:\n{stderr}\n{example}"
    );
    assert!(stdout.trim_end().ends_with(": valid"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_readme_example_policy_file_validates_against_the_demo_org() {
    let policy = policy_block(&readme());
    assert!(policy.contains("locked = ["), "{policy}");
    let dir = home("policy");
    let policy_file = dir.join("policy.toml");
    std::fs::write(&policy_file, &policy).expect("policy written");
    // An empty user file: the policy is checked on its own, as a fresh desk reads it.
    std::fs::write(dir.join("ringside.toml"), "").expect("config written");
    let (code, stdout, stderr) = validate(&dir, &policy_file);
    assert_eq!(
        code, 0,
        "the README's example policy file must validate against the demo org:\n{stderr}\n{policy}"
    );
    assert!(stdout.trim_end().ends_with(": valid"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
