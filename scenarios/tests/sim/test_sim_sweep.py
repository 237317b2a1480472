"""`conflictlab sweep` in sim mode: a grid of backoff settings x client
counts in one command, each point reproducible from its reproduce line."""

import json
import shlex

from sim_helpers import ROOT, SCENARIOS

STUDY = SCENARIOS / "sim" / "aws-backoff-study.json"


def test_sweep_simulates_a_sim_mode_scenario(run_conflictlab, tmp_path):
    out = tmp_path / "s.json"
    p = run_conflictlab("sweep", str(STUDY), "--vary", "backoff=none,full-jitter",
                        "--vary", "writers=5,10", "--json", str(out), timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "(simulated)" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["mode"] == "sim"
    assert [(r["setting"]["backoff"], r["setting"]["writers"]) for r in doc["runs"]] == [
        ("none", "5"), ("none", "10"), ("full-jitter", "5"), ("full-jitter", "10")]
    for run in doc["runs"]:
        assert run["passed"] and run["metrics"]["outcomes"]["Failed"] == 0
        assert run["sim"]["history_digest"].startswith("fnv1a64:")
        assert run["sim"]["history_digest"] in p.stdout
    assert doc["runs"][1]["metrics"]["ops"] == 10


def test_sim_flag_simulates_a_real_mode_scenario_and_points_replay(run_conflictlab, tmp_path):
    scenario = SCENARIOS / "sim" / "crosscheck-16-writers.json"  # mode "real"
    out = tmp_path / "s.json"
    p = run_conflictlab("sweep", str(scenario), "--sim", "--seed", "4",
                        "--vary", "backoff=equal-jitter,decorrelated-jitter", "--json", str(out),
                        timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(out.read_text())
    point = doc["runs"][1]
    assert "--sim" in point["reproduce"] and "--seed 4" in point["reproduce"]
    # The reproduce line reruns exactly that point: same digest.
    args = shlex.split(point["reproduce"])
    assert args[0] == "conflictlab"
    again = tmp_path / "again.json"
    q = run_conflictlab(*args[1:], "--json", str(again), timeout=120)
    assert q.returncode == 0, q.stdout + q.stderr
    assert json.loads(again.read_text())["runs"][0]["sim"]["history_digest"] == \
        point["sim"]["history_digest"]


def test_sweep_varies_the_sim_model(run_conflictlab, tmp_path):
    out = tmp_path / "s.json"
    p = run_conflictlab("sweep", str(STUDY), "--vary", "sim.network.delay_ms.mean=1,20",
                        "--vary", "writers=5", "--json", str(out), timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    runs = json.loads(out.read_text())["runs"]
    assert runs[0]["sim"]["model"]["network"]["delay_ms"]["mean"] == 1
    assert runs[1]["sim"]["model"]["network"]["delay_ms"]["mean"] == 20
    # Slower hops, slower completion (the sd of 2 ms is kept).
    assert runs[1]["metrics"]["duration_s"] > runs[0]["metrics"]["duration_s"]


def test_bad_sim_axis_exits_2_before_running(run_conflictlab):
    p = run_conflictlab("sweep", str(STUDY), "--vary", "sim.network.delay_ms.mean=5,-3")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "sim.network.delay_ms.mean" in p.stderr
    assert "[1/" not in p.stdout  # nothing ran
    p = run_conflictlab("sweep", str(STUDY), "--sim", "--target", "http://127.0.0.1:9",
                        "--vary", "writers=2")
    assert p.returncode == 2 and "--target" in p.stderr
