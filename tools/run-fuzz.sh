#!/bin/bash
# Builds the libFuzzer targets in build-fuzz (clang, ASan + UBSan) and runs
# each for SECONDS (default 30) from its seed corpus in fuzz/corpus/<target>/.
# Fails on any crash, leak, timeout or out-of-memory.
#
#   tools/run-fuzz.sh [SECONDS] [TARGET...]
#
# KF_FUZZ_BUILD_DIR: the build dir (default build-fuzz).
# KF_FUZZ_WORK_DIR: keep the grown corpora, logs and crash inputs there
#   (default: a temporary folder, removed afterwards unless something failed).
# KF_FUZZ_JOBS: how many targets run at the same time (default 1).
# Ends with the line "N passed, N failed, N skipped".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-30}
[ $# -gt 0 ] && shift
jobs=${KF_FUZZ_JOBS:-1}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for d in "$root"/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

if [ ! -f "$build/build.ninja" ]; then
  # -Wunused-variable in clang flags GLib's `g_autoptr(T) hold = g_object_ref (x)`
  # idiom, which gcc accepts; the warning-free gate is the gcc build.
  CC=clang meson setup "$build" "$root" -Dfuzzers=true \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C "$build" -j2 $(printf 'fuzz/%s ' "${targets[@]}") >/dev/null

if [ -n "${KF_FUZZ_WORK_DIR:-}" ]; then
  work=$KF_FUZZ_WORK_DIR
  mkdir -p "$work"
  keep=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-fuzz.XXXXXX")
  keep=0
fi

# Any report stops the target; leaks are checked after every input.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:print_stacktrace=1:symbolize=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/ubsan.supp"
export LSAN_OPTIONS="print_suppressions=0:suppressions=$root/tests/lsan.supp"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY SSH_AUTH_SOCK

run_one () {
  local t=$1
  local corpus="$work/corpus/$t" log="$work/$t.log" tmp="$work/tmp/$t"
  local mask=1 status=0
  mkdir -p "$corpus" "$tmp" "$work/artifacts"
  # The CLI prints usage errors on stderr for most inputs: keep them out of the log.
  [ "$t" = fuzz-cli ] && mask=3
  local asan=$ASAN_OPTIONS
  # libssh has no frame pointers: only the slow unwinder sees far enough
  # up a leak's stack for the libssh suppression in fuzz/lsan.supp to match.
  [ "$t" = fuzz-key-import ] && asan="$asan:fast_unwind_on_malloc=0"
  (cd "$tmp" && TMPDIR="$tmp" ASAN_OPTIONS="$asan" "$build/fuzz/$t" \
      -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
      -close_fd_mask=$mask -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$t-" \
      "$corpus" "$root/fuzz/corpus/$t" </dev/null >"$log" 2>&1) || status=$?
  rm -rf "$tmp"
  local runs speed
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ $status -eq 0 ] && ! ls "$work/artifacts/$t-"* >/dev/null 2>&1; then
    echo "PASS $t: ${runs:-?} runs in ${seconds} s (${speed:-?}/s), corpus $(ls "$corpus" | wc -l) files"
  else
    echo "FAIL $t (exit $status): see $log"
    grep -E "^(==[0-9]+==ERROR|SUMMARY|ERROR:|\*\*\*)|artifact" "$log" | head -5 | sed 's/^/    /'
  fi
}

pids=()
results="$work/results.txt"
: >"$results"
for t in "${targets[@]}"; do
  run_one "$t" >>"$results" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
done
wait
sort "$results"

passed=$(grep -c '^PASS' "$results" || true)
failed=$(grep -c '^FAIL' "$results" || true)
if [ "$failed" -eq 0 ] && [ $keep -eq 0 ]; then
  rm -rf "$work"
elif [ "$failed" -ne 0 ]; then
  echo "Logs and crash inputs are in $work"
fi
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
