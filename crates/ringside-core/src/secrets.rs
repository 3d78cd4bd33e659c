//! Where sign-in tokens live: only in the OS keyring (Secret Service on Linux, the Keychain
//! on macOS, Credential Manager on Windows), one entry per signed-in user, keyed by org id
//! and user id. There is deliberately no file fallback: when no keyring is reachable the
//! error names the missing backend and the sign-in is refused.
//!
//! One entry holds the refresh token and the latest access token together, so storing a
//! rotated pair is a single atomic write.

use std::fmt;

pub use salesforce::AccessToken;
pub use salesforce::oauth::RefreshToken;

/// The keyring service name used when `RINGSIDE_HOME` is not set.
pub const DEFAULT_NAMESPACE: &str = "ringside";

/// Which keyring entry: one per (org, user), within a namespace (one Ringside home).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    pub namespace: String,
    pub org_id: String,
    pub user_id: String,
}

impl SecretKey {
    pub fn new(namespace: &str, org_id: &str, user_id: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            org_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
        }
    }

    /// The keyring's "account" field: `{org id}:{user id}`.
    pub fn account(&self) -> String {
        format!("{}:{}", self.org_id, self.user_id)
    }
}

/// The tokens of one sign-in. `Debug` shows no token (both types redact themselves) and
/// there is no `Serialize`: the only way out is [`SecretStore::save`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTokens {
    pub refresh: RefreshToken,
    /// The latest access token, so a new process can skip a refresh while it is valid.
    pub access: Option<AccessToken>,
}

const FORMAT_TAG: &str = "ringside-tokens-v1";

impl StoredTokens {
    /// The keyring value: a tag line, the refresh token, the access token. Tokens are
    /// visible ASCII without spaces, so lines cannot be confused.
    fn encode(&self) -> String {
        format!(
            "{FORMAT_TAG}\n{}\n{}",
            self.refresh.expose_secret(),
            self.access
                .as_ref()
                .map(AccessToken::expose_secret)
                .unwrap_or_default()
        )
    }

    fn decode(text: &str) -> Option<Self> {
        let mut lines = text.split('\n');
        if lines.next()? != FORMAT_TAG {
            return None;
        }
        let refresh = RefreshToken::new(lines.next()?).ok()?;
        let access = match lines.next() {
            Some("") | None => None,
            Some(token) => Some(AccessToken::new(token).ok()?),
        };
        Some(Self { refresh, access })
    }
}

/// Why the keyring could not be used. Never carries a token.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keyring backend answered.
    #[error(
        "no OS keyring is available ({backend}: {detail}); Ringside keeps sign-ins only in the keyring, never in a file. {fix}"
    )]
    Unavailable {
        backend: &'static str,
        detail: String,
        fix: &'static str,
    },
    /// The keyring refused access (locked, or the user declined).
    #[error("the OS keyring ({backend}) refused access: {detail}; unlock it and try again")]
    Refused {
        backend: &'static str,
        detail: String,
    },
    /// The entry exists but is not one Ringside wrote.
    #[error(
        "the keyring entry for {account} is unreadable; sign out and sign in again to replace it"
    )]
    Corrupt { account: String },
}

impl SecretError {
    /// The stable code a UI branches on: `keyring_unavailable`, `keyring_refused`,
    /// `keyring_corrupt`.
    pub fn code(&self) -> crate::ipc_code::IpcCode {
        use crate::ipc_code::IpcCode;
        match self {
            SecretError::Unavailable { .. } => IpcCode::KeyringUnavailable,
            SecretError::Refused { .. } => IpcCode::KeyringRefused,
            SecretError::Corrupt { .. } => IpcCode::KeyringCorrupt,
        }
    }
}

/// A place for sign-in tokens.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// The tokens of `key`, or `None` when this user is not signed in on this device.
    fn load(&self, key: &SecretKey) -> Result<Option<StoredTokens>, SecretError>;
    /// Replaces the tokens of `key` in one write.
    fn save(&self, key: &SecretKey, tokens: &StoredTokens) -> Result<(), SecretError>;
    /// Forgets `key`; forgetting a missing entry is not an error.
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError>;
}

/// How long [`KeyringStore::open`] waits for the keyring to answer.
pub const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// How long each keyring call after the probe may take. A Secret Service that locks
/// itself while the app runs (screen lock, an unlock prompt nobody sees) would otherwise
/// hang the caller forever; this turns it into an error naming the backend.
pub const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs one keyring call on its own thread and gives up after `timeout`. The thread of a
/// call that never answers is left behind (the platform API offers no way to cancel it);
/// the caller gets [`SecretError::Unavailable`] saying which backend is stuck.
fn within<T: Send + 'static>(
    timeout: std::time::Duration,
    action: &'static str,
    call: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    let (done, outcome) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring-call".into())
        .spawn(move || {
            let _ = done.send(call());
        });
    if let Err(e) = spawned {
        return Err(SecretError::Unavailable {
            backend: BACKEND,
            detail: format!("no thread for the keyring call: {e}"),
            fix: FIX,
        });
    }
    match outcome.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(
                backend = BACKEND,
                action,
                "the keyring did not answer in time"
            );
            Err(SecretError::Unavailable {
                backend: BACKEND,
                detail: format!(
                    "it did not {action} within {} s; it may be locked and waiting for an unlock prompt",
                    timeout.as_secs()
                ),
                fix: FIX,
            })
        }
    }
}

/// The OS keyring through the `keyring` crate.
#[derive(Debug, Clone, Default)]
pub struct KeyringStore;

/// The backend this build talks to, for error messages.
pub const BACKEND: &str = if cfg!(target_os = "macos") {
    "macOS Keychain"
} else if cfg!(windows) {
    "Windows Credential Manager"
} else {
    "Secret Service (D-Bus org.freedesktop.secrets)"
};

const FIX: &str = if cfg!(any(target_os = "macos", windows)) {
    "Sign in to your desktop session and try again."
} else {
    "Start a Secret Service provider (GNOME Keyring or KWallet) in your desktop session; on a headless machine run Ringside inside `dbus-run-session` with `gnome-keyring-daemon --unlock --components=secrets` started."
};

impl KeyringStore {
    /// Checks that the keyring answers at all (reads an entry that does not exist), so a
    /// sign-in fails before the browser opens rather than after. A keyring that does not
    /// answer within [`PROBE_TIMEOUT`] (a locked collection waiting on an unlock prompt
    /// nobody sees) is reported as unavailable instead of hanging the command.
    pub fn open() -> Result<Self, SecretError> {
        let probe = SecretKey::new(DEFAULT_NAMESPACE, "probe", "probe");
        within(PROBE_TIMEOUT, "answer", move || {
            KeyringStore::load_now(&probe)
        })
        .map(|_| KeyringStore)
    }

    fn entry(key: &SecretKey) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&key.namespace, &key.account()).map_err(map_error)
    }
}

fn map_error(err: keyring::Error) -> SecretError {
    match err {
        keyring::Error::NoStorageAccess(e) => SecretError::Refused {
            backend: BACKEND,
            detail: e.to_string(),
        },
        keyring::Error::PlatformFailure(e) => SecretError::Unavailable {
            backend: BACKEND,
            detail: e.to_string(),
            fix: FIX,
        },
        other => SecretError::Unavailable {
            backend: BACKEND,
            detail: other.to_string(),
            fix: FIX,
        },
    }
}

impl KeyringStore {
    fn load_now(key: &SecretKey) -> Result<Option<StoredTokens>, SecretError> {
        match Self::entry(key)?.get_password() {
            Ok(text) => StoredTokens::decode(&text)
                .map(Some)
                .ok_or_else(|| SecretError::Corrupt {
                    account: key.account(),
                }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(_)) => Err(SecretError::Corrupt {
                account: key.account(),
            }),
            Err(e) => Err(map_error(e)),
        }
    }

    fn save_now(key: &SecretKey, tokens: &StoredTokens) -> Result<(), SecretError> {
        Self::entry(key)?
            .set_password(&tokens.encode())
            .map_err(map_error)?;
        tracing::debug!(account = %key.account(), "sign-in stored in the keyring");
        Ok(())
    }

    fn delete_now(key: &SecretKey) -> Result<(), SecretError> {
        match Self::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

impl SecretStore for KeyringStore {
    fn load(&self, key: &SecretKey) -> Result<Option<StoredTokens>, SecretError> {
        let key = key.clone();
        within(CALL_TIMEOUT, "read a sign-in", move || {
            KeyringStore::load_now(&key)
        })
    }

    fn save(&self, key: &SecretKey, tokens: &StoredTokens) -> Result<(), SecretError> {
        let (key, tokens) = (key.clone(), tokens.clone());
        within(CALL_TIMEOUT, "store a sign-in", move || {
            KeyringStore::save_now(&key, &tokens)
        })
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        let key = key.clone();
        within(CALL_TIMEOUT, "delete a sign-in", move || {
            KeyringStore::delete_now(&key)
        })
    }
}

/// The keyring namespace for a Ringside home: the default one for the user's normal home,
/// a separate one when `RINGSIDE_HOME` points elsewhere (a portable install, a test run),
/// so two homes never overwrite each other's sign-ins.
pub fn namespace_for_home(explicit_home: Option<&std::path::Path>) -> String {
    match explicit_home {
        None => DEFAULT_NAMESPACE.to_owned(),
        Some(home) => {
            let home = std::fs::canonicalize(home).unwrap_or_else(|_| home.to_path_buf());
            format!("{DEFAULT_NAMESPACE} ({})", home.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tokens_round_trip_and_never_print() {
        let tokens = StoredTokens {
            refresh: RefreshToken::new("5AepRefreshSecret").unwrap(),
            access: Some(AccessToken::new("00D!AccessSecret").unwrap()),
        };
        assert_eq!(StoredTokens::decode(&tokens.encode()), Some(tokens.clone()));
        let printed = format!("{tokens:?}");
        assert!(
            !printed.contains("Secret"),
            "Debug must not show tokens: {printed}"
        );
        let without_access = StoredTokens {
            access: None,
            ..tokens
        };
        assert_eq!(
            StoredTokens::decode(&without_access.encode()),
            Some(without_access)
        );
        assert_eq!(StoredTokens::decode("plain-token"), None, "foreign entries");
    }

    #[test]
    fn a_keyring_call_that_never_answers_times_out_naming_the_backend() {
        let started = std::time::Instant::now();
        let err = within(std::time::Duration::from_millis(50), "answer", || {
            std::thread::sleep(std::time::Duration::from_secs(5));
            Ok(())
        })
        .expect_err("a call that outlives its timeout must fail, not hang");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "the caller must get its answer at the timeout, not when the stuck call ends"
        );
        let message = err.to_string();
        assert!(
            message.contains(BACKEND) && message.contains("did not answer within"),
            "the error names the stuck backend and what it did not do: {message}"
        );
        assert_eq!(
            within(std::time::Duration::from_secs(5), "answer", || Ok(7)).unwrap(),
            7,
            "a call that answers in time passes its result through"
        );
    }

    #[test]
    fn separate_homes_get_separate_namespaces() {
        assert_eq!(namespace_for_home(None), "ringside");
        assert_ne!(
            namespace_for_home(Some(std::path::Path::new("/tmp/a"))),
            namespace_for_home(Some(std::path::Path::new("/tmp/b")))
        );
    }
}
