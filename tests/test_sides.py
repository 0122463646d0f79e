"""Records that name the two sides of an exchange but not which acted (`sides: either`; UCDP
GED's fighting between two sides): judged as the act of each, the two findings made one,
read alike by every reader. A review found every UCDP clash read as the government's act."""

from __future__ import annotations

import json

import pytest
from tests.conftest import SHARED_DATA, incident
from tests.test_cli import jig

from jig import check, load_agreement, read_incidents
from jig.engine import explain, judge
from jig.engine.check import check_one_by_one
from jig.engine.sides import one_finding
from jig.findings import Finding, Reading, Verdict, readings_of
from jig.library import entry
from jig.report.reasons import translate_text

UCDP = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"
# Inside Astana's Idlib zone in January 2018.
IN_IDLIB = {"time": "2018-01-10", "lon": 36.63, "lat": 35.93, "act": "unknown"}


@pytest.fixture(scope="module")
def astana():
    return load_agreement(entry("astana-2017").agreement_path)


def _findings(agreement, *incidents):
    verdicts = check(agreement, list(incidents))
    assert verdicts == check_one_by_one(agreement, list(incidents))
    return {v.incident.id: {f.clause: f for f in v.findings} for v in verdicts}


def test_a_clash_inside_a_zone_is_undetermined_under_each_sides_clause(astana):
    clash = incident(astana, id="C", actor="Government of Syria", target="Syrian insurgents",
                     sides="either", **IN_IDLIB)
    recorded = incident(astana, id="R", actor="Government of Syria", target="Syrian insurgents",
                        **IN_IDLIB)
    found = _findings(astana, clash, recorded)
    government = found["C"]["astana-1-no-hostilities-in-zones-government"]
    opposition = found["C"]["astana-2-no-hostilities-in-zones-opposition"]
    assert (government.outcome, opposition.outcome) == ("undetermined", "undetermined")
    assert government.p is None and government.zone == "idlib"
    assert government.reason.startswith(
        "the record names two sides, not which acted: as an act of SY_GOV, breach: act of unknown "
        "kind by SY_GOV lies inside idlib")
    assert "; as an act of OPP, not applicable: OPP is not bound by this clause" in government.reason
    assert "as an act of SY_GOV, not applicable" in opposition.reason
    # The same record without `sides` is the government's act, as format 1 reads it.
    assert {c: f.outcome for c, f in found["R"].items()} == {
        "astana-1-no-hostilities-in-zones-government": "breach"}


def test_a_breach_whichever_side_acted_is_a_breach_though_no_clause_says_whose(astana):
    """A new user's review: each clause is undetermined (it binds one side), yet as the
    government's act the clash breaches one clause and as the opposition's the other; the
    verdict is a breach by one of the two, as the readings kept with each finding show."""
    clash = incident(astana, id="C", actor="Government of Syria", target="Syrian insurgents",
                     sides="either", **IN_IDLIB)
    hts = incident(astana, id="H", actor="Government of Syria", target="Hayat Tahrir al-Sham",
                   sides="either", **IN_IDLIB)
    verdicts = check(astana, [clash, hts])
    assert verdicts == check_one_by_one(astana, [clash, hts])
    v, h = verdicts
    assert {f.outcome for f in v.findings} == {"undetermined"} and v.verdict == "breach"
    assert readings_of(v.findings) == (Reading("SY_GOV", "breach"), Reading("OPP", "breach"))
    assert v.as_dict()["findings"][0]["readings"] == [
        {"actor": "SY_GOV", "outcome": "breach"}, {"actor": "OPP", "outcome": "not_applicable"}]
    # Excepted as the government's act, not applicable as HTS's: excepted, as before.
    assert h.verdict == "excepted"
    assert readings_of(h.findings) == (Reading("SY_GOV", "excepted"),
                                       Reading("NUSRA", "not_applicable"))
    judged = judge(astana, [clash, hts])
    assert judged.verdict_counts()["breach"] == 1 and judged.verdict_counts()["excepted"] == 1
    # The flat columns a GIS styles by (GeoJSON, GeoParquet, GeoPackage) name the clause and
    # zone the breach rests on, though no finding's outcome is breach (a review found them
    # empty for 1,588 of Astana's 1,610 breaches).
    from jig.export.columns import flat_row
    from jig.output import geojson_features

    assert (v.lead.clause, v.lead.zone) == ("astana-1-no-hostilities-in-zones-government", "idlib")
    [feature] = list(geojson_features([v]))
    assert feature["properties"]["clause"] == v.lead.clause
    assert flat_row(v, [c.id for c in astana.clauses])["zone"] == "idlib"
    assert [json.loads(line)["verdict"] for line in judged.jsonl().splitlines()] == [
        "breach", "excepted"]


def test_the_verdict_of_two_readings():
    """Breach one way and another clause's breach the other: breach. Readings that differ
    where one could be a breach: undetermined. Otherwise the more severe."""
    def f(clause, *outcomes):
        return Finding(clause, "x", "", readings=tuple(
            Reading(a, o) for a, o in zip(("A", "B"), outcomes, strict=True)))
    cases = [((f("1", "breach", "not_applicable"), f("2", "not_applicable", "breach")), "breach"),
             ((f("1", "breach", "not_applicable"),), "undetermined"),
             ((f("1", "breach", "excepted"), f("2", "complies", "undetermined")), "undetermined"),
             ((f("1", "excepted", "not_applicable"), f("2", "complies", "complies")), "excepted"),
             ((f("1", "complies", "not_applicable"),), "complies")]
    for findings, verdict in cases:
        assert Verdict(None, findings).verdict == verdict, findings  # type: ignore[arg-type]
    # A finding without readings (an amendment's straddling one) counts alike for both.
    plain = Finding("3", "breach", "")
    assert Verdict(None, (f("1", "complies", "complies"), plain)).verdict == "breach"  # type: ignore[arg-type]


def test_the_same_outcome_either_way_and_the_more_severe_of_two_that_cannot_breach(astana):
    # Government against HTS: excepted as the government's act, not applicable as HTS's.
    hts = incident(astana, id="H", actor="Government of Syria", target="Hayat Tahrir al-Sham",
                   sides="either", **IN_IDLIB)
    # Far outside every zone: complies whichever of the two bound sides acted.
    far = incident(astana, id="F", actor="Government of Syria", target="Syrian insurgents",
                   sides="either", **(IN_IDLIB | {"lon": 40.5, "lat": 35.0}))
    # A side the agreement does not list is none of its actors, not one that might be bound.
    unlisted = incident(astana, id="U", actor="Some militia", target="Other militia",
                        sides="either", **IN_IDLIB)
    found = _findings(astana, hts, far, unlisted)
    excepted = found["H"]["astana-1-no-hostilities-in-zones-government"]
    assert excepted.outcome == "excepted" and excepted.exception == "fight-against-terrorists"
    assert "as an act of NUSRA, not applicable" in excepted.reason
    # Complies as the government's act, not applicable as the opposition's: complies.
    far_off = found["F"]["astana-1-no-hostilities-in-zones-government"]
    assert far_off.outcome == "complies"
    assert far_off.reason.startswith("the record names two sides, not which acted: as an act of "
                                     "SY_GOV, complies: ")
    assert {f.outcome for f in found["F"].values()} == {"complies"}
    assert found["U"] == {}


def test_two_readings_made_one():
    breach = Finding("c", "breach", "as A", zone="Z1")
    also = Finding("c", "breach", "as B", zone="Z1")
    maybe = Finding("c", "undetermined", "as B, maybe", zone="Z1", p=0.4)
    same = one_finding(breach, also, "A", "B")
    assert (same.outcome, same.zone, same.reason) == (
        "breach", "Z1", "as A; the record names two sides, not which acted, and as an act of B "
                        "it is the same")
    differ = one_finding(Finding("c", "not_applicable", "B not bound"), maybe, "A", "B")
    assert (differ.outcome, differ.p, differ.zone) == ("undetermined", None, "Z1")
    assert differ.reason == ("the record names two sides, not which acted: as an act of A, not "
                             "applicable: B not bound; as an act of B, undetermined: as B, maybe")
    # Two estimates of one disc differ only by who acted when they differ: none stands.
    other = Finding("c", "undetermined", "as A, maybe", p=0.2)
    assert one_finding(other, maybe, "A", "B").p is None
    assert one_finding(maybe, maybe, "B", "A").p == 0.4


def test_explain_shows_both_readings_and_every_reason_reads_in_russian_and_arabic(astana):
    clash = incident(astana, id="C", actor="Government of Syria", target="Syrian insurgents",
                     sides="either", **IN_IDLIB)
    ex = explain(astana, [clash], "C")
    steps = ex.clauses[0].steps
    assert steps[0] == "the record names two sides, not which acted: judged as an act of " \
                       "SY_GOV, then of OPP"
    assert "as an act of SY_GOV:" in steps and "as an act of OPP:" in steps
    assert steps[-1] == "→ undetermined, as the two readings together give it"
    # Under the verdict, in every language and in the dossier: why a breach, though each
    # clause's finding is undetermined.
    from jig.report.dossier import render_dossier

    assert ex.verdict.verdict == "breach" and ex.verdict_reason == (
        "the record names two sides, not which acted: as an act of SY_GOV, breach; as an act "
        "of OPP, breach")
    assert ex.verdict_reason in render_dossier(astana, ex)
    assert "как действие SY_GOV — нарушение" in render_dossier(astana, ex, "ru")
    for lang in ("ru", "ar"):
        for f in ex.verdict.findings:
            got = translate_text(f.reason, lang)
            assert got is not None and "the record names" not in got and " lies " not in got


def test_every_reader_reads_sides_alike_and_refuses_other_values(astana, tmp_path):
    header = "id,time,lon,lat,actor,target,act,sides\n"
    rows = ("A,2018-01-10,36.63,35.93,Government of Syria,Syrian insurgents,unknown,either\n"
            "B,2018-01-10,36.63,35.93,Government of Syria,Syrian insurgents,unknown,\n"
            "C,2018-01-10,36.63,35.93,Government of Syria,Syrian insurgents,unknown,Either\n"
            "D,2018-01-10,36.63,35.93,Government of Syria,Syrian insurgents,unknown,both\n"
            "E,2018-01-10,36.63,35.93,Government of Syria,,unknown,either\n")
    csv_file = tmp_path / "two.csv"
    csv_file.write_text(header + rows)
    lines = []
    for row in rows.splitlines():
        ident, time, lon, lat, actor, target, act, sides = row.split(",")
        record = {"id": ident, "time": time, "lon": float(lon), "lat": float(lat),
                  "actor": actor, "target": target, "act": act}
        lines.append(json.dumps(record | ({"sides": sides} if sides else {})))
    # A key spelt with an escape is the same key to a JSON reader.
    lines[0] = lines[0].replace('"sides"', '"\\u0073ides"')
    jsonl = tmp_path / "two.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    for path in (csv_file, jsonl):
        read = read_incidents([path], astana)
        assert [(i.id, i.either_side) for i in read.records] == [
            ("A", True), ("B", False), ("C", True)], path
        first = 5 if path.suffix == ".csv" else 4  # a CSV's header is its line 1
        assert [(r.origin.line, r.code) for r in read.rejects] == [
            (first, "row.sides"), (first + 1, "row.sides")], path
        assert "give `either`" in read.rejects[0].reason
        assert "needs both sides named" in read.rejects[1].reason
        # `jig check` reads the file into columns, handing these records to the row reader.
        r = jig("check", str(entry("astana-2017").agreement_path), str(path), "-f", "jsonl")
        assert r.returncode == 0, r.stderr
        assert [(x["incident"], x["verdict"]) for x in map(json.loads, r.stdout.splitlines())
                ] == [("A", "breach"), ("B", "breach"), ("C", "breach")], path


def test_ucdp_fighting_names_two_sides_and_one_sided_violence_its_perpetrator(astana):
    read = read_incidents([UCDP], astana)
    by_type: dict[str, set[bool]] = {}
    for i in read.records:
        by_type.setdefault(str(i.extra["type_of_violence"]), set()).add(i.either_side)
    assert by_type == {"1": {True}, "2": {True}, "3": {False}}


def test_jig_check_on_a_ucdp_clash_names_both_readings(tmp_path):
    path = tmp_path / "ucdp.csv"
    path.write_text("id,date_start,date_end,longitude,latitude,where_prec,side_a,side_b,"
                    "type_of_violence,best\n"
                    "1,2018-01-10,2018-01-10,36.63,35.93,1,Government of Syria,"
                    "Syrian insurgents,1,3\n"
                    "2,2018-01-10,2018-01-10,36.63,35.93,1,IS,Civilians,3,2\n"
                    # Not a type UCDP writes, and a side left blank: read as before, one
                    # side's act, neither refused nor a crash.
                    "3,2018-01-10,2018-01-10,36.63,35.93,1,Government of Syria,"
                    "Syrian insurgents,inf,1\n"
                    "4,2018-01-10,2018-01-10,36.63,35.93,1,Government of Syria, ,1,1\n")
    r = jig("library", "check", "astana-2017", str(path), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    out = {x["incident"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert out["1"]["verdict"] == "breach"  # astana-1 as SY_GOV's act, astana-2 as OPP's
    assert "as an act of SY_GOV, breach" in out["1"]["findings"][0]["reason"]
    assert out["2"]["verdict"] == "not_applicable"  # IS's own act; IS is bound by no clause
    assert out["3"]["verdict"] == "breach"
    # No target named: it may be against the terrorists the memorandum excepts.
    assert out["4"]["verdict"] == "undetermined"
    assert "it may be excepted" in out["4"]["findings"][0]["reason"]
    assert not any("two sides" in out[k]["findings"][0]["reason"] for k in ("3", "4"))


def test_counts_by_actor_and_party_name_both_sides(astana):
    """The report's counts by party and by actor, `--summary`'s by actor, and the annex put
    a two-sided record under its written actor alone (side_a), or under no party."""
    from datetime import date

    from jig.report import ReportBuilder
    from jig.report.tally import NO_PARTY, Period
    from jig.summary import Tally

    clash = incident(astana, id="C", actor="SDF", target="Syrian insurgents", sides="either",
                     **IN_IDLIB)
    [v] = check(astana, [clash])
    builder = ReportBuilder(astana, Period.of_days(date(2018, 1, 1), date(2018, 1, 31), astana),
                            None)
    builder.add(v)
    assert set(builder.now.actor) == {"SDF or OPP"}
    # The opposition's reading can breach; Turkey answers for it.
    assert dict(builder.now.party)["TR"]["undetermined"] == 1
    assert NO_PARTY not in builder.now.party
    assert {r.actor for r in builder.annex} == {"SDF or OPP"}
    tally = Tally(astana, summary=True)
    tally.add(v)
    assert {who for _, _, who in tally.by_clause} == {"SDF or OPP"}
    columns = Tally(astana, summary=True)
    columns.add_judged(judge(astana, [clash]))
    assert columns.by_clause == tally.by_clause


def test_a_report_places_a_breach_whichever_side_acted_where_it_was(astana):
    """A review: the report's places ranking counted findings, so a government-opposition
    clash in Idlib (a breach either way, each clause's finding undetermined) counted there as
    two undetermined and no breach: Idlib showed none of its 112 breaches."""
    from datetime import date

    from jig.report import ReportBuilder
    from jig.report.tally import Period

    clash = incident(astana, id="C", actor="Government of Syria", target="Syrian insurgents",
                     sides="either", **IN_IDLIB)
    [v] = check(astana, [clash])
    builder = ReportBuilder(astana, Period.of_days(date(2018, 1, 1), date(2018, 1, 31), astana),
                            None)
    builder.add(v)
    assert v.verdict == "breach"
    assert dict(builder.now.place) == {"idlib": {"breach": 1}}
    # Per clause it stays what each finding is: who breached which clause is not known.
    assert {c: dict(n) for c, n in builder.now.clause.items()} == {
        "astana-1-no-hostilities-in-zones-government": {"undetermined": 1},
        "astana-2-no-hostilities-in-zones-opposition": {"undetermined": 1}}
