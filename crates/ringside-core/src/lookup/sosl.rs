//! The SOSL statements of a screen pop. Caller input reaches them only through
//! [`salesforce::escape::sosl_term`], inside quotes; field names only from
//! [`CustomPhoneFields`], which holds validated API names from the admin's config.

use crate::lookup::CallerObject;
use crate::phone::PhoneQuery;
use crate::settings::CustomPhoneFields;

/// Records per object; a number shared by more people than this is a switchboard.
const LIMIT_PER_OBJECT: u32 = 50;

/// `FIND {"+14155550123" OR "4155550123" OR …} IN PHONE FIELDS RETURNING …`.
pub(super) fn phone_search(phone: &PhoneQuery, fields: &CustomPhoneFields) -> String {
    let terms: Vec<String> = phone.renderings().iter().map(|r| quoted(r)).collect();
    format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING {}",
        terms.join(" OR "),
        returning(true, fields)
    )
}

/// `FIND {"jane@example.com"} IN EMAIL FIELDS RETURNING …`.
pub(super) fn email_search(email: &str, fields: &CustomPhoneFields) -> String {
    format!(
        "FIND {{{}}} IN EMAIL FIELDS RETURNING {}",
        quoted(email),
        returning(false, fields)
    )
}

fn quoted(term: &str) -> String {
    format!("\"{}\"", salesforce::escape::sosl_term(term))
}

fn returning(with_accounts: bool, fields: &CustomPhoneFields) -> String {
    let phones = |object| fields.all(object).join(", ");
    // AccountId lets the composite's related queries find the Contact's
    // Account Opportunities (see `related`). Owner.Name rides along in the same
    // search, so showing the owner costs no second request.
    let contact = format!(
        "Contact(Id, Name, Title, Email, {}, AccountId, Account.Name, Owner.Name, LastModifiedDate LIMIT {LIMIT_PER_OBJECT})",
        phones(CallerObject::Contact)
    );
    // Converted leads live on as Contacts; popping both would show one person twice.
    let lead = format!(
        "Lead(Id, Name, Title, Company, Email, {}, Owner.Name, LastModifiedDate WHERE IsConverted = false LIMIT {LIMIT_PER_OBJECT})",
        phones(CallerObject::Lead)
    );
    let mut objects = vec![contact, lead];
    if with_accounts {
        objects.push(format!(
            "Account(Id, Name, {}, Owner.Name, LastModifiedDate LIMIT {LIMIT_PER_OBJECT})",
            phones(CallerObject::Account)
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
        let sosl = phone_search(&phone, &CustomPhoneFields::default());
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
        let sosl = email_search("o'brien+calls@example.com", &CustomPhoneFields::default());
        assert!(
            sosl.starts_with("FIND {\"o\\'brien\\+calls@example.com\"} IN EMAIL FIELDS"),
            "quote and plus escaped: {sosl}"
        );
        assert!(
            !sosl.contains("Account("),
            "accounts have no email field: {sosl}"
        );
    }

    #[test]
    fn custom_phone_fields_and_the_owner_are_returned() {
        let Ok(CallerQuery::Phone(phone)) = parse_caller_input("4155550123", Region::US) else {
            panic!("a phone number")
        };
        let mut fields = CustomPhoneFields::default();
        fields
            .set(CallerObject::Contact, &["Work_Phone__c".to_owned()])
            .expect("valid name");
        let sosl = phone_search(&phone, &fields);
        assert!(
            sosl.contains("AssistantPhone, Work_Phone__c, AccountId"),
            "the custom field follows the standard ones in Contact's RETURNING: {sosl}"
        );
        assert_eq!(
            sosl.matches("Owner.Name").count(),
            3,
            "every object brings its owner's name in the same search: {sosl}"
        );
    }
}
