//! The access token as a secret type: it can be handed to the HTTP layer through one explicit
//! call and nowhere else. It has no `Display` and no `Serialize`, and `Debug` prints
//! `AccessToken(<redacted>)`, so it cannot slip into a log line, an error or a file by accident.

use std::fmt;

use crate::error::Error;

/// A Salesforce OAuth access token (a session id).
///
/// Salesforce access tokens have no stated expiry: one is valid until the API answers
/// 401 `INVALID_SESSION_ID` ([`Error::needs_reauth`]).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token. Rejects an empty token and one with characters that cannot go in an
    /// HTTP header (anything outside visible ASCII), because such a token can only be a paste
    /// mistake and would otherwise fail later with a less clear error.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::InvalidInput("the access token is empty".into()));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            // Say what is wrong without echoing any part of the secret.
            return Err(Error::InvalidInput(
                "the access token contains spaces, control or non-ASCII characters".into(),
            ));
        }
        Ok(Self(token))
    }

    /// The raw token. Call this only to build the `Authorization` header (or to store the
    /// token in a secret store); never format it into a message.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = AccessToken::new("00Dxx0000001gPL!AQ4AQFakeSecretValue").unwrap();
        let printed = format!("{token:?} {:#?}", token);
        assert!(
            !printed.contains("FakeSecret") && !printed.contains("00Dxx"),
            "Debug must not leak any part of the token: {printed}"
        );
        assert!(
            printed.contains("AccessToken(<redacted>)"),
            "Debug should say it is redacted"
        );
    }

    #[test]
    fn expose_secret_returns_the_token_unchanged() {
        let token = AccessToken::new("abc!123").unwrap();
        assert_eq!(
            token.expose_secret(),
            "abc!123",
            "the header needs the exact token"
        );
    }

    #[test]
    fn rejects_empty_and_header_breaking_tokens_without_echoing_them() {
        for bad in ["", "abc def", "abc\r\nX-Evil: 1", "tökén"] {
            let err = AccessToken::new(bad).expect_err("a token that cannot go in a header");
            let message = err.to_string();
            assert!(
                bad.is_empty() || !message.contains(bad),
                "the error must not repeat the secret: {message}"
            );
        }
    }
}
