#!/usr/bin/env bash
# Installs what Ringside needs on a fresh Debian/Ubuntu machine: the system
# libraries the desktop app builds against, the tools the tests drive (Xvfb,
# D-Bus, WebKitWebDriver, Chromium, a keyring, secret-tool and sqlite3 to read what the app
# stored, baresip and SIPp), the UI's npm packages and the
# pinned tauri-driver. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libssl-dev libxdo-dev pkg-config build-essential file
  libdbus-1-dev)
TEST_PACKAGES=(xvfb xauth dbus dbus-x11 webkit2gtk-driver xdotool imagemagick gnome-keyring
  libsecret-tools keyutils xdg-utils desktop-file-utils chromium
  baresip sip-tester libglib2.0-bin sudo sqlite3)

missing=()
for package in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm not found; install Node.js 20 or newer and run this again" >&2
  exit 1
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund)
fi

# The registry's newest tauri-driver is a 3.0 alpha; the Tauri 2 app needs 2.1.0.
if ! tauri-driver --help >/dev/null 2>&1 || ! cargo install --list | grep -q '^tauri-driver v2\.1\.0'; then
  echo "==> installing tauri-driver 2.1.0"
  cargo install tauri-driver@2.1.0 --locked --quiet
fi
