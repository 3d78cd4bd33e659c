//! The Salesforce REST error shape: an HTTP status plus the JSON list
//! `[{"message","errorCode","fields":[...]}]` that every data error carries.

use serde_json::{Value, json};

/// One Salesforce error answer. Built by validation, parsers and handlers; rendered
/// by the HTTP layer (and inside composite subresponses) with [`ApiError::body`].
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn with_fields(mut self, fields: &[&str]) -> Self {
        self.fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn not_found() -> Self {
        Self::new(404, "NOT_FOUND", "The requested resource does not exist")
    }

    pub fn invalid_session() -> Self {
        Self::new(401, "INVALID_SESSION_ID", "Session expired or invalid")
    }

    /// A live token whose scopes do not include `api` (or `full`), as Salesforce answers it
    /// (<https://help.salesforce.com/s/articleView?id=005226515&type=1>).
    pub fn session_not_valid_for_rest() -> Self {
        Self::new(
            401,
            "INVALID_SESSION_ID",
            "This session is not valid for use with the REST API",
        )
    }

    /// The org's daily API allocation is used up (HTTP 403), the body Salesforce sends.
    pub fn request_limit_exceeded() -> Self {
        Self::new(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )
    }

    pub fn malformed_query(message: impl Into<String>) -> Self {
        Self::new(400, "MALFORMED_QUERY", message)
    }

    pub fn malformed_search(message: impl Into<String>) -> Self {
        Self::new(400, "MALFORMED_SEARCH", message)
    }

    pub fn json_parser(message: impl Into<String>) -> Self {
        Self::new(400, "JSON_PARSER_ERROR", message)
    }

    /// The JSON list body Salesforce sends with an error.
    pub fn body(&self) -> Value {
        // Salesforce omits `fields` on errors that are not about fields (INVALID_SESSION_ID,
        // NOT_FOUND, MALFORMED_QUERY); it includes the (possibly empty) list on DML errors.
        if self.fields.is_empty() && !is_dml_code(&self.code) {
            json!([{"message": self.message, "errorCode": self.code}])
        } else {
            json!([{"message": self.message, "errorCode": self.code, "fields": self.fields}])
        }
    }
}

fn is_dml_code(code: &str) -> bool {
    matches!(
        code,
        "REQUIRED_FIELD_MISSING"
            | "STRING_TOO_LONG"
            | "INVALID_FIELD_FOR_INSERT_UPDATE"
            | "DUPLICATE_VALUE"
            | "INVALID_EMAIL_ADDRESS"
            | "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
            | "INVALID_CROSS_REFERENCE_KEY"
            | "MALFORMED_ID"
            | "FIELD_INTEGRITY_EXCEPTION"
            | "INVALID_TYPE_ON_FIELD_IN_RECORD"
    )
}
