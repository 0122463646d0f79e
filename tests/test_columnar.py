"""The columnar path gives what the row path gives: the same incidents and rejects from the
columnar CSV reader, and JSON Lines rendered from columns byte for byte as `json.dumps` of each
verdict."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLE, ROOT, SHARED_DATA, feature, incident
from tests.test_equivalence import act_case, star, zone

from jig import check, read_notices
from jig.engine import judge
from jig.engine.check import check_one_by_one
from jig.engine.render import distance_text, write_lines
from jig.engine.wording import distance
from jig.pipeline import judge_chunks
from jig.readers import IncidentReader, Reject, csvcolumns
from jig.readers.columns import IncidentColumns

UCDP = ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"
UCDP_FULL = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"
AIRWARS_FULL = SHARED_DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv"
FIELDS = ["id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon", "notes"]


def lines(path: Path) -> str:
    return "".join(json.dumps(v.as_dict(), ensure_ascii=False) + "\n" for v in path)


def as_format1(example, source: Path, out: Path, *, crlf: bool = False, bom: bool = False,
               slips: bool = True) -> Path:
    """Real UCDP GED events rewritten in the fields of format 1, with the slips real files
    have mixed in: impossible dates, words for numbers, repeated ids, quotes and commas in
    text, short rows, blank rows, points far outside, unknown acts, other time forms."""
    with_slips = slips
    incs, _ = IncidentReader(example, columnar=False).read([source])
    with out.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if crlf else "\n")
        w.writerow(FIELDS)
        for k, i in enumerate(incs):
            row = [i.id, i.time_text, repr(i.lon), repr(i.lat), repr(i.precision_m),
                   i.actor or "", i.target or "", i.act, i.weapon or "",
                   str(i.extra.get("source", ""))]
            slips = {
                7: lambda r: r.__setitem__(1, "2016-02-30"),
                11: lambda r: r.__setitem__(2, "abc"),
                13: lambda r: r.__setitem__(0, incs[0].id),
                17: lambda r: r.__setitem__(4, "-5"),
                19: lambda r: r.__setitem__(3, "95"),
                79: lambda r: r.__setitem__(2, "4239"),
                23: lambda r: r.__setitem__(1, r[1][:10] + "T10:00"),
                29: lambda r: r.__setitem__(1, r[1][:10] + " 23:59:30"),
                31: lambda r: r.__setitem__(9, 'said "many", or few'),
                37: lambda r: r.__setitem__(0, f" {r[0]} "),
                41: lambda r: r.__setitem__(2, "80.5"),
                43: lambda r: r.__setitem__(7, "bombing"),
                83: lambda r: r.__setitem__(7, "Shelling"),
                89: lambda r: (r.__setitem__(7, ""), r.__setitem__(8, "mlrs")),
                47: lambda r: r.__setitem__(1, "1970-01-01"),
                53: lambda r: r.__setitem__(1, r[1][:10] + "T10:00+03:00"),
                59: lambda r: r.__setitem__(4, ""),
                61: lambda r: r.__setitem__(5, "\u00a0Government of Syria"),
                67: lambda r: (r.__setitem__(2, r[3]), r.__setitem__(3, r[2])),
            }
            for step, slip in slips.items() if with_slips else ():
                if k % step == step - 1:
                    slip(row)
            if with_slips and k % 71 == 70:
                row = row[:5]
            if with_slips and k % 73 == 72:
                row = [""] * len(FIELDS)
            w.writerow(row)
    return out


def read_both(example, paths: list[Path]):
    out = []
    for columnar in (False, True):
        reader = IncidentReader(example, columnar=columnar)
        incs, rejects = reader.read(paths)
        out.append(([(i.id, i.span, i.time_text, i.lon, i.lat, i.precision_m, i.actor, i.target,
                      i.act, i.weapon, i.extra, i.origin) for i in incs],
                    sorted((r.row() for r in rejects), key=repr), reader.counts))
    return out


@pytest.mark.parametrize("crlf,bom", [(False, False), (True, True)])
def test_columnar_reader_gives_the_row_readers_incidents_and_rejects(tmp_path, example, crlf, bom):
    path = as_format1(example, UCDP, tmp_path / "ucdp.csv", crlf=crlf, bom=bom)
    (rows, rejects, counts), (got_rows, got_rejects, got_counts) = read_both(
        example, [path, EXAMPLE / "incidents.csv", UCDP])
    assert got_rows == rows
    assert got_rejects == rejects
    assert got_counts == counts
    codes = {r[3] for r in rejects}
    assert {"row.time", "row.number", "row.duplicate_id", "row.precision", "row.unreadable",
            "row.act", "row.epoch_date", "row.outside_area", "row.coordinates"} <= codes
    assert len(rows) > 100


@pytest.mark.skipif(not UCDP_FULL.exists(), reason="needs ../shared/data")
def test_columnar_reader_on_the_whole_ucdp_and_airwars_exports(tmp_path, example):
    """Every UCDP GED event of 2016-2019 in format 1 (slips mixed in), and both exports as they
    come (read row by row, chunked as columns): the same incidents and rejects as row by row."""
    path = as_format1(example, UCDP_FULL, tmp_path / "ged.csv")
    (rows, rejects, counts), (got_rows, got_rejects, got_counts) = read_both(
        example, [path, UCDP_FULL, AIRWARS_FULL])
    assert got_rows == rows and got_rejects == rejects and got_counts == counts
    assert len(rejects) > 1000


def test_a_record_over_several_lines_hands_the_rest_of_the_file_to_the_row_reader(
        tmp_path, example, monkeypatch):
    monkeypatch.setattr(csvcolumns, "BLOCK", 200)  # the first blocks are read as columns
    head = ",".join(FIELDS) + "\n"
    good = "A{k},2016-08-01T10:00,36.1,35.1,0,Government of Syria,,air_strike,,\n"
    text = head + "".join(good.format(k=k) for k in range(5)) + \
        'H,2016-08-01,36.1,35.1,0,"Government of Syria,\nand allies",,shelling,,\n' + \
        "".join(good.format(k=k) for k in range(5, 9)) + good.format(k=3)
    path = tmp_path / "multi.csv"
    path.write_text(text, encoding="utf-8")
    (rows, rejects, counts), (got_rows, got_rejects, got_counts) = read_both(example, [path])
    assert got_rows == rows and got_rejects == rejects and got_counts == counts
    assert rows[5][0] == "H" and rows[5][11].line == 7 and rejects[0][1] == 13


def test_a_row_that_is_not_utf8_is_rejected_naming_its_line(tmp_path, example):
    """Issue 19: one bad byte costs its row, not the file (nor the rows after it)."""
    head = ",".join(FIELDS) + "\n"
    path = tmp_path / "latin.csv"
    path.write_bytes((head + "A,2016-08-01,36.1,35.1,0,x,,air_strike,,\n").encode()
                     + "B,2016-08-01,36.1,35.1,0,Hama\u00e9,,air_strike,,\n".encode("latin-1")
                     + b"C,2016-08-01,36.1,35.1,0,x,,air_strike,,\n")
    incidents, rejects = IncidentReader(example).read([path])
    assert [i.id for i in incidents] == ["A", "C"]
    [r] = rejects
    assert r.origin.line == 3 and r.code == "row.unreadable"
    assert "not UTF-8" in r.reason and "0xe9" in r.reason and "Hama\\xe9" in r.raw


def test_a_field_as_long_as_an_article_is_read_whole(tmp_path, example):
    """A 2 MB notes field (quoted, so the row reader splits it) was rejected as "field larger
    than field limit (131072)", while one unquoted elsewhere was read."""
    head = "id,time,lon,lat,actor,act,notes\n"
    notes = "y" * 2_000_000 + ", quoted"
    path = tmp_path / "long.csv"
    path.write_text(head + f'L-1,2016-08-01,36.1,35.1,x,air_strike,"{notes}"\n'
                    "L-2,2016-08-01,36.1,35.1,x,air_strike,short\n")
    incidents, rejects = IncidentReader(example).read([path])
    assert rejects == [] and [i.id for i in incidents] == ["L-1", "L-2"]
    assert incidents[0].extra["notes"] == notes


def test_columns_build_incident_objects_only_when_asked(tmp_path, example):
    path = as_format1(example, UCDP, tmp_path / "ucdp.csv", slips=False)
    chunks = [c for c in IncidentReader(example).iter_columns([path])
              if isinstance(c, IncidentColumns)]
    made = sum(len(c.incidents._made) for c in chunks)  # type: ignore[attr-defined]
    total = sum(len(c) for c in chunks)
    assert total > 100 and made < total / 5
    first = chunks[0].incidents[0]
    assert first.origin is not None and first.origin.line == 2


@given(st.lists(st.one_of(
    st.floats(0, 5e6, allow_nan=False),
    st.integers(0, 10**6).map(lambda k: k * 50.0),  # halves: 1.25 km, 12.35 km, 999.5 m
    st.integers(0, 10**5).map(lambda k: k + 0.5)), max_size=200))
def test_distances_are_worded_as_the_reasons_word_them(values):
    assert distance_text(np.array(values, dtype=float)).to_pylist() == \
        [distance(v) for v in values]


def test_jsonl_from_columns_equals_json_dumps_of_every_verdict(example):
    """The example (every rule, exceptions with evidence and notices) and real UCDP events."""
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    incs, _ = IncidentReader(example).read([EXAMPLE / "incidents.csv", UCDP])
    judged = judge(example, incs, notices)
    assert judged.jsonl() == lines(check_one_by_one(example, incs, notices))
    assert '"verdict": "excepted"' in judged.jsonl()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(zones=st.lists(zone, min_size=2, max_size=40), cases=st.lists(act_case, min_size=20,
                                                                      max_size=20),
       names=st.lists(st.sampled_from(['Z "quoted"', "Zone\\1", "Zóna", "Z\tx", "Z"]),
                      min_size=1, max_size=3))
def test_jsonl_from_columns_is_byte_identical_on_random_zones(make_agreement, zones, cases,
                                                             names):
    """The equivalence test's random zones, discs, windows, actors, acts and weapons, with
    names that JSON must escape, rendered from columns, against the one-by-one path."""
    agreement, incs = _build(make_agreement, zones, cases, names)
    expected = lines(check_one_by_one(agreement, incs))
    assert judge(agreement, incs).jsonl() == expected
    assert "".join(j.jsonl() for j in [judge(agreement, incs[:7]), judge(agreement, incs[7:])]) \
        == lines(check(agreement, incs[:7]) + check(agreement, incs[7:]))


def _build(make_agreement, zones, cases, names):
    feats = []
    for k, (cx, cy, size, jitter, hole, late) in enumerate(zones):
        props = {"id": f"Z{k}", "name": f"{names[k % len(names)]} {k}",
                 "kind": "designated" if k % 4 else "demilitarised"}
        if late:
            props["valid_from"] = "2016-08-20T12:00"
        feats.append(feature(star(cx, cy, size, jitter, hole), **props))
    agreement = make_agreement("""\
zones: zones.geojson
clauses:
  - {id: c, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
  - {id: w, rule: no_weapons_in, bound: [BF, AF], weapons: [mlrs], zones: {kind: demilitarised}}
""", zones={"type": "FeatureCollection", "features": feats})
    incs = [incident(agreement, id=f'I"{k}' if k % 5 == 0 else f"I{k}", lon=lon, lat=lat,
                     precision_m=r, time=t, actor=who, act=what, weapon=arm)
            for k, (lon, lat, r, t, who, what, arm, _) in enumerate(cases)]
    return agreement, incs


def test_jig_check_jsonl_equals_the_row_path_on_a_format1_file(tmp_path, example):
    """`jig check -f jsonl` of real events in format 1: the lines the row path and objects
    give, and the same rejects file."""
    path = as_format1(example, UCDP, tmp_path / "ucdp.csv")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.csv"
    jig = Path(sys.executable).with_name("jig")
    subprocess.run([str(jig), "check", str(EXAMPLE / "agreement.yaml"), str(path), "-n",
                    str(EXAMPLE / "notices.csv"), "-f", "jsonl", "-o", str(out), "--rejects",
                    str(rejects)], check=True, capture_output=True)
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    row_reader = IncidentReader(example, columnar=False)
    incs, bad = row_reader.read([path])
    assert out.read_text(encoding="utf-8") == lines(check_one_by_one(example, incs, notices))
    with rejects.open(encoding="utf-8", newline="") as fh:
        got = sorted(tuple(r) for r in list(csv.reader(fh))[1:])
    assert got == sorted(tuple("" if v is None else str(v) for v in r.row()) for r in bad)


def test_lines_are_written_as_the_text_they_are(tmp_path):
    """`write_lines` puts the column's UTF-8 bytes into a UTF-8 file's buffer after what was
    written as text, and writes text where the file has another encoding or no buffer."""
    lines = pa.array(["Zóna \"1\"\n", "ب\n", "", "z\n"]).slice(1)
    utf8 = tmp_path / "utf8.csv"
    with utf8.open("w", encoding="utf-8", newline="") as fh:
        fh.write("header\n")
        write_lines(lines, fh)
        fh.write("end\n")
    assert utf8.read_text(encoding="utf-8") == "header\nب\nz\nend\n"
    latin = tmp_path / "latin.csv"
    with latin.open("w", encoding="iso-8859-1") as fh:
        write_lines(pa.array(["Zóna\n"]), fh)
    assert latin.read_bytes() == "Zóna\n".encode("iso-8859-1")
    text = io.StringIO()
    write_lines(lines, text)
    write_lines(pa.array([], pa.string()), text)
    assert text.getvalue() == "ب\nz\n"


def test_chunks_of_columns_judge_as_the_whole_input(example):
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    files = [EXAMPLE / "incidents.csv", UCDP]
    incs, _ = IncidentReader(example).read(files)
    rejects: list[Reject] = []
    got = "".join(j.jsonl() for j in judge_chunks(IncidentReader(example), files, notices,
                                                  chunk=7, on_reject=rejects.append))
    assert got == lines(check(example, incs, notices))


def test_a_column_empty_on_every_row_is_read_as_text(tmp_path, example):
    """Issue 12: a column left empty on every row (notes, target and weapon here; `jig
    extract -f csv` writes such files) is read as empty text, not as a column of nulls that
    the string functions refuse: the same incidents and rejects as row by row, and `jig
    check` writes every format from it."""
    full = as_format1(example, UCDP, tmp_path / "ucdp.csv", slips=False)
    with full.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    blank = [FIELDS.index(name) for name in ("target", "weapon", "notes")]
    path = tmp_path / "blank.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(rows[0])
        w.writerows([v if j not in blank else "" for j, v in enumerate(r)] for r in rows[1:])
    [block] = [b for b in csvcolumns.blocks(path, *csvcolumns.header_of(path))
               if not isinstance(b, int)]
    assert block.quick.sum() > 100 and {str(c.type) for c in block.cells.values()} == {"string"}
    (want, want_bad, counts), (got, got_bad, got_counts) = read_both(example, [path])
    assert got == want and got_bad == want_bad and got_counts == counts and len(got) > 100
    assert {(i[7], i[9]) for i in got} == {(None, None)}  # target, weapon: none given
    jig = Path(sys.executable).with_name("jig")
    for args in (["-f", "jsonl"], ["-f", "csv", "--summary"]):
        done = subprocess.run([str(jig), "check", str(EXAMPLE / "agreement.yaml"), str(path),
                               *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert f"judged {len(got)}" in done.stderr
