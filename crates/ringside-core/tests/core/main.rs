//! ringside-core against the demo org over real HTTP on loopback. Modules
//! mirror `src/`.

mod api_usage;
mod call_log_only;
mod commit;
mod config_check;
mod config_edit;
mod config_watch;
mod delivery_reason;
mod demo;
mod describe_cache;
mod doctor;
mod edit_queue;
mod events;
mod field_security;
mod field_value;
mod history;
mod history_views;
mod intents;
mod log_form;
mod lookup;
mod module_graph;
mod mounted;
mod new_caller;
mod org_error;
mod outbox;
mod outcome_actions;
mod pop;
mod private_files;
mod queue_kill;
mod record_edit;
mod salvage;
mod setup_kit;
mod storage;
