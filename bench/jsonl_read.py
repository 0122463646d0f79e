"""Reading JSON Lines incidents: the columnar reader against the row reader, in CPU seconds.

Run: .venv/bin/python bench/jsonl_read.py [N]   (default 200,000)

Writes bench/columnar_parts.py's agreement (1,000 zones) and N incidents as format-1 JSON
Lines (numbers as numbers, an extra field), then reads them into chunks of columns once with
the columnar reader (`jig.readers.jsoncolumns`) and once row by row, in CPU seconds of this
process (`time.process_time`, so other work on a shared machine does not count), and
compares what both read.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from columnar_parts import write_inputs

from jig import load_agreement
from jig.readers import IncidentReader
from jig.readers.columns import IncidentColumns


def as_jsonl(incidents_csv: Path, out: Path) -> Path:
    with incidents_csv.open(newline="") as fh, out.open("w", encoding="utf-8") as dst:
        for row in csv.DictReader(fh):
            dst.write(json.dumps({**row, "lon": float(row["lon"]), "lat": float(row["lat"]),
                                  "notes": "from the bench"}) + "\n")
    return out


def read(agreement, path: Path, columnar: bool) -> tuple[float, list[IncidentColumns]]:
    t = time.process_time()
    chunks = [c for c in IncidentReader(agreement, columnar=columnar).iter_columns([path])
              if isinstance(c, IncidentColumns)]
    return time.process_time() - t, chunks


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        agreement_path, incidents = write_inputs(Path(tmp), n)
        path = as_jsonl(incidents, Path(tmp) / "incidents.jsonl")
        a = load_agreement(agreement_path)
        fast, got = read(a, path, True)
        slow, want = read(a, path, False)
    for name in ("lon", "lat", "precision_m", "start", "end"):
        assert np.array_equal(np.concatenate([getattr(c, name) for c in got]),
                              np.concatenate([getattr(c, name) for c in want])), name
    assert [i for c in got for i in c.ids.to_pylist()] == \
        [i for c in want for i in c.ids.to_pylist()]
    print(f"{n:,} incidents as JSON Lines, read into columns, CPU seconds: columnar "
          f"{fast:.2f}, row reader {slow:.2f} ({slow / fast:.1f}x)")


if __name__ == "__main__":
    main()
