//! Time, in the few shapes Ringside reads and writes it: instants as epoch milliseconds,
//! Salesforce's date and datetime text, HTTP dates, and the offset of an IANA zone at an
//! instant. The calendar itself (leap years, days of the month, weekdays, zone rules) is
//! `jiff`'s; this module owns only the exact text each format allows, so every caller writes
//! and accepts the same bytes.
//!
//! The clock is not read here: callers pass `now` in (see [`crate::clock`]).
//!
//! Salesforce's formats:
//! <https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm> (`date`,
//! `dateTime`) and
//! <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm>
//! (SOQL literals).

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const EPOCH_DATE: Date = Date::constant(1970, 1, 1);
const EPOCH: DateTime = DateTime::constant(1970, 1, 1, 0, 0, 0, 0);

/// Milliseconds since 1970-01-01T00:00:00Z for a clock reading (negative before it).
pub fn epoch_ms(at: SystemTime) -> i64 {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => ms(after),
        Err(before) => -ms(before.duration()),
    }
}

/// The UTC wall clock at `epoch_ms`; `None` outside years -9999..=9999.
fn utc_checked(epoch_ms: i64) -> Option<DateTime> {
    EPOCH
        .checked_add(SignedDuration::from_millis(epoch_ms))
        .ok()
}

/// [`utc_checked`], with instants outside years -9999..=9999 (which no clock, no Salesforce
/// field — its dates run 1700–4000 — and no four-digit year holds) clamped to the nearest
/// one, so the formatters that write what Ringside itself measured stay total.
fn utc(epoch_ms: i64) -> DateTime {
    utc_checked(epoch_ms).unwrap_or(if epoch_ms < 0 {
        DateTime::MIN
    } else {
        DateTime::MAX
    })
}

/// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds), the `dateTime` text Salesforce
/// reads (field types page above), e.g. `Started_At__c` and what the history keeps.
pub fn iso_datetime(epoch_ms: i64) -> String {
    utc(epoch_ms).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Writes `YYYY-MM-DD`, the UTC day of `epoch_ms`: the `date` text Salesforce reads (e.g.
/// `Task.ActivityDate`).
pub fn iso_date(epoch_ms: i64) -> String {
    utc(epoch_ms).strftime("%Y-%m-%d").to_string()
}

/// Writes `YYYY-MM-DDTHH:MM:SS.000Z` for a clock reading, to the whole second: what an
/// intent button writes into a datetime field, and the stand-in version of a queued edit.
pub fn utc_datetime(at: SystemTime) -> String {
    iso_datetime(epoch_ms(at).div_euclid(1000) * 1000)
}

/// Writes `YYYY-MM-DDTHH:MM:SSZ`, the SOQL datetime literal (SOQL date formats page above;
/// SOQL takes no fraction, so the instant is cut to its second).
pub fn soql_datetime(epoch_ms: i64) -> String {
    utc(epoch_ms.div_euclid(1000) * 1000)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Reads `YYYY-MM-DD` naming a day that exists (four-digit year, two-digit month and day,
/// ASCII digits only), Salesforce's `date` text. Anything else is `None`.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[..4])?;
    let (month, day) = (digits(&b[5..7])?, digits(&b[8..])?);
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// Days since 1970-01-01 of `date` (negative before it).
pub fn epoch_day(date: Date) -> i64 {
    date.duration_since(EPOCH_DATE).as_secs() / 86_400
}

/// Reads Salesforce's `dateTime` text: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any
/// length (`.000`), then `Z`, `±HHMM` (how the REST API writes it: `+0000`) or `±HH:MM`,
/// with an offset of at most 14 hours (the field types page above). Returns epoch
/// milliseconds (a longer fraction is cut to the millisecond); anything else — a space for
/// the `T`, no seconds, no zone, a day that does not exist, `24:00` — is `None`.
pub fn parse_datetime(text: &str) -> Option<i64> {
    if text.len() < 20 || !text.is_char_boundary(10) {
        return None;
    }
    let date = parse_date(&text[..10])?;
    let b = &text.as_bytes()[10..];
    if b[0] != b'T' || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (hour, minute, second) = (digits(&b[1..3])?, digits(&b[4..6])?, digits(&b[7..9])?);
    let mut zone = &b[9..];
    let mut millis = 0;
    if let Some(fraction) = zone.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        // `.5` is 500 ms: pad to three digits, drop what is finer than a millisecond.
        millis = fraction[..n]
            .iter()
            .chain([b'0'; 3].iter())
            .take(3)
            .fold(0, |acc, d| acc * 10 + i64::from(d - b'0'));
        zone = &fraction[n..];
    }
    let offset_seconds = match zone {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 14 || m > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    // Through the civil calendar rather than `Timestamp`, so every four-digit year reads.
    let local = date.to_datetime(time).duration_since(EPOCH);
    Some((local.as_secs() - offset_seconds) * 1000 + millis)
}

/// Whether `text` is Salesforce `dateTime` text ([`parse_datetime`]).
pub fn is_datetime(text: &str) -> bool {
    parse_datetime(text).is_some()
}

/// Writes an HTTP date, RFC 9110's IMF-fixdate (`Tue, 31 Mar 2026 14:30:00 GMT`,
/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7>), cut to the second: the form
/// Salesforce's `If-Unmodified-Since` takes
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm>).
/// `None` outside years 0000–9999, which the format's four-digit year cannot say.
pub fn http_date(epoch_ms: i64) -> Option<String> {
    let at = utc_checked(epoch_ms).filter(|at| at.year() >= 0)?;
    Some(at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// Reads an HTTP date as a server's `Date` header sends it (`Sun, 22 Nov 2026 01:28:14
/// GMT`, RFC 9110 §5.6.7 above, parsed as RFC 2822 by `jiff`, which also checks the
/// weekday) → seconds since the epoch. Anything else is `None`.
pub fn parse_http_date(text: &str) -> Option<i64> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    PARSER
        .parse_timestamp(text.trim())
        .ok()
        .map(Timestamp::as_second)
}

/// The IANA zone `name` (`Europe/Berlin`, what a browser's
/// `Intl.DateTimeFormat().resolvedOptions().timeZone` gives) from the system's time-zone
/// database; `None` when it is empty or not a known zone.
pub fn zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    TimeZone::get(name).ok()
}

/// The agent's own time zone: the system's (`TZ` when set to a known zone), where an
/// outcome's follow-up time of day is read.
pub fn agent_zone() -> TimeZone {
    TimeZone::system()
}

/// The offset from UTC in force in `zone` at `epoch_ms`, in milliseconds (e.g. 7,200,000
/// for Berlin in summer): the rules of that day, not of today.
pub fn offset_ms_at(zone: &TimeZone, epoch_ms: i64) -> i64 {
    Timestamp::from_millisecond(epoch_ms)
        .map(|at| i64::from(zone.to_offset(at).seconds()) * 1000)
        .unwrap_or(0)
}

/// ASCII digits → their number; `None` for an empty slice or any other byte (so no sign,
/// space or full-width digit slips through `str::parse`).
fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Instant → (Salesforce datetime, date, SOQL literal, HTTP date), each string written
    /// by the hand-made formatters this module replaced (checked equal to them on 200,000
    /// instants 1700–4000 before they were deleted), so the bytes sent to Salesforce and
    /// stored in the queue stay the same.
    const WRITTEN: [(i64, &str, &str, &str, &str); 14] = [
        (
            0,
            "1970-01-01T00:00:00.000Z",
            "1970-01-01",
            "1970-01-01T00:00:00Z",
            "Thu, 01 Jan 1970 00:00:00 GMT",
        ),
        (
            -1,
            "1969-12-31T23:59:59.999Z",
            "1969-12-31",
            "1969-12-31T23:59:59Z",
            "Wed, 31 Dec 1969 23:59:59 GMT",
        ),
        (
            999,
            "1970-01-01T00:00:00.999Z",
            "1970-01-01",
            "1970-01-01T00:00:00Z",
            "Thu, 01 Jan 1970 00:00:00 GMT",
        ),
        (
            1_700_000_000_123,
            "2023-11-14T22:13:20.123Z",
            "2023-11-14",
            "2023-11-14T22:13:20Z",
            "Tue, 14 Nov 2023 22:13:20 GMT",
        ),
        (
            951_782_400_000,
            "2000-02-29T00:00:00.000Z",
            "2000-02-29",
            "2000-02-29T00:00:00Z",
            "Tue, 29 Feb 2000 00:00:00 GMT",
        ),
        (
            951_868_799_999,
            "2000-02-29T23:59:59.999Z",
            "2000-02-29",
            "2000-02-29T23:59:59Z",
            "Tue, 29 Feb 2000 23:59:59 GMT",
        ),
        (
            1_709_251_199_999,
            "2024-02-29T23:59:59.999Z",
            "2024-02-29",
            "2024-02-29T23:59:59Z",
            "Thu, 29 Feb 2024 23:59:59 GMT",
        ),
        (
            -8_520_336_000_000,
            "1700-01-01T00:00:00.000Z",
            "1700-01-01",
            "1700-01-01T00:00:00Z",
            "Fri, 01 Jan 1700 00:00:00 GMT",
        ),
        (
            64_060_588_799_999,
            "3999-12-31T23:59:59.999Z",
            "3999-12-31",
            "3999-12-31T23:59:59Z",
            "Fri, 31 Dec 3999 23:59:59 GMT",
        ),
        (
            253_402_300_799_999,
            "9999-12-31T23:59:59.999Z",
            "9999-12-31",
            "9999-12-31T23:59:59Z",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ),
        (
            1_774_967_405_000,
            "2026-03-31T14:30:05.000Z",
            "2026-03-31",
            "2026-03-31T14:30:05Z",
            "Tue, 31 Mar 2026 14:30:05 GMT",
        ),
        (
            -86_400_000,
            "1969-12-31T00:00:00.000Z",
            "1969-12-31",
            "1969-12-31T00:00:00Z",
            "Wed, 31 Dec 1969 00:00:00 GMT",
        ),
        (
            4_107_542_399_999,
            "2100-02-28T23:59:59.999Z",
            "2100-02-28",
            "2100-02-28T23:59:59Z",
            "Sun, 28 Feb 2100 23:59:59 GMT",
        ),
        (
            1_790_812_800_250,
            "2026-10-01T00:00:00.250Z",
            "2026-10-01",
            "2026-10-01T00:00:00Z",
            "Thu, 01 Oct 2026 00:00:00 GMT",
        ),
    ];

    #[test]
    fn instants_are_written_byte_for_byte_as_before() {
        for (ms, datetime, date, soql, http) in WRITTEN {
            assert_eq!(iso_datetime(ms), datetime, "Salesforce datetime of {ms}");
            assert_eq!(iso_date(ms), date, "Salesforce date of {ms}");
            assert_eq!(soql_datetime(ms), soql, "SOQL literal of {ms}");
            assert_eq!(http_date(ms).as_deref(), Some(http), "HTTP date of {ms}");
            assert_eq!(parse_datetime(datetime), Some(ms), "{datetime} reads back");
            assert_eq!(
                epoch_day(parse_date(date).expect("a written date reads")),
                ms.div_euclid(86_400_000),
                "{date} is the day of {ms}"
            );
            if ms < 253_402_200_000_000 {
                assert_eq!(
                    parse_http_date(http),
                    Some(ms.div_euclid(1000)),
                    "{http} reads back to the second"
                );
            }
        }
    }

    #[test]
    fn clock_readings_are_written_to_the_second() {
        let at = UNIX_EPOCH + Duration::from_millis(1_774_967_405_789);
        assert_eq!(epoch_ms(at), 1_774_967_405_789);
        assert_eq!(
            utc_datetime(at),
            "2026-03-31T14:30:05.000Z",
            "an intent writes the second it was pressed, `.000` as before"
        );
        assert_eq!(
            epoch_ms(UNIX_EPOCH - Duration::from_millis(1500)),
            -1500,
            "a clock before 1970 reads negative, not as the epoch"
        );
    }

    #[test]
    fn salesforce_offsets_and_fractions_read_as_it_writes_them() {
        let utc = parse_datetime("2026-10-01T09:30:00Z");
        assert_eq!(utc, Some(1_790_847_000_000));
        for same in [
            "2026-10-01T09:30:00.000+0000",
            "2026-10-01T09:30:00.000Z",
            "2026-10-01T09:30:00+00:00",
            "2026-10-01T09:30:00-0000",
            "2026-10-01T11:30:00+02:00",
            "2026-10-01T04:30:00.000-0500",
            "2026-10-01T23:30:00+14:00",
        ] {
            assert_eq!(parse_datetime(same), utc, "{same} is 09:30 UTC");
        }
        assert_eq!(
            parse_datetime("2026-10-01T09:30:00.5Z"),
            Some(1_790_847_000_500),
            "a one-digit fraction is tenths"
        );
        assert_eq!(
            parse_datetime("2026-10-01T09:30:00.123456789Z"),
            Some(1_790_847_000_123),
            "a longer fraction is cut to the millisecond"
        );
        assert_eq!(
            parse_datetime("2026-01-01T01:00:00+02:00").and_then(http_date),
            Some("Wed, 31 Dec 2025 23:00:00 GMT".to_owned()),
            "an offset moves the HTTP date to the day before"
        );
    }

    #[test]
    fn leap_days_exist_only_in_leap_years() {
        for good in [
            "2024-02-29",
            "2000-02-29",
            "1972-02-29",
            "9999-12-31",
            "1970-01-01",
        ] {
            assert!(parse_date(good).is_some(), "{good} is a day");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2100-02-29",
            "2026-04-31",
            "2026-00-10",
        ] {
            assert!(parse_date(bad).is_none(), "{bad} is no day");
        }
        assert_eq!(epoch_day(Date::constant(2024, 2, 29)), 19_782);
        assert_eq!(epoch_day(Date::constant(1969, 12, 31)), -1);
    }

    #[test]
    fn invalid_text_is_refused() {
        for bad in [
            "",
            "yesterday",
            "31/12/2026",
            "2026-1-01",
            "26-10-01",
            "２０２６-01-01",
            "2026-13-01",
            "+026-01-01",
            "2026-01-01 ",
        ] {
            assert!(parse_date(bad).is_none(), "{bad:?} is not a date");
        }
        for bad in [
            "2026-03-31",
            "2026-03-31 14:30:00Z",
            "2026-03-31t14:30:00Z",
            "2026-03-31T14:30Z",
            "2026-03-31T24:00:00Z",
            "2026-03-31T14:60:00Z",
            "2026-03-31T14:30:60Z",
            "2026-03-31T14:30:00",
            "2026-03-31T14:30:00.Z",
            "2026-03-31T14:30:00z",
            "2026-03-31T14:30:00+15:00",
            "2026-03-31T14:30:00+0960",
            "2026-03-31T14:30:00+09",
            "2026-03-31T14:30:00Z' OR Id != null",
            "2026-02-30T14:30:00Z",
            "2026-03-31T14:30:00.000+0000 ",
        ] {
            assert!(!is_datetime(bad), "{bad:?} is not a Salesforce datetime");
        }
        for bad in [
            "yesterday",
            "Mon, 22 Nov 2026 01:28:14 GMT",
            "Sun, 31 Nov 2026 01:28:14 GMT",
            "Sun, 22 Nov 2026 25:28:14 GMT",
            "2026-11-22T01:28:14Z",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?} is not an HTTP date");
        }
        assert_eq!(
            http_date(parse_datetime("9999-12-31T23:59:59-14:00").expect("Salesforce text")),
            None,
            "year 10000 has no four-digit HTTP date"
        );
    }

    /// Berlin: CET (+01:00) → CEST (+02:00) at 01:00 UTC on 2026-03-29, back on 2026-10-25.
    #[test]
    fn berlin_offsets_follow_its_daylight_saving_days() {
        let berlin = zone("Europe/Berlin")
            .expect("the system's time-zone database has Europe/Berlin (tzdata)");
        let at = |text: &str| parse_datetime(text).expect("test instant");
        let hour = 3_600_000;
        assert_eq!(offset_ms_at(&berlin, at("2026-03-29T00:59:59Z")), hour);
        assert_eq!(offset_ms_at(&berlin, at("2026-03-29T01:00:00Z")), 2 * hour);
        assert_eq!(offset_ms_at(&berlin, at("2026-10-25T00:59:59Z")), 2 * hour);
        assert_eq!(offset_ms_at(&berlin, at("2026-10-25T01:00:00Z")), hour);
        let late = at("2026-03-28T23:30:00Z");
        assert_eq!(
            iso_date(late + offset_ms_at(&berlin, late)),
            "2026-03-29",
            "23:30 UTC is already the next day in Berlin"
        );
    }

    /// New York: EST (-05:00) → EDT (-04:00) at 07:00 UTC on 2026-03-08, back at 06:00 UTC
    /// on 2026-11-01.
    #[test]
    fn new_york_offsets_follow_its_daylight_saving_days() {
        let new_york = zone(" America/New_York ")
            .expect("the system's time-zone database has America/New_York (tzdata)");
        let at = |text: &str| parse_datetime(text).expect("test instant");
        let hour = 3_600_000;
        assert_eq!(
            offset_ms_at(&new_york, at("2026-03-08T06:59:59Z")),
            -5 * hour
        );
        assert_eq!(
            offset_ms_at(&new_york, at("2026-03-08T07:00:00Z")),
            -4 * hour
        );
        assert_eq!(
            offset_ms_at(&new_york, at("2026-11-01T05:59:59Z")),
            -4 * hour
        );
        assert_eq!(
            offset_ms_at(&new_york, at("2026-11-01T06:00:00Z")),
            -5 * hour
        );
        assert!(
            zone("Not/AZone").is_none() && zone("").is_none() && zone("  ").is_none(),
            "an unknown zone is refused, not guessed"
        );
    }
}
