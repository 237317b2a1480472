#!/usr/bin/python3
"""Bounded load for `conflictlab serve --queue redis://` with 1, 2 and 3
instances (docs/performance.md "## Scale-out", docs/scale-out.md).

For each instance count N: starts redis-server (loopback ephemeral port,
temporary directory, AOF appendfsync everysec), `conflictlab mock` and N
`conflictlab serve --queue redis://...` instances, waits until every
partition is owned, posts EVENTS PATCH events over 256 uniform resources from
C keep-alive senders spread round-robin over the instances, and reports
  intake/s  events answered 202 per second (appended to Redis)
  e2e/s     events per second from the first POST until every partition's
            lag is 0 (every outcome committed)
Then, with 3 instances, a hot-key burst (80% of the events on one resource,
the rest uniform) sampling every partition's lag (conflictlab_queue_
partition_lag) every 100 ms: the peak lag per partition and the time until
each drained. Standard library only; every wait is bounded.
Usage: scaleout_load.py BIN [--events N] [--senders C] [--partitions P]
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

LISTEN = re.compile(r"listening on https?://([^\s:]+):(\d+)")


def fnv1a_64(data):
    """The service's partitioner (service/src/partitioner.cpp)."""
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    m = LISTEN.search(line)
    if not m:
        p.kill()
        sys.exit(f"did not start: {cmd[1]} {line!r}")
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p, m.group(1), int(m.group(2))


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)


def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def metrics(host, port):
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        return request(c, "GET", "/metrics")[1].decode()
    finally:
        c.close()


def lags(host, port):
    return {int(p): int(v) for p, v in re.findall(
        r'^conflictlab_queue_partition_lag\{partition="(\d+)"\} (\d+)$', metrics(host, port), re.M)}


def owned(host, port):
    return len(re.findall(r"^conflictlab_queue_partition_owner\{", metrics(host, port), re.M))


class Cluster:
    def __init__(self, bin_path, instances, partitions):
        self.tmp = tempfile.mkdtemp(prefix="scaleout-load-")
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--dir", self.tmp, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.mock, mh, mp = start([bin_path, "mock", "--port", "0", "--threads", "1"])
        self.mock_addr = (mh, mp)
        policy = os.path.join(self.tmp, "policy.json")
        with open(policy, "w") as f:
            json.dump({"max_attempts": 5, "backoff": {"kind": "none"}}, f)
        self.serves = []
        for i in range(instances):
            p, h, port = start([bin_path, "serve", "--target", f"http://{mh}:{mp}", "--policy",
                                policy, "--queue", f"redis://127.0.0.1:{self.redis_port}",
                                "--instance-id", f"bench-{i}", "--partitions", str(partitions),
                                "--outcome-log", os.path.join(self.tmp, f"bench-{i}.jsonl"),
                                "--listen", "127.0.0.1:0", "--queue-capacity", "1000000",
                                "--conflict-log", os.path.join(self.tmp, "conflicts.log")])
            self.serves.append((p, h, port))
        deadline = time.monotonic() + 60
        h, port = self.serves[0][1], self.serves[0][2]
        while owned(h, port) < partitions and time.monotonic() < deadline:
            time.sleep(0.05)
        # Every instance joined: wait until the owners settled (rebalanced).
        while time.monotonic() < deadline:
            owners = set(re.findall(r'owner="([^"]+)"', metrics(h, port)))
            if len(owners) == instances:
                break
            time.sleep(0.05)

    def create(self, keys):
        c = http.client.HTTPConnection(*self.mock_addr, timeout=10)
        for k in keys:
            request(c, "PUT", f"/resources/{k}", json.dumps({"n": 0}))
        c.close()

    def close(self):
        for p, _, _ in self.serves:
            stop(p)
        stop(self.mock)
        stop(self.redis)
        shutil.rmtree(self.tmp, ignore_errors=True)


def burst(cluster, events, senders, pick, tag, sample=None):
    per = events // senders
    codes = []
    lock = threading.Lock()

    def send(s):
        rnd = random.Random(s)
        _, h, port = cluster.serves[s % len(cluster.serves)]
        conn = http.client.HTTPConnection(h, port, timeout=30)
        for n in range(per):
            body = json.dumps({"event_id": f"{tag}-s{s}-{n}", "resource_id": pick(rnd),
                               "method": "PATCH", "payload": {f"s{s}": n}, "type": "updated"})
            status, _ = request(conn, "POST", "/webhook", body)
            with lock:
                codes.append(status)
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
    for t in threads:
        t.start()
    _, h, port = cluster.serves[0]
    samples = []
    intake_done = None
    deadline = t0 + 600
    while time.monotonic() < deadline:
        if intake_done is None and not any(t.is_alive() for t in threads):
            intake_done = time.monotonic()
        lag = lags(h, port)
        if sample is not None:
            samples.append((time.monotonic() - t0, lag))
        if intake_done is not None and sum(lag.values()) == 0:
            break
        time.sleep(0.1 if sample is not None else 0.02)
    t_e2e = time.monotonic() - t0
    total = per * senders
    return {"events": total, "accepted": codes.count(202),
            "intake_per_s": round(total / (intake_done - t0)), "e2e_per_s": round(total / t_e2e),
            "samples": samples}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--events", type=int, default=6000)
    ap.add_argument("--senders", type=int, default=6)
    ap.add_argument("--partitions", type=int, default=8)
    a = ap.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server not found (scripts/setup.sh)")
    keys = [f"k-{i}" for i in range(256)]
    for n in (1, 2, 3):
        c = Cluster(a.bin, n, a.partitions)
        try:
            c.create(keys)
            r = burst(c, a.events, a.senders, lambda rnd: rnd.choice(keys), f"u{n}")
            r.pop("samples")
            print(json.dumps({"instances": n, "keys": "uniform", **r}), flush=True)
        finally:
            c.close()
    c = Cluster(a.bin, 3, a.partitions)
    try:
        c.create(keys + ["hot"])
        r = burst(c, a.events, a.senders,
                  lambda rnd: "hot" if rnd.random() < 0.8 else rnd.choice(keys), "h", sample=True)
        samples = r.pop("samples")
        peak = {}
        drained = {}
        for t, lag in samples:
            for p, v in lag.items():
                peak[p] = max(peak.get(p, 0), v)
                if v > 0:
                    drained[p] = round(t + 0.1, 1)
        owners = dict(re.findall(r'^conflictlab_queue_partition_owner\{partition="(\d+)",owner="([^"]+)"\} 1$',
                                 metrics(c.serves[0][1], c.serves[0][2]), re.M))
        print(json.dumps({"instances": 3, "keys": "80% one hot key", **r,
                          "hot_partition": fnv1a_64(b"hot") % a.partitions}), flush=True)
        for p in sorted(peak):
            print(json.dumps({"partition": p, "owner": owners.get(str(p)), "peak_lag": peak[p],
                              "drained_after_s": drained.get(p, 0.0)}), flush=True)
    finally:
        c.close()


if __name__ == "__main__":
    main()
