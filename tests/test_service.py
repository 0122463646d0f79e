"""The HTTP service, over real HTTP against a running server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from tests.conftest import EXAMPLE, wait_for_job

STRIKE = {"id": "S-1", "time": "2016-08-01T10:00", "lon": 36.6, "lat": 35.8,
          "actor": "Military Forces of Syria (2000-)", "act": "air_strike"}



def example_upload(**changes) -> dict:
    files = {name: json.loads((EXAMPLE / name).read_text())
             for name in ("zones.geojson", "sites.geojson", "targets.geojson", "area.geojson")}
    text = (EXAMPLE / "agreement.yaml").read_text()
    for old, new in changes.items():
        text = text.replace(old, new)
    return {"yaml": text, "files": files}


def bulk_example(client) -> dict:
    data = (EXAMPLE / "incidents.csv").read_bytes()
    r = client.post("/incidents/bulk?filename=incidents.csv", content=data,
                    headers={"content-type": "text/csv"})
    assert r.status_code == 202, r.text
    return wait_for_job(client, r.json()["job"])


def test_health_and_the_agreement_loaded_at_start(client):
    assert client.get("/health").json() == {"status": "ok"}
    [a] = client.get("/agreements").json()
    assert a["agreement_id"] == "syria-2016-jig" and a["version"] == 1
    assert len(a["content_hash"]) == 64 and a["effective_from"].endswith(("Z", "+00:00"))


def test_intake_judges_at_once_and_is_idempotent(client):
    r = client.post("/incidents", json=STRIKE)
    assert r.status_code == 200
    body = r.json()
    assert body["results"] == [{"id": "S-1", "status": "stored", "revision": 1}]
    [v] = body["verdicts"]["S-1"]
    assert v["verdict"] == "breach" and v["version"] == 1
    assert v["findings"][0]["clause"] == "no-bombing-in-designated-areas"
    assert v["findings"][0]["zone"] == "DA-1"
    again = client.post("/incidents", json=[STRIKE]).json()
    assert again["results"] == [{"id": "S-1", "status": "unchanged", "revision": 1}]
    detail = client.get("/incidents/S-1").json()
    assert len(detail["revisions"]) == 1 and len(detail["history"]) == 1


def test_a_correction_is_a_new_revision_and_the_old_one_stays_readable(client):
    client.post("/incidents", json=STRIKE)
    moved = STRIKE | {"lon": 36.75, "lat": 35.13}  # near Hama: outside every designated area
    body = client.post("/incidents", json=moved).json()
    assert body["results"][0] == {"id": "S-1", "status": "revised", "revision": 2}
    detail = client.get("/incidents/S-1").json()
    assert detail["revision"] == 2 and detail["verdict"]["verdict"] == "complies"
    assert [r["record"]["lon"] for r in detail["revisions"]] == [36.6, 36.75]
    assert [h["verdict"] for h in detail["history"]] == ["breach", "complies"]
    assert [h["revision"] for h in detail["history"]] == [1, 2]


def test_an_earlier_revision_sent_again_is_the_record_again(client, db_url, tmp_path):
    """A, B, then A again was answered `unchanged, revision 1` and left the record at B: its
    verdict and releases kept reading B."""
    from jig.store import Store
    from jig.store.rebuild import verify

    moved = STRIKE | {"lon": 36.75, "lat": 35.13}  # near Hama: outside every designated area
    client.post("/incidents", json=STRIKE)
    client.post("/incidents", json=moved)
    body = client.post("/incidents", json=STRIKE).json()
    assert body["results"] == [{"id": "S-1", "status": "restored", "revision": 1}]
    assert body["verdicts"]["S-1"][0]["verdict"] == "breach"
    detail = client.get("/incidents/S-1").json()
    assert (detail["revision"], detail["record"]["lon"]) == (1, 36.6)
    assert detail["verdict"]["verdict"] == "breach"
    assert client.post("/incidents", json=STRIKE).json()["results"][0]["status"] == "unchanged"
    # Back to B, a new C, then B again: the last one holds.
    third = STRIKE | {"lon": 36.7}
    assert [client.post("/incidents", json=r).json()["results"][0]["status"]
            for r in (moved, third, moved)] == ["restored", "revised", "restored"]
    detail = client.get("/incidents/S-1").json()
    assert (detail["revision"], detail["verdict"]["verdict"]) == (2, "complies")
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


def test_a_bad_record_is_refused_with_its_field_and_nothing_is_stored(client):
    good = STRIKE | {"id": "OK-1"}
    bad = STRIKE | {"id": "BAD-1", "time": "2016-02-30"}
    r = client.post("/incidents", json=[good, bad])
    assert r.status_code == 422
    assert r.json() == {"error": {
        "code": "records.invalid", "message": "1 of 2 records are invalid; nothing was stored",
        "problems": [{"code": "row.time", "message": "`time`: impossible date '2016-02-30' "
                      "(no such day in the calendar)", "where": {"path": "[1].time"}}]}}
    assert client.get("/incidents/OK-1").status_code == 404


def test_error_shape_is_the_same_everywhere(client):
    for r in (client.get("/incidents/NOPE"), client.get("/jobs/999"),
              client.get("/incidents?bbox=1,2,3"), client.get("/incidents?limit=0"),
              client.post("/incidents/bulk", content=b"x"), client.post("/incidents", json=[])):
        body = r.json()
        assert 400 <= r.status_code < 500, r.text
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "problems"}
    assert client.get("/incidents/NOPE").json()["error"]["code"] == "not_found"
    bbox = client.get("/incidents?bbox=1,2,3").json()["error"]["problems"][0]
    assert bbox["where"] == {"path": "bbox"} and "minlon,minlat,maxlon,maxlat" in bbox["message"]


def test_agreement_upload_errors_name_file_and_line(client):
    r = client.post("/agreements", json=example_upload(**{"rule: no_strikes_in":
                                                           "rule: no_strike_in"}))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "agreement.invalid"
    [p] = err["problems"]
    line = (EXAMPLE / "agreement.yaml").read_text().splitlines().index(
        "    rule: no_strikes_in") + 1
    assert p["where"] == {"file": "agreement.yaml", "line": line, "path": "clauses[0].rule"}
    assert "no_strikes_in" in p["message"]
    missing = client.post("/agreements", json={"yaml": (EXAMPLE / "agreement.yaml").read_text()})
    assert missing.status_code == 422
    # Said as an upload's fix (there is no folder over HTTP, only `files`).
    first = missing.json()["error"]["problems"][0]
    assert first["message"] == ("the agreement names 'zones.geojson', which is not among the "
                                "upload's `files`")
    assert first["hint"] == "add it to `files`: {'zones.geojson': its GeoJSON document}"
    # A problem in an uploaded GeoJSON names it as uploaded, not the server's temporary copy.
    upload = example_upload()
    upload["files"]["zones.geojson"]["features"][0]["geometry"]["coordinates"][0][1] = [36.0, "x"]
    [p] = client.post("/agreements", json=upload).json()["error"]["problems"]
    assert p["code"] == "geojson.geometry" and p["where"]["file"] == "zones.geojson", p


def test_same_agreement_again_is_stored_once(client):
    r = client.post("/agreements", json=example_upload())
    assert r.status_code == 200 and r.json()["created"] is False and r.json()["version"] == 1


def test_bulk_file_job_counts_add_up_and_rejects_are_kept(client):
    text = (EXAMPLE / "incidents.csv").read_text() + \
        "BAD-1,2016-08-01,4239.0,35.1,0,x,,air_strike,,,\nBAD-2,1970-01-01,36.6,35.8,0,x,,,,,\n"
    r = client.post("/incidents/bulk", content=text.encode(), headers={"content-type": "text/csv"})
    job = wait_for_job(client, r.json()["job"])
    assert job["status"] == "done", job
    assert (job["read"], job["stored"], job["unchanged"], job["rejected"]) == (30, 28, 0, 2)
    # Progress: the whole upload read, rows per second over the time the job ran.
    assert job["bytes_read"] == job["bytes_total"] == len(text.encode())
    assert job["elapsed_s"] > 0
    assert job["rows_per_s"] == pytest.approx(30 / job["elapsed_s"], rel=0.01)
    rejects = client.get(f"/jobs/{r.json()['job']}/rejects").json()
    assert [(x["line"], x["code"]) for x in rejects] == [(30, "row.coordinates"),
                                                        (31, "row.epoch_date")]
    assert rejects[0]["raw"].startswith("BAD-1,2016-08-01,4239.0")
    again = bulk_example(client)
    assert (again["stored"], again["unchanged"]) == (0, 28)


def test_queries_filter_and_page(client):
    bulk_example(client)
    every = []
    cursor = None
    while True:
        page = client.get("/incidents", params={"limit": 5} | ({"cursor": cursor} if cursor
                                                              else {})).json()
        every += [i["id"] for i in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(every) == sorted(r["id"] for r in csv.DictReader(
        io.StringIO((EXAMPLE / "incidents.csv").read_text())))
    ids = lambda **p: sorted(i["id"] for i in client.get("/incidents",  # noqa: E731
                                                          params=p | {"limit": 100}).json()["items"])
    assert ids(verdict="excepted") == ["A-12", "A-14"]  # A-09 needs its notice, not sent here
    assert ids(clause="protected-sites", outcome="breach") == ["A-16"]
    assert ids(actor="NUSRA") == ["A-11", "A-13"]
    assert ids(**{"from": "2016-09-15", "to": "2016-09-16"}) == ["A-20", "A-21"]
    assert ids(bbox="38.3,35.9,38.4,36.1") == ["A-24", "A-25"]
    hole = {"type": "Polygon", "coordinates": [[[36.68, 35.96], [36.74, 35.96], [36.74, 36.01],
                                                [36.68, 36.01], [36.68, 35.96]]]}
    assert ids(within=json.dumps(hole)) == ["A-26"]
    geo = client.get("/incidents", params={"format": "geojson", "verdict": "excepted"})
    assert geo.headers["content-type"] == "application/geo+json"
    fc = geo.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    assert fc["features"][0]["geometry"]["type"] == "Point"
    assert fc["features"][0]["properties"]["verdict"] == "excepted"


def test_explain_over_http(client):
    bulk_example(client)
    r = client.post("/notices", json=[{"id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
                                       "exception": "imminent-threat", "incident": "A-09"}])
    assert r.status_code == 200
    ex = client.get("/incidents/A-12/explain").json()
    assert ex["verdict"] == "excepted" and ex["version"] == 1
    targets = next(c for c in ex["clauses"] if c["clause"] == "agreed-targets-only")
    assert any("incident A-11" in s for s in targets["steps"])
    assert targets["finding"]["exception"] == "advance-beyond-areas"
    assert ex["verdict_reason"] is None  # A-12 names who acted
    # A record naming two sides says why its verdict is what it is, over every clause.
    clash = {"id": "C-1", "time": "2016-08-10T10:00", "lon": 36.6, "lat": 35.8,
             "actor": "Military Forces of Syria (2000-)", "target": "Jabhat Fateh al-Sham",
             "act": "shelling", "sides": "either"}
    assert client.post("/incidents", json=clash).status_code == 200
    ex = client.get("/incidents/C-1/explain").json()
    assert ex["verdict_reason"].startswith("the record names two sides, not which acted: as "
                                           "an act of SY_GOV, ")


def test_a_late_notice_adds_a_verdict_and_keeps_the_first(client):
    bulk_example(client)
    assert client.get("/incidents/A-09").json()["verdict"]["verdict"] == "breach"
    client.post("/notices", json={"id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
                                  "exception": "imminent-threat", "incident": "A-09"})
    detail = client.get("/incidents/A-09").json()
    assert [h["verdict"] for h in detail["history"]] == ["breach", "excepted"]
    assert detail["verdict"]["verdict"] == "excepted"
    # Corrected to name another incident, then sent as first written: it excuses A-09 again.
    first = {"id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
             "exception": "imminent-threat", "incident": "A-09"}
    client.post("/notices", json=first | {"incident": "A-10"})
    assert client.get("/incidents/A-09").json()["verdict"]["verdict"] == "breach"
    r = client.post("/notices", json=first)
    assert r.json() == [{"id": "N-1", "status": "restored", "revision": 1}]
    assert client.get("/incidents/A-09").json()["verdict"]["verdict"] == "excepted"


def test_evidence_arriving_after_the_act_rejudges_it(client):
    strike = {"id": "R-1", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
              "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
              "act": "air_strike"}
    advance = {"id": "R-0", "time": "2016-08-10T06:00", "lon": 36.97, "lat": 35.58,
               "actor": "Jabhat Fateh al-Sham", "target": "Military Forces of Syria (2000-)",
               "act": "ground_attack"}
    assert client.post("/incidents", json=strike).json()["verdicts"]["R-1"][0]["verdict"] == \
        "breach"
    client.post("/incidents", json=advance)
    detail = client.get("/incidents/R-1").json()
    assert [h["verdict"] for h in detail["history"]] == ["breach", "excepted"]


def test_an_amendment_is_a_new_version_and_old_verdicts_stay(client):
    bulk_example(client)
    before = client.get("/incidents/A-02").json()
    assert before["verdict"]["verdict"] == "complies"
    # Amendment: DA-1 is extended south to take in the Hama strike of A-02.
    upload = example_upload()
    da1 = upload["files"]["zones.geojson"]["features"][0]["geometry"]["coordinates"][0]
    da1[0][1] = da1[1][1] = da1[-1][1] = 35.0
    # In effect from the start of the agreement: a correction, so A-02 is judged under it.
    r = client.post("/agreements", json=upload | {"effective_from": "2016-07-15T00:00+03:00"})
    assert r.status_code == 201 and r.json()["version"] == 2
    assert wait_for_job(client, r.json()["rejudge_job"])["status"] == "done"
    versions = client.get("/agreements/syria-2016-jig").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    after = client.get("/incidents/A-02").json()
    assert [(h["version"], h["verdict"]) for h in after["history"]] == [(1, "complies"),
                                                                       (2, "breach")]
    assert after["history"][0]["agreement_hash"] == versions[0]["content_hash"]
    doc = client.get("/agreements/syria-2016-jig/versions/1").json()["document"]
    assert doc["zones"]["features"][0]["geometry"]["coordinates"][0][0][1] == 35.6


def test_an_amendments_date_is_a_day_in_the_agreements_timezone(client):
    """An operator's review: "effective_from": "2016-08-01" took effect at 03:00 in Damascus
    (read as UTC), so acts of the first hours of the agreed day were judged under the old
    text; a date, or a time without an offset, is the agreement's local time."""
    from datetime import datetime

    upload = example_upload()
    upload["files"]["zones.geojson"]["features"][0]["properties"]["name"] = "renamed"
    r = client.post("/agreements", json=upload | {"effective_from": "2016-08-01"})
    assert r.status_code == 201, r.text
    assert datetime.fromisoformat(r.json()["effective_from"]) == datetime.fromisoformat(
        "2016-08-01T00:00+03:00")


def test_an_amendment_governs_acts_from_its_effective_from_only(client):
    """Ruling 9: an amendment in force from 20 August leaves a 25 July act under the version
    before it; an act whose time straddles the amendment is judged under each for its share."""
    near_hama = dict(STRIKE, lon=36.75, lat=35.13)
    early = dict(near_hama, id="H-1", time="2016-07-25T10:00")
    late = dict(near_hama, id="H-2", time="2016-08-25T10:00")
    both = dict(near_hama, id="H-3", time="2016-08-19/2016-08-20")  # a day under each
    client.post("/incidents", json=[early, late, both]).raise_for_status()
    upload = example_upload()
    da1 = upload["files"]["zones.geojson"]["features"][0]["geometry"]["coordinates"][0]
    da1[0][1] = da1[1][1] = da1[-1][1] = 35.0  # DA-1 extended south over Hama
    r = client.post("/agreements", json=upload | {"effective_from": "2016-08-20T00:00+03:00"})
    assert wait_for_job(client, r.json()["rejudge_job"])["status"] == "done"

    def history(incident: str) -> list[tuple[int, str]]:
        detail = client.get(f"/incidents/{incident}").json()
        return [(h["version"], h["verdict"]) for h in detail["history"]]

    assert history("H-1") == [(1, "complies")]
    assert history("H-2") == [(1, "complies"), (2, "breach")]
    assert history("H-3")[-1] == (2, "undetermined")
    [f] = [f for f in client.get("/incidents/H-3").json()["verdict"]["findings"]
           if f["clause"] == "no-bombing-in-designated-areas"]
    assert f["p"] == 0.5 and "under version 1, for 50% of its time: complies" in f["reason"]
    assert "under version 2 (in force from 2016-08-20T00:00+03:00), for 50% of its time: " \
        "breach" in f["reason"]
    # A report arriving now is judged under the version in effect at its time too.
    again = client.post("/incidents", json=dict(early, id="H-4")).json()
    assert [(v["version"], v["verdict"]) for v in again["verdicts"]["H-4"]] == [(1, "complies")]
    # Explained under the version in force at its time, not the current one.
    assert client.get("/incidents/H-1/explain").json()["version"] == 1
    assert client.get("/incidents/H-2/explain").json()["version"] == 2
    # The agreement as on a day: the version in effect then.
    assert [v["version"] for v in client.get("/agreements?at=2016-07-20").json()] == [1]
    assert [v["version"] for v in client.get("/agreements?at=2016-08-25").json()] == [2]
    assert [v["version"] for v in client.get("/agreements").json()] == [2]


def test_openapi_describes_every_error(client):
    spec = client.get("/openapi.json").json()
    assert "ErrorResponse" in spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path == "/health":
                continue
            assert "422" in op["responses"] and "404" in op["responses"], (method, path)
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"] \
                .endswith("/ErrorResponse")
