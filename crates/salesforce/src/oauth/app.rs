//! [`OAuthApp`]: one External Client App on one login host. Builds the authorize URL (with
//! PKCE S256 and a random `state`), exchanges the code, refreshes, revokes, and reads who
//! signed in (identity URL, userinfo).

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::error::OAuthError;
use super::login_url::LoginUrl;
use super::scope::ScopeProfile;
use super::token::{IdentityUrl, RefreshToken, TokenGrant};
use super::transport::OAuthHttp;
use crate::error::Error;
use crate::secret::AccessToken;

/// Salesforce's fields beyond RFC 6749 (and no `expires_in`).
#[derive(Debug, Clone, Deserialize, Serialize)]
struct SalesforceFields {
    instance_url: String,
    id: String,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    signature: Option<String>,
}
impl ExtraTokenFields for SalesforceFields {}

type SalesforceTokenResponse = StandardTokenResponse<SalesforceFields, BasicTokenType>;

type Oauth2Client = oauth2::Client<
    BasicErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What the app must keep between sending the user to the browser and receiving the
/// redirect: the PKCE verifier and the expected `state`. Both are secrets for the length of
/// the sign-in; `Debug` shows neither.
pub struct PendingAuthorization {
    /// The URL to open in the browser.
    pub url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
}

impl PendingAuthorization {
    /// Whether a redirect's `state` is the one sent (compared in constant time).
    pub fn state_matches(&self, state: &str) -> bool {
        let expected = self.state.secret().as_bytes();
        let got = state.as_bytes();
        expected.len() == got.len()
            && expected
                .iter()
                .zip(got)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &"<redacted>")
            .field("verifier", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Who signed in, from the identity URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub organization_id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// One External Client App (consumer key) on one login host, with one redirect URI.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    login: LoginUrl,
    client_id: String,
    redirect_uri: String,
    oauth: Oauth2Client,
    http: OAuthHttp,
}

impl OAuthApp {
    /// An app for `client_id` (the consumer key; no secret: a public client) signing in at
    /// `login`, receiving the redirect at `redirect_uri` (`ringside://oauth/callback` or
    /// `http://127.0.0.1:PORT/oauth/callback`).
    pub fn new(login: LoginUrl, client_id: &str, redirect_uri: &str) -> Result<Self, OAuthError> {
        let client_id = client_id.trim();
        if client_id.is_empty() || !client_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(OAuthError::InvalidConfig(
                "the client id (consumer key) is empty or has spaces; copy it from the External Client App's OAuth settings".into(),
            ));
        }
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| {
            OAuthError::InvalidConfig(format!(
                "redirect URI `{}` is not a URL",
                redirect_uri.escape_debug()
            ))
        })?;
        let bad_endpoint = |_| OAuthError::InvalidConfig("the login URL is not usable".into());
        let oauth = oauth2::Client::new(ClientId::new(client_id.to_owned()))
            .set_auth_uri(AuthUrl::new(login.endpoint("authorize")).map_err(bad_endpoint)?)
            .set_token_uri(TokenUrl::new(login.endpoint("token")).map_err(bad_endpoint)?)
            .set_redirect_uri(redirect);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ringside-salesforce/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                OAuthError::InvalidConfig(format!("the HTTP client could not be built: {e}"))
            })?;
        Ok(Self {
            login,
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            oauth,
            http: OAuthHttp { http },
        })
    }

    pub fn login_url(&self) -> &LoginUrl {
        &self.login
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// A new authorize URL with a fresh PKCE verifier (S256, 43+ characters) and `state`.
    pub fn authorize(&self, profile: ScopeProfile) -> PendingAuthorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .add_scopes(profile.scopes().iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        PendingAuthorization {
            url: url.to_string(),
            state,
            verifier,
        }
    }

    /// Redeems the code from the redirect (single use) with the pending verifier.
    pub async fn exchange_code(
        &self,
        code: &str,
        pending: PendingAuthorization,
    ) -> Result<TokenGrant, OAuthError> {
        let answer = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        grant(answer)
    }

    /// Trades a refresh token for a new access token. With rotation on, the answer carries
    /// a new refresh token and the one sent is dead from now on.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenGrant, OAuthError> {
        let token = oauth2::RefreshToken::new(refresh_token.expose_secret().to_owned());
        let answer = self
            .oauth
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        grant(answer)
    }

    /// Revokes a refresh token (and with it every access token it produced) at
    /// `/services/oauth2/revoke`. A token Salesforce no longer knows counts as revoked.
    ///
    /// Sent by hand rather than through `oauth2`'s revocation, which only accepts https
    /// endpoints and so could not be tested against the loopback demo org.
    pub async fn revoke(&self, refresh_token: &RefreshToken) -> Result<(), OAuthError> {
        let endpoint = "POST /services/oauth2/revoke".to_owned();
        let response = self
            .http
            .http
            .post(self.login.endpoint("revoke"))
            .form(&[("token", refresh_token.expose_secret())])
            .send()
            .await
            .map_err(|e| OAuthError::Http(Error::from_transport(endpoint.clone(), e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| OAuthError::Http(Error::from_transport(endpoint, e)))?;
        if (200..300).contains(&status) {
            return Ok(());
        }
        match oauth_error_body(&body) {
            // Already revoked or unknown: the goal is reached.
            Some((error, _))
                if matches!(error.as_str(), "unsupported_token_type" | "invalid_token") =>
            {
                Ok(())
            }
            Some((error, description)) => {
                Err(OAuthError::from_oauth(&error, description.as_deref()))
            }
            None => Err(OAuthError::UnexpectedResponse(format!(
                "revoke answered HTTP {status} without an OAuth error"
            ))),
        }
    }

    /// Who the token belongs to (`GET` the identity URL with the access token).
    pub async fn identity(
        &self,
        identity: &IdentityUrl,
        access: &AccessToken,
    ) -> Result<Identity, OAuthError> {
        self.get_json(identity.as_str(), "GET /id", access).await
    }

    /// OpenID Connect userinfo (`/services/oauth2/userinfo`), as raw JSON.
    pub async fn userinfo(&self, access: &AccessToken) -> Result<serde_json::Value, OAuthError> {
        self.get_json(
            &self.login.endpoint("userinfo"),
            "GET /services/oauth2/userinfo",
            access,
        )
        .await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        endpoint: &str,
        access: &AccessToken,
    ) -> Result<T, OAuthError> {
        let response = self
            .http
            .http
            .get(url)
            .bearer_auth(access.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| OAuthError::Http(Error::from_transport(endpoint.to_owned(), e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| OAuthError::Http(Error::from_transport(endpoint.to_owned(), e)))?;
        if !(200..300).contains(&status) {
            if let Some((error, description)) = oauth_error_body(&body) {
                return Err(OAuthError::from_oauth(&error, description.as_deref()));
            }
            if let Ok(serde_json::Value::Array(items)) = serde_json::from_slice(&body)
                && items
                    .iter()
                    .any(|i| i["errorCode"] == "API_DISABLED_FOR_ORG")
            {
                return Err(OAuthError::ApiDisabled);
            }
            return Err(OAuthError::UnexpectedResponse(format!(
                "{endpoint} answered HTTP {status}"
            )));
        }
        serde_json::from_slice(&body).map_err(|e| {
            OAuthError::UnexpectedResponse(format!(
                "{endpoint}: unexpected JSON at line {} column {}",
                e.line(),
                e.column()
            ))
        })
    }
}

fn oauth_error_body(body: &[u8]) -> Option<(String, Option<String>)> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?.as_str()?.to_owned();
    let description = value
        .get("error_description")
        .and_then(|d| d.as_str())
        .map(str::to_owned);
    Some((error, description))
}

fn grant(answer: SalesforceTokenResponse) -> Result<TokenGrant, OAuthError> {
    let extra = answer.extra_fields();
    let access_token = AccessToken::new(answer.access_token().secret().clone()).map_err(|_| {
        OAuthError::UnexpectedResponse("the access token is empty or malformed".into())
    })?;
    let refresh_token = answer
        .refresh_token()
        .map(|r| RefreshToken::new(r.secret().clone()))
        .transpose()?;
    crate::InstanceUrl::parse(&extra.instance_url).map_err(|_| {
        OAuthError::UnexpectedResponse("the instance_url is not a usable URL".into())
    })?;
    Ok(TokenGrant {
        access_token,
        refresh_token,
        instance_url: extra.instance_url.clone(),
        identity: IdentityUrl::parse(&extra.id)?,
        issued_at: extra.issued_at.clone(),
        scopes: answer
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    })
}

/// Maps `oauth2`'s error without ever formatting the raw body (it may hold a token).
fn token_error(err: RequestTokenError<Error, BasicErrorResponse>) -> OAuthError {
    match err {
        RequestTokenError::ServerResponse(response) => OAuthError::from_oauth(
            response.error().as_ref(),
            response.error_description().map(String::as_str),
        ),
        RequestTokenError::Request(inner) => OAuthError::Http(inner),
        // Editions without API access answer the token request with a REST error list.
        RequestTokenError::Parse(_, body)
            if String::from_utf8_lossy(&body).contains("API_DISABLED_FOR_ORG") =>
        {
            OAuthError::ApiDisabled
        }
        RequestTokenError::Parse(source, _body) => OAuthError::UnexpectedResponse(format!(
            "unexpected token answer (at `{}`)",
            source.path()
        )),
        RequestTokenError::Other(text) => OAuthError::UnexpectedResponse(text),
    }
}
