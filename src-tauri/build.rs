//! Generates the Tauri context and the app's command permissions: `lookup_caller`
//! becomes the permission `allow-lookup-caller`, which `capabilities/main.json` grants;
//! the pop-up's three commands are granted by `capabilities/popup.json`.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "lookup_caller",
            "related_records",
            "list_orgs",
            "sign_in",
            "cancel_sign_in",
            "use_org",
            "use_demo_org",
            "sign_out_org",
            "remove_org",
            "current_org",
            "current_pop",
            "dismiss_pop",
            "open_caller_record",
            "create_caller",
            "open_in_salesforce",
            "set_shell_labels",
            "open_call_logs",
            "start_call_log",
            "update_call_log",
            "log_call",
            "call_log_state",
            "queue_overview",
            "edit_queued_call_log",
            "replay_queued_call_log",
            "replay_all_call_logs",
            "show_record",
            "save_record",
            "apply_intent",
            "queued_record_edits",
            "resolve_queued_edit",
            "admin_settings",
            "describe_fields",
            "save_admin_settings",
            "import_config",
            "export_config",
            "run_doctor",
            "history_first_page",
            "history_next_page",
            "history_stats",
            "export_history_csv",
            "agent_day",
            "call_back",
            "open_recording",
        ]),
    ))
    .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
