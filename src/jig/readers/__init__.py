"""Readers: files of incidents and notices in, records and rejects out. Nothing is dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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


def _reject(rec: RawRecord, code: str, reason: str, fld: str | None = None) -> Reject:
    return Reject(rec.origin, code, reason, rec.raw, fld)


def read_incidents(paths: Iterable[str | Path], agreement: Agreement,
                   gazetteer: Gazetteer | None = None) -> ReadResult:
    """Read incident files of any known export (recognised by their header), all at once."""
    reader = IncidentReader(agreement, gazetteer)
    records, rejects = reader.read(paths)
    return ReadResult(records, rejects, reader.counts.read)


def read_notices(paths: Iterable[str | Path], agreement: Agreement) -> ReadResult:
    """Read notice files; parties and exceptions are checked against the agreement."""
    out = ReadResult()
    parties, exceptions = set(agreement.parties), set(agreement.exceptions)
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        for rec in iter_records(path):
            out.read += 1
            if rec.fields is None:
                out.rejects.append(_reject(rec, "row.unreadable", rec.error or "unreadable"))
                continue
            try:
                notice: Notice = to_notice(rec.fields, agreement.tz, rec.origin, rec.geometry,
                                           parties, exceptions, agreement.extent)
            except RowError as exc:
                out.rejects.append(_reject(rec, exc.code, str(exc), exc.field))
                continue
            if notice.id in seen:
                out.rejects.append(_reject(rec, "row.duplicate_id", f"id {notice.id!r} was "
                                           f"already used at {seen[notice.id]}", "id"))
                continue
            seen[notice.id] = str(rec.origin)
            out.records.append(notice)
    return out


__all__ = ["Counts", "Gazetteer", "Incident", "IncidentReader", "Notice", "ReadResult", "Reject",
           "read_incidents", "read_notices", "write_rejects"]
