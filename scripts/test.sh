#!/usr/bin/env bash
# Every test Ringside has, in the order that fails fastest. Run through
# `make test` (which installs dependencies first). Prints a final
# "N passed, N failed, N skipped" line summing every runner (scripts/tally.sh), after the
# list of what was skipped and where.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "The tools the tests drive are installed (scripts/install-deps.sh installs them)"
# A missing tool fails the run here, naming its apt package: a test that needs it must never
# pass, or be quietly skipped, because the tool was not there.
missing=()
for pair in baresip:baresip sipp:sip-tester sqlite3:sqlite3 secret-tool:libsecret-tools \
  gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus xvfb-run:xvfb xauth:xauth \
  WebKitWebDriver:webkit2gtk-driver xdotool:xdotool chromium:chromium \
  desktop-file-validate:desktop-file-utils xdg-mime:xdg-utils; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing tools: apt-get install ${missing[*]} (or run scripts/install-deps.sh)" >&2
  exit 1
fi

step "The closing tally counts honestly (scripts/tally.sh on fixed logs)"
bash tests/tally/run.sh

step "UI: type check and build (the desktop app embeds ui/dist)"
(cd ui && npm run --silent build)

step "Rust: formatting"
cargo fmt --all -- --check

step "Rust: clippy on every crate, the desktop shell included"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Generated TypeScript bindings are current"
bash ui/scripts/check-bindings.sh

step "Rust: unit and integration tests (CLI and client against the demo org over HTTP)"
# The ts-rs export_bindings_* "tests" write ui/src/bindings; they are no checks of their own (the
# bindings step above runs them and diffs the result), so they are left out of the count here.
# Tests that need a tool, root or a keyring are #[ignore]d: here they are reported as ignored,
# and the steps below run them with --ignored (scripts/tally.sh counts each test once).
cargo test --workspace -- --skip export_bindings 2>&1 | tee "$log_dir/cargo.log"

step "Rust: the tests that need baresip and SIPp, or root to mount a tmpfs (run with --ignored)"
# Root is needed to mount the small file systems of the full-disk and read-only-home tests.
# Without it they are left out, said here, and named as skipped in the closing tally (a skip,
# never a pass).
not_root=()
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: the full-disk and read-only-home tests (tmpfs mounts) are skipped"
  not_root=(--skip on_a_read_only_home --skip on_a_full_disk --skip disk_full_while --skip a_read_only_home_takes_neither)
fi
# Doc-tests are left out: an `ignore` code block in the docs is text, not a test.
cargo test --workspace --lib --bins --tests -- --ignored --skip keyring_ "${not_root[@]}" 2>&1 \
  | tee "$log_dir/ignored.log"

step "Sign-in against a real keyring (private D-Bus session + unlocked gnome-keyring)"
bash tests/keyring/run.sh 2>&1 | tee "$log_dir/keyring.log"

step "UI in Chromium (IPC mocked)"
bash tests/browser/run.sh 2>&1 | tee "$log_dir/browser.log"

step "Desktop app in a real window under Xvfb (tauri-driver + WebKitWebDriver)"
bash tests/desktop/run.sh 2>&1 | tee "$log_dir/desktop.log"

step "Packages: the release .deb built, installed with apt-get, run (CLI and app in a real window), removed"
bash tests/package/run.sh 2>&1 | tee "$log_dir/package.log"

# One closing line across all runners: cargo's "test result:" lines, node's "# pass" / "# fail" /
# "# cancelled" / "# skipped" / "# todo" summaries, and the list of what was skipped.
echo
bash scripts/tally.sh cargo="$log_dir/cargo.log" ignored="$log_dir/ignored.log" \
  keyring="$log_dir/keyring.log" browser="$log_dir/browser.log" desktop="$log_dir/desktop.log" \
  package="$log_dir/package.log"
