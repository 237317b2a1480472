#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz (ASan + UBSan +
# coverage instrumentation, cmake/Fuzzing.cmake) and runs each for a bounded
# time, starting from its committed seed corpus (fuzz/corpus/<target>/).
#   scripts/fuzz.sh                   every target, FUZZ_SECONDS (60) each
#   scripts/fuzz.sh fuzz_merge ...    only the named targets
#   FUZZ_SECONDS=600 scripts/fuzz.sh  longer runs
# New inputs go to build-fuzz/fuzz/work/<target>/corpus, crashes to
# build-fuzz/fuzz/work/<target>/artifacts; the committed corpus is only read.
# Exit status: non-zero when any target found a crash, leak, hang or a
# violated property. docs/fuzzing-and-sanitizers.md explains what to do then.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${CONFLICTLAB_JOBS:-$(nproc)}

targets=(fuzz_mock_request fuzz_fault_rules fuzz_scenario fuzz_merge fuzz_patch
         fuzz_etag fuzz_webhook_event fuzz_webhook_signature fuzz_json_text)
[ $# -gt 0 ] && targets=("$@")

cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DCONFLICTLAB_FUZZ=ON \
    -DCONFLICTLAB_BUILD_TESTS=OFF \
    -DCONFLICTLAB_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# The same options the `fuzz` CTest label uses (fuzz/CMakeLists.txt).
max_len() {
    case "$1" in
        fuzz_mock_request|fuzz_scenario) echo 8192 ;;
        fuzz_etag) echo 256 ;;
        fuzz_webhook_signature) echo 1024 ;;
        *) echo 4096 ;;
    esac
}
dict() {
    case "$1" in
        fuzz_mock_request) echo "-dict=$root/fuzz/dict/http.dict" ;;
        fuzz_etag|fuzz_webhook_signature) ;;
        *) echo "-dict=$root/fuzz/dict/json.dict" ;;
    esac
}

failed=()
for t in "${targets[@]}"; do
    work=$build/fuzz/work/$t
    mkdir -p "$work/corpus" "$work/artifacts"
    echo "== fuzz $t for ${seconds}s"
    # shellcheck disable=SC2046
    if ! "$build/fuzz/$t" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
            -max_total_time="$seconds" -print_final_stats=1 $(dict "$t") \
            -artifact_prefix="$work/artifacts/" "$work/corpus" "$root/fuzz/corpus/$t" \
            2> "$work/last-run.log"; then
        failed+=("$t")
        tail -n 40 "$work/last-run.log"
    fi
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$work/last-run.log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in ${failed[*]} (inputs under $build/fuzz/work/<target>/artifacts)" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
