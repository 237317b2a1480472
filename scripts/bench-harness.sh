#!/usr/bin/env bash
# The harness's own performance figures (issue #4, docs/performance.md
# "Harness"), loopback only, bounded (about 2 minutes):
#
#   1. goodput without conflicts vs wrk: wrk's conditional-PUT rate against
#      `conflictlab mock` (1 server thread, 64 connections, 64 keys, each
#      PUT on the ETag the key's last response returned), then
#      scenarios/perf-no-conflict.json through the harness with its embedded
#      server on 1 thread and 1 client thread (64 writers, one owned document
#      each, each update a conditional PUT on the ETag of the writer's last
#      write: the same traffic); prints the ratio goodput / wrk PUT rate
#      (target >= 0.5);
#   2. one hot document, 64 writers, merge: a sweep over every backoff kind
#      (goodput, calls per success, p99, lost updates);
#   3. 10,000 writers: peak RSS.
#
#   scripts/bench-harness.sh            # uses ./build (or $CONFLICTLAB_BUILD_DIR)
#   BENCH_SECONDS=5 scripts/bench-harness.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_BUILD_DIR:-$root/build}
seconds=${BENCH_SECONDS:-10}
conflictlab=${CONFLICTLAB_BIN:-$build/harness/conflictlab}
command -v wrk >/dev/null || { echo "bench-harness: wrk is required (scripts/setup.sh)" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench-harness: jq is required (scripts/setup.sh)" >&2; exit 2; }
[ -x "$conflictlab" ] || { echo "bench-harness: $conflictlab not built" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "bench-harness: ${seconds}s runs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# 1a. wrk against the standalone mock server (the same server the harness embeds).
"$conflictlab" mock --port 0 --threads 1 --seed 1 >"$work/mock.out" 2>"$work/mock.err" &
server_pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/mock.out" | head -1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || { echo "bench-harness: mock did not start: $(cat "$work/mock.err")" >&2; exit 1; }
BENCH_KEYS=64 wrk -t1 -c64 -d"${seconds}s" --timeout 5s -s "$root/scripts/bench/put.lua" \
    "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")

# 1b. the harness, same server configuration, no conflicts.
sed "s/\"duration_s\": 10/\"duration_s\": $seconds/" "$root/scenarios/perf-no-conflict.json" \
    >"$work/no-conflict.json"
"$conflictlab" run "$work/no-conflict.json" --server-threads 1 --client-threads 1 \
    --json "$work/no-conflict-results.json" >/dev/null 2>&1 || true
goodput=$(jq '.metrics.goodput_per_s' "$work/no-conflict-results.json")
calls=$(jq '.metrics.calls_per_success' "$work/no-conflict-results.json")
lost=$(jq '.metrics.lost_updates' "$work/no-conflict-results.json")
client_cpu=$(jq -r '"\(.load.client.utilization * 100 | floor)% of \(.load.client.threads) thread(s)"' "$work/no-conflict-results.json")
server_cpu=$(jq -r '"\(.load.server.utilization * 100 | floor)% of \(.load.server.threads) thread(s)"' "$work/no-conflict-results.json")
echo
echo "## Goodput without conflicts"
echo
echo "| measure | value |"
echo "| --- | ---: |"
echo "| wrk conditional PUT, 64 connections, 1 server thread | $wrk_rps req/s |"
echo "| harness goodput, 64 writers, 1 server + 1 client thread | $goodput updates/s |"
echo "| harness calls per success | $calls |"
echo "| lost updates | $lost |"
awk -v g="$goodput" -v w="$wrk_rps" 'BEGIN { printf "| ratio goodput / wrk PUT rate (target >= 0.5) | %.2f |\n", g / w }'
echo "| harness load: client / server | $client_cpu / $server_cpu |"

# 2. one hot document, every backoff kind.
echo
echo "## One hot document, 64 writers, merge"
echo
"$conflictlab" sweep "$root/scenarios/perf-hot-key-64.json" \
    --vary backoff=none,constant,exponential,full-jitter,equal-jitter,decorrelated-jitter \
    --csv "$work/hot.csv" 2>/dev/null | sed -n '/goodput/,$p'

# 3. 10,000 writers.
"$conflictlab" run "$root/scenarios/perf-10k-writers.json" --json "$work/10k.json" >/dev/null 2>&1 || true
echo
echo "## 10,000 writers"
echo
jq -r '"| ops | duration s | peak RSS MiB | lost updates | Failed |\n| ---: | ---: | ---: | ---: | ---: |\n| \(.metrics.ops) | \(.metrics.duration_s) | \(.load.peak_rss_kib / 1024 | floor) | \(.metrics.lost_updates) | \(.metrics.outcomes.Failed) |"' "$work/10k.json"
