//! Caller input → a normalised query. Owns the rules for what a phone number or
//! an email address typed by an agent (or sent by a softphone) may look like, and
//! the renderings of a number that people store in Salesforce.
//!
//! Numbers are parsed with libphonenumber's metadata (the `phonenumber` crate)
//! against a default region, so "(415) 555-0123", "+1 415.555.0123" and
//! "4155550123" (region US) are the same caller: `+14155550123`.

use phonenumber::{Mode, PhoneNumber, country};
use thiserror::Error;

/// Longest input accepted. An email address is at most 254 characters (RFC 5321);
/// nothing longer is a caller.
pub const MAX_INPUT_CHARS: usize = 254;

/// A two-letter region (ISO 3166-1 alpha-2) used to read numbers typed without a
/// country code, e.g. `JP` reads "03-1234-5678" as `+81312345678`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(country::Id);

impl Region {
    /// The fallback when neither config nor the OS locale names a region.
    pub const US: Region = Region(country::Id::US);

    /// Parses `"JP"`, `"jp"`; `None` for anything libphonenumber does not know.
    pub fn parse(code: &str) -> Option<Region> {
        let upper = code.trim().to_ascii_uppercase();
        if upper.len() != 2 {
            return None;
        }
        upper.parse::<country::Id>().ok().map(Region)
    }

    /// `"JP"`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

/// What the caller input turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum CallerQuery {
    Phone(PhoneQuery),
    /// A lower-cased email address.
    Email(String),
}

/// A caller's phone number, parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneQuery {
    number: PhoneNumber,
    e164: String,
}

impl PhoneQuery {
    /// `+14155550123`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The region the number belongs to, used to read stored numbers that were
    /// typed in that country's national format.
    pub fn region(&self) -> Option<Region> {
        self.number.country().id().map(Region)
    }

    /// The forms people store this number in, for a search that does not ignore
    /// formatting: E.164, international digits, national (formatted and digits,
    /// with and without the trunk prefix), international formatted, and, where the
    /// country has a trunk prefix, the international form that keeps it in
    /// parentheses ("+49 (0)89 240763", common in German-speaking countries and the
    /// UK) with its digits. Deduplicated, most specific first.
    pub fn renderings(&self) -> Vec<String> {
        let international = self.number.format().mode(Mode::International).to_string();
        let national = self.number.format().mode(Mode::National).to_string();
        let significant = self.number.national().to_string();
        let national_digits = digits_only(&national);
        // The national form's digits are the trunk prefix followed by the significant
        // number ("089240763" = "0" + "89240763"); no prefix, no parenthesised form.
        let trunk = national_digits
            .strip_suffix(significant.as_str())
            .filter(|prefix| !prefix.is_empty())
            .map(str::to_owned);
        let code = self.number.code().value().to_string();
        let (with_trunk, with_trunk_digits) = match &trunk {
            Some(trunk) => (
                international
                    .strip_prefix(&format!("+{code} "))
                    .map(|rest| format!("+{code} ({trunk}){rest}"))
                    .unwrap_or_default(),
                format!("+{code}{trunk}{significant}"),
            ),
            None => (String::new(), String::new()),
        };
        let candidates = [
            self.e164.clone(),
            digits_only(&self.e164),
            national.clone(),
            national_digits,
            significant,
            international,
            with_trunk,
            with_trunk_digits,
        ];
        let mut unique: Vec<String> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            if !candidate.is_empty() && !unique.contains(&candidate) {
                unique.push(candidate);
            }
        }
        unique
    }

    /// Does a number stored in Salesforce (as typed by someone) denote this caller?
    /// A stored number without a country code is read in the caller's own region
    /// first (a Japanese contact stored as "03-…"), then in `default_region`.
    pub fn matches_stored(&self, stored: &str, default_region: Region) -> bool {
        let regions = [self.region(), Some(default_region)];
        regions.into_iter().flatten().any(|region| {
            normalize_phone(stored, region).is_ok_and(|query| query.e164 == self.e164)
        })
    }
}

/// Why an input is not something Ringside can look up. Each message says what
/// was wrong and what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("nothing to look up: type a phone number (e.g. +1 415 555 0123) or an email address")]
    Empty,
    #[error(
        "the input is {chars} characters long; a phone number or email address has at most {max}"
    )]
    TooLong { chars: usize, max: usize },
    #[error(
        "{shown:?} is not a phone number: it contains {offending}; use digits, spaces and + - . ( ) only"
    )]
    InvalidCharacter {
        shown: String,
        /// The first character that cannot be in a phone number, printable: `“'”` or `U+0000`.
        offending: String,
    },
    #[error("{shown:?} is not a phone number Ringside can read: {reason}")]
    InvalidPhone { shown: String, reason: String },
    #[error("{shown:?} is not a valid email address: {reason}")]
    InvalidEmail { shown: String, reason: String },
}

/// Reads agent or softphone input as a phone number or an email address.
/// Never panics; anything else is an [`InputError`] that says why.
pub fn parse_caller_input(input: &str, default_region: Region) -> Result<CallerQuery, InputError> {
    let trimmed = input.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        return Err(InputError::Empty);
    }
    if chars > MAX_INPUT_CHARS {
        return Err(InputError::TooLong {
            chars,
            max: MAX_INPUT_CHARS,
        });
    }
    if let Some(address) = strip_uri_scheme(trimmed) {
        return normalize_phone(address, default_region).map(CallerQuery::Phone);
    }
    if trimmed.contains('@') {
        return normalize_email(trimmed).map(CallerQuery::Email);
    }
    normalize_phone(trimmed, default_region).map(CallerQuery::Phone)
}

/// `sip:+14155550123@host;user=phone` and `tel:+1-415-555-0123` → the number part.
fn strip_uri_scheme(input: &str) -> Option<&str> {
    let lower = input
        .get(..5)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower.starts_with("sips:") {
        &input[5..]
    } else if lower.starts_with("sip:") || lower.starts_with("tel:") {
        &input[4..]
    } else {
        return None;
    };
    let end = rest.find(['@', ';']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Parses one phone number. Full-width (Japanese IME) and Arabic-Indic digits
/// are read as the digits they are; letters and other symbols are refused
/// rather than guessed at, so junk never reaches Salesforce.
pub fn normalize_phone(input: &str, default_region: Region) -> Result<PhoneQuery, InputError> {
    let shown = shorten_for_message(input);
    let mut ascii = String::with_capacity(input.len());
    for ch in input.trim().chars() {
        match fold_phone_char(ch) {
            Some(folded) => ascii.push(folded),
            None => {
                return Err(InputError::InvalidCharacter {
                    shown,
                    offending: printable_char(ch),
                });
            }
        }
    }
    let digit_count = ascii.chars().filter(char::is_ascii_digit).count();
    if digit_count < 3 {
        return Err(InputError::InvalidPhone {
            shown,
            reason: "it has fewer than 3 digits".to_owned(),
        });
    }
    if digit_count > 17 {
        return Err(InputError::InvalidPhone {
            shown,
            reason: format!("it has {digit_count} digits; phone numbers have at most 15"),
        });
    }
    // A number with its country code must be parsed without a region: the
    // `phonenumber` crate strips the *default* region's trunk prefix otherwise
    // (+966 11… read in US loses its leading 1 and turns invalid).
    let region_hint = if ascii.trim_start().starts_with('+') {
        None
    } else {
        Some(default_region.0)
    };
    let number =
        phonenumber::parse(region_hint, &ascii).map_err(|err| InputError::InvalidPhone {
            shown: shown.clone(),
            reason: describe_parse_error(&err),
        })?;
    if !phonenumber::is_valid(&number) {
        return Err(InputError::InvalidPhone {
            shown,
            reason: format!(
                "it is not a valid number in region {} (add the country code, e.g. +44 …)",
                region_label(&number, default_region)
            ),
        });
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    Ok(PhoneQuery { number, e164 })
}

fn region_label(number: &PhoneNumber, default_region: Region) -> String {
    number
        .country()
        .id()
        .map(Region)
        .unwrap_or(default_region)
        .code()
        .to_owned()
}

fn describe_parse_error(err: &phonenumber::ParseError) -> String {
    use phonenumber::ParseError as E;
    match err {
        E::NoNumber => "no phone number found in it".to_owned(),
        E::InvalidCountryCode => "the country code is not valid".to_owned(),
        E::TooShortAfterIdd | E::TooShortNsn => "it is too short".to_owned(),
        E::TooLong => "it is too long".to_owned(),
        other => other.to_string(),
    }
}

/// Maps a character a person may type in a phone number to ASCII, or `None`
/// when it has no place in one.
fn fold_phone_char(ch: char) -> Option<char> {
    match ch {
        '0'..='9' | '+' | '-' | '.' | '(' | ')' | '/' | ' ' => Some(ch),
        // Full-width digits and punctuation from East Asian input methods.
        '０'..='９' => char::from_u32('0' as u32 + (ch as u32 - '０' as u32)),
        '＋' => Some('+'),
        '－' | 'ー' | '‐' | '‑' | '‒' | '–' | '—' | '−' => Some('-'),
        '（' => Some('('),
        '）' => Some(')'),
        '．' => Some('.'),
        '\u{3000}' | '\u{00A0}' | '\u{202F}' | '\t' => Some(' '),
        // Arabic-Indic and Extended Arabic-Indic (Persian/Urdu) digits.
        '٠'..='٩' => char::from_u32('0' as u32 + (ch as u32 - '٠' as u32)),
        '۰'..='۹' => char::from_u32('0' as u32 + (ch as u32 - '۰' as u32)),
        // Bidi marks that right-to-left text puts around numbers.
        '\u{200E}' | '\u{200F}' | '\u{061C}' => Some(' '),
        _ => None,
    }
}

/// Lower-cases and checks an email address. The check is deliberately loose
/// (one `@`, a dotted domain, no spaces or control characters): Salesforce is
/// the judge of what is stored, Ringside only refuses what cannot be an address.
pub fn normalize_email(input: &str) -> Result<String, InputError> {
    let shown = shorten_for_message(input);
    let invalid = |reason: &str| InputError::InvalidEmail {
        shown: shown.clone(),
        reason: reason.to_owned(),
    };
    let address = input.trim();
    if address
        .chars()
        .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(invalid("it contains spaces or control characters"));
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(invalid("it has no @"));
    };
    if local.is_empty() || local.contains('@') {
        return Err(invalid("it needs exactly one @ with a name before it"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|label| label.is_empty()) {
        return Err(invalid(
            "the part after @ must be a domain such as example.com",
        ));
    }
    Ok(address.to_lowercase())
}

/// A character as an error message can show it: invisible ones by code point.
fn printable_char(ch: char) -> String {
    if ch.is_control() || ch.is_whitespace() || ch.is_ascii_control() {
        format!("U+{:04X}", u32::from(ch))
    } else {
        format!("“{ch}”")
    }
}

/// Forgets the compiled number patterns of the countries seen so far (libphonenumber's
/// metadata regexes: up to 100 kept, about 175 KB each), for an app going idle. Numbers from
/// those countries compile them again, once, on the next call.
pub fn release_compiled_patterns() {
    let cache = phonenumber::metadata::DATABASE.cache();
    let mut compiled = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    compiled.clear();
}

/// Digits of a string, in order.
pub fn digits_only(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Input echoed in an error is cut to 40 characters so a pasted novel does not
/// flood the terminal.
fn shorten_for_message(input: &str) -> String {
    const SHOWN: usize = 40;
    let trimmed = input.trim();
    if trimmed.chars().count() <= SHOWN {
        trimmed.to_owned()
    } else {
        let head: String = trimmed.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_same_after_the_patterns_are_released() {
        let before = normalize_phone("030 1234567", Region::parse("DE").expect("DE"))
            .expect("a Berlin number");
        // (Other tests compile patterns in parallel, so the cache being empty is not checked.)
        release_compiled_patterns();
        let after = normalize_phone("030 1234567", Region::parse("DE").expect("DE"))
            .expect("still a Berlin number");
        assert_eq!(before, after, "compiled again on demand, same reading");
    }

    fn e164(input: &str, region: &str) -> String {
        match parse_caller_input(input, Region::parse(region).expect("test region is valid")) {
            Ok(CallerQuery::Phone(query)) => query.e164().to_owned(),
            other => panic!("{input:?} in {region} should be a phone number, got {other:?}"),
        }
    }

    #[test]
    fn us_formats_are_one_caller() {
        for input in [
            "(415) 555-0123",
            "+1 415.555.0123",
            "4155550123",
            "415-555-0123",
            "+14155550123",
        ] {
            assert_eq!(
                e164(input, "US"),
                "+14155550123",
                "{input} is the same US number"
            );
        }
    }

    #[test]
    fn national_numbers_use_the_default_region() {
        assert_eq!(
            e164("03-1234-5678", "JP"),
            "+81312345678",
            "Tokyo number read in JP"
        );
        assert_eq!(
            e164("020 7946 0958", "GB"),
            "+442079460958",
            "London number read in GB"
        );
        assert_eq!(
            e164("+90 212 555 01 23", "US"),
            "+902125550123",
            "explicit country code wins"
        );
    }

    #[test]
    fn country_code_is_not_cut_by_the_default_regions_trunk_prefix() {
        // Regression: parsing "+966 11…" with region US stripped US's trunk prefix "1".
        for (input, expected) in [
            ("+966 11 234 5678", "+966112345678"),
            ("+33 1 42 68 53 00", "+33142685300"),
            ("+55 11 91234-5678", "+5511912345678"),
        ] {
            assert_eq!(
                e164(input, "US"),
                expected,
                "{input} keeps its national number"
            );
        }
    }

    #[test]
    fn east_asian_and_arabic_digits_are_read() {
        assert_eq!(
            e164("０３－１２３４－５６７８", "JP"),
            "+81312345678",
            "full-width IME input"
        );
        assert_eq!(
            e164("+٩٦٦ ١١ ٢٣٤ ٥٦٧٨", "SA"),
            "+966112345678",
            "Arabic-Indic digits"
        );
    }

    #[test]
    fn sip_and_tel_uris_yield_the_number() {
        assert_eq!(
            e164("sip:+14155550123@127.0.0.1:5070;user=phone", "US"),
            "+14155550123"
        );
        assert_eq!(e164("tel:+1-415-555-0123", "DE"), "+14155550123");
    }

    #[test]
    fn emails_are_lower_cased() {
        let query = parse_caller_input("  Jane.Caller@Example.COM ", Region::US);
        assert_eq!(
            query,
            Ok(CallerQuery::Email("jane.caller@example.com".to_owned()))
        );
    }

    #[test]
    fn hostile_inputs_are_refused_before_any_search() {
        let long_junk = "x".repeat(500);
        let hostile = [
            "' OR Name LIKE '%",
            "} RETURNING User(Id",
            "\\",
            "",
            "   ",
            long_junk.as_str(),
            "📞📞📞",
            "4155550123\u{0}",
            "1-800-FLOWERS",
            "12",
            "@",
            "a@b",
            "no spaces@ex ample.com",
        ];
        for input in hostile {
            let result = parse_caller_input(input, Region::US);
            assert!(result.is_err(), "{input:?} must be refused, got {result:?}");
            let message = result.unwrap_err().to_string();
            assert!(!message.contains('\n'), "one line per error: {message}");
        }
    }

    #[test]
    fn error_echo_is_shortened() {
        let err = parse_caller_input(&"9".repeat(30).replace('9', "9x"), Region::US).unwrap_err();
        assert!(
            err.to_string().chars().count() < 160,
            "message stays short: {err}"
        );
    }

    #[test]
    fn renderings_cover_how_people_type_numbers() {
        let CallerQuery::Phone(query) = parse_caller_input("+14155550123", Region::US).unwrap()
        else {
            panic!("a phone number")
        };
        let renderings = query.renderings();
        for expected in [
            "+14155550123",
            "14155550123",
            "4155550123",
            "(415) 555-0123",
        ] {
            assert!(
                renderings.iter().any(|r| r == expected),
                "{expected} in {renderings:?}"
            );
        }
    }

    #[test]
    fn renderings_keep_the_trunk_prefix_in_parentheses_where_a_country_has_one() {
        let CallerQuery::Phone(query) = parse_caller_input("+49 89 240763", Region::US).unwrap()
        else {
            panic!("a phone number")
        };
        let renderings = query.renderings();
        for expected in [
            "+4989240763",
            "089 240763",
            "+49 (0)89 240763",
            "+49089240763",
        ] {
            assert!(
                renderings.iter().any(|r| r == expected),
                "{expected} in {renderings:?}"
            );
        }
        assert!(
            query.matches_stored("+49 (0)89 2407-63", Region::US),
            "a stored +49 (0)… number is this caller"
        );
        let CallerQuery::Phone(us) = parse_caller_input("+14155550123", Region::US).unwrap() else {
            panic!("a phone number")
        };
        assert!(
            !us.renderings()
                .iter()
                .any(|r| r.contains('(') && r.starts_with('+')),
            "no trunk prefix in the US, so no parenthesised form: {:?}",
            us.renderings()
        );
    }

    #[test]
    fn stored_numbers_match_in_the_callers_region() {
        let CallerQuery::Phone(query) = parse_caller_input("+81312345678", Region::US).unwrap()
        else {
            panic!("a phone number")
        };
        assert!(
            query.matches_stored("03-1234-5678", Region::US),
            "JP national form"
        );
        assert!(
            query.matches_stored("+81 3-1234-5678", Region::US),
            "JP international form"
        );
        assert!(
            !query.matches_stored("03-1234-5679", Region::US),
            "another number"
        );
        assert!(
            !query.matches_stored("not a number", Region::US),
            "junk stored value"
        );
    }

    #[test]
    fn region_parsing() {
        assert_eq!(
            Region::parse("jp").map(|r| r.code().to_owned()).as_deref(),
            Some("JP")
        );
        assert_eq!(Region::parse("XX"), None, "unknown region");
        assert_eq!(Region::parse("USA"), None, "three letters");
    }
}
