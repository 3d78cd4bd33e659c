//! Sessions and sign-in: access tokens end with the org's session timeout, a token without
//! the `api` scope cannot call the REST API, authorization codes expire after 15 minutes and
//! are single use (a replay revokes what the code produced), and SOSL does not find a record
//! until the search index has caught up with it.
//!
//! Each answer is read through the client's own parsers: [`salesforce::Error`] and its
//! `needs_reauth()`, [`OAuthError`] from the `oauth` module, [`salesforce::SearchResult`].
//!
//! Where the pages are silent, the demo org takes the stricter reading (see `demo_org`'s
//! `sessions` module doc): a token ends a fixed time after it was issued however much it is
//! used, and a replayed code revokes the tokens of its first exchange.

use std::time::Duration;

use reqwest::Method;
use salesforce::oauth::{LoginUrl, OAuthApp, OAuthError, ScopeProfile};
use salesforce::{AccessToken, ApiVersion, Client, ErrorCode, Record};
use serde_json::json;

use crate::case::{Case, api_errors, client, org};

/// "Access tokens have a limited lifetime specified by the session timeout in Salesforce. If
/// an application uses an expired access token, a 'Session expired or invalid' error is
/// returned."
const REFRESH_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.198.0.api_rest.meta/api_rest/intro_understanding_refresh_token_oauth.htm";
/// "Sessions automatically expire after the amount of time specified in the Security
/// Controls setup area … (default two hours). When your session expires, the exception code
/// INVALID_SESSION_ID is returned."
const TIMEOUT_DOC: &str = "https://developer.salesforce.com/docs/platform/api-metadata/guide/meta-error-handling-session-exp.html";
/// A token whose app lacks the "Manage user data via APIs (api)" scope: "401 Unauthorized —
/// This session is not valid for use with the REST API".
const API_SCOPE_DOC: &str = "https://help.salesforce.com/s/articleView?id=005226515&type=1";
/// "OAuth Tokens and Scopes": `chatter_api` "allows access to Connect REST API resources only";
/// `api` allows the REST API (and, with it, Connect REST API resources).
const SCOPES_DOC: &str =
    "https://help.salesforce.com/HTViewHelpDoc?id=remoteaccess_oauth_scopes.htm&language=en_US";
/// The web-server flow: the authorization code expires after 15 minutes. The answer's text,
/// `{"error":"invalid_grant","error_description":"expired authorization code"}`, is a real
/// org's, recorded in newrelic/newrelic-salesforce-exporter#31.
const CODE_DOC: &str =
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5";
/// "If an authorization code is used more than once, the authorization server MUST deny the
/// request and SHOULD revoke (when possible) all tokens previously issued based on that
/// authorization code." Salesforce's pages do not say whether it revokes: the stricter reading.
const REPLAY_DOC: &str = "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2";
/// "After a searchable object's record is created or updated, it could take about 15 minutes
/// or more for the updated text to become searchable."
const INDEX_DOC: &str = "https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-concepts-search-architecture.html";

const REDIRECT: &str = "http://127.0.0.1:49998/oauth/callback";
const HOUR: Duration = Duration::from_secs(60 * 60);
const MINUTE: Duration = Duration::from_secs(60);

fn app(org: &demo_org::DemoOrg) -> OAuthApp {
    OAuthApp::new(
        LoginUrl::parse(&org.base_url()).expect("a loopback login URL"),
        demo_org::DEMO_CLIENT_ID,
        REDIRECT,
    )
    .expect("an app for the demo org")
}

/// Opens `url` as a browser would and returns the `code` of the redirect to the callback.
async fn code_from(url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain HTTP client");
    let answer = http.get(url).send().await.expect("authorize answers");
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("authorize redirects: HTTP {}", answer.status()))
        .to_owned();
    url::Url::parse(&location)
        .expect("a callback URL")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in the redirect: {location}"))
}

fn client_with_token(org: &demo_org::DemoOrg, token: &str) -> Client {
    Client::new(
        &org.base_url(),
        AccessToken::new(token.to_owned()).expect("a usable token"),
        ApiVersion::DEFAULT,
    )
    .expect("a client for the demo org")
}

#[tokio::test]
async fn an_access_token_is_401_invalid_session_id_after_the_session_timeout() {
    let org = org().await;
    let token = org.issue_access_token();
    let client = client(&org);
    let case = Case::new(
        "sessions: a token two hours old (the default session timeout) is 401 INVALID_SESSION_ID",
        TIMEOUT_DOC,
        Method::GET,
        "limits",
    )
    .answers(401, Some("INVALID_SESSION_ID"));
    org.advance_clock(HOUR + 59 * MINUTE);
    Case::new(
        "sessions: a token just under two hours old still works",
        TIMEOUT_DOC,
        Method::GET,
        "limits",
    )
    .check_with_token(&org, &token)
    .await;
    org.advance_clock(MINUTE);
    let answer = case.check_with_token(&org, &token).await;
    let errors = api_errors(&case, &answer);
    assert_eq!(
        (errors[0].error_code.clone(), errors[0].message.as_str()),
        (ErrorCode::InvalidSessionId, "Session expired or invalid"),
        "{}: the client reads Salesforce's words\n  documented at {REFRESH_DOC}",
        case.name
    );
    let err = client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect_err("the client's token is as old");
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(
        err.needs_reauth() && !err.is_retryable(),
        "{}: the client refreshes and retries once, it does not queue a retry ({err})",
        case.name
    );
}

/// An access token granted for `scope` through the web-server flow, raw: no scope profile
/// leaves out `api` (Ringside never asks for less), so the cases send what the client would not.
async fn token_with_scope(org: &demo_org::DemoOrg, scope: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain HTTP client");
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let authorize = http
        .get(format!("{}/services/oauth2/authorize", org.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", demo_org::DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("scope", scope),
        ])
        .build()
        .expect("an authorize URL");
    let code = code_from(authorize.url().as_str()).await;
    let grant: serde_json::Value = http
        .post(format!("{}/services/oauth2/token", org.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", demo_org::DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .expect("token answers")
        .json()
        .await
        .expect("a JSON grant");
    grant["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

#[tokio::test]
async fn a_token_without_the_api_scope_is_refused_by_the_rest_api() {
    let org = org().await;
    let token = &token_with_scope(&org, "id refresh_token").await;
    let case = Case::new(
        "sessions: a token granted without the api scope is 401 INVALID_SESSION_ID on the REST API",
        API_SCOPE_DOC,
        Method::GET,
        "sobjects",
    )
    .answers(401, Some("INVALID_SESSION_ID"));
    let answer = case.check_with_token(&org, token).await;
    let errors = api_errors(&case, &answer);
    assert_eq!(
        errors[0].message, "This session is not valid for use with the REST API",
        "{}\n  documented at {}",
        case.name, case.doc
    );
    // Chatter's Connect REST resources too: a token needs `api` (or `chatter_api`, which
    // "allows access to Connect REST API resources only"); this one has neither.
    Case::new(
        "sessions: a token without api or chatter_api is 401 INVALID_SESSION_ID on chatter/feed-elements",
        SCOPES_DOC,
        Method::GET,
        format!(
            "chatter/feeds/record/{}/feed-elements",
            demo_org::seed::JANE_OPEN_OPPORTUNITY_ID
        ),
    )
    .answers(401, Some("INVALID_SESSION_ID"))
    .check_with_token(&org, token)
    .await;
    let err = client_with_token(&org, token)
        .describe("Contact")
        .await
        .expect_err("the client's request is refused too");
    assert!(
        err.needs_reauth() && err.api_errors()[0].error_code == ErrorCode::InvalidSessionId,
        "{}: the client sees a session problem (a refresh keeps the scopes, so the retry fails the same way) ({err})",
        case.name
    );
}

#[tokio::test]
async fn an_authorization_code_expires_after_fifteen_minutes() {
    let org = org().await;
    let app = app(&org);
    let pending = app.authorize(ScopeProfile::Standard);
    let code = code_from(&pending.url).await;
    org.advance_clock(15 * MINUTE);
    let err = app
        .exchange_code(&code, pending)
        .await
        .expect_err("a 15-minute-old code is refused");
    match &err {
        OAuthError::InvalidGrant { description } => assert_eq!(
            description, "expired authorization code",
            "sessions: the documented expiry, in a real org's words\n  documented at {CODE_DOC}"
        ),
        other => panic!(
            "sessions: an expired code is invalid_grant, got {other:?}\n  documented at {CODE_DOC}"
        ),
    }
    let pending = app.authorize(ScopeProfile::Standard);
    let code = code_from(&pending.url).await;
    org.advance_clock(14 * MINUTE);
    app.exchange_code(&code, pending)
        .await
        .expect("a 14-minute-old code is still good");
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_the_tokens_it_produced() {
    let org = org().await;
    let app = app(&org);
    let first = app.authorize(ScopeProfile::Standard);
    let again = app.authorize(ScopeProfile::Standard);
    let code = code_from(&first.url).await;
    let grant = app
        .exchange_code(&code, first)
        .await
        .expect("the first exchange");
    let client = Client::new(
        &org.base_url(),
        grant.access_token.clone(),
        ApiVersion::DEFAULT,
    )
    .expect("a client");
    client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("the first exchange's token works");
    let err = app
        .exchange_code(&code, again)
        .await
        .expect_err("a code is single use");
    assert!(
        matches!(err, OAuthError::InvalidGrant { .. }),
        "sessions: a replayed code is invalid_grant, got {err:?}\n  documented at {REPLAY_DOC}"
    );
    let err = client
        .query::<Record>("SELECT Id FROM Account LIMIT 1")
        .await
        .expect_err("the replay revoked the access token");
    assert!(
        err.needs_reauth(),
        "sessions: {err}\n  documented at {REPLAY_DOC}"
    );
    let refresh = grant
        .refresh_token
        .expect("the standard profile brings one");
    let err = app
        .refresh(&refresh)
        .await
        .expect_err("the replay revoked the refresh token");
    assert!(
        matches!(err, OAuthError::InvalidGrant { .. }),
        "sessions: the refresh token died with the code, got {err:?}\n  documented at {REPLAY_DOC}"
    );
}

#[tokio::test]
async fn sosl_does_not_find_a_record_until_the_index_has_caught_up() {
    let org = org().await;
    let client = client(&org);
    let created = client
        .create(
            "Contact",
            &json!({"LastName": "Indexlag", "Phone": "(646) 555-0142"}),
        )
        .await
        .expect("the Contact is created");
    let sosl = "FIND {6465550142} IN PHONE FIELDS RETURNING Contact(Id)";
    let path = format!("search?q={}", urlencode(sosl));
    let case = Case::new(
        "search: a record created a moment ago is not found yet (the index lags)",
        INDEX_DOC,
        Method::GET,
        path.clone(),
    );
    let answer = case.check(&org).await;
    let found: salesforce::SearchResult =
        serde_json::from_str(&answer.text).expect("the client reads the search answer");
    assert!(
        found.search_records.is_empty(),
        "{}: {}\n  documented at {}",
        case.name,
        answer.text,
        case.doc
    );
    org.advance_clock(demo_org::DEFAULT_INDEX_LAG);
    let found = client.search(sosl).await.expect("the search answers");
    assert_eq!(
        found
            .search_records
            .iter()
            .filter_map(|r| r.id())
            .collect::<Vec<_>>(),
        vec![created.id.as_str()],
        "search: once the index has caught up the record is found\n  documented at {INDEX_DOC}"
    );
}

fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `chatter_api` "allows access to Connect REST API resources only": such a token posts to a
/// record's feed, and the rest of the REST API refuses it as a token without `api`.
#[tokio::test]
async fn a_chatter_api_token_reaches_connect_resources_only() {
    let org = org().await;
    let token = &token_with_scope(&org, "chatter_api refresh_token").await;
    Case::new(
        "sessions: a chatter_api token posts a feed element",
        SCOPES_DOC,
        Method::POST,
        "chatter/feed-elements",
    )
    .body(serde_json::json!({
        "feedElementType": "FeedItem",
        "subjectId": demo_org::seed::JANE_OPEN_OPPORTUNITY_ID,
        "body": {"messageSegments": [{"type": "Text", "text": "Qualified"}]},
    }))
    .answers(201, None)
    .check_with_token(&org, token)
    .await;
    Case::new(
        "sessions: a chatter_api token without api is 401 INVALID_SESSION_ID on sobjects",
        API_SCOPE_DOC,
        Method::GET,
        "sobjects",
    )
    .answers(401, Some("INVALID_SESSION_ID"))
    .check_with_token(&org, token)
    .await;
}
