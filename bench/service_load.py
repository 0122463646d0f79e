"""The service under load on loopback: intake throughput and latency, bbox query latency.

Run: .venv/bin/python bench/service_load.py [--db URL] [--records N] [--clients C]

Starts `jig serve` (SQLite in a temporary folder unless --db is given) as its own process,
loads the 2016 example agreement, then measures, from a load client in this process:
  - single intake: N records posted one per request by C concurrent clients;
  - bulk intake: N records in JSON lists of 500 per request, and one N-row CSV file through
    /incidents/bulk (time until its job is done);
  - bbox queries: 500 random bounding boxes of about 50 km over north-west Syria.
Prints records per second and p50/p99 latencies. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _local import serving

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"


def record(i: int, rng: random.Random, prefix: str) -> dict:
    when = f"2016-08-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00"
    return {"id": f"{prefix}{i}", "time": when,
            "lon": round(rng.uniform(36.2, 37.4), 5), "lat": round(rng.uniform(35.4, 36.4), 5),
            "precision_m": rng.choice([0, 1000, 5000]),
            "actor": rng.choice(["Military Forces of Syria (2000-)",
                                 "Military Forces of Russia (2015-)", "Jabhat Fateh al-Sham"]),
            "target": "Jabhat Fateh al-Sham", "act": rng.choice(["air_strike", "shelling"])}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--port", type=int, default=18765)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    args_ = ["--data", tmp, "--agreement", str(AGREEMENT)] + (["--db", args.db] if args.db else [])
    with serving(*args_, port=args.port) as base:
        rng = random.Random(1)
        n = args.records

        local = threading.local()

        def post_one(rec: dict) -> float:
            # Each load client keeps its connection, as a real client would.
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=base, timeout=60)
            t = time.perf_counter()
            local.client.post("/incidents", json=rec).raise_for_status()
            return time.perf_counter() - t

        singles = [record(i, rng, "S") for i in range(n)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            lat = list(pool.map(post_one, singles))
        wall = time.perf_counter() - t0
        print(f"single intake: {n} records, {args.clients} clients: {n / wall:,.0f} records/s, "
              f"p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms")

        lists = [[record(i, rng, f"B{k}-") for i in range(500)] for k in range(max(1, n // 500))]
        t0 = time.perf_counter()
        with httpx.Client(base_url=base, timeout=600) as c:
            for batch in lists:
                c.post("/incidents", json=batch).raise_for_status()
        wall = time.perf_counter() - t0
        total = sum(len(b) for b in lists)
        print(f"bulk intake (JSON lists of 500): {total} records: {total / wall:,.0f} records/s")

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(record(0, rng, "F").keys()))
        w.writeheader()
        for i in range(n):
            w.writerow(record(i, rng, "F"))
        with httpx.Client(base_url=base, timeout=600) as c:
            t0 = time.perf_counter()
            job = c.post("/incidents/bulk?filename=load.csv", content=buf.getvalue().encode(),
                         headers={"content-type": "text/csv"}).json()["job"]
            while c.get(f"/jobs/{job}").json()["status"] not in ("done", "failed"):
                time.sleep(0.05)
            wall = time.perf_counter() - t0
        print(f"bulk intake (CSV file, background job): {n} records: {n / wall:,.0f} records/s")

        qlat = []
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(500):
                lon, lat0 = rng.uniform(36.2, 36.9), rng.uniform(35.4, 36.0)
                t = time.perf_counter()
                c.get("/incidents", params={"bbox": f"{lon},{lat0},{lon + 0.5},{lat0 + 0.45}",
                                            "limit": 100}).raise_for_status()
                qlat.append(time.perf_counter() - t)
        print(f"bbox query (limit 100) over {3 * n} incidents: p50 {pct(qlat, 0.5):.1f} ms, "
              f"p99 {pct(qlat, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
