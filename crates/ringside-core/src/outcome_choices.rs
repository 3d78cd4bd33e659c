//! The names of the outcome actions (`lead`, `opportunity`, `create_opportunity`,
//! `follow_up`, `lead_notes`, `chatter`) and what an agent
//! chose about them for one call (unticked actions, a moved follow-up). Apart from
//! [`crate::outcomes`], which plans the actions from a call log, so that the log form's
//! saved fields ([`crate::call_log::draft::DraftFields`]) can hold the choices without the
//! call-log model depending on the planner.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One action of an outcome, by name (what `--skip-action` and reports use).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Lead,
    Opportunity,
    CreateOpportunity,
    FollowUp,
    LeadNotes,
    Chatter,
}

impl ActionName {
    pub const ALL: [ActionName; 6] = [
        ActionName::Lead,
        ActionName::Opportunity,
        ActionName::CreateOpportunity,
        ActionName::FollowUp,
        ActionName::LeadNotes,
        ActionName::Chatter,
    ];

    /// The config key (and CLI name) of this action.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Lead => "lead",
            ActionName::Opportunity => "opportunity",
            ActionName::CreateOpportunity => "create_opportunity",
            ActionName::FollowUp => "follow_up",
            ActionName::LeadNotes => "lead_notes",
            ActionName::Chatter => "chatter",
        }
    }

    pub fn parse(text: &str) -> Option<ActionName> {
        ActionName::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl fmt::Display for ActionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the agent decided about a call's outcome actions. The default runs every action as
/// configured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ActionChoices {
    /// Actions not to run for this call (unticked on the form, `--skip-action`).
    #[serde(default)]
    pub skip: Vec<ActionName>,
    /// The follow-up's start chosen for this call (epoch ms) instead of the configured
    /// `in_days` and `at`; for a follow-up Task, its due date is this instant's day in the
    /// agent's time zone.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub follow_up_at_ms: Option<i64>,
    /// The BANT notes the agent gave for `lead_notes` (none: that action has nothing to add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub bant: Option<Bant>,
}

/// BANT notes: four short texts the agent writes about a Lead on the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Bant {
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub authority: String,
    #[serde(default)]
    pub need: String,
    #[serde(default)]
    pub timeline: String,
}

impl Bant {
    /// The longest text one of the four may be: a short note, not a document.
    pub const MAX_CHARS: usize = 1000;

    /// The four, labelled, in BANT order.
    pub fn parts(&self) -> [(&'static str, &str); 4] {
        [
            ("Budget", self.budget.as_str()),
            ("Authority", self.authority.as_str()),
            ("Need", self.need.as_str()),
            ("Timeline", self.timeline.as_str()),
        ]
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.parts().iter().all(|(_, text)| text.trim().is_empty())
    }

    /// The four texts trimmed, each checked for length; the error names the one too long.
    pub fn checked(self) -> Result<Bant, ChoiceError> {
        let trim = |label: &str, text: String| {
            let text = text.trim().to_owned();
            if text.chars().count() > Bant::MAX_CHARS {
                return Err(ChoiceError::BantTooLong(label.to_owned()));
            }
            Ok(text)
        };
        Ok(Bant {
            budget: trim("budget", self.budget)?,
            authority: trim("authority", self.authority)?,
            need: trim("need", self.need)?,
            timeline: trim("timeline", self.timeline)?,
        })
    }
}

impl ActionChoices {
    /// The choices as the command line gives them: action names and an ISO-8601 date-time.
    pub fn parse(skip: &[String], follow_up_at: Option<&str>) -> Result<Self, ChoiceError> {
        let skip = skip
            .iter()
            .map(|name| {
                ActionName::parse(name).ok_or_else(|| ChoiceError::UnknownAction(name.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let follow_up_at_ms = follow_up_at
            .map(|text| {
                crate::time::parse_datetime(text.trim())
                    .ok_or_else(|| ChoiceError::BadFollowUpAt(text.to_owned()))
            })
            .transpose()?;
        Ok(ActionChoices {
            skip,
            follow_up_at_ms,
            bant: None,
        })
    }

    /// Whether the agent changed nothing.
    pub fn is_empty(&self) -> bool {
        self.skip.is_empty()
            && self.follow_up_at_ms.is_none()
            && self.bant.as_ref().is_none_or(Bant::is_empty)
    }
}

/// A choice given as text (the command line's `--skip-action`, `--follow-up-at`) that means
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    /// A skipped action's name is not one of [`ActionName::ALL`].
    #[error(
        "{0:?} is not an outcome action; the actions are lead, opportunity, create_opportunity, follow_up, lead_notes, chatter"
    )]
    UnknownAction(String),
    /// The chosen follow-up time is not a date-time.
    #[error(
        "{0:?} is not a date-time; write it in ISO-8601 with its offset, e.g. 2026-03-02T10:00:00+01:00"
    )]
    BadFollowUpAt(String),
    #[error(
        "{0}: the BANT note is longer than 1000 characters; keep it short (the call's notes take the rest)"
    )]
    BantTooLong(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_from_flags_and_refuse_unknown_names_and_times() {
        let choices =
            ActionChoices::parse(&["follow_up".into()], Some("2026-03-02T10:00:00+01:00")).unwrap();
        assert_eq!(choices.skip, vec![ActionName::FollowUp]);
        assert_eq!(choices.follow_up_at_ms, Some(1_772_442_000_000));
        let err = ActionChoices::parse(&["followup".into()], None).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"followup\" is not an outcome action"),
            "names the wrong action and the right ones: {err}"
        );
        assert!(matches!(
            ActionChoices::parse(&[], Some("tomorrow")),
            Err(ChoiceError::BadFollowUpAt(_))
        ));
    }
}
