#!/bin/bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), through the same harness as tools/run-tests.sh
# (private HOME, D-Bus, gnome-keyring, Xvfb). Any report fails the test it
# comes from. Extra arguments go to `meson test`.
#
# KF_ASAN_BUILD_DIR: the build dir (default build-asan; gcc, -Dwerror=true).
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
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:print_stacktrace=1:fast_unwind_on_malloc=0:check_initialization_order=1:strict_init_order=1:suppressions=$root/tests/asan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/ubsan.supp"
export LSAN_OPTIONS="print_suppressions=0:suppressions=$root/tests/lsan.supp"
# GLib 2.74 still caches small blocks in its slice allocator: plain malloc
# lets LeakSanitizer see them.
export G_SLICE=always-malloc

# ASan roughly doubles run times: give every test three times its timeout.
KF_BUILD_DIR=$build exec "$root/tools/run-tests.sh" --timeout-multiplier 3 "$@"
