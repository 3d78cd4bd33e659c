//! Generates everything derived from the IPC contract (`ipc/contract.rs`), then the Tauri
//! context. From the one declaration of each command, capability and event:
//! - the app manifest's command list: `lookup_caller` becomes the permission `allow-lookup-caller`;
//! - `$OUT_DIR/ipc_handlers.rs`, the `generate_handler![…]` that `src/lib.rs` includes;
//! - `$OUT_DIR/ipc_events.rs`, the event constants and typed emit functions (`crate::ipc`);
//! - `capabilities/*.json`, which grant those permissions to windows;
//! - `../ui/src/bindings/ipc-contract.ts`, the UI's `CommandName`, event constants and payloads.
//!
//! Why the capability files are written into `capabilities/` (and committed) rather than kept by
//! hand and diffed: tauri-build reads that directory in this same build script, so writing them
//! first means the app is always built with exactly what the contract grants. A file is written
//! only when its bytes differ, so an unchanged contract touches nothing and the directory that
//! tauri-build watches (`rerun-if-changed`) stays still: no rebuild loop. After a contract change
//! cargo reruns this script once more (the files are newer than its last start) and that run
//! writes nothing. `tests/ipc_contract.rs` also fails when a committed file differs from the
//! contract, for a checkout where nobody built the app.

#[path = "ipc/contract.rs"]
mod contract;
#[path = "ipc/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=ipc");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));

    write_if_changed(&out_dir.join("ipc_handlers.rs"), &generate::handler_list());
    write_if_changed(&out_dir.join("ipc_events.rs"), &generate::rust_events());
    let capabilities = manifest_dir.join("capabilities");
    for capability in contract::CAPABILITIES {
        let path = capabilities.join(format!("{}.json", capability.identifier));
        write_if_changed(&path, &generate::capability_json(capability));
    }
    // The UI is part of this repository; outside it (a packaged crate) there is nothing to write.
    let typescript = manifest_dir.join(generate::TYPESCRIPT_PATH);
    if typescript.parent().is_some_and(Path::is_dir) {
        write_if_changed(&typescript, &generate::typescript());
    }

    // `AppManifest::commands` keeps a `'static` list; the build script ends right after.
    let commands: &'static [&'static str] = generate::command_names().leak();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed: check tauri.conf.json and ipc/contract.rs");
}

/// Writes `text` to `path` unless the file already holds exactly it (see the module doc: an
/// untouched file keeps cargo from rerunning this script).
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
