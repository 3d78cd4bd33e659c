#!/usr/bin/env bash
# Regenerates the TypeScript bindings (ui/src/bindings) from the Rust types with ts-rs and fails
# if they differ from what is committed: the UI's types must never drift from the backend's.
# Output dir: TS_RS_EXPORT_DIR in .cargo/config.toml.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
bindings=ui/src/bindings
# Start from an empty dir so a type that was removed or renamed in Rust shows up as a diff too.
# ipc-contract.ts is not a ts-rs file: src-tauri/build.rs writes it from src-tauri/ipc/contract.rs
# (the command names, event names and payloads) when the desktop crate builds, just below.
find "$bindings" -maxdepth 1 -name '*.ts' ! -name ipc-contract.ts -delete
cargo test -p ringside-core --features ts --lib --quiet export_bindings
cargo test -p ringside-desktop --lib --quiet export_bindings
# The contract against the code and the generated files (capabilities/*.json, ipc-contract.ts).
cargo test -p ringside-desktop --test ipc_contract --quiet
if ! git diff --exit-code -- "$bindings" || [ -n "$(git ls-files --others --exclude-standard -- "$bindings")" ]; then
  echo "check-bindings: ui/src/bindings is out of date with the Rust types." >&2
  echo "Run ui/scripts/check-bindings.sh, then commit the regenerated files." >&2
  exit 1
fi
# IPC field names are snake_case (issue 16): a field name with a lowercase letter followed by an
# uppercase one (`instanceUrl`, `LastModifiedDate`) fails here, so a new type cannot bring a
# `#[serde(rename_all = "camelCase")]` back. Checked on the generated files, which are what the
# UI and the events see. Allowed, as `Type.field`, only names Salesforce gives (API field names
# a type carries as they are, e.g. a record's `LastModifiedDate`); none is carried as a struct
# field today (records' fields travel as maps, whose keys are not field names here).
# ipc-contract.ts is left out: its `Commands` map holds command ARGUMENT names, which Tauri reads
# in camelCase (`call_id` → `callId`) and src-tauri/tests/ipc_contract.rs holds to the Rust fns;
# the payload types it names are the ts-rs files checked here.
allowed_camel_fields=""
camel="$(perl -0ne '
  my ($type) = $ARGV =~ m{([^/]+)\.ts$};
  s{/\*.*?\*/}{}gs; s{//[^\n]*}{}g;   # comments (ts-rs puts the doc comments in)
  while (/(?:^|[{,\s])"?([A-Za-z_][A-Za-z0-9_]*)"?\??\s*:/g) {
    my $field = $1;
    print "$type.$field\n" if $field =~ /[a-z][A-Z]/;
  }' $(ls "$bindings"/*.ts | grep -v '/ipc-contract\.ts$') | sort -u)"
for allowed in $allowed_camel_fields; do camel="$(grep -vxF "$allowed" <<<"$camel" || true)"; done
if [ -n "$camel" ]; then
  echo "check-bindings: these IPC fields are camelCase; IPC fields are snake_case (drop the serde rename_all):" >&2
  echo "$camel" >&2
  exit 1
fi
echo "check-bindings: ui/src/bindings matches the Rust types."
