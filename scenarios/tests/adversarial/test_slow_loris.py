"""Slow loris: 500 connections trickle a header block one byte at a time
while ordinary clients keep working. The ordinary clients' median latency
under the attack is compared with their own median measured just before it,
in the same test, as a generous ratio (the box is shared and noisy; a server
that serialises on the trickling connections misses it by orders of
magnitude). Then the read timeout cuts the trickles off."""

import json
import socket
import ssl
import time

from adversarial_support import SlowLoris, event, median_latency, raise_nofile

LORIS = 500
SAMPLES = 60
# Under attack the median may be this many times the quiet median.
RATIO = 20


def within_ratio(quiet, attacked):
    return attacked <= RATIO * quiet


def test_mock_serves_ordinary_clients_during_500_slow_loris_connections(start_mock):
    raise_nofile(4 * LORIS + 256)
    # Long limits so the trickling connections stay open for the whole
    # measurement: the point is service despite them, not their timeout.
    m = start_mock("--read-timeout-ms", "120000", "--idle-timeout-ms", "120000")
    c = m.client
    assert c.put("/resources/doc", {"v": 0}).status == 201

    def ordinary():
        g = c.get("/resources/doc")
        assert g.status == 200
        p = c.put("/resources/doc", {"v": 1}, etag=g.header("ETag"))
        assert p.status == 200, p

    quiet = median_latency(ordinary, SAMPLES)
    loris = SlowLoris(m.host, m.port, LORIS)
    try:
        time.sleep(1.0)  # let a couple of trickle rounds reach the server
        attacked = median_latency(ordinary, SAMPLES)
        still_open = loris.open_count()
    finally:
        loris.close()
    assert within_ratio(quiet, attacked), f"median {attacked * 1e3:.2f} ms under attack " \
                                          f"vs {quiet * 1e3:.2f} ms quiet"
    # The attack really was in place while we measured.
    assert still_open >= LORIS * 9 // 10, f"only {still_open} loris connections open"
    assert c.get("/healthz").status == 200


def test_service_accepts_events_during_500_slow_loris_connections(serve_env):
    raise_nofile(4 * LORIS + 256)
    mock, start_serve, _ = serve_env
    assert mock.client.put("/resources/r-1", {"created": True}).status == 201
    serve = start_serve("--read-timeout-ms", "120000")
    n = [0]

    def ordinary():
        n[0] += 1
        status, _, body = serve.post_event(event(f"e-{n[0]}", "r-1"))
        assert status == 202, body
        status, _, _ = serve.request("GET", "/healthz")
        assert status == 200

    quiet = median_latency(ordinary, SAMPLES)
    loris = SlowLoris(serve.host, serve.port, LORIS, target=b"/webhook")
    try:
        time.sleep(1.0)
        attacked = median_latency(ordinary, SAMPLES)
        still_open = loris.open_count()
    finally:
        loris.close()
    assert within_ratio(quiet, attacked), f"median {attacked * 1e3:.2f} ms under attack " \
                                          f"vs {quiet * 1e3:.2f} ms quiet"
    assert still_open >= LORIS * 9 // 10, f"only {still_open} loris connections open"
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 2 * SAMPLES
    assert serve.alive()


def wait_all_closed(loris, deadline_s):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if loris.open_count() == 0:
            return True
        time.sleep(0.1)
    return loris.open_count() == 0


def test_mock_read_timeout_cuts_every_trickle_off(start_mock):
    m = start_mock("--read-timeout-ms", "500", "--idle-timeout-ms", "60000")
    loris = SlowLoris(m.host, m.port, 50, interval_s=0.1)
    try:
        assert wait_all_closed(loris, 20)
    finally:
        loris.close()
    assert m.client.get("/healthz").status == 200


def test_service_read_timeout_cuts_every_trickle_off(serve_env):
    _, start_serve, _ = serve_env
    serve = start_serve("--read-timeout-ms", "500")
    loris = SlowLoris(serve.host, serve.port, 50, interval_s=0.1, target=b"/webhook")
    try:
        assert wait_all_closed(loris, 20)
    finally:
        loris.close()
    assert serve.request("GET", "/healthz")[0] == 200
    # And a connection that never sends a byte (half-open from our side) too.
    with socket.create_connection((serve.host, serve.port), timeout=20) as s:
        assert s.recv(1) == b""
    assert json.loads(serve.request("GET", "/healthz")[2])["status"] == "ok"


def closed_by_server(s):
    """Reads (an alert at most) until the server closes; False on our own
    timeout (the socket's, 20 s)."""
    try:
        while s.recv(1 << 16):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_mock_tls_handshakes_that_stall_are_cut_off(start_mock, self_signed_cert):
    """Connections that open TCP and never start (or finish) the TLS
    handshake are bounded by the read timeout, and a real TLS client is
    served meanwhile."""
    cert, key = self_signed_cert
    ctx = ssl.create_default_context(cafile=cert)
    m = start_mock("--tls-cert", cert, "--tls-key", key, "--read-timeout-ms", "500",
                   ssl_context=ctx)
    stalled = [socket.create_connection((m.host, m.port), timeout=20) for _ in range(50)]
    try:
        # Half of them send the first bytes of a ClientHello and stop.
        for s in stalled[::2]:
            s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        assert m.client.get("/healthz").status == 200
        assert all(closed_by_server(s) for s in stalled)
    finally:
        for s in stalled:
            s.close()
    assert m.client.get("/healthz").status == 200
