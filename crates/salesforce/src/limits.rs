//! The `Sforce-Limit-Info` response header: how much of the org's daily API allowance is used.
//!
//! Format per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm>:
//! `api-usage=18/5000`, possibly with more entries such as
//! `api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)`.

use serde::Serialize;

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
