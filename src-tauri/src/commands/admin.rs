//! The admin view's commands: read the settings it edits (`admin_settings`), list an
//! object's fields from the live describe (`describe_fields`), save or import the config only
//! when it is valid against the org (`save_admin_settings`, `import_config`), export the file
//! (`export_config`), edit one outcome's actions (`save_outcome_form` from the form,
//! `save_outcome` from its TOML), and run the readiness
//! checks (`run_doctor`). The view shows the app's
//! config in use ([`ConfigWatch`]: the user's file over the system policy file), and a save
//! or import reloads it, so every feature uses the new file at once. The logic lives in
//! [`ringside_core::config_edit`], [`ringside_core::outcome_edit`] and
//! [`ringside_core::doctor`]; this module forwards.

use ringside_core::ipc_code::IpcCode;
use std::sync::Arc;

use ringside_core::config::CONFIG_FILE;
use ringside_core::config_edit::{self, AdminSettings, ConfigSave, KeySource};
use ringside_core::config_watch::ConfigWatch;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::doctor::{Check, Environment, run_checks};
use ringside_core::outcome_edit::{self, OutcomeForm, OutcomeSetting};
use tauri::State;

use crate::error::IpcError;
use crate::org::{self, ActiveOrg};

/// The settings the admin view shows, and why the file on disk could not be read if so.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct AdminView {
    pub settings: AdminSettings,
    /// Where the config file is (it may not exist yet: the defaults apply).
    pub path: String,
    /// Why the files on disk are not in use (naming the file); the view then shows the
    /// settings in use: the last ones that loaded, or the defaults if none has.
    pub problem: Option<String>,
    /// The system policy file read under the user's (`None`: there is none on this machine).
    pub policy_path: Option<String>,
    /// Where each value the view edits comes from, and which the policy locks.
    pub sources: Vec<KeySource>,
    /// The outcome actions in use, by disposition, each with its TOML and its lock.
    pub outcomes: Vec<OutcomeSetting>,
}

/// One field of an object's describe, with the hints the field picker shows.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct FieldChoice {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: String,
    pub updateable: bool,
    pub custom: bool,
    pub length: u32,
    pub picklist: Vec<String>,
}

/// The admin settings in use (the user's file over the policy's), and why the files on disk
/// are not, if so.
#[tauri::command]
pub fn admin_settings(config: State<'_, Arc<ConfigWatch>>) -> AdminView {
    let snapshot = config.current();
    let loaded = &snapshot.loaded;
    AdminView {
        settings: AdminSettings::from_config(&loaded.config),
        path: config.user_file().display().to_string(),
        problem: snapshot.problem.clone(),
        // Shown when the file exists, read or not: a broken policy is named by the problem.
        policy_path: (loaded.policy_present || config.policy_file().exists())
            .then(|| config.policy_file().display().to_string()),
        sources: config_edit::key_sources(loaded),
        outcomes: outcome_edit::outcome_settings(loaded),
    }
}

/// Every field of `object` this user can see, in describe order.
#[tauri::command]
pub async fn describe_fields(
    object: String,
    active: State<'_, ActiveOrg>,
) -> Result<Vec<FieldChoice>, IpcError> {
    let client = active.current().client.clone();
    let describe = client.describe(&object).await.map_err(salesforce_error)?;
    Ok(describe
        .fields
        .iter()
        .map(|f| FieldChoice {
            name: f.name.clone(),
            label: f.label.clone(),
            field_type: f.field_type.as_str().to_owned(),
            updateable: f.updateable,
            custom: f.name.ends_with("__c"),
            length: f.length,
            picklist: f.active_picklist_values().map(str::to_owned).collect(),
        })
        .collect())
}

/// Applies the view's settings to the config file, writing it only when it is valid.
#[tauri::command]
pub async fn save_admin_settings(
    settings: AdminSettings,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ConfigSave, IpcError> {
    let describes = DescribeCache::new(active.current().client.clone());
    let saved =
        config_edit::save_settings(&home()?, config.policy_file(), &settings, &describes).await;
    reloaded(&config, saved)
}

/// Replaces the config file with an imported one, only when it is valid.
#[tauri::command]
pub async fn import_config(
    text: String,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ConfigSave, IpcError> {
    let describes = DescribeCache::new(active.current().client.clone());
    let saved = config_edit::import_text(&home()?, config.policy_file(), &text, &describes).await;
    reloaded(&config, saved)
}

/// Replaces one outcome's actions with `text` (its table as TOML), or removes the outcome
/// when `text` is null, only when the file is then valid against the org.
#[tauri::command]
pub async fn save_outcome(
    name: String,
    text: Option<String>,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ConfigSave, IpcError> {
    let describes = DescribeCache::new(active.current().client.clone());
    let saved = outcome_edit::save_outcome(
        &home()?,
        config.policy_file(),
        &name,
        text.as_deref(),
        &describes,
    )
    .await;
    reloaded(&config, saved)
}

/// Replaces one outcome's actions with the Admin tab's form (typed, not TOML), or removes
/// the outcome when `form` is null, only when the file is then valid against the org.
#[tauri::command]
pub async fn save_outcome_form(
    name: String,
    form: Option<OutcomeForm>,
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<ConfigSave, IpcError> {
    let describes = DescribeCache::new(active.current().client.clone());
    let saved = outcome_edit::save_outcome_form(
        &home()?,
        config.policy_file(),
        &name,
        form.as_ref(),
        &describes,
    )
    .await;
    reloaded(&config, saved)
}

/// After a save: every feature gets the written file now, not at the next poll.
fn reloaded(
    config: &ConfigWatch,
    saved: Result<ConfigSave, config_edit::ConfigEditError>,
) -> Result<ConfigSave, IpcError> {
    let saved = saved.map_err(edit_error)?;
    if matches!(saved, ConfigSave::Saved { .. }) {
        config.reload();
    }
    Ok(saved)
}

/// The config file's text, to ship to every agent (empty when there is no file yet).
#[tauri::command]
pub fn export_config() -> Result<String, IpcError> {
    let path = home()?.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(IpcError {
            code: IpcCode::ConfigUnreadable,
            message: format!("cannot read {}: {err}", path.display()),
        }),
    }
}

/// The readiness checks against the org in use, each pass/fail/skip with its fix.
#[tauri::command]
pub async fn run_doctor(
    active: State<'_, ActiveOrg>,
    config: State<'_, Arc<ConfigWatch>>,
) -> Result<Vec<Check>, IpcError> {
    let link = active.current();
    // The files as they are: a problem fails the config check (with its words).
    let snapshot = config.current();
    let config = match &snapshot.problem {
        Some(problem) => Err(problem.clone()),
        None => Ok(snapshot.config()),
    };
    let identity = &link.identity;
    let env = Environment::of_app(identity.demo, identity.username.as_deref(), config);
    let describes = DescribeCache::new(link.client.clone());
    Ok(run_checks(&describes, env).await)
}

fn home() -> Result<std::path::PathBuf, IpcError> {
    org::home().map_err(|err| IpcError {
        code: IpcCode::NoHome,
        message: format!("{err:#}"),
    })
}

fn salesforce_error(err: ringside_core::org_error::OrgError) -> IpcError {
    let code = ringside_core::org_error::code(&err);
    tracing::warn!(%code, "admin describe failed");
    IpcError {
        code,
        message: err.to_string(),
    }
}

fn edit_error(err: config_edit::ConfigEditError) -> IpcError {
    let code = err.code();
    tracing::warn!(%code, "admin config save failed");
    IpcError {
        code,
        message: err.to_string(),
    }
}
