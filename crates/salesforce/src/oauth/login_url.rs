//! The login host: where the browser signs in and where tokens are requested and revoked.

use std::fmt;

use super::error::OAuthError;

/// A validated login URL: `https://` on any Salesforce host (production, sandbox, My
/// Domain), or `http://` on a loopback address (the demo org). Stored without a trailing
/// slash or path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginUrl(String);

impl LoginUrl {
    /// Production orgs.
    pub const PRODUCTION: &'static str = "https://login.salesforce.com";
    /// Sandboxes.
    pub const SANDBOX: &'static str = "https://test.salesforce.com";

    /// Validates `text`. Refuses plain HTTP to anything but loopback (tokens would travel in
    /// clear), Lightning hosts (they do not serve OAuth or the API), and URLs with a path,
    /// query, fragment or credentials (a sign of a pasted page URL rather than a host).
    pub fn parse(text: &str) -> Result<Self, OAuthError> {
        let bad = |why: &str| {
            OAuthError::InvalidConfig(format!(
                "login URL `{}` {why}; use https://login.salesforce.com, https://test.salesforce.com or your My Domain (https://NAME.my.salesforce.com)",
                text.chars().take(200).collect::<String>().escape_debug()
            ))
        };
        let url = url::Url::parse(text.trim()).map_err(|_| bad("is not a URL"))?;
        let host = url.host_str().ok_or_else(|| bad("has no host"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => return Err(bad("uses plain http, which is only allowed on 127.0.0.1")),
            _ => return Err(bad("must start with https://")),
        }
        if host.ends_with(".lightning.force.com") {
            return Err(bad(
                "is a Lightning page host, not a login host (use the .my.salesforce.com name)",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain a user name or password"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must be only a scheme and host, without a path"));
        }
        let mut text = url.to_string();
        while text.ends_with('/') {
            text.pop();
        }
        Ok(Self(text))
    }

    /// `https://host[:port]`, no trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `{login}/services/oauth2/{name}`.
    pub(crate) fn endpoint(&self, name: &str) -> String {
        format!("{}/services/oauth2/{name}", self.0)
    }
}

impl fmt::Display for LoginUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_salesforce_hosts_and_loopback() {
        for (text, stored) in [
            (
                "https://login.salesforce.com",
                "https://login.salesforce.com",
            ),
            (
                "https://test.salesforce.com/",
                "https://test.salesforce.com",
            ),
            (
                "https://acme.my.salesforce.com",
                "https://acme.my.salesforce.com",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ] {
            assert_eq!(
                LoginUrl::parse(text).expect(text).as_str(),
                stored,
                "{text} is a valid login host"
            );
        }
    }

    #[test]
    fn refuses_clear_text_lightning_paths_and_junk() {
        for text in [
            "http://login.salesforce.com",
            "https://acme.lightning.force.com",
            "https://login.salesforce.com/services/oauth2/authorize",
            "https://u:p@login.salesforce.com",
            "ftp://login.salesforce.com",
            "login.salesforce.com",
            "",
        ] {
            let err = LoginUrl::parse(text).expect_err(text);
            assert!(
                err.to_string().contains("login.salesforce.com"),
                "the error suggests a valid host: {err}"
            );
        }
    }
}
