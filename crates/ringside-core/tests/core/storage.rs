//! A full disk and a read-only home, on a real file system (issue 14, item 5): a failed
//! keep leaves no temp file and says the disk is full; a read-only home can still be read,
//! and a write to it says "read-only" in words, not SQLite's "unable to open database file".

use ringside_core::audit::AuditActor;
use ringside_core::outbox::{Outbox, OutboxError, ReadOnlyCause, keep_unsent};

use crate::mounted::Tmpfs;
use crate::outbox::{call, temp_home};

fn unsent_names(home: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(home.join("unsent"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
fn disk_full_while_keeping_a_log_leaves_no_partial_file_and_says_the_disk_is_full() {
    let disk = Tmpfs::mount("keep-full", "64k");
    let home = disk.path().join("home");
    std::fs::create_dir_all(home.join("unsent")).expect("home");
    let filler = disk.fill();
    let mut log = call("full-keep");
    // Bigger than any slack a tmpfs page could leave.
    log.notes = Some("n".repeat(20_000));
    let err = keep_unsent(&home, &log, Some("prod")).expect_err("a full disk takes no file");
    assert!(
        matches!(err, OutboxError::DiskFull { .. }),
        "a full disk is its own error: {err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("the disk is full") && text.contains("Free space"),
        "says what happened and what to do: {text}"
    );
    assert!(!text.contains("os error"), "in words: {text}");
    assert_eq!(
        unsent_names(&home),
        Vec::<String>::new(),
        "no zero-byte .partial file is left behind"
    );
    std::fs::remove_file(filler).expect("space freed");
    let kept = keep_unsent(&home, &log, Some("prod")).expect("kept once there is space");
    assert_eq!(
        unsent_names(&home),
        ["full-keep.json"],
        "{}",
        kept.display()
    );
}

#[tokio::test]
#[ignore = "needs root to mount a tmpfs: run with --ignored as root (scripts/test.sh does)"]
async fn queue_reads_work_on_a_read_only_home_and_writes_say_read_only() {
    let disk = Tmpfs::mount("ro-home", "1m");
    let home = disk.path().join("home");
    let outbox = Outbox::open_in_home(&home).await.expect("opens");
    outbox
        .enqueue_for(&call("ro-home-1"), Some("prod"), AuditActor::Agent)
        .await
        .expect("queued");
    outbox.close().await;
    disk.remount_read_only();

    let err = Outbox::open_in_home(&home)
        .await
        .expect_err("a writing open is refused");
    assert!(
        matches!(
            err,
            OutboxError::ReadOnly {
                cause: ReadOnlyCause::FileSystem,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("is read-only (read-only file system)")
            && text.contains(&home.display().to_string()),
        "names the folder and why, in words: {text}"
    );
    assert!(!text.contains("code: 14"), "not SQLite's words: {text}");

    let reader = Outbox::open_in_home_for_reading(&home)
        .await
        .expect("a read-only home can be read");
    assert_eq!(reader.status().await.expect("status").pending, 1);
    let items = reader.list().await.expect("list");
    assert_eq!(items[0].call_id, "ro-home-1");
    assert_eq!(reader.dead().await.expect("dead").len(), 0);
    assert_eq!(reader.audit().await.expect("audit").len(), 1);
    let write = reader
        .enqueue(&call("ro-home-2"), AuditActor::Agent)
        .await
        .expect_err("nothing is written through a read-only open");
    assert!(
        matches!(
            write,
            OutboxError::ReadOnly {
                cause: ReadOnlyCause::FileSystem,
                ..
            }
        ),
        "{write:?}"
    );
    reader.close().await;

    let keep = keep_unsent(&home, &call("ro-home-3"), None).expect_err("no file either");
    assert!(
        err.same_cause(&keep),
        "the keep fails for the same reason, so it is said once: {keep:?}"
    );
}

#[tokio::test]
async fn stale_partial_files_are_read_back_or_removed_at_start() {
    let home = temp_home("stale-partials");
    let unsent = home.join("unsent");
    std::fs::create_dir_all(&unsent).expect("unsent");
    // A crash between the fsync and the rename: whole, so read back.
    let whole = unsent.join(".whole.json.123.partial");
    std::fs::write(&whole, serde_json::to_vec(&call("whole")).expect("json")).expect("written");
    // A crash (or an old version on a full disk) mid-write: empty, so removed.
    let empty = unsent.join(".empty.json.partial");
    std::fs::write(&empty, b"").expect("written");
    let home_temp = home.join(".orgs.toml.77.partial");
    std::fs::write(&home_temp, b"[orgs").expect("written");
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for file in [&whole, &empty, &home_temp] {
        std::fs::File::options()
            .write(true)
            .open(file)
            .and_then(|f| f.set_modified(long_ago))
            .expect("aged");
    }
    // One being written right now by another process: left alone.
    let fresh = unsent.join(".fresh.json.9.partial");
    std::fs::write(&fresh, b"").expect("written");

    let outbox = Outbox::open_in_home(&home).await.expect("opens");
    let ids: Vec<_> = outbox
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|i| i.call_id)
        .collect();
    assert_eq!(ids, ["whole"], "a whole temp file is queued, not lost");
    assert_eq!(
        unsent_names(&home),
        [".fresh.json.9.partial"],
        "the stale ones are gone; a write in progress is not touched"
    );
    assert!(
        !home_temp.exists(),
        "stale temp files in the home are removed too"
    );
    outbox.close().await;
    let _ = std::fs::remove_dir_all(&home);
}
