#!/bin/bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), through the same harness as tools/run-tests.sh
# (private HOME, D-Bus, gnome-keyring, Xvfb). Any report fails the test it
# comes from. Extra arguments go to `meson test`.
#
# KF_ASAN_BUILD_DIR: the build dir (default build-asan; gcc, -Dwerror=true).
# KF_ASAN_DETECT_LEAKS=0: no leak checking (as for the ui suite), e.g. to run
# one GTK test: KF_ASAN_DETECT_LEAKS=0 tools/run-sanitizers.sh ui-keypairs
# Ends with the line "N passed, N failed, N skipped".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_ASAN_BUILD_DIR:-$root/build-asan}

if [ ! -f "$build/build.ninja" ]; then
  # b_lundef=false: the sanitizer runtimes resolve some symbols at load time.
  meson setup "$build" "$root" -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi

# halt_on_error: the first report ends the process with a failure, so the
# test fails; nothing is merely printed. Suppressions: see each file.
# fast_unwind_on_malloc=0: Debian's libraries have no frame pointers, so only
# the slow unwinder sees a leak's whole stack, which the library-specific
# LeakSanitizer suppressions need. (Not strict_string_checks: it flags
# strndup() on unterminated buffers, which POSIX allows and libssh does.)
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=${KF_ASAN_DETECT_LEAKS:-1}:print_stacktrace=1:fast_unwind_on_malloc=0:check_initialization_order=1:strict_init_order=1:suppressions=$root/tests/asan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/ubsan.supp"
export LSAN_OPTIONS="print_suppressions=0:suppressions=$root/tests/lsan.supp"
# LeakSanitizer (gcc 12 and clang 14 alike) crashes at exit ("Tracer caught
# signal 11") scanning the thread-local storage of threads that predate the
# dlopen() of a library with TLS: GIO loads glib-networking, hence GnuTLS and
# p11-kit, at the first https request (keyferry-cli's TrueNAS setup, the fake
# TrueNAS). Loaded at start-up, their TLS is in every thread's static block.
# (/sbin/ldconfig: an ordinary user's PATH has no sbin.)
# (verify_asan_link_order=0: the preloads come before the ASan runtime.)
tls_libs=""
for lib in libgnutls.so.30 libp11-kit.so.0; do
  path=$(/sbin/ldconfig -p | sed -n "s|^[[:space:]]*$lib (libc6,x86-64) => ||p" | head -1)
  [ -n "$path" ] && tls_libs="$tls_libs $path"
done
export LD_PRELOAD="${tls_libs# }"
export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"

# GLib 2.74 still caches small blocks in its slice allocator: plain malloc
# lets LeakSanitizer see them.
export G_SLICE=always-malloc

# ASan roughly doubles run times: give every test three times its timeout,
# and the tests' own waits for the code under test too (kf_test_timeout()).
export KF_TEST_TIMEOUT_SCALE=3
if [ $# -gt 0 ]; then
  KF_BUILD_DIR=$build exec "$root/tools/run-tests.sh" --timeout-multiplier 3 "$@"
fi

# The GTK tests (suite ui) run without leak checking: at exit GTK, Mesa's
# llvmpipe and the GIO/GTK modules they dlopen() leave one-time allocations
# behind, many made from modules already unloaded (LeakSanitizer shows
# "<unknown module>" frames, which no suppression can name). Memory errors and
# undefined behaviour are still fatal there. Everything else checks leaks.
status=0
KF_BUILD_DIR=$build "$root/tools/run-tests.sh" --timeout-multiplier 3 --no-suite ui || status=$?
cp "$build/meson-logs/testlog.json" "$build/meson-logs/testlog-no-ui.json"
ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
  KF_BUILD_DIR=$build "$root/tools/run-tests.sh" --timeout-multiplier 3 --suite ui || status=$?
# One summary line for both runs.
cat "$build/meson-logs/testlog-no-ui.json" "$build/meson-logs/testlog.json" > "$build/meson-logs/testlog-all.json"
echo "Sanitizer suite, all tests:"
python3 "$root/tests/harness/summary.py" "$build/meson-logs/testlog-all.json" || status=1
exit $status
