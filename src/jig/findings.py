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
        return out


def most_severe(findings: tuple[Finding, ...]) -> str:
    """The verdict of a set of findings: the most severe outcome, or not_applicable."""
    if not findings:
        return "not_applicable"
    return min((f.outcome for f in findings), key=SEVERITY.__getitem__)


@dataclass(frozen=True, slots=True)
class Verdict:
    """All findings for one incident, and the most severe of them."""

    incident: Incident
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        return most_severe(self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"incident": self.incident.id, "verdict": self.verdict,
                "findings": [f.as_dict() for f in self.findings]}
