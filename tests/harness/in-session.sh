#!/bin/bash
# Runs inside the private D-Bus session and X server of tools/run-tests.sh:
# starts and unlocks a gnome-keyring (a "login" collection), then meson test.
set -euo pipefail
build=$1; shift

# The password is only for this throw-away keyring; tests that lock the
# collection read it back from KF_TEST_KEYRING_PASSWORD to unlock it again.
export KF_TEST_KEYRING_PASSWORD="keyferry-test-$$"
eval "$(printf %s "$KF_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

rm -f "$build/meson-logs/testlog.json"
exec meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
