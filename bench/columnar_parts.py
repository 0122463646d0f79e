"""Where `jig check` CSV -> JSON Lines spends its CPU, columnar path against the row path.

Run: .venv/bin/python bench/columnar_parts.py [N] [jsonl|csv]   (default 200,000 to JSON Lines)

Writes bench/check_1m.py's agreement (1,000 zones) and N incidents, then times, in CPU seconds
of this process (`time.process_time`, so other work on a shared machine does not count):
reading the CSV, judging, and writing JSON Lines (or CSV), once by the columnar path
(`iter_columns`, `judge`, `Judged.jsonl` or `Judged.csv`) and once by the row path (the row
reader, `check`, one `json.dumps` per verdict or `jig.output.write_csv`). The two outputs are
compared byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scale import BOX, zones

from jig import load_agreement
from jig.engine import check, judge
from jig.engine.render_csv import csv_header
from jig.findings import Verdict
from jig.output import write_csv
from jig.readers import IncidentReader
from jig.readers.columns import IncidentColumns

CHUNK = 50_000


def write_inputs(folder: Path, n: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(2016)
    doc = {"jig": 1, "id": "bench", "in_force": {"from": "2016-07-15", "until": "2016-10-03"},
           "timezone": "UTC", "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
           "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
           "zones": {"type": "FeatureCollection", "features": zones(rng, 1000, False)},
           "clauses": [{"id": "no-strikes", "rule": "no_strikes_in", "bound": ["AF"],
                        "acts": ["air_strike"], "zones": {"kind": "designated"}}]}
    lon, lat = rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)
    day, hour = rng.integers(1, 29, n), rng.integers(0, 24, n)
    agreement, incidents = folder / "agreement.yaml", folder / "incidents.csv"
    agreement.write_text(json.dumps(doc, default=list))
    with incidents.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "time", "lon", "lat", "actor", "act"])
        for k in range(n):
            w.writerow([f"I{k}", f"2016-08-{day[k]:02d}T{hour[k]:02d}:00", f"{lon[k]:.5f}",
                        f"{lat[k]:.5f}", "A forces", "air_strike"])
    return agreement, incidents


def columnar(agreement_path: Path, incidents: Path, fmt: str) -> tuple[dict[str, float], str]:
    spent = {"read": 0.0, "judge": 0.0, "write": 0.0, "objects": 0.0}
    a = load_agreement(agreement_path)
    items = IncidentReader(a).iter_columns([incidents])
    out = [csv_header()] if fmt == "csv" else []
    while True:
        t = time.process_time()
        item = next(items, None)
        spent["read"] += time.process_time() - t
        if item is None:
            break
        if not isinstance(item, IncidentColumns):
            continue
        for part in item.split(CHUNK):
            t = time.process_time()
            judged = judge(a, part)
            spent["judge"] += time.process_time() - t
            t = time.process_time()
            out.append(judged.jsonl() if fmt == "jsonl" else judged.csv())
            spent["write"] += time.process_time() - t
            # What `jig check` did before writing from the columns: every verdict object,
            # then the writer of the format (timed apart, not part of the total).
            t = time.process_time()
            rows_text(judged.verdicts(), fmt)
            spent["objects"] += time.process_time() - t
    return spent, "".join(out)


def rows(agreement_path: Path, incidents: Path, fmt: str) -> tuple[dict[str, float], str]:
    spent = {}
    a = load_agreement(agreement_path)
    t = time.process_time()
    records, _ = IncidentReader(a, columnar=False).read([incidents])
    spent["read"] = time.process_time() - t
    t = time.process_time()
    verdicts = [v for k in range(0, len(records), CHUNK) for v in check(a, records[k:k + CHUNK])]
    spent["judge"] = time.process_time() - t
    t = time.process_time()
    text = rows_text(verdicts, fmt)
    spent["write"] = time.process_time() - t
    return spent, text


def rows_text(verdicts: list[Verdict], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(v.as_dict(), ensure_ascii=False) + "\n" for v in verdicts)
    fh = io.StringIO()
    write_csv(verdicts, fh)
    return fh.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    fmt = sys.argv[2] if len(sys.argv) > 2 else "jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        agreement, incidents = write_inputs(Path(tmp), n)
        load_agreement(agreement)  # the agreement's indexes are built once, outside the timing
        fast, text = columnar(agreement, incidents, fmt)
        slow, expected = rows(agreement, incidents, fmt)
    assert text == expected, "the columnar path wrote other bytes than the row path"
    print(f"{n:,} incidents x 1,000 zones to {fmt}, CPU seconds (same bytes written):")
    for part in ("read", "judge", "write"):
        print(f"  {part:<6} columnar {fast[part]:6.2f}   row path {slow[part]:6.2f}   "
              f"{slow[part] / max(fast[part], 1e-9):5.1f}x")
    print(f"  write from verdict objects instead (jig check before), after judge: "
          f"{fast['objects']:.2f}   {fast['objects'] / max(fast['write'], 1e-9):.1f}x the "
          "columnar write")
    fast.pop("objects")
    total_fast, total_slow = sum(fast.values()), sum(slow.values())
    print(f"  total  columnar {total_fast:6.2f}   row path {total_slow:6.2f}   "
          f"{total_slow / total_fast:5.1f}x")


if __name__ == "__main__":
    main()
