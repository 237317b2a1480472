"""Limits on every listener: oversized header blocks (431) and bodies (413)
as application/problem+json with Connection: close, read by an ordinary
client (no reset eats the answer), the connection handled and the server
still serving; invalid UTF-8 and JSON nested 100000 levels deep get 400,
never a stack overflow, and change nothing already accepted."""

import json

import pytest

from adversarial_support import event, exchange, parse_response
from binaries import http_call

DEEP = 100_000


def deep_array(n=DEEP):
    return "[" * n + "]" * n


def post(host, port, method, path, body, headers=None):
    """http.client sends the whole body before reading: exactly the client a
    server that closes early would leave with a reset instead of its 4xx."""
    return http_call(host, port, method, path, body, headers, timeout=30)


def assert_problem(status, headers, body, expected_status, detail_part):
    assert status == expected_status, body
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Connection"].lower() == "close"
    problem = json.loads(body)
    assert problem["status"] == expected_status
    assert detail_part in problem["detail"], problem


# ---- the mock server -------------------------------------------------------


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 16 * 1024 * 1024])
def test_mock_oversize_body_is_413_for_an_ordinary_client(start_mock, size):
    m = start_mock()
    body = b'{"blob": "' + b"x" * size + b'"}'
    status, headers, answer = post(m.host, m.port, "PUT", "/resources/big", body,
                                   {"Content-Type": "application/json"})
    assert_problem(status, headers, answer, 413, "1048576")
    assert m.client.get("/resources/big").status == 404


def test_mock_oversize_header_block_is_431_then_serves(start_mock):
    m = start_mock()
    status, headers, answer = post(m.host, m.port, "GET", "/resources/x", None,
                                   {"X-Pad": "p" * (64 * 1024)})
    assert_problem(status, headers, answer, 431, "16384")
    # Many header fields rather than one long one.
    many = {f"X-F{i}": "v" * 50 for i in range(2000)}
    status, headers, answer = post(m.host, m.port, "GET", "/healthz", None, many)
    assert status == 431
    assert m.client.get("/healthz").status == 200


def test_mock_invalid_utf8_bodies_are_400_and_change_nothing(start_mock):
    m = start_mock()
    c = m.client
    etag = c.put("/resources/keep", {"v": 1}).header("ETag")
    for raw in (b'{"v": "\xff"}', b'{"v": "\xc3\x28"}', b'{"\xed\xa0\x80": 1}',
                b'{"v": "\xf8\x88\x80\x80\x80"}'):
        r = c.request("PUT", "/resources/keep", body=raw,
                      headers={"Content-Type": "application/json", "If-Match": etag})
        assert r.status == 400, (raw, r)
        assert r.header("Content-Type") == "application/problem+json"
    r = c.request("PUT", "/_admin/faults", body=b'{"rules": [{"name": "\xff"}]}',
                  headers={"Content-Type": "application/json"})
    assert r.status == 400
    g = c.get("/resources/keep")
    assert g.json() == {"v": 1} and g.header("ETag") == etag


@pytest.mark.parametrize("method,path,content_type", [
    ("PUT", "/resources/keep", "application/json"),
    ("PATCH", "/resources/keep", "application/merge-patch+json"),
    ("PATCH", "/resources/keep", "application/json-patch+json"),
    ("POST", "/resources", "application/json"),
    ("PUT", "/_admin/faults", "application/json"),
    ("PUT", "/_admin/etag-style", "application/json"),
    ("POST", "/_admin/alerts", "application/json"),
])
def test_mock_json_nested_100000_deep_is_400_not_a_crash(start_mock, method, path, content_type):
    m = start_mock()
    c = m.client
    etag = c.put("/resources/keep", {"v": 1}).header("ETag")
    body = '{"a": ' + deep_array() + "}" if "json-patch" not in content_type else deep_array()
    r = c.request(method, path, body=body, headers={"Content-Type": content_type,
                                                     "If-Match": etag})
    assert r.status == 400, r
    assert "nest" in r.json()["detail"]
    g = c.get("/resources/keep")
    assert g.json() == {"v": 1} and g.header("ETag") == etag
    assert c.get("/_admin/faults").json()["rules"] == []
    assert m.stop() == 0


# ---- the service -----------------------------------------------------------


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 16 * 1024 * 1024])
def test_service_oversize_body_is_413_for_an_ordinary_client(serve_env, size):
    """Regression: the service closed at once after its 413, with the body
    still arriving, so the client's kernel got a reset and the client never
    read the 413 (BrokenPipeError). Now: a lingering close."""
    _, start_serve, _ = serve_env
    serve = start_serve()
    body = b'{"blob": "' + b"x" * size + b'"}'
    status, headers, answer = post(serve.host, serve.port, "POST", "/webhook", body,
                                   {"Content-Type": "application/json"})
    assert_problem(status, headers, answer, 413, "1048576")
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 0
    assert serve.request("GET", "/healthz")[0] == 200


def test_service_oversize_header_block_is_431_then_serves(serve_env):
    _, start_serve, _ = serve_env
    serve = start_serve("--header-limit", "4096")
    body = json.dumps(event("h-1", "r-1")).encode()
    status, headers, answer = post(serve.host, serve.port, "POST", "/webhook", body,
                                   {"Content-Type": "application/json", "X-Pad": "p" * 8192})
    assert_problem(status, headers, answer, 431, "too large")
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 0
    assert serve.request("GET", "/healthz")[0] == 200


def test_service_garbage_on_the_wire_is_400(serve_env):
    _, start_serve, _ = serve_env
    serve = start_serve()
    raw = exchange(serve.host, serve.port, b"\x16\x03\x01\x02\x00 not http\r\n\r\n")
    status, headers, body = parse_response(raw)
    assert status == 400
    assert headers["connection"].lower() == "close"
    assert json.loads(body)["status"] == 400


def test_service_event_nested_100000_deep_is_400_not_a_crash(serve_env):
    """Regression: `conflictlab serve` died with SIGSEGV (stack overflow
    copying the parsed document) on an event whose payload nested 100000
    arrays."""
    mock, start_serve, _ = serve_env
    serve = start_serve()
    raw = ('{"event_id": "deep", "resource_id": "r-1", "method": "PUT", "payload": {"a": '
           + deep_array() + "}}").encode()
    status, headers, body = serve.post_event(raw=raw)
    assert status == 400, body
    assert json.loads(body)["detail"] == "body: JSON nested more than 64 levels deep"
    assert serve.alive()
    assert serve.metric('conflictlab_service_webhooks_total{result="invalid"}') == 1
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 0
    assert serve.stop() == 0


def test_service_invalid_utf8_event_is_400(serve_env):
    _, start_serve, _ = serve_env
    serve = start_serve()
    for raw in (b'{"event_id": "e\xff", "resource_id": "r", "method": "PUT", "payload": 1}',
                b'{"event_id": "e", "resource_id": "r", "method": "PUT", "payload": "\xc3\x28"}'):
        status, headers, body = serve.post_event(raw=raw)
        assert status == 400, body
        assert headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["detail"].startswith("body: not valid JSON")
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 0
