#!/usr/bin/env bash
# Throughput of the mock server's HTTP front end + core, as ratios of a
# minimal Boost.Beast keep-alive server measured in the same run on the same
# machine (mock-server/bench/beast_reference_server.cpp). Loopback only,
# bounded: BENCH_SECONDS per case (default 10), 8 cases.
#
#   scripts/bench-mock.sh                 # uses ./build (or $CONFLICTLAB_BUILD_DIR)
#   BENCH_SECONDS=5 BENCH_CONNECTIONS=64 scripts/bench-mock.sh
#
# Cases (wrk -t1 -c$BENCH_CONNECTIONS, keep-alive):
#   reference-get  the Beast reference server, one small JSON GET
#   reference-put  the same server driven by the conditional-PUT Lua client
#                  below (it answers 200 to anything): the same client-side
#                  cost as the put-* cases, so their ratio to it isolates the
#                  server (wrk's Lua response() hook costs the shared cores
#                  about a third of the GET rate)
#   get            GET of one small resource
#   put-distinct   conditional PUT on 64 keys, each request If-Match'ing the
#                  ETag learnt from that key's previous response (a valid
#                  conditional write; If-None-Match: * for the first one)
#   put-hot        the same on one hot key: most requests meet 412 (the 412
#                  problem's current_etag feeds the next attempt)
#   put-faults     put-distinct with a 10% fault mix (5% 503, 5% 409)
#   get-50-rules   GET with 50 installed rules that never match
#   get-0-rules    GET right after removing them (same server, for the ratio)
# Prints a Markdown table: req/s, 2xx/s, p99, ratio vs reference-get.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONFLICTLAB_BUILD_DIR:-$root/build}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-32}
server_threads=${BENCH_SERVER_THREADS:-$(nproc)}
conflictlab=${CONFLICTLAB_BIN:-$build/harness/conflictlab}
reference=${BENCH_REFERENCE_BIN:-$build/mock-server/http/beast_reference_server}

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench-mock: $tool is required (scripts/setup.sh)" >&2; exit 2; }
done
for bin in "$conflictlab" "$reference"; do
    [ -x "$bin" ] || { echo "bench-mock: $bin not built (cmake --build with CONFLICTLAB_BUILD_BENCHMARKS=ON)" >&2; exit 2; }
done

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

# start_server OUT CMD...: runs CMD in the background, waits (bounded) for its
# "listening on http://127.0.0.1:PORT" line, sets $server_pid and $port.
start_server() {
    local out=$1; shift
    "$@" >"$out" 2>"$out.err" &
    server_pid=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$out" | head -1)
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench-mock: server did not start: $(cat "$out.err")" >&2
    exit 1
}

stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

cp "$root/scripts/bench/put.lua" "$work/put.lua"

# Rule files.
cat >"$work/fault-mix.json" <<'JSON'
{"seed": 1, "rules": [
  {"name": "mix-503", "match": {"methods": ["PUT"]}, "when": {"probability": 0.05}, "then": {"status": 503}},
  {"name": "mix-409", "match": {"methods": ["PUT"]}, "when": {"probability": 0.0526}, "then": {"status": 409}}
]}
JSON
{
    printf '{"rules": ['
    for i in $(seq 1 50); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"name": "never-%d", "match": {"methods": ["PUT"], "resource": "never-%d"}, "then": {"status": 503}}' "$i" "$i"
    done
    printf ']}'
} >"$work/fifty.json"

# run_wrk NAME URL [LUA]: one bounded wrk run; appends "name rps ok_rps p99" to results.
results="$work/results"
: >"$results"
run_wrk() {
    local name=$1 url=$2 lua=${3:-}
    local args=(-t1 -c"$connections" -d"${seconds}s" --latency --timeout 5s)
    [ -n "$lua" ] && args+=(-s "$lua")
    wrk "${args[@]}" "$url" >"$work/$name.wrk" 2>&1
    local rps total non2xx p99 ok_rps
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$name.wrk")
    total=$(awk '/requests in/ {print $1}' "$work/$name.wrk")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/$name.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")
    ok_rps=$(awk -v r="$rps" -v t="$total" -v b="${non2xx:-0}" 'BEGIN { if (t > 0) printf "%.0f", r * (t - b) / t; else print 0 }')
    echo "$name $rps $ok_rps $p99" >>"$results"
    echo "  $name: $rps req/s, 2xx $ok_rps/s, p99 $p99" >&2
}

mock_flags=(mock --port 0 --threads "$server_threads" --seed 1)
reset_mock() { curl -sf -X POST "http://127.0.0.1:$port/_admin/reset" >/dev/null; }

echo "bench-mock: ${seconds}s per case, wrk -t1 -c$connections, server threads $server_threads, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

start_server "$work/ref.out" "$reference" 0 "$server_threads"
run_wrk reference-get "http://127.0.0.1:$port/resources/bench"
BENCH_KEYS=64 run_wrk reference-put "http://127.0.0.1:$port" "$work/put.lua"
stop_server

start_server "$work/mock.out" "$conflictlab" "${mock_flags[@]}"
curl -sf -X PUT -H 'Content-Type: application/json' \
    -d '{"id":"bench","value":1,"updatedAt":"2026-01-01T00:00:00.000Z"}' \
    "http://127.0.0.1:$port/resources/bench" >/dev/null
run_wrk get "http://127.0.0.1:$port/resources/bench"
reset_mock
BENCH_KEYS=64 run_wrk put-distinct "http://127.0.0.1:$port" "$work/put.lua"
reset_mock
BENCH_KEYS=1 run_wrk put-hot "http://127.0.0.1:$port" "$work/put.lua"
reset_mock
curl -sf -X PUT -H 'Content-Type: application/json' --data-binary @"$work/fault-mix.json" \
    "http://127.0.0.1:$port/_admin/faults" >/dev/null
BENCH_KEYS=64 run_wrk put-faults "http://127.0.0.1:$port" "$work/put.lua"
curl -sf -X DELETE "http://127.0.0.1:$port/_admin/faults" >/dev/null
reset_mock
curl -sf -X PUT -H 'Content-Type: application/json' \
    -d '{"id":"bench","value":1,"updatedAt":"2026-01-01T00:00:00.000Z"}' \
    "http://127.0.0.1:$port/resources/bench" >/dev/null
curl -sf -X PUT -H 'Content-Type: application/json' --data-binary @"$work/fifty.json" \
    "http://127.0.0.1:$port/_admin/faults" >/dev/null
run_wrk get-50-rules "http://127.0.0.1:$port/resources/bench"
curl -sf -X DELETE "http://127.0.0.1:$port/_admin/faults" >/dev/null
run_wrk get-0-rules "http://127.0.0.1:$port/resources/bench"
stop_server

ref_rps=$(awk '$1 == "reference-get" {print $2}' "$results")
ref_put_rps=$(awk '$1 == "reference-put" {print $2}' "$results")
echo
echo "| case | req/s | 2xx/s | p99 | vs reference-get | vs same-client reference |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
awk -v ref="$ref_rps" -v refput="$ref_put_rps" '{
    same = ($1 ~ /put/) ? refput : ref
    printf "| %s | %.0f | %s | %s | %.0f%% | %.0f%% |\n", $1, $2, $3, $4, 100 * $2 / ref, 100 * $2 / same }' "$results"
with=$(awk '$1 == "get-50-rules" {print $2}' "$results")
without=$(awk '$1 == "get-0-rules" {print $2}' "$results")
awk -v a="$with" -v b="$without" 'BEGIN { printf "\n50 non-firing rules cost %.1f%% of GET throughput (target < 5%%)\n", 100 * (b - a) / b }'
