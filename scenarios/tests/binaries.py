"""Where the built binary is and how long the suites wait for it: shared by
conftest.py and the suites that need them at import time (a module named
`conftest` is ambiguous once several folders have one). Standard library
only."""

import http.client
import os
import re
import subprocess

import pytest

# The repository root is two levels up from this file (scenarios/tests/).
DEFAULT_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "harness", "conflictlab")
START_TIMEOUT_S = 15
STOP_TIMEOUT_S = 15
REQUEST_TIMEOUT_S = 10

LISTENING = re.compile(r"^listening on (https?)://([^\s]+):(\d+)$")


def conflictlab_bin():
    path = os.environ.get("CONFLICTLAB_BIN", DEFAULT_BIN)
    if not os.access(path, os.X_OK):
        pytest.fail(f"conflictlab binary not found at {path} (set CONFLICTLAB_BIN)")
    return path


def run_cli(*args, env=None, timeout=30):
    """Runs `conflictlab ARGS...` to completion (for commands that exit)."""
    return subprocess.run(
        [conflictlab_bin(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def http_call(host, port, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
    """One request on a fresh connection: (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()
