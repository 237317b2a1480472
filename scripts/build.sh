#!/usr/bin/env bash
# Configures and builds into ./build (or $CONFLICTLAB_BUILD_DIR). Extra
# arguments go to CMake's configure step, e.g. -DCONFLICTLAB_SANITIZE=address,undefined
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_BUILD_DIR:-$root/build}
jobs=${CONFLICTLAB_JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j "$jobs"
