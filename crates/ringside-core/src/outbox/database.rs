//! Opening the queue's SQLite file safely: WAL, `synchronous=FULL` (a commit is on disk
//! before enqueue returns), migrations; and refusing to damage a file it cannot trust.
//!
//! - A read-only file is refused with a clear error and left untouched; so is a data folder
//!   on a read-only file system or without write permission, said in those words (SQLite
//!   only says "unable to open database file"). [`open_read_only`] then reads it without
//!   writing anything.
//! - A file that is not a SQLite database, or fails `PRAGMA quick_check`, is moved aside to
//!   `ringside.db.corrupt-<epoch ms>` (with its `-wal`/`-shm`), never overwritten; a fresh
//!   database takes its place and the caller is told where the old one went.
//! - "Database or disk is full" surfaces as [`OutboxError::Full`].

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{OutboxError, ReadOnlyCause, now_ms};
use crate::private_files::StorageProblem;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How to open the database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Caps the file at this many pages (`PRAGMA max_page_count`): for small disks, and
    /// for tests that need a genuinely full database.
    pub max_page_count: Option<u32>,
}

/// What opening had to do besides opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Where the unreadable database was moved.
    pub moved_to: PathBuf,
    /// Why it was judged unreadable.
    pub reason: String,
    /// What was read back out of it into the new database (see [`super::salvage`]).
    pub salvaged: Option<super::SalvageReport>,
}

pub(crate) async fn open(
    path: &Path,
    options: &OpenOptions,
) -> Result<(SqlitePool, Option<Recovery>), OutboxError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_files::create_private_dir_all(dir)
            .map_err(|e| OutboxError::write_io(dir.parent().unwrap_or(dir), dir, e))?;
    }
    let mut recovery = None;
    if let Ok(meta) = std::fs::metadata(path) {
        // Checked by hand: root can write a 0444 file, and Ringside must still not.
        if meta.permissions().readonly() {
            return Err(OutboxError::ReadOnly {
                path: path.to_owned(),
                cause: ReadOnlyCause::ReadOnlyFile,
            });
        }
        if let Some(reason) = header_problem(path)? {
            recovery = Some(move_aside(path, reason)?);
        }
    }
    create_private(path);
    let opened = match connect_checked(path, options).await {
        Ok(pool) => (pool, recovery),
        Err(Unusable::Corrupt(reason)) if recovery.is_none() => {
            let moved = move_aside(path, reason)?;
            create_private(path);
            let pool = connect_checked(path, options)
                .await
                .map_err(|e| e.into_error(path))?;
            (pool, Some(moved))
        }
        Err(other) => return Err(other.into_error(path)),
    };
    // SQLite gives a new -wal/-shm the database file's mode, but ones left by an older
    // version keep theirs.
    for file in [
        path.to_owned(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
    ] {
        if let Err(e) = crate::private_files::restrict_file(&file) {
            tracing::warn!(file = %file.display(), error = %e, "could not make the queue file private");
        }
    }
    Ok(opened)
}

/// Creates a missing database file empty and `0600` before SQLite opens it: SQLite would
/// create it `0644`, and gives the `-wal`/`-shm` it creates the database file's mode. An
/// empty file is a new database to SQLite. A failure is left for SQLite to report in its
/// own terms (a read-only directory, a full disk).
fn create_private(path: &Path) {
    if !path.exists() {
        let _ = crate::private_files::private_file_options()
            .truncate(false)
            .open(path);
    }
}

enum Unusable {
    Corrupt(String),
    Other(OutboxError),
}

impl Unusable {
    fn into_error(self, path: &Path) -> OutboxError {
        match self {
            Unusable::Corrupt(reason) => OutboxError::Corrupt {
                path: path.to_owned(),
                reason,
            },
            Unusable::Other(e) => e,
        }
    }
}

async fn connect_checked(path: &Path, options: &OpenOptions) -> Result<SqlitePool, Unusable> {
    let mut connect = SqliteConnectOptions::from_str("sqlite://")
        .map_err(|e| Unusable::Other(OutboxError::database("connect options", e)))?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if let Some(pages) = options.max_page_count {
        connect = connect.pragma("max_page_count", pages.to_string());
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(connect)
        .await
        .map_err(|e| classify_open_error(path, e))?;
    let check: Result<String, sqlx::Error> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&pool)
        .await;
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => {
            pool.close().await;
            return Err(Unusable::Corrupt(format!("integrity check: {problem}")));
        }
        Err(e) => {
            pool.close().await;
            return Err(classify_open_error(path, e));
        }
    }
    if let Err(e) = MIGRATOR.run(&pool).await {
        pool.close().await;
        return Err(match e {
            sqlx::migrate::MigrateError::Execute(inner) => classify_open_error(path, inner),
            other => Unusable::Other(OutboxError::Migrate(other)),
        });
    }
    Ok(pool)
}

fn classify_open_error(path: &Path, e: sqlx::Error) -> Unusable {
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned());
    match code.as_deref() {
        // SQLITE_CORRUPT, SQLITE_NOTADB (primary codes; extended codes keep the low byte).
        Some(c) if primary(c) == Some(11) || primary(c) == Some(26) => {
            Unusable::Corrupt(e.to_string())
        }
        Some(c) if primary(c) == Some(13) => Unusable::Other(OutboxError::Full {
            path: path.to_owned(),
        }),
        Some(c) if primary(c) == Some(8) => Unusable::Other(read_only_error(path)),
        // SQLITE_CANTOPEN, SQLITE_IOERR: SQLite's words for a folder it cannot create the
        // file, its WAL or shared-memory file in (read-only), or cannot grow them in (a full
        // disk shows as IOERR_SHMSIZE). Said in words when that is why.
        Some(c) if matches!(primary(c), Some(14 | 10)) => match folder_problem(path) {
            Some(problem) => Unusable::Other(OutboxError::storage(folder(path), problem)),
            None => Unusable::Other(OutboxError::database("opening the queue database", e)),
        },
        _ => Unusable::Other(OutboxError::database("opening the queue database", e)),
    }
}

/// The folder holding the database.
fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

pub(crate) fn folder_problem(path: &Path) -> Option<StorageProblem> {
    StorageProblem::probe(folder(path))
}

/// SQLite refused a write as read-only (`SQLITE_READONLY`): why, in words. The folder is
/// probed; if it can be written, the file itself is what is read-only.
pub(crate) fn read_only_error(path: &Path) -> OutboxError {
    match folder_problem(path) {
        Some(problem) => OutboxError::storage(folder(path), problem),
        None => OutboxError::ReadOnly {
            path: path.to_owned(),
            cause: ReadOnlyCause::ReadOnlyFile,
        },
    }
}

/// Opens an existing database for reading only: nothing is created, migrated, checkpointed
/// or tightened, so it works on a read-only file system, without write permission, and on
/// a read-only file. A WAL database normally needs its `-shm` file, which a read-only
/// folder cannot get; then (and only when no `-wal` holds unmerged changes, so nothing is
/// missed) it is opened as immutable. Refused (so the caller falls back to a writing open)
/// when the file is missing, fails `PRAGMA quick_check`, or lacks a migration this version
/// has: queries written for the current schema would fail on it.
pub(crate) async fn open_read_only(path: &Path) -> Result<SqlitePool, String> {
    if !path.is_file() {
        return Err(format!("{} does not exist", path.display()));
    }
    let connect = |immutable: bool| {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(immutable)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(5));
        async move {
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            // The first query is where SQLite finds it cannot map the WAL index.
            match sqlx::query_scalar::<_, String>("PRAGMA quick_check")
                .fetch_one(&pool)
                .await
            {
                Ok(check) => Ok((pool, check)),
                Err(e) => {
                    pool.close().await;
                    Err(e)
                }
            }
        }
    };
    let wal_is_empty = std::fs::metadata(sibling(path, "-wal")).map_or(true, |m| m.len() == 0);
    let (pool, check) = match connect(false).await {
        Ok(opened) => opened,
        Err(e) if wal_is_empty => {
            tracing::debug!(error = %e, "a read-only open failed; trying it as immutable");
            connect(true).await.map_err(|e| e.to_string())?
        }
        Err(e) => return Err(e.to_string()),
    };
    if check != "ok" {
        pool.close().await;
        return Err(format!("integrity check: {check}"));
    }
    let applied: Result<Vec<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&pool)
            .await;
    let missing = match applied {
        Ok(applied) => MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .count(),
        Err(e) => {
            pool.close().await;
            return Err(format!("cannot read its migrations: {e}"));
        }
    };
    if missing > 0 {
        pool.close().await;
        return Err(format!(
            "{missing} migration(s) of this version are not applied yet"
        ));
    }
    Ok(pool)
}

pub(crate) fn primary(code: &str) -> Option<i64> {
    code.parse::<i64>().ok().map(|c| c & 0xff)
}

/// A non-empty file that does not start with SQLite's magic header is not ours to open.
fn header_problem(path: &Path) -> Result<Option<String>, OutboxError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|source| OutboxError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(OutboxError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    if read == 0 || header == *b"SQLite format 3\0" {
        Ok(None)
    } else {
        Ok(Some("the file is not a SQLite database".into()))
    }
}

fn move_aside(path: &Path, reason: String) -> Result<Recovery, OutboxError> {
    let stamp = now_ms();
    let target = sibling(path, &format!(".corrupt-{stamp}"));
    std::fs::rename(path, &target).map_err(|source| OutboxError::Io {
        path: path.to_owned(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let side = sibling(path, suffix);
        if side.exists() {
            let _ = std::fs::rename(&side, sibling(&target, suffix));
        }
    }
    // The moved-aside file still holds the agent's calls: owner-only, like the live one.
    for file in [
        target.clone(),
        sibling(&target, "-wal"),
        sibling(&target, "-shm"),
    ] {
        let _ = crate::private_files::restrict_file(&file);
    }
    tracing::warn!(from = %path.display(), to = %target.display(), %reason, "unreadable queue database moved aside");
    Ok(Recovery {
        moved_to: target,
        reason,
        salvaged: None,
    })
}

pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
