//! Building REST paths from caller input: names are validated before they are used, and
//! every path segment that carries data (record ids, external-id values) is percent-encoded,
//! so no input can change which resource is addressed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;

/// Everything but `A-Z a-z 0-9 - _ ~` is encoded, `.` included. (URL parsers also resolve
/// `%2E%2E` as `..`, so values that are only dots are refused separately.)
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Query values: the same strict set, so `&`, `=`, `+`, `#` and spaces are always encoded
/// (spaces as `%20`).
const QUERY_VALUE: &AsciiSet = SEGMENT;

/// Percent-encodes one path segment.
pub(crate) fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Percent-encodes one query value.
pub(crate) fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Checks an sObject or field API name: `^[A-Za-z][A-Za-z0-9_]*$` (which covers custom names
/// like `Call_Log__c` and namespaced ones like `ns__Thing__c`), at most 255 characters.
pub fn validate_api_name(kind: &str, name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::InvalidInput(format!(
            "`{}` is not a valid {kind} name (letters, digits and underscores, starting with a letter)",
            name.escape_debug()
        )));
    }
    if name.len() > 255 {
        return Err(Error::InvalidInput(format!(
            "the {kind} name is longer than 255 characters"
        )));
    }
    Ok(())
}

/// Checks a record id: 15 or 18 letters and digits, as every Salesforce id is.
pub fn validate_record_id(id: &str) -> Result<(), Error> {
    if (id.len() == 15 || id.len() == 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "`{}` is not a Salesforce record id (15 or 18 letters and digits)",
            id.chars().take(40).collect::<String>().escape_debug()
        )))
    }
}

/// Checks an external-id value used in a path: not empty or blank, and not `.` or `..`,
/// which a URL parser resolves as a dot segment even when percent-encoded, so the request
/// would address a different resource.
pub(crate) fn validate_external_id_value(value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::InvalidInput("the external id value is empty".into()));
    }
    if value == "." || value == ".." {
        return Err(Error::InvalidInput(format!(
            "`{value}` cannot be used as an external id value"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_accept_standard_custom_and_namespaced() {
        for ok in [
            "Contact",
            "Call_Log__c",
            "ns__Thing__c",
            "External_Id__c",
            "A1",
        ] {
            assert!(
                validate_api_name("object", ok).is_ok(),
                "{ok} is a valid API name"
            );
        }
    }

    #[test]
    fn api_names_refuse_path_and_query_tricks() {
        for bad in [
            "",
            "1Contact",
            "_x",
            "Contact/",
            "../Account",
            "Contact?x=1",
            "Con tact",
            "Kontakt€",
            "Account.Name",
        ] {
            assert!(
                validate_api_name("object", bad).is_err(),
                "`{bad}` must be refused"
            );
        }
    }

    #[test]
    fn record_ids_must_be_15_or_18_alphanumerics() {
        assert!(validate_record_id("003000000000001").is_ok());
        assert!(validate_record_id("003000000000001AAA").is_ok());
        for bad in [
            "",
            "..",
            "003000000000001/",
            "00300000000000",
            "003000000000001AA",
            "003 00000000001",
        ] {
            assert!(validate_record_id(bad).is_err(), "`{bad}` must be refused");
        }
    }

    #[test]
    fn segments_encode_slashes_dots_and_unicode() {
        assert_eq!(
            encode_segment("a/b"),
            "a%2Fb",
            "a slash must not start a new segment"
        );
        assert_eq!(
            encode_segment(".."),
            "%2E%2E",
            "dots are encoded so no dot segment forms"
        );
        assert_eq!(
            encode_segment("call-1_x~"),
            "call-1_x~",
            "unreserved stay readable"
        );
        assert_eq!(encode_segment("é ?#"), "%C3%A9%20%3F%23");
    }

    #[test]
    fn external_id_values_refuse_blank_and_dot_segments() {
        for bad in ["", "  ", ".", ".."] {
            assert!(
                validate_external_id_value(bad).is_err(),
                "`{bad}` must be refused"
            );
        }
        for ok in ["call-1", "...", "a/b", "+14155550123", "通話-1"] {
            assert!(
                validate_external_id_value(ok).is_ok(),
                "`{ok}` is a usable value once encoded"
            );
        }
    }

    #[test]
    fn encoded_values_survive_url_parsing_unchanged() {
        for value in ["...", "a/../b", "%2e%2e", "?q=1#f", "call 1"] {
            let path = format!(
                "/services/data/v66.0/sobjects/X__c/E__c/{}",
                encode_segment(value)
            );
            let url = url::Url::parse(&format!("https://h.my.salesforce.com{path}")).unwrap();
            assert_eq!(
                url.path(),
                path,
                "`{value}` must not change the addressed path"
            );
            assert!(
                url.query().is_none() && url.fragment().is_none(),
                "`{value}` must not add a query"
            );
        }
    }

    #[test]
    fn query_values_encode_soql_punctuation() {
        assert_eq!(
            encode_query_value("SELECT Id FROM Contact WHERE Name = 'A&B+C'"),
            "SELECT%20Id%20FROM%20Contact%20WHERE%20Name%20%3D%20%27A%26B%2BC%27"
        );
    }
}
