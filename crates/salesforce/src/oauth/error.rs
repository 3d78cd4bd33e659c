//! Why signing in or refreshing failed. Salesforce's OAuth errors
//! (`{"error","error_description"}`) become variants; none carries a token.

/// An OAuth failure, each with the next step in its message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// `invalid_grant`: the code or refresh token is no longer valid (revoked, expired,
    /// already used). For a refresh this means the user is signed out.
    #[error("Salesforce no longer accepts this sign-in ({description}); sign in again")]
    InvalidGrant { description: String },
    /// The org's edition has no API access (`API_DISABLED_FOR_ORG`).
    #[error(
        "this Salesforce org has no API access (API_DISABLED_FOR_ORG): Essentials and Professional editions without the API add-on cannot be used by Ringside; ask your Salesforce admin or account executive for API access"
    )]
    ApiDisabled,
    /// The consumer key is unknown to this login host.
    #[error(
        "Salesforce does not know this consumer key ({error}: {description}); check the client id from the External Client App and that the login URL is the org's (production vs sandbox vs My Domain)"
    )]
    UnknownClient { error: String, description: String },
    /// Any other OAuth error Salesforce listed.
    #[error("Salesforce refused the sign-in: {error}{}", if description.is_empty() { String::new() } else { format!(" ({description})") })]
    Refused { error: String, description: String },
    /// No usable HTTP answer (network, TLS, timeout).
    #[error("{0}")]
    Http(#[source] crate::Error),
    /// An answer that is not what an OAuth endpoint returns.
    #[error("Salesforce's sign-in answer could not be read: {0}")]
    UnexpectedResponse(String),
    /// Bad settings caught before anything was sent.
    #[error("{0}")]
    InvalidConfig(String),
}

impl OAuthError {
    /// Builds the variant for an OAuth `error` code and description.
    pub fn from_oauth(error: &str, description: Option<&str>) -> Self {
        let description = description.unwrap_or_default().to_owned();
        if error.eq_ignore_ascii_case("API_DISABLED_FOR_ORG")
            || description.contains("API_DISABLED_FOR_ORG")
        {
            return OAuthError::ApiDisabled;
        }
        match error {
            "invalid_grant" => OAuthError::InvalidGrant { description },
            "invalid_client_id" | "invalid_client" => OAuthError::UnknownClient {
                error: error.to_owned(),
                description,
            },
            _ => OAuthError::Refused {
                error: error.to_owned(),
                description,
            },
        }
    }

    /// True when nothing reached Salesforce (bad settings, or no connection could be made):
    /// such a request used none of the org's requests, so it is not counted as sent.
    pub fn nothing_sent(&self) -> bool {
        match self {
            OAuthError::InvalidConfig(_) => true,
            OAuthError::Http(err) => err.nothing_sent(),
            _ => false,
        }
    }

    /// The OAuth error code, when Salesforce sent one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            OAuthError::InvalidGrant { .. } => Some("invalid_grant"),
            OAuthError::UnknownClient { error, .. } | OAuthError::Refused { error, .. } => {
                Some(error)
            }
            _ => None,
        }
    }
}

impl From<OAuthError> for crate::Error {
    fn from(err: OAuthError) -> Self {
        match err {
            OAuthError::Http(inner) => inner,
            OAuthError::InvalidConfig(text) => crate::Error::InvalidInput(text),
            OAuthError::UnexpectedResponse(detail) => crate::Error::UnexpectedResponse {
                status: 200,
                endpoint: "POST /services/oauth2/token".into(),
                detail,
            },
            other => crate::Error::OAuth {
                error: other
                    .oauth_code()
                    .unwrap_or("API_DISABLED_FOR_ORG")
                    .to_owned(),
                description: Some(other.to_string()),
            },
        }
    }
}
