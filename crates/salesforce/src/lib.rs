//! A typed Salesforce REST client: SOQL query, SOSL search, sObject describe/create/get/
//! update/delete/upsert, composite, the error model and the API-usage header. It knows
//! nothing of Ringside.
//!
//! Module map:
//! - [`client`]: the [`Client`] and its calls.
//! - [`error`] / [`error_code`]: [`Error`], [`ApiError`], [`ErrorCode`] and the retry/re-auth
//!   questions.
//! - [`escape`]: SOQL/SOSL escaping; the only way caller text may enter a query.
//! - [`instance`], [`version`], [`secret`]: validated configuration (instance URL, API
//!   version, access token).
//! - [`record`], [`query`], [`describe`], [`sobject`], [`composite`]: request and response types.
//! - [`graph`]: `/composite/graph`, independent all-or-nothing graphs in one call.
//! - [`limits`]: the `Sforce-Limit-Info` header and the `/limits` resource.
//! - [`observe`]: a hook told about every request sent (an application's own usage count).
//! - [`request_count`]: how many requests one operation really sent.
//! - [`versions`]: the API versions an org serves.
//! - [`oauth`]: signing in (web-server flow with PKCE), refresh with rotation, revoke,
//!   identity; [`oauth::RefreshingSession`] renews a [`Client`]'s token on a 401.
//! - `path`: name validation and percent-encoding for paths.

pub mod client;
pub mod composite;
pub mod describe;
pub mod error;
pub mod error_code;
pub mod escape;
pub mod graph;
pub mod instance;
pub mod limits;
pub mod oauth;
pub mod observe;
mod path;
pub mod query;
pub mod record;
pub mod request_count;
pub mod secret;
pub mod sobject;
pub mod version;
pub mod versions;

pub use client::{Client, ClientOptions};
pub use composite::{
    CompositeMethod, CompositeRequest, CompositeResponse, CompositeSubrequest, CompositeSubresponse,
};
pub use describe::{FieldDescribe, FieldType, PicklistValue, SObjectDescribe};
pub use error::{ApiError, Error, TransportKind};
pub use error_code::{ErrorClass, ErrorCode};
pub use graph::{Graph, GraphRequest, GraphResponse, GraphResult};
pub use instance::InstanceUrl;
pub use limits::LimitInfo;
pub use observe::{RequestObserver, SentRequest};
pub use path::{validate_api_name, validate_record_id};
pub use query::{QueryPage, SearchResult};
pub use record::{Attributes, Record};
pub use request_count::counting_requests;
pub use secret::AccessToken;
pub use sobject::{CreateResult, UpsertOutcome};
pub use version::ApiVersion;
pub use versions::served_versions;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
