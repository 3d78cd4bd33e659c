//! How many requests one operation really sent, retries included.
//!
//! [`crate::Client::api_requests_made`] counts every request of a client and its clones, so
//! the difference around an operation also counts whatever other tasks sent meanwhile. An
//! operation that must report its own cost (a screen pop's "API calls", which a resend after
//! a refreshed session makes 2) runs inside [`counting_requests`]: every request the client
//! sends from that task is counted there, and only there.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static SENT: Cell<u32>;
}

/// Runs `operation` and returns its output with the number of requests it sent to
/// Salesforce (the same rule as [`crate::Client::api_requests_made`]: every request that got
/// an answer or may have reached the server). Requests sent by tasks `operation` spawns are
/// not counted.
pub async fn counting_requests<F: Future>(operation: F) -> (F::Output, u32) {
    SENT.scope(Cell::new(0), async {
        let output = operation.await;
        (output, SENT.with(Cell::get))
    })
    .await
}

/// Notes one request sent from the current task (nothing outside [`counting_requests`]).
pub(crate) fn note_sent() {
    let _ = SENT.try_with(|sent| sent.set(sent.get().saturating_add(1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_only_inside_the_scope_and_nests_separately() {
        note_sent();
        let ((), outer) = counting_requests(async {
            note_sent();
            let ((), inner) = counting_requests(async {
                note_sent();
                note_sent();
            })
            .await;
            assert_eq!(inner, 2, "the inner operation counts its own two requests");
            note_sent();
        })
        .await;
        assert_eq!(
            outer, 2,
            "the outer operation counts its own requests, not the inner scope's nor those before it"
        );
    }
}
