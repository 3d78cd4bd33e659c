#!/usr/bin/env bash
# Runs each desktop test file given in its own D-Bus session, as shared/TAURI-ON-THIS-MACHINE.md
# advises: the app is single-instance (a second launch hands its link to the running copy and
# exits), so an app a suite leaves behind on a shared bus would swallow the next suite's app and
# its WebDriver session would wait forever. Each session also gets a private Secret Service
# (gnome-keyring, a fresh keyrings dir unlocked with a throwaway password, so no unlock prompt
# can wait) for the sign-in test's tokens. Exits non-zero if any file fails. Prints
# "==> node suite: FILE" before each file's report, so scripts/tally.sh can name what it skipped.
#
# Each suite also gets its own XDG_RUNTIME_DIR. gnome-keyring-daemon keeps its control socket
# there, and `--unlock` hands the password to a daemon it finds on that socket instead of
# starting one. With one shared runtime dir, the previous suite's daemon, still exiting after its
# bus went away, was found, unlocked and then died: the next suite's bus had no Secret Service,
# and a sign-in failed with "Message recipient disconnected from message bus" (seen once in CI).
# The suite's daemon is also stopped before the next suite starts, and the suite waits until the
# daemon owns org.freedesktop.secrets, so no call can race D-Bus activation of a second, locked
# daemon.
set -uo pipefail
status=0
runtime_root="${XDG_RUNTIME_DIR:?run.sh sets XDG_RUNTIME_DIR}"
for file in "$@"; do
  suite_runtime="$(mktemp -d "$runtime_root/suite.XXXXXX")"
  chmod 700 "$suite_runtime"
  XDG_RUNTIME_DIR="$suite_runtime" dbus-run-session -- bash -c '
    set -uo pipefail
    secrets_owner_pid() {
      dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
        awk "{print \$2}"
    }
    keyring_pid=""
    rm -rf "${XDG_DATA_HOME:?}/keyrings"
    echo -n ringside-desktop-test | timeout 20 gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 1 100); do
      keyring_pid="$(secrets_owner_pid)"
      [ -n "$keyring_pid" ] && break
      sleep 0.1
    done
    if [ -z "$keyring_pid" ]; then
      echo "desktop tests: gnome-keyring-daemon did not take org.freedesktop.secrets on the session bus within 10 s" >&2
      exit 1
    fi
    echo "==> node suite: ${1#"$PWD/"}"
    node --test --test-concurrency=1 "$1"
    result=$?
    if [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$keyring_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    exit "$result"' suite "$file" || status=1
done
exit "$status"
