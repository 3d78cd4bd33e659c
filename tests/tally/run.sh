#!/usr/bin/env bash
# Checks scripts/tally.sh on fixed logs (cut from real cargo and node --test runs), so the
# closing line of scripts/test.sh is known to be honest:
# - an #[ignore]d test run later with --ignored (another step, or another build of the same
#   test binary) counts once, as passed, not also as skipped;
# - an ignored test that no step ran is counted and named as skipped, with its reason;
# - node's skipped and todo tests are counted as skipped and named with their file;
# - node's cancelled tests count as failed, and any failure makes the exit status 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
fixtures=tests/tally/fixtures
status=0

check() {
  local what=$1 expected=$2 expected_status=$3
  shift 3
  local actual actual_status=0
  actual=$(bash scripts/tally.sh "$@") || actual_status=$?
  if [ "$actual" != "$expected" ] || [ "$actual_status" != "$expected_status" ]; then
    echo "not ok - $what"
    diff <(printf '%s\n' "$expected" "exit $expected_status") <(printf '%s\n' "$actual" "exit $actual_status") | sed 's/^/  /'
    status=1
  else
    echo "ok - $what"
  fi
}

check "ignored tests run later count once; the rest are named as skipped" \
"Skipped (did not run anywhere in this run):
  browser: a later feature # TODO not built yet
  desktop tests/desktop/history.test.mjs: a month of history renders quickly # SKIP set RINGSIDE_HISTORY_BENCH=1 to measure
  ringside_core (unittests src/lib.rs): tests::never_runs_anywhere
  Doc-tests ringside_core: crates/ringside-core/src/lib.rs - example (line 3)
9 passed, 0 failed, 4 skipped" 0 \
  cargo=$fixtures/cargo.log ignored=$fixtures/ignored.log keyring=$fixtures/keyring.log \
  browser=$fixtures/browser.log desktop=$fixtures/desktop.log

check "without the steps that run them, ignored tests are skipped, with their reasons" \
"Skipped (did not run anywhere in this run):
  ringside_core (unittests src/lib.rs): events::baresip::tests::dial_reaches_a_real_baresip # needs baresip: run with --ignored (scripts/test.sh does)
  ringside_core (unittests src/lib.rs): tests::never_runs_anywhere
  cli (tests/cli/main.rs): org_login::keyring_no_token_in_any_file_or_log # needs a private OS keyring: bash tests/keyring/run.sh
  cli (tests/cli/main.rs): softphone::answered_call_reports_its_talk_time # needs baresip and sipp: run with --ignored (scripts/test.sh does)
  Doc-tests ringside_core: crates/ringside-core/src/lib.rs - example (line 3)
3 passed, 0 failed, 5 skipped" 0 \
  cargo=$fixtures/cargo.log

check "a cancelled node test is a failure and the tally exits 1" \
"0 passed, 2 failed, 0 skipped" 1 \
  desktop=$fixtures/desktop-failed.log

exit "$status"
