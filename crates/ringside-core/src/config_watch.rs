//! The app's one current config: `ringside.toml` read over the system policy file
//! ([`crate::config_policy`]), held as a shared snapshot that every feature reads or subscribes
//! to, reloaded when asked (after the Admin view saves) and when either file changes on disk.
//!
//! One failure behaviour, decided here: a config that cannot be read or parsed never stops
//! the app and is never silently replaced by something else. The last good value stays in
//! use (the defaults, when the first read already fails) and the snapshot carries the problem
//! in words (which file, what is wrong) for the UI to show; fixing the file clears it.
//!
//! Changes on disk are found by polling each file's modification time, length and (on Unix)
//! inode every [`POLL_EVERY`]: two `stat` calls, no new dependency, and the same on every
//! platform. An atomic save (write a temp file, rename over) changes the inode even when the
//! length and the time stay equal.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::config::{CONFIG_FILE, Config};
use crate::config_policy::LoadedConfig;

/// How often [`ConfigWatch::watch_files`] looks at the files when the app runs it.
pub const POLL_EVERY: Duration = Duration::from_millis(1500);

/// The config in use at one moment, and why it may not be what the files say.
#[derive(Debug, Clone)]
pub struct ConfigSnapshot {
    /// The effective config and where each value comes from: the last one that loaded (or
    /// the defaults, if none has yet).
    pub loaded: LoadedConfig,
    /// Why the files on disk are not in use, in words naming the file; `None` when what is in
    /// use is what the files say.
    pub problem: Option<String>,
    /// Counts the loads since the app started (a new snapshot has a higher one).
    pub generation: u64,
}

impl ConfigSnapshot {
    /// The config every feature uses.
    pub fn config(&self) -> &Config {
        &self.loaded.config
    }
}

/// What the poll compares: a file changed when its stamp did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stamp {
    Missing,
    /// `stat` failed otherwise (permissions…): the load reports it; a new error kind is a change.
    Unreadable(std::io::ErrorKind),
    Present {
        modified: Option<SystemTime>,
        len: u64,
        inode: u64,
    },
}

fn stamp(path: &Path) -> Stamp {
    match std::fs::metadata(path) {
        Ok(meta) => Stamp::Present {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode: inode(&meta),
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Stamp::Missing,
        Err(err) => Stamp::Unreadable(err.kind()),
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// The shared current config of one Ringside home (see the module docs).
#[derive(Debug)]
pub struct ConfigWatch {
    user_file: PathBuf,
    policy_file: PathBuf,
    sender: watch::Sender<Arc<ConfigSnapshot>>,
    /// The files' stamps at the last load; the lock also keeps two loads from interleaving.
    stamps: Mutex<(Stamp, Stamp)>,
}

impl ConfigWatch {
    /// Loads `home`'s `ringside.toml` over the policy file at `policy_file`. Never fails: a
    /// problem is carried in the snapshot, with the defaults in use.
    pub fn open(home: &Path, policy_file: &Path) -> ConfigWatch {
        let user_file = home.join(CONFIG_FILE);
        let defaults = LoadedConfig::from_texts(&user_file, None, policy_file, None)
            .expect("no files always load: they mean the defaults");
        let (sender, _) = watch::channel(Arc::new(ConfigSnapshot {
            loaded: defaults,
            problem: None,
            generation: 0,
        }));
        let watch = ConfigWatch {
            stamps: Mutex::new((stamp(&user_file), stamp(policy_file))),
            user_file,
            policy_file: policy_file.to_owned(),
            sender,
        };
        watch.reload();
        watch
    }

    /// The config in use now.
    pub fn current(&self) -> Arc<ConfigSnapshot> {
        self.sender.borrow().clone()
    }

    /// A receiver that sees every new snapshot (`changed()` wakes on each load).
    pub fn subscribe(&self) -> watch::Receiver<Arc<ConfigSnapshot>> {
        self.sender.subscribe()
    }

    /// The user's file this watch reads.
    pub fn user_file(&self) -> &Path {
        &self.user_file
    }

    /// The policy file this watch reads under it (it may not exist).
    pub fn policy_file(&self) -> &Path {
        &self.policy_file
    }

    /// Reads both files now and hands the result to every receiver (after the Admin view
    /// saved, so every feature sees the change at once). Returns the new snapshot.
    pub fn reload(&self) -> Arc<ConfigSnapshot> {
        let mut stamps = self.stamps.lock().unwrap_or_else(PoisonError::into_inner);
        // Stamped before reading: a write during the read shows as a change at the next poll.
        *stamps = (stamp(&self.user_file), stamp(&self.policy_file));
        let previous = self.current();
        let generation = previous.generation + 1;
        let snapshot = match LoadedConfig::load(&self.user_file, false, &self.policy_file) {
            Ok(loaded) => {
                loaded.warn_refused();
                if previous.problem.is_some() {
                    tracing::info!("the config files load again; their settings are in use");
                }
                ConfigSnapshot {
                    loaded,
                    problem: None,
                    generation,
                }
            }
            Err(err) => {
                let problem = err.to_string();
                if previous.problem.as_deref() != Some(problem.as_str()) {
                    tracing::warn!(
                        "{problem}; Ringside keeps using the last settings that loaded until it is fixed"
                    );
                }
                ConfigSnapshot {
                    loaded: previous.loaded.clone(),
                    problem: Some(problem),
                    generation,
                }
            }
        };
        let snapshot = Arc::new(snapshot);
        self.sender.send_replace(Arc::clone(&snapshot));
        snapshot
    }

    /// Reloads when either file changed since the last load (or appeared, or went away);
    /// says whether it did.
    pub fn reload_if_changed(&self) -> bool {
        let now = (stamp(&self.user_file), stamp(&self.policy_file));
        let changed = *self.stamps.lock().unwrap_or_else(PoisonError::into_inner) != now;
        if changed {
            tracing::info!("a config file changed on disk; reloading it");
            self.reload();
        }
        changed
    }

    /// Looks at the files every `every` and reloads on a change; runs until dropped (the app
    /// spawns it once).
    pub async fn watch_files(self: Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.reload_if_changed();
        }
    }
}
