//! Record edits queued while Salesforce was unreachable (ringside-core's `edit_queue`, in the
//! same database file as the call-log outbox), sent in the background to the org in use.
//!
//! The runner follows the org: each pass asks [`ActiveOrg::current`] and reads the admin's
//! config from disk, so a sign-in, a switch or a config change applies at the next pass. It
//! sleeps between passes, wakes at once when an edit is queued, and while the org is
//! unreachable or signed out only probes (no attempt is spent; see `edit_queue`). Every
//! committed change is announced to the main window as [`RECORD_EDITS_CHANGED_EVENT`](crate::ipc::RECORD_EDITS_CHANGED_EVENT), so the
//! record panel turns "pending" into saved, conflict or failed by itself.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ringside_core::config_watch::ConfigWatch;
use ringside_core::edit_queue::EditQueue;
use ringside_core::outbox::{Outbox, RetrySchedule};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;

use crate::org::ActiveOrg;

/// The queue in managed state (none when the database cannot be opened: edits made while
/// Salesforce is unreachable are then refused in words, as before).
#[derive(Debug)]
pub struct RecordEditQueue {
    queue: Option<EditQueue>,
    stop: watch::Sender<bool>,
    running: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl RecordEditQueue {
    pub fn new(outbox: Option<&Outbox>) -> RecordEditQueue {
        RecordEditQueue {
            queue: outbox.map(EditQueue::new),
            stop: watch::channel(false).0,
            running: Mutex::new(None),
        }
    }

    pub fn queue(&self) -> Option<&EditQueue> {
        self.queue.as_ref()
    }

    /// Starts the sender and the change announcer (nothing without a queue).
    pub fn start<R: Runtime>(&self, app: AppHandle<R>) {
        let Some(queue) = self.queue.clone() else {
            return;
        };
        tauri::async_runtime::spawn(announce_changes(app.clone(), queue.changes()));
        let task = tauri::async_runtime::spawn(send_loop(app, queue, self.stop.subscribe()));
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
    }

    /// Stops the sender between passes (at exit; an edit claimed mid-send is sent again
    /// later, which its conflict check makes safe).
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task
            && tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
        {
            tracing::warn!("the record-edit sender did not stop in time");
        }
    }
}

struct Timings {
    schedule: RetrySchedule,
    poll: Duration,
    unreachable: Duration,
}

/// DESIGN §4's schedule, or short waits from `RINGSIDE_QUEUE_FAST=1` (tests only).
fn timings() -> Timings {
    if std::env::var("RINGSIDE_QUEUE_FAST").is_ok_and(|v| v == "1") {
        Timings {
            schedule: RetrySchedule::new(vec![Duration::from_millis(50); 2]),
            poll: Duration::from_millis(200),
            unreachable: Duration::from_millis(200),
        }
    } else {
        Timings {
            schedule: RetrySchedule::default(),
            poll: Duration::from_secs(5),
            unreachable: Duration::from_secs(5),
        }
    }
}

async fn send_loop<R: Runtime>(
    app: AppHandle<R>,
    queue: EditQueue,
    mut stop: watch::Receiver<bool>,
) {
    let timings = timings();
    loop {
        if *stop.borrow() {
            return;
        }
        let link = app.state::<ActiveOrg>().current();
        let config = app.state::<Arc<ConfigWatch>>().current();
        let editor = crate::commands::record_edit::editor_for(&link, config.config());
        let wait = match queue
            .send_due(&editor, link.tag.as_str(), &timings.schedule)
            .await
        {
            Ok(report) if report.org_unreachable || report.signed_out => timings.unreachable,
            Ok(_) => timings.poll,
            Err(err) => {
                tracing::warn!("queued record edits could not be read: {err}");
                timings.poll
            }
        };
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => return,
            () = queue.queued() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

async fn announce_changes<R: Runtime>(app: AppHandle<R>, mut changes: watch::Receiver<u64>) {
    while changes.changed().await.is_ok() {
        if let Err(err) = crate::ipc::emit_record_edits_changed(&app, &()) {
            tracing::debug!(%err, "could not announce a record-edit change");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
