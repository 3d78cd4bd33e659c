#!/usr/bin/env bash
# Browser tests: builds the UI (ui/dist) and runs it in Debian's Chromium with Tauri IPC
# mocked. Needs node ≥ 20 and /usr/bin/chromium (apt: chromium). Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "browser tests: ${CHROMIUM:-/usr/bin/chromium} not found (apt-get install chromium)" >&2; exit 1; }

cd "$repo/ui"
[ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
npm run build
npm test

cd "$here"
[ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
# The outer timeout is a backstop: a wedged browser must fail the run, not hang it.
timeout 300 node --test --test-concurrency=1 ui.test.mjs popup.test.mjs popup-create.test.mjs popup-open.test.mjs record-edit.test.mjs admin.test.mjs settings.test.mjs history.test.mjs call-log.test.mjs call-log-actions.test.mjs queue.test.mjs usage.test.mjs
