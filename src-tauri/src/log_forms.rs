//! The log forms of the desktop app: on a call's `end` (from the intake's `EventStream`) the
//! main window gets a form prefilled by ringside-core's `CallDraft::after_call`; a form the
//! agent leaves alone for `[logging] auto_log_after_secs` is logged anyway (`DraftBook`).
//! Logging commits the call to the outbox ([`crate::outbox_runner`]) before it returns;
//! when the database is unusable the log is kept as a file beside it (never lost).
//!
//! Durable forms: every open form (prefill, what the agent typed, pressed intents, its
//! auto-log time) is saved in the outbox's database when it opens and on every change, and
//! restored at the next start ([`LogForms::restore_saved`]), so a crash or `kill -9` loses
//! no form; a form whose auto-log time passed while the app was down is logged at start.
//! Logging deletes the saved form in the same commit that queues the call. Without a usable
//! database the forms live in memory only (not durable), as the queue view says.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ringside_core::audit::AuditActor;
use ringside_core::call_log::CallLog;
use ringside_core::call_log::draft::CallIntent;
use ringside_core::call_log::draft::{AutoLogPolicy, CallDraft, CallTimes, DraftBook, DraftFields};
use ringside_core::config::Config;
use ringside_core::config_watch::ConfigWatch;
use ringside_core::events::{CallEvent, CallEventKind, EventStream};
use ringside_core::outbox::{self, Commit, CommitError, Committed, Outbox, now_ms};
use ringside_core::update_schedule::Activity;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::org::ActiveOrg;
use crate::outbox_runner::CallLogQueue;
use crate::popup::LatestPop;

/// How often the idle rule looks at the open forms.
const IDLE_TICK: Duration = Duration::from_millis(200);
/// Calls remembered between ring and end; older ones are forgotten (a lost `end`).
const MAX_TRACKED_CALLS: usize = 500;
/// A call with no ring or answer for this long is taken as over (its `end` was lost), so a
/// lost event cannot hold an update back for ever.
const LONGEST_CALL_MS: i64 = 4 * 60 * 60 * 1000;

/// One open form as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct OpenCallLog {
    pub draft: CallDraft,
    /// When the idle rule logs it (epoch ms); `null` for a form opened by hand.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub auto_log_at_ms: Option<i64>,
}

/// What happened to a logged form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct LoggedCall {
    pub call_id: String,
    /// `queued` (committed to the outbox), `kept` (saved as a file: the database is
    /// unusable), or `failed` (not logged; `message` says why and the form stays open).
    /// For `queued`, a `message` says why the outcome's actions were not applied.
    pub outcome: String,
    /// The queue item's id, when queued.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub queue_id: Option<i64>,
    /// Logged by the idle rule rather than the agent.
    pub automatic: bool,
    pub message: Option<String>,
}

/// The open forms and what the intake saw of each call, in managed state.
#[derive(Debug)]
pub struct LogForms {
    book: Mutex<DraftBook>,
    calls: Mutex<HashMap<String, CallTimes>>,
    /// Where forms are saved; `None` when the database is unusable (forms not durable).
    outbox: Option<Outbox>,
    /// Orders saves and the log-and-close step: a save reads the form's latest state under
    /// it, so saves land in order, and never re-save a form logged meanwhile.
    saving: tokio::sync::Mutex<()>,
    /// The app is exiting to relaunch into an update: the open forms stay open for the
    /// relaunched copy instead of being logged at exit.
    relaunching: AtomicBool,
}

impl LogForms {
    pub fn new(policy: AutoLogPolicy, outbox: Option<Outbox>) -> Self {
        LogForms {
            book: Mutex::new(DraftBook::new(policy)),
            calls: Mutex::new(HashMap::new()),
            outbox,
            saving: tokio::sync::Mutex::new(()),
            relaunching: AtomicBool::new(false),
        }
    }

    fn book(&self) -> MutexGuard<'_, DraftBook> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts back the forms saved before the app last stopped (a form whose call is
    /// already queued was logged just before a crash: its leftover row is dropped).
    /// Returns how many came back.
    pub async fn restore_saved(&self) -> usize {
        let Some(outbox) = &self.outbox else {
            return 0;
        };
        let saved = match outbox.saved_forms().await {
            Ok(saved) => saved,
            Err(err) => {
                tracing::error!("the saved log forms cannot be read: {err}");
                return 0;
            }
        };
        let mut restored = 0;
        for form in saved {
            let call_id = form.draft.call_id.clone();
            if matches!(outbox.find_call(&call_id).await, Ok(Some(_))) {
                let _ = outbox.discard_form(&call_id).await;
                continue;
            }
            self.book()
                .restore(form.draft, form.auto_log_at_ms, now_ms());
            restored += 1;
        }
        if restored > 0 {
            tracing::info!(restored, "log forms restored from the last run");
        }
        restored
    }

    /// Saves the form of `call_id` as it stands now (nothing when it is closed).
    async fn save(&self, call_id: &str, org: Option<&str>) {
        let Some(outbox) = &self.outbox else {
            return;
        };
        let _order = self.saving.lock().await;
        let snapshot = {
            let book = self.book();
            book.get(call_id)
                .cloned()
                .map(|draft| (draft, book.auto_log_at(call_id)))
        };
        let Some((draft, auto_log_at)) = snapshot else {
            return;
        };
        if let Err(err) = outbox.save_form(&draft, auto_log_at, org).await {
            tracing::warn!(%call_id, "the log form could not be saved (kept in memory): {err}");
        }
    }

    /// Every open form.
    pub fn open_forms(&self) -> Vec<OpenCallLog> {
        let book = self.book();
        book.all()
            .into_iter()
            .map(|draft| OpenCallLog {
                auto_log_at_ms: book.auto_log_at(&draft.call_id),
                draft,
            })
            .collect()
    }

    fn snapshot(&self, call_id: &str) -> Option<OpenCallLog> {
        let book = self.book();
        book.get(call_id).cloned().map(|draft| OpenCallLog {
            auto_log_at_ms: book.auto_log_at(call_id),
            draft,
        })
    }

    /// Opens a form for a call logged by hand (saved like the others).
    pub async fn open_manual(&self, org: &str) -> OpenCallLog {
        let draft = self.book().open(CallDraft::manual(now_ms()), now_ms());
        self.save(&draft.call_id, Some(org)).await;
        OpenCallLog {
            draft,
            auto_log_at_ms: None,
        }
    }

    /// Records the agent's inputs (restarting the idle time) and saves the form. `None`
    /// when no such form is open.
    pub async fn update(&self, call_id: &str, fields: DraftFields) -> Option<OpenCallLog> {
        if !self.book().touch(call_id, fields, now_ms()) {
            return None;
        }
        self.save(call_id, None).await;
        self.snapshot(call_id)
    }

    /// Records a pressed intent and saves the form. `None` when no such form is open.
    pub async fn press(&self, call_id: &str, intent: CallIntent) -> Option<OpenCallLog> {
        if !self.book().press(call_id, intent, now_ms()) {
            return None;
        }
        self.save(call_id, None).await;
        self.snapshot(call_id)
    }

    /// Takes a pressed intent back and saves the form.
    pub async fn release(&self, call_id: &str, name: &str) -> Option<OpenCallLog> {
        if !self.book().release(call_id, name, now_ms()) {
            return None;
        }
        self.save(call_id, None).await;
        self.snapshot(call_id)
    }

    /// The agent picked which matched record the call was with; saves the form.
    pub async fn choose(&self, call_id: &str, record_id: &str) -> Option<OpenCallLog> {
        if !self.book().choose(call_id, record_id, now_ms()) {
            return None;
        }
        self.save(call_id, None).await;
        self.snapshot(call_id)
    }

    async fn open_after_call(&self, draft: CallDraft, org: &str) -> OpenCallLog {
        let call_id = draft.call_id.clone();
        self.book().open(draft, now_ms());
        self.save(&call_id, Some(org)).await;
        self.snapshot(&call_id).expect("opened just now")
    }

    pub(crate) fn draft(&self, call_id: &str) -> Option<CallDraft> {
        self.book().get(call_id).cloned()
    }

    fn close(&self, call_id: &str) {
        self.book().close(call_id);
    }

    /// The app is about to relaunch into an installed update. Returns whether the open forms
    /// will come back in the relaunched copy (they are saved in the database); without a
    /// usable database they are not, and they are logged at exit as at any quit.
    pub fn keep_open_through_relaunch(&self) -> bool {
        let durable = self.outbox.is_some();
        self.relaunching.store(durable, Ordering::SeqCst);
        durable
    }

    /// Whether a call is in progress and how many forms are open, for the updater.
    pub fn activity(&self, now_ms: i64) -> Activity {
        let call_in_progress = self.times().values().any(|times| {
            times
                .rang_at_ms
                .max(times.answered_at_ms)
                .is_some_and(|at| now_ms - at < LONGEST_CALL_MS)
        });
        let book = self.book();
        Activity {
            call_in_progress,
            open_log_forms: book.all().len(),
            forms_quiet_for: book
                .last_touched_ms()
                .map(|touched| Duration::from_millis(u64::try_from(now_ms - touched).unwrap_or(0))),
        }
    }

    fn times(&self) -> MutexGuard<'_, HashMap<String, CallTimes>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Subscribes to the intake's events and runs the idle rule. Needs `LogForms`, `ActiveOrg`,
/// `LatestPop` and `CallLogQueue` managed, and the intake's `EventStream` (when it started).
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    match app.try_state::<EventStream>() {
        Some(stream) => {
            let receiver = stream.subscribe();
            tauri::async_runtime::spawn(follow_calls(app.clone(), receiver));
        }
        None => tracing::warn!("no call events: log forms open only from \"Log a call\""),
    }
    tauri::async_runtime::spawn(idle_rule(app.clone()));
}

async fn follow_calls<R: Runtime>(
    app: AppHandle<R>,
    mut receiver: tokio::sync::broadcast::Receiver<CallEvent>,
) {
    loop {
        let event = match receiver.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the log forms fell behind and skipped call events");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let forms = app.state::<LogForms>();
        let now = now_ms();
        match event.event {
            CallEventKind::Ring => {
                let mut calls = forms.times();
                if calls.len() >= MAX_TRACKED_CALLS {
                    calls.clear();
                }
                calls.entry(event.call_id.clone()).or_default().rang_at_ms = Some(now);
            }
            CallEventKind::Answer => {
                forms
                    .times()
                    .entry(event.call_id.clone())
                    .or_default()
                    .answered_at_ms = Some(now);
            }
            CallEventKind::End => {
                let times = forms.times().remove(&event.call_id).unwrap_or_default();
                let app = app.clone();
                // The pop may need a search (a cache miss): never hold up the next event.
                tauri::async_runtime::spawn(async move {
                    let pop = pop_of(&app, &event).await;
                    let draft = CallDraft::after_call(&event, times, pop.as_ref(), now);
                    let link = app.state::<ActiveOrg>().current();
                    let org = link.tag.clone();
                    let opened = app
                        .state::<LogForms>()
                        .open_after_call(draft, org.as_str())
                        .await;
                    show_main(&app);
                    if let Err(err) = crate::ipc::emit_call_log_opened(&app, &opened) {
                        tracing::warn!(%err, "could not send the log form to the main window");
                    }
                });
            }
        }
    }
}

/// The call's pop: the one the pop-up showed, else the screen pop (a cache hit when it rang
/// in the last minute).
async fn pop_of<R: Runtime>(
    app: &AppHandle<R>,
    event: &CallEvent,
) -> Option<ringside_core::pop::Pop> {
    if let Some(shown) = app.state::<LatestPop>().get()
        && shown.call_id == event.call_id
        && shown.pop.is_some()
    {
        return shown.pop;
    }
    let screen_pop = Arc::clone(&app.state::<ActiveOrg>().current().screen_pop);
    Some(screen_pop.pop(event.peer()).await)
}

/// Brings an open main window up for the log form. A closed one stays closed: the agent put
/// Ringside in the tray, the form waits in the list the window shows when it opens again,
/// and the idle rule logs it meanwhile.
fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(main) = app.get_webview_window(crate::ipc::MAIN_LABEL)
        && let Err(err) = main.unminimize().and_then(|()| main.show())
    {
        tracing::warn!(%err, "could not show the main window for the log form");
    }
}

/// Logs the forms nobody touched for the idle time.
async fn idle_rule<R: Runtime>(app: AppHandle<R>) {
    loop {
        tokio::time::sleep(IDLE_TICK).await;
        // `auto_log_after_secs` as the config says now: a saved change applies to open forms.
        let policy = app.state::<Arc<ConfigWatch>>().current().config().auto_log;
        let due = {
            let forms = app.state::<LogForms>();
            let mut book = forms.book();
            book.set_policy(policy);
            book.due(now_ms())
        };
        for draft in due {
            let logged = log_form(&app, &draft.call_id, &draft.fields, true).await;
            if logged.outcome == "failed" {
                // Tell the agent, and wait another idle period before trying again.
                let forms = app.state::<LogForms>();
                let _ = forms.update(&draft.call_id, draft.fields.clone()).await;
            }
        }
    }
}

/// At exit: logs every form of an ended call as it stands, so quitting never loses a call
/// (forms opened by hand are left: the agent chose to start them and did not finish). Not
/// when the exit is a relaunch into an update: the agent goes on writing them there.
pub async fn log_open_forms_at_exit<R: Runtime>(app: &AppHandle<R>) {
    let forms = app.state::<LogForms>();
    if forms.relaunching.load(Ordering::SeqCst) {
        tracing::info!(
            open = forms.book().all().len(),
            "open log forms kept as they are for the relaunched app"
        );
        return;
    }
    let open: Vec<CallDraft> = forms
        .book()
        .all()
        .into_iter()
        .filter(|draft| !draft.manual)
        .collect();
    for draft in open {
        let logged = log_form(app, &draft.call_id, &draft.fields, true).await;
        tracing::info!(call_id = %draft.call_id, outcome = %logged.outcome, "open log form logged at exit");
    }
}

/// Logs one open form: validated, then committed to the outbox (or kept as a file when the
/// database is unusable). Closes the form unless it failed; announces the outcome.
pub async fn log_form<R: Runtime>(
    app: &AppHandle<R>,
    call_id: &str,
    fields: &DraftFields,
    automatic: bool,
) -> LoggedCall {
    let forms = app.state::<LogForms>();
    let failed = |message: String| LoggedCall {
        call_id: call_id.to_owned(),
        outcome: "failed".into(),
        queue_id: None,
        automatic,
        message: Some(message),
    };
    // Held until the form is closed, so no save can put a logged form back.
    let _order = forms.saving.lock().await;
    let logged = match forms.draft(call_id) {
        None => failed("This call was already logged, or its form was closed.".into()),
        Some(draft) => match draft.to_call_log(fields) {
            Err(err) => failed(err.to_string()),
            Ok(log) => {
                let link = app.state::<ActiveOrg>().current();
                let config = app.state::<Arc<ConfigWatch>>().current();
                // A memo value the org's multi-select picklist does not list is refused
                // now, in words, with the form kept open (the org would refuse the log).
                if let Err(err) = ringside_core::call_log::memo::check_memo_with_org(
                    &log.memo,
                    &config.config().logging,
                    &link.describes,
                )
                .await
                {
                    return finish(app, &forms, call_id, failed(err.to_string()));
                }
                let org = link.tag.clone();
                let actor = if automatic {
                    AuditActor::AutoLog
                } else {
                    AuditActor::Agent
                };
                // The disposition's outcome actions as the agent left them ticked, from the
                // config in use (a broken file leaves the last good one; Admin shows why).
                let actions =
                    outcome_actions(config.config(), &log, &fields.actions, &link.user_id);
                let commit = Commit {
                    log: &log,
                    org: &org,
                    actor,
                    actions: &actions.actions,
                    closes_form: true,
                };
                let queue = app.state::<CallLogQueue>();
                match crate::org::home() {
                    Ok(home) => outcome(
                        &log,
                        automatic,
                        actions.problem,
                        outbox::commit(&home, queue.open_outbox(&home), commit).await,
                    ),
                    Err(err) => failed(format!("{err:#}")),
                }
            }
        },
    };
    finish(app, &forms, call_id, logged)
}

/// Closes a logged form (a failed one stays open, nothing lost) and tells the window.
fn finish<R: Runtime>(
    app: &AppHandle<R>,
    forms: &LogForms,
    call_id: &str,
    logged: LoggedCall,
) -> LoggedCall {
    if logged.outcome != "failed" {
        forms.close(call_id);
    }
    if let Err(err) = crate::ipc::emit_call_log_logged(app, &logged) {
        tracing::debug!(%err, "could not announce a logged call");
    }
    logged
}

/// The outcome actions a form queues with its log (ringside-core plans them from the
/// app's current config and the agent's choices; `user_id`, the signed-in user of the org the
/// log is queued for, is whom `{agent}` names).
pub fn outcome_actions(
    config: &Config,
    log: &CallLog,
    choices: &ringside_core::outcome_choices::ActionChoices,
    user_id: &str,
) -> ringside_core::call_actions::FormActions {
    let zone = ringside_core::time::agent_zone();
    ringside_core::call_actions::for_form(config, log, choices, &zone, Some(user_id))
}

/// The committed log (queued, or kept as a file) as the form's outcome, in the desktop's words;
/// `actions_problem` says why the outcome's actions were not applied (the log still went).
fn outcome(
    log: &CallLog,
    automatic: bool,
    actions_problem: Option<String>,
    committed: Result<Committed, CommitError>,
) -> LoggedCall {
    let call = |outcome: &str, queue_id: Option<i64>, message: Option<String>| LoggedCall {
        call_id: log.call_id.clone(),
        outcome: outcome.into(),
        queue_id,
        automatic,
        message,
    };
    match committed {
        Ok(Committed::Queued(queued)) => call("queued", Some(queued.id), actions_problem),
        Ok(Committed::Kept { file, cause }) => call(
            "kept",
            None,
            Some(format!(
                "{cause}. The log was kept in {} and is queued as soon as the database works again.",
                file.display()
            )),
        ),
        Err(CommitError::Refused(err)) => call("failed", None, Some(err.to_string())),
        Err(CommitError::NotKept { cause, keep_error }) => {
            // The same cause (a read-only folder, a full disk) is said once.
            let why = if cause.same_cause(&keep_error) {
                "as a file either:".to_owned()
            } else {
                format!("either ({keep_error}):")
            };
            call(
                "failed",
                None,
                Some(format!(
                    "{cause}. The log could not be kept {why} it stays in the form, so press Log again once that is fixed, or copy your notes now."
                )),
            )
        }
    }
}
