"""`jig report` over 100,000 synthetic incidents, beside writing the same findings as JSON Lines.

Run: .venv/bin/python -m bench.report_100k [N] [PDF_N]

Generates N incidents (bench/check_100k.py's generator, fixed seed) over north-west and central
Syria. Judges them once, then times, from the same verdicts: writing JSON Lines; counting them
into a report (period: the agreement's time in force, against the 80 days before); rendering the
HTML (map, charts, annex of every breach and undetermined finding). Then times `jig report -o
report.html` end to end as a user runs it (reading and judging included).

The PDF is laid out by WeasyPrint page by page, and its time follows the annex's pages, not the
input's size: it is timed on the first PDF_N incidents (default 2,000) and printed in pages per
second, from which the PDF of the whole input can be estimated.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from bench.check_100k import make_csv
from jig import check, load_agreement, read_incidents
from jig.output import write_jsonl
from jig.report import Period, ReportBuilder, ReportInputs, html_to_pdf, render_html

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    pdf_n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    agreement = load_agreement(AGREEMENT)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        make_csv(path, n)
        t0 = time.perf_counter()
        verdicts = list(check(agreement, read_incidents([path], agreement).records))
        t1 = time.perf_counter()
        write_jsonl(verdicts, io.StringIO())
        t2 = time.perf_counter()
        from datetime import date

        period = Period.of_days(date(2016, 7, 15), date(2016, 10, 2), agreement)
        builder = ReportBuilder(agreement, period, period.previous(agreement), [str(path)])
        for v in verdicts:
            builder.add(v)
        t3 = time.perf_counter()
        html = render_html(builder, ReportInputs([str(path)]), [], "en")
        t4 = time.perf_counter()
        out = Path(tmp) / "report.html"
        subprocess.run([str(Path(sys.executable).with_name("jig")), "report", str(AGREEMENT),
                        str(path), "-o", str(out)], check=True, capture_output=True)
        t5 = time.perf_counter()
        small = ReportBuilder(agreement, period, period.previous(agreement), [str(path)])
        for v in verdicts[:pdf_n]:
            small.add(v)
        small_html = render_html(small, ReportInputs([str(path)]), [], "en")
        t6 = time.perf_counter()
        pdf = html_to_pdf(small_html)
        t7 = time.perf_counter()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    annex = len(builder.annex)
    print(f"{n:,} incidents judged in {t1 - t0:.1f} s (not part of either figure below)")
    print(f"  JSON Lines of the findings:        {t2 - t1:6.2f} s")
    print(f"  report, counting:                  {t3 - t2:6.2f} s")
    print(f"  report, HTML (map, charts, annex): {t4 - t3:6.2f} s  "
          f"({len(html) / 1e6:.1f} MB, {annex:,} annex rows)")
    print(f"  report HTML from the verdicts:     {t4 - t2:6.2f} s")
    print(f"jig report -o report.html end to end (read, judge, report): {t5 - t4:.1f} s")
    per_page = (t7 - t6) / pages
    print(f"PDF of the first {pdf_n:,} incidents ({len(small.annex):,} annex rows): {pages} pages "
          f"in {t7 - t6:.1f} s, {1 / per_page:.2f} pages/s; at {annex / len(small.annex or [1]):.0f}"
          f"x the annex, the whole input's PDF would take about "
          f"{per_page * pages * annex / max(len(small.annex), 1) / 60:.0f} min")


if __name__ == "__main__":
    main()
