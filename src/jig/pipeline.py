"""Judging files of any size: read in a stream, judge in chunks, write as verdicts come.

The engine needs, for the exceptions, every incident that could be evidence; those are few
(the incidents of the actors an evidence requirement names). A quick first pass collects them
(it maps each row's actor and builds only those incidents); the second pass judges chunk by
chunk. The verdicts are exactly those of judging the whole input at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from jig.agreement.model import Agreement
from jig.engine import check
from jig.findings import Verdict
from jig.readers.incidents import IncidentReader
from jig.readers.rejects import Reject
from jig.records import Incident, Notice

CHUNK = 50_000


def judge_files(reader: IncidentReader, paths: Sequence[str | Path],
                notices: Sequence[Notice] = (), *, chunk: int = CHUNK,
                on_reject: Callable[[Reject], None] = lambda r: None,
                on_row: Callable[[], None] = lambda: None) -> Iterator[Verdict]:
    """Verdicts for every incident of `paths`, in input order; rejects go to `on_reject`."""
    agreement = reader.agreement
    actors = agreement.evidence_actors()
    pool: list[Incident] | None = None
    if actors:
        # First pass: a quick scan for the incidents that could be evidence.
        pool = [i for i in reader.iter(paths, only_actors=actors) if isinstance(i, Incident)]
    items = reader.iter(paths)
    yield from _judge_chunks(agreement, items, notices, pool, chunk, on_reject, on_row)


def _judge_chunks(agreement: Agreement, items: Iterable[Incident | Reject],
                  notices: Sequence[Notice], pool: list[Incident] | None, chunk: int,
                  on_reject: Callable[[Reject], None], on_row: Callable[[], None]
                  ) -> Iterator[Verdict]:
    buf: list[Incident] = []
    for item in items:
        on_row()
        if isinstance(item, Reject):
            on_reject(item)
            continue
        buf.append(item)
        if len(buf) >= chunk:
            yield from check(agreement, buf, notices, evidence=pool)
            buf = []
    if buf:
        yield from check(agreement, buf, notices, evidence=pool)
