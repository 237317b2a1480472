"""Fixtures of the adversarial suites (docs/reliability.md): a mock server as
the service's target, and a factory for `conflictlab serve` processes in
front of it. The shared fixtures (start_mock, write_json, run_conflictlab)
come from scenarios/tests/conftest.py. Every process started is stopped."""

import pytest

from adversarial_support import ServeProcess

POLICY = {"max_attempts": 3, "backoff": {"kind": "none"}}


@pytest.fixture
def serve_env(tmp_path, start_mock, write_json):
    """(mock, start_serve, db): start_serve(*flags, env=None) -> ServeProcess
    against `mock`, with a fresh event store `db`."""
    mock = start_mock()
    policy = write_json("policy.json", POLICY)
    db = str(tmp_path / "events.db")
    started = []

    def start_serve(*args, env=None, policy_path=policy, listen="127.0.0.1:0"):
        p = ServeProcess(mock.base_url, db, policy_path, *args, env=env, listen=listen)
        started.append(p)
        return p

    yield mock, start_serve, db
    for p in started:
        p.stop()
