"""Fixtures for the harness suites: run `conflictlab run` / `conflictlab
sweep` on the scenario library through the built binary ($CONFLICTLAB_BIN)
and read the results file it writes. Every run is bounded in time."""

import json
import os
import pathlib

import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 120


class Run:
    """A finished `conflictlab run`: exit code, output, and the results JSON."""

    def __init__(self, proc, results_path, junit_path):
        self.proc = proc
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = None
        if results_path and os.path.exists(results_path):
            with open(results_path) as f:
                self.results = json.load(f)
        self.junit_path = junit_path

    @property
    def metrics(self):
        return self.results["metrics"]

    def expectation(self, text):
        for e in self.results["expectations"]:
            if e["text"] == text:
                return e
        raise KeyError(text)

    def __repr__(self):
        return (f"Run(rc={self.returncode}, stdout={self.stdout[-2000:]!r}, "
                f"stderr={self.stderr[-2000:]!r})")


@pytest.fixture
def run_scenario(run_conflictlab, tmp_path):
    """run_scenario(name_or_path, *extra_args) -> Run, with --json and
    --junit into tmp_path."""
    counter = [0]

    def run(scenario, *extra, timeout=RUN_TIMEOUT_S):
        counter[0] += 1
        path = scenario if os.path.sep in str(scenario) else str(SCENARIOS / scenario)
        results = str(tmp_path / f"results-{counter[0]}.json")
        junit = str(tmp_path / f"junit-{counter[0]}.xml")
        proc = run_conflictlab("run", path, "--json", results, "--junit", junit,
                               "--no-progress", *extra, timeout=timeout)
        return Run(proc, results, junit)

    return run
