//! The loopback event API's two files under `RINGSIDE_HOME`: the bearer token
//! (`event-api.token`, mode 0600, created on first start) and the endpoint
//! (`event-api.json`, the port of the running intake), which is how
//! `ringside call …` finds the running app.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use crate::home_files::{ENDPOINT_FILE, TOKEN_FILE};

/// A token or endpoint file that cannot be used. Never contains the token.
#[derive(Debug, Error)]
pub enum TokenError {
    #[error("cannot create the Ringside home {path}: {source}")]
    CreateHome {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not hold a usable token; delete it and start Ringside again")]
    Unusable { path: PathBuf },
    #[error("{path} is not a Ringside endpoint file: {message}")]
    BadEndpoint { path: PathBuf, message: String },
}

/// The bearer token. `Debug` never shows it and it cannot be serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl ApiToken {
    /// The token text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is, so the
    /// token cannot be guessed byte by byte from response times.
    pub fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    fn generate() -> ApiToken {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        ApiToken(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Reads the token from `home`, creating it (0600) on first start.
    pub fn load_or_create(home: &Path) -> Result<ApiToken, TokenError> {
        crate::private_files::create_private_dir_all(home).map_err(|source| {
            TokenError::CreateHome {
                path: home.to_owned(),
                source,
            }
        })?;
        let path = home.join(TOKEN_FILE);
        match ApiToken::load(home) {
            Ok(token) => {
                restrict_permissions(&path)?;
                return Ok(token);
            }
            Err(TokenError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        let token = ApiToken::generate();
        write_private(&path, token.0.as_bytes())?;
        tracing::info!(path = %path.display(), "created the event API token");
        Ok(token)
    }

    /// Reads an existing token (the CLI's `ringside call`).
    pub fn load(home: &Path) -> Result<ApiToken, TokenError> {
        let path = home.join(TOKEN_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| TokenError::Read {
            path: path.clone(),
            source,
        })?;
        let token = text.trim();
        if token.len() < 32 || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(TokenError::Unusable { path });
        }
        Ok(ApiToken(token.to_owned()))
    }
}

/// Where the running intake listens, and which run wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub port: u16,
    /// Random per run of an intake: it removes the file at stop only while the file is still
    /// its own (a port alone may be reused by a later run). Empty in files of older versions.
    #[serde(default)]
    pub instance: String,
    /// The process that wrote it, for the "already listening" message.
    #[serde(default)]
    pub pid: u32,
}

impl Endpoint {
    /// This process's endpoint on `port`, with a fresh instance id.
    pub fn new_run(port: u16) -> Endpoint {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Endpoint {
            port,
            instance: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            pid: std::process::id(),
        }
    }

    /// Writes `event-api.json` (0600, through a temporary file and a rename, so a reader
    /// never sees half a file).
    pub fn write(&self, home: &Path) -> Result<(), TokenError> {
        let path = home.join(ENDPOINT_FILE);
        let text = serde_json::to_string(self).map_err(|err| TokenError::BadEndpoint {
            path: path.clone(),
            message: err.to_string(),
        })?;
        write_private(&path, text.as_bytes())
    }

    /// Reads `event-api.json`; `Ok(None)` when no intake has written one.
    pub fn read(home: &Path) -> Result<Option<Endpoint>, TokenError> {
        let path = home.join(ENDPOINT_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|err| TokenError::BadEndpoint {
                        path,
                        message: err.to_string(),
                    })
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(TokenError::Read { path, source }),
        }
    }

    /// Removes the endpoint file if it is still the one this run wrote (same instance id):
    /// another intake may have taken it over since, and its file must stay.
    pub fn remove_if_ours(&self, home: &Path) {
        if matches!(Endpoint::read(home), Ok(Some(e)) if e.instance == self.instance) {
            let _ = std::fs::remove_file(home.join(ENDPOINT_FILE));
        }
    }
}

/// Writes a file only its owner can read, replacing any old one atomically (a failed
/// write, e.g. on a full disk, leaves no temp file behind).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TokenError> {
    crate::private_files::write_private_atomically(path, bytes).map_err(|source| {
        TokenError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

/// A token file readable by others is tightened rather than trusted as is.
fn restrict_permissions(path: &Path) -> Result<(), TokenError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|source| TokenError::Read {
            path: path.to_owned(),
            source,
        })?;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the event API token was readable by others; restricting it to 0600");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
                |source| TokenError::Write {
                    path: path.to_owned(),
                    source,
                },
            )?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_home(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ringside-token-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn token_is_created_once_private_and_never_printed() {
        let home = temp_home("create");
        let first = ApiToken::load_or_create(&home).expect("created");
        let again = ApiToken::load_or_create(&home).expect("read back");
        assert_eq!(first, again, "the same token on every start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(home.join(TOKEN_FILE))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the token");
        }
        assert!(
            !format!("{first:?}").contains(first.expose()),
            "Debug redacts the token"
        );
        assert!(
            first.matches(first.expose()) && !first.matches("nope"),
            "comparison works"
        );
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn loose_permissions_are_tightened() {
        let home = temp_home("loose");
        ApiToken::load_or_create(&home).expect("created");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = home.join(TOKEN_FILE);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            ApiToken::load_or_create(&home).expect("still usable");
            let mode = std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "tightened on start");
        }
        std::fs::write(home.join(TOKEN_FILE), "short").expect("overwrite");
        let err = ApiToken::load(&home).expect_err("a truncated token is refused");
        assert!(
            !err.to_string().contains("short"),
            "the error never shows file content: {err}"
        );
        let _ = std::fs::remove_dir_all(&home);
    }
}
