"""Agreement versions as one process knows them: the list of versions and each one parsed,
kept in memory and refreshed only when the store holds a version this process has not seen.

Versions are never updated or deleted, so how many there are and the highest row number tell
whether the list is stale: one small query a transaction instead of every version's document
(a 38 MB area made every request 5x slower). The documents are read only when a version is
first seen, and parsed once per content hash. Everything is read through the caller's session:
a write transaction that asked for the versions on a second connection deadlocked the pool
once every connection was held by a writer waiting for another.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jig.agreement import Agreement, parse_agreement
from jig.engine.amendments import governing_windows
from jig.store.tables import AgreementVersion

# Where a session keeps the versions' stamp (how many, the highest row) it read, for `Catalog`.
STAMP = "jig.versions.stamp"


def stamp_columns() -> tuple[Any, Any]:
    """How many versions there are and the highest row: they change with every version added
    (versions are never updated or deleted)."""
    return func.count(AgreementVersion.row), func.max(AgreementVersion.row)


class Catalog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[int, int | None] | None = None
        self._rows: list[AgreementVersion] = []
        self._parsed: dict[str, Agreement] = {}  # by content hash

    def rows(self, s: Session) -> list[AgreementVersion]:
        """Every version, by agreement id then version number (detached rows; their
        documents are not loaded: `parsed` has them parsed)."""
        # A read session that asked already (`asking`: in the statement that looked up who is
        # asking) does not ask again.
        stamp = s.info.get(STAMP)
        if stamp is None:
            stamp = tuple(s.execute(select(*stamp_columns())).one())
        count, last = stamp
        with self._lock:
            if (count, last) == self._stamp:
                return self._rows
        rows = list(s.scalars(select(AgreementVersion).order_by(
            AgreementVersion.agreement_id, AgreementVersion.version)))
        for r in rows:
            if r.content_hash not in self._parsed:
                self._parsed[r.content_hash] = parse_agreement(
                    r.document, name=f"{r.agreement_id} v{r.version}", stored=True)
            s.expunge(r)
        with self._lock:
            self._rows, self._stamp = rows, (count, last)
        return rows

    def parsed(self, version: AgreementVersion) -> Agreement | None:
        return self._parsed.get(version.content_hash)

    def remember(self, version: AgreementVersion, agreement: Agreement) -> None:
        self._parsed.setdefault(version.content_hash, agreement)

    def history(self, s: Session, agreement_id: str) -> list[AgreementVersion]:
        return [r for r in self.rows(s) if r.agreement_id == agreement_id]

    def current(self, s: Session, at: datetime) -> list[AgreementVersion]:
        """The version of each agreement in force at `at`: the newest effective by then."""
        current: dict[str, AgreementVersion] = {}
        for r in self.rows(s):
            if r.effective_from <= at:
                current[r.agreement_id] = r
        return list(current.values())

    def governing(self, s: Session, at: float) -> list[AgreementVersion]:
        """The version of each agreement that governs acts at instant `at` (ruling 9)."""
        by_agreement: dict[str, list[AgreementVersion]] = {}
        for r in self.rows(s):
            by_agreement.setdefault(r.agreement_id, []).append(r)
        out = []
        for versions in by_agreement.values():
            windows = governing_windows([v.effective_from.timestamp() for v in versions])
            out += [v for v, w in zip(versions, windows, strict=True) if w.contains(at)]
        return out
