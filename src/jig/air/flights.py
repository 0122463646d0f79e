"""`no_flights_in`: a notified flight of a bound actor must keep out of the selected zones.

Breach: its area overlaps a selected zone in effect, or its route's centre line enters one.
Undetermined: only the route's corridor reaches in, or the zone holds for only part of the
window (`p`: the share of the volume inside times the share of the window). Complies: it keeps
clear of every selected zone in effect (docs/air.md has the table). An unidentified actor is
judged as for incidents: undetermined where a bound actor would breach. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely

from jig.agreement.model import Agreement, Clause
from jig.air.deconflict import cores, grown
from jig.air.model import AirNotice
from jig.engine.wording import distance, percent
from jig.findings import Finding, most_severe
from jig.times import Span


@dataclass(frozen=True)
class FlightVerdict:
    notice: AirNotice
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        return most_severe(self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"notice": self.notice.id, "verdict": self.verdict,
                "findings": [f.as_dict() for f in self.findings]}


def _time_share(window: Span, start: float, end: float) -> float:
    if window.exact:
        return 1.0 if start <= window.start < end else 0.0
    inside = max(0.0, min(window.end, end) - max(window.start, start))
    return inside / window.length


def _judge(agreement: Agreement, clause: Clause, n: AirNotice, line: Any, vol: Any
           ) -> Finding | None:
    """`line`: a route's centre line in metres (None for an area); `vol`: its volume's shape."""
    actor, _ = agreement.match_actor(n.actor)
    if actor is not None and actor not in clause.bound:
        return None
    # A zone counts for the part of the window when both it holds and the agreement is in
    # force: a flight after the agreement lapsed breaches nothing, as an act would not.
    force = agreement.in_force
    in_force = _time_share(n.window, force.start, force.end)
    shares = {id(z): _time_share(n.window, max(z.window.start, force.start),
                                 min(z.window.end, force.end))
              for z in agreement.select_zones(clause.selector)}
    zones = [z for z in agreement.select_zones(clause.selector) if shares[id(z)] > 0]
    if not zones:
        return None
    name = actor or (repr(n.actor) if n.actor else "an unnamed actor")
    who = f"{n.kind} by {name}"
    worst: tuple[float, str, Any, bool] | None = None  # p, reason, zone, certain
    nearest = (float("inf"), None)
    for z in zones:
        t = shares[id(z)]
        inter = shapely.intersection(vol, z.region).area
        if inter <= 0:
            gap = float(shapely.distance(vol, z.region))
            if gap < nearest[0]:
                nearest = (gap, z)
            continue
        if line is not None and shapely.intersects(line, z.region):
            space, how = 1.0, f"its route enters {z.label}"
        elif line is not None:
            space = inter / vol.area
            how = f"its route's {distance(n.half_width_m)} corridor reaches into {z.label}, " \
                  "though the route itself stays out"
        else:
            space, how = 1.0, f"its area overlaps {z.label} by {inter / 1e6:,.0f} km²"
        p = space * t
        certain = space == 1.0 and t == 1.0
        held = _time_share(n.window, z.window.start, z.window.end)
        if held < 1.0:
            how += f", which is in effect for {percent(held)} of the notified window"
        if in_force < 1.0:
            how += f"; the agreement is in force for {percent(in_force)} of the notified window"
        if worst is None or (certain, p) > (worst[3], worst[0]):
            worst = (p, how, z, certain)
    if worst is None:
        gap, z = nearest
        if actor is None:
            return None
        return Finding(clause.id, "complies", f"{who} keeps {distance(gap)} clear of the "
                       f"selected zones in effect (nearest: {z.label if z else '-'})")
    p, how, z, certain = worst
    if actor is None:
        doubt = f"actor {n.actor!r} matches no actor of the agreement" if n.actor else \
            "the notice names no actor"
        return Finding(clause.id, "undetermined", f"{doubt}. If it were a bound actor's: "
                       f"{who}: {how}", zone=z.id)
    if certain:
        return Finding(clause.id, "breach", f"{who}: {how}", zone=z.id)
    return Finding(clause.id, "undetermined", f"{who}: {how}; estimated probability "
                   f"{percent(p)} that it flies inside", zone=z.id, p=p)


def check_flights(agreement: Agreement, notices: Sequence[AirNotice]) -> list[FlightVerdict]:
    """Every air notice against every `no_flights_in` clause, in input order."""
    clauses = [c for c in agreement.clauses if c.rule == "no_flights_in"]
    lines, half = cores(agreement, notices)
    vols = grown(lines, half)
    out = []
    for n, line, vol in zip(notices, lines, vols, strict=True):
        if agreement.in_force.misses(n.window):
            out.append(FlightVerdict(n))
            continue
        found = [f for c in clauses
                 if (f := _judge(agreement, c, n, line if n.is_route else None, vol)) is not None]
        out.append(FlightVerdict(n, tuple(found)))
    return out
