//! A call's instants as MiiTel writes them on its call records: when it was dialed (or began
//! to ring), answered and ended, and the two spans they give, ring time and talk time.
//!
//! Each instant is optional and written only when known: a missed call has no answer time, a
//! log typed by hand may have none at all. Ring time runs from the dial (or ring) to the
//! answer, or to the end when nobody answered; talk time from the answer to the end. Talk
//! time is what `Task.CallDurationInSeconds` and the call log's duration already hold, so it
//! is not written twice. Where someone gives both the instants and the duration by hand
//! (`log-call`), [`CallTiming::check_duration`] holds them to each other; the desktop form
//! does not, since the softphone's own duration and the instants Ringside saw the events at
//! may differ by the events' delivery time, and the agent may correct the duration.

use serde::{Deserialize, Serialize};

use super::{MAX_CALL_SECONDS, MAX_STARTED_AT_MS, MIN_STARTED_AT_MS};

/// When a call was dialed, answered and ended (epoch ms, UTC). A log queued before these
/// existed has none of them, and still sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallTiming {
    /// Outbound: when the agent dialed; inbound: when it began to ring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null", optional))]
    pub dialed_at_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null", optional))]
    pub answered_at_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null", optional))]
    pub ended_at_ms: Option<i64>,
}

/// Why a call's instants cannot be logged. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimingError {
    #[error(
        "the {what} time ({ms} ms since 1970) is not a date Salesforce can store: it must be from 1700-01-01 to 4000-12-31"
    )]
    OutOfRange { what: &'static str, ms: i64 },
    #[error(
        "the {later} time is before the {earlier} time: a call is dialed, then answered, then ended"
    )]
    OutOfOrder {
        earlier: &'static str,
        later: &'static str,
    },
    #[error("a missed call has no answer time: drop the answer time or the missed mark")]
    AnsweredButMissed,
    #[error(
        "the call spans {0} seconds from dial to end; a call longer than 24 hours is a clock or unit mistake"
    )]
    TooLong(i64),
    #[error(
        "the duration ({duration} s) is not the talk time from answer to end ({talk} s): give the one that is right, or leave the duration to the times"
    )]
    DurationMismatch { duration: i64, talk: i64 },
    #[error(
        "{0:?} is not an ISO-8601 date-time with a zone, such as 2026-03-31T14:30:00Z or 2026-03-31T23:30:00+09:00"
    )]
    NotIso(String),
}

impl CallTiming {
    pub fn is_empty(&self) -> bool {
        self.dialed_at_ms.is_none() && self.answered_at_ms.is_none() && self.ended_at_ms.is_none()
    }

    /// Checks the instants on their own and against the call's `missed` mark.
    pub fn validate(&self, missed: bool) -> Result<(), TimingError> {
        let named = [
            ("dial", self.dialed_at_ms),
            ("answer", self.answered_at_ms),
            ("end", self.ended_at_ms),
        ];
        for (what, at) in named {
            if let Some(ms) = at.filter(|ms| !(MIN_STARTED_AT_MS..=MAX_STARTED_AT_MS).contains(ms))
            {
                return Err(TimingError::OutOfRange { what, ms });
            }
        }
        let known: Vec<(&'static str, i64)> = named
            .iter()
            .filter_map(|(what, at)| at.map(|ms| (*what, ms)))
            .collect();
        for pair in known.windows(2) {
            if pair[1].1 < pair[0].1 {
                return Err(TimingError::OutOfOrder {
                    earlier: pair[0].0,
                    later: pair[1].0,
                });
            }
        }
        if missed && self.answered_at_ms.is_some() {
            return Err(TimingError::AnsweredButMissed);
        }
        if let (Some(first), Some(last)) = (known.first(), known.last()) {
            let span = (last.1 - first.1) / 1000;
            if span > MAX_CALL_SECONDS {
                return Err(TimingError::TooLong(span));
            }
        }
        Ok(())
    }

    /// Checks a talk time given by hand against the answer and end given with it: one
    /// second either way is rounding, more is a mistake.
    pub fn check_duration(&self, duration_seconds: i64) -> Result<(), TimingError> {
        match self.talk_seconds() {
            Some(talk) if (talk - duration_seconds).abs() > 1 => {
                Err(TimingError::DurationMismatch {
                    duration: duration_seconds,
                    talk,
                })
            }
            _ => Ok(()),
        }
    }

    /// Seconds from the dial (or ring) to the answer, or to the end when nobody answered.
    pub fn ring_seconds(&self) -> Option<i64> {
        let dialed = self.dialed_at_ms?;
        let until = self.answered_at_ms.or(self.ended_at_ms)?;
        Some((until - dialed).max(0) / 1000)
    }

    /// Seconds from the answer to the end (rounded to the nearest second, as a softphone
    /// rounds its own duration).
    pub fn talk_seconds(&self) -> Option<i64> {
        let answered = self.answered_at_ms?;
        let ended = self.ended_at_ms?;
        Some(((ended - answered).max(0) + 500) / 1000)
    }
}

/// Reads an ISO-8601 date-time with a zone (`Z`, `±HH:MM` or `±HHMM`, optional fraction)
/// as epoch ms, as `log-call --dialed-at/--answered-at/--ended-at` take them.
pub fn parse_iso_datetime(text: &str) -> Result<i64, TimingError> {
    crate::time::parse_datetime(text.trim()).ok_or_else(|| TimingError::NotIso(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(dialed: Option<i64>, answered: Option<i64>, ended: Option<i64>) -> CallTiming {
        CallTiming {
            dialed_at_ms: dialed,
            answered_at_ms: answered,
            ended_at_ms: ended,
        }
    }

    #[test]
    fn ring_time_runs_to_the_answer_or_to_the_end_of_a_missed_call() {
        let answered = timing(Some(1_000), Some(9_500), Some(70_400));
        assert_eq!(answered.ring_seconds(), Some(8));
        assert_eq!(answered.talk_seconds(), Some(61));
        let missed = timing(Some(1_000), None, Some(31_000));
        assert_eq!(missed.ring_seconds(), Some(30), "rang until it ended");
        assert_eq!(
            missed.talk_seconds(),
            None,
            "no talk time without an answer"
        );
        assert_eq!(timing(None, Some(1), Some(2)).ring_seconds(), None);
        assert_eq!(CallTiming::default().ring_seconds(), None);
    }

    #[test]
    fn instants_out_of_order_missed_but_answered_or_against_the_duration_are_refused() {
        assert_eq!(
            timing(Some(5_000), Some(4_000), None).validate(false),
            Err(TimingError::OutOfOrder {
                earlier: "dial",
                later: "answer"
            })
        );
        assert_eq!(
            timing(Some(5_000), None, Some(4_000)).validate(true),
            Err(TimingError::OutOfOrder {
                earlier: "dial",
                later: "end"
            }),
            "an unknown answer does not hide a dial after the end"
        );
        assert_eq!(
            timing(None, Some(1_000), Some(2_000)).validate(true),
            Err(TimingError::AnsweredButMissed)
        );
        assert_eq!(
            timing(None, Some(0), Some(60_000)).check_duration(30),
            Err(TimingError::DurationMismatch {
                duration: 30,
                talk: 60
            })
        );
        assert_eq!(
            timing(None, Some(0), Some(60_400)).check_duration(61),
            Ok(())
        );
        assert_eq!(
            timing(Some(0), None, Some(60_000)).check_duration(0),
            Ok(()),
            "missed"
        );
        assert_eq!(
            timing(Some(0), None, Some(90_000_000)).validate(true),
            Err(TimingError::TooLong(90_000))
        );
        assert!(matches!(
            timing(Some(MAX_STARTED_AT_MS + 1), None, None).validate(false),
            Err(TimingError::OutOfRange { what: "dial", .. })
        ));
        assert_eq!(CallTiming::default().validate(false), Ok(()), "none known");
    }

    #[test]
    fn iso_datetimes_with_zones_are_read_and_others_refused() {
        assert_eq!(parse_iso_datetime("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_iso_datetime("2023-11-14T22:13:20.123Z"),
            Ok(1_700_000_000_123)
        );
        assert_eq!(
            parse_iso_datetime("2023-11-15T07:13:20.123+09:00"),
            Ok(1_700_000_000_123),
            "Tokyo time"
        );
        assert_eq!(
            parse_iso_datetime("2023-11-14T17:13:20-0500"),
            Ok(1_700_000_000_000)
        );
        for bad in [
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20",
            "yesterday",
            "2023-02-30T00:00:00Z",
        ] {
            assert!(
                matches!(parse_iso_datetime(bad), Err(TimingError::NotIso(_))),
                "{bad}"
            );
        }
    }
}
