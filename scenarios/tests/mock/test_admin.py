"""The admin API (/_admin/...) end to end: reset, fault rules (GET/PUT/DELETE,
invalid rules rejected whole), stats, history, the alerts sink, the ETag style
switch and the config view."""

import json

RULE_503 = {
    "rules": [
        {"name": "always-503", "match": {"methods": ["GET"]}, "then": {"status": 503}},
    ]
}


def create(client, rid, body):
    r = client.put(f"/resources/{rid}", body)
    assert r.status == 201, r
    return r.header("ETag")


def test_reset_forgets_resources_and_counters(client):
    create(client, "a", {"v": 1})
    assert client.get("/_admin/stats").json()["resources"] == 1
    r = client.request("POST", "/_admin/reset")
    assert r.status == 204
    assert client.get("/resources/a").status == 404
    assert client.get("/_admin/stats").json()["resources"] == 0


def test_reset_needs_post(client):
    assert client.get("/_admin/reset").status == 405


def test_faults_put_get_delete(client):
    create(client, "a", {"v": 1})
    assert client.get("/_admin/faults").json()["rules"] == []
    put = client.put("/_admin/faults", RULE_503)
    assert put.status == 200, put
    assert [r["name"] for r in client.get("/_admin/faults").json()["rules"]] == ["always-503"]
    assert client.get("/resources/a").status == 503
    assert client.delete("/_admin/faults").status == 204
    assert client.get("/_admin/faults").json()["rules"] == []
    assert client.get("/resources/a").status == 200


def test_invalid_rules_are_400_and_leave_the_rules_in_force(client):
    assert client.put("/_admin/faults", RULE_503).status == 200
    bad = {"rules": [{"name": "x", "when": {"probability": 2}, "then": {"status": 503}}]}
    r = client.put("/_admin/faults", bad)
    assert r.status == 400
    assert "rules[0].when.probability" in r.json()["detail"]
    assert [x["name"] for x in client.get("/_admin/faults").json()["rules"]] == ["always-503"]


def test_rules_that_are_not_json_are_400(client):
    r = client.request("PUT", "/_admin/faults", body="{nope", headers={"Content-Type": "application/json"})
    assert r.status == 400
    assert client.get("/_admin/faults").json()["rules"] == []


def test_stats_count_requests_and_conflicts(client):
    etag = create(client, "s", {"v": 1})
    client.put("/resources/s", {"v": 2}, etag=etag)
    assert client.put("/resources/s", {"v": 3}, etag=etag).status == 412
    stats = client.get("/_admin/stats").json()
    assert stats["requests"]["total"] >= 3
    assert stats["conflicts"]["total"] >= 1
    assert stats["conflicts"]["top_resources"][0]["id"] == "s"


def test_history_records_each_accepted_write(client):
    etag1 = create(client, "h", {"v": 1})
    etag2 = client.put("/resources/h", {"v": 2}, etag=etag1,
                       headers={"X-Writer-Id": "w1", "X-Op-Id": "op-7"}).header("ETag")
    client.put("/resources/h", {"v": 3}, etag=etag1)  # rejected: not in the history
    h = client.get("/_admin/history/h").json()
    entries = h["entries"]
    assert len(entries) == 2
    assert entries[1]["writer_id"] == "w1" and entries[1]["op_id"] == "op-7"
    assert json.dumps(entries[1]).find(etag2.strip('"')) >= 0
    assert client.get("/_admin/history/never").status == 404


def test_alerts_sink(client):
    card = {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive"}]}
    r = client.request("POST", "/_admin/alerts", body=json.dumps(card),
                       headers={"Content-Type": "application/json"})
    assert r.status == 202
    alerts = client.get("/_admin/alerts").json()
    assert alerts["count"] == 1
    assert alerts["alerts"][0]["body"] == card
    assert client.delete("/_admin/alerts").status == 204
    assert client.get("/_admin/alerts").json()["count"] == 0


def test_etag_style_switch_at_runtime(client):
    etag = create(client, "e", {"v": 1})
    assert etag.startswith('"')
    r = client.put("/_admin/etag-style", {"style": "weak"})
    assert r.status == 200, r
    g = client.get("/resources/e")
    assert g.header("ETag") == "W/" + etag
    bad = client.put("/_admin/etag-style", {"style": "sparkly"})
    assert bad.status == 400
    assert client.get("/resources/e").header("ETag") == "W/" + etag


def test_unknown_admin_endpoint_is_404(client):
    assert client.get("/_admin/nothing").status == 404
