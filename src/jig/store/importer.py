"""Files into the store: read with the readers, taken in batches through `Store.add_incidents`
(the path the API's bulk intake takes too), counts that add up, rejects handed back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from jig.readers import Gazetteer, IncidentReader, Reject
from jig.records import Incident
from jig.store.judging import chunks
from jig.store.store import Store
from jig.store.tables import VerdictHead, VerdictRecord


@dataclass
class ImportCounts:
    read: int = 0
    stored: int = 0  # new records and new revisions
    unchanged: int = 0  # sent before: stored once
    rejected: int = 0
    bytes_read: int = 0  # of the input files, for progress
    bytes_total: int = 0
    # The current verdicts of the records taken (stored or unchanged), once all are stored.
    verdicts: dict[str, int] = field(default_factory=dict)


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
    agreement = store.load(versions[0])
    reader = IncidentReader(agreement, gazetteer)
    counts = ImportCounts()
    buf: list[Incident] = []
    bad: list[Reject] = []
    taken: list[str] = []

    def flush() -> None:
        for r in store.add_incidents(buf, origin=origin, workspace=workspace, user=user,
                                     read_in=agreement.tz):
            if r.status == "unchanged":
                counts.unchanged += 1
            else:
                counts.stored += 1
            taken.append(r.id)
        counts.read, counts.rejected = reader.counts.read, reader.counts.rejected
        counts.bytes_read, counts.bytes_total = reader.position.done, reader.position.total
        on_batch(counts, list(bad))
        buf.clear()
        bad.clear()

    for item in reader.iter(paths):
        (bad if isinstance(item, Reject) else buf).append(item)  # type: ignore[arg-type]
        if len(buf) + len(bad) >= batch:
            flush()
    flush()
    counts.verdicts = verdict_counts(store, agreement.id, workspace, taken)
    return counts


def verdict_counts(store: Store, agreement_id: str, scope: str, ids: list[str]
                   ) -> dict[str, int]:
    """How many of the incidents `ids` have each verdict now, under the agreement, as `scope`
    sees them (counted after the whole import: a later record can change an earlier verdict)."""
    counts: Counter[str] = Counter()
    with store.sessions() as s:
        for chunk in chunks(list(dict.fromkeys(ids)), 500):
            q = (select(VerdictRecord.verdict, func.count())
                 .join(VerdictHead, VerdictHead.verdict_row == VerdictRecord.row)
                 .where(VerdictHead.incident_id.in_(chunk),
                        VerdictHead.agreement_id == agreement_id, VerdictHead.scope == scope)
                 .group_by(VerdictRecord.verdict))
            for verdict, n in s.execute(q):
                counts[verdict] += n
    return dict(counts)
