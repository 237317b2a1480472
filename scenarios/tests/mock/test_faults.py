"""Fault injection end to end: rules installed from --faults and replaced at
runtime, 429 with Retry-After (fault and throttle), deletion and foreign-write
faults, injected latency, and connection faults the client really meets."""

import http.client
import socket
import time

import pytest


def create(client, rid, body):
    r = client.put(f"/resources/{rid}", body)
    assert r.status == 201, r
    return r.header("ETag")


def rules(*items, seed=None):
    doc = {"rules": list(items)}
    if seed is not None:
        doc["seed"] = seed
    return doc


def test_rules_from_the_faults_file_are_in_force_at_start(start_mock, write_json):
    path = write_json("rules.json", rules(
        {"name": "slow-503", "match": {"methods": ["GET"], "resource": "x"}, "then": {"status": 503}}))
    c = start_mock("--faults", path).client
    create(c, "x", {"v": 1})
    create(c, "y", {"v": 1})
    assert c.get("/resources/x").status == 503
    assert c.get("/resources/y").status == 200


def test_runtime_replacement_takes_effect_immediately(client):
    create(client, "a", {"v": 1})
    assert client.put("/_admin/faults", rules(
        {"name": "first", "match": {"methods": ["GET"]}, "then": {"status": 500}})).status == 200
    assert client.get("/resources/a").status == 500
    assert client.put("/_admin/faults", rules(
        {"name": "second", "match": {"methods": ["GET"]}, "then": {"status": 502}})).status == 200
    assert client.get("/resources/a").status == 502
    firings = client.get("/_admin/stats").json()["fault_firings"]
    assert firings == {"second": 1}


def test_429_fault_with_retry_after_seconds(client):
    create(client, "a", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "throttle", "match": {"methods": ["PUT"]}, "when": {"first": 1},
         "then": {"status": 429, "retry_after_s": 2}}))
    r = client.put("/resources/a", {"v": 2})
    assert r.status == 429
    assert r.header("Retry-After") == "2"
    assert client.put("/resources/a", {"v": 2}).status == 200  # only the first fired


def test_throttle_answers_429_with_retry_after(start_mock):
    c = start_mock("--throttle-rate", "1", "--throttle-burst", "2").client
    statuses = [c.get("/resources/none").status for _ in range(5)]
    assert 429 in statuses
    limited = next(r for r in (c.get("/resources/none") for _ in range(3)) if r.status == 429)
    assert int(limited.header("Retry-After")) >= 1


def test_per_client_throttle_keyed_by_header(start_mock):
    c = start_mock("--throttle-client-rate", "1", "--throttle-client-burst", "1",
                   "--throttle-client-header", "X-Tenant").client
    assert c.get("/resources/n", headers={"X-Tenant": "a"}).status == 404
    assert c.get("/resources/n", headers={"X-Tenant": "a"}).status == 429
    assert c.get("/resources/n", headers={"X-Tenant": "b"}).status == 404


def test_deletion_fault_gives_409_then_404_on_get(client):
    etag = create(client, "d", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "vanish", "match": {"methods": ["PUT"], "resource": "d"}, "when": {"first": 1},
         "then": {"delete_resource": True}}))
    r = client.put("/resources/d", {"v": 2}, etag=etag)
    assert r.status in (409, 412), r  # the precondition names a version that is gone
    assert client.get("/resources/d").status == 404


def test_foreign_write_changes_the_etag_under_you(client):
    etag = create(client, "f", {"mine": 1})
    client.put("/_admin/faults", rules(
        {"name": "someone-else", "match": {"methods": ["PUT"], "resource": "f"},
         "when": {"first": 1}, "then": {"foreign_write": {"merge_patch": {"theirs": 2}}}}))
    r = client.put("/resources/f", {"mine": 2}, etag=etag)
    assert r.status == 412
    current = client.get("/resources/f")
    assert current.header("ETag") != etag
    assert current.json() == {"mine": 1, "theirs": 2}
    assert r.json()["current_etag"] == current.header("ETag")
    history = client.get("/_admin/history/f").json()["entries"]
    assert history[-1]["writer_id"] == "foreign"


def test_etag_style_switch_fault(client):
    create(client, "s", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "weaken", "match": {"methods": ["GET"]}, "when": {"first": 1},
         "then": {"switch_etag_style": "weak"}}))
    assert client.get("/resources/s").header("ETag").startswith('W/"')


def test_injected_delay(client):
    create(client, "slow", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "lag", "match": {"methods": ["GET"], "resource": "slow"}, "then": {"delay_ms": 300}}))
    t0 = time.monotonic()
    assert client.get("/resources/slow").status == 200
    assert time.monotonic() - t0 >= 0.3


def test_connection_reset_fault(client):
    create(client, "r", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "rst", "match": {"methods": ["GET"], "resource": "r"}, "then": {"connection": "reset"}}))
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)):
        client.get("/resources/r")
    raw = client.raw(b"GET /resources/r HTTP/1.1\r\nHost: t\r\n\r\n")
    assert raw == b""
    # The server is fine; other resources answer.
    assert client.get("/healthz").status == 200


def test_connection_close_fault(client):
    create(client, "c", {"v": 1})
    client.put("/_admin/faults", rules(
        {"name": "fin", "match": {"methods": ["GET"], "resource": "c"}, "then": {"connection": "close"}}))
    with pytest.raises(http.client.RemoteDisconnected):
        client.get("/resources/c")


def test_hang_fault_times_the_client_out(start_mock):
    c = start_mock("--hang-limit-ms", "5000").client
    create(c, "hang", {"v": 1})
    c.put("/_admin/faults", rules(
        {"name": "hang", "match": {"methods": ["GET"], "resource": "hang"}, "then": {"connection": "hang"}}))
    t0 = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        c.get("/resources/hang", timeout=0.5)
    assert time.monotonic() - t0 < 3
    assert c.get("/healthz").status == 200


def test_probability_rules_are_reproducible_with_a_seed(start_mock, write_json):
    path = write_json("rules.json", rules(
        {"name": "coin", "match": {"methods": ["GET"]}, "when": {"probability": 0.5},
         "then": {"status": 503}}))

    def statuses():
        m = start_mock("--faults", path, "--seed", "12345")
        create(m.client, "p", {"v": 1})
        out = [m.client.get("/resources/p").status for _ in range(30)]
        m.stop()
        return out

    first, second = statuses(), statuses()
    assert first == second
    assert 503 in first and 200 in first
