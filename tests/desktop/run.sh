#!/usr/bin/env bash
# Real-window tests: builds the UI and target/debug/ringside-desktop, then drives the window
# through tauri-driver → WebKitWebDriver under Xvfb, in a fresh D-Bus session, with HOME and the
# XDG dirs in a temp dir. Exits non-zero on failure.
#   RINGSIDE_SCREENSHOT=docs/screenshot.png tests/desktop/run.sh   also saves the window picture.
#   tests/desktop/run.sh tests/desktop/queue.test.mjs …               runs only the files given.
#   RINGSIDE_APP=/usr/bin/ringside-desktop RINGSIDE_CLI=/usr/bin/ringside tests/desktop/run.sh …
#                                                    drives an installed app (tests/package/run.sh).
# Needs (apt): libwebkit2gtk-4.1-dev … (build), xvfb xauth dbus webkit2gtk-driver gnome-keyring
# libsecret-tools sqlite3 xdotool (run; baresip sip-tester for baresip.test.mjs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
TAURI_DRIVER_VERSION=2.1.0

# Each tool with its apt package: the tests call them, and a missing one must fail the run here
# rather than turn into a check that passes (or is skipped) for the wrong reason.
for pair in xvfb-run:xvfb xauth:xauth dbus-run-session:dbus WebKitWebDriver:webkit2gtk-driver \
  gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools sqlite3:sqlite3 xdotool:xdotool; do
  command -v "${pair%%:*}" >/dev/null || { echo "desktop tests: ${pair%%:*} not found (apt-get install ${pair#*:})" >&2; exit 1; }
done

# The files given (relative to the repo or absolute), or every *.test.mjs here.
files=()
for file in "$@"; do
  case "$file" in /*) files+=("$file") ;; *) files+=("$repo/$file") ;; esac
done
[ "${#files[@]}" -gt 0 ] || files=("$here"/*.test.mjs)

cd "$repo/ui"
# npm ci when node_modules is missing or older than the lockfile.
[ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
npm run build
cd "$repo"
cargo build -p ringside-desktop
# The pop-up test sends a ring with the real `ringside call` CLI.
cargo build -p ringside-cli

# Pinned: a bare `cargo install tauri-driver` picks the 3.0 alpha. (It has no --version flag.)
if ! cargo install --list | grep -q "^tauri-driver v${TAURI_DRIVER_VERSION//./\\.}:"; then
  cargo install "tauri-driver@$TAURI_DRIVER_VERSION" --locked
fi
driver="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
[ -x "$driver" ] || driver="$(command -v tauri-driver)"

# The app writes webview data and desktop files under HOME/XDG dirs: keep them in a temp dir.
# RUSTUP_HOME/CARGO_HOME first, so changing HOME does not lose the toolchain.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
sandbox="$(mktemp -d -t ringside-desktop-test.XXXXXX)"
source "$repo/tests/sandbox.sh"
trap 'remove_sandbox_on_exit "$sandbox"' EXIT
mkdir -p "$sandbox"/{config,data,cache,state,runtime,ringside}
chmod 700 "$sandbox/runtime"
screenshot="${RINGSIDE_SCREENSHOT:-}"
[ -z "$screenshot" ] || case "$screenshot" in /*) ;; *) screenshot="$repo/$screenshot" ;; esac

# timeout: WebDriver can wait forever (see shared/TAURI-ON-THIS-MACHINE.md); fail instead.
# suite-session.sh gives each test file its own D-Bus session and Secret Service.
env HOME="$sandbox" XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data" \
  XDG_CACHE_HOME="$sandbox/cache" XDG_STATE_HOME="$sandbox/state" XDG_RUNTIME_DIR="$sandbox/runtime" \
  RINGSIDE_HOME="$sandbox/ringside" RINGSIDE_CLI="${RINGSIDE_CLI:-$CARGO_TARGET_DIR/debug/ringside}" \
  LANG=en_US.UTF-8 LANGUAGE=en RINGSIDE_APP="${RINGSIDE_APP:-$CARGO_TARGET_DIR/debug/ringside-desktop}" TAURI_DRIVER="$driver" \
  RINGSIDE_SCREENSHOT="$screenshot" \
  timeout --kill-after=10 900 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  bash "$here/suite-session.sh" "${files[@]}"
