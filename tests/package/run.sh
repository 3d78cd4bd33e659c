#!/usr/bin/env bash
# Tests Ringside as installed: builds the release .deb (scripts/package.sh, unless
# RINGSIDE_DEB names one), installs it with apt-get, checks what the package put where (the CLI
# at /usr/bin/ringside, the desktop entry and its scheme registration, the icons), runs the
# installed CLI and the installed app (tests/package/installed.test.mjs under Xvfb through
# WebDriver, with a `ringside call ring` and a `gio open 'ringside://…'`), starts it from its
# desktop entry (tests/package/desktop-entry.test.mjs), updates the installed
# app to a newer signed .deb through its own updater (tests/package/update.test.mjs), then
# removes the package and checks that only the user's data is left. Needs root or sudo.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

fail() { echo "package test: $*" >&2; exit 1; }

deb="${RINGSIDE_DEB:-}"
if [ -z "$deb" ]; then
  bash scripts/package.sh
  deb="$(ls "$CARGO_TARGET_DIR"/release/bundle/deb/ringside_*.deb | head -n 1)"
fi
[ -f "$deb" ] || fail "no .deb at $deb"
case "$deb" in /*) ;; *) deb="$repo/$deb" ;; esac

# The user's data: a home of its own, like an agent's, kept after the package is removed.
sandbox="$(mktemp -d -t ringside-package-test.XXXXXX)"
source "$repo/tests/sandbox.sh"
cleanup() {
  local status=$?
  # Never leave the package installed on the machine, whatever failed.
  if dpkg-query -W -f='${Status}' ringside 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq ringside >/dev/null || true
  fi
  (exit "$status")
  remove_sandbox_on_exit "$sandbox"
}
trap cleanup EXIT
mkdir -p "$sandbox"/{config,data,cache,state,runtime,ringside}
chmod 700 "$sandbox/runtime"
as_agent=(env HOME="$sandbox" XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data"
  XDG_CACHE_HOME="$sandbox/cache" XDG_STATE_HOME="$sandbox/state" XDG_RUNTIME_DIR="$sandbox/runtime"
  RINGSIDE_HOME="$sandbox/ringside")

echo "==> installing $(basename "$deb")"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$deb" >/dev/null

echo "==> what the package installed"
[ "$(command -v ringside)" = /usr/bin/ringside ] || fail "ringside is not /usr/bin/ringside: $(command -v ringside || echo missing)"
[ -x /usr/bin/ringside-desktop ] || fail "/usr/bin/ringside-desktop is missing"
entry=/usr/share/applications/Ringside.desktop
[ -f "$entry" ] || fail "$entry is missing"
desktop-file-validate "$entry" || fail "$entry is not a valid desktop entry"
grep -qx 'MimeType=x-scheme-handler/ringside;x-scheme-handler/tel;' "$entry" || fail "$entry does not register ringside: and tel:"
grep -q '^Exec=ringside-desktop %u$' "$entry" || fail "$entry does not hand the link to the app (%u)"
for size in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512; do
  [ -f "/usr/share/icons/hicolor/$size/apps/ringside-desktop.png" ] || fail "no $size icon"
done
version="$(dpkg-query -W -f='${Version}' ringside)"
expected="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[ "$version" = "$expected" ] || fail "package version $version, workspace version $expected"
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libssl3; do
  dpkg-query -W -f='${Depends}' ringside | grep -q "$lib" || fail "Depends lacks $lib"
done
# Updates install through pkexec (a password dialog) or sudo: recommended, not required.
dpkg-query -W -f='${Recommends}' ringside | grep -q 'pkexec | sudo' || fail "Recommends lacks 'pkexec | sudo' (the updater's installers)"
handler="$("${as_agent[@]}" xdg-mime query default x-scheme-handler/ringside)"
[ "$handler" = Ringside.desktop ] || fail "xdg-mime names '$handler' for x-scheme-handler/ringside, not Ringside.desktop"
echo "    /usr/bin/ringside, desktop entry, 8 icon sizes, version $version, x-scheme-handler/ringside → $handler"

echo "==> the installed CLI on the built-in demo org"
pop="$("${as_agent[@]}" ringside lookup "(415) 555-0123")"
grep -q "Jane Caller" <<<"$pop" || fail "ringside lookup did not find Jane Caller:
$pop"

echo "==> the installed app, in a real window"
RINGSIDE_APP=/usr/bin/ringside-desktop RINGSIDE_CLI=/usr/bin/ringside \
  bash tests/desktop/run.sh "$here/installed.test.mjs"

echo "==> the installed app, started from its desktop entry"
RINGSIDE_CLI=/usr/bin/ringside bash tests/desktop/run.sh "$here/desktop-entry.test.mjs"

echo "==> updating the installed app to a newer signed version"
# The same sources packaged as the next patch version and signed with a key pair made for this
# run (nothing private in the repository); the installed app's ringside.toml gets the public key.
# RINGSIDE_NEWER_DEB (with its .sig) and RINGSIDE_UPDATE_PUBKEY_FILE skip the build.
newer_deb="${RINGSIDE_NEWER_DEB:-}"
pubkey_file="${RINGSIDE_UPDATE_PUBKEY_FILE:-}"
newer="$(echo "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')"
if [ -z "$newer_deb" ]; then
  keys="$sandbox/update-signing"
  mkdir -p "$keys"
  ui/node_modules/.bin/tauri signer generate -w "$keys/update.key" --ci -p "" >/dev/null
  pubkey_file="$keys/update.key.pub"
  started=$(date +%s)
  TAURI_SIGNING_PRIVATE_KEY="$(cat "$keys/update.key")" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" \
    RINGSIDE_UPDATE_PUBKEY="$(cat "$pubkey_file")" RINGSIDE_PACKAGE_VERSION="$newer" \
    bash scripts/package.sh >/dev/null
  bundle="$CARGO_TARGET_DIR/release/bundle"
  # Out of the bundle directory: it keeps the workspace version's packages only.
  mv "$bundle/deb/ringside_${newer}_amd64.deb" "$bundle/deb/ringside_${newer}_amd64.deb.sig" "$keys/"
  rm -f "$bundle"/rpm/ringside-"${newer}"-*.rpm*
  newer_deb="$keys/ringside_${newer}_amd64.deb"
  echo "    ringside ${newer} built and signed in $(( $(date +%s) - started )) s"
fi
[ -f "$newer_deb" ] && [ -f "$newer_deb.sig" ] || fail "no signed newer package at $newer_deb"
RINGSIDE_APP=/usr/bin/ringside-desktop RINGSIDE_CLI=/usr/bin/ringside RINGSIDE_NEWER_VERSION="$newer" \
  RINGSIDE_NEWER_DEB="$newer_deb" RINGSIDE_UPDATE_PUBKEY_FILE="$pubkey_file" \
  bash tests/desktop/run.sh "$here/update.test.mjs"
[ "$(dpkg-query -W -f='${Version}' ringside)" = "$newer" ] || fail "the update did not leave ringside $newer installed"

echo "==> removing the package"
mkdir -p "$sandbox/ringside"
"${as_agent[@]}" ringside queue status >/dev/null
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq ringside >/dev/null
left="$(dpkg -L ringside 2>/dev/null | grep -v '^/\.$' | while read -r path; do [ -f "$path" ] && echo "$path"; done || true)"
[ -z "$left" ] || fail "files left after apt-get remove: $left"
for path in /usr/bin/ringside /usr/bin/ringside-desktop "$entry"; do
  [ ! -e "$path" ] || fail "$path is left after apt-get remove"
done
[ -f "$sandbox/ringside/ringside.db" ] || fail "the user's data went with the package"
echo "package test: ok (installed, ran, removed; the user's data stays)"
