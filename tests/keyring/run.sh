#!/usr/bin/env bash
# The tests that need a real OS keyring (sign-in: `ringside org login|list|logout`,
# refresh and rotation stored in the keyring, no secret on disk or in logs). They run
# against a private Secret Service: a fresh D-Bus session bus with gnome-keyring-daemon
# unlocked by a throwaway password, HOME and XDG dirs in a temp dir, so the developer's
# own keyring is never touched. RINGSIDE_KEYRING_TESTS=required makes the tests fail
# (not skip) if the keyring does not answer.
#
# Hang to avoid (docs: TAURI-ON-THIS-MACHINE.md): a leftover locked login.keyring with
# DISPLAY set pops a prompter that waits forever. So: a fresh keyrings dir, no DISPLAY,
# and `timeout` on everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never

for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "keyring tests: $tool is missing (apt-get install dbus gnome-keyring)" >&2; exit 1; }
done

# Build with the real HOME (cargo and rustup live there), then switch HOME for the run.
timeout 900 cargo test -p ringside-cli --test cli --no-run --quiet
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"

tmp=$(mktemp -d)
source tests/sandbox.sh
trap 'remove_sandbox_on_exit "$tmp"' EXIT
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
  XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
rm -rf "$XDG_DATA_HOME/keyrings"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

timeout 600 dbus-run-session -- bash -euo pipefail -c '
  # Creates and unlocks the login keyring with a throwaway password, then daemonises.
  echo -n ringside-keyring-test | timeout 20 gnome-keyring-daemon --unlock --components=secrets >/dev/null
  RINGSIDE_KEYRING_TESTS=required timeout 300 cargo test -p ringside-cli --test cli keyring_ -- --ignored --test-threads=2
'
