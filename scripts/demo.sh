#!/usr/bin/env bash
# The README's main job: install what is needed (Debian packages), build, and
# run the quick-start scenario against the embedded mock server. Prints the
# one-screen summary and exits with the scenario's verdict (0 pass, 1 a gate
# failed, 2 bad input).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

echo
echo "== conflictlab run scenarios/quickstart.json"
cd "$root"
exec "$build/harness/conflictlab" run scenarios/quickstart.json "$@"
