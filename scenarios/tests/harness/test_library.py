"""Every scenario of the library (scenarios/*.json) through the built binary:
the gates hold (exit 0) and the results file says what the scenario is about."""

import pytest

# (file, extra assertions on the results) for every library scenario.


def test_quickstart_resolves_conflicts_and_loses_nothing(run_scenario):
    r = run_scenario("quickstart.json")
    assert r.returncode == 0, r
    m = r.metrics
    assert m["ops"] == 16 * 25
    assert m["lost_updates"] == 0
    assert m["outcomes"]["Failed"] == 0
    assert m["outcomes"]["Resolved"] > 0, "contention must produce resolved conflicts"
    assert m["conflicts"] > 0
    assert any("merge" in p for p in m["paths"])
    assert r.results["checker"]["passed"] is True
    assert r.results["seed"] == 42
    assert r.results["reproduce"].endswith("quickstart.json --seed 42")
    assert "PASS" in r.stdout
    assert "reproduce: conflictlab run" in r.stdout


def test_no_conflict_succeeds_directly(run_scenario):
    r = run_scenario("no-conflict.json")
    assert r.returncode == 0, r
    assert r.metrics["success_rate"] == 1
    assert r.metrics["paths"].get("direct", 0) >= 0.95 * r.metrics["ops"]


def test_lww_conflict(run_scenario):
    r = run_scenario("lww-conflict.json")
    assert r.returncode == 0, r
    assert r.metrics["lost_updates"] == 0
    assert r.metrics["wrong_discards"] == 0


def test_merge_conflict(run_scenario):
    r = run_scenario("merge-conflict.json")
    assert r.returncode == 0, r
    assert r.metrics["outcomes"]["Failed"] == 0


def test_resolution_fails_alert_delivers_one_alert_per_failure(run_scenario):
    r = run_scenario("resolution-fails-alert.json")
    assert r.returncode == 0, r
    m = r.metrics
    assert m["outcomes"]["Failed"] > 0
    assert m["alerts"] == m["outcomes"]["Failed"]
    assert m["alerts_delivered"] == m["outcomes"]["Failed"]
    failed = r.results["failed_ops"]
    assert failed and all(op["resource_id"] == "r-0" for op in failed)
    assert all(op["reason"] == "persistent-conflict" for op in failed)


def test_deleted_between_409_and_get(run_scenario):
    r = run_scenario("deleted-between-409-and-get.json")
    assert r.returncode == 0, r
    assert r.metrics["reasons"]["deleted"] > 0


def test_etag_format_change(run_scenario):
    r = run_scenario("etag-format-change.json")
    assert r.returncode == 0, r
    assert r.metrics["server"]["fault_firings"]["go-unquoted"] == 1


def test_precondition_failed_during_retry(run_scenario):
    r = run_scenario("precondition-failed-during-retry.json")
    assert r.returncode == 0, r
    assert r.metrics["server"]["status"]["412"] > 0


def test_persistent_409_exhausts_retries(run_scenario):
    r = run_scenario("persistent-409-exhausts-retries.json")
    assert r.returncode == 0, r
    m = r.metrics
    assert m["retries_exhausted"] == m["ops"] == 20
    assert m["attempts"] == 4 * m["ops"]


def test_throttled_429_honours_retry_after(run_scenario):
    r = run_scenario("throttled-429-retry-after.json")
    assert r.returncode == 0, r
    assert r.metrics["server"]["status"]["429"] > 0
    assert r.metrics["max_ms"] >= 1000


def test_transient_5xx(run_scenario):
    r = run_scenario("transient-5xx.json")
    assert r.returncode == 0, r


def test_timeout_but_applied_is_verified_not_resent(run_scenario):
    r = run_scenario("timeout-but-applied.json")
    assert r.returncode == 0, r
    assert any("verify" in p for p in r.metrics["paths"])
    assert r.metrics["phantom_writes"] == 0


def test_simultaneous_same_id(run_scenario):
    r = run_scenario("simultaneous-same-id.json")
    assert r.returncode == 0, r
    assert r.metrics["conflicts"] > 0


def test_weak_etags_strict_fails_lenient_succeeds(run_scenario):
    r = run_scenario("weak-etags-only.json")
    assert r.returncode == 0, r
    groups = r.metrics["groups"]
    assert groups["strict"]["reasons"]["weak-etag-only"] == groups["strict"]["ops"]
    assert groups["lenient"]["outcomes"]["Failed"] == 0


def test_precondition_required_428(run_scenario):
    r = run_scenario("precondition-required-428.json")
    assert r.returncode == 0, r
    assert r.metrics["server"]["status"]["428"] > 0


def test_hot_key_256_writers(run_scenario):
    r = run_scenario("hot-key-256-writers.json")
    assert r.returncode == 0, r
    assert r.results["load"]["writers"] == 256
    assert r.metrics["lost_updates"] == 0


def test_blind_writers_lose_updates_and_the_checker_names_them(run_scenario):
    r = run_scenario("blind-writers-lose-updates.json")
    assert r.returncode == 0, r
    assert r.metrics["lost_updates"] > 0
    lost = [a for a in r.results["checker"]["anomalies"] if a["kind"] == "lost-update"]
    assert lost and all(a["op_ids"] for a in lost)


def test_overlapping_fields_rules_newest_wins_and_fail_alerts(run_scenario):
    r = run_scenario("overlapping-fields-rules.json")
    assert r.returncode == 0, r
    m = r.metrics
    assert m["lost_updates"] == 0
    assert m["checker"]["fields_checked"] > 0
    assert m["checker"]["fields_final_newest"] == m["checker"]["fields_checked"]
    guarded = m["groups"]["guarded"]
    assert guarded["reasons"]["irreconcilable-merge"] == guarded["outcomes"]["Failed"] > 0
    assert m["groups"]["newest"]["outcomes"]["Failed"] == 0
    assert m["alerts"] == m["outcomes"]["Failed"]


def test_read_failures_never_write_blind(run_scenario):
    # A writer whose GET fails has no base token: it must read again, not
    # write without a precondition (that would overwrite other writers).
    r = run_scenario("read-failures.json")
    assert r.returncode == 0, r
    m = r.metrics
    assert m["lost_updates"] == 0
    assert m["server"]["fault_firings"]["read-503"] > 0
    failed = r.results["failed_ops"]
    assert all(op["reason"] == "exhausted-transient" for op in failed)
