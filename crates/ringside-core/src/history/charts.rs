//! The charts' numbers for a filter, over at most [`STATS_CAP`] calls (the newest), read in
//! the user's time zone; and the user's offset checks the views share.

use serde::Serialize;

use super::{History, HistoryError, HistoryFilter, HistoryStats, StatsZone};

/// The most calls the charts are computed over (the newest ones): at 2,000 rows per
/// Salesforce batch that is 10 API calls, a few seconds on a slow link. The view says
/// when a filter matches more.
pub const STATS_CAP: usize = 20_000;

/// The charts' numbers for a filter.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct HistoryStatsView {
    pub stats: HistoryStats,
    /// True when the filter matches more than `cap` calls: the stats cover the newest `cap`.
    pub capped: bool,
    pub cap: u32,
}

impl History {
    /// The charts' numbers for `filter` over at most [`STATS_CAP`] calls, hours and days
    /// read in `zone`.
    pub async fn charts(
        &self,
        filter: &HistoryFilter,
        zone: &StatsZone,
    ) -> Result<HistoryStatsView, HistoryError> {
        // One more than the cap tells whether there were more.
        let filter = HistoryFilter {
            limit: Some(STATS_CAP + 1),
            ..filter.clone()
        };
        let mut rows = self.all(&filter).await?;
        let capped = rows.len() > STATS_CAP;
        rows.truncate(STATS_CAP);
        Ok(HistoryStatsView {
            stats: HistoryStats::in_zone(&rows, zone),
            capped,
            cap: STATS_CAP as u32,
        })
    }
}

/// Checks a UTC offset the UI sent: real zones run from UTC−12 to UTC+14.
pub fn check_offset(minutes: i32) -> Result<(), HistoryError> {
    if (-12 * 60..=14 * 60).contains(&minutes) {
        Ok(())
    } else {
        Err(HistoryError::Offset(minutes))
    }
}

/// The zone the charts are read in: the IANA `time_zone` when this system knows it (right
/// across daylight-saving changes), else the fixed `utc_offset_minutes` east of UTC.
pub fn stats_zone(time_zone: Option<&str>, utc_offset_minutes: i32) -> StatsZone {
    time_zone
        .and_then(|name| {
            let zone = StatsZone::named(name);
            if zone.is_none() {
                tracing::warn!(
                    time_zone = name,
                    "unknown time zone; the charts use the fixed UTC offset"
                );
            }
            zone
        })
        .unwrap_or(StatsZone::Offset(utc_offset_minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_outside_real_zones_are_refused_and_unknown_zones_fall_back() {
        assert!(check_offset(-720).is_ok() && check_offset(840).is_ok());
        for bad in [-721, 841, i32::MAX] {
            let err = check_offset(bad).expect_err("not a real zone");
            assert_eq!(err.code(), "invalid_input");
            assert_eq!(
                err.to_string(),
                "the time zone offset must be −720 to +840 minutes"
            );
        }
        assert!(matches!(
            stats_zone(Some("Mars/Olympus_Mons"), 540),
            StatsZone::Offset(540)
        ));
        assert!(matches!(stats_zone(None, -300), StatsZone::Offset(-300)));
        assert!(matches!(
            stats_zone(Some("Asia/Tokyo"), 0),
            StatsZone::Zone(_)
        ));
    }
}
