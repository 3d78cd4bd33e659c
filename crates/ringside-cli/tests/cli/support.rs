//! Running the built `ringside` binary with a private `RINGSIDE_HOME`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn ringside() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ringside"));
    // A private home per test run: no config from the developer's machine leaks in,
    // and the locale does not pick the region (tests pass --region or rely on US).
    command
        .env("RINGSIDE_HOME", private_home())
        // No system policy file from the machine either; tests that want one set their own.
        .env(
            "RINGSIDE_POLICY_FILE",
            private_home().join("no-policy-file.toml"),
        )
        .env("LANG", "C")
        .env_remove("LC_ALL");
    command.env_remove("RUST_LOG");
    command
}

fn private_home() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp home can be created");
    dir
}

/// Writes `toml` as the `ringside.toml` of `home`, the file every command reads.
pub fn write_config(home: &Path, toml: &str) {
    std::fs::write(home.join("ringside.toml"), toml).expect("config written");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = ringside()
        .args(args)
        .output()
        .expect("the ringside binary runs");
    Run {
        code: status
            .code()
            .expect("ringside exits normally, not by a signal"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

pub fn lookup_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["lookup", "--json"];
    all.extend_from_slice(args);
    let run = run(&all);
    assert_eq!(
        run.code, 0,
        "lookup {args:?} succeeds; stderr: {}",
        run.stderr
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|err| {
        panic!(
            "--json prints one JSON object ({err}); stdout was: {}",
            run.stdout
        )
    })
}
