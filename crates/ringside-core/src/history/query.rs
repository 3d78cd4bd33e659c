//! The filter as a person types it (the history view's form, the CLI's flags): optional
//! text fields, blanks meaning "any", checked into a [`HistoryFilter`] in one place so the
//! desktop and the CLI refuse the same input with the same words.

use serde::Deserialize;

use super::{DateBound, HistoryError, HistoryFilter, MatchedObject};
use crate::call_log::Direction;

/// The filter as the history view's form (or the CLI's flags) gives it. Every field is
/// optional; dates are `YYYY-MM-DD` (a whole UTC day) or an instant with its offset (the UI
/// sends the user's local midnight, e.g. `2026-11-01T00:00:00+09:00`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
// Unknown keys are refused: a misspelt or old (camelCase) key would otherwise drop that filter
// silently and show, count or export more calls than the agent asked for.
#[serde(default, deny_unknown_fields)]
pub struct HistoryQuery {
    pub since: Option<String>,
    /// Exclusive when an instant; a day includes all of itself.
    pub until: Option<String>,
    /// The agent's User id.
    pub agent: Option<String>,
    /// `inbound` or `outbound`.
    pub direction: Option<String>,
    pub disposition: Option<String>,
    /// `Contact`, `Lead` or `Account`.
    pub matched_object: Option<String>,
}

impl HistoryQuery {
    /// The checked filter; blank fields mean "any". Nothing is sent before this passes.
    pub fn to_filter(&self) -> Result<HistoryFilter, HistoryError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let filter = HistoryFilter {
            since: given(&self.since)
                .map(|t| DateBound::parse(&t))
                .transpose()?,
            until: given(&self.until)
                .map(|t| DateBound::parse(&t))
                .transpose()?,
            agent: given(&self.agent),
            direction: given(&self.direction)
                .map(|d| Direction::parse(&d).map_err(|_| HistoryError::Direction(d)))
                .transpose()?,
            disposition: given(&self.disposition),
            matched_object: given(&self.matched_object)
                .map(|m| MatchedObject::parse(&m))
                .transpose()?,
            page_size: None,
            limit: None,
        };
        filter.validate()?;
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_checked_filter_with_blanks_meaning_any() {
        let query = HistoryQuery {
            since: Some("2026-11-01T00:00:00+09:00".into()),
            until: Some("  ".into()),
            agent: Some(String::new()),
            direction: Some("inbound".into()),
            disposition: Some("Left voicemail".into()),
            matched_object: Some("lead".into()),
        };
        let filter = query.to_filter().expect("a filled-in form is a filter");
        assert_eq!(
            filter.since_ms(),
            Some(1_793_458_800_000),
            "local midnight in Tokyo is 15:00 UTC the day before"
        );
        assert_eq!(filter.until, None, "a blank end date means no end");
        assert_eq!(filter.agent, None, "a blank agent means every agent");
        assert_eq!(filter.direction, Some(Direction::Inbound));
        assert_eq!(filter.matched_object, Some(MatchedObject::Lead));

        for bad in [
            HistoryQuery {
                direction: Some("sideways".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                agent: Some("Robert'); DROP".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                since: Some("yesterday".into()),
                ..HistoryQuery::default()
            },
        ] {
            let err = bad.to_filter().expect_err("a bad field is refused");
            assert_eq!(
                err.code(),
                "invalid_input",
                "a bad filter is the user's input to fix, for {bad:?}"
            );
        }
    }
}
