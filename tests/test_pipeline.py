"""Judging in chunks gives exactly the verdicts of judging everything at once."""

from __future__ import annotations

from tests.conftest import EXAMPLE, ROOT

from jig import check, read_incidents, read_notices
from jig.pipeline import judge_files
from jig.readers import IncidentReader, Reject

FILES = [EXAMPLE / "incidents.csv", ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"]


def test_chunked_verdicts_equal_whole_input_verdicts(example):
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    whole = read_incidents(FILES, example)
    expected = [v.as_dict() for v in check(example, whole.records, notices)]
    rejects: list[Reject] = []
    reader = IncidentReader(example)
    # Chunks of 5 put A-11 (evidence) and A-12 (excepted by it) in different chunks.
    got = [v.as_dict() for v in judge_files(reader, FILES, notices, chunk=5,
                                            on_reject=rejects.append)]
    assert got == expected
    assert any(v["verdict"] == "excepted" for v in got)
    assert [r.origin for r in rejects] == [r.origin for r in whole.rejects]
    c = reader.counts
    assert c.read == c.incidents + c.rejected == whole.read
