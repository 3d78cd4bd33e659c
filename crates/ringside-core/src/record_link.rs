//! "Open in Salesforce": the Lightning URL of a record the pop-up shows,
//! `<instance URL>/lightning/r/<Object>/<Id>/view`. The host comes only from the
//! org's validated instance URL and the id must be a Salesforce id of an object
//! the pop-up lists, so nothing the UI sends can point the browser elsewhere.

use thiserror::Error;

/// Why there is no link to open.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RecordLinkError {
    /// Not 15 or 18 letters and digits.
    #[error("{0}")]
    NotAnId(String),
    /// A valid id of an object the pop-up never shows.
    #[error("`{0}` is not the id of a Contact, Lead, Account, Opportunity or Case")]
    UnknownObject(String),
}

/// The object of an id the pop-up shows, by its key prefix (the same in every org).
pub fn popped_object_for_id(id: &str) -> Option<&'static str> {
    match id.get(..3)? {
        "003" => Some("Contact"),
        "00Q" => Some("Lead"),
        "001" => Some("Account"),
        "006" => Some("Opportunity"),
        "500" => Some("Case"),
        _ => None,
    }
}

/// The Lightning record page of `record_id` in the org at `instance`.
pub fn lightning_record_url(
    instance: &salesforce::InstanceUrl,
    record_id: &str,
) -> Result<String, RecordLinkError> {
    salesforce::validate_record_id(record_id)
        .map_err(|err| RecordLinkError::NotAnId(err.to_string()))?;
    let object = popped_object_for_id(record_id)
        .ok_or_else(|| RecordLinkError::UnknownObject(record_id.to_owned()))?;
    // The id is letters and digits only, so it needs no encoding in a path.
    Ok(format!(
        "{}/lightning/r/{object}/{record_id}/view",
        instance.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> salesforce::InstanceUrl {
        salesforce::InstanceUrl::parse("https://acme.my.salesforce.com/").expect("valid")
    }

    #[test]
    fn the_url_is_built_from_the_org_and_a_checked_id() {
        assert_eq!(
            lightning_record_url(&instance(), "003Dm0000000003IAA").as_deref(),
            Ok("https://acme.my.salesforce.com/lightning/r/Contact/003Dm0000000003IAA/view"),
        );
        assert_eq!(
            lightning_record_url(&instance(), "00QDm0000000001").as_deref(),
            Ok("https://acme.my.salesforce.com/lightning/r/Lead/00QDm0000000001/view"),
            "a 15-character id works too"
        );
        for hostile in [
            "003/../../evil",
            "https://evil.example/",
            "003Dm0000000003IAA?x=1",
            "",
        ] {
            assert!(
                matches!(
                    lightning_record_url(&instance(), hostile),
                    Err(RecordLinkError::NotAnId(_))
                ),
                "{hostile:?} is refused before any URL is built"
            );
        }
        assert!(
            matches!(
                lightning_record_url(&instance(), "005Dm0000000001IAA"),
                Err(RecordLinkError::UnknownObject(_))
            ),
            "a user id is not a record the pop-up shows"
        );
    }
}
