"""Shared fixtures for the end-to-end suites: start the built `conflictlab`
binary as a real process on 127.0.0.1 with an ephemeral port, talk to it as a
real client (http.client, ssl, raw sockets), and always stop it.

Everything is bounded in time: reading the start line, every request (socket
timeouts), and stopping (SIGTERM, wait, then SIGKILL).

The binary comes from $CONFLICTLAB_BIN (default: build/harness/conflictlab in this checkout).
Standard library only.
"""

import http.client
import json
import os
import queue
import re
import signal
import socket
import ssl
import subprocess
import threading

import pytest

from binaries import (  # noqa: F401  (re-exported for the suites)
    DEFAULT_BIN,
    LISTENING,
    REQUEST_TIMEOUT_S,
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    conflictlab_bin,
    run_cli,
)


class Reply:
    """One HTTP response, read whole."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive get()
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:200]!r})"


class Client:
    """A small client for one mock server. A fresh connection per request, so
    a reset or closed connection in one test step does not leak into the next."""

    def __init__(self, scheme, host, port, ssl_context=None):
        self.scheme = scheme
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.default_headers = {}

    def connection(self, timeout=REQUEST_TIMEOUT_S):
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=self.ssl_context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
        all_headers = dict(self.default_headers)
        all_headers.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            all_headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            resp = conn.getresponse()
            data = resp.read()
            return Reply(resp.status, resp.headers, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, body, etag=None, headers=None, **kw):
        h = dict(headers or {})
        if etag is not None:
            h["If-Match"] = etag
        return self.request("PUT", path, body=body, headers=h, **kw)

    def patch(self, path, body, content_type, etag=None, headers=None, **kw):
        h = {"Content-Type": content_type}
        if etag is not None:
            h["If-Match"] = etag
        h.update(headers or {})
        return self.request("PATCH", path, body=json.dumps(body), headers=h, **kw)

    def delete(self, path, etag=None, headers=None, **kw):
        h = dict(headers or {})
        if etag is not None:
            h["If-Match"] = etag
        return self.request("DELETE", path, headers=h, **kw)

    def raw(self, data, timeout=5, read_limit=1 << 20):
        """Sends raw bytes on a fresh TCP connection and returns what comes
        back until the server closes (or the timeout)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            total = 0
            try:
                while total < read_limit:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
            except (socket.timeout, ConnectionResetError):
                pass
            return b"".join(chunks)


class MockProcess:
    """A running `conflictlab mock` process."""

    def __init__(self, args, env=None, ssl_context=None):
        cmd = [conflictlab_bin(), "mock", "--port", "0", *args]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        self._stdout_lines = queue.Queue()
        self._stdout = []
        self._stderr = []
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self._stdout, True), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self._stderr, False), daemon=True),
        ]
        for t in self._readers:
            t.start()
        first = self._next_line(START_TIMEOUT_S)
        m = LISTENING.match(first or "")
        if not m:
            self.stop()
            raise AssertionError(
                f"mock did not start: first line {first!r}, stderr {self.stderr()!r}"
            )
        self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
        self.seed_line = self._next_line(START_TIMEOUT_S)
        self.client = Client(self.scheme, self.host, self.port, ssl_context)
        self.returncode = None

    def _drain(self, stream, sink, line_queue):
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace")
            sink.append(line)
            if line_queue:
                self._stdout_lines.put(line.rstrip("\n"))
        stream.close()

    def _next_line(self, timeout):
        try:
            return self._stdout_lines.get(timeout=timeout)
        except queue.Empty:
            return None

    @property
    def base_url(self):
        return f"{self.scheme}://{self.host}:{self.port}"

    def stdout(self):
        return "".join(self._stdout)

    def stderr(self):
        return "".join(self._stderr)

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT_S):
        self.returncode = self.proc.wait(timeout=timeout)
        for t in self._readers:
            t.join(timeout=5)
        return self.returncode

    def stop(self):
        """SIGTERM, bounded wait, SIGKILL as the fallback. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.returncode = self.proc.returncode
        for t in self._readers:
            t.join(timeout=5)
        return self.returncode


@pytest.fixture
def start_mock():
    """Factory: start_mock(*flags, env=None, ssl_context=None) -> MockProcess.
    Every process started is stopped at teardown."""
    started = []

    def start(*args, env=None, ssl_context=None):
        p = MockProcess(list(args), env=env, ssl_context=ssl_context)
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def mock(start_mock):
    """A mock server with default settings."""
    return start_mock()


@pytest.fixture
def client(mock):
    return mock.client


@pytest.fixture
def write_json(tmp_path):
    """write_json(name, value) -> path of a JSON file in tmp_path."""

    def write(name, value):
        path = tmp_path / name
        path.write_text(value if isinstance(value, str) else json.dumps(value))
        return str(path)

    return write


@pytest.fixture
def self_signed_cert(tmp_path):
    """(cert_path, key_path) of a throwaway self-signed certificate for
    127.0.0.1, made with the openssl CLI."""
    cert = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return str(cert), str(key)


@pytest.fixture
def run_conflictlab():
    """run_conflictlab(*args, env=None, timeout=30) -> CompletedProcess, for
    commands that exit by themselves."""
    return run_cli
