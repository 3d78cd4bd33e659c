//! The call-log queue inside the app: opens the same SQLite outbox as the CLI
//! (`RINGSIDE_HOME/ringside.db`) and runs ringside-core's worker against the org in use.
//!
//! The worker follows the org and the config: it is started for [`ActiveOrg::current`] with
//! `[logging]` and the dead-letter webhook of the app's current config ([`ConfigWatch`]), and
//! restarted whenever another org comes into use (sign-in, switch, sign-out) or those
//! settings change (the Admin view saved, the file was edited). Each worker sends only the
//! logs queued for its own org (`OrgFilter`), so a signed-out org's logs stay held, with no
//! attempt spent, until that org is signed in again; they never go to the demo org.
//! A database that cannot be opened (read-only, full, damaged) does not stop the app: the
//! problem is kept in words for the queue view and the log form.
//! Every committed change of the queue is announced to the main window as [`QUEUE_CHANGED_EVENT`](crate::ipc::QUEUE_CHANGED_EVENT).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ringside_core::call_log::LoggingSettings;
use ringside_core::config_watch::{ConfigSnapshot, ConfigWatch};
use ringside_core::outbox::{
    DeadLetterWebhook, Outbox, OutboxError, QueueStatus, ReadOnlyCause, Worker, WorkerOptions,
};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;

use crate::org::{ActiveOrg, OrgLink};

/// How often the runner looks whether another org came into use.
const ORG_POLL: Duration = Duration::from_millis(500);
/// How long to wait before trying again when another process (`ringside queue drain`)
/// holds the worker lock.
const BUSY_RETRY: Duration = Duration::from_secs(5);
/// How long exit waits for a pass in progress to finish (an unfinished one is re-checked,
/// never duplicated, at the next start).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The queue in managed state: the open outbox, or why there is none.
#[derive(Debug)]
pub struct CallLogQueue {
    outbox: Option<Outbox>,
    /// What is wrong with the database and what to do, for the UI.
    problem: Option<String>,
    /// Set when a damaged database was moved aside at start.
    notice: Option<String>,
    stop: watch::Sender<bool>,
    running: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl CallLogQueue {
    /// Opens the outbox in the Ringside home. Never fails: a problem is kept for the UI.
    pub async fn open() -> CallLogQueue {
        let (stop, _) = watch::channel(false);
        let mut queue = CallLogQueue {
            outbox: None,
            problem: None,
            notice: None,
            stop,
            running: Mutex::new(None),
        };
        let home = match crate::org::home() {
            Ok(home) => home,
            Err(err) => {
                queue.problem = Some(format!("{err:#}"));
                return queue;
            }
        };
        match Outbox::open_in_home(&home).await {
            Ok(outbox) => {
                if let Some(recovery) = outbox.recovery() {
                    let salvaged = match &recovery.salvaged {
                        Some(s) => format!(
                            "{} unsent call log(s) were read back out of it and queued again.",
                            s.queued
                        ),
                        None => "Nothing could be read back out of it: keep that file and ask your admin to run `ringside queue salvage` on it.".to_owned(),
                    };
                    let text = format!(
                        "The call-log database was unreadable ({}). It was moved to {} and a new one was started. {salvaged}",
                        recovery.reason,
                        recovery.moved_to.display()
                    );
                    tracing::warn!("{text}");
                    queue.notice = Some(text);
                }
                queue.outbox = Some(outbox);
            }
            Err(err) => {
                tracing::error!("the call-log queue cannot open: {err}");
                queue.problem = Some(problem_text(&err));
            }
        }
        queue
    }

    pub fn outbox(&self) -> Option<&Outbox> {
        self.outbox.as_ref()
    }

    /// The open outbox, or why there is none (as the error a write would have met), for
    /// core's `outbox::commit` to keep the log as a file instead.
    pub fn open_outbox(&self, home: &std::path::Path) -> Result<&Outbox, OutboxError> {
        self.outbox
            .as_ref()
            .ok_or_else(|| OutboxError::Unavailable {
                path: home.join(ringside_core::outbox::DATABASE_FILE),
                reason: self.problem().unwrap_or("not open").to_owned(),
            })
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Starts the worker task and the change announcer (nothing when the outbox is closed).
    /// Needs the config watch and `ActiveOrg` managed.
    pub fn start<R: Runtime>(&self, app: AppHandle<R>) {
        let Some(outbox) = self.outbox.clone() else {
            return;
        };
        tauri::async_runtime::spawn(announce_changes(app.clone(), outbox.changes()));
        let config = app.state::<Arc<ConfigWatch>>().subscribe();
        let task =
            tauri::async_runtime::spawn(follow_org(app, outbox, config, self.stop.subscribe()));
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
    }

    /// Stops the worker between passes and closes the database (at exit).
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task
            && tokio::time::timeout(STOP_GRACE, task).await.is_err()
        {
            tracing::warn!(
                "the queue worker did not stop in time; its claims are re-checked at next start"
            );
        }
        if let Some(outbox) = &self.outbox {
            outbox.close().await;
        }
    }
}

/// The problem in words, with the next step.
pub fn problem_text(err: &OutboxError) -> String {
    match err {
        // The whole data folder cannot take a file either: promise no kept files.
        OutboxError::ReadOnly { cause, .. } if *cause != ReadOnlyCause::ReadOnlyFile => format!(
            "{err}. Until then no call can be logged on this computer: a log stays in its form, so copy your notes before quitting."
        ),
        OutboxError::DiskFull { .. } => format!(
            "{err}. Until then a log stays in its form: press Log again once there is space, and copy your notes before quitting."
        ),
        err if err.database_unusable() => {
            format!(
                "{err}. Until then, logged calls are kept as files beside it and queued when it works again; open log forms are not saved (a crash would lose them), so log each call before quitting."
            )
        }
        other => format!("{other}. Restart Ringside; if it stays, contact your admin."),
    }
}

/// Runs a worker for the org in use; restarts it when another org comes into use or the
/// worker's settings change.
async fn follow_org<R: Runtime>(
    app: AppHandle<R>,
    outbox: Outbox,
    mut config: watch::Receiver<Arc<ConfigSnapshot>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let link = app.state::<ActiveOrg>().current();
        let settings = WorkerSettings::of(&config.borrow_and_update());
        let options = WorkerOptions {
            dead_letter_webhook: settings.dead_letter_webhook.clone(),
            org: link.tag.worker_filter(),
            actor: ringside_core::audit::AuditActor::Worker,
            ..worker_timings()
        };
        let worker = Worker::start(
            outbox.clone(),
            link.client.clone(),
            settings.logging.clone(),
            options,
        )
        .await;
        let pause = match worker {
            Ok(worker) => {
                tracing::info!(org = %link.tag, "queue worker sending");
                let changed = async {
                    tokio::select! {
                        () = org_changed(&app, &link, stop.clone()) => {}
                        () = settings_changed(&mut config, &settings) => {}
                    }
                };
                worker.run(changed).await;
                // The worker (and its lock) is dropped here, before the next one starts.
                Duration::ZERO
            }
            Err(OutboxError::WorkerBusy { .. }) => {
                tracing::info!("another Ringside process is sending the queue; trying again later");
                BUSY_RETRY
            }
            Err(err) => {
                tracing::warn!("the queue worker cannot start: {err}");
                BUSY_RETRY
            }
        };
        if !pause.is_zero() {
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// What the worker is started with from the config.
#[derive(Debug, Clone, PartialEq)]
struct WorkerSettings {
    logging: LoggingSettings,
    dead_letter_webhook: Option<DeadLetterWebhook>,
}

impl WorkerSettings {
    fn of(snapshot: &ConfigSnapshot) -> Self {
        let config = snapshot.config();
        WorkerSettings {
            logging: config.logging.clone(),
            dead_letter_webhook: config.dead_letter_webhook.clone(),
        }
    }
}

/// Completes when the config in use gives the worker other settings than `running`'s
/// (another change, such as `[pop]`, leaves the worker alone).
async fn settings_changed(
    config: &mut watch::Receiver<Arc<ConfigSnapshot>>,
    running: &WorkerSettings,
) {
    // A closed watch (the app is exiting) never completes: the stop signal ends the worker.
    while config.changed().await.is_ok() {
        if WorkerSettings::of(&config.borrow_and_update()) != *running {
            tracing::info!("the logging settings changed; the queue worker restarts with them");
            return;
        }
    }
    std::future::pending::<()>().await;
}

/// Completes when the app stops or another org than `link` comes into use.
async fn org_changed<R: Runtime>(
    app: &AppHandle<R>,
    link: &Arc<OrgLink>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => return,
            () = tokio::time::sleep(ORG_POLL) => {}
        }
        if !Arc::ptr_eq(&app.state::<ActiveOrg>().current(), link) {
            tracing::info!("the org in use changed; the queue worker follows");
            return;
        }
    }
}

/// Tells the main window after each committed change (coalesced: one event per burst).
async fn announce_changes<R: Runtime>(app: AppHandle<R>, mut changes: watch::Receiver<u64>) {
    while changes.changed().await.is_ok() {
        let status = match app.try_state::<CallLogQueue>() {
            Some(queue) => match queue.outbox() {
                Some(outbox) => outbox.status().await.ok(),
                None => None,
            },
            None => None,
        };
        let status: Option<QueueStatus> = status;
        let counts = status.map(crate::commands::queue::QueueCounts::from);
        if let Err(err) = crate::ipc::emit_queue_changed(&app, &counts) {
            tracing::debug!(%err, "could not announce a queue change");
        }
        // Coalesce a burst (a batch settles many items at once) into one refresh.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The worker's timings: DESIGN §4's, or shorter from `RINGSIDE_QUEUE_FAST=1` (tests only:
/// a dead letter after a few quick attempts, outages probed every 200 ms).
fn worker_timings() -> WorkerOptions {
    let fast = std::env::var("RINGSIDE_QUEUE_FAST").is_ok_and(|v| v == "1");
    if fast {
        WorkerOptions {
            schedule: ringside_core::outbox::RetrySchedule::new(vec![
                Duration::from_millis(50),
                Duration::from_millis(100),
            ]),
            unreachable_wait: Duration::from_millis(200),
            signed_out_wait: Duration::from_millis(500),
            ..WorkerOptions::default()
        }
    } else {
        WorkerOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[tokio::test]
    async fn the_worker_restarts_for_a_logging_change_and_not_for_another_one() {
        let home =
            std::env::temp_dir().join(format!("ringside-runner-test-{}", std::process::id()));
        std::fs::create_dir_all(&home).expect("temp home");
        let file = home.join("ringside.toml");
        std::fs::write(&file, "[pop]\nopen_on = \"ring\"\n").expect("written");
        let watch = ConfigWatch::open(&home, &home.join("no-policy.toml"));
        let mut config = watch.subscribe();
        let running = WorkerSettings::of(&config.borrow_and_update());
        let wait = Duration::from_millis(200);

        std::fs::write(&file, "[pop]\nopen_on = \"manual\"\n").expect("written");
        watch.reload();
        assert!(
            tokio::time::timeout(wait, settings_changed(&mut config, &running))
                .await
                .is_err(),
            "a [pop] change leaves the worker running"
        );

        std::fs::write(&file, "[logging]\nmode = \"call_log_only\"\n").expect("written");
        watch.reload();
        tokio::time::timeout(wait, settings_changed(&mut config, &running))
            .await
            .expect("a [logging] change restarts the worker with it");
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn a_read_only_home_is_shown_in_words_without_promising_kept_files() {
        let text = problem_text(&OutboxError::ReadOnly {
            path: PathBuf::from("/home/agent/.config/ringside"),
            cause: ReadOnlyCause::FileSystem,
        });
        assert!(
            text.starts_with(
                "Ringside's data folder /home/agent/.config/ringside is read-only (read-only file system)"
            ),
            "says what and why in words: {text}"
        );
        assert!(
            !text.contains("kept as files"),
            "a read-only folder keeps no files, so none are promised: {text}"
        );
        let full = problem_text(&OutboxError::DiskFull {
            path: PathBuf::from("/home/agent/.config/ringside"),
        });
        assert!(
            full.starts_with("the disk is full") && full.contains("press Log again"),
            "{full}"
        );
    }
}
