#!/usr/bin/env bash
# The test command (README.md, .ci/run): set up, build, then run every suite:
# GoogleTest through CTest, then the pytest scenario suites against the built
# binaries. Servers the suites need are started by the tests themselves on
# 127.0.0.1 with ephemeral ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

echo "== GoogleTest (ctest)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 300

echo "== pytest scenario suites"
export CONFLICTLAB_BIN="$build/harness/conflictlab"
# setup.sh installed chromium and xmllint: their tests must run, not skip.
export CONFLICTLAB_REQUIRE_TOOLS=1
cd "$root"
/usr/bin/python3 -m pytest -q -p no:cacheprovider scenarios/tests
