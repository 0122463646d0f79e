"""`jig check` on 100,000 synthetic incidents against the 2016 example agreement.

Run: .venv/bin/python bench/check_100k.py [N]

Generates N incidents (fixed seed) over north-west and central Syria as a CSV, then times, in
one process: reading the CSV, judging every incident against every clause (findings built),
and writing JSON Lines. As a baseline it times the plain loop a user would otherwise write
(Shapely point-in-polygon per incident and zone, no uncertainty, no exceptions) on a sample,
and prints the per-incident ratio.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from jig import check, load_agreement, read_incidents
from jig.output import write_jsonl

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ["Military Forces of Syria (2000-)", "Military Forces of Russia (2015-)",
          "Jabhat Fateh al-Sham", "Unidentified", "Islamic State"]
ACTS = ["air_strike", "shelling", "ground_attack", "unknown"]


def make_csv(path: Path, n: int, seed: int = 2016) -> None:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(35.8, 39.5, n)
    lat = rng.uniform(34.8, 36.6, n)
    day = rng.integers(5, 85, n)
    hour = rng.integers(0, 24, n)
    dated = rng.random(n) < 0.2
    prec = rng.choice([0, 1000, 5000, 25000], n)
    actor = rng.integers(0, len(ACTORS), n)
    target = rng.integers(0, len(ACTORS), n)
    act = rng.integers(0, len(ACTS), n)
    base = np.datetime64("2016-07-10")
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "time", "lon", "lat", "precision_m", "actor", "target", "act"])
        for i in range(n):
            d = str(base + np.timedelta64(int(day[i]), "D"))
            t = d if dated[i] else f"{d}T{int(hour[i]):02d}:00"
            w.writerow([f"S{i}", t, f"{lon[i]:.5f}", f"{lat[i]:.5f}", int(prec[i]),
                        ACTORS[actor[i]], ACTORS[target[i]], ACTS[act[i]]])


def plain_loop(agreement, incidents) -> int:
    """What a user would write by hand: each incident against each zone, one at a time."""
    hits = 0
    for inc in incidents:
        p = shapely.Point(inc.lon, inc.lat)
        for z in agreement.zones:
            if z.geometry.contains(p):
                hits += 1
    return hits


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    agreement = load_agreement(ROOT / "examples" / "syria-2016-jig" / "agreement.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        make_csv(path, n)
        t0 = time.perf_counter()
        read = read_incidents([path], agreement)
        t1 = time.perf_counter()
        verdicts = check(agreement, read.records)
        t2 = time.perf_counter()
        write_jsonl(verdicts, io.StringIO())
        t3 = time.perf_counter()
    sample = read.records[:5000]
    s0 = time.perf_counter()
    plain_loop(agreement, sample)
    s1 = time.perf_counter()
    per_jig = (t2 - t1) / n
    per_loop = (s1 - s0) / len(sample)
    print(f"incidents           {n:>10,}")
    print(f"read CSV            {t1 - t0:>10.2f} s  ({n / (t1 - t0):,.0f} rows/s)")
    print(f"judge (all clauses) {t2 - t1:>10.2f} s  ({n / (t2 - t1):,.0f} incidents/s)")
    print(f"write JSON Lines    {t3 - t2:>10.2f} s")
    print(f"total               {t3 - t0:>10.2f} s")
    print(f"plain loop, zones only, no uncertainty: {per_loop * 1e6:.1f} µs/incident "
          f"vs jig {per_jig * 1e6:.1f} µs/incident, all clauses -> ratio {per_loop / per_jig:.2f}x")


if __name__ == "__main__":
    main()
