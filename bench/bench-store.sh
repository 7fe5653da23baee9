#!/bin/bash
# Builds and runs the store benchmark: loading 10,000 key pairs + 10,000
# connections (median of several runs), the file size, a reload into existing
# objects and one saving transaction. Arguments: [N] [RUNS].
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dwerror=true >/dev/null
fi
ninja -C "$build" bench/bench-store-load >/dev/null
exec "$build/bench/bench-store-load" "$@"
