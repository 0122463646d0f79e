"""The web UI: the page, its scripts and the base map, all shipped in the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from jig.service.context import Context, context
from jig.service.routes.incidents import JUDGED

STATIC = Path(__file__).resolve().parents[2] / "ui" / "static"
router = APIRouter(tags=["ui"], include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/docs")
def docs() -> FileResponse:
    """The API's docs (Swagger UI), every file served from here."""
    return FileResponse(STATIC / "docs.html", media_type="text/html")


@router.get("/ui/config")
def config(ctx: Context = Depends(context)) -> dict[str, Any]:
    """What the page needs before sign-in: whether tokens are needed, the tile layer."""
    return {"locked": ctx.locked(), "judged_fields": sorted(JUDGED),
            "tile_url": ctx.settings.tile_url,
            "tile_attribution": ctx.settings.tile_attribution}
