"""Fixtures for the report suites: the built `conflictlab` ($CONFLICTLAB_BIN),
runs that write results files into tmp_path, and the artifacts folder
(scenarios/tests/artifacts/, gitignored) where screenshots are kept.
Standard library only; every subprocess is bounded in time."""

import json
import os
import pathlib
import subprocess

import pytest

from report_helpers import (  # noqa: F401  (shared with the suites)
    ARTIFACTS,
    CLI_TIMEOUT_S,
    DEFAULT_BIN,
    FIXTURES,
    GOLDEN,
    REPO,
    binary,
    cli,
    normalise,
)


@pytest.fixture
def run_results(tmp_path):
    """run_results(scenario, *extra) -> path of the results JSON of
    `conflictlab run SCENARIO --json ...` (any verdict)."""
    counter = [0]

    def run(scenario, *extra):
        counter[0] += 1
        out = tmp_path / f"results-{counter[0]}.json"
        r = cli("run", scenario, "--json", out, "--no-progress", "-q", *extra)
        assert r.returncode in (0, 1), r
        assert out.exists(), r
        return out

    return run


@pytest.fixture
def write_json(tmp_path):
    def write(name, doc):
        path = tmp_path / name
        path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
        return path

    return write


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
