"""One JSON error shape for every 4xx and 5xx, documented in OpenAPI and pinned by a test:

    {"error": {"code": "...", "message": "...", "problems": [{"code", "message", "where", "hint"}]}}

`where` names the field (`path`), or the file, line and feature of an uploaded agreement.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from jig.errors import JigError, Problem
from jig.store.sealing import SealedWithoutKey

log = logging.getLogger("jig.service")


class Where(BaseModel):
    file: str | None = None
    line: int | None = None
    feature: str | None = None
    path: str | None = None


class ProblemOut(BaseModel):
    code: str
    message: str
    where: Where = Where()
    hint: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    problems: list[ProblemOut] = []


class ErrorResponse(BaseModel):
    """Every error jig's API returns."""

    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 problems: list[Problem] | None = None):
        self.status, self.code, self.message = status, code, message
        self.problems = problems or []


def body(code: str, message: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "problems": problems or []}}


ERRORS = {status: {"model": ErrorResponse, "description": text} for status, text in (
    (400, "The request is malformed"),
    (401, "Sign in: the store has users and the token is missing, unknown, expired or revoked"),
    (403, "Your role or party may not do this"), (404, "No such resource"),
    (409, "Conflicts with what is stored"),
    (413, "The request body is over the server's limit (`max_body_bytes`, "
     "`max_agreement_bytes`, `max_bulk_bytes`)"),
    (422, "The request or a record in it is invalid; `problems` says where and why"),
    (500, "Internal error (nothing was written)"),
    (503, "The store is unavailable (nothing was written; retry after `Retry-After` s), or a "
     "record it needs is sealed at rest and its key is not configured"))}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body(exc.code, exc.message, [p.as_dict() for p in exc.problems]),
                            status_code=exc.status)

    @app.exception_handler(JigError)
    async def _jig(_: Request, exc: JigError) -> JSONResponse:
        return JSONResponse(body("invalid", exc.problems[0].message if exc.problems else "invalid",
                                 [p.as_dict() for p in exc.problems]), status_code=422)

    @app.exception_handler(SealedWithoutKey)
    async def _sealed(_: Request, exc: SealedWithoutKey) -> JSONResponse:
        # The store needs a record whole and its owner's at-rest key is not configured.
        return JSONResponse(body("store.key_missing", str(exc)), status_code=503)

    async def _json_error(request: Request, fallback: str) -> str:
        try:
            json.loads(await request.body())
        except json.JSONDecodeError as exc:
            return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        except (UnicodeDecodeError, RecursionError):
            pass
        return fallback

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if getattr(request.state, "signs_in", False):
            # A route that looks up who asks itself (`context.reading`) answers "sign in"
            # first, as the routes taking `Who` do before their parameters are checked.
            from jig.service.context import who

            try:
                await run_in_threadpool(who, request)
            except ApiError as refused:
                return await _api(request, refused)
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            kind = str(err.get("type", "invalid"))
            message = (f"unknown key {err['loc'][-1]!r}" if kind == "extra_forbidden"
                       else str(err.get("msg", "invalid")))
            if kind == "json_invalid":
                # "JSON decode error" at "body.40" (a character offset) said neither what nor
                # where a person reads it (an operator's review): the parser's own words.
                message, loc = await _json_error(request, message), "body"
            problems.append({"code": "request." + kind, "message": message,
                             "where": {"path": loc}})
        return JSONResponse(body("request.invalid", "the request is invalid", problems),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        return JSONResponse(body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _: ClientDisconnect) -> JSONResponse:
        # The client went away before its body arrived whole (what came is not kept): its
        # doing, not the server's, so not a 500 that would page an operator. 499, as nginx
        # counts a request its client closed; nobody is left to read the answer.
        log.info("%s %s: the client went away before its body arrived", request.method,
                 request.url.path)
        return JSONResponse(body("request.incomplete", "the request body did not arrive "
                                 "whole; nothing was kept"), status_code=499)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or out of connections: not the request's fault,
        # and nothing was written (every write is one transaction), so say when to retry.
        log.warning("store unavailable: %s", exc)
        return JSONResponse(body("store.unavailable", "the store is unavailable; nothing was "
                                 "written: send the request again later"),
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return JSONResponse(body("internal", "internal error; nothing was written"),
                            status_code=500)
