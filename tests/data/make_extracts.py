"""Make the small real-data extracts in this folder from ../shared/data (run once; kept for
the record). Rows are copied verbatim, never edited; see ATTRIBUTION.md."""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE.parents[2] / "shared" / "data"


def copy(src: Path, dst: Path, keep) -> None:
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    chosen = [r for i, r in enumerate(body) if keep(i, dict(zip(header, r, strict=True)))]
    with dst.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(chosen)
    print(dst.name, len(chosen))


# UCDP GED Syria: every 40th 2016 event (all where_prec codes occur), plus 2016 Idlib events
# of August, when the example agreement is in force.
copy(DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv", HERE / "ucdp_ged_syria_2016.csv",
     lambda i, r: r["year"] == "2016" and (i % 40 == 0 or (
         r["date_start"].startswith("2016-08-1") and r["adm_1"] == "Idlib governorate")))
# Airwars: every 12th 2016 incident, all of 2016 without coordinates, plus the known
# quirks of the file.
# quirks of the file, plus later rows without coordinates whose place names a gazetteer finds.
QUIRKS = {"TRSOM001", "CS1033", "TS644", "YS133"}
NAMED = {"NCS0131", "RS4964", "RS4928", "RS4921", "TS739", "RS4909", "RS4906", "RS4877",
         "TS661", "TS657"}
copy(DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv",
     HERE / "airwars_syria_2016.csv",
     lambda i, r: r["code"] in QUIRKS | NAMED or (r["date"].startswith("2016") and (
         i % 12 == 0 or not r["latitude"])))
# CJTF-OIR releases: every 6th Syria line of 2016.
copy(DATA / "cjtf_oir_strike_releases" / "centcom_oir_strikes_all-edited-refined.csv",
     HERE / "cjtf_oir_syria_2016.csv",
     lambda i, r: r["country"] == "Syria" and r["date"].endswith("2016") and i % 6 == 0)
