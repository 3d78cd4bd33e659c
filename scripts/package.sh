#!/usr/bin/env bash
# `make package`: release .deb and .rpm packages of the desktop app with the `ringside` CLI at
# /usr/bin/ringside, built by the Tauri bundler (@tauri-apps/cli from ui/node_modules, pinned
# with the Tauri crates). Output: target/release/bundle/{deb,rpm}/.
# Signed updates: with the organisation's private key in TAURI_SIGNING_PRIVATE_KEY (its password
# in TAURI_SIGNING_PRIVATE_KEY_PASSWORD, its public key in RINGSIDE_UPDATE_PUBKEY), the bundler
# also writes a minisign `.sig` beside each package (bound to the app's version) for
# latest.json. Without it: no `.sig`.
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
overrides=()
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  # The bundler signs only with an updater section holding the matching public key (the .pub
  # file's contents, in RINGSIDE_UPDATE_PUBKEY). What the app trusts at run time is the admin's
  # `[update]` in ringside.toml, set at start (src-tauri/src/updates.rs); without one the updater
  # does not even start, so the key built in here is never used on its own.
  [ -n "${RINGSIDE_UPDATE_PUBKEY:-}" ] ||
    { echo "signing needs the public key too: RINGSIDE_UPDATE_PUBKEY=\"\$(cat your-key.pub)\"" >&2; exit 2; }
  [[ "$RINGSIDE_UPDATE_PUBKEY" =~ ^[A-Za-z0-9+/=]+$ ]] ||
    { echo "RINGSIDE_UPDATE_PUBKEY must be the .pub file's contents (one base64 line)" >&2; exit 2; }
  overrides+=(--config "{\"bundle\":{\"createUpdaterArtifacts\":true},\"plugins\":{\"updater\":{\"pubkey\":\"$RINGSIDE_UPDATE_PUBKEY\",\"endpoints\":[]}}}")
fi
# RINGSIDE_PACKAGE_VERSION: the app's and the packages' version instead of the workspace's
# (tests/package builds a "newer version" this way to update an installed copy to it).
if [ -n "${RINGSIDE_PACKAGE_VERSION:-}" ]; then
  [[ "$RINGSIDE_PACKAGE_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    { echo "RINGSIDE_PACKAGE_VERSION must look like 1.2.3, not '$RINGSIDE_PACKAGE_VERSION'" >&2; exit 2; }
  overrides+=(--config "{\"version\":\"$RINGSIDE_PACKAGE_VERSION\"}")
fi
(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm "${overrides[@]}" -- --locked)
# Debian's and Fedora's file-name convention (lower-case package name), as the README's
# `apt-get install ./target/release/bundle/deb/ringside_*.deb` expects.
bundle="$CARGO_TARGET_DIR/release/bundle"
# The signatures cover the bytes, not the name, so they follow their package.
rm -f "$bundle"/deb/ringside_*.deb.sig "$bundle"/rpm/ringside-*.rpm.sig
for built in "$bundle"/deb/Ringside_*.deb "$bundle"/deb/Ringside_*.deb.sig; do
  if [ -e "$built" ]; then mv -f "$built" "$bundle/deb/ringside_${built##*/Ringside_}"; fi
done
for built in "$bundle"/rpm/Ringside-*.rpm "$bundle"/rpm/Ringside-*.rpm.sig; do
  if [ -e "$built" ]; then mv -f "$built" "$bundle/rpm/ringside-${built##*/Ringside-}"; fi
done
echo "==> packages (built in $(( $(date +%s) - started )) s):"
ls -l "$bundle"/deb/ringside_*.deb "$bundle"/rpm/ringside-*.rpm
ls -l "$bundle"/deb/ringside_*.deb.sig "$bundle"/rpm/ringside-*.rpm.sig 2>/dev/null || true
