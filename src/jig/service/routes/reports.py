"""The periodic report from the store, as the asking user may see it (HTML or PDF)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from jig.errors import Location, Problem
from jig.i18n import LANGUAGES, negotiate
from jig.report import render_html, render_pdf
from jig.report.fromstore import report_from_store
from jig.report.tally import report_periods
from jig.service.context import Context, Who, allow, context
from jig.service.errors import ERRORS, ApiError

router = APIRouter(tags=["reports"])


@router.get("/reports", responses=ERRORS | {200: {
    "description": "The report: one self-contained HTML page, or a PDF",
    "content": {"text/html": {}, "application/pdf": {}}}})
def get_report(
    request: Request,
    agreement: str | None = Query(None, description="Agreement id (default: the only one)"),
    t_from: str | None = Query(None, alias="from", description="First day of the period "
                               "(default: the agreement's first day in force)"),
    t_to: str | None = Query(None, alias="to", description="Last day, included"),
    compare: str = Query("previous", description="previous, none, or FROM/TO"),
    lang: str | None = Query(None, description="en, ru or ar (default: from Accept-Language)"),
    fmt: str = Query("html", alias="format", description="html or pdf"),
    *, p: Who, ctx: Context = Depends(context),
) -> Response:
    """The monitoring report of a period against the one before, built from the store as the
    asking user sees it: a party's report holds its headquarters' records and what was
    released to the joint centre, less the fields withheld from it; the header names the
    signed audit head it was built from."""
    allow(p, "analyst", "lead", "reviewer")  # who may read incidents may read their report
    if lang is not None and lang not in LANGUAGES:
        raise ApiError(422, "query.invalid", "the query is invalid", [Problem(
            "query.lang", f"lang {lang!r}: use one of {', '.join(LANGUAGES)}",
            Location(path="lang"))])
    if fmt not in ("html", "pdf"):
        raise ApiError(422, "query.invalid", "the query is invalid", [Problem(
            "query.format", f"format {fmt!r}: use html or pdf", Location(path="format"))])
    language = lang or negotiate(request.headers.get("accept-language"))
    try:
        version = ctx.store.version(agreement)
    except KeyError as exc:
        raise ApiError(404 if agreement else 400, "agreement.unknown",
                       str(exc.args[0])) from None
    a = ctx.store.load(version)
    try:
        period, before = report_periods(a, t_from, t_to, compare)
    except ValueError as exc:
        where = re.match(r"\w+", str(exc))
        raise ApiError(422, "query.invalid", "the query is invalid", [Problem(
            "query.period", str(exc), Location(path=where[0] if where else "from/to"))]) from None
    built = report_from_store(ctx.store, version, p.scope, period, before)
    headers = {"Content-Language": language}
    if fmt == "pdf":
        name = f"jig-report-{version.agreement_id}-{period.first}-{period.last}-{language}.pdf"
        return Response(render_pdf(built.builder, built.inputs, built.notices, language),
                        media_type="application/pdf",
                        headers=headers | {"Content-Disposition": f'inline; filename="{name}"'})
    return HTMLResponse(render_html(built.builder, built.inputs, built.notices, language),
                        headers=headers)
