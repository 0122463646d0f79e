"""`jig check -f csv` rendered from the columns gives the bytes of the one-by-one path's
verdicts written by `jig.output.write_csv`: on the example with its exceptions and notices,
on real UCDP GED and Airwars rows, on real points across the 272 OCHA sub-districts with the
kernels on, and on random zones whose names CSV must quote."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

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
from jig.engine.check import check_one_by_one
from jig.engine.fast import BREACH, COMPLIES, UNDETERMINED
from jig.engine.render_csv import csv_field, csv_header
from jig.output import write_csv
from jig.readers import IncidentReader

EXPORTS = [ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
           ROOT / "tests" / "data" / "airwars_syria_2016.csv"]
KEEP = frozenset({"breach", "undetermined"})


def reference(verdicts, keep=None) -> str:
    out = io.StringIO()
    write_csv([v for v in verdicts if keep is None or v.verdict in keep], out)
    return out.getvalue()


@pytest.mark.parametrize("kernels", ["off", "on"])
def test_csv_from_columns_equals_the_one_by_one_path_on_real_rows(example, monkeypatch,
                                                                  kernels):
    monkeypatch.setenv("JIG_KERNELS", kernels)
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    incs, _ = IncidentReader(example).read([EXAMPLE / "incidents.csv", *EXPORTS])
    judged = judge(example, incs, notices)
    want = check_one_by_one(example, incs, notices)
    assert csv_header() + judged.csv() == reference(want)
    assert csv_header() + judged.csv(KEEP) == reference(want, KEEP)
    assert {c for cols in judged.columns.values() for c in cols.outcome.tolist()} >= \
        {BREACH, COMPLIES}  # rows rendered from the columns are among them


@pytest.mark.skipif(not UCDP_FULL.exists(), reason="needs ../shared/data")
def test_csv_from_columns_on_real_points_across_272_subdistricts(tmp_path, monkeypatch):
    """Plain breaches, complies and straddling discs by the hundred, from the kernels."""
    monkeypatch.setenv("JIG_KERNELS", "on")
    agreement = subdistricts_agreement(tmp_path)
    incs = ucdp_incidents()
    half = len(incs) // 2
    picked = [*incs[:400], *incs[half:half + 400]]
    judged = judge(agreement, picked)
    codes = judged.columns[0].outcome
    assert min((codes == c).sum() for c in (BREACH, COMPLIES, UNDETERMINED)) > 30
    assert csv_header() + judged.csv() == reference(check_one_by_one(agreement, picked))


@settings(max_examples=8, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(zones=st.lists(zone, min_size=2, max_size=12), cases=st.lists(act_case, min_size=20,
                                                                    max_size=20),
       names=st.lists(st.sampled_from(['Z "quoted"', "Z, east", "Z\nnew line", "Zóna", "Z"]),
                      min_size=1, max_size=3))
def test_csv_from_columns_on_random_zones_with_names_to_quote(make_agreement, monkeypatch,
                                                              zones, cases, names):
    monkeypatch.setenv("JIG_KERNELS", "on")
    agreement, incs = _build(make_agreement, zones, cases, names)
    assert csv_header() + judge(agreement, incs).csv() == \
        reference(check_one_by_one(agreement, incs))


@given(st.lists(st.text(alphabet=st.sampled_from('a ,"\r\n\té=+-@'), max_size=6),
                max_size=20))
def test_fields_are_quoted_as_the_csv_module_quotes_them(values):
    """And a cell a spreadsheet would take for a formula is made text as the row path does."""
    import csv

    import pyarrow as pa

    from jig.output import spreadsheet_safe

    out = io.StringIO()
    csv.writer(out).writerow(["x", *spreadsheet_safe(values)])
    assert out.getvalue() == ",".join(["x", *csv_field(pa.array(values, pa.string()))
                                       .to_pylist()]) + "\r\n"


def test_jig_check_csv_writes_the_reference_bytes(tmp_path, example):
    out = tmp_path / "findings.csv"
    jig = Path(sys.executable).with_name("jig")
    files = [EXAMPLE / "incidents.csv", *EXPORTS]
    subprocess.run([str(jig), "check", str(EXAMPLE / "agreement.yaml"), *map(str, files), "-n",
                    str(EXAMPLE / "notices.csv"), "-f", "csv", "-o", str(out)], check=True,
                   capture_output=True)
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    incs, _ = IncidentReader(example, columnar=False).read(files)
    assert out.read_bytes() == reference(check_one_by_one(example, incs, notices)).encode()
