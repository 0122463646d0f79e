"""Rows written in bulk: one multi-row INSERT per table instead of an ORM object per row.

Intake writes four or five rows per incident (its revision and head, its verdict, findings and
verdict head); as ORM objects they cost more than judging the incident does. Here they are
inserted with SQLAlchemy Core (`executemany`, keys returned in the order given) and handed
to the log as the values stored (`audit.stage`), so every row is still a part of the
transaction's signed entry and `jig audit verify` sees the same images as for ORM writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from jig.store import audit
from jig.store.tables import IncidentRevision


def insert_rows(s: Session, cls: type, values: Sequence[dict[str, Any]]) -> None:
    """Insert `values` (every column, keyed by name) into `cls`'s table in this transaction
    and log them; a table keyed by an autoincremented `row` gets each new key put into its
    dict."""
    if not values:
        return
    table = cls.__table__  # type: ignore[attr-defined]
    if "row" not in table.c or not table.c.row.primary_key:
        s.execute(insert(table), list(values))
    elif s.get_bind().dialect.name == "sqlite":
        # SQLite cannot tell which returned key is which row's (SQLAlchemy would then insert
        # one row per statement); it has one writer at a time, so the keys are given here,
        # after the largest: a row another writer took first fails the insert, never mixes.
        start = s.scalar(select(func.max(table.c.row))) or 0
        for k, v in enumerate(values, start + 1):
            v["row"] = k
        s.execute(insert(table), list(values))
    else:
        rows = s.execute(insert(table).returning(table.c.row, sort_by_parameter_order=True),
                         list(values)).scalars().all()
        for v, r in zip(values, rows, strict=True):
            v["row"] = r
    audit.stage(s, cls, values)


@dataclass(slots=True)
class RevisionRow:
    """An incident revision written in bulk: the columns of `IncidentRevision` (record in
    the clear), which judging reads as it reads that class's objects."""

    incident_id: str
    revision: int
    content_hash: str
    record: dict[str, Any]
    lon: float
    lat: float
    precision_m: float
    t_start: float
    t_end: float
    actor: str | None
    received_at: datetime
    origin: str | None
    workspace: str
    row: int = 0

    def values(self, record: dict[str, Any]) -> dict[str, Any]:
        """The row's columns, with the record as it is to be stored."""
        return {"incident_id": self.incident_id, "revision": self.revision,
                "content_hash": self.content_hash, "record": record, "lon": self.lon,
                "lat": self.lat, "precision_m": self.precision_m, "t_start": self.t_start,
                "t_end": self.t_end, "actor": self.actor, "received_at": self.received_at,
                "origin": self.origin, "workspace": self.workspace}


# What judging takes: revisions loaded from the store, or just written in bulk.
Revision = IncidentRevision | RevisionRow
