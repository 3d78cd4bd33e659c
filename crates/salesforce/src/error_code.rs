//! Salesforce `errorCode` values: one enum case per code the app branches on or explains, an
//! `Other` fallback that keeps unknown codes verbatim, and for each code whether retrying can
//! help and what a person should do next.
//!
//! Codes and meanings follow the REST API "Status Codes and Error Responses" page
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>)
//! and the `StatusCode` list of the SOAP API core data types
//! (<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode>).

use std::fmt;

/// What retrying a failed call can achieve, as decided by its error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The same request may succeed later unchanged (lock contention, limits, outages).
    Transient,
    /// The session is no longer valid: refresh the token (or sign in again), then retry once.
    NeedsReauth,
    /// The request itself is wrong for this org or record; retrying will fail the same way.
    Permanent,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, $class:ident, $advice:literal; )*) => {
        /// A Salesforce `errorCode`. Unknown codes land in [`ErrorCode::Other`] unchanged, so a
        /// new code from a newer release is still shown and logged, and treated as permanent.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this crate does not know, kept verbatim.
            Other(String),
        }

        impl ErrorCode {
            /// Maps the wire string (`"UNABLE_TO_LOCK_ROW"`) to its case.
            pub fn from_wire(code: &str) -> Self {
                match code {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The wire string, exactly as Salesforce sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(code) => code,
                }
            }

            /// Whether retrying can help. Unknown codes are permanent: retrying blindly
            /// could repeat a write, and a person should see the message.
            pub fn class(&self) -> ErrorClass {
                match self {
                    $( Self::$variant => ErrorClass::$class, )*
                    Self::Other(_) => ErrorClass::Permanent,
                }
            }

            /// What a person should do next, in plain words.
            pub fn advice(&self) -> &'static str {
                match self {
                    $( Self::$variant => $advice, )*
                    Self::Other(_) => "see the message from Salesforce; if it persists, ask your Salesforce admin",
                }
            }
        }
    };
}

error_codes! {
    /// The access token expired or was revoked (HTTP 401).
    InvalidSessionId = "INVALID_SESSION_ID", NeedsReauth,
        "the Salesforce session expired or was revoked; sign in to Salesforce again";
    /// The org's rolling 24-hour API allowance, or its concurrent-request limit, is used up.
    RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED", Transient,
        "the org has used up its Salesforce API allowance for now; wait and retry, or ask your admin to raise the limit";
    /// The edition has no API access at all.
    ApiDisabledForOrg = "API_DISABLED_FOR_ORG", Permanent,
        "this Salesforce edition has no API access (Essentials, or Professional without the API add-on); ask your admin";
    /// The user's profile lacks the "API Enabled" permission.
    ApiCurrentlyDisabled = "API_CURRENTLY_DISABLED", Permanent,
        "this Salesforce user is not allowed to use the API; ask your admin to grant the \"API Enabled\" permission";
    /// A field does not exist, or field-level security hides it from this user.
    InvalidField = "INVALID_FIELD", Permanent,
        "a field does not exist or is hidden from this user by field-level security; check the field name or ask your admin for access";
    /// A field cannot be written in this operation (read-only, create-only or hidden).
    InvalidFieldForInsertUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE", Permanent,
        "a field cannot be written (read-only, create-only, or hidden from this user); remove it or ask your admin for edit access";
    /// The object type does not exist or is not accessible.
    InvalidType = "INVALID_TYPE", Permanent,
        "the Salesforce object does not exist or this user cannot access it; check the object name or ask your admin";
    /// A required field has no value.
    RequiredFieldMissing = "REQUIRED_FIELD_MISSING", Permanent,
        "a required field is empty; fill it in and save again";
    /// A text value is longer than the field's length.
    StringTooLong = "STRING_TOO_LONG", Permanent,
        "a text value is longer than the field allows; shorten it and save again";
    /// A validation rule of the org rejected the values.
    FieldCustomValidationException = "FIELD_CUSTOM_VALIDATION_EXCEPTION", Permanent,
        "a validation rule in the org rejected the values; correct them as its message says and save again";
    /// Duplicate rules matched an existing record.
    DuplicatesDetected = "DUPLICATES_DETECTED", Permanent,
        "a duplicate rule found a matching record; use the existing record or ask your admin about the rule";
    /// A unique field already holds this value on another record.
    DuplicateValue = "DUPLICATE_VALUE", Permanent,
        "another record already has this value in a unique field; use that record or a different value";
    /// Another transaction held a lock on the record.
    UnableToLockRow = "UNABLE_TO_LOCK_ROW", Transient,
        "another process was updating the same record; it will be retried in a moment";
    /// The record is in the Recycle Bin.
    EntityIsDeleted = "ENTITY_IS_DELETED", Permanent,
        "the record was deleted; restore it from the Recycle Bin or choose another record";
    /// The resource or record does not exist (HTTP 404).
    NotFound = "NOT_FOUND", Permanent,
        "the record does not exist or this user cannot see it; check the id or ask your admin for access";
    /// The SOQL query is invalid.
    MalformedQuery = "MALFORMED_QUERY", Permanent,
        "the Salesforce query is invalid; this is a bug, please report it";
    /// The SOSL search is invalid.
    MalformedSearch = "MALFORMED_SEARCH", Permanent,
        "the Salesforce search is invalid; this is a bug, please report it";
    /// Not processed because another part of the same all-or-none request failed. Sent on its
    /// own, the same part may well succeed, so this is transient.
    ProcessingHalted = "PROCESSING_HALTED", Transient,
        "this item was not processed because another item in the same batch failed; it can be sent again on its own";
    /// A lookup id is wrong, deleted, or points to the wrong object type.
    InvalidCrossReferenceKey = "INVALID_CROSS_REFERENCE_KEY", Permanent,
        "a related record id is wrong, deleted, or of the wrong type; choose the related record again";
    /// Salesforce is in maintenance or overloaded (HTTP 503).
    ServerUnavailable = "SERVER_UNAVAILABLE", Transient,
        "Salesforce is temporarily unavailable; it will be retried later";
    /// The user lacks sharing or object permission for the operation.
    InsufficientAccessOrReadonly = "INSUFFICIENT_ACCESS_OR_READONLY", Permanent,
        "this user may not make this change to the record; ask your admin for access";
    /// The user cannot access a record referenced by the request (owner, parent, lookup).
    InsufficientAccessOnCrossReferenceEntity = "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", Permanent,
        "this user cannot access a related record (owner, parent or lookup); ask your admin for access";
    /// An id is not a valid Salesforce id.
    MalformedId = "MALFORMED_ID", Permanent,
        "an id is not a valid Salesforce id; choose the record again";
    /// The request body is not JSON that Salesforce accepts.
    JsonParserError = "JSON_PARSER_ERROR", Permanent,
        "Salesforce could not read the request; this is a bug, please report it";
    /// A query cursor (`nextRecordsUrl`) no longer exists: unused for 15 minutes, released
    /// when the same user opened an 11th, older than 2 days, or already read to its end
    /// (<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm>).
    /// Permanent for that locator; a pager runs its query again from its last row.
    InvalidQueryLocator = "INVALID_QUERY_LOCATOR", Permanent,
        "the query results expired before all pages were read; run the query again";
    /// The query ran too long.
    QueryTimeout = "QUERY_TIMEOUT", Transient,
        "the Salesforce query took too long; it will be retried, or narrow the search";
    /// The request ran too long on the server.
    RequestRunningTooLong = "REQUEST_RUNNING_TOO_LONG", Transient,
        "the Salesforce request took too long; it will be retried later";
    /// A trigger, flow or process in the org failed while saving.
    CannotInsertUpdateActivateEntity = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", Permanent,
        "an automation in the org (trigger, flow or process) failed while saving; read its message and ask your admin";
    /// Field values contradict each other (for example a lookup of the wrong type).
    FieldIntegrityException = "FIELD_INTEGRITY_EXCEPTION", Permanent,
        "some field values do not fit together; correct them and save again";
    /// A restricted picklist was given a value its list does not hold (or none where one is
    /// required); only an admin can add values
    /// (<https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_picklist.htm>).
    InvalidOrNullForRestrictedPicklist = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", Permanent,
        "a picklist value is not one the org allows; pick one of its values, or ask your admin to add it";
    /// An email field holds an invalid address.
    InvalidEmailAddress = "INVALID_EMAIL_ADDRESS", Permanent,
        "an email address is not valid; correct it and save again";
    /// The org's data storage is full.
    StorageLimitExceeded = "STORAGE_LIMIT_EXCEEDED", Permanent,
        "the org's data storage is full; ask your admin to free space";
    /// The user's password expired, so the API refuses the session.
    InvalidOperationWithExpiredPassword = "INVALID_OPERATION_WITH_EXPIRED_PASSWORD", Permanent,
        "the Salesforce password has expired; log in to Salesforce in a browser, change it, then try again";
    /// A request holds more than Salesforce allows in one call: a `/composite` with more
    /// than 25 subrequests or more than 5 query or sObject Collections operations, a
    /// `/composite/graph` over its limits
    /// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm>).
    /// Sent again unchanged it fails the same way.
    LimitExceeded = "LIMIT_EXCEEDED", Permanent,
        "the request holds more operations than Salesforce allows in one call (at most 25 in a composite, of which at most 5 queries); this is a bug, please report it";
    /// The HTTP method is not allowed on this resource.
    MethodNotAllowed = "METHOD_NOT_ALLOWED", Permanent,
        "Salesforce does not allow this operation on this resource; this is a bug, please report it";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Self::from_wire(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_through_its_wire_string() {
        for wire in [
            "INVALID_SESSION_ID",
            "REQUEST_LIMIT_EXCEEDED",
            "API_DISABLED_FOR_ORG",
            "INVALID_FIELD",
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "INVALID_TYPE",
            "REQUIRED_FIELD_MISSING",
            "STRING_TOO_LONG",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "DUPLICATES_DETECTED",
            "DUPLICATE_VALUE",
            "UNABLE_TO_LOCK_ROW",
            "ENTITY_IS_DELETED",
            "NOT_FOUND",
            "MALFORMED_QUERY",
            "MALFORMED_SEARCH",
            "PROCESSING_HALTED",
            "INVALID_CROSS_REFERENCE_KEY",
            "SERVER_UNAVAILABLE",
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "LIMIT_EXCEEDED",
        ] {
            let code = ErrorCode::from_wire(wire);
            assert!(
                !matches!(code, ErrorCode::Other(_)),
                "{wire} must have its own case"
            );
            assert_eq!(
                code.as_str(),
                wire,
                "the wire string must survive the round trip"
            );
        }
    }

    #[test]
    fn unknown_codes_are_kept_verbatim_and_treated_as_permanent() {
        let code = ErrorCode::from_wire("SOME_CODE_FROM_SUMMER_27");
        assert_eq!(code, ErrorCode::Other("SOME_CODE_FROM_SUMMER_27".into()));
        assert_eq!(
            code.to_string(),
            "SOME_CODE_FROM_SUMMER_27",
            "shown as received"
        );
        assert_eq!(
            code.class(),
            ErrorClass::Permanent,
            "unknown must not be retried blindly"
        );
    }

    #[test]
    fn classification_matches_the_design() {
        use ErrorClass::*;
        let cases = [
            ("UNABLE_TO_LOCK_ROW", Transient),
            ("REQUEST_LIMIT_EXCEEDED", Transient),
            ("SERVER_UNAVAILABLE", Transient),
            ("INVALID_SESSION_ID", NeedsReauth),
            ("INVALID_FIELD", Permanent),
            ("FIELD_CUSTOM_VALIDATION_EXCEPTION", Permanent),
            ("MALFORMED_QUERY", Permanent),
            ("NOT_FOUND", Permanent),
            ("ENTITY_IS_DELETED", Permanent),
            ("DUPLICATES_DETECTED", Permanent),
            ("API_DISABLED_FOR_ORG", Permanent),
            ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", Permanent),
            // Not REQUEST_LIMIT_EXCEEDED (the org's allowance, which comes back): a request
            // over a per-request limit fails the same way every time.
            ("LIMIT_EXCEEDED", Permanent),
        ];
        for (wire, class) in cases {
            assert_eq!(
                ErrorCode::from_wire(wire).class(),
                class,
                "{wire} classified wrongly"
            );
        }
    }

    #[test]
    fn api_disabled_advice_names_the_editions() {
        let advice = ErrorCode::ApiDisabledForOrg.advice();
        assert!(
            advice.contains("Essentials")
                && advice.contains("Professional")
                && advice.contains("admin"),
            "the user must learn why and whom to ask: {advice}"
        );
    }
}
