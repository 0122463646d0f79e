"""The service's Prometheus metrics (served at `/metrics` by `operations`): defined once per
process, at import."""

from __future__ import annotations

from collections import Counter as CounterOf
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

REQUESTS = Counter("jig_requests_total", "Requests answered, by route and status",
                   ["method", "route", "status"])
LATENCY = Histogram("jig_request_seconds", "Time to answer a request, by route",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
RECORDS = Counter("jig_records_taken_total", "Incident records taken in (single, list and "
                  "bulk intake), by what became of them", ["status"])


def taken(statuses: Iterable[str]) -> None:
    """Count records taken in by what became of each (stored, revised, restored,
    unchanged)."""
    for status, n in CounterOf(statuses).items():
        RECORDS.labels(status).inc(n)
