"""`jig check --summary` counted from the columns gives the counts of every verdict object: on
the example with its exceptions and notices, on real UCDP GED and Airwars rows, and on the
equivalence test's random zones with the compiled kernels forced on."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLE, ROOT
from tests.test_columnar import _build
from tests.test_equivalence import act_case, zone

from jig import read_notices
from jig.engine import judge
from jig.engine.fast import BREACH, COMPLIES
from jig.pipeline import judge_chunks
from jig.readers import IncidentReader
from jig.summary import Tally

EXPORTS = [ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
           ROOT / "tests" / "data" / "airwars_syria_2016.csv"]


def both(agreement, chunks) -> tuple[Tally, Tally]:
    """The counts of every verdict object, and the counts from the columns."""
    objects, columns = Tally(agreement, summary=True), Tally(agreement, summary=True)
    for judged in chunks:
        for v in judged.verdicts():
            objects.add(v)
        columns.add_judged(judged)
    return objects, columns


def test_summary_from_columns_counts_as_the_verdicts_on_real_rows(example):
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    files = [EXAMPLE / "incidents.csv", *EXPORTS]
    chunks = list(judge_chunks(IncidentReader(example), files, notices, chunk=97))
    plain = [code for j in chunks for cols in j.columns.values() for code in (BREACH, COMPLIES)
             if (cols.outcome == code).any()]
    assert BREACH in plain and COMPLIES in plain  # the columns are what is counted
    objects, columns = both(example, chunks)
    assert columns.by_clause == objects.by_clause and columns.by_zone == objects.by_zone
    assert columns.verdicts == objects.verdicts
    assert columns.rows() == objects.rows() and objects.by_clause["excepted", "agreed-targets-only",
                                                                 "RU"] > 0


@pytest.mark.parametrize("kernels", ["off", "on"])
@settings(max_examples=10, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(zones=st.lists(zone, min_size=2, max_size=30),
       cases=st.lists(act_case, min_size=30, max_size=30))
def test_summary_from_columns_on_random_zones(make_agreement, monkeypatch, kernels, zones,
                                              cases):
    monkeypatch.setenv("JIG_KERNELS", kernels)
    agreement, incs = _build(make_agreement, zones, cases, ["Z"])
    objects, columns = both(agreement, [judge(agreement, incs[:11]), judge(agreement, incs[11:])])
    assert columns.by_clause == objects.by_clause and columns.by_zone == objects.by_zone
    assert columns.verdicts == objects.verdicts


def test_jig_check_summary_writes_the_counts_of_the_verdicts(tmp_path, example):
    out = tmp_path / "summary.csv"
    jig = Path(sys.executable).with_name("jig")
    files = [str(EXAMPLE / "incidents.csv"), *map(str, EXPORTS)]
    subprocess.run([str(jig), "check", str(EXAMPLE / "agreement.yaml"), *files, "-n",
                    str(EXAMPLE / "notices.csv"), "--summary", "-f", "csv", "-o", str(out)],
                   check=True, capture_output=True)
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    objects = Tally(example, summary=True)
    for judged in judge_chunks(IncidentReader(example), files, notices):
        for v in judged.verdicts():
            objects.add(v)
    with out.open(newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    want = [{k: "" if v is None else str(v) for k, v in row.items()} for row in objects.rows()]
    assert [{k: v for k, v in row.items() if v != ""} for row in got] == \
        [{k: v for k, v in row.items() if v != ""} for row in want]
