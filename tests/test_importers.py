"""Real exports in: UCDP GED, Airwars, CJTF-OIR releases (committed extracts of ../shared/data)
and ACLED (rows typed from its codebook: no ACLED data may be redistributed), with their quirks."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from tests.conftest import EXAMPLE, ROOT, SHARED_DATA

from jig import InputFileError, read_incidents
from jig.readers import Gazetteer
from jig.times import parse_bound

DATA = ROOT / "tests" / "data"
UCDP = DATA / "ucdp_ged_syria_2016.csv"
AIRWARS = DATA / "airwars_syria_2016.csv"
CENTCOM = DATA / "cjtf_oir_syria_2016.csv"


def rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_id(result):
    return {i.id: i for i in result.records}


def test_ucdp_rows_map_to_incidents_with_spans_and_precision(example):
    result = read_incidents([UCDP], example)
    raw = rows(UCDP)
    assert result.read == len(raw) == len(result.records) + len(result.rejects)
    incs = by_id(result)
    for r in raw:
        if r["id"] not in incs:
            continue
        inc = incs[r["id"]]
        assert inc.actor == r["side_a"] and inc.target == r["side_b"] and inc.act == "unknown"
        assert inc.precision_m == {"1": 1000, "2": 25000, "3": 50000, "4": 100000,
                                   "5": 200000}[r["where_prec"]]
        # Whole days in Damascus time, from the start of date_start to the end of date_end.
        assert inc.span.start == parse_bound(r["date_start"], example.tz)
        assert inc.span.end == parse_bound(date.fromisoformat(r["date_end"]) + timedelta(1),
                                           example.tz)
        assert inc.extra["dataset"] == "UCDP GED"
    # where_prec 6 (country only) cannot be placed: kept aside with the reason and the fix.
    prec6 = [r["id"] for r in raw if r["where_prec"] == "6"]
    assert prec6 and all(i not in incs for i in prec6)
    reasons = {r.reason for r in result.rejects}
    assert any("UCDP knows only the country" in x and "precision.ucdp_where_prec" in x
               for x in reasons)


def test_agreement_can_override_a_precision_table(write_agreement, tmp_path):
    import shutil

    from jig import load_agreement
    copy = tmp_path / "ex"
    shutil.copytree(EXAMPLE, copy)
    text = (copy / "agreement.yaml").read_text() + "precision:\n  ucdp_where_prec: {6: 300000}\n"
    (copy / "agreement.yaml").write_text(text)
    result = read_incidents([UCDP], load_agreement(copy / "agreement.yaml"))
    assert not any("where_prec" in r.reason for r in result.rejects)
    assert any(i.precision_m == 300000 for i in result.records)


def test_airwars_detailed_export_and_its_quirks(example):
    result = read_incidents([AIRWARS], example)
    raw = rows(AIRWARS)
    assert result.read == len(raw) == len(result.records) + len(result.rejects)
    rejected = {r.raw.split(",")[1]: r for r in result.rejects}
    # The known quirks of the real file each get their own message.
    assert "lon 4239.00416 is out of range" in rejected["CS1033"].reason
    assert "misplaced decimal point (42.39004?)" in rejected["CS1033"].reason
    assert rejected["TRSOM001"].code == "row.epoch_date"
    assert "Unix epoch" in rejected["TRSOM001"].reason
    assert "`date` is empty" in rejected["TS644"].reason
    assert "`date` is empty" in rejected["YS133"].reason
    incs = by_id(result)
    words = {"village": 2000, "town": 5000, "city": 10000, "neighbourhood_area": 1000,
             "exact_location": 50, "within_100m": 100, "subdistrict": 15000}
    checked = 0
    for r in raw:
        inc = incs.get(r["code"])
        if inc is None:
            continue
        assert inc.actor == r["belligerent"] and inc.extra["grade"] == r["grading"]
        # The place's Arabic name, for the GIS outputs and Arabic reports.
        assert inc.extra.get("place_ar") == (r["location_ar"] or None)
        if r["geolocation_precision"] in words:
            assert inc.precision_m == words[r["geolocation_precision"]]
            checked += 1
    assert checked > 50
    assert incs["RS0001"].act == "air_strike" if "RS0001" in incs else True


def test_airwars_rows_without_coordinates_are_placed_by_name_with_a_gazetteer(example):
    gaz = Gazetteer.from_files([
        SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv",
        SHARED_DATA / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson"])
    without = read_incidents([AIRWARS], example)
    with_gaz = read_incidents([AIRWARS], example, gaz)
    no_coords = [r for r in without.rejects if r.code == "row.no_coordinates"]
    assert no_coords and "give a gazetteer" in no_coords[0].reason
    assert len(with_gaz.records) > len(without.records)
    placed = {i.id: i for i in with_gaz.records if "placed_by" in i.extra}
    assert len(placed) >= 8
    assert all(i.precision_m >= 5000 for i in placed.values())
    # "Talbiseh", Homs: the OCHA subdistrict of that name, and a disc that holds it.
    talbiseh = placed["RS4964"]
    assert 36.6 < talbiseh.lon < 36.8 and 34.8 < talbiseh.lat < 34.9
    assert "Talbiseh (adm3" in talbiseh.extra["placed_by"]
    unmatched = [r for r in with_gaz.rejects if r.code == "row.place_unmatched"]
    assert all("is not in the gazetteer" in r.reason or "ambiguous" in r.reason
               for r in unmatched)


def test_cjtf_oir_releases_are_placed_by_name_and_unmatched_names_reported(example):
    gaz = Gazetteer.from_files([
        SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv",
        SHARED_DATA / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson",
        SHARED_DATA / "admin_boundaries" / "syr_adm2_districts_ocha_2016.geojson"])
    result = read_incidents([CENTCOM], example, gaz)
    raw = rows(CENTCOM)
    assert result.read == len(raw) == len(result.records) + len(result.rejects)
    assert len(result.records) >= 0.9 * len(raw)
    for inc in result.records:
        assert inc.actor == "CJTF-OIR" and inc.act == "air_strike"
        assert inc.precision_m >= 10_000  # "near <place>"
    raqqa = [i for i in result.records if i.extra["place"] == "Raqqa"]
    assert raqqa and all(38.5 < i.lon < 39.5 and 35.5 < i.lat < 36.5 for i in raqqa)
    assert {r.reason for r in result.rejects} <= {
        f"place {n!r} is not in the gazetteer ({len(gaz)} places)"
        for n in ("Tamakh", "At Tanf", "Washiyah", "Waleed", "Barghooth")}


def test_cjtf_oir_rows_in_another_country_are_not_placed_in_this_one(example, tmp_path):
    path = tmp_path / "releases.csv"
    path.write_text("date,country,location,number,manually_edited,description,line\n"
                    "8/1/2016,Iraq,Al Qaim,2,,strikes,\"- Near Al Qaim, two strikes\"\n")
    gaz = Gazetteer.from_files([SHARED_DATA / "admin_boundaries" /
                                "syr_adm3_subdistricts_ocha_2016.geojson"])
    [r] = read_incidents([path], example, gaz).rejects
    assert r.code == "row.outside_area" and "places it in Iraq" in r.reason


ACLED_NEW = ("event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,"
             "actor2,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities\n")
ACLED_OLD = ("EVENT_ID_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ACTOR2,ADMIN1,"
             "LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES\n")


def test_acled_current_header(example, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_NEW +
        "SYR1,2016-08-05,2016,1,Explosions/Remote violence,Air/drone strike,"
        "Military Forces of Russia (2015-),Jabhat Fateh al-Sham,Idlib,Saraqab,35.86,36.80,1,"
        "SOHR,notes,3\n"
        "SYR2,2016-08-06,2016,2,Explosions/Remote violence,Shelling/artillery/missile attack,"
        "Military Forces of Syria (2000-),Rebels,Idlib,Ariha,35.81,36.60,2,SOHR,,0\n"
        "SYR3,2016-08-07,2016,3,Battles,Armed clash,Jabhat Fateh al-Sham,Military Forces of "
        "Syria (2000-),Aleppo,Khan Tuman,36.10,37.03,3,SOHR,,0\n"
        "SYR4,2016-08-07,2016,1,Strategic developments,Looting/property destruction,X,,"
        "Aleppo,Aleppo,36.2,37.15,1,SOHR,,0\n"
        "SYR5,2016-08-07,2016,4,Battles,Armed clash,X,,Aleppo,Aleppo,36.2,37.15,1,SOHR,,0\n")
    result = read_incidents([path], example)
    incs = by_id(result)
    assert incs["SYR1"].act == "air_strike" and incs["SYR1"].precision_m == 2000
    assert incs["SYR1"].span.length == 86400 and incs["SYR1"].target == "Jabhat Fateh al-Sham"
    assert incs["SYR2"].act == "shelling" and incs["SYR2"].precision_m == 15000
    assert incs["SYR2"].span.length == 7 * 86400  # ±3 days
    assert incs["SYR3"].act == "ground_attack" and incs["SYR3"].precision_m == 50000
    assert incs["SYR3"].span.length == 31 * 86400  # the calendar month of August
    assert incs["SYR4"].act == "other"
    [r] = result.rejects
    assert "`time_precision` 4 is not an ACLED code" in r.reason


def test_acled_older_upper_case_header(example, tmp_path):
    path = tmp_path / "acled_old.csv"
    path.write_text(ACLED_OLD +
        "1SYR,15 August 2016,2016,1,Remote violence,Military Forces of Syria (2000-),,Idlib,"
        "Idlib,35.93,36.63,1,SNHR,,2\n"
        "2SYR,16-August-2016,2016,1,Battle-No change of territory,Jabhat Fateh al-Sham,,Idlib,"
        "Idlib,35.93,36.63,2,SNHR,,0\n"
        "3SYR,31/02/2016,2016,1,Battle-No change of territory,X,,Idlib,Idlib,35.93,36.63,1,,,0\n")
    result = read_incidents([path], example)
    incs = by_id(result)
    assert incs["1SYR"].act == "unknown" and incs["1SYR"].actor == "Military Forces of Syria (2000-)"
    assert incs["2SYR"].act == "ground_attack" and incs["2SYR"].precision_m == 15000
    [r] = result.rejects
    assert "`event_date` '31/02/2016' is not a date" in r.reason


def test_rows_outside_the_agreement_area_are_set_aside(example, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("id,time,lon,lat,precision_m\n"
                    "IN,2016-08-01,36.6,35.9,0\n"
                    "NEAR,2016-08-01,36.36,36.50,0\n"       # Hatay, 17 km into Turkey
                    "WIDE,2016-08-01,35.5,32.2,100000\n"    # Jordan, disc reaches Syria
                    "FAR,2016-08-01,44.4,33.3,0\n"          # Baghdad
                    "SWAP,2016-08-01,35.0,38.0,0\n"        # lat/lon of a point in Syria
                    "SWAPNEAR,2016-08-01,35.648,36.675,0\n")  # Turkey; exchanged, in Idlib
    result = read_incidents([path], example)
    assert [i.id for i in result.records] == ["IN", "WIDE"]
    reasons = {r.raw.split(",")[0]: r for r in result.rejects}
    assert reasons["NEAR"].code == "row.outside_area" and "17 km outside" in reasons["NEAR"].reason
    assert reasons["FAR"].code == "row.outside_area"
    assert reasons["SWAP"].code == "row.swapped_coordinates" and "look swapped" in reasons["SWAP"].reason
    # Nearer than 100 km both readings may be real places: outside, with the other one told.
    assert reasons["SWAPNEAR"].code == "row.outside_area"
    assert "lon 36.675, lat 35.648 (the pair exchanged) would lie inside" in \
        reasons["SWAPNEAR"].reason
    assert "exchanged" not in reasons["FAR"].reason


def test_files_that_are_not_incidents_are_refused_as_a_whole(example):
    with pytest.raises(InputFileError, match="is not a file of incidents jig knows"):
        read_incidents([SHARED_DATA / "vdc_casualties_daily" /
                        "vdc_casualties_by_province_by_day.csv"], example)


@pytest.mark.parametrize("path", [
    "ucdp_ged_syria/ged_syria_v19_1_2016-2019.csv",
    "airwars_syria/airwars_syria_incidents_detailed_en.csv",
    "airwars_syria/airwars_syria_incidents_2014-2026.csv",
    "cjtf_oir_strike_releases/centcom_oir_strikes_all-edited-refined.csv",
])
def test_counts_add_up_on_every_real_file(example, path):
    result = read_incidents([SHARED_DATA / path], example)
    with (SHARED_DATA / path).open(encoding="utf-8", newline="") as fh:
        n = sum(1 for _ in csv.DictReader(fh))
    assert result.read == n == len(result.records) + len(result.rejects)
    assert all(r.reason and r.raw for r in result.rejects)
