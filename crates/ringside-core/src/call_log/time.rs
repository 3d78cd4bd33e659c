//! UTC timestamps in the formats Salesforce reads: `Started_At__c` (datetime,
//! `2024-01-31T09:30:00.000Z`) and `ActivityDate` (date, `2024-01-31`). Plain arithmetic on
//! epoch milliseconds, so the crate needs no calendar library.

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for epoch milliseconds.
pub fn iso_datetime(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let ms_of_day = epoch_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z")
}

/// `YYYY-MM-DD` (UTC) for epoch milliseconds.
pub fn iso_date(epoch_ms: i64) -> String {
    let (y, m, d) = civil_from_days(epoch_ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_salesforce_expects() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_datetime(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29", "leap day");
        assert_eq!(iso_date(-86_400_000), "1969-12-31", "before the epoch");
    }
}
