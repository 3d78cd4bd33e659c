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

use contract::{CAPABILITIES, COMMANDS, EVENTS, WINDOWS};

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

/// One `#[tauri::command]` fn as found in `src/`.
struct CommandFn {
    /// The file's name for `src/commands/<module>.rs`, else the file's path (which no
    /// declaration uses, so a command outside `src/commands/` shows up as undeclared).
    module: String,
    name: String,
    /// `(name on the wire, Rust type)` of each parameter the UI sends, in order.
    args: Vec<(String, String)>,
    /// The same parameters as the fn spells them, for the failure message.
    rust_args: Vec<String>,
    /// The Rust return type, `()` when the fn names none.
    returns: String,
}

/// Every `#[tauri::command]` fn under `src/`, with its signature.
fn command_fns() -> Vec<CommandFn> {
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
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
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[tauri::command") {
            let attribute_end = rest[at..].find(']').expect("an attribute ends") + at;
            let attribute = &rest[at..=attribute_end];
            // Tauri sends a parameter `call_id` as `callId` unless the command says otherwise.
            let snake_case = attribute.contains("rename_all = \"snake_case\"");
            rest = &rest[attribute_end + 1..];
            let signature = &rest[..rest.find('{').expect("a command fn has a body")];
            let (name, args, returns) = parse_signature(signature).unwrap_or_else(|| {
                panic!("cannot read the fn after {attribute} in {}", file.display())
            });
            let rust_args = args
                .iter()
                .map(|(arg, ty)| format!("{arg}: {ty}"))
                .collect();
            let args = args
                .into_iter()
                .map(|(arg, ty)| (if snake_case { arg } else { camel_case(&arg) }, ty))
                .collect();
            found.push(CommandFn {
                module: module.clone(),
                name,
                args,
                rust_args,
                returns,
            });
        }
    }
    found
}

/// `(name, parameters the UI sends, return type)` of a fn signature (from `pub fn` up to its
/// body's `{`). Tauri fills `State`, `AppHandle`, `Window`, `Webview` and `WebviewWindow`
/// parameters itself, so they are not arguments.
/// A fn signature's parts: its name, `(name, Rust type)` of each parameter, its return type.
type Signature = (String, Vec<(String, String)>, String);

fn parse_signature(signature: &str) -> Option<Signature> {
    let after_fn = &signature[signature.find("fn ")? + 3..];
    let name = after_fn.split(['(', '<']).next()?.trim().to_owned();
    let open = after_fn.find('(')?;
    let mut depth = 0;
    let mut close = None;
    for (at, c) in after_fn[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + at);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let mut args = Vec::new();
    for parameter in split_top_level(&after_fn[open + 1..close]) {
        let (arg, ty) = parameter.split_once(':')?;
        let arg = arg.trim().trim_start_matches("mut ").trim().to_owned();
        let ty = ty.trim().to_owned();
        let bare = ty.trim_start_matches("tauri::");
        if ["State<", "AppHandle", "Window", "Webview"]
            .iter()
            .any(|filled| bare.starts_with(filled))
        {
            continue;
        }
        args.push((arg, ty));
    }
    let tail = after_fn[close + 1..].trim();
    let returns = match tail.strip_prefix("->") {
        Some(ty) => ty.split(" where ").next()?.trim().to_owned(),
        None => "()".to_owned(),
    };
    Some((name, args, returns))
}

/// `text` split at the commas outside `<…>` and `(…)`, empty pieces dropped.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (at, c) in text.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                pieces.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// `call_id` → `callId`: the name Tauri reads an argument under by default.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript type serde + ts-rs give Rust type `rust` (ts-rs exports a type under its
/// Rust name; this crate's ts-rs config exports 64-bit integers as `number`).
fn typescript_of(rust: &str) -> String {
    let rust = rust.trim().trim_start_matches('&').trim();
    if rust == "()" {
        return "null".to_owned();
    }
    let (head, inner) = match rust.split_once('<') {
        Some((head, inner)) => (head.trim(), inner.strip_suffix('>').map(str::trim)),
        None => (rust, None),
    };
    let head = head.rsplit("::").next().unwrap_or(head);
    match (head, inner) {
        ("Vec", Some(item)) => {
            let item = typescript_of(item);
            if item.contains(' ') {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        ("Option", Some(item)) => format!("{} | null", typescript_of(item)),
        ("String" | "str", None) => "string".to_owned(),
        ("bool", None) => "boolean".to_owned(),
        (
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" | "f32"
            | "f64",
            None,
        ) => "number".to_owned(),
        (name, None) => name.to_owned(),
        (name, Some(_)) => format!("{rust} (no TypeScript mapping for generic {name})"),
    }
}

/// The TypeScript type a command's return type resolves with in the UI, or why it cannot: a
/// `Result` must fail with `IpcError`, the one error shape `ui/src/ipc.ts` converts.
fn result_typescript(rust: &str) -> Result<String, String> {
    let Some(inner) = rust
        .strip_prefix("Result<")
        .and_then(|r| r.strip_suffix('>'))
    else {
        return Ok(typescript_of(rust));
    };
    match split_top_level(inner).as_slice() {
        [ok, error] if error.rsplit("::").next() == Some("IpcError") => Ok(typescript_of(ok)),
        _ => Err(format!(
            "returns {rust}: a command fails with IpcError, the error ui/src/ipc.ts understands"
        )),
    }
}

fn fn_names() -> BTreeSet<(String, String)> {
    command_fns()
        .into_iter()
        .map(|f| (f.module, f.name))
        .collect()
}

fn declared() -> BTreeSet<(String, String)> {
    COMMANDS
        .iter()
        .map(|c| (c.module.to_owned(), c.name.to_owned()))
        .collect()
}

#[test]
fn every_command_fn_is_declared_in_its_module() {
    let fns = fn_names();
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
        .difference(&fn_names())
        .map(|(module, name)| format!("commands::{module}::{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "ipc/contract.rs declares commands that have no #[tauri::command] fn there: {}",
        missing.join(", ")
    );
}

#[test]
fn declared_arguments_and_results_are_the_fns_own() {
    let fns = command_fns();
    let bindings = crate_dir().join("../ui/src/bindings");
    let mut wrong = Vec::new();
    for command in COMMANDS {
        let Some(found) = fns
            .iter()
            .find(|f| f.name == command.name && f.module == command.module)
        else {
            continue; // every_declared_command_has_its_fn names it
        };
        let declared: Vec<String> = command
            .args
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        let actual: Vec<String> = found
            .args
            .iter()
            .map(|(name, ty)| format!("{name}: {}", typescript_of(ty)))
            .collect();
        if declared != actual {
            wrong.push(format!(
                "{}: declared .args({{ {} }}) but commands::{}::{} takes {{ {} }} (from the Rust \
                 parameters ({}); Tauri reads snake_case parameters under their camelCase name)",
                command.name,
                declared.join("; "),
                command.module,
                command.name,
                actual.join("; "),
                found.rust_args.join(", "),
            ));
        }
        match result_typescript(&found.returns) {
            Ok(result) if result == command.returns => {}
            Ok(result) => wrong.push(format!(
                "{}: declared .returns({:?}) but the fn returns {} (TypeScript {result:?})",
                command.name, command.returns, found.returns
            )),
            Err(why) => wrong.push(format!("{}: {why}", command.name)),
        }
        let types = command
            .args
            .iter()
            .map(|(_, ty)| *ty)
            .chain([command.returns]);
        for ty in types {
            for name in generate::named_types(ty) {
                if !bindings.join(format!("{name}.ts")).is_file() {
                    wrong.push(format!(
                        "{}: type {name} is not exported to ui/src/bindings (add #[derive(TS)] \
                         #[ts(export)] to it and run ui/scripts/check-bindings.sh)",
                        command.name
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "ipc/contract.rs does not match the #[tauri::command] fns, so the UI's calls would be \
         typed wrongly:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn signature_reading_maps_rust_types_to_typescript() {
    // The reader above decides the test's verdicts: check it on the shapes the commands use.
    let (name, args, returns) = parse_signature(
        "pub async fn log_call<R: Runtime>(\n    call_id: String,\n    changes: Vec<FieldChange>,\n    \
         app: AppHandle<R>,\n    active: State<'_, ActiveOrg>,\n) -> Result<Option<Vec<u32>>, IpcError> ",
    )
    .expect("a signature");
    assert_eq!(name, "log_call");
    assert_eq!(
        args,
        [
            ("call_id".to_owned(), "String".to_owned()),
            ("changes".to_owned(), "Vec<FieldChange>".to_owned())
        ]
    );
    assert_eq!(result_typescript(&returns).unwrap(), "number[] | null");
    assert_eq!(typescript_of("Vec<Option<Pop>>"), "(Pop | null)[]");
    assert_eq!(typescript_of("crate::popup::PopUpdate"), "PopUpdate");
    assert_eq!(camel_case("utc_offset_minutes"), "utcOffsetMinutes");
    assert!(result_typescript("Result<(), String>").is_err());
    let (_, args, returns) =
        parse_signature("pub fn dismiss_pop<R: Runtime>(app: AppHandle<R>) ").unwrap();
    assert!(args.is_empty());
    assert_eq!(result_typescript(&returns).unwrap(), "null");
}

#[test]
fn windows_are_declared_once_and_named_by_their_constants() {
    let labels: BTreeSet<&str> = WINDOWS.iter().map(|w| w.label).collect();
    assert_eq!(
        labels.len(),
        WINDOWS.len(),
        "a window label is declared twice"
    );
    for capability in CAPABILITIES {
        for window in capability.windows {
            assert!(
                labels.contains(window),
                "capability {} names window {window}, which WINDOWS does not declare",
                capability.identifier
            );
        }
    }
    for event in EVENTS {
        assert!(
            labels.contains(event.window),
            "event {} goes to window {}, which WINDOWS does not declare",
            event.name,
            event.window
        );
    }
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("tauri.conf.json")).expect("tauri.conf.json"),
    )
    .expect("tauri.conf.json is JSON");
    for window in config["app"]["windows"].as_array().into_iter().flatten() {
        let label = window["label"].as_str().unwrap_or("main");
        assert!(
            labels.contains(label),
            "tauri.conf.json creates window {label}, which ipc/contract.rs does not declare"
        );
    }
    // The code names a window through the generated constants (crate::ipc::MAIN_LABEL …), so
    // a label is spelt once: in the contract.
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        for label in &labels {
            for spelt in [
                format!("get_webview_window(\"{label}\")"),
                format!("emit_to(\"{label}\""),
                format!("label == \"{label}\""),
            ] {
                assert!(
                    !text.contains(&spelt),
                    "{} spells {spelt}: use the generated constant from crate::ipc",
                    file.display()
                );
            }
        }
    }
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
