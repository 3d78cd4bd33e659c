//! `DeliveryReason` from what a real worker stored in a real SQLite queue after real
//! failures against the demo org: a refusal is `refused` (fix and replay), an org that takes
//! no connection leaves the log `unreachable` with no attempt spent, and temporary failures
//! past the last attempt are `gave_up`, not a refusal.

use ringside_core::audit::AuditActor;
use std::time::Duration;

use ringside_core::call_log::LoggingSettings;
use ringside_core::outbox::{DeliveryReason, ItemState, Outbox, OutboxItem, Worker};

use super::outbox::{call, client, fast_options, temp_home};

async fn item(outbox: &Outbox, call_id: &str) -> OutboxItem {
    outbox
        .list()
        .await
        .expect("list")
        .into_iter()
        .find(|i| i.call_id == call_id)
        .expect("the item is listed")
}

#[tokio::test]
async fn stored_failures_read_back_as_their_reasons() {
    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("demo org starts");
    let home = temp_home("delivery-reason");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(5)),
        LoggingSettings::default(),
        fast_options(),
    )
    .await
    .expect("worker starts");

    // Refused: a WhoId that does not exist.
    let mut refused = call("reason-refused");
    refused.who_id = Some("003Dm00000000ZZIAA".into());
    outbox
        .enqueue(&refused, AuditActor::Agent)
        .await
        .expect("queued");
    worker.drain(Duration::ZERO).await.expect("drained");
    let dead = item(&outbox, "reason-refused").await;
    assert_eq!(dead.state, ItemState::Dead, "{dead:?}");
    assert_eq!(
        DeliveryReason::of(&dead, false),
        Some(DeliveryReason::Refused),
        "stored {:?}",
        dead.last_error_code
    );

    // Temporary failures until the attempts run out.
    org.faults().fail_next(
        None,
        "/services/data",
        50,
        503,
        serde_json::json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "down for maintenance"}]),
    );
    outbox
        .enqueue(&call("reason-gave-up"), AuditActor::Agent)
        .await
        .expect("queued");
    worker.drain(Duration::from_secs(3)).await.expect("drained");
    let gave_up = item(&outbox, "reason-gave-up").await;
    assert_eq!(gave_up.state, ItemState::Dead, "{gave_up:?}");
    assert_eq!(
        DeliveryReason::of(&gave_up, false),
        Some(DeliveryReason::GaveUp),
        "stored {:?}: a temporary failure is not the log's fault",
        gave_up.last_error_code
    );
    org.faults().clear();

    // Unreachable: the org takes no connection.
    org.faults().refuse_connections(Duration::from_secs(3));
    tokio::time::sleep(Duration::from_millis(100)).await;
    outbox
        .enqueue(&call("reason-unreachable"), AuditActor::Agent)
        .await
        .expect("queued");
    worker.drain(Duration::ZERO).await.expect("drained");
    let waiting = item(&outbox, "reason-unreachable").await;
    assert_eq!(waiting.state, ItemState::Pending, "{waiting:?}");
    assert_eq!(
        DeliveryReason::of(&waiting, false),
        Some(DeliveryReason::Unreachable),
        "stored {:?}",
        waiting.last_error_code
    );
    assert_eq!(
        DeliveryReason::of(&waiting, true),
        Some(DeliveryReason::Held),
        "a log for another org waits for that org, whatever its last error"
    );
    outbox.close().await;
    org.shutdown().await;
}
