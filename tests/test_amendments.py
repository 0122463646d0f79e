"""Ruling 9: an agreement version governs acts from its `effective_from`; an act whose time
straddles an amendment is judged under each version for its share (the engine's half; the
store's and the UI's are in test_service.py and test_ui.py)."""

from __future__ import annotations

import math

import pytest
from tests.conftest import box, collection, feature, incident

from jig import check
from jig.engine.amendments import governing_windows, judge_versions, split
from jig.times import Span, Window

CLAUSES = """\
zones: zones.geojson
clauses:
  - {id: no-strikes, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
"""


def test_each_version_governs_from_its_effective_from_until_a_later_one_takes_effect():
    # Version 3 was made last but takes effect before version 2: from then on it governs.
    assert governing_windows([100.0, 300.0, 200.0]) == [
        Window(-math.inf, 200.0), Window(300.0, 300.0), Window(200.0, math.inf)]


def test_a_span_is_split_at_the_amendment_with_the_share_of_each_part():
    windows = governing_windows([0.0, 60.0])
    assert split(Span(30.0, 120.0), windows) == [(0, 1 / 3, Span(30.0, 60.0)),
                                                 (1, 2 / 3, Span(60.0, 120.0))]
    assert split(Span(60.0, 60.0), windows) == [(1, 1.0, Span(60.0, 60.0))]


@pytest.fixture
def versions(make_agreement):
    """Z-1 as first drawn, and an amendment that moves it east over the strikes' place."""
    first = make_agreement(CLAUSES, zones=collection(
        feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated")))
    second = make_agreement(CLAUSES, zones=collection(
        feature(box(36.25, 35.0, 36.5, 35.2), id="Z-1", kind="designated")))
    effective = incident(first, time="2016-08-20").span.start
    return [first, second], governing_windows([-math.inf, effective])


def judged(versions, time: str):
    agreements, windows = versions
    inc = incident(agreements[0], time=time, lon=36.3, lat=35.1, actor="B forces",
                   act="air_strike")
    [(verdict, main)] = judge_versions(
        [inc], windows, ["version 1", "version 2"],
        lambda v, part: check(agreements[v], part))
    return verdict, main


def test_an_act_before_the_amendment_is_judged_under_the_version_before(versions):
    verdict, main = judged(versions, "2016-07-25T10:00")
    assert (verdict.verdict, main) == ("complies", 0)
    verdict, main = judged(versions, "2016-08-25T10:00")
    assert (verdict.verdict, main) == ("breach", 1)


def test_an_act_straddling_the_amendment_is_judged_under_each_for_its_share(versions):
    verdict, main = judged(versions, "2016-08-18/2016-08-20")  # two days before, one after
    [f] = verdict.findings
    assert f.outcome == "undetermined" and f.p == pytest.approx(1 / 3, abs=1e-3)
    assert "straddles an amendment" in f.reason
    assert "under version 1, for 67% of its time: complies" in f.reason
    assert "under version 2, for 33% of its time: breach" in f.reason
    assert main == 0 and f.zone == "Z-1"


def test_a_clash_straddling_an_amendment_stays_a_breach_whichever_side_acted():
    """A review: a UCDP clash that breaches coh-1 as the government's act and coh-2 as the
    opposition's is a breach; with an amendment (even of nothing it judges) within its day,
    the straddling findings lost each side's reading and the verdict became undetermined."""
    from datetime import UTC, datetime

    from jig import check, load_agreement
    from jig.engine.amendments import governing_windows, judge_versions
    from jig.findings import Reading
    from jig.library import entry
    from jig.records import Incident
    from jig.times import Span

    a = load_agreement(entry("coh-2016").agreement_path)
    t0 = datetime(2016, 3, 10, tzinfo=UTC).timestamp()
    clash = Incident(id="C", span=Span(t0, t0 + 86400), time_text="2016-03-10", lon=36.7,
                     lat=35.9, precision_m=0, actor="Government of Syria",
                     target="Syrian insurgents", act="unknown", extra={"sides": "either"})
    [alone] = check(a, [clash])
    [(straddling, _)] = judge_versions([clash], governing_windows([0, t0 + 43200]),
                                       ["version 1", "version 2"],
                                       lambda _, incs: check(a, incs))
    assert alone.verdict == straddling.verdict == "breach"
    assert straddling.readings == (Reading("SY_GOV", "breach"), Reading("OPP", "breach"))
