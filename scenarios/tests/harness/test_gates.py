"""Exit codes, failed gates, bad scenarios, JUnit, --seed and --history."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from binaries import run_cli



def small(name="gate-test", **over):
    doc = {
        "name": name,
        "seed": 5,
        "workload": {"kind": "set-add", "resources": 2, "ops_per_writer": 5},
        "writers": 4,
        "policy": {"strategy": "merge", "max_attempts": 20,
                   "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 10}},
        "expect": ["lost_updates == 0"],
    }
    doc.update(over)
    return doc


def test_failed_gate_exits_1_and_names_the_expectation(run_scenario, write_json):
    path = write_json("fail.json", small(expect=["lost_updates == 0", "ops > 1000"]))
    r = run_scenario(path)
    assert r.returncode == 1, r
    assert "FAIL: ops > 1000 (measured 20)" in r.stdout
    e = r.expectation("ops > 1000")
    assert e["passed"] is False and e["measured"] == 20
    assert r.expectation("lost_updates == 0")["passed"] is True
    assert r.results["passed"] is False


def test_failed_outcome_gate_lists_the_failed_ops(run_scenario, write_json):
    doc = small(expect=["outcomes.Failed == 0"])
    doc["target"] = {"server": {"fault_rules": {"rules": [
        {"name": "always-409", "match": {"methods": ["PUT"]}, "then": {"status": 409}}]}}}
    doc["policy"]["max_attempts"] = 2
    r = run_scenario(write_json("failed.json", doc))
    assert r.returncode == 1, r
    e = r.expectation("outcomes.Failed == 0")
    assert e["measured"] == 20
    assert len(e["op_ids"]) > 0 and all(i.startswith("w") for i in e["op_ids"])
    assert "ops:" in r.stdout


def test_junit_is_well_formed_with_one_case_per_expectation_plus_checker(run_scenario, write_json):
    path = write_json("junit.json", small(expect=["lost_updates == 0", "ops < 0"]))
    r = run_scenario(path)
    assert r.returncode == 1
    root = ET.parse(r.junit_path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = suites[0].findall("testcase")
    names = [c.get("name") for c in cases]
    assert names == ["expect: lost_updates == 0", "expect: ops < 0", "checker: no lost updates"]
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    assert failures[0].find("failure").get("message") == "ops < 0: measured 20"
    assert suites[0].get("failures") == "1" and suites[0].get("tests") == "3"


def test_seed_flag_overrides_and_is_printed(run_scenario, write_json):
    r = run_scenario(write_json("seed.json", small()), "--seed", "12345")
    assert r.returncode == 0, r
    assert "seed 12345" in r.stdout.splitlines()[0]
    assert r.results["seed"] == 12345
    assert "--seed 12345" in r.results["reproduce"]


def test_history_file_has_one_json_line_per_op(run_scenario, write_json, tmp_path):
    hist = tmp_path / "history.jsonl"
    r = run_scenario(write_json("hist.json", small()), "--history", str(hist))
    assert r.returncode == 0, r
    lines = [json.loads(l) for l in hist.read_text().splitlines()]
    assert len(lines) == 20
    assert {l["op_id"] for l in lines} == {f"w{w}-{n}" for w in range(4) for n in range(5)}
    assert all(l["outcome"]["kind"] in ("success", "resolved") for l in lines)


@pytest.mark.parametrize("over,field", [
    ({"workload": {"kind": "set-add", "resources": 0}}, "workload.resources"),
    ({"workload": {"kind": "set-add", "keys": {"distribution": "pareto"}}}, "workload.keys.distribution"),
    ({"policy": {"backoff": {"kind": "fast"}}}, "policy.backoff.kind"),
    ({"expect": ["lost_updates =< 0"]}, "expect[0]"),
    ({"workload": {"kind": "set-add", "resource": 3}}, "workload.resource"),
    ({"writers": 0}, "writers"),
])
def test_bad_scenario_exits_2_naming_the_field(run_scenario, write_json, over, field):
    r = run_scenario(write_json("bad.json", small(**over)))
    assert r.returncode == 2, r
    assert field in r.stderr
    assert r.results is None  # nothing ran


def test_scenario_without_writers_names_the_groups_field(run_scenario, write_json):
    doc = small()
    del doc["writers"], doc["policy"]
    r = run_scenario(write_json("nogroups.json", doc))
    assert r.returncode == 2, r
    assert "groups: required" in r.stderr
    assert r.results is None


def test_bad_server_options_exit_2_naming_the_field(run_scenario, write_json):
    doc = small()
    doc["target"] = {"server": {"conflict_status": 499}}
    r = run_scenario(write_json("badserver.json", doc))
    assert r.returncode == 2, r
    assert "target.server.conflict_status" in r.stderr


def test_missing_file_exits_2(run_scenario, tmp_path):
    r = run_scenario(str(tmp_path / "nope.json"))
    assert r.returncode == 2
    assert "nope.json" in r.stderr


def test_syntax_error_names_line_and_column(run_scenario, write_json):
    r = run_scenario(write_json("syntax.json", '{"name": "x",\n}'))
    assert r.returncode == 2
    assert "line 2" in r.stderr


def test_version_names_the_allocator():
    """Operators compare runs across builds: --version says which malloc the
    program links (cmake/Allocator.cmake), since it moves every figure."""
    r = run_cli("--version")
    assert r.returncode == 0, r
    assert re.fullmatch(r"\d+\.\d+\.\d+ \(malloc: (jemalloc \d+\.\d+\.\d+|system)\)\n", r.stdout), r.stdout
