"""Counts for the map's overview: incidents by verdict per grid cell and per day, counted in
the database over exactly the rows `queries.search` would list for the same viewer and filters.

The map draws points only when few are in view; at any zoom these counts say how many there
are, so that nothing is left out of the picture without saying so. The filters the database
cannot apply (a polygon, and source and grade, which live in the record as given and may be
withheld from the viewer) are counted by listing instead: slower, never wrong.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from jig.store.queries import Filters, scope_condition, search, where_judged
from jig.store.tables import IncidentRevision, VerdictHead, VerdictRecord

DAY = 86_400.0


@dataclass
class Cell:
    """One grid cell: its south-west corner, its side (degrees) and its counts by verdict."""

    lon: float
    lat: float
    size: float
    counts: dict[str, int]
    # The mean place of its incidents, where the map draws the cell's marker.
    at: tuple[float, float]

    @property
    def n(self) -> int:
        return sum(self.counts.values())


@dataclass
class Overview:
    total: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    size: float = 0.0


def cell_size(bbox: tuple[float, float, float, float], across: int) -> float:
    """A cell side of a power of two of a degree, about `across` cells over the box's width:
    the grid stays the same while the map pans, so cells do not jump."""
    width = max(bbox[2] - bbox[0], 1e-6)
    return 2.0 ** math.floor(math.log2(width / max(across, 1)))


def _heads(agreement_id: str, viewer: str) -> Any:
    """The viewer's current verdicts joined to their records: the same rows `search` lists."""
    return (select()
            .select_from(IncidentRevision)
            .join(VerdictHead, and_(VerdictHead.incident_row == IncidentRevision.row,
                                    VerdictHead.agreement_id == agreement_id,
                                    scope_condition(viewer)))
            .join(VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row))


def _where(q: Any, f: Filters) -> Any:
    if f.t_from is not None:
        q = q.where(IncidentRevision.t_end >= f.t_from)
    if f.t_to is not None:
        q = q.where(IncidentRevision.t_start < f.t_to)
    if f.bbox is not None:
        q = q.where(IncidentRevision.lon >= f.bbox[0], IncidentRevision.lon <= f.bbox[2],
                    IncidentRevision.lat >= f.bbox[1], IncidentRevision.lat <= f.bbox[3])
    q = where_judged(q, f)
    return q


def _in_database(f: Filters) -> bool:
    return f.within is None and f.source is None and f.grade is None


def _listed(s: Session, agreement_id: str, f: Filters, viewer: str) -> Any:
    """Every row `search` lists, page by page (for the filters only it applies)."""
    after: int | None = 0
    while after is not None:
        rows, after = search(s, agreement_id, f, after, 5000, viewer)
        yield from rows


def grid(s: Session, agreement_id: str, f: Filters, viewer: str, size: float) -> Overview:
    """Incidents the viewer sees under the filters, counted by verdict in cells of `size`
    degrees (aligned on multiples of it)."""
    out = Overview(size=size)
    acc: dict[tuple[int, int], tuple[Counter[str], list[float]]] = {}
    if _in_database(f):
        gx = func.floor((IncidentRevision.lon + 180.0) / size)
        gy = func.floor((IncidentRevision.lat + 90.0) / size)
        q = _where(_heads(agreement_id, viewer).add_columns(
            gx, gy, VerdictRecord.verdict, func.count(), func.sum(IncidentRevision.lon),
            func.sum(IncidentRevision.lat)), f).group_by(gx, gy, VerdictRecord.verdict)
        rows = s.execute(q).all()
    else:
        rows = []
        for r in _listed(s, agreement_id, f, viewer):
            inc = r.incident
            verdict = r.verdict.verdict if r.verdict is not None else "not_applicable"
            rows.append((math.floor((inc.lon + 180.0) / size),
                         math.floor((inc.lat + 90.0) / size), verdict, 1, inc.lon, inc.lat))
    for x, y, verdict, n, sx, sy in rows:
        counts, place = acc.setdefault((int(x), int(y)), (Counter(), [0.0, 0.0]))
        counts[verdict] += n
        place[0] += sx
        place[1] += sy
    for (x, y), (counts, place) in sorted(acc.items()):
        n = sum(counts.values())
        out.cells.append(Cell(x * size - 180.0, y * size - 90.0, size, dict(counts),
                              (place[0] / n, place[1] / n)))
        out.total += n
        for verdict, k in counts.items():
            out.by_verdict[verdict] = out.by_verdict.get(verdict, 0) + k
    return out


def histogram(s: Session, agreement_id: str, f: Filters, viewer: str, offset_s: float
              ) -> dict[int, dict[str, int]]:
    """Incidents by the day they began (days since 1970-01-01 in a zone `offset_s` seconds
    ahead of UTC) and verdict."""
    if _in_database(f):
        day = func.floor((IncidentRevision.t_start + offset_s) / DAY)
        q = _where(_heads(agreement_id, viewer).add_columns(
            day, VerdictRecord.verdict, func.count()), f).group_by(day, VerdictRecord.verdict)
        rows = s.execute(q).all()
    else:
        rows = [(math.floor((r.incident.t_start + offset_s) / DAY),
                 r.verdict.verdict if r.verdict is not None else "not_applicable", 1)
                for r in _listed(s, agreement_id, f, viewer)]
    out: dict[int, dict[str, int]] = {}
    for d, verdict, n in rows:
        counts = out.setdefault(int(d), {})
        counts[verdict] = counts.get(verdict, 0) + n
    return out


def in_cell(f: Filters, lon: float, lat: float, size: float) -> Filters:
    """The filters narrowed to one cell of the grid (for listing a cell's incidents)."""
    box = (lon, lat, lon + size, lat + size)
    if f.bbox is not None:
        box = (max(box[0], f.bbox[0]), max(box[1], f.bbox[1]),
               min(box[2], f.bbox[2]), min(box[3], f.bbox[3]))
    return replace(f, bbox=box)


__all__ = ["Cell", "Overview", "cell_size", "grid", "histogram", "in_cell"]
