//! What a token request hands back: the access token, the refresh token (a secret type like
//! [`AccessToken`]), the instance URL and the identity URL with the org and user ids.

use std::fmt;

use super::error::OAuthError;
use crate::secret::AccessToken;

/// A Salesforce refresh token: lives until revoked (refresh policy "valid until revoked"),
/// and with rotation on, dies as soon as it has been used once.
///
/// Like [`AccessToken`]: no `Display`, no `Serialize`, `Debug` prints
/// `RefreshToken(<redacted>)`. Hand the raw value only to a token request or a secret store.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// Wraps a refresh token; refuses an empty one or one that is not visible ASCII,
    /// without echoing it.
    pub fn new(token: impl Into<String>) -> Result<Self, OAuthError> {
        let token = token.into();
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(OAuthError::UnexpectedResponse(
                "the refresh token is empty or contains spaces or control characters".into(),
            ));
        }
        Ok(Self(token))
    }

    /// The raw token, for a token request or a secret store only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// The identity URL of a token: `https://login.salesforce.com/id/{orgId}/{userId}`. Its two
/// ids key everything stored per sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityUrl {
    url: String,
    org_id: String,
    user_id: String,
}

impl IdentityUrl {
    /// Reads the org id (`00D…`) and user id (`005…`) from the last two path segments.
    pub fn parse(text: &str) -> Result<Self, OAuthError> {
        let bad = |why: &str| OAuthError::UnexpectedResponse(format!("the identity URL {why}"));
        let url = url::Url::parse(text).map_err(|_| bad("is not a URL"))?;
        let host = url.host_str().unwrap_or_default();
        if url.scheme() != "https"
            && !(url.scheme() == "http" && super::login_url::is_loopback(host))
        {
            return Err(bad("is not https"));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let [.., id, org_id, user_id] = segments.as_slice() else {
            return Err(bad("does not end in /id/{org id}/{user id}"));
        };
        let is_id = |s: &str, prefix: &str| {
            (s.len() == 15 || s.len() == 18)
                && s.starts_with(prefix)
                && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if *id != "id" || !is_id(org_id, "00D") || !is_id(user_id, "005") {
            return Err(bad("does not end in /id/{org id}/{user id}"));
        }
        Ok(Self {
            url: url.to_string(),
            org_id: (*org_id).to_owned(),
            user_id: (*user_id).to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The org id (`00D…`), as Salesforce wrote it.
    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The user id (`005…`), as Salesforce wrote it.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// A successful token answer. Salesforce sends no `expires_in`: the access token lasts
/// until the API answers 401.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: AccessToken,
    /// Present after a code exchange with `refresh_token` in scope, and after a refresh
    /// when rotation is on (then it replaces the old one, which is dead).
    pub refresh_token: Option<RefreshToken>,
    /// Where the API lives (`https://NAME.my.salesforce.com`).
    pub instance_url: String,
    pub identity: IdentityUrl,
    /// Milliseconds since the epoch, as Salesforce sent it.
    pub issued_at: Option<String>,
    /// The scopes granted (may be narrower than asked).
    pub scopes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_url_names_org_and_user() {
        let id = IdentityUrl::parse(
            "https://login.salesforce.com/id/00DDm0000000001MAA/005Dm0000000001AAA",
        )
        .unwrap();
        assert_eq!(id.org_id(), "00DDm0000000001MAA");
        assert_eq!(id.user_id(), "005Dm0000000001AAA");
        for bad in [
            "http://login.salesforce.com/id/00DDm0000000001MAA/005Dm0000000001AAA",
            "https://login.salesforce.com/id/005Dm0000000001AAA/00DDm0000000001MAA",
            "https://login.salesforce.com/id/00D/005",
            "https://login.salesforce.com/",
            "not a url",
        ] {
            assert!(IdentityUrl::parse(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn refresh_token_debug_is_redacted() {
        let token = RefreshToken::new("5Aep861SecretValue").unwrap();
        let printed = format!("{token:?}");
        assert_eq!(printed, "RefreshToken(<redacted>)");
        assert!(RefreshToken::new("a b").is_err());
        assert!(RefreshToken::new("").is_err());
    }
}
