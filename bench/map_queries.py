"""What the map asks for: GeoJSON by bounding box, over a store of many incidents.

Run: .venv/bin/python bench/map_queries.py [N]

Loads N synthetic incidents (default 50,000) spread over north-west and central Syria into a
fresh SQLite store with the 2016 example agreement (through `jig import`), starts `jig serve`,
and times the request the web UI makes on every pan or zoom — `GET /incidents?format=geojson
&brief=true&bbox=...&limit=1000` — for views from a whole-country one down to a district, printing p50 and
p99 latency and the bytes sent. Loopback only; bounded in count.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _local import serving
from check_100k import make_csv

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    jig = str(Path(sys.executable).with_name("jig"))
    agreement = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "store"
        csv_path = Path(tmp) / "incidents.csv"
        make_csv(csv_path, n)
        t0 = time.perf_counter()
        subprocess.run([jig, "import", "--data", str(data), "--agreement", str(agreement),
                        str(csv_path)], check=True, capture_output=True)
        print(f"imported {n:,} incidents in {time.perf_counter() - t0:.0f} s")
        with serving("--data", str(data), port=18799) as base:
            rng = random.Random(3)
            with httpx.Client(base_url=base, timeout=60) as c:
                for span in (6.0, 2.0, 0.5):  # degrees across: country, region, district
                    lat_ms, sizes = [], []
                    for _ in range(60):
                        w, s = rng.uniform(35.8, 39.5 - min(span, 3.6)), rng.uniform(34.8, 36.0)
                        t = time.perf_counter()
                        r = c.get("/incidents", params={"format": "geojson", "brief": "true",
                                                        "limit": 1000,
                                                        "bbox": f"{w},{s},{w + span},{s + span}"})
                        lat_ms.append((time.perf_counter() - t) * 1000)
                        sizes.append(len(r.content))
                    lat_ms.sort()
                    print(f"view {span:>3}°: p50 {lat_ms[len(lat_ms) // 2]:.0f} ms, "
                          f"p99 {lat_ms[-1]:.0f} ms, {sum(sizes) / len(sizes) / 1024:.0f} KiB "
                          "a response")


if __name__ == "__main__":
    main()
