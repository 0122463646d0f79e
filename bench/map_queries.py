"""What the map asks for, over a store of a million incidents: the overview (counts by verdict
per grid cell), the time histogram, and the points of a small view.

Run: .venv/bin/python bench/map_queries.py [N] [VIEWS] [--after-only]

Each view is timed twice in one run: before the map's counts are made (the store written
behind its back has none, so every view is counted over the records, as before they were
kept) and after `jig audit recount` made them (skip the first with --after-only).

Starts a throw-away PostgreSQL server (with PostGIS when installed), stores the 2016 example
through `jig import` (agreement, real records, real verdicts), then adds N synthetic incidents
(default 1,000,000) over north-west and central Syria in the agreement's period with verdicts
in proportions like the example's, written straight into the store's tables in SQL (storing a
million records through intake would take hours and is measured elsewhere: only the reading
is timed here). Then `jig serve` on the store, and for views from the whole country down to a
district it times the requests the web UI makes on each pan or zoom (p50, p99 of VIEWS
random views each, default 20), and the mean CPU time the server process spent on each
(from its `process_cpu_seconds_total`; the metrics request itself is outside the timing):

  view:      GET /incidents/overview?bbox=...&cells=32&whole=true&from=...&to=...  (counts per
             cell, every incident, the cells the view touches whole), then
             GET /incidents?format=geojson&brief=true&bbox=(the cells')&limit=1000 when they
             hold at most 1,000, as the page does
  histogram: GET /incidents/histogram?bbox=...                         (counts per day)

beside the same aggregate answered by PostGIS directly (points with a GiST index, `&&` an
envelope, GROUP BY the snapped cell), or by plain PostgreSQL when PostGIS is missing.
Loopback only; bounded in count.
"""

from __future__ import annotations

import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _local import Unavailable, local_postgis, serving

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "syria-2016-jig"
SPANS = (6.0, 2.0, 0.5)  # degrees across: country, region, district
PERIOD = ("2016-07-15", "2016-10-03")  # the example's time in force
T0 = 1468530000.0  # 2016-07-15 00:00 Asia/Damascus (UTC+3), in seconds

# Verdicts drawn in about the proportions of judged real data: mostly not applicable.
FILL = """
INSERT INTO incident_revisions (incident_id, revision, content_hash, record, lon, lat,
    precision_m, t_start, t_end, actor, received_at, origin, workspace)
SELECT 'S' || g, 1, md5('S' || g) || md5('x' || g),
       json_build_object('id', 'S' || g, 'time', to_timestamp(t), 'lon', lon, 'lat', lat,
                         'actor', 'Military Forces of Syria (2000-)', 'act', 'air_strike'),
       lon, lat, 1000, t, t + 3600, 'Military Forces of Syria (2000-)', now(), 'bench', 'joint'
FROM (SELECT g, 35.8 + random() * 3.7 AS lon, 34.8 + random() * 1.8 AS lat,
             {t0} + floor(random() * 80) * 86400 + floor(random() * 24) * 3600 AS t
      FROM generate_series(1, {n}) g) x;
INSERT INTO verdicts (incident_row, agreement_row, agreement_hash, incident_id, verdict,
    actor_id, findings_hash, judged_at, scope)
SELECT r.row, a.row, a.content_hash, r.incident_id,
       CASE WHEN u < 0.02 THEN 'breach' WHEN u < 0.07 THEN 'undetermined'
            WHEN u < 0.09 THEN 'excepted' WHEN u < 0.30 THEN 'complies'
            ELSE 'not_applicable' END, 'SY_GOV', md5(r.incident_id), now(), 'joint'
FROM (SELECT *, random() AS u FROM incident_revisions WHERE origin = 'bench') r,
     agreement_versions a;
INSERT INTO incident_heads (workspace, incident_id, row)
SELECT workspace, incident_id, row FROM incident_revisions WHERE origin = 'bench';
INSERT INTO verdict_scope_heads (incident_id, agreement_id, scope, workspace, verdict_row,
    incident_row)
SELECT v.incident_id, a.agreement_id, 'joint', 'joint', v.row, v.incident_row
FROM verdicts v JOIN agreement_versions a ON a.row = v.agreement_row
WHERE v.incident_id LIKE 'S%';
VACUUM ANALYZE;
"""

POSTGIS = """
CREATE TABLE bench_points AS
SELECT ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS geom, r.t_start, r.t_end, v.verdict
FROM verdict_scope_heads h JOIN incident_revisions r ON r.row = h.incident_row
JOIN verdicts v ON v.row = h.verdict_row WHERE h.scope = 'joint';
CREATE INDEX ON bench_points USING gist (geom);
VACUUM ANALYZE bench_points;
"""
POSTGIS_QUERY = """
SELECT floor((ST_X(geom) + 180) / %(s)s), floor((ST_Y(geom) + 90) / %(s)s), verdict, count(*)
FROM bench_points WHERE geom && ST_MakeEnvelope(%(w)s, %(so)s, %(e)s, %(n)s, 4326)
  AND t_end >= %(t0)s AND t_start < %(t1)s GROUP BY 1, 2, 3
"""
PLAIN_QUERY = """
SELECT floor((lon + 180) / %(s)s), floor((lat + 90) / %(s)s), verdict, count(*)
FROM bench_points_plain WHERE lon BETWEEN %(w)s AND %(e)s AND lat BETWEEN %(so)s AND %(n)s
  AND t_end >= %(t0)s AND t_start < %(t1)s GROUP BY 1, 2, 3
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def views(span: float, rng: random.Random, k: int) -> list[tuple[float, float, float, float]]:
    out = []
    for _ in range(k):
        w, s = rng.uniform(35.8, 39.5 - min(span, 3.6)), rng.uniform(34.8, 36.0)
        out.append((w, s, w + span, s + span * 0.6))
    return out


def server_cpu(c: httpx.Client) -> float:
    """The server process's CPU time so far (s), from its metrics: under load the fairer
    figure, as waiting for a core is not counted."""
    for line in c.get("/metrics").text.splitlines():
        if line.startswith("process_cpu_seconds_total "):
            return float(line.split()[1])
    return math.nan


def timed(c: httpx.Client, fn, items) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """p50 and p99 of wall time (ms), and the server's mean CPU time per item (ms)."""
    ms = []
    cpu = server_cpu(c)
    for item in items:
        t = time.perf_counter()
        fn(item)
        ms.append((time.perf_counter() - t) * 1000)
    cpu = (server_cpu(c) - cpu) * 1000 / len(items)
    ms.sort()
    return ms[len(ms) // 2], ms[min(len(ms) - 1, round(len(ms) * 0.99))], cpu


def measure(c: httpx.Client, con, baseline: str | None, label: str,  # type: ignore[no-untyped-def]
            t0: float, t1: float, k: int) -> None:
    """Time the page's requests (and the histogram and the baseline, when `baseline`) for
    VIEWS random views of each span: the same views in every phase."""
    c.get("/incidents/overview", params={"cells": 32}).raise_for_status()  # warm
    for span in SPANS:
        boxes = views(span, random.Random(int(span * 10)), k)
        period = {"from": PERIOD[0], "to": PERIOD[1]}

        def overview(b, period=period):  # type: ignore[no-untyped-def]
            bbox = ",".join(f"{v:.4f}" for v in b)
            r = c.get("/incidents/overview", params={
                "bbox": bbox, "cells": 32, "whole": "true"} | period)
            r.raise_for_status()
            bbox = ",".join(repr(v) for v in r.json()["bbox"])  # the cells counted
            if r.json()["total"] <= 1000:  # the page asks for their points too
                c.get("/incidents", params={"format": "geojson", "brief": "true",
                                            "limit": 1000, "bbox": bbox} | period
                      ).raise_for_status()
            return r

        def histo(b):  # type: ignore[no-untyped-def]
            c.get("/incidents/histogram", params={
                "bbox": ",".join(f"{v:.4f}" for v in b)}).raise_for_status()

        def direct(b, span=span):  # type: ignore[no-untyped-def]
            size = 2.0 ** math.floor(math.log2(span / 32))
            con.execute(baseline, {"s": size, "w": b[0], "so": b[1], "e": b[2], "n": b[3],
                                   "t0": t0, "t1": t1}).fetchall()

        shown = overview(boxes[0]).json()["total"]
        line = [f"view {span:>3}° ({shown:,} incidents in the first):"]
        timings = [("view", overview)]
        if baseline is not None:
            timings += [("histogram", histo), (label, direct)]
        for name, fn in timings:
            p50, p99, cpu = timed(c, fn, boxes)
            line.append(f"{name} p50 {p50:.0f} ms p99 {p99:.0f} ms"
                        + (f", server CPU {cpu:.1f} ms a view" if fn is not direct else ""))
        line.append(f"(load average {os.getloadavg()[0]:.1f})")
        print("\n    ".join(line), flush=True)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    k = int(args[1]) if len(args) > 1 else 20
    jig = str(Path(sys.executable).with_name("jig"))
    try:
        pg = local_postgis()
        con = pg.__enter__()
        postgis = True
    except Unavailable as exc:
        print(f"PostGIS baseline not run: {exc}")
        raise SystemExit(1) from None
    try:
        url = f"postgresql://postgres@127.0.0.1:{con.info.port}/postgres"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([jig, "import", "--db", url, "--data", tmp, "--agreement",
                            str(EXAMPLE / "agreement.yaml"), "-n", str(EXAMPLE / "notices.csv"),
                            str(EXAMPLE / "incidents.csv")], check=True, capture_output=True)
            t = time.perf_counter()
            for statement in FILL.format(n=n, t0=T0).split(";\n"):
                if statement.strip():
                    con.execute(statement)
            # The counts the import made cover only its records: none until the recount,
            # so that the first phase counts every view over the records.
            con.execute("DELETE FROM map_counts")
            total = con.execute("SELECT count(*) FROM verdict_scope_heads").fetchone()[0]
            print(f"store: {total:,} incidents with verdicts ({n:,} synthetic added in "
                  f"{time.perf_counter() - t:.0f} s)", flush=True)
            try:
                for statement in POSTGIS.split(";\n"):
                    if statement.strip():
                        con.execute(statement)
                baseline, label = POSTGIS_QUERY, "PostGIS directly"
            except Exception as exc:
                print(f"no PostGIS ({exc}); the baseline is plain PostgreSQL")
                postgis = False
                con.execute("CREATE TABLE bench_points_plain AS SELECT r.lon, r.lat, r.t_start, "
                            "r.t_end, v.verdict FROM verdict_scope_heads h JOIN "
                            "incident_revisions r ON r.row = h.incident_row JOIN verdicts v ON "
                            "v.row = h.verdict_row")
                con.execute("CREATE INDEX ON bench_points_plain (lon, lat)")
                con.execute("VACUUM ANALYZE bench_points_plain")
                baseline, label = PLAIN_QUERY, "plain PostgreSQL, one table"
            t0, t1 = T0, T0 + 80 * 86400
            with serving("--db", url, "--data", tmp, port=free_port()) as base, \
                    httpx.Client(base_url=base, timeout=120) as c:
                for phase in ("before", "after"):
                    if phase == "before" and "--after-only" in sys.argv:
                        continue
                    if phase == "after":
                        # Written behind the store's back: the map's counts made from the
                        # heads, as `jig audit recount` makes them.
                        t = time.perf_counter()
                        subprocess.run([jig, "audit", "recount", "--db", url, "--data", tmp],
                                       check=True, capture_output=True)
                        rows = con.execute("SELECT count(*) FROM map_counts").fetchone()[0]
                        print(f"map counts: {rows:,} rows made in "
                              f"{time.perf_counter() - t:.0f} s", flush=True)
                    print(f"{phase}: " + ("counted over the records (no counts kept)"
                                          if phase == "before" else "the counts kept ahead"))
                    measure(c, con, baseline if phase == "after" else None, label, t0, t1, k)
    finally:
        pg.__exit__(None, None, None)
    if not postgis:
        print("(PostGIS missing: apt-get install postgresql-15-postgis-3 for its baseline)")


if __name__ == "__main__":
    main()
