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
    let tail = match query {
        CallerQuery::Phone(phone) => caller_tail(phone.e164()),
        CallerQuery::Email(_) => "",
    };
    let mut ranked: Vec<Ranked> = records
        .iter()
        .filter_map(|record| match_record(query, tail, record, settings))
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

/// Digits of the caller's number every stored spelling of it must contain: the
/// last four, which are the end of the national number (country codes have at
/// most three digits, so a number of seven or more digits has a national part
/// of at least four). Trunk prefixes, carrier codes and country codes only
/// change the start of a number, never its end. Empty: no shortcut.
fn caller_tail(e164: &str) -> &str {
    let digits = e164.trim_start_matches('+');
    if digits.len() >= 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        &digits[digits.len() - 4..]
    } else {
        ""
    }
}

/// A cheap "cannot be the caller" test before the full parse (the parse is the
/// pop's main CPU cost, up to two per phone field of each record): a stored
/// value written with ASCII digits and punctuation only is the caller only if
/// its digits contain `tail` in a row. Anything else (full-width or
/// Arabic-Indic digits, …) goes to the full parse.
fn may_be_caller(stored: &str, tail: &str) -> bool {
    if tail.is_empty()
        || !stored
            .bytes()
            .all(|b| b.is_ascii_digit() || b" +-.()/".contains(&b))
    {
        return true;
    }
    let digits: Vec<u8> = stored.bytes().filter(u8::is_ascii_digit).collect();
    digits.windows(tail.len()).any(|w| w == tail.as_bytes())
}

fn match_record(
    query: &CallerQuery,
    tail: &str,
    record: &Record,
    settings: &LookupSettings,
) -> Option<Ranked> {
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
                record.str_field(field).is_some_and(|stored| {
                    may_be_caller(stored, tail)
                        && phone.matches_stored(stored, settings.default_region)
                })
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
    fn the_shortcut_never_drops_a_number_the_full_parse_keeps() {
        let callers = [
            "+1 415 555 0123",
            "+44 20 7946 0958",
            "+49 30 901820",
            "+55 11 91234-5678",
            "+81 3-1234-5678",
            "+54 9 11 1234-5678",
            "+52 55 1234 5678",
            "+39 06 1234 5678",
            "+966 11 234 5678",
        ];
        let stored = [
            "(415) 555-0123",
            "415.555.0123",
            "+1 415 555 0123",
            "1-415-555-0123",
            "001 415 555 0123",
            "4155550123",
            "+44 (0)20 7946 0958",
            "020 7946 0958",
            "0044 20 7946 0958",
            "030 901820",
            "+49 (30) 901820",
            "(11) 91234-5678",
            "0 15 11 91234-5678",
            "03-1234-5678",
            "０３-１２３４-５６７８",
            "011 15-1234-5678",
            "+54 11 15 1234 5678",
            "55 1234 5678",
            "044 55 1234 5678",
            "06 1234 5678",
            "011 234 5678",
            "٠١١ ٢٣٤ ٥٦٧٨",
            "(212) 555-0199",
            "+1 415 555 0199",
            "555-0123",
        ];
        let mut kept = 0;
        for caller in callers {
            let query = phone(caller);
            let CallerQuery::Phone(number) = &query else {
                unreachable!("a phone number")
            };
            let tail = caller_tail(number.e164());
            assert_eq!(tail.len(), 4, "{caller}: a tail to test with");
            for value in stored {
                let keeps = number.matches_stored(value, Region::US);
                kept += usize::from(keeps);
                assert!(
                    may_be_caller(value, tail) || !keeps,
                    "{value:?} is {caller} by the full parse; the shortcut must not drop it"
                );
            }
        }
        assert!(
            kept >= 15,
            "the pairs include many real matches, or the check proves little: {kept}"
        );
        assert!(
            !may_be_caller("(212) 555-0199", "0123"),
            "another number is dropped cheaply"
        );
        assert!(
            may_be_caller("０３-１２３４-５６７８", "5679"),
            "non-ASCII digits: the full parse decides"
        );
        assert!(may_be_caller("12", ""), "no tail: no shortcut");
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
