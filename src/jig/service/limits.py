"""Request body limits: a body over its limit is refused (413) before it costs memory or disk.

A declared `Content-Length` over the limit is answered at once, without reading the body; a
body sent without one (chunked) is counted as it is read and refused when it passes the limit.
Which limit applies depends on the route: a bulk file may be large, an agreement (YAML and its
GeoJSON) less so, every other JSON body is small.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jig.errors import Location, Problem
from jig.readers.fields import not_text
from jig.service.errors import ApiError, body
from jig.service.settings import Settings


def vertices(doc: Any, budget: int) -> int:
    """Positions in a GeoJSON document's `coordinates`, counted until `budget` is passed."""
    count, todo = 0, [doc]
    while todo and count <= budget:
        item = todo.pop()
        if isinstance(item, dict):
            coords = item.get("coordinates")
            if isinstance(coords, list):
                stack = [coords]
                while stack and count <= budget:
                    c = stack.pop()
                    if c and all(isinstance(x, int | float) for x in c):
                        count += 1
                    else:
                        stack += [x for x in c if isinstance(x, list)]
            todo += [v for k, v in item.items() if k != "coordinates" and
                     isinstance(v, dict | list)]
        elif isinstance(item, list):
            todo += [v for v in item if isinstance(v, dict | list)]
    return count


def plain_name(name: str, where: str) -> str:
    """A file name a client gives (a bulk upload's, an agreement's GeoJSON): a plain name the
    file system takes, or a 422 naming `where`; never a path out of the folder it goes in."""
    wrong = None
    if name in ("", ".", "..") or any(c in name for c in "/\\"):
        wrong = "must be a plain file name: no folder, not empty, . or .."
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        wrong = "holds a control character"
    elif not_text(name, "") is not None:
        wrong = "is not Unicode text (it holds a lone surrogate)"
    elif len(name.encode("utf-8")) > 255:
        wrong = "is over 255 bytes, the longest name a file system takes"
    if wrong:
        raise ApiError(422, "request.filename", f"file name {name!r} {wrong}",
                       [Problem("request.filename", wrong, Location(path=where))])
    return name


async def text_only(request: Request) -> None:
    """Every route's first step: what a client sends is text, without NUL (PostgreSQL stores
    none, in text or JSON) and without lone surrogates (no database or file system stores
    them). Refused here, naming where, rather than by the database with a 500."""
    problems = [Problem("request.text", "holds a NUL character", Location(path=name))
                for name, value in [*request.path_params.items(),
                                    *request.query_params.multi_items()]
                if "\x00" in name or "\x00" in str(value)]
    ctype = request.headers.get("content-type", "")
    bulk = request.url.path.rstrip("/") == "/incidents/bulk"
    if not problems and not bulk and request.method in ("POST", "PUT", "PATCH") \
            and "json" not in ctype and await request.body():
        # Sent as a form (curl -d's default), a notice was answered "send a notice object".
        raise ApiError(415, "request.content_type", f"the body is sent as "
                       f"{ctype.split(';')[0].strip() or 'no content type'}: send it as JSON "
                       "(Content-Type: application/json)")
    # A bulk file's rows are checked by the reader, row by row, without holding the file.
    if not problems and "json" in ctype and request.method in ("POST", "PUT", "PATCH") \
            and not bulk:
        try:
            data = json.loads(await request.body())
        except (ValueError, RecursionError):
            data = None  # the route's own parsing says what is wrong
        at = not_text(data, "") if data is not None else None
        if at is not None:
            problems.append(Problem("request.text", "holds a NUL character or a lone "
                                    "surrogate, which no store keeps", Location(path=at)))
    if problems:
        raise ApiError(422, "request.text", "the request holds characters that are not text",
                       problems)


class BodyTooLarge(ApiError):
    def __init__(self, limit: int, setting: str):
        super().__init__(413, "request.too_large", f"the request body is over {limit:,} bytes "
                         f"(the server's `{setting}`)")


def limit_for(settings: Settings, path: str) -> tuple[int, str]:
    """The body limit of a route, and the setting's name (for the message)."""
    if path.rstrip("/") == "/incidents/bulk":
        return settings.max_bulk_bytes, "max_bulk_bytes"
    if path.startswith("/agreements"):
        return settings.max_agreement_bytes, "max_agreement_bytes"
    return settings.max_body_bytes, "max_body_bytes"


class BodyLimit:
    """ASGI middleware: 413 with the error shape for a body over its route's limit."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = limit_for(self.settings, scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, BodyTooLarge(limit, setting))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # raised inside the route: its handler answers 413
                    raise BodyTooLarge(limit, setting)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, exc: ApiError) -> None:
    data = json.dumps(body(exc.code, exc.message)).encode()
    headers: list[Any] = [(b"content-type", b"application/json"),
                          (b"content-length", str(len(data)).encode()),
                          (b"connection", b"close")]  # the unread body is not waited for
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
