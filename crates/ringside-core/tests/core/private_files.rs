//! The Ringside home is private on unix: `0700`, and every file Ringside keeps there `0600`,
//! whether the home is new or was left world-readable (issue 14, item 8).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use ringside_core::config_edit::write_atomic;
use ringside_core::events::token::ApiToken;
use ringside_core::outbox::{Outbox, keep_unsent};

use crate::outbox::{call, temp_home};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn assert_mode(path: &Path, expected: u32, why: &str) {
    assert_eq!(
        mode(path),
        expected,
        "{} is {:o}, expected {expected:o}: {why}",
        path.display(),
        mode(path)
    );
}

#[tokio::test]
async fn fresh_home_and_its_files_are_private() {
    let parent = temp_home("private-fresh");
    let home = parent.join("home");
    let outbox = Outbox::open_in_home(&home).await.expect("opens");
    assert_mode(&home, 0o700, "a new home is the agent's alone");
    assert_mode(&home.join("ringside.db"), 0o600, "call notes and numbers");
    for side in ["ringside.db-wal", "ringside.db-shm"] {
        assert_mode(
            &home.join(side),
            0o600,
            "SQLite's sidecars hold the same data",
        );
    }
    let kept = keep_unsent(&home, &call("private-1"), None).expect("kept");
    assert_mode(&home.join("unsent"), 0o700, "the unsent folder");
    assert_mode(&kept, 0o600, "a kept log holds the agent's notes");
    let config = home.join("ringside.toml");
    write_atomic(
        &config,
        "[logging]\ndead_letter_webhook = \"https://hooks.example.com/x\"\n",
    )
    .expect("written");
    assert_mode(&config, 0o600, "the config holds the webhook URL");
    outbox.close().await;

    let token_home = parent.join("token-home");
    ApiToken::load_or_create(&token_home).expect("token");
    assert_mode(
        &token_home,
        0o700,
        "a home first made by the event API is private too",
    );
    let _ = std::fs::remove_dir_all(&parent);
}

#[tokio::test]
async fn world_readable_home_is_tightened_at_start() {
    let home = temp_home("private-existing");
    // An older version's home: an open queue (so its -wal/-shm exist), everything 0644/0755.
    let older = Outbox::open_in_home(&home).await.expect("opens");
    std::fs::write(
        home.join("ringside.toml"),
        "[phone]\ndefault_region = \"GB\"\n",
    )
    .unwrap();
    std::fs::write(home.join("ringside.db.corrupt-1700000000000"), b"old calls").unwrap();
    std::fs::write(home.join("event-api.token"), "0".repeat(64)).unwrap();
    std::fs::create_dir_all(home.join("unsent")).unwrap();
    std::fs::write(home.join("unsent/stuck.json"), b"not a log, left in place").unwrap();
    std::fs::write(home.join("notes.txt"), b"not Ringside's").unwrap();
    let ours = [
        "ringside.db",
        "ringside.db-wal",
        "ringside.db-shm",
        "ringside.toml",
        "ringside.db.corrupt-1700000000000",
        "event-api.token",
        "unsent/stuck.json",
    ];
    for name in ours.iter().chain(&["notes.txt"]) {
        chmod(&home.join(name), 0o644);
    }
    chmod(&home.join("unsent"), 0o755);
    chmod(&home, 0o755);

    let outbox = Outbox::open_in_home(&home).await.expect("opens again");
    assert_mode(&home, 0o700, "the home is narrowed at start");
    assert_mode(&home.join("unsent"), 0o700, "so is the unsent folder");
    for name in ours {
        assert_mode(&home.join(name), 0o600, "narrowed at start");
    }
    assert_mode(
        &home.join("notes.txt"),
        0o644,
        "a file Ringside does not own is left alone",
    );
    outbox.close().await;
    older.close().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn moved_aside_database_is_private() {
    let dir = temp_home("private-moved");
    let db = dir.join("ringside.db");
    std::fs::write(
        &db,
        b"this is not a SQLite database, just the agent's bytes",
    )
    .unwrap();
    chmod(&db, 0o644);
    // Outbox::open (not open_in_home): the move itself must narrow the file.
    let outbox = Outbox::open(&db).await.expect("opens a fresh database");
    let moved = outbox
        .recovery()
        .expect("the unreadable file was moved aside")
        .moved_to
        .clone();
    assert_mode(&moved, 0o600, "the moved-aside file still holds calls");
    assert_mode(&db, 0o600, "the fresh database made in its place");
    outbox.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn read_only_database_stays_read_only_when_narrowed() {
    let home = temp_home("private-readonly");
    Outbox::open_in_home(&home)
        .await
        .expect("opens")
        .close()
        .await;
    let db = home.join("ringside.db");
    chmod(&db, 0o444);
    let err = Outbox::open_in_home(&home)
        .await
        .expect_err("a read-only database is still refused");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_mode(
        &db,
        0o400,
        "others lose read access; the owner gains no write access",
    );
    chmod(&db, 0o600);
    let _ = std::fs::remove_dir_all(&home);
}
