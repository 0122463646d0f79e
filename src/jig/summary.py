"""Counts of what was judged, for `jig check --summary` and the closing line of a run: verdicts
per incident, and findings by outcome x clause x actor and by outcome x zone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jig.agreement.model import Agreement
from jig.findings import OUTCOMES, SEVERITY, Verdict

NONE = "-"  # in a count's key: no clause applied, no actor named, no zone


@dataclass
class Tally:
    """Counts verdicts as they go by; `summary=True` also counts findings by clause, actor and
    zone (the actor as the agreement names it, else as the record does)."""

    agreement: Agreement
    summary: bool = False
    verdicts: Counter[str] = field(default_factory=Counter)
    by_clause: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    by_zone: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, v: Verdict) -> None:
        self.verdicts[v.verdict] += 1
        if not self.summary:
            return
        inc = v.incident
        actor = self.agreement.match_actor(inc.actor)[0] if inc.actor else None
        who = actor or inc.actor or NONE
        if not v.findings:
            self.by_clause["not_applicable", NONE, who] += 1
        for f in v.findings:
            self.by_clause[f.outcome, f.clause, who] += 1
            if f.zone is not None:
                self.by_zone[f.outcome, f.zone] += 1

    def add_verdict(self, verdict: str) -> None:
        """A verdict known only by its word (from a Dask worker)."""
        self.verdicts[verdict] += 1

    def rows(self) -> list[dict[str, Any]]:
        """The summary as rows, most severe outcome first, then the largest counts."""
        def order(key: tuple[str, ...], n: int) -> tuple[Any, ...]:
            return (SEVERITY[key[0]], -n, *key[1:])

        out = [{"outcome": o, "clause": c, "actor": a, "findings": n}
               for (o, c, a), n in sorted(self.by_clause.items(), key=lambda kv: order(*kv))]
        out += [{"outcome": o, "zone": z, "findings": n}
                for (o, z), n in sorted(self.by_zone.items(), key=lambda kv: order(*kv))]
        return out

    def counts(self) -> list[tuple[str, int]]:
        return [(o, self.verdicts.get(o, 0)) for o in OUTCOMES]
