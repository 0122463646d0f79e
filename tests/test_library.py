"""The library of real arrangements: catalogue, provenance, clauses judged on hand-made cases,
approximate zones, and `jig library` as a user runs it."""

from __future__ import annotations

import fnmatch
import json
import tomllib

import pytest
import shapely
from shapely.ops import polylabel
from tests.conftest import EXAMPLE, ROOT, box, collection, feature, incident
from tests.test_cli import jig

from jig import load_agreement
from jig.engine import check
from jig.library import ARRANGEMENTS, PROPOSAL, STATUSES, catalogue, entry

NAMES = [e.name for e in catalogue()]


def test_the_library_holds_at_least_nine_arrangements():
    assert len(NAMES) >= 9 and len(set(NAMES)) == len(NAMES)
    assert {"coh-2016", "syria-2016-jig", "castello-2016", "astana-2017", "south-west-2017",
            "sochi-2018", "moscow-2020", "minsk-2-2015", "hodeidah-2018"} <= set(NAMES)
    assert sorted(p.name for p in ARRANGEMENTS.iterdir() if p.is_dir()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_arrangement_is_valid_catalogued_and_sourced(name):
    e = entry(name)
    a = load_agreement(e.agreement_path)
    assert a.id == name
    assert e.status in STATUSES
    assert e.readme.exists(), f"{name} needs its README"
    ids = [c.id for c in a.clauses]
    # Clause ids are stable: the catalogue lists every id the file uses, and a retired id is
    # never used again.
    assert ids == e.clauses
    assert not set(ids) & set(e.retired_clauses)
    about = {f.about for f in e.facts}
    assert {"in_force", "parties"} <= about
    for c in a.clauses:
        assert f"clause:{c.id}" in about, f"{name}: no source for clause {c.id}"
        # The agreement's words where the text is at hand, else the terms in the encoder's
        # words, marked as such (`summary`), never a paraphrase passed off as a quote.
        assert c.quote or c.summary, f"{name}: clause {c.id} has no text"
    for x in a.exceptions:
        assert f"exception:{x}" in about, f"{name}: no source for exception {x}"
    assert "zones" in about or all(f"zone:{z.id}" in about for z in a.zones)
    if e.pax_id is not None:
        assert e.pax_id in e.pax_note, "a PA-X id comes with the address it was read from"
    if name == "syria-2016-jig":
        return  # made-up zones, exactly as the example has them (tested below)
    for z in a.zones:
        props = z.properties
        assert props.get("sources") and props.get("confidence") and props.get("construction"), \
            f"{name}: zone {z.id} lacks its provenance"
        # No arrangement here published an official map: every zone says so, and those drawn
        # from units or lines are marked approximate (their findings near an edge say so).
        assert props.get("official_map") is False
        assert props.get("approximate") or z.kind == "nationwide"


def test_the_2016_jig_proposal_is_the_example_as_it_stands():
    library = load_agreement(entry("syria-2016-jig").agreement_path)
    assert library.content_hash == load_agreement(EXAMPLE / "agreement.yaml").content_hash


def test_the_2016_jig_proposal_is_listed_as_one_never_agreed(tmp_path):
    """A leaked draft with made-up targets: never signed, never in force. The library keeps it
    (the worked example) but says so wherever it shows it, and warns when it judges with it."""
    e = entry("syria-2016-jig")
    assert e.is_proposal and e.status == PROPOSAL and e.signed is None
    assert [x.name for x in catalogue() if x.is_proposal] == ["syria-2016-jig"]
    r = jig("library", "list")
    row = next(x for x in r.stdout.splitlines() if x.startswith("syria-2016-jig"))
    assert "proposal (never agreed)" in row and "(illustrative)" in row
    r = jig("library", "show", "syria-2016-jig")
    assert "status: proposal (never agreed)" in r.stdout and "not an agreement in force" in r.stdout
    rows = tmp_path / "incidents.csv"
    rows.write_text("id,time,lon,lat,actor,act\nX-1,2016-08-01,35.50,33.89,Russia,air_strike\n")
    r = jig("library", "check", "syria-2016-jig", str(rows), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    [warning] = [x for x in r.stderr.splitlines() if x.startswith("warning")]
    assert "syria-2016-jig is a proposal (never agreed)" in warning
    assert "not an agreement in force" in warning and "warning" not in r.stdout
    r = jig("library", "check", "sochi-2018", str(rows), "-f", "jsonl")
    assert "proposal" not in r.stderr
    # An arrangement whose status was not re-checked says so where the list shows it.
    row = next(x for x in jig("library", "list").stdout.splitlines()
               if x.startswith("hodeidah-2018"))
    assert "in force (not re-checked after 2019)" in row


def test_summaries_are_not_quotes():
    """The south-west text was never published: its clauses carry the research's summary,
    marked as such, and no quote; Astana's quote is only the phrase the research stores."""
    a = load_agreement(entry("south-west-2017").agreement_path)
    assert all(c.quote is None and c.summary for c in a.clauses)
    assert all(x.quote is None and x.summary for x in a.exceptions.values())
    a = load_agreement(entry("astana-2017").agreement_path)
    assert {c.quote for c in a.clauses} == {
        "the conflicting parties (the Syrian government and armed opposition groups that have "
        "joined or will join the ceasefire regime)"}
    r = jig("library", "show", "south-west-2017")
    assert "summary, not the agreement's words: no hostilities along the confrontation" \
        in " ".join(r.stdout.split())
    assert "“" not in r.stdout.split("zones")[0]


def test_sochi_runs_to_its_addendums_end_and_moscow_judges_the_idlib_area():
    """Sochi was never renounced and Moscow 2020 is an addendum to it: its de facto end
    (30 April 2019) is a status fact, not the end of its file or zones, which say that their
    2018 line is stale. Moscow's ceasefire covers the Idlib de-escalation area, not only the
    M4 corridor; the clause that judged the corridor only is retired."""
    sochi, moscow = (load_agreement(entry(n).agreement_path) for n in ("sochi-2018", "moscow-2020"))
    assert sochi.in_force.end == moscow.in_force.end
    assert all(z.window.end == sochi.in_force.end for z in sochi.zones)
    assert all("stale" in z.properties["caveat"] for z in sochi.zones)
    assert any(f.about == "status" and f.date.isoformat() == "2019-04-30"
               for f in entry("sochi-2018").facts)
    assert entry("sochi-2018").pax_note.startswith("https://pax.peaceagreements.org/agreements/")
    assert "moscow-1-no-military-actions-in-corridor" in entry("moscow-2020").retired_clauses
    ceasefire = next(c for c in moscow.clauses if c.rule == "no_strikes_in")
    area = next(z for z in moscow.zones if z.id == "idlib-area")
    assert ceasefire.selector.ids == frozenset({"idlib-area"})
    assert area.geometry.equals(next(z for z in sochi.zones if z.id == "idlib-area").geometry)
    # Kafr Nabl, some 20 km south of the M4, lies in the Idlib area and outside the corridor.
    corridor = next(z for z in moscow.zones if z.id == "m4-corridor")
    inc = incident(moscow, lon=36.561, lat=35.614, time="2020-04-01", actor="Russian Military",
                   target="Syrian insurgents", act="air_strike")
    assert not shapely.contains_xy(corridor.geometry, inc.lon, inc.lat)
    [v] = check(moscow, [inc])
    assert v.verdict == "breach" and v.findings[0].clause == ceasefire.id


def test_unit_zones_say_how_deep_a_government_held_place_lies():
    """Partial units are taken whole: each zone says how deep their deepest point lies and
    where the places the research names as government-held are, beyond its approx_km."""
    a = load_agreement(entry("astana-2017").agreement_path)
    sw = next(z for z in a.zones if z.id == "south-west")
    assert "taken whole" in sw.properties["caveat"]
    izra = next(x for x in sw.properties["government_held_inside"] if x.startswith("Izra"))
    assert "km inside the zone's edge" in izra


def test_the_library_ships_as_package_data():
    """The arrangements sit inside src/jig and pyproject's package-data takes every file."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["jig"]
    src = ROOT / "src" / "jig"
    for path in (src / "library").rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            rel = str(path.relative_to(src))
            assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} would not ship"


def _deep_inside(a, zone_id):
    """A point far from the zone's edges (its pole of inaccessibility)."""
    geom = next(z.geometry for z in a.zones if z.id == zone_id)
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    p = polylabel(geom, tolerance=0.001)
    return {"lon": p.x, "lat": p.y}


AWAY = {"lon": 35.50, "lat": 33.89}  # Beirut: outside every Syrian zone
# name, clause, zone the act lies deep inside (or AWAY), fields, expected outcome
CASES = [
    ("coh-2016", "coh-1-no-attacks-on-participants", "syria",
     {"time": "2016-03-10", "actor": "Government of Syria", "target": "Syrian insurgents",
      "act": "air_strike"}, "breach"),
    # "against the armed opposition groups": an attack on IS is not the clause's, nor one on
    # civilians; one naming no target may be on the opposition.
    ("coh-2016", "coh-1-no-attacks-on-participants", "syria",
     {"time": "2016-03-10", "actor": "Russian Military", "target": "IS", "act": "air_strike"},
     "not_applicable"),
    ("coh-2016", "coh-1-no-attacks-on-participants", "syria",
     {"time": "2016-03-10", "actor": "Government of Syria", "target": "Civilians",
      "act": "air_strike"}, "not_applicable"),
    ("coh-2016", "coh-1-no-attacks-on-participants", "syria",
     {"time": "2016-03-10", "actor": "Russian Military", "act": "air_strike"}, "undetermined"),
    ("coh-2016", "coh-2-no-attacks-on-government", "syria",
     {"time": "2016-03-10", "actor": "Syrian insurgents", "target": "Government of Syria",
      "act": "shelling"}, "breach"),
    ("coh-2016", "coh-1-no-attacks-on-participants", "syria",
     {"time": "2017-01-05", "actor": "Government of Syria", "act": "air_strike"},
     "not_applicable"),
    ("coh-2016", "coh-2-no-attacks-on-government", "syria",
     {"time": "2016-03-10", "actor": "IS", "act": "explosion"}, "not_applicable"),
    ("castello-2016", "castello-3-heavy-weapons-out", "castello-dmz",
     {"time": "2016-09-15", "actor": "Government of Syria", "act": "other", "weapon": "tank"},
     "breach"),
    ("castello-2016", "castello-3-heavy-weapons-out", AWAY,
     {"time": "2016-09-15", "actor": "Government of Syria", "act": "other", "weapon": "tank"},
     "complies"),
    ("castello-2016", "castello-1-recommit-government", "syria",
     {"time": "2016-09-20", "actor": "Government of Syria", "act": "air_strike"},
     "not_applicable"),
    ("syria-2016-jig", "no-bombing-in-designated-areas", "DA-1",
     {"time": "2016-08-01", "actor": "Military Forces of Syria", "act": "air_strike"}, "breach"),
    ("astana-2017", "astana-1-no-hostilities-in-zones-government", "idlib",
     {"time": "2017-10-01", "actor": "Russian Military", "target": "Syrian insurgents",
      "act": "air_strike"}, "breach"),
    # A record that names no target may be of the fight against IS and Nusra the memorandum
    # excepts: not a certain breach.
    ("astana-2017", "astana-1-no-hostilities-in-zones-government", "idlib",
     {"time": "2017-10-01", "actor": "Russian Military", "act": "air_strike"}, "undetermined"),
    ("astana-2017", "astana-1-no-hostilities-in-zones-government", "idlib",
     {"time": "2017-10-01", "actor": "Russian Military", "target": "HTS", "act": "air_strike"},
     "excepted"),
    # Before Idlib's own start (Astana-6, 15 September 2017) and before any zone's: no zone in
    # effect, so the clause does not apply.
    ("astana-2017", "astana-1-no-hostilities-in-zones-government", "idlib",
     {"time": "2017-06-01", "actor": "Government of Syria", "act": "shelling"}, "not_applicable"),
    # Each Ghouta sector from its own deal: Jaysh al-Islam's from 22 July, Faylaq al-Rahman's
    # from 18 August 2017.
    ("astana-2017", "astana-1-no-hostilities-in-zones-government",
     "eastern-ghouta-jaysh-al-islam",
     {"time": "2017-08-01", "actor": "Government of Syria", "target": "Syrian insurgents",
      "act": "shelling"}, "breach"),
    ("astana-2017", "astana-1-no-hostilities-in-zones-government", "eastern-ghouta-faylaq-al-rahman",
     {"time": "2017-08-01", "actor": "Government of Syria", "act": "shelling"}, "complies"),
    ("astana-2017", "astana-2-no-hostilities-in-zones-opposition", "northern-homs",
     {"time": "2017-12-01", "actor": "Syrian insurgents", "target": "Government of Syria",
      "act": "shelling"}, "breach"),
    ("south-west-2017", "sw-1-ceasefire-government", "south-west",
     {"time": "2017-08-01", "actor": "Government of Syria", "target": "Syrian insurgents",
      "act": "shelling"}, "breach"),
    ("south-west-2017", "sw-1-ceasefire-government", "south-west",
     {"time": "2018-08-05", "actor": "Government of Syria", "act": "shelling"}, "not_applicable"),
    ("sochi-2018", "sochi-2-no-heavy-weapons-in-dmz", "dmz",
     {"time": "2018-10-20", "actor": "Syrian insurgents", "act": "other", "weapon": "mlrs"},
     "breach"),
    ("sochi-2018", "sochi-2-no-heavy-weapons-in-dmz", "dmz",  # before the 10 October deadline
     {"time": "2018-10-05", "actor": "Syrian insurgents", "act": "other", "weapon": "mlrs"},
     "not_applicable"),
    ("sochi-2018", "sochi-1-no-attacks-on-idlib", "idlib-area",
     {"time": "2018-11-01", "actor": "Russian Military", "target": "Syrian insurgents",
      "act": "air_strike"}, "breach"),
    ("sochi-2018", "sochi-1-no-attacks-on-idlib", "idlib-area",
     {"time": "2018-11-01", "actor": "Russian Military", "target": "HTS", "act": "air_strike"},
     "excepted"),
    # Sochi was never renounced: an attack in the Idlib area after its de facto end (30 April
    # 2019) is still judged against it.
    ("sochi-2018", "sochi-1-no-attacks-on-idlib", "idlib-area",
     {"time": "2019-06-01", "actor": "Russian Military", "target": "Syrian insurgents",
      "act": "air_strike"}, "breach"),
    # Moscow's article 1: military actions cease in the Idlib de-escalation area (not only in
    # the M4 corridor).
    ("moscow-2020", "moscow-4-ceasefire-in-idlib-area", "idlib-area",
     {"time": "2020-04-01", "actor": "Government of Syria", "target": "Syrian insurgents",
      "act": "shelling"}, "breach"),
    ("moscow-2020", "moscow-4-ceasefire-in-idlib-area", "idlib-area",
     {"time": "2020-03-05", "actor": "Government of Syria", "act": "shelling"}, "not_applicable"),
    ("moscow-2020", "moscow-4-ceasefire-in-idlib-area", AWAY,
     {"time": "2020-04-01", "actor": "Turkish Military", "act": "air_strike"}, "complies"),
    ("minsk-2-2015", "minsk-2a-artillery-out-of-50km-zone", "security-zone-50km",
     {"time": "2015-03-10", "actor": "DPR forces", "act": "other",
      "weapon": "artillery_100mm_plus"}, "breach"),
    ("minsk-2-2015", "minsk-2b-mlrs-out-of-70km-zone", "security-zone-70km",
     {"time": "2015-03-10", "actor": "Ukrainian armed forces", "act": "other", "weapon": "mlrs"},
     "breach"),
    ("minsk-2-2015", "minsk-2c-heavy-mlrs-and-tochka-out-of-140km-zone", {"lon": 30.52, "lat": 50.45},
     {"time": "2015-03-10", "actor": "Ukrainian armed forces", "act": "other", "weapon": "tochka"},
     "complies"),
    ("minsk-2-2015", "minsk-1-ceasefire", "security-zone-50km",
     {"time": "2015-02-14", "actor": "LPR forces", "act": "shelling"}, "not_applicable"),
    ("minsk-2-2015", "minsk-1-ceasefire", "security-zone-50km",
     {"time": "2015-02-20", "actor": "LPR forces", "act": "shelling"}, "breach"),
    ("hodeidah-2018", "hodeidah-1-ceasefire", "salif-port",
     {"time": "2019-01-10", "actor": "Houthi forces", "act": "shelling"}, "breach"),
    ("hodeidah-2018", "hodeidah-1-ceasefire", {"lon": 44.21, "lat": 15.35},  # Sanaa
     {"time": "2019-01-10", "actor": "Saudi-led coalition", "act": "air_strike"}, "complies"),
    ("hodeidah-2018", "hodeidah-1-ceasefire", "hodeidah-city",
     {"time": "2018-12-10", "actor": "Saudi-led coalition", "act": "air_strike"},
     "not_applicable"),
]


@pytest.mark.parametrize(("name", "clause", "where", "fields", "expected"), CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[4]}" for c in CASES])
def test_clauses_judged_on_hand_made_cases(name, clause, where, fields, expected):
    a = load_agreement(entry(name).agreement_path)
    assert clause in {c.id for c in a.clauses}
    place = where if isinstance(where, dict) else _deep_inside(a, where)
    [v] = check(a, [incident(a, **place, **fields)])
    found = {f.clause: f for f in v.findings}
    outcome = found[clause].outcome if clause in found else "not_applicable"
    assert outcome == expected, found.get(clause)


APPROX = """
zones: zones.geojson
clauses:
  - id: no-strikes
    rule: no_strikes_in
    bound: [AF]
    acts: [any]
    zones: {kind: reconstructed}
"""


def test_a_finding_near_an_approximate_edge_says_so(make_agreement):
    """Zone Z-1 (36.0–36.2 E, 35.0–35.2 N, about 18 km across) was drawn without a map; its
    edge may be off by 2 km. Acts within 2 km of that edge, either side, say so; acts farther
    from it do not."""
    a = make_agreement(APPROX, zones=collection(feature(
        box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="reconstructed", approximate=True,
        approx_km=2)))
    near_in, deep_in, near_out, far_out = check(a, [
        incident(a, "near-in", lon=36.01, lat=35.1, actor="A forces", act="shelling"),
        incident(a, "deep-in", lon=36.1, lat=35.1, actor="A forces", act="shelling"),
        incident(a, "near-out", lon=35.99, lat=35.1, actor="A forces", act="shelling"),
        incident(a, "far-out", lon=35.9, lat=35.1, actor="A forces", act="shelling")])
    note = "Z-1 is approximate (no official map was published): its edge may be off by up to 2.0 km"
    assert near_in.verdict == "breach" and note in near_in.findings[0].reason
    assert deep_in.verdict == "breach" and "approximate" not in deep_in.findings[0].reason
    assert near_out.verdict == "complies" and note in near_out.findings[0].reason
    assert far_out.verdict == "complies" and "approximate" not in far_out.findings[0].reason


def test_approx_km_must_be_positive(write_agreement):
    from jig import AgreementError

    path = write_agreement(APPROX, zones=collection(feature(
        box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="reconstructed", approximate=True,
        approx_km=-1)))
    with pytest.raises(AgreementError) as exc:
        load_agreement(path)
    assert "approx_km" in str(exc.value) and "Z-1" in str(exc.value)


def test_jig_library_list_show_and_check(tmp_path):
    r = jig("library", "list")
    assert r.returncode == 0, r.stderr
    for name in NAMES:
        assert name in r.stdout
    assert "2093" in r.stdout and "superseded" in r.stdout

    r = jig("library", "show", "sochi-2018")
    assert r.returncode == 0, r.stderr
    assert "sochi-2-no-heavy-weapons-in-dmz" in r.stdout and "approximate" in r.stdout
    assert "[high]" in r.stdout and "areas.json" in r.stdout
    # Each zone says how sure its drawing is and on whose word (its help promised the sources).
    assert "confidence: " in r.stdout and "sources: https://" in r.stdout

    r = jig("library", "show", "no-such-thing")
    assert r.returncode == 2 and "no arrangement 'no-such-thing'" in r.stderr
    assert "sochi-2018" in r.stderr

    a = load_agreement(entry("sochi-2018").agreement_path)
    inside, outside = _deep_inside(a, "dmz"), AWAY
    rows = tmp_path / "incidents.csv"
    rows.write_text("id,time,lon,lat,actor,target,act\n"
                    f"D-1,2018-11-01,{inside['lon']},{inside['lat']},Russian Military,"
                    "Syrian insurgents,air_strike\n"
                    f"D-2,2018-11-01,{outside['lon']},{outside['lat']},Russian Military,,"
                    "air_strike\n")
    r = jig("library", "check", "sochi-2018", str(rows), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["incident"], x["verdict"]) for x in lines if "incident" in x] == [
        ("D-1", "breach"), ("D-2", "complies")]
    # Its deadlines, judged on the arrangement's own status records, follow the incidents.
    assert [(x["commitment"], x["actor"]) for x in lines if "commitment" in x] == [
        ("sochi-3-heavy-weapons-withdrawn", "NUSRA"), ("sochi-3-heavy-weapons-withdrawn", "OPP"),
        ("sochi-4-radical-groups-out", "NUSRA")]
    r = jig("library", "check", "sochi-2018", str(rows), "--within", "dmz", "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    assert [json.loads(x).get("incident") for x in r.stdout.splitlines()][:1] == ["D-1"]
    assert "1 lie in dmz" in r.stderr
    r = jig("library", "check", "sochi-2018", str(rows), "--within", "dmz", "--lang", "ru")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("D-1 нарушение") and "авиаудар RU" in r.stdout
    r = jig("library", "check", "sochi-2018", str(rows), "--within", "nowhere")
    assert r.returncode == 2 and "dmz" in r.stderr


def test_zones_were_built_from_the_named_units():
    """Astana's Idlib zone is the union of the OCHA units the research lists: it contains
    Idlib city and Atareb, and not Aleppo city (a 'partial' city unit left out)."""
    a = load_agreement(entry("astana-2017").agreement_path)
    idlib = next(z for z in a.zones if z.id == "idlib")
    assert shapely.contains_xy(idlib.geometry, 36.633, 35.931)  # Idlib city
    assert shapely.contains_xy(idlib.geometry, 36.83, 36.14)  # Atareb
    assert not shapely.contains_xy(idlib.geometry, 37.16, 36.20)  # Aleppo city centre
    assert any(u.startswith("SY020001 Atareb") for u in idlib.properties["units"])
