"""Exceptions: when a breach (or an undetermined finding) is excused, and on what evidence.

An exception listed on a clause turns its breach into `excepted` when the act was by an actor in
`for`, against an actor in `against`, and every requirement is met: a timely notice from a party
answering for the actor, and/or another incident showing the triggering situation.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jig.agreement.model import Agreement, EvidenceRequirement, ExceptionRule, Selector
from jig.engine.context import Batch
from jig.engine.featureset import FeatureSet
from jig.engine.places import within_union
from jig.engine.wording import distance
from jig.findings import Evidence
from jig.geo import IN, OUT, geodesic_m
from jig.records import Notice
from jig.times import format_instant

MET, UNMET, UNSURE = "met", "unmet", "unsure"


@dataclass(frozen=True, slots=True)
class Check:
    status: str  # MET, UNMET or UNSURE
    why: str
    evidence: tuple[Evidence, ...] = ()


class Notices:
    """Notices grouped by the exception they name."""

    def __init__(self, notices: Sequence[Notice]):
        self.by_exception: dict[str, list[Notice]] = defaultdict(list)
        for n in notices:
            self.by_exception[n.exception].append(n)


def _hours(seconds: float) -> str:
    h = seconds / 3600
    return f"{h:.0f} h" if abs(h - round(h)) < 0.05 else f"{h:.1f} h"


def check_notice(batch: Batch, k: int, exc: ExceptionRule, notices: Notices) -> Check:
    assert exc.notice is not None
    inc = batch.incidents[k]
    actor = batch.actor[k][0] or ""
    answering = batch.agreement.parties_answering_for(actor)
    within = exc.notice.within_s
    tz = batch.agreement.tz
    seen: list[str] = []
    unsure: Check | None = None
    for n in notices.by_exception.get(exc.id, ()):
        # Only notices about this act are worth naming: one from a party that does not answer
        # for the actor is mentioned when it names the incident or covers its place, not for
        # every act the exception is pleaded against.
        if n.incident is not None:
            if n.incident != inc.id:
                continue
            how = "names the incident"
        elif n.lon is not None and n.lat is not None:
            d = float(geodesic_m(n.lon, n.lat, inc.lon, inc.lat)[0])
            if d > n.radius_m:
                if n.party in answering:
                    seen.append(f"{n.id} covers {distance(n.radius_m)} around a point "
                                f"{distance(d)} away")
                continue
            how = f"covers the location ({distance(d)} from its centre)"
        else:
            continue
        if n.party not in answering:
            seen.append(f"{n.id} is from {n.party}, which does not answer for {actor}")
            continue
        latest_ok, earliest_late = inc.span.start + within, inc.span.end + within
        stamp = format_instant(n.span.start, tz)
        if n.span.end <= latest_ok or (n.span.exact and n.span.start <= latest_ok):
            ev = Evidence("notice", n.id, f"from {n.party}, dated {stamp}, {how}")
            return Check(MET, f"notice {n.id} from {n.party} {how}, dated {stamp}, within "
                         f"{_hours(within)} of the act", (ev,))
        if n.span.start > earliest_late:
            seen.append(f"{n.id} is dated {stamp}, more than {_hours(within)} after the act")
            continue
        unsure = Check(UNSURE, f"notice {n.id} from {n.party} {how}, but its date {stamp} may be "
                       f"more than {_hours(within)} after the act, whose time is not known "
                       "exactly", (Evidence("notice", n.id, "timing uncertain"),))
    if unsure is not None:
        return unsure
    parties = "/".join(sorted(answering)) or "a party answering for the actor"
    detail = f" ({'; '.join(seen)})" if seen else ""
    return Check(UNMET, f"no notice from {parties} naming {exc.id} for this incident or its "
                 f"location within {_hours(within)}{detail}")


def _zone_side(batch: Batch, selector: Selector | None, inside: bool) -> np.ndarray:
    """Per incident: its disc lies wholly inside (or wholly outside) the selected zones in effect."""
    key = ("side", selector, inside)
    hit = batch.cache.get(key)
    if hit is not None:
        return hit
    zones = batch.agreement.select_zones(selector)
    n = len(batch)
    # From each zone's relations to the discs near it only: discs beyond are outside it.
    if inside:
        result = np.zeros(n, dtype=bool)
        reached = np.zeros(n, dtype=np.int64)
        for z in zones:
            rel = batch.relations(z)
            at = rel.idx[rel.near_code == IN]
            result[at[z.window.covers_many(batch.start[at], batch.end[at])]] = True
            reached[rel.idx[rel.near_code != OUT]] += 1
        # Not within one zone for all its time, but reaching several: the zones may cover the
        # disc together (a shared edge, an overlap, one zone taking over from another).
        together = FeatureSet.of(zones)
        for k in np.flatnonzero(~result & (reached > 1)).tolist():
            result[k] = within_union(batch, k, together)
    else:
        result = np.ones(n, dtype=bool)
        for z in zones:
            rel = batch.relations(z)
            at = rel.idx[rel.near_code != OUT]
            result[at] &= z.window.misses_many(batch.start[at], batch.end[at])
    batch.cache[key] = result
    return result


def _candidates(batch: Batch, req: EvidenceRequirement) -> tuple[list[float], list[int]]:
    """Incidents that could serve as evidence, sorted by start time (cached per requirement)."""
    key = ("evidence", req)
    hit = batch.cache.get(key)
    if hit is not None:
        return hit
    ok = batch.per_actor("actor", lambda a: a == req.actor)
    if req.targets is not None:
        targets = req.targets
        ok &= batch.per_actor("target", lambda t: t in targets)
    if req.inside is not None:
        ok &= _zone_side(batch, req.inside, inside=True)
    if req.outside is not None:
        ok &= _zone_side(batch, req.outside, inside=False)
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(batch.start[idx], kind="stable")]
    result = ([float(batch.start[j]) for j in order], [int(j) for j in order])
    batch.cache[key] = result
    return result


def could_be_evidence(batch: Batch) -> np.ndarray:
    """Whether each incident meets, by itself, one of the agreement's evidence requirements
    (its actor, its target, its side of the zones), by the test `check_evidence` draws its
    candidates with: only these can excuse an act, wherever and whenever the act was."""
    out = np.zeros(len(batch), dtype=bool)
    for exc in batch.agreement.exceptions.values():
        if exc.evidence is not None:
            out[_candidates(batch, exc.evidence)[1]] = True
    return out


def check_evidence(batch: Batch, k: int, exc: ExceptionRule) -> Check:
    req = exc.evidence
    assert req is not None
    pool = batch.evidence
    starts, ids = _candidates(pool, req)
    inc = batch.incidents[k]
    lo = bisect.bisect_left(starts, inc.span.start - req.before_s)
    hi = bisect.bisect_right(starts, inc.span.end)
    if pool is batch:
        window = [j for j in ids[lo:hi] if j != k]
    else:
        window = [j for j in ids[lo:hi] if pool.incidents[j].id != inc.id]
    where = (f"inside {req.inside.phrase()}" if req.inside else
             f"outside {req.outside.phrase()}" if req.outside else "anywhere")
    against = f" against {'/'.join(sorted(req.targets))}" if req.targets else ""
    wanted = (f"an incident by {req.actor}{against} {where}, within "
              f"{distance(req.within_m)} and at most {_hours(req.before_s)} before the act")
    if window:
        d = geodesic_m(inc.lon, inc.lat, pool.lon[window], pool.lat[window])
        close = np.flatnonzero(d <= req.within_m)
        begins = pool.start[window]
        # Certainly before the act only when it starts no later than the act's start; one
        # that starts within the act's span may have come after it (ruling 4).
        sure = close[begins[close] <= inc.span.start]
        later = close[begins[close] < inc.span.end]
        if sure.size or later.size:
            pick = sure if sure.size else later
            best = int(pick[np.argmin(d[pick])])
            j = window[best]
            other = pool.incidents[j]
            lead = inc.span.start - other.span.start
            found = f"{req.actor} {where}, {distance(float(d[best]))} away"
            if sure.size:
                note = f"{found}, {_hours(max(lead, 0.0))} before"
                return Check(MET, f"incident {other.id} shows {note}",
                             (Evidence("incident", other.id, note),))
            tz = batch.agreement.tz
            return Check(UNSURE, f"incident {other.id} shows {found}, but may have happened "
                         f"after the act: it starts at {format_instant(other.span.start, tz)}, "
                         f"after the act's start ({format_instant(inc.span.start, tz)}), whose "
                         "time is not known exactly",
                         (Evidence("incident", other.id, f"{found}, timing uncertain"),))
    return Check(UNMET, f"no evidence: {wanted}")


def check_exception(batch: Batch, k: int, exc: ExceptionRule, notices: Notices) -> Check:
    """Whether exception `exc` excuses incident k (its `for`/`against` already hold)."""
    checks = []
    if exc.notice is not None:
        checks.append(check_notice(batch, k, exc, notices))
    if exc.evidence is not None:
        checks.append(check_evidence(batch, k, exc))
    if not checks:
        return Check(MET, "it has no further requirements")
    evidence = tuple(e for c in checks for e in c.evidence)
    whys = "; ".join(c.why for c in checks)
    statuses = {c.status for c in checks}
    if UNMET in statuses:
        return Check(UNMET, "; ".join(c.why for c in checks if c.status == UNMET))
    if UNSURE in statuses:
        return Check(UNSURE, whys, evidence)
    return Check(MET, whys, evidence)


def exception_rules(agreement: Agreement, ids: tuple[str, ...]) -> list[ExceptionRule]:
    return [agreement.exceptions[e] for e in ids]
