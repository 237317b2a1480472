"""`conflictlab sim`: same results format and exit codes as `run`, the
history digest, determinism (same seed -> same bytes; different seeds ->
different histories), bad input naming the field, gates, and limits."""

import json
import xml.etree.ElementTree as ET

from sim_helpers import SCENARIOS, fnv1a64

QUICK = SCENARIOS / "sim" / "quick-sim.json"

SMALL = {
    "name": "sim-small",
    "seed": 9,
    "mode": "sim",
    "writers": 12,
    "workload": {"kind": "set-add", "resources": 3, "ops_per_writer": 6},
    "policy": {"strategy": "merge", "max_attempts": 20,
               "backoff": {"kind": "full-jitter", "base_ms": 5, "cap_ms": 200}},
    "target": {"server": {"fault_rules": {"rules": [
        {"name": "flaky", "match": {"methods": ["PUT"]}, "when": {"probability": 0.05},
         "then": {"status": 503}},
        {"name": "slow", "when": {"probability": 0.05}, "then": {"delay_ms": 20}}]}}},
    "expect": ["lost_updates == 0", "success_rate == 1"],
    "sim": {"network": {"delay_ms": {"mean": 5, "sd": 1}},
            "server": {"service_ms": {"mean": 0.3, "sd": 0.1}}},
}


def test_sim_runs_a_scenario_and_reports_like_run(simulate, tmp_path):
    junit = tmp_path / "junit.xml"
    r = simulate(QUICK, "--junit", str(junit))
    assert r.returncode == 0, r
    assert r.results["format"] == "conflictlab-results/1"
    assert r.results["mode"] == "sim"
    assert r.results["passed"] is True
    assert r.metrics["ops"] == 200 * 5
    assert r.metrics["lost_updates"] == 0
    assert r.results["reproduce"] == f"conflictlab sim {QUICK} --seed 42"
    # The summary: the usual one, then the simulation's lines with the digest.
    assert "\nPASS\n" in r.stdout
    assert f"history     {r.digest}" in r.stdout
    assert r.digest.startswith("fnv1a64:") and len(r.digest) == len("fnv1a64:") + 16
    sim = r.results["sim"]
    assert sim["events"] > 0 and sim["requests"] >= 2 * 1000
    assert sim["model"]["network"]["delay_ms"] == {"mean": 10.0, "sd": 2.0}
    assert sim["model"]["server"]["concurrency_limit"] == 64
    # JUnit: one suite, a test case per expectation, no failures.
    suite = ET.parse(junit).getroot()
    assert suite.find(".//testcase") is not None
    assert not list(suite.iter("failure"))


def test_same_seed_gives_a_byte_identical_history(simulate, write_json, tmp_path):
    scenario = write_json("small.json", SMALL)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    r1 = simulate(scenario, "--history", str(a))
    r2 = simulate(scenario, "--history", str(b))
    assert r1.returncode == 0 and r2.returncode == 0, (r1, r2)
    assert a.read_bytes() == b.read_bytes()
    assert r1.digest == r2.digest
    # The digest is FNV-1a 64 over exactly the canonical history file.
    assert fnv1a64(a.read_bytes()) == r1.digest
    lines = a.read_text().splitlines()
    assert len(lines) == 12 * 6 + 3  # one per op, then one per resource
    assert json.loads(lines[0])["outcome"]["kind"] in ("success", "resolved")
    assert json.loads(lines[-1])["resource_id"] == "r-2"
    # Contention and faults happened, so the identity is not trivial.
    assert r1.metrics["conflicts"] > 0
    assert r1.metrics["server"]["faults_fired"] > 0


def test_different_seeds_give_different_histories(simulate, write_json):
    scenario = write_json("small.json", SMALL)
    r1 = simulate(scenario, "--seed", "1")
    r2 = simulate(scenario, "--seed", "2")
    assert r1.returncode == 0 and r2.returncode == 0, (r1, r2)
    assert r1.digest != r2.digest
    assert r2.results["seed"] == 2
    assert r2.results["reproduce"].endswith("--seed 2")


def test_quiet_prints_verdict_and_digest(run_conflictlab, write_json):
    scenario = write_json("small.json", SMALL)
    p = run_conflictlab("sim", scenario, "--quiet", timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "PASS"
    assert lines[1].startswith("history fnv1a64:")


def test_a_failed_gate_exits_1(simulate, write_json, tmp_path):
    scenario = dict(SMALL, expect=["lost_updates == 0", "duration_s < 0.001"])
    junit = tmp_path / "junit.xml"
    r = simulate(write_json("gate.json", scenario), "--junit", str(junit))
    assert r.returncode == 1, r
    assert "FAIL: duration_s < 0.001" in r.stdout
    assert "reproduce: conflictlab sim" in r.stdout
    assert r.results["passed"] is False
    failed = [e for e in r.results["expectations"] if not e["passed"]]
    assert [e["text"] for e in failed] == ["duration_s < 0.001"]
    assert len(list(ET.parse(junit).getroot().iter("failure"))) == 1


def test_lost_updates_fail_a_simulated_run_too(simulate, write_json):
    # Blind writers lose updates; the checker must see it in sim mode as well.
    blind = dict(SMALL, workload={"kind": "blind", "resources": 1, "ops_per_writer": 5},
                 expect=[], target={})
    r = simulate(write_json("blind.json", blind))
    assert r.returncode == 1, r
    assert r.metrics["lost_updates"] > 0
    r = simulate(write_json("blind-ok.json", dict(blind, expect=["lost_updates > 0"])))
    assert r.returncode == 0, r


def bad(run_conflictlab, write_json, doc):
    p = run_conflictlab("sim", write_json("bad.json", doc), "--no-progress")
    assert p.returncode == 2, (p.stdout, p.stderr)
    return p.stderr


def test_bad_sim_model_exits_2_naming_the_field(run_conflictlab, write_json):
    err = bad(run_conflictlab, write_json,
              dict(SMALL, sim={"network": {"delay_ms": {"mean": 10, "sd": -1}}}))
    assert "sim.network.delay_ms.sd: must be between 0 and 60000 (got -1)" in err
    err = bad(run_conflictlab, write_json, dict(SMALL, sim={"server": {"threads": 4}}))
    assert "sim.server.threads: unknown field" in err
    err = bad(run_conflictlab, write_json,
              dict(SMALL, sim={"server": {"concurrency_limit": "lots"}}))
    assert "sim.server.concurrency_limit" in err
    err = bad(run_conflictlab, write_json, dict(SMALL, sim=[1, 2]))
    assert "sim: expected an object" in err


def test_other_bad_input_exits_2(run_conflictlab, write_json, tmp_path):
    # An external target cannot be simulated (the file is rejected in mode sim...).
    ext = dict(SMALL, target={"kind": "external", "url": "http://127.0.0.1:9"})
    assert "target.kind" in bad(run_conflictlab, write_json, ext)
    # ...and a real-mode file with one is refused by `sim`.
    assert "target.kind" in bad(run_conflictlab, write_json, dict(ext, mode="real"))
    # Bad server options name the field.
    assert "target.server.dialect" in bad(
        run_conflictlab, write_json, dict(SMALL, target={"server": {"dialect": "nope"}}))
    # An unwritable --history path: exit 2 before anything runs.
    p = run_conflictlab("sim", write_json("ok.json", SMALL), "--history",
                        str(tmp_path / "no" / "such" / "dir" / "h.jsonl"))
    assert p.returncode == 2 and "--history" in p.stderr
    # No such file.
    p = run_conflictlab("sim", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and "cannot read the file" in p.stderr


def test_a_limit_stops_the_run_and_fails_it(simulate, write_json):
    r = simulate(write_json("limited.json", dict(SMALL, sim={"limits": {"max_events": 100}})))
    assert r.returncode == 1, r
    assert any("sim.limits.max_events" in e for e in r.results["errors"])


def test_help_lists_the_flags(run_conflictlab):
    p = run_conflictlab("sim", "--help")
    assert p.returncode == 0
    for flag in ("--seed", "--json", "--junit", "--history", "--quiet", "--no-progress"):
        assert flag in p.stdout


def test_failed_reads_are_retried_not_written_blind(simulate):
    # The same scenario as the real-mode library test: faults on the GETs.
    run = simulate(SCENARIOS / "read-failures.json")
    assert run.returncode == 0, run
    assert run.results["metrics"]["lost_updates"] == 0
    assert run.results["metrics"]["server"]["fault_firings"]["read-503"] > 0
