#!/bin/bash
# The longest main-loop stall while SSH keys are generated (every type, RSA
# 4096 included) through kf_ssh_key_generate_async. Goal: < 50 ms.
# Usage: bench/bench-keygen.sh [RUNS]   (default 5 per type)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dwerror=true
fi
meson compile -C "$build" bench-keygen-stall >/dev/null

echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/bench/bench-keygen-stall" "${1:-5}"
