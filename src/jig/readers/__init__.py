"""Readers: files of incidents and notices in, records and rejects out. Nothing is dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jig.agreement.model import Agreement
from jig.errors import RowError
from jig.readers.fields import to_notice
from jig.readers.files import RawRecord, expand_paths, iter_records
from jig.readers.gazetteer import Gazetteer
from jig.readers.incidents import Counts, IncidentReader
from jig.readers.rejects import Reject, write_rejects
from jig.records import Incident, Notice


@dataclass
class ReadResult:
    """What a read gave: the good records, the rejected ones, and how many were read."""

    records: list = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0


def read_keyed(paths: Iterable[str | Path], convert: Callable[[RawRecord], Any]) -> ReadResult:
    """Read records that each carry an id (notices, air notices, status records): every row
    through `convert`, which raises RowError for a bad one; an unreadable row, a bad row and a
    second use of an id each become a reject naming where, and nothing is dropped silently."""
    out = ReadResult()
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        for rec in iter_records(path):
            out.read += 1
            if rec.fields is None:
                out.rejects.append(Reject(rec.origin, "row.unreadable", rec.error or "unreadable",
                                          rec.raw))
                continue
            try:
                record = convert(rec)
            except RowError as exc:
                out.rejects.append(Reject(rec.origin, exc.code, str(exc), rec.raw, exc.field))
                continue
            if record.id in seen:
                out.rejects.append(Reject(rec.origin, "row.duplicate_id", f"id {record.id!r} was "
                                          f"already used at {seen[record.id]}", rec.raw, "id"))
                continue
            seen[record.id] = str(rec.origin)
            out.records.append(record)
    return out


def _paths(paths: str | Path | Iterable[str | Path]) -> list[str | Path]:
    """One path given as a string is one file (iterated, its letters were taken as files:
    "e: no such file")."""
    return [paths] if isinstance(paths, str | Path) else list(paths)


def read_incidents(paths: str | Path | Iterable[str | Path], agreement: Agreement,
                   gazetteer: Gazetteer | None = None) -> ReadResult:
    """Read incident files of any known export (recognised by their header), all at once;
    one path or several."""
    reader = IncidentReader(agreement, gazetteer)
    records, rejects = reader.read(_paths(paths))
    return ReadResult(records, rejects, reader.counts.read)


def read_notices(paths: str | Path | Iterable[str | Path], agreement: Agreement) -> ReadResult:
    """Read notice files (one path or several); parties and exceptions are checked against
    the agreement."""
    parties, exceptions = set(agreement.parties), set(agreement.exceptions)
    return read_keyed(_paths(paths), lambda rec: to_notice(rec.fields, agreement.tz, rec.origin,
                                                   rec.geometry, parties, exceptions,
                                                   agreement.extent))


__all__ = ["Counts", "Gazetteer", "Incident", "IncidentReader", "Notice", "ReadResult", "Reject",
           "read_incidents", "read_keyed", "read_notices", "write_rejects"]
