#!/usr/bin/env bash
# Regenerates the TypeScript bindings (ui/src/bindings) from the Rust types with ts-rs and fails
# if they differ from what is committed: the UI's types must never drift from the backend's.
# Output dir: TS_RS_EXPORT_DIR in .cargo/config.toml.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
bindings=ui/src/bindings
# Start from an empty dir so a type that was removed or renamed in Rust shows up as a diff too.
rm -f "$bindings"/*.ts
cargo test -p ringside-core --features ts --lib --quiet export_bindings
cargo test -p ringside-desktop --lib --quiet export_bindings
if ! git diff --exit-code -- "$bindings" || [ -n "$(git ls-files --others --exclude-standard -- "$bindings")" ]; then
  echo "check-bindings: ui/src/bindings is out of date with the Rust types." >&2
  echo "Run ui/scripts/check-bindings.sh, then commit the regenerated files." >&2
  exit 1
fi
echo "check-bindings: ui/src/bindings matches the Rust types."
