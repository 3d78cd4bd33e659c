//! Which search results really are the caller, and in what order the agent
//! sees them. Search finds candidates; this module decides.

use salesforce::Record;

use super::model::{CallerMatch, CallerObject, MatchSource};
use crate::phone::CallerQuery;
use crate::settings::LookupSettings;

/// A match plus what it ranks by.
struct Ranked {
    found: CallerMatch,
    /// Position of the matched field in its object's field list: the main number
    /// (or the email) first.
    field_rank: usize,
}

/// Keeps the records whose stored number (or email) is the caller's and sorts
/// them: by the configured object priority (default Contact before Lead before
/// Account), a match on the main number before
/// one on a secondary number, then the most recently modified first.
pub(super) fn keep_and_rank(
    query: &CallerQuery,
    records: &[Record],
    settings: &LookupSettings,
) -> Vec<CallerMatch> {
    let mut ranked: Vec<Ranked> = records
        .iter()
        .filter_map(|record| match_record(query, record, settings))
        .collect();
    ranked.sort_by(|a, b| {
        let priority = &settings.object_priority;
        priority
            .rank(a.found.object)
            .cmp(&priority.rank(b.found.object))
            .then(a.field_rank.cmp(&b.field_rank))
            // Salesforce datetimes in one format sort as text; newest first.
            .then_with(|| b.found.last_modified.cmp(&a.found.last_modified))
            .then_with(|| a.found.id.cmp(&b.found.id))
    });
    // One record can come back once per object only, but be defensive: the
    // agent should never see the same person twice.
    let mut seen = std::collections::HashSet::new();
    ranked.retain(|r| seen.insert(r.found.id.clone()));
    ranked.into_iter().map(|r| r.found).collect()
}

fn match_record(query: &CallerQuery, record: &Record, settings: &LookupSettings) -> Option<Ranked> {
    let object = match record.sobject_type() {
        "Contact" => CallerObject::Contact,
        "Lead" => CallerObject::Lead,
        "Account" => CallerObject::Account,
        other => {
            tracing::warn!(
                object = other,
                "search returned an object Ringside did not ask for"
            );
            return None;
        }
    };
    let (field_rank, matched_field) = match query {
        CallerQuery::Phone(phone) => {
            let fields = settings.phone_fields.all(object);
            fields.into_iter().enumerate().find(|(_, field)| {
                record
                    .str_field(field)
                    .is_some_and(|stored| phone.matches_stored(stored, settings.default_region))
            })?
        }
        CallerQuery::Email(email) => {
            let stored = record.str_field("Email")?;
            if stored.trim().to_lowercase() != *email {
                return None;
            }
            (0, "Email")
        }
    };
    let company = match object {
        CallerObject::Contact => record.str_field("Account.Name"),
        CallerObject::Lead => record.str_field("Company"),
        CallerObject::Account => record.str_field("Name"),
    };
    let phone = match query {
        CallerQuery::Phone(_) => record.str_field(matched_field),
        CallerQuery::Email(_) => record.str_field("Phone"),
    };
    Some(Ranked {
        found: CallerMatch {
            object,
            id: record.str_field("Id")?.to_owned(),
            name: record.str_field("Name").unwrap_or_default().to_owned(),
            company: company.map(str::to_owned),
            title: record.str_field("Title").map(str::to_owned),
            phone: phone.map(str::to_owned),
            email: record.str_field("Email").map(str::to_owned),
            matched_field: matched_field.to_owned(),
            owner: record.str_field("Owner.Name").map(str::to_owned),
            last_modified: record.str_field("LastModifiedDate").map(str::to_owned),
            open_opportunities: Vec::new(),
            open_cases: Vec::new(),
            related_loaded: false,
            source: MatchSource::Search,
        },
        field_rank,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::phone::{Region, parse_caller_input};

    fn record(value: serde_json::Value) -> Record {
        serde_json::from_value(value).expect("test record is Salesforce-shaped")
    }

    fn phone(input: &str) -> CallerQuery {
        parse_caller_input(input, Region::US).expect("test number is valid")
    }

    fn ids(matches: &[CallerMatch]) -> Vec<&str> {
        matches.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn contact_before_lead_before_account_then_newest_first() {
        let records = [
            record(
                json!({"attributes": {"type": "Account"}, "Id": "001A", "Name": "Acme",
                "Phone": "(415) 555-0123", "LastModifiedDate": "2026-11-20T10:00:00.000+0000"}),
            ),
            record(
                json!({"attributes": {"type": "Lead"}, "Id": "00QA", "Name": "Lee Lead",
                "Company": "Acme", "Phone": "415.555.0123", "LastModifiedDate": "2026-11-21T10:00:00.000+0000"}),
            ),
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003OLD", "Name": "Old",
                "Phone": "+1 415 555 0123", "LastModifiedDate": "2026-01-01T10:00:00.000+0000"}),
            ),
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003NEW", "Name": "New",
                "Phone": "4155550123", "Account": {"attributes": {"type": "Account"}, "Name": "Acme"},
                "LastModifiedDate": "2026-11-01T10:00:00.000+0000"}),
            ),
        ];
        let matches = keep_and_rank(
            &phone("(415) 555-0123"),
            &records,
            &LookupSettings::with_region(Region::US),
        );
        assert_eq!(
            ids(&matches),
            ["003NEW", "003OLD", "00QA", "001A"],
            "rank order"
        );
        assert_eq!(
            matches[0].company.as_deref(),
            Some("Acme"),
            "Contact's company is its Account"
        );
        assert_eq!(
            matches[2].company.as_deref(),
            Some("Acme"),
            "Lead's company is Company"
        );
    }

    #[test]
    fn configured_priority_puts_leads_first() {
        let records = [
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003C", "Name": "C",
                "Phone": "(415) 555-0123"}),
            ),
            record(
                json!({"attributes": {"type": "Account"}, "Id": "001A", "Name": "A",
                "Phone": "(415) 555-0123"}),
            ),
            record(
                json!({"attributes": {"type": "Lead"}, "Id": "00QL", "Name": "L",
                "Phone": "(415) 555-0123"}),
            ),
        ];
        let priority = crate::settings::ObjectPriority::new([
            CallerObject::Lead,
            CallerObject::Account,
            CallerObject::Contact,
        ])
        .expect("a permutation");
        let settings = LookupSettings::with_region(Region::US).with_object_priority(priority);
        let matches = keep_and_rank(&phone("4155550123"), &records, &settings);
        assert_eq!(
            ids(&matches),
            ["00QL", "001A", "003C"],
            "the admin's order wins over the default Contact > Lead > Account"
        );
    }

    #[test]
    fn main_number_ranks_before_mobile() {
        let records = [
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003MOBILE", "Name": "M",
                "Phone": "+1 212 555 0100", "MobilePhone": "(415) 555-0123",
                "LastModifiedDate": "2026-11-21T10:00:00.000+0000"}),
            ),
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003MAIN", "Name": "P",
                "Phone": "(415) 555-0123", "LastModifiedDate": "2026-01-01T10:00:00.000+0000"}),
            ),
        ];
        let matches = keep_and_rank(
            &phone("4155550123"),
            &records,
            &LookupSettings::with_region(Region::US),
        );
        assert_eq!(
            ids(&matches),
            ["003MAIN", "003MOBILE"],
            "main number outranks recency"
        );
        assert_eq!(
            matches[1].matched_field, "MobilePhone",
            "names the field that matched"
        );
        assert_eq!(
            matches[1].phone.as_deref(),
            Some("(415) 555-0123"),
            "shows the matched value"
        );
    }

    #[test]
    fn a_custom_phone_field_matches_only_when_configured_and_the_owner_is_read() {
        let records = [record(
            json!({"attributes": {"type": "Contact"}, "Id": "003W", "Name": "Wendy Work",
            "Phone": "+1 212 555 0100", "Work_Phone__c": "415-555-0123",
            "Owner": {"attributes": {"type": "User"}, "Name": "Olivia Owner"}}),
        )];
        let plain = LookupSettings::with_region(Region::US);
        assert!(
            keep_and_rank(&phone("4155550123"), &records, &plain).is_empty(),
            "a field the admin did not configure is not compared"
        );
        let mut fields = crate::settings::CustomPhoneFields::default();
        fields
            .set(CallerObject::Contact, &["Work_Phone__c".to_owned()])
            .expect("valid name");
        let matches = keep_and_rank(
            &phone("4155550123"),
            &records,
            &plain.with_phone_fields(fields),
        );
        assert_eq!(ids(&matches), ["003W"], "the configured field matches");
        assert_eq!(matches[0].matched_field, "Work_Phone__c");
        assert_eq!(
            matches[0].owner.as_deref(),
            Some("Olivia Owner"),
            "Owner.Name is shown"
        );
    }

    #[test]
    fn near_misses_from_search_are_dropped() {
        let records = [
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003X", "Name": "Other",
                "Phone": "(415) 555-0124"}),
            ),
            record(json!({"attributes": {"type": "Contact"}, "Id": "003Y", "Name": "No phone"})),
            record(
                json!({"attributes": {"type": "User"}, "Id": "005Z", "Name": "Not asked for",
                "Phone": "(415) 555-0123"}),
            ),
        ];
        let matches = keep_and_rank(
            &phone("4155550123"),
            &records,
            &LookupSettings::with_region(Region::US),
        );
        assert!(matches.is_empty(), "only real matches survive: {matches:?}");
    }

    #[test]
    fn email_matches_ignore_case_and_nothing_else() {
        let query = parse_caller_input("Jane@Example.com", Region::US).expect("valid email");
        let records = [
            record(
                json!({"attributes": {"type": "Contact"}, "Id": "003J", "Name": "Jane",
                "Email": "JANE@example.COM"}),
            ),
            record(
                json!({"attributes": {"type": "Lead"}, "Id": "00QJ", "Name": "Janet",
                "Email": "janet@example.com"}),
            ),
        ];
        let matches = keep_and_rank(&query, &records, &LookupSettings::with_region(Region::US));
        assert_eq!(
            ids(&matches),
            ["003J"],
            "only the same address, case-insensitively"
        );
    }
}
