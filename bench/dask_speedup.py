"""Dask: 1 worker against 2, on partitions of a synthetic input (fixed seed).

Run: .venv/bin/python bench/dask_speedup.py [ROWS] [PARTITIONS]

Writes ROWS incidents (default 200,000) as PARTITIONS CSV files, then judges them against the
2016 example on a local Dask cluster of 1 and of 2 worker processes (one thread each), and
prints both times and the speedup. The verdicts are checked equal between the two runs.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from _local import ROOT
from check_100k import make_csv
from dask.distributed import Client, LocalCluster

from jig.distributed import judge_on_cluster


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    n_parts = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    agreement = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "all.csv"
        make_csv(whole, rows)
        with whole.open(newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            body = list(reader)
        folder = Path(tmp) / "parts"
        folder.mkdir()
        size = -(-len(body) // n_parts)
        for k in range(n_parts):
            with (folder / f"part-{k:03d}.csv").open("w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                w.writerows(body[k * size:(k + 1) * size])
        results = {}
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                t0 = time.perf_counter()
                parts = list(judge_on_cluster(client, agreement, [folder]))
                results[workers] = (time.perf_counter() - t0,
                                    [v for p in parts for v in p.verdicts])
            print(f"{workers} worker(s): {results[workers][0]:.1f} s for {rows:,} incidents "
                  f"in {n_parts} partitions")
        assert results[1][1] == results[2][1], "the verdicts differ between the runs"
        print(f"speedup 1 -> 2 workers: {results[1][0] / results[2][0]:.2f}x "
              "(same verdicts)")


if __name__ == "__main__":
    main()
