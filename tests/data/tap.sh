# tap.sh: sourced by the shell tests in tests/data. Each check prints one TAP
# line; finish prints the plan and exits 1 if any check failed.
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later

tap_n=0
tap_failed=0

# ok DESCRIPTION COMMAND...: runs COMMAND, its output goes to the log as TAP
# comments; passes when it exits 0.
ok() {
  local desc=$1; shift
  local out status=0
  out=$("$@" 2>&1) || status=$?
  tap_n=$((tap_n + 1))
  if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/# /'; fi
  if [ $status -eq 0 ]; then
    echo "ok $tap_n - $desc"
  else
    echo "not ok $tap_n - $desc (exit $status)"
    tap_failed=$((tap_failed + 1))
  fi
}

# fails DESCRIPTION COMMAND...: passes when COMMAND exits non-zero (a checker
# must reject a broken input; a crash by signal does not count as a rejection).
fails() {
  local desc=$1; shift
  local out status=0
  out=$("$@" 2>&1) || status=$?
  tap_n=$((tap_n + 1))
  if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/# /'; fi
  if [ $status -ne 0 ] && [ $status -lt 128 ]; then
    echo "ok $tap_n - $desc"
  else
    echo "not ok $tap_n - $desc (exit $status, expected a rejection)"
    tap_failed=$((tap_failed + 1))
  fi
}

# fails_with DESCRIPTION PATTERN COMMAND...: like fails, and the output must
# match the extended regex PATTERN, so the rejection is for the right reason.
fails_with() {
  local desc=$1 pattern=$2; shift 2
  local out status=0
  out=$("$@" 2>&1) || status=$?
  tap_n=$((tap_n + 1))
  if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/# /'; fi
  if [ $status -ne 0 ] && [ $status -lt 128 ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
    echo "ok $tap_n - $desc"
  else
    echo "not ok $tap_n - $desc (exit $status, expected a rejection matching /$pattern/)"
    tap_failed=$((tap_failed + 1))
  fi
}

finish() {
  echo "1..$tap_n"
  [ $tap_failed -eq 0 ]
}
