#!/usr/bin/env bash
# Runs each desktop test file given in its own D-Bus session, as shared/TAURI-ON-THIS-MACHINE.md
# advises: the app is single-instance (a second launch hands its link to the running copy and
# exits), so an app a suite leaves behind on a shared bus would swallow the next suite's app and
# its WebDriver session would wait forever. Each session also gets a private Secret Service
# (gnome-keyring, a fresh keyrings dir unlocked with a throwaway password, so no unlock prompt
# can wait) for the sign-in test's tokens. Exits non-zero if any file fails. Prints
# "==> node suite: FILE" before each file's report, so scripts/tally.sh can name what it skipped.
set -uo pipefail
status=0
for file in "$@"; do
  dbus-run-session -- bash -c '
    rm -rf "${XDG_DATA_HOME:?}/keyrings"
    echo -n ringside-desktop-test | timeout 20 gnome-keyring-daemon --unlock --components=secrets >/dev/null
    echo "==> node suite: ${1#"$PWD/"}"
    exec node --test --test-concurrency=1 "$1"' suite "$file" || status=1
done
exit "$status"
