"""Store intake against `jig check`: the same rows, judged, into the SQLite store or to JSON Lines.

Run: .venv/bin/python bench/import_ratio.py [EXPORT] [--profile]

EXPORT defaults to the UCDP GED export (2016-2019, every event) in ../shared/data (or
$JIG_SHARED_DATA). Runs, as separate processes, `jig check AGREEMENT EXPORT -f jsonl` and
`jig import --agreement AGREEMENT EXPORT` into a fresh SQLite store, with the 2016 example's
agreement, and prints both wall and CPU times (user + system of the child: on a shared machine
wall time mostly measures the other work) and their ratios (issue 12 asks for at most 3x).
`--profile` also prints where the import's time goes (cProfile, by own time).
"""

from __future__ import annotations

import os
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
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    export = Path(args[0]) if args else DEFAULT
    with tempfile.TemporaryDirectory() as tmp:
        check = timed([str(JIG), "check", str(AGREEMENT), str(export), "-f", "jsonl", "-o",
                       str(Path(tmp) / "findings.jsonl")])
        imported = timed([str(JIG), "import", "--agreement", str(AGREEMENT), str(export),
                          "--data", str(Path(tmp) / "store")])
        if "--profile" in sys.argv:
            prof = Path(tmp) / "import.prof"
            subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), str(JIG), "import",
                            "--agreement", str(AGREEMENT), str(export), "--data",
                            str(Path(tmp) / "store2")], check=True, capture_output=True)
            import pstats

            pstats.Stats(str(prof)).sort_stats("tottime").print_stats(25)
    print(f"{export.name}: jig check -> JSON Lines {check[0]:.1f} s wall, {check[1]:.1f} s CPU; "
          f"jig import -> SQLite store {imported[0]:.1f} s wall, {imported[1]:.1f} s CPU; "
          f"ratio {imported[0] / check[0]:.1f}x wall, {imported[1] / check[1]:.1f}x CPU")


if __name__ == "__main__":
    main()
