"""Fixtures for the simulator suites: `conflictlab sim` / `conflictlab sweep
--sim` through the built binary ($CONFLICTLAB_BIN), with the results file it
writes. Every run is bounded in time; simulated runs take virtual time, so
nothing here depends on how loaded the machine is, except the wall-clock
timeouts, which are generous."""

import pytest

from sim_helpers import SIM_TIMEOUT_S, SimRun


@pytest.fixture
def simulate(run_conflictlab, tmp_path):
    """simulate(scenario_path, *extra_args) -> SimRun, with --json into tmp_path."""
    counter = [0]

    def run(scenario, *extra, timeout=SIM_TIMEOUT_S):
        counter[0] += 1
        results = str(tmp_path / f"sim-{counter[0]}.json")
        proc = run_conflictlab("sim", str(scenario), "--json", results, "--no-progress", *extra,
                               timeout=timeout)
        return SimRun(proc, results)

    return run
