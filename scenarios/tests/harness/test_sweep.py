"""`conflictlab sweep`: the grid, the table, CSV and JSON, bad axes."""

import csv
import json


SMALL = {
    "name": "sweep-small",
    "seed": 3,
    "workload": {"kind": "set-add", "resources": 1, "ops_per_writer": 4},
    "writers": 4,
    "policy": {"strategy": "merge", "max_attempts": 30,
               "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 10}},
    "expect": ["lost_updates == 0"],
}


def test_sweep_runs_the_grid_and_writes_csv_and_json(run_conflictlab, write_json, tmp_path):
    scenario = write_json("small.json", SMALL)
    out_csv, out_json = tmp_path / "s.csv", tmp_path / "s.json"
    p = run_conflictlab("sweep", scenario, "--vary", "backoff=full-jitter,none",
                        "--vary", "writers=2,4", "--csv", str(out_csv), "--json", str(out_json),
                        timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    header = [l for l in p.stdout.splitlines() if l.startswith("backoff")][0]
    assert header.split()[:3] == ["backoff", "writers", "goodput/s"]
    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["backoff"], r["writers"]) for r in rows] == [
        ("full-jitter", "2"), ("full-jitter", "4"), ("none", "2"), ("none", "4")]
    assert all(r["lost_updates"] == "0" and r["passed"] == "true" for r in rows)
    doc = json.loads(out_json.read_text())
    assert len(doc["runs"]) == 4
    assert doc["runs"][3]["metrics"]["ops"] == 16
    assert "--vary writers=4" in doc["runs"][3]["reproduce"]


def test_sweep_bad_axis_exits_2_before_running(run_conflictlab, write_json):
    scenario = write_json("small.json", SMALL)
    p = run_conflictlab("sweep", scenario, "--vary", "backoff=full-jitter,fast")
    assert p.returncode == 2
    assert "--vary backoff" in p.stderr and "fast" in p.stderr
    p = run_conflictlab("sweep", scenario, "--vary", "colour=red")
    assert p.returncode == 2
    assert "unknown key" in p.stderr
