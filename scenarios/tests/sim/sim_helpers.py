"""Helpers shared by the simulator suites (imported by conftest.py and the tests)."""

import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "scenarios"
SIM_TIMEOUT_S = 120


def fnv1a64(data: bytes) -> str:
    """The digest `conflictlab sim` prints, computed independently."""
    h = 14695981039346656037
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"fnv1a64:{h:016x}"


class SimRun:
    """A finished `conflictlab sim`: exit code, output, results JSON."""

    def __init__(self, proc, results_path):
        self.proc = proc
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = None
        if results_path and os.path.exists(results_path):
            with open(results_path) as f:
                self.results = json.load(f)

    @property
    def metrics(self):
        return self.results["metrics"]

    @property
    def digest(self):
        return self.results["sim"]["history_digest"]

    def __repr__(self):
        return (f"SimRun(rc={self.returncode}, stdout={self.stdout[-2000:]!r}, "
                f"stderr={self.stderr[-2000:]!r})")
