"""Store intake against `jig check`: the same rows, judged, into the SQLite store or to JSON Lines.

Run: .venv/bin/python bench/import_ratio.py [EXPORT] [--repeat N] [--profile]

EXPORT defaults to the UCDP GED export (2016-2019, every event) in ../shared/data (or
$JIG_SHARED_DATA). Runs, as separate processes, `jig check AGREEMENT EXPORT -f jsonl` and
`jig import --agreement AGREEMENT EXPORT` into a fresh SQLite store, with the 2016 example's
agreement, and prints both wall and CPU times (user + system of the child: on a shared machine
wall time mostly measures the other work) and their ratios (issue 12 asks for at most 3x):
`--repeat N` times (default 3), the two commands one after the other, then the medians.
`--profile` also prints where the import's time goes (cProfile, by own time).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JIG = Path(sys.executable).with_name("jig")
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
SHARED = Path(os.environ.get("JIG_SHARED_DATA") or ROOT.parent / "shared" / "data")
DEFAULT = SHARED / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `args`."""
    before = os.times()
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = os.times()
    return wall, (after.children_user - before.children_user
                  + after.children_system - before.children_system)


def main() -> None:
    argv = sys.argv[1:]
    repeat = 3
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = int(argv[at + 1])
        del argv[at:at + 2]
    args = [a for a in argv if not a.startswith("--")]
    export = Path(args[0]) if args else DEFAULT
    runs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeat):
            check = timed([str(JIG), "check", str(AGREEMENT), str(export), "-f", "jsonl", "-o",
                           str(Path(tmp) / "findings.jsonl")])
            imported = timed([str(JIG), "import", "--agreement", str(AGREEMENT), str(export),
                              "--data", str(Path(tmp) / f"store-{k}")])
            runs.append((check, imported))
            print(f"{export.name}: jig check -> JSON Lines {check[0]:.1f} s wall, {check[1]:.1f} "
                  f"s CPU; jig import -> SQLite store {imported[0]:.1f} s wall, "
                  f"{imported[1]:.1f} s CPU; ratio {imported[0] / check[0]:.1f}x wall, "
                  f"{imported[1] / check[1]:.1f}x CPU", flush=True)
        if "--profile" in sys.argv:
            prof = Path(tmp) / "import.prof"
            subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), str(JIG), "import",
                            "--agreement", str(AGREEMENT), str(export), "--data",
                            str(Path(tmp) / "store2")], check=True, capture_output=True)
            import pstats

            pstats.Stats(str(prof)).sort_stats("tottime").print_stats(25)
    med = statistics.median
    print(f"median of {repeat}: jig import / jig check "
          f"{med(i[0] / c[0] for c, i in runs):.2f}x wall, "
          f"{med(i[1] / c[1] for c, i in runs):.2f}x CPU (issue 12 asks at most 3x)")


if __name__ == "__main__":
    main()
