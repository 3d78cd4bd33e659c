#!/usr/bin/env bash
# Opens Ringside on the built-in demo org. Without a display (a server, an SSH
# session) it shows what a caller pop finds, in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec bash scripts/run-desktop.sh
fi
echo "No display found: showing a caller pop in the terminal instead of the window."
cargo build --quiet -p ringside-cli
./target/debug/ringside lookup "(415) 555-0123"
