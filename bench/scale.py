"""Scale: jig beside the GIS stacks an analyst would otherwise use, in one run.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/scale.py [--n N]
     [--zones Z] [--w3 N3] [--only W1,W2,W3]

Workloads (fixed seed, a Syria-sized box, metres in the agreement's local projection):
  W1  N point incidents x Z zones (star-shaped polygons of ~200 vertices, a third with holes):
      which incidents lie inside which zones;
  W2  the same with location discs of 1-50 km and zones valid for part of the period (half
      of them from 20 August);
  W3  the real UCDP GED Syria records (../shared/data) replicated with jitter to N3, against
      the 272 OCHA sub-districts as zones.
jig judges every incident against a no_strikes_in clause over all the zones (`judge`: every
finding decided, the plain ones kept as columns), then builds every finding object with its
reason (`verdicts()`); both times are printed, medians of --repeat runs. For W1 and W2 the
compiled kernel is also timed alone, on the batch's arrays (`jig kernel`: for every point, the
zones holding it with its depth in them, or the nearest zone and its distance, in metres bit
for bit GEOS's; for a disc straddling edges, the share of it inside the zones, as `p`), on one
thread and on all cores; on W1 also its containment alone (the pairs of point and zone that
hold, all that GeoPandas sjoin and the "contains" baselines count: less work than the kernel
does). The baselines, in the formulation an analyst would write; "contains" ones count
pairs, "same work" ones also give what jig's reasons quote (the distance to the edge of the
zone holding a point, or to the nearest zone):
  GeoPandas  sjoin (W2: buffer the discs, sjoin intersects, then within); same work: sjoin,
             distances to the holding zones' boundaries, sjoin_nearest with distances;
  DuckDB     the spatial extension's ST_Contains join, one thread and all;
  SedonaDB   its ST_Contains join, one partition and all; its KNN join (ST_KNN, k=1) where
             it has one;
  PostGIS    a join on a GiST index, one worker (W2: buffered discs, ST_Intersects then
             ST_Within), when scripts/postgres can start a server with PostGIS (Debian's
             postgresql-15-postgis-3); same work: ST_Contains with ST_Distance to the
             boundary, then for the points in no zone a KNN `<->` subquery with ST_Distance,
             one worker and two;
  loop       every incident against every zone in Python, on a sample, scaled up.
Prints seconds per workload and the ratio of each baseline to jig (>1: jig is faster).
Defaults are sized for a 2-core CI-like machine to finish in minutes: --n 1000000 is W1 as
specified.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from _local import Unavailable, local_postgis

from jig import parse_agreement
from jig.engine import accel
from jig.engine.check import judge
from jig.engine.context import Batch
from jig.engine.fast import kernel_arguments, window_groups
from jig.engine.places import windows_of
from jig.engine.rules import selected_zones
from jig.readers.columns import TEXT, IncidentColumns, LazyIncidents
from jig.records import Incident
from jig.times import Span

ROOT = Path(__file__).resolve().parents[1]
BOX = (35.7, 32.3, 42.4, 37.3)
T0 = 1_470_000_000.0  # 2016-07-31 UTC
REPEAT = 3  # jig runs per workload; the median is reported (set by --repeat)
SKIP: set[str] = set()  # baselines not run (set by --skip)
# What is timed in this process: wall time, or with --cpu the CPU time of the process (every
# thread's; on a machine others share, the CPU a run takes is what stays comparable). PostGIS
# runs in its server: always wall time.
clock = time.perf_counter


def star(rng: np.random.Generator, cx: float, cy: float, size: float, holes: bool):
    n = 200
    ang = np.sort(rng.uniform(0, 2 * math.pi, n))
    rad = size * rng.uniform(0.55, 1.0, n)
    ring = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang) * 0.8])
    shell = shapely.Polygon(ring)
    if not shell.is_valid:
        shell = shapely.make_valid(shell).buffer(0)
    if holes:
        hole = shapely.Point(cx, cy).buffer(size * 0.25, quad_segs=8)
        shell = shell.difference(hole)
    return shell if shell.geom_type == "Polygon" else max(shell.geoms, key=lambda g: g.area)


def zones(rng: np.random.Generator, count: int, partial_validity: bool) -> list[dict]:
    out = []
    for k in range(count):
        cx, cy = rng.uniform(BOX[0] + 0.2, BOX[2] - 0.2), rng.uniform(BOX[1] + 0.2, BOX[3] - 0.2)
        g = star(rng, cx, cy, rng.uniform(0.03, 0.12), holes=k % 3 == 0)
        props = {"id": f"Z{k}", "kind": "designated"}
        if partial_validity and k % 2:
            props["valid_from"] = "2016-08-20"
        out.append({"type": "Feature", "properties": props,
                    "geometry": shapely.geometry.mapping(g)})
    return out


def agreement_for(features: list[dict]):
    doc = {"jig": 1, "id": "bench", "in_force": {"from": "2016-07-15", "until": "2016-10-03"},
           "timezone": "UTC", "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
           "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
           "zones": features,
           "clauses": [{"id": "no-strikes", "rule": "no_strikes_in", "bound": ["AF"],
                        "acts": ["air_strike"], "zones": {"kind": "designated"}}]}
    return parse_agreement(json.dumps(doc, default=list))


def incidents(lon: np.ndarray, lat: np.ndarray, r: np.ndarray, t: np.ndarray) -> list[Incident]:
    return [Incident(id=f"I{k}", span=Span(float(t[k]), float(t[k])), time_text="bench",
                     lon=float(lon[k]), lat=float(lat[k]), precision_m=float(r[k]),
                     actor="A forces", act="air_strike") for k in range(len(lon))]


def timed(fn, *args):
    t = clock()
    out = fn(*args)
    return clock() - t, out


def as_columns(incs: list[Incident]) -> IncidentColumns:
    """The incidents as the columnar readers hand them to the engine (arrays in: what
    `jig check` judges), built from the bench's arrays rather than read from a file."""
    n = len(incs)
    text = {name: pa.array([getattr(i, name) for i in incs], pa.string()).dictionary_encode()
            for name in TEXT}
    return IncidentColumns(pa.array([i.id for i in incs], pa.string()),
                           np.fromiter((i.lon for i in incs), float, n),
                           np.fromiter((i.lat for i in incs), float, n),
                           np.fromiter((i.precision_m for i in incs), float, n),
                           np.fromiter((i.span.start for i in incs), float, n),
                           np.fromiter((i.span.end for i in incs), float, n),
                           text, LazyIncidents(n, incs.__getitem__))


def run_jig(agreement, incs, repeat: int) -> tuple[float, float, dict[str, int]]:
    """Median seconds of `repeat` runs: judging the incidents as columns (every finding
    decided; the plain ones kept as columns) and judging plus building every finding object
    with its reason."""
    columns = as_columns(incs)
    judged, full = [], []
    for _ in range(repeat):
        t = clock()
        result = judge(agreement, columns)
        judged.append(clock() - t)
        result.verdicts()
        full.append(clock() - t)
    return statistics.median(judged), statistics.median(full), result.verdict_counts()


def run_kernel(agreement, incs, repeat: int, threads: int | None) -> tuple[float, dict[str, int]]:
    """Median seconds of the compiled zone kernel over the batch's arrays, for each set of
    zones in effect as `judge` groups the incidents (W2: zones valid from 20 August): for
    every point the zones holding it with its depth, or the nearest zone with its distance;
    for every disc also the share of it inside the zones where it straddles an edge. The
    batch (projected coordinates, radii, times) and the groups are built once beforehand:
    building them from columns is the readers' part. The first call, not timed, loads the
    machine code and builds the grid and the zones' outlines."""
    batch = Batch(agreement, incs)
    clause = agreement.clauses[0]
    windows = windows_of(batch, "zones", selected_zones(batch, clause))
    calls = []
    for places, ks in window_groups(batch, windows, np.arange(len(batch))):
        member = np.fromiter((f in places for f in agreement.zones), bool, len(agreement.zones))
        calls.append(kernel_arguments(batch, places, ks, member))
    accel.settings.threads = threads

    def once() -> np.ndarray:
        return np.concatenate([accel.decide_zones(*args)[0] for args in calls])

    once()
    times = []
    for _ in range(repeat):
        t = clock()
        outcome = once()
        times.append(clock() - t)
    accel.settings.threads = None
    codes = {"inside": 0, "straddling (undetermined, with p)": 1, "nearest": 3,
             "to the one-by-one path": 9}
    return statistics.median(times), {k: int((outcome == v).sum()) for k, v in codes.items()
                                      if (outcome == v).any()}


def run_containment(agreement, x, y, repeat: int) -> tuple[float, int]:
    """Median seconds of the kernels' containment alone on one thread: how many (point, zone)
    pairs hold, which is all the "contains" baselines compute (no depth, no nearest zone, no
    distance). The kernels' own containment (`containment._contained`), so the like-for-like
    ratio stands beside the ratio to the whole kernel."""
    from numba import njit

    from jig.engine import containment, kernels

    g = accel.zone_grid(agreement)
    active = np.ones(len(agreement.zones), np.bool_)

    @njit(nogil=True)
    def pairs(x, y, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart, vzone, side,
              rstart, rzone, active):
        nz = len(active)
        state, parity = np.zeros(nz, np.int8), np.zeros(nz, np.int8)
        mark, clock_ = np.zeros(nz, np.int64), np.zeros(1, np.int64)
        pend, ins = np.empty(nz, np.int64), np.empty(nz, np.int64)
        total = 0
        for k in range(len(x)):
            total += containment._contained(x[k], y[k], x0, y0, h, nx, ny, ax, ay, bx, by,
                                            owner, cstart, vstart, vzone, side, rstart, rzone,
                                            active, state, parity, mark, clock_, pend, ins)
        return total

    def once() -> int:
        # The cell order is part of the work, as in the whole kernel.
        o = kernels.cell_order(x, y, g.x0, g.y0, g.h, g.nx, g.ny)
        return pairs(np.ascontiguousarray(x[o]), np.ascontiguousarray(y[o]), g.x0, g.y0, g.h,
                     g.nx, g.ny, g.ax, g.ay, g.bx, g.by, g.owner, g.cell_start, g.cover_start,
                     g.cover_zone, g.side, g.centre_start, g.centre_zone, active)

    once()  # compiles
    times, n = [], 0
    for _ in range(repeat):
        t = clock()
        n = once()
        times.append(clock() - t)
    return statistics.median(times), n


def index(agreement) -> None:
    """Time what the kernels build once per agreement version (and keep on disk for the
    next run; none is kept here): the grid of the zones' edges, and each cell's candidate
    nearest edges for every zone in effect, on one thread."""
    accel.settings.threads = 1
    t = clock()
    accel.zone_grid(agreement)
    grid = clock() - t
    t = clock()
    accel.nearest_candidates(agreement, np.ones(len(agreement.zones), bool))
    near = clock() - t
    accel.settings.threads = None
    print(f"  index, built once per agreement version (1 thread): grid {grid:.2f} s, "
          f"candidate nearest edges {near:.2f} s (compiling the kernels the first time "
          "included)")


def run_geopandas_same(x, y, zone_geoms):
    """What jig's W1 reasons need, in GeoPandas: the zones holding each point and the
    distance to their edges, and for the rest the nearest zone and its distance."""
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y))
    zs = gpd.GeoDataFrame(geometry=list(zone_geoms))
    inside = gpd.sjoin(pts, zs, predicate="within")
    edges = shapely.boundary(zs.geometry.values)
    depth = shapely.distance(edges[inside["index_right"].values],
                             pts.geometry.values[inside.index.values])
    rest = pts[~pts.index.isin(inside.index)]
    near = gpd.sjoin_nearest(rest, zs, distance_col="metres")
    return len(depth), len(near)


def run_geopandas(x, y, r, zone_geoms):
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y))
    zs = gpd.GeoDataFrame(geometry=list(zone_geoms))
    if r is None:
        return len(gpd.sjoin(pts, zs, predicate="within"))
    discs = gpd.GeoDataFrame(geometry=shapely.buffer(pts.geometry.values, r, quad_segs=8))
    pairs = gpd.sjoin(discs, zs, predicate="intersects")
    inside = shapely.within(discs.geometry.values[pairs.index.values],
                            zs.geometry.values[pairs["index_right"].values])
    return int(inside.sum()), int((~inside).sum())


def run_duckdb(x, y, zone_geoms, threads: int = 1):
    import duckdb
    import pyarrow as pa
    from duckdb_extensions import import_extension

    con = duckdb.connect()
    import_extension("spatial", con=con)  # installs the packaged extension ...
    con.execute("LOAD spatial")  # ... which still has to be loaded
    con.execute(f"SET threads = {threads}")
    pts = pa.table({"wkb": shapely.to_wkb(shapely.points(x, y))})  # noqa: F841
    zs = pa.table({"wkb": shapely.to_wkb(np.array(zone_geoms, dtype=object))})  # noqa: F841
    con.execute("CREATE TABLE p AS SELECT ST_GeomFromWKB(wkb) AS g FROM pts")
    con.execute("CREATE TABLE z AS SELECT ST_GeomFromWKB(wkb) AS g FROM zs")
    t = clock()
    n = con.execute("SELECT count(*) FROM p JOIN z ON ST_Contains(z.g, p.g)").fetchone()[0]
    return clock() - t, n


def run_sedona(x, y, zone_geoms, partitions: int = 1, knn: bool = False):
    """SedonaDB's ST_Contains join (count), or with `knn` its KNN join (each point's nearest
    zone, k=1, with the distance)."""
    import geopandas as gpd
    import sedonadb

    sd = sedonadb.connect()
    sd.sql(f"SET datafusion.execution.target_partitions = {partitions}").execute()
    sd.create_data_frame(gpd.GeoDataFrame(geometry=shapely.points(x, y))).to_view("p")
    sd.create_data_frame(gpd.GeoDataFrame(geometry=list(zone_geoms))).to_view("z")
    query = ("SELECT count(*) AS n FROM p JOIN z ON ST_Contains(z.geometry, p.geometry)"
             if not knn else
             "SELECT count(*) AS n, sum(ST_Distance(p.geometry, z.geometry)) AS d "
             "FROM p JOIN z ON ST_KNN(p.geometry, z.geometry, 1, false)")
    t = clock()
    n = sd.sql(query).to_pandas()["n"][0]
    return clock() - t, int(n)


def run_postgis(x, y, zone_geoms, r=None, same_work: bool = False, workers: int = 0
                ) -> tuple[float, int] | str:
    """W1: points joined to zones with ST_Contains. W2 (radii r): the discs buffered as
    GeoPandas does (8 segments a quadrant), joined with ST_Intersects, then ST_Within to tell
    inside from straddling; the buffering is timed with the join."""
    try:
        with local_postgis() as con:
            con.execute("CREATE TABLE p (g geometry, r float8)")
            con.execute("CREATE TABLE z (g geometry)")
            radii = r if r is not None else np.zeros(len(x))
            with con.cursor().copy("COPY p (g, r) FROM STDIN") as cp:
                for wkt, rad in zip(shapely.to_wkt(shapely.points(x, y), rounding_precision=-1),
                                    radii.tolist(), strict=True):
                    cp.write_row((wkt, rad))
            with con.cursor().copy("COPY z (g) FROM STDIN") as cp:
                for wkt in shapely.to_wkt(np.array(zone_geoms, dtype=object),
                                          rounding_precision=-1):
                    cp.write_row((wkt,))
            con.execute("CREATE INDEX ON z USING gist (g)")
            con.execute("CREATE INDEX ON p USING gist (g)")
            con.execute("ANALYZE p")
            con.execute("ANALYZE z")
            con.execute(f"SET max_parallel_workers_per_gather = {workers}")
            t = time.perf_counter()
            if same_work:
                # The zones holding each point with the distance to their edges; then, for
                # the points in none, the nearest zone by the index's KNN order and its
                # distance.
                n = con.execute("SELECT count(*), sum(ST_Distance(ST_Boundary(z.g), p.g)) "
                                "FROM p JOIN z ON ST_Contains(z.g, p.g)").fetchone()
                n += con.execute(
                    "SELECT count(*), sum(d) FROM (SELECT (SELECT ST_Distance(z.g, p.g) FROM z "
                    "ORDER BY z.g <-> p.g LIMIT 1) AS d FROM p WHERE NOT EXISTS "
                    "(SELECT 1 FROM z WHERE ST_Contains(z.g, p.g))) s").fetchone()
            elif r is None:
                n = con.execute("SELECT count(*) FROM p JOIN z ON ST_Contains(z.g, p.g)"
                                ).fetchone()[0]
            else:
                con.execute("CREATE TABLE d AS SELECT ST_Buffer(g, r, 'quad_segs=8') AS g FROM p")
                con.execute("CREATE INDEX ON d USING gist (g)")
                con.execute("ANALYZE d")
                n = con.execute("SELECT count(*) FILTER (WHERE ST_Within(d.g, z.g)), count(*) "
                                "FROM d JOIN z ON ST_Intersects(d.g, z.g)").fetchone()
            return time.perf_counter() - t, n
    except Unavailable as exc:
        return str(exc)


def run_loop(x, y, zone_geoms, sample: int):
    t = clock()
    n = 0
    for k in range(sample):
        p = shapely.Point(x[k], y[k])
        for z in zone_geoms:
            n += z.contains(p)
    return (clock() - t) * len(x) / sample


Row = tuple[str, str, "float | str"]  # label, threads ("1" or "all"), seconds or why skipped


# The baselines that count the (point, zone) pairs that hold and nothing more.
PAIRS_ONLY = ("GeoPandas sjoin", "DuckDB contains", "SedonaDB contains", "PostGIS contains")


def report(name: str, jig: tuple[float, float, dict[str, int]], rows: list[Row],
           kernel: dict[str, tuple[float, dict[str, int]]] | None = None,
           pairs_only: tuple[float, int] | None = None) -> None:
    judged, full, counts = jig
    print(f"\n{name}")
    print(f"  jig judged   {judged:8.2f} s   (columns in, every finding decided: "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items() if v) + ")")
    print(f"  jig + objects{full:8.2f} s   (and every finding built as an object with its reason)")
    for threads, (seconds, split) in (kernel or {}).items():
        print(f"  jig kernel, {threads:>3} thread(s) {seconds:8.3f} s   ("
              + ", ".join(f"{v:,} {k}" for k, v in split.items()) + ")")
    if pairs_only:
        print(f"  jig containment only,   1 thread(s) {pairs_only[0]:8.3f} s   ({pairs_only[1]:,} "
              "pairs: the work the 'contains' baselines do)")
    print("  ratio = baseline / jig (>1: jig is faster): to jig judged, and to the jig kernel on "
          "as many threads as the baseline" + ("; baselines counting pairs only, on 1 "
                                               "thread, also to jig's containment only"
                                               if pairs_only else ""))
    for label, threads, value in rows:
        if isinstance(value, str):
            print(f"  {label:<28} {threads:>3}  skipped: {value}")
            continue
        line = f"  {label:<28} {threads:>3}  {value:8.2f} s   judged {value / judged:6.2f}x"
        if kernel and threads in kernel:
            line += f"   kernel {value / kernel[threads][0]:7.2f}x"
        if pairs_only and threads == "1" and label in PAIRS_ONLY:
            line += f"   containment only {value / pairs_only[0]:6.2f}x"
        print(line)


def median_of(repeat: int, fn, *args) -> float | str:
    """Median seconds of `repeat` runs of a baseline returning (seconds, result); a baseline
    that cannot run here is reported, not fatal."""
    if fn.__name__ in SKIP or (fn is _timed_call and args[0].__name__ in SKIP):
        return "skipped (--skip)"
    try:
        return statistics.median(fn(*args)[0] for _ in range(repeat))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:120]


def _timed_call(fn, *args):
    t = clock()
    out = fn(*args)
    return clock() - t, out


def workload(name: str, n: int, zone_count: int, discs: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    feats = zones(rng, zone_count, partial_validity=discs)
    agreement = agreement_for(feats)
    lon = rng.uniform(BOX[0], BOX[2], n)
    lat = rng.uniform(BOX[1], BOX[3], n)
    r = rng.uniform(1000, 50_000, n) if discs else np.zeros(n)
    t = T0 + rng.uniform(0, 60 * 86400, n)
    incs = incidents(lon, lat, r, t)
    x, y = agreement.projection.xy(lon, lat)
    zone_geoms = [z.region for z in agreement.zones]
    index(agreement)
    jig = run_jig(agreement, incs, REPEAT)
    kernel = {"1": run_kernel(agreement, incs, REPEAT, 1),
              "all": run_kernel(agreement, incs, REPEAT, None)}
    rows: list[Row] = []
    if not discs:
        rows.append(("GeoPandas sjoin", "1", median_of(REPEAT, _timed_call, run_geopandas, x, y,
                                                       None, zone_geoms)))
        rows.append(("GeoPandas same work", "1", median_of(
            REPEAT, _timed_call, run_geopandas_same, x, y, zone_geoms)))
        cores = os.cpu_count() or 1
        for threads, k in (("1", 1), ("all", cores)):
            rows.append(("DuckDB contains", threads, median_of(REPEAT, run_duckdb, x, y,
                                                               zone_geoms, k)))
            rows.append(("SedonaDB contains", threads, median_of(REPEAT, run_sedona, x, y,
                                                                 zone_geoms, k)))
            # Slow here (tens of seconds per 20,000 points): one run.
            rows.append(("SedonaDB KNN join", threads,
                         "skipped (--skip)" if "sedona_knn" in SKIP else
                         median_of(1, run_sedona, x, y, zone_geoms, k, True)))
        # PostGIS loads the points for each run (minutes at 1M): one run per formulation.
        for label, same, threads, workers in (("PostGIS contains", False, "1", 0),
                                              ("PostGIS same work", True, "1", 0),
                                              ("PostGIS same work", True, "all", cores)):
            pg = ("skipped (--skip)" if "run_postgis" in SKIP
                  else run_postgis(x, y, zone_geoms, None, same, workers))
            rows.append((label, threads, pg if isinstance(pg, str) else pg[0]))
    else:
        rows.append(("GeoPandas buffered sjoin", "1", median_of(
            REPEAT, _timed_call, run_geopandas, x, y, r, zone_geoms)))
        pg = ("skipped (--skip)" if "run_postgis" in SKIP else run_postgis(x, y, zone_geoms, r))
        rows.append(("PostGIS buffered", "1", pg if isinstance(pg, str) else pg[0]))
    rows.append(("loop", "1", run_loop(x, y, zone_geoms, min(200, n))))
    pairs_only = None if discs else run_containment(agreement, x, y, REPEAT)
    report(f"{name}: {n:,} incidents x {zone_count:,} zones", jig, rows, kernel, pairs_only)


def w3(n: int, seed: int) -> None:
    import csv

    from jig import load_agreement

    src = ROOT.parent / "shared" / "data" / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"
    subs = ROOT.parent / "shared" / "data" / "admin_boundaries" / \
        "syr_adm3_subdistricts_ocha_2016.geojson"
    with src.open(encoding="utf-8") as fh:
        base = [(float(r["longitude"]), float(r["latitude"])) for r in csv.DictReader(fh)
                if r["longitude"]]
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), n)
    lon = np.array([base[i][0] for i in pick]) + rng.uniform(-0.02, 0.02, n)
    lat = np.array([base[i][1] for i in pick]) + rng.uniform(-0.02, 0.02, n)
    feats = json.loads(subs.read_text())["features"]
    for k, f in enumerate(feats):
        f["properties"] = {"id": f"S{k}", "kind": "designated"}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a.yaml").write_text(json.dumps(
            {"jig": 1, "id": "w3", "in_force": {"from": "2016-01-01"}, "timezone": "UTC",
             "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
             "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
             "zones": {"type": "FeatureCollection", "features": feats},
             "clauses": [{"id": "c", "rule": "no_strikes_in", "bound": ["AF"],
                          "zones": {"kind": "designated"}}]}))
        agreement = load_agreement(Path(tmp) / "a.yaml")
    incs = incidents(lon, lat, np.zeros(n), T0 + rng.uniform(0, 86400 * 300, n))
    x, y = agreement.projection.xy(lon, lat)
    zone_geoms = [z.region for z in agreement.zones]
    jig = run_jig(agreement, incs, REPEAT)
    rows: list[Row] = [("GeoPandas sjoin", "1", timed(run_geopandas, x, y, None, zone_geoms)[0]),
                       ("loop", "1", run_loop(x, y, zone_geoms, min(200, n)))]
    report(f"W3: {n:,} UCDP GED records (jittered) x {len(zone_geoms)} OCHA sub-districts",
           jig, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--zones", type=int, default=1000)
    ap.add_argument("--w3", type=int, default=100_000)
    ap.add_argument("--only", default="W1,W2,W3")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpu", action="store_true", help="time CPU seconds of this process "
                    "(all its threads), not wall time: for a machine others are using")
    ap.add_argument("--skip", default="", help="baselines not to run, by function name "
                    "(run_geopandas_same, run_duckdb, run_sedona, sedona_knn, run_postgis, ...)")
    args = ap.parse_args()
    global REPEAT, clock
    REPEAT = args.repeat
    if args.cpu:
        clock = time.process_time
    SKIP.update(filter(None, args.skip.split(",")))
    which = set(args.only.split(","))
    print(f"python {sys.version.split()[0]}, shapely {shapely.__version__} "
          f"(GEOS {shapely.geos_version_string}), numpy {np.__version__}; timing "
          + ("CPU seconds of this process (PostGIS: wall)" if args.cpu else "wall seconds"))
    if "W1" in which:
        workload("W1", args.n, args.zones, discs=False, seed=args.seed)
    if "W2" in which:
        workload("W2", args.n, args.zones, discs=True, seed=args.seed + 1)
    if "W3" in which:
        w3(args.w3, args.seed + 2)


if __name__ == "__main__":
    main()
