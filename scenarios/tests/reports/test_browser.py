"""The HTML report in a real browser: headless Chromium (Debian's `chromium`,
installed by scripts/setup.sh) loads the page from a file:// URL with the
network unreachable, and we check that it loads without errors, that no fetch
was attempted, that the charts are in the rendered DOM, and keep a screenshot
(scenarios/tests/artifacts/report-*.png) as a test artifact.

How errors are caught without adding script to the report: the test's copy
of the page gets a probe <script> placed before the report's
Content-Security-Policy (a CSP <meta> governs only what follows it). The
probe records `error` events and CSP violations (any attempted fetch or
script) into attributes of <html>, which --dump-dom then shows."""

import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from report_helpers import cli

CHROMIUM_TIMEOUT_S = 90

PROBE = """<script>
(function () {
  var root = document.documentElement, errors = [];
  function note(kind, text) {
    errors.push(kind + ": " + text);
    root.setAttribute("data-probe-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (e) {
    note("error", (e.message || (e.target && (e.target.src || e.target.href)) || "unknown"));
  }, true);
  document.addEventListener("securitypolicyviolation", function (e) {
    note("csp", e.violatedDirective + " " + e.blockedURI);
  });
  window.addEventListener("load", function () {
    root.setAttribute("data-probe-loaded", String(document.querySelectorAll("svg.chart").length));
  });
})();
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    # scripts/test.sh (and so CI) installs it: missing there is a failure.
    if os.environ.get("CONFLICTLAB_REQUIRE_TOOLS"):
        pytest.fail("chromium is not installed (scripts/setup.sh installs Debian's `chromium`)")
    pytest.skip("chromium is not installed (scripts/setup.sh installs Debian's `chromium`)")


def browse(html_path, tmp_path, *extra):
    profile = tmp_path / "chromium-profile"
    cmd = [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
           "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           # Nothing may come from the network: any attempt fails loudly.
           "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           "--enable-logging=stderr", "--v=0", *extra, html_path.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S,
                          stdin=subprocess.DEVNULL)


def probed_copy(html_path, tmp_path):
    page = html_path.read_text()
    assert page.count("<head>") == 1
    probed = tmp_path / ("probed-" + html_path.name)
    probed.write_text(page.replace("<head>", "<head>\n" + PROBE, 1))
    return probed


def console_errors(stderr):
    """Console messages of level error/warning that Chromium logged."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and re.search(r"Uncaught|Refused|Failed to load|error", line,
                                               re.IGNORECASE)]


def png_ink_fraction(path):
    """Share of non-white bytes in the decoded PNG rows (a blank page is ~0)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    ink = sum(1 for b in raw[::7] if b not in (0xFF, 0x00))
    return width, height, ink / max(1, len(raw[::7]))


@pytest.fixture
def report(run_results, tmp_path):
    """A real report: a run with conflicts, faults and failures."""
    results = run_results("scenarios/transient-5xx.json")
    html = tmp_path / "report.html"
    r = cli("report", results, "-o", html)
    assert r.returncode == 0, r
    return html


def test_report_loads_in_chromium_without_errors_and_draws_every_chart(report, tmp_path):
    probed = probed_copy(report, tmp_path)
    r = browse(probed, tmp_path, "--dump-dom")
    assert r.returncode == 0, r.stderr[-3000:]
    dom = r.stdout
    loaded = re.search(r'data-probe-loaded="(\d+)"', dom)
    assert loaded, "the page never fired load:\n" + dom[:2000]
    assert int(loaded.group(1)) >= 7, "charts present after load: " + loaded.group(1)
    errors = re.search(r'data-probe-errors="([^"]*)"', dom)
    assert errors is None, "errors in the page: " + errors.group(1)
    assert console_errors(r.stderr) == []
    for section in ["verdict", "outcomes", "conflicts", "attempts", "latency", "throughput",
                    "faults", "findings"]:
        assert f'<section id="{section}">' in dom, section
    for title in ["Conflict heat strip", "Attempts per update", "Latency histogram",
                  "Server responses per second, by status code", "Fault firings per rule"]:
        assert title in dom, title


def test_the_probe_can_fail(tmp_path):
    """Control: a page that tries a fetch and throws is caught by the probe,
    so the test above cannot pass by accident."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                   "</head><body><img src=\"https://example.invalid/x.png\"></body></html>")
    r = browse(probed_copy(bad, tmp_path), tmp_path, "--dump-dom")
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'data-probe-errors="' in r.stdout, r.stdout[:2000]


def test_report_screenshot_is_saved_as_an_artifact(report, tmp_path, artifacts):
    shot = artifacts / "report-transient-5xx.png"
    if shot.exists():
        shot.unlink()
    r = browse(report, tmp_path, f"--screenshot={shot}", "--window-size=1100,6000",
               "--hide-scrollbars")
    assert r.returncode == 0, r.stderr[-3000:]
    assert shot.exists(), r.stderr[-3000:]
    width, height, ink = png_ink_fraction(shot)
    assert (width, height) == (1100, 6000)
    assert ink > 0.01, f"the screenshot looks blank ({ink:.4f} ink)"
