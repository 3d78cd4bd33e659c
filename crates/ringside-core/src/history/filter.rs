//! What a history view asks for ([`HistoryFilter`]) and the checks on it: dates are real
//! calendar dates, the agent is a User id, the disposition looks like one. Input that
//! fails is refused with a [`HistoryError`] before anything is sent; what passes still
//! enters SOQL only through `salesforce::escape` (see `soql`).

use serde::{Deserialize, Serialize};

use super::HistoryError;
use crate::call_log::Direction;

/// Rows per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: usize = 200;
/// The most rows one page may hold (Salesforce's own largest query batch).
pub const MAX_PAGE_SIZE: usize = 2000;
/// The longest disposition accepted (the length of `Task.CallDisposition`).
pub const MAX_DISPOSITION_CHARS: usize = 255;

/// The kind of record a call was matched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MatchedObject {
    Contact,
    Lead,
    Account,
}

impl MatchedObject {
    /// Reads `Contact`, `Lead` or `Account` (any case).
    pub fn parse(text: &str) -> Result<MatchedObject, HistoryError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "contact" => Ok(MatchedObject::Contact),
            "lead" => Ok(MatchedObject::Lead),
            "account" => Ok(MatchedObject::Account),
            _ => Err(HistoryError::MatchedObject(text.to_owned())),
        }
    }

    /// The sObject name.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedObject::Contact => "Contact",
            MatchedObject::Lead => "Lead",
            MatchedObject::Account => "Account",
        }
    }

    /// The object a record id belongs to, by its key prefix.
    pub fn of_id(id: &str) -> Option<MatchedObject> {
        match id.get(..3)? {
            "003" => Some(MatchedObject::Contact),
            "00Q" => Some(MatchedObject::Lead),
            "001" => Some(MatchedObject::Account),
            _ => None,
        }
    }
}

/// One end of a date range: a whole UTC day (`2026-10-01`) or an instant
/// (`2026-10-01T09:30:00Z`, `2026-10-01T18:30:00+09:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateBound {
    /// Days since 1970-01-01 (UTC).
    Day(i64),
    /// Epoch milliseconds, to the second.
    Instant(i64),
}

impl DateBound {
    /// Reads `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or an offset
    /// (`+09:00`, `-0500`). A time without a zone is refused: it would mean a different
    /// instant on every agent's machine.
    pub fn parse(text: &str) -> Result<DateBound, HistoryError> {
        let bad = || HistoryError::Date(text.to_owned());
        let t = text.trim();
        if t.len() == 10 {
            return parse_day(t).map(DateBound::Day).ok_or_else(bad);
        }
        if !t.is_ascii() || t.len() < 17 || t.as_bytes()[10] != b'T' {
            return Err(bad());
        }
        let day = parse_day(&t[..10]).ok_or_else(bad)?;
        let rest = &t[11..];
        let zone_at = rest.find(['Z', 'z', '+', '-']).ok_or_else(bad)?;
        let (clock, zone) = rest.split_at(zone_at);
        let seconds_of_day = parse_clock(clock).ok_or_else(bad)?;
        let offset = parse_zone(zone).ok_or_else(bad)?;
        Ok(DateBound::Instant(
            (day * 86_400 + seconds_of_day - offset) * 1000,
        ))
    }

    /// The first instant of the range this bound opens (epoch ms).
    pub fn start_ms(self) -> i64 {
        match self {
            DateBound::Day(d) => d * 86_400_000,
            DateBound::Instant(ms) => ms,
        }
    }

    /// The instant this bound closes a range at, exclusive: a day includes all of itself.
    pub fn end_ms(self) -> i64 {
        match self {
            DateBound::Day(d) => (d + 1) * 86_400_000,
            DateBound::Instant(ms) => ms,
        }
    }
}

/// `HH:MM[:SS[.fff]]` → seconds of the day (fractions dropped: filters work to the second).
fn parse_clock(text: &str) -> Option<i64> {
    let (main, fraction) = text.split_once('.').unwrap_or((text, ""));
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (text.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let n = |p: &str| {
        p.parse::<i64>()
            .ok()
            .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
    };
    let (h, m) = (n(parts[0])?, n(parts[1])?);
    let s = if parts.len() == 3 { n(parts[2])? } else { 0 };
    if h > 23 || m > 59 || s > 59 || (parts.len() == 2 && !fraction.is_empty()) {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

/// `Z`, `+HH:MM`, `+HHMM`, `+HH` → offset in seconds east of UTC.
fn parse_zone(zone: &str) -> Option<i64> {
    if zone.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !matches!(digits.len(), 2 | 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if zone[1..].contains(':') && zone.len() != 6 {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (h <= 14 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// Strict `YYYY-MM-DD` (a real calendar date, years 1700–4000: Salesforce's date range) →
/// days since the epoch.
fn parse_day(text: &str) -> Option<i64> {
    crate::time::parse_date(text)
        .filter(|day| (1700..=4000).contains(&day.year()))
        .map(crate::time::epoch_day)
}

/// Which calls a history shows. Every criterion is optional; all given ones must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryFilter {
    /// Calls that started at or after this (a day: from its first instant, UTC).
    pub since: Option<DateBound>,
    /// Calls that started before this (a day: up to and including that whole day, UTC).
    pub until: Option<DateBound>,
    /// The agent: the call log's owner (a User id, 15 or 18 characters).
    pub agent: Option<String>,
    pub direction: Option<Direction>,
    /// The outcome, compared as Salesforce compares text (case-insensitive).
    pub disposition: Option<String>,
    /// Calls matched to a Contact, a Lead, or an Account only (no Contact or Lead).
    pub matched_object: Option<MatchedObject>,
    /// Rows per page ([`DEFAULT_PAGE_SIZE`] when `None`; 1 to [`MAX_PAGE_SIZE`]).
    pub page_size: Option<usize>,
    /// The most rows in total (`None`: every matching call).
    pub limit: Option<usize>,
}

impl HistoryFilter {
    /// Checks every criterion; [`super::History`] calls this before sending anything.
    pub fn validate(&self) -> Result<(), HistoryError> {
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since.start_ms() >= until.end_ms()
        {
            return Err(HistoryError::EmptyRange);
        }
        if let Some(agent) = &self.agent {
            let shape = matches!(agent.len(), 15 | 18)
                && agent.bytes().all(|b| b.is_ascii_alphanumeric())
                && agent.starts_with("005");
            if !shape {
                return Err(HistoryError::Agent(agent.clone()));
            }
        }
        if let Some(d) = &self.disposition {
            check_disposition(d)?;
        }
        let page = self.page_size();
        if page == 0 || page > MAX_PAGE_SIZE {
            return Err(HistoryError::PageSize(page));
        }
        if self.limit == Some(0) {
            return Err(HistoryError::Limit);
        }
        Ok(())
    }

    /// Rows per page.
    pub fn page_size(&self) -> usize {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }

    /// The inclusive start of the time range, epoch ms.
    pub fn since_ms(&self) -> Option<i64> {
        self.since.map(DateBound::start_ms)
    }

    /// The exclusive end of the time range, epoch ms.
    pub fn until_ms(&self) -> Option<i64> {
        self.until.map(DateBound::end_ms)
    }
}

/// A disposition is a short label: letters and digits of any script, spaces and a little
/// punctuation. Quotes, backslashes and control characters are refused: no outcome needs
/// them, and a value carrying them is more likely an attempt on the query than a label.
fn check_disposition(value: &str) -> Result<(), HistoryError> {
    let ok = !value.trim().is_empty()
        && value.chars().count() <= MAX_DISPOSITION_CHARS
        && value.chars().all(|c| {
            c.is_alphanumeric()
                || c == ' '
                || matches!(
                    c,
                    '-' | '_' | '/' | '.' | ',' | '(' | ')' | '&' | '+' | ':' | '#' | '!' | '?'
                )
        });
    if ok {
        Ok(())
    } else {
        Err(HistoryError::Disposition(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_instants_parse_to_utc() {
        assert_eq!(
            DateBound::parse("2026-10-01").unwrap().start_ms(),
            1_790_812_800_000,
            "a day starts at 00:00 UTC"
        );
        assert_eq!(
            DateBound::parse("2026-10-01").unwrap().end_ms(),
            1_790_812_800_000 + 86_400_000,
            "a day as an end includes all of itself"
        );
        assert_eq!(
            DateBound::parse("2026-10-01T09:00:00+09:00").unwrap(),
            DateBound::Instant(1_790_812_800_000),
            "an offset moves the instant to UTC"
        );
        assert_eq!(
            DateBound::parse("2026-10-01T00:00Z").unwrap(),
            DateBound::parse("2026-10-01T00:00:00.999Z").unwrap(),
            "seconds optional, fractions dropped"
        );
        assert_eq!(
            DateBound::parse("2026-09-30T19:00:00-0500").unwrap(),
            DateBound::Instant(1_790_812_800_000)
        );
        assert_eq!(
            DateBound::parse("2024-02-29").unwrap(),
            DateBound::Day(19_782)
        );
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2025-02-29",
            "2026-1-01",
            "26-10-01",
            "2026-10-01T25:00:00Z",
            "2026-10-01T10:00:00",
            "2026-10-01 10:00:00Z",
            "2026-10-01T10:00:00+9",
            "2026-10-01T10:00:00Z' OR Id != null",
            "２０２６-10-01",
            "2026-10-01T10:00:00.Z",
        ] {
            assert!(
                matches!(DateBound::parse(bad), Err(HistoryError::Date(_))),
                "{bad:?} must be refused as a date"
            );
        }
    }

    #[test]
    fn filters_are_checked_before_anything_is_sent() {
        let mut f = HistoryFilter {
            agent: Some("005Dm0000000001IAA".into()),
            disposition: Some("Left voicemail".into()),
            ..Default::default()
        };
        f.validate().expect("a plain filter is fine");
        f.disposition = Some("Connected' OR Name != '".into());
        assert!(
            matches!(f.validate(), Err(HistoryError::Disposition(_))),
            "a quote in a disposition is refused"
        );
        f.disposition = Some("Rückruf (später)".into());
        f.validate().expect("non-ASCII letters are fine");
        f.agent = Some("003Dm0000000003IAA".into());
        assert!(
            matches!(f.validate(), Err(HistoryError::Agent(_))),
            "a Contact id is no agent"
        );
        f.agent = None;
        f.since = Some(DateBound::parse("2026-10-02").unwrap());
        f.until = Some(DateBound::parse("2026-10-01").unwrap());
        assert!(matches!(f.validate(), Err(HistoryError::EmptyRange)));
        f.until = Some(DateBound::parse("2026-10-02").unwrap());
        f.validate()
            .expect("since and until on the same day is that day");
        f.page_size = Some(0);
        assert!(matches!(f.validate(), Err(HistoryError::PageSize(0))));
    }
}
