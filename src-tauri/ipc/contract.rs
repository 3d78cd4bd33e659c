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
    /// The arguments as the UI sends them: each name exactly as on the wire (Tauri turns the
    /// Rust parameter `call_id` into `callId`) and its TypeScript type, a ts-rs exported type or
    /// a primitive (`string`, `number`, `boolean`, `T[]`, `T | null`). Empty when it takes none.
    pub args: &'static [(&'static str, &'static str)],
    /// What it resolves with, as a TypeScript type (`null` for `()`). Empty until `returns` is
    /// given, which `tests/ipc_contract.rs` refuses: every command states its result.
    pub returns: &'static str,
}

impl Command {
    /// The arguments the UI sends (see [`Command::args`]).
    pub const fn args(self, args: &'static [(&'static str, &'static str)]) -> Self {
        Command { args, ..self }
    }

    /// The TypeScript type the command resolves with.
    pub const fn returns(self, returns: &'static str) -> Self {
        Command { returns, ..self }
    }
}

/// One window the app opens, by its Tauri label.
pub struct Window {
    pub label: &'static str,
    /// The Rust constant that spells the label (`crate::ipc`), e.g. `POPUP_LABEL`.
    pub constant: &'static str,
    pub doc: &'static str,
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

/// The main window's label (also in `tauri.conf.json`, which creates it).
const MAIN: &str = "main";
/// The pop-up's label (created by `src/popup.rs`).
const POPUP: &str = "popup";

pub const WINDOWS: &[Window] = &[
    Window {
        label: MAIN,
        constant: "MAIN_LABEL",
        doc: "The main window (created from tauri.conf.json).",
    },
    Window {
        label: POPUP,
        constant: "POPUP_LABEL",
        doc: "The caller pop-up (created on a ring by popup.rs).",
    },
];

const LISTEN: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

pub const CAPABILITIES: &[Capability] = &[
    Capability {
        identifier: "admin",
        description: "The main window's admin view: read and save the admin config (checked against the org first), list an object's fields, import/export the config file, edit one outcome's actions (from the form or as TOML), run the readiness checks.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "call-log",
        description: "The main window's log form: list, open, update and log call logs, and read a logged call's queue state; the form's intents, outcome choices and their actions' preview, and record picker.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "history",
        description: "The main window's history view and the agent's own day: pages, chart numbers, CSV export, call back, recordings, and Open in Salesforce for a call's related record.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "main",
        description: "The main window may call lookup_caller and listen for the pop-up's show-record event: an explicit allow-list.",
        windows: &[MAIN],
        also: LISTEN,
    },
    Capability {
        identifier: "popup",
        description: "The pop-up window reads the current pop, listens for pop updates, dismisses itself, opens a record in the main window or in Salesforce (the URL is built in Rust from the org and a checked id; the opener's JS API is not granted), and creates a Lead or Contact for an unknown caller; nothing else.",
        windows: &[POPUP],
        also: LISTEN,
    },
    Capability {
        identifier: "queue",
        description: "The main window's queue view: counts and items, edit a queued or dead log, replay dead letters.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "record-edit",
        description: "The main window's record panel reads a record's allowed fields, saves the agent's edits (queued while Salesforce is unreachable) and applies intent buttons.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "related-records",
        description: "The pop-up and the main window may load the open Opportunities and Cases of a match the pop did not fetch them for (one Salesforce request for one checked record id).",
        windows: &[MAIN, POPUP],
        also: &[],
    },
    Capability {
        identifier: "settings",
        description: "The settings view lists orgs, signs in (browser + deep link), cancels, switches, signs out and removes orgs, hears about refused sign-in links, and reads the quiet update notice (the update itself runs in Rust; no updater permission is granted): an explicit allow-list.",
        windows: &[MAIN],
        also: LISTEN,
    },
    Capability {
        identifier: "shell-labels",
        description: "The main window sends the tray menu's labels and the pop-up's title in the UI's language; nothing else.",
        windows: &[MAIN],
        also: &[],
    },
    Capability {
        identifier: "usage",
        description: "The main window reads the org's API budget (usage_today) for Settings, the quiet banner near the allocation and the history's auto-refresh; no other window may.",
        windows: &[MAIN],
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
        args: &[],
        returns: "",
    }
}

pub const COMMANDS: &[Command] = &[
    cmd("lookup_caller", "caller", &["main"])
        .args(&[("query", "string")])
        .returns("LookupResult"),
    cmd("related_records", "caller", &["related-records"])
        .args(&[("object", "CallerObject"), ("id", "string")])
        .returns("RelatedRecords"),
    cmd("list_orgs", "settings", &["settings"]).returns("OrgsOverview"),
    cmd("sign_in", "settings", &["settings"])
        .args(&[("form", "SignInForm")])
        .returns("OrgIdentity"),
    cmd("cancel_sign_in", "settings", &["settings"]).returns("number"),
    cmd("use_org", "settings", &["settings"])
        .args(&[("alias", "string")])
        .returns("OrgIdentity"),
    cmd("use_demo_org", "settings", &["settings"]).returns("null"),
    cmd("sign_out_org", "settings", &["settings"])
        .args(&[("alias", "string")])
        .returns("SignOutResult"),
    cmd("remove_org", "settings", &["settings"])
        .args(&[("alias", "string")])
        .returns("SignOutResult"),
    cmd("current_org", "org", &["main"]).returns("CurrentOrg"),
    cmd("record_to_show", "popup", &["main"]).returns("CallerMatch | null"),
    cmd("current_pop", "popup", &["popup"]).returns("PopUpdate | null"),
    cmd("dismiss_pop", "popup", &["popup"]).returns("null"),
    cmd("open_caller_record", "popup", &["popup"])
        .args(&[("callId", "string"), ("recordId", "string")])
        .returns("null"),
    cmd("set_shell_labels", "popup", &["shell-labels"])
        .args(&[("labels", "ShellLabels")])
        .returns("null"),
    cmd("create_caller", "record", &["popup"])
        .args(&[("callId", "string"), ("caller", "NewCaller")])
        .returns("CallerMatch"),
    cmd("open_in_salesforce", "record", &["history", "popup"])
        .args(&[("recordId", "string")])
        .returns("string"),
    cmd("open_call_logs", "call_log", &["call-log"]).returns("OpenCallLog[]"),
    cmd("start_call_log", "call_log", &["call-log"]).returns("OpenCallLog"),
    cmd("update_call_log", "call_log", &["call-log"])
        .args(&[("callId", "string"), ("fields", "DraftFields")])
        .returns("OpenCallLog"),
    cmd("log_call", "call_log", &["call-log"])
        .args(&[("callId", "string"), ("fields", "DraftFields")])
        .returns("LoggedCall"),
    cmd("call_log_state", "call_log", &["call-log"])
        .args(&[("callId", "string")])
        .returns("string | null"),
    cmd("call_log_options", "call_log", &["call-log"]).returns("FormOptions"),
    cmd("press_call_intent", "call_log", &["call-log"])
        .args(&[
            ("callId", "string"),
            ("name", "string"),
            ("input", "string | null"),
        ])
        .returns("OpenCallLog"),
    cmd("release_call_intent", "call_log", &["call-log"])
        .args(&[("callId", "string"), ("name", "string")])
        .returns("OpenCallLog"),
    cmd("choose_call_record", "call_log", &["call-log"])
        .args(&[("callId", "string"), ("recordId", "string")])
        .returns("OpenCallLog"),
    cmd("preview_call_actions", "call_log", &["call-log"])
        .args(&[("callId", "string"), ("fields", "DraftFields")])
        .returns("FormActions"),
    cmd("queue_overview", "queue", &["queue"]).returns("QueueOverview"),
    cmd("edit_queued_call_log", "queue", &["queue"])
        .args(&[("id", "number"), ("edit", "QueueEdit")])
        .returns("null"),
    cmd("replay_queued_call_log", "queue", &["queue"])
        .args(&[("id", "number")])
        .returns("null"),
    cmd("replay_all_call_logs", "queue", &["queue"]).returns("number"),
    cmd("show_record", "record_edit", &["record-edit"])
        .args(&[("id", "string")])
        .returns("ShownRecord"),
    cmd("save_record", "record_edit", &["record-edit"])
        .args(&[
            ("id", "string"),
            ("changes", "FieldChange[]"),
            ("expectedModified", "string | null"),
        ])
        .returns("RecordSave"),
    cmd("apply_intent", "record_edit", &["record-edit"])
        .args(&[
            ("id", "string"),
            ("intent", "string"),
            ("input", "string | null"),
        ])
        .returns("RecordSave"),
    cmd("queued_record_edits", "record_edit", &["record-edit"])
        .args(&[("id", "string")])
        .returns("QueuedEdit[]"),
    cmd("resolve_queued_edit", "record_edit", &["record-edit"])
        .args(&[("edit", "number")])
        .returns("null"),
    cmd("admin_settings", "admin", &["admin"]).returns("AdminView"),
    cmd("describe_fields", "admin", &["admin"])
        .args(&[("object", "string")])
        .returns("FieldChoice[]"),
    cmd("save_admin_settings", "admin", &["admin"])
        .args(&[("settings", "AdminSettings")])
        .returns("ConfigSave"),
    cmd("import_config", "admin", &["admin"])
        .args(&[("text", "string")])
        .returns("ConfigSave"),
    cmd("save_outcome", "admin", &["admin"])
        .args(&[("name", "string"), ("text", "string | null")])
        .returns("ConfigSave"),
    cmd("save_outcome_form", "admin", &["admin"])
        .args(&[("name", "string"), ("form", "OutcomeForm | null")])
        .returns("ConfigSave"),
    cmd("export_config", "admin", &["admin"]).returns("string"),
    cmd("run_doctor", "admin", &["admin"]).returns("Check[]"),
    cmd("history_first_page", "history", &["history"])
        .args(&[("query", "HistoryQuery")])
        .returns("HistoryPageView"),
    cmd("history_next_page", "history", &["history"])
        .args(&[("cursor", "number")])
        .returns("HistoryPageView"),
    cmd("history_stats", "history", &["history"])
        .args(&[
            ("query", "HistoryQuery"),
            ("utcOffsetMinutes", "number"),
            ("timeZone", "string | null"),
        ])
        .returns("HistoryStatsView"),
    cmd("export_history_csv", "history", &["history"])
        .args(&[("query", "HistoryQuery"), ("utcOffsetMinutes", "number")])
        .returns("ExportedCsv"),
    cmd("agent_day", "history", &["history"])
        .args(&[("since", "string")])
        .returns("AgentDay"),
    cmd("call_back", "history", &["history"])
        .args(&[("number", "string")])
        .returns("CallBack"),
    cmd("open_recording", "history", &["history"])
        .args(&[("url", "string")])
        .returns("null"),
    cmd("update_notice", "update", &["settings"]).returns("UpdateNotice | null"),
    cmd("usage_today", "usage", &["usage"]).returns("BudgetView"),
];

pub const EVENTS: &[Event] = &[
    Event {
        name: "queue-changed",
        constant: "QUEUE_CHANGED_EVENT",
        window: MAIN,
        rust_type: "Option<crate::commands::queue::QueueCounts>",
        payload: Payload::Optional("QueueCounts"),
        doc: "The call-log queue committed a change (coalesced per burst); the new counts, or none when the queue cannot be read.",
    },
    Event {
        name: "pop-update",
        constant: "POP_UPDATE_EVENT",
        window: POPUP,
        rust_type: "crate::popup::PopUpdate",
        payload: Payload::Type("PopUpdate"),
        doc: "What the pop-up shows for the current call.",
    },
    Event {
        name: "show-record",
        constant: "SHOW_RECORD_EVENT",
        window: MAIN,
        rust_type: "ringside_core::CallerMatch",
        payload: Payload::Type("CallerMatch"),
        doc: "The pop-up asked the main window to show this matched record.",
    },
    Event {
        name: "call-log-opened",
        constant: "CALL_LOG_OPENED_EVENT",
        window: MAIN,
        rust_type: "crate::log_forms::OpenCallLog",
        payload: Payload::Type("OpenCallLog"),
        doc: "A call ended and its log form opened.",
    },
    Event {
        name: "call-log-logged",
        constant: "CALL_LOG_LOGGED_EVENT",
        window: MAIN,
        rust_type: "crate::log_forms::LoggedCall",
        payload: Payload::Type("LoggedCall"),
        doc: "A form was logged, by the agent or the idle rule.",
    },
    Event {
        name: "record-edits-changed",
        constant: "RECORD_EDITS_CHANGED_EVENT",
        window: MAIN,
        rust_type: "()",
        payload: Payload::Nothing,
        doc: "Queued record edits changed (sent, conflict, failed).",
    },
    Event {
        name: "sign-in-link-refused",
        constant: "LINK_REFUSED_EVENT",
        window: MAIN,
        rust_type: "crate::error::IpcError",
        payload: Payload::Type("IpcError"),
        doc: "A sign-in link reached the app and was refused; why, in words.",
    },
];
