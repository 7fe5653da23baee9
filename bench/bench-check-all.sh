#!/bin/bash
# Check All at scale: N connections (default 50) to a real sshd on loopback,
# one of them a black hole, checked with 8 jobs and then all at once. Prints
# the wall time against the Connect Timeout (goal: about one timeout plus a
# small overhead, not the sum), the longest main-loop gap (goal: < 50 ms) and
# the resident memory with that many concurrent sessions. Runs in a private
# D-Bus session with a throw-away gnome-keyring and XDG dirs.
# Usage: bench/bench-check-all.sh [N] [CONNECT_TIMEOUT_S] [JOBS…]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}

if [ "${KF_BENCH_INNER:-}" != 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dwerror=true >/dev/null
  fi
  meson compile -C "$build" bench-check-all >/dev/null
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-bench.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/runtime"
  chmod 0700 "$tmp/runtime"
  unset DBUS_SESSION_BUS_ADDRESS SSH_AUTH_SOCK GNOME_KEYRING_CONTROL
  echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
  HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/runtime XDG_DATA_HOME=$tmp/home/.local/share \
  XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache \
  KF_BENCH_INNER=1 KF_BUILD_DIR=$build KF_SOURCE_DIR=$root \
    dbus-run-session -- "$0" "$@"
  exit
fi

# Inside the private session: an unlocked throw-away keyring.
eval "$(printf %s bench | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$build/bench/bench-check-all" "$@"
