"""`jig report` over 100,000 synthetic incidents, beside writing the same findings as JSON Lines.

Run: .venv/bin/python -m bench.report_100k [N]

Generates N incidents (bench/check_100k.py's generator, fixed seed) over north-west and central
Syria. First times `jig report -o report.html` and `-o report.pdf` end to end as a user runs
them (reading and judging included), each in a process of its own, with its CPU time and peak
memory. Then judges them once in this process and times, from the same verdicts: writing JSON
Lines; counting them into a report (period: the agreement's time in force, against the 80 days
before); rendering the HTML (map, charts, annex of every breach and undetermined finding);
rendering the PDF (the narrative pages by WeasyPrint, the annex table by Typst, joined by
pypdf). CPU seconds are printed beside wall seconds: on a shared machine the wall time is
mostly waiting for a core.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from pypdf import PdfReader

from bench.check_100k import make_csv
from jig import check, load_agreement, read_incidents
from jig.output import write_jsonl
from jig.report import Period, ReportBuilder, ReportInputs, render_html, render_pdf

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
T = TypeVar("T")


def timed(f: Callable[[], T]) -> tuple[T, float, float]:
    """f's result, wall seconds, CPU seconds (of this process, every thread)."""
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def end_to_end(incidents: Path, out: Path) -> None:
    """`jig report` as a user runs it, in a process of its own, first (a child forked from
    this process once it holds 100,000 verdicts would count them as its own memory): its
    wall time, CPU time and peak memory, the Typst compiler's included."""
    w = time.perf_counter()
    child = subprocess.Popen([str(Path(sys.executable).with_name("jig")), "report",
                              str(AGREEMENT), str(incidents), "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, used = os.wait4(child.pid, 0)
    wall = time.perf_counter() - w
    assert os.waitstatus_to_exitcode(status) == 0, f"jig report -o {out.name} failed"
    print(f"jig report -o {out.name} end to end (read, judge, report): {wall:.1f} s wall, "
          f"{used.ru_utime + used.ru_stime:.1f} s CPU, peak {used.ru_maxrss / 1e6:.2f} GB",
          flush=True)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    agreement = load_agreement(AGREEMENT)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        make_csv(path, n)
        for name in ("report.html", "report.pdf"):
            end_to_end(path, Path(tmp) / name)
        verdicts, t_judge, _ = timed(lambda: list(check(agreement,
                                                        read_incidents([path], agreement).records)))
        _, t_jsonl, c_jsonl = timed(lambda: write_jsonl(verdicts, io.StringIO()))
        period = Period.of_days(date(2016, 7, 15), date(2016, 10, 2), agreement)

        def count() -> ReportBuilder:
            builder = ReportBuilder(agreement, period, period.previous(agreement), [str(path)])
            for v in verdicts:
                builder.add(v)
            return builder

        builder, t_count, c_count = timed(count)
        print(f"{n:,} incidents judged in {t_judge:.1f} s (not part of the figures below)")
        print("                                      wall s   CPU s")
        print(f"  JSON Lines of the findings:        {t_jsonl:7.2f} {c_jsonl:7.2f}")
        print(f"  report, counting:                  {t_count:7.2f} {c_count:7.2f}", flush=True)
        html, t_html, c_html = timed(lambda: render_html(builder, ReportInputs([str(path)]), [],
                                                         "en"))
        print(f"  report, HTML (map, charts, annex): {t_html:7.2f} {c_html:7.2f}  "
              f"({len(html) / 1e6:.1f} MB, {len(builder.annex):,} annex rows)", flush=True)
        del html
        pdf, t_pdf, c_pdf = timed(lambda: render_pdf(builder, ReportInputs([str(path)]), [],
                                                     "en"))
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"  report, PDF (map, charts, annex):  {t_pdf:7.2f} {c_pdf:7.2f}  "
              f"({len(pdf) / 1e6:.1f} MB, {pages:,} pages)")
        print(f"  HTML from the verdicts:            {t_count + t_html:7.2f} {c_count + c_html:7.2f}")
        print(f"  PDF from the verdicts:             {t_count + t_pdf:7.2f} {c_count + c_pdf:7.2f}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB to GB
        print(f"  peak memory of this process: {peak:.1f} GB", flush=True)

if __name__ == "__main__":
    main()
