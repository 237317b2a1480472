"""Misbehaving connections against the mock server and the service:
half-open connections, clients that vanish mid-response, pipelining far
beyond what one read holds (and beyond the service's intake capacity), and
the connection cap. After each, the server still answers and stops cleanly
(exit 0 on SIGTERM)."""

import http.client
import json
import socket
import threading
import time

from adversarial_support import (SETTLE_S, count_responses, event, exchange, parse_response,
                                 raise_nofile, reset_close)

# ---- half-open connections -------------------------------------------------


def test_mock_answers_a_request_whose_sender_half_closed(start_mock):
    m = start_mock()
    raw = exchange(m.host, m.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", half_close=True)
    status, _, body = parse_response(raw)
    assert status == 200 and json.loads(body) == {"status": "ok"}


def test_service_answers_a_request_whose_sender_half_closed(serve_env):
    _, start_serve, _ = serve_env
    serve = start_serve()
    raw = exchange(serve.host, serve.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                   half_close=True)
    assert parse_response(raw)[0] == 200


def test_half_sent_requests_then_fin_leave_no_trace(start_mock, serve_env):
    """A request cut off by the client's FIN (mid-header, mid-body) is
    dropped: no 2xx, nothing stored, the server goes on."""
    m = start_mock()
    mock, start_serve, _ = serve_env
    serve = start_serve()
    partial = [
        b"PUT /resources/half HTTP/1.1\r\nHost: t\r\nContent-Ty",
        b"PUT /resources/half HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{\"v\": 1",
    ]
    for data in partial:
        raw = exchange(m.host, m.port, data, half_close=True)
        assert parse_response(raw)[0] in (None, 400)
    assert m.client.get("/resources/half").status == 404
    body = json.dumps(event("half-1", "r-half")).encode()
    for data in (b"POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Le",
                 b"POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body)
                 + body[:10]):
        raw = exchange(serve.host, serve.port, data, half_close=True)
        assert parse_response(raw)[0] in (None, 400)
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 0
    assert serve.request("GET", "/healthz")[0] == 200


def test_idle_connections_are_closed_by_the_idle_timeout(start_mock):
    m = start_mock("--idle-timeout-ms", "300")
    conns = [socket.create_connection((m.host, m.port), timeout=20) for _ in range(20)]
    try:
        for s in conns:
            assert s.recv(1) == b""  # closed by the server, well before 20 s
    finally:
        for s in conns:
            s.close()
    assert m.client.get("/healthz").status == 200


# ---- clients that vanish mid-response --------------------------------------


def test_mock_survives_clients_that_reset_mid_response(start_mock):
    m = start_mock()
    c = m.client
    big = {"blob": "x" * (900 * 1024)}
    assert c.put("/resources/big", big).status == 201
    # Delay some answers so that clients also vanish while the server waits.
    assert c.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["GET"], "path": "/resources/big"},
         "then": {"delay_ms": 50}, "when": {"probability": 0.5}}]}).status == 200
    for i in range(100):
        s = socket.create_connection((m.host, m.port), timeout=10)
        s.sendall(b"GET /resources/big HTTP/1.1\r\nHost: t\r\n\r\n")
        if i % 2 == 0:
            s.recv(1024)  # part of the answer, then gone
        reset_close(s)
    assert c.delete("/_admin/faults").status == 204
    g = c.get("/resources/big")
    assert g.status == 200 and g.json() == big
    assert m.stop() == 0


def test_service_applies_accepted_events_whose_senders_vanished(serve_env):
    """A sender that resets its connection right after its request (maybe
    before the service read it) or after the service committed it (the 202
    is never read) loses at most the answer: every event the service
    accepted is applied exactly once, nothing else is."""
    mock, start_serve, _ = serve_env
    assert mock.client.put("/resources/r-v", {"created": True}).status == 201
    serve = start_serve()
    n = 20
    sent = set()
    for i in range(n):
        body = json.dumps(event(f"v-{i}", "r-v")).encode()
        before = serve.metric('conflictlab_service_webhooks_total{result="accepted"}')
        s = socket.create_connection((serve.host, serve.port), timeout=10)
        s.sendall(b"POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        sent.add(f"v-{i}")
        if i % 2 == 1:
            # Wait until it is committed (its 202 is on its way), then vanish.
            deadline = time.monotonic() + SETTLE_S
            while (serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == before
                   and time.monotonic() < deadline):
                time.sleep(0.01)
        reset_close(s)
    # A reset sender's event may still be read (and accepted) after the
    # others are applied: judge a snapshot that has held still for a second,
    # not the first moment the counts happen to meet.
    deadline = time.monotonic() + SETTLE_S
    ops, accepted, snapshot, since = [], 0, None, time.monotonic()
    while time.monotonic() < deadline:
        accepted = serve.metric('conflictlab_service_webhooks_total{result="accepted"}')
        r = mock.client.get("/_admin/history/r-v")
        ops = [e["op_id"] for e in r.json()["entries"] if e["op_id"]] if r.status == 200 else []
        if (accepted, len(ops)) != snapshot:
            snapshot, since = (accepted, len(ops)), time.monotonic()
        elif len(ops) >= accepted and time.monotonic() - since >= 1.0:
            break
        time.sleep(0.1)
    assert accepted >= n // 2
    assert len(ops) == len(set(ops)) == accepted, ops
    assert set(ops) <= sent
    assert serve.alive()
    assert serve.stop() == 0


# ---- pipelining ------------------------------------------------------------


def pipeline(host, port, requests, expect, timeout=30):
    """Writes `requests` back to back on one connection (from a thread, so the
    server's answers never wait for our writes) and reads until `expect`
    complete responses arrived, the server closed, or the timeout."""
    s = socket.create_connection((host, port), timeout=timeout)
    sender = threading.Thread(target=lambda: s.sendall(b"".join(requests)), daemon=True)
    sender.start()
    data = b""
    try:
        while len(count_responses(data)) < expect:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    finally:
        sender.join(timeout=timeout)
        s.close()
    return count_responses(data)


def test_mock_answers_5000_pipelined_requests_in_order(start_mock):
    """5000 requests (~250 KB) are far more than one read buffer (header
    limit + 64 KiB): the server parses what it holds, answers, then reads on;
    TCP back-pressure is the queue bound. Every request gets its answer."""
    m = start_mock()
    c = m.client
    assert c.put("/resources/p", {"v": 0}).status == 201
    reqs = []
    for i in range(5000):
        if i % 100 == 99:
            reqs.append(b"GET /resources/missing-%d HTTP/1.1\r\nHost: t\r\n\r\n" % i)
        else:
            reqs.append(b"GET /resources/p HTTP/1.1\r\nHost: t\r\n\r\n")
    statuses = pipeline(m.host, m.port, reqs, 5000)
    assert len(statuses) == 5000
    assert statuses == [404 if i % 100 == 99 else 200 for i in range(5000)]
    assert c.get("/healthz").status == 200


def test_service_pipelined_events_beyond_the_intake_capacity_get_429(serve_env):
    mock, start_serve, _ = serve_env
    assert mock.client.put("/resources/q", {"created": True}).status == 201
    assert mock.client.put("/_admin/faults", {"rules": [
        {"name": "slow", "match": {"methods": ["PATCH"]}, "then": {"delay_ms": 2000}}]}
    ).status == 200
    serve = start_serve("--queue-capacity", "3")
    reqs = []
    n = 40
    for i in range(n):
        body = json.dumps(event(f"q-{i}", "q")).encode()
        reqs.append(b"POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
    statuses = pipeline(serve.host, serve.port, reqs, n)
    assert len(statuses) == n
    assert set(statuses) <= {202, 429}
    assert statuses[:3] == [202, 202, 202]
    assert statuses.count(429) >= 1
    accepted = serve.metric('conflictlab_service_webhooks_total{result="accepted"}')
    throttled = serve.metric('conflictlab_service_webhooks_total{result="throttled"}')
    assert (accepted, throttled) == (statuses.count(202), statuses.count(429))
    assert serve.request("GET", "/healthz")[0] == 200


# ---- the connection cap ----------------------------------------------------


def open_keepalive(host, port, n):
    """n connections that each completed one request (so the server has
    certainly accepted and counted them) and stay open."""
    conns = []
    for _ in range(n):
        c = http.client.HTTPConnection(host, port, timeout=10)
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
        assert r.status == 200
        conns.append(c)
    return conns


def refused(host, port):
    """True when a request on a new connection gets no HTTP answer (the
    server closed the connection at once)."""
    raw = exchange(host, port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", timeout=10)
    return parse_response(raw)[0] is None


def eventually_served(host, port, deadline_s=10):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        raw = exchange(host, port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", timeout=10)
        if parse_response(raw)[0] == 200:
            return True
        time.sleep(0.05)
    return False


def test_mock_at_its_connection_cap_closes_new_connections_then_recovers(start_mock):
    raise_nofile(512)
    m = start_mock("--max-connections", "40")
    conns = open_keepalive(m.host, m.port, 40)
    try:
        assert refused(m.host, m.port)
        assert refused(m.host, m.port)
    finally:
        for c in conns:
            c.close()
    assert eventually_served(m.host, m.port)


def test_service_at_its_connection_cap_closes_new_connections_then_recovers(serve_env):
    raise_nofile(512)
    _, start_serve, _ = serve_env
    serve = start_serve("--max-connections", "40")
    conns = open_keepalive(serve.host, serve.port, 40)
    try:
        assert refused(serve.host, serve.port)
    finally:
        for c in conns:
            c.close()
    assert eventually_served(serve.host, serve.port)
    assert serve.stop() == 0
