//! The record-edit queue against a real demo org over loopback HTTP: an edit made while the
//! org refuses connections is queued (no attempt spent while it is down) and applied exactly
//! once when it is back; a record changed behind a queued edit becomes a conflict with both
//! values; a lost answer is not a second write; permanent errors fail in words.

use std::time::Duration;

use demo_org::seed;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::edit_queue::{EditQueue, EditRequest, QueuedEditState, should_queue};
use ringside_core::field_policy::FieldPolicy;
use ringside_core::outbox::{DEMO_ORG_TAG, Outbox, RetrySchedule};
use ringside_core::record_edit::RecordEditor;
use serde_json::json;

use crate::outbox::{client, temp_home};

struct Fixture {
    org: demo_org::DemoOrg,
    client: salesforce::Client,
    editor: RecordEditor,
    queue: EditQueue,
    /// The queue's database, whose audit log the edits are written to.
    outbox: Outbox,
}

async fn fixture(name: &str) -> Fixture {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let client = client(&org, Duration::from_secs(5));
    let outbox = Outbox::open_in_home(&temp_home(name))
        .await
        .expect("the queue database opens");
    let editor = RecordEditor::new(DescribeCache::new(client.clone()), FieldPolicy::default());
    Fixture {
        org,
        client,
        editor,
        queue: EditQueue::new(&outbox),
        outbox,
    }
}

fn schedule() -> RetrySchedule {
    RetrySchedule::new(vec![Duration::from_millis(10); 3])
}

fn fields(pairs: &[(&str, &str)], expected: Option<String>) -> EditRequest {
    EditRequest::Fields {
        changes: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        expected_modified: expected,
    }
}

async fn title_of(client: &salesforce::Client, id: &str) -> serde_json::Value {
    client
        .get("Contact", id, Some(&["Title"]))
        .await
        .expect("contact reads")
        .field("Title")
        .cloned()
        .unwrap_or_default()
}

fn composite_posts(org: &demo_org::DemoOrg) -> usize {
    org.data_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/composite"))
        .count()
}

#[tokio::test]
async fn an_edit_while_the_org_is_down_is_queued_and_applied_exactly_once_when_it_is_back() {
    let f = fixture("edit-down").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    f.org
        .faults()
        .refuse_connections(Duration::from_millis(1200));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let changes = [("Title", "Queued title")];
    let err = f
        .editor
        .edit(
            seed::JANE_CALLER_ID,
            &fields_pairs(&changes),
            seen.last_modified.as_deref(),
        )
        .await
        .expect_err("nothing answers while the org refuses connections");
    assert!(should_queue(&err), "unreachable means queue it: {err}");
    let queued = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&changes, seen.last_modified.clone()),
        )
        .await
        .expect("committed before returning");
    assert_eq!(queued.state, QueuedEditState::Pending);
    assert_eq!(queued.object, "Contact");

    let down = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .expect("a pass runs");
    assert!(down.org_unreachable, "the pass sees the outage: {down:?}");
    let still = f.queue.get(queued.id).await.unwrap();
    assert_eq!(still.state, QueuedEditState::Pending, "it waits");
    assert_eq!(still.attempts, 0, "an unreachable org spends no attempt");
    let open = f.queue.open_for_record(seed::JANE_CALLER_ID).await.unwrap();
    assert_eq!(open.len(), 1, "the panel lists the pending edit");

    // Back: the claim lease was not taken (nothing sent), so it is due again at once.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    f.org.clear_request_log();
    let back = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .expect("a pass runs");
    assert_eq!(back.applied, 1, "applied once the org answers: {back:?}");
    assert_eq!(
        title_of(&f.client, seed::JANE_CALLER_ID).await,
        json!("Queued title")
    );
    let again = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .expect("a pass runs");
    assert_eq!(again.applied, 0, "nothing is sent twice: {again:?}");
    assert_eq!(
        composite_posts(&f.org),
        1,
        "exactly one write request reached the org"
    );
    assert_eq!(
        f.queue.get(queued.id).await.unwrap().state,
        QueuedEditState::Applied
    );
    assert!(
        f.queue
            .open_for_record(seed::JANE_CALLER_ID)
            .await
            .unwrap()
            .is_empty(),
        "an applied edit is no longer shown as pending"
    );
    f.org.shutdown().await;
}

fn fields_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_record_changed_behind_a_queued_edit_becomes_a_conflict_not_an_overwrite() {
    let f = fixture("edit-conflict").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    let queued = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "Agent offline")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    // Someone else changes the record before the queued edit goes out.
    f.client
        .update(
            "Contact",
            seed::JANE_CALLER_ID,
            &json!({"Title": "Changed in Salesforce"}),
        )
        .await
        .expect("the other user's edit");
    let report = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(report.conflicts, 1, "{report:?}");
    assert_eq!(report.applied, 0, "{report:?}");
    let edit = f.queue.get(queued.id).await.unwrap();
    assert_eq!(edit.state, QueuedEditState::Conflict);
    let conflict = edit.conflict.expect("both values are kept for the agent");
    assert_eq!(conflict.fields[0].field, "Title");
    assert_eq!(conflict.fields[0].yours, json!("Agent offline"));
    assert_eq!(conflict.fields[0].theirs, json!("Changed in Salesforce"));
    assert_ne!(conflict.current, seen.last_modified, "the new version");
    assert_eq!(
        title_of(&f.client, seed::JANE_CALLER_ID).await,
        json!("Changed in Salesforce"),
        "the other user's change survives"
    );
    let open = f.queue.open_for_record(seed::JANE_CALLER_ID).await.unwrap();
    assert_eq!(open.len(), 1, "the conflict stays visible in the panel");
    f.queue
        .resolve(queued.id)
        .await
        .expect("the agent resolves it");
    assert!(
        f.queue
            .open_for_record(seed::JANE_CALLER_ID)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        f.queue.resolve(queued.id).await.is_err(),
        "a resolved edit is not resolved twice"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_not_a_second_write_and_later_edits_follow_the_first() {
    let f = fixture("edit-lost").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    // The write lands but the connection drops before the answer.
    f.org
        .faults()
        .drop_after_commit(Some("POST"), "/services/data", 1);
    let err = f
        .editor
        .edit(
            seed::JANE_CALLER_ID,
            &fields_pairs(&[("Title", "Landed")]),
            seen.last_modified.as_deref(),
        )
        .await
        .expect_err("the answer was lost");
    assert!(should_queue(&err), "a lost answer is queued: {err}");
    let first = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "Landed")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    // A second edit made from the same version the agent saw.
    let second = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Department", "Support")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    let report = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(
        report.applied, 2,
        "the landed edit is recognised, the next one applies on top: {report:?}"
    );
    assert_eq!(report.conflicts, 0, "{report:?}");
    for id in [first.id, second.id] {
        assert_eq!(
            f.queue.get(id).await.unwrap().state,
            QueuedEditState::Applied
        );
    }
    let record = f
        .client
        .get(
            "Contact",
            seed::JANE_CALLER_ID,
            Some(&["Title", "Department"]),
        )
        .await
        .unwrap();
    assert_eq!(record.str_field("Title"), Some("Landed"));
    assert_eq!(record.str_field("Department"), Some("Support"));
    f.org.shutdown().await;
}

#[tokio::test]
async fn permanent_errors_fail_in_words() {
    let f = fixture("edit-permanent").await;
    let seen = f.editor.show(seed::YAMADA_CONTACT_ID).await.expect("shown");
    let deleted = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::YAMADA_CONTACT_ID,
            &fields(&[("Title", "X")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    f.client
        .delete("Contact", seed::YAMADA_CONTACT_ID)
        .await
        .expect("deleted in Salesforce");
    // Values are checked against the describe when sent: a 40,000-character note is refused.
    let too_long = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Description", &"x".repeat(40_000))], None),
        )
        .await
        .unwrap();
    let report = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(report.failed, 2, "{report:?}");
    let deleted = f.queue.get(deleted.id).await.unwrap();
    assert_eq!(deleted.state, QueuedEditState::Failed);
    assert_eq!(deleted.error_code.as_deref(), Some("record_deleted"));
    assert!(
        deleted
            .error
            .as_deref()
            .unwrap_or("")
            .contains("was deleted"),
        "ENTITY_IS_DELETED in words: {:?}",
        deleted.error
    );
    let too_long = f.queue.get(too_long.id).await.unwrap();
    assert_eq!(too_long.state, QueuedEditState::Failed);
    assert!(
        too_long
            .error
            .as_deref()
            .unwrap_or("")
            .contains("Description"),
        "the field is named: {:?}",
        too_long.error
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn a_queued_intent_press_writes_the_related_opportunity_once() {
    let f = fixture("edit-intent").await;
    let editor = RecordEditor::new(DescribeCache::new(f.client.clone()), FieldPolicy::default())
        .with_intents(ringside_core::config::Config::default().intents);
    editor
        .check_intent(seed::JANE_OPEN_OPPORTUNITY_ID, "demo_requested")
        .expect("demo_requested is an Opportunity intent");
    let queued = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_OPEN_OPPORTUNITY_ID,
            &EditRequest::Intent {
                name: "demo_requested".into(),
                input: None,
            },
        )
        .await
        .unwrap();
    let report = f
        .queue
        .send_due(&editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(report.applied, 1, "{report:?}");
    let opportunity = f
        .client
        .get(
            "Opportunity",
            seed::JANE_OPEN_OPPORTUNITY_ID,
            Some(&["Demo_Requested_At__c"]),
        )
        .await
        .unwrap();
    let written = opportunity
        .str_field("Demo_Requested_At__c")
        .expect("the intent wrote the field");
    let pressed = ringside_core::time::utc_datetime(
        std::time::UNIX_EPOCH + Duration::from_millis(queued.created_at as u64),
    );
    assert_eq!(
        &written[..19],
        &pressed[..19],
        "the moment of the press, not of the send"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn save_or_queue_saves_live_queues_when_down_and_refuses_policy_offline() {
    use ringside_core::edit_queue::RecordSave;
    use ringside_core::edit_queue::save_or_queue;
    let f = fixture("edit-save-or-queue").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    let live = save_or_queue(
        &f.editor,
        Some(&f.queue),
        DEMO_ORG_TAG,
        seed::JANE_CALLER_ID,
        &fields(&[("Title", "Live")], seen.last_modified.clone()),
    )
    .await
    .expect("saved");
    let RecordSave::Saved { outcome } = live else {
        panic!("a reachable org saves at once: {live:?}");
    };
    f.org
        .faults()
        .refuse_connections(Duration::from_millis(1000));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let queued = save_or_queue(
        &f.editor,
        Some(&f.queue),
        DEMO_ORG_TAG,
        seed::JANE_CALLER_ID,
        &fields(&[("Title", "Offline")], outcome.last_modified.clone()),
    )
    .await
    .expect("queued, not an error");
    let RecordSave::Queued { edit } = queued else {
        panic!("an unreachable org queues: {queued:?}");
    };
    assert_eq!(edit.state, QueuedEditState::Pending);
    let refused = save_or_queue(
        &f.editor,
        Some(&f.queue),
        DEMO_ORG_TAG,
        seed::JANE_CALLER_ID,
        &fields(&[("Email", "x@example.com")], None),
    )
    .await
    .expect("an answer");
    assert!(
        matches!(&refused, RecordSave::Refused { problems } if problems[0].field == "Email"),
        "the policy is enforced offline too; nothing queued: {refused:?}"
    );
    assert_eq!(
        f.queue
            .open_for_record(seed::JANE_CALLER_ID)
            .await
            .unwrap()
            .len(),
        1,
        "only the allowed edit is queued"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn transient_errors_spend_attempts_with_backoff_then_apply_or_fail() {
    let f = fixture("edit-transient").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    let queued = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "After retries")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    let locked = json!([{"message": "unable to obtain exclusive access to this record", "errorCode": "UNABLE_TO_LOCK_ROW"}]);
    let unavailable = json!([{"message": "try later", "errorCode": "SERVER_UNAVAILABLE"}]);
    f.org
        .faults()
        .fail_next(Some("POST"), "/services/data", 1, 400, locked);
    f.org
        .faults()
        .fail_next(Some("POST"), "/services/data", 1, 503, unavailable.clone());
    let first = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(
        first.retried, 1,
        "a locked row is retried, not failed: {first:?}"
    );
    let edit = f.queue.get(queued.id).await.unwrap();
    assert_eq!((edit.state, edit.attempts), (QueuedEditState::Pending, 1));
    assert_eq!(edit.error_code.as_deref(), Some("UNABLE_TO_LOCK_ROW"));
    tokio::time::sleep(Duration::from_millis(30)).await;
    let second = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(second.retried, 1, "{second:?}");
    tokio::time::sleep(Duration::from_millis(30)).await;
    let third = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(
        third.applied, 1,
        "applied after two failed attempts: {third:?}"
    );
    assert_eq!(
        title_of(&f.client, seed::JANE_CALLER_ID).await,
        json!("After retries")
    );

    // Out of attempts: failed, with the last error kept in words.
    let tired = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Department", "Never")], None),
        )
        .await
        .unwrap();
    f.org
        .faults()
        .fail_next(Some("POST"), "/services/data", 10, 503, unavailable);
    let one_retry = RetrySchedule::new(vec![Duration::from_millis(10)]);
    for _ in 0..4 {
        f.queue
            .send_due(&f.editor, DEMO_ORG_TAG, &one_retry)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let tired = f.queue.get(tired.id).await.unwrap();
    assert_eq!(tired.state, QueuedEditState::Failed, "{tired:?}");
    assert_eq!(
        tired.attempts, 1,
        "one retry, then the second failure fails it"
    );
    assert!(
        tired.error.as_deref().unwrap_or("").contains("try later"),
        "{tired:?}"
    );
    f.org.shutdown().await;
}

#[tokio::test]
async fn settled_edits_are_pruned_and_open_ones_never_are() {
    let f = fixture("edit-prune").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    let applied = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(
                &[("Title", "Applied then pruned")],
                seen.last_modified.clone(),
            ),
        )
        .await
        .unwrap();
    let report = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(report.applied, 1, "{report:?}");
    // A conflict (stale version) and a pending edit for another org stay whatever their age.
    let conflict = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "Stale")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    f.queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(
        f.queue.get(conflict.id).await.unwrap().state,
        QueuedEditState::Conflict,
        "the second edit saw an older version than the first produced"
    );
    let pending = f
        .queue
        .queue(
            "other-org",
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "Waiting")], None),
        )
        .await
        .unwrap();

    let far_future = i64::MAX;
    let pruned = f.queue.prune_settled(far_future).await.unwrap();
    assert_eq!(pruned, 1, "only the applied edit is settled");
    assert!(
        f.queue.get(applied.id).await.is_err(),
        "the applied edit is gone"
    );
    assert_eq!(
        f.queue.get(conflict.id).await.unwrap().state,
        QueuedEditState::Conflict,
        "an unresolved conflict is never pruned"
    );
    assert_eq!(
        f.queue.get(pending.id).await.unwrap().state,
        QueuedEditState::Pending,
        "a pending edit is never pruned"
    );
    f.queue.resolve(conflict.id).await.unwrap();
    assert_eq!(
        f.queue.prune_settled(0).await.unwrap(),
        0,
        "nothing is older than the epoch: a fresh resolution is kept"
    );
    assert_eq!(f.queue.prune_settled(far_future).await.unwrap(), 1);
    f.org.shutdown().await;
}

#[tokio::test]
async fn record_edits_are_audited_with_actor_and_field_names_but_never_values() {
    use ringside_core::edit_queue::RecordSave;
    use ringside_core::edit_queue::save_or_queue;
    let f = fixture("edit-audit").await;
    let seen = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    // A queued edit that meets someone else's change: queued, conflict, resolved.
    let first = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(&[("Title", "Queued-value-3c9")], seen.last_modified.clone()),
        )
        .await
        .unwrap();
    f.client
        .update(
            "Contact",
            seed::JANE_CALLER_ID,
            &json!({"Title": "Theirs-value-5e2"}),
        )
        .await
        .expect("the other user's edit");
    f.queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    f.queue.resolve(first.id).await.expect("resolved");
    // A live save is audited as applied by the agent (no queued edit behind it).
    let now = f.editor.show(seed::JANE_CALLER_ID).await.expect("shown");
    let live = save_or_queue(
        &f.editor,
        Some(&f.queue),
        DEMO_ORG_TAG,
        seed::JANE_CALLER_ID,
        &fields(&[("Title", "Live-value-7a1")], now.last_modified.clone()),
    )
    .await
    .expect("saved");
    let RecordSave::Saved { outcome } = live else {
        panic!("a reachable org saves at once: {live:?}");
    };
    // A queued edit from the current version: queued, then applied by the worker.
    let second = f
        .queue
        .queue(
            DEMO_ORG_TAG,
            seed::JANE_CALLER_ID,
            &fields(
                &[("Title", "Second-value-9d4")],
                outcome.last_modified.clone(),
            ),
        )
        .await
        .unwrap();
    let report = f
        .queue
        .send_due(&f.editor, DEMO_ORG_TAG, &schedule())
        .await
        .unwrap();
    assert_eq!(report.applied, 1, "{report:?}");

    let audit = f.outbox.audit().await.expect("the audit log reads");
    let seen: Vec<(&str, &str, Option<i64>)> = audit
        .iter()
        .map(|e| (e.event.as_str(), e.actor.as_str(), e.edit_id))
        .collect();
    assert_eq!(
        seen,
        [
            ("edit_queued", "agent", Some(first.id)),
            ("edit_conflict", "worker", Some(first.id)),
            ("edit_resolved", "agent", Some(first.id)),
            ("edit_applied", "agent", None),
            ("edit_queued", "agent", Some(second.id)),
            ("edit_applied", "worker", Some(second.id)),
        ],
        "every step, in order, with who did it: {audit:?}"
    );
    for entry in &audit {
        assert_eq!(entry.record_id.as_deref(), Some(seed::JANE_CALLER_ID));
        assert_eq!(entry.fields, ["Title"], "{entry:?}");
        assert_eq!(entry.call_id, "", "not a call-log entry: {entry:?}");
        assert!(entry.at > 0, "{entry:?}");
    }
    let text = serde_json::to_string(&audit).unwrap();
    for value in [
        "Live-value-7a1",
        "Queued-value-3c9",
        "Theirs-value-5e2",
        "Second-value-9d4",
    ] {
        assert!(
            !text.contains(value),
            "no field value in the audit log: {text}"
        );
    }
    f.org.shutdown().await;
}
