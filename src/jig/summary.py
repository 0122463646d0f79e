"""Counts of what was judged, for `jig check --summary` and the closing line of a run: verdicts
per incident, and findings by outcome x clause x actor and by outcome x zone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.fast import BREACH, COMPLIES, SLOW
from jig.engine.fast import NONE as NO_FINDING
from jig.engine.sides import actor_label
from jig.findings import OUTCOMES, SEVERITY, Verdict

if TYPE_CHECKING:
    from jig.engine.check import Judged

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
        who = actor_label(self.agreement, v.incident) or NONE
        if not v.findings:
            self.by_clause["not_applicable", NONE, who] += 1
        for f in v.findings:
            self.by_clause[f.outcome, f.clause, who] += 1
            if f.zone is not None:
                self.by_zone[f.outcome, f.zone] += 1

    def add_judged(self, judged: Judged) -> None:
        """A chunk's verdicts counted as `add` counts them, from its columns: the zone rules'
        plain findings are counted by clause, actor and zone without building a finding (or
        its reason) for each; the one-by-one path's findings are counted as they are."""
        self.verdicts.update(judged.verdict_counts())
        if not self.summary:
            return
        batch = judged.batch
        n = len(batch)
        raw = batch.columns.values("actor")
        who = np.array([a or r or NONE for (a, _), r in zip(batch.actor, raw, strict=True)],
                       dtype=object)
        if batch.columns.either is not None:  # both sides, for a record naming two
            for k in np.flatnonzero(batch.columns.either).tolist():
                who[k] = actor_label(batch.agreement, batch.incidents[k]) or NONE
        live = judged.in_force
        found = np.zeros(n, dtype=bool)
        zones = [z.id for z in batch.agreement.zones]
        for ci, clause in enumerate(batch.agreement.clauses):
            cols = judged.columns.get(ci)
            code = np.full(n, SLOW) if cols is None else cols.outcome
            for outcome, word in ((BREACH, "breach"), (COMPLIES, "complies")):
                ks = np.flatnonzero((code == outcome) & live)
                if not ks.size:
                    continue
                found[ks] = True
                names, counts = np.unique(who[ks], return_counts=True)
                for name, c in zip(names.tolist(), counts.tolist(), strict=True):
                    self.by_clause[word, clause.id, name] += c
                if outcome == BREACH:  # a complies finding names no zone
                    assert cols is not None
                    at, counts = np.unique(cols.zone[ks], return_counts=True)
                    for z, c in zip(at.tolist(), counts.tolist(), strict=True):
                        self.by_zone[word, zones[z]] += c
            rest = (code != BREACH) & (code != COMPLIES) & (code != NO_FINDING) & live
            for k in np.flatnonzero(rest).tolist():
                # The one-by-one path's finding, or (for an outcome code these counts do not
                # know) the finding object itself.
                f = judged.singles.get((ci, k)) if code[k] == SLOW else next(
                    (g for g in judged.findings(k) if g.clause == clause.id), None)
                if f is None:
                    continue
                found[k] = True
                self.by_clause[f.outcome, f.clause, who[k]] += 1
                if f.zone is not None:
                    self.by_zone[f.outcome, f.zone] += 1
        names, counts = np.unique(who[~found], return_counts=True)
        for name, c in zip(names.tolist(), counts.tolist(), strict=True):
            self.by_clause["not_applicable", NONE, name] += c

    def add_counts(self, verdicts: Counter[str], by_clause: Counter[tuple[str, str, str]],
                   by_zone: Counter[tuple[str, str]]) -> None:
        """Counts made elsewhere, of a part of the input (by a worker process)."""
        self.verdicts.update(verdicts)
        self.by_clause.update(by_clause)
        self.by_zone.update(by_zone)

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
