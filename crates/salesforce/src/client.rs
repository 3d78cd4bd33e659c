//! The HTTP client: one [`Client`] per org session, cheap to clone, that sends every request
//! with the current access token, records API usage, and turns answers into typed results.
//!
//! Every call uses a path under `/services/data/v{version}/`; names are validated and data in
//! paths is percent-encoded before anything is sent. Each request runs in a `tracing` span
//! `salesforce.request` with the method, the path (never query values), the status and the
//! elapsed time; the token is never logged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::composite::{CompositeRequest, CompositeResponse, non_empty};
use crate::describe::SObjectDescribe;
use crate::error::Error;
use crate::instance::InstanceUrl;
use crate::limits::LimitInfo;
use crate::oauth::TokenRefresher;
use crate::observe::{RequestObserver, SentRequest};
use crate::path::{
    encode_query_value, encode_segment, validate_api_name, validate_external_id_value,
    validate_record_id,
};
use crate::query::{QueryPage, SearchResult};
use crate::record::Record;
use crate::secret::AccessToken;
use crate::sobject::{CreateResult, SaveResult, UpsertOutcome};
use crate::version::ApiVersion;

/// Timeouts of the underlying HTTP client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// How long to wait for a TCP/TLS connection. A failure here means nothing was sent.
    pub connect_timeout: Duration,
    /// How long a whole request may take, answer included.
    pub request_timeout: Duration,
    /// Rows per query page, sent as `Sforce-Query-Options: batchSize=N` (Salesforce accepts
    /// 200 to 2000 and treats it as a hint). `None` leaves Salesforce's default of 2000.
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm>.
    pub query_batch_size: Option<u16>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            query_batch_size: None,
        }
    }
}

/// A Salesforce REST client for one org and user. Clones share the token, the usage
/// counters and the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    instance: InstanceUrl,
    version: ApiVersion,
    /// Behind a lock so an OAuth refresh can swap it while clones are in use.
    token: RwLock<TokenSlot>,
    /// Renews the access token after a 401; `None` for a token-only client.
    refresher: Option<Arc<dyn TokenRefresher>>,
    /// Makes refresh single-flight: requests that failed with the same token generation
    /// queue here, the first refreshes, the rest see the new generation and just retry.
    refresh_gate: tokio::sync::Mutex<()>,
    last_limit: Mutex<Option<LimitInfo>>,
    requests: AtomicU64,
    /// Told about every request sent ([`Client::observe`]); set once.
    observer: OnceLock<Arc<dyn RequestObserver>>,
    query_batch_size: Option<u16>,
}

/// The current access token and how many times it was replaced, so a request that failed
/// with an old token knows someone already refreshed.
#[derive(Debug)]
struct TokenSlot {
    token: AccessToken,
    generation: u64,
}

/// A received HTTP answer.
struct Answer {
    status: u16,
    body: Vec<u8>,
    /// Method and resource, e.g. `POST composite`, for errors about this answer.
    request: String,
    content_type: Option<String>,
    /// The token it was sent with, scrubbed from any body text kept in an error.
    token: AccessToken,
}

impl Client {
    /// A client for `instance_url` (validated by [`InstanceUrl::parse`]) with default options.
    pub fn new(instance_url: &str, token: AccessToken, version: ApiVersion) -> Result<Self, Error> {
        Self::with_options(
            InstanceUrl::parse(instance_url)?,
            token,
            version,
            ClientOptions::default(),
        )
    }

    /// A client with explicit options.
    pub fn with_options(
        instance: InstanceUrl,
        token: AccessToken,
        version: ApiVersion,
        options: ClientOptions,
    ) -> Result<Self, Error> {
        Self::build(instance, token, version, options, None)
    }

    /// A client that renews its session: on a 401 it asks `refresher` for a new access
    /// token (once, shared by every request waiting at that moment) and retries the
    /// request once. See [`crate::oauth::RefreshingSession`].
    pub fn with_refresher(
        instance: InstanceUrl,
        token: AccessToken,
        version: ApiVersion,
        options: ClientOptions,
        refresher: Arc<dyn TokenRefresher>,
    ) -> Result<Self, Error> {
        Self::build(instance, token, version, options, Some(refresher))
    }

    fn build(
        instance: InstanceUrl,
        token: AccessToken,
        version: ApiVersion,
        options: ClientOptions,
        refresher: Option<Arc<dyn TokenRefresher>>,
    ) -> Result<Self, Error> {
        if let Some(size) = options.query_batch_size
            && !(200..=2000).contains(&size)
        {
            return Err(Error::InvalidInput(format!(
                "query batch size {size} is outside Salesforce's 200 to 2000"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // Salesforce's REST API does not redirect; following one could hand the token to
            // another host, and a 300 from upsert must reach us unfollowed.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ringside-salesforce/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidInput(format!("the HTTP client could not be built: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                instance,
                version,
                token: RwLock::new(TokenSlot {
                    token,
                    generation: 0,
                }),
                refresher,
                refresh_gate: tokio::sync::Mutex::new(()),
                last_limit: Mutex::new(None),
                requests: AtomicU64::new(0),
                observer: OnceLock::new(),
                query_batch_size: options.query_batch_size,
            }),
        })
    }

    /// The org's instance URL.
    pub fn instance_url(&self) -> &InstanceUrl {
        &self.inner.instance
    }

    /// The API version in every path.
    pub fn api_version(&self) -> ApiVersion {
        self.inner.version
    }

    /// Replaces the access token for all clones (after an OAuth refresh).
    pub fn set_access_token(&self, token: AccessToken) {
        let mut slot = self
            .inner
            .token
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.token = token;
        slot.generation += 1;
    }

    /// The access token in use now (to store it after a sign-in). Hand it only to a secret
    /// store.
    pub fn access_token(&self) -> AccessToken {
        self.token_slot().0
    }

    fn token_slot(&self) -> (AccessToken, u64) {
        let slot = self
            .inner
            .token
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (slot.token.clone(), slot.generation)
    }

    /// The API usage reported by the latest response that carried `Sforce-Limit-Info`.
    pub fn last_limit_info(&self) -> Option<LimitInfo> {
        *self
            .inner
            .last_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many requests this client (and its clones) sent to Salesforce: every request
    /// that got an answer or may have reached the server; connection failures, where
    /// nothing was sent, are not counted. Take the difference around an operation to report
    /// its API calls.
    pub fn api_requests_made(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Tells `observer` about every request this client and its clones send from now on
    /// (see [`crate::observe`]). A client has one observer: `false` (and `observer` unused)
    /// when one is already set, so no request is ever reported twice.
    pub fn observe(&self, observer: Arc<dyn RequestObserver>) -> bool {
        self.inner.observer.set(observer).is_ok()
    }

    /// Counts one request sent: for the client, for the operation around it
    /// ([`crate::request_count::counting_requests`]) and for the observer.
    fn note_sent(&self, sent: SentRequest) {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        crate::request_count::note_sent();
        if let Some(observer) = self.inner.observer.get() {
            observer.request_sent(&sent);
        }
    }

    /// Runs a SOQL query and returns its first page. Build `soql` with [`crate::escape`].
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm>.
    pub async fn query<T: DeserializeOwned>(&self, soql: &str) -> Result<QueryPage<T>, Error> {
        non_empty("SOQL query", soql)?;
        let path = format!("{}/query", self.base());
        let answer = self
            .execute(Method::GET, &path, Some(q_param(soql)), None, &[])
            .await?;
        decode(&answer, "a page of query results")
    }

    /// Fetches the next page of a query from its `nextRecordsUrl` (a path such as
    /// `/services/data/v66.0/query/01gxx-2000`, or the same on this instance's full URL).
    pub async fn query_more<T: DeserializeOwned>(
        &self,
        next_records_url: &str,
    ) -> Result<QueryPage<T>, Error> {
        let path = self.checked_next_url(next_records_url)?;
        let answer = self.execute(Method::GET, &path, None, None, &[]).await?;
        decode(&answer, "a page of query results")
    }

    /// Runs a SOQL query and follows `nextRecordsUrl` until `done`, returning every row.
    /// One API call per page. (This is not Salesforce's `/queryAll` resource: deleted and
    /// archived rows are not included.)
    pub async fn query_all<T: DeserializeOwned>(&self, soql: &str) -> Result<Vec<T>, Error> {
        let mut page: QueryPage<T> = self.query(soql).await?;
        let mut rows = Vec::new();
        let mut previous: Option<String> = None;
        loop {
            rows.append(&mut page.records);
            if page.done {
                return Ok(rows);
            }
            let next = page
                .next_records_url
                .take()
                .ok_or_else(|| Error::UnexpectedResponse {
                    status: 200,
                    endpoint: "GET query".into(),
                    detail: "done is false but there is no nextRecordsUrl".into(),
                })?;
            if previous.as_deref() == Some(next.as_str()) {
                // A server repeating its cursor would otherwise keep us paging forever.
                return Err(Error::UnexpectedResponse {
                    status: 200,
                    endpoint: "GET query".into(),
                    detail: "nextRecordsUrl repeated the previous page".into(),
                });
            }
            page = self.query_more(&next).await?;
            previous = Some(next);
        }
    }

    /// Runs a SOSL search. Put caller text in `FIND {"…"}` only through
    /// [`crate::escape::sosl_term`].
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm>.
    pub async fn search(&self, sosl: &str) -> Result<SearchResult, Error> {
        non_empty("SOSL search", sosl)?;
        let path = format!("{}/search", self.base());
        let answer = self
            .execute(Method::GET, &path, Some(q_param(sosl)), None, &[])
            .await?;
        decode(&answer, "search results")
    }

    /// The org's daily API usage from the Limits resource (`DailyApiRequests`: `Max`, and
    /// `Remaining`, so used = Max − Remaining), for when no answer has carried
    /// `Sforce-Limit-Info` yet. It is an API call itself, counted in its own answer.
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm>.
    pub async fn limits(&self) -> Result<LimitInfo, Error> {
        let path = format!("{}/limits", self.base());
        let answer = self.execute(Method::GET, &path, None, None, &[]).await?;
        let limits: crate::limits::Limits = decode(&answer, "the org's limits")?;
        Ok(limits.daily_api_requests.usage())
    }

    /// Describes an object: its fields as this user sees them.
    pub async fn describe(&self, object: &str) -> Result<SObjectDescribe, Error> {
        validate_api_name("object", object)?;
        let path = format!("{}/sobjects/{object}/describe", self.base());
        let answer = self.execute(Method::GET, &path, None, None, &[]).await?;
        decode(&answer, "an object description")
    }

    /// Describes an object unless its metadata is unchanged since `since` (an HTTP date such
    /// as `Sun, 22 Nov 2026 00:25:58 GMT`, typically when the cached describe was fetched):
    /// `Ok(None)` when Salesforce answers 304 Not Modified.
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm>.
    pub async fn describe_if_modified_since(
        &self,
        object: &str,
        since: &str,
    ) -> Result<Option<SObjectDescribe>, Error> {
        validate_api_name("object", object)?;
        if since.is_empty() || !since.is_ascii() || since.contains(['\r', '\n']) {
            return Err(Error::InvalidInput(format!(
                "If-Modified-Since {since:?} is not an HTTP date"
            )));
        }
        let path = format!("{}/sobjects/{object}/describe", self.base());
        let answer = self
            .execute_with_headers(
                Method::GET,
                &path,
                None,
                None,
                &[304],
                &[("If-Modified-Since", since)],
            )
            .await?;
        if answer.status == 304 {
            return Ok(None);
        }
        decode(&answer, "an object description").map(Some)
    }

    /// Creates a record from a JSON object of field values and returns its id.
    pub async fn create(&self, object: &str, body: &Value) -> Result<CreateResult, Error> {
        validate_api_name("object", object)?;
        require_object(body)?;
        let path = format!("{}/sobjects/{object}", self.base());
        let answer = self
            .execute(Method::POST, &path, None, Some(body), &[])
            .await?;
        let saved: SaveResult = decode(&answer, "a save result")?;
        check_save_result(&saved, "create result")?;
        let id = saved.id.ok_or_else(|| missing_id("a save result"))?;
        Ok(CreateResult { id })
    }

    /// Reads a record, with only `fields` when given.
    pub async fn get(
        &self,
        object: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<Record, Error> {
        validate_api_name("object", object)?;
        validate_record_id(id)?;
        let query = match fields {
            Some(fields) if !fields.is_empty() => {
                for field in fields {
                    validate_api_name("field", field)?;
                }
                Some(format!("fields={}", fields.join(",")))
            }
            _ => None,
        };
        let path = format!("{}/sobjects/{object}/{id}", self.base());
        let answer = self.execute(Method::GET, &path, query, None, &[]).await?;
        decode(&answer, "a record")
    }

    /// Updates fields of a record.
    pub async fn update(&self, object: &str, id: &str, body: &Value) -> Result<(), Error> {
        validate_api_name("object", object)?;
        validate_record_id(id)?;
        require_object(body)?;
        let path = format!("{}/sobjects/{object}/{id}", self.base());
        self.execute(Method::PATCH, &path, None, Some(body), &[])
            .await?;
        Ok(())
    }

    /// Deletes a record (it goes to the Recycle Bin).
    pub async fn delete(&self, object: &str, id: &str) -> Result<(), Error> {
        validate_api_name("object", object)?;
        validate_record_id(id)?;
        let path = format!("{}/sobjects/{object}/{id}", self.base());
        self.execute(Method::DELETE, &path, None, None, &[]).await?;
        Ok(())
    }

    /// Creates or updates the record whose external-id `field` equals `value`: the
    /// idempotent write. Several matches give [`Error::MultipleMatches`] and write nothing.
    /// See <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm>.
    pub async fn upsert_by_external_id(
        &self,
        object: &str,
        field: &str,
        value: &str,
        body: &Value,
    ) -> Result<UpsertOutcome, Error> {
        validate_api_name("object", object)?;
        validate_api_name("field", field)?;
        validate_external_id_value(value)?;
        require_object(body)?;
        let path = format!(
            "{}/sobjects/{object}/{field}/{}",
            self.base(),
            encode_segment(value)
        );
        let answer = self
            .execute(Method::PATCH, &path, None, Some(body), &[300])
            .await?;
        match answer.status {
            201 => {
                let saved: SaveResult = decode(&answer, "a save result")?;
                check_save_result(&saved, "create result")?;
                Ok(UpsertOutcome::Created {
                    id: saved.id.ok_or_else(|| missing_id("a save result"))?,
                })
            }
            300 => Err(Error::MultipleMatches {
                object: object.to_owned(),
                field: field.to_owned(),
                matches: serde_json::from_slice(&answer.body)
                    .map(|body| crate::error::matches_from_json(&body))
                    .unwrap_or_default(),
            }),
            204 => Ok(UpsertOutcome::Updated { id: None }),
            _ if answer.body.is_empty() => Ok(UpsertOutcome::Updated { id: None }),
            _ => {
                let saved: SaveResult = decode(&answer, "a save result")?;
                check_save_result(&saved, "create result")?;
                Ok(UpsertOutcome::Updated { id: saved.id })
            }
        }
    }

    /// Sends a composite request (one API call). The answer is HTTP 200 even when
    /// subrequests failed: inspect [`CompositeResponse::all_succeeded`] /
    /// [`crate::CompositeSubresponse::error`].
    pub async fn composite(&self, request: &CompositeRequest) -> Result<CompositeResponse, Error> {
        request.validate()?;
        let body = serde_json::to_value(request).map_err(|e| {
            Error::InvalidInput(format!(
                "the composite request could not be serialised: {e}"
            ))
        })?;
        let path = format!("{}/composite", self.base());
        let answer = self
            .execute(Method::POST, &path, None, Some(&body), &[])
            .await?;
        let response: CompositeResponse = decode(&answer, "a composite response")?;
        // Over a limit (25 subrequests, 5 queries) Salesforce refuses the whole request
        // inside its HTTP 200: one entry, referenceId null. There is nothing per subrequest
        // to read, so the refusal is this call's error.
        if let Some(refusal) = response.refusal() {
            return Err(refusal);
        }
        if response.composite_response.len() != request.composite_request.len() {
            return Err(Error::UnexpectedResponse {
                status: answer.status,
                endpoint: answer.request,
                detail: format!(
                    "{} subresponses for {} subrequests",
                    response.composite_response.len(),
                    request.composite_request.len()
                ),
            });
        }
        Ok(response)
    }

    fn base(&self) -> String {
        self.inner.version.base_path()
    }

    /// POSTs a JSON body to a data-API path and decodes the 2xx answer as `expected` (in
    /// words), for resources with their own module, such as [`crate::graph`].
    pub(crate) async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        expected: &str,
    ) -> Result<T, Error> {
        let answer = self
            .execute(Method::POST, path, None, Some(body), &[])
            .await?;
        decode(&answer, expected)
    }

    /// Accepts a `nextRecordsUrl` only as a path on this org's data API, so a tampered
    /// value cannot send the token elsewhere or address another resource.
    fn checked_next_url(&self, next: &str) -> Result<String, Error> {
        let path = next
            .strip_prefix(self.inner.instance.as_str())
            .unwrap_or(next);
        let ok = path.starts_with("/services/data/v")
            && path.contains("/query")
            && !path.contains("..")
            && !path.contains("//")
            && !path.contains(['?', '#', '\\'])
            && path.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(path.to_owned())
        } else {
            Err(Error::InvalidInput(format!(
                "`{}` is not a query cursor of this org (expected /services/data/vXX.X/query/…)",
                next.chars().take(120).collect::<String>().escape_debug()
            )))
        }
    }

    /// Sends a request; when the session has expired (401) and this client can refresh,
    /// refreshes (single-flight) and sends it once more. A request that got a 401 was not
    /// processed, so sending it again cannot do the work twice.
    async fn execute(
        &self,
        method: Method,
        path: &str,
        query: Option<String>,
        body: Option<&Value>,
        extra_ok: &[u16],
    ) -> Result<Answer, Error> {
        self.execute_with_headers(method, path, query, body, extra_ok, &[])
            .await
    }

    /// [`Client::execute`] with extra request headers (e.g. `If-Modified-Since`).
    async fn execute_with_headers(
        &self,
        method: Method,
        path: &str,
        query: Option<String>,
        body: Option<&Value>,
        extra_ok: &[u16],
        headers: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let (outcome, generation) = self
            .execute_once(method.clone(), path, query.clone(), body, extra_ok, headers)
            .await;
        match (outcome, &self.inner.refresher) {
            (Err(err), Some(refresher)) if err.needs_reauth() => {
                self.refresh_after(generation, refresher.as_ref()).await?;
                self.execute_once(method, path, query, body, extra_ok, headers)
                    .await
                    .0
            }
            (outcome, _) => outcome,
        }
    }

    /// Replaces the token that failed (generation `seen`) unless another request already
    /// did while this one waited at the gate.
    async fn refresh_after(&self, seen: u64, refresher: &dyn TokenRefresher) -> Result<(), Error> {
        let _gate = self.inner.refresh_gate.lock().await;
        if self.token_slot().1 != seen {
            tracing::debug!("session already refreshed by a concurrent request");
            return Ok(());
        }
        let refreshed = refresher.refresh().await;
        if !matches!(&refreshed, Err(err) if err.nothing_sent())
            && let Some(observer) = self.inner.observer.get()
        {
            observer.token_request_sent();
        }
        self.set_access_token(refreshed?);
        Ok(())
    }

    /// Sends one request and reads the whole answer. 2xx (and `extra_ok`) statuses come
    /// back as an [`Answer`]; others become errors. Also returns the generation of the
    /// token it sent.
    async fn execute_once(
        &self,
        method: Method,
        path: &str,
        query: Option<String>,
        body: Option<&Value>,
        extra_ok: &[u16],
        headers: &[(&str, &str)],
    ) -> (Result<Answer, Error>, u64) {
        let endpoint = request_name(&method, path);
        let span = tracing::info_span!(
            "salesforce.request",
            method = %method,
            path = %path,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let (token, generation) = self.token_slot();
        let outcome = async {
            let url = match &query {
                Some(query) => format!("{}{path}?{query}", self.inner.instance),
                None => format!("{}{path}", self.inner.instance),
            };
            // Cloned out of the lock so no lock is held across the await.
            let token = token.clone();
            let mut request = self
                .inner
                .http
                .request(method.clone(), url)
                .bearer_auth(token.expose_secret())
                .header(ACCEPT, "application/json");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            if let Some(size) = self.inner.query_batch_size
                && path.contains("/query")
            {
                request = request.header("Sforce-Query-Options", format!("batchSize={size}"));
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    let err = Error::from_transport(endpoint.clone(), err);
                    if !err.nothing_sent() {
                        self.note_sent(SentRequest {
                            status: None,
                            limit: None,
                        });
                    }
                    return Err(err);
                }
            };
            let status = response.status().as_u16();
            let limit = response
                .headers()
                .get("sforce-limit-info")
                .and_then(|v| v.to_str().ok())
                .and_then(LimitInfo::parse_header);
            if let Some(limit) = limit {
                *self
                    .inner
                    .last_limit
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(limit);
            }
            self.note_sent(SentRequest {
                status: Some(status),
                limit,
            });
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response
                .bytes()
                .await
                .map_err(|err| Error::from_transport(endpoint.clone(), err))?;
            tracing::Span::current().record("status", status);
            if (200..300).contains(&status) || extra_ok.contains(&status) {
                Ok(Answer {
                    status,
                    body: bytes.to_vec(),
                    request: endpoint.clone(),
                    content_type,
                    token: token.clone(),
                })
            } else {
                Err(Error::from_response(
                    status,
                    &endpoint,
                    content_type.as_deref(),
                    &bytes,
                    token.expose_secret(),
                ))
            }
        }
        .instrument(span.clone())
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        span.record("elapsed_ms", elapsed_ms);
        let _entered = span.enter();
        match &outcome {
            Ok(answer) => tracing::debug!(
                status = answer.status,
                elapsed_ms,
                "salesforce request done"
            ),
            Err(err) => {
                tracing::warn!(code = %err.code(), elapsed_ms, error = %err, "salesforce request failed")
            }
        }
        (outcome, generation)
    }
}

fn q_param(text: &str) -> String {
    format!("q={}", encode_query_value(text))
}

fn require_object(body: &Value) -> Result<(), Error> {
    if body.is_object() {
        Ok(())
    } else {
        Err(Error::InvalidInput(
            "a record body must be a JSON object of field values".into(),
        ))
    }
}

/// `POST composite`, `GET sobjects/Contact/003…`: the method and the resource below the
/// versioned data path, as errors name a request.
fn request_name(method: &Method, path: &str) -> String {
    let resource = path
        .strip_prefix("/services/data/")
        .and_then(|rest| rest.split_once('/'))
        .map_or(path, |(_, resource)| resource);
    format!("{method} {resource}")
}

/// Reads a success answer as `T`; `expected` says what it should have been, in words
/// (`a composite response`), for the error when it is not.
fn decode<T: DeserializeOwned>(answer: &Answer, expected: &str) -> Result<T, Error> {
    serde_json::from_slice(&answer.body).map_err(|source| {
        Error::unreadable(
            &answer.request,
            answer.status,
            expected,
            answer.content_type.as_deref(),
            &answer.body,
            Some(source),
            answer.token.expose_secret(),
        )
    })
}

fn missing_id(context: &str) -> Error {
    Error::UnexpectedResponse {
        status: 201,
        endpoint: context.to_owned(),
        detail: "the answer has no record id".into(),
    }
}

/// A 2xx save result with `success: false` is still a failure; report its errors.
fn check_save_result(saved: &SaveResult, context: &str) -> Result<(), Error> {
    if saved.success == Some(false) {
        let errors = crate::error::ApiError::list_from_json(&Value::Array(saved.errors.clone()));
        return Err(match errors {
            Some(errors) => Error::Api {
                status: 200,
                errors,
            },
            None => Error::UnexpectedResponse {
                status: 200,
                endpoint: context.to_owned(),
                detail: "success is false without a readable error".into(),
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            "https://acme.my.salesforce.com",
            AccessToken::new("tok").unwrap(),
            ApiVersion::DEFAULT,
        )
        .unwrap()
    }

    #[test]
    fn next_records_url_must_stay_on_this_org_data_api() {
        let c = client();
        assert_eq!(
            c.checked_next_url("/services/data/v66.0/query/01gD0000002HU6KIAW-2000")
                .unwrap(),
            "/services/data/v66.0/query/01gD0000002HU6KIAW-2000"
        );
        assert_eq!(
            c.checked_next_url("https://acme.my.salesforce.com/services/data/v66.0/query/01g-2")
                .unwrap(),
            "/services/data/v66.0/query/01g-2",
            "a full URL on this instance is reduced to its path"
        );
        for bad in [
            "https://evil.example/services/data/v66.0/query/01g-2",
            "//evil.example/services/data/v66.0/query/x",
            "/services/data/v66.0/query/../sobjects/User",
            "/services/data/v66.0/query/x?q=1",
            "/services/oauth2/revoke",
            "01gD0000002HU6KIAW-2000",
            "",
        ] {
            assert!(
                c.checked_next_url(bad).is_err(),
                "`{bad}` must not be followed"
            );
        }
    }

    #[test]
    fn three_hundred_body_lists_every_match() {
        let body = serde_json::json!([
            "/services/data/v66.0/sobjects/Call_Log__c/a00000000000001AAA",
            "/services/data/v66.0/sobjects/Call_Log__c/a00000000000002AAA"
        ]);
        assert_eq!(
            crate::error::matches_from_json(&body).len(),
            2,
            "both candidates are named in the error"
        );
        let objects =
            serde_json::json!([{"attributes": {"url": "/a"}}, {"id": "a00000000000002AAA"}]);
        assert_eq!(
            crate::error::matches_from_json(&objects),
            vec!["/a".to_string(), "a00000000000002AAA".to_string()]
        );
        assert!(
            crate::error::matches_from_json(&serde_json::json!({"x": 1})).is_empty(),
            "another shape gives an empty list, not a panic"
        );
    }

    #[test]
    fn requests_are_named_by_method_and_resource() {
        assert_eq!(
            request_name(&Method::POST, "/services/data/v66.0/composite"),
            "POST composite"
        );
        assert_eq!(
            request_name(&Method::GET, "/services/data/v66.0/sobjects/Contact/003"),
            "GET sobjects/Contact/003"
        );
        assert_eq!(
            request_name(&Method::POST, "/services/oauth2/revoke"),
            "POST /services/oauth2/revoke",
            "paths outside the data API are kept whole"
        );
    }

    #[test]
    fn save_result_with_success_false_is_an_error() {
        let saved: SaveResult = serde_json::from_str(
            r#"{"id":null,"success":false,"errors":[{"message":"dup","errorCode":"DUPLICATES_DETECTED","fields":[]}]}"#,
        )
        .unwrap();
        let err = check_save_result(&saved, "create result").unwrap_err();
        assert_eq!(
            err.code(),
            "DUPLICATES_DETECTED",
            "the listed error is surfaced"
        );
    }

    #[test]
    fn clones_share_token_and_counters() {
        let a = client();
        let b = a.clone();
        b.set_access_token(AccessToken::new("other").unwrap());
        assert_eq!(
            a.access_token().expose_secret(),
            "other",
            "refresh must reach every clone"
        );
        assert_eq!(a.api_requests_made(), 0);
        assert!(
            !format!("{a:?}").contains("other"),
            "Debug of the client must not show the token"
        );
    }

    #[test]
    fn bad_names_fail_before_any_request() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let c = client();
        let err = rt.block_on(c.describe("Contact/../User")).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)) && err.nothing_sent(),
            "got {err:?}"
        );
        let err = rt.block_on(c.get("Contact", "../x", None)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "got {err:?}");
        let err = rt
            .block_on(c.get(
                "Contact",
                "003000000000001",
                Some(&["Name", "Id FROM User"]),
            ))
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "field lists are validated too: {err:?}"
        );
        let err = rt
            .block_on(c.upsert_by_external_id(
                "Call_Log__c",
                "External_Id__c",
                "..",
                &serde_json::json!({}),
            ))
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(_)),
            "dot segments are refused: {err:?}"
        );
        assert_eq!(
            c.api_requests_made(),
            0,
            "nothing was sent for invalid input"
        );
    }
}
