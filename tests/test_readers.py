"""Readers of the three file forms: good rows in, bad rows kept aside with where and why."""

from __future__ import annotations

import csv
import json

import pytest
from tests.conftest import EXAMPLE

from jig import InputFileError, read_incidents, read_notices, write_rejects

HEADER = "id,time,lon,lat,precision_m,actor,target,act,weapon,source\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_good_rows_and_bad_rows_with_line_numbers(tmp_path, example):
    path = write(tmp_path, "inc.csv", HEADER + "\n".join([
        "A,2016-08-01T10:00,36.1,35.1,0,Government of Syria,,air_strike,,SOHR",
        "B,2016-02-30,36.1,35.1,0,Government of Syria,,air_strike,,",
        "C,2016-08-01,35.1,136.1,0,Government of Syria,,air_strike,,",
        "D,2016-08-01,4239.0,35.1,0,Government of Syria,,air_strike,,",
        "E,2016-08-01,36.1,35.1,0,Government of Syria,,Air_strik,,",
        ",2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,",
        "F,2016-08-01,36.1,35.1,-5,Government of Syria,,air_strike,,",
        "A,2016-08-02,36.1,35.1,0,Government of Syria,,air_strike,,",
        "G,2016-08-01,36.1,35.1",
        'H,2016-08-01,36.1,35.1,0,"Government of Syria,\nand allies",,shelling,,',
        "I,2016-08-01,36.1,abc,0,,,,,",
    ]) + "\n")
    result = read_incidents([path], example)
    assert [i.id for i in result.records] == ["A", "H"]
    assert result.read == 11 and len(result.rejects) == 9
    by_line = {r.origin.line: r for r in result.rejects}
    assert "impossible date '2016-02-30'" in by_line[3].reason
    # Swapped, it would lie in Japan, far from the agreement: no hint that it is swapped.
    assert by_line[4].code == "row.coordinates" and "swapped" not in by_line[4].reason
    assert "lat 136.1 is out of range" in by_line[4].reason
    assert "lon 4239.0 is out of range" in by_line[5].reason
    assert by_line[6].reason.endswith("'Air_strik' is not one of air_strike, shelling, "
                                      "ground_attack, explosion, other, unknown: did you mean "
                                      "'air_strike'?")
    assert "`id` is required" in by_line[7].reason
    assert "`precision_m` must be 0 or more" in by_line[8].reason
    assert "already used at" in by_line[9].reason and "line 2" in by_line[9].reason
    assert "has 4 fields but the header has 10" in by_line[10].reason
    assert "`lat` must be a number, not 'abc'" in by_line[13].reason  # H spans lines 11-12
    assert by_line[3].raw.startswith("B,2016-02-30")
    h = result.records[1]
    assert h.actor == "Government of Syria,\nand allies" and h.origin.line == 11
    assert result.records[0].extra == {"source": "SOHR", "dataset": "inc.csv"}


def test_an_unclosed_quote_is_named_and_the_lines_it_takes_in_are_kept(tmp_path, example):
    """A quote never closed takes in every line after it (a quoted field may hold line
    breaks): the reject says so, naming how far the row ran, and keeps those lines."""
    path = write(tmp_path, "inc.csv", HEADER + "\n".join([
        "A,2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,",
        'B,2016-08-01,36.1,"35.1,0,Government of Syria,,air_strike,,',
        "C,2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,",
        "D,2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,",
    ]) + "\n")
    result = read_incidents([path], example)
    assert [i.id for i in result.records] == ["A"]
    (bad,) = result.rejects
    assert bad.origin.line == 3
    assert "runs on to line 5: a quote in it is probably not closed" in bad.reason
    assert bad.raw.splitlines()[1:] == [
        "C,2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,",
        "D,2016-08-01,36.1,35.1,0,Government of Syria,,air_strike,,"]


def test_rejects_file_keeps_every_bad_row_verbatim(tmp_path, example):
    path = write(tmp_path, "inc.csv", HEADER + "B,2016-02-30,36.1,35.1,0,x,,air_strike,,\n")
    result = read_incidents([path], example)
    out = tmp_path / "rejects.csv"
    assert write_rejects(out, result.rejects) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["file"] == str(path) and rows[0]["line"] == "2"
    assert rows[0]["raw"] == "B,2016-02-30,36.1,35.1,0,x,,air_strike,,"
    assert rows[0]["field"] == "time" and rows[0]["code"] == "row.time"


def test_jsonl_rows_and_broken_lines(tmp_path, example):
    lines = [
        json.dumps({"id": "J1", "time": "2016-08-01T10:00+03:00", "lon": 36.1, "lat": 35.1,
                    "actor": "Military Forces of Syria (2000-)", "act": "air_strike",
                    "fatalities": 3}),
        '{"id": "J2", "time": ',
        "[1, 2]",
        "",
        '{"id": "J9", "x": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than Python recurses
        json.dumps({"id": "J3", "time": "2016-08-01", "lon": "36.1", "lat": "35.1"}),
    ]
    result = read_incidents([write(tmp_path, "inc.jsonl", "\n".join(lines) + "\n")], example)
    assert [i.id for i in result.records] == ["J1", "J3"]
    assert result.records[0].extra == {"fatalities": 3, "dataset": "inc.jsonl"}
    assert result.records[1].act == "unknown"
    assert [(r.origin.line, r.reason.split(":")[0]) for r in result.rejects] == [
        (2, "not valid JSON"), (3, "is not a JSON object"),
        (5, "nested too deeply to read (JSON)")]


def test_geojson_points_and_bad_features(tmp_path, example):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.1, 35.1]},
         "properties": {"id": "G1", "time": "2016-08-01", "actor": "RU", "act": "air_strike"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
         "properties": {"id": "G2", "time": "2016-08-01"}},
        {"type": "Nope"},
        {"type": "Feature", "geometry": None, "properties": {"id": "G4", "time": "2016-08-01"}},
    ]}
    result = read_incidents([write(tmp_path, "inc.geojson", json.dumps(doc))], example)
    assert [(i.id, i.lon, i.lat) for i in result.records] == [("G1", 36.1, 35.1)]
    assert [r.origin.feature for r in result.rejects] == [1, 2, 3]  # as `features` counts
    assert "incidents and notices are Points" in result.rejects[0].reason
    # No geometry: said as a feature's, not as a CSV row's missing columns.
    assert result.rejects[2].reason == ("the feature has no geometry, and its properties give "
                                        "no `lon`, `lat` or place name")


def test_files_that_cannot_be_read_raise(tmp_path, example):
    with pytest.raises(InputFileError, match="no such file"):
        read_incidents([tmp_path / "missing.csv"], example)
    with pytest.raises(InputFileError, match="not valid JSON"):
        read_incidents([write(tmp_path, "x.geojson", "{oops")], example)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id,time,lon,lat,précision\n".encode("latin-1"))  # a header: the whole file
    with pytest.raises(InputFileError, match="not UTF-8"):
        read_incidents([bad], example)


def test_utf8_bom_and_arabic_names(tmp_path, example):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff".encode() + (HEADER + "A,2016-08-01,36.1,35.1,0,قوات النظام,,,,\n").encode())
    result = read_incidents([path], example)
    assert result.records[0].actor == "قوات النظام"


def test_notices_are_checked_against_the_agreement(tmp_path, example):
    path = write(tmp_path, "n.csv", "id,party,time,exception,incident,lon,lat,radius_m\n"
                 "N1,RU,2016-08-01T10:00,imminent-threat,A-09,,,\n"
                 "N2,FR,2016-08-01T10:00,imminent-threat,A-09,,,\n"
                 "N3,RU,2016-08-01T10:00,imminent-threats,A-09,,,\n"
                 "N4,RU,2016-08-01T10:00,imminent-threat,,,,\n"
                 "N5,RU,2016-08-01T10:00,imminent-threat,,36.1,35.1,2000\n")
    result = read_notices([path], example)
    assert [n.id for n in result.records] == ["N1", "N5"]
    reasons = [r.reason for r in result.rejects]
    assert "'FR' is not a party" in reasons[0]
    assert "'imminent-threats' is not an exception" in reasons[1]
    assert "needs `incident`" in reasons[2]


def test_the_example_files_read_cleanly(example):
    incidents = read_incidents([EXAMPLE / "incidents.csv"], example)
    notices = read_notices([EXAMPLE / "notices.csv"], example)
    assert incidents.rejects == [] and notices.rejects == []
    assert len(incidents.records) == incidents.read == 28


@pytest.mark.parametrize(("header", "says"), [
    ("id;time;lon;lat;actor;act", "separated by semicolons: save it as comma-separated CSV"),
    ("ID,Time,Lon,Lat", "format 1's field names are lower case"),
    ("id,time,latitude,longitude", "format 1 names the coordinates lon and lat"),
])
def test_a_spreadsheets_header_says_what_to_change(tmp_path, example, header, says):
    path = tmp_path / "sheet.csv"
    path.write_text(header + "\n" + ",".join(["x"] * len(header.split(","))) + "\n")
    with pytest.raises(InputFileError) as exc:
        read_incidents(path, example)  # one path, as a string or a Path, is one file
    assert says in str(exc.value) and header.split(",")[0] in str(exc.value)


def test_not_text_names_the_first_string_no_database_can_store():
    from jig.readers.fields import not_text

    clean = {"id": "S-1", "notes": {"k": ["ок", "نص", 3, None]}, "n": 1.5}
    assert not_text(clean, "") is None
    assert not_text({"notes": {"k": ["ok", "a\x00b"]}}, "") == "notes.k[1]"
    assert not_text({"notes": {"bad\x00key": "v"}}, "") == "notes.bad\x00key"
    assert not_text(["x", "\ud800"], "rows") == "rows[1]"
    assert not_text("\x00", "id") == "id"
