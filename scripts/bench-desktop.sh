#!/usr/bin/env bash
# Desktop start-up and idle-memory benchmark (DESIGN §8): builds the release app and runs
# scripts/bench_desktop.py under Xvfb, in its own D-Bus session, with HOME and the XDG dirs in
# a temp dir (the app writes webview data and desktop files there). A benchmark, not a test:
# it prints numbers and fails only when the app does not start.
#   BENCH_RUNS=10 BENCH_IDLE_SECS=15 scripts/bench-desktop.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build)
cargo build --release -p ringside-desktop

export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
sandbox="$(mktemp -d -t ringside-desktop-bench.XXXXXX)"
source "$repo/tests/sandbox.sh"
trap 'remove_sandbox_on_exit "$sandbox"' EXIT
mkdir -p "$sandbox"/{config,data,cache,state,runtime}
chmod 700 "$sandbox/runtime"
env HOME="$sandbox" XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data" \
  XDG_CACHE_HOME="$sandbox/cache" XDG_STATE_HOME="$sandbox/state" XDG_RUNTIME_DIR="$sandbox/runtime" \
  LANG=en_US.UTF-8 LANGUAGE=en RINGSIDE_APP="$CARGO_TARGET_DIR/release/ringside-desktop" \
  TMPDIR="$sandbox" \
  timeout --kill-after=10 900 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- python3 "$repo/scripts/bench_desktop.py"
