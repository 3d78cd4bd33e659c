//! Who may call the org: OAuth authorization codes (PKCE S256), access tokens and
//! rotating refresh tokens, as an External Client App with PKCE on, "require secret"
//! off and refresh-token rotation on behaves.
//!
//! - Access tokens have no expiry time; they die when a fault expires them, when their
//!   refresh token's family is revoked, or on logout (revoke).
//! - Every refresh returns a new refresh token and retires the old one. Presenting a
//!   retired refresh token again is treated as theft: the whole family (all its refresh
//!   and access tokens) is revoked, and the answer is `invalid_grant`.
//! - A refresh token is issued only when the scope holds `refresh_token` or
//!   `offline_access` (so `full` alone brings none).

use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

fn random_text(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| TOKEN_ALPHABET[rng.random_range(0..TOKEN_ALPHABET.len())] as char)
        .collect()
}

/// Base64url without padding (the PKCE S256 encoding).
pub fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// Why a token request was refused, in OAuth's `{"error","error_description"}` terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantError {
    pub error: &'static str,
    pub description: String,
}

fn invalid_grant(description: &str) -> GrantError {
    GrantError {
        error: "invalid_grant",
        description: description.to_owned(),
    }
}

/// Salesforce's answer to an unknown consumer key.
pub fn invalid_client_id() -> GrantError {
    GrantError {
        error: "invalid_client_id",
        description: "client identifier invalid".into(),
    }
}

/// What a successful token request hands out.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
}

#[derive(Debug)]
struct Access {
    epoch: u64,
    family: Option<u64>,
    /// The user the token acts as; `None`: the org's demo user.
    user: Option<String>,
}

#[derive(Debug)]
struct Refresh {
    family: u64,
    current: bool,
    scope: String,
    session_epoch: u64,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub scope: String,
}

/// The consumer key of the demo org's one External Client App.
pub const DEMO_CLIENT_ID: &str = "3MVG9RingsideDemoOrgConsumerKey.PublicClient.PKCE";

/// Consumer keys this org knows; any other is `invalid_client_id`.
pub const KNOWN_CLIENT_IDS: &[&str] = &[DEMO_CLIENT_ID];

/// Whether `uri` is one of the demo app's callback URLs: the desktop's custom scheme, or
/// the loopback redirect on any port (RFC 8252 §7.3: the port is chosen at sign-in time).
pub fn callback_allowed(uri: &str) -> bool {
    if uri == "ringside://oauth/callback" {
        return true;
    }
    ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .filter_map(|prefix| uri.strip_prefix(prefix))
        .filter_map(|rest| rest.strip_suffix("/oauth/callback"))
        .any(|port| !port.is_empty() && port.parse::<u16>().is_ok())
}

/// How many token and revoke requests the org answered, by grant type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OAuthCounts {
    /// `grant_type=authorization_code` requests (answered, whatever the outcome).
    pub authorization_code: u64,
    /// `grant_type=refresh_token` requests.
    pub refresh_token: u64,
    /// `/services/oauth2/revoke` requests.
    pub revoke: u64,
}

#[derive(Debug, Default)]
pub struct Sessions {
    pub counts: OAuthCounts,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    codes: HashMap<String, PendingCode>,
    revoked_families: HashSet<u64>,
    next_family: u64,
}

/// The scopes this org knows.
pub const KNOWN_SCOPES: &[&str] = &[
    "api",
    "refresh_token",
    "offline_access",
    "web",
    "full",
    "chatter_api",
    "openid",
    "id",
    "profile",
    "email",
];

impl Sessions {
    /// A new access token (`family` ties it to a refresh token for revocation).
    pub fn issue_access(&mut self, epoch: u64, family: Option<u64>) -> String {
        let token = format!("00DDm0000000001!AQ{}", random_text(96));
        self.access.insert(
            token.clone(),
            Access {
                epoch,
                family,
                user: None,
            },
        );
        token
    }

    /// A new access token acting as `user` (no refresh token; for tests and benchmarks).
    pub fn issue_access_as(&mut self, epoch: u64, user: &str) -> String {
        let token = self.issue_access(epoch, None);
        if let Some(access) = self.access.get_mut(&token) {
            access.user = Some(user.to_owned());
        }
        token
    }

    /// The user `token` acts as, when it is not the demo user.
    pub fn user_of(&self, token: &str) -> Option<&str> {
        self.access.get(token).and_then(|a| a.user.as_deref())
    }

    pub fn access_valid(&self, token: &str, epoch: u64) -> bool {
        self.access.get(token).is_some_and(|a| {
            a.epoch == epoch && a.family.is_none_or(|f| !self.revoked_families.contains(&f))
        })
    }

    pub fn new_code(&mut self, pending: PendingCode) -> String {
        let code = format!("aPrx{}", random_text(60).replace(['.', '_'], "x"));
        self.codes.insert(code.clone(), pending);
        code
    }

    fn grant(&mut self, scope: String, epoch: u64, session_epoch: u64) -> Grant {
        self.next_family += 1;
        let family = self.next_family;
        let wants_refresh = scope
            .split_whitespace()
            .any(|s| s == "refresh_token" || s == "offline_access");
        let refresh_token = wants_refresh.then(|| {
            let t = format!("5Aep{}", random_text(80));
            self.refresh.insert(
                t.clone(),
                Refresh {
                    family,
                    current: true,
                    scope: scope.clone(),
                    session_epoch,
                },
            );
            t
        });
        let access_token = self.issue_access(epoch, Some(family));
        Grant {
            access_token,
            refresh_token,
            scope,
        }
    }

    /// `grant_type=authorization_code`: single use, PKCE-checked.
    pub fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
        epoch: u64,
        session_epoch: u64,
    ) -> Result<Grant, GrantError> {
        let pending = self
            .codes
            .remove(code)
            .ok_or_else(|| invalid_grant("invalid authorization code"))?;
        if pending.client_id != client_id || !KNOWN_CLIENT_IDS.contains(&client_id) {
            return Err(invalid_client_id());
        }
        if pending.redirect_uri != redirect_uri {
            return Err(GrantError {
                error: "redirect_uri_mismatch",
                description: "redirect_uri must match configuration".into(),
            });
        }
        let verifier_ok = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !verifier_ok || s256(verifier) != pending.challenge {
            return Err(invalid_grant("invalid code verifier"));
        }
        Ok(self.grant(pending.scope, epoch, session_epoch))
    }

    /// `grant_type=refresh_token`, with rotation and reuse detection.
    pub fn refresh(
        &mut self,
        client_id: &str,
        token: &str,
        epoch: u64,
        session_epoch: u64,
    ) -> Result<Grant, GrantError> {
        let expired = || invalid_grant("expired access/refresh token");
        if !KNOWN_CLIENT_IDS.contains(&client_id) {
            return Err(invalid_client_id());
        }
        let entry = self.refresh.get_mut(token).ok_or_else(expired)?;
        let family = entry.family;
        if self.revoked_families.contains(&family) || entry.session_epoch != session_epoch {
            return Err(expired());
        }
        if !entry.current {
            // A retired refresh token came back: revoke everything descended from it.
            self.revoked_families.insert(family);
            return Err(expired());
        }
        entry.current = false;
        let scope = entry.scope.clone();
        let new_refresh = format!("5Aep{}", random_text(80));
        self.refresh.insert(
            new_refresh.clone(),
            Refresh {
                family,
                current: true,
                scope: scope.clone(),
                session_epoch,
            },
        );
        let access_token = self.issue_access(epoch, Some(family));
        Ok(Grant {
            access_token,
            refresh_token: Some(new_refresh),
            scope,
        })
    }

    /// Revokes an access or refresh token; a refresh token takes its family's access tokens with it.
    pub fn revoke(&mut self, token: &str) -> bool {
        if let Some(r) = self.refresh.get(token) {
            self.revoked_families.insert(r.family);
            return true;
        }
        self.access.remove(token).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_s256_example() {
        // Appendix B of RFC 7636.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "PKCE S256 must match the RFC's worked example"
        );
    }

    #[test]
    fn refresh_rotates_and_reuse_revokes_the_family() {
        let mut s = Sessions::default();
        let code = s.new_code(PendingCode {
            client_id: DEMO_CLIENT_ID.into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            challenge: s256(&"v".repeat(43)),
            scope: "api refresh_token".into(),
        });
        let g = s
            .redeem_code(
                &code,
                DEMO_CLIENT_ID,
                "http://127.0.0.1/cb",
                &"v".repeat(43),
                0,
                0,
            )
            .expect("valid code and verifier");
        assert!(
            s.redeem_code(
                &code,
                DEMO_CLIENT_ID,
                "http://127.0.0.1/cb",
                &"v".repeat(43),
                0,
                0
            )
            .is_err(),
            "codes are single-use"
        );
        let r1 = g
            .refresh_token
            .expect("refresh_token scope brings a refresh token");
        let g2 = s
            .refresh(DEMO_CLIENT_ID, &r1, 0, 0)
            .expect("first refresh works");
        assert!(
            s.access_valid(&g2.access_token, 0),
            "new access token works"
        );
        assert_eq!(
            s.refresh(DEMO_CLIENT_ID, &r1, 0, 0).map(|_| ()),
            Err(invalid_grant("expired access/refresh token")),
            "reuse is refused"
        );
        assert!(
            !s.access_valid(&g2.access_token, 0),
            "reuse revoked the family's access tokens"
        );
        let r2 = g2
            .refresh_token
            .expect("rotation hands out a new refresh token");
        assert!(
            s.refresh(DEMO_CLIENT_ID, &r2, 0, 0).is_err(),
            "and the newest refresh token too"
        );
    }

    #[test]
    fn full_alone_brings_no_refresh_token_and_bad_verifier_fails() {
        let mut s = Sessions::default();
        let pending = PendingCode {
            client_id: DEMO_CLIENT_ID.into(),
            redirect_uri: "u".into(),
            challenge: s256(&"a".repeat(43)),
            scope: "full".into(),
        };
        let code = s.new_code(pending.clone());
        assert!(
            s.redeem_code(&code, DEMO_CLIENT_ID, "u", &"a".repeat(43), 0, 0)
                .expect("valid")
                .refresh_token
                .is_none(),
            "no refresh token for full alone"
        );
        let code = s.new_code(pending);
        assert_eq!(
            s.redeem_code(&code, DEMO_CLIENT_ID, "u", &"b".repeat(43), 0, 0)
                .map(|_| ()),
            Err(invalid_grant("invalid code verifier")),
            "wrong verifier"
        );
    }
}
