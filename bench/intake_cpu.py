"""CPU time of one single-record intake, in one process, on a SQLite store preloaded with N
incidents (the load bench's preload and records): less sensitive than wall time to a shared
machine's load, since it counts this process's own work.

Run: .venv/bin/python bench/intake_cpu.py 0 100000
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import service_load

from jig.readers.fields import to_incident
from jig.store import Store


def measure(n: int, records: int = 100) -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'jig.db'}"
    took = service_load.preload(url, folder, n)
    store = Store.open(url, key_folder=folder)
    tz = store.intake_tz()
    rng = random.Random(99)
    recs = [to_incident(service_load.record(i, rng, "Q"), tz) for i in range(records + 10)]
    for r in recs[:10]:  # warm: the agreement parsed, the log's tree read
        store.add_incidents([r])
    cpu, wall = time.process_time(), time.perf_counter()
    for r in recs[10:]:
        store.add_incidents([r])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    store.close()
    print(f"store of {n:,} incidents (preloaded in {took:.0f} s): {cpu / records * 1000:.1f} ms "
          f"CPU, {wall / records * 1000:.1f} ms wall a record")


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["0", "100000"]:
        measure(int(arg))
