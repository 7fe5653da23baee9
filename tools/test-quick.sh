#!/bin/bash
# For development: run some tests (meson test arguments) in the same private
# bus / keyring / Xvfb as tools/run-tests.sh, without rebuilding everything.
# Usage: tools/test-quick.sh BUILD_DIR [meson test args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
chmod 0700 "$tmp/runtime"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"
export GTK_A11Y=none NO_AT_BRIDGE=1 GSK_RENDERER=cairo KF_TEST_HARNESS=1
unset DBUS_SESSION_BUS_ADDRESS SSH_AUTH_SOCK GNOME_KEYRING_CONTROL DISPLAY WAYLAND_DISPLAY
exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp -noreset' \
  "$root/tests/harness/in-session.sh" "$build" --no-rebuild "$@"
