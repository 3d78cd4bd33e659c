//! Who may read Ringside's home. The home holds call notes and numbers (`ringside.db`, its
//! `-wal`/`-shm`, databases moved aside, `unsent/*.json`), the event-API token and the admin
//! config (whose dead-letter webhook URL is a secret), so on unix the home is `0700` and
//! every file Ringside keeps in it is `0600`: created so, and tightened at start
//! ([`secure_home`]) when an older version or another tool left them readable by others.
//! Elsewhere these functions create and open files normally.
//!
//! It also owns writing those files whole ([`write_private_atomically`]: a temp file beside
//! the target, renamed over it, removed again on any failure) and naming what stopped a
//! write ([`StorageProblem`]: a read-only file system, no write permission, a full disk), so
//! every caller says it in the same words.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::home_files::{
    CONFIG_FILE, DATABASE_FILE, ENDPOINT_FILE, ORGS_FILE, TOKEN_FILE, UNSENT_DIR,
};

/// The home and its private directories.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Every file Ringside creates in its home.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates `home` `0700` if it is missing, else narrows it to `0700`; then narrows every
/// file Ringside keeps there to `0600` (config, database and its `-wal`/`-shm`, databases
/// moved aside, kept unsent logs, the event-API token and endpoint, the org registry).
/// Called where the CLI and the desktop open the home (see
/// [`crate::outbox::Outbox::open_in_home`]).
pub fn secure_home(home: &Path) -> io::Result<()> {
    create_private_dir_all(home)?;
    restrict_dir(home)?;
    let unsent = home.join(UNSENT_DIR);
    if unsent.is_dir() {
        restrict_dir(&unsent)?;
        for entry in std::fs::read_dir(&unsent)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                restrict_file(&entry.path())?;
            }
        }
    }
    let database = DATABASE_FILE.to_owned();
    for entry in std::fs::read_dir(home)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(&database)
            || [CONFIG_FILE, TOKEN_FILE, ENDPOINT_FILE, ORGS_FILE].contains(&name.as_ref());
        if ours && entry.file_type()?.is_file() {
            restrict_file(&entry.path())?;
        }
    }
    Ok(())
}

/// `create_dir_all`, each directory it creates `0700`; existing ones are left as they are
/// (the parent of a database path given by hand may be anyone's).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)
}

/// Options that create a new file `0600` (write, create, truncate).
pub fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}

/// The suffix of the temp files [`write_private_atomically`] writes beside their target.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// A temp file older than this is a leftover of a crash, not a write in progress (a write is
/// a few KiB and one fsync).
pub const STALE_PARTIAL_AGE: Duration = Duration::from_secs(60);

/// Writes `bytes` to `path` (`0600`) so a reader sees the old file or the new one, never
/// half of either: `.<name>.<pid>.partial` beside it, fsync'd, renamed over, and the
/// directory fsync'd so the rename survives a crash too. If any step fails (a full disk, a
/// read-only file system, anything) the temp file is removed, so a failed write leaves
/// nothing behind, and the error is the one that stopped it. The directory must exist.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_private_atomically`] with the write step given (tests inject a failing one).
fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let temp = partial_path(path);
    let result = (|| {
        let mut file = private_file_options().open(&temp)?;
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = &result {
        // The temp file may or may not exist (the open itself may have failed).
        match std::fs::remove_file(&temp) {
            Ok(()) => {}
            Err(gone) if gone.kind() == io::ErrorKind::NotFound => {}
            Err(left) => {
                tracing::warn!(file = %temp.display(), error = %left, write_error = %e, "could not remove the temp file of a failed write")
            }
        }
        return result;
    }
    if let Some(dir) = path.parent()
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per write, so two writers of one file (two intakes in one process) never
    // share a temp file.
    path.with_file_name(format!(
        ".{name}.{}-{:08x}{PARTIAL_SUFFIX}",
        std::process::id(),
        rand::random::<u32>()
    ))
}

/// Removes the temp files of writes a crash interrupted (`.*.partial`, older than
/// [`STALE_PARTIAL_AGE`]) in `dir`, except those `keep` returns true for (the caller reads
/// those back first). Returns how many were removed. Best effort: a folder that cannot be
/// read or written is left as it is.
pub fn remove_stale_partials(dir: &Path, mut keep: impl FnMut(&Path) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !is_stale_partial(&entry) || keep(&path) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(file = %path.display(), "removed the temp file of an interrupted write");
                removed += 1;
            }
            Err(e) => {
                tracing::debug!(file = %path.display(), error = %e, "could not remove a stale temp file")
            }
        }
    }
    removed
}

/// Whether `entry` is a `.*.partial` temp file no write is still filling.
pub fn is_stale_partial(entry: &std::fs::DirEntry) -> bool {
    let name = entry.file_name();
    let name = name.to_string_lossy();
    if !(name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX)) {
        return false;
    }
    entry
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age >= STALE_PARTIAL_AGE)
}

/// What stopped Ringside writing where it keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageProblem {
    /// The file system is mounted read-only (EROFS).
    ReadOnlyFileSystem,
    /// This user may not write there (EACCES, EPERM).
    NoWritePermission,
    /// The disk, or this user's quota on it, is full (ENOSPC, EDQUOT).
    DiskFull,
}

impl StorageProblem {
    /// The problem an I/O error names, if it is one of these.
    pub fn of(e: &io::Error) -> Option<StorageProblem> {
        match e.kind() {
            io::ErrorKind::ReadOnlyFilesystem => Some(StorageProblem::ReadOnlyFileSystem),
            io::ErrorKind::PermissionDenied => Some(StorageProblem::NoWritePermission),
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                Some(StorageProblem::DiskFull)
            }
            _ => None,
        }
    }

    /// Tries to create (and then removes) a small file in `dir`: the one reliable way to
    /// know whether it can be written (a mode bit does not stop root; a read-only mount
    /// or a full disk shows only when writing). Used after SQLite could not open or write
    /// the database, to say why in words. `None`: `dir` can be written.
    pub fn probe(dir: &Path) -> Option<StorageProblem> {
        let probe = dir.join(format!(".ringside-write-check.{}", std::process::id()));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
        let _ = std::fs::remove_file(&probe);
        match written {
            Ok(()) => None,
            Err(e) => StorageProblem::of(&e),
        }
    }
}

/// Takes group and other access off `path` (a `0644` file becomes `0600`; a read-only
/// `0444` one stays read-only, `0400`, so the queue still refuses it); a missing file is fine.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    restrict(path)
}

fn restrict_dir(path: &Path) -> io::Result<()> {
    restrict(path)
}

fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::info!(path = %path.display(), "readable by others; restricting to its owner");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ringside-private-files-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("listed")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_no_temp_file_and_keeps_the_old_file() {
        let dir = temp_dir("failed-write");
        let target = dir.join("kept.json");
        std::fs::write(&target, b"old").expect("old file");
        for (kind, errno) in [
            (io::ErrorKind::StorageFull, 28),
            (io::ErrorKind::QuotaExceeded, 122),
            (io::ErrorKind::ReadOnlyFilesystem, 30),
        ] {
            let err = write_atomically_with(&target, |file| {
                // Half the bytes land, then the disk refuses the rest, as a full disk does.
                file.write_all(b"{\"half")?;
                Err(io::Error::from_raw_os_error(errno))
            })
            .expect_err("the injected failure is reported");
            assert_eq!(err.kind(), kind, "the error that stopped the write is kept");
            assert_eq!(
                names(&dir),
                ["kept.json"],
                "no .partial file is left behind after {kind:?}"
            );
            assert_eq!(
                std::fs::read(&target).expect("old file"),
                b"old",
                "a failed write leaves the old file whole"
            );
        }
        write_private_atomically(&target, b"new").expect("a working write");
        assert_eq!(std::fs::read(&target).expect("new file"), b"new");
        assert_eq!(names(&dir), ["kept.json"], "nothing else is left either");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn storage_problems_are_named_from_io_errors() {
        let of = |errno| StorageProblem::of(&io::Error::from_raw_os_error(errno));
        #[cfg(target_os = "linux")]
        {
            assert_eq!(of(30), Some(StorageProblem::ReadOnlyFileSystem), "EROFS");
            assert_eq!(of(28), Some(StorageProblem::DiskFull), "ENOSPC");
            assert_eq!(of(122), Some(StorageProblem::DiskFull), "EDQUOT");
            assert_eq!(of(13), Some(StorageProblem::NoWritePermission), "EACCES");
            assert_eq!(of(5), None, "EIO is none of these");
        }
        let _ = of;
        assert_eq!(
            StorageProblem::probe(&temp_dir("probe")),
            None,
            "a writable dir"
        );
    }

    #[test]
    fn only_stale_partials_are_removed() {
        let dir = temp_dir("stale");
        let old = dir.join(".a.json.partial");
        let fresh = dir.join(".b.json.1.partial");
        let kept = dir.join(".c.json.partial");
        for file in [&old, &fresh, &kept] {
            std::fs::write(file, b"").expect("written");
        }
        std::fs::write(dir.join("d.json"), b"{}").expect("written");
        let long_ago = std::time::SystemTime::now() - STALE_PARTIAL_AGE * 2;
        for file in [&old, &kept] {
            File::options()
                .write(true)
                .open(file)
                .and_then(|f| f.set_modified(long_ago))
                .expect("aged");
        }
        let removed = remove_stale_partials(&dir, |p| p == kept);
        assert_eq!(removed, 1, "only the old one nobody keeps");
        assert_eq!(
            names(&dir),
            [".b.json.1.partial", ".c.json.partial", "d.json"],
            "a write in progress and a file the caller reads back stay"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
