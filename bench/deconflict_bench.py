"""Deconfliction at scale: 10,000 notified volumes, jig beside PostGIS and a plain loop.

Run: .venv/bin/python bench/deconflict_bench.py [N]

Generates N air-activity notices (fixed seed) over a Syria-sized box: areas of 5-30 km and
routes of 30-250 km with 2-10 km corridors, windows of 1-6 h within one week, bands of
1,000-9,000 ft between 0 and 40,000 ft, two parties. Then, in one run:
  - jig: `deconflict` (STR-tree -> time/altitude/party as arrays -> exact distance), with
    every conflict built (pair, where, when, gaps);
  - PostGIS, when a local server with PostGIS can be started (scripts/postgres and Debian's
    postgresql-15-postgis-3): the same shapes in the same metres, expanded ranges and a
    multicolumn GiST index, one self-join returning the pairs;
  - a plain all-pairs Python loop on a sample of 300, scaled to N by the pair count.
Prints the times and the ratios, and checks that jig and PostGIS find the same pairs.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import shapely
from _local import Unavailable, local_postgis

from jig import load_agreement
from jig.air.deconflict import cores, deconflict, volumes
from jig.air.reading import to_air_notice

ROOT = Path(__file__).resolve().parents[1]


def notices(agreement, n: int, seed: int = 2016) -> list:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        x, y = rng.uniform(35.8, 42.2), rng.uniform(32.4, 37.2)
        if rng.random() < 0.5:
            length, bearing = rng.uniform(0.3, 2.3), rng.uniform(0, 6.283)
            import math
            geom = (f"LINESTRING ({x} {y}, {x + length * math.cos(bearing)} "
                    f"{y + length * math.sin(bearing)})")
            half = rng.uniform(2000, 10000)
        else:
            s = rng.uniform(0.05, 0.3)
            geom = f"POLYGON (({x} {y}, {x + s} {y}, {x + s} {y + s}, {x} {y + s}, {x} {y}))"
            half = 0.0
        start = rng.uniform(0, 7 * 24)
        length_h = rng.uniform(1, 6)
        t0 = f"2016-09-{19 + int(start // 24):02d}T{int(start % 24):02d}:{int(start * 60 % 60):02d}"
        end = start + length_h
        t1 = f"2016-09-{19 + int(end // 24):02d}T{int(end % 24):02d}:{int(end * 60 % 60):02d}"
        low = rng.randrange(0, 40) * 1000
        out.append(to_air_notice({"id": f"N{k}", "party": rng.choice(["US", "RU"]),
                                  "time": f"{t0}/{t1}", "geometry": geom, "half_width_m": half,
                                  "alt_low": low, "alt_high": low + rng.randrange(1, 10) * 1000},
                                 agreement))
    return out


def plain_loop(agreement, ns, vols) -> int:
    sep = agreement.separation
    found = 0
    for i in range(len(ns)):
        for j in range(i + 1, len(ns)):
            a, b = ns[i], ns[j]
            if a.party == b.party:
                continue
            if max(a.window.start, b.window.start) - min(a.window.end, b.window.end) >= sep.time_s:
                continue
            if max(a.alt_low_m, b.alt_low_m) - min(a.alt_high_m, b.alt_high_m) >= sep.vertical_m:
                continue
            if vols[i].distance(vols[j]) < sep.horizontal_m:
                found += 1
    return found


def postgis(agreement, ns, vols) -> tuple[float, set] | str:
    try:
        with local_postgis() as con:
            sep = agreement.separation
            con.execute("CREATE TABLE n (i int, party text, geom geometry, hw float8, "
                        "t numrange, z numrange)")
            geoms, half = cores(agreement, ns)
            eps = 1e-6
            with con.cursor().copy("COPY n (i, party, geom, hw, t, z) FROM STDIN") as cp:
                for k, (x, g, hw) in enumerate(zip(ns, geoms, half, strict=True)):
                    # Ranges grown by half the minimum (less a micrometre, as jig's rounding
                    # rule) each side: they overlap exactly when the gap is below the minimum.
                    m, v = sep.time_s / 2 - eps, sep.vertical_m / 2 - eps
                    t = f"[{x.window.start - m},{x.window.end + m})"
                    z = f"[{x.alt_low_m - v},{x.alt_high_m + v})"
                    cp.write_row((k, x.party, shapely.to_wkt(g, rounding_precision=-1), hw, t, z))
            con.execute("CREATE INDEX ON n USING gist (geom, t, z)")
            con.execute("ANALYZE n")
            # The shapes are centre lines and areas with their half-widths, as jig has them:
            # a corridor's distance is the centre line's less the half-width.
            q = ("SELECT a.i, b.i FROM n a JOIN n b ON a.i < b.i AND a.party <> b.party "
                 "AND a.t && b.t AND a.z && b.z AND ST_DWithin(a.geom, b.geom, %s) "
                 "AND ST_Distance(a.geom, b.geom) - a.hw - b.hw < %s")
            reach = sep.horizontal_m + 2 * float(half.max())
            best = float("inf")
            pairs: set = set()
            for _ in range(3):
                t0 = time.perf_counter()
                rows = con.execute(q, (reach, sep.horizontal_m - eps)).fetchall()
                best = min(best, time.perf_counter() - t0)
                pairs = {(a, b) for a, b in rows}
            return best, pairs
    except Unavailable as exc:
        return str(exc)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    agreement = load_agreement(ROOT / "examples" / "syria-2016-jig" / "agreement.yaml")
    ns = notices(agreement, n)
    vols = volumes(agreement, ns)
    best = float("inf")
    conflicts = []
    for _ in range(3):
        t0 = time.perf_counter()
        conflicts = deconflict(agreement, ns)
        best = min(best, time.perf_counter() - t0)
    print(f"{n:,} notices: jig found {len(conflicts):,} conflicts in {best:.3f} s "
          "(best of 3, one core, every conflict built)")
    sample = 300
    t0 = time.perf_counter()
    plain_loop(agreement, ns[:sample], vols[:sample])
    loop = (time.perf_counter() - t0) * (n * (n - 1)) / (sample * (sample - 1))
    print(f"plain loop, all pairs: {loop:,.0f} s (estimated from {sample} notices)  "
          f"-> jig is {loop / best:,.0f}x faster")
    pg = postgis(agreement, ns, vols)
    if isinstance(pg, str):
        print(f"PostGIS: skipped ({pg})")
        return
    pg_time, pg_pairs = pg
    ours = {tuple(sorted((int(c.a.id[1:]), int(c.b.id[1:])))) for c in conflicts}
    same = "the same pairs" if ours == pg_pairs else \
        f"DIFFERENT pairs ({len(ours ^ pg_pairs)} differ)"
    print(f"PostGIS self-join (GiST on geom, time, altitude; 1 worker): {pg_time:.3f} s, "
          f"{len(pg_pairs):,} pairs, {same}  -> jig is {pg_time / best:.1f}x faster")


if __name__ == "__main__":
    main()
