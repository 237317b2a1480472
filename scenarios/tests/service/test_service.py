"""End to end: `conflictlab serve` in front of `conflictlab mock`, both real
processes on 127.0.0.1 with ephemeral ports (docs/service.md).

Every wait is a poll with a deadline; no assertion depends on timing, so the
suite holds on a loaded 2-core CI box. "Applied exactly once" is checked on
the mock's per-resource history (/_admin/history/{id}): the service sends
X-Op-Id = event id, so each accepted event must appear there exactly once.
Standard library only.
"""

import hashlib
import hmac
import http.client
import json
import re
import signal
import threading
import time

import pytest

from binaries import STOP_TIMEOUT_S, run_cli
from serve_process import SqliteServe as ServeProcess

SETTLE_S = 60  # upper bound for a burst to be fully processed on a slow box

POLICY = {"max_attempts": 3, "backoff": {"kind": "none"}}


@pytest.fixture
def env(tmp_path, start_mock, write_json):
    """(mock, start_serve, db_path): start_serve(*flags) -> ServeProcess; every
    process is stopped at teardown."""
    mock = start_mock()
    policy = write_json("policy.json", POLICY)
    db = str(tmp_path / "events.db")
    started = []

    def start_serve(*args, policy_path=policy, environ=None):
        p = ServeProcess(mock.base_url, db, policy_path, *args, env=environ)
        started.append(p)
        return p

    yield mock, start_serve, db
    for p in started:
        p.stop()


def create(mock, resource, body=None):
    r = mock.client.put(f"/resources/{resource}", body or {"created": True})
    assert r.status in (200, 201), r


def history_ops(mock, resource):
    r = mock.client.get(f"/_admin/history/{resource}")
    assert r.status == 200, r
    return [e["op_id"] for e in r.json()["entries"] if e["op_id"]]


def event(eid, resource, **extra):
    # No business timestamp: with one older than the target's Last-Modified the
    # engine's freshness check would (rightly) discard a resumed event; see
    # docs/service.md "Freshness and resumed events".
    e = {"event_id": eid, "resource_id": resource, "method": "PATCH",
         "payload": {"last": eid, "seen": {eid: True}},
         "type": "updated", "status": "active"}
    e.update(extra)
    return e


def wait_terminal(serve, correlation_ids, deadline_s=SETTLE_S):
    """Polls GET /events until every id is finished; returns {cid: status}."""
    deadline = time.monotonic() + deadline_s
    pending = set(correlation_ids)
    final = {}
    while pending and time.monotonic() < deadline:
        for cid in list(pending):
            s = serve.status(cid)
            if s["state"] in ("success", "resolved", "discarded", "failed"):
                final[cid] = s
                pending.discard(cid)
        if pending:
            time.sleep(0.05)
    assert not pending, f"{len(pending)} events not finished within {deadline_s}s"
    return final


def test_event_is_applied_and_reported(env):
    mock, start_serve, _ = env
    create(mock, "r-1")
    serve = start_serve()
    status, headers, body = serve.post_event(event("e-1", "r-1"))
    assert status == 202, body
    cid = json.loads(body)["correlation_id"]
    assert headers["Location"] == f"/events/{cid}"
    final = wait_terminal(serve, [cid])[cid]
    assert final["state"] == "success"
    assert final["outcome"]["op_id"] == "e-1"
    assert final["outcome"]["path"] == "direct"
    assert history_ops(mock, "r-1") == ["e-1"]
    assert serve.request("GET", "/healthz")[0] == 200
    assert 'conflictlab_service_outcomes_total{kind="success"} 1' in serve.metrics()


def test_burst_hot_resources_concurrent_senders(env):
    mock, start_serve, _ = env
    resources = ["hot-1", "hot-2", "hot-3"]
    for r in resources:
        create(mock, r)
    serve = start_serve()
    senders, per_sender = 4, 15
    accepted = {}  # cid -> (sender, n, resource)
    order = {}  # (sender, resource) -> [event ids in send order]
    lock = threading.Lock()
    errors = []

    def send(sender):
        try:
            for n in range(per_sender):
                resource = resources[n % len(resources)]
                eid = f"s{sender}-{n}"
                status, _, body = serve.post_event(event(eid, resource))
                assert status == 202, body
                with lock:
                    accepted[json.loads(body)["correlation_id"]] = eid
                    order.setdefault((sender, resource), []).append(eid)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=send, args=(s,)) for s in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SETTLE_S)
    assert not errors, errors
    assert len(accepted) == senders * per_sender
    final = wait_terminal(serve, accepted)
    assert all(s["state"] == "success" for s in final.values()), \
        [s["outcome"] for s in final.values() if s["state"] != "success"][:3]
    for r in resources:
        ops = history_ops(mock, r)
        assert len(ops) == len(set(ops)), "an event was applied twice"
        # Per-resource order: each sender's events appear in the order it sent them.
        for (sender, resource), sent in order.items():
            if resource == r:
                assert [o for o in ops if o in sent] == sent
    applied = [o for r in resources for o in history_ops(mock, r)]
    assert sorted(applied) == sorted(accepted.values())


def test_ignored_events_get_204_and_are_not_stored(env):
    mock, start_serve, _ = env
    create(mock, "r-1")
    serve = start_serve()
    assert serve.post_event(event("e-1", "r-1", status="ignored"))[0] == 204
    assert serve.post_event(event("e-2", "r-1", type="heartbeat"))[0] == 204
    assert serve.post_event(event("e-3", "r-1", type="read"))[0] == 204
    status, _, body = serve.post_event(event("e-4", "r-1"))
    assert status == 202
    wait_terminal(serve, [json.loads(body)["correlation_id"]])
    assert history_ops(mock, "r-1") == ["e-4"]
    m = serve.metrics()
    assert 'conflictlab_service_webhooks_total{result="ignored"} 3' in m
    assert 'conflictlab_service_webhooks_total{result="accepted"} 1' in m


def test_duplicate_event_ids_are_applied_once(env):
    mock, start_serve, _ = env
    create(mock, "r-1")
    serve = start_serve()
    first = serve.post_event(event("e-1", "r-1"))
    assert first[0] == 202
    cid = json.loads(first[2])["correlation_id"]
    for _ in range(3):
        status, _, body = serve.post_event(event("e-1", "r-1"))
        assert status == 200, body
        assert json.loads(body)["duplicate"] is True
        assert json.loads(body)["correlation_id"] == cid
    wait_terminal(serve, [cid])
    status, _, body = serve.post_event(event("e-1", "r-1"))
    assert status == 200 and json.loads(body)["correlation_id"] == cid
    assert history_ops(mock, "r-1") == ["e-1"]


def test_bad_signatures_get_401_and_are_not_stored(env, tmp_path):
    mock, start_serve, _ = env
    create(mock, "r-1")
    secret = "webhook-s3cret-value"
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    serve = start_serve("--webhook-secret-file", str(secret_file))
    body = json.dumps(event("e-1", "r-1")).encode()
    good = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    wrong = "sha256=" + hmac.new(b"guess", body, hashlib.sha256).hexdigest()
    for headers in ({}, {"X-Signature-256": wrong}, {"X-Signature-256": "sha256=abc"}):
        status, _, answer = serve.post_event(None, headers=headers, raw=body)
        assert status == 401, answer
        assert secret not in answer.decode()
    assert 'conflictlab_service_webhooks_total{result="accepted"} 0' in serve.metrics()
    # Tampered body with a signature of the original one.
    tampered = body.replace(b"e-1", b"e-9")
    assert serve.post_event(None, headers={"X-Signature-256": good}, raw=tampered)[0] == 401
    status, _, answer = serve.post_event(None, headers={"X-Signature-256": good}, raw=body)
    assert status == 202, answer
    wait_terminal(serve, [json.loads(answer)["correlation_id"]])
    assert history_ops(mock, "r-1") == ["e-1"]
    assert secret not in serve.stderr()


def test_malformed_json_gets_400_and_nothing_is_stored(env):
    mock, start_serve, _ = env
    create(mock, "r-1")
    serve = start_serve()
    for raw in (b'{"event_id": ', b"[1,2]", b'{"event_id": "e", "resource_id": "r-1"}',
                b'{"event_id": "e", "resource_id": "r-1", "method": "PATCH", "payload": 3}'):
        status, headers, body = serve.post_event(None, raw=raw)
        assert status == 400, body
        assert headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["detail"]
    m = serve.metrics()
    assert 'conflictlab_service_webhooks_total{result="invalid"} 4' in m
    assert 'conflictlab_service_webhooks_total{result="accepted"} 0' in m
    assert history_ops(mock, "r-1") == []


def test_kill_9_mid_burst_then_restart_applies_every_202_exactly_once(env):
    mock, start_serve, db = env
    resources = ["k-1", "k-2", "k-3"]
    for r in resources:
        create(mock, r)
    # Slow writes a little so the kill lands with events queued and in flight.
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 20}}]})
    serve = start_serve()
    accepted = {r: [] for r in resources}  # resource -> event ids 202'd, in order
    stop = threading.Event()

    def send(resource):
        n = 0
        while not stop.is_set() and n < 200:
            eid = f"{resource}-{n}"
            try:
                status, _, _ = serve.post_event(event(eid, resource))
            except (ConnectionError, OSError, http.client.HTTPException):
                return  # the service died under us: this one was not acknowledged
            if status == 202:
                accepted[resource].append(eid)
            n += 1

    threads = [threading.Thread(target=send, args=(r,)) for r in resources]
    for t in threads:
        t.start()
    deadline = time.monotonic() + SETTLE_S
    while sum(len(v) for v in accepted.values()) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    serve.proc.send_signal(signal.SIGKILL)
    serve.proc.wait(timeout=STOP_TIMEOUT_S)
    stop.set()
    for t in threads:
        t.join(timeout=SETTLE_S)
    total = sum(len(v) for v in accepted.values())
    assert total >= 60

    mock.client.delete("/_admin/faults")
    restarted = start_serve()
    # Every 202'd event reaches a final state after the restart; poll by event id
    # through the history (correlation ids of the killed run are in the store).
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        done = all(set(accepted[r]) <= set(history_ops(mock, r)) for r in resources)
        m = restarted.metrics()
        idle = ('conflictlab_service_events{state="queued"} 0' in m
                and 'conflictlab_service_events{state="running"} 0' in m)
        if done and idle:
            break
        time.sleep(0.1)
    for r in resources:
        ops = history_ops(mock, r)
        assert len(ops) == len(set(ops)), f"{r}: an event was applied twice"
        assert set(accepted[r]) <= set(ops), f"{r}: a 202'd event was lost"
        # Arrival order held: the history lists the resource's events in send order.
        assert ops == sorted(ops, key=lambda o: int(o.rsplit("-", 1)[1]))
        # Final state: the last applied event wins "last"; every applied one is in "seen".
        state = mock.client.get(f"/resources/{r}").json()
        assert state["last"] == ops[-1]
        assert set(state["seen"]) == set(ops)
    resumed = re.search(r"^conflictlab_service_resumed_total (\d+)$", restarted.metrics(), re.M)
    assert resumed and int(resumed.group(1)) > 0, "the kill should leave unfinished events"


def test_replay_of_failed_events_after_the_fault_is_removed(env):
    mock, start_serve, db = env
    create(mock, "f-1")
    create(mock, "f-2")
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "broken", "match": {"methods": ["PATCH"], "path": "/resources/f-*"},
         "then": {"status": 500}}]})
    serve = start_serve("--replay-poll-ms", "50")
    cids = []
    for i, r in enumerate(["f-1", "f-2", "f-1"]):
        status, _, body = serve.post_event(event(f"x-{i}", r))
        assert status == 202
        cids.append(json.loads(body)["correlation_id"])
    final = wait_terminal(serve, cids)
    assert all(s["state"] == "failed" for s in final.values())
    assert all(s["outcome"]["reason"] == "exhausted-transient" for s in final.values())
    assert history_ops(mock, "f-1") == [] and history_ops(mock, "f-2") == []

    mock.client.delete("/_admin/faults")
    dry = run_cli("replay", "--db", db, "--failed", "--resource", "f-2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would replay 1 failed events" in dry.stdout
    r = run_cli("replay", "--db", db, "--failed", "--since", "2000-01-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    assert "replay requested for 3 failed events" in r.stdout
    again = wait_terminal_replayed(serve, cids)
    assert all(s["state"] in ("success", "resolved") for s in again.values()), again
    assert all(s["replays"] == 1 for s in again.values())
    assert history_ops(mock, "f-1") == ["x-0", "x-2"]
    assert history_ops(mock, "f-2") == ["x-1"]
    # Replaying again finds nothing failed, and nothing is written twice.
    r = run_cli("replay", "--db", db, "--failed")
    assert "replay requested for 0 failed events" in r.stdout
    assert run_cli("replay", "--db", db, "--failed", "--since", "yesterday").returncode == 2


def wait_terminal_replayed(serve, cids, deadline_s=SETTLE_S):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        states = {cid: serve.status(cid) for cid in cids}
        if all(s["state"] in ("success", "resolved", "discarded") for s in states.values()):
            return states
        time.sleep(0.05)
    return {cid: serve.status(cid) for cid in cids}


def test_full_intake_queue_gets_429_with_retry_after(env):
    mock, start_serve, _ = env
    create(mock, "q-1")
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 1500}}]})
    serve = start_serve("--queue-capacity", "3", "--retry-after-s", "2")
    statuses = []
    retry_after = None
    for i in range(8):
        status, headers, _ = serve.post_event(event(f"q-{i}", "q-1"))
        statuses.append(status)
        if status == 429:
            retry_after = headers["Retry-After"]
    assert statuses[:3] == [202, 202, 202]
    assert 429 in statuses
    assert retry_after == "2"
    assert 'conflictlab_service_webhooks_total{result="throttled"}' in serve.metrics()


def test_usage_errors_exit_2(tmp_path, write_json):
    policy = write_json("p.json", {"max_attempts": 0})
    r = run_cli("serve", "--target", "http://127.0.0.1:1", "--policy", policy,
                "--db", str(tmp_path / "x.db"), "--listen", "127.0.0.1:0")
    assert r.returncode == 2
    assert "policy.max_attempts" in r.stderr
    r = run_cli("replay", "--db", str(tmp_path / "missing.db"), "--failed")
    assert r.returncode == 2
    assert "no such event store" in r.stderr


def test_failed_outcome_alerts_and_every_outcome_is_logged(env, tmp_path):
    """A persistent conflict ends Failed: one Adaptive Card reaches the
    alert sink (the mock's /_admin/alerts), and the SQLite transaction log has
    one row per outcome with its correlation id, path and reason."""
    import sqlite3

    mock, start_serve, _ = env
    create(mock, "ok-1")
    create(mock, "stuck-1")
    mock.client.put("/_admin/faults", {"rules": [
        {"name": "always-409", "match": {"methods": ["PATCH"], "path": "/resources/stuck-*"},
         "then": {"status": 409}}]})
    url_file = tmp_path / "alert-url"
    url_file.write_text(mock.base_url + "/_admin/alerts\n")
    log = str(tmp_path / "outcomes.sqlite")
    serve = start_serve("--alert-url-file", str(url_file), "--outcome-log", log)
    cids = {}
    for eid, r in [("a-ok", "ok-1"), ("a-stuck", "stuck-1")]:
        status, _, body = serve.post_event(event(eid, r))
        assert status == 202, body
        cids[eid] = json.loads(body)["correlation_id"]
    final = wait_terminal(serve, cids.values())
    assert final[cids["a-ok"]]["state"] == "success"
    stuck = final[cids["a-stuck"]]
    assert stuck["state"] == "failed"
    assert stuck["outcome"]["reason"] == "persistent-conflict"

    # The alert is delivered asynchronously: poll the sink (bounded).
    deadline = time.monotonic() + SETTLE_S
    alerts = []
    while time.monotonic() < deadline:
        alerts = mock.client.get("/_admin/alerts").json()["alerts"]
        if alerts:
            break
        time.sleep(0.05)
    assert len(alerts) == 1, alerts
    card_text = json.dumps(alerts[0])
    assert '"type": "message"' in card_text or '"type":"message"' in card_text
    assert "application/vnd.microsoft.card.adaptive" in card_text
    assert "stuck-1" in card_text and cids["a-stuck"] in card_text
    assert "persistent-conflict" in card_text

    assert serve.stop() == 0  # flushes the log
    with sqlite3.connect(log) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(outcomes)")]
        assert "correlation_id" in cols, cols
        rows = {r[0]: r for r in db.execute("SELECT correlation_id, * FROM outcomes")}
    assert set(rows) == set(cids.values()), rows
    stuck_row = " ".join(str(v) for v in rows[cids["a-stuck"]])
    assert "persistent-conflict" in stuck_row and "failed" in stuck_row.lower()
