"""What-if: how verdicts change between two agreements, or when zones grow or shrink.

Pure, like the engine: agreements and incidents in, changes and counts out (`jig diff` and
`jig sweep` are the thin commands around it). Both judge with the engine's array path
(`jig.engine.judge`), so a sweep of a dozen widths over a year of events stays interactive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely

from jig.agreement.model import Agreement, Feature
from jig.engine import judge
from jig.findings import OUTCOMES, Verdict
from jig.records import Incident, Notice


@dataclass(frozen=True)
class Change:
    """One incident whose verdict differs between the old and the new agreement."""

    old: Verdict
    new: Verdict

    @property
    def key(self) -> str:
        return f"{self.old.verdict} → {self.new.verdict}"

    def as_dict(self) -> dict[str, object]:
        return {"incident": self.old.incident.id, "old": self.old.as_dict(),
                "new": self.new.as_dict(), "change": self.key}


@dataclass(frozen=True)
class Diff:
    changes: list[Change]
    old_counts: dict[str, int]
    new_counts: dict[str, int]

    def by_change(self) -> list[tuple[str, int]]:
        """('breach → complies', 12), most frequent first."""
        return Counter(c.key for c in self.changes).most_common()


def _counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    got = Counter(v.verdict for v in verdicts)
    return {o: got.get(o, 0) for o in OUTCOMES}


def diff(old: Agreement, new: Agreement, old_incidents: Sequence[Incident],
         new_incidents: Sequence[Incident], notices: Sequence[Notice] = (),
         new_notices: Sequence[Notice] | None = None) -> Diff:
    """Every incident (matched by id) whose verdict changes from `old` to `new`, in input order.

    The incidents come read once per agreement (each reads times in its own timezone), and so
    may the notices (`new_notices`; default: `notices`): a notice naming an exception only one
    agreement has is read by that one only. An id read under one agreement only (set aside as
    far outside its `area`) is compared with `not_applicable` on the other side, so nothing
    the user gave is silently dropped.
    """
    before = judge(old, old_incidents, notices).verdicts()
    after = judge(new, new_incidents, notices if new_notices is None else new_notices).verdicts()
    after_by_id = {v.incident.id: v for v in after}
    changes = []
    for v in before:
        w = after_by_id.pop(v.incident.id, None) or Verdict(v.incident, ())
        if w.verdict != v.verdict:
            changes.append(Change(v, w))
    changes += [Change(Verdict(w.incident, ()), w) for w in after_by_id.values()
                if w.verdict != "not_applicable"]
    return Diff(changes, _counts(before), _counts(after))


def parse_buffers(spec: str) -> list[float]:
    """'-5km:+5km:1km' (or metres: '-500m:500m:100m') -> [-5000.0, -4000.0, ..., 5000.0].

    Always includes 0 (the zones as drawn), against which the others are compared."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise ValueError(f"--buffer {spec!r}: write FROM:TO:STEP, for instance -5km:+5km:1km")
    start, stop, step = (_metres(p, spec) for p in parts)
    if step <= 0:
        raise ValueError(f"--buffer {spec!r}: the step must be positive")
    if stop < start:
        raise ValueError(f"--buffer {spec!r}: {parts[1]} is less than {parts[0]}")
    n = int(np.floor((stop - start) / step + 1e-9)) + 1
    if n > 201:
        raise ValueError(f"--buffer {spec!r} gives {n} widths; at most 201")
    values = {round(start + i * step, 6) for i in range(n)} | {0.0}
    return sorted(values)


def _metres(text: str, spec: str) -> float:
    t = text.strip().lower().replace("+", "")
    for unit, scale in (("km", 1000.0), ("m", 1.0)):
        if t.endswith(unit):
            try:
                return float(t[: -len(unit)]) * scale
            except ValueError:
                break
    raise ValueError(f"--buffer {spec!r}: {text!r} is not a distance such as 5km or -500m")


def grown(agreement: Agreement, metres: float, zone_ids: frozenset[str] | None = None
          ) -> Agreement:
    """The agreement with its zones (or those in `zone_ids`) grown by `metres` (shrunk when
    negative), in the agreement's own projection; a zone shrunk to nothing is dropped. Its
    other places, clauses and exceptions are unchanged."""
    if metres == 0:
        return agreement
    inverse = agreement.projection._inv  # type: ignore[attr-defined]

    def lonlat(coords: np.ndarray) -> np.ndarray:
        x, y = inverse.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    zones: list[Feature] = []
    for z in agreement.zones:
        if zone_ids is not None and z.id not in zone_ids:
            zones.append(z)
            continue
        region = z.region.buffer(metres, quad_segs=8)
        if region.is_empty:
            continue
        zones.append(replace(z, region=region, geometry=shapely.transform(region, lonlat)))
    # A new version of the agreement: its indexes and caches are built afresh.
    return replace(agreement, zones=tuple(zones), indexes={}, _match_cache={})


@dataclass(frozen=True)
class SweepRow:
    metres: float
    counts: dict[str, int]  # verdicts
    inside: int  # incidents in force whose reported point lies in the swept zones
    changed: int  # incidents whose verdict differs from the zones as drawn


def sweep(agreement: Agreement, incidents: Sequence[Incident], widths: Sequence[float],
          zone_ids: frozenset[str] | None = None, notices: Sequence[Notice] = ()
          ) -> list[SweepRow]:
    """Re-judge the incidents with the zones grown or shrunk by each width (0, the zones as
    drawn, always included: the other rows count their changes against it)."""
    lon = np.array([i.lon for i in incidents], dtype=float)
    lat = np.array([i.lat for i in incidents], dtype=float)
    start = np.array([i.span.start for i in incidents], dtype=float)
    end = np.array([i.span.end for i in incidents], dtype=float)
    in_force = ~agreement.in_force.misses_many(start, end)
    judged: dict[float, tuple[list[str], int]] = {}
    for m in sorted(set(widths) | {0.0}):
        a = grown(agreement, m, zone_ids)
        verdicts = [v.verdict for v in judge(a, incidents, notices).verdicts()]
        swept = [z.geometry for z in a.zones if zone_ids is None or z.id in zone_ids]
        inside = int(np.count_nonzero(in_force & shapely.contains_xy(
            shapely.union_all(swept), lon, lat))) if swept and len(incidents) else 0
        judged[m] = (verdicts, inside)
    base = judged[0.0][0]
    return [SweepRow(m, _counts_of(v), inside, sum(a != b for a, b in zip(v, base, strict=True)))
            for m, (v, inside) in judged.items()]


def _counts_of(verdicts: list[str]) -> dict[str, int]:
    got = Counter(verdicts)
    return {o: got.get(o, 0) for o in OUTCOMES}
