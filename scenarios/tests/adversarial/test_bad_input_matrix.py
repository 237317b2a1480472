"""The bad-input matrix (docs/reliability.md "Bad-input matrix"): every
user-facing input of `conflictlab` against the same families of bad values.
Each case must end in a clear message naming the problem (and the flag,
file or field) with exit 2 or a 4xx problem+json, never a crash, and must
leave the state already accepted unchanged.

Inputs and cases are tables; the counts in docs/reliability.md are the
lengths of these tables (test_matrix_counts_match_the_docs pins them).
"""

import json
import os
import re
import subprocess
import time

import pytest

from adversarial_support import SETTLE_S, event
from binaries import conflictlab_bin

DEEP = 100_000
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# ---- file inputs -------------------------------------------------------------

# A valid document per file input, and how the command reads it ({f} is the
# file). Servers get arguments that would let them start, so a case that is
# wrongly accepted shows up as a server that keeps running (the run times out).
FILE_INPUTS = {
    "scenario (run)": ["run", "{f}", "--no-progress", "--quiet"],
    "scenario (sim)": ["sim", "{f}", "--no-progress", "--quiet"],
    "scenario (sweep)": ["sweep", "{f}", "--vary", "writers=1,2", "--quiet"],
    "rule file (mock --faults)": ["mock", "--port", "0", "--faults", "{f}"],
    "config (mock --config)": ["mock", "--port", "0", "--config", "{f}"],
    "policy (serve --policy)": ["serve", "--target", "http://127.0.0.1:9", "--policy", "{f}",
                                "--db", "{tmp}/events.db", "--listen", "127.0.0.1:0"],
    "trigger (serve --trigger)": ["serve", "--target", "http://127.0.0.1:9", "--policy",
                                  "{policy}", "--db", "{tmp}/events.db", "--listen",
                                  "127.0.0.1:0", "--trigger", "{f}"],
    "results (report)": ["report", "{f}", "-o", "{tmp}/out.html"],
}


def run_cli_bytes(*args, timeout=60):
    """Runs `conflictlab ARGS...`; stdout and stderr decoded with
    replacement, since a message may quote a byte of an invalid file."""
    r = subprocess.run([conflictlab_bin(), *args], capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode(errors="replace"),
                                       r.stderr.decode(errors="replace"))


def quickstart():
    text = open(os.path.join(REPO, "scenarios", "quickstart.json")).read()
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))


def with_field(doc, key, value):
    d = dict(doc)
    d[key] = value
    return d


def deep(n=DEEP):
    return "[" * n + "]" * n


# (input, case) -> (content: bytes | None for a missing file, expected
# fragments of stderr besides the file name). Cases common to every file
# input come first; then each input's own field-level cases.
COMMON_FILE_CASES = {
    "missing file": (None, ["cannot read"]),
    "empty file": (b"", None),
    "not JSON": (b'{"a": ', None),
    "invalid UTF-8": (b'{"name": "\xff"}', ["UTF-8"]),
    "top level not an object": (b"[1, 2]", None),
    "nested 100000 deep": (('{"a": ' + deep() + "}").encode(), ["deep"]),
}


def field_cases():
    q = quickstart()
    rules = {"rules": [{"name": "r", "match": {"methods": ["GET"]}, "then": {"status": 500}}]}
    return {
        "scenario (run)": {
            "unknown field": (with_field(q, "bogus", 1), ["bogus", "unknown field"]),
            "wrong type": (with_field(q, "writers", "many"), ["writers", "integer"]),
            "out of range": (with_field(q, "writers", 0), ["writers", "between 1 and"]),
        },
        "scenario (sim)": {
            "unknown field": (with_field(q, "bogus", 1), ["bogus", "unknown field"]),
            "wrong type": (with_field(q, "seed", "x"), ["seed"]),
            "out of range": (with_field(q, "writers", 100001), ["writers", "between 1 and"]),
        },
        "scenario (sweep)": {
            "unknown field": (with_field(q, "bogus", 1), ["bogus", "unknown field"]),
            "wrong type": (with_field(q, "policy", [1]), ["policy"]),
            "out of range": (with_field(q, "writers", -3), ["writers"]),
        },
        "rule file (mock --faults)": {
            "unknown field": ({"rules": [], "bogus": 1}, ["bogus", "unknown field"]),
            "wrong type": ({"rules": {"a": 1}}, ["rules"]),
            "out of range": ({"rules": [dict(rules["rules"][0], when={"probability": 1.5})]},
                             ["rules[0].when.probability", "1.5"]),
        },
        "config (mock --config)": {
            "unknown field": ({"bogus": 1}, ["bogus", "unknown field"]),
            "wrong type": ({"seed": "x"}, ["seed"]),
            "out of range": ({"conflict_status": 500}, ["conflict_status"]),
        },
        "policy (serve --policy)": {
            "unknown field": ({"bogus": 1}, ["bogus", "unknown field"]),
            "wrong type": ({"max_attempts": "x"}, ["max_attempts"]),
            "out of range": ({"max_attempts": 0}, ["max_attempts"]),
        },
        "trigger (serve --trigger)": {
            "unknown field": ({"bogus": 1}, ["bogus"]),
            "wrong type": ({"ignore_types": "read"}, ["ignore_types"]),
            "out of range": ({"ignore_types": [1]}, ["ignore_types"]),
        },
        "results (report)": {
            "unknown format": ({"format": "conflictlab-results/9"}, ["/format"]),
            "wrong type": ({"format": 3}, ["/format"]),
            "missing field": ({"format": "conflictlab-results/1"}, ["missing"]),
        },
    }


# Where an input says it differently (the report reads any depth without
# recursing, and then finds no /format).
COMMON_OVERRIDES = {
    ("results (report)", "missing file"): ["cannot open"],
    ("results (report)", "nested 100000 deep"): ["/format"],
}

FILE_CASES = [(inp, case, content, COMMON_OVERRIDES.get((inp, case), expect))
              for inp in FILE_INPUTS
              for case, (content, expect) in COMMON_FILE_CASES.items()]
FILE_CASES += [(inp, case, json.dumps(doc).encode(), expect)
               for inp, cases in field_cases().items()
               for case, (doc, expect) in cases.items()]


@pytest.mark.parametrize("inp,case,content,expect", FILE_CASES,
                         ids=[f"{i}: {c}" for i, c, _, _ in FILE_CASES])
def test_bad_file_exits_2_naming_the_file(tmp_path, inp, case, content, expect):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_bytes(content)
    policy = tmp_path / "policy.json"
    policy.write_text('{"max_attempts": 3}')
    argv = [a.format(f=str(path), tmp=str(tmp_path), policy=str(policy))
            for a in FILE_INPUTS[inp]]
    r = run_cli_bytes(*argv)
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-500:])
    err = r.stderr
    assert err.startswith("conflictlab "), err
    assert "input.json" in err, err
    for fragment in expect or []:
        assert fragment in err, (fragment, err)
    assert len(err) < 4096, "an error message should be one readable line, not a dump"
    # Nothing was served or written.
    assert "listening on" not in r.stdout
    assert not (tmp_path / "out.html").exists()


# ---- flags -----------------------------------------------------------------

# (command, case, argv, expected fragments of stderr). {tmp} is a fresh
# directory; {scenario} a valid scenario; {policy} a valid policy.
FLAG_CASES = [
    ("run", "unknown flag", ["run", "{scenario}", "--bogus"], ["--bogus"]),
    ("run", "missing scenario", ["run"], ["SCENARIO", "required"]),
    ("run", "not a number", ["run", "{scenario}", "--seed", "abc"], ["--seed"]),
    ("run", "out of range", ["run", "{scenario}", "--server-threads", "0"], ["--server-threads"]),
    ("run", "bad URL", ["run", "{scenario}", "--target", "ftp://x"], ["ftp://x"]),
    ("run", "unwritable output", ["run", "{scenario}", "--json", "{tmp}/no/such/dir/r.json",
                                  "--quiet", "--no-progress"], ["--json"]),
    ("sweep", "missing --vary", ["sweep", "{scenario}"], ["--vary"]),
    ("sweep", "malformed axis", ["sweep", "{scenario}", "--vary", "writers"], ["writers"]),
    ("sweep", "unknown axis", ["sweep", "{scenario}", "--vary", "bogus=1,2"], ["bogus"]),
    ("sweep", "bad axis value", ["sweep", "{scenario}", "--vary", "writers=a,b"], ["writers"]),
    ("sim", "negative seed", ["sim", "{scenario}", "--seed", "-1"], ["--seed"]),
    ("run", "negative seed", ["run", "{scenario}", "--seed", "-1"], ["--seed"]),
    ("sim", "external target", ["sim", "{external}"], ["target"]),
    ("report", "missing file", ["report", "{tmp}/none.json"], ["none.json"]),
    ("report", "out of range", ["report", "{tmp}/none.json", "--top", "0"], ["--top"]),
    ("mock", "port out of range", ["mock", "--port", "70000"], ["--port"]),
    ("mock", "threads out of range", ["mock", "--port", "0", "--threads", "0"], ["--threads"]),
    ("mock", "bad enum", ["mock", "--port", "0", "--conflict-status", "500"],
     ["--conflict-status"]),
    ("mock", "not an address", ["mock", "--port", "0", "--host", "not-an-ip"], ["not-an-ip"]),
    ("mock", "missing token file", ["mock", "--port", "0", "--token-file", "{tmp}/nope",
                                    "--admin-token-file", "{tmp}/nope"], ["--token-file"]),
    ("mock", "resource token without admin token",
     ["mock", "--port", "0", "--token-file", "{token}"], ["--admin-token-file"]),
    ("mock", "mutually exclusive", ["mock", "--port", "0", "--token-file", "{token}",
                                    "--token-env", "X"], ["--token-file", "--token-env"]),
    ("mock", "cert without key", ["mock", "--port", "0", "--tls-cert", "{token}"], ["tls"]),
    ("mock", "body limit 0", ["mock", "--port", "0", "--body-limit", "0"], ["--body-limit"]),
    ("serve", "missing --target", ["serve", "--policy", "{policy}", "--db", "{tmp}/e.db"],
     ["--target"]),
    ("serve", "bad --listen", ["serve", "--target", "http://127.0.0.1:9", "--policy", "{policy}",
                               "--db", "{tmp}/e.db", "--listen", "nope"], ["--listen"]),
    ("serve", "port out of range", ["serve", "--target", "http://127.0.0.1:9", "--policy",
                                    "{policy}", "--db", "{tmp}/e.db", "--listen",
                                    "127.0.0.1:99999"], ["--listen"]),
    ("serve", "bad target URL", ["serve", "--target", "ftp://x", "--policy", "{policy}", "--db",
                                 "{tmp}/e.db", "--listen", "127.0.0.1:0"], ["--target"]),
    ("serve", "bad enum", ["serve", "--target", "http://127.0.0.1:9", "--policy", "{policy}",
                           "--db", "{tmp}/e.db", "--sync", "maybe"], ["--sync"]),
    ("serve", "unset secret env", ["serve", "--target", "http://127.0.0.1:9", "--policy",
                                   "{policy}", "--db", "{tmp}/e.db", "--listen", "127.0.0.1:0",
                                   "--webhook-secret-env", "CONFLICTLAB_TEST_UNSET"],
     ["CONFLICTLAB_TEST_UNSET"]),
    ("serve", "out of range", ["serve", "--target", "http://127.0.0.1:9", "--policy", "{policy}",
                               "--db", "{tmp}/e.db", "--queue-capacity", "0"],
     ["--queue-capacity"]),
    ("serve", "header limit too small", ["serve", "--target", "http://127.0.0.1:9", "--policy",
                                         "{policy}", "--db", "{tmp}/e.db", "--header-limit",
                                         "10"], ["--header-limit"]),
    ("serve", "read timeout 0", ["serve", "--target", "http://127.0.0.1:9", "--policy",
                                 "{policy}", "--db", "{tmp}/e.db", "--read-timeout-ms", "0"],
     ["--read-timeout-ms"]),
    ("replay", "missing --db", ["replay", "--failed"], ["--db"]),
    ("replay", "missing store", ["replay", "--db", "{tmp}/none.db", "--failed"],
     ["no such event store"]),
    ("replay", "nothing selected", ["replay", "--db", "{tmp}/empty.db"], ["--failed"]),
    ("replay", "bad time", ["replay", "--db", "{tmp}/empty.db", "--failed", "--since",
                            "yesterday"], ["--since", "RFC 3339"]),
    ("replay", "out of range", ["replay", "--db", "{tmp}/none.db", "--failed", "--limit", "0"],
     ["--limit"]),
]


@pytest.mark.parametrize("command,case,argv,expect", FLAG_CASES,
                         ids=[f"{c}: {k}" for c, k, _, _ in FLAG_CASES])
def test_bad_flag_exits_2_naming_the_flag(tmp_path, command, case, argv, expect):
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(quickstart()))
    external = tmp_path / "ext.json"
    external.write_text(json.dumps(with_field(quickstart(), "target",
                                              {"kind": "external",
                                               "url": "http://127.0.0.1:9"})))
    policy = tmp_path / "p.json"
    policy.write_text('{"max_attempts": 3}')
    token = tmp_path / "token"
    token.write_text("flag-matrix-t0ken\n")
    args = [a.format(tmp=str(tmp_path), scenario=str(scenario), policy=str(policy),
                     token=str(token), external=str(external)) for a in argv]
    (tmp_path / "empty.db").write_bytes(b"")
    r = run_cli_bytes(*args)
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-500:])
    for fragment in expect:
        assert fragment in r.stderr, (fragment, r.stderr)
    assert "flag-matrix-t0ken" not in r.stderr + r.stdout
    assert "listening on" not in r.stdout
    assert not os.path.exists(tmp_path / "e.db"), "a rejected serve must not create its store"


# ---- webhook events --------------------------------------------------------

# (case, body bytes, expected status, fragment of the problem's detail)
EVENT_CASES = [
    ("not JSON", b'{"event_id": ', 400, "body: not valid JSON"),
    ("invalid UTF-8", b'{"event_id": "e\xff", "resource_id": "r", "method": "PUT", '
                      b'"payload": 1}', 400, "body: not valid JSON"),
    ("nested 20000 deep", ('{"event_id": "e", "resource_id": "r", "method": "PUT", "payload": '
                           + deep(20000) + "}").encode(), 400, "nested more than 64"),
    ("not an object", b"[1, 2]", 400, "body: must be a JSON object"),
    ("empty body", b"", 400, "body: not valid JSON"),
    ("missing event_id", json.dumps({"resource_id": "r-0", "method": "PUT", "payload": {}})
     .encode(), 400, "event_id: required"),
    ("event_id wrong type", json.dumps({"event_id": 7, "resource_id": "r-0", "method": "PUT",
                                        "payload": {}}).encode(), 400, "event_id"),
    ("event_id with a newline", json.dumps(event("a\nb", "r-0")).encode(), 400,
     "event_id: only printable ASCII"),
    ("event_id too long", json.dumps(event("e" * 300, "r-0")).encode(), 400,
     "event_id: longer than 256"),
    ("missing resource_id", json.dumps({"event_id": "x", "method": "PUT", "payload": {}})
     .encode(), 400, "resource_id: required"),
    ("resource_id too long", json.dumps(event("x", "r" * 2000)).encode(), 400,
     "resource_id: longer than 1024"),
    ("missing method", json.dumps({"event_id": "x", "resource_id": "r-0", "payload": {}})
     .encode(), 400, "method: required"),
    ("unknown method", json.dumps(event("x", "r-0", method="POST")).encode(), 400,
     'method: must be "PUT" or "PATCH"'),
    ("missing payload", json.dumps({"event_id": "x", "resource_id": "r-0", "method": "PUT"})
     .encode(), 400, "payload: required"),
    ("PATCH payload not an object", json.dumps(event("x", "r-0", payload=[1])).encode(), 400,
     "payload: a PATCH payload must be a JSON object"),
    ("bad timestamp", json.dumps(event("x", "r-0", timestamp="yesterday")).encode(), 400,
     "timestamp: not an RFC 3339"),
    ("type wrong type", json.dumps(event("x", "r-0", type=3)).encode(), 400,
     "type: must be a string"),
    ("status wrong type", json.dumps(event("x", "r-0", status=[])).encode(), 400,
     "status: must be a string"),
    ("over the body limit", json.dumps(event("x", "r-0", payload={"b": "x" * 70000}))
     .encode(), 413, "larger than 65536"),
]


def test_bad_events_get_4xx_and_leave_the_intake_unchanged(serve_env):
    mock, start_serve, _ = serve_env
    assert mock.client.put("/resources/r-0", {"created": True}).status == 201
    serve = start_serve("--body-limit", "65536")
    status, _, body = serve.post_event(event("good-1", "r-0"))
    assert status == 202, body
    cid = json.loads(body)["correlation_id"]
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        before = json.loads(serve.request("GET", "/events/" + cid)[2])
        if before["state"] in ("success", "resolved"):
            break
        time.sleep(0.05)
    assert before["state"] in ("success", "resolved"), before

    failures = []
    for case, raw, expected_status, fragment in EVENT_CASES:
        status, headers, answer = serve.post_event(raw=raw)
        problem = json.loads(answer) if answer else {}
        if (status != expected_status
                or headers["Content-Type"] != "application/problem+json"
                or fragment not in problem.get("detail", "")):
            failures.append((case, status, answer[:300]))
    assert failures == []
    assert serve.alive()
    # The intake is as it was: one accepted event, applied once, unchanged.
    assert serve.metric('conflictlab_service_webhooks_total{result="accepted"}') == 1
    assert serve.metric('conflictlab_service_events{state="queued"}') == 0
    assert json.loads(serve.request("GET", "/events/" + cid)[2]) == before
    ops = [e["op_id"] for e in mock.client.get("/_admin/history/r-0").json()["entries"]
           if e["op_id"]]
    assert ops == ["good-1"]


# ---- admin API bodies (mock server) ----------------------------------------

RULES = {"rules": [{"name": "teapot", "match": {"methods": ["GET"], "path": "/resources/t"},
                    "then": {"status": 503}}]}

# (case, method, path, body bytes, content type, expected status, detail fragment)
ADMIN_CASES = [
    ("faults: not JSON", "PUT", "/_admin/faults", b'{"rules": ', "application/json", 400,
     "not valid JSON"),
    ("faults: invalid UTF-8", "PUT", "/_admin/faults", b'{"rules": [{"name": "\xff"}]}',
     "application/json", 400, "JSON"),
    ("faults: nested 100000 deep", "PUT", "/_admin/faults", ('{"rules": ' + deep() + "}")
     .encode(), "application/json", 400, "nesting"),
    ("faults: not an object", "PUT", "/_admin/faults", b"[]", "application/json", 400, ""),
    ("faults: empty body", "PUT", "/_admin/faults", b"", "application/json", 400, ""),
    ("faults: unknown field", "PUT", "/_admin/faults", b'{"rules": [], "bogus": 1}',
     "application/json", 400, "bogus"),
    ("faults: rules wrong type", "PUT", "/_admin/faults", b'{"rules": 5}', "application/json",
     400, "rules"),
    ("faults: probability out of range", "PUT", "/_admin/faults",
     json.dumps({"rules": [{"name": "p", "match": {}, "then": {"status": 500},
                            "when": {"probability": 1.5}}]}).encode(), "application/json", 400,
     "rules[0].when.probability"),
    ("faults: bad status", "PUT", "/_admin/faults",
     json.dumps({"rules": [{"name": "s", "match": {}, "then": {"status": 99}}]}).encode(),
     "application/json", 400, "status"),
    ("etag-style: unknown style", "PUT", "/_admin/etag-style", b'{"style": "fancy"}',
     "application/json", 400, "style"),
    ("etag-style: unknown scheme", "PUT", "/_admin/etag-style",
     b'{"style": "weak", "scheme": "dice"}', "application/json", 400, "scheme"),
    ("etag-style: wrong type", "PUT", "/_admin/etag-style", b'{"style": 1}',
     "application/json", 400, "style"),
    ("etag-style: not JSON", "PUT", "/_admin/etag-style", b"weak", "application/json", 400,
     "JSON"),
    ("alerts: not JSON", "POST", "/_admin/alerts", b"{", "application/json", 400, "JSON"),
    ("alerts: nested 100000 deep", "POST", "/_admin/alerts", deep().encode(),
     "application/json", 400, "nesting"),
    ("stats: top out of range", "GET", "/_admin/stats?top=0", b"", None, 400, "top"),
    ("stats: top not a number", "GET", "/_admin/stats?top=abc", b"", None, 400, "top"),
    ("reset: wrong method", "GET", "/_admin/reset", b"", None, 405, ""),
    ("unknown admin path", "GET", "/_admin/bogus", b"", None, 404, ""),
]


def test_bad_admin_bodies_get_4xx_and_leave_rules_and_style_in_force(start_mock):
    m = start_mock()
    c = m.client
    assert c.put("/_admin/faults", RULES).status == 200
    installed = c.get("/_admin/faults").json()
    style = c.get("/_admin/etag-style").json()
    assert c.put("/resources/t", {"v": 1}).status == 201
    alerts = c.get("/_admin/alerts").json()["count"]

    failures = []
    for case, method, path, body, ctype, expected, fragment in ADMIN_CASES:
        headers = {"Content-Type": ctype} if ctype else {}
        r = c.request(method, path, body=body if body else None, headers=headers)
        detail = ""
        if r.body:
            try:
                detail = r.json().get("detail", "")
            except ValueError:
                detail = "<not json>"
        if (r.status != expected or r.header("Content-Type") != "application/problem+json"
                or fragment not in detail):
            failures.append((case, r.status, r.body[:300]))
        # After every case: the rules, the style and the store are as they were.
        if c.get("/_admin/faults").json() != installed:
            failures.append((case, "rules changed"))
        if c.get("/_admin/etag-style").json() != style:
            failures.append((case, "etag style changed"))
    assert failures == []
    # The installed rule still fires; the resource and the alert sink are intact.
    assert c.get("/resources/t").status == 503
    assert c.put("/_admin/faults", {"rules": []}).status == 200
    assert c.get("/resources/t").json() == {"v": 1}
    assert c.get("/_admin/alerts").json()["count"] == alerts


# ---- the counts the docs state -----------------------------------------------


def test_matrix_counts_match_the_docs():
    """docs/reliability.md states these counts; keep them in step."""
    doc = open(os.path.join(REPO, "docs", "reliability.md")).read()
    counts = {
        "file inputs": len(FILE_INPUTS),
        "file cases": len(FILE_CASES),
        "flag cases": len(FLAG_CASES),
        "event cases": len(EVENT_CASES),
        "admin cases": len(ADMIN_CASES),
    }
    for name, n in counts.items():
        assert f"<!-- {name}: {n} -->" in doc, f"docs/reliability.md should say {name}: {n}"
