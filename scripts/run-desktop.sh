#!/usr/bin/env bash
# Builds the UI and the desktop app, then opens Ringside on the built-in demo org.
# First build: ~3–5 minutes (Tauri + WebKit bindings); later builds take seconds.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
cd "$repo/ui"
[ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
npm run build
cd "$repo"
cargo build -p ringside-desktop
exec "$CARGO_TARGET_DIR/debug/ringside-desktop" "$@"
