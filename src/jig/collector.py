"""Python's cyclic garbage collector, set for a process that is jig's own (`jig import`,
`jig serve`).

Storing makes hundreds of thousands of short-lived objects (records, findings, row images)
while the process keeps many (parsed agreements, compiled statements, cached incidents). At
Python's default thresholds the collector walked the kept ones again and again: a quarter of
`jig import`'s CPU, a tenth of a single intake's in the service, with pauses of up to 170 ms.
What start-up made is set aside for good and the young are collected less often.

Not for `jig check`: its columnar path makes few objects, so collections became rare and
garbage cycles holding arrays lived longer (two processes went from 1.0 to 1.2-1.3 GB
together, no faster). And process-wide, so only where jig owns the process: never from the
library, an app embedded in another program, or a command a test runs inside the test's own
process (`CliRunner`).
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)  # Python's defaults: 700, 10, 10

_claimed = False  # the process is the `jig` command's (`claim`)


def claim() -> None:
    """Say the process is the `jig` command's own: its console entry point does."""
    global _claimed
    _claimed = True


def tune() -> None:
    """Freeze what exists now (start-up's objects) and collect the young less often."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def tune_command() -> None:
    """`tune`, when the process is the `jig` command's (`claim`)."""
    if _claimed:
        tune()
