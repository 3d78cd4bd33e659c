//! One conformance case: a documented request sent raw over HTTP to a fresh demo org, and
//! the documented answer it must get. Raw on purpose: the client's request builders have
//! their own tests, and a case must be able to send what the client never would (too many
//! subrequests, a wrong `Content-Type`, …).

use std::time::Duration;

use demo_org::DemoOrg;
use serde_json::Value;

/// The API version every case addresses (the demo org serves v60.0 to v66.0).
pub const VERSION: &str = "v66.0";

/// A documented request and the answer Salesforce documents for it.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the case checks, in words.
    pub name: &'static str,
    /// The documentation page the expected answer comes from.
    pub doc: &'static str,
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path under `/services/data/vNN.N/` (no leading slash), query string included.
    pub path: String,
    /// A JSON body, sent as `application/json`.
    pub body: Option<Value>,
    /// Extra headers (e.g. `If-Match`, or a `Content-Type` that replaces the JSON one).
    pub headers: Vec<(&'static str, String)>,
    /// The documented HTTP status.
    pub status: u16,
    /// The documented `errorCode`, for an error answer: looked up in a top-level error list,
    /// or, for a `/composite` answered 200, in the first subresponse's body.
    pub error_code: Option<&'static str>,
}

/// What the demo org answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    #[allow(dead_code, reason = "for cases that check a response header")]
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    /// The body as JSON; panics (naming the case) if it is not JSON.
    pub fn json(&self, case: &Case) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "{}: the answer is not JSON ({e}): {}\n  documented at {}",
                case.name, self.text, case.doc
            )
        })
    }
}

impl Case {
    /// A case with no body, no extra headers, expecting 200.
    pub fn new(
        name: &'static str,
        doc: &'static str,
        method: reqwest::Method,
        path: impl Into<String>,
    ) -> Self {
        Case {
            name,
            doc,
            method,
            path: path.into(),
            body: None,
            headers: Vec::new(),
            status: 200,
            error_code: None,
        }
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    #[allow(
        dead_code,
        reason = "for cases that send their own headers (If-Match, Content-Type)"
    )]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The documented answer: a status and, for errors, the `errorCode`.
    pub fn answers(mut self, status: u16, error_code: Option<&'static str>) -> Self {
        self.status = status;
        self.error_code = error_code;
        self
    }

    /// Sends the request to `org` with a fresh token and checks the documented status and
    /// error code; returns the answer for further checks of its shape.
    pub async fn check(&self, org: &DemoOrg) -> Answer {
        let token = org.issue_access_token();
        self.check_with_token(org, &token).await
    }

    /// [`Case::check`] with a given bearer token.
    pub async fn check_with_token(&self, org: &DemoOrg, token: &str) -> Answer {
        let answer = self.send(org, token).await;
        assert_eq!(
            answer.status, self.status,
            "{}: expected HTTP {}, got {}: {}\n  documented at {}",
            self.name, self.status, answer.status, answer.text, self.doc
        );
        if let Some(expected) = self.error_code {
            let body = answer.json(self);
            let found = error_code_of(&body);
            assert_eq!(
                found.as_deref(),
                Some(expected),
                "{}: expected errorCode {expected}: {}\n  documented at {}",
                self.name,
                answer.text,
                self.doc
            );
        }
        answer
    }

    /// Sends the request without checking anything.
    pub async fn send(&self, org: &DemoOrg, token: &str) -> Answer {
        let url = format!("{}/services/data/{VERSION}/{}", org.base_url(), self.path);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client");
        let mut request = client.request(self.method.clone(), &url).bearer_auth(token);
        if let Some(body) = &self.body {
            // A case's own Content-Type replaces the JSON one (not sent beside it).
            if !self
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("Content-Type"))
            {
                request = request.header("Content-Type", "application/json");
            }
            request = request.body(body.to_string());
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: the demo org did not answer: {e}", self.name));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Answer {
            status,
            headers,
            text,
        }
    }
}

/// The `errorCode` of an error answer: the first entry of a top-level error list, of the
/// first subresponse of a composite answer (`{"compositeResponse":[{"body":[…]}]}`), or, for
/// a graph answer, of the first graph's first node that is not `PROCESSING_HALTED` (the one
/// that failed the graph).
pub fn error_code_of(body: &Value) -> Option<String> {
    let code = |list: &Value| list.get(0)?.get("errorCode")?.as_str().map(str::to_owned);
    match body {
        Value::Array(_) => code(body),
        Value::Object(o) if o.contains_key("graphs") => {
            let nodes = o
                .get("graphs")?
                .get(0)?
                .get("graphResponse")?
                .get("compositeResponse")?
                .as_array()?;
            let codes: Vec<String> = nodes.iter().filter_map(|n| code(n.get("body")?)).collect();
            codes
                .iter()
                .find(|c| *c != "PROCESSING_HALTED")
                .or(codes.first())
                .cloned()
        }
        Value::Object(o) => code(o.get("compositeResponse")?.get(0)?.get("body")?),
        _ => None,
    }
}

/// A fresh demo org (own port, own data) for one case.
pub async fn org() -> DemoOrg {
    org_with(demo_org::DemoOrgConfig::default()).await
}

/// A fresh demo org started with `config` (e.g. a small daily API allocation).
pub async fn org_with(config: demo_org::DemoOrgConfig) -> DemoOrg {
    demo_org::start(config)
        .await
        .expect("the demo org must start on a free loopback port")
}

/// A `salesforce::Client` for `org` with a fresh token: to read a case's answer through the
/// client's own request and response handling.
pub fn client(org: &DemoOrg) -> salesforce::Client {
    let token = salesforce::AccessToken::new(org.issue_access_token())
        .expect("the demo org issues usable tokens");
    salesforce::Client::new(&org.base_url(), token, salesforce::ApiVersion::DEFAULT)
        .expect("a client for the demo org")
}

/// The Salesforce error list of an error answer, read by the client's parser.
pub fn api_errors(case: &Case, answer: &Answer) -> Vec<salesforce::ApiError> {
    salesforce::ApiError::list_from_json(&answer.json(case)).unwrap_or_else(|| {
        panic!(
            "{}: the client cannot read the error list: {}\n  documented at {}",
            case.name, answer.text, case.doc
        )
    })
}
