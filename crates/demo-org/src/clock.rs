//! Salesforce date and datetime text: parsing what clients send and formatting what
//! Salesforce returns (`2026-11-20T10:15:30.000+0000` for datetimes, `2026-11-20` for
//! dates). Times are milliseconds since the Unix epoch, always UTC.

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number from [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Milliseconds since the epoch, now. Only request handling uses this; the seed never does.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-11-20T10:15:30.000+0000`, the format Salesforce returns datetimes in.
pub fn format_datetime(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}+0000")
}

/// `2026-11-20` for a day number.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a strict `YYYY-MM-DD` into a day number.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i64::from(digits(&s[0..4])?);
    let m = digits(&s[5..7])?;
    let d = digits(&s[8..10])?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses an ISO-8601 datetime as Salesforce accepts it: `YYYY-MM-DDTHH:MM:SS`, optional
/// fraction, then `Z`, `±HH:MM`, `±HHMM` or nothing (taken as UTC).
pub fn parse_datetime(s: &str) -> Option<i64> {
    if s.len() < 19 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let days = parse_date(&s[..10])?;
    let t = &s[10..19];
    let tb = t.as_bytes();
    if tb[0] != b'T' || tb[3] != b':' || tb[6] != b':' {
        return None;
    }
    let (h, mi, se) = (digits(&t[1..3])?, digits(&t[4..6])?, digits(&t[7..9])?);
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let end = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if end == 0 {
            return None;
        }
        let f = &frac[..end.min(3)];
        millis = i64::from(digits(f)?) * 10i64.pow(3 - f.len() as u32);
        rest = &frac[end..];
    }
    let offset_min: i64 = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = rest[1..].replace(':', "");
            if body.len() != 4 {
                return None;
            }
            let oh = i64::from(digits(&body[..2])?);
            let om = i64::from(digits(&body[2..])?);
            sign * (oh * 60 + om)
        }
    };
    let secs = i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se) - offset_min * 60;
    Some(days * MS_PER_DAY + secs * 1000 + millis)
}

/// Parses an HTTP-date (`Sun, 22 Nov 2026 00:25:58 GMT`, RFC 9110 IMF-fixdate), as
/// used by `If-Unmodified-Since` / `If-Modified-Since`.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x == month)? as u32 + 1;
    let (y, d) = (i64::from(digits(year)?), digits(day)?);
    if d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let t: Vec<&str> = time.split(':').collect();
    let [h, mi, se] = t.as_slice() else {
        return None;
    };
    let (h, mi, se) = (digits(h)?, digits(mi)?, digits(se)?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(
        days_from_civil(y, m, d) * MS_PER_DAY
            + (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se)) * 1000,
    )
}

/// The day number of a millisecond time.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_DAY)
}

/// Milliseconds at midnight UTC starting day `days`.
pub fn start_of_day(days: i64) -> i64 {
    days * MS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_salesforce() {
        let ms = parse_datetime("2026-11-20T10:15:30Z").expect("valid datetime");
        assert_eq!(
            format_datetime(ms),
            "2026-11-20T10:15:30.000+0000",
            "Salesforce datetime format"
        );
    }

    #[test]
    fn accepts_offsets_and_fractions() {
        let a = parse_datetime("2026-11-20T12:15:30.250+02:00").expect("offset with colon");
        let b = parse_datetime("2026-11-20T10:15:30.250+0000").expect("offset without colon");
        assert_eq!(a, b, "offsets are normalised to UTC");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "2026-11-20T25:00:00Z",
            "ｘ２０２６-11-20T10:15:30Z",
            "2026-11-20T10:15:30+5",
        ] {
            assert!(
                parse_datetime(bad).is_none() && parse_date(bad).is_none(),
                "{bad:?} must be rejected"
            );
        }
    }

    #[test]
    fn http_dates() {
        let t = parse_http_date("Fri, 20 Nov 2026 10:15:30 GMT").expect("IMF-fixdate");
        assert_eq!(
            format_datetime(t),
            "2026-11-20T10:15:30.000+0000",
            "HTTP-date is UTC"
        );
        assert!(
            parse_http_date("2026-11-20T10:15:30Z").is_none(),
            "ISO text is not an HTTP-date"
        );
        assert!(
            parse_http_date("Fri, 31 Feb 2026 10:15:30 GMT").is_none(),
            "impossible dates are rejected"
        );
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1000, 0, 19_000, 20_412, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "day {days} round-trips");
        }
    }
}
