//! The SOSL statements of a screen pop. Caller input reaches them only through
//! [`salesforce::escape::sosl_term`], inside quotes.

use crate::phone::PhoneQuery;

/// Phone fields searched and compared on each object, in the order a match on
/// them ranks (the main number first).
pub(super) const CONTACT_PHONE_FIELDS: &[&str] = &[
    "Phone",
    "MobilePhone",
    "HomePhone",
    "OtherPhone",
    "AssistantPhone",
];
pub(super) const LEAD_PHONE_FIELDS: &[&str] = &["Phone", "MobilePhone"];
pub(super) const ACCOUNT_PHONE_FIELDS: &[&str] = &["Phone"];

/// Records per object; a number shared by more people than this is a switchboard.
const LIMIT_PER_OBJECT: u32 = 50;

/// `FIND {"+14155550123" OR "4155550123" OR …} IN PHONE FIELDS RETURNING …`.
pub(super) fn phone_search(phone: &PhoneQuery) -> String {
    let terms: Vec<String> = phone.renderings().iter().map(|r| quoted(r)).collect();
    format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING {}",
        terms.join(" OR "),
        returning(true)
    )
}

/// `FIND {"jane@example.com"} IN EMAIL FIELDS RETURNING …`.
pub(super) fn email_search(email: &str) -> String {
    format!(
        "FIND {{{}}} IN EMAIL FIELDS RETURNING {}",
        quoted(email),
        returning(false)
    )
}

fn quoted(term: &str) -> String {
    format!("\"{}\"", salesforce::escape::sosl_term(term))
}

fn returning(with_accounts: bool) -> String {
    // AccountId lets the composite's related queries find the Contact's
    // Account Opportunities (see `related`).
    let contact = format!(
        "Contact(Id, Name, Title, Email, {}, AccountId, Account.Name, LastModifiedDate LIMIT {LIMIT_PER_OBJECT})",
        CONTACT_PHONE_FIELDS.join(", ")
    );
    // Converted leads live on as Contacts; popping both would show one person twice.
    let lead = format!(
        "Lead(Id, Name, Title, Company, Email, {}, LastModifiedDate WHERE IsConverted = false LIMIT {LIMIT_PER_OBJECT})",
        LEAD_PHONE_FIELDS.join(", ")
    );
    let mut objects = vec![contact, lead];
    if with_accounts {
        objects.push(format!(
            "Account(Id, Name, {}, LastModifiedDate LIMIT {LIMIT_PER_OBJECT})",
            ACCOUNT_PHONE_FIELDS.join(", ")
        ));
    }
    objects.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{CallerQuery, Region, parse_caller_input};

    #[test]
    fn phone_search_quotes_every_rendering() {
        let Ok(CallerQuery::Phone(phone)) = parse_caller_input("(415) 555-0123", Region::US) else {
            panic!("a phone number")
        };
        let sosl = phone_search(&phone);
        assert!(
            sosl.starts_with("FIND {\"\\+14155550123\" OR "),
            "E.164 first, + escaped: {sosl}"
        );
        assert!(
            sosl.contains("\"\\(415\\) 555\\-0123\""),
            "national form escaped: {sosl}"
        );
        assert!(
            sosl.contains("WHERE IsConverted = false"),
            "converted leads excluded: {sosl}"
        );
    }

    #[test]
    fn email_search_escapes_reserved_characters() {
        let sosl = email_search("o'brien+calls@example.com");
        assert!(
            sosl.starts_with("FIND {\"o\\'brien\\+calls@example.com\"} IN EMAIL FIELDS"),
            "quote and plus escaped: {sosl}"
        );
        assert!(
            !sosl.contains("Account("),
            "accounts have no email field: {sosl}"
        );
    }
}
