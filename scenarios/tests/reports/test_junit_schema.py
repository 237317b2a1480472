"""The harness's JUnit XML (`run --junit`, `sweep --junit`) validates against
the common JUnit schema (scenarios/tests/reports/junit.xsd) with xmllint
(Debian libxml2-utils, installed by scripts/setup.sh): passing runs, failing
runs with failure messages, runs with hostile strings, and sweeps."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from report_helpers import cli

XSD = pathlib.Path(__file__).resolve().parent / "junit.xsd"


def validate(xml_path):
    xmllint = shutil.which("xmllint")
    if not xmllint:
        # scripts/test.sh (and so CI) installs it: missing there is a failure.
        if os.environ.get("CONFLICTLAB_REQUIRE_TOOLS"):
            pytest.fail("xmllint is not installed (scripts/setup.sh installs libxml2-utils)")
        pytest.skip("xmllint is not installed (scripts/setup.sh installs libxml2-utils)")
    return subprocess.run([xmllint, "--noout", "--schema", str(XSD), str(xml_path)],
                          capture_output=True, text=True, timeout=60)


def small(tmp_path, name, expect, workload_kind="set-add"):
    doc = {
        "name": name,
        "seed": 5,
        "workload": {"kind": workload_kind, "resources": 2, "ops_per_writer": 5},
        "writers": 4,
        "policy": {"strategy": "merge", "max_attempts": 20,
                   "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 10}},
        "expect": expect,
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(doc))
    return path


def test_passing_run_junit_is_valid(tmp_path):
    xml = tmp_path / "pass.xml"
    r = cli("run", "scenarios/quickstart.json", "--junit", xml, "-q")
    assert r.returncode == 0, r
    v = validate(xml)
    assert v.returncode == 0, v.stderr


def test_failing_run_junit_with_failures_is_valid(tmp_path):
    xml = tmp_path / "fail.xml"
    scenario = small(tmp_path, "failing", ["lost_updates == 0", "ops > 1000"])
    r = cli("run", scenario, "--junit", xml, "-q")
    assert r.returncode == 1, r
    assert "<failure" in xml.read_text()
    v = validate(xml)
    assert v.returncode == 0, v.stderr


def test_blind_writers_anomalies_junit_is_valid(tmp_path):
    xml = tmp_path / "blind.xml"
    r = cli("run", "scenarios/blind-writers-lose-updates.json", "--junit", xml, "-q")
    assert r.returncode in (0, 1), r
    v = validate(xml)
    assert v.returncode == 0, v.stderr


def test_hostile_names_still_give_valid_junit(tmp_path):
    xml = tmp_path / "hostile.xml"
    # Scenario names are restricted; expectation texts reach the XML verbatim.
    scenario = small(tmp_path, "hostile", ["paths contains x\"<&>']]>\u00e9\u0001"])
    r = cli("run", scenario, "--junit", xml, "-q")
    assert r.returncode == 1, r
    assert "&lt;&amp;&gt;" in xml.read_text()
    v = validate(xml)
    assert v.returncode == 0, v.stderr


def test_sweep_junit_is_valid(tmp_path):
    xml = tmp_path / "sweep.xml"
    r = cli("sweep", "scenarios/quickstart.json", "--vary", "backoff=none,full-jitter",
            "--junit", xml, "-q")
    assert r.returncode in (0, 1), r
    assert xml.read_text().count("<testsuite ") == 2
    v = validate(xml)
    assert v.returncode == 0, v.stderr


@pytest.mark.parametrize("broken", [
    '<testsuites><testsuite tests="1" failures="0" errors="0"/></testsuites>',  # no name
    '<testsuites><testsuite name="s" tests="one" failures="0" errors="0"/></testsuites>',
    '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
    '<testcase/></testsuite></testsuites>',  # a case without a name
    '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
    '<testcase name="c"><failed/></testcase></testsuite></testsuites>',  # unknown element
])
def test_schema_rejects_broken_junit(tmp_path, broken):
    """Control: the schema and validator can fail."""
    xml = tmp_path / "broken.xml"
    xml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + broken)
    v = validate(xml)
    assert v.returncode != 0, "the schema accepted: " + broken
