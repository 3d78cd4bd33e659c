//! The REST API version every path is built with (`/services/data/v66.0/...`).
//!
//! Salesforce versions are `major.0` with three releases a year; v60.0 is Spring '24 and v66.0
//! Spring '26. See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm>.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A validated API version between 20.0 and 99.0. Parses `"v62.0"` and `"62.0"`; displays
/// as `"62.0"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    major: u8,
    minor: u8,
}

impl ApiVersion {
    /// The version used unless configured otherwise: Spring '26.
    pub const DEFAULT: ApiVersion = ApiVersion {
        major: 66,
        minor: 0,
    };

    /// The `major.0` version (Salesforce's releases are all `N.0`); `major` must be 20 to 99.
    pub const fn major(major: u8) -> ApiVersion {
        assert!(
            major >= 20 && major <= 99,
            "API versions run from 20.0 to 99.0"
        );
        ApiVersion { major, minor: 0 }
    }

    /// Parses `"v62.0"` or `"62.0"` (surrounding whitespace allowed).
    pub fn parse(input: &str) -> Result<Self, Error> {
        let bad = || {
            Error::InvalidInput(format!(
                "`{input}` is not a Salesforce API version; expected something like `66.0` or `v66.0`"
            ))
        };
        let trimmed = input.trim();
        let digits = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let (major, minor) = digits.split_once('.').ok_or_else(bad)?;
        let all_digits =
            |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(major) || !all_digits(minor) {
            return Err(bad());
        }
        let major: u8 = major.parse().map_err(|_| bad())?;
        let minor: u8 = minor.parse().map_err(|_| bad())?;
        let version = Self { major, minor };
        if !(20..=99).contains(&major) || (major == 99 && minor > 0) {
            return Err(Error::InvalidInput(format!(
                "API version {version} is out of range; Ringside supports 20.0 to 99.0"
            )));
        }
        Ok(version)
    }

    /// `/services/data/v66.0`, the prefix of every REST resource (no trailing slash).
    pub fn base_path(&self) -> String {
        format!("/services/data/v{self}")
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl fmt::Debug for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiVersion({self})")
    }
}

impl FromStr for ApiVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl serde::Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_spring_26() {
        assert_eq!(
            ApiVersion::default().to_string(),
            "66.0",
            "design says default to v66.0"
        );
        assert_eq!(ApiVersion::default().base_path(), "/services/data/v66.0");
    }

    #[test]
    fn parses_with_and_without_the_v() {
        assert_eq!(ApiVersion::parse("v62.0").unwrap().to_string(), "62.0");
        assert_eq!(ApiVersion::parse(" 62.0 ").unwrap().to_string(), "62.0");
        assert_eq!(
            ApiVersion::parse("20.0").unwrap().to_string(),
            "20.0",
            "lower bound is inclusive"
        );
        assert_eq!(
            ApiVersion::parse("99.0").unwrap().to_string(),
            "99.0",
            "upper bound is inclusive"
        );
    }

    #[test]
    fn refuses_out_of_range_and_malformed_versions() {
        for bad in [
            "19.0", "99.1", "100.0", "62", "v", "", "6a.0", "62.0.1", "-62.0", "62.", ".0", "+62.0",
        ] {
            assert!(ApiVersion::parse(bad).is_err(), "`{bad}` must be refused");
        }
    }
}
