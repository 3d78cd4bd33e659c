//! Where Ringside's files are: the names of the files it keeps in its home, and the path of
//! the system policy file. Only names and paths, so every module that reads, writes or
//! guards one of these files (and [`crate::private_files`], which guards them all) can name
//! it without depending on the module that owns its contents.

#[cfg(not(windows))]
use std::path::Path;
use std::path::PathBuf;

/// The config file's name inside the Ringside home (also the policy file's name).
pub const CONFIG_FILE: &str = "ringside.toml";

/// The database file's name inside the Ringside home.
pub const DATABASE_FILE: &str = "ringside.db";

/// Where logs go when the database cannot take them (read-only, full, broken): one JSON
/// file per call, imported into the queue the next time it opens.
pub const UNSENT_DIR: &str = "unsent";

/// The event API's bearer token.
pub const TOKEN_FILE: &str = "event-api.token";

/// Where the event API says it listens.
pub const ENDPOINT_FILE: &str = "event-api.json";

/// The org registry's file name inside the Ringside home.
pub const ORGS_FILE: &str = "orgs.toml";

/// Overrides where the policy file is read from (tests, other layouts).
pub const POLICY_ENV: &str = "RINGSIDE_POLICY_FILE";

/// The policy file of this machine: `$RINGSIDE_POLICY_FILE`, else the OS's system-wide place.
pub fn policy_path() -> PathBuf {
    match std::env::var_os(POLICY_ENV).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => default_policy_path(),
    }
}

#[cfg(windows)]
fn default_policy_path() -> PathBuf {
    std::env::var_os("ProgramData")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from)
        .join("Ringside")
        .join(CONFIG_FILE)
}

#[cfg(target_os = "macos")]
fn default_policy_path() -> PathBuf {
    Path::new("/Library/Application Support/Ringside").join(CONFIG_FILE)
}

#[cfg(not(any(windows, target_os = "macos")))]
fn default_policy_path() -> PathBuf {
    Path::new("/etc/ringside").join(CONFIG_FILE)
}
