"""Counts for the map's overview: incidents by verdict per grid cell and per day, exactly the
rows `queries.search` would list for the same viewer and filters.

The map draws points only when few are in view; at any zoom these counts say how many there
are, so that nothing is left out of the picture without saying so. A view by place, period
and verdict is summed from the counts kept ahead (`mapcounts`), with what they cannot tell
counted from the records; other filters are counted over the records in the database, and
those it cannot apply (a polygon, and source and grade, which live in the record as given
and may be withheld from the viewer) by listing: slower, never wrong.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from jig.findings import OUTCOMES
from jig.store import mapcounts
from jig.store.judging import LONG_SPAN, LONG_SPAN_S
from jig.store.queries import Filters, given_in_sql, scope_condition, search, where_judged
from jig.store.tables import IncidentRevision, MapCount, VerdictHead, VerdictRecord

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


def whole_cells(bbox: tuple[float, float, float, float], size: float
                ) -> tuple[float, float, float, float]:
    """The box widened to the cells of `size` it touches (the map's question: every cell it
    draws, whole). Its east and north edges are the last float before the next cell, so
    that the listing, whose box includes its edges, lists exactly the cells' incidents."""
    def widen(lo: float, hi: float, off: float) -> tuple[float, float]:
        a, b = math.floor((lo + off) / size), math.ceil((hi + off) / size)
        b = max(b, a + 1)
        return a * size - off, math.nextafter(b * size - off, -math.inf)

    (w, e), (s, n) = widen(bbox[0], bbox[2], 180.0), widen(bbox[1], bbox[3], 90.0)
    return w, s, e, n


def _inner(bbox: tuple[float, float, float, float], size: float
           ) -> tuple[int, int, int, int] | None:
    """The cells of `size` wholly inside the box (its edges included): x0, x1, y0, y1
    inclusive, or None when there is none."""
    def inside(lo: float, hi: float, off: float) -> tuple[int, int]:
        a = math.floor((lo + off) / size)
        if a * size - off < lo:
            a += 1
        top = math.nextafter(hi, math.inf)  # a cell ending at this is inside
        b = math.floor((top + off) / size)
        while b * size - off > top:
            b -= 1
        return a, b - 1

    (x0, x1), (y0, y1) = inside(bbox[0], bbox[2], 180.0), inside(bbox[1], bbox[3], 90.0)
    return (x0, x1, y0, y1) if x0 <= x1 and y0 <= y1 else None


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


def _kept(f: Filters) -> bool:
    """Whether the counts kept ahead hold these filters (place, period and verdict)."""
    return _in_database(f) and f.actor is None and f.clause is None and f.outcome is None


def _counted(s: Session, agreement_id: str, f: Filters, viewer: str, size: float,
             *where: Any) -> list[tuple[int, int, str, int, float, float]]:
    """Counted over the records: (cell x, cell y, verdict, n, sum lon, sum lat)."""
    gx = func.floor((IncidentRevision.lon + 180.0) / size)
    gy = func.floor((IncidentRevision.lat + 90.0) / size)
    q = _where(_heads(agreement_id, viewer).add_columns(
        gx, gy, VerdictRecord.verdict, func.count(), func.sum(IncidentRevision.lon),
        func.sum(IncidentRevision.lat)), f).where(*where).group_by(gx, gy, VerdictRecord.verdict)
    return [(int(x), int(y), v, n, sx, sy) for x, y, v, n, sx, sy in s.execute(q)]


KEPT, RECORDS = 1, 0  # which rows of the view's statement: sums of the counts, or of records


def _from_counts(s: Session, agreement_id: str, f: Filters, viewer: str, size: float
                 ) -> list[tuple[int, int, str, int, float, float]] | None:
    """The view from the counts kept ahead, plus what they cannot tell counted from the
    records: the cells the box cuts, the parts of days the period cuts, and the acts begun
    before the period that last into it, all in one statement. None when the counts cannot
    answer (other filters, cells finer than they keep, no cell wholly in the box)."""
    level = round(math.log2(size))
    if not _kept(f) or level < mapcounts.LEVELS[0]:
        return None
    tz = mapcounts.zone(s, agreement_id)
    inner = _inner(f.bbox, size) if f.bbox is not None else None
    if tz is None or (f.bbox is not None and inner is None):
        return None
    d0, d1 = mapcounts.whole_days(f.t_from, f.t_to, tz)
    # The days the counts hold: asked when the period is open, or until some are known.
    extent = mapcounts.extent(s, agreement_id, asked=d0 is None or d1 is None)
    if extent is None:
        return None  # no counts kept: none made yet, or nothing judged
    verdicts = [v for v in OUTCOMES if f.verdict in (None, v)]
    if not verdicts:
        return []  # a verdict no record has
    parts: list[Any] = []
    # The whole cells over the whole days from the counts: cells coarser than they keep are
    # summed from the coarsest they keep.
    stored = min(level, mapcounts.LEVELS[-1])
    ratio = 2 ** (level - stored)
    if d0 is None or d1 is None or d0 < d1:
        lo = extent[0] if d0 is None else max(d0, extent[0])
        hi = extent[1] if d1 is None else min(d1, extent[1])
        xs = ys = None
        if inner is not None:
            xs = (inner[0] * ratio, (inner[1] + 1) * ratio - 1)
            ys = (inner[2] * ratio, (inner[3] + 1) * ratio - 1)
        parts += mapcounts.summed(agreement_id, scope_condition(viewer, MapCount), stored, xs,
                                  ys, lo, hi, verdicts, literal_column(str(KEPT)))
    # The rest from the records, in the same columns: per verdict how many, and the sums of
    # their places (in degrees).
    lon, lat = IncidentRevision.lon, IncidentRevision.lat
    gx, gy = func.floor((lon + 180.0) / size), func.floor((lat + 90.0) / size)
    sums = [func.sum(case((VerdictRecord.verdict == v, x), else_=0)) for v in verdicts
            for x in (1, lon, lat)]
    parts += [_where(_heads(agreement_id, viewer).add_columns(
        literal_column(str(RECORDS)), gx, gy, *sums), f).where(*where).group_by(gx, gy)
        for where in _rest(f, inner, size, tz, d0, d1)]
    if not parts:
        return []
    out = []
    for kind, x, y, *got in s.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        for k, v in enumerate(verdicts):
            n, sx, sy = got[3 * k: 3 * k + 3]
            n = int(n or 0)  # PostgreSQL sums bigints as numeric
            if not n:
                continue
            if kind == KEPT:  # cells as kept, places in millionths of a degree
                out.append((int(x) // ratio, int(y) // ratio, v, n, int(sx) / mapcounts.MICRO,
                            int(sy) / mapcounts.MICRO))
            else:
                out.append((int(x), int(y), v, n, float(sx), float(sy)))
    return out


def _rest(f: Filters, inner: tuple[int, int, int, int] | None, size: float, tz: Any,
          d0: int | None, d1: int | None) -> list[list[Any]]:
    """What the counts of the cells `inner` (of `size`; None: all) over the whole days
    [d0, d1) cannot tell, as disjoint sets of conditions on the records: the strips of the
    box outside those cells, each through the place index; inside them, the parts of days the
    period cuts (all of it when it holds no whole day), and the acts begun before the period
    that last into it."""
    lon, lat = IncidentRevision.lon, IncidentRevision.lat
    gx, gy = func.floor((lon + 180.0) / size), func.floor((lat + 90.0) / size)
    parts: list[list[Any]] = []
    inside: list[Any] = []
    if f.bbox is not None and inner is not None:
        w, so, e, n = f.bbox
        x0, x1, y0, y1 = inner
        iw, ie = x0 * size - 180.0, (x1 + 1) * size - 180.0
        is_, in_ = y0 * size - 90.0, (y1 + 1) * size - 90.0
        strips = [(w < iw, [gx < x0, lon <= iw]), (e >= ie, [gx > x1, lon >= ie]),
                  (so < is_, [gx.between(x0, x1), gy < y0, lon >= iw, lon <= ie, lat <= is_]),
                  (n >= in_, [gx.between(x0, x1), gy > y1, lon >= iw, lon <= ie, lat >= in_])]
        parts += [where for cut, where in strips if cut]
        inside = [gx.between(x0, x1), gy.between(y0, y1), lon >= iw, lon <= ie, lat >= is_,
                  lat <= in_]
    windows: list[tuple[float | None, float | None]] = []
    if d0 is not None and d1 is not None and d0 >= d1:
        windows.append((f.t_from, f.t_to))
    else:
        if d0 is not None and f.t_from is not None and mapcounts.day_start(d0, tz) > f.t_from:
            windows.append((f.t_from, mapcounts.day_start(d0, tz)))
        if d1 is not None and f.t_to is not None and mapcounts.day_start(d1, tz) < f.t_to:
            windows.append((mapcounts.day_start(d1, tz), f.t_to))
    for a, b in windows:
        where = [IncidentRevision.t_start >= a] if a is not None else []
        where += [IncidentRevision.t_start < b] if b is not None else []
        parts.append([*inside, *where])
    if f.t_from is not None:
        # Begun before the period and lasting into it: begun at most LONG_SPAN before it
        # (a range of the time index), or longer (their own small index).
        long_ = IncidentRevision.t_end - IncidentRevision.t_start > literal_column(LONG_SPAN)
        parts += [[*inside, IncidentRevision.t_start < f.t_from, *where] for where in (
            [IncidentRevision.t_start >= f.t_from - LONG_SPAN_S],
            [long_, IncidentRevision.t_start < f.t_from - LONG_SPAN_S])]
    return parts


def _listed(s: Session, agreement_id: str, f: Filters, viewer: str, where: Any = ()) -> Any:
    """Every row `search` lists, page by page (for the filters only it applies)."""
    after: int | None = 0
    while after is not None:
        rows, after = search(s, agreement_id, f, after, 5000, viewer, where)
        yield from rows


def _split(s: Session, f: Filters, viewer: str) -> tuple[list[Any], list[Any]] | None:
    """For source and grade without a polygon: the rows SQL counts, and those left to list
    (`queries.given_in_sql`); None when everything is listed."""
    return given_in_sql(s, f, viewer) if f.within is None else None


def grid(s: Session, agreement_id: str, f: Filters, viewer: str, size: float) -> Overview:
    """Incidents the viewer sees under the filters, counted by verdict in cells of `size`
    degrees (aligned on multiples of it)."""
    out = Overview(size=size)
    acc: dict[tuple[int, int], tuple[Counter[str], list[float]]] = {}
    kept = _from_counts(s, agreement_id, f, viewer, size)
    if kept is not None:
        rows = kept
    elif _in_database(f):
        rows = _counted(s, agreement_id, f, viewer, size)
    else:
        split = _split(s, f, viewer)
        rows = _counted(s, agreement_id, f, viewer, size, *split[0]) if split else []
        for r in _listed(s, agreement_id, f, viewer, split[1] if split else ()):
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
    kept = _days_from_counts(s, agreement_id, f, viewer, offset_s)
    rows = kept if kept is not None else _days_counted(s, agreement_id, f, viewer, offset_s)
    out: dict[int, dict[str, int]] = {}
    for d, verdict, n in rows:
        if n:
            counts = out.setdefault(int(d), {})
            counts[verdict] = counts.get(verdict, 0) + n
    return out


def _days_counted(s: Session, agreement_id: str, f: Filters, viewer: str, offset_s: float
                  ) -> list[tuple[int, str, int]]:
    """The histogram counted over the records (in the database, or by listing for the
    filters only `search` applies)."""
    day = func.floor((IncidentRevision.t_start + offset_s) / DAY)
    q = _where(_heads(agreement_id, viewer).add_columns(
        day, VerdictRecord.verdict, func.count()), f).group_by(day, VerdictRecord.verdict)
    if _in_database(f):
        return [(d, v, n) for d, v, n in s.execute(q)]
    split = _split(s, f, viewer)
    rows = [(d, v, n) for d, v, n in s.execute(q.where(*split[0]))] if split else []
    return rows + [(math.floor((r.incident.t_start + offset_s) / DAY),
                    r.verdict.verdict if r.verdict is not None else "not_applicable", 1)
                   for r in _listed(s, agreement_id, f, viewer, split[1] if split else ())]


HISTOGRAM_CELLS = 32  # across the box: the grid of the map's overview (its default `cells`)


def _days_from_counts(s: Session, agreement_id: str, f: Filters, viewer: str,
                      offset_s: float) -> list[tuple[int, str, int]] | None:
    """The histogram from the counts kept ahead, in one statement: the day rows of the box's
    whole cells (of the overview's grid for it) over the period's whole days, and what they
    cannot tell counted from the records, exactly as `_from_counts` does. None when they
    cannot answer: other filters, no whole cell or day, or days of the counts (the
    agreement's first timezone, with its summer time) that are not those asked (a fixed
    `offset_s` over the period)."""
    if not _kept(f):
        return None
    tz = mapcounts.zone(s, agreement_id)
    if tz is None:
        return None
    levels = mapcounts.LEVELS
    level = levels[-1]
    if f.bbox is not None:
        level = min(max(round(math.log2(cell_size(f.bbox, HISTOGRAM_CELLS))), levels[0]),
                    levels[-1])
    size = 2.0 ** level
    inner = _inner(f.bbox, size) if f.bbox is not None else None
    d0, d1 = mapcounts.whole_days(f.t_from, f.t_to, tz)
    if (f.bbox is not None and inner is None) or (d0 is not None and d1 is not None
                                                   and d0 >= d1):
        return None
    extent = mapcounts.extent(s, agreement_id, asked=d0 is None or d1 is None)
    if extent is None:
        return None
    lo = extent[0] if d0 is None else max(d0, extent[0])
    hi = extent[1] if d1 is None else min(d1, extent[1])
    if lo < hi and mapcounts.offsets(tz, mapcounts.day_start(lo, tz),
                                     mapcounts.day_start(hi, tz)) != [
            (mapcounts.day_start(lo, tz), offset_s)]:
        return None
    verdicts = [v for v in OUTCOMES if f.verdict in (None, v)]
    if not verdicts:
        return []  # a verdict no record has
    counts = [func.sum(getattr(MapCount, f"n_{v}")) for v in verdicts]
    parts: list[Any] = []
    if verdicts and lo < hi:
        q = select(MapCount.block, *counts).where(
            MapCount.agreement_id == agreement_id, MapCount.level == level,
            MapCount.span == 1, MapCount.block >= lo, MapCount.block < hi,
            scope_condition(viewer, MapCount))
        if inner is not None:
            q = q.where(MapCount.x.in_(range(inner[0], inner[1] + 1)),
                        MapCount.y.between(inner[2], inner[3]))
        parts.append(q.group_by(MapCount.block))
    # The records' part with the same columns: per day, how many of each verdict.
    day = func.floor((IncidentRevision.t_start + offset_s) / DAY)
    by_verdict = [func.sum(case((VerdictRecord.verdict == v, 1), else_=0)) for v in verdicts]
    parts += [_where(_heads(agreement_id, viewer).add_columns(day, *by_verdict), f)
              .where(*where).group_by(day) for where in _rest(f, inner, size, tz, d0, d1)]
    if not parts:
        return []
    q = union_all(*parts) if len(parts) > 1 else parts[0]
    return [(int(d), v, int(n or 0)) for d, *ns in s.execute(q)
            for v, n in zip(verdicts, ns, strict=True)]


def in_cell(f: Filters, lon: float, lat: float, size: float) -> Filters:
    """The filters narrowed to one cell of the grid (for listing a cell's incidents)."""
    box = (lon, lat, lon + size, lat + size)
    if f.bbox is not None:
        box = (max(box[0], f.bbox[0]), max(box[1], f.bbox[1]),
               min(box[2], f.bbox[2]), min(box[3], f.bbox[3]))
    return replace(f, bbox=box)


__all__ = ["Cell", "Overview", "cell_size", "grid", "histogram", "in_cell", "whole_cells"]
