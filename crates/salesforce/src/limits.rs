//! The `Sforce-Limit-Info` response header: how much of the org's daily API allowance is used.
//!
//! Format per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm>:
//! `api-usage=18/5000`, possibly with more entries such as
//! `api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)`.

use serde::{Deserialize, Serialize};

/// The org's API usage in its rolling 24-hour window, as of the latest response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LimitInfo {
    /// Requests used.
    pub used: u64,
    /// The org's allowance.
    pub max: u64,
}

impl LimitInfo {
    /// Reads the `api-usage` entry of a `Sforce-Limit-Info` value. Other entries are ignored;
    /// `None` when there is no well-formed `api-usage` entry.
    pub fn parse_header(value: &str) -> Option<LimitInfo> {
        value
            .split([';', ','])
            .filter_map(|entry| entry.trim().split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("api-usage"))
            .and_then(|(_, usage)| {
                let (used, max) = usage.trim().split_once('/')?;
                Some(LimitInfo {
                    used: used.trim().parse().ok()?,
                    max: max.trim().parse().ok()?,
                })
            })
    }

    /// Used share of the allowance between 0.0 and 1.0 (or more when the org is over its
    /// limit, which Salesforce allows briefly).
    pub fn fraction_used(&self) -> f64 {
        if self.max == 0 {
            1.0
        } else {
            self.used as f64 / self.max as f64
        }
    }
}

/// The part of the Limits resource's answer Ringside reads.
/// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm>.
#[derive(Debug, Deserialize)]
pub(crate) struct Limits {
    #[serde(rename = "DailyApiRequests")]
    pub(crate) daily_api_requests: DailyApiRequests,
}

/// `DailyApiRequests`: the allocation and what is left of it.
#[derive(Debug, Deserialize)]
pub(crate) struct DailyApiRequests {
    #[serde(rename = "Max")]
    max: u64,
    /// Salesforce documents it as a count; read signed so an org over its allocation
    /// (which the header can show) does not make the whole answer unreadable.
    #[serde(rename = "Remaining")]
    remaining: i64,
}

impl DailyApiRequests {
    /// Used = Max − Remaining (the same N as `api-usage=N/M`).
    pub(crate) fn usage(&self) -> LimitInfo {
        LimitInfo {
            used: (self.max as i64).saturating_sub(self.remaining).max(0) as u64,
            max: self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_api_usage() {
        assert_eq!(
            LimitInfo::parse_header("api-usage=18/5000"),
            Some(LimitInfo {
                used: 18,
                max: 5000
            })
        );
    }

    #[test]
    fn tolerates_per_app_entries_before_or_after() {
        let after = "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)";
        assert_eq!(
            LimitInfo::parse_header(after),
            Some(LimitInfo {
                used: 25,
                max: 5000
            })
        );
        let before = "per-app-api-usage=17/250(appName=x), api-usage=110018/100000";
        assert_eq!(
            LimitInfo::parse_header(before),
            Some(LimitInfo {
                used: 110_018,
                max: 100_000
            }),
            "the per-app entry must not be mistaken for the org usage, and over-limit is allowed"
        );
    }

    #[test]
    fn limits_resource_used_is_max_minus_remaining_even_past_the_allocation() {
        let read = |body: &str| {
            serde_json::from_str::<Limits>(body)
                .expect("a DailyApiRequests answer reads")
                .daily_api_requests
                .usage()
        };
        assert_eq!(
            read(
                r#"{"DailyApiRequests":{"Max":15000,"Remaining":14998},"DailyBulkApiBatches":{"Max":5000,"Remaining":5000}}"#
            ),
            LimitInfo {
                used: 2,
                max: 15000
            },
            "other limits are ignored; used is Max - Remaining"
        );
        assert_eq!(
            read(r#"{"DailyApiRequests":{"Max":100,"Remaining":-3}}"#),
            LimitInfo {
                used: 103,
                max: 100
            },
            "a negative Remaining means the org is over its allocation"
        );
    }

    #[test]
    fn malformed_values_give_none_instead_of_garbage() {
        for bad in [
            "",
            "api-usage",
            "api-usage=",
            "api-usage=12",
            "api-usage=a/b",
            "per-app-api-usage=1/2",
        ] {
            assert_eq!(
                LimitInfo::parse_header(bad),
                None,
                "`{bad}` has no usable api-usage"
            );
        }
    }
}
