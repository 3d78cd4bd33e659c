//! One call's outcome actions as the agent chose them, planned ([`crate::outcomes::plan`])
//! from the admin's `ringside.toml`: the one place the CLI's `log-call` and the desktop log form get the
//! actions they queue with a log, so both queue exactly the same thing for the same call.
//!
//! The agent's choices ([`ActionChoices`]) are the actions they unticked and a follow-up
//! moved to another time. The log never waits on its actions: a `ringside.toml` that cannot
//! be read costs the call its actions (said in words), never its log.

use std::path::Path;

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::call_log::CallLog;
use crate::call_log::draft::{CallDraft, DraftFields};
use crate::config::{Config, ConfigError};
use crate::outcome_choices::ActionChoices;
use crate::outcomes::plan::{PlanError, PlanOptions, PlannedAction, plan};

/// Why a call's outcome actions cannot be planned.
#[derive(Debug, thiserror::Error)]
pub enum ForCallError {
    /// Choices were given for a call without a disposition: the agent meant something that
    /// would not happen.
    #[error(
        "skipping an action or moving the follow-up applies to the outcome of a disposition; give the disposition too"
    )]
    NoDisposition,
    /// Choices were given for a disposition with no configured outcome.
    #[error(
        "the disposition {disposition:?} has no outcome actions in ringside.toml, so there is no action to skip and no follow-up to move"
    )]
    NoOutcome { disposition: String },
    /// `ringside.toml` cannot be read: the log goes without the outcome's actions.
    #[error("{0}. Fix ringside.toml, then apply the outcome's actions by hand in Salesforce")]
    Config(#[source] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// The outcome actions of `log`'s disposition, planned for this call with the agent's
/// `choices`, from `home`'s `ringside.toml` (and the admin policy over it). No disposition,
/// or one without an outcome: no actions. Choices with nothing to apply to are refused
/// ([`ForCallError::NoDisposition`], [`ForCallError::NoOutcome`]). The agent (for
/// `chatter`'s `{agent}`) is the user of `home`'s active org, the org the log is queued for.
pub fn for_call(
    home: &Path,
    log: &CallLog,
    choices: &ActionChoices,
    zone: &TimeZone,
) -> Result<Vec<PlannedAction>, ForCallError> {
    for_call_as(home, log, choices, zone, active_user_id(home).as_deref())
}

/// [`for_call`] for a given signed-in user (`agent_user_id`, for `{agent}`): the built-in
/// demo org's user, whom only its sign-in names (see [`crate::demo`]), when no org is
/// signed in.
pub fn for_call_as(
    home: &Path,
    log: &CallLog,
    choices: &ActionChoices,
    zone: &TimeZone,
    agent_user_id: Option<&str>,
) -> Result<Vec<PlannedAction>, ForCallError> {
    if log.disposition.is_none() {
        // No config needed to say there is nothing to plan (or to refuse the choices).
        return plan_with(&Config::default(), log, choices, zone, None);
    }
    let config = Config::load_from_home(home).map_err(ForCallError::Config)?;
    plan_with(&config, log, choices, zone, agent_user_id)
}

/// The user id of `home`'s active org (from `orgs.toml`, no network); `None` with no
/// signed-in org (the built-in demo org) or an unreadable registry.
pub fn active_user_id(home: &Path) -> Option<String> {
    let registry = crate::orgs::OrgRegistry::load(home).ok()?;
    let active = registry.active.as_deref()?;
    registry
        .orgs
        .iter()
        .find(|o| o.alias == active)
        .map(|o| o.user_id.clone())
}

/// [`for_call`] with the config already read (the app's current one, see
/// [`crate::config_watch`]) and the signed-in user's id (`agent_user_id`, for `{agent}`).
pub fn plan_with(
    config: &Config,
    log: &CallLog,
    choices: &ActionChoices,
    zone: &TimeZone,
    agent_user_id: Option<&str>,
) -> Result<Vec<PlannedAction>, ForCallError> {
    let Some(disposition) = &log.disposition else {
        if !choices.is_empty() {
            return Err(ForCallError::NoDisposition);
        }
        return Ok(Vec::new());
    };
    let Some(outcome) = config.outcomes.get(disposition) else {
        if !choices.is_empty() {
            return Err(ForCallError::NoOutcome {
                disposition: disposition.clone(),
            });
        }
        return Ok(Vec::new());
    };
    Ok(plan(
        outcome,
        log,
        &PlanOptions {
            skip: &choices.skip,
            zone,
            follow_up_at_ms: choices.follow_up_at_ms,
            bant: choices.bant.as_ref(),
            agent_user_id,
        },
    )?)
}

/// A log form's outcome actions: what it queues with the log, or shows before.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormActions {
    /// Each action of the chosen disposition's outcome, in the order they are applied.
    pub actions: Vec<PlannedAction>,
    /// Why the outcome's actions are not applied (the log still goes), in words; `null`
    /// when nothing is wrong.
    pub problem: Option<String>,
}

/// [`plan_with`] for the log form, which must always log the call: a plan that fails
/// becomes [`FormActions::problem`] with no actions. `config` is the app's current config
/// (a broken file leaves the last good one in use; [`crate::config_watch`] carries that
/// problem). Choices left from another disposition (the agent unticked an action, then
/// picked an outcome without actions) apply to nothing and are dropped rather than refused.
pub fn for_form(
    config: &Config,
    log: &CallLog,
    choices: &ActionChoices,
    zone: &TimeZone,
    agent_user_id: Option<&str>,
) -> FormActions {
    let planned = match plan_with(config, log, choices, zone, agent_user_id) {
        Err(ForCallError::NoDisposition | ForCallError::NoOutcome { .. }) => {
            plan_with(config, log, &ActionChoices::default(), zone, agent_user_id)
        }
        other => other,
    };
    match planned {
        Ok(actions) => FormActions {
            actions,
            problem: None,
        },
        Err(err) => {
            tracing::warn!(call_id = %log.call_id, "outcome actions not applied: {err}");
            FormActions {
                actions: Vec::new(),
                problem: Some(err.to_string()),
            }
        }
    }
}

/// What the form shows for its current fields: every action the disposition's outcome
/// names, each described in full even when the agent unticked it (the form shows it
/// unticked, so they can tick it again), with the follow-up at the time chosen for it.
/// Planned from the fields as typed, without the log's validation, so over-long notes do
/// not hide the list.
pub fn preview(
    config: &Config,
    draft: &CallDraft,
    fields: &DraftFields,
    zone: &TimeZone,
    agent_user_id: Option<&str>,
) -> FormActions {
    let log = draft.unchecked_call_log(fields);
    let choices = ActionChoices {
        skip: Vec::new(),
        follow_up_at_ms: fields.actions.follow_up_at_ms,
        bant: fields.actions.bant.clone(),
    };
    for_form(config, &log, &choices, zone, agent_user_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome_choices::ActionName;
    use crate::outcomes::plan::ActionState;

    const DEMO: &str = r#"
[outcomes."Demo booked"]
lead = { Status = "Working - Contacted", Rating = "Hot" }
follow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }
"#;

    fn home(name: &str, config: Option<&str>) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ringside-for-call-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(text) = config {
            std::fs::write(dir.join("ringside.toml"), text).unwrap();
        }
        dir
    }

    fn log(disposition: Option<&str>) -> CallLog {
        CallLog {
            call_id: "for-call-1".into(),
            started_at_ms: 1_765_000_000_000,
            duration_seconds: 60,
            disposition: disposition.map(str::to_owned),
            notes: None,
            who_id: Some("00QDm0000000009MAA".into()),
            ..crate::call_log::tests::sample()
        }
    }

    #[test]
    fn a_call_plans_its_dispositions_actions_with_the_agents_choices() {
        let home = home("plans", Some(DEMO));
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let all = for_call(
            &home,
            &log(Some("Demo booked")),
            &ActionChoices::default(),
            &zone,
        )
        .unwrap();
        assert_eq!(
            all.iter().map(|a| (a.name, a.state)).collect::<Vec<_>>(),
            vec![
                (ActionName::Lead, ActionState::Queued),
                (ActionName::FollowUp, ActionState::Queued)
            ],
            "both configured actions are planned"
        );
        let choices = ActionChoices {
            skip: vec![ActionName::FollowUp],
            follow_up_at_ms: None,
            bant: None,
        };
        let chosen = for_call(&home, &log(Some("Demo booked")), &choices, &zone).unwrap();
        assert_eq!(
            chosen[1].state,
            ActionState::Skipped,
            "an unticked follow-up is not sent"
        );
        assert!(
            for_call(
                &home,
                &log(Some("Resolved")),
                &ActionChoices::default(),
                &zone
            )
            .unwrap()
            .is_empty(),
            "a disposition without an outcome has no actions"
        );
        assert!(
            matches!(
                for_call(&home, &log(Some("Resolved")), &choices, &zone),
                Err(ForCallError::NoOutcome { .. })
            ),
            "a choice with nothing to apply to is refused"
        );
        assert!(matches!(
            for_call(&home, &log(None), &choices, &zone),
            Err(ForCallError::NoDisposition)
        ));
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn a_broken_config_costs_the_call_its_actions_in_words() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let broken = home("broken", Some("[outcomes.\"Demo booked\"\nlead = {"));
        let err = for_call(
            &broken,
            &log(Some("Demo booked")),
            &ActionChoices::default(),
            &zone,
        )
        .unwrap_err();
        let problem = err.to_string();
        assert!(
            problem.contains("ringside.toml") && problem.contains("by hand"),
            "says why and what to do: {problem}"
        );
        let _ = std::fs::remove_dir_all(&broken);
    }

    #[test]
    fn the_form_drops_stale_choices() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let ok = Config::parse(DEMO, Path::new("ringside.toml")).unwrap();
        let stale = ActionChoices {
            skip: vec![ActionName::FollowUp],
            follow_up_at_ms: None,
            bant: None,
        };
        let form = for_form(&ok, &log(Some("Resolved")), &stale, &zone, None);
        assert_eq!(
            form,
            FormActions::default(),
            "choices from another disposition are dropped, not an error on the form"
        );
        let demo = for_form(
            &ok,
            &log(Some("Demo booked")),
            &ActionChoices::default(),
            &zone,
            None,
        );
        assert_eq!(demo.actions.len(), 2, "the configured actions are planned");
        assert_eq!(demo.problem, None);
    }
}
