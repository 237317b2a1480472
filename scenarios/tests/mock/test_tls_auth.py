"""TLS (a throwaway self-signed certificate made with the openssl CLI) and
bearer-token auth on /resources and /_admin. Tokens must never appear in the
server's stdout, stderr or access log."""

import json
import ssl

import pytest

RESOURCE_TOKEN = "res-T0ken-5f1c8a"
ADMIN_TOKEN = "adm-T0ken-99e2b7"


def tls_context(cert):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def test_tls_serves_https(start_mock, self_signed_cert):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    assert m.scheme == "https"
    c = m.client
    r = c.put("/resources/a", {"v": 1})
    assert r.status == 201
    etag = r.header("ETag")
    assert c.put("/resources/a", {"v": 2}, etag=etag).status == 200
    assert c.put("/resources/a", {"v": 3}, etag=etag).status == 412
    h = c.request("HEAD", "/resources/a")
    assert h.status == 200 and h.body == b""


def test_tls_rejects_tls_1_1(start_mock, self_signed_cert):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    try:
        old.minimum_version = ssl.TLSVersion.TLSv1_1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python's OpenSSL cannot even offer TLS 1.1")
    import http.client
    conn = http.client.HTTPSConnection(m.host, m.port, timeout=5, context=old)
    with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
        conn.request("GET", "/healthz")
        conn.getresponse()
    conn.close()
    assert m.client.get("/healthz").status == 200


def test_plain_http_to_a_tls_port_fails_cleanly(start_mock, self_signed_cert):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    raw = m.client.raw(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    assert b"HTTP/1.1 200" not in raw
    assert m.client.get("/healthz").status == 200


def test_bad_certificate_file_exits_2(run_conflictlab, tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    r = run_conflictlab("mock", "--port", "0", "--tls-cert", str(bogus), "--tls-key", str(bogus))
    assert r.returncode == 2
    assert "bogus.pem" in r.stderr


@pytest.fixture
def secured(start_mock, tmp_path):
    token_file = tmp_path / "resource.token"
    token_file.write_text(RESOURCE_TOKEN + "\n")
    log = tmp_path / "access.jsonl"
    env = {"PATH": "/usr/bin:/bin", "CONFLICTLAB_TEST_ADMIN_TOKEN": ADMIN_TOKEN}
    m = start_mock("--token-file", str(token_file), "--admin-token-env",
                   "CONFLICTLAB_TEST_ADMIN_TOKEN", "--access-log", str(log), env=env)
    return m, log


def test_resource_token_required(secured):
    m, _ = secured
    c = m.client
    no = c.get("/resources/a")
    assert no.status == 401
    assert no.header("WWW-Authenticate").startswith("Bearer")
    wrong = c.get("/resources/a", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    ok = c.put("/resources/a", {"v": 1}, headers={"Authorization": f"Bearer {RESOURCE_TOKEN}"})
    assert ok.status == 201
    # The resource token does not open the admin API.
    assert c.get("/_admin/stats", headers={"Authorization": f"Bearer {RESOURCE_TOKEN}"}).status == 401


def test_admin_token_required(secured):
    m, _ = secured
    c = m.client
    assert c.get("/_admin/stats").status == 401
    assert c.request("POST", "/_admin/reset").status == 401
    assert c.get("/_admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status == 200
    # The admin token does not open /resources.
    assert c.get("/resources/a", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status == 401


def test_unauthorized_write_changes_nothing(secured):
    m, _ = secured
    c = m.client
    auth = {"Authorization": f"Bearer {RESOURCE_TOKEN}"}
    c.put("/resources/a", {"v": 1}, headers=auth)
    assert c.put("/resources/a", {"v": 666}).status == 401
    assert c.get("/resources/a", headers=auth).json() == {"v": 1}


def test_tokens_never_appear_in_output_or_access_log(secured):
    m, log = secured
    c = m.client
    c.get("/resources/a", headers={"Authorization": f"Bearer {RESOURCE_TOKEN}"})
    c.get("/resources/a?access_token=" + RESOURCE_TOKEN)
    c.get("/_admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    c.get("/_admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"})
    assert m.stop() == 0
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 4
    assert {line["status"] for line in lines} >= {200, 401}
    assert lines[1]["target"] == "/resources/a?access_token=REDACTED"
    for blob in (text, m.stdout(), m.stderr()):
        assert RESOURCE_TOKEN not in blob
        assert ADMIN_TOKEN not in blob
        assert "Authorization" not in blob


def test_access_log_line_shape(start_mock, tmp_path):
    log = tmp_path / "a.jsonl"
    m = start_mock("--access-log", str(log))
    m.client.put("/resources/x", {"v": 1})
    assert m.stop() == 0
    line = json.loads(log.read_text().splitlines()[0])
    assert line["method"] == "PUT"
    assert line["target"] == "/resources/x"
    assert line["status"] == 201
    assert line["peer"].startswith("127.0.0.1:")
    assert line["latency_ms"] >= 0
    assert line["bytes"] > 0
    assert line["time"].endswith("Z")
