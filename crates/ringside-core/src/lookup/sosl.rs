//! The SOSL statements of a screen pop. Caller input reaches them only through
//! [`salesforce::escape::sosl_term`], inside quotes; field names only from
//! [`CustomPhoneFields`], which holds validated API names from the admin's config.
//!
//! The objects are listed in the admin's rank order and each is sorted newest first, so the
//! search's first record is the caller the pop most likely shows first: Salesforce lists
//! search results "in the order specified in the clause"
//! (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_returning.htm>),
//! and `ORDER BY` sorts within an object
//! (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_select_order_by_with_limit.htm>).
//! The pop's related-record queries refer to that first record (see `related`).

use crate::lookup::CallerObject;
use crate::phone::PhoneQuery;
use crate::settings::{CustomPhoneFields, LookupSettings};

/// Records per object; a number shared by more people than this is a switchboard.
const LIMIT_PER_OBJECT: u32 = 50;

/// `FIND {"+14155550123" OR "4155550123" OR …} IN PHONE FIELDS RETURNING …`.
/// `with_leads` false leaves Lead out (the user cannot read Leads).
pub(super) fn phone_search(
    phone: &PhoneQuery,
    settings: &LookupSettings,
    with_leads: bool,
) -> String {
    let terms: Vec<String> = phone.renderings().iter().map(|r| quoted(r)).collect();
    format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING {}",
        terms.join(" OR "),
        returning(true, with_leads, settings)
    )
}

/// `FIND {"jane@example.com"} IN EMAIL FIELDS RETURNING …`.
pub(super) fn email_search(email: &str, settings: &LookupSettings, with_leads: bool) -> String {
    format!(
        "FIND {{{}}} IN EMAIL FIELDS RETURNING {}",
        quoted(email),
        returning(false, with_leads, settings)
    )
}

fn quoted(term: &str) -> String {
    format!("\"{}\"", salesforce::escape::sosl_term(term))
}

/// Newest first within each object, then by id: the ranking's own tie-breaks, so the
/// first record is the one it puts first.
const ORDER: &str = "ORDER BY LastModifiedDate DESC, Id";

fn returning(with_accounts: bool, with_leads: bool, settings: &LookupSettings) -> String {
    let fields: &CustomPhoneFields = &settings.phone_fields;
    let phones = |object| fields.all(object).join(", ");
    settings
        .object_priority
        .order()
        .into_iter()
        .filter_map(|object| match object {
            // AccountId lets the composite's related queries find the Contact's
            // Account Opportunities (see `related`). Owner.Name rides along in the same
            // search, so showing the owner costs no second request.
            CallerObject::Contact => Some(format!(
                "Contact(Id, Name, Title, Email, {}, AccountId, Account.Name, Owner.Name, LastModifiedDate {ORDER} LIMIT {LIMIT_PER_OBJECT})",
                phones(CallerObject::Contact)
            )),
            // Converted leads live on as Contacts; popping both would show one person twice.
            CallerObject::Lead => with_leads.then(|| format!(
                "Lead(Id, Name, Title, Company, Email, {}, Owner.Name, LastModifiedDate WHERE IsConverted = false {ORDER} LIMIT {LIMIT_PER_OBJECT})",
                phones(CallerObject::Lead)
            )),
            // Accounts have no email field.
            CallerObject::Account => with_accounts.then(|| {
                format!(
                    "Account(Id, Name, {}, Owner.Name, LastModifiedDate {ORDER} LIMIT {LIMIT_PER_OBJECT})",
                    phones(CallerObject::Account)
                )
            }),
        })
        .collect::<Vec<_>>()
        .join(", ")
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
        let sosl = phone_search(&phone, &LookupSettings::with_region(Region::US), true);
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
        let sosl = email_search(
            "o'brien+calls@example.com",
            &LookupSettings::with_region(Region::US),
            true,
        );
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
        let sosl = phone_search(
            &phone,
            &LookupSettings::with_region(Region::US).with_phone_fields(fields),
            true,
        );
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

    #[test]
    fn objects_come_in_the_admins_rank_order_newest_first() {
        let Ok(CallerQuery::Phone(phone)) = parse_caller_input("4155550123", Region::US) else {
            panic!("a phone number")
        };
        let default = phone_search(&phone, &LookupSettings::with_region(Region::US), true);
        let at = |sosl: &str, object: &str| sosl.find(object).expect("object listed");
        assert!(
            at(&default, "Contact(") < at(&default, "Lead(")
                && at(&default, "Lead(") < at(&default, "Account("),
            "Salesforce lists results in RETURNING order, so the first record is the top-ranked object's: {default}"
        );
        assert_eq!(
            default
                .matches("ORDER BY LastModifiedDate DESC, Id LIMIT")
                .count(),
            3,
            "every object newest first, before its LIMIT: {default}"
        );
        let priority = crate::settings::ObjectPriority::new([
            CallerObject::Account,
            CallerObject::Lead,
            CallerObject::Contact,
        ])
        .expect("each object once");
        let accounts_first = phone_search(
            &phone,
            &LookupSettings::with_region(Region::US).with_object_priority(priority),
            true,
        );
        assert!(
            accounts_first.contains("RETURNING Account(")
                && at(&accounts_first, "Lead(") < at(&accounts_first, "Contact("),
            "a configured priority reorders the search too: {accounts_first}"
        );
    }

    #[test]
    fn leads_can_be_left_out() {
        let Ok(CallerQuery::Phone(phone)) = parse_caller_input("4155550123", Region::US) else {
            panic!("a phone number")
        };
        let sosl = phone_search(&phone, &LookupSettings::with_region(Region::US), false);
        assert!(
            !sosl.contains("Lead(") && sosl.contains("Contact(") && sosl.contains("Account("),
            "a user who cannot read Leads searches Contacts and Accounts only: {sosl}"
        );
    }
}
