"""`jig sweep` and `jig diff` on a year of real events: are they fast enough to use at a prompt?

Run: .venv/bin/python bench/whatif_bench.py [YEAR]

Reads UCDP GED and Airwars (../shared/data) once, keeps the events of YEAR (default 2017, the
busiest: about 7,000 rows with coordinates), then times: a sweep of the Astana memorandum's five
zones over 11 widths (-5 km to +5 km), and a diff of the Astana and Sochi memoranda. Reading the
files is timed apart (it is the same for `jig check`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jig import load_agreement
from jig.library import entry
from jig.readers import IncidentReader
from jig.times import Window, parse_time
from jig.whatif import diff, parse_buffers, sweep

ROOT = Path(__file__).resolve().parents[1]
DATA = next(p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir())


def main() -> None:
    year = sys.argv[1] if len(sys.argv) > 1 else "2017"
    astana = load_agreement(entry("astana-2017").agreement_path)
    sochi = load_agreement(entry("sochi-2018").agreement_path)
    t0 = time.perf_counter()
    records, _ = IncidentReader(astana).read([
        DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv",
        DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv"])
    window = Window(parse_time(f"{year}-01-01", astana.tz).start,
                    parse_time(f"{year}-12-31", astana.tz).end)
    events = [r for r in records if not window.misses(r.span)]
    t1 = time.perf_counter()
    print(f"read {len(records):,} rows, {len(events):,} events in {year}: {t1 - t0:.1f} s")
    widths = parse_buffers("-5km:+5km:1km")
    rows = sweep(astana, events, widths)
    t2 = time.perf_counter()
    print(f"sweep astana-2017, {len(widths)} widths, every zone: {t2 - t1:.1f} s "
          f"({(t2 - t1) / len(widths):.2f} s a width)")
    for r in rows:
        print(f"  {r.metres / 1000:+.0f} km  breach {r.counts['breach']:>5}  inside {r.inside:>5}"
              f"  changed {r.changed:>5}")
    d = diff(astana, sochi, events, events)
    t3 = time.perf_counter()
    print(f"diff astana-2017 -> sochi-2018: {len(d.changes):,} changes, {t3 - t2:.1f} s")


if __name__ == "__main__":
    main()
