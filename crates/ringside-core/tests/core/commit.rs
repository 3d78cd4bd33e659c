//! `outbox::commit`, the one "queue it, else keep it as a file" used by the desktop's log
//! form and the CLI's `log-call`, against a real SQLite file and a real file system: a full
//! database or one that did not open keeps the log in `unsent/` and says where; a home that
//! takes no file either says so with both causes; an invalid log is refused with nothing kept.

use ringside_core::audit::AuditActor;
use ringside_core::call_log::draft::CallDraft;
use ringside_core::outbox::{
    self, Commit, CommitError, Committed, OpenOptions, OrgTag, Outbox, OutboxError,
};

use crate::mounted::Tmpfs;
use crate::outbox::{call, temp_home};

fn commit_of<'a>(log: &'a ringside_core::call_log::CallLog, org: &'a OrgTag) -> Commit<'a> {
    Commit {
        log,
        org,
        actor: AuditActor::Agent,
        actions: &[],
        closes_form: false,
    }
}

/// An outbox capped at the size it has when new, filled until a write is refused.
async fn full_outbox(home: &std::path::Path) -> Outbox {
    let path = home.join(outbox::DATABASE_FILE);
    Outbox::open(&path).await.expect("opens").close().await;
    let pages: i64 = {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("reads");
        let n = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&pool)
            .await
            .expect("page count");
        pool.close().await;
        n
    };
    let outbox = Outbox::open_with(
        &path,
        &OpenOptions {
            max_page_count: Some(u32::try_from(pages).expect("small")),
        },
    )
    .await
    .expect("opens capped");
    let mut big = call("filler-0");
    big.notes = Some("n".repeat(30_000));
    for i in 0..20 {
        big.call_id = format!("filler-{i}");
        if outbox.enqueue(&big, AuditActor::Agent).await.is_err() {
            return outbox;
        }
    }
    panic!("a capped database fills up");
}

#[tokio::test]
async fn a_full_queue_keeps_the_log_as_a_file_and_says_where() {
    let home = temp_home("commit-full");
    let outbox = full_outbox(&home).await;
    let org = OrgTag::of(Some("prod"));
    let mut log = call("commit-full-1");
    log.notes = Some("n".repeat(30_000));

    let committed = outbox::commit(&home, Ok(&outbox), commit_of(&log, &org))
        .await
        .expect("kept, not lost");

    let Committed::Kept { file, cause } = committed else {
        panic!("a full database cannot queue: {committed:?}");
    };
    assert!(matches!(cause, OutboxError::Full { .. }), "{cause:?}");
    assert_eq!(
        file,
        home.join(outbox::UNSENT_DIR).join("commit-full-1.json"),
        "the file the user is told about is where the log is"
    );
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("the file is there"))
            .expect("JSON");
    assert!(
        kept.to_string().contains("\"prod\""),
        "the kept log keeps its org: {kept}"
    );
    outbox.close().await;
}

#[tokio::test]
async fn a_queue_that_did_not_open_keeps_the_log_and_closes_nothing_twice() {
    let home = temp_home("commit-unopened");
    let org = OrgTag::of(None);
    let log = call("commit-unopened-1");
    let not_open = OutboxError::Unavailable {
        path: home.join(outbox::DATABASE_FILE),
        reason: "damaged".into(),
    };
    let committed = outbox::commit(
        &home,
        Err(not_open),
        Commit {
            closes_form: true,
            ..commit_of(&log, &org)
        },
    )
    .await
    .expect("kept");
    let Committed::Kept { file, cause } = committed else {
        panic!("no queue, no queueing: {committed:?}");
    };
    assert!(cause.to_string().contains("damaged"), "{cause}");
    assert!(file.exists(), "{}", file.display());

    // Once the database opens, the kept file is queued (imported) and a new commit queues.
    let outbox = Outbox::open_in_home(&home).await.expect("opens");
    let committed = outbox::commit(&home, Ok(&outbox), commit_of(&call("commit-2"), &org))
        .await
        .expect("queued");
    assert!(matches!(committed, Committed::Queued(_)), "{committed:?}");
    let queued: Vec<String> = outbox
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|i| i.call_id)
        .collect();
    assert!(
        queued.contains(&"commit-unopened-1".to_owned()) && queued.contains(&"commit-2".to_owned()),
        "{queued:?}"
    );
    outbox.close().await;
}

#[tokio::test]
async fn a_kept_form_log_is_not_logged_again_from_its_saved_form() {
    let home = temp_home("commit-form");
    let outbox = full_outbox(&home).await;
    let org = OrgTag::of(None);
    // The form was saved (if the full database still takes it: a small row may fit).
    let draft = CallDraft::manual(1_700_000_000_000);
    let mut log = call(&draft.call_id);
    log.notes = Some("n".repeat(30_000));
    let saved = outbox.save_form(&draft, None, Some(org.as_str())).await;
    let committed = outbox::commit(
        &home,
        Ok(&outbox),
        Commit {
            closes_form: true,
            ..commit_of(&log, &org)
        },
    )
    .await
    .expect("kept");
    assert!(matches!(committed, Committed::Kept { .. }), "{committed:?}");
    if saved.is_ok() {
        let forms = outbox.saved_forms().await.expect("forms read");
        assert!(
            forms.iter().all(|f| f.draft.call_id != log.call_id),
            "the saved form is gone, so the next start does not log the call twice"
        );
    }
    outbox.close().await;
}

#[tokio::test]
async fn an_invalid_log_is_refused_and_nothing_is_kept() {
    let home = temp_home("commit-invalid");
    let outbox = Outbox::open_in_home(&home).await.expect("opens");
    let org = OrgTag::of(None);
    let mut log = call("commit-invalid-1");
    log.duration_seconds = -5;
    let err = outbox::commit(&home, Ok(&outbox), commit_of(&log, &org))
        .await
        .expect_err("an invalid log is the caller's to fix");
    assert!(matches!(err, CommitError::Refused(_)), "{err:?}");
    assert!(
        !home
            .join(outbox::UNSENT_DIR)
            .join("commit-invalid-1.json")
            .exists(),
        "nothing is kept for an invalid log"
    );
    outbox.close().await;
}

#[tokio::test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
async fn a_read_only_home_takes_neither_and_says_the_cause_once() {
    let disk = Tmpfs::mount("commit-ro", "1m");
    let home = disk.path().join("home");
    Outbox::open_in_home(&home)
        .await
        .expect("opens")
        .close()
        .await;
    disk.remount_read_only();
    let not_open = Outbox::open_in_home(&home)
        .await
        .expect_err("a read-only home opens no queue to write");
    let org = OrgTag::of(Some("prod"));
    let log = call("commit-ro-1");
    let err = outbox::commit(&home, Err(not_open), commit_of(&log, &org))
        .await
        .expect_err("no queue and no file");
    let CommitError::NotKept { cause, keep_error } = err else {
        panic!("both failed: {err:?}");
    };
    assert!(
        cause.same_cause(&keep_error),
        "the same read-only folder, said once: {cause} / {keep_error}"
    );
}
