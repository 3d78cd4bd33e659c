//! The words of the audit log: who acted ([`AuditActor`]) and what happened
//! ([`AuditEvent`]), each stored as the exact text rows have always held, and what a stored
//! word reads back as ([`Recorded`]).
//!
//! The log is append-only and outlives the version that wrote it, so reading never fails on
//! a word this version does not know (a row written by a newer Ringside before a downgrade,
//! or by hand): it reads back as [`Recorded::Unknown`] with its text, and is shown as
//! stored. Refusing it instead would hide the whole history, which is what the log is for.
//! Writers take the closed enums, so no code path can store a free string again.

use std::fmt;

use serde::{Serialize, Serializer};

/// A closed set of audit words, each with the exact text stored for it.
pub trait AuditWord: Copy + Eq + fmt::Debug + 'static {
    /// Every word, so a stored text can be matched back.
    const ALL: &'static [Self];

    /// The text stored in the `audit` table (never change one: old rows hold it).
    fn as_str(self) -> &'static str;

    /// The word whose stored text is `text`, if this version writes it.
    fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|w| w.as_str() == text)
    }
}

/// Who caused an audited change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditActor {
    /// The agent: a log they gave, an edit they made (`agent`).
    Agent,
    /// The desktop logging a call by itself when its idle timer ran out (`auto-log`).
    AutoLog,
    /// The queue worker delivering, retrying, holding or giving up (`worker`).
    Worker,
    /// An admin editing, replaying or salvaging from the queue view or the CLI (`admin`).
    Admin,
    /// Ringside itself, reading unsent logs out of a damaged database as it opens
    /// (`ringside`).
    Ringside,
}

impl AuditWord for AuditActor {
    const ALL: &'static [Self] = &[
        AuditActor::Agent,
        AuditActor::AutoLog,
        AuditActor::Worker,
        AuditActor::Admin,
        AuditActor::Ringside,
    ];

    fn as_str(self) -> &'static str {
        match self {
            AuditActor::Agent => "agent",
            AuditActor::AutoLog => "auto-log",
            AuditActor::Worker => "worker",
            AuditActor::Admin => "admin",
            AuditActor::Ringside => "ringside",
        }
    }
}

/// What happened to a queued call log or a record edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditEvent {
    // A queued call log (and a split-off item of its outcome actions).
    /// Queued for the first time (`queued`).
    Queued,
    /// Queued again with more of the call, to be sent again (`updated`).
    Updated,
    /// Corrected by an admin (`edited`).
    Edited,
    /// A dead letter sent again (`replayed`).
    Replayed,
    /// Read back out of a damaged database (`salvaged`).
    Salvaged,
    /// Left in flight by a stopped worker, put back to be checked first (`requeued`).
    Requeued,
    /// What Salesforce already holds was looked up before writing (`checked`).
    Checked,
    /// Delivered (`sent`).
    Sent,
    /// A failed attempt, tried again later (`retry`).
    Retry,
    /// A dead letter: refused for good, or out of attempts (`dead`).
    Dead,
    /// Put back without spending an attempt: the org unreachable, its API allocation used
    /// up (`waiting`).
    Waiting,
    /// Put back until sign-in (`held`).
    Held,
    /// The outcome actions' state changed: applied, or moved to their own item (`actions`).
    Actions,
    // A record edit (Contact/Lead/Account fields, intent presses).
    /// Queued to be written (`edit_queued`).
    EditQueued,
    /// Written to Salesforce (`edit_applied`).
    EditApplied,
    /// Not written yet, tried again later (`edit_retry`).
    EditRetry,
    /// Someone changed the record meanwhile; left for the agent to decide (`edit_conflict`).
    EditConflict,
    /// Refused for good (`edit_failed`).
    EditFailed,
    /// A conflict the agent settled (`edit_resolved`).
    EditResolved,
}

impl AuditWord for AuditEvent {
    const ALL: &'static [Self] = &[
        AuditEvent::Queued,
        AuditEvent::Updated,
        AuditEvent::Edited,
        AuditEvent::Replayed,
        AuditEvent::Salvaged,
        AuditEvent::Requeued,
        AuditEvent::Checked,
        AuditEvent::Sent,
        AuditEvent::Retry,
        AuditEvent::Dead,
        AuditEvent::Waiting,
        AuditEvent::Held,
        AuditEvent::Actions,
        AuditEvent::EditQueued,
        AuditEvent::EditApplied,
        AuditEvent::EditRetry,
        AuditEvent::EditConflict,
        AuditEvent::EditFailed,
        AuditEvent::EditResolved,
    ];

    fn as_str(self) -> &'static str {
        match self {
            AuditEvent::Queued => "queued",
            AuditEvent::Updated => "updated",
            AuditEvent::Edited => "edited",
            AuditEvent::Replayed => "replayed",
            AuditEvent::Salvaged => "salvaged",
            AuditEvent::Requeued => "requeued",
            AuditEvent::Checked => "checked",
            AuditEvent::Sent => "sent",
            AuditEvent::Retry => "retry",
            AuditEvent::Dead => "dead",
            AuditEvent::Waiting => "waiting",
            AuditEvent::Held => "held",
            AuditEvent::Actions => "actions",
            AuditEvent::EditQueued => "edit_queued",
            AuditEvent::EditApplied => "edit_applied",
            AuditEvent::EditRetry => "edit_retry",
            AuditEvent::EditConflict => "edit_conflict",
            AuditEvent::EditFailed => "edit_failed",
            AuditEvent::EditResolved => "edit_resolved",
        }
    }
}

impl AuditActor {
    /// The text stored in the `audit` table.
    pub fn as_str(self) -> &'static str {
        AuditWord::as_str(self)
    }
}

impl AuditEvent {
    /// The text stored in the `audit` table.
    pub fn as_str(self) -> &'static str {
        AuditWord::as_str(self)
    }
}

impl fmt::Display for AuditActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for AuditEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A word read back from the audit log: one this version writes, or one it does not know,
/// kept as stored (see the module comment for why reading never fails on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded<W> {
    Known(W),
    Unknown(String),
}

impl<W: AuditWord> Recorded<W> {
    /// Reads a stored text.
    pub fn parse(text: &str) -> Self {
        match W::from_stored(text) {
            Some(word) => Recorded::Known(word),
            None => Recorded::Unknown(text.to_owned()),
        }
    }

    /// The stored text, as it is on disk.
    pub fn as_str(&self) -> &str {
        match self {
            Recorded::Known(word) => word.as_str(),
            Recorded::Unknown(text) => text,
        }
    }

    /// The word, when this version knows it.
    pub fn known(&self) -> Option<W> {
        match self {
            Recorded::Known(word) => Some(*word),
            Recorded::Unknown(_) => None,
        }
    }
}

impl<W: AuditWord> From<W> for Recorded<W> {
    fn from(word: W) -> Self {
        Recorded::Known(word)
    }
}

/// So `entry.event == AuditEvent::Sent` reads as it says.
impl<W: AuditWord> PartialEq<W> for Recorded<W> {
    fn eq(&self, other: &W) -> bool {
        self.known() == Some(*other)
    }
}

impl<W: AuditWord> fmt::Display for Recorded<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Serialized as the stored text, so `ringside audit --json` prints what it always did.
impl<W: AuditWord> Serialize for Recorded<W> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<W: AuditWord>() {
        let mut seen = std::collections::BTreeSet::new();
        for &word in W::ALL {
            assert!(
                seen.insert(word.as_str()),
                "{word:?}'s text {:?} is stored for another word too",
                word.as_str()
            );
            assert_eq!(Recorded::<W>::parse(word.as_str()), Recorded::Known(word));
        }
    }

    #[test]
    fn every_word_reads_back_as_itself_and_no_two_share_a_text() {
        round_trips::<AuditActor>();
        round_trips::<AuditEvent>();
    }

    #[test]
    fn the_stored_texts_are_the_ones_rows_have_always_held() {
        // Old rows on disk hold exactly these; changing one would make them unknown.
        let actors: Vec<_> = AuditActor::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(actors, ["agent", "auto-log", "worker", "admin", "ringside"]);
        let events: Vec<_> = AuditEvent::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            events,
            [
                "queued",
                "updated",
                "edited",
                "replayed",
                "salvaged",
                "requeued",
                "checked",
                "sent",
                "retry",
                "dead",
                "waiting",
                "held",
                "actions",
                "edit_queued",
                "edit_applied",
                "edit_retry",
                "edit_conflict",
                "edit_failed",
                "edit_resolved",
            ]
        );
    }

    #[test]
    fn an_unknown_stored_word_stays_readable_as_stored() {
        let word = Recorded::<AuditEvent>::parse("archived");
        assert_eq!(word, Recorded::Unknown("archived".into()));
        assert_eq!(word.as_str(), "archived");
        assert_eq!(word.known(), None);
        assert_eq!(
            format!("[{word:<9}]"),
            "[archived ]",
            "padded like a known word"
        );
        assert_eq!(serde_json::to_string(&word).unwrap(), "\"archived\"");
        assert_ne!(word, AuditEvent::Sent);
        assert_eq!(Recorded::<AuditActor>::parse("bench").as_str(), "bench");
    }

    #[test]
    fn a_known_word_serializes_and_displays_as_its_stored_text() {
        let sent = Recorded::from(AuditEvent::EditConflict);
        assert_eq!(serde_json::to_string(&sent).unwrap(), "\"edit_conflict\"");
        assert_eq!(format!("{:<8}|", AuditActor::AutoLog), "auto-log|");
        assert!(sent == AuditEvent::EditConflict);
    }
}
