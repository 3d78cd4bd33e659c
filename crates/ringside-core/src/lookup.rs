//! The screen-pop lookup: one Salesforce request per lookup, results kept only
//! when a stored number or email really is the caller's, ranked for the agent.
//!
//! Salesforce stores phone numbers as typed and its search does not reliably
//! ignore formatting, so [`sosl`] searches several renderings of the number at
//! once and [`matching`] throws away whatever does not normalise to the caller.

mod matching;
mod model;
mod related;
mod sosl;

use crate::ipc_code::IpcCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use thiserror::Error;

pub use model::{
    CallerMatch, CallerObject, LookupResult, MatchSource, OpenCase, OpenOpportunity, QueryKind,
    RelatedRecords,
};

use crate::phone::{CallerQuery, InputError, parse_caller_input};
use crate::settings::LookupSettings;

/// Why a lookup found nothing to show. [`LookupError::code`] is what a UI
/// branches on; `Display` is one line for a person, with the next step.
#[derive(Debug, Error)]
pub enum LookupError {
    /// The input is not a phone number or email address; nothing was sent.
    #[error("{0}")]
    InvalidInput(#[from] InputError),
    /// Not a Salesforce record id; nothing was sent.
    #[error("{0}")]
    InvalidRecordId(salesforce::Error),
    /// The instance URL or API version in the org's settings is unusable.
    #[error("the org connection is misconfigured: {0}")]
    Misconfigured(String),
    /// Salesforce could not be reached (connection refused, DNS, timeout).
    #[error("Salesforce could not be reached ({0}); check the network and try again")]
    Unreachable(salesforce::Error),
    /// The session ended (expired or revoked token).
    #[error("the Salesforce session has ended; {}", signed_out_next_step(.0))]
    SignedOut(salesforce::Error),
    /// The org's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED): no search can
    /// be sent until it frees up; pops already in the cache still show.
    #[error(
        "the org's daily API allowance is used up, so Salesforce refuses searches for now (every integration of the org shares it); search the number in Salesforce, and ask your admin"
    )]
    AllowanceUsedUp(salesforce::Error),
    /// Salesforce answered with an error.
    #[error("Salesforce refused the search: {0}")]
    Salesforce(salesforce::Error),
    /// The record whose related records were asked for no longer exists (or this
    /// user cannot see it).
    #[error("the record {id} no longer exists in Salesforce or is not visible to you")]
    RecordNotFound { id: String },
    /// An optional request (related records on demand) held back by the governor: the org
    /// is near its daily API allocation ([`crate::api_usage::governor`]); nothing was sent.
    #[error(
        "related records are not loaded for now: {0}; open the record in Salesforce to see them"
    )]
    OptionalPaused(crate::api_usage::Paused),
}

/// The next step for a signed-out lookup: the session's own hint (it knows the org's
/// alias) when the sign-in was ended by Salesforce, else the generic one.
fn signed_out_next_step(err: &salesforce::Error) -> String {
    match err {
        salesforce::Error::SignedOut { hint, .. } => hint.clone(),
        _ => "sign in again with `ringside org login`".to_owned(),
    }
}

impl LookupError {
    /// A stable code for UIs and scripts: `invalid_input`, `misconfigured`,
    /// `salesforce_unreachable`, `signed_out`, `api_allowance_used_up`, `salesforce_error`,
    /// `record_not_found`, `api_optional_paused`.
    pub fn code(&self) -> IpcCode {
        match self {
            LookupError::InvalidInput(_) | LookupError::InvalidRecordId(_) => IpcCode::InvalidInput,
            LookupError::RecordNotFound { .. } => IpcCode::RecordNotFound,
            LookupError::Misconfigured(_) => IpcCode::Misconfigured,
            LookupError::Unreachable(_) => IpcCode::SalesforceUnreachable,
            LookupError::SignedOut(_) => IpcCode::SignedOut,
            LookupError::AllowanceUsedUp(_) => IpcCode::ApiAllowanceUsedUp,
            LookupError::Salesforce(_) => IpcCode::SalesforceError,
            LookupError::OptionalPaused(_) => IpcCode::ApiOptionalPaused,
        }
    }

    fn from_salesforce(err: salesforce::Error) -> Self {
        if err.needs_reauth() {
            LookupError::SignedOut(err)
        } else if matches!(err, salesforce::Error::Transport { .. }) {
            LookupError::Unreachable(err)
        } else if err
            .api_errors()
            .iter()
            .any(|e| e.error_code == salesforce::ErrorCode::RequestLimitExceeded)
        {
            LookupError::AllowanceUsedUp(err)
        } else {
            LookupError::Salesforce(err)
        }
    }
}

/// Finds callers in one org. Cheap to clone; safe to share between tasks.
#[derive(Debug, Clone)]
pub struct CallerLookup {
    client: salesforce::Client,
    settings: LookupSettings,
    /// The related-record subrequests every pop sends, built on first use and
    /// shared by clones: they do not depend on the caller.
    related: Arc<OnceLock<Vec<salesforce::CompositeSubrequest>>>,
    /// Set once Salesforce refused a search naming Lead as a type this user cannot
    /// read: later searches leave Lead out (shared by clones, for this sign-in).
    leads_unreadable: Arc<AtomicBool>,
    /// Whether the last request that reached Salesforce found the org's daily API allowance
    /// used up (shared by clones): the desktop's org badge says so until a request passes.
    allowance_used_up: Arc<AtomicBool>,
    /// `[api]`: when optional requests (related records on demand) stop; from
    /// [`LookupSettings::api`].
    api: crate::api_usage::ApiSettings,
}

impl CallerLookup {
    pub fn new(client: salesforce::Client, settings: LookupSettings) -> Self {
        CallerLookup {
            client,
            api: settings.api,
            settings,
            related: Arc::new(OnceLock::new()),
            leads_unreadable: Arc::new(AtomicBool::new(false)),
            allowance_used_up: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The same lookup under the admin's `[api]` settings (the governor's threshold).
    pub fn with_api_settings(mut self, api: crate::api_usage::ApiSettings) -> Self {
        self.api = api;
        self.settings.api = api;
        self
    }

    /// Whether an optional request may be sent now: the governor's decision from the
    /// latest usage this org's client has seen, for the desktop's history auto-refresh and
    /// anything else optional.
    pub fn optional_requests(&self) -> crate::api_usage::OptionalRequests {
        self.api.optional_requests(self.client.last_limit_info())
    }

    /// Whether the org's daily API allowance was used up at the last request Salesforce
    /// answered (a search or a related-records load). Cleared by the next answered request,
    /// so it follows the org back when the allowance frees up; unreachable or refused-input
    /// lookups leave it as it was, since they tell nothing about the allowance.
    pub fn allowance_used_up(&self) -> bool {
        self.allowance_used_up.load(Ordering::Relaxed)
    }

    /// Records what an outcome tells about the org's allowance, and passes it on.
    fn note_allowance<T>(&self, outcome: Result<T, LookupError>) -> Result<T, LookupError> {
        match &outcome {
            Ok(_) | Err(LookupError::Salesforce(_) | LookupError::RecordNotFound { .. }) => {
                self.allowance_used_up.store(false, Ordering::Relaxed);
            }
            Err(LookupError::AllowanceUsedUp(_)) => {
                self.allowance_used_up.store(true, Ordering::Relaxed);
            }
            Err(_) => {}
        }
        outcome
    }

    /// The composite for one search: the search plus the prebuilt related queries.
    fn composite_for(&self, sosl: &str) -> Result<salesforce::CompositeRequest, LookupError> {
        let misconfigured = |err: salesforce::Error| LookupError::Misconfigured(err.to_string());
        let version = self.client.api_version();
        let related = match self.related.get() {
            Some(related) => related,
            None => {
                let built = related::related_subrequests(version).map_err(misconfigured)?;
                // Two pops racing here build the same list; either one is kept.
                self.related.get_or_init(|| built)
            }
        };
        related::composite_request_with(version, sosl, related).map_err(misconfigured)
    }

    /// Connects to an org by instance URL and access token, with the default
    /// API version.
    pub fn connect(
        instance_url: &str,
        access_token: String,
        settings: LookupSettings,
    ) -> Result<Self, LookupError> {
        let misconfigured = |err: salesforce::Error| LookupError::Misconfigured(err.to_string());
        let token = salesforce::AccessToken::new(access_token).map_err(misconfigured)?;
        let client =
            salesforce::Client::new(instance_url, token, salesforce::ApiVersion::default())
                .map_err(misconfigured)?;
        Ok(CallerLookup::new(client, settings))
    }

    pub fn settings(&self) -> &LookupSettings {
        &self.settings
    }

    /// Looks up a phone number or email address: validates the input (nothing
    /// is sent for bad input), makes one Salesforce request (a `/composite` of
    /// the search and the open Opportunities and Cases of its first record; a
    /// second only when Salesforce asks for a refreshed session), keeps the
    /// records that really match and ranks them. `api_calls` counts the
    /// requests actually sent.
    pub async fn lookup(&self, input: &str) -> Result<LookupResult, LookupError> {
        let started = Instant::now();
        let query = parse_caller_input(input, self.settings.default_region)?;
        self.lookup_query(input, &query, started).await
    }

    /// The one request a lookup of `input` sends (a `/composite` of the search
    /// and the related-record queries), for benchmarks and diagnostics that
    /// need the bare round trip without Ringside's own work around it.
    pub fn request_for(&self, input: &str) -> Result<salesforce::CompositeRequest, LookupError> {
        let query = parse_caller_input(input, self.settings.default_region)?;
        self.composite_for(&self.search_for(&query, self.searches_leads()))
    }

    /// The open Opportunities and Cases of one matched record, for a match the
    /// pop did not fetch them for (any but the search's first record, or one
    /// matched locally). One Salesforce request (a `/composite`);
    /// none for a Lead, which has neither. The id is checked, then sent only as
    /// an escaped SOQL literal.
    pub async fn related_for(
        &self,
        object: CallerObject,
        id: &str,
    ) -> Result<RelatedRecords, LookupError> {
        salesforce::validate_record_id(id).map_err(LookupError::InvalidRecordId)?;
        if let crate::api_usage::OptionalRequests::Paused(paused) = self.optional_requests() {
            tracing::info!(%paused, "related records on demand held back");
            return Err(LookupError::OptionalPaused(paused));
        }
        let Some(request) = related::record_request(self.client.api_version(), object, id)
            .map_err(|err| LookupError::Misconfigured(err.to_string()))?
        else {
            return Ok(RelatedRecords::default());
        };
        let response = self.note_allowance(
            crate::api_usage::as_kind(
                crate::api_usage::RequestKind::Related,
                self.client.composite(&request),
            )
            .await
            .map_err(LookupError::from_salesforce),
        )?;
        match related::read_record_answer(object, &response) {
            Ok(found) => Ok(RelatedRecords {
                open_opportunities: found.opportunities,
                open_cases: found.cases,
            }),
            Err(related::RecordAnswerError::NotFound) => {
                Err(LookupError::RecordNotFound { id: id.to_owned() })
            }
            Err(related::RecordAnswerError::Salesforce(err)) => {
                Err(LookupError::from_salesforce(err))
            }
        }
    }

    fn searches_leads(&self) -> bool {
        !self.leads_unreadable.load(Ordering::Relaxed)
    }

    fn search_for(&self, query: &CallerQuery, with_leads: bool) -> String {
        match query {
            CallerQuery::Phone(phone) => sosl::phone_search(phone, &self.settings, with_leads),
            CallerQuery::Email(email) => sosl::email_search(email, &self.settings, with_leads),
        }
    }

    /// Sends the pop's composite and reads it; returns the answer and whether Lead was
    /// searched. A user without Read on Lead gets the whole search refused as naming an
    /// unsupported type (INVALID_TYPE): then Lead is left out, from now on, and the search
    /// is sent once more, so such a user still finds Contacts and Accounts.
    async fn search(&self, query: &CallerQuery) -> Result<(related::Answer, bool), LookupError> {
        let mut with_leads = self.searches_leads();
        loop {
            let request = self.composite_for(&self.search_for(query, with_leads))?;
            tracing::debug!(with_leads, "searching Salesforce for caller");
            let response = self
                .client
                .composite(&request)
                .await
                .map_err(LookupError::from_salesforce)?;
            match related::read_answer(&response) {
                Ok(answer) => return Ok((answer, with_leads)),
                Err(err) if with_leads && refuses_type(&err, "Lead") => {
                    tracing::warn!(
                        "Salesforce refused Lead as a type this user cannot read; searching without Leads"
                    );
                    self.leads_unreadable.store(true, Ordering::Relaxed);
                    with_leads = false;
                }
                Err(err) => return Err(LookupError::from_salesforce(err)),
            }
        }
    }

    /// [`CallerLookup::lookup`] for input already parsed.
    pub async fn lookup_query(
        &self,
        input: &str,
        query: &CallerQuery,
        started: Instant,
    ) -> Result<LookupResult, LookupError> {
        let (kind, normalized) = match query {
            CallerQuery::Phone(phone) => (QueryKind::Phone, phone.e164().to_owned()),
            CallerQuery::Email(email) => (QueryKind::Email, email.clone()),
        };
        // Counted, not assumed: a resend after a refreshed session is a second request,
        // and so is the search sent again without Lead.
        let (answer, api_calls) = salesforce::counting_requests(crate::api_usage::as_kind(
            crate::api_usage::RequestKind::Pop,
            self.search(query),
        ))
        .await;
        let (mut answer, with_leads) = self.note_allowance(answer)?;
        let mut matches = matching::keep_and_rank(query, &answer.records, &self.settings);
        for found in &mut matches {
            if let Some(related) = answer.related.remove(&found.id) {
                found.open_opportunities = related.opportunities;
                found.open_cases = related.cases;
                found.related_loaded = true;
            }
        }
        Ok(LookupResult {
            query: input.to_owned(),
            normalized,
            kind,
            matches,
            api_calls,
            left_out: if with_leads {
                Vec::new()
            } else {
                vec![CallerObject::Lead]
            },
            cached: false,
            cached_while_paused: false,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// Whether `err` is Salesforce refusing `object` as a type this user cannot use
/// (`INVALID_TYPE`, "sObject type 'Lead' is not supported").
fn refuses_type(err: &salesforce::Error, object: &str) -> bool {
    let quoted = format!("'{object}'");
    err.api_errors()
        .iter()
        .any(|e| e.error_code == salesforce::ErrorCode::InvalidType && e.message.contains(&quoted))
}
