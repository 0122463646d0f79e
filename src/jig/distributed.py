"""Judging beyond one machine: partitions of the input judged on a Dask cluster.

Each input file (a Parquet or CSV partition of a larger dataset) is one task. The agreement is
sent once to every worker (as its document, parsed there once and kept); a first round of tasks
collects the incidents that could be evidence for an exception, which are then sent once to
every worker too; the second round judges each partition with them. The verdicts are exactly
those of judging the whole input in one process, returned in partition order.

Ids must be unique across the whole input, as in one process: each partition reports the ids
it used, and a partition that repeats an id of an earlier one is judged again with those ids
marked as used, so that its reader rejects the repeats exactly as one reader would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jig.agreement import Agreement, agreement_document, parse_agreement
from jig.engine import judge
from jig.pipeline import CHUNK
from jig.readers import IncidentReader, Reject
from jig.readers.files import expand_paths
from jig.records import Incident, Notice

_AGREEMENTS: dict[str, Agreement] = {}  # on each worker: parsed documents by content


def _agreement(document: str) -> Agreement:
    a = _AGREEMENTS.get(document)
    if a is None:
        a = _AGREEMENTS[document] = parse_agreement(document, name="agreement")
    return a


def _pool(document: str, path: str) -> list[Incident]:
    a = _agreement(document)
    reader = IncidentReader(a)
    return [i for i in reader.iter([path], only_actors=a.evidence_actors())
            if isinstance(i, Incident)]


@dataclass
class Partition:
    lines: str  # its verdicts as JSON Lines, rendered from columns on the worker
    judged: int
    rejects: list[Reject]
    read: int
    used: list[tuple[str, str]]  # the ids its rows used, with where

    @property
    def verdicts(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines.splitlines()]


def _judge(document: str, path: str, notices: list[Notice], pool: list[Incident] | None,
           used: dict[str, str] | None = None) -> Partition:
    a = _agreement(document)
    reader = IncidentReader(a)
    text: list[str] = []
    rejects: list[Reject] = []
    judged = 0
    # The partition read as columns and judged chunk by chunk, as `jig check` does.
    for item in reader.iter_columns([path], used=used):
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        for part in item.split(CHUNK):
            text.append(judge(a, part, notices, evidence=pool).jsonl())
            judged += len(part)
    return Partition("".join(text), judged, rejects, reader.counts.read, reader.used_ids())


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
                     notices: Sequence[Notice] = ()) -> Iterator[Partition]:
    """Judge every partition on the cluster `client` (a dask.distributed.Client)."""
    document = agreement_document(agreement_path.read_text(encoding="utf-8"),
                                  agreement_path.parent)
    doc = client.scatter(document, broadcast=True)
    files = partitions(paths)
    a = parse_agreement(document, name=str(agreement_path))
    pool_future = None
    if a.evidence_actors():
        pieces = client.gather(client.map(_pool, [doc] * len(files), files, pure=False))
        pool = _first_uses(pieces)
        # Scattered as one object (a list would be scattered element by element).
        [pool_future] = client.scatter([pool], broadcast=True)
    [notes] = client.scatter([list(notices)], broadcast=True)
    futures = client.map(_judge, [doc] * len(files), files, [notes] * len(files),
                         [pool_future] * len(files), pure=False)
    first_use: dict[str, str] = {}
    for path, f in zip(files, futures, strict=True):
        part = f.result()
        repeated = {i: first_use[i] for i, _ in part.used if i in first_use}
        if repeated:
            part = client.submit(_judge, doc, path, notes, pool_future, repeated,
                                 pure=False).result()
        for ident, where in part.used:
            first_use.setdefault(ident, where)
        yield part


def write_jsonl(parts: Iterator[Partition], out: Any) -> tuple[int, int, list[Reject]]:
    """Findings as JSON Lines, in partition order; returns (read, judged, rejects)."""
    read = judged = 0
    rejects: list[Reject] = []
    for p in parts:
        read += p.read
        judged += p.judged
        rejects += p.rejects
        out.write(p.lines)
    return read, judged, rejects
