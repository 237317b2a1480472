"""Sim against real (docs/sim.md "Sim versus real"): the same scenario file
(16 merge writers, 4 resources, a fault mix) run over real sockets and in
the simulator, over a few seeds. Outcome counts and calls per success must
agree within the stated tolerance, so the simulator cannot silently drift
from what the real engine and server do.

Tolerances (over the seeds' totals; docs/sim.md records measured values):
  success rate (acknowledged / ops)        both >= 0.95, |real - sim| <= 0.03
  first-try share (Success / ops)          |real - sim| <= 0.15
  calls per success                        within 20 % of each other
  attempts per update                      within 20 % of each other
  fault firings per server request         |real - sim| <= 0.05
Only counts are compared, never timings (real runs on a loaded CI machine
take whatever time they take)."""

import json

from sim_helpers import SCENARIOS

SCENARIO = SCENARIOS / "sim" / "crosscheck-16-writers.json"
SEEDS = (1, 2, 3)


def totals(paths):
    t = {"ops": 0, "acknowledged": 0, "success": 0, "http_calls": 0, "attempts": 0,
         "requests": 0, "faults": 0}
    for path in paths:
        m = json.loads(path.read_text())["metrics"]
        t["ops"] += m["ops"]
        t["acknowledged"] += m["acknowledged"]
        t["success"] += m["outcomes"]["Success"]
        t["http_calls"] += m["http_calls"]
        t["attempts"] += m["attempts"]
        t["requests"] += m["server"]["requests"]
        t["faults"] += m["server"]["faults_fired"]
    return t


def within(a, b, relative):
    return abs(a - b) <= relative * max(a, b)


def test_sim_agrees_with_real_on_counts(run_conflictlab, tmp_path):
    real, sim = [], []
    for seed in SEEDS:
        for mode, sink in (("run", real), ("sim", sim)):
            out = tmp_path / f"{mode}-{seed}.json"
            p = run_conflictlab(mode, str(SCENARIO), "--seed", str(seed), "--no-progress",
                                "--json", str(out), timeout=180)
            assert p.returncode == 0, (mode, seed, p.stdout[-3000:], p.stderr[-2000:])
            sink.append(out)
    r, s = totals(real), totals(sim)
    assert r["ops"] == s["ops"] == 16 * 12 * len(SEEDS)
    report = {k: (r[k], s[k]) for k in r}
    rate_r, rate_s = r["acknowledged"] / r["ops"], s["acknowledged"] / s["ops"]
    assert rate_r >= 0.95 and rate_s >= 0.95, report
    assert abs(rate_r - rate_s) <= 0.03, report
    assert abs(r["success"] / r["ops"] - s["success"] / s["ops"]) <= 0.15, report
    assert within(r["http_calls"] / r["acknowledged"], s["http_calls"] / s["acknowledged"], 0.20), \
        report
    assert within(r["attempts"] / r["ops"], s["attempts"] / s["ops"], 0.20), report
    assert abs(r["faults"] / r["requests"] - s["faults"] / s["requests"]) <= 0.05, report
