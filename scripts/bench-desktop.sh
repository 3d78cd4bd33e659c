#!/usr/bin/env bash
# Desktop start-up, memory and soak benchmark (DESIGN §8, issue 16): builds the release app and
# runs scripts/bench_desktop.py under Xvfb, in its own D-Bus session (with a Secret Service for
# the tray run's signed-in org), with HOME and the XDG dirs
# in a temp dir (the app writes webview data and desktop files there). A benchmark, not a test:
# it prints start-up percentiles, PSS per process (idle, after one pop-up, after the soak) and
# the soak's growth; it fails only when the app does not start, the pop-up does not show or a
# soak call is not logged.
#   BENCH_RUNS=10 BENCH_IDLE_SECS=15 BENCH_SOAK_CALLS=2000 BENCH_SOAK_RATE=10 BENCH_SOAK_SAMPLES=4 scripts/bench-desktop.sh
#   BENCH_ORG=builtin …   the tray run logs to the app's built-in demo org instead of a served one;
#   BENCH_KEEP_LOADED_SECS=N   the pop-up's keep time in the tray run (default 10 s);
#   BENCH_COLD_POPS=N   how many new pop-ups the tray run opens and times (default 5).
#   BENCH_SKIP_BUILD=1 …   measures the release binary as it is (e.g. to compare environments).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
for tool in xvfb-run dbus-run-session xdotool gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "bench-desktop: $tool not found (apt-get install xvfb xauth dbus xdotool gnome-keyring)" >&2; exit 1; }
done
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  (cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build)
  cargo build --release -p ringside-desktop -p ringside-cli
fi

export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
sandbox="$(mktemp -d -t ringside-desktop-bench.XXXXXX)"
source "$repo/tests/sandbox.sh"
trap 'remove_sandbox_on_exit "$sandbox"' EXIT
mkdir -p "$sandbox"/{config,data,cache,state,runtime}
# The WebKitGTK floor beside the app (scripts/webkit-floor.c): skipped, with a word, when
# there is no C compiler.
if command -v cc >/dev/null && pkg-config --exists gtk+-3.0 webkit2gtk-4.1; then
  # shellcheck disable=SC2046 # pkg-config prints separate flags
  cc -O2 -o "$sandbox/webkit-floor" scripts/webkit-floor.c $(pkg-config --cflags --libs gtk+-3.0 webkit2gtk-4.1)
  export BENCH_FLOOR_APP="$sandbox/webkit-floor"
else
  echo "bench-desktop: no cc or webkit2gtk-4.1 dev files, so no WebKitGTK floor measured" >&2
fi
chmod 700 "$sandbox/runtime"
env HOME="$sandbox" XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data" \
  XDG_CACHE_HOME="$sandbox/cache" XDG_STATE_HOME="$sandbox/state" XDG_RUNTIME_DIR="$sandbox/runtime" \
  LANG=en_US.UTF-8 LANGUAGE=en RINGSIDE_APP="${RINGSIDE_APP:-$CARGO_TARGET_DIR/release/ringside-desktop}" \
  RINGSIDE_CLI="${RINGSIDE_CLI:-$CARGO_TARGET_DIR/release/ringside}" TMPDIR="$sandbox" \
  timeout --kill-after=10 3600 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- bash -c '
    # A Secret Service for the signed-in org'"'"'s tokens (unlocked with a throwaway password,
    # so no prompt waits), owning its bus name before anything asks for it.
    echo -n ringside-bench | timeout 20 gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 1 100); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets >/dev/null 2>&1 && break
      sleep 0.1
    done
    exec python3 "$1"' bench "$repo/scripts/bench_desktop.py"
