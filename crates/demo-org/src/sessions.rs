//! Who may call the org: OAuth authorization codes (PKCE S256), access tokens and
//! rotating refresh tokens, as an External Client App with PKCE on, "require secret"
//! off and refresh-token rotation on behaves.
//!
//! - Access tokens carry no expiry time (no `expires_in`), but end with the org's session
//!   timeout ([`crate::DemoOrgConfig::session_timeout`], default [`DEFAULT_SESSION_TIMEOUT`],
//!   two hours), counted on the org's clock from when the token was issued: "Access tokens
//!   have a limited lifetime specified by the session timeout in Salesforce. If an
//!   application uses an expired access token, a 'Session expired or invalid' error is
//!   returned"
//!   (<https://developer.salesforce.com/docs/atlas.en-us.198.0.api_rest.meta/api_rest/intro_understanding_refresh_token_oauth.htm>;
//!   "the connected app's session timeout value determines when an access token is no
//!   longer valid":
//!   <https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_oauth_refresh_token_flow.htm&language=en_US>).
//!   Using the token does not extend it. The SOAP API guide says an API call resets the
//!   inactivity timer of a `login()` session
//!   (<https://developer.salesforce.com/docs/atlas.en-us.256.0.api.meta/api/sforce_api_concepts_errorhandling.htm>);
//!   the OAuth pages say nothing of the kind for access tokens, so this org takes the
//!   stricter reading: a token dies a fixed time after it was issued, busy or not.
//!   The timeout is [`crate::Faults::set_session_timeout`] (`session_timeout` fault) and
//!   applies to tokens already issued. Tokens also die when a fault expires them, when
//!   their refresh token's family is revoked, or on logout (revoke).
//! - A token remembers whether its scopes allow the REST API: `api` ("allows access to the
//!   current, logged-in user's account using APIs, such as REST API") or `full` ("encompasses
//!   all other scopes"), in the words of the "OAuth Tokens and Scopes" page
//!   (<https://help.salesforce.com/HTViewHelpDoc?id=remoteaccess_oauth_scopes.htm&language=en_US>).
//!   One without is refused by every `/services/data`
//!   request with 401 `INVALID_SESSION_ID` "This session is not valid for use with the REST
//!   API", the answer Salesforce gives a token whose app lacks the "Manage user data via
//!   APIs (api)" scope (<https://help.salesforce.com/s/articleView?id=005226515&type=1>).
//!   A token with `chatter_api` but not `api` ("allows access to Connect REST API resources
//!   only", same page) may call `/services/data/vNN.N/chatter/…` and nothing else
//!   ([`TokenCheck::ConnectOnly`]).
//! - Authorization codes are single use and expire 15 minutes after they were issued, on
//!   the org's clock: the web-server flow page says so
//!   (<https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5>,
//!   as quoted in <https://community.easymorph.com/t/authorization-tokens-in-salesforce/3104>;
//!   the page itself was not readable here), and a real org's answer is `invalid_grant`
//!   "expired authorization code" (recorded in
//!   <https://github.com/newrelic/newrelic-salesforce-exporter/issues/31>).
//!   A code presented a second time is refused (`invalid_grant` "invalid authorization
//!   code") and every token its first exchange produced (access and refresh, and their
//!   rotations) is revoked, as RFC 6749 §4.1.2 says the server SHOULD
//!   (<https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2>); Salesforce's pages do not say
//!   whether it revokes, so this org takes the stricter reading.
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
    /// When it was issued (org clock, epoch milliseconds): the session timeout counts from here.
    issued_ms: i64,
    /// Whether its scopes allow the REST API (`api` or `full`).
    api: bool,
    /// Whether its scopes allow the Connect REST API alone (`chatter_api`).
    connect: bool,
}

/// The org's session timeout unless configured otherwise: Salesforce's default, two hours.
pub const DEFAULT_SESSION_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(2 * 60 * 60);

/// An authorization code not redeemed this long after it was issued is expired (15 minutes).
pub const CODE_LIFETIME_MS: i64 = 15 * 60 * 1000;

/// What an access token may do, as the org sees it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// Valid, and its scopes allow the REST API.
    Valid,
    /// Valid, but issued without the `api` scope: the REST API refuses it.
    NoApiScope,
    /// Valid, issued with `chatter_api` but not `api`: Connect REST API (Chatter) resources
    /// take it, the rest of the REST API refuses it as [`TokenCheck::NoApiScope`].
    ConnectOnly,
    /// Unknown, expired (session timeout, fault) or revoked.
    Invalid,
}

/// Whether a space-separated scope list allows the REST API.
pub fn scope_allows_api(scope: &str) -> bool {
    scope.split_whitespace().any(|s| s == "api" || s == "full")
}

/// Whether a space-separated scope list allows the Connect REST API (`chatter_api`).
pub fn scope_allows_connect(scope: &str) -> bool {
    scope.split_whitespace().any(|s| s == "chatter_api")
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
    /// When the authorize step issued it (org clock, epoch milliseconds).
    pub issued_ms: i64,
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
    /// Codes already exchanged, with the token family their exchange produced.
    redeemed: HashMap<String, u64>,
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
    /// A new access token issued at `now_ms` (`family` ties it to a refresh token for
    /// revocation; `api`: whether its scopes allow the REST API).
    pub fn issue_access(
        &mut self,
        epoch: u64,
        family: Option<u64>,
        now_ms: i64,
        api: bool,
    ) -> String {
        let token = format!("00DDm0000000001!AQ{}", random_text(96));
        self.access.insert(
            token.clone(),
            Access {
                epoch,
                family,
                user: None,
                issued_ms: now_ms,
                api,
                connect: false,
            },
        );
        token
    }

    /// Marks `token` as allowed on the Connect REST API (its scopes hold `chatter_api`).
    fn allow_connect(&mut self, token: &str, connect: bool) {
        if let Some(access) = self.access.get_mut(token) {
            access.connect = connect;
        }
    }

    /// A new access token acting as `user`, with full scopes (no refresh token; for tests
    /// and benchmarks).
    pub fn issue_access_as(&mut self, epoch: u64, user: &str, now_ms: i64) -> String {
        let token = self.issue_access(epoch, None, now_ms, true);
        if let Some(access) = self.access.get_mut(&token) {
            access.user = Some(user.to_owned());
        }
        token
    }

    /// The user `token` acts as, when it is not the demo user.
    pub fn user_of(&self, token: &str) -> Option<&str> {
        self.access.get(token).and_then(|a| a.user.as_deref())
    }

    /// What `token` may do at `now_ms`, with sessions lasting `timeout_ms` from issue.
    pub fn check_access(
        &self,
        token: &str,
        epoch: u64,
        now_ms: i64,
        timeout_ms: i64,
    ) -> TokenCheck {
        let Some(a) = self.access.get(token) else {
            return TokenCheck::Invalid;
        };
        let alive = a.epoch == epoch
            && a.family.is_none_or(|f| !self.revoked_families.contains(&f))
            && now_ms.saturating_sub(a.issued_ms) < timeout_ms;
        match (alive, a.api, a.connect) {
            (false, _, _) => TokenCheck::Invalid,
            (true, true, _) => TokenCheck::Valid,
            (true, false, true) => TokenCheck::ConnectOnly,
            (true, false, false) => TokenCheck::NoApiScope,
        }
    }

    pub fn new_code(&mut self, pending: PendingCode) -> String {
        let code = format!("aPrx{}", random_text(60).replace(['.', '_'], "x"));
        self.codes.insert(code.clone(), pending);
        code
    }

    /// A new token family for `scope`: an access token, and a refresh token when the scope
    /// holds `refresh_token` or `offline_access`.
    pub fn grant(&mut self, scope: String, epoch: u64, session_epoch: u64, now_ms: i64) -> Grant {
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
        let access_token = self.issue_access(epoch, Some(family), now_ms, scope_allows_api(&scope));
        self.allow_connect(&access_token, scope_allows_connect(&scope));
        Grant {
            access_token,
            refresh_token,
            scope,
        }
    }

    /// The token family `grant` created (its access token's).
    fn family_of(&self, access_token: &str) -> Option<u64> {
        self.access.get(access_token).and_then(|a| a.family)
    }

    /// `grant_type=authorization_code` at `now_ms`: single use, 15 minutes, PKCE-checked. A
    /// code exchanged before revokes what its first exchange produced (see the module doc).
    #[allow(
        clippy::too_many_arguments,
        reason = "the token request's fields and the org's clocks"
    )]
    pub fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
        epoch: u64,
        session_epoch: u64,
        now_ms: i64,
    ) -> Result<Grant, GrantError> {
        if let Some(family) = self.redeemed.get(code) {
            self.revoked_families.insert(*family);
            return Err(invalid_grant("invalid authorization code"));
        }
        let pending = self
            .codes
            .remove(code)
            .ok_or_else(|| invalid_grant("invalid authorization code"))?;
        if now_ms.saturating_sub(pending.issued_ms) >= CODE_LIFETIME_MS {
            return Err(invalid_grant("expired authorization code"));
        }
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
        let grant = self.grant(pending.scope, epoch, session_epoch, now_ms);
        if let Some(family) = self.family_of(&grant.access_token) {
            self.redeemed.insert(code.to_owned(), family);
        }
        Ok(grant)
    }

    /// `grant_type=refresh_token`, with rotation and reuse detection.
    pub fn refresh(
        &mut self,
        client_id: &str,
        token: &str,
        epoch: u64,
        session_epoch: u64,
        now_ms: i64,
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
        let access_token = self.issue_access(epoch, Some(family), now_ms, scope_allows_api(&scope));
        self.allow_connect(&access_token, scope_allows_connect(&scope));
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

    const HOUR: i64 = 3_600_000;

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
            issued_ms: 0,
        });
        let g = s
            .redeem_code(
                &code,
                DEMO_CLIENT_ID,
                "http://127.0.0.1/cb",
                &"v".repeat(43),
                0,
                0,
                0,
            )
            .expect("valid code and verifier");
        let r1 = g
            .refresh_token
            .expect("refresh_token scope brings a refresh token");
        let g2 = s
            .refresh(DEMO_CLIENT_ID, &r1, 0, 0, 0)
            .expect("first refresh works");
        assert!(
            s.check_access(&g2.access_token, 0, 0, HOUR) == TokenCheck::Valid,
            "new access token works"
        );
        assert_eq!(
            s.refresh(DEMO_CLIENT_ID, &r1, 0, 0, 0).map(|_| ()),
            Err(invalid_grant("expired access/refresh token")),
            "reuse is refused"
        );
        assert!(
            s.check_access(&g2.access_token, 0, 0, HOUR) == TokenCheck::Invalid,
            "reuse revoked the family's access tokens"
        );
        let r2 = g2
            .refresh_token
            .expect("rotation hands out a new refresh token");
        assert!(
            s.refresh(DEMO_CLIENT_ID, &r2, 0, 0, 0).is_err(),
            "and the newest refresh token too"
        );
    }

    fn pending(issued_ms: i64, scope: &str) -> PendingCode {
        PendingCode {
            client_id: DEMO_CLIENT_ID.into(),
            redirect_uri: "u".into(),
            challenge: s256(&"v".repeat(43)),
            scope: scope.into(),
            issued_ms,
        }
    }

    fn redeem(s: &mut Sessions, code: &str, now_ms: i64) -> Result<Grant, GrantError> {
        s.redeem_code(code, DEMO_CLIENT_ID, "u", &"v".repeat(43), 0, 0, now_ms)
    }

    #[test]
    fn a_replayed_code_is_refused_and_revokes_what_it_produced() {
        let mut s = Sessions::default();
        let code = s.new_code(pending(0, "api refresh_token"));
        let g = redeem(&mut s, &code, 1000).expect("first exchange");
        let refresh = g.refresh_token.clone().expect("refresh_token scope");
        let rotated = s
            .refresh(DEMO_CLIENT_ID, &refresh, 0, 0, 2000)
            .expect("the first exchange's refresh token works");
        assert_eq!(
            redeem(&mut s, &code, 3000).map(|_| ()),
            Err(invalid_grant("invalid authorization code")),
            "codes are single-use"
        );
        for (what, token) in [
            ("first", &g.access_token),
            ("rotated", &rotated.access_token),
        ] {
            assert_eq!(
                s.check_access(token, 0, 3000, HOUR),
                TokenCheck::Invalid,
                "the replay revoked the {what} access token (RFC 6749 §4.1.2)"
            );
        }
        let newest = rotated.refresh_token.expect("rotation");
        assert!(
            s.refresh(DEMO_CLIENT_ID, &newest, 0, 0, 3000).is_err(),
            "and the refresh tokens descended from the code"
        );
    }

    #[test]
    fn codes_expire_after_fifteen_minutes() {
        let mut s = Sessions::default();
        let code = s.new_code(pending(0, "api"));
        assert!(
            redeem(&mut s, &code, CODE_LIFETIME_MS - 1).is_ok(),
            "a code is good for just under 15 minutes"
        );
        let code = s.new_code(pending(0, "api"));
        assert_eq!(
            redeem(&mut s, &code, CODE_LIFETIME_MS).map(|_| ()),
            Err(invalid_grant("expired authorization code")),
            "and expired at 15 minutes"
        );
    }

    #[test]
    fn sessions_end_a_timeout_after_issue_and_scopes_without_api_are_marked() {
        let mut s = Sessions::default();
        let token = s.issue_access(0, None, 0, true);
        assert_eq!(s.check_access(&token, 0, HOUR, 2 * HOUR), TokenCheck::Valid);
        assert_eq!(
            s.check_access(&token, 0, 2 * HOUR, 2 * HOUR),
            TokenCheck::Invalid,
            "two hours after issue the token is dead, however much it was used"
        );
        let code = s.new_code(pending(0, "id refresh_token"));
        let g = redeem(&mut s, &code, 0).expect("a valid code");
        assert_eq!(
            s.check_access(&g.access_token, 0, 0, 2 * HOUR),
            TokenCheck::NoApiScope,
            "a grant without api cannot call the REST API"
        );
        let refreshed = s
            .refresh(
                DEMO_CLIENT_ID,
                &g.refresh_token.expect("refresh_token"),
                0,
                0,
                0,
            )
            .expect("refresh works");
        assert_eq!(
            s.check_access(&refreshed.access_token, 0, 0, 2 * HOUR),
            TokenCheck::NoApiScope,
            "a refresh keeps the grant's scopes"
        );
        let code = s.new_code(pending(0, "full"));
        let g = redeem(&mut s, &code, 0).expect("a valid code");
        assert_eq!(
            s.check_access(&g.access_token, 0, 0, 2 * HOUR),
            TokenCheck::Valid,
            "full encompasses api"
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
            issued_ms: 0,
        };
        let code = s.new_code(pending.clone());
        assert!(
            s.redeem_code(&code, DEMO_CLIENT_ID, "u", &"a".repeat(43), 0, 0, 0)
                .expect("valid")
                .refresh_token
                .is_none(),
            "no refresh token for full alone"
        );
        let code = s.new_code(pending);
        assert_eq!(
            s.redeem_code(&code, DEMO_CLIENT_ID, "u", &"b".repeat(43), 0, 0, 0)
                .map(|_| ()),
            Err(invalid_grant("invalid code verifier")),
            "wrong verifier"
        );
    }
}
