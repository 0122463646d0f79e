"""Incidents and notices as the engine receives them: parsed, located, in the agreement's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jig.times import Span

# `unknown` is not an `acts` value a clause may list; it is what a record says when its source
# does not tell the kind of act (UCDP GED rows), and it makes a finding undetermined.
INCIDENT_ACTS = ("air_strike", "shelling", "ground_attack", "explosion", "other", "unknown")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: file and 1-based line (CSV, JSON Lines) or feature index."""

    file: str
    line: int | None = None
    feature: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}, line {self.line}"
        if self.feature is not None:
            return f"{self.file}, feature {self.feature}"
        return self.file

    @classmethod
    def parse(cls, text: str) -> Origin:
        """The origin `str()` wrote (as the store keeps it), so that it can be told again in
        another language: "a.csv, line 8" is file a.csv, line 8."""
        file, sep, where = text.rpartition(", ")
        kind, _, number = where.partition(" ")
        if sep and kind in ("line", "feature") and number.isdigit():
            return cls(file, int(number)) if kind == "line" else cls(file, feature=int(number))
        return cls(text)


# The fields of an incident record the engine judges on (format 1's, and `sides`): a release
# never withholds them, and they stay in clear at rest, since judging and its indexes read
# them whoever holds the keys.
JUDGED_FIELDS = frozenset({"id", "time", "lon", "lat", "precision_m", "actor", "target", "act",
                           "weapon", "sides"})


@dataclass(frozen=True, slots=True)
class Incident:
    """One reported act: who, what, where (a disc) and when (a span)."""

    id: str
    span: Span
    time_text: str
    lon: float
    lat: float
    precision_m: float = 0.0
    actor: str | None = None
    target: str | None = None
    act: str = "unknown"
    weapon: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None

    @property
    def either_side(self) -> bool:
        """The record names the two sides of an exchange (`actor`, `target`) but not which of
        them acted (`sides: either`; UCDP GED's fighting between two sides): it is judged
        as the act of each in turn."""
        return self.extra.get("sides") == "either"


@dataclass(frozen=True, slots=True)
class Notice:
    """A party's notice invoking an exception, for an incident or an area (lon, lat, radius)."""

    id: str
    party: str
    span: Span
    time_text: str
    exception: str
    incident: str | None = None
    lon: float | None = None
    lat: float | None = None
    radius_m: float = 0.0
    origin: Origin | None = None


STATUSES = ("done", "not_done", "claimed")


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """A verification record for a must_by clause: at `span`, `source` found the obligation
    `done` or `not_done` (by `actor`, or by every bound actor when None), or a party `claimed`
    it done without verification."""

    id: str
    clause: str
    span: Span
    time_text: str
    status: str
    source: str
    actor: str | None = None
    notes: str | None = None
    origin: Origin | None = None
