#!/usr/bin/python3
"""Bounded load for `conflictlab serve` (docs/performance.md "## Service").

Starts `conflictlab mock` and `conflictlab serve` on ephemeral ports, posts N
events from C concurrent keep-alive senders, and reports:
  intake/s   accepted events per second (202s, durable intake)
  e2e/s      events per second from the first POST until every event is
             finished (polled via /metrics)
for uniform keys (many resources) and one hot key, with no faults and with a
10% conflict rate (mock fault rule: 409 on 10% of PATCHes). Standard library
only. Usage: service_load.py BIN [--events N] [--senders C] [--sync full|normal]
"""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

LISTEN = re.compile(r"listening on https?://([^\s:]+):(\d+)")


def start(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    m = LISTEN.search(line)
    if not m:
        p.kill()
        sys.exit(f"did not start: {cmd[1]} {line!r}")
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p, m.group(1), int(m.group(2))


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def metric(host, port, name):
    c = http.client.HTTPConnection(host, port, timeout=10)
    text = request(c, "GET", "/metrics")[1].decode()
    c.close()
    m = re.search("^" + re.escape(name) + r" (\d+)$", text, re.M)
    return int(m.group(1)) if m else 0


def run(bin_path, events, senders, sync, hot, conflict_rate):
    tmp = tempfile.mkdtemp(prefix="service-load-")
    mock, mh, mp = start([bin_path, "mock", "--port", "0", "--threads", "1"])
    try:
        keys = ["hot"] if hot else [f"k-{i}" for i in range(256)]
        c = http.client.HTTPConnection(mh, mp, timeout=10)
        for k in keys:
            request(c, "PUT", f"/resources/{k}", json.dumps({"n": 0}),
                    {"Content-Type": "application/json"})
        if conflict_rate > 0:
            rules = {"seed": 1, "rules": [{"name": "conflicts", "match": {"methods": ["PATCH"]},
                                          "when": {"probability": conflict_rate},
                                          "then": {"status": 409}}]}
            request(c, "PUT", "/_admin/faults", json.dumps(rules),
                    {"Content-Type": "application/json"})
        c.close()
        policy = os.path.join(tmp, "policy.json")
        with open(policy, "w") as f:
            json.dump({"max_attempts": 5, "backoff": {"kind": "none"}}, f)
        serve, sh, sp = start([bin_path, "serve", "--target", f"http://{mh}:{mp}", "--policy",
                               policy, "--db", os.path.join(tmp, "events.db"), "--listen",
                               "127.0.0.1:0", "--sync", sync, "--queue-capacity", "1000000",
                               "--conflict-log", os.path.join(tmp, "conflicts.log")])
        try:
            per = events // senders
            codes = []

            def send(s):
                conn = http.client.HTTPConnection(sh, sp, timeout=30)
                for n in range(per):
                    body = json.dumps({"event_id": f"s{s}-{n}", "resource_id": keys[(s * per + n) % len(keys)],
                                       "method": "PATCH", "payload": {f"s{s}": n},
                                       "type": "updated"})
                    status, _ = request(conn, "POST", "/webhook", body,
                                        {"Content-Type": "application/json"})
                    codes.append(status)
                conn.close()

            t0 = time.monotonic()
            threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
            t_intake = time.monotonic() - t0
            total = per * senders
            deadline = time.monotonic() + 600
            finished = 0
            while time.monotonic() < deadline:
                finished = sum(metric(sh, sp, f'conflictlab_service_outcomes_total{{kind="{k}"}}')
                               for k in ("success", "resolved", "discarded", "failed"))
                if finished >= total:
                    break
                time.sleep(0.02)
            t_e2e = time.monotonic() - t0
            failed = metric(sh, sp, 'conflictlab_service_outcomes_total{kind="failed"}')
            return {"keys": "hot" if hot else "uniform", "conflict_rate": conflict_rate,
                    "events": total, "accepted": codes.count(202),
                    "intake_per_s": round(total / t_intake), "e2e_per_s": round(finished / t_e2e),
                    "failed": failed}
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=60)
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--events", type=int, default=4000)
    ap.add_argument("--senders", type=int, default=8)
    ap.add_argument("--sync", default="full", choices=["full", "normal"])
    a = ap.parse_args()
    for hot in (False, True):
        for rate in (0.0, 0.1):
            print(json.dumps(run(a.bin, a.events, a.senders, a.sync, hot, rate)), flush=True)


if __name__ == "__main__":
    main()
