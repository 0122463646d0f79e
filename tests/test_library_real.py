"""Each Syrian arrangement of the library judged against the real events of its period (UCDP GED
2016–2019 and Airwars, from ../shared/data), with the counts pinned: the same counts are in each
arrangement's README. If an engine fix changes them, recompute and say so in the commit."""

from __future__ import annotations

import re

import pytest
import shapely
from tests.conftest import ROOT, SHARED_DATA

from jig import load_agreement
from jig.engine import judge
from jig.library import entry
from jig.readers import IncidentReader

UCDP = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"
AIRWARS = SHARED_DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv"

# Verdict counts over every row with coordinates (22,909 of 24,680; rows without are rejected).
# An act whose record names no target (every Airwars row) may be of the fight against IS and
# Nusra the arrangements except: undetermined, not breach. UCDP names the two sides of a clash,
# not which attacked: a clash is a breach when it would be one whichever side acted (of one
# side's clause or the other's), and undetermined when only one side's act would be.
PINNED = {
    "coh-2016": {"breach": 2446, "undetermined": 1655, "excepted": 0, "complies": 0},
    "castello-2016": {"breach": 32, "undetermined": 54, "excepted": 0, "complies": 0},
    "astana-2017": {"breach": 1610, "undetermined": 2798, "excepted": 218, "complies": 2514},
    "south-west-2017": {"breach": 134, "undetermined": 258, "excepted": 53, "complies": 4094},
    # Sochi runs to 27 November 2024 (never renounced; its de facto end, 30 April 2019, is a
    # status fact), and Moscow's ceasefire is judged over the Idlib area, not the M4 corridor.
    "sochi-2018": {"breach": 0, "undetermined": 1505, "excepted": 4, "complies": 430},
    "moscow-2020": {"breach": 0, "undetermined": 148, "excepted": 0, "complies": 206},
}
DMZ = {"breach": 0, "undetermined": 719}  # sochi-2018 --within dmz


@pytest.fixture(scope="module")
def records():
    # Every Syrian arrangement reads times in Asia/Damascus with the default precision tables,
    # so the rows read once serve them all (actors are matched when judging).
    reader = IncidentReader(load_agreement(entry("coh-2016").agreement_path))
    good, bad = reader.read([UCDP, AIRWARS])
    assert (len(good), len(bad)) == (22909, 1771)
    return good


@pytest.mark.parametrize("name", sorted(PINNED))
def test_arrangement_on_the_real_events_of_its_period(records, name):
    a = load_agreement(entry(name).agreement_path)
    assert a.timezone_name == "Asia/Damascus" and not a.precision
    counts = judge(a, records).verdict_counts()
    assert {o: counts[o] for o in PINNED[name]} == PINNED[name]
    assert sum(counts.values()) == len(records)


def test_events_inside_the_idlib_dmz_by_verdict(records):
    """The issue's question: what happened inside the Sochi DMZ while the memorandum stood
    (from September 2018; its 2018 line stale after 30 April 2019)? Counted as
    `jig library check sochi-2018 ... --within dmz` counts."""
    a = load_agreement(entry("sochi-2018").agreement_path)
    dmz = next(z for z in a.zones if z.id == "dmz")
    inside = [r for r in records if shapely.contains_xy(dmz.geometry, r.lon, r.lat)]
    verdicts = judge(a, inside).verdicts()
    counts = {o: sum(v.verdict == o for v in verdicts) for o in
              ("breach", "undetermined", "excepted", "complies", "not_applicable")}
    assert len(inside) == 2463
    assert counts == DMZ | {"excepted": 1, "complies": 0, "not_applicable": 1743}
    # Inside the belt every applicable finding is about the de-escalation area around it, and
    # those near its reconstructed edges say the edge is approximate.
    reasons = [f.reason for v in verdicts for f in v.findings]
    assert any("is approximate (no official map was published)" in r for r in reasons)


def _stated(text: str) -> dict[str, int]:
    """The counts a paragraph states ("breach 1,611, undetermined 2,810, ...")."""
    found = re.findall(r"\b(breach|undetermined|excepted|complies) (\d[\d,]*)", " ".join(text.split()))
    return {o: int(n.replace(",", "")) for o, n in found}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_each_readme_states_the_pinned_counts(name):
    """The READMEs drifted from the counts above once (3,668 breaches stated, 2,567 judged):
    what a monitor reads must be what jig gives."""
    readme = (entry(name).agreement_path.parent / "README.md").read_text()
    paragraphs = readme.split("\n\n")
    real = next(p for p in paragraphs if p.startswith("**On the real events**"))
    assert _stated(real) == {o: n for o, n in PINNED[name].items() if o in _stated(real)}
    assert set(_stated(real)) >= {"breach", "undetermined"}
    if name == "sochi-2018":
        assert _stated(next(p for p in paragraphs if p.startswith("**Inside the DMZ"))) == DMZ


def test_the_example_entry_states_the_repository_readmes_counts():
    readme = (entry("syria-2016-jig").agreement_path.parent / "README.md").read_text()
    real = next(p for p in readme.split("\n\n") if p.startswith("**On the real events**"))
    top = (ROOT / "README.md").read_text()
    line = next(x for x in top.splitlines() if x.startswith("# read ") and "breach" in x)
    assert {o: n for o, n in _stated(real).items() if o in _stated(line)} == _stated(line)
