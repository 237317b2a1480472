"""Security review items (docs/reliability.md "Security review"), each
pinned by a test: loopback by default and a warning otherwise; secrets in no
output; constant-time comparisons at every secret comparison site; the admin
API behind its own token. (Body and header limits on every listener:
test_limits.py.)"""

import hashlib
import hmac
import json
import os
import re
import subprocess
import time

from adversarial_support import SETTLE_S, ServeProcess, event
from binaries import conflictlab_bin

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

RESOURCE_TOKEN = "res-S3cr3t-7d41a9"
ADMIN_TOKEN = "adm-S3cr3t-0c55e2"
WEBHOOK_SECRET = "hook-S3cr3t-91b7f3"
ALERT_KEY = "alert-S3cr3t-e6a802"
SECRETS = (RESOURCE_TOKEN, ADMIN_TOKEN, WEBHOOK_SECRET, ALERT_KEY)


# ---- binding ---------------------------------------------------------------


def test_servers_bind_loopback_by_default(start_mock, serve_env):
    m = start_mock()
    assert m.host == "127.0.0.1"
    assert "warning" not in m.stderr()
    _, start_serve, _ = serve_env
    # `serve` without --listen would take port 8080; give only the port.
    serve = start_serve(listen=":0")
    assert serve.host == "127.0.0.1"
    assert "warning" not in serve.stderr()


def test_serve_warns_when_told_to_bind_a_non_loopback_address(run_conflictlab, tmp_path):
    # 192.0.2.1 (TEST-NET-1) is not on this machine: the bind fails, so
    # nothing is exposed, but the warning comes first.
    policy = tmp_path / "p.json"
    policy.write_text('{"max_attempts": 3}')
    r = run_conflictlab("serve", "--target", "http://127.0.0.1:9", "--policy", str(policy),
                        "--db", str(tmp_path / "e.db"), "--listen", "192.0.2.1:0")
    assert "warning: listening on 192.0.2.1 exposes the service" in r.stderr
    assert r.returncode == 2


# ---- the admin API's own token -----------------------------------------------


def test_mock_refuses_a_resource_token_without_an_admin_token(run_conflictlab, tmp_path):
    """Regression: with only --token-file, /_admin/* (reset, faults,
    history) was open to anyone while /resources was guarded."""
    token = tmp_path / "t"
    token.write_text(RESOURCE_TOKEN + "\n")
    r = run_conflictlab("mock", "--port", "0", "--token-file", str(token))
    assert r.returncode == 2
    assert "admin API needs its own token" in r.stderr
    assert RESOURCE_TOKEN not in r.stderr + r.stdout
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"resource_token": "file:" + str(token)}))
    r = run_conflictlab("mock", "--port", "0", "--config", str(config))
    assert r.returncode == 2
    assert "admin_token" in r.stderr


def test_mock_admin_token_and_resource_token_open_only_their_own_api(start_mock):
    env = {"PATH": "/usr/bin:/bin", "T_RES": RESOURCE_TOKEN, "T_ADM": ADMIN_TOKEN}
    m = start_mock("--token-env", "T_RES", "--admin-token-env", "T_ADM", env=env)
    c = m.client
    res = {"Authorization": f"Bearer {RESOURCE_TOKEN}"}
    adm = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert c.put("/resources/a", {"v": 1}, headers=res).status == 201
    for method, path in (("POST", "/_admin/reset"), ("GET", "/_admin/history/a"),
                         ("DELETE", "/_admin/faults"), ("GET", "/_admin/config")):
        assert c.request(method, path, headers=res).status == 401, path
        assert c.request(method, path).status == 401, path
    assert c.get("/resources/a", headers=adm).status == 401
    assert c.get("/_admin/history/a", headers=adm).status == 200
    # Nothing the refused calls asked for happened.
    assert c.get("/resources/a", headers=res).json() == {"v": 1}


# ---- constant-time comparisons -------------------------------------------------

SOURCE_DIRS = ("common", "engine", "mock-server", "service", "harness", "reports")
# Variables and members are snake_case: types such as SignatureCheck are not
# secrets.
SECRET_NAME = r"(?=[a-z_])[a-z0-9_]*?(?:secret|credential|signature|bearer|admin_token|" \
              r"resource_token|password|hmac|api_key)[a-z0-9_]*"
# A secret-named operand of ==, !=, compare, memcmp, strcmp or std::equal.
VARIABLE_TIME = [
    re.compile(rf"\b{SECRET_NAME}\b(?:\(\))?\s*[!=]=(?!=)"),
    re.compile(rf"[!=]=\s*\*?\b{SECRET_NAME}\b"),
    re.compile(rf"\b{SECRET_NAME}\b\s*(?:\.|->)\s*compare\s*\("),
    re.compile(rf"\b(?:memcmp|strcmp|strncmp|std::equal)\s*\([^;]*\b{SECRET_NAME}\b"),
]


def cxx_sources():
    for top in SOURCE_DIRS:
        for root, _, files in os.walk(os.path.join(REPO, top)):
            for name in files:
                if name.endswith((".cpp", ".hpp", ".ipp", ".h")) and "/tests/" not in root + "/":
                    yield os.path.join(root, name)


def test_secrets_are_compared_only_with_constant_time_equal():
    offenders = []
    for path in cxx_sources():
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            code = line.split("//", 1)[0]
            if any(p.search(code) for p in VARIABLE_TIME):
                offenders.append(f"{os.path.relpath(path, REPO)}:{n}: {line.strip()}")
    assert offenders == [], "compare secrets with conflictlab::constant_time_equal"


def test_the_two_secret_checks_use_constant_time_equal():
    """The bearer check (mock server) and the webhook signature check
    (service) are the comparison sites; both call constant_time_equal."""
    sites = {
        "mock-server/core/src/server_core.cpp": "constant_time_equal(credentials, *token)",
        "service/src/signature.cpp": "constant_time_equal(given, hmac_sha256_hex(secret, body))",
    }
    for path, call in sites.items():
        assert call in open(os.path.join(REPO, path)).read(), path


def test_the_scan_finds_a_variable_time_comparison():
    """The scan above must be able to fail."""
    for bad in ("if (token == admin_token) {", "return given_signature != expected;",
                "std::memcmp(a, webhook_secret.data(), n)", "secret.compare(other) == 0"):
        assert any(p.search(bad) for p in VARIABLE_TIME), bad
    assert not any(p.search("constant_time_equal(credentials, *token)") for p in VARIABLE_TIME)


# ---- secrets in no output ----------------------------------------------------


def sign(body):
    return "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_tokens_and_secrets_appear_in_no_output_of_a_run(start_mock, tmp_path, write_json):
    """One pass through everything that can print: a mock server with both
    tokens and an access log; `conflictlab run` against it with every
    output file; `conflictlab serve` with a target token, a webhook secret
    and an alert URL, fed good, badly signed and failing events. Then every
    byte they wrote is searched for every secret."""
    env = {"PATH": "/usr/bin:/bin", "T_RES": RESOURCE_TOKEN, "T_ADM": ADMIN_TOKEN,
           "T_HOOK": WEBHOOK_SECRET}
    access_log = tmp_path / "access.jsonl"
    m = start_mock("--token-env", "T_RES", "--admin-token-env", "T_ADM",
                   "--access-log", str(access_log), env=env)
    adm = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    res = {"Authorization": f"Bearer {RESOURCE_TOKEN}"}
    # The alert URL's path is a secret too (as in Teams/Slack webhook URLs).
    # Nothing listens there: delivery fails, and its failure must not tell.
    env["T_ALERT"] = f"http://127.0.0.1:9/webhook/{ALERT_KEY}"
    answers = []

    # The harness, against the external mock, with every output.
    scenario = write_json("s.json", {
        "name": "secrets", "seed": 3, "writers": 4,
        "workload": {"kind": "set-add", "resources": 1, "ops_per_writer": 5},
        "target": {"kind": "external", "url": m.base_url, "token": "env:T_RES",
                   "admin_token": "env:T_ADM"},
        "policy": {"strategy": "merge", "set_merge_pointers": ["/items"], "max_attempts": 30,
                   "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 20}},
        "expect": ["lost_updates == 0"]})
    out = {k: str(tmp_path / f"run.{k}") for k in ("json", "junit", "html", "markdown", "history")}
    run = subprocess.run([conflictlab_bin(), "run", scenario, "--no-progress",
                          *[a for k, v in out.items() for a in (f"--{k}", v)]],
                         capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    texts = [run.stdout, run.stderr]

    # The service, with a failing resource so that Failed outcomes and alerts happen.
    assert m.client.put("/resources/ok", {"v": 0}, headers=res).status == 201
    assert m.client.put("/resources/broken", {"v": 0}, headers=res).status == 201
    assert m.client.put("/_admin/faults", {"rules": [
        {"name": "broken", "match": {"methods": ["PATCH"], "path": "/resources/broken"},
         "then": {"status": 500}}]}, headers=adm).status == 200
    policy = write_json("policy.json", {"max_attempts": 2, "backoff": {"kind": "none"}})
    db = str(tmp_path / "events.db")
    serve = ServeProcess(m.base_url, db, policy, "--token-env", "T_RES",
                         "--webhook-secret-env", "T_HOOK", "--alert-url-env", "T_ALERT",
                         "--outcome-log", str(tmp_path / "outcomes.jsonl"), env=env)
    try:
        cids = []
        for i, resource in enumerate(["ok", "broken", "ok"]):
            body = json.dumps(event(f"s-{i}", resource)).encode()
            status, _, answer = serve.post_event(raw=body, headers={"X-Signature-256": sign(body)})
            assert status == 202, answer
            cids.append(json.loads(answer)["correlation_id"])
        body = json.dumps(event("forged", "ok")).encode()
        for forged in ("sha256=" + "0" * 64, "sha256=" + WEBHOOK_SECRET, WEBHOOK_SECRET, ""):
            status, _, answer = serve.post_event(raw=body, headers={"X-Signature-256": forged})
            assert status == 401
            answers.append(answer)
        deadline = time.monotonic() + SETTLE_S
        states = []
        while time.monotonic() < deadline:
            states = [json.loads(serve.request("GET", "/events/" + c)[2]) for c in cids]
            if all(s["state"] in ("success", "resolved", "failed") for s in states):
                break
            time.sleep(0.05)
        assert [s["state"] for s in states] == ["success", "failed", "success"], states
        answers += [json.dumps(s).encode() for s in states]
        answers.append(serve.request("GET", "/metrics")[2])
    finally:
        assert serve.stop() == 0
    texts += [serve.stdout().encode(), serve.stderr().encode()]
    answers.append(m.client.get("/_admin/config", headers=adm).body)
    answers.append(m.client.get("/_admin/history/ok", headers=adm).body)
    # A wrong token is answered without echoing either token.
    wrong = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    answers.append(m.client.get("/resources/ok", headers=wrong).body)
    assert m.stop() == 0
    texts += [m.stdout().encode(), m.stderr().encode()]

    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "s.json"]
    names = {p.name for p in files}
    for expected in ("run.json", "run.junit", "run.html", "run.markdown", "run.history",
                     "access.jsonl", "outcomes.jsonl", "events.db"):
        assert expected in names, names
    texts += [p.read_bytes() for p in files]
    texts += answers
    sources = ["run stdout", "run stderr", "serve stdout", "serve stderr", "mock stdout",
               "mock stderr"] + [p.name for p in files] + ["HTTP answers"] * len(answers)
    leaks = [(sources[i], s) for i, blob in enumerate(texts) for s in SECRETS
             if s.encode() in blob]
    assert leaks == []
