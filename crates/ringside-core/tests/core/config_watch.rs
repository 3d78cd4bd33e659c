//! The app's one current config on real files in a temp home: a change on disk reaches every
//! receiver, a broken file keeps the last good value and says what is wrong, fixing it clears
//! the problem, and the policy's locked keys still win.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ringside_core::call_log::LoggingMode;
use ringside_core::config::CONFIG_FILE;
use ringside_core::config_watch::ConfigWatch;
use ringside_core::pop::PopOpenOn;

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

/// Writes as the Admin view and editors do: a temp file renamed over the old one.
fn write(path: &Path, text: &str) {
    let temp = path.with_extension("toml.tmp");
    std::fs::write(&temp, text).expect("write temp");
    std::fs::rename(&temp, path).expect("rename over");
}

#[tokio::test]
async fn a_changed_file_reaches_every_receiver_without_asking() {
    let home = temp_home("change");
    let user = home.join(CONFIG_FILE);
    write(&user, "[pop]\nopen_on = \"answer\"\n");
    let watch = Arc::new(ConfigWatch::open(&home, &home.join("no-policy.toml")));
    assert_eq!(
        watch.current().config().pop.open_on,
        PopOpenOn::Answer,
        "the file is read at open"
    );
    let mut pop_feature = watch.subscribe();
    let mut logging_feature = watch.subscribe();
    let poller = tokio::spawn(Arc::clone(&watch).watch_files(Duration::from_millis(20)));

    write(
        &user,
        "[pop]\nopen_on = \"manual\"\n[logging]\nmode = \"call_log_only\"\n",
    );
    tokio::time::timeout(Duration::from_secs(5), pop_feature.changed())
        .await
        .expect("the poll finds the change within seconds")
        .expect("the watch is alive");
    assert_eq!(
        pop_feature.borrow_and_update().config().pop.open_on,
        PopOpenOn::Manual,
        "the pop feature sees the new open_on without a restart"
    );
    logging_feature.changed().await.expect("alive");
    let snapshot = logging_feature.borrow_and_update().clone();
    assert_eq!(
        snapshot.config().logging.mode,
        LoggingMode::CallLogOnly,
        "another feature sees the same new value"
    );
    assert!(snapshot.problem.is_none(), "a good file has no problem");
    poller.abort();
    assert!(
        !watch.reload_if_changed(),
        "nothing changed since the last load, so nothing is reloaded"
    );
}

#[test]
fn a_broken_file_keeps_the_last_good_value_and_says_what_is_wrong_until_fixed() {
    let home = temp_home("broken");
    let user = home.join(CONFIG_FILE);
    write(&user, "[pop]\nopen_on = \"answer\"\n");
    let watch = ConfigWatch::open(&home, &home.join("no-policy.toml"));
    let mut receiver = watch.subscribe();

    write(&user, "[pop]\nopen_on = \"answer\n");
    assert!(watch.reload_if_changed(), "the broken write is seen");
    assert!(
        receiver.has_changed().expect("alive"),
        "receivers hear about the problem too"
    );
    let broken = receiver.borrow_and_update().clone();
    assert_eq!(
        broken.config().pop.open_on,
        PopOpenOn::Answer,
        "the last good value stays in use, not the defaults"
    );
    let problem = broken.problem.as_deref().expect("the problem is carried");
    assert!(
        problem.contains(&user.display().to_string()),
        "the problem names the file: {problem}"
    );

    write(&user, "[pop]\nopen_on = \"ringing\"\n");
    watch.reload();
    let wrong_value = watch.current();
    let problem = wrong_value
        .problem
        .as_deref()
        .expect("a bad value is a problem");
    assert!(
        problem.contains("open_on"),
        "the problem says which key is wrong: {problem}"
    );
    assert_eq!(
        wrong_value.config().pop.open_on,
        PopOpenOn::Answer,
        "still the last good value"
    );

    write(&user, "[pop]\nopen_on = \"manual\"\n");
    assert!(watch.reload_if_changed(), "the fix is seen");
    let fixed = watch.current();
    assert!(
        fixed.problem.is_none(),
        "fixing the file clears the problem"
    );
    assert_eq!(fixed.config().pop.open_on, PopOpenOn::Manual);
}

#[test]
fn a_file_broken_from_the_start_means_the_defaults_and_the_problem() {
    let home = temp_home("broken-start");
    write(
        &home.join(CONFIG_FILE),
        "[logging]\nmode = \"call_log_only\"\nnope = 1\n",
    );
    let watch = ConfigWatch::open(&home, &home.join("no-policy.toml"));
    let snapshot = watch.current();
    assert_eq!(
        snapshot.config(),
        &ringside_core::config::Config::default(),
        "no good value yet: the defaults, not half of the broken file"
    );
    assert!(
        snapshot
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("nope")),
        "the unknown key is named: {:?}",
        snapshot.problem
    );
}

#[test]
fn the_policys_locked_keys_still_win_and_a_policy_change_is_seen() {
    let home = temp_home("policy");
    let user = home.join(CONFIG_FILE);
    let policy = home.join("policy.toml");
    write(
        &policy,
        "locked = [\"logging.mode\"]\n[logging]\nmode = \"call_log_only\"\n",
    );
    write(
        &user,
        "[logging]\nmode = \"task_and_call_log\"\n[pop]\nopen_on = \"answer\"\n",
    );
    let watch = ConfigWatch::open(&home, &policy);
    let snapshot = watch.current();
    assert_eq!(
        snapshot.config().logging.mode,
        LoggingMode::CallLogOnly,
        "the locked key keeps the policy's value"
    );
    assert_eq!(
        snapshot.loaded.refused.len(),
        1,
        "the user's value is refused"
    );
    assert_eq!(snapshot.config().pop.open_on, PopOpenOn::Answer);

    // The admin unlocks it: the next poll sees the policy file change.
    write(&policy, "[logging]\nmode = \"call_log_only\"\n");
    assert!(watch.reload_if_changed(), "a policy change is seen");
    assert_eq!(
        watch.current().config().logging.mode,
        LoggingMode::TaskAndCallLog,
        "unlocked, the user's value wins"
    );

    // A broken policy keeps the last good config and names the policy file.
    write(&policy, "locked = [\"loging.mode\"]\n");
    assert!(watch.reload_if_changed());
    let snapshot = watch.current();
    assert_eq!(snapshot.config().logging.mode, LoggingMode::TaskAndCallLog);
    assert!(
        snapshot
            .problem
            .as_deref()
            .is_some_and(|p| p.contains(&policy.display().to_string())),
        "names the policy file: {:?}",
        snapshot.problem
    );
}

#[test]
fn a_removed_file_means_the_defaults_again() {
    let home = temp_home("removed");
    let user = home.join(CONFIG_FILE);
    write(&user, "[pop]\nopen_on = \"manual\"\n");
    let watch = ConfigWatch::open(&home, &home.join("no-policy.toml"));
    std::fs::remove_file(&user).unwrap();
    assert!(watch.reload_if_changed(), "a file gone is a change");
    let snapshot = watch.current();
    assert!(
        snapshot.problem.is_none(),
        "no file is normal, not a problem"
    );
    assert_eq!(snapshot.config().pop.open_on, PopOpenOn::default());
}
