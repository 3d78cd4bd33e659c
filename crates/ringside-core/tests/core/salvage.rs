//! A damaged database moved aside at open: the agent's logs are read back out of it into the
//! new database and delivered exactly once (one that had already landed is found by its call
//! id and updated, not created again). Real SQLite files, the demo org over HTTP.

use ringside_core::audit::AuditActor;
use std::io::{Seek, SeekFrom, Write};
use std::time::Duration;

use ringside_core::outbox::{ItemState, Outbox, Worker};

use crate::outbox::{call, client, fast_options, org_records, temp_home};

#[tokio::test]
async fn unsent_notes_are_read_back_from_a_corrupt_database_and_land_once() {
    let org = demo_org::start(Default::default()).await.expect("demo org");
    let home = temp_home("salvage");
    {
        let outbox = Outbox::open_in_home(&home).await.expect("queue");
        outbox
            .enqueue(&call("sent-before"), AuditActor::Agent)
            .await
            .unwrap();
        let worker = Worker::start(
            outbox.clone(),
            client(&org, Duration::from_secs(10)),
            Default::default(),
            fast_options(),
        )
        .await
        .unwrap();
        assert_eq!(
            worker
                .drain(Duration::from_secs(1))
                .await
                .unwrap()
                .delivered,
            1
        );
        drop(worker);
        let mut unsent = call("never-sent");
        unsent.notes = Some("Rappeler vendredi — 金曜日に折り返し".into());
        outbox.enqueue(&unsent, AuditActor::Agent).await.unwrap();
        outbox.close().await;
    }
    // The header is destroyed: SQLite cannot open the file any more.
    let db = home.join("ringside.db");
    let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(&[0xAB; 100]).unwrap();
    file.sync_all().unwrap();
    drop(file);

    let outbox = Outbox::open_in_home(&home)
        .await
        .expect("a fresh queue opens");
    let recovery = outbox.recovery().expect("the damaged file was moved aside");
    let salvaged = recovery.salvaged.clone().expect("and read back");
    assert_eq!(salvaged.method, "byte_scan", "{salvaged:?}");
    assert_eq!(
        salvaged.queued, 2,
        "both logs were found in the raw bytes: {salvaged:?}"
    );
    let never = outbox
        .find_call("never-sent")
        .await
        .unwrap()
        .expect("salvaged");
    assert_eq!(never.state, ItemState::Pending);
    assert_eq!(
        never.log.notes.as_deref(),
        Some("Rappeler vendredi — 金曜日に折り返し"),
        "the agent's notes survive, whole"
    );

    let worker = Worker::start(
        outbox.clone(),
        client(&org, Duration::from_secs(10)),
        Default::default(),
        fast_options(),
    )
    .await
    .unwrap();
    let report = worker.drain(Duration::from_secs(1)).await.unwrap();
    assert_eq!(report.delivered, 2, "{report:?}");
    let records = org_records(&org).await;
    for id in ["sent-before", "never-sent"] {
        assert_eq!(
            records.tasks[id].len(),
            1,
            "{id}: exactly one Task, even for the one that had landed"
        );
        assert_eq!(records.logs[id].len(), 1, "{id}: exactly one call log");
    }
    let events: Vec<String> = outbox
        .audit()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.to_string())
        .collect();
    assert!(
        events.iter().filter(|e| *e == "salvaged").count() == 2,
        "audited: {events:?}"
    );

    // Running it again by hand finds nothing new to queue.
    let again = outbox
        .salvage(&recovery.moved_to, AuditActor::Admin)
        .await
        .unwrap();
    assert_eq!((again.queued, again.skipped), (0, 2), "{again:?}");
}
