"""One event, many reports: grouping across datasets, never within one, and what is kept."""

from __future__ import annotations

from tests.conftest import ROOT, incident

from jig import check, read_incidents
from jig.merge import MergeOptions, group, merge

DATA = ROOT / "tests" / "data"


def rec(agreement, id, dataset, time="2016-08-10T10:00", lon=36.6, lat=35.8, **kw):
    inc = incident(agreement, id=id, time=time, lon=lon, lat=lat, dataset=dataset, **kw)
    return inc


def test_reports_of_one_event_from_two_datasets_become_one_incident(example):
    a = rec(example, "AW-1", "Airwars", precision_m=2000, actor="Russian Military",
            grade="Fair", act="air_strike")
    u = rec(example, "U-1", "UCDP GED", time="2016-08-10", lon=36.62, precision_m=1000,
            actor="Unidentified")
    other = rec(example, "U-2", "UCDP GED", time="2016-08-14", lon=36.62)
    groups = group(example, [a, u, other])
    assert [[i.id for i in g.records] for g in groups] == [["AW-1", "U-1"], ["U-2"]]
    [m, single] = merge(example, [a, u, other])
    assert m.id == "U-1" and m.precision_m == 1000  # the better located record leads
    assert m.actor == "Russian Military" and m.act == "air_strike"  # filled from Airwars
    assert m.extra["merged_ids"] == ["AW-1"]
    assert [r["id"] for r in m.extra["records"]] == ["U-1", "AW-1"]
    assert m.extra["records"][1]["grade"] == "Fair"
    assert m.span.start == a.span.start == m.span.end  # the overlap of the two times
    assert single.id == "U-2"


def test_two_reports_from_one_dataset_are_never_merged(example):
    x = rec(example, "U-1", "UCDP GED")
    y = rec(example, "U-2", "UCDP GED")
    assert len(group(example, [x, y])) == 2


def test_thresholds_and_actors(example):
    a = rec(example, "A", "Airwars", actor="Military Forces of Russia (2015-)")
    far = rec(example, "B", "UCDP GED", lon=36.8)  # about 18 km east
    assert len(group(example, [a, far])) == 2
    assert len(group(example, [a, far], MergeOptions(km=25))) == 1
    late = rec(example, "C", "UCDP GED", time="2016-08-12T10:00")
    assert len(group(example, [a, late])) == 2
    assert len(group(example, [a, late], MergeOptions(days=3))) == 1
    syrian = rec(example, "D", "UCDP GED", actor="Government of Syria")
    assert len(group(example, [a, syrian])) == 2  # RU and SY_GOV are different actors
    assert len(group(example, [a, syrian], MergeOptions(actors="any"))) == 1


def test_a_busy_day_does_not_chain_into_one_group(example):
    # Three datasets, two events 8 km apart: closest pairs win, each group one per dataset.
    incs = [rec(example, "A1", "A", lon=36.60), rec(example, "B1", "B", lon=36.605),
            rec(example, "A2", "A", lon=36.69), rec(example, "B2", "B", lon=36.685),
            rec(example, "C1", "C", lon=36.645)]
    groups = sorted(sorted(i.id for i in g.records) for g in group(example, incs))
    assert all(len({i[0] for i in g}) == len(g) for g in groups)
    assert ["A1", "B1"] in [g[:2] for g in groups] and ["A2", "B2"] in [g[:2] for g in groups]


def test_merging_real_airwars_and_ucdp_extracts(example):
    records = read_incidents([DATA / "airwars_syria_2016.csv", DATA / "ucdp_ged_syria_2016.csv"],
                             example).records
    merged = merge(example, records, MergeOptions(km=10, days=1, actors="any"))
    assert len(merged) < len(records)
    kept = sum(len(m.extra.get("records", [None])) for m in merged)
    assert kept == len(records)  # every record is kept, in exactly one incident
    verdicts = check(example, merged)
    assert len(verdicts) == len(merged)
