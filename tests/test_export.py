"""`jig check -f gpkg` and `-f parquet`: written by jig, read back by GeoPandas (as QGIS would
read them), every field there: the flat finding columns, the findings, the input's own fields."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from tests.test_cli import AGREEMENT, INCIDENTS, NOTICES, jig

from jig import check, load_agreement, read_incidents, read_notices
from jig.export.columns import PER_CLAUSE

DATA = Path(__file__).parent / "data"
REAL = [str(DATA / "ucdp_ged_syria_2016.csv"), str(DATA / "airwars_syria_2016.csv"),
        str(DATA / "cjtf_oir_syria_2016.csv")]


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _check_jsonl(files: list[str], *args: str) -> dict[str, dict]:
    r = jig("check", AGREEMENT, *files, *args, "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    return {row["incident"]: row for row in map(json.loads, r.stdout.splitlines())}


def _read(path: Path, fmt: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path) if fmt == "parquet" else gpd.read_file(path, layer="incidents")


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_incidents_round_trip_with_every_finding_and_input_field(tmp_path, fmt):
    out = tmp_path / f"findings.{fmt}"
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "read 28 incident rows" in r.stderr
    df = _read(out, fmt)
    expected = _check_jsonl([INCIDENTS], "-n", NOTICES)
    assert list(df["incident"]) == list(expected)  # input order
    assert df.crs.to_epsg() == 4326 or df.crs.to_string() == "OGC:CRS84"
    with open(INCIDENTS, newline="", encoding="utf-8") as fh:
        source = {row["id"]: row for row in csv.DictReader(fh)}
    agreement = load_agreement(AGREEMENT)
    clauses = [c.id for c in agreement.clauses if c.rule != "no_flights_in"]
    for _, row in df.iterrows():
        want = expected[row["incident"]]
        assert row["verdict"] == want["verdict"]
        assert json.loads(row["findings"]) == want["findings"]
        by_clause = {f["clause"]: f for f in want["findings"]}
        for c in clauses:
            f = by_clause.get(c, {})
            assert _none(row[f"{c}__outcome"]) == f.get("outcome")
            assert _none(row[f"{c}__p"]) == f.get("p")
            assert _none(row[f"{c}__reason"]) == f.get("reason")
            assert _none(row[f"{c}__place"]) == (f.get("zone") or f.get("site") or f.get("target"))
            assert _none(row[f"{c}__exception"]) == f.get("exception")
            ev = " ".join(f"{e['kind']}:{e['id']}" for e in f.get("evidence", []))
            assert _none(row[f"{c}__evidence"]) == (ev or None)
        # The input's fields, as given (those jig reads into its own columns included).
        src = source[row["incident"]]
        assert (row.geometry.x, row.geometry.y) == (float(src["lon"]), float(src["lat"]))
        assert row["time"] == src["time"] and row["act"] == (src["act"] or "unknown")
        assert row["source"] == src["source"] and row["notes"] == src["notes"]
        assert _none(row["precision_m"]) == float(src["precision_m"])
    assert set(f"{c}__{k}" for c in clauses for k in PER_CLAUSE) <= set(df.columns)
    # The span each time was read as, typed as times (UTC): A-01's minute, A-15's whole day
    # in Damascus (+03:00).
    assert str(df["time_start"].dtype).startswith("datetime64") and \
        str(df["time_start"].dt.tz) == "UTC"
    a01, a15 = (df[df["incident"] == i].iloc[0] for i in ("A-01", "A-15"))
    assert a01["time_start"] == a01["time_end"] == pd.Timestamp(source["A-01"]["time"] + "+03:00")
    assert a15["time_start"] == pd.Timestamp("2016-08-25T00:00+03:00")
    assert a15["time_end"] - a15["time_start"] == pd.Timedelta(days=1)


def test_geopackage_has_the_agreement_s_layers(tmp_path):
    out = tmp_path / "findings.gpkg"
    assert jig("check", AGREEMENT, INCIDENTS, "-f", "gpkg", "-o", str(out)).returncode == 0
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"zones": "Polygon", "sites": "Unknown", "targets": "Unknown",
                      "incidents": "Point"}
    agreement = load_agreement(AGREEMENT)
    for name in ("zones", "sites", "targets"):
        df = gpd.read_file(out, layer=name)
        features = getattr(agreement, name)
        assert list(df["id"]) == [f.id for f in features]
        for (_, row), f in zip(df.iterrows(), features, strict=True):
            assert row.geometry.equals_exact(f.geometry, 1e-9)
            assert _none(row["name"]) == f.name and _none(row["kind"]) == f.kind
            assert row["radius_m"] == f.radius_m
            assert json.loads(row["properties"]) == json.loads(json.dumps(f.properties,
                                                                          default=str))
    targets = gpd.read_file(out, layer="targets").set_index("id")
    assert not targets.loc["T-3", "agreed_by_all"] and targets.loc["T-3", "agreed_by"] == "RU"
    sites = gpd.read_file(out, layer="sites").set_index("id")
    assert sites.loc["R-1", "valid_from"] == "2016-09-12T00:00+03:00"
    # Written again, the file is replaced, not appended to.
    assert jig("check", AGREEMENT, INCIDENTS, "-f", "gpkg", "-o", str(out)).returncode == 0
    assert len(gpd.read_file(out, layer="incidents")) == 28


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_real_ucdp_airwars_cjtf_round_trip_with_their_own_columns(tmp_path, fmt):
    out = tmp_path / f"real.{fmt}"
    r = jig("check", AGREEMENT, *REAL, "-f", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr
    df = _read(out, fmt)
    expected = _check_jsonl(REAL)
    assert list(df["incident"]) == list(expected)
    counts = df["verdict"].value_counts().to_dict()
    assert counts == {v: n for v, n in _counts(expected).items() if n}
    # Each dataset's own fields survive (UCDP's and Airwars' differ: the union is kept).
    for column in ("fatalities", "grade", "place", "region", "type_of_violence", "url",
                   "reported_at", "dataset"):
        assert column in df.columns, column
    agreement = load_agreement(AGREEMENT)
    read = read_incidents(REAL, agreement)
    extra = {i.id: i.extra for i in read.records}
    for _, row in df.sample(40, random_state=1).iterrows():
        for k, v in extra[row["incident"]].items():
            name = f"{k}_input" if k in ("incident", "verdict", "time", "actor", "target", "act",
                                         "weapon", "precision_m", "clause", "zone", "p",
                                         "findings") else k
            assert _none(row[name]) == (v if v is None or isinstance(v, str) else
                                        json.dumps(v, ensure_ascii=False))


def _counts(rows: dict[str, dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows.values():
        out[row["verdict"]] = out.get(row["verdict"], 0) + 1
    return out


def test_gis_formats_need_a_file_and_an_unwritable_one_is_named(tmp_path):
    r = jig("check", AGREEMENT, INCIDENTS, "-f", "gpkg")
    assert r.returncode == 2
    assert "-f gpkg writes a file of every incident: give -o PATH" in " ".join(r.stderr.split())
    where = tmp_path / "no-such-folder" / "f.parquet"
    r = jig("check", AGREEMENT, INCIDENTS, "-f", "parquet", "-o", str(where))
    assert r.returncode == 2
    assert f"{where}: cannot write here" in " ".join(r.stderr.split())
    assert not where.parent.exists()


def test_flat_row_keeps_an_input_field_named_like_ours():
    from jig.export import flat_row
    from jig.readers.fields import to_incident

    agreement = load_agreement(AGREEMENT)
    notices = read_notices([NOTICES], agreement).records
    inc = to_incident({"id": "X-1", "time": "2016-08-01T10:00", "lon": 36.675, "lat": 35.648,
                       "actor": "Military Forces of Syria (2000-)", "act": "air_strike",
                       "verdict": "their own verdict", "casualties": 3}, agreement.tz)
    v = next(iter(check(agreement, [inc], notices)))
    row = flat_row(v, [c.id for c in agreement.clauses])
    assert row["verdict"] == "breach" and row["verdict_input"] == "their own verdict"
    assert row["casualties"] == "3"
