"""The current selection written out for others: the incidents the asker sees under the map's
view and filters, as CSV (a row per finding), GeoJSON or GeoPackage, as `jig check` writes
them (`jig.output`, `jig.export`)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from jig.errors import Location, Problem
from jig.export import write_geopackage
from jig.output import write_csv, write_geojson
from jig.report.fromstore import store_verdicts
from jig.service.context import Context, Who, allow, context
from jig.service.errors import ERRORS, ApiError
from jig.service.routes.overview import AGREEMENT, BBOX, EVERY_TIME, FROM, TO, WITHIN, _common

router = APIRouter(tags=["incidents"])
MAX_EXPORT = 1_000_000
TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
         "gpkg": "application/geopackage+sqlite3"}


@router.get("/incidents/export", responses=ERRORS | {200: {
    "description": "The selection as a file to save",
    "content": {"text/csv": {}, "application/geo+json": {}, "application/geopackage+sqlite3": {}}}})
def export_incidents(
    agreement: str | None = AGREEMENT, t_from: str | None = FROM, t_to: str | None = TO,
    bbox: str | None = BBOX, within: str | None = WITHIN,
    actor: str | None = None, clause: str | None = None, outcome: str | None = None,
    verdict: str | None = None, source: str | None = None, grade: str | None = None,
    every_time: bool = EVERY_TIME,
    fmt: str = Query("csv", alias="format", description="csv (a row per finding), geojson "
                     "or gpkg (layers zones, sites, targets and incidents)"),
    limit: int = Query(100_000, ge=1, le=MAX_EXPORT, description="Refuse (422) rather than "
                       f"write more than this many incidents (at most {MAX_EXPORT:,})"),
    *, p: Who, ctx: Context = Depends(context),
) -> Response:
    """Every incident the asker may see under the filters (the same rows `GET /incidents`
    lists and `GET /incidents/overview` counts, less the fields withheld from the asker),
    with its findings, written whole: more than `limit` is refused, never cut short."""
    allow(p, "analyst", "lead", "reviewer")
    if fmt not in TYPES:
        raise ApiError(422, "query.invalid", "the query is invalid", [Problem(
            "query.format", f"format {fmt!r}: use one of {', '.join(TYPES)}",
            Location(path="format"))])
    version, a, f = _common(ctx, agreement, t_from, t_to, bbox, within, actor, clause,
                            outcome, verdict, source, grade, every_time)
    verdicts = store_verdicts(ctx.store, version, p.scope, f, limit + 1)
    if len(verdicts) > limit:
        raise ApiError(422, "query.limit", f"the selection holds more than {limit:,} "
                       "incidents: narrow it (view, period, filters) or raise `limit` (at "
                       f"most {MAX_EXPORT:,})")
    name = f"jig-{version.agreement_id}-v{version.version}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "X-Jig-Incidents": str(len(verdicts))}
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            write_geopackage(path, a, verdicts)
            body: Any = path.read_bytes()
    else:
        out = io.StringIO()
        (write_csv if fmt == "csv" else write_geojson)(verdicts, out)
        body = out.getvalue()
    return Response(body, media_type=TYPES[fmt], headers=headers)
