"""The `dashboard` block `run` and `sim` add to the results file (the data
behind the report's conflict dashboard, histograms and per-second charts):
consistent with the run's metrics, and bounded in size."""

import json

from report_helpers import cli


def dashboard_of(results_path):
    doc = json.loads(results_path.read_text())
    return doc, doc["dashboard"]


def check_consistent(doc, d):
    m = doc["metrics"]
    assert sum(row["ops"] for row in d["attempts_histogram"]) == m["ops"]
    assert sum(row["attempts"] * row["ops"] for row in d["attempts_histogram"]) == m["attempts"]
    assert len(d["latency_histogram"]["ops"]) == len(d["latency_histogram"]["le_ms"]) + 1
    assert sum(d["latency_histogram"]["ops"]) == m["ops"]
    assert d["conflicts_by_resource"]["total"] == m["conflicts"]
    top = d["conflicts_by_resource"]["top"]
    assert len(top) <= 20
    assert [r["conflicts"] for r in top] == sorted((r["conflicts"] for r in top), reverse=True)
    assert len(d["conflict_heat"]) <= 8
    for row, ranked in zip(d["conflict_heat"], top):
        assert row["id"] == ranked["id"]
        assert len(row["conflicts"]) == d["slots"]
        assert sum(row["conflicts"]) <= ranked["conflicts"]
    per_slot = d["ops_per_slot"]
    assert sum(per_slot["completed"]) == m["ops"]
    assert sum(per_slot["acknowledged"]) == m["acknowledged"]
    assert sum(per_slot["failed"]) == m["outcomes"]["Failed"]
    assert d["slots"] <= 240
    for status, row in d["status_per_slot"].items():
        assert len(row) == d["slots"], status


def test_run_writes_a_consistent_dashboard(tmp_path):
    out = tmp_path / "r.json"
    r = cli("run", "scenarios/transient-5xx.json", "--json", out, "-q")
    assert r.returncode in (0, 1), r
    doc, d = dashboard_of(out)
    check_consistent(doc, d)
    assert "503" in d["status_per_slot"]  # the scenario's injected 503s
    # A run under a second still gets a shape: slots of 10 ms and up.
    assert d["slot_s"] < 1 or doc["metrics"]["duration_s"] > 1


def test_sim_writes_a_consistent_dashboard(tmp_path):
    out = tmp_path / "s.json"
    r = cli("sim", "scenarios/sim/backoff-presets.json", "--json", out, "-q")
    assert r.returncode in (0, 1), r
    doc, d = dashboard_of(out)
    check_consistent(doc, d)
    assert d["conflicts_by_resource"]["resources"] == 5


def test_dashboard_stays_small(tmp_path):
    out = tmp_path / "big.json"
    r = cli("run", "scenarios/perf-hot-key-64.json", "--json", out, "-q")
    assert r.returncode in (0, 1), r
    doc, d = dashboard_of(out)
    check_consistent(doc, d)
    assert len(json.dumps(d)) < 64 * 1024
