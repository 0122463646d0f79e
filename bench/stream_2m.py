"""Streaming: `jig check` on a 2-million-row UCDP GED file, rows per second and peak memory.

Run: .venv/bin/python bench/stream_2m.py [ROWS]

Builds the file by repeating the real UCDP GED Syria rows (../shared/data) with new ids and
coordinates jittered by up to 0.05°, then runs `jig check -f jsonl` on it as a separate process
and reports wall time, rows per second and the process's peak resident memory, beside
reading the same file into a pandas DataFrame (what an analyst would otherwise do first),
when pandas is installed.
"""

from __future__ import annotations

import csv
import importlib.util
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UCDP = ROOT.parent / "shared" / "data" / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"


def build(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with UCDP.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        base = list(reader)
    i_id, i_lat, i_lon = header.index("id"), header.index("latitude"), header.index("longitude")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for n in range(rows):
            row = list(base[n % len(base)])
            row[i_id] = str(n)
            if row[i_lat]:
                row[i_lat] = f"{float(row[i_lat]) + rng.uniform(-0.05, 0.05):.5f}"
                row[i_lon] = f"{float(row[i_lon]) + rng.uniform(-0.05, 0.05):.5f}"
            w.writerow(row)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    jig = str(Path(sys.executable).with_name("jig"))
    agreement = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ucdp_big.csv"
        t0 = time.perf_counter()
        build(path, rows)
        print(f"built {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        done = subprocess.run([jig, "check", str(agreement), str(path), "-f", "jsonl",
                               "-o", str(Path(tmp) / "out.jsonl"), "--rejects",
                               str(Path(tmp) / "rejects.csv")], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stderr.strip().splitlines()[-1] if done.stderr else "")
        print(f"jig check: {wall:.0f} s, {rows / wall:,.0f} rows/s, peak memory {peak:,.0f} MB")
        if importlib.util.find_spec("pandas") is None:
            print("pandas not installed (pip install -e '.[bench]'): no baseline")
            return
        code = f"import pandas as pd; pd.read_csv({str(path)!r})"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        wall_pd = time.perf_counter() - t0
        peak_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"pandas.read_csv alone (no judging): {wall_pd:.0f} s, peak memory "
              f"{peak_all:,.0f} MB (the larger of the two processes)")


if __name__ == "__main__":
    main()
