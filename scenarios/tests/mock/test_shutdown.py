"""Graceful shutdown: SIGTERM/SIGINT stop accepting, let a response already in
flight (here: delayed by a fault rule) finish, then exit 0."""

import signal
import socket
import threading
import time

import pytest


def install_delay(client, ms):
    r = client.put("/_admin/faults", {"rules": [
        {"name": "lag", "match": {"methods": ["GET"], "resource": "slow"}, "then": {"delay_ms": ms}}]})
    assert r.status == 200, r


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_with_a_delayed_request_in_flight_still_answers(start_mock, sig):
    m = start_mock()
    c = m.client
    c.put("/resources/slow", {"v": 1})
    install_delay(c, 800)
    result = {}

    def slow_get():
        try:
            result["reply"] = c.get("/resources/slow", timeout=10)
        except Exception as e:  # reported below
            result["error"] = e

    t = threading.Thread(target=slow_get)
    t0 = time.monotonic()
    t.start()
    time.sleep(0.3)  # the request is inside its 800 ms delay
    m.signal(sig)
    t.join(timeout=10)
    assert "error" not in result, result.get("error")
    reply = result["reply"]
    assert reply.status == 200
    assert reply.json() == {"v": 1}
    assert reply.header("Connection") == "close"
    assert m.wait() == 0
    assert time.monotonic() - t0 < 5
    # Nothing listens any more.
    with pytest.raises(OSError):
        socket.create_connection((m.host, m.port), timeout=1).close()


def test_idle_keep_alive_connections_do_not_delay_exit(start_mock):
    m = start_mock()
    idle = socket.create_connection((m.host, m.port), timeout=5)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    assert idle.recv(65536).startswith(b"HTTP/1.1 200")
    t0 = time.monotonic()
    assert m.stop() == 0
    assert time.monotonic() - t0 < 2
    idle.settimeout(2)
    assert idle.recv(1) == b""
    idle.close()


def test_grace_bounds_a_response_that_takes_too_long(start_mock):
    m = start_mock("--shutdown-grace-ms", "300")
    c = m.client
    c.put("/resources/slow", {"v": 1})
    install_delay(c, 30000)
    s = socket.create_connection((m.host, m.port), timeout=10)
    s.sendall(b"GET /resources/slow HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.2)
    t0 = time.monotonic()
    assert m.stop() == 0
    assert time.monotonic() - t0 < 3
    assert s.recv(1) == b""
    s.close()
