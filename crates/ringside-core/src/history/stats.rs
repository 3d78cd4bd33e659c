//! The numbers a team lead's charts show, computed once here from history rows so the
//! desktop view and the CLI agree: calls per hour of day and per day, the outcome
//! breakdown, average and longest talk time, and the same per agent.
//!
//! Hours and days are read in a [`StatsZone`]: a named (IANA) zone gives each call the
//! offset in force at its own instant, so the charts stay right across a daylight-saving
//! change; a fixed offset is the fallback when no zone is known.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::row::{DeliveryState, HistoryRow};

/// Calls on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayCount {
    /// `YYYY-MM-DD` in the time zone the stats were computed for.
    pub day: String,
    pub calls: u32,
}

/// Calls with one outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeCount {
    /// `None`: no disposition recorded.
    pub disposition: Option<String>,
    pub calls: u32,
}

/// The longest call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LongestCall {
    pub call_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_seconds: i64,
    pub owner_name: Option<String>,
}

/// One agent's calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentStats {
    /// `None` for calls without an owner (a queued call when the user is not known).
    pub owner_id: Option<String>,
    pub name: Option<String>,
    pub calls: u32,
    /// Calls with talk time (duration above zero).
    pub talked: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_duration_seconds: i64,
    /// Over the calls with talk time; 0 when there are none.
    pub average_duration_seconds: f64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub longest_duration_seconds: i64,
}

/// The history's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryStats {
    pub calls: u32,
    /// Calls still in the local queue.
    pub pending: u32,
    /// Calls that failed for good (dead letters).
    pub dead: u32,
    /// Calls per hour of the day, 24 entries, hour 0 first.
    pub per_hour: Vec<u32>,
    /// Calls per day, oldest first; days without calls are left out.
    pub per_day: Vec<DayCount>,
    /// Most frequent outcome first (ties by name).
    pub outcomes: Vec<OutcomeCount>,
    /// Over the calls with talk time (duration above zero); 0 when there are none.
    pub average_duration_seconds: f64,
    pub longest: Option<LongestCall>,
    /// Most calls first (ties by name).
    pub per_agent: Vec<AgentStats>,
}

/// The time zone calls are bucketed by hour and day in.
#[derive(Debug, Clone)]
pub enum StatsZone {
    /// A fixed offset, minutes east of UTC (e.g. 540 for Tokyo): right only where the
    /// zone has no daylight-saving time.
    Offset(i32),
    /// A time zone with its rules: each call gets the offset in force when it started.
    Zone(jiff::tz::TimeZone),
}

impl StatsZone {
    /// The IANA zone `name` (e.g. `Europe/Berlin`, what a browser's
    /// `Intl.DateTimeFormat().resolvedOptions().timeZone` gives) from the system's
    /// time-zone database; `None` when it is not a known zone.
    pub fn named(name: &str) -> Option<StatsZone> {
        crate::time::zone(name).map(StatsZone::Zone)
    }

    /// This machine's zone (`TZ`, else the system's setting; UTC when neither is known).
    pub fn system() -> StatsZone {
        StatsZone::Zone(jiff::tz::TimeZone::system())
    }

    /// The offset from UTC, in ms, at the instant `utc_ms`.
    fn offset_ms_at(&self, utc_ms: i64) -> i64 {
        match self {
            StatsZone::Offset(minutes) => i64::from(*minutes) * 60_000,
            StatsZone::Zone(zone) => crate::time::offset_ms_at(zone, utc_ms),
        }
    }
}

impl HistoryStats {
    /// The stats of `rows`, with hours and days read at `utc_offset_minutes` east of UTC.
    /// Prefer [`HistoryStats::in_zone`] with a named zone: a fixed offset puts the calls
    /// on the other side of a daylight-saving change in the wrong hour.
    pub fn from_rows(rows: &[HistoryRow], utc_offset_minutes: i32) -> HistoryStats {
        HistoryStats::in_zone(rows, &StatsZone::Offset(utc_offset_minutes))
    }

    /// The stats of `rows`, with hours and days read in `zone` (the team lead's).
    pub fn in_zone(rows: &[HistoryRow], zone: &StatsZone) -> HistoryStats {
        let mut per_hour = vec![0u32; 24];
        let mut per_day: BTreeMap<i64, u32> = BTreeMap::new();
        let mut outcomes: HashMap<Option<String>, u32> = HashMap::new();
        let mut agents: HashMap<Option<String>, AgentStats> = HashMap::new();
        let (mut pending, mut dead, mut talked, mut talk_total) = (0u32, 0u32, 0u32, 0i64);
        let mut longest: Option<&HistoryRow> = None;
        for row in rows {
            let local = row.started_at_ms + zone.offset_ms_at(row.started_at_ms);
            per_hour[local.rem_euclid(86_400_000) as usize / 3_600_000] += 1;
            *per_day.entry(local.div_euclid(86_400_000)).or_default() += 1;
            *outcomes.entry(row.disposition.clone()).or_default() += 1;
            match row.delivery {
                DeliveryState::Pending => pending += 1,
                DeliveryState::Dead => dead += 1,
                DeliveryState::Delivered => {}
            }
            if row.duration_seconds > 0 {
                talked += 1;
                talk_total += row.duration_seconds;
            }
            if longest.is_none_or(|l| row.duration_seconds > l.duration_seconds) {
                longest = Some(row);
            }
            let owner_id = row.owner.as_ref().map(|o| o.id.clone());
            let agent = agents
                .entry(owner_id.clone())
                .or_insert_with(|| AgentStats {
                    owner_id,
                    name: None,
                    calls: 0,
                    talked: 0,
                    total_duration_seconds: 0,
                    average_duration_seconds: 0.0,
                    longest_duration_seconds: 0,
                });
            if agent.name.is_none() {
                agent.name = row.owner.as_ref().and_then(|o| o.name.clone());
            }
            agent.calls += 1;
            if row.duration_seconds > 0 {
                agent.talked += 1;
                agent.total_duration_seconds += row.duration_seconds;
            }
            agent.longest_duration_seconds =
                agent.longest_duration_seconds.max(row.duration_seconds);
        }
        let mut outcomes: Vec<OutcomeCount> = outcomes
            .into_iter()
            .map(|(disposition, calls)| OutcomeCount { disposition, calls })
            .collect();
        outcomes.sort_by(|a, b| {
            b.calls
                .cmp(&a.calls)
                .then_with(|| a.disposition.cmp(&b.disposition))
        });
        let mut per_agent: Vec<AgentStats> = agents
            .into_values()
            .map(|mut a| {
                a.average_duration_seconds = average(a.total_duration_seconds, a.talked);
                a
            })
            .collect();
        per_agent.sort_by(|a, b| {
            b.calls
                .cmp(&a.calls)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.owner_id.cmp(&b.owner_id))
        });
        HistoryStats {
            calls: rows.len() as u32,
            pending,
            dead,
            per_hour,
            per_day: per_day
                .into_iter()
                .map(|(day, calls)| DayCount {
                    day: crate::time::iso_date(day * 86_400_000),
                    calls,
                })
                .collect(),
            outcomes,
            average_duration_seconds: average(talk_total, talked),
            longest: longest
                .filter(|l| l.duration_seconds > 0)
                .map(|l| LongestCall {
                    call_id: l.call_id.clone(),
                    duration_seconds: l.duration_seconds,
                    owner_name: l.owner.as_ref().and_then(|o| o.name.clone()),
                }),
            per_agent,
        }
    }
}

fn average(total: i64, count: u32) -> f64 {
    if count == 0 {
        0.0
    } else {
        total as f64 / f64::from(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::row::Owner;

    fn row(call_id: &str, at: &str, secs: i64, disposition: &str, owner: &str) -> HistoryRow {
        let ms = crate::time::parse_datetime(at).expect("test datetime");
        HistoryRow {
            call_id: call_id.into(),
            started_at: at.into(),
            started_at_ms: ms,
            direction: None,
            from: None,
            to: None,
            duration_seconds: secs,
            disposition: Some(disposition.into()),
            subject: None,
            notes: None,
            summary: None,
            key_topics: Vec::new(),
            memo: Vec::new(),
            recording_url: None,
            matched: None,
            owner: Some(Owner {
                id: owner.into(),
                name: Some(format!("Agent {owner}")),
            }),
            delivery: DeliveryState::Delivered,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        }
    }

    #[test]
    fn hours_days_outcomes_durations_and_agents() {
        let mut rows = vec![
            row("a", "2026-10-01T09:15:00Z", 60, "Connected", "005A"),
            row("b", "2026-10-01T09:45:00Z", 0, "No answer", "005A"),
            row("c", "2026-10-01T23:30:00Z", 300, "Connected", "005B"),
            row("d", "2026-10-02T10:00:00Z", 120, "Connected", "005B"),
        ];
        rows[1].delivery = DeliveryState::Dead;
        let s = HistoryStats::from_rows(&rows, 0);
        assert_eq!(s.calls, 4);
        assert_eq!(s.dead, 1, "the dead letter is counted");
        assert_eq!(s.per_hour[9], 2, "two calls in the 9 o'clock hour");
        assert_eq!(s.per_hour.iter().sum::<u32>(), 4, "every call has an hour");
        assert_eq!(
            s.per_day,
            vec![
                DayCount {
                    day: "2026-10-01".into(),
                    calls: 3
                },
                DayCount {
                    day: "2026-10-02".into(),
                    calls: 1
                }
            ]
        );
        assert_eq!(
            s.outcomes[0],
            OutcomeCount {
                disposition: Some("Connected".into()),
                calls: 3
            }
        );
        assert_eq!(
            s.average_duration_seconds, 160.0,
            "(60+300+120)/3: unanswered calls left out"
        );
        assert_eq!(s.longest.as_ref().map(|l| l.call_id.as_str()), Some("c"));
        assert_eq!(s.per_agent.len(), 2);
        assert_eq!(
            s.per_agent[0].owner_id.as_deref(),
            Some("005A"),
            "ties by name: Agent 005A first"
        );
        assert_eq!(s.per_agent[1].average_duration_seconds, 210.0);

        let tokyo = HistoryStats::from_rows(&rows, 540);
        assert_eq!(tokyo.per_hour[18], 2, "09:15Z is 18:15 in Tokyo");
        assert_eq!(
            tokyo
                .per_day
                .iter()
                .map(|d| d.day.as_str())
                .collect::<Vec<_>>(),
            ["2026-10-01", "2026-10-02"],
            "23:30Z on the 1st is the 2nd in Tokyo"
        );
        assert_eq!(tokyo.per_day[1].calls, 2);
    }

    #[test]
    fn stats_bucket_by_local_time_across_a_dst_change() {
        // Berlin leaves summer time on 2026-10-25 (CEST +02:00 → CET +01:00). Both calls
        // started at 10:30 Berlin time; a fixed offset taken "now" puts one at 9 or 11.
        let berlin = StatsZone::named("Europe/Berlin")
            .expect("the system's time-zone database has Europe/Berlin (tzdata)");
        let rows = vec![
            row("summer", "2026-10-24T08:30:00Z", 60, "Connected", "005A"),
            row("winter", "2026-10-26T09:30:00Z", 60, "Connected", "005A"),
            // 22:30Z on the 24th is 00:30 on the 25th in Berlin (still summer time).
            row("midnight", "2026-10-24T22:30:00Z", 60, "Connected", "005A"),
        ];
        let s = HistoryStats::in_zone(&rows, &berlin);
        assert_eq!(
            s.per_hour[10], 2,
            "both 10:30 calls in the 10 o'clock hour: {:?}",
            s.per_hour
        );
        assert_eq!(s.per_hour[0], 1, "00:30 local");
        assert_eq!(
            s.per_day
                .iter()
                .map(|d| (d.day.as_str(), d.calls))
                .collect::<Vec<_>>(),
            [("2026-10-24", 1), ("2026-10-25", 1), ("2026-10-26", 1)],
            "days by local midnight on each side of the change"
        );
        let fixed = HistoryStats::from_rows(&rows, 60);
        assert_ne!(
            fixed.per_hour[10], 2,
            "a fixed offset gets one of them wrong (the bug this guards against)"
        );
        assert!(
            StatsZone::named("Not/AZone").is_none() && StatsZone::named("").is_none(),
            "an unknown zone is refused, not guessed"
        );
    }

    #[test]
    fn no_rows_no_nonsense() {
        let s = HistoryStats::from_rows(&[], 0);
        assert_eq!((s.calls, s.average_duration_seconds), (0, 0.0));
        assert!(s.longest.is_none() && s.per_agent.is_empty() && s.per_day.is_empty());
    }
}
