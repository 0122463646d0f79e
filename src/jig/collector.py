"""Python's cyclic garbage collector, set for a process that is jig's own (`jig`, `jig serve`).

Judging and storing make hundreds of thousands of short-lived objects (records, findings,
row images) while the process keeps many (parsed agreements, compiled statements, cached
incidents). At Python's default thresholds the collector walked the kept ones again and again:
a quarter of `jig import`'s CPU, a tenth of a single intake's in the service, with pauses of
up to 170 ms. What start-up made is set aside for good and the young are collected less
often. Process-wide, so only where jig owns the process: never from the library or an app
embedded in another program.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)  # Python's defaults: 700, 10, 10


def tune() -> None:
    """Freeze what exists now (start-up's objects) and collect the young less often."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
