"""The map's overview: how many incidents there are, by verdict, per grid cell and per day,
for the asker's view and filters, counted in the database (`jig.store.overview`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from jig.service.context import Context, allow, context, reading, signs_in
from jig.service.errors import ERRORS
from jig.service.routes.incidents import _filters, _version
from jig.store import overview
from jig.store.queries import Filters

router = APIRouter(tags=["incidents"])
MAX_CELLS = 256  # across the view: more would be a point per pixel, not an overview


def _period(version_doc: Any, f: Filters) -> Filters:
    """Without a period asked for, the agreement's time in force."""
    window = version_doc.in_force
    start = f.t_from if f.t_from is not None else (
        window.start if window.start != float("-inf") else None)
    end = f.t_to if f.t_to is not None else (window.end if window.end != float("inf") else None)
    return replace(f, t_from=start, t_to=end)


def _iso(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).isoformat() if t is not None else None


def _common(ctx: Context, agreement: str | None, t_from: str | None, t_to: str | None,
            bbox: str | None, within: str | None, actor: str | None, clause: str | None,
            outcome: str | None, verdict: str | None, source: str | None, grade: str | None,
            every_time: bool, s: Session | None = None) -> tuple[Any, Any, Filters]:
    version = _version(ctx, agreement, s)
    a = ctx.store.load(version)
    f = _filters(ctx, t_from, t_to, bbox, within, actor, clause, outcome, verdict, s)
    f = replace(f, source=source, grade=grade)
    if not every_time:
        f = _period(a, f)
    return version, a, f


AGREEMENT = Query(None, description="Agreement id (default: the only one)")
FROM = Query(None, alias="from", description="Acts overlapping from this time (default: "
             "the agreement's entry into force)")
TO = Query(None, alias="to", description="... until this time (default: the end of its "
           "time in force, if it has one)")
BBOX = Query(None, description="minlon,minlat,maxlon,maxlat (default: everywhere)")
WITHIN = Query(None, description="A GeoJSON Polygon geometry")
EVERY_TIME = Query(False, alias="all_time", description="Count every time, not only the "
                   "agreement's time in force, when no period is given")
WHOLE = Query(False, description="Count the cells the box touches whole: the box is widened "
              "to them, and the answer's `bbox` says which box was counted (what the map "
              "asks: a cell's count does not change as the view pans over it)")


@router.get("/incidents/overview", responses=ERRORS, dependencies=[Depends(signs_in)])
def get_overview(
    agreement: str | None = AGREEMENT, t_from: str | None = FROM, t_to: str | None = TO,
    bbox: str | None = BBOX, within: str | None = WITHIN,
    actor: str | None = None, clause: str | None = None, outcome: str | None = None,
    verdict: str | None = None, source: str | None = None, grade: str | None = None,
    every_time: bool = EVERY_TIME, whole: bool = WHOLE,
    cells: int = Query(32, ge=1, le=MAX_CELLS, description=f"About how many grid cells across the view's "
                       f"width (at most {MAX_CELLS}); cell sides are powers of two of a degree"),
    *, request: Request, ctx: Context = Depends(context),
) -> dict[str, Any]:
    """Every incident the asker may see under the filters, counted by verdict per grid cell:
    `total` and `by_verdict` over the whole view, and per cell its south-west corner, its
    counts and the mean place of its incidents. The same rows `GET /incidents` lists for the
    same asker and filters (the answer's `bbox`), none left out at any zoom."""
    with reading(request) as (p, s):
        allow(p, "analyst", "lead", "reviewer")
        version, _, f = _common(ctx, agreement, t_from, t_to, bbox, within, actor, clause,
                                outcome, verdict, source, grade, every_time, s)
        box = f.bbox or (-180.0, -90.0, 180.0, 90.0)
        size = overview.cell_size(box, cells)
        if whole and f.bbox is not None:
            f = replace(f, bbox=overview.whole_cells(f.bbox, size))
        got = overview.grid(s, version.agreement_id, f, p.scope, size)
    return {"total": got.total, "by_verdict": got.by_verdict, "cell": size,
            "bbox": list(f.bbox) if f.bbox is not None else None,
            "from": _iso(f.t_from), "to": _iso(f.t_to),
            "cells": [{"lon": c.lon, "lat": c.lat, "n": c.n, "counts": c.counts,
                       "at": [round(c.at[0], 5), round(c.at[1], 5)]} for c in got.cells]}


@router.get("/incidents/histogram", responses=ERRORS, dependencies=[Depends(signs_in)])
def get_histogram(
    agreement: str | None = AGREEMENT, t_from: str | None = FROM, t_to: str | None = TO,
    bbox: str | None = BBOX, within: str | None = WITHIN,
    actor: str | None = None, clause: str | None = None, outcome: str | None = None,
    verdict: str | None = None, source: str | None = None, grade: str | None = None,
    every_time: bool = EVERY_TIME,
    *, request: Request, ctx: Context = Depends(context),
) -> dict[str, Any]:
    """Incidents the asker may see under the filters, counted by verdict per day (the day
    each began, in the agreement's timezone), for a histogram over time."""
    with reading(request) as (p, s):
        allow(p, "analyst", "lead", "reviewer")
        version, a, f = _common(ctx, agreement, t_from, t_to, bbox, within, actor, clause,
                                outcome, verdict, source, grade, every_time, s)
        # Days in the agreement's timezone, at its offset when the period begins (a period
        # crossing a change of summer time shifts its days by that hour).
        at = datetime.fromtimestamp(f.t_from if f.t_from is not None else 0, UTC)
        offset = at.astimezone(a.tz).utcoffset()
        offset_s = offset.total_seconds() if offset is not None else 0.0
        days = overview.histogram(s, version.agreement_id, f, p.scope, offset_s)
    return {"timezone": a.timezone_name, "from": _iso(f.t_from), "to": _iso(f.t_to),
            "days": [{"day": datetime.fromtimestamp(d * 86_400, UTC).date().isoformat(),
                      "counts": counts, "n": sum(counts.values())}
                     for d, counts in sorted(days.items())]}
