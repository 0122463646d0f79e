"""The web UI: the page, its scripts and the base map, all shipped in the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import FileResponse
from pydantic import Field

from jig.i18n import LANGUAGES
from jig.report.bidi import isolate_ltr
from jig.report.reasons import translate_phrase
from jig.service.context import Context, context
from jig.service.errors import ApiError
from jig.service.routes.incidents import JUDGED
from jig.service.schemas import RequestBody

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


class TranslateIn(RequestBody):
    lang: str = Field(description="ru or ar (en answers the texts as sent)")
    texts: list[str] = Field(max_length=500, description="Reasons, act phrases, field labels")


@router.post("/ui/translate")
def translate(body: TranslateIn = Body()) -> dict[str, Any]:
    """The texts the page shows in English (the engine's reasons, its act phrases, field
    labels) in the page's language, through the same catalogs as the reports: each a
    translation, or null where the catalog has none (the page keeps the English). Nothing of
    the store is read: the page sends what it already shows."""
    if body.lang not in LANGUAGES:
        raise ApiError(422, "query.lang", f"lang {body.lang!r}: use one of {', '.join(LANGUAGES)}")
    # Each Latin run of an Arabic translation (a time, a point, an actor's name as recorded)
    # isolated, as in the reports: the page showed '2016-08-11T09:00' as '11T09:00-08-2016'.
    out = [translate_phrase(t, body.lang) if len(t) <= 4000 else None for t in body.texts]
    return {"lang": body.lang,
            "texts": [isolate_ltr(x, body.lang) if x is not None else None for x in out]}
