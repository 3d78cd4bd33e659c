//! The desktop app's IPC contract, declared once: every Tauri command (its module under
//! `src/commands/` and the capabilities that grant it), every capability (its windows and
//! description), and every event the shell sends (its name, payload and window).
//!
//! Read by `build.rs` (through `ipc/generate.rs`), which derives from it the app manifest's
//! command list, the `generate_handler!` list `src/lib.rs` includes, the files in
//! `capabilities/`, the Rust event constants and emit functions (`crate::ipc`), and
//! `ui/src/bindings/ipc-contract.ts` (the `CommandName` union, event constants and payload
//! types). `tests/ipc_contract.rs` checks it against the `#[tauri::command]` functions in `src/`
//! and the committed generated files. Plain data and no dependencies, so the build script and
//! the test can both `#[path]`-include it without building the app.

/// One Tauri command.
pub struct Command {
    /// The function's name, which is also the name the UI invokes.
    pub name: &'static str,
    /// The module under `src/commands/` that holds the `#[tauri::command]` function.
    pub module: &'static str,
    /// Identifiers of the capabilities (below) that grant it; at least one.
    pub granted_by: &'static [&'static str],
}

/// One capability file, `capabilities/<identifier>.json`.
pub struct Capability {
    pub identifier: &'static str,
    /// Kept verbatim in the file: says what the windows may do and why nothing more.
    pub description: &'static str,
    pub windows: &'static [&'static str],
    /// Permissions other than the app's own commands (Tauri core ones, e.g. listening to events).
    pub also: &'static [&'static str],
}

/// What an event carries, as a type exported to TypeScript by ts-rs.
pub enum Payload {
    /// Nothing (`()` in Rust, `null` in TypeScript).
    Nothing,
    /// The named type.
    Type(&'static str),
    /// The named type or `null` (`Option<T>` in Rust).
    Optional(&'static str),
}

/// One event the shell sends to a window.
pub struct Event {
    /// The event name on the wire.
    pub name: &'static str,
    /// The Rust and TypeScript constant that spells it, e.g. `QUEUE_CHANGED_EVENT`.
    pub constant: &'static str,
    /// The window label it is sent to (`emit_to`).
    pub window: &'static str,
    /// The payload's Rust type path (inside the desktop crate) and its TypeScript name.
    pub rust_type: &'static str,
    pub payload: Payload,
    /// What it means, for the generated doc comments.
    pub doc: &'static str,
}

const LISTEN: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

pub const CAPABILITIES: &[Capability] = &[
    Capability {
        identifier: "admin",
        description: "The main window's admin view: read and save the admin config (checked against the org first), list an object's fields, import/export the config file, edit one outcome's actions (from the form or as TOML), run the readiness checks.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "call-log",
        description: "The main window's log form: list, open, update and log call logs, and read a logged call's queue state; the form's intents, outcome choices and their actions' preview, and record picker.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "history",
        description: "The main window's history view and the agent's own day: pages, chart numbers, CSV export, call back, recordings, and Open in Salesforce for a call's related record.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "main",
        description: "The main window may call lookup_caller and listen for the pop-up's show-record event: an explicit allow-list.",
        windows: &["main"],
        also: LISTEN,
    },
    Capability {
        identifier: "popup",
        description: "The pop-up window reads the current pop, listens for pop updates, dismisses itself, opens a record in the main window or in Salesforce (the URL is built in Rust from the org and a checked id; the opener's JS API is not granted), and creates a Lead or Contact for an unknown caller; nothing else.",
        windows: &["popup"],
        also: LISTEN,
    },
    Capability {
        identifier: "queue",
        description: "The main window's queue view: counts and items, edit a queued or dead log, replay dead letters.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "record-edit",
        description: "The main window's record panel reads a record's allowed fields, saves the agent's edits (queued while Salesforce is unreachable) and applies intent buttons.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "related-records",
        description: "The pop-up and the main window may load the open Opportunities and Cases of a match the pop did not fetch them for (one Salesforce request for one checked record id).",
        windows: &["main", "popup"],
        also: &[],
    },
    Capability {
        identifier: "settings",
        description: "The settings view lists orgs, signs in (browser + deep link), cancels, switches, signs out and removes orgs, hears about refused sign-in links, and reads the quiet update notice (the update itself runs in Rust; no updater permission is granted): an explicit allow-list.",
        windows: &["main"],
        also: LISTEN,
    },
    Capability {
        identifier: "shell-labels",
        description: "The main window sends the tray menu's labels and the pop-up's title in the UI's language; nothing else.",
        windows: &["main"],
        also: &[],
    },
    Capability {
        identifier: "usage",
        description: "The main window reads the org's API budget (usage_today) for Settings, the quiet banner near the allocation and the history's auto-refresh; no other window may.",
        windows: &["main"],
        also: &[],
    },
];

/// Shorthand for the table below.
const fn cmd(
    name: &'static str,
    module: &'static str,
    granted_by: &'static [&'static str],
) -> Command {
    Command {
        name,
        module,
        granted_by,
    }
}

pub const COMMANDS: &[Command] = &[
    cmd("lookup_caller", "caller", &["main"]),
    cmd("related_records", "caller", &["related-records"]),
    cmd("list_orgs", "settings", &["settings"]),
    cmd("sign_in", "settings", &["settings"]),
    cmd("cancel_sign_in", "settings", &["settings"]),
    cmd("use_org", "settings", &["settings"]),
    cmd("use_demo_org", "settings", &["settings"]),
    cmd("sign_out_org", "settings", &["settings"]),
    cmd("remove_org", "settings", &["settings"]),
    cmd("current_org", "org", &["main"]),
    cmd("current_pop", "popup", &["popup"]),
    cmd("dismiss_pop", "popup", &["popup"]),
    cmd("open_caller_record", "popup", &["popup"]),
    cmd("set_shell_labels", "popup", &["shell-labels"]),
    cmd("create_caller", "record", &["popup"]),
    cmd("open_in_salesforce", "record", &["history", "popup"]),
    cmd("open_call_logs", "call_log", &["call-log"]),
    cmd("start_call_log", "call_log", &["call-log"]),
    cmd("update_call_log", "call_log", &["call-log"]),
    cmd("log_call", "call_log", &["call-log"]),
    cmd("call_log_state", "call_log", &["call-log"]),
    cmd("call_log_options", "call_log", &["call-log"]),
    cmd("press_call_intent", "call_log", &["call-log"]),
    cmd("release_call_intent", "call_log", &["call-log"]),
    cmd("choose_call_record", "call_log", &["call-log"]),
    cmd("preview_call_actions", "call_log", &["call-log"]),
    cmd("queue_overview", "queue", &["queue"]),
    cmd("edit_queued_call_log", "queue", &["queue"]),
    cmd("replay_queued_call_log", "queue", &["queue"]),
    cmd("replay_all_call_logs", "queue", &["queue"]),
    cmd("show_record", "record_edit", &["record-edit"]),
    cmd("save_record", "record_edit", &["record-edit"]),
    cmd("apply_intent", "record_edit", &["record-edit"]),
    cmd("queued_record_edits", "record_edit", &["record-edit"]),
    cmd("resolve_queued_edit", "record_edit", &["record-edit"]),
    cmd("admin_settings", "admin", &["admin"]),
    cmd("describe_fields", "admin", &["admin"]),
    cmd("save_admin_settings", "admin", &["admin"]),
    cmd("import_config", "admin", &["admin"]),
    cmd("save_outcome", "admin", &["admin"]),
    cmd("save_outcome_form", "admin", &["admin"]),
    cmd("export_config", "admin", &["admin"]),
    cmd("run_doctor", "admin", &["admin"]),
    cmd("history_first_page", "history", &["history"]),
    cmd("history_next_page", "history", &["history"]),
    cmd("history_stats", "history", &["history"]),
    cmd("export_history_csv", "history", &["history"]),
    cmd("agent_day", "history", &["history"]),
    cmd("call_back", "history", &["history"]),
    cmd("open_recording", "history", &["history"]),
    cmd("update_notice", "update", &["settings"]),
    cmd("usage_today", "usage", &["usage"]),
];

pub const EVENTS: &[Event] = &[
    Event {
        name: "queue-changed",
        constant: "QUEUE_CHANGED_EVENT",
        window: "main",
        rust_type: "Option<crate::commands::queue::QueueCounts>",
        payload: Payload::Optional("QueueCounts"),
        doc: "The call-log queue committed a change (coalesced per burst); the new counts, or none when the queue cannot be read.",
    },
    Event {
        name: "pop-update",
        constant: "POP_UPDATE_EVENT",
        window: "popup",
        rust_type: "crate::popup::PopUpdate",
        payload: Payload::Type("PopUpdate"),
        doc: "What the pop-up shows for the current call.",
    },
    Event {
        name: "show-record",
        constant: "SHOW_RECORD_EVENT",
        window: "main",
        rust_type: "ringside_core::CallerMatch",
        payload: Payload::Type("CallerMatch"),
        doc: "The pop-up asked the main window to show this matched record.",
    },
    Event {
        name: "call-log-opened",
        constant: "CALL_LOG_OPENED_EVENT",
        window: "main",
        rust_type: "crate::log_forms::OpenCallLog",
        payload: Payload::Type("OpenCallLog"),
        doc: "A call ended and its log form opened.",
    },
    Event {
        name: "call-log-logged",
        constant: "CALL_LOG_LOGGED_EVENT",
        window: "main",
        rust_type: "crate::log_forms::LoggedCall",
        payload: Payload::Type("LoggedCall"),
        doc: "A form was logged, by the agent or the idle rule.",
    },
    Event {
        name: "record-edits-changed",
        constant: "RECORD_EDITS_CHANGED_EVENT",
        window: "main",
        rust_type: "()",
        payload: Payload::Nothing,
        doc: "Queued record edits changed (sent, conflict, failed).",
    },
    Event {
        name: "sign-in-link-refused",
        constant: "LINK_REFUSED_EVENT",
        window: "main",
        rust_type: "crate::error::IpcError",
        payload: Payload::Type("IpcError"),
        doc: "A sign-in link reached the app and was refused; why, in words.",
    },
];
