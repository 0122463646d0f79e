"""The selection written out over HTTP on each backend: CSV, GeoJSON and GeoPackage hold
exactly the incidents `GET /incidents` lists for the same filters and view (the example with
the real UCDP GED and Airwars extracts), with their findings; a selection larger than asked
for is refused, never cut short."""

from __future__ import annotations

import csv
import io
import json

import pyogrio
from tests.conftest import EXAMPLE, ROOT, wait_for_job
from tests.test_joint_cell import ok

REAL = (EXAMPLE / "incidents.csv", ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
        ROOT / "tests" / "data" / "airwars_syria_2016.csv")
VIEW = {"from": "2016-07-15", "to": "2016-10-02", "bbox": "35.5,34.5,38.5,37.0"}


def listed_ids(client, **params: str) -> dict[str, str]:
    out, cursor = {}, None
    while True:
        page = ok(client.get("/incidents", params=params | {"limit": 1000}
                             | ({"cursor": cursor} if cursor else {})))
        out |= {i["id"]: i["verdict"]["verdict"] for i in page["items"]}
        cursor = page["next"]
        if cursor is None:
            return out


def test_csv_geojson_and_geopackage_hold_the_selection(client, tmp_path):
    for path in REAL:
        r = client.post(f"/incidents/bulk?filename={path.name}", content=path.read_bytes(),
                        headers={"content-type": "text/csv"})
        assert wait_for_job(client, r.json()["job"])["status"] == "done"
    for selection in (VIEW, VIEW | {"verdict": "breach"}, VIEW | {"actor": "RU"}):
        expected = listed_ids(client, **selection)
        assert expected, selection
        r = client.get("/incidents/export", params=selection | {"format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert {row["incident"]: row["verdict"] for row in rows} == expected
        assert int(r.headers["x-jig-incidents"]) == len(expected)
        geo = json.loads(client.get("/incidents/export",
                                    params=selection | {"format": "geojson"}).text)
        assert sorted(f["properties"]["incident"] for f in geo["features"]) == sorted(expected)
        assert {f["properties"]["incident"]: f["properties"]["verdict"] for f in geo["features"]} \
            == expected
    r = client.get("/incidents/export", params=VIEW | {"format": "gpkg"})
    assert r.status_code == 200
    (tmp_path / "sel.gpkg").write_bytes(r.content)
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "sel.gpkg")}
    assert {"zones", "sites", "targets", "incidents"} <= layers
    table = pyogrio.read_dataframe(tmp_path / "sel.gpkg", layer="incidents")
    assert len(table) == len(listed_ids(client, **VIEW))
    # A finding's reason comes with it: the example's A-12, excepted under an exception.
    breach = next(row for row in csv.DictReader(io.StringIO(client.get(
        "/incidents/export", params=VIEW | {"format": "csv"}).text)) if row["incident"] == "A-12")
    assert breach["verdict"] == "excepted" and "advance-beyond-areas" in breach["reason"]


def test_too_large_a_selection_and_a_bad_format_are_refused(client):
    r = client.post("/incidents/bulk?filename=incidents.csv",
                    content=(EXAMPLE / "incidents.csv").read_bytes(),
                    headers={"content-type": "text/csv"})
    assert wait_for_job(client, r.json()["job"])["status"] == "done"
    r = client.get("/incidents/export", params={"limit": 3, "all_time": "true"})
    assert r.status_code == 422 and "more than 3 incidents" in r.text
    r = client.get("/incidents/export", params={"format": "xlsx"})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["where"] == {
        "path": "format"}
    assert client.get("/incidents/export", params={"limit": 0}).status_code == 422
    assert client.get("/incidents/export", params={"limit": 10**7}).status_code == 422
