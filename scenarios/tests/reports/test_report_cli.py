"""`conflictlab report` and `run --html/--markdown`: what they write, how they
fail, and that the committed golden reports still match."""

import json
import re

import pytest

from report_helpers import FIXTURES, GOLDEN, cli, normalise

SECTIONS = ["verdict", "outcomes", "conflicts", "attempts", "latency", "throughput", "faults",
            "findings"]
EVIL = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"


def test_report_renders_a_run_as_html_and_markdown(run_results, tmp_path):
    results = run_results("scenarios/transient-5xx.json")
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    r = cli("report", results, "-o", html, "--markdown", md)
    assert r.returncode == 0, r
    page = html.read_text()
    for section in SECTIONS:
        assert f'<section id="{section}">' in page, section
    assert page.count('<svg class="chart"') >= 7
    # Fault firings per rule: the scenario injects 500/502/503 rules.
    assert "Fault firings per rule" in page and "unavailable" in page
    assert "reproduce" in page.lower() and "--seed" in page
    text = md.read_text()
    assert text.startswith("## Conflict Lab: ")
    assert "| expectation | result | measured | threshold |" in text


def test_run_html_flag_writes_what_report_writes(tmp_path):
    results, html, md = tmp_path / "q.json", tmp_path / "run.html", tmp_path / "run.md"
    r = cli("run", "scenarios/quickstart.json", "--json", results, "--html", html,
            "--markdown", md, "-q")
    assert r.returncode == 0, r
    again_html, again_md = tmp_path / "again.html", tmp_path / "again.md"
    r = cli("report", results, "-o", again_html, "--markdown", again_md, "-q")
    assert r.returncode == 0, r
    assert html.read_bytes() == again_html.read_bytes()
    assert md.read_bytes() == again_md.read_bytes()


def test_report_default_output_is_results_path_with_html(run_results):
    results = run_results("scenarios/quickstart.json")
    r = cli("report", results)
    assert r.returncode == 0, r
    assert results.with_suffix(".html").exists()
    assert "wrote " + str(results.with_suffix(".html")) in r.stderr


def test_report_markdown_to_stdout(run_results):
    results = run_results("scenarios/quickstart.json")
    r = cli("report", results, "--markdown", "-")
    assert r.returncode == 0, r
    assert r.stdout.startswith("## Conflict Lab: quickstart")
    assert "**PASS**" in r.stdout


def test_report_renders_a_sweep(tmp_path):
    sweep = tmp_path / "s.json"
    r = cli("sweep", "scenarios/quickstart.json", "--vary", "backoff=none,full-jitter",
            "--vary", "writers=4,8", "--json", sweep, "-q")
    assert r.returncode in (0, 1), r
    html = tmp_path / "s.html"
    r = cli("report", sweep, "-o", html, "--markdown", tmp_path / "s.md")
    assert r.returncode == 0, r
    page = html.read_text()
    for title in ["Goodput against writers", "HTTP calls per success against writers",
                  "p99 latency against writers"]:
        assert title in page
    assert page.count(">backoff=none</text>") == 3
    assert page.count(">backoff=full-jitter</text>") == 3
    assert '<section id="sweep-table">' in page
    assert "| backoff | writers |" in (tmp_path / "s.md").read_text()


@pytest.mark.parametrize("content, message", [
    ("{\"format\": ", r"not JSON: parse error at line 1"),
    ("[]", r"/: expected an object \(a conflictlab results file\)"),
    ("{\"format\": \"nope\"}", r"/format: \"nope\" is not a results format"),
    ("{\"format\": \"conflictlab-results/1\"}", r"/scenario_name: missing"),
])
def test_report_bad_input_exits_2_naming_the_problem(write_json, tmp_path, content, message):
    path = write_json("bad.json", content)
    out = tmp_path / "out.html"
    r = cli("report", path, "-o", out)
    assert r.returncode == 2, r
    assert re.search(message, r.stderr), r.stderr
    assert str(path) in r.stderr
    assert not out.exists()  # nothing half-written


def test_report_missing_nested_field_is_named(run_results, write_json):
    doc = json.loads(run_results("scenarios/quickstart.json").read_text())
    del doc["metrics"]["latency"]["p99_ms"]
    r = cli("report", write_json("partial.json", doc), "-o", "-")
    assert r.returncode == 2, r
    assert "/metrics/latency/p99_ms: missing" in r.stderr


def test_report_unreadable_file_and_usage_errors_exit_2(tmp_path):
    r = cli("report", tmp_path / "absent.json")
    assert r.returncode == 2 and "cannot open the file" in r.stderr, r
    r = cli("report")
    assert r.returncode == 2, r
    r = cli("report", tmp_path / "absent.json", "--top", "0")
    assert r.returncode == 2, r


def test_report_escapes_strings_injected_into_a_real_results_file(run_results, write_json):
    doc = json.loads(run_results("scenarios/resolution-fails-alert.json").read_text())
    doc["scenario_name"] = EVIL
    doc["reproduce"] = EVIL
    doc["expectations"][0]["text"] = EVIL
    for op in doc["failed_ops"]:
        op["detail"] = EVIL
    r = cli("report", write_json("evil.json", doc), "-o", "-", "-q")
    assert r.returncode == 0, r
    assert "<script" not in r.stdout and "<img" not in r.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.stdout


@pytest.mark.parametrize("fixture", ["sim-run", "sweep"])
def test_golden_reports_match_through_the_cli(write_json, tmp_path, fixture):
    """The committed golden HTML/Markdown (reports/tests/golden/) are what the
    CLI renders from the committed fixtures, once normalised."""
    doc = normalise(json.loads((FIXTURES / f"{fixture}.json").read_text()))
    path = write_json(f"{fixture}.json", doc)
    html, md = tmp_path / "g.html", tmp_path / "g.md"
    r = cli("report", path, "-o", html, "--markdown", md)
    assert r.returncode == 0, r
    assert html.read_text() == (GOLDEN / f"{fixture}.html").read_text()
    assert md.read_text() == (GOLDEN / f"{fixture}.md").read_text()
