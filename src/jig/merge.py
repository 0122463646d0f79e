"""One event, many reports: group records from different datasets that describe one event.

Two records are candidates when they come from different datasets, their times (widened by
`days`) overlap, their reported points lie within `km` of each other (geodesic), and their
actors are compatible (`actors`: "compatible" = the same agreement actor, or either one
unidentified; "same" = the same agreement actor; "any" = ignore actors). Candidates are then
joined greedily, closest first (distance in units of `km` plus time gap in units of `days`),
never putting two records of one dataset in one group, so that a group never chains through
many reports of a busy day into one.

A group becomes one incident that keeps every record: the most precisely located record leads
(its id, location and precision), the time is the overlap of the records' spans (or the
leader's span when they do not overlap), and an unidentified actor, an unknown act, a missing
target or weapon is filled from another record; a notice naming any of its records names it
(`notices_for`). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.sides import possible_actors
from jig.geo import geodesic_m
from jig.records import Incident, Notice
from jig.times import Span, format_span

DAY = 86_400.0


@dataclass(frozen=True)
class MergeOptions:
    km: float = 10.0
    days: float = 1.0
    actors: str = "compatible"  # compatible, same or any

    def problem(self) -> tuple[str, str] | None:
        """(which option, what is wrong with it), or None: a typing slip must not merge by
        some other rule than the one asked for."""
        if not (math.isfinite(self.km) and self.km >= 0):
            return "km", f"{self.km:g}: give a distance of 0 km or more"
        if not (math.isfinite(self.days) and self.days >= 0):
            return "days", f"{self.days:g}: give a time of 0 days or more"
        if self.actors not in ACTOR_MODES:
            return "actors", f"{self.actors!r}: use one of {', '.join(ACTOR_MODES)}"
        return None


ACTOR_MODES = ("compatible", "same", "any")


@dataclass(frozen=True)
class Group:
    records: tuple[Incident, ...]

    @property
    def lead(self) -> Incident:
        return min(self.records, key=lambda i: (i.precision_m, i.span.start))


def dataset(inc: Incident) -> str:
    return str(inc.extra.get("dataset") or (inc.origin.file if inc.origin else ""))


def _actors_fit(a: tuple[str | None, ...], b: tuple[str | None, ...], mode: str) -> bool:
    """Whether two records' actors fit: each is the agreement actors that may have acted,
    one, or two for a record that names two sides but not which acted."""
    if mode == "any":
        return True
    if mode == "same":
        return a == b and None not in a
    return None in a or None in b or bool(set(a) & set(b))


def _sides(agreement: Agreement, inc: Incident) -> tuple[str | None, ...]:
    """The agreement actors that may have acted (None: unidentified). A record naming two
    sides but not which acted may be either's act; a side the agreement does not list is
    named, not unidentified, so it fits only itself."""
    ids = possible_actors(agreement, inc)
    if not inc.either_side:
        return ids
    return tuple(i or f"named {name!r}" for i, name in zip(ids, (inc.actor, inc.target),
                                                             strict=True))


def candidate_pairs(agreement: Agreement, incidents: Sequence[Incident], opts: MergeOptions
                    ) -> list[tuple[float, int, int]]:
    """(score, i, j) for every pair that may describe one event, lowest score first."""
    n = len(incidents)
    if n < 2:
        return []
    start = np.array([i.span.start for i in incidents])
    end = np.array([i.span.end for i in incidents])
    lon = np.array([i.lon for i in incidents])
    lat = np.array([i.lat for i in incidents])
    actor = [_sides(agreement, i) for i in incidents]
    ds = [dataset(i) for i in incidents]
    order = np.argsort(start, kind="stable")
    sorted_start = start[order]
    slack = opts.days * DAY
    # The longest span bounds how far back a record that overlaps i can start.
    longest = float((end - start).max())
    pairs: list[tuple[float, int, int]] = []
    for i in range(n):
        lo = np.searchsorted(sorted_start, start[i] - slack - longest, side="left")
        hi = np.searchsorted(sorted_start, end[i] + slack, side="right")
        js = order[lo:hi]
        js = js[js > i]
        if js.size == 0:
            continue
        js = js[(start[js] <= end[i] + slack) & (end[js] >= start[i] - slack)]
        js = np.array([j for j in js if ds[j] != ds[i] and _actors_fit(actor[i], actor[j],
                                                                      opts.actors)], dtype=int)
        if js.size == 0:
            continue
        d = geodesic_m(lon[i], lat[i], lon[js], lat[js])
        near = d <= opts.km * 1000.0
        for j, dist in zip(js[near], d[near], strict=True):
            gap = max(0.0, max(start[i], start[j]) - min(end[i], end[j]))
            pairs.append((dist / (opts.km * 1000.0) + gap / max(slack, 1.0), i, int(j)))
    pairs.sort()
    return pairs


def group(agreement: Agreement, incidents: Sequence[Incident], opts: MergeOptions | None = None
          ) -> list[Group]:
    """Groups of records, each one event; singletons included, in input order of their first."""
    opts = opts or MergeOptions()
    parent = list(range(len(incidents)))
    members: dict[int, set[str]] = {k: {dataset(inc)} for k, inc in enumerate(incidents)}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for _, i, j in candidate_pairs(agreement, incidents, opts):
        a, b = root(i), root(j)
        if a == b or members[a] & members[b]:
            continue
        parent[b] = a
        members[a] |= members.pop(b)
    groups: dict[int, list[Incident]] = {}
    for k, inc in enumerate(incidents):
        groups.setdefault(root(k), []).append(inc)
    return [Group(tuple(g)) for g in groups.values()]


def _record(inc: Incident) -> dict[str, object]:
    out: dict[str, object] = {"id": inc.id, "dataset": dataset(inc), "time": inc.time_text,
                              "lon": inc.lon, "lat": inc.lat, "precision_m": inc.precision_m,
                              "actor": inc.actor, "act": inc.act}
    if inc.weapon:
        out["weapon"] = inc.weapon
    for key in ("grade", "source", "fatalities"):
        if inc.extra.get(key) not in (None, ""):
            out[key] = inc.extra[key]
    if inc.origin is not None:
        out["origin"] = str(inc.origin)
    return out


def _who(agreement: Agreement, records: Sequence[Incident], lead: Incident
         ) -> tuple[str | None, str | None, bool]:
    """The merged event's actor and target, and whether it still names two sides without
    saying which acted. A report naming an actor of the agreement settles who acted; one
    naming two sides (a UCDP clash) then gives the other side as the target when the actor
    is one of its two. Without such a report, the lead's actor stands, or a clash's two sides
    when the lead names no actor of the agreement: never one side of a clash alone, which
    would blame it for the act."""
    match = agreement.match_actor
    clash = lead if lead.either_side else next((i for i in records if i.either_side), None)
    settled = next((i for i in records if not i.either_side and match(i.actor)[0]), None)
    if not lead.either_side and match(lead.actor)[0] is not None:
        return lead.actor, lead.target, False
    if settled is not None:
        target = lead.target
        if clash is not None:
            sides = {match(clash.actor)[0]: clash.target, match(clash.target)[0]: clash.actor}
            target = sides.get(match(settled.actor)[0], clash.target)
        return settled.actor, target, False
    if clash is not None:
        return clash.actor, clash.target, True
    return lead.actor, lead.target, False


def merged(agreement: Agreement, g: Group) -> Incident:
    """The group as one incident that keeps every record (in `extra["records"]`)."""
    lead = g.lead
    if len(g.records) == 1:
        return lead
    start = max(i.span.start for i in g.records)
    end = min(i.span.end for i in g.records)
    span = Span(start, end) if start <= end else lead.span
    act, weapon = lead.act, lead.weapon
    actor, target, two_sided = _who(agreement, g.records, lead)
    if act == "unknown":
        act = next((i.act for i in g.records if i.act != "unknown"), act)
    if not target:
        target = next((i.target for i in g.records if i.target), target)
    # A monitor that saw the tank and one that saw the shelling: the event had both (a
    # weapon left behind would drop a `no_weapons_in` breach).
    if not weapon:
        weapon = next((i.weapon for i in g.records if i.weapon), weapon)
    others = [i for i in g.records if i is not lead]
    extra = dict(lead.extra) | {"records": [_record(i) for i in (lead, *others)],
                                "merged_ids": [i.id for i in others]}
    extra.pop("sides", None)
    if two_sided:
        extra["sides"] = "either"
    text = lead.time_text if span == lead.span else format_span(span, agreement.tz)
    return replace(lead, span=span, time_text=text, actor=actor, act=act, target=target,
                   weapon=weapon, extra=extra)


def notices_for(incidents: Sequence[Incident], notices: Sequence[Notice]) -> list[Notice]:
    """The notices as they bear on merged incidents: one naming a record merged into another
    incident names that incident (else it would excuse nothing, without a word)."""
    into = {mid: inc.id for inc in incidents for mid in inc.extra.get("merged_ids", ())}
    return [replace(n, incident=into[n.incident]) if n.incident in into else n
            for n in notices]


def merge(agreement: Agreement, incidents: Sequence[Incident], opts: MergeOptions | None = None
          ) -> list[Incident]:
    return [merged(agreement, g) for g in group(agreement, incidents, opts)]
