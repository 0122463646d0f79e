"""Counts kept ahead of the map's question: incidents by verdict per grid cell and time block,
for each agreement and each scope and workspace of the verdict heads (`map_counts`).

Counting a view over the records joins three tables a million rows long (seconds). Here every
move of a verdict head adds its incident to the cells that hold it (a cell side of 2**k
degrees for each k of LEVELS) and the blocks of days that hold its start (SPANS days long,
days of the agreement's first version's timezone), and takes it from where the head was, in
the transaction that moves the head. A view is then answered by summing the rows of its
cells over the blocks that make up its period; what the rows cannot tell is counted from the
records, exactly as the listing counts:

- the cells the view's box cuts (the map asks for a box of whole cells, which cuts none);
- the parts of days a period cuts (the map asks whole days), and acts that began before the
  period and last into it.

Keyed by scope and workspace like the heads themselves, the rows a viewer sums are those of
the heads it sees (`queries.scope_condition`): a record another party withholds is in none
of them. A derived table: not logged, rebuilt from the heads (`rebuild`), and `jig audit
verify` checks it against them (`differences`).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
from sqlalchemy import (
    Column,
    MetaData,
    Table,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session, sessionmaker

from jig.findings import OUTCOMES
from jig.store.bulk import Revision
from jig.store.tables import AgreementVersion, IncidentRevision, MapCount, VerdictHead, VerdictRecord
from jig.times import zone_info

LEVELS = range(-6, 3)  # cell sides 2**k degrees: 1/64 (about 1.7 km) to 4
SPANS = (1, 16, 256)  # days per block
KEY = ("agreement_id", "level", "span", "block", "x", "y", "scope", "workspace")
# Per verdict: how many, and the sums of their longitudes and latitudes in millionths of a
# degree (integers: added and taken away any number of times, they stay exact).
VALUES = tuple(f"{c}_{v}" for v in OUTCOMES for c in ("n", "lon", "lat"))
EPOCH = date(1970, 1, 1)
MICRO = 1_000_000


# Per database (its engine), per agreement: the zone found, asked once (a first version is
# never replaced; asking cost a query on every view).
_ZONES: WeakKeyDictionary[Engine, dict[str, tzinfo]] = WeakKeyDictionary()


def zone(s: Session, agreement_id: str) -> tzinfo | None:
    """The timezone of the agreement's first version, whose days the blocks count: fixed for
    the agreement's life, so amendments never re-cut the blocks."""
    bind = s.get_bind()
    known = _ZONES.setdefault(bind if isinstance(bind, Engine) else bind.engine, {})
    if agreement_id not in known:
        doc = s.scalar(select(AgreementVersion.document).where(
            AgreementVersion.agreement_id == agreement_id).order_by(AgreementVersion.row)
            .limit(1))
        if doc is None:
            return None
        known[agreement_id] = zone_info(json.loads(doc).get("timezone", "UTC"))
    return known[agreement_id]


def day_of(t: float, tz: tzinfo) -> int:
    return (datetime.fromtimestamp(t, tz).date() - EPOCH).days


def day_start(d: int, tz: tzinfo) -> float:
    """The first instant of day `d` in `tz` (where midnight is skipped, the hour after)."""
    return datetime.combine(EPOCH + timedelta(days=d), time(0), tzinfo=tz).timestamp()


# The changes of one batch of heads in one workspace, summed by row: KEY's integer part
# (level, span, block, x, y) and VALUES, one row of each per map_counts row.
Piece = tuple[str, str, str, np.ndarray, np.ndarray]  # agreement_id, scope, workspace, ...


def rows_of(lon: np.ndarray, lat: np.ndarray, day: np.ndarray, outcome: np.ndarray,
            sign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each incident (longitude, latitude, day of its start, index of its verdict) added
    (sign 1) to or taken away (-1) from every row that holds it, summed by row. The same
    arithmetic as the SQL that counts from the records (`_fill`): a point on a cell's edge
    falls in one cell, and coordinates are rounded half up to millionths."""
    n = len(lon)
    values = np.zeros((n, len(VALUES)), np.int64)
    at, k = outcome * 3, np.arange(n)
    values[k, at] = sign
    values[k, at + 1] = sign * np.floor(lon * MICRO + 0.5).astype(np.int64)
    values[k, at + 2] = sign * np.floor(lat * MICRO + 0.5).astype(np.int64)
    keys = []
    for level in LEVELS:
        x = np.floor((lon + 180.0) / 2.0 ** level).astype(np.int64)
        y = np.floor((lat + 90.0) / 2.0 ** level).astype(np.int64)
        for span in SPANS:
            keys.append(np.column_stack([np.full(n, level), np.full(n, span), day // span, x, y]))
    return by_row(np.concatenate(keys), np.tile(values, (len(keys), 1)))


def by_row(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of `values` added up by equal rows of `keys`, the keys in ascending order."""
    if not len(keys):
        return keys, values
    order = np.lexsort(keys.T[::-1])
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
    return keys[starts], np.add.reduceat(values, starts)


_DELTAS = "jig.mapcounts.deltas"  # a session's pieces not written yet (its `info` key)


def move(s: Session, agreement_id: str, scope: str, heads: dict[tuple[str, str], VerdictHead],
         moving: Sequence[tuple[Revision, str]]) -> None:
    """Move the counts with the verdict heads about to move: each (record, new verdict)'s
    incident taken from where its head counted it and added where it now is. Written when
    the session commits (`watch`): the coarsest rows (cells of 4 degrees, blocks of 256 days)
    take nearly every incident, and written at once their row locks were held through the
    rest of the transaction (judging the acts a report may excuse, the log entry), so
    concurrent intakes on PostgreSQL waited on each other for all of it."""
    tz = zone(s, agreement_id)
    if tz is None:
        return
    keys = {(r.workspace, r.incident_id) for r, _ in moving} & heads.keys()
    places: dict[int, tuple[float, float, float]] = {}
    verdicts: dict[int, str] = {}
    rows = sorted({heads[k].incident_row for k in keys})
    for k in range(0, len(rows), 500):
        places.update((r, (lon, lat, t)) for r, lon, lat, t in s.execute(select(
            IncidentRevision.row, IncidentRevision.lon, IncidentRevision.lat,
            IncidentRevision.t_start).where(IncidentRevision.row.in_(rows[k:k + 500]))))
    rows = sorted({heads[k].verdict_row for k in keys})
    for k in range(0, len(rows), 500):
        verdicts.update((r, v) for r, v in s.execute(select(
            VerdictRecord.row, VerdictRecord.verdict).where(
                VerdictRecord.row.in_(rows[k:k + 500]))))
    # Where each head counts now: (longitude, latitude, start, verdict).
    now = {k: (*places[heads[k].incident_row], verdicts[heads[k].verdict_row]) for k in keys}
    changes: dict[str, list[tuple[float, float, int, int, int]]] = {}  # by workspace
    for row, verdict in moving:
        key = (row.workspace, row.incident_id)
        mine = changes.setdefault(row.workspace, [])
        if key in now:
            lon, lat, t, was = now[key]
            mine.append((lon, lat, day_of(t, tz), OUTCOMES.index(was), -1))
        now[key] = (row.lon, row.lat, row.t_start, verdict)
        mine.append((row.lon, row.lat, day_of(row.t_start, tz), OUTCOMES.index(verdict), 1))
    pending: list[Piece] = s.info.setdefault(_DELTAS, [])
    for workspace, mine in changes.items():
        lon, lat, day, outcome, sign = (np.array(c) for c in zip(*mine, strict=True))
        pending.append((agreement_id, scope, workspace,
                        *rows_of(lon, lat, day, outcome, sign)))


def watch(sessions: sessionmaker) -> None:
    """Write each session's deferred deltas just before it commits: after the log's entry
    (and its lock), so every writer takes the log's lock, then these rows, in one order."""
    event.listen(sessions, "before_commit", _flush)
    event.listen(sessions, "after_rollback", lambda session: session.info.pop(_DELTAS, None))


def _flush(session: Session) -> None:
    pieces = session.info.pop(_DELTAS, None)
    if pieces:
        write(session, pieces)


def write(s: Session, pieces: Sequence[Piece]) -> None:
    """Add the pieces to their rows (made when missing), in the order of their keys: two
    transactions touching the same rows take their locks in one order and do not deadlock."""
    groups: dict[tuple[str, str, str], list[Piece]] = {}
    for p in pieces:
        groups.setdefault(p[:3], []).append(p)
    rows: list[tuple[Any, ...]] = []  # KEY, then VALUES
    for (agreement_id, scope, workspace), group in groups.items():
        keys, values = by_row(np.concatenate([p[3] for p in group]),
                              np.concatenate([p[4] for p in group]))
        kept = values.any(axis=1)  # a head moved and moved back changes nothing
        rows += [(agreement_id, level, span, block, x, y, scope, workspace, *v)
                 for (level, span, block, x, y), v in zip(keys[kept].tolist(),
                                                          values[kept].tolist(), strict=True)]
    if not rows:
        return
    rows.sort()
    sql, pick = _upsert(s.get_bind().dialect)
    # Straight to the driver: SQLAlchemy's processing of each row's 23 parameters cost more
    # than the statement (an intake writes some 20 rows per incident). Each row's values are
    # picked in the statement's order by one C call, not a dict a row (a sixth of `jig
    # import`'s time).
    params: list[Any] = [pick(r) for r in rows] if pick is not None else [
        dict(zip((*KEY, *VALUES), r, strict=True)) for r in rows]
    s.connection().exec_driver_sql(sql, params)


_UPSERTS: dict[tuple[str, str], tuple[str, Any]] = {}


def _upsert(dialect: Dialect) -> tuple[str, Any]:
    """The statement adding rows to the counts (made when missing) as the driver takes it,
    and the itemgetter putting a row's values in its order (None where it takes names).
    Compiled once per dialect and parameter style: building and compiling it cost a seventh
    of a single-record intake's time."""
    style = (dialect.name, dialect.paramstyle)
    made = _UPSERTS.get(style)
    if made is None:
        ins = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(MapCount)
        stmt = ins.on_conflict_do_update(
            index_elements=list(KEY),
            set_={c: getattr(MapCount, c) + getattr(ins.excluded, c) for c in VALUES})
        compiled = stmt.compile(dialect=dialect)
        names = (*KEY, *VALUES)
        order = compiled.positiontup if compiled.positional else None  # SQLite's "?"
        pick = operator.itemgetter(*(names.index(n) for n in order)) if order else None
        made = _UPSERTS[style] = (str(compiled), pick)
    return made


def offsets(tz: tzinfo, t0: float, t1: float) -> list[tuple[float, float]]:
    """The zone's UTC offsets (seconds) over [t0, t1]: (from this instant on, offset), the
    first from t0. Zones change offset a few times a year at most: found week by week, each
    change to the second."""
    def off(t: float) -> float:
        o = datetime.fromtimestamp(t, tz).utcoffset()
        return o.total_seconds() if o is not None else 0.0

    out = [(t0, off(t0))]
    t = math.floor(t0)
    while t < t1:
        nxt = min(t + 7 * 86_400, math.ceil(t1))
        if off(nxt) != out[-1][1]:
            lo, hi = t, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if off(mid) == out[-1][1] else (lo, mid)
            out.append((float(hi), off(hi)))
            t = hi
        else:
            t = nxt
    return out


def _micro(v: Any) -> Any:
    """Millionths of a degree, as `rows_of` rounds them (half up, the same on every backend)."""
    return func.floor(v * MICRO + 0.5)


def _sums(verdict: Any, lon: Any, lat: Any) -> list[Any]:
    return [func.sum(case((verdict == v, x), else_=0)) for v in OUTCOMES
            for x in (1, _micro(lon), _micro(lat))]


def _fill(s: Session, target: Table) -> None:
    """Make the rows into `target` from the verdict heads, in SQL: the finest cells by day
    from the heads, then every coarser block and cell from the finer rows just made."""
    cols = [target.c[c] for c in KEY + VALUES]
    for agreement_id, t0, t1 in s.execute(
            select(VerdictHead.agreement_id, func.min(IncidentRevision.t_start),
                   func.max(IncidentRevision.t_start))
            .join(IncidentRevision, IncidentRevision.row == VerdictHead.incident_row)
            .group_by(VerdictHead.agreement_id)).all():
        tz = zone(s, agreement_id)
        if tz is None:
            continue
        t = IncidentRevision.t_start
        changes = offsets(tz, t0, t1)
        offset = case(*((t < at, o) for (at, _), (_, o) in zip(changes[1:], changes,
                                                                   strict=False)),
                      else_=changes[-1][1]) if len(changes) > 1 else literal(changes[0][1])
        side = 2.0 ** LEVELS[0]
        day = func.floor((t + offset) / 86_400.0)
        x = func.floor((IncidentRevision.lon + 180.0) / side)
        y = func.floor((IncidentRevision.lat + 90.0) / side)
        finest = (select(literal(agreement_id), literal(LEVELS[0]), literal(1), day, x, y,
                         VerdictHead.scope, VerdictHead.workspace,
                         *_sums(VerdictRecord.verdict, IncidentRevision.lon,
                                IncidentRevision.lat))
                  .join(IncidentRevision, IncidentRevision.row == VerdictHead.incident_row)
                  .join(VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)
                  .where(VerdictHead.agreement_id == agreement_id)
                  .group_by(day, x, y, VerdictHead.scope, VerdictHead.workspace))
        s.execute(insert(target).from_select(cols, finest))
        for level in LEVELS:
            for span in SPANS:
                if (level, span) == (LEVELS[0], 1):
                    continue
                # From the same cells by day, or the same blocks in cells half as wide.
                by_day = level == LEVELS[0]
                src = dict(level=level, span=1) if by_day else dict(level=level - 1, span=span)
                block = func.floor(target.c.block / float(span)) if by_day else target.c.block
                cx = target.c.x if by_day else func.floor(target.c.x / 2.0)
                cy = target.c.y if by_day else func.floor(target.c.y / 2.0)
                q = (select(target.c.agreement_id, literal(level), literal(span), block, cx, cy,
                            target.c.scope, target.c.workspace,
                            *(func.sum(target.c[c]) for c in VALUES))
                     .where(target.c.agreement_id == agreement_id,
                            target.c.level == src["level"], target.c.span == src["span"])
                     .group_by(target.c.agreement_id, block, cx, cy, target.c.scope,
                               target.c.workspace))
                s.execute(insert(target).from_select(cols, q))


def rebuild(s: Session) -> int:
    """Make the rows again from the verdict heads (after a migration, or tables written
    directly); returns how many."""
    s.execute(delete(MapCount))
    _fill(s, MapCount.__table__)
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("ANALYZE map_counts"))  # the planner's statistics of the new rows
    return s.scalar(select(func.count()).select_from(MapCount)) or 0


def differences(s: Session, limit: int = 20) -> list[str]:
    """Where the rows differ from what the heads make (for `jig audit verify`): the rows made
    again into a temporary table and compared in SQL, rows of zeros left out."""
    table = MapCount.__table__
    check = Table("map_counts_check", MetaData(), *(Column(c.name, c.type) for c in table.c),
                  prefixes=["TEMPORARY"])
    # (SQLite creates a table outside the transaction, whose rollback may then undo the drop:
    # one left by an earlier check on this connection goes first.)
    check.drop(s.connection(), checkfirst=True)
    check.create(s.connection())
    try:
        _fill(s, check)
        rows = [tuple(getattr(t.c, c) for c in KEY + VALUES) for t in (table, check)]
        nonzero = [or_(*(t.c[c] != 0 for c in VALUES)) for t in (table, check)]
        extra = select(*rows[0]).where(nonzero[0]).except_(select(*rows[1]).where(nonzero[1]))
        missing = select(*rows[1]).where(nonzero[1]).except_(
            select(*rows[0]).where(nonzero[0]))
        out = []
        for what, q in (("holds", extra), ("lacks", missing)):
            for r in s.execute(q.limit(limit + 1)):
                where = ", ".join(f"{k} {v}" for k, v in zip(KEY, r, strict=False))
                out.append(f"map_counts: the table {what} a row the verdict heads do not make "
                           f"({where}: {list(r[len(KEY):])}); make it again with "
                           "`jig audit recount`")
    finally:
        check.drop(s.connection())
    return out[:limit] + ([f"map_counts: more rows differ than the {limit} named"]
                          if len(out) > limit else [])


# -- answering ---------------------------------------------------------------------------------

def whole_days(t_from: float | None, t_to: float | None, tz: tzinfo
               ) -> tuple[int | None, int | None]:
    """The days wholly inside [t_from, t_to) (None: unbounded on that side)."""
    d0 = d1 = None
    if t_from is not None:
        d0 = day_of(t_from, tz)
        if day_start(d0, tz) < t_from:
            d0 += 1
    if t_to is not None:
        d1 = day_of(t_to, tz)
    return d0, d1


def blocks(d0: int, d1: int) -> list[tuple[int, list[int]]]:
    """The days [d0, d1) as whole blocks: per span, which blocks (few: the coarsest blocks
    that fit, finer ones only at the ends)."""
    out: list[tuple[int, list[int]]] = []
    lo, hi = d0, d1
    for k, span in enumerate(SPANS):
        if lo >= hi:
            break
        if k + 1 < len(SPANS):
            up = SPANS[k + 1]
            lo_up, hi_up = -(-lo // up) * up, hi // up * up
            if lo_up < hi_up:
                ends = list(range(lo, lo_up)) + list(range(hi_up, hi))
                out.append((span, [d // span for d in ends]))
                lo, hi = lo_up, hi_up
                continue
        out.append((span, list(range(lo // span, hi // span))))
        break
    return [(span, bs) for span, bs in out if bs]


_KEPT: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()  # agreements with counts


def extent(s: Session, agreement_id: str, asked: bool = True) -> tuple[int, int] | None:
    """The first and last day (+1) any row of the agreement counts; None when no row does.
    Not `asked`: only whether some row does, known without a query once one did (rows are
    made with the first judging and never all removed: `rebuild` replaces them in one
    transaction), as all the days there are."""
    bind = s.get_bind()
    kept = _KEPT.setdefault(bind if isinstance(bind, Engine) else bind.engine, set())
    if not asked and agreement_id in kept:
        return (-2**31, 2**31)
    top = SPANS[-1]
    lo, hi = s.execute(select(func.min(MapCount.block), func.max(MapCount.block)).where(
        MapCount.agreement_id == agreement_id, MapCount.level == LEVELS[-1],
        MapCount.span == top)).one()
    if lo is None:
        return None
    kept.add(agreement_id)
    return lo * top, (hi + 1) * top


def summed(agreement_id: str, scope_cond: Any, level: int, xs: tuple[int, int] | None,
           ys: tuple[int, int] | None, d0: int, d1: int, verdicts: Iterable[str],
           *lead: Any) -> list[Any]:
    """The statements (to be joined with UNION ALL) of the rows' sums for cells at `level` in
    x range `xs` and y range `ys` (inclusive; None: all), over the days [d0, d1): the columns
    `lead`, x, y, and per verdict how many and the sums of their longitudes and latitudes in
    millionths of a degree (`MICRO`)."""
    cols = [func.sum(getattr(MapCount, f"{c}_{v}")) for v in verdicts
            for c in ("n", "lon", "lat")]
    parts = []
    for span, bs in blocks(d0, d1):  # each span through the key's index
        q = select(*lead, MapCount.x, MapCount.y, *cols).where(
            MapCount.agreement_id == agreement_id, MapCount.level == level,
            MapCount.span == span, MapCount.block.in_(bs), scope_cond)
        if xs is not None and ys is not None:
            q = q.where(MapCount.x.in_(range(xs[0], xs[1] + 1)),
                        MapCount.y.between(ys[0], ys[1]))
        parts.append(q.group_by(MapCount.x, MapCount.y))
    return parts


__all__ = ["LEVELS", "SPANS", "blocks", "by_row", "day_of", "day_start", "differences", "extent",
           "offsets", "rebuild", "rows_of", "summed", "whole_days", "write", "zone"]
