"""`jig check` end to end on a million incidents against 1,000 zones: time and peak memory.

Run: .venv/bin/python bench/check_1m.py [N] [--threads T | --pairs P] [--discs] [--geopandas]

Writes W1's agreement (bench/scale.py, same seed) and N incidents as a CSV in the contract's
fields (kept in the temporary folder, jig-check-1m-N[-discs], for the next run), then runs
`jig check … -f jsonl` as a separate process and reports its wall time and peak resident memory:
what a user judging a long CSV sees, reading and writing included. Also its CPU time (user +
system), the fairer figure on a shared machine, and the memory of all its processes together
(sampled PSS: `--threads 2` forks workers). `--threads T` is passed to `jig check` (default:
its own, every core); `--discs` gives each incident a location disc of 1-50 km (`precision_m`),
as the issue's end-to-end target has them, and half the zones valid from 20 August (W2's
input).
`--pairs P`: `--threads 1` and `--threads 2` alternately, P times, and the speed-up of each
pair and their median (what issue 12's two-core target compares).
`--geopandas`: also the pipeline an analyst would write (pandas reads the CSV, GeoPandas
projects, buffers the discs, `sjoin`s with the zones and writes JSON Lines of the pairs), in
this process, timed the same way.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scale import BOX, zones

JIG = Path(sys.executable).with_name("jig")


def geopandas_pipeline(agreement: Path, incidents: Path, out: Path, discs: bool) -> int:
    """Read, project, (buffer,) join and write JSON Lines: containment pairs only, no
    distances, no reasons."""
    import geopandas as gpd
    import pandas as pd

    from jig import load_agreement

    proj = load_agreement(agreement).projection
    crs = f"+proj=tmerc +lat_0={proj.lat0} +lon_0={proj.lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84"
    df = pd.read_csv(incidents)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326).to_crs(crs)
    if discs:
        pts = pts.set_geometry(pts.geometry.buffer(pts.precision_m, quad_segs=8))
    doc = json.loads(agreement.read_text())
    zs = gpd.GeoDataFrame.from_features(doc["zones"]["features"], crs=4326).to_crs(crs)
    pairs = gpd.sjoin(pts, zs[["id", "geometry"]], how="left",
                      predicate="intersects" if discs else "within")
    pairs[["id_left", "id_right"]].to_json(out, orient="records", lines=True)
    return len(pairs)


def _pss(pid: int) -> int:
    """A process's proportional set size in kB (its shared pages divided among their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [q for c in fh.read().split() for q in _tree(int(c))]
    except OSError:
        pass
    return out


def tree_memory(proc: subprocess.Popen) -> float:
    """The largest memory (MB) the process and the workers it forks held together, sampled
    every 0.2 s until it ends: with worker processes, the largest one's peak says little."""
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss(p) for p in _tree(proc.pid)))
        time.sleep(0.2)
    return peak / 1024


def run(agreement: Path, incidents: Path, out: Path, threads: list[str]
        ) -> tuple[float, float, float]:
    """One `jig check` in its own process: wall and CPU seconds (its workers' included) and
    the memory of all its processes together (MB, sampled PSS)."""
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.Popen([str(JIG), "check", str(agreement), str(incidents), "-f",
                             "jsonl", "-o", str(out), *threads])
    total = tree_memory(proc)
    if proc.wait():
        raise SystemExit(f"jig check failed ({proc.returncode})")
    wall = time.perf_counter() - t
    after = os.times()
    return wall, (after.children_user - before.children_user
                  + after.children_system - before.children_system), total


def alternate(agreement: Path, incidents: Path, out: Path, pairs: int) -> None:
    """`--threads 1` and `--threads 2` one after the other, `pairs` times: on a machine whose
    speed moves between runs, a pair's ratio compares like with like."""
    walls: dict[int, list[float]] = {1: [], 2: []}
    for k in range(pairs):
        for t in (1, 2):
            wall, cpu, total = run(agreement, incidents, out, ["--threads", str(t)])
            walls[t].append(wall)
            print(f"pair {k + 1}, --threads {t}: {wall:.1f} s, {cpu:.1f} s CPU, {total:,.0f} MB "
                  f"(all its processes, PSS sampled); load average {os.getloadavg()[0]:.1f}",
                  flush=True)
    ratios = [a / b for a, b in zip(walls[1], walls[2], strict=True)]
    print(f"two processes against one, {pairs} pairs: "
          f"{' / '.join(f'{r:.2f}x' for r in ratios)}, median {statistics.median(ratios):.2f}x "
          f"(medians {statistics.median(walls[1]):.1f} s and {statistics.median(walls[2]):.1f} "
          "s); issue 12 asks at least 1.7x")


def main() -> None:
    args = sys.argv[1:]
    threads: list[str] = []
    if "--threads" in args:
        at = args.index("--threads")
        threads = ["--threads", args[at + 1]]
        del args[at:at + 2]
    pairs = 0
    if "--pairs" in args:
        at = args.index("--pairs")
        pairs = int(args[at + 1])
        del args[at:at + 2]
    discs = "--discs" in args
    geopandas = "--geopandas" in args
    args = [a for a in args if a not in ("--discs", "--geopandas")]
    n = int(args[0]) if args else 1_000_000
    rng = np.random.default_rng(2016)
    doc = {"jig": 1, "id": "bench", "in_force": {"from": "2016-07-15", "until": "2016-10-03"},
           "timezone": "UTC", "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
           "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
           "zones": {"type": "FeatureCollection", "features": zones(rng, 1000, discs)},
           "clauses": [{"id": "no-strikes", "rule": "no_strikes_in", "bound": ["AF"],
                        "acts": ["air_strike"], "zones": {"kind": "designated"}}]}
    lon, lat = rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)
    day, hour = rng.integers(1, 29, n), rng.integers(0, 24, n)
    radius = rng.uniform(1_000, 50_000, n) if discs else None
    # The input is kept between runs, in the same place: a user judges the same files again,
    # and jig keeps what it read of an agreement file by its name and bytes.
    tmp = Path(tempfile.gettempdir()) / f"jig-check-1m-{n}{'-discs' if discs else ''}"
    tmp.mkdir(exist_ok=True)
    agreement, incidents, out = (tmp / f for f in
                                 ("agreement.yaml", "incidents.csv", "findings.jsonl"))
    text = json.dumps(doc, default=list)
    if not (agreement.exists() and agreement.read_text() == text and incidents.exists()):
        agreement.unlink(missing_ok=True)  # written last: there, it says the CSV is whole
        with incidents.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "time", "lon", "lat", "actor", "act", "precision_m"])
            for k in range(n):
                w.writerow([f"I{k}", f"2016-08-{day[k]:02d}T{hour[k]:02d}:00", f"{lon[k]:.5f}",
                            f"{lat[k]:.5f}", "A forces", "air_strike",
                            f"{radius[k]:.0f}" if radius is not None else ""])
        agreement.write_text(text)
    try:
        if pairs:
            alternate(agreement, incidents, out, pairs)
            return
        wall, cpu, total = run(agreement, incidents, out, threads)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with out.open() as fh:
            verdicts: dict[str, int] = {}
            for line in fh:
                v = json.loads(line)["verdict"]
                verdicts[v] = verdicts.get(v, 0) + 1
        print(f"jig check, {n:,} incidents x 1,000 zones{' with discs' if discs else ''}"
              f"{' ' + ' '.join(threads) if threads else ''}: {wall:.1f} s ({n / wall:,.0f} "
              f"incidents/s), {cpu:.1f} s CPU, peak memory {peak:,.0f} MB (largest process), "
              f"{total:,.0f} MB (all its processes, PSS sampled); verdicts {verdicts}; load "
              f"average {os.getloadavg()[0]:.1f}")
        if geopandas:
            t, c = time.perf_counter(), time.process_time()
            pairs = geopandas_pipeline(agreement, incidents, Path(tmp) / "gpd.jsonl", discs)
            wall_g, cpu_g = time.perf_counter() - t, time.process_time() - c
            peak_g = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"GeoPandas read-sjoin-write: {wall_g:.1f} s wall, {cpu_g:.1f} s CPU, peak "
                  f"memory {peak_g:,.0f} MB ({pairs:,} rows); jig is {cpu_g / cpu:.2f}x in CPU, "
                  f"{wall_g / wall:.2f}x in wall time")
    finally:
        for f in (out, Path(tmp) / "gpd.jsonl"):
            f.unlink(missing_ok=True)  # hundreds of MB each


if __name__ == "__main__":
    main()
