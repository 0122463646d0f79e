"""`jig check` on several cores writes what one process writes: the same bytes, the same
rejects in the same order, the same counts, with ids repeated across parts and a record over
several lines in the middle of a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLE
from tests.test_columnar import FIELDS, UCDP, UCDP_FULL, as_format1
from typer.testing import CliRunner

from jig import partitions
from jig.cli import app
from jig.readers import IncidentReader, Reject, csvcolumns
from jig.readers.files import FilePart
from jig.readers.parts import cut


def check(tmp_path: Path, name: str, threads: int, *args: str) -> tuple[bytes, bytes, str]:
    """`jig check` in this process (its workers are forked from it, and see the small blocks
    the test sets): the output, the rejects file and what it said on stderr."""
    out, rejects = tmp_path / f"{name}-{threads}.out", tmp_path / f"{name}-{threads}.rej"
    r = CliRunner().invoke(app, ["check", str(EXAMPLE / "agreement.yaml"), *args, "-o", str(out),
                                 "--rejects", str(rejects), "--threads", str(threads)])
    assert r.exit_code == 0, r.output
    # stderr: the rejects shown, the warnings, the counts
    return out.read_bytes(), rejects.read_bytes(), r.output.replace(str(rejects), "REJECTS")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "summary"])
def test_two_cores_write_the_bytes_of_one_on_real_events(tmp_path, example, monkeypatch, fmt):
    """UCDP GED events of Syria in format 1 with slips mixed in (the first event's id used
    again every 13 rows, so in later parts; impossible dates, short rows, points outside the
    area, ...), the example's incidents and notices (an exception whose evidence is in another
    file): cut into parts of a few blocks, judged on two processes."""
    # Every UCDP GED event of 2016-2019 once (16,566), the 2016 extract for the other forms.
    source = UCDP_FULL if UCDP_FULL.exists() and fmt == "jsonl" else UCDP
    monkeypatch.setattr(csvcolumns, "BLOCK", 1 << 15 if source == UCDP_FULL else 1 << 10)
    ged = as_format1(example, source, tmp_path / "ged.csv")
    parts = cut([EXAMPLE / "incidents.csv", ged])
    assert len(parts) > 5 and all(isinstance(p, FilePart) for p in parts[1:])
    args = [str(EXAMPLE / "incidents.csv"), str(ged), "-n", str(EXAMPLE / "notices.csv")]
    args += ["--summary", "-f", "csv"] if fmt == "summary" else ["-f", fmt]
    one = check(tmp_path, fmt, 1, *args)
    two = check(tmp_path, fmt, 2, *args)
    assert two == one
    assert b"excepted" in one[0]
    assert one[1].count(b"was already used at ") > 3


def test_a_record_over_several_lines_in_a_middle_part(tmp_path, example, monkeypatch):
    """One reader hands the rest of the file to the row reader from the block holding a
    record over two lines: the part that holds it reads on to the end of the file, as the
    whole does, and the parts after it are not read again; an id of the first part used
    again after it is still rejected, naming its line."""
    monkeypatch.setattr(csvcolumns, "BLOCK", 300)
    head = ",".join(FIELDS) + "\n"
    good = "A{k},2016-08-{d:02d}T10:00,36.1{k},35.1,0,Government of Syria,,air_strike,,\n"
    text = head + "".join(good.format(k=k, d=1 + k % 28) for k in range(30)) + \
        'H,2016-08-01,36.1,35.1,0,"Government of Syria,\nand allies",,shelling,,\n' + \
        "".join(good.format(k=k, d=1 + k % 28) for k in range(30, 60)) + \
        good.format(k=3, d=9) + "B,2016-02-30,36.1,35.1,0,x,,air_strike,,\n"
    path = tmp_path / "multi.csv"
    path.write_text(text, encoding="utf-8")
    assert len(cut([path])) > 8
    one = check(tmp_path, "multi", 1, str(path), "-f", "jsonl")
    two = check(tmp_path, "multi", 2, str(path), "-f", "jsonl")
    assert two == one
    assert b'"incident": "H"' in one[0]
    assert f"id 'A3' was already used at {path}, line 5".encode() in one[1]
    assert "read 63 incident rows: judged 61, rejected 2" in one[2]


def test_workers_are_forked_safely_after_the_kernels_ran_in_this_process(tmp_path, example,
                                                                         monkeypatch):
    """A program that has judged with the compiled kernels on several threads, then runs
    `jig check` on two cores, forks its workers after a parallel kernel: with GNU OpenMP as
    Numba's threading layer every worker was killed ("fork() called from a process already
    using GNU OpenMP") and the command failed with a broken process pool."""
    from jig.engine import accel
    from jig.engine.check import check as judge_all
    from jig.readers.incidents import IncidentReader

    monkeypatch.setenv("JIG_KERNELS", "on")
    monkeypatch.setattr(accel.settings, "threads", 2)
    ged = as_format1(example, UCDP, tmp_path / "ged.csv")
    incidents, _ = IncidentReader(example, columnar=False).read([ged])
    assert len(incidents) > 50
    assert judge_all(example, incidents)  # the parallel kernels ran here, on two threads
    monkeypatch.setattr(csvcolumns, "BLOCK", 1 << 10)
    out, _, _ = check(tmp_path, "after", 2, str(ged), "-f", "jsonl")
    assert out.count(b"\n") == len(incidents)


def test_the_warm_up_reads_the_head_of_the_first_part_as_the_whole_reads_it(tmp_path, example):
    """Before the workers are forked the command judges the input's first rows; it reads only
    the first whole lines of WARM_BYTES (`_head`), and they are the rows the whole file gives,
    with their line numbers, up to the line where the head stops."""
    ged = as_format1(example, UCDP_FULL if UCDP_FULL.exists() else UCDP, tmp_path / "ged.csv",
                     slips=False)
    [whole] = cut([ged])
    head = partitions._head(whole)
    assert isinstance(head, FilePart) and head.stop is not None
    assert partitions.WARM_BYTES <= head.stop < ged.stat().st_size
    assert ged.read_bytes()[head.stop - 1:head.stop] == b"\n"

    def rows(part: FilePart) -> list[tuple[str, int]]:
        reader = IncidentReader(example)
        return [(inc.id, inc.origin.line) for cols in reader.iter_columns([part])
                if not isinstance(cols, Reject) for inc in cols.incidents]

    lines = ged.read_bytes()[:head.stop].count(b"\n")  # the header's and the head's rows'
    first = rows(head)
    assert len(first) > 1000 and first[-1][1] == lines
    assert first == rows(whole)[:len(first)]
