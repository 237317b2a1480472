#!/usr/bin/env bash
# Soak: a bounded run of (a) the harness against an external mock server
# with a fault mix and (b) the webhook service under a steady event stream
# against a second mock server, side by side on loopback, sampling the RSS
# and open file descriptors of every process from /proc. Fails (exit 1) when,
# after the warm-up, memory or descriptors grow beyond the tolerances below,
# when an update is lost, or when a process dies. docs/reliability.md "Soak"
# has the figures of a full run.
#
#   scripts/soak.sh                         # 600 s, ./build (or $CONFLICTLAB_BIN)
#   SOAK_SECONDS=60 SOAK_DIR=/tmp/s scripts/soak.sh
#
# Settings (environment):
#   SOAK_SECONDS            run time, 10..3600 (default 600)
#   SOAK_SAMPLE_S           sampling period in seconds (default 5)
#   SOAK_WARMUP_S           warm-up excluded from the checks (default: a fifth
#                           of the run, at most 120)
#   SOAK_RSS_TOLERANCE_PCT  allowed growth of a server's RSS from the median of
#                           the first post-warm-up window to the median of the
#                           last window, in percent (default 10) ...
#   SOAK_RSS_SLACK_KB       ... plus this much, for allocator noise (default 8192)
#   SOAK_FD_SLACK           allowed growth of open descriptors, max of the last
#                           window over max of the first (default 16)
#   SOAK_HARNESS_BYTES_PER_OP  the harness keeps every operation for the
#                           checker, so its RSS grows with the operations done:
#                           growth after warm-up / operations after warm-up
#                           must stay under this (default 2048)
#   SOAK_EVENT_RATE         events per second posted to the service (default 100)
#   SOAK_DIR                where the CSV, logs and results go (default: a new
#                           directory under /tmp)
# Output: $SOAK_DIR/samples.csv (t_s,process,pid,rss_kb,fds), summary.txt (the
# figures and the verdict, also printed), and each process's logs.
# The fault rules of the harness's mock server are lifted 3 s before the
# end, so that the checker's final reads of that server are not faulted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
conflictlab=${CONFLICTLAB_BIN:-$root/build/harness/conflictlab}
python=${SOAK_PYTHON:-/usr/bin/python3}
seconds=${SOAK_SECONDS:-600}
sample_s=${SOAK_SAMPLE_S:-5}
rate=${SOAK_EVENT_RATE:-100}

die() { echo "soak: $*" >&2; exit 2; }
[[ -x $conflictlab ]] || die "conflictlab not found at $conflictlab (build it, or set CONFLICTLAB_BIN)"
[[ $seconds =~ ^[0-9]+$ ]] && (( seconds >= 10 && seconds <= 3600 )) ||
    die "SOAK_SECONDS must be an integer in [10, 3600], got '$seconds'"
[[ $sample_s =~ ^[0-9]+$ ]] && (( sample_s >= 1 && sample_s <= 60 )) ||
    die "SOAK_SAMPLE_S must be an integer in [1, 60], got '$sample_s'"
[[ $rate =~ ^[0-9]+$ ]] && (( rate >= 1 && rate <= 5000 )) ||
    die "SOAK_EVENT_RATE must be an integer in [1, 5000], got '$rate'"
default_warmup=$(( seconds / 5 < 120 ? seconds / 5 : 120 ))
export SOAK_WARMUP_S=${SOAK_WARMUP_S:-$default_warmup}
export SOAK_RSS_TOLERANCE_PCT=${SOAK_RSS_TOLERANCE_PCT:-10}
export SOAK_RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-8192}
export SOAK_FD_SLACK=${SOAK_FD_SLACK:-16}
export SOAK_HARNESS_BYTES_PER_OP=${SOAK_HARNESS_BYTES_PER_OP:-2048}
dir=${SOAK_DIR:-$(mktemp -d /tmp/conflictlab-soak.XXXXXX)}
mkdir -p "$dir"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Waits (bounded) for "listening on http://HOST:PORT" in $1; prints the URL.
wait_url() {
    local file=$1 line
    for _ in $(seq 1 150); do
        line=$(grep -m1 -o 'http://[^ ]*' "$file" 2>/dev/null || true)
        [[ -n $line ]] && { echo "$line"; return 0; }
        sleep 0.1
    done
    die "no listening line in $file: $(cat "${file%.out}.err" 2>/dev/null)"
}

# ---- (a) the harness against an external mock with a fault mix -------------
# history_limit: the mock keeps a bounded version history per resource; a
# small cap fills during the warm-up, so what remains is the steady state.
cat >"$dir/mock-a.json" <<'EOF'
{"history_limit": 200}
EOF
# The fault mix of scenarios/faults/mixed-10pct.json, dormant for the first
# 5 s so that the harness's seeding of the resources is not hit (an embedded
# target installs its rules after seeding; an external one cannot).
"$python" - "$root/scenarios/faults/mixed-10pct.json" "$dir/mock-a-faults.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
rules = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
for rule in rules["rules"]:
    rule.setdefault("when", {})["after_s"] = 5
json.dump(rules, open(sys.argv[2], "w"), indent=1)
PY
# --idle-timeout-ms: the harness reads the final state and history over the
# keep-alive connection it seeded with, and does not retry when the server
# has closed it meanwhile (docs/reliability.md, finding F7); keep it open.
"$conflictlab" mock --port 0 --config "$dir/mock-a.json" \
    --faults "$dir/mock-a-faults.json" --seed 11 --idle-timeout-ms $(( seconds + 600 > 3600 ? 3600000 : (seconds + 600) * 1000 )) \
    >"$dir/mock-a.out" 2>"$dir/mock-a.err" &
mock_a=$!; pids+=("$mock_a")
url_a=$(wait_url "$dir/mock-a.out")

cat >"$dir/soak-scenario.json" <<EOF
{
  "name": "soak",
  "description": "register workload under a 10 % fault mix for the soak run",
  "seed": 7,
  "writers": 16,
  "workload": {"kind": "register", "resources": 64, "duration_s": $seconds, "think_time_ms": 20},
  "target": {"kind": "external", "url": "$url_a"},
  "policy": {"strategy": "overwrite", "timestamp_pointer": "/updated_at",
             "discard_if_stale": true, "max_attempts": 20,
             "backoff": {"kind": "full-jitter", "base_ms": 2, "cap_ms": 200}},
  "client": {"threads": 2},
  "expect": ["lost_updates == 0", "wrong_discards == 0"]
}
EOF
"$conflictlab" run "$dir/soak-scenario.json" --no-progress --json "$dir/run.json" \
    >"$dir/run.out" 2>"$dir/run.err" &
harness=$!; pids+=("$harness")

# ---- (b) the service under a steady event stream -----------------------------
cat >"$dir/mock-b-faults.json" <<'EOF'
{"rules": [
  {"name": "foreign-writer", "match": {"methods": ["PATCH"]}, "when": {"probability": 0.03},
   "then": {"foreign_write": {"merge_patch": {"touched_by": "foreign-writer"}}}},
  {"name": "unavailable", "match": {"methods": ["PATCH"]}, "when": {"probability": 0.02},
   "then": {"status": 503, "retry_after_s": 0}}
]}
EOF
"$conflictlab" mock --port 0 --config "$dir/mock-a.json" --faults "$dir/mock-b-faults.json" \
    --seed 13 >"$dir/mock-b.out" 2>"$dir/mock-b.err" &
mock_b=$!; pids+=("$mock_b")
url_b=$(wait_url "$dir/mock-b.out")
cat >"$dir/policy.json" <<'EOF'
{"strategy": "merge", "max_attempts": 10, "backoff": {"kind": "full-jitter", "base_ms": 2, "cap_ms": 100}}
EOF
"$conflictlab" serve --target "$url_b" --policy "$dir/policy.json" --db "$dir/events.db" \
    --listen 127.0.0.1:0 --sync normal --conflict-log "$dir/conflicts.log" \
    >"$dir/serve.out" 2>"$dir/serve.err" &
serve=$!; pids+=("$serve")
url_s=$(wait_url "$dir/serve.out")

echo "soak: ${seconds}s, sampling every ${sample_s}s, warm-up ${SOAK_WARMUP_S}s; output in $dir"
echo "soak: mock-a $url_a (pid $mock_a), harness pid $harness, mock-b $url_b (pid $mock_b), serve $url_s (pid $serve)"

# The event stream and the sampler run in one Python process (standard
# library only): events on one keep-alive connection at a steady rate, round
# robin over 32 resources; a sample of every process every $sample_s s.
export SOAK_URL_A=$url_a SOAK_URL_B=$url_b SOAK_URL_S=$url_s SOAK_SECONDS=$seconds \
    SOAK_SAMPLE_S=$sample_s SOAK_EVENT_RATE=$rate SOAK_OUT=$dir \
    SOAK_PIDS="mock-a:$mock_a,harness:$harness,mock-b:$mock_b,serve:$serve"
set +e
"$python" - <<'PY'
import http.client, json, os, threading, time
from urllib.parse import urlparse

env = os.environ
seconds = int(env["SOAK_SECONDS"]); sample_s = int(env["SOAK_SAMPLE_S"])
rate = int(env["SOAK_EVENT_RATE"]); out = env["SOAK_OUT"]
procs = dict(p.split(":") for p in env["SOAK_PIDS"].split(","))
procs = {name: int(pid) for name, pid in procs.items()}
RESOURCES = [f"soak-{i}" for i in range(32)]

def hostport(url):
    u = urlparse(url); return u.hostname, u.port

def sample(pid):
    rss = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(")")[-1].split()[0] == "Z":
                return None  # exited, not yet reaped
    except FileNotFoundError:
        return None
    return rss, fds

# Create the service's resources on its target.
mh, mp = hostport(env["SOAK_URL_B"])
for r in RESOURCES:
    c = http.client.HTTPConnection(mh, mp, timeout=10)
    c.request("PUT", f"/resources/{r}", body=json.dumps({"created": True}),
              headers={"Content-Type": "application/json"})
    c.getresponse().read(); c.close()

sent = {"202": 0, "other": {}, "errors": 0}
last_accepted = {}           # resource -> last event id answered 202
stop = threading.Event()

def stream():
    sh, sp = hostport(env["SOAK_URL_S"])
    conn = None
    n = 0
    start = time.monotonic()
    while not stop.is_set():
        due = start + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        resource = RESOURCES[n % len(RESOURCES)]
        eid = f"ev-{n}"
        body = json.dumps({"event_id": eid, "resource_id": resource, "method": "PATCH",
                           "payload": {"last": eid, "n": n}})
        n += 1
        for attempt in range(2):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(sh, sp, timeout=30)
                conn.request("POST", "/webhook", body=body,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse(); r.read()
                if r.status == 202:
                    sent["202"] += 1
                    last_accepted[resource] = eid
                else:
                    sent["other"][r.status] = sent["other"].get(r.status, 0) + 1
                if r.getheader("Connection", "").lower() == "close":
                    conn.close(); conn = None
                break
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                if attempt == 1:
                    sent["errors"] += 1

streamer = threading.Thread(target=stream, daemon=True)
streamer.start()

def remove_faults_a():
    # The checker's final reads go through the same server: an external
    # target cannot lift the rules for them as the embedded one does, so
    # the soak lifts them just before the writers stop.
    ah, ap = hostport(env["SOAK_URL_A"])
    try:
        c = http.client.HTTPConnection(ah, ap, timeout=10)
        c.request("DELETE", "/_admin/faults"); c.getresponse().read(); c.close()
    except OSError:
        pass

rows = []
dead = []
t0 = time.monotonic()
harness_done_at = None
faults_removed = False
with open(os.path.join(out, "samples.csv"), "w") as csv:
    csv.write("t_s,process,pid,rss_kb,fds\n")
    while True:
        t = time.monotonic() - t0
        for name, pid in procs.items():
            s = sample(pid)
            if s is None:
                if name == "harness":
                    if harness_done_at is None:
                        harness_done_at = t
                    continue
                if name not in dead:
                    dead.append(name)
                continue
            rows.append((t, name, s[0], s[1]))
            csv.write(f"{t:.1f},{name},{pid},{s[0]},{s[1]}\n")
        csv.flush()
        if not faults_removed and t >= seconds - 3:
            remove_faults_a()
            faults_removed = True
        if t >= seconds or dead:
            break
        time.sleep(max(0.0, sample_s - (time.monotonic() - t0 - t)))
stop.set()
streamer.join(timeout=60)

# Let the service drain, then read its outcomes.
sh, sp = hostport(env["SOAK_URL_S"])
def metrics():
    c = http.client.HTTPConnection(sh, sp, timeout=10)
    c.request("GET", "/metrics"); text = c.getresponse().read().decode(); c.close()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            values[k] = float(v)
    return values
m = {}
deadline = time.monotonic() + 120
while time.monotonic() < deadline and not dead:
    try:
        m = metrics()
    except OSError:
        dead.append("serve"); break
    if (m.get('conflictlab_service_events{state="queued"}', 1) == 0
            and m.get('conflictlab_service_events{state="running"}', 1) == 0
            and m.get('conflictlab_service_events{state="storing"}', 1) == 0):
        break
    time.sleep(0.5)
outcome = {k: m.get(f'conflictlab_service_outcomes_total{{kind="{k}"}}', 0)
           for k in ("success", "resolved", "discarded", "failed")}
accepted = m.get('conflictlab_service_webhooks_total{result="accepted"}', 0)
# Every accepted event ended Success or Resolved, and each resource's final
# state is its last accepted event (per-resource order, nothing lost).
stale = []
for r, eid in last_accepted.items():
    c = http.client.HTTPConnection(mh, mp, timeout=10)
    c.request("GET", f"/resources/{r}"); doc = json.loads(c.getresponse().read()); c.close()
    if doc.get("last") != eid:
        stale.append((r, doc.get("last"), eid))

with open(os.path.join(out, "stream.json"), "w") as f:
    json.dump({"sent_202": sent["202"], "other": sent["other"], "errors": sent["errors"],
               "accepted": accepted, "outcomes": outcome, "stale_resources": stale}, f)
with open(os.path.join(out, "rows.json"), "w") as f:
    json.dump({"rows": rows, "dead": dead, "harness_done_at": harness_done_at}, f)
PY
status=$?
set -e
(( status == 0 )) || die "the stream/sampler failed (exit $status)"

# Wait for the harness to finish its run (its duration plus in-flight work).
harness_rc=0
for _ in $(seq 1 600); do kill -0 "$harness" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$harness" 2>/dev/null; then
    harness_rc=124
else
    wait "$harness" || harness_rc=$?
fi

"$python" - "$dir" "$harness_rc" <<'PY'
import json, os, statistics, sys
out, harness_rc = sys.argv[1], int(sys.argv[2])
env = os.environ
warmup = float(env["SOAK_WARMUP_S"]); tol = float(env["SOAK_RSS_TOLERANCE_PCT"]) / 100
slack_kb = float(env["SOAK_RSS_SLACK_KB"]); fd_slack = int(env["SOAK_FD_SLACK"])
bytes_per_op = float(env["SOAK_HARNESS_BYTES_PER_OP"])
data = json.load(open(os.path.join(out, "rows.json")))
stream = json.load(open(os.path.join(out, "stream.json")))
rows, dead = data["rows"], list(data["dead"])
failures = []
lines = []

run = {}
try:
    run = json.load(open(os.path.join(out, "run.json")))
except (OSError, ValueError):
    failures.append("harness: no results file (run.json)")
def find(doc, key):
    if isinstance(doc, dict):
        if key in doc and not isinstance(doc[key], (dict, list)):
            return doc[key]
        for v in doc.values():
            r = find(v, key)
            if r is not None:
                return r
    return None
harness_lost = find(run, "lost_updates")
harness_ops = find(run, "ops") or find(run, "operations") or 0
if harness_rc != 0:
    failures.append(f"harness: exit code {harness_rc} (see run.out / run.err)")

lines.append(f"{'process':8} {'samples':>7} {'rss start':>10} {'rss warm':>10} {'rss end':>10} "
             f"{'rss peak':>10} {'fds start':>9} {'fds warm':>8} {'fds end':>7} {'fds peak':>8}")
for name in ("mock-a", "harness", "mock-b", "serve"):
    mine = [r for r in rows if r[1] == name]
    if not mine:
        failures.append(f"{name}: no samples")
        continue
    after = [r for r in mine if r[0] >= warmup]
    if len(after) < 4:
        failures.append(f"{name}: fewer than 4 samples after the warm-up")
        continue
    window = max(2, len(after) // 10)
    first, last = after[:window], after[-window:]
    rss_warm = statistics.median(r[2] for r in first)
    rss_end = statistics.median(r[2] for r in last)
    fd_warm, fd_end = max(r[3] for r in first), max(r[3] for r in last)
    lines.append(f"{name:8} {len(mine):>7} {mine[0][2]:>8}kB {rss_warm:>8.0f}kB {rss_end:>8.0f}kB "
                 f"{max(r[2] for r in mine):>8}kB {mine[0][3]:>9} {fd_warm:>8} {fd_end:>7} "
                 f"{max(r[3] for r in mine):>8}")
    if fd_end > fd_warm + fd_slack:
        failures.append(f"{name}: open descriptors grew from {fd_warm} to {fd_end} "
                        f"(tolerance +{fd_slack})")
    if name == "harness":
        # The harness keeps every operation for the checker: growth per op.
        span = last[-1][0] - first[0][0]
        total = mine[-1][0] - mine[0][0]
        ops_after = harness_ops * span / total if total > 0 else 0
        if ops_after > 0:
            per_op = (rss_end - rss_warm) * 1024 / ops_after
            lines.append(f"harness  growth after warm-up {per_op:.0f} B per operation "
                         f"({harness_ops} operations in all; tolerance {bytes_per_op:.0f} B/op)")
            if per_op > bytes_per_op:
                failures.append(f"harness: RSS grew {per_op:.0f} B per operation "
                                f"(tolerance {bytes_per_op:.0f})")
    elif rss_end > rss_warm * (1 + tol) + slack_kb:
        failures.append(f"{name}: RSS grew from {rss_warm:.0f} kB to {rss_end:.0f} kB "
                        f"(tolerance {tol * 100:.0f}% + {slack_kb:.0f} kB)")
for name in dead:
    failures.append(f"{name}: the process died during the run")

service_lost = (stream["accepted"] - stream["outcomes"]["success"]
                - stream["outcomes"]["resolved"]) + len(stream["stale_resources"])
lines.append(f"harness  lost updates {harness_lost}, operations {harness_ops}, exit {harness_rc}")
lines.append(f"service  events 202 {stream['sent_202']}, accepted {stream['accepted']:.0f}, "
             f"outcomes {json.dumps(stream['outcomes'])}, other answers {stream['other']}, "
             f"transport errors {stream['errors']}, lost {service_lost:.0f}")
if harness_lost is None:
    failures.append("harness: lost_updates missing from run.json")
elif harness_lost != 0:
    failures.append(f"harness: {harness_lost} lost updates")
if service_lost != 0:
    failures.append(f"service: {service_lost:.0f} accepted events not applied "
                    f"(stale resources: {stream['stale_resources'][:5]})")
if stream["sent_202"] != stream["accepted"]:
    failures.append(f"service: {stream['sent_202']} answered 202 but {stream['accepted']:.0f} "
                    f"counted accepted")

verdict = "PASS" if not failures else "FAIL"
text = "\n".join(lines + [f"{verdict}" + ("" if not failures else ": " + "; ".join(failures))])
print(text)
open(os.path.join(out, "summary.txt"), "w").write(text + "\n")
sys.exit(0 if not failures else 1)
PY
