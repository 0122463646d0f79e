"""Judging beyond one machine: partitions of the input judged on a Dask cluster.

Each input file (a Parquet or CSV partition of a larger dataset) is one task. The agreement is
sent once to every worker (as its document, parsed there once and kept); a first round of tasks
collects the incidents that could be evidence for an exception, which are then sent once to
every worker too; the second round judges each partition with them. The verdicts are exactly
those of judging the whole input in one process, returned in partition order.

Ids must be unique across the whole input, as in one process: each partition reports the ids
it used, and a partition that repeats an id of an earlier one is judged again with those ids
marked as used, so that its reader rejects the repeats exactly as one reader would. Judging a
part and putting the parts back in order are `jig.partitions`', shared with `jig check
--threads` on one machine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from jig.agreement import Agreement, agreement_document, parse_agreement
from jig.partitions import InOrder, Partition, judge_part
from jig.readers import Gazetteer, IncidentReader
from jig.readers.files import expand_paths
from jig.records import Incident, Notice

_AGREEMENTS: dict[str, Agreement] = {}  # on each worker: parsed documents by content


def _agreement(document: str) -> Agreement:
    a = _AGREEMENTS.get(document)
    if a is None:
        a = _AGREEMENTS[document] = parse_agreement(document, name="agreement", stored=True)
    return a


def _pool(document: str, path: str, gazetteer: Gazetteer | None) -> list[Incident]:
    a = _agreement(document)
    reader = IncidentReader(a, gazetteer)
    return [i for i in reader.iter([path], only_actors=a.evidence_actors())
            if isinstance(i, Incident)]


def _judge(document: str, path: str, notices: list[Notice], pool: list[Incident] | None,
           gazetteer: Gazetteer | None, used: dict[str, str] | None = None) -> Partition:
    return judge_part(_agreement(document), path, notices, pool, used, gazetteer=gazetteer)


def _first_uses(pieces: list[list[Incident]]) -> list[Incident]:
    """The evidence pool of several partitions: an id's first incident only, as one reader
    over all of them would keep."""
    seen: set[str] = set()
    out = []
    for inc in (i for piece in pieces for i in piece):
        if inc.id not in seen:
            seen.add(inc.id)
            out.append(inc)
    return out


def partitions(paths: Sequence[str | Path]) -> list[str]:
    """Input files, a folder standing for the files in it (sorted), as one task each."""
    return [str(p) for p in expand_paths(paths)]


def judge_on_cluster(client: Any, agreement_path: Path, paths: Sequence[str | Path],
                     notices: Sequence[Notice] = (), gazetteer: Gazetteer | None = None
                     ) -> Iterator[Partition]:
    """Judge every partition on the cluster `client` (a dask.distributed.Client), rows
    without coordinates placed by `gazetteer` (read here, sent once to every worker)."""
    document = agreement_document(agreement_path.read_text(encoding="utf-8"),
                                  agreement_path.parent)
    doc = client.scatter(document, broadcast=True)
    files = partitions(paths)
    a = parse_agreement(document, name=str(agreement_path))
    # Scattered as one object each (a list would be scattered element by element).
    [gaz] = client.scatter([gazetteer], broadcast=True)
    pool_future = None
    if a.evidence_actors():
        pieces = client.gather(client.map(_pool, [doc] * len(files), files,
                                          [gaz] * len(files), pure=False))
        pool = _first_uses(pieces)
        [pool_future] = client.scatter([pool], broadcast=True)
    [notes] = client.scatter([list(notices)], broadcast=True)
    futures = client.map(_judge, [doc] * len(files), files, [notes] * len(files),
                         [pool_future] * len(files), [gaz] * len(files), pure=False)
    yield from InOrder()(files, (f.result() for f in futures), lambda path, used: client.submit(
        _judge, doc, path, notes, pool_future, gaz, used, pure=False).result())
