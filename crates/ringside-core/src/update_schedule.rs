//! When the desktop app looks for an update and when it may install one. Pure state: the
//! caller passes the time (a [`crate::clock::Clock`] reading) and what the agent is doing,
//! and runs the step it is given; nothing here touches the network.
//!
//! The promises:
//! - a check at start, then every [`CHECK_EVERY`];
//! - an unreachable update server is retried quietly, after [`FIRST_RETRY`] doubling up to
//!   [`MAX_RETRY`], and never reported as an error to the agent;
//! - nothing is checked, downloaded or installed while a call is in progress (the call's
//!   audio shares the link);
//! - an installed update takes effect by relaunching the app, which happens only between
//!   calls and once every open log form has been left alone for [`RELAUNCH_QUIET`]. Open
//!   forms are saved on every change and restored at start, so they come back as they were;
//!   the wait is so the agent is never cut off mid-sentence.

use std::time::Duration;

/// How often the app looks for an update after a check that reached the server.
pub const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// The first wait after the update server could not be reached.
pub const FIRST_RETRY: Duration = Duration::from_secs(5 * 60);
/// The longest wait between retries while the server stays unreachable.
pub const MAX_RETRY: Duration = Duration::from_secs(4 * 60 * 60);
/// How soon a busy agent (a call, an open form) is looked at again.
pub const BUSY_POLL: Duration = Duration::from_secs(15);
/// How long every open log form must have been left alone before the app relaunches into an
/// installed update (a pause longer than a typing pause, shorter than the idle auto-log).
pub const RELAUNCH_QUIET: Duration = Duration::from_secs(60);

/// What the agent is doing, as far as an update is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// A call rang or was answered and has not ended.
    pub call_in_progress: bool,
    /// Log forms open and not yet logged (they are saved, but the agent is writing them).
    pub open_log_forms: usize,
    /// How long ago the agent last changed any open form (`None` when none is open).
    pub forms_quiet_for: Option<Duration>,
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateStep {
    /// Nothing before this much time has passed (or the activity changed).
    Wait(Duration),
    /// Look for an update; download and verify it when there is one.
    Check,
    /// A verified update is ready and no call is in progress: install it (the running app
    /// goes on; the new version takes effect at the relaunch).
    Install,
    /// The update is installed and the agent is between calls with no form being written:
    /// relaunch into it.
    Relaunch,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// No newer version.
    UpToDate,
    /// A newer version was downloaded and its signature matched: install when free.
    Ready,
    /// The server could not be reached (no network, DNS, timeout, a 5xx): retry quietly.
    Unreachable,
    /// The update's signature did not match the organisation's key, or it had none.
    Refused,
    /// Anything else (a manifest without this platform, an unusable package): tried again
    /// at the next daily check, since retrying sooner would get the same answer.
    Failed,
}

/// The update timetable; see the module docs for what it promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSchedule {
    next_check: Duration,
    /// The wait after the last unreachable check; `None` after one that reached the server.
    retry: Option<Duration>,
    stage: Stage,
}

/// Where the schedule is between "nothing to do" and "relaunch".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Checking on the timetable.
    Watching,
    /// Downloaded and verified: install when no call is in progress.
    Ready,
    /// Installed on disk: relaunch when the agent is free. No more checks: the next version
    /// is looked for by the relaunched app.
    Installed,
}

impl UpdateSchedule {
    /// A schedule whose first check is due at once (the app just started).
    pub fn starting_at(now: Duration) -> Self {
        UpdateSchedule {
            next_check: now,
            retry: None,
            stage: Stage::Watching,
        }
    }

    /// The step for `now` given what the agent is doing.
    pub fn next_step(&self, now: Duration, activity: Activity) -> UpdateStep {
        if activity.call_in_progress {
            return UpdateStep::Wait(BUSY_POLL);
        }
        match self.stage {
            Stage::Ready => UpdateStep::Install,
            Stage::Installed => match activity.forms_quiet_for {
                Some(quiet) if activity.open_log_forms > 0 && quiet < RELAUNCH_QUIET => {
                    UpdateStep::Wait((RELAUNCH_QUIET - quiet).min(BUSY_POLL))
                }
                _ => UpdateStep::Relaunch,
            },
            Stage::Watching => match self.next_check.checked_sub(now) {
                Some(wait) if !wait.is_zero() => UpdateStep::Wait(wait),
                _ => UpdateStep::Check,
            },
        }
    }

    /// Records how the check started at `now` ended.
    pub fn checked(&mut self, now: Duration, outcome: CheckOutcome) {
        match outcome {
            CheckOutcome::Ready => self.stage = Stage::Ready,
            CheckOutcome::Unreachable => {
                let wait = self
                    .retry
                    .map_or(FIRST_RETRY, |last| (last * 2).min(MAX_RETRY));
                self.retry = Some(wait);
                self.next_check = now + wait;
            }
            CheckOutcome::UpToDate | CheckOutcome::Refused | CheckOutcome::Failed => {
                self.retry = None;
                self.next_check = now + CHECK_EVERY;
            }
        }
    }

    /// The install failed (the package manager refused, no privilege): drop the download
    /// and look again at the next daily check.
    pub fn install_failed(&mut self, now: Duration) {
        self.stage = Stage::Watching;
        self.retry = None;
        self.next_check = now + CHECK_EVERY;
    }

    /// The package manager installed the update: what is left is the relaunch.
    pub fn installed(&mut self) {
        self.stage = Stage::Installed;
    }

    /// When the next check is due (for logs).
    pub fn next_check(&self) -> Duration {
        self.next_check
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    const IDLE: Activity = Activity {
        call_in_progress: false,
        open_log_forms: 0,
        forms_quiet_for: None,
    };
    const ON_A_CALL: Activity = Activity {
        call_in_progress: true,
        open_log_forms: 0,
        forms_quiet_for: None,
    };
    const WRITING_A_FORM: Activity = Activity {
        call_in_progress: false,
        open_log_forms: 1,
        forms_quiet_for: Some(Duration::from_secs(2)),
    };
    const FORM_LEFT_ALONE: Activity = Activity {
        call_in_progress: false,
        open_log_forms: 1,
        forms_quiet_for: Some(RELAUNCH_QUIET),
    };
    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn checks_at_start_and_then_daily() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        assert_eq!(
            schedule.next_step(clock.now(), IDLE),
            UpdateStep::Check,
            "the first check is at start"
        );
        schedule.checked(clock.now(), CheckOutcome::UpToDate);
        clock.advance(MINUTE);
        assert_eq!(
            schedule.next_step(clock.now(), IDLE),
            UpdateStep::Wait(CHECK_EVERY - MINUTE),
            "after a check that reached the server, the next is a day later"
        );
        clock.advance(CHECK_EVERY - MINUTE);
        assert_eq!(schedule.next_step(clock.now(), IDLE), UpdateStep::Check);
    }

    #[test]
    fn an_unreachable_server_is_retried_with_backoff_then_daily_again() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        let mut waits = Vec::new();
        for _ in 0..8 {
            assert_eq!(schedule.next_step(clock.now(), IDLE), UpdateStep::Check);
            schedule.checked(clock.now(), CheckOutcome::Unreachable);
            let UpdateStep::Wait(wait) = schedule.next_step(clock.now(), IDLE) else {
                panic!("an unreachable server is retried later, not at once");
            };
            waits.push(wait.as_secs() / 60);
            clock.advance(wait);
        }
        assert_eq!(
            waits,
            [5, 10, 20, 40, 80, 160, 240, 240],
            "retries double from 5 minutes and stop growing at 4 hours"
        );
        schedule.checked(clock.now(), CheckOutcome::UpToDate);
        schedule.checked(clock.now(), CheckOutcome::Unreachable);
        assert_eq!(
            schedule.next_step(clock.now(), IDLE),
            UpdateStep::Wait(FIRST_RETRY),
            "a check that reached the server resets the backoff"
        );
    }

    #[test]
    fn a_refused_update_is_not_fetched_again_until_the_next_day() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        schedule.checked(clock.now(), CheckOutcome::Refused);
        assert_eq!(
            schedule.next_step(clock.now(), IDLE),
            UpdateStep::Wait(CHECK_EVERY),
            "a tampered update would be refused again; no point downloading it every few minutes"
        );
    }

    #[test]
    fn nothing_is_checked_during_a_call() {
        let clock = ManualClock::new();
        let schedule = UpdateSchedule::starting_at(clock.now());
        assert_eq!(
            schedule.next_step(clock.now(), ON_A_CALL),
            UpdateStep::Wait(BUSY_POLL),
            "the call's audio shares the link: no download during a call"
        );
        assert_eq!(
            schedule.next_step(clock.now(), WRITING_A_FORM),
            UpdateStep::Check,
            "an open form does not stop the download, only the install"
        );
    }

    #[test]
    fn a_ready_update_is_installed_between_calls_even_with_a_form_open() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        schedule.checked(clock.now(), CheckOutcome::Ready);
        assert_eq!(
            schedule.next_step(clock.now(), ON_A_CALL),
            UpdateStep::Wait(BUSY_POLL),
            "never install during a call"
        );
        assert_eq!(
            schedule.next_step(clock.now(), WRITING_A_FORM),
            UpdateStep::Install,
            "installing does not touch the running app, so an open form need not wait for it"
        );
    }

    #[test]
    fn the_relaunch_waits_for_the_call_and_for_the_forms_to_be_left_alone() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        schedule.checked(clock.now(), CheckOutcome::Ready);
        schedule.installed();
        assert_eq!(
            schedule.next_step(clock.now(), ON_A_CALL),
            UpdateStep::Wait(BUSY_POLL),
            "never relaunch during a call"
        );
        clock.advance(CHECK_EVERY * 3);
        assert_eq!(
            schedule.next_step(clock.now(), WRITING_A_FORM),
            UpdateStep::Wait(BUSY_POLL),
            "never relaunch while the agent is typing in a log form, however long it takes"
        );
        let almost = Activity {
            forms_quiet_for: Some(RELAUNCH_QUIET - Duration::from_secs(5)),
            ..WRITING_A_FORM
        };
        assert_eq!(
            schedule.next_step(clock.now(), almost),
            UpdateStep::Wait(Duration::from_secs(5)),
            "looked at again when the quiet time is up"
        );
        assert_eq!(
            schedule.next_step(clock.now(), FORM_LEFT_ALONE),
            UpdateStep::Relaunch,
            "a form left alone is saved: the relaunched app restores it as it was"
        );
        assert_eq!(schedule.next_step(clock.now(), IDLE), UpdateStep::Relaunch);
        assert_eq!(
            schedule.next_step(clock.now() + CHECK_EVERY, IDLE),
            UpdateStep::Relaunch,
            "once installed, no further check: the relaunched version looks for the next one"
        );
    }

    #[test]
    fn a_failed_install_is_tried_again_the_next_day() {
        let clock = ManualClock::new();
        let mut schedule = UpdateSchedule::starting_at(clock.now());
        schedule.checked(clock.now(), CheckOutcome::Ready);
        schedule.install_failed(clock.now());
        assert_eq!(
            schedule.next_step(clock.now(), IDLE),
            UpdateStep::Wait(CHECK_EVERY),
            "a refused install is not retried in a loop"
        );
    }
}
