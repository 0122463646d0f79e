"""Status records (verification of must_by obligations): CSV, JSON Lines or GeoJSON rows with
`id`, `clause`, `time`, `status` (done, not_done, claimed), `source`, and optional `actor` and
`notes`. Every bad row is rejected with its place and reason; nothing is dropped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jig.agreement.model import Agreement
from jig.errors import RowError
from jig.readers import ReadResult, read_keyed
from jig.readers.fields import parse_when, text
from jig.records import STATUSES, Origin, StatusRecord


def to_status(fields: dict[str, Any], agreement: Agreement, origin: Origin | None = None
              ) -> StatusRecord:
    ident = text(fields, "id")
    if ident is None:
        raise RowError("row.missing", "`id` is required and empty", "id")
    clause = text(fields, "clause")
    duties = {c.id: c for c in agreement.clauses if c.rule == "must_by"}
    if clause is None:
        raise RowError("row.missing", "`clause` is required: the must_by clause the record is "
                       "about", "clause")
    if clause not in duties:
        raise RowError("row.unknown_clause", f"`clause` {clause!r} is not a must_by clause of "
                       f"the agreement ({', '.join(duties) or 'it has none'})", "clause")
    status = text(fields, "status")
    if status not in STATUSES:
        raise RowError("row.status", f"`status` {status!r} is not one of {', '.join(STATUSES)}",
                       "status")
    source = text(fields, "source")
    if source is None:
        raise RowError("row.missing", "`source` is required: who verified or said it", "source")
    actor = text(fields, "actor")
    if actor is not None and actor not in duties[clause].bound:
        raise RowError("row.unknown_actor", f"`actor` {actor!r} is not bound by {clause} "
                       f"({', '.join(sorted(duties[clause].bound))})", "actor")
    span, time_text = parse_when(fields, agreement.tz)
    return StatusRecord(ident, clause, span, time_text, status, source, actor,
                        text(fields, "notes"), origin)


def read_status(paths: Iterable[str | Path], agreement: Agreement) -> ReadResult:
    """Read status-record files against the agreement's must_by clauses."""
    return read_keyed(paths, lambda rec: to_status(rec.fields, agreement, rec.origin))
