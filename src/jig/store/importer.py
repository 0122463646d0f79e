"""Files into the store: read with the readers, taken in batches through `Store.add_incidents`
(the path the API's bulk intake takes too), counts that add up, rejects handed back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jig.readers import Gazetteer, IncidentReader, Reject
from jig.records import Incident
from jig.store.store import Store


@dataclass
class ImportCounts:
    read: int = 0
    stored: int = 0  # new records and new revisions
    unchanged: int = 0  # sent before: stored once
    rejected: int = 0


def import_files(store: Store, paths: Sequence[str | Path], *, gazetteer: Gazetteer | None = None,
                 batch: int = 1000, origin: str | None = None, workspace: str = "joint",
                 user: str = "local",
                 on_batch: Callable[[ImportCounts, list[Reject]], None] = lambda c, r: None
                 ) -> ImportCounts:
    """Read incident files of any form jig knows and store them; `on_batch` sees the counts so
    far and the rejects of each batch once that batch is committed."""
    versions = store.current_versions()
    if not versions:
        raise LookupError("the store holds no agreement: add one before records")
    reader = IncidentReader(store.load(versions[0]), gazetteer)
    counts = ImportCounts()
    buf: list[Incident] = []
    bad: list[Reject] = []

    def flush() -> None:
        for r in store.add_incidents(buf, origin=origin, workspace=workspace, user=user):
            if r.status == "unchanged":
                counts.unchanged += 1
            else:
                counts.stored += 1
        counts.read, counts.rejected = reader.counts.read, reader.counts.rejected
        on_batch(counts, list(bad))
        buf.clear()
        bad.clear()

    for item in reader.iter(paths):
        (bad if isinstance(item, Reject) else buf).append(item)  # type: ignore[arg-type]
        if len(buf) + len(bad) >= batch:
            flush()
    flush()
    return counts
