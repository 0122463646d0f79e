"""Headers on every answer: what the browser may load and run, and that nothing is cached.

A pure ASGI middleware (not Starlette's BaseHTTPMiddleware), so that streamed request bodies
(bulk uploads) pass through untouched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]


def content_security_policy(tile_url: str | None) -> str:
    """Scripts, styles and data from this server only; tiles from the configured tile
    server; never inside another site's frame. Styles allow inline ones: the API docs' viewer
    sets them."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{", "").replace("}", ""))
        tiles = f" {parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    # Static files (the UI's scripts, the docs' assets) may be cached; answers may not: they
    # carry one party's records.
    CACHEABLE = ("/ui/static/", "/docs/assets/")

    def __init__(self, app: Any, tile_url: str | None = None):
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(tile_url).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cache = [] if scope["path"].startswith(self.CACHEABLE) else \
            [(b"cache-control", b"no-store")]

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers + cache if k not in names]
                message = message | {"headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
