#!/usr/bin/env bash
# The closing line of scripts/test.sh: "N passed, N failed, N skipped" across every runner's log,
# and which suite skipped what. Usage: scripts/tally.sh LABEL=LOG ...  Exits 1 when anything failed.
#
# What it reads:
# - cargo: "test result:" lines give passed and failed; each "test NAME ... ignored" line is a
#   test that did not run there. Tests that need a tool, root or a keyring are #[ignore]d and run
#   in a later step with --ignored, so an ignored test counts as skipped only if no log shows it
#   run (same test binary, same name): a test is never counted twice, and a test no step ran is
#   never hidden.
# - node (TAP): "# pass", "# fail" and "# cancelled" (a cancelled test did not pass: failed),
#   "# skipped" and "# todo" (skipped); "ok N - name # SKIP|TODO reason" lines name them.
#   A "==> node suite: FILE" line (tests/desktop/suite-session.sh prints one) names the file.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/tally.sh LABEL=LOG ..." >&2; exit 2; }

args=()
for pair in "$@"; do
  label=${pair%%=*}
  log=${pair#*=}
  [ -f "$log" ] || { echo "tally: no log $log (for $label)" >&2; exit 2; }
  args+=("label=$label" "$log")
done

LC_ALL=C awk '
  # A new log starts with no suite.
  FNR == 1 { suite = label }
  # cargo: "     Running unittests src/lib.rs (target/debug/deps/ringside_core-0123abcd)".
  # The binary without its hash names the suite, so a later step that runs the same binary
  # (built with other features, so another hash) is recognised.
  /^[[:space:]]*Running / {
    line = $0
    sub(/^[[:space:]]*Running /, "", line)
    binary = line
    if (match(binary, /\([^)]*\)[[:space:]]*$/)) {
      binary = substr(binary, RSTART + 1, RLENGTH - 2)
      sub(/[)[:space:]]+$/, "", binary)
      sub(/.*\//, "", binary)
      sub(/-[0-9a-f]+$/, "", binary)
    }
    source = line
    sub(/[[:space:]]*\(.*$/, "", source)
    suite = binary " (" source ")"
    next
  }
  /^[[:space:]]*Doc-tests / { suite = $0; sub(/^[[:space:]]*/, "", suite); next }
  /^==> node suite: / { suite = label " " substr($0, 17); next }
  /^test .* \.\.\. ignored/ {
    name = $0
    sub(/^test /, "", name)
    reason = name
    sub(/ \.\.\. ignored.*$/, "", name)
    sub(/^.* \.\.\. ignored,?[[:space:]]*/, "", reason)
    key = suite SUBSEP name
    if (!(key in ignored)) { ignored[key] = reason; order[++n_ignored] = key }
    next
  }
  /^test .* \.\.\. (ok|FAILED)$/ {
    name = $0
    sub(/^test /, "", name)
    sub(/ \.\.\. (ok|FAILED)$/, "", name)
    ran[suite SUBSEP name] = 1
    next
  }
  /^test result: / {
    if (match($0, /[0-9]+ passed/)) passed += substr($0, RSTART, RLENGTH) + 0
    if (match($0, /[0-9]+ failed/)) failed += substr($0, RSTART, RLENGTH) + 0
    next
  }
  /^# pass [0-9]+$/ { passed += $3; next }
  /^# fail [0-9]+$/ { failed += $3; next }
  /^# cancelled [0-9]+$/ { failed += $3; next }
  /^# (skipped|todo) [0-9]+$/ { skipped += $3; next }
  /^[[:space:]]*(not )?ok [0-9]+ - .* # (SKIP|TODO)/ {
    what = $0
    sub(/^[[:space:]]*(not )?ok [0-9]+ - /, "", what)
    skips[++n_skips] = suite ": " what
    next
  }
  END {
    for (i = 1; i <= n_ignored; i++) {
      key = order[i]
      if (key in ran) continue
      split(key, part, SUBSEP)
      skipped++
      skips[++n_skips] = part[1] ": " part[2] (ignored[key] != "" ? " # " ignored[key] : "")
    }
    if (n_skips > 0) {
      print "Skipped (did not run anywhere in this run):"
      for (i = 1; i <= n_skips; i++) print "  " skips[i]
    }
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
    exit failed > 0 ? 1 : 0
  }
' "${args[@]}"
