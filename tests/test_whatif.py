"""What-if: `jig diff` between two agreements and `jig sweep` over zones grown or shrunk, on
hand-made cases and on the Sochi DMZ with the real events of its period."""

from __future__ import annotations

import json

import pytest
from tests.conftest import EXAMPLE, SHARED_DATA, box, collection, feature, incident
from tests.test_cli import jig

from jig import check, load_agreement
from jig.library import entry
from jig.readers import IncidentReader
from jig.times import Window, parse_time
from jig.whatif import diff, grown, parse_buffers, sweep

RULE = """
zones: zones.geojson
clauses:
  - id: no-strikes
    quote: "no strikes in the zone"
    rule: no_strikes_in
    bound: [AF]
    acts: [any]
    zones: {kind: safe}
"""
SMALL = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="safe"))
LARGE = collection(feature(box(35.9, 35.0, 36.2, 35.2), id="Z-1", kind="safe"))


def test_parse_buffers():
    assert parse_buffers("-5km:+5km:1km") == [float(m) for m in range(-5000, 5001, 1000)]
    assert parse_buffers("1km:3km:1km") == [0.0, 1000.0, 2000.0, 3000.0]  # 0 always included
    assert parse_buffers("-500m:500m:250m") == [-500.0, -250.0, 0.0, 250.0, 500.0]
    for bad, why in [("5km", "FROM:TO:STEP"), ("0km:5km:0km", "step must be positive"),
                     ("5km:0km:1km", "less than"), ("0:5km:1km", "not a distance"),
                     ("0km:100km:100m", "at most 201")]:
        with pytest.raises(ValueError, match=why):
            parse_buffers(bad)


def test_grown_zones_are_judged_as_drawn_plus_the_width(make_agreement):
    a = make_agreement(RULE, zones=SMALL)
    # 1.8 km west of the zone's west edge (36.0 E at 35.1 N: 0.02° ≈ 1.8 km), and 1.8 km inside.
    near_out = incident(a, "out", lon=35.98, lat=35.1, actor="A forces", act="shelling")
    near_in = incident(a, "in", lon=36.02, lat=35.1, actor="A forces", act="shelling")
    verdicts = {m: [v.verdict for v in check(grown(a, m), [near_out, near_in])]
                for m in (-2000, 0, 2000)}
    assert verdicts == {-2000: ["complies", "complies"], 0: ["complies", "breach"],
                        2000: ["breach", "breach"]}
    # A zone shrunk to nothing is dropped: the clause then applies to nothing.
    assert grown(a, -20_000).zones == ()
    # The zones' lon/lat shapes follow their regions (what --within and maps use).
    assert grown(a, 2000).zones[0].geometry.bounds[0] < 36.0 - 0.02


def test_sweep_counts_changes_against_the_zones_as_drawn(make_agreement):
    a = make_agreement(RULE, zones=SMALL)
    rows = sweep(a, [incident(a, "out", lon=35.98, lat=35.1, actor="A forces", act="shelling"),
                     incident(a, "in", lon=36.02, lat=35.1, actor="A forces", act="shelling")],
                 [-2000.0, 2000.0])
    got = {r.metres: (r.counts["breach"], r.counts["complies"], r.inside, r.changed) for r in rows}
    assert got == {-2000.0: (0, 2, 0, 1), 0.0: (1, 1, 1, 0), 2000.0: (2, 0, 2, 1)}


def test_diff_lists_every_change_with_both_reasons(make_agreement, write_agreement, tmp_path):
    old = make_agreement(RULE, zones=SMALL)
    new_path = tmp_path / "new"
    new_path.mkdir()
    (new_path / "zones.geojson").write_text(json.dumps(LARGE))
    (new_path / "agreement.yaml").write_text(write_agreement(RULE, zones=SMALL).read_text())
    new = load_agreement(new_path / "agreement.yaml")
    incidents = [incident(old, "west", lon=35.95, lat=35.1, actor="A forces", act="shelling"),
                 incident(old, "inside", lon=36.1, lat=35.1, actor="A forces", act="shelling"),
                 incident(old, "far", lon=35.5, lat=35.1, actor="A forces", act="shelling")]
    d = diff(old, new, incidents, incidents)
    assert [c.old.incident.id for c in d.changes] == ["west"]
    change = d.changes[0]
    assert change.key == "complies → breach"
    assert "lies outside the safe zones" in change.old.findings[0].reason
    assert "lies inside Z-1" in change.new.findings[0].reason
    assert d.by_change() == [("complies → breach", 1)]
    assert d.old_counts["breach"] == 1 and d.new_counts["breach"] == 2


def test_jig_diff_and_sweep_as_a_user_runs_them(tmp_path):
    a = load_agreement(entry("sochi-2018").agreement_path)
    area = next(z for z in a.zones if z.id == "idlib-area").geometry
    p = area.representative_point()
    rows = tmp_path / "incidents.csv"
    rows.write_text("id,time,lon,lat,actor,target,act\n"
                    f"E-1,2018-11-01,{p.x},{p.y},Russian Military,Syrian insurgents,air_strike\n"
                    f"E-2,2017-11-01,{p.x},{p.y},Russian Military,Syrian insurgents,air_strike\n")
    r = jig("diff", "astana-2017", "sochi-2018", str(rows), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    changes = [json.loads(x) for x in r.stdout.splitlines()]
    # In November 2017 only Astana's zones stood; in November 2018 both judge it a breach.
    assert [(c["incident"], c["change"]) for c in changes] == [("E-2", "breach → not_applicable")]
    assert changes[0]["old"]["findings"][0]["clause"] == "astana-1-no-hostilities-in-zones-government"
    r = jig("diff", "astana-2017", "sochi-2018", str(rows))
    assert r.returncode == 0 and "1 incident changes" in r.stdout
    assert "breach → not_applicable" in r.stdout and "sochi-2018: no clause applies" in r.stdout
    r = jig("diff", "astana-2017", "sochi-2018", str(rows), "--lang", "ru")
    assert r.returncode == 0, r.stderr
    assert "1 инцидент меняет вердикт (astana-2017 → sochi-2018)" in r.stdout
    assert "нарушение → не применимо" in r.stdout
    assert "sochi-2018: ни один пункт не применим" in r.stdout
    assert "авиаудар RU: внутри" in r.stdout and "inside" not in r.stdout
    # In Arabic the arrow points the way right-to-left text is read, from the old to the new.
    r = jig("diff", "astana-2017", "sochi-2018", str(rows), "--lang", "ar")
    assert r.returncode == 0, r.stderr
    assert "خرق ← لا ينطبق" in r.stdout and "→" not in r.stdout
    r = jig("diff", "astana-2017", "sochi-2018", str(rows), "--lang", "ru", "-f", "jsonl")
    assert r.returncode == 2 and "-f jsonl keeps jig's English codes" in r.stderr
    r = jig("diff", "astana-2017", "sochi-2018", str(rows), "--from", "2018-01-01", "-f", "jsonl")
    assert r.returncode == 0 and r.stdout == ""

    r = jig("sweep", "sochi-2018", str(rows), "--buffer", "-1km:1km:1km", "--zone", "idlib-area",
            "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["buffer_m"] for x in out] == [-1000.0, 0.0, 1000.0]
    assert all(x["verdicts"]["breach"] == 1 and x["inside"] == 1 for x in out)
    r = jig("sweep", "sochi-2018", str(rows), "--buffer", "0km:1km:1km", "--zone", "dmz")
    assert r.returncode == 0 and "no clause judging incidents selects dmz" in r.stderr
    r = jig("sweep", "sochi-2018", str(rows), "--buffer", "1km", "--zone", "dmz")
    assert r.returncode == 2 and "FROM:TO:STEP" in r.stderr
    r = jig("sweep", "sochi-2018", str(rows), "--buffer", "0km:1km:1km", "--zone", "nowhere")
    assert r.returncode == 2 and "idlib-area" in r.stderr
    r = jig("diff", "no-such-arrangement", "sochi-2018", str(rows))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_diff_reads_the_notices_under_each_agreement_and_writes_whole_lines(tmp_path):
    # The notices were read under the new agreement only: Sochi has no 'imminent-threat',
    # so the old side lost its excuses and the example's verdicts were not `jig check`'s.
    e = EXAMPLE
    args = [str(e / "agreement.yaml"), "sochi-2018", str(e / "incidents.csv"),
            "-n", str(e / "notices.csv")]
    checked = jig("check", str(e / "agreement.yaml"), str(e / "incidents.csv"),
                  "-n", str(e / "notices.csv"), "-f", "jsonl")
    verdicts = {v["incident"]: v["verdict"] for v in map(json.loads, checked.stdout.splitlines())}
    r = jig("diff", *args, "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    old = {c["incident"]: c["old"]["verdict"] for c in map(json.loads, r.stdout.splitlines())}
    assert old and all(verdicts[k] == v for k, v in old.items())
    assert old["A-09"] == "excepted"
    # What only the new agreement refuses is said to be its refusal.
    assert "notices.csv, line 2: under sochi-2018: `exception` 'imminent-threat'" in r.stderr
    # Into a pipe: every reason whole on its line, none padded (they were, to 100,000).
    table = jig("diff", *args).stdout.splitlines()
    assert table and all(line == line.rstrip() and len(line) < 2000 for line in table)


def test_the_sochi_worked_example_on_real_events():
    """docs/whatif.md: the Idlib area's reconstructed edge moved by ±5 km, on the 1,288 UCDP and
    Airwars events of the memorandum's period up to its de facto end (`--from 2018-09-17 --to
    2019-04-29`: the file runs on, its 2018 line stale); and the DMZ belt widened by 5 km."""
    a = load_agreement(entry("sochi-2018").agreement_path)
    records, _ = IncidentReader(a).read([
        SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv",
        SHARED_DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv"])
    until = Window(a.in_force.start, parse_time("2019-04-30", a.tz).start)
    period = [r for r in records if not until.misses(r.span)]
    assert len(period) == 1288
    rows = {r.metres: r for r in sweep(a, period, [-5000.0, 5000.0],
                                       frozenset({"idlib-area"}))}
    assert {m: (r.counts["breach"], r.counts["undetermined"], r.counts["complies"], r.inside,
                r.changed) for m, r in rows.items()} == {
        -5000.0: (0, 296, 227, 226, 45), 0.0: (0, 341, 182, 341, 0),
        5000.0: (0, 353, 169, 415, 13)}
    dmz = {r.metres: r.inside for r in sweep(a, period, [5000.0], frozenset({"dmz"}))}
    assert dmz == {0.0: 229, 5000.0: 330}
