"""A chunk of incidents as columns: what the engine judges a million rows from.

Coordinates, radii and span ends are float64 arrays, ids an Arrow string array, actor, target,
act and weapon dictionary-coded Arrow arrays. `Incident` objects are not needed to judge the
plain cases; each is built only when asked for (`incidents[k]`), from its row by the row
reader's own code, so it is the object the row reader would have made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import pyarrow as pa

from jig.readers.rejects import Reject
from jig.records import Incident

CHUNK = 50_000  # incidents in a chunk of columns, from the row reader

TEXT = ("actor", "target", "act", "weapon")


class LazyIncidents(Sequence[Incident]):
    """The incidents of a chunk, each built on first use and kept."""

    def __init__(self, n: int, build: Callable[[int], Incident],
                 made: dict[int, Incident] | None = None):
        self._n = n
        self._build = build
        self._made: dict[int, Incident] = made if made is not None else {}

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, k: int) -> Incident: ...
    @overload
    def __getitem__(self, k: slice) -> list[Incident]: ...

    def __getitem__(self, k: int | slice) -> Incident | list[Incident]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(self._n))]
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        inc = self._made.get(k)
        if inc is None:
            inc = self._made[k] = self._build(k)
        return inc

    def __iter__(self) -> Iterator[Incident]:
        return (self[k] for k in range(self._n))


@dataclass
class IncidentColumns:
    """Incidents as columns, in input order. `text` holds actor, target, act and weapon as
    dictionary-coded string arrays (null: the record gives none; `act` is never null)."""

    ids: pa.Array
    lon: np.ndarray
    lat: np.ndarray
    precision_m: np.ndarray
    start: np.ndarray
    end: np.ndarray
    text: dict[str, pa.DictionaryArray]
    incidents: Sequence[Incident]
    # Which records name two sides but not which acted (`Incident.either_side`); None: none.
    # The columnar readers hand such records to the row reader, so they are objects.
    either: np.ndarray | None = None
    _lists: dict[str, list[str | None]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.lon)

    def values(self, name: str) -> list[str | None]:
        """One of the text columns as a Python list (decoded once, from its dictionary)."""
        hit = self._lists.get(name)
        if hit is None:
            col = self.text[name]
            words = col.dictionary.to_pylist()
            codes = col.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)
            words.append(None)
            hit = self._lists[name] = [words[c] for c in codes.tolist()]
        return hit

    @classmethod
    def of(cls, incidents: Sequence[Incident]) -> IncidentColumns:
        """Columns of incidents that are already objects (the row reader's, the API's)."""
        n = len(incidents)
        if isinstance(incidents, IncidentColumns):  # pragma: no cover - defensive
            return incidents

        def floats(get: Callable[[Incident], float]) -> np.ndarray:
            return np.fromiter((get(i) for i in incidents), float, n)

        text = {name: _dictionary([getattr(i, name) for i in incidents]) for name in TEXT}
        return cls(pa.array([i.id for i in incidents], pa.string()),
                   floats(lambda i: i.lon), floats(lambda i: i.lat),
                   floats(lambda i: i.precision_m), floats(lambda i: i.span.start),
                   floats(lambda i: i.span.end), text, incidents, either_of(incidents))

    def split(self, size: int) -> Iterator[IncidentColumns]:
        """These incidents in pieces of at most `size` (judging memory grows with a piece)."""
        if len(self) <= size:
            yield self
            return
        for lo in range(0, len(self), size):
            yield self.take(np.arange(lo, min(lo + size, len(self))))

    def take(self, ks: np.ndarray) -> IncidentColumns:
        """The incidents at positions `ks`, as columns of their own."""
        idx = pa.array(ks, pa.int64())
        inner = self.incidents
        sub = LazyIncidents(len(ks), lambda j: inner[int(ks[j])])
        either = self.either[ks] if self.either is not None else None
        return IncidentColumns(self.ids.take(idx), self.lon[ks], self.lat[ks],
                               self.precision_m[ks], self.start[ks], self.end[ks],
                               {k: v.take(idx) for k, v in self.text.items()}, sub,
                               either if either is not None and either.any() else None)


def either_of(incidents: Iterable[Incident]) -> np.ndarray | None:
    """`IncidentColumns.either` of incidents that are objects: None when none is such."""
    flags = np.fromiter((i.either_side for i in incidents), bool)
    return flags if flags.any() else None


def _dictionary(values: Sequence[str | None]) -> pa.DictionaryArray:
    return pa.array(values, pa.string()).dictionary_encode()


def in_chunks(items: Iterable[Incident | Reject]) -> Iterator[IncidentColumns | Reject]:
    """The row reader's incidents in chunks of CHUNK columns; rejects as they come."""
    buf: list[Incident] = []
    for item in items:
        if isinstance(item, Reject):
            yield item
            continue
        buf.append(item)
        if len(buf) >= CHUNK:
            yield IncidentColumns.of(buf)
            buf = []
    if buf:
        yield IncidentColumns.of(buf)
