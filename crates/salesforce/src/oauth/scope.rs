//! Scope profiles (DESIGN §3). Every profile asks for `refresh_token` (`full` alone brings
//! none); ask for the narrowest one the configuration needs, because a login with other
//! scopes counts against Salesforce's five approvals per user and app.

use std::fmt;
use std::str::FromStr;

use super::error::OAuthError;

/// Which scopes Ringside asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScopeProfile {
    /// `api refresh_token offline_access`: lookups and call logging.
    #[default]
    Standard,
    /// Standard plus `web full`: opening records in the browser signed in.
    Extended,
    /// Extended plus `chatter_api`.
    Privileged,
}

impl ScopeProfile {
    /// Every profile, narrowest first.
    pub const ALL: [ScopeProfile; 3] = [
        ScopeProfile::Standard,
        ScopeProfile::Extended,
        ScopeProfile::Privileged,
    ];

    /// The scopes sent in the authorize request.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            ScopeProfile::Standard => &["api", "refresh_token", "offline_access"],
            ScopeProfile::Extended => &["api", "refresh_token", "offline_access", "web", "full"],
            ScopeProfile::Privileged => &[
                "api",
                "refresh_token",
                "offline_access",
                "web",
                "full",
                "chatter_api",
            ],
        }
    }

    /// The name used in config files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ScopeProfile::Standard => "standard",
            ScopeProfile::Extended => "extended",
            ScopeProfile::Privileged => "privileged",
        }
    }
}

impl fmt::Display for ScopeProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScopeProfile {
    type Err = OAuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScopeProfile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                OAuthError::InvalidConfig(format!(
                    "scope profile `{}` is not one of standard, extended, privileged",
                    s.chars().take(40).collect::<String>().escape_debug()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_brings_a_refresh_token_and_widens_the_previous() {
        let mut previous: &[&str] = &[];
        for profile in ScopeProfile::ALL {
            let scopes = profile.scopes();
            assert!(
                scopes.contains(&"refresh_token"),
                "{profile} must ask for refresh_token or sign-in would not last"
            );
            assert!(
                previous.iter().all(|s| scopes.contains(s)),
                "{profile} includes the narrower profile's scopes"
            );
            previous = scopes;
            assert_eq!(profile.name().parse::<ScopeProfile>().unwrap(), profile);
        }
        assert!("admin".parse::<ScopeProfile>().is_err());
    }
}
