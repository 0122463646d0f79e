"""The four format-1 rules: does a clause apply to an act, and does the act breach it?

Exceptions come afterwards (`jig.engine.exceptions`); this module answers for the clause alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jig.agreement.model import Clause, Feature
from jig.engine.approximate import edge_note
from jig.engine.context import Batch
from jig.engine.featureset import FeatureSet
from jig.engine.places import Placement, nearest, place, valid_during
from jig.engine.wording import act_phrase, distance, percent, span_phrase, window_phrase
from jig.geo import EDGE, IN
from jig.records import Incident

Steps = list[str] | None


@dataclass(frozen=True, slots=True)
class Judgement:
    outcome: str  # breach, undetermined, complies, not_applicable
    reason: str
    p: float | None = None
    feature: Feature | None = None
    hypothetical: bool = False  # the actor or act was unknown; judged as if it were bound
    # The reason without its "estimated probability …", for where `p` is not given.
    unquantified: str | None = None


def _note(steps: Steps, text: Callable[[], str]) -> None:
    """A step of the explanation; built only when one is being written (`jig explain`)."""
    if steps is not None:
        steps.append(text())


def _na(reason: str, steps: Steps) -> Judgement:
    _note(steps, lambda: f"→ not applicable: {reason}")
    return Judgement("not_applicable", reason)


def judge_clause(batch: Batch, k: int, clause: Clause, steps: Steps = None) -> Judgement:
    """The clause's judgement of incident k, before any exception."""
    if clause.rule == "no_flights_in":
        return _na("judged on air-activity notices (jig deconflict), not on incidents", steps)
    if clause.rule == "must_by":
        return _na("an obligation to act by a deadline, judged on status records, not on "
                   "incidents", steps)
    inc = batch.incidents[k]
    actor_id, how = batch.actor[k]
    doubts: list[str] = []
    if actor_id is None and inc.either_side:
        # Each reading's acting side is one the record names: a name the agreement does not
        # list is none of its actors, not an unknown one that might be bound.
        return _na(f"actor {inc.actor!r} matches no actor of the agreement, and the record "
                   "names it as one of the two sides", steps)
    if actor_id is None:
        doubt = (f"actor {inc.actor!r} matches no actor of the agreement" if inc.actor
                 else "the record names no actor")
        doubts.append(doubt)
        _note(steps, lambda: f"{doubt}; it might be one of the bound actors "
                     f"({', '.join(sorted(clause.bound))})")
    elif actor_id not in clause.bound:
        return _na(f"{actor_id} is not bound by this clause (bound: "
                   f"{', '.join(sorted(clause.bound))})", steps)
    else:
        _note(steps, lambda: f"actor {inc.actor!r} is {actor_id} (by {how}), bound by this clause")
    if clause.covers_act(inc.act):
        _note(steps, lambda: f"act {inc.act} is covered (acts: {', '.join(sorted(clause.acts))})")
    elif inc.act == "unknown":
        doubts.append("the kind of act is unknown")
        _note(steps, lambda: "the kind of act is unknown; it might be one of "
              + ", ".join(sorted(clause.acts)))
    else:
        return _na(f"act {inc.act} is not one of {', '.join(sorted(clause.acts))}", steps)
    if clause.rule == "no_weapons_in":
        assert clause.weapons is not None
        if not inc.weapon:
            return _na("the record names no weapon", steps)
        if inc.weapon.casefold() not in clause.weapons_folded:
            return _na(f"weapon {inc.weapon!r} is not one of {', '.join(sorted(clause.weapons))}",
                       steps)
        _note(steps, lambda: f"weapon {inc.weapon!r} is one of the weapons the clause restricts")
    unnamed = False
    if clause.against is not None:
        protected = ", ".join(sorted(clause.against))
        target_id = batch.target[k][0]
        if target_id in clause.against:
            _note(steps, lambda: f"the target is {target_id}, whom this clause protects")
        elif inc.target:
            return _na(f"its target {target_id or repr(inc.target)} is not one this clause "
                       f"protects (against: {protected})", steps)
        else:
            unnamed = True
            _note(steps, lambda: f"the record names no target; this clause covers only acts "
                  f"against {protected}")

    judgement = _RULES[clause.rule](batch, k, clause, steps)
    if unnamed and judgement.outcome in ("breach", "undetermined"):
        # Whom the act hit is not said: it may be one the clause protects, so a breach is
        # not certain (as for an exception's `against`), and no probability is estimated.
        reason = (f"{judgement.unquantified or judgement.reason}; the record names no target, "
                  f"and this clause covers only acts against {protected}")
        _note(steps, lambda: "→ undetermined: the act may not be against a protected actor")
        judgement = Judgement("undetermined", reason, None, judgement.feature)
    if doubts and judgement.outcome in ("breach", "undetermined"):
        # No probability is quoted: the act's kind or actor is unknown, so none is estimated.
        # The supposition names only what is in doubt (the actor may be known and bound).
        who, kind = actor_id is None, inc.act == "unknown"
        supposed = ("a bound actor's act of a covered kind" if who and kind
                    else "a bound actor's act" if who else "an act of a covered kind")
        reason = (f"{'; '.join(doubts)}. If it were {supposed}: "
                  + (judgement.unquantified or judgement.reason))
        _note(steps, lambda: {
            "a bound actor's act": "→ undetermined: had a bound actor done it, the finding "
                                   "would be ",
            "an act of a covered kind": "→ undetermined: were the act of a covered kind, the "
                                        "finding would be ",
            "a bound actor's act of a covered kind": "→ undetermined: were it a bound actor's "
                                                     "act of a covered kind, the finding would "
                                                     "be "}[supposed] + judgement.outcome)
        return Judgement("undetermined", reason, None, judgement.feature, hypothetical=True)
    if doubts and judgement.outcome == "complies":
        return _na("; ".join(doubts) + ", and it would comply in any case", steps)
    return judgement


def _time_doubt(batch: Batch, k: int, touching: tuple[Feature, ...], what: str) -> str:
    inc = batch.incidents[k]
    tz = batch.agreement.tz
    changing = [f for f in touching if not f.window.covers(inc.span)]
    if changing:
        f = changing[0]
        return (f"its time is known only as {span_phrase(inc.span, tz)}, and {what} {f.label} is "
                f"in effect only {window_phrase(f.window, tz)}")
    return (f"its time is known only as {span_phrase(inc.span, tz)}, and the agreement is in "
            f"force only {window_phrase(batch.agreement.in_force, tz)}")


def _undetermined(batch: Batch, k: int, pl: Placement, what: str, side: str,
                  steps: Steps) -> Judgement:
    inc = batch.incidents[k]
    parts = []
    feature = None
    if pl.space_split:
        edge = [f for f in pl.touching if batch.relations(f).code[k] == EDGE]
        feature = edge[0] if edge else None
        if feature is not None:
            depth = float(batch.relations(feature).depth[k])
            parts.append(straddle_phrase(inc.precision_m, what, feature, depth))
    if pl.time_split:
        parts.append(_time_doubt(batch, k, pl.touching, what))
        if feature is None and pl.touching:
            feature = pl.touching[0]
    reason = f"{act_phrase(inc, batch.actor[k][0])}: " + "; ".join(parts)
    _note(steps, lambda: f"→ undetermined, p = {pl.p:.3g}")
    return Judgement("undetermined", reason + undetermined_tail(pl.p, side, pl.time_split),
                     pl.p, feature, unquantified=reason)


def straddle_phrase(precision_m: float, what: str, feature: Feature, depth: float) -> str:
    """Why a disc straddling a place's edge leaves the act undetermined (depth > 0: the point
    lies inside)."""
    where = "inside" if depth >= 0 else "outside"
    return (f"its location is known only to within {distance(precision_m)}, and that disc "
            f"straddles the edge of {what} {feature.label}: the reported point is "
            f"{distance(depth)} {where}" + edge_note(feature, depth))


def undetermined_tail(p: float, side: str, in_time: bool = False) -> str:
    """The estimate closing an undetermined reason. `in_time`: the act may fall outside the
    times just given, and `p` counts that too (an exact place far from every agreed target is
    a breach only for the share of its time the agreement was in force)."""
    if in_time:
        return f"; estimated probability {percent(p)} that it fell within those times and lies {side}"
    return f"; estimated probability {percent(p)} that it lies {side}"


ZONES_SIDE = "inside the zones"


def _zones(batch: Batch, k: int, clause: Clause, steps: Steps) -> Judgement:
    inc = batch.incidents[k]
    selected = selected_zones(batch, clause)
    valid = valid_during(batch, "zones", inc.span, selected)
    what = "zone"
    _note(steps, lambda: f"zones selected ({clause.selector.describe() if clause.selector else 'all'}): "
                 f"{', '.join(z.id for z in selected) or 'none'}; in effect at the time: "
                 f"{', '.join(z.id for z in valid) or 'none'}")
    if not valid:
        return _na("no selected zone was in effect at the time", steps)
    pl = place(batch, k, valid, inside_breaches=True)
    who = zone_actor_phrase(clause, inc, batch.actor[k][0])
    if pl.certain and pl.p == 1.0:
        inside = [f for f in pl.touching if batch.relations(f).code[k] == IN]
        if not inside:
            f = max(pl.touching, key=lambda z: float(batch.relations(z).depth[k]))
            ids = " and ".join(z.id for z in pl.touching)
            _note(steps, lambda: f"the location disc straddles edges, but {ids} together cover it → breach")
            return Judgement("breach", f"{who} lies inside {ids} taken together: its location disc "
                             f"({distance(inc.precision_m)}) straddles their shared edge and they "
                             "cover all of it", feature=f)
        f = max(inside, key=lambda z: float(batch.relations(z).depth[k]))
        depth = float(batch.relations(f).depth[k])
        _note(steps, lambda: f"the location lies inside {f.id}, {distance(depth)} from its edge → breach")
        return Judgement("breach", inside_reason(who, f, depth, inc.precision_m), feature=f)
    if pl.certain and pl.p == 0.0:
        found = nearest(batch, k, valid)
        assert found is not None
        near, gap = found[0], -found[1]
        _note(steps, lambda: f"the location lies outside every selected zone in effect; nearest "
                     f"{near.id} at {distance(gap)} → complies")
        return Judgement("complies", outside_reason(who, clause, near, gap, inc.precision_m))
    return _undetermined(batch, k, pl, what, ZONES_SIDE, steps)


def zone_actor_phrase(clause: Clause, inc: Incident, actor_id: str | None) -> str:
    """Who did it, as a zone rule's reason says it."""
    if clause.rule == "no_weapons_in":
        return f"{inc.weapon} of {actor_id or repr(inc.actor)}"
    return act_phrase(inc, actor_id)


def inside_reason(who: str, zone: Feature, depth: float, precision_m: float) -> str:
    disc = f"; its whole location disc ({distance(precision_m)}) does" if precision_m > 0 else ""
    return f"{who} lies inside {zone.label}, {distance(depth)} from its edge{disc}" + \
        edge_note(zone, depth)


def outside_reason(who: str, clause: Clause, near: Feature, gap: float, precision_m: float) -> str:
    allowing = (f", even allowing for its {distance(precision_m)} location uncertainty"
                if precision_m > 0 else "")
    zones = clause.selector.phrase() if clause.selector else "the zones"
    return f"{who} lies outside {zones} in effect{allowing}; the nearest, {near.label}, is " \
        f"{distance(gap)} away" + edge_note(near, gap)


def _sites(batch: Batch, k: int, clause: Clause, steps: Steps) -> Judgement:
    inc = batch.incidents[k]
    valid = valid_during(batch, "sites", inc.span)
    r = float(batch.r[k])
    near = FeatureSet.of([f for f in valid
                          if float(batch.relations(f).depth[k]) >= -(clause.near_m + r)])
    _note(steps, lambda: f"protected sites in effect at the time: {', '.join(f.id for f in valid) or 'none'};"
                 f" within {distance(clause.near_m)} of the act: "
                 f"{', '.join(f.id for f in near) or 'none'}")
    if not near:
        return _na(f"no protected site in effect lies within {distance(clause.near_m)}", steps)
    pl = place(batch, k, near, inside_breaches=True)
    who = act_phrase(inc, batch.actor[k][0])
    if pl.certain and pl.p == 1.0:
        # Inside one site's radius, or (rarely) straddling several that together cover the disc.
        inside = [f for f in pl.touching if batch.relations(f).code[k] == IN] or list(pl.touching)
        f = min(inside, key=lambda s: batch.distance_to(s, k))
        _note(steps, lambda: f"the location lies within the protected radius of {f.id} → breach")
        return Judgement("breach", f"{who} lies within the {distance(f.radius_m)} protected radius "
                         f"of {f.label}, {distance(batch.distance_to(f, k))} from the site",
                         feature=f)
    if pl.certain and pl.p == 0.0:
        f = min(near, key=lambda s: batch.distance_to(s, k))
        _note(steps, lambda: f"the location lies outside every protected radius; nearest {f.id} → complies")
        return Judgement("complies", f"{who} lies {distance(batch.distance_to(f, k))} from "
                         f"protected site {f.label}, outside its {distance(f.radius_m)} radius")
    return _undetermined(batch, k, pl, "protected site", "within a protected radius", steps)


def _targets(batch: Batch, k: int, clause: Clause, steps: Steps) -> Judgement:
    inc = batch.incidents[k]
    agreement = batch.agreement
    during = valid_during(batch, "targets", inc.span)
    agreed = _agreed(batch, during)
    _note(steps, lambda: f"targets in effect at the time: {', '.join(t.id for t in during) or 'none'}; "
                 f"agreed by every party: {', '.join(t.id for t in agreed) or 'none'}")
    pl = place(batch, k, agreed, inside_breaches=False)
    who = act_phrase(inc, batch.actor[k][0])
    if pl.certain and pl.p == 0.0:
        at = [t for t in pl.touching if batch.relations(t).code[k] == IN] or list(pl.touching)
        t = min(at, key=lambda f: batch.distance_to(f, k))
        _note(steps, lambda: f"the location lies within the tolerance of agreed target {t.id} → complies")
        within = f", within its {distance(t.radius_m)} tolerance" if t.radius_m > 0 else ""
        return Judgement("complies", f"{who} is at agreed target {t.label}{within}", feature=t)
    if pl.certain and pl.p == 1.0:
        unagreed = [t for t in batch.touching(k) if t in during and not agreement.is_agreed(t)]
        extra = ""
        if unagreed:
            t = unagreed[0]
            extra = (f"; it is at {t.label}, which only {', '.join(sorted(t.agreed_by))} agreed"
                     if t.agreed_by else f"; it is at {t.label}, which no party agreed")
        found = nearest(batch, k, agreed)
        if found is None:
            _note(steps, lambda: "no agreed target was in effect at the time → breach")
            return Judgement("breach", f"{who} struck while no agreed target was in effect{extra}")
        near, gap = found[0], -found[1]
        _note(steps, lambda: f"the location is outside every agreed target's tolerance; nearest "
                     f"{near.id} → breach")
        beyond = (f"beyond its {distance(near.radius_m)} tolerance" if near.radius_m > 0
                  else "away")
        return Judgement("breach", f"{who} is not at an agreed target: the nearest, {near.label}, "
                         f"lies {distance(gap)} {beyond}" + extra, feature=near)
    return _undetermined(batch, k, pl, "agreed target", "away from every agreed target", steps)


def selected_zones(batch: Batch, clause: Clause) -> tuple[Feature, ...]:
    key = ("selected", clause.id)
    hit = batch.cache.get(key)
    if hit is None:
        hit = batch.cache[key] = batch.agreement.select_zones(clause.selector)
    return hit


def _agreed(batch: Batch, during: FeatureSet) -> FeatureSet:
    key = ("agreed", id(during))
    hit = batch.cache.get(key)
    if hit is None:
        hit = batch.cache[key] = FeatureSet.of(
            [t for t in during if batch.agreement.is_agreed(t)])
    return hit


_RULES = {
    "no_strikes_in": _zones,
    "no_weapons_in": _zones,
    "no_strikes_near_sites": _sites,
    "only_agreed_targets": _targets,
}
