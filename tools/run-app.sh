#!/bin/bash
# Builds Keyferry and starts it from the build tree (with its GSettings schema).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dwerror=true
fi
meson compile -C "$build"
export GSETTINGS_SCHEMA_DIR="$build/data"
exec "$build/src/ui/keyferry" "$@"
