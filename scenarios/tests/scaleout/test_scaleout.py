"""End to end: `conflictlab serve --queue redis://...` scaled out to several
instances in front of `conflictlab mock` (docs/scale-out.md).

A real `redis-server` runs on a loopback ephemeral port in a temporary
directory (AOF on, appendfsync always), is bounded in time and always stopped.
Every wait is a poll with a deadline; no assertion depends on timing.
"Applied exactly once, in order, nothing lost" is checked on the mock's
per-resource history (/_admin/history/{id}): the service sends X-Op-Id = event
id, so each 202'd event must appear there exactly once, and the events one
sender posted for one resource (each after the previous one's 202) must appear
in the order it posted them. Standard library only.
"""

import http.client
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from binaries import REQUEST_TIMEOUT_S, START_TIMEOUT_S, STOP_TIMEOUT_S, run_cli
from serve_process import ServeProcess

SETTLE_S = 120  # upper bound for a burst to be fully processed on a slow box
PARTITIONS = 8
LEASE_TTL_MS = 1500
POLICY = {"max_attempts": 5, "backoff": {"kind": "none"}}


def partition_of(resource_id, partitions=PARTITIONS):
    """The service's partitioner: 64-bit FNV-1a mod P (service/src/partitioner.cpp)."""
    h = 14695981039346656037
    for b in resource_id.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h % partitions


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """redis-server on 127.0.0.1:<ephemeral> with its files in `directory`."""

    def __init__(self, directory):
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail("redis-server not found: run scripts/setup.sh (Debian package redis-server)")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.ping():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError("redis-server did not answer PING")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def command(self, *words):
        """One inline command (words without spaces); the reply line, decoded."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=REQUEST_TIMEOUT_S) as s:
            s.sendall((" ".join(words) + "\r\n").encode())
            return s.makefile("rb").readline().decode().rstrip("\r\n")

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)


class Instance(ServeProcess):
    """A running `conflictlab serve --queue redis://...`."""

    def __init__(self, mock_url, redis_url, policy, instance_id, log, *args):
        self.id = instance_id
        self.log = log
        super().__init__(["--target", mock_url, "--policy", policy,
                          "--queue", redis_url, "--instance-id", instance_id,
                          "--partitions", str(PARTITIONS), "--lease-ttl-ms", str(LEASE_TTL_MS),
                          "--outcome-log", log, "--listen", "127.0.0.1:0",
                          "--conflict-log", log + ".conflicts", "--stop-grace-ms", "5000", *args])
        self.joined = self.next_line()

    def request(self, method, path, body=None):
        """(status, body bytes), JSON content type."""
        status, _, data = self.call(method, path, body, {"Content-Type": "application/json"})
        return status, data


@pytest.fixture
def cluster(tmp_path, start_mock, write_json):
    """(redis, mock, start_instance): start_instance(id) -> Instance; every
    process is stopped at teardown, Redis last."""
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis = RedisProcess(redis_dir)
    started = []
    try:
        mock = start_mock()
        policy = write_json("policy.json", POLICY)

        def start_instance(instance_id, *args, log=None):
            p = Instance(mock.base_url, redis.url, policy, instance_id,
                         log or str(tmp_path / f"{instance_id}.outcomes.jsonl"), *args)
            started.append(p)
            return p

        yield redis, mock, start_instance
    finally:
        for p in started:
            p.stop()
        redis.stop()


def create(mock, resource):
    r = mock.client.put(f"/resources/{resource}", {"created": True})
    assert r.status in (200, 201), r


def history_ops(mock, resource):
    r = mock.client.get(f"/_admin/history/{resource}")
    assert r.status == 200, r
    return [e["op_id"] for e in r.json()["entries"] if e["op_id"]]


def event(eid, resource):
    return {"event_id": eid, "resource_id": resource, "method": "PATCH",
            "payload": {"last": eid, "seen": {eid: True}}, "type": "updated"}


def owners(instance):
    return dict(re.findall(r'^conflictlab_queue_partition_owner\{partition="(\d+)",owner="([^"]+)"\} 1$',
                           instance.metrics(), re.M))


def wait_for(pred, what, deadline_s=SETTLE_S):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    assert pred(), f"not within {deadline_s}s: {what}"


def test_burst_with_kill_9_and_a_joining_instance_applies_every_202_exactly_once_in_order(cluster):
    redis, mock, start_instance = cluster
    hot = ["hot-0", "hot-1"]
    cold = [f"cold-{i}" for i in range(24)]
    for r in hot + cold:
        create(mock, r)
    # Slow the writes so the hot resources build a backlog: the kill then lands
    # with events pending and in flight.
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 20}}]})
    instances = [start_instance(f"i-{n}") for n in (1, 2, 3)]
    wait_for(lambda: len(owners(instances[0])) == PARTITIONS
             and set(owners(instances[0]).values()) == {"i-1", "i-2", "i-3"},
             "three instances share every partition")

    senders, per_sender = 6, 90
    accepted = {}  # event id -> resource, every 202
    sent_order = {}  # (sender, resource) -> event ids 202'd, in posting order
    lock = threading.Lock()
    errors = []
    progress = [0]
    live = list(instances)

    def send(sender):
        rnd = random.Random(1000 + sender)
        try:
            for n in range(per_sender):
                resource = rnd.choice(hot) if rnd.random() < 0.5 else rnd.choice(cold)
                eid = f"s{sender}-{n}"
                body = json.dumps(event(eid, resource))
                # Any instance accepts any event: round-robin, skipping dead ones.
                for attempt in range(8):
                    with lock:
                        target = live[(sender + n + attempt) % len(live)]
                    try:
                        status, answer = target.request("POST", "/webhook", body)
                    except (ConnectionError, OSError, http.client.HTTPException):
                        continue  # not acknowledged: post it again elsewhere (same event id)
                    if status in (200, 202):  # 200: a retry found it already queued
                        break
                    assert status == 503, (status, answer)
                else:
                    raise AssertionError(f"{eid}: no instance accepted it")
                with lock:
                    accepted[eid] = resource
                    sent_order.setdefault((sender, resource), []).append(eid)
                    progress[0] += 1
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
    for t in threads:
        t.start()
    total = senders * per_sender
    wait_for(lambda: progress[0] >= total // 3, "a third of the burst accepted")
    # The victim is the owner of hot-0's partition: it surely holds a backlog.
    victim_id = owners(instances[0])[str(partition_of("hot-0"))]
    victim = next(i for i in instances if i.id == victim_id)
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=STOP_TIMEOUT_S)
    with lock:
        live.remove(victim)
    wait_for(lambda: progress[0] >= 2 * total // 3, "two thirds of the burst accepted")
    joiner = start_instance("i-4")
    with lock:
        live.append(joiner)
    for t in threads:
        t.join(timeout=SETTLE_S)
    assert not errors, errors
    assert len(accepted) == total

    resources = hot + cold
    survivors = [i for i in instances if i is not victim] + [joiner]

    def settled():
        if survivors[0].metric_sum("conflictlab_queue_partition_lag") != 0:
            return False
        applied = {o for r in resources for o in history_ops(mock, r)}
        return set(accepted) <= applied

    wait_for(settled, "every accepted event applied and every partition's lag 0")
    # The partitions moved: the dead instance owns nothing, the joiner some.
    final_owners = owners(survivors[0])
    assert len(final_owners) == PARTITIONS
    assert victim.id not in final_owners.values()
    wait_for(lambda: "i-4" in owners(survivors[0]).values(), "the joiner owns partitions")

    for r in resources:
        ops = history_ops(mock, r)
        assert len(ops) == len(set(ops)), f"{r}: an event was applied twice: {ops}"
        assert set(ops) <= set(accepted), f"{r}: an unknown write: {set(ops) - set(accepted)}"
        assert {e for e, res in accepted.items() if res == r} == set(ops), f"{r}: lost events"
        for (sender, resource), posted in sent_order.items():
            if resource == r:
                assert [o for o in ops if o in posted] == posted, \
                    f"{r}: sender {sender}'s events out of order"
        state = mock.client.get(f"/resources/{r}").json()
        assert set(state.get("seen", {})) == set(ops)
        if ops:
            assert state["last"] == ops[-1]
    # The dead instance's pending entries were taken over (XAUTOCLAIM).
    redelivered = sum(s.metric_sum("conflictlab_queue_redelivered_total") for s in survivors)
    assert redelivered > 0, "the kill should leave pending entries for the next owner"

    # One merged view of the four local logs, with the committed state.
    for s in survivors:
        assert s.stop() == 0
    logs = [i.log for i in instances] + [joiner.log]
    r = run_cli("outcomes", *logs, "--queue", redis.url)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    by_event = {line["event_id"]: line for line in lines}
    assert set(accepted) <= set(by_event), "an applied event is missing from the merged logs"
    for eid in accepted:
        committed = by_event[eid]["committed"]
        assert committed and committed["state"] in ("success", "resolved"), by_event[eid]
    assert "merged" in r.stderr


def test_absent_redis_is_a_clear_error_exit_2(tmp_path, write_json):
    policy = write_json("p.json", POLICY)
    port = free_port()  # nothing listens there
    started = time.monotonic()
    r = run_cli("serve", "--target", "http://127.0.0.1:1", "--policy", policy,
                "--queue", f"redis://127.0.0.1:{port}", "--redis-wait-ms", "600",
                "--outcome-log", str(tmp_path / "o.jsonl"), "--listen", "127.0.0.1:0")
    assert r.returncode == 2, r.stderr
    assert f"redis 127.0.0.1:{port}: not reachable after 600 ms" in r.stderr
    assert time.monotonic() - started < 30  # bounded, not a timing assertion on the value
    r = run_cli("serve", "--target", "http://127.0.0.1:1", "--policy", policy,
                "--queue", "redis:/nope", "--outcome-log", str(tmp_path / "o.jsonl"))
    assert r.returncode == 2 and "--queue" in r.stderr


def test_instances_must_agree_on_the_partition_count(cluster):
    redis, mock, start_instance = cluster
    first = start_instance("p-1")
    assert "(8 partitions)" in first.joined
    r = run_cli("serve", "--target", mock.base_url, "--policy", write_policy(first.log),
                "--queue", redis.url, "--partitions", "4",
                "--outcome-log", first.log + ".other", "--listen", "127.0.0.1:0")
    assert r.returncode == 2, r.stderr
    assert "created with 8 partitions" in r.stderr


def write_policy(near):
    path = near + ".policy.json"
    with open(path, "w") as f:
        json.dump(POLICY, f)
    return path


def test_duplicate_event_ids_across_instances_are_applied_once(cluster):
    redis, mock, start_instance = cluster
    create(mock, "d-1")
    a = start_instance("d-a")
    b = start_instance("d-b")
    status, body = a.request("POST", "/webhook", json.dumps(event("dup-1", "d-1")))
    assert status == 202, body
    cid = json.loads(body)["correlation_id"]
    status, body = b.request("POST", "/webhook", json.dumps(event("dup-1", "d-1")))
    assert status == 200 and json.loads(body)["duplicate"] is True
    assert json.loads(body)["correlation_id"] == cid
    wait_for(lambda: history_ops(mock, "d-1") == ["dup-1"], "the event applied")

    def finished():
        status, body = b.request("GET", "/events/" + cid)
        return status == 200 and json.loads(body)["state"] == "success"

    wait_for(finished, "any instance reports the final state")
    assert history_ops(mock, "d-1") == ["dup-1"]


def test_outcomes_merges_logs_per_correlation_id(tmp_path):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    rec = {"correlation_id": "c-1", "event_id": "e-1", "resource_id": "r-1", "kind": "success",
           "path": "direct", "reason": "none", "attempts": 1}
    a.write_text(json.dumps(rec) + "\n" + json.dumps({**rec, "correlation_id": "c-2",
                                                      "event_id": "e-2"}) + "\n")
    b.write_text(json.dumps({**rec, "kind": "resolved", "path": "refetch>already-applied"}) + "\n")
    r = run_cli("outcomes", str(a), str(b))
    assert r.returncode == 0, r.stderr
    lines = {x["correlation_id"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert set(lines) == {"c-1", "c-2"}
    assert lines["c-1"]["outcome"] == "conflicting"
    assert [x["log"] for x in lines["c-1"]["records"]] == [str(a), str(b)]
    assert lines["c-2"]["outcome"] == "success" and len(lines["c-2"]["records"]) == 1
    assert "merged 3 records from 2 logs into 2 correlation ids (1 with several records)" in r.stderr
    r = run_cli("outcomes", str(a), "--correlation-id", "c-2")
    assert [json.loads(x)["correlation_id"] for x in r.stdout.splitlines()] == ["c-2"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rec) + "\n{not json\n")
    r = run_cli("outcomes", str(bad))
    assert r.returncode == 2
    assert f"{bad}:2: not an outcome record" in r.stderr
    r = run_cli("outcomes", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "cannot read the file" in r.stderr


def test_a_paused_owner_is_fenced_and_its_successor_keeps_order(cluster):
    """SIGSTOP the owner of a busy resource for longer than its lease: the
    other instance takes the partition over (XAUTOCLAIM + verify step); when
    the paused one resumes, Redis refuses its commits (the fencing token is
    checked in the commit script) and it starts nothing more under the old
    lease. The target's history still has every event exactly once, in order."""
    redis, mock, start_instance = cluster
    a = start_instance("z-a")
    b = start_instance("z-b")
    wait_for(lambda: set(owners(a).values()) == {"z-a", "z-b"}, "both instances own partitions")
    held_by_a = {int(p) for p, o in owners(a).items() if o == "z-a"}
    resource = next(f"z-{n}" for n in range(1000) if partition_of(f"z-{n}") in held_by_a)
    create(mock, resource)
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 100}}]})
    posted = [f"z-e{n}" for n in range(20)]
    for eid in posted:
        status, body = b.request("POST", "/webhook", json.dumps(event(eid, resource)))
        assert status == 202, body
    wait_for(lambda: len(history_ops(mock, resource)) >= 2, "a started the burst")
    a.proc.send_signal(signal.SIGSTOP)
    try:
        p = str(partition_of(resource))
        wait_for(lambda: owners(b).get(p) == "z-b", "b took the partition over")
        wait_for(lambda: set(posted) <= set(history_ops(mock, resource)),
                 "b applied the rest")
    finally:
        a.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: a.metric_sum("conflictlab_queue_commits_total{result=\"fenced\"}")
             + a.metric_sum("conflictlab_queue_skipped_total") >= 1,
             "the resumed instance noticed it had lost the lease")
    ops = history_ops(mock, resource)
    assert len(ops) == len(set(ops)), f"an event was applied twice: {ops}"
    assert ops == posted, "per-resource order across the takeover"
    assert b.metric_sum("conflictlab_queue_redelivered_total") >= 1


def test_a_full_partition_backlog_gets_429_with_retry_after(cluster):
    redis, mock, start_instance = cluster
    create(mock, "q-1")
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 4000}}]})
    a = start_instance("q-a", "--queue-capacity", "3", "--retry-after-s", "2")
    statuses = [a.request("POST", "/webhook", json.dumps(event(f"q-{n}", "q-1")))[0]
                for n in range(8)]
    assert statuses[:3] == [202, 202, 202], statuses
    assert 429 in statuses, statuses
    conn = http.client.HTTPConnection(a.host, a.port, timeout=REQUEST_TIMEOUT_S)
    conn.request("POST", "/webhook", json.dumps(event("q-x", "q-1")),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 429 and resp.getheader("Retry-After") == "2"
    conn.close()
    m = a.metrics()
    assert 'conflictlab_service_webhooks_total{result="throttled"}' in m
    # The first event is in flight (delivered, not committed), the others wait.
    p = partition_of("q-1")
    assert f'conflictlab_queue_partition_lag{{partition="{p}"}} 3' in m, m

    def pending():
        return a.metric_sum(f'conflictlab_queue_partition_pending{{partition="{p}"}}')

    wait_for(lambda: pending() >= 1, "the first event delivered to its owner")
    assert pending() <= 3
    assert f'conflictlab_queue_partition_owner{{partition="{p}",owner="q-a"}} 1' in m


def status_of(instance, cid):
    status, body = instance.request("GET", "/events/" + cid)
    assert status == 200, body
    return json.loads(body)


def test_replay_of_failed_events_requeues_them_into_their_partition(cluster):
    """`replay --failed --queue redis://...`: events whose committed outcome
    is failed go back into their partition stream once each, the owner
    resolves them (verify step first), and replaying again finds nothing."""
    redis, mock, start_instance = cluster
    create(mock, "f-1")
    create(mock, "f-2")
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "broken", "match": {"methods": ["PATCH"], "path": "/resources/f-*"},
         "then": {"status": 500}}]})
    a = start_instance("f-a")
    b = start_instance("f-b")
    cids = []
    for i, r in enumerate(["f-1", "f-2", "f-1"]):
        status, body = (a, b)[i % 2].request("POST", "/webhook", json.dumps(event(f"x-{i}", r)))
        assert status == 202, body
        cids.append(json.loads(body)["correlation_id"])
    wait_for(lambda: all(status_of(a, c)["state"] == "failed" for c in cids), "all failed")
    assert all(status_of(b, c)["outcome"]["reason"] == "exhausted-transient" for c in cids)
    assert history_ops(mock, "f-1") == [] and history_ops(mock, "f-2") == []

    mock.client.delete("/_admin/faults")
    dry = run_cli("replay", "--queue", redis.url, "--failed", "--resource", "f-2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [f"{cids[1]} x-1 f-2 exhausted-transient",
                                       "would replay 1 failed events"]
    assert status_of(a, cids[1])["state"] == "failed", "a dry run changes nothing"
    r = run_cli("replay", "--queue", redis.url, "--failed", "--since", "2100-01-01T00:00:00Z")
    assert "replay requested for 0 failed events" in r.stdout, "none received after 2100"
    r = run_cli("replay", "--queue", redis.url, "--failed", "--since", "2000-01-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    assert "replay requested for 3 failed events" in r.stdout

    def done():
        return all(status_of(b, c)["state"] in ("success", "resolved") for c in cids)

    wait_for(done, "every replayed event resolved")
    assert all(status_of(a, c)["replays"] == 1 for c in cids)
    assert history_ops(mock, "f-1") == ["x-0", "x-2"], "once each, in order"
    assert history_ops(mock, "f-2") == ["x-1"]
    r = run_cli("replay", "--queue", redis.url, "--failed")
    assert r.returncode == 0 and "replay requested for 0 failed events" in r.stdout
    assert history_ops(mock, "f-1") == ["x-0", "x-2"]

    # Both logs together show each event's failure and its replayed outcome.
    assert a.stop() == 0 and b.stop() == 0
    r = run_cli("outcomes", a.log, b.log, "--queue", redis.url)
    assert r.returncode == 0, r.stderr
    lines = {x["correlation_id"]: x for x in map(json.loads, r.stdout.splitlines())}
    for c in cids:
        kinds = [rec["kind"] for rec in lines[c]["records"]]
        assert "failed" in kinds and ({"success", "resolved"} & set(kinds)), lines[c]
        assert lines[c]["committed"]["state"] in ("success", "resolved")


def test_replay_usage_errors_exit_2(tmp_path):
    r = run_cli("replay", "--failed")
    assert r.returncode == 2 and "give either --db" in r.stderr
    r = run_cli("replay", "--failed", "--db", str(tmp_path / "x.db"), "--queue", "redis://h:1")
    assert r.returncode == 2 and "give either --db" in r.stderr
    r = run_cli("replay", "--failed", "--queue", "sqlite")
    assert r.returncode == 2 and "--queue: expected redis://HOST:PORT" in r.stderr
    port = free_port()  # nothing listens there
    r = run_cli("replay", "--failed", "--queue", f"redis://127.0.0.1:{port}",
                "--redis-wait-ms", "300")
    assert r.returncode == 2
    assert f"redis 127.0.0.1:{port}: not reachable after 300 ms" in r.stderr
    r = run_cli("replay", "--failed", "--queue", f"redis://127.0.0.1:{port}",
                "--since", "yesterday")
    assert r.returncode == 2 and "--since" in r.stderr


def test_dedup_retention_is_a_flag(cluster, tmp_path, write_json):
    redis, mock, start_instance = cluster
    create(mock, "t-1")
    a = start_instance("t-a", "--dedup-retention-s", "120")
    status, body = a.request("POST", "/webhook", json.dumps(event("t-e1", "t-1")))
    assert status == 202, body
    cid = json.loads(body)["correlation_id"]
    ttl = int(redis.command("TTL", "conflictlab:event:t-e1").lstrip(":"))
    assert 0 < ttl <= 120, ttl
    ttl = int(redis.command("TTL", f"conflictlab:status:{cid}").lstrip(":"))
    assert 0 < ttl <= 120, ttl

    policy = write_json("p.json", POLICY)
    base = ["serve", "--target", mock.base_url, "--policy", policy, "--listen", "127.0.0.1:0"]
    redis_args = ["--queue", redis.url, "--outcome-log", str(tmp_path / "o.jsonl")]
    for bad in ("0", "59", "31536001", "-1", "abc"):
        r = run_cli(*base, *redis_args, "--dedup-retention-s", bad)
        assert r.returncode == 2, (bad, r.stderr)
        assert "--dedup-retention-s" in r.stderr, (bad, r.stderr)
    r = run_cli(*base, "--db", str(tmp_path / "x.db"), "--dedup-retention-s", "120")
    assert r.returncode == 2
    assert "--dedup-retention-s: only with --queue redis://" in r.stderr


def test_outcomes_merges_sqlite_and_jsonl_logs_of_live_instances(cluster, tmp_path):
    """One instance logs to SQLite (--outcome-log *.sqlite), the other to JSON
    lines: `outcomes` tells them apart by their first bytes and merges them."""
    redis, mock, start_instance = cluster
    a = start_instance("m-a", log=str(tmp_path / "m-a.sqlite"))
    b = start_instance("m-b")
    wait_for(lambda: set(owners(a).values()) == {"m-a", "m-b"}, "both instances own partitions")
    held = owners(a)
    # Four resources owned by each instance, so each log gets records.
    resources = [r for who in ("m-a", "m-b")
                 for r in [f"m-{n}" for n in range(1000)
                           if held.get(str(partition_of(f"m-{n}"))) == who][:4]]
    for r in resources:
        create(mock, r)
    cids = {}
    for n, r in enumerate(resources):
        status, body = (a, b)[n % 2].request("POST", "/webhook",
                                             json.dumps(event(f"m-e{n}", r)))
        assert status == 202, body
        cids[json.loads(body)["correlation_id"]] = f"m-e{n}"
    wait_for(lambda: all(status_of(a, c)["state"] == "success" for c in cids), "all applied")
    assert a.stop() == 0 and b.stop() == 0
    sqlite_log = tmp_path / "m-a.sqlite"
    with open(sqlite_log, "rb") as f:
        assert f.read(16) == b"SQLite format 3\x00"
    # A copy without the telling extension is still read as SQLite.
    renamed = tmp_path / "m-a.log"
    shutil.copyfile(sqlite_log, renamed)
    r = run_cli("outcomes", str(renamed), b.log)
    assert r.returncode == 0, r.stderr
    lines = {x["correlation_id"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert set(lines) == set(cids)
    for cid, eid in cids.items():
        assert lines[cid]["event_id"] == eid
        assert lines[cid]["outcome"] == "success"
        assert len(lines[cid]["records"]) == 1
    by_log = {rec["log"] for x in lines.values() for rec in x["records"]}
    assert by_log == {str(renamed), b.log}, "records from both formats"
    assert "merged 8 records from 2 logs into 8 correlation ids (0 with several records)" \
        in r.stderr
    one = next(iter(cids))
    r = run_cli("outcomes", str(sqlite_log), b.log, "--correlation-id", one)
    assert [json.loads(x)["correlation_id"] for x in r.stdout.splitlines()] == [one]


def test_outcomes_refuses_files_that_are_not_outcome_logs(tmp_path):
    import sqlite3

    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    r = run_cli("outcomes", str(binary))
    assert r.returncode == 2
    assert f"{binary}: not an outcome log (neither an SQLite database nor JSON lines)" in r.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE events (id INTEGER)")
    db.close()
    r = run_cli("outcomes", str(other))
    assert r.returncode == 2
    assert f"{other}: an SQLite database but not a conflictlab outcome log (no table 'outcomes')" \
        in r.stderr
