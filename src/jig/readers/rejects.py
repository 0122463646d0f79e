"""Records kept aside: every bad row with where it was, what was wrong, and its raw text."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jig.records import Origin

COLUMNS = ("file", "line", "feature", "code", "field", "reason", "raw")


@dataclass(frozen=True, slots=True)
class Reject:
    origin: Origin
    code: str
    reason: str
    raw: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"

    def row(self) -> tuple[object, ...]:
        o = self.origin
        return (o.file, o.line if o.line is not None else "",
                o.feature if o.feature is not None else "", self.code, self.field or "",
                self.reason, self.raw)


def write_rejects(path: str | Path, rejects: Iterable[Reject]) -> int:
    """Write rejects as CSV (file, line, feature, code, field, reason, raw); return the count."""
    writer = RejectWriter(path)
    try:
        for r in rejects:
            writer(r)
    finally:
        writer.close()
    return writer.count


class RejectWriter:
    """Writes rejects to a CSV as they come (for inputs too large to hold them all)."""

    def __init__(self, path: str | Path):
        self._fh = Path(path).open("w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self._w = csv.writer(self._fh)
        self._w.writerow(COLUMNS)
        self.count = 0

    def __call__(self, reject: Reject) -> None:
        self._w.writerow(reject.row())
        self.count += 1

    def close(self) -> None:
        self._fh.close()
