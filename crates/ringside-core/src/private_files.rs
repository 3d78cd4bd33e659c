//! Who may read Ringside's home. The home holds call notes and numbers (`ringside.db`, its
//! `-wal`/`-shm`, databases moved aside, `unsent/*.json`), the event-API token and the admin
//! config (whose dead-letter webhook URL is a secret), so on unix the home is `0700` and
//! every file Ringside keeps in it is `0600`: created so, and tightened at start
//! ([`secure_home`]) when an older version or another tool left them readable by others.
//! Elsewhere these functions create and open files normally.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use crate::config::CONFIG_FILE;
use crate::events::token::{ENDPOINT_FILE, TOKEN_FILE};
use crate::outbox::{DATABASE_FILE, UNSENT_DIR};

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
            || [
                CONFIG_FILE,
                TOKEN_FILE,
                ENDPOINT_FILE,
                crate::orgs::FILE_NAME,
            ]
            .contains(&name.as_ref());
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
