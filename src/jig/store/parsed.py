"""Incidents parsed from stored records, kept per process: judging one record reads the
incidents near it, and its neighbours' judging reads most of them again.

Keyed by the revision's row, its content hash and the time zone it was read in: a row
number can come back after a rolled-back write, with other content, but then with another
hash, so an entry is never stale. A store's records are checked once, at intake; parsing
them again was a third of a single intake's cost at 100,000 incidents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from jig.records import Incident

# About 1 kB an incident: at most some 50 MB a process, past which the least recently used go.
SIZE = 50_000


class ParsedIncidents:
    """A bounded, thread-safe map from (row, content hash, time zone) to the parsed incident,
    the least recently used dropped first."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._items: OrderedDict[Hashable, Incident] = OrderedDict()
        self._lock = threading.Lock()  # the service judges on several threads

    def get(self, key: Hashable) -> Incident | None:
        with self._lock:
            inc = self._items.get(key)
            if inc is not None:
                self._items.move_to_end(key)
            return inc

    def put(self, key: Hashable, inc: Incident) -> Incident:
        with self._lock:
            self._items[key] = inc
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return inc

    def __len__(self) -> int:
        return len(self._items)
