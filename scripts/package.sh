#!/usr/bin/env bash
# `make package`: release .deb and .rpm packages of the desktop app with the `ringside` CLI at
# /usr/bin/ringside, built by the Tauri bundler (@tauri-apps/cli from ui/node_modules, pinned
# with the Tauri crates). Output: target/release/bundle/{deb,rpm}/.
# No AppImage: its bundler downloads linuxdeploy and AppRun at build time, which a machine
# without internet access (this project's build machines) cannot do.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

started=$(date +%s)
(cd ui && npm run build)
# The CLI first: the bundler copies target/release/ringside into both packages.
cargo build --release --locked -p ringside-cli
(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm -- --locked)
# Debian's and Fedora's file-name convention (lower-case package name), as the README's
# `apt-get install ./target/release/bundle/deb/ringside_*.deb` expects.
bundle="$CARGO_TARGET_DIR/release/bundle"
for built in "$bundle"/deb/Ringside_*.deb; do mv -f "$built" "$bundle/deb/ringside_${built##*/Ringside_}"; done
for built in "$bundle"/rpm/Ringside-*.rpm; do mv -f "$built" "$bundle/rpm/ringside-${built##*/Ringside-}"; done
echo "==> packages (built in $(( $(date +%s) - started )) s):"
ls -l "$bundle"/deb/ringside_*.deb "$bundle"/rpm/ringside-*.rpm
