//! The agent's own day: their calls since the start of their day, the missed ones, and
//! whether each missed number was dialled afterwards (called back).

use serde::Serialize;

use super::{History, HistoryError, HistoryQuery, HistoryRow};
use crate::call_log::Direction;

/// The most calls the agent's own day lists.
pub const TODAY_LIMIT: usize = 1_000;

/// A missed call of the agent's day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct MissedCall {
    pub call: HistoryRow,
    /// The number to call back (the caller's), when the call has one.
    pub number: Option<String>,
    /// The agent called this number later the same day.
    pub called_back: bool,
}

/// The signed-in agent's calls since the start of their day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AgentDay {
    /// The signed-in user (the owner of the calls listed).
    pub agent_id: String,
    /// Newest first.
    pub calls: Vec<HistoryRow>,
    /// Missed inbound calls, newest first.
    pub missed: Vec<MissedCall>,
    /// True when the day has more than the calls listed.
    pub limit_reached: bool,
}

impl History {
    /// `agent_id`'s calls since `since` (the start of their day, as an instant with its
    /// offset), at most [`TODAY_LIMIT`], with the missed ones.
    pub async fn agent_day(&self, since: &str, agent_id: &str) -> Result<AgentDay, HistoryError> {
        let mut filter = HistoryQuery {
            since: Some(since.to_owned()),
            agent: Some(agent_id.to_owned()),
            ..HistoryQuery::default()
        }
        .to_filter()?;
        // One more than the limit tells whether there were more.
        filter.limit = Some(TODAY_LIMIT + 1);
        let mut calls = self.all(&filter).await?;
        let limit_reached = calls.len() > TODAY_LIMIT;
        calls.truncate(TODAY_LIMIT);
        Ok(AgentDay {
            missed: missed_calls(&calls),
            agent_id: agent_id.to_owned(),
            calls,
            limit_reached,
        })
    }
}

/// Missed inbound calls, with whether the agent called the number later.
pub fn missed_calls(calls: &[HistoryRow]) -> Vec<MissedCall> {
    calls
        .iter()
        .filter(|row| is_missed(row))
        .map(|row| {
            let number = row.from.clone().filter(|n| !n.trim().is_empty());
            let called_back = number.as_deref().is_some_and(|number| {
                calls.iter().any(|later| {
                    later.direction == Some(Direction::Outbound)
                        && later.started_at_ms > row.started_at_ms
                        && later
                            .to
                            .as_deref()
                            .is_some_and(|to| same_number(to, number))
                })
            });
            MissedCall {
                call: row.clone(),
                number,
                called_back,
            }
        })
        .collect()
}

/// An inbound call nobody answered: the queue writes disposition `Missed` for those.
fn is_missed(row: &HistoryRow) -> bool {
    row.direction == Some(Direction::Inbound)
        && row
            .disposition
            .as_deref()
            .is_some_and(|d| d.trim().eq_ignore_ascii_case("missed"))
}

/// Two spellings of one number: the same digits, or one ending in the other's (a national
/// number and its international form) when that is at least 7 digits.
fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (crate::phone::digits_only(a), crate::phone::digits_only(b));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.ends_with(&short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::DeliveryState;

    pub(crate) fn row(
        call_id: &str,
        at_ms: i64,
        direction: Direction,
        from: &str,
        to: &str,
    ) -> HistoryRow {
        HistoryRow {
            call_id: call_id.into(),
            started_at: String::new(),
            started_at_ms: at_ms,
            direction: Some(direction),
            from: Some(from.into()),
            to: Some(to.into()),
            duration_seconds: 0,
            disposition: None,
            subject: None,
            notes: None,
            summary: None,
            key_topics: Vec::new(),
            memo: Vec::new(),
            recording_url: None,
            matched: None,
            owner: None,
            delivery: DeliveryState::Delivered,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        }
    }

    #[test]
    fn missed_calls_know_whether_they_were_called_back() {
        let mut missed = row(
            "m1",
            1_000,
            Direction::Inbound,
            "+1 415 555 0123",
            "+1 415 555 0100",
        );
        missed.disposition = Some("Missed".into());
        let mut other_missed = row("m2", 2_000, Direction::Inbound, "+81 3 1234 5678", "x");
        other_missed.disposition = Some("missed".into());
        let mut answered = row("a", 1_500, Direction::Inbound, "+1 212 555 0000", "x");
        answered.disposition = Some("Connected".into());
        let call_back = row("b", 3_000, Direction::Outbound, "x", "(415) 555-0123");
        let earlier_dial = row("c", 500, Direction::Outbound, "x", "03 1234 5678");
        let calls = [call_back, other_missed, answered, missed, earlier_dial];

        let found = missed_calls(&calls);

        let summary: Vec<(&str, bool)> = found
            .iter()
            .map(|m| (m.call.call_id.as_str(), m.called_back))
            .collect();
        assert_eq!(
            summary,
            [("m2", false), ("m1", true)],
            "only inbound Missed calls are listed; m1's number was dialled afterwards, m2's only before"
        );
        assert_eq!(found[1].number.as_deref(), Some("+1 415 555 0123"));
    }
}
