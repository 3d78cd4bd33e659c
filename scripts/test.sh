#!/usr/bin/env bash
# Every test Ringside has, in the order that fails fastest. Run through
# `make test` (which installs dependencies first). Prints a final
# "N passed, N failed" line summing every runner.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "UI: type check and build (the desktop app embeds ui/dist)"
(cd ui && npm run --silent build)

step "Rust: formatting"
cargo fmt --all -- --check

step "Rust: clippy on every crate, the desktop shell included"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Generated TypeScript bindings are current"
bash ui/scripts/check-bindings.sh

step "Rust: unit and integration tests (CLI and client against the demo org over HTTP)"
# The sign-in tests that need a real keyring run in their own step below, inside a private
# Secret Service; skipping them here keeps them from being counted twice.
cargo test --workspace -- --skip org_login::keyring_ 2>&1 | tee "$log_dir/cargo.log"

step "Sign-in against a real keyring (private D-Bus session + unlocked gnome-keyring)"
bash tests/keyring/run.sh 2>&1 | tee "$log_dir/keyring.log"

step "UI in Chromium (IPC mocked)"
bash tests/browser/run.sh 2>&1 | tee "$log_dir/browser.log"

step "Desktop app in a real window under Xvfb (tauri-driver + WebKitWebDriver)"
bash tests/desktop/run.sh 2>&1 | tee "$log_dir/desktop.log"

step "Packages: the release .deb built, installed with apt-get, run (CLI and app in a real window), removed"
bash tests/package/run.sh 2>&1 | tee "$log_dir/package.log"

# One closing line across all runners: cargo's "test result:" lines and
# node's "# pass N" / "# fail N" summaries.
passed=0
failed=0
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(grep -hE '^test result:' "$log_dir/cargo.log" "$log_dir/keyring.log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/')
for log in "$log_dir/browser.log" "$log_dir/desktop.log" "$log_dir/package.log"; do
  p=$(grep -hE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  f=$(grep -hE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
done
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
