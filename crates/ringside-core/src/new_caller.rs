//! Creating a Lead or Contact for a caller nobody has yet: the pop-up's
//! non-modal "Create Lead / Create Contact". Validates what the agent typed
//! (nothing is sent for bad input), creates the record in the org, and tells
//! the org's [`ScreenPop`] about it, so the next ring from that number pops the
//! new record before Salesforce's search index has it (DESIGN §3, index lag).

use serde::Deserialize;
use thiserror::Error;

use crate::ipc_code::IpcCode;
use crate::lookup::{CallerMatch, CallerObject, MatchSource};
use crate::phone::normalize_phone;
use crate::pop::{CreatedRecord, ScreenPop, StoredPhone};

/// Salesforce's lengths for the fields the form writes (standard Lead/Contact
/// fields; the same on every org), counted in characters.
const FIRST_NAME_MAX: usize = 40;
const LAST_NAME_MAX: usize = 80;
const COMPANY_MAX: usize = 255;

/// What the agent typed into the create form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NewCaller {
    /// `Lead` or `Contact` (an Account is not created from a call).
    pub object: CallerObject,
    #[serde(default)]
    pub first_name: Option<String>,
    pub last_name: String,
    /// Required for a Lead (Salesforce requires `Company`); not written for a Contact,
    /// which has no company field of its own (its Account is linked in Salesforce).
    #[serde(default)]
    pub company: Option<String>,
    /// The caller's number as the softphone reported it; saved as E.164 in `Phone`.
    pub phone: String,
}

/// Why no record was created. [`CreateCallerError::code`] is what the UI
/// branches on; `Display` is one line for a person, with the next step.
#[derive(Debug, Error)]
pub enum CreateCallerError {
    /// The form's input is unusable; nothing was sent.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The session ended (expired or revoked token).
    #[error("the Salesforce session has ended; sign in again, then create the record")]
    SignedOut(salesforce::Error),
    /// Salesforce could not be reached.
    #[error("Salesforce could not be reached ({0}); the record was not created, try again")]
    Unreachable(salesforce::Error),
    /// Salesforce refused the record (a duplicate rule, a required field, a validation rule…).
    // Why the code is in the words: the UI's code names only the refusals it words itself,
    // so for any other refusal Salesforce's own code reaches the agent (and admin) here.
    #[error("Salesforce did not create the record: {message} ({advice}; {error_code})")]
    Refused {
        /// Salesforce's `errorCode`, e.g. `DUPLICATES_DETECTED`.
        error_code: String,
        /// Salesforce's own message, in the user's Salesforce language.
        message: String,
        /// What to do next, in plain words.
        advice: &'static str,
    },
}

impl CreateCallerError {
    /// `invalid_input`, `signed_out`, `salesforce_unreachable`, the refusals the pop-up
    /// words itself (`duplicates_detected`, `duplicate_value`, `required_field_missing`,
    /// `field_custom_validation_exception`, `string_too_long`), else `salesforce_error`
    /// (the message then carries Salesforce's own code and words).
    pub fn code(&self) -> IpcCode {
        match self {
            CreateCallerError::Invalid { .. } => IpcCode::InvalidInput,
            CreateCallerError::SignedOut(_) => IpcCode::SignedOut,
            CreateCallerError::Unreachable(_) => IpcCode::SalesforceUnreachable,
            CreateCallerError::Refused { error_code, .. } => {
                match salesforce::ErrorCode::from_wire(error_code) {
                    salesforce::ErrorCode::DuplicatesDetected => IpcCode::DuplicatesDetected,
                    salesforce::ErrorCode::DuplicateValue => IpcCode::DuplicateValue,
                    salesforce::ErrorCode::RequiredFieldMissing => IpcCode::RequiredFieldMissing,
                    salesforce::ErrorCode::FieldCustomValidationException => {
                        IpcCode::FieldCustomValidationException
                    }
                    salesforce::ErrorCode::StringTooLong => IpcCode::StringTooLong,
                    _ => IpcCode::SalesforceError,
                }
            }
        }
    }

    fn from_salesforce(err: salesforce::Error) -> Self {
        if err.needs_reauth() {
            return CreateCallerError::SignedOut(err);
        }
        if matches!(err, salesforce::Error::Transport { .. }) {
            return CreateCallerError::Unreachable(err);
        }
        match err.api_errors().first() {
            Some(first) => CreateCallerError::Refused {
                error_code: first.error_code.as_str().to_owned(),
                message: first.message.clone(),
                advice: first.error_code.advice(),
            },
            None => CreateCallerError::Refused {
                error_code: err.code(),
                message: err.to_string(),
                advice: "try again; if it persists, ask your Salesforce admin",
            },
        }
    }
}

/// A validated form: trimmed text within Salesforce's lengths.
struct Checked {
    object: CallerObject,
    first_name: Option<String>,
    last_name: String,
    company: Option<String>,
    phone_e164: String,
}

/// Creates the Lead or Contact in the org `client` talks to and remembers it in
/// `screen_pop` (the same org's), so it pops locally at once. Returns the match
/// the pop-up shows for it. Exactly one API request when the input is valid.
pub async fn create_caller_record(
    client: &salesforce::Client,
    screen_pop: &ScreenPop,
    new: NewCaller,
) -> Result<CallerMatch, CreateCallerError> {
    let checked = check(new, screen_pop)?;
    let mut body = serde_json::Map::new();
    if let Some(first) = &checked.first_name {
        body.insert("FirstName".into(), first.clone().into());
    }
    body.insert("LastName".into(), checked.last_name.clone().into());
    if checked.object == CallerObject::Lead
        && let Some(company) = &checked.company
    {
        body.insert("Company".into(), company.clone().into());
    }
    body.insert("Phone".into(), checked.phone_e164.clone().into());
    let created = client
        .create(checked.object.api_name(), &serde_json::Value::Object(body))
        .await
        .map_err(CreateCallerError::from_salesforce)?;
    let name = match &checked.first_name {
        Some(first) => format!("{first} {}", checked.last_name),
        None => checked.last_name.clone(),
    };
    let company = match checked.object {
        CallerObject::Lead => checked.company.clone(),
        _ => None,
    };
    tracing::info!(object = checked.object.api_name(), id = %created.id, "created a record for a caller");
    let phone = StoredPhone {
        field: "Phone".into(),
        value: checked.phone_e164.clone(),
    };
    screen_pop.remember_created(CreatedRecord {
        object: checked.object,
        id: created.id.clone(),
        name: name.clone(),
        company: company.clone(),
        title: None,
        phones: vec![phone],
        email: None,
        owner: None,
    });
    Ok(CallerMatch {
        object: checked.object,
        id: created.id,
        name,
        company,
        title: None,
        phone: Some(checked.phone_e164),
        email: None,
        matched_field: "Phone".into(),
        owner: None,
        last_modified: None,
        open_opportunities: Vec::new(),
        open_cases: Vec::new(),
        related_loaded: false,
        source: MatchSource::RecentlyCreated,
    })
}

fn check(new: NewCaller, screen_pop: &ScreenPop) -> Result<Checked, CreateCallerError> {
    if new.object == CallerObject::Account {
        return Err(CreateCallerError::Invalid {
            field: "object",
            reason: "only a Lead or a Contact is created from a call".into(),
        });
    }
    let first_name = optional_text("first_name", new.first_name, FIRST_NAME_MAX)?;
    let last_name = optional_text("last_name", Some(new.last_name), LAST_NAME_MAX)?.ok_or(
        CreateCallerError::Invalid {
            field: "last_name",
            reason: "the last name is required".into(),
        },
    )?;
    let company = optional_text("company", new.company, COMPANY_MAX)?;
    if new.object == CallerObject::Lead && company.is_none() {
        return Err(CreateCallerError::Invalid {
            field: "company",
            reason: "a Lead needs a company (Salesforce requires it)".into(),
        });
    }
    let region = screen_pop.lookup().settings().default_region;
    let phone = normalize_phone(&new.phone, region).map_err(|err| CreateCallerError::Invalid {
        field: "phone",
        reason: err.to_string(),
    })?;
    Ok(Checked {
        object: new.object,
        first_name,
        last_name,
        company,
        phone_e164: phone.e164().to_owned(),
    })
}

/// Trimmed text, `None` when blank; refuses control characters (a pasted
/// newline would end up in the record name) and text over `max` characters.
fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, CreateCallerError> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(CreateCallerError::Invalid {
            field,
            reason: "line breaks and control characters are not allowed".into(),
        });
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(CreateCallerError::Invalid {
            field,
            reason: format!("at most {max} characters (this is {length})"),
        });
    }
    Ok(Some(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_checked_against_salesforce_lengths() {
        assert_eq!(
            optional_text("last_name", Some("  山田  ".into()), LAST_NAME_MAX).expect("fine"),
            Some("山田".into()),
            "non-Latin names are fine and trimmed"
        );
        assert_eq!(
            optional_text("first_name", Some("   ".into()), FIRST_NAME_MAX).expect("fine"),
            None,
            "blank is absent"
        );
        let exactly = "ä".repeat(LAST_NAME_MAX);
        assert!(
            optional_text("last_name", Some(exactly), LAST_NAME_MAX).is_ok(),
            "80 characters (160 bytes) is within Salesforce's 80"
        );
        let err = optional_text("last_name", Some("x".repeat(81)), LAST_NAME_MAX).unwrap_err();
        assert!(err.to_string().contains("at most 80"), "{err}");
        let err = optional_text("company", Some("A\nB".into()), COMPANY_MAX).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "a newline is refused: {err}");
    }

    fn refused(error_code: &str) -> CreateCallerError {
        CreateCallerError::Refused {
            error_code: error_code.to_owned(),
            message: "Salesforce's words".to_owned(),
            advice: "the next step",
        }
    }

    #[test]
    fn refusals_the_pop_up_words_keep_their_code_and_others_keep_salesforces_in_the_words() {
        assert_eq!(
            refused("DUPLICATES_DETECTED").code(),
            IpcCode::DuplicatesDetected,
            "the pop-up words a duplicate rule itself"
        );
        assert_eq!(refused("STRING_TOO_LONG").code(), IpcCode::StringTooLong);
        let other = refused("INVALID_FIELD_FOR_INSERT_UPDATE");
        assert_eq!(
            other.code(),
            IpcCode::SalesforceError,
            "a refusal without its own words is a Salesforce error, not a made-up code"
        );
        assert!(
            other
                .to_string()
                .contains("INVALID_FIELD_FOR_INSERT_UPDATE"),
            "Salesforce's own code is kept in the words: {other}"
        );
    }
}
