//! Which REST API version Ringside speaks with an org. Salesforce serves a range of
//! versions (`GET /services/data/`, [`salesforce::served_versions`]); an org not yet on the
//! newest release serves fewer, and very old versions are retired. The rule:
//! - the admin's `[salesforce] api_version` when the org serves it;
//! - else the newest version the org serves between [`OLDEST_SUPPORTED`] (Spring '24, the
//!   oldest Ringside is tested against) and [`NEWEST_KNOWN`] (Spring '26, the newest it
//!   knows: a newer one may change answers Ringside relies on);
//! - else the org cannot be used, said in words.
//!
//! The choice is made once per org and kept in its registry record (`orgs.toml`), so a
//! command does not ask again; it is made anew when the configured version changes.
//! `doctor` says which version is used and why.

use salesforce::ApiVersion;

/// The oldest version Ringside supports (Spring '24).
pub const OLDEST_SUPPORTED: ApiVersion = ApiVersion::major(60);
/// The newest version Ringside knows (Spring '26).
pub const NEWEST_KNOWN: ApiVersion = ApiVersion::DEFAULT;

/// The version chosen for an org, and what it was chosen from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionChoice {
    pub version: ApiVersion,
    /// The admin's `[salesforce] api_version`, if any.
    pub configured: Option<ApiVersion>,
    /// The oldest and newest versions the org serves.
    pub served: (ApiVersion, ApiVersion),
}

impl VersionChoice {
    /// Whether the configured version was used (true too when none was configured).
    pub fn configured_is_used(&self) -> bool {
        self.configured.is_none_or(|c| c == self.version)
    }

    /// One line for `doctor` and logs: the version and why.
    pub fn describe(&self) -> String {
        let (oldest, newest) = self.served;
        let served = format!("the org serves {oldest}–{newest}");
        match self.configured {
            Some(c) if c == self.version => format!("v{c}, as configured ({served})"),
            Some(c) => format!(
                "v{}: the configured v{c} is not served or not supported by Ringside ({served}; Ringside supports {OLDEST_SUPPORTED}–{NEWEST_KNOWN})",
                self.version
            ),
            None => format!(
                "v{}, the newest this org serves that Ringside supports ({served})",
                self.version
            ),
        }
    }
}

/// Why no version could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    #[error("the org's list of API versions could not be read: {0}")]
    Salesforce(#[from] salesforce::Error),
    #[error(
        "the org serves no REST API version Ringside supports (it serves {served}; Ringside needs {OLDEST_SUPPORTED} to {NEWEST_KNOWN}); check the org's My Domain address, or update Ringside"
    )]
    NoneSupported { served: String },
}

/// Chooses from the versions an org serves (see the module doc for the rule).
pub fn choose(
    configured: Option<ApiVersion>,
    served: &[ApiVersion],
) -> Result<VersionChoice, VersionError> {
    let none_supported = || VersionError::NoneSupported {
        served: match (served.iter().min(), served.iter().max()) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "none".to_owned(),
        },
    };
    let oldest = *served.iter().min().ok_or_else(none_supported)?;
    let newest = *served.iter().max().ok_or_else(none_supported)?;
    let supported = |v: &ApiVersion| (OLDEST_SUPPORTED..=NEWEST_KNOWN).contains(v);
    let version = match configured {
        Some(c) if served.contains(&c) && supported(&c) => c,
        _ => served
            .iter()
            .copied()
            .filter(supported)
            .max()
            .ok_or_else(none_supported)?,
    };
    Ok(VersionChoice {
        version,
        configured,
        served: (oldest, newest),
    })
}

/// Asks `instance` which versions it serves (one unauthenticated request) and chooses.
pub async fn negotiate(
    instance: &salesforce::InstanceUrl,
    configured: Option<ApiVersion>,
) -> Result<VersionChoice, VersionError> {
    let served = salesforce::served_versions(instance).await?;
    let choice = choose(configured, &served)?;
    tracing::info!(version = %choice.version, "API version: {}", choice.describe());
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u8) -> ApiVersion {
        ApiVersion::major(major)
    }

    #[test]
    fn the_configured_version_when_served_else_the_newest_supported() {
        let served: Vec<ApiVersion> = (55..=66).map(v).collect();
        assert_eq!(choose(Some(v(62)), &served).unwrap().version, v(62));
        let unserved = choose(Some(v(67)), &served).unwrap();
        assert_eq!(unserved.version, v(66), "not served: the newest supported");
        assert!(
            !unserved.configured_is_used() && unserved.describe().contains("not served"),
            "{}",
            unserved.describe()
        );
        assert_eq!(
            choose(Some(v(58)), &served).unwrap().version,
            v(66),
            "served but older than Ringside supports"
        );
        assert_eq!(choose(None, &served).unwrap().version, v(66));
    }

    #[test]
    fn an_older_org_gets_its_newest_and_a_newer_org_ringsides_newest() {
        let older: Vec<ApiVersion> = (50..=62).map(v).collect();
        assert_eq!(choose(None, &older).unwrap().version, v(62));
        let newer: Vec<ApiVersion> = (60..=68).map(v).collect();
        assert_eq!(
            choose(None, &newer).unwrap().version,
            NEWEST_KNOWN,
            "never a version newer than Ringside knows"
        );
    }

    #[test]
    fn no_supported_version_is_said_with_the_range() {
        let ancient: Vec<ApiVersion> = (40..=59).map(v).collect();
        let err = choose(None, &ancient).unwrap_err();
        assert!(
            err.to_string().contains("40.0–59.0") && err.to_string().contains("60.0"),
            "{err}"
        );
        assert!(choose(None, &[]).is_err(), "an empty list chooses nothing");
    }
}
