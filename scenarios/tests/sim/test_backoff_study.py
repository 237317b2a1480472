"""The backoff study (docs/backoff.md): one command regenerates the table
and the chart, deterministically; the committed results are what the
current build produces; and the claims docs/backoff.md makes hold."""

import csv
import os
import subprocess
import xml.etree.ElementTree as ET

from sim_helpers import ROOT

SCRIPT = ROOT / "scripts" / "backoff-study.sh"
COMMITTED = ROOT / "docs" / "backoff"


def study(out_dir, seeds, timeout=600):
    env = dict(os.environ, SEEDS=seeds)
    env.setdefault("CONFLICTLAB_BIN", str(ROOT / "build" / "harness" / "conflictlab"))
    p = subprocess.run([str(SCRIPT), str(out_dir)], capture_output=True, text=True, env=env,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-3000:]
    return {row["backoff"] + "@" + row["writers"]: row
            for row in csv.DictReader((out_dir / "results.csv").open())}


def test_the_study_regenerates_identically(tmp_path):
    a = study(tmp_path / "a", "1")
    b = study(tmp_path / "b", "1")
    for name in ("results.csv", "results.md", "chart.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert a == b
    assert len(a) == 5 * 10
    svg = ET.parse(tmp_path / "a" / "chart.svg").getroot()
    assert svg.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for label in ("clients N", "calls (GET + PUT)", "full jitter", "decorrelated jitter",
                  "exponential (no jitter)", "no backoff", "equal jitter"):
        assert label in texts, label
    md = (tmp_path / "a" / "results.md").read_text()
    assert "| 100 |" in md and "chart.svg" in md


def test_committed_results_match_this_build(tmp_path):
    # docs/backoff/ was produced by `scripts/backoff-study.sh` (10 seeds); a
    # change in the engine, the server core or the simulator that moves the
    # numbers must come with regenerated docs.
    fresh = study(tmp_path / "fresh", "1 2 3 4 5 6 7 8 9 10")
    for name in ("results.csv", "results.md", "chart.svg"):
        assert (tmp_path / "fresh" / name).read_text() == (COMMITTED / name).read_text(), (
            f"docs/backoff/{name} is stale: run scripts/backoff-study.sh")
    # The claims of docs/backoff.md, at N = 100.
    work = {k: float(fresh[f"{k}@100"]["calls_mean"]) for k in
            ("none", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter")}
    time = {k: float(fresh[f"{k}@100"]["completion_ms_mean"]) for k in work}
    assert work["full-jitter"] == min(work.values())
    assert work["exponential"] > 1.8 * work["full-jitter"]
    assert work["none"] > 2.5 * work["full-jitter"]
    assert time["exponential"] > 10 * time["full-jitter"]
    assert min(time["full-jitter"], time["decorrelated-jitter"]) < time["equal-jitter"]
    assert time["none"] == min(time.values())
