//! Holds the IPC contract (`ipc/contract.rs`) to the code and to the files generated from it
//! (issue 16): every `#[tauri::command]` function in `src/` is declared, in the module it lives
//! in; every declared command has its function; every command is granted by a declared
//! capability; every committed capability file is declared and grants only declared commands,
//! byte for byte what the contract generates; every event reaches a window that may listen; and
//! the committed TypeScript is what the contract generates. Plain text scanning and the contract
//! table itself, like `thin_commands.rs`: nothing here needs the app to run.

#[path = "../ipc/contract.rs"]
mod contract;
#[path = "../ipc/generate.rs"]
mod generate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use contract::{CAPABILITIES, COMMANDS, EVENTS};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

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

/// `(module, name)` of every `#[tauri::command]` fn under `src/`: the module is the file's name
/// for `src/commands/<module>.rs`, else the file's path (which no declaration uses, so a command
/// outside `src/commands/` shows up as undeclared).
fn command_fns() -> BTreeSet<(String, String)> {
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src/").to_path_buf();
        let module = match relative.parent() {
            Some(dir) if dir == Path::new("commands") => relative
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name")
                .to_owned(),
            _ => relative.display().to_string(),
        };
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if line.trim() != "#[tauri::command]" {
                continue;
            }
            let name = lines[at + 1..]
                .iter()
                .find_map(|l| {
                    let l = l.trim_start();
                    ["pub fn ", "pub async fn ", "fn ", "async fn "]
                        .iter()
                        .find_map(|p| l.strip_prefix(p))
                })
                .and_then(|rest| rest.split(['(', '<']).next())
                .expect("a #[tauri::command] attribute is followed by its fn")
                .to_owned();
            found.insert((module.clone(), name));
        }
    }
    found
}

fn declared() -> BTreeSet<(String, String)> {
    COMMANDS
        .iter()
        .map(|c| (c.module.to_owned(), c.name.to_owned()))
        .collect()
}

#[test]
fn every_command_fn_is_declared_in_its_module() {
    let fns = command_fns();
    assert!(
        fns.len() >= 20,
        "the scan must find the app's commands (found {}); has the layout changed?",
        fns.len()
    );
    let undeclared: Vec<String> = fns
        .difference(&declared())
        .map(|(module, name)| format!("{module}::{name}"))
        .collect();
    assert!(
        undeclared.is_empty(),
        "these #[tauri::command] functions are not declared in ipc/contract.rs (or are declared \
         with another module): {}. Add each to COMMANDS with its module and capability.",
        undeclared.join(", ")
    );
}

#[test]
fn every_declared_command_has_its_fn() {
    let missing: Vec<String> = declared()
        .difference(&command_fns())
        .map(|(module, name)| format!("commands::{module}::{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "ipc/contract.rs declares commands that have no #[tauri::command] fn there: {}",
        missing.join(", ")
    );
}

#[test]
fn names_are_declared_once() {
    let mut seen = BTreeSet::new();
    for name in COMMANDS.iter().map(|c| c.name) {
        assert!(
            seen.insert(name),
            "command {name} is declared twice in ipc/contract.rs"
        );
    }
    let mut seen = BTreeSet::new();
    for id in CAPABILITIES.iter().map(|c| c.identifier) {
        assert!(
            seen.insert(id),
            "capability {id} is declared twice in ipc/contract.rs"
        );
    }
    let mut seen = BTreeSet::new();
    for event in EVENTS {
        assert!(
            seen.insert(event.name),
            "event {} is declared twice",
            event.name
        );
        assert!(
            seen.insert(event.constant),
            "constant {} names two events",
            event.constant
        );
    }
}

#[test]
fn every_command_is_granted_by_a_declared_capability() {
    let capabilities: BTreeSet<&str> = CAPABILITIES.iter().map(|c| c.identifier).collect();
    let ungranted: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| c.granted_by.is_empty())
        .map(|c| c.name)
        .collect();
    assert!(
        ungranted.is_empty(),
        "these commands are granted by no capability, so no window may call them: {}",
        ungranted.join(", ")
    );
    for command in COMMANDS {
        for id in command.granted_by {
            assert!(
                capabilities.contains(id),
                "command {} names capability {id}, which ipc/contract.rs does not declare",
                command.name
            );
        }
    }
    // The app's own permissions come only from COMMANDS; `also` is for Tauri's core ones.
    for capability in CAPABILITIES {
        for extra in capability.also {
            assert!(
                extra.contains(':'),
                "capability {} lists {extra} under `also`: grant an app command through \
                 COMMANDS' granted_by instead",
                capability.identifier
            );
        }
    }
}

#[test]
fn committed_capabilities_are_what_the_contract_grants() {
    let dir = crate_dir().join("capabilities");
    let declared_permissions: BTreeSet<String> = COMMANDS
        .iter()
        .map(|c| generate::permission(c.name))
        .collect();
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("capabilities/ is readable") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("a capability file is readable");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("capabilities/{file} is not JSON: {e}"));
        let id = json["identifier"].as_str().unwrap_or_default().to_owned();
        for permission in json["permissions"].as_array().into_iter().flatten() {
            let permission = permission.as_str().unwrap_or_default();
            assert!(
                permission.contains(':') || declared_permissions.contains(permission),
                "capabilities/{file} grants {permission}, which is no declared command"
            );
        }
        let Some(capability) = CAPABILITIES.iter().find(|c| c.identifier == id) else {
            panic!("capabilities/{file} (identifier {id:?}) is not declared in ipc/contract.rs");
        };
        assert_eq!(
            text,
            generate::capability_json(capability),
            "capabilities/{file} differs from what ipc/contract.rs generates: build the app \
             (`cargo build -p ringside-desktop` rewrites it) and commit, or change the contract"
        );
        files.insert(id);
    }
    for capability in CAPABILITIES {
        assert!(
            files.contains(capability.identifier),
            "capabilities/{}.json is missing: build the app to generate it",
            capability.identifier
        );
    }
}

#[test]
fn every_event_goes_to_a_window_that_may_listen() {
    for event in EVENTS {
        let may_listen = CAPABILITIES.iter().any(|c| {
            c.windows.contains(&event.window) && c.also.contains(&"core:event:allow-listen")
        });
        assert!(
            may_listen,
            "event {} goes to window {}, which no capability lets listen",
            event.name, event.window
        );
    }
}

#[test]
fn committed_typescript_is_what_the_contract_generates() {
    let path = crate_dir().join(generate::TYPESCRIPT_PATH);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is unreadable ({e}): build the app", path.display()));
    assert_eq!(
        text,
        generate::typescript(),
        "ui/src/bindings/ipc-contract.ts differs from ipc/contract.rs: build the app \
         (`cargo build -p ringside-desktop` rewrites it) and commit"
    );
}

#[test]
fn generated_handler_list_names_every_command_once() {
    // The handler list is what registers commands at run time: a command missing from it
    // would be granted yet answer "command not found".
    let list = generate::handler_list();
    for command in COMMANDS {
        let entry = format!("commands::{}::{},", command.module, command.name);
        assert_eq!(
            list.matches(&entry).count(),
            1,
            "the generated handler list must hold {entry} once"
        );
    }
    assert_eq!(generate::command_names().len(), COMMANDS.len());
    assert!(generate::rust_events().contains("pub const QUEUE_CHANGED_EVENT"));
}
