"""`conflictlab mock` as a command: help, start lines, usage errors (exit 2
with a message naming the flag or field), config and rule files."""

import json

import pytest


def test_help_exits_0_and_lists_every_flag(run_conflictlab):
    r = run_conflictlab("mock", "--help")
    assert r.returncode == 0, r.stderr
    for flag in [
        "--host", "--port", "--threads", "--seed", "--config", "--faults", "--dialect",
        "--conflict-status", "--weak-etags", "--lenient-weak-match", "--etag-style",
        "--etag-scheme", "--version-pointer", "--deleted-status", "--require-precondition",
        "--busy-window-ms", "--body-limit", "--header-limit", "--max-connections",
        "--read-timeout-ms", "--idle-timeout-ms", "--token-file", "--token-env",
        "--admin-token-file", "--admin-token-env", "--tls-cert", "--tls-key", "--access-log",
        "--throttle-rate", "--throttle-burst", "--throttle-client-rate",
        "--throttle-client-burst", "--throttle-client-header",
    ]:
        assert flag in r.stdout, flag


def test_prints_listening_line_then_seed(start_mock):
    m = start_mock("--seed", "4242")
    assert m.scheme == "http" and m.host == "127.0.0.1" and m.port > 0
    assert m.seed_line == "seed 4242"
    assert m.client.get("/healthz").status == 200


def test_default_seed_is_printed(mock):
    assert mock.seed_line.startswith("seed ")
    int(mock.seed_line.split()[1])


def test_seed_overrides_the_rule_file_seed(start_mock, write_json):
    rules = write_json("rules.json", {"seed": 7, "rules": []})
    m = start_mock("--faults", rules, "--seed", "99")
    assert m.seed_line == "seed 99"
    assert m.client.get("/_admin/faults").json()["seed"] == 99


def test_rule_file_seed_is_used_without_seed_flag(start_mock, write_json):
    rules = write_json("rules.json", {"seed": 7, "rules": []})
    m = start_mock("--faults", rules)
    assert m.seed_line == "seed 7"


def test_sigterm_exits_0(mock):
    assert mock.client.get("/healthz").status == 200
    assert mock.stop() == 0


@pytest.mark.parametrize(
    "args, named",
    [
        (["--conflict-status", "400"], "--conflict-status"),
        (["--deleted-status", "500"], "--deleted-status"),
        (["--etag-style", "fancy"], "--etag-style"),
        (["--etag-scheme", "sequential"], "--etag-scheme"),
        (["--dialect", "optimistic"], "--dialect"),
        (["--port", "70000"], "--port"),
        (["--threads", "0"], "--threads"),
        (["--body-limit", "0"], "--body-limit"),
        (["--header-limit", "10"], "--header-limit"),
        (["--read-timeout-ms", "-5"], "--read-timeout-ms"),
        (["--throttle-rate", "-1"], "--throttle-rate"),
        (["--busy-window-ms", "abc"], "--busy-window-ms"),
        (["--tls-cert", "/tmp/only-a-cert.pem"], "--tls-cert"),
        (["--no-such-flag"], "--no-such-flag"),
    ],
)
def test_bad_flag_values_exit_2_naming_the_flag(run_conflictlab, args, named):
    r = run_conflictlab("mock", "--port", "0", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert named in r.stderr, r.stderr
    assert "listening on" not in r.stdout


def test_invalid_rule_file_exits_2_with_the_parsers_message(run_conflictlab, write_json):
    rules = write_json(
        "bad.json",
        {"rules": [{"name": "r1", "when": {"probability": 1.5}, "then": {"status": 503}}]},
    )
    r = run_conflictlab("mock", "--port", "0", "--faults", rules)
    assert r.returncode == 2, r.stderr
    assert "--faults" in r.stderr
    assert "rules[0].when.probability" in r.stderr, r.stderr


def test_rule_file_that_is_not_json_exits_2(run_conflictlab, write_json):
    rules = write_json("bad.json", "{ not json")
    r = run_conflictlab("mock", "--port", "0", "--faults", rules)
    assert r.returncode == 2
    assert "not valid JSON" in r.stderr


def test_missing_rule_file_exits_2(run_conflictlab, tmp_path):
    r = run_conflictlab("mock", "--port", "0", "--faults", str(tmp_path / "nope.json"))
    assert r.returncode == 2
    assert "nope.json" in r.stderr


def test_config_unknown_field_exits_2_naming_it(run_conflictlab, write_json):
    cfg = write_json("cfg.json", {"dialect": "if-match", "colour": "blue"})
    r = run_conflictlab("mock", "--port", "0", "--config", cfg)
    assert r.returncode == 2
    assert "--config" in r.stderr and "colour" in r.stderr, r.stderr


def test_config_bad_value_exits_2_naming_the_field(run_conflictlab, write_json):
    cfg = write_json("cfg.json", {"conflict_status": 500})
    r = run_conflictlab("mock", "--port", "0", "--config", cfg)
    assert r.returncode == 2
    assert "conflict_status" in r.stderr


def test_config_allows_comments_and_flags_override_it(start_mock, write_json):
    cfg = write_json(
        "cfg.json",
        '// a comment\n{"conflict_status": 409, "deleted_status": 410, /* inline */ "seed": 5}',
    )
    m = start_mock("--config", cfg, "--conflict-status", "412")
    assert m.seed_line == "seed 5"
    config = m.client.get("/_admin/config").json()
    assert config["conflict_status"] == 412  # the flag wins
    assert config["deleted_status"] == 410  # the file's value stays


def test_missing_token_file_exits_2_without_leaking(run_conflictlab, tmp_path):
    r = run_conflictlab("mock", "--port", "0", "--token-file", str(tmp_path / "missing-token"))
    assert r.returncode == 2
    assert "--token-file" in r.stderr and "missing-token" in r.stderr


def test_unset_token_env_exits_2(run_conflictlab):
    r = run_conflictlab("mock", "--port", "0", "--token-env", "CONFLICTLAB_TEST_UNSET_VAR")
    assert r.returncode == 2
    assert "CONFLICTLAB_TEST_UNSET_VAR" in r.stderr


def test_port_in_use_exits_2(start_mock, run_conflictlab):
    m = start_mock()
    r = run_conflictlab("mock", "--port", str(m.port))
    assert r.returncode == 2
    assert "cannot listen" in r.stderr


def test_non_loopback_host_warns_that_it_is_exposed(run_conflictlab):
    # 192.0.2.1 (TEST-NET-1) is not on this machine: the bind fails, so
    # nothing is ever exposed, but the warning comes first.
    r = run_conflictlab("mock", "--host", "192.0.2.1", "--port", "0")
    assert "exposes the mock server" in r.stderr
    assert r.returncode == 2


def test_body_version_dialect_flag_with_pointer(start_mock):
    m = start_mock("--dialect", "body-version", "--version-pointer", "/_rev")
    config = m.client.get("/_admin/config").json()
    assert config["dialect"] == "body-version"
    assert config["version_pointer"] == "/_rev"


def test_config_json_names_token_redacted(start_mock, tmp_path):
    token = tmp_path / "admin.token"
    token.write_text("adm1n-s3cret\n")
    m = start_mock("--admin-token-file", str(token))
    r = m.client.get("/_admin/config", headers={"Authorization": "Bearer adm1n-s3cret"})
    assert r.status == 200
    assert b"adm1n-s3cret" not in r.body
    assert json.loads(r.body)["admin_token"] == "<redacted>"
