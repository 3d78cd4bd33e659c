//! Keeps the shell thin (issue 16): every `#[tauri::command]` function in `src/` is at most
//! [`MAX_LINES`] lines from its `fn` line to its closing brace. A longer one holds logic that
//! belongs in ringside-core, where the CLI can share it and it is tested without a window.
//! Plain text scanning (rustfmt's layout: a command's closing brace is alone at column 0),
//! so it needs neither a parser nor a build of the app.

use std::path::{Path, PathBuf};

/// About 30 lines: parse, call one core function, map the error, with rustfmt's wrapping.
const MAX_LINES: usize = 30;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src-tauri/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `(name, lines)` of each command in `text`.
fn command_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut commands = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        if line.trim() != "#[tauri::command]" {
            continue;
        }
        let start = (at + 1..lines.len())
            .find(|&i| {
                let l = lines[i].trim_start();
                l.starts_with("pub fn ")
                    || l.starts_with("pub async fn ")
                    || l.starts_with("fn ")
                    || l.starts_with("async fn ")
            })
            .expect("a #[tauri::command] attribute is followed by its fn");
        let name = lines[start]
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or("?")
            .to_owned();
        let end = (start..lines.len())
            .find(|&i| lines[i] == "}")
            .expect("a command ends with a `}` at column 0");
        commands.push((name, end - start + 1));
    }
    commands
}

#[test]
fn every_tauri_command_is_a_thin_forwarder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut seen = 0;
    let mut too_long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        for (name, lines) in command_lengths(&text) {
            seen += 1;
            if lines > MAX_LINES {
                let file = file.strip_prefix(&src).unwrap_or(file).display();
                too_long.push(format!("{file}::{name} ({lines} lines)"));
            }
        }
    }
    assert!(
        seen >= 20,
        "the scan must find the app's commands (found {seen}); has the layout changed?"
    );
    assert!(
        too_long.is_empty(),
        "these Tauri commands are over {MAX_LINES} lines: move their logic to ringside-core \
         and keep the command a forwarder: {}",
        too_long.join(", ")
    );
}

#[test]
fn the_scan_measures_a_command_from_its_fn_line_to_its_closing_brace() {
    let text = "/// doc\n#[tauri::command]\npub async fn fetch_thing(\n    a: u8,\n) -> u8 {\n    a\n}\n\nfn helper() {}\n";
    assert_eq!(
        command_lengths(text),
        [("fetch_thing".to_owned(), 5)],
        "five lines from `pub async fn` to `}}`; the helper is not a command"
    );
}

#[test]
fn the_shell_reaches_salesforce_only_through_core() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("src-tauri/Cargo.toml is readable");
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
        } else if section.ends_with("dependencies]")
            && section != "[dev-dependencies]"
            && section != "[build-dependencies]"
        {
            let name = line.split(['.', ' ', '=']).next().unwrap_or_default();
            assert!(
                name != "salesforce" && name != "demo-org",
                "{section} names `{name}`: the shell gets what it needs from ringside-core \
                 (ringside_core::OrgClient, org_error::OrgError, login::LoginUrl …)"
            );
        }
    }
}
