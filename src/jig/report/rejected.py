"""When a rejected row says it happened: read back from its raw text, for the report's count of
the period's rejected rows (jig.report.tally keeps the counts; this reads the files' headers).

A reject keeps its row as the user gave it, not its parsed fields: most are rejected after the
date was read (no coordinates, a location too vague to place), so the date is still there to
read. A row whose date cannot be read is said to have none, never guessed into a period.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from jig.agreement.model import Agreement
from jig.errors import RowError
from jig.readers.fields import EPOCH_DAY
from jig.readers.incidents import recognise
from jig.readers.rejects import Reject
from jig.readers.tables import Tables
from jig.times import parse_time

# Where each export keeps its date, when its own reading of the row failed before the date
# (a CJTF-OIR line without a place; format 1's `time` for files of jig's own fields).
DATE_FIELDS = ("time", "date_start", "event_date", "date")


class RejectDates:
    """`dates(reject)`: the start of the time a rejected row gives, in epoch seconds, or None
    when it gives none that can be read."""

    def __init__(self, agreement: Agreement):
        self.agreement = agreement
        self.tables = Tables.with_overrides(agreement.precision)
        self._headers: dict[str, list[str] | None] = {}

    def __call__(self, reject: Reject) -> float | None:
        fields = self.fields(reject)
        if fields is None:
            return None
        for text in self._times(fields, reject):
            try:
                start = parse_time(text, self.agreement.tz).start
            except ValueError:
                start = _month_day_year(text, self.agreement)
            # 1 January 1970 is a missing date stored as zero (the reader rejects it as such).
            if start is not None and math.isfinite(start) and \
                    not EPOCH_DAY[0] <= start < EPOCH_DAY[1]:
                return start
        return None

    def fields(self, reject: Reject) -> dict[str, Any] | None:
        """The rejected row's fields: a JSON object (a JSON line, a GeoJSON feature's
        properties) or a CSV line under its file's header."""
        raw = reject.raw.strip()
        if raw.startswith("{"):
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, RecursionError):
                return None
            if not isinstance(obj, dict):
                return None
            props = obj.get("properties") if obj.get("type") == "Feature" else obj
            return props if isinstance(props, dict) else None
        header = self._header(reject.origin.file)
        if header is None:
            return None
        try:
            row = next(csv.reader(io.StringIO(reject.raw), _dialect(reject.origin.file)), [])
        except csv.Error:
            return None
        if len(row) != len(header):
            return None
        return dict(zip(header, row, strict=True))

    def _times(self, fields: dict[str, Any], reject: Reject) -> list[str]:
        """The row's time as its export's reader reads it, then its date fields as written."""
        out: list[str] = []
        source = recognise(fields)
        if source is not None:
            # Rejected for what it read before the date: the date fields alone, below.
            with contextlib.suppress(RowError, KeyError, ValueError, TypeError):
                out.append(str(source.to_fields(fields, self.tables, reject.origin)["time"]))
        for name in DATE_FIELDS:
            value = str(fields.get(name) or "").strip()
            if value:
                # UCDP writes days with a time of midnight in some exports: the day is meant.
                out.append(value[:10] if name == "date_start" else value)
        return out

    def _header(self, name: str) -> list[str] | None:
        if name not in self._headers:
            self._headers[name] = _read_header(Path(name))
        return self._headers[name]


def _dialect(name: str) -> str:
    return "excel-tab" if name.lower().endswith(".tsv") else "excel"


def _read_header(path: Path) -> list[str] | None:
    """A CSV file's header as the reader keeps it (names stripped); None when unreadable."""
    try:
        with path.open(encoding="utf-8-sig", newline="", errors="replace") as fh:
            header = next(csv.reader(fh, _dialect(str(path))), None)
    except (OSError, csv.Error):
        return None
    return [h.strip() for h in header] if header else None


def _month_day_year(text: str, agreement: Agreement) -> float | None:
    """A CJTF-OIR release's M/D/YYYY, which the ISO reader does not take."""
    try:
        day = datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None
    return parse_time(day.isoformat(), agreement.tz).start
