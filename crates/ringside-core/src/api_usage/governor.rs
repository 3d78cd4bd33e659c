//! The governor: above `[api] pause_optional_at` of the org's daily allocation Ringside
//! sends no optional request (related records on demand, describe refreshes, the history's
//! auto-refresh), so the requests that matter — pops and call logs — are the last to meet
//! the limit. Every Ringside desk shares the org's allocation with every other integration;
//! Ringside must never be the one that uses it up.

use salesforce::LimitInfo;
use serde::Serialize;

/// `[api] pause_optional_at` when the config says nothing.
pub const DEFAULT_PAUSE_OPTIONAL_AT: f64 = 0.9;

/// The admin's `[api]` table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApiSettings {
    /// Share of the daily allocation (0 < x ≤ 1) from which optional requests stop.
    pub pause_optional_at: f64,
}

// The threshold is never NaN (the config refuses it), so equality is total.
impl Eq for ApiSettings {}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            pause_optional_at: DEFAULT_PAUSE_OPTIONAL_AT,
        }
    }
}

impl ApiSettings {
    /// Whether an optional request may be sent now, given the latest usage the org
    /// reported (`None`: nothing known yet, so nothing to hold back for).
    pub fn optional_requests(&self, latest: Option<LimitInfo>) -> OptionalRequests {
        match latest {
            Some(limit) if limit.fraction_used() >= self.pause_optional_at => {
                OptionalRequests::Paused(Paused {
                    used: limit.used,
                    max: limit.max,
                    pause_at: self.pause_optional_at,
                })
            }
            _ => OptionalRequests::Allowed,
        }
    }
}

/// The governor's answer for one optional request.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OptionalRequests {
    Allowed,
    Paused(Paused),
}

impl OptionalRequests {
    pub fn allowed(&self) -> bool {
        matches!(self, OptionalRequests::Allowed)
    }
}

/// Why optional requests are paused: the org's usage and the admin's threshold.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Paused {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub used: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max: u64,
    pub pause_at: f64,
}

impl std::fmt::Display for Paused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the org has used {} of its {} daily API requests ({:.0}%); above {:.0}% Ringside \
             pauses optional requests so calls keep being popped and logged — ask your admin \
             if this lasts (the allocation frees up over 24 hours)",
            self.used,
            self.max,
            percent(self.used, self.max),
            self.pause_at * 100.0
        )
    }
}

pub(crate) fn percent(used: u64, max: u64) -> f64 {
    if max == 0 {
        100.0
    } else {
        used as f64 * 100.0 / max as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_at_the_threshold_and_not_below_nor_when_unknown() {
        let settings = ApiSettings::default();
        let at = |used| settings.optional_requests(Some(LimitInfo { used, max: 1000 }));
        assert!(at(899).allowed(), "below 90%: allowed");
        assert!(!at(900).allowed(), "at 90%: paused");
        assert!(!at(1200).allowed(), "over the allocation: paused");
        assert!(
            settings.optional_requests(None).allowed(),
            "nothing known yet: nothing to hold back for"
        );
        let OptionalRequests::Paused(paused) = at(950) else {
            panic!("95% is paused")
        };
        let words = paused.to_string();
        assert!(
            words.contains("950 of its 1000") && words.contains("95%") && words.contains("90%"),
            "says the usage and the threshold in words: {words}"
        );
    }
}
