"""What the engine says: a finding per clause, a verdict per incident, in the contract's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jig.records import Incident

# Most severe first: an incident's verdict is its most severe finding (format 1).
OUTCOMES = ("breach", "undetermined", "excepted", "complies", "not_applicable")
SEVERITY = {o: i for i, o in enumerate(OUTCOMES)}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A record the finding relied on: a notice or another incident."""

    kind: str  # "notice" or "incident"
    id: str
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"kind": self.kind, "id": self.id}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Reading:
    """For a record naming two sides but not which acted: the outcome had `actor` acted."""

    actor: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Finding:
    clause: str
    outcome: str
    reason: str
    zone: str | None = None
    site: str | None = None
    target: str | None = None
    p: float | None = None
    exception: str | None = None
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    # Two, the record's actor's reading first, for a record naming two sides (`sides: either`).
    readings: tuple[Reading, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The finding object of `jig check --format jsonl` (format 1, plus documented keys)."""
        out: dict[str, Any] = {"clause": self.clause, "outcome": self.outcome}
        for key in ("zone", "site", "target"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.p is not None:
            out["p"] = self.p
        out["reason"] = self.reason
        if self.exception is not None:
            out["exception"] = self.exception
        if self.evidence:
            out["evidence"] = [e.as_dict() for e in self.evidence]
        if self.missing:
            out["missing"] = list(self.missing)
        if self.readings:
            out["readings"] = [{"actor": r.actor, "outcome": r.outcome} for r in self.readings]
        return out


def most_severe(findings: tuple[Finding, ...]) -> str:
    """The verdict of a set of findings: the most severe outcome, or not_applicable."""
    if not findings:
        return "not_applicable"
    return min((f.outcome for f in findings), key=SEVERITY.__getitem__)


def either(first: str, second: str) -> str:
    """The outcome of an act that is one of two readings, neither known to be the true one:
    the same either way is that outcome; readings that differ where either could be a breach
    are undetermined; otherwise the more severe stands."""
    if first == second:
        return first
    if {first, second} & {"breach", "undetermined"}:
        return "undetermined"
    return min(first, second, key=SEVERITY.__getitem__)


def readings_of(findings: tuple[Finding, ...]) -> tuple[Reading, Reading] | None:
    """For a record naming two sides, the verdict had each side acted, over every clause
    (None for any other record). A clause breached by one side's act and another by the
    other's is a breach whichever acted: only the author is unknown."""
    two = next((f.readings for f in findings if len(f.readings) == 2), None)
    if two is None:
        return None

    def had(i: int, f: Finding) -> str:  # a finding without readings is alike either way
        return f.readings[i].outcome if f.readings else f.outcome

    per = [min((had(i, f) for f in findings), key=SEVERITY.__getitem__) for i in (0, 1)]
    return Reading(two[0].actor, per[0]), Reading(two[1].actor, per[1])


@dataclass(frozen=True, slots=True)
class Verdict:
    """All findings for one incident, and the most severe of them; for a record naming two
    sides, the verdict either side's act would have (`readings_of`) made one."""

    incident: Incident
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        readings = self.readings
        if readings is None:
            return most_severe(self.findings)
        return either(readings[0].outcome, readings[1].outcome)

    @property
    def readings(self) -> tuple[Reading, Reading] | None:
        return readings_of(self.findings)

    @property
    def lead(self) -> Finding | None:
        """The finding the verdict rests on (the first with its outcome), for the flat
        columns a GIS styles by; for a two-sided record whose verdict no finding has (a
        breach whichever side acted), the first with a reading of that outcome."""
        verdict = self.verdict
        return next((f for f in self.findings if f.outcome == verdict), None) or next(
            (f for f in self.findings if any(r.outcome == verdict for r in f.readings)), None)

    def as_dict(self) -> dict[str, Any]:
        return {"incident": self.incident.id, "verdict": self.verdict,
                "findings": [f.as_dict() for f in self.findings]}
