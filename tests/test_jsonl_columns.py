"""The columnar JSON Lines reader gives what the row reader gives: the same incidents, rejects
(file, line, code, message, raw text) and counts, on real UCDP GED events written as JSON
Lines with the slips such files have mixed in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, ROOT
from tests.test_columnar import read_both

from jig.readers import IncidentReader, csvcolumns, jsoncolumns

UCDP = ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"


def as_jsonl(example, source: Path, out: Path, *, crlf: bool = False, bom: bool = False) -> Path:
    """Real events as format-1 JSON Lines: numbers as numbers, `weapon` null and `target`
    never given (columns with no value in the whole file), nested extra fields, and every
    third line of 29 with a slip: a number as a string, a key given twice, NaN, a numeric id,
    an escaped NUL, an array, broken JSON, a blank line, a missing lat, a number Arrow writes
    with an exponent, a negative radius, an impossible date, a repeated id, leading blanks,
    a weapon with an act in capitals, swapped coordinates, an integer lon, escaped text, a
    boolean radius."""
    incs, _ = IncidentReader(example, columnar=False).read([source])
    with out.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        for k, i in enumerate(incs):
            obj = {"id": i.id, "time": i.time_text, "lon": i.lon, "lat": i.lat,
                   "precision_m": i.precision_m, "actor": i.actor, "act": i.act,
                   "weapon": None, "notes": {"n": k, "tags": ["a", k]}}
            line = json.dumps(obj, ensure_ascii=False)
            if k % 3 == 0:
                line = slipped(k % 29, obj, line, incs[0].id)
            fh.write(line + ("\r\n" if crlf else "\n"))
    return out


def slipped(m: int, obj: dict, line: str, first_id: str) -> str:
    """Line `line` (of `obj`) with slip number `m` (0 and above 19: none)."""
    changed = {3: {"lon": float("nan")}, 4: {"id": 12345 + m}, 5: {"actor": "x\u0000y"},
               9: {"lat": None}, 10: {"lon": 1e-7}, 11: {"precision_m": -3},
               12: {"time": "2016-02-30"}, 13: {"id": first_id},
               15: {"act": "Shelling", "weapon": "mlrs"}, 16: {"lon": obj["lat"], "lat": obj["lon"]},
               17: {"lon": 36}, 19: {"precision_m": True}}
    if m in changed:
        return json.dumps({**obj, **changed[m]})
    return {1: line.replace('"lon": ', '"lon": "', 1).replace(', "lat"', '", "lat"', 1),
            2: line[:-1] + ', "lon": 1}', 6: "[1, 2]", 7: "{not json", 8: "   ",
            14: "  " + line,
            18: json.dumps({**obj, "actor": f" {obj['actor']} "}, ensure_ascii=True)}.get(m, line)


def quick_lines(path: Path) -> tuple[int, int]:
    """Lines the columnar reader read itself, and lines in all."""
    found = jsoncolumns.first_keys(path)
    assert found is not None
    blocks = list(csvcolumns.blocks(path, [], found[1], 1, jsoncolumns.block))
    assert not any(isinstance(b, int) for b in blocks)
    return sum(int(b.quick.sum()) for b in blocks), sum(len(b) for b in blocks)


@pytest.mark.parametrize("crlf,bom,block,smallest", [(False, False, None, 8),
                                                     (True, True, 3000, 1)])
def test_columnar_jsonl_reader_gives_the_row_readers_incidents_and_rejects(
        tmp_path, example, monkeypatch, crlf, bom, block, smallest):
    if block:
        monkeypatch.setattr(csvcolumns, "BLOCK", block)  # many blocks, lines cut across them
    # 1: every line Arrow can read is read as columns, beside the slips it cannot read (so a
    # slip Arrow reads, such as an escaped NUL, must be caught by the quick path's checks).
    monkeypatch.setattr(jsoncolumns, "SMALLEST", smallest)
    path = as_jsonl(example, UCDP, tmp_path / "ucdp.jsonl", crlf=crlf, bom=bom)
    quick, total = quick_lines(path)
    assert quick > total * 0.6  # most lines are read as columns, the slips around them not
    (rows, rejects, counts), (got_rows, got_rejects, got_counts) = read_both(
        example, [path, EXAMPLE / "incidents.csv"])
    assert got_rows == rows and got_rejects == rejects and got_counts == counts
    codes = {r[3] for r in rejects}
    assert {"row.unreadable", "row.number", "row.nul", "row.precision", "row.time",
            "row.duplicate_id", "row.missing"} <= codes
    assert len(rows) > 100


def test_escaped_arabic_and_russian_are_read_as_columns_and_risky_escapes_are_not(
        tmp_path, example):
    """Python's json writes Arabic and Russian as `\\u` escapes by default: those lines are read
    as columns. A NUL, a lone surrogate, a surrogate pair and a control character in an id,
    all escaped, give what the row reader gives."""
    incs, _ = IncidentReader(example, columnar=False).read([UCDP])
    path = tmp_path / "escaped.jsonl"
    notes = ["غارة جوية على ريف إدلب", "Авиаудар по окрестностям Идлиба"]
    risky = {5: {"notes": "a\u0000b"}, 6: {"notes": "\ud800"}, 7: {"notes": "\U0001F600"},
             8: {"id": "A\u0001B"}, 9: {"actor": "x\ud83d"}}
    with path.open("w", encoding="utf-8") as fh:
        for k in range(400):
            i = incs[k % len(incs)]
            obj = {"id": f"{i.id}-{k}", "time": i.time_text, "lon": i.lon, "lat": i.lat,
                   "precision_m": i.precision_m, "actor": i.actor, "act": i.act,
                   "notes": notes[k % 2]}
            fh.write(json.dumps(obj | risky.get(k, {})) + "\n")  # ensure_ascii, the default
    quick, total = quick_lines(path)
    assert total == 400 and quick >= 395
    (rows, rejects, counts), (got_rows, got_rejects, got_counts) = read_both(example, [path])
    assert got_rows == rows and got_rejects == rejects and got_counts == counts
    assert {r[3] for r in rejects} >= {"row.nul"}
