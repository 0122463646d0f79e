"""Records kept aside: every bad row with where it was, what was wrong, and its raw text."""

from __future__ import annotations

import csv
import os
import tempfile
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
    """Writes rejects to a CSV as they come (for inputs too large to hold them all): into a
    temporary file beside it, put in its place by `close`. A run that stops before (a bad
    agreement, a file it cannot read) leaves the file it would have replaced as it was."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                   suffix=".part")
        self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        # Removed if never put in place, however the run ends.
        self._unplaced = weakref.finalize(self, _discard, self._fh, tmp)
        self._tmp = tmp
        self._w = csv.writer(self._fh)
        self._w.writerow(COLUMNS)
        self.count = 0

    def __call__(self, reject: Reject) -> None:
        self._w.writerow(reject.row())
        self.count += 1

    def close(self) -> None:
        self._fh.close()
        os.chmod(self._tmp, 0o666 & ~umask())  # mkstemp's 0600 is for the part file only
        os.replace(self._tmp, self.path)
        self._unplaced.detach()


def _discard(fh: IO[str], tmp: str) -> None:
    fh.close()
    Path(tmp).unlink(missing_ok=True)


def umask() -> int:
    """The process's umask (asked by setting it, so set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
