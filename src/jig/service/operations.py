"""What an operator watches: liveness (`/health`), readiness (`/ready`: the store answers and
its schema is the newest), Prometheus metrics (`/metrics`), and one access-log line a request.

With several worker processes (`jig serve --workers N`) the metrics of all of them are
summed through prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by
`jig serve` before the workers start).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jig.service.context import Context, Who, allow, context
from jig.service.errors import ERRORS, ErrorResponse, body
from jig.service.metrics import LATENCY, REQUESTS
from jig.store.db import HEAD, version
from jig.store.tables import Job

access = logging.getLogger("jig.access")
router = APIRouter(tags=["service"])

RETRY_AFTER = "5"  # seconds: a database restart or fail-over usually takes a few


def unavailable(message: str) -> JSONResponse:
    """503 with Retry-After: nothing was written, and the same request can be sent again."""
    return JSONResponse(body("store.unavailable", message), status_code=503,
                        headers={"Retry-After": RETRY_AFTER})


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: this process answers. It does not ask the database (restarting the service
    would not bring that back); `/ready` does."""
    return {"status": "ok"}


@router.get("/ready", responses=ERRORS | {503: {
    "model": ErrorResponse, "description": "The store does not answer, or its schema is not "
    "the newest yet (with Retry-After)"}})
def ready(ctx: Context = Depends(context)) -> Any:
    """Readiness: the store answers and its migrations are done."""
    try:
        with ctx.store.engine.connect() as c:
            c.execute(text("SELECT 1"))
            schema = version(c)
    except SQLAlchemyError as exc:
        return unavailable(f"the store does not answer ({type(exc).__name__})")
    if schema != HEAD:
        return unavailable(f"the store's schema is {schema}, not yet {HEAD}")
    return {"status": "ready", "schema": schema or ""}


@router.get("/metrics", response_class=Response, responses=ERRORS)
def metrics(p: Who, ctx: Context = Depends(context)) -> Response:
    """Prometheus metrics: requests and their latency by route, records taken in, jobs by
    status (the queue), in the text exposition format. In a store with users, for the
    reviewer's token only: counts of records taken in and jobs would tell a party that the
    other wrote something it has not released."""
    allow(p, "reviewer")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    jobs = CollectorRegistry()
    jobs.register(_Jobs(ctx))
    return Response(generate_latest(registry) + generate_latest(jobs),
                    media_type=CONTENT_TYPE_LATEST)


class _Jobs:
    """The job queue as the store holds it (shared by every process), read at each scrape."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def collect(self) -> Any:
        family = GaugeMetricFamily("jig_jobs", "Background jobs by status", labels=["status"])
        with self.ctx.store.sessions() as s:
            counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        for status in ("queued", "running", "done", "failed"):
            family.add_metric([status], counts.get(status, 0))
        yield family


class Observed:
    """Counts and times every request by its route's template (not its path: ids would make
    a metric per record), and logs one access line: client, method, path, status, time."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            client = scope.get("client") or ("-", 0)
            access.info("%s %s %s %d %.1fms", client[0], scope["method"], scope["path"],
                        status, elapsed * 1000)
