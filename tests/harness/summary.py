#!/usr/bin/env python3
"""Prints "N passed, N failed, N skipped" from meson's testlog.json.

meson's own summary is not a line CI recognises. A test that exited 77 is
SKIP; an expected failure counts as passed, an unexpected pass as failed.
A test program's subtest that could not run here (TAP "ok N ... # SKIP
reason", e.g. no private mount namespace for an ordinary user) is named with
its reason and counted as skipped too: the program's other subtests passing
does not hide it."""
import json
import re
import sys

SKIP_LINE = re.compile(r"^ok \d+ (.*?)\s*# SKIP\s*(.*)$")

counts = {"passed": 0, "failed": 0, "skipped": 0}
try:
    with open(sys.argv[1]) as f:
        lines = [json.loads(l) for l in f if l.strip()]
except FileNotFoundError:
    print("0 passed, 1 failed, 0 skipped  (no test log: the suite did not run)")
    sys.exit(1)

for t in lines:
    result = t.get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif result == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
        print(f"FAILED: {t.get('name')} ({result})")
    for line in (t.get("stdout") or "").splitlines():
        m = SKIP_LINE.match(line)
        if m:
            counts["skipped"] += 1
            print(f"SKIPPED: {t.get('name')} {m.group(1)}: {m.group(2) or 'no reason given'}")

if not lines:
    print("no test ran")
    counts["failed"] += 1
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
sys.exit(1 if counts["failed"] else 0)
