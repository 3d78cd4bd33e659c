//! Signed auto-update through `tauri-plugin-updater`, with the organisation's public key and
//! endpoint from `ringside.toml`'s `[update]` ([`ringside_core::update_settings`]); no key is
//! built into the app. When to check, install and relaunch is [`UpdateSchedule`]'s call: at
//! start and daily, quietly later when the server is unreachable, never during a call; the
//! relaunch into an installed update only once the open log forms have been left alone for a
//! minute. The queue and the open log forms are in SQLite, so the relaunched app has them as
//! they were; waiting is so the agent is never cut off.
//!
//! The plugin verifies the download against the key (minisign, and the version the
//! signature was made for) before anything is installed. A refused update, or one this copy
//! cannot install, becomes a quiet notice in Settings ([`UpdateNotice`]); there is never a
//! dialog. Only `.deb` and `.rpm` installs update themselves (the plugin runs `pkexec dpkg
//! -i` / `rpm -U`); a copy not installed from a package (a `cargo build`) checks and verifies
//! but installs nothing, since it would overwrite its own binary.
//!
//! The webview gets none of the plugin's commands (no capability grants them): it all runs here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ringside_core::clock::{Clock, MonotonicClock};
use ringside_core::config_watch::{ConfigSnapshot, ConfigWatch};
use ringside_core::update_schedule::{BUSY_POLL, CheckOutcome, UpdateSchedule, UpdateStep};
use ringside_core::update_settings::UpdateSettings;
use serde::Serialize;
use tauri::utils::config::BundleType;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

use crate::log_forms::LogForms;

/// How long one request to the update server may take before it counts as unreachable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The updater plugin's configuration, set on the app's context before it starts (the
/// plugin refuses to start without a key, and `tauri.conf.json` holds none).
pub fn plugin_config(settings: &UpdateSettings) -> serde_json::Value {
    serde_json::json!({
        "pubkey": settings.pubkey.as_str(),
        "endpoints": [settings.endpoint.url().as_str()],
        // Only ever true for a loopback endpoint: `[update] endpoint` refuses plain http elsewhere.
        "dangerousInsecureTransportProtocol": settings.endpoint.is_plain_http(),
        // The signature must name the version the manifest announces, so a tampered manifest
        // cannot pass an older signed build off as new. `tauri build` signs with the version.
        "requireSignedVersion": true,
    })
}

/// What kind of update notice it is; snake_case on the wire like every IPC name (issue 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub enum UpdateNoticeKind {
    /// The signature does not match the organisation's key, or there is none.
    Refused,
    /// Verified, but this copy was not installed from a .deb or .rpm.
    NotInstallable,
    /// The package manager did not install it.
    InstallFailed,
    /// Installed; the app relaunches into it between calls.
    Installed,
}

/// Something about updates the agent should know, shown quietly in Settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct UpdateNotice {
    pub kind: UpdateNoticeKind,
    /// The version the server offered.
    pub version: Option<String>,
    /// When it happened (epoch ms).
    #[cfg_attr(test, ts(type = "number"))]
    pub at_ms: i64,
}

/// The latest notice, in managed state (always managed, so Settings can ask).
#[derive(Debug, Default)]
pub struct UpdateNotices(Mutex<Option<UpdateNotice>>);

impl UpdateNotices {
    pub fn latest(&self) -> Option<UpdateNotice> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, kind: UpdateNoticeKind, version: Option<String>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(UpdateNotice {
            kind,
            version,
            at_ms: ringside_core::outbox::now_ms(),
        });
    }
}

/// The `[update]` settings the app starts with; `None` when updates are off, or the config
/// has a problem and the last good one (the defaults at start) has none (the Admin view shows
/// the problem). Turning updates on later needs a restart: the plugin is registered at start.
pub fn settings_at_start(config: &ConfigSnapshot) -> Option<UpdateSettings> {
    let settings = config.config().update.clone();
    if settings.is_none() {
        tracing::info!("updates are off: ringside.toml has no [update] table with check on");
    }
    settings
}

/// Starts the update loop (needs `LogForms`, `UpdateNotices` and the config watch managed,
/// and the plugin registered with [`plugin_config`]). Each check uses `[update]` as it is
/// then: a changed endpoint or key applies to the next check, and while the table is gone
/// nothing is checked.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("updates: checked at start and daily");
    tauri::async_runtime::spawn(run(app.clone()));
}

async fn run<R: Runtime>(app: AppHandle<R>) {
    let clock = MonotonicClock::new();
    let mut schedule = UpdateSchedule::starting_at(clock.now());
    let mut ready: Option<(Update, Vec<u8>)> = None;
    loop {
        let activity = app
            .state::<LogForms>()
            .activity(ringside_core::outbox::now_ms());
        match schedule.next_step(clock.now(), activity) {
            // Never longer than BUSY_POLL: a call may end (or start) meanwhile.
            UpdateStep::Wait(wait) => tokio::time::sleep(wait.min(BUSY_POLL)).await,
            UpdateStep::Check => {
                let Some(settings) = current_settings(&app) else {
                    // Switched off since the start: look again later, check nothing.
                    tokio::time::sleep(BUSY_POLL).await;
                    continue;
                };
                let started = clock.now();
                let outcome = match check(&app, &settings).await {
                    Ok(Some(found)) => {
                        ready = Some(found);
                        CheckOutcome::Ready
                    }
                    Ok(None) => CheckOutcome::UpToDate,
                    Err(outcome) => outcome,
                };
                schedule.checked(started, outcome);
                if outcome == CheckOutcome::Unreachable {
                    let retry_in = schedule.next_check().saturating_sub(started);
                    tracing::info!(
                        retry_in_secs = retry_in.as_secs(),
                        "updates: the update server could not be reached; trying again later"
                    );
                }
            }
            UpdateStep::Install => {
                let Some((update, bytes)) = ready.take() else {
                    schedule.install_failed(clock.now());
                    continue;
                };
                let version = update.version.clone();
                tracing::info!(%version, "updates: installing (no call, no open log form)");
                // `install` verifies the bytes again, then runs the package manager (blocking).
                match tauri::async_runtime::spawn_blocking(move || update.install(&bytes)).await {
                    Ok(Ok(())) => {
                        tracing::info!(
                            %version,
                            "updates: installed; relaunching once no call is in progress and the open log forms are left alone"
                        );
                        app.state::<UpdateNotices>()
                            .set(UpdateNoticeKind::Installed, Some(version));
                        schedule.installed();
                        continue;
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(%version, "updates: the install failed: {err}");
                        app.state::<UpdateNotices>()
                            .set(UpdateNoticeKind::InstallFailed, Some(version));
                    }
                    Err(err) => tracing::warn!("updates: the install task failed: {err}"),
                }
                schedule.install_failed(clock.now());
            }
            UpdateStep::Relaunch => {
                let kept = app.state::<LogForms>().keep_open_through_relaunch();
                tracing::info!(
                    open_forms_kept = kept,
                    "updates: relaunching into the installed version"
                );
                // Through the exit path: the queue stops cleanly and single-instance lets go of
                // its name before the new copy starts; the new copy restores the open forms.
                app.request_restart();
                return;
            }
        }
    }
}

/// `[update]` in the app's current config.
fn current_settings<R: Runtime>(app: &AppHandle<R>) -> Option<UpdateSettings> {
    app.state::<Arc<ConfigWatch>>()
        .current()
        .config()
        .update
        .clone()
}

/// Looks for an update and, when there is one, downloads it and checks its signature.
/// `Ok(Some)` only for a verified update this copy can install.
async fn check<R: Runtime>(
    app: &AppHandle<R>,
    settings: &UpdateSettings,
) -> Result<Option<(Update, Vec<u8>)>, CheckOutcome> {
    let notices = app.state::<UpdateNotices>();
    let updater = app
        .updater_builder()
        .pubkey(settings.pubkey.as_str())
        .endpoints(vec![settings.endpoint.url().clone()])
        .and_then(|builder| builder.timeout(REQUEST_TIMEOUT).build())
        .map_err(|err| {
            tracing::warn!("updates: the updater cannot start: {err}");
            CheckOutcome::Failed
        })?;
    let update = match updater.check().await {
        Ok(Some(update)) => update,
        Ok(None) => {
            tracing::info!("updates: this is the newest version");
            return Ok(None);
        }
        Err(err) => return Err(failure(&err, None, &notices)),
    };
    let version = update.version.clone();
    tracing::info!(%version, "updates: a newer version is offered; downloading");
    // `download` checks the signature against the organisation's key before returning.
    let bytes = match update.download(|_, _| {}, || {}).await {
        Ok(bytes) => bytes,
        Err(err) => return Err(failure(&err, Some(version), &notices)),
    };
    if !installs_itself() {
        tracing::warn!(
            %version,
            "updates: the update's signature matches, but this copy was not installed from a .deb or .rpm, so it cannot install it; update it the way it was installed"
        );
        notices.set(UpdateNoticeKind::NotInstallable, Some(version));
        return Err(CheckOutcome::Failed);
    }
    tracing::info!(%version, "updates: downloaded and its signature matches; installing once no call or log form is open");
    Ok(Some((update, bytes)))
}

/// How a failed check or download ends, logged (and shown when the agent should know).
fn failure(err: &UpdaterError, version: Option<String>, notices: &UpdateNotices) -> CheckOutcome {
    let outcome = classify(err);
    match outcome {
        CheckOutcome::Unreachable => {
            tracing::info!("updates: no answer from the update server: {err}");
        }
        CheckOutcome::Refused => {
            tracing::warn!(
                version = version.as_deref().unwrap_or("?"),
                "updates: an update was refused: its signature does not match your organisation's key ({err})"
            );
            notices.set(UpdateNoticeKind::Refused, version);
        }
        _ => tracing::warn!("updates: the update check failed: {err}"),
    }
    outcome
}

/// Sorts the plugin's errors: the network (retry soon), the signature (refuse), the rest.
fn classify(err: &UpdaterError) -> CheckOutcome {
    match err {
        // No network, DNS, refused connection, timeout, a download cut short or a 5xx
        // (the plugin reports a failed status as `ReleaseNotFound` or `Network`).
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) | UpdaterError::ReleaseNotFound => {
            CheckOutcome::Unreachable
        }
        // A signature that does not verify, is missing or garbled, or was made for another
        // version than the one announced.
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::SignedVersionMismatch { .. }
        | UpdaterError::MissingSignedVersion => CheckOutcome::Refused,
        _ => CheckOutcome::Failed,
    }
}

/// Whether this copy came from a package the plugin can install over (`.deb`, `.rpm`; the
/// bundler marks the binary). AppImages would too, but we do not ship one.
fn installs_itself() -> bool {
    matches!(
        tauri::utils::platform::bundle_type(),
        Some(BundleType::Deb | BundleType::Rpm)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_problems_are_refusals_and_network_problems_are_retried() {
        let garbled = minisign_signature_error();
        assert_eq!(
            classify(&garbled),
            CheckOutcome::Refused,
            "a signature that does not decode is a refusal, never a retry"
        );
        assert_eq!(
            classify(&UpdaterError::MissingSignedVersion),
            CheckOutcome::Refused
        );
        assert_eq!(
            classify(&UpdaterError::SignedVersionMismatch {
                signed: "0.1.0".into(),
                announced: "9.0.0".into()
            }),
            CheckOutcome::Refused,
            "an old signed build announced as new is a downgrade attack"
        );
        assert_eq!(
            classify(&UpdaterError::Network("503".into())),
            CheckOutcome::Unreachable
        );
        assert_eq!(
            classify(&UpdaterError::ReleaseNotFound),
            CheckOutcome::Unreachable
        );
        assert_eq!(
            classify(&UpdaterError::InvalidUpdaterFormat),
            CheckOutcome::Failed,
            "a package of the wrong kind is not retried every few minutes"
        );
    }

    fn minisign_signature_error() -> UpdaterError {
        // The plugin's own path for an unsigned update: an empty signature.
        match minisign_verify::Signature::decode("") {
            Err(err) => UpdaterError::Minisign(err),
            Ok(_) => panic!("an empty signature must not decode"),
        }
    }

    #[test]
    fn the_plugin_is_told_to_accept_http_only_for_a_loopback_endpoint() {
        let key = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDk5MzA4NTVDMDZBMUQ4NjYKUldSbTJLRUdYSVV3bVpFbWhaOTQzakN0eEpURFAzWTVPOG9paEVlaUNFaVBSQ2daMnRZaHZYWm8K";
        let settings = |endpoint: &str| {
            let text = format!("[update]\npubkey = \"{key}\"\nendpoint = \"{endpoint}\"\n");
            ringside_core::config::Config::parse(&text, std::path::Path::new("ringside.toml"))
                .unwrap()
                .update
                .unwrap()
        };
        let local = plugin_config(&settings("http://127.0.0.1:9/latest.json"));
        assert_eq!(local["dangerousInsecureTransportProtocol"], true);
        assert_eq!(
            local["requireSignedVersion"], true,
            "downgrades are refused"
        );
        assert_eq!(local["pubkey"], key, "the admin's key, not one built in");
        let remote = plugin_config(&settings("https://u.example.com/latest.json"));
        assert_eq!(
            remote["dangerousInsecureTransportProtocol"], false,
            "the plugin's own https check stays on for a real server"
        );
    }
}
