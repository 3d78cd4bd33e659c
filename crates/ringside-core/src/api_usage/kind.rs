//! What a request was for: each place that starts Salesforce work runs it inside
//! [`as_kind`], and every request sent meanwhile from that task is counted under that kind.
//! A request outside any label counts as [`RequestKind::Other`]: it is still counted.

use std::future::Future;

use serde::Serialize;

/// The kinds of work Ringside spends API requests on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKind {
    /// The screen pop's search.
    Pop,
    /// Related Opportunities and Cases fetched on demand.
    Related,
    /// Call logs sent by the queue.
    Log,
    /// Record edits (read for conflict checks, written).
    Edit,
    /// Call history read from Salesforce.
    History,
    /// Object describes (fields, picklists, field-level security).
    Describe,
    /// Signing in and checking the sign-in.
    SignIn,
    /// Reading the org's limits when no answer carried them yet.
    Usage,
    /// Anything not labelled above (still counted).
    Other,
}

impl RequestKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [RequestKind; 9] = [
        RequestKind::Pop,
        RequestKind::Related,
        RequestKind::Log,
        RequestKind::Edit,
        RequestKind::History,
        RequestKind::Describe,
        RequestKind::SignIn,
        RequestKind::Usage,
        RequestKind::Other,
    ];

    /// The name in the database and in `org usage --json`'s `by_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Pop => "pop",
            RequestKind::Related => "related",
            RequestKind::Log => "log",
            RequestKind::Edit => "edit",
            RequestKind::History => "history",
            RequestKind::Describe => "describe",
            RequestKind::SignIn => "sign-in",
            RequestKind::Usage => "usage",
            RequestKind::Other => "other",
        }
    }

    /// The kind named `name` (as written by [`RequestKind::as_str`]).
    pub fn from_name(name: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

tokio::task_local! {
    static KIND: RequestKind;
}

/// Runs `work` with every request it sends from this task counted as `kind`. The innermost
/// label wins (a describe inside an edit counts as a describe). Tasks `work` spawns are not
/// labelled: their requests count as [`RequestKind::Other`] unless they label themselves.
pub async fn as_kind<F: Future>(kind: RequestKind, work: F) -> F::Output {
    KIND.scope(kind, work).await
}

/// The kind of the request being sent now from this task.
pub fn current() -> RequestKind {
    KIND.try_with(|kind| *kind).unwrap_or(RequestKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_innermost_label_wins_and_unlabelled_is_other() {
        assert_eq!(current(), RequestKind::Other, "no label: other");
        as_kind(RequestKind::Edit, async {
            assert_eq!(current(), RequestKind::Edit);
            as_kind(RequestKind::Describe, async {
                assert_eq!(current(), RequestKind::Describe, "inner label wins");
            })
            .await;
            assert_eq!(current(), RequestKind::Edit, "the outer label is back");
        })
        .await;
    }

    #[test]
    fn names_round_trip() {
        for kind in RequestKind::ALL {
            assert_eq!(RequestKind::from_name(kind.as_str()), Some(kind));
        }
    }
}
