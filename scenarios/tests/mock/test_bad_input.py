"""Bad input gets a clear 4xx (problem+json naming the problem) and never
changes stored state: malformed JSON, non-object bodies, oversize bodies and
headers, garbage on the wire, malformed precondition headers."""

import json
import socket


def seed_resource(client):
    r = client.put("/resources/keep", {"v": 1})
    assert r.status == 201
    return r.header("ETag")


def assert_unchanged(client, etag):
    g = client.get("/resources/keep")
    assert g.status == 200
    assert g.json() == {"v": 1}
    assert g.header("ETag") == etag


def problem_of(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, head.decode(errors="replace"), body


def test_malformed_json_is_400(client):
    etag = seed_resource(client)
    r = client.request("PUT", "/resources/keep", body='{"v": ', headers={
        "Content-Type": "application/json", "If-Match": etag})
    assert r.status == 400
    assert r.header("Content-Type") == "application/problem+json"
    assert r.json()["detail"]
    assert_unchanged(client, etag)


def test_non_object_body_is_400(client):
    etag = seed_resource(client)
    r = client.put("/resources/keep", [1, 2, 3], etag=etag)
    assert r.status == 400
    assert "object" in r.json()["detail"]
    assert_unchanged(client, etag)


def test_too_deep_json_is_400(client):
    etag = seed_resource(client)
    deep = "[" * 5000 + "]" * 5000
    r = client.request("PUT", "/resources/keep", body='{"a": ' + deep + "}", headers={
        "Content-Type": "application/json", "If-Match": etag})
    assert r.status == 400
    assert_unchanged(client, etag)


def test_malformed_if_match_is_400(client):
    etag = seed_resource(client)
    r = client.put("/resources/keep", {"v": 2}, headers={"If-Match": '"unterminated'})
    assert r.status == 400
    assert "If-Match" in r.json()["detail"]
    assert_unchanged(client, etag)


def test_oversize_body_is_413(start_mock):
    c = start_mock("--body-limit", "1024").client
    r = c.put("/resources/keep", {"v": 1})
    etag = r.header("ETag")
    big = json.dumps({"blob": "x" * 4096})
    r = c.request("PUT", "/resources/keep", body=big, headers={
        "Content-Type": "application/json", "If-Match": etag})
    assert r.status == 413
    assert "1024" in r.json()["detail"]
    g = c.get("/resources/keep")
    assert g.json() == {"v": 1} and g.header("ETag") == etag


def test_oversize_body_much_larger_than_socket_buffers_still_gets_413(start_mock):
    c = start_mock("--body-limit", "1024").client
    big = b'{"blob": "' + b"x" * (4 << 20) + b'"}'
    r = c.request("PUT", "/resources/big", body=big, headers={"Content-Type": "application/json"})
    assert r.status == 413
    assert c.get("/resources/big").status == 404


def test_oversize_headers_are_431(start_mock):
    c = start_mock("--header-limit", "2048").client
    etag = seed_resource(c)
    r = c.request("PUT", "/resources/keep", body=json.dumps({"v": 2}), headers={
        "Content-Type": "application/json", "If-Match": etag, "X-Padding": "p" * 8192})
    assert r.status == 431
    assert r.header("Content-Type") == "application/problem+json"
    assert_unchanged(c, etag)


def test_garbage_request_line_is_400_and_connection_closed(client):
    etag = seed_resource(client)
    raw = client.raw(b"\x16\x03\x01 definitely not http\r\n\r\n")
    status, head, body = problem_of(raw)
    assert status == 400
    assert "Connection: close" in head
    assert json.loads(body)["status"] == 400
    assert_unchanged(client, etag)


def test_bad_content_length_is_400(client):
    raw = client.raw(b"PUT /resources/x HTTP/1.1\r\nHost: t\r\nContent-Length: ten\r\n\r\n")
    assert problem_of(raw)[0] == 400
    assert client.get("/resources/x").status == 404


def test_conflicting_content_lengths_are_400(client):
    raw = client.raw(b"PUT /resources/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                     b"Content-Length: 3\r\nContent-Type: application/json\r\n\r\n{}")
    assert problem_of(raw)[0] == 400
    assert client.get("/resources/x").status == 404


def test_invalid_resource_id_is_400(client):
    r = client.get("/resources/%zz")
    assert r.status == 400


def test_slow_header_trickle_is_cut_off(start_mock):
    m = start_mock("--read-timeout-ms", "500", "--idle-timeout-ms", "10000")
    with socket.create_connection((m.host, m.port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed = False
        for _ in range(30):  # a byte every 100 ms, bounded to 3 s
            try:
                s.sendall(b"X")
                s.settimeout(0.1)
                if s.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
        assert closed
    assert m.client.get("/healthz").status == 200
