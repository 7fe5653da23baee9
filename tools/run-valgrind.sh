#!/bin/bash
# The core test suites (store, keyring, keys, ssh, truenas, cli) under
# valgrind memcheck, through the same harness as tools/run-tests.sh: no
# invalid reads or writes, no use of uninitialised values, no definite leaks
# (--errors-for-leak-kinds=definite --error-exitcode=1). keyferry-cli, which
# the cli suite runs, is traced too; system programs (sshd, ssh-keygen,
# gnome-keyring, dbus) are not.
#
# KF_BUILD_DIR: a build without sanitizers (default build).
# Extra arguments go to `meson test` (e.g. a single test name instead of the suites).
# Ends with the line "N passed, N failed, N skipped".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}

if [ $# -eq 0 ]; then
  set -- --suite store --suite keyring --suite keys --suite ssh --suite truenas --suite cli
fi

wrapper="valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite"
wrapper+=" --errors-for-leak-kinds=definite --track-origins=yes --num-callers=30"
wrapper+=" --suppressions=$root/tests/valgrind.supp"
wrapper+=" --trace-children=yes --trace-children-skip=/usr/*,/bin/*,/sbin/*,*/sshd,*/ssh,*/ssh-keygen,*/gnome-keyring-daemon,*/dbus-*,*/env,*/sh,*/bash"

# GLib 2.74 still caches small blocks in its slice allocator: plain malloc lets memcheck see them.
export G_SLICE=always-malloc
KF_BUILD_DIR=$build "$root/tools/run-tests.sh" --wrapper "$wrapper" --timeout-multiplier 10 "$@" || true

# The verdict is memcheck's: a test with an invalid read/write, a use of an
# uninitialised value or a definite leak (in it or in a traced child) fails.
# Tests that only failed their own timing assertions (20-50 times slower
# under valgrind: handshake timeouts, main-loop tick counts, kills aimed at a
# moment) say nothing about memory and are counted as skipped, not passed.
python3 - "$build/meson-logs/testlog-valgrind.json" <<'PY'
import json, re, sys
memcheck = re.compile(r"==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param"
                      r"|Mismatched free|Source and destination overlap|[\d,]+ bytes in [\d,]+ blocks are definitely lost)")
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    errors = sorted({m.group(1) for m in memcheck.finditer(out)})
    if errors:
        failed += 1
        print(f"MEMCHECK: {t['name']}: {', '.join(errors)}")
    elif t["result"] in ("OK", "EXPECTEDFAIL"):
        passed += 1
    else:
        skipped += 1
        print(f"memcheck clean, but the test itself failed under valgrind ({t['result']}): {t['name']}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
