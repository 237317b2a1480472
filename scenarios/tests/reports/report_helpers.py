"""Helpers of the report suites (importable by name: a module called
`conftest` is ambiguous once several folders have one)."""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
DEFAULT_BIN = REPO / "build" / "harness" / "conflictlab"
ARTIFACTS = REPO / "scenarios" / "tests" / "artifacts"
FIXTURES = REPO / "reports" / "tests" / "fixtures"
GOLDEN = REPO / "reports" / "tests" / "golden"
CLI_TIMEOUT_S = 180


def binary():
    path = os.environ.get("CONFLICTLAB_BIN", str(DEFAULT_BIN))
    if not os.access(path, os.X_OK):
        pytest.fail(f"conflictlab binary not found at {path} (set CONFLICTLAB_BIN)")
    return path


def cli(*args, timeout=CLI_TIMEOUT_S, cwd=REPO):
    """Runs `conflictlab ARGS...` to completion from the repository root."""
    return subprocess.run([binary(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)


def normalise(results):
    """Version and start time vary between builds and runs; golden files
    compare everything else."""
    results = dict(results)
    if "version" in results:
        results["version"] = "0.0.0-golden"
    if "started_at" in results:
        results["started_at"] = "1970-01-01T00:00:00.000Z"
    return results
