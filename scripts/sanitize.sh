#!/usr/bin/env bash
# Builds the whole tree with sanitizers and runs the GoogleTest suites (ctest)
# under them:
#   scripts/sanitize.sh asan   ASan + UBSan into build-asan
#   scripts/sanitize.sh tsan   TSan into build-tsan
# Every report fails the run (-fno-sanitize-recover=all, halt_on_error). The
# pytest scenario suites are not run here: they drive the binaries through
# timing-bound end-to-end scenarios that the sanitizers' 2-15x slowdown would
# turn into noise; set SANITIZE_PYTEST=1 to run them anyway against the
# sanitized `conflictlab`. No benchmark programs, line tables only (-g1), and
# -O0 for ASan (compiles in ~55% of the CPU time of -O1) keep the build inside
# CI's time limit; TSan needs -O1 to run at a usable speed. Asserts stay on.
# docs/fuzzing-and-sanitizers.md gives the measurements.
# Extra arguments go to ctest, e.g. scripts/sanitize.sh tsan -R MockAsyncDriver
# SANITIZE_TARGETS="t1 t2" builds only those targets (and what they need);
# pass a matching -R then, since ctest would report the others as not built:
#   SANITIZE_TARGETS="engine_drivers_tests engine_integration_tests" \
#       scripts/sanitize.sh tsan -R 'AsyncDriver'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-}
[ $# -gt 0 ] && shift
case "$kind" in
    asan) sanitize=address,undefined; opt="-O0 -g1" ;;
    tsan) sanitize=thread; opt="-O1 -g1" ;;
    *) echo "usage: scripts/sanitize.sh asan|tsan [ctest arguments...]" >&2; exit 2 ;;
esac
build=${CONFLICTLAB_SANITIZE_BUILD_DIR:-$root/build-$kind}
jobs=${CONFLICTLAB_JOBS:-$(nproc)}
supp=$root/cmake/sanitizers

cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt" \
    -DCONFLICTLAB_SANITIZE="$sanitize" \
    -DCONFLICTLAB_BUILD_BENCHMARKS=OFF >/dev/null
start=$(date +%s)
if [ -n "${SANITIZE_TARGETS:-}" ]; then
    # shellcheck disable=SC2086  # a list of target names
    cmake --build "$build" -j "$jobs" --target $SANITIZE_TARGETS
else
    cmake --build "$build" -j "$jobs"
fi
echo "== sanitize $kind: build took $(($(date +%s) - start)) s"

# halt_on_error makes a report a test failure; the suppression files hold only
# third-party entries, each with its reason.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp"

echo "== sanitize $kind: GoogleTest (ctest)"
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 600 "$@"

if [ "${SANITIZE_PYTEST:-0}" = 1 ]; then
    echo "== sanitize $kind: pytest scenario suites"
    export CONFLICTLAB_BIN="$build/harness/conflictlab"
    cd "$root"
    /usr/bin/python3 -m pytest -q -p no:cacheprovider scenarios/tests
fi
