"""An input judged in parts, on several cores or machines, with the output of one process.

Each part (a file, or a run of a file's blocks: `jig.readers.parts`) is read, judged and
rendered on its own (`judge_part`), with the evidence pool of the whole input. The parts come
back in input order (`InOrder`), and ids must be unique across the whole input, as in one
process: each part reports the ids it used, and a part that repeats an id an earlier part used
is judged again with those ids marked as used, so that its reader rejects the repeats exactly
as one reader would, naming their first use. `--engine dask` sends the parts to a cluster
(`jig.distributed`); `judge_on_cores` to worker processes of this machine.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jig.agreement.model import Agreement
from jig.engine import accel, judge
from jig.engine.render import write_lines
from jig.pipeline import CHUNK, release_unused
from jig.readers import IncidentReader, Reject
from jig.readers.files import FilePart
from jig.readers.gazetteer import Gazetteer
from jig.readers.incidents import Counts, unpack
from jig.readers.parts import Part, cut
from jig.records import Incident, Notice
from jig.summary import Tally

# A forked worker (`judge_on_cores`) judges half the chunk one process does: the workers each
# hold a chunk at once, and at 25,000 two of them held 0.1-0.2 GB less together (1M discs:
# 920-937 MB against 1,048-1,154 MB), no slower, since the kernels' grid is built before the
# fork and then takes chunks of any size.
PART_CHUNK = CHUNK // 2


@dataclass(frozen=True)
class Output:
    """What each part writes: `fmt` jsonl or csv (its lines, rendered from the columns) or
    `summary` (only the counts); `keep` the verdicts written (None: all)."""

    fmt: str = "jsonl"
    keep: frozenset[str] | None = None
    summary: bool = False
    chunk: int = CHUNK
    # Where the parts write their text, a file each, rather than send it back: a part's
    # findings with their reasons are some 60 MB, which a worker held twice (the text and its
    # pickle) and the parent once per part waiting its turn.
    folder: str | None = None


@dataclass
class Partition:
    lines: str  # its findings, rendered as the output asks (or in `file`)
    judged: int
    rejects: list[Reject]
    counts: Counts
    ids: pa.Array  # the ids its rows used, in order
    places: np.ndarray  # where each was used in its file (as `IncidentReader.seen` packs it)
    hashes: np.ndarray | None  # each id's `hash` in the process that forked the worker
    read_to_end: bool  # a block went to the row reader, which read the rest of the file
    size: int = 0  # bytes of the input read
    file: str | None = None  # where its findings were written (`Output.folder`)
    outcomes: Counter[str] = field(default_factory=Counter)  # incidents by verdict
    by_clause: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    by_zone: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def read(self) -> int:
        return self.counts.read

    @property
    def verdicts(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines.splitlines()]


def judge_part(agreement: Agreement, part: Part, notices: Sequence[Notice],
               pool: Sequence[Incident] | None, used: dict[str, str] | None = None,
               output: Output = Output(), gazetteer: Gazetteer | None = None,
               hashed: bool = False) -> Partition:
    """One part read as columns and judged chunk by chunk, as `jig check` judges a file.
    `hashed`: the ids' hashes are sent too (only a process forked from the one that puts the
    parts in order has the same hashes)."""
    reader = IncidentReader(agreement, gazetteer)
    tally = Tally(agreement, summary=output.summary)
    text: list[str] = []
    file = None
    if output.folder is not None and not output.summary:
        fd, file = tempfile.mkstemp(".part", dir=output.folder)
        sink = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115  (closed below)
    rejects: list[Reject] = []
    judged = 0
    for item in reader.iter_columns([part], used=used):
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        for piece in item.split(output.chunk):
            j = judge(agreement, piece, notices, evidence=pool)
            tally.add_judged(j)
            judged += len(piece)
            if not output.summary:
                if file is None:
                    text.append(j.jsonl(output.keep) if output.fmt == "jsonl"
                                else j.csv(output.keep))
                else:
                    write_lines(j.lines(output.fmt, output.keep), sink)
            del j
            release_unused()
    if file is not None:
        sink.close()
    path = path_of(part)
    start, stop = (part.start, part.stop) if isinstance(part, FilePart) else (0, None)
    if stop is None or reader.read_to_end:
        stop = Path(path).stat().st_size
    n = len(reader.seen)
    return Partition("".join(text), judged, rejects, reader.counts,
                     pa.array(list(reader.seen), pa.string()),
                     np.fromiter(reader.seen.values(), np.int64, n),
                     np.fromiter(map(hash, reader.seen), np.int64, n) if hashed else None,
                     reader.read_to_end, stop - start, file,
                     tally.verdicts, tally.by_clause, tally.by_zone)


def path_of(part: Part) -> str:
    return part.path if isinstance(part, FilePart) else part


def _hashes(result: Partition) -> np.ndarray:
    if result.hashes is not None:
        return result.hashes
    return np.fromiter(map(hash, result.ids.to_pylist()), np.int64, len(result.ids))


class UsedIds:
    """Every id the parts used and where it was first used, kept as each part's Arrow array
    of ids with their places, and the hashes of all of them sorted: a part is checked for
    repeats in one vectorised step. (A dict of a million ids took the parent process about a
    second to fill and 130 MB.)"""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.parts: list[tuple[pa.Array, np.ndarray]] = []  # ids, places with file numbers
        self.hashes = np.zeros(0, np.int64)

    def _hit(self, hashes: np.ndarray) -> np.ndarray:
        if not self.hashes.size:
            return np.zeros(len(hashes), bool)
        # Looked up in ascending order, each search starting where the last ended: a part's
        # 60,000 hashes in a million took 13 ms in their own order, 3 ms sorted.
        order = np.argsort(hashes)
        at = np.empty(len(hashes), np.intp)
        at[order] = np.searchsorted(self.hashes, hashes[order])
        at = np.minimum(at, self.hashes.size - 1)
        return self.hashes[at] == hashes

    def repeated(self, ids: pa.Array, hashes: np.ndarray) -> dict[str, str]:
        """The ids of `ids` used before, with where each was first used."""
        hit = self._hit(hashes)
        out: dict[str, str] = {}
        if not hit.any():
            return out
        maybe = ids.filter(pa.array(hit))
        for earlier, places in self.parts:
            at = pc.index_in(maybe, value_set=earlier).fill_null(-1).to_numpy(
                zero_copy_only=False)
            for ident, k in zip(maybe.to_pylist(), at.tolist(), strict=True):
                if k >= 0 and ident not in out:
                    out[ident] = unpack(int(places[k]), self.files)
        return out

    def add(self, ids: pa.Array, places: np.ndarray, hashes: np.ndarray) -> None:
        self.parts.append((ids, (len(self.files) - 1) << 32 | (places & 0xFFFFFFFF)))
        self.hashes = np.sort(np.concatenate([self.hashes, hashes]), kind="stable")

    def __contains__(self, ident: object) -> bool:
        if not isinstance(ident, str) or not self._hit(np.array([hash(ident)], np.int64))[0]:
            return False
        one = pa.array([ident], pa.string())
        return any(pc.is_in(one, value_set=ids)[0].as_py() for ids, _ in self.parts)


class InOrder:
    """The parts' results in input order, each id's first use kept (`seen`): a part that
    repeats an earlier part's id is judged again by `again` with those ids marked as used;
    the parts after one that read the rest of its file are dropped."""

    def __init__(self) -> None:
        self.seen = UsedIds()

    def __call__(self, parts: Sequence[Part], results: Iterable[Partition],
                 again: Callable[[Part, dict[str, str]], Partition]) -> Iterator[Partition]:
        done_file: str | None = None
        for part, result in zip(parts, results, strict=True):
            path = path_of(part)
            if path == done_file:
                continue  # read already, by the part that went to the row reader
            seen = self.seen
            if not seen.files or seen.files[-1] != path:
                seen.files.append(path)
            repeated = seen.repeated(result.ids, _hashes(result))
            if repeated:
                result = again(part, repeated)
            # New ids all (a part's reader rejects its own repeats).
            seen.add(result.ids, result.places, _hashes(result))
            done_file = path if result.read_to_end else None
            yield result


@dataclass(frozen=True)
class Work:
    """What every part is judged with."""

    agreement: Agreement
    notices: Sequence[Notice]
    pool: Sequence[Incident] | None
    output: Output
    gazetteer: Gazetteer | None = None


_WORK: Work | None = None  # in a worker process: set by its parent before it was forked


def _on_worker(part: Part, used: dict[str, str] | None) -> Partition:
    w = _WORK
    assert w is not None
    accel.settings.threads = 1  # one core per process
    return judge_part(w.agreement, part, w.notices, w.pool, used, w.output, w.gazetteer,
                      hashed=True)


WARM = 2_000  # rows judged before the workers are forked
# Of a format-1 file read for them (a block is 4 MB): some 2,000 rows of 250 bytes, fewer
# where rows are wider, which is as good: what the warm-up builds needs rows, not a count.
WARM_BYTES = 1 << 19


def _warm(work: Work, part: Part) -> None:
    """The input's first rows judged here and their findings dropped: what judging builds on
    first use and keeps with the agreement (the outlines of the zones in effect, the
    nearest-edge candidates where points have no disc, the kernels' code for these columns,
    modules) is then built once and shared with the workers forked after, instead of once in
    each (some 180 MB and a second of CPU apiece at 1,000 zones)."""
    reader = IncidentReader(work.agreement, work.gazetteer)
    for item in reader.iter_columns([_head(part)]):
        if not isinstance(item, Reject):
            judge(work.agreement, item.take(np.arange(min(len(item), WARM))), work.notices,
                  evidence=work.pool)
            return


def _head(part: Part) -> Part:
    """The start of a part of a format-1 file, whole lines of WARM_BYTES or so: reading the
    whole of its first block for the warm-up cost half a second before any worker began."""
    if not isinstance(part, FilePart):
        return part
    with open(part.path, "rb") as fh:
        fh.seek(part.start + WARM_BYTES)
        fh.readline()
        stop = fh.tell()
    if stop >= (part.stop if part.stop is not None else os.path.getsize(part.path)):
        return part
    return FilePart(part.path, part.start, stop, part.line)


def judge_on_cores(work: Work, parts: Sequence[Part], workers: int, order: InOrder
                   ) -> Iterator[Partition]:
    """The parts judged on `workers` processes forked from this one (so the agreement and
    whatever it has built are theirs without a copy), a few at a time, in input order."""
    global _WORK
    _WORK = work
    a = work.agreement
    if a.zones and accel.wanted(accel.MIN_BATCH) and any(
            c.rule in ("no_strikes_in", "no_weapons_in") for c in a.clauses):
        accel.prepare(a)  # built (or loaded) once, here, for every worker
        if parts:
            _warm(work, parts[0])
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as ex:
            ahead: deque[Future[Partition]] = deque()
            todo = iter(parts)

            def results() -> Iterator[Partition]:
                # Two parts per worker in flight: each is ready when its turn comes, and the
                # text waiting to be written stays a few blocks' worth.
                while True:
                    while len(ahead) < 2 * workers and (p := next(todo, None)) is not None:
                        ahead.append(ex.submit(_on_worker, p, None))
                    if not ahead:
                        return
                    yield ahead.popleft().result()

            yield from order(parts, results(),
                             lambda p, used: ex.submit(_on_worker, p, used).result())
    finally:
        _WORK = None


def cores_for(paths: Sequence[str | Path], workers: int) -> list[Part] | None:
    """The parts to judge `paths` in on `workers` processes, or None when one process does as
    well (one core, or an input of one part)."""
    if workers < 2:
        return None
    parts = cut(paths)
    return parts if len(parts) > 1 else None
