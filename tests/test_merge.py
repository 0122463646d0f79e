"""One event, many reports: grouping across datasets, never within one, and what is kept."""

from __future__ import annotations

from tests.conftest import ROOT, incident, notice

from jig import check, read_incidents
from jig.merge import MergeOptions, group, merge, notices_for

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


def test_a_report_that_says_who_acted_settles_a_clash_between_two_sides(example):
    """UCDP names the two sides of a clash, not which struck (`sides: either`); an Airwars
    report of the same strike names the belligerent: the merged event is that one's act,
    the other side its target."""
    clash = rec(example, "U-1", "UCDP GED", time="2016-08-10", precision_m=1000,
                actor="Government of Syria", target="Syrian insurgents", sides="either")
    strike = rec(example, "AW-1", "Airwars", precision_m=2000,
                 actor="Military Forces of Syria (2000-)", act="air_strike")
    [m] = merge(example, [clash, strike])
    assert m.id == "U-1" and not m.either_side and "sides" not in m.extra
    assert (m.actor, m.target, m.act) == ("Military Forces of Syria (2000-)",
                                          "Syrian insurgents", "air_strike")
    # Two reports that both leave it open leave it open.
    other = rec(example, "V-1", "Other", time="2016-08-10", precision_m=5000,
                actor="Government of Syria", target="Syrian insurgents", sides="either")
    [both] = merge(example, [clash, other])
    assert both.either_side and both.actor == "Government of Syria"
    # A report naming the clash's other side as the actor: the government is the target.
    nusra = rec(example, "N-1", "ACLED", time="2016-08-10", precision_m=2000,
                actor="Military Forces of Syria (2000-)", target="Jabhat Fateh al-Sham",
                sides="either")
    said = rec(example, "AC-1", "Other", precision_m=5000, actor="Jabhat Fateh al-Sham",
               act="shelling")
    [m] = merge(example, [nusra, said])
    assert (m.actor, m.target, m.either_side) == (
        "Jabhat Fateh al-Sham", "Military Forces of Syria (2000-)", False)
    # A report naming no actor settles nothing, leading or not: the clash stays two-sided,
    # never blamed on its first side.
    for precision in (500, 5000):
        unnamed = rec(example, "AW-2", "Airwars", precision_m=precision, act="air_strike")
        [m] = merge(example, [nusra, unnamed])
        assert m.either_side and m.target == "Jabhat Fateh al-Sham"
    # A side the agreement does not list is named, not unidentified: the clash between the
    # government and 'Syrian insurgents' is not Russia's strike.
    ru = rec(example, "AW-3", "Airwars", precision_m=2000, actor="Russian Military",
             act="air_strike")
    assert len(merge(example, [clash, ru])) == 1 + 1


def test_a_merged_incident_keeps_the_weapon_and_the_notices_of_every_record(example):
    # Russia's notice names the Airwars record; UCDP's, better located, leads the merged
    # incident. The notice was then ignored (a breach), and a weapon only the other report
    # gave was dropped (a `no_weapons_in` breach gone), both without a word.
    russia = {"actor": "Military Forces of Russia (2015-)", "act": "air_strike"}
    aw = rec(example, "AW-9", "Airwars", time="2016-08-05T10:00", lon=36.45, lat=35.85,
             precision_m=2000, target="Jabhat Fateh al-Sham", weapon="missile", **russia)
    u = rec(example, "U-9", "UCDP GED", time="2016-08-05T10:00", lon=36.451, lat=35.85,
            precision_m=500, **russia)
    n1 = notice(example, id="N-1", party="RU", time="2016-08-05T08:00",
                exception="imminent-threat", incident="AW-9")
    [m] = merge(example, [aw, u])
    assert m.id == "U-9" and m.weapon == "missile"
    assert m.extra["records"][1]["weapon"] == "missile"
    [renamed] = notices_for([m], [n1])
    assert renamed.incident == "U-9" and renamed.id == "N-1"
    assert check(example, [m], [n1])[0].verdict == "breach"
    assert check(example, [m], [renamed])[0].verdict == "excepted"


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


def test_jig_check_merge_applies_a_notice_naming_a_merged_record(tmp_path):
    from tests.conftest import EXAMPLE
    from tests.test_cli import jig

    head = "id,time,lon,lat,precision_m,actor,target,act\n"
    strike = "Military Forces of Russia (2015-),Jabhat Fateh al-Sham,air_strike\n"
    (tmp_path / "monitor-a.csv").write_text(head + f"MA-1,2016-08-05T10:00,36.45,35.85,2000,{strike}")
    (tmp_path / "monitor-b.csv").write_text(head + f"MB-1,2016-08-05T10:00,36.451,35.85,500,{strike}")
    (tmp_path / "n.csv").write_text("id,party,time,exception,incident\n"
                                    "N-1,RU,2016-08-05T08:00,imminent-threat,MA-1\n")
    r = jig("check", str(EXAMPLE / "agreement.yaml"), str(tmp_path / "monitor-a.csv"),
            str(tmp_path / "monitor-b.csv"), "--merge", "-n", str(tmp_path / "n.csv"),
            "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    [line] = r.stdout.splitlines()
    assert '"incident": "MB-1"' in line and '"verdict": "excepted"' in line


def test_merge_options_that_are_slips_are_refused_naming_the_option():
    from tests.conftest import EXAMPLE
    from tests.test_cli import jig

    a, rows = str(EXAMPLE / "agreement.yaml"), str(EXAMPLE / "incidents.csv")
    for args, said in ((("check", a, rows, "--merge", "--merge-actors", "foo"),
                        "--merge-actors 'foo': use one of compatible, same, any"),
                       (("check", a, rows, "--merge", "--merge-km", "-1"),
                        "--merge-km -1: give a distance of 0 km or more"),
                       (("merge", a, rows, "--days", "nan"),
                        "--days nan: give a time of 0 days or more"),
                       (("merge", a, rows, "--actors", "Same"),
                        "--actors 'Same': use one of")):
        r = jig(*args)
        assert r.returncode == 2 and said in r.stderr, (args, r.stderr)
        assert r.stdout == ""
    assert MergeOptions(0, 0, "any").problem() is None
