"""Records that name the two sides of an exchange but not which of them acted (`sides:
either`; UCDP GED's fighting between two sides): each clause is judged on both readings, the
record's actor acting on its target and the target acting on the actor, and the two findings
are made one.

The same outcome either way is that outcome. Readings that differ, where either could be a
breach, are `undetermined`: which side acted decides it, and the record does not say (no
probability is estimated). Otherwise the more severe of the two stands. The reason gives
both readings, so a monitor sees what each side's act would have been.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.context import Batch
from jig.findings import SEVERITY, Finding, Reading, either
from jig.records import Incident

# What the reasons call an outcome ("not_applicable" as words).
SAID = {"breach": "breach", "undetermined": "undetermined", "excepted": "excepted",
        "complies": "complies", "not_applicable": "not applicable"}
DOUBT = "the record names two sides, not which acted"


@dataclass(frozen=True)
class OtherReading:
    """The batch's records that name two sides, with their sides exchanged, and each one's
    place in it by its place in the batch."""

    batch: Batch
    at: dict[int, int]


def other_reading(batch: Batch) -> OtherReading | None:
    """The other reading of the batch's two-sided records; None when it has none."""
    either = batch.columns.either
    if either is None:
        return None
    ks = np.flatnonzero(either).tolist()
    exchanged = [replace(i, actor=i.target, target=i.actor)
                 for i in (batch.incidents[k] for k in ks)]
    # Exceptions look for evidence where the batch's do: in itself, or in the pool.
    return OtherReading(Batch(batch.agreement, exchanged, batch.evidence),
                        {k: j for j, k in enumerate(ks)})


def possible_actors(agreement: Agreement, inc: Incident) -> tuple[str | None, ...]:
    """The agreement actors that may have done the act (None: the name matches none): the
    record's actor, or for a record naming two sides, each side."""
    names = (inc.actor, inc.target) if inc.either_side else (inc.actor,)
    return tuple(agreement.match_actor(n)[0] if n else None for n in names)


def actor_label(agreement: Agreement, inc: Incident) -> str | None:
    """Who did the act, as counts by actor name it: the agreement actor, else the record's
    own name; both sides for a record naming two ("SY_GOV or OPP"). None: no actor named."""
    names = (inc.actor, inc.target) if inc.either_side else (inc.actor,)
    ids = possible_actors(agreement, inc)
    labels = [i or n for i, n in zip(ids, names, strict=True) if i or n]
    return " or ".join(labels) if labels else None


def side_name(batch: Batch, k: int, name: str, quoted: bool = True) -> str:
    """How a reason names the record's actor or target (`name`): its agreement actor, or the
    record's own words when it matches none (quoted, unless `quoted` is false)."""
    ident = (batch.actor if name == "actor" else batch.target)[k][0]
    words = getattr(batch.incidents[k], name)
    return ident or (repr(words) if quoted else str(words))


def one_finding(first: Finding, second: Finding, first_side: str, second_side: str,
                labels: tuple[str, str] | None = None) -> Finding:
    """The finding of a two-sided record from its readings as an act of `first_side` and as
    one of `second_side` (as reasons name them; `labels`, if different, as the readings name
    them), the outcome of each kept, so that the verdict can weigh each reading over every
    clause (`jig.findings.readings_of`)."""
    a, b = labels or (first_side, second_side)
    readings = (Reading(a, first.outcome), Reading(b, second.outcome))
    if first.outcome == second.outcome:
        if first.outcome == "not_applicable":
            return first
        # Which side acted may change how likely a breach is: no single estimate stands.
        p = first.p if first.p == second.p else None
        return replace(first, p=p, reason=f"{first.reason}; {DOUBT}, and as an act of "
                       f"{second_side} it is the same", readings=readings)
    outcome = either(first.outcome, second.outcome)
    # The finding's place, exception and evidence are those of the reading it rests on.
    lead = min((first, second), key=lambda f: SEVERITY[f.outcome])
    reason = (f"{DOUBT}: as an act of {first_side}, {SAID[first.outcome]}: {first.reason}; "
              f"as an act of {second_side}, {SAID[second.outcome]}: {second.reason}")
    doubtful = outcome == "undetermined"  # which side acted decides: no estimate stands
    return replace(lead, outcome=outcome, p=None if doubtful else lead.p, reason=reason,
                   readings=readings)


def verdict_reason(readings: tuple[Reading, Reading]) -> str:
    """Why a two-sided record's verdict is what it is: its verdict as each side's act, over
    every clause (`Verdict.readings`)."""
    a, b = readings
    return (f"{DOUBT}: as an act of {a.actor}, {SAID[a.outcome]}; as an act of {b.actor}, "
            f"{SAID[b.outcome]}")
