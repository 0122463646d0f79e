"""`jig check --summary` counted from the columns gives the counts of every verdict object: on
the example with its exceptions and notices, on real UCDP GED and Airwars rows, and on the
equivalence test's random zones with the compiled kernels forced on."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLE, ROOT
from tests.test_columnar import _build
from tests.test_equivalence import act_case, zone
from tests.test_kernels import UCDP as UCDP_FULL
from tests.test_kernels import subdistricts_agreement, ucdp_incidents

from jig import read_notices
from jig.engine import judge
from jig.engine.fast import BREACH, COMPLIES, UNDETERMINED
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


@pytest.mark.parametrize("kernels", ["off", "on"])
def test_summary_from_columns_counts_as_the_verdicts_on_real_rows(example, monkeypatch, kernels):
    """Real UCDP GED and Airwars rows with the example's notices (exceptions, evidence); with
    the kernels forced on, the zone rules' plain cases come from the compiled path."""
    monkeypatch.setenv("JIG_KERNELS", kernels)
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


@pytest.mark.skipif(not UCDP_FULL.exists(), reason="needs ../shared/data")
def test_summary_from_columns_on_real_points_across_272_subdistricts(tmp_path, monkeypatch):
    """Real UCDP GED points (and the same moved, half with discs of 1-5 km) across the OCHA
    sub-districts, kernels on: thousands of plain breaches, complies and straddling discs
    counted from the columns, beside incidents of an actor the agreement does not know."""
    monkeypatch.setenv("JIG_KERNELS", "on")
    subdistricts = subdistricts_agreement(tmp_path)
    incs = ucdp_incidents()
    half = len(incs) // 2
    picked = [*incs[:2500], *incs[half:half + 2500]]
    picked = [replace(i, actor="someone else") if k % 7 == 3 else i for k, i in enumerate(picked)]
    chunks = [judge(subdistricts, picked[:2000]), judge(subdistricts, picked[2000:])]
    codes = np.concatenate([j.columns[0].outcome for j in chunks])
    assert min((codes == BREACH).sum(), (codes == COMPLIES).sum(),
               (codes == UNDETERMINED).sum()) > 100
    objects, columns = both(subdistricts, chunks)
    assert columns.by_clause == objects.by_clause and columns.by_zone == objects.by_zone
    assert columns.verdicts == objects.verdicts
    assert len(objects.by_zone) > 50 and ("undetermined", "c", "someone else") in objects.by_clause


@pytest.mark.parametrize("kernels", ["off", "on"])
# Few and small examples: each builds the zones' grid for the kernels; the real rows above
# carry the volume, these the shapes (holes, overlaps, windows, discs, unknown actors).
@settings(max_examples=6, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(zones=st.lists(zone, min_size=2, max_size=12),
       cases=st.lists(act_case, min_size=24, max_size=24))
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
