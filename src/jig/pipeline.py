"""Judging files of any size: read in a stream of columns, judge in chunks, write as they come.

The engine needs, for the exceptions, every incident that could be evidence; those are few
(the incidents of the actors an evidence requirement names). A quick first pass collects them
(it maps each row's actor and builds only those incidents); the second pass judges chunk by
chunk, each chunk as columns (`IncidentColumns`), so that no object is built per incident
unless its finding needs the one-by-one path. The verdicts are exactly those of judging the
whole input at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from jig.engine import judge
from jig.engine.check import Judged
from jig.findings import Verdict
from jig.readers.incidents import IncidentReader
from jig.readers.rejects import Reject
from jig.records import Incident, Notice

CHUNK = 50_000


def judge_chunks(reader: IncidentReader, paths: Sequence[str | Path],
                 notices: Sequence[Notice] = (), *, chunk: int = CHUNK,
                 on_reject: Callable[[Reject], None] = lambda r: None,
                 on_rows: Callable[[int], None] = lambda n: None) -> Iterator[Judged]:
    """Every incident of `paths` judged, a chunk of at most `chunk` at a time, in input order;
    rejects go to `on_reject`, and `on_rows` hears how many rows each step read."""
    agreement = reader.agreement
    pool = evidence_of(reader, paths)
    for item in reader.iter_columns(paths):
        if isinstance(item, Reject):
            on_rows(1)
            on_reject(item)
            continue
        on_rows(len(item))
        for part in item.split(chunk):
            yield judge(agreement, part, notices, evidence=pool)
            release_unused()


def release_unused() -> None:
    """Give back to the system what Arrow's allocator kept of a chunk's freed memory: Arrow
    (mimalloc) keeps it for reuse, and at a million rows that was about 100 MB of the peak."""
    pa.default_memory_pool().release_unused()


def evidence_of(reader: IncidentReader, paths: Sequence[str | Path]) -> list[Incident] | None:
    """The first pass: a quick scan of the input for the incidents that could be evidence for
    an exception (None when no exception asks for evidence)."""
    actors = reader.agreement.evidence_actors()
    if not actors:
        return None
    return [i for i in reader.iter(paths, only_actors=actors) if isinstance(i, Incident)]


def judge_files(reader: IncidentReader, paths: Sequence[str | Path],
                notices: Sequence[Notice] = (), *, chunk: int = CHUNK,
                on_reject: Callable[[Reject], None] = lambda r: None,
                on_rows: Callable[[int], None] = lambda n: None) -> Iterator[Verdict]:
    """Verdicts for every incident of `paths`, in input order; rejects go to `on_reject`."""
    for judged in judge_chunks(reader, paths, notices, chunk=chunk, on_reject=on_reject,
                               on_rows=on_rows):
        yield from judged.verdicts()

