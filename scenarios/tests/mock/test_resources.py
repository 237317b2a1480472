"""The mock server's resource API end to end, as a real HTTP client sees it:
every status path of the default dialect and of the configurable ones."""

import json
import time


def create(client, rid, body):
    r = client.put(f"/resources/{rid}", body)
    assert r.status == 201, r
    return r.header("ETag")


def test_create_read_update_delete(client):
    r = client.put("/resources/a", {"n": 1})
    assert r.status == 201
    assert r.header("Location") == "/resources/a"
    etag1 = r.header("ETag")
    assert etag1.startswith('"') and etag1.endswith('"')

    g = client.get("/resources/a")
    assert g.status == 200
    assert g.json() == {"n": 1}
    assert g.header("ETag") == etag1
    assert g.header("Last-Modified")
    assert g.header("Content-Type").startswith("application/json")

    u = client.put("/resources/a", {"n": 2}, etag=etag1)
    assert u.status == 200
    etag2 = u.header("ETag")
    assert etag2 != etag1

    d = client.delete("/resources/a", etag=etag2)
    assert d.status == 204
    assert d.body == b""
    assert client.get("/resources/a").status == 404


def test_unknown_resource_is_404_problem(client):
    r = client.get("/resources/nothing-here")
    assert r.status == 404
    assert r.header("Content-Type") == "application/problem+json"
    p = r.json()
    assert p["status"] == 404 and "detail" in p


def test_unknown_path_is_404(client):
    assert client.get("/nope").status == 404


def test_head_has_content_length_and_no_body(client):
    create(client, "h", {"field": "value"})
    g = client.get("/resources/h")
    h = client.request("HEAD", "/resources/h")
    assert h.status == 200
    assert h.body == b""
    assert int(h.header("Content-Length")) == len(g.body)
    assert h.header("ETag") == g.header("ETag")


def test_if_none_match_gives_304(client):
    etag = create(client, "c", {"v": 1})
    r = client.get("/resources/c", headers={"If-None-Match": etag})
    assert r.status == 304
    assert r.body == b""
    assert r.header("ETag") == etag
    other = client.get("/resources/c", headers={"If-None-Match": '"something-else"'})
    assert other.status == 200


def test_if_none_match_star_create_only_once(client):
    r = client.put("/resources/once", {"v": 1}, headers={"If-None-Match": "*"})
    assert r.status == 201
    again = client.put("/resources/once", {"v": 2}, headers={"If-None-Match": "*"})
    assert again.status == 412
    assert client.get("/resources/once").json() == {"v": 1}


def test_stale_if_match_is_412_and_changes_nothing(client):
    etag1 = create(client, "s", {"v": 1})
    etag2 = client.put("/resources/s", {"v": 2}, etag=etag1).header("ETag")
    stale = client.put("/resources/s", {"v": 3}, etag=etag1)
    assert stale.status == 412
    problem = stale.json()
    assert problem["current_etag"] == etag2
    assert client.get("/resources/s").json() == {"v": 2}


def test_weak_if_match_never_matches(client):
    etag = create(client, "w", {"v": 1})
    weak = "W/" + etag
    assert client.put("/resources/w", {"v": 2}, etag=weak).status == 412


def test_conflict_status_409_dialect(start_mock):
    c = start_mock("--conflict-status", "409").client
    etag = create(c, "x", {"v": 1})
    c.put("/resources/x", {"v": 2}, etag=etag)
    r = c.put("/resources/x", {"v": 3}, etag=etag)
    assert r.status == 409


def test_require_precondition_gives_428(start_mock):
    c = start_mock("--require-precondition").client
    etag = create(c, "p", {"v": 1})  # creation needs no precondition
    r = c.put("/resources/p", {"v": 2})
    assert r.status == 428
    assert c.put("/resources/p", {"v": 2}, etag=etag).status == 200


def test_deleted_status_410(start_mock):
    c = start_mock("--deleted-status", "410").client
    etag = create(c, "gone", {"v": 1})
    assert c.delete("/resources/gone", etag=etag).status == 204
    r = c.get("/resources/gone")
    assert r.status == 410
    assert "deleted_at" in r.json()


def test_deleted_resource_default_is_404(client):
    etag = create(client, "gone", {"v": 1})
    client.delete("/resources/gone", etag=etag)
    assert client.get("/resources/gone").status == 404


def test_wrong_content_type_is_415(client):
    r = client.put("/resources/t", '{"v": 1}', headers={"Content-Type": "text/plain"})
    assert r.status == 415
    assert client.get("/resources/t").status == 404


def test_method_not_allowed_is_405_with_allow(client):
    r = client.request("POST", "/resources/a", body="{}", headers={"Content-Type": "application/json"})
    assert r.status == 405
    assert "PUT" in r.header("Allow")


def test_merge_patch(client):
    etag = create(client, "m", {"a": 1, "b": {"c": 2, "d": 3}})
    r = client.patch("/resources/m", {"b": {"c": None, "e": 4}}, "application/merge-patch+json", etag=etag)
    assert r.status == 200, r
    assert r.json() == {"a": 1, "b": {"d": 3, "e": 4}}
    assert r.header("ETag") != etag


def test_json_patch(client):
    etag = create(client, "j", {"list": [1], "x": 1})
    ops = [{"op": "add", "path": "/list/-", "value": 2}, {"op": "replace", "path": "/x", "value": 5}]
    r = client.patch("/resources/j", ops, "application/json-patch+json", etag=etag)
    assert r.status == 200, r
    assert r.json() == {"list": [1, 2], "x": 5}


def test_json_patch_failed_test_is_422_and_changes_nothing(client):
    etag = create(client, "j2", {"x": 1})
    ops = [{"op": "test", "path": "/x", "value": 2}, {"op": "replace", "path": "/x", "value": 9}]
    r = client.patch("/resources/j2", ops, "application/json-patch+json", etag=etag)
    assert r.status == 422
    assert client.get("/resources/j2").json() == {"x": 1}


def test_patch_with_stale_etag_is_412(client):
    etag = create(client, "ps", {"x": 1})
    client.put("/resources/ps", {"x": 2}, etag=etag)
    r = client.patch("/resources/ps", {"x": 3}, "application/merge-patch+json", etag=etag)
    assert r.status == 412


def test_body_version_dialect(start_mock):
    c = start_mock("--dialect", "body-version", "--version-pointer", "/_rev").client
    r = c.put("/resources/doc", {"title": "one"})
    assert r.status == 201
    rev1 = r.json()["_rev"]
    ok = c.put("/resources/doc", {"title": "two", "_rev": rev1})
    assert ok.status == 200
    rev2 = ok.json()["_rev"]
    assert rev2 != rev1
    stale = c.put("/resources/doc", {"title": "three", "_rev": rev1})
    assert stale.status == 409
    assert stale.json()["current_version"] == rev2
    assert c.get("/resources/doc").json()["title"] == "two"


def test_busy_window_answers_409_then_accepts(start_mock):
    c = start_mock("--busy-window-ms", "300").client
    etag = create(c, "b", {"v": 1})
    busy = c.put("/resources/b", {"v": 2}, etag=etag)
    assert busy.status == 409
    assert busy.json()["busy_for_ms"] <= 300
    time.sleep(0.4)
    assert c.put("/resources/b", {"v": 2}, etag=etag).status == 200


def test_weak_etags_flag(start_mock):
    c = start_mock("--weak-etags").client
    etag = create(c, "we", {"v": 1})
    assert etag.startswith('W/"')
    # A weak tag never satisfies If-Match (RFC 9110 13.1.1)...
    assert c.put("/resources/we", {"v": 2}, etag=etag).status == 412


def test_lenient_weak_match_flag(start_mock):
    c = start_mock("--weak-etags", "--lenient-weak-match").client
    etag = create(c, "lw", {"v": 1})
    assert c.put("/resources/lw", {"v": 2}, etag=etag).status == 200


def test_unquoted_etag_style(start_mock):
    c = start_mock("--etag-style", "unquoted").client
    etag = create(c, "u", {"v": 1})
    assert '"' not in etag
    assert c.put("/resources/u", {"v": 2}, etag=etag).status == 200


def test_uuid_etag_scheme(start_mock):
    c = start_mock("--etag-scheme", "uuid").client
    etag = create(c, "uu", {"v": 1})
    assert len(etag.strip('"')) == 36


def test_collection_post_and_listing(client):
    r = client.request("POST", "/resources", body=json.dumps({"k": 1}),
                       headers={"Content-Type": "application/json"})
    assert r.status == 201
    assert r.header("Location").startswith("/resources/")
    create(client, "listed", {"k": 2})
    page = client.get("/resources?limit=10")
    assert page.status == 200


def test_metrics_and_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    create(client, "m1", {"v": 1})
    metrics = client.get("/metrics")
    assert metrics.status == 200
    assert b"conflictlab_mock" in metrics.body
