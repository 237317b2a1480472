"""`conflictlab run --target URL` against a separately started `conflictlab
mock`: plain HTTP, HTTPS with the server's certificate trusted through
--ca-file, HTTPS refused when the certificate cannot be verified, the
explicit insecure switch, bearer tokens (never echoed), and the flags' usage
errors. Everything on 127.0.0.1 with ephemeral ports."""

import json
import os
import ssl

RESOURCE_TOKEN = "run-T0ken-3c9d21"
ADMIN_TOKEN = "adm-T0ken-b81f4e"

SMALL = {
    "name": "external-small",
    "seed": 7,
    "workload": {"kind": "set-add", "resources": 3, "ops_per_writer": 6},
    "writers": 6,
    "policy": {"strategy": "merge", "max_attempts": 30,
               "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 20}},
    "expect": ["lost_updates == 0", "outcomes.Failed == 0"],
}


def tls_context(cert):
    return ssl.create_default_context(cafile=cert)


def test_plain_http_target(start_mock, write_json, run_scenario):
    m = start_mock()
    run = run_scenario(write_json("small.json", SMALL), "--target", m.base_url)
    assert run.returncode == 0, run
    assert run.metrics["lost_updates"] == 0
    assert run.metrics["acknowledged"] == 36


def test_https_target_verified_with_ca_file(start_mock, self_signed_cert, write_json,
                                            run_scenario):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    assert m.base_url.startswith("https://")
    run = run_scenario(write_json("small.json", SMALL), "--target", m.base_url, "--ca-file", cert)
    assert run.returncode == 0, run
    assert run.metrics["lost_updates"] == 0
    assert run.metrics["acknowledged"] == 36
    assert run.results["target"].startswith("https://")
    # The history the checker used came over TLS too: every write is there
    # (3 seed writes and at least one per op).
    assert run.results["checker"]["ops_checked"] == 36
    assert run.results["checker"]["server_writes"] >= 3 + 36
    assert "--ca-file" in run.results["reproduce"]


def test_https_target_with_an_untrusted_certificate_is_refused(start_mock, self_signed_cert,
                                                               write_json, run_scenario):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    run = run_scenario(write_json("small.json", SMALL), "--target", m.base_url)
    assert run.returncode != 0, run
    out = run.stdout + run.stderr
    assert "certificate" in out.lower(), run
    # Nothing was written: verification failed before any request was sent.
    assert m.client.get("/resources/r-0").status == 404


def test_https_target_insecure_switch(start_mock, self_signed_cert, write_json, run_scenario):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    run = run_scenario(write_json("small.json", SMALL), "--target", m.base_url,
                       "--insecure-skip-verify")
    assert run.returncode == 0, run
    assert run.metrics["lost_updates"] == 0


def test_tls_flags_need_an_https_target(start_mock, write_json, run_conflictlab, tmp_path):
    m = start_mock()
    path = write_json("small.json", SMALL)
    for flags in (["--target", m.base_url, "--ca-file", str(tmp_path / "x.pem")],
                  ["--insecure-skip-verify"]):
        r = run_conflictlab("run", path, "--no-progress", *flags)
        assert r.returncode == 2, r
        assert "only for an https:// target" in r.stderr


def test_unreadable_ca_file_is_a_usage_error(start_mock, self_signed_cert, write_json,
                                             run_conflictlab, tmp_path):
    cert, key = self_signed_cert
    m = start_mock("--tls-cert", cert, "--tls-key", key, ssl_context=tls_context(cert))
    missing = str(tmp_path / "missing-ca.pem")
    r = run_conflictlab("run", write_json("small.json", SMALL), "--no-progress",
                        "--target", m.base_url, "--ca-file", missing)
    assert r.returncode == 2, r
    assert "missing-ca.pem" in r.stderr


def test_bearer_tokens_are_sent_and_never_echoed(start_mock, write_json, run_scenario, tmp_path):
    token_file = tmp_path / "resource.token"
    token_file.write_text(RESOURCE_TOKEN + "\n")
    env = dict(os.environ, CONFLICTLAB_TEST_ADMIN_TOKEN=ADMIN_TOKEN)
    m = start_mock("--token-file", str(token_file), "--admin-token-env",
                   "CONFLICTLAB_TEST_ADMIN_TOKEN", env=env)
    scenario = dict(SMALL, target={"kind": "external", "url": m.base_url,
                                   "token": "file:" + str(token_file),
                                   "admin_token": "env:CONFLICTLAB_TEST_ADMIN_TOKEN"})
    os.environ["CONFLICTLAB_TEST_ADMIN_TOKEN"] = ADMIN_TOKEN
    try:
        run = run_scenario(write_json("secured.json", scenario))
    finally:
        del os.environ["CONFLICTLAB_TEST_ADMIN_TOKEN"]
    assert run.returncode == 0, run
    assert run.metrics["lost_updates"] == 0
    everything = run.stdout + run.stderr + json.dumps(run.results)
    assert RESOURCE_TOKEN not in everything
    assert ADMIN_TOKEN not in everything


def test_final_reads_survive_transient_faults(start_mock, write_json, run_scenario):
    # Every second GET of a resource is answered 503: the writers' reads and
    # the engine's refetches retry, and so must the checker's final reads,
    # or acknowledged writes would be reported lost (or the run would end in
    # an error) because of the target's faults rather than its behaviour.
    rules = write_json("faults.json", {"rules": [
        {"name": "every-other-get", "match": {"methods": ["GET"], "path": "/resources/*"},
         "when": {"every": 2}, "then": {"status": 503}}]})
    m = start_mock("--faults", rules)
    run = run_scenario(write_json("small.json", SMALL), "--target", m.base_url)
    assert run.returncode == 0, run
    assert run.metrics["lost_updates"] == 0
    assert run.results["checker"]["ops_checked"] == 36
    assert run.results["errors"] == []
