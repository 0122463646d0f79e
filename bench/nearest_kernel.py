"""The zone kernel on W1's points with and without each cell's candidate nearest edges.

Run: .venv/bin/python bench/nearest_kernel.py [N]   (default 1,000,000 points x 1,000 zones)

Builds W1 as bench/scale.py does (same seed), then times `accel.decide_zones` on the points'
arrays, one thread, in CPU seconds of this process (fair on a shared machine): once searching
rings of grid cells for every point (the kernels before candidates), once from the cells'
candidate edges, alternating, medians of 3. Checks that both give the same outcome, zone and
metres for every point, and prints the time to build the grid and the candidates.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from scale import BOX, agreement_for, zones

from jig.engine import accel


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = np.random.default_rng(1)
    agreement = agreement_for(zones(rng, 1000, partial_validity=False))
    x, y = agreement.projection.xy(rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n))
    accel.settings.threads = 1
    every = np.ones(len(agreement.zones), bool)
    t = time.process_time()
    grid = accel.zone_grid(agreement)
    built_grid = time.process_time() - t
    runs = accel.runs_of(agreement)
    accel.nearest_candidates(agreement, every)  # compiles the builder on a first run
    agreement.indexes.pop(("nearest-candidates", np.packbits(every).tobytes()))
    t = time.process_time()
    near = accel.nearest_candidates(agreement, every)
    built_near = time.process_time() - t
    always = np.full(len(every), np.inf)
    zero = np.zeros(n)
    args = (grid, every, -always, always, x, y, zero, zero, zero, runs)
    ways = {"rings of cells": None, "candidate edges": near}
    times: dict[str, list[float]] = {k: [] for k in ways}
    out = {k: accel.decide_zones(*args, near=v) for k, v in ways.items()}  # warm
    for _ in range(3):
        for k, v in ways.items():
            t = time.process_time()
            accel.decide_zones(*args, near=v)
            times[k].append(time.process_time() - t)
    same = all(np.array_equal(a, b) for a, b in zip(*out.values(), strict=True))
    print(f"W1: {n:,} points x {len(every):,} zones, one thread, CPU seconds")
    print(f"  index: grid {built_grid:.2f} s, candidates {built_near:.2f} s "
          f"({near.kept.mean():.1%} of {len(near.kept):,} cells keep them, "
          f"{np.diff(near.start)[near.kept].mean():.0f} edges a cell)")
    for k, ts in times.items():
        print(f"  kernel, {k:<16} {statistics.median(ts):6.3f} s")
    ratio = statistics.median(times["rings of cells"]) / statistics.median(times["candidate edges"])
    print(f"  {ratio:.2f}x; same outcome, zone and metres for every point: {same}")


if __name__ == "__main__":
    main()
