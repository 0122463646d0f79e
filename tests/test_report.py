"""`jig report` as a user runs it: real processes, the shipped example and real UCDP/Airwars
extracts, the HTML read back section by section and compared with `jig check`'s counts, the PDF's
text extracted with pypdf and a page rendered with poppler's pdftoppm."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE
from tests.test_cli import AGREEMENT, INCIDENTS, NOTICES, jig

from jig import load_agreement
from jig.readers import IncidentReader
from jig.records import Incident
from jig.report.tally import Period

DATA = Path(__file__).parent / "data"
REAL = [str(DATA / "ucdp_ged_syria_2016.csv"), str(DATA / "airwars_syria_2016.csv")]
AIR = str(EXAMPLE / "air-notices.csv")


def report(tmp_path: Path, name: str, *args: str, files: list[str] | None = None
           ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path / name
    r = jig("report", AGREEMENT, *(files or [INCIDENTS]), "-o", str(out), *args)
    assert r.returncode == 0, r.stderr
    return out, r


def expected(files: list[str], first: date, last: date, *notice_args: str
             ) -> tuple[Counter[str], Counter[tuple[str, str]], Counter[str]]:
    """What `jig check` says of the incidents of [first, last]: verdicts, (clause, outcome)
    of every finding, and verdicts of the comparison period before it."""
    r = jig("check", AGREEMENT, *files, *notice_args, "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    agreement = load_agreement(AGREEMENT)
    period = Period.of_days(first, last, agreement)
    before = period.previous(agreement)
    start = {i.id: i.span.start for i in IncidentReader(agreement).iter(files)
             if isinstance(i, Incident)}
    verdicts: Counter[str] = Counter()
    findings: Counter[tuple[str, str]] = Counter()
    previous: Counter[str] = Counter()
    for line in r.stdout.splitlines():
        row = json.loads(line)
        t = start[row["incident"]]
        if period.contains(t):
            verdicts[row["verdict"]] += 1
            findings.update((f["clause"], f["outcome"]) for f in row["findings"])
        elif before.contains(t):
            previous[row["verdict"]] += 1
    return verdicts, findings, previous


def verdict_table(html: str) -> dict[str, tuple[int, int]]:
    return {m[0]: (int(m[1]), int(m[2])) for m in re.findall(
        r'<tr data-verdict="(\w+)" data-now="(\d+)" data-before="(\d+)">', html)}


def annex_rows(html: str) -> Counter[tuple[str, str]]:
    section = html.split('<section id="annex">')[1].split("</section>")[0]
    return Counter((c, o) for _, c, o in re.findall(
        r'<tr data-incident="([^"]+)" data-clause="([^"]+)" data-outcome="(\w+)">', section))


def test_report_on_the_example_has_every_section_and_check_s_numbers(tmp_path):
    out, _ = report(tmp_path, "r.html", "-n", NOTICES, "--air", AIR,
                    "--from", "2016-08-01", "--to", "2016-09-30")
    html = out.read_text(encoding="utf-8")
    for section in ("header", "summary", "map", "charts", "annex", "methods"):
        assert f'id="{section}"' in html
    verdicts, findings, previous = expected([INCIDENTS], date(2016, 8, 1), date(2016, 9, 30),
                                            "-n", NOTICES)
    table = verdict_table(html)
    assert {v: n for v, (n, _) in table.items() if n} == dict(verdicts)
    assert {v: b for v, (_, b) in table.items() if b} == dict(previous)
    assert sum(verdicts.values()) > 10 and previous  # both periods have incidents
    # The annex lists every breach and undetermined finding, and only those, with its reason.
    listed = annex_rows(html)
    assert +listed == Counter({k: n for k, n in findings.items()
                               if k[1] in ("breach", "undetermined", "excepted")})
    assert "air strike by RU is not at an agreed target" in html
    # Per-clause breaches as check counts them.
    for clause, n in re.findall(r'<tr data-key="([\w-]+)" data-breach="(\d+)"',
                                html.split('id="by-clause"')[1].split("</div>")[0]):
        assert int(n) == findings[(clause, "breach")]
    # The header: the agreement's hash, the inputs with their counts; the notices; air conflicts.
    agreement = load_agreement(AGREEMENT)
    assert agreement.content_hash in html and INCIDENTS in html and NOTICES in html
    assert "N-1" in html and "RU-1 × US-1" in html
    assert "2016-06-01 – 2016-07-31" in html  # the previous 61 days


def test_report_on_real_ucdp_and_airwars_matches_check(tmp_path):
    out, r = report(tmp_path, "real.html", "--from", "2016-09-01", "--to", "2016-11-30",
                    files=REAL)
    html = out.read_text(encoding="utf-8")
    verdicts, findings, previous = expected(REAL, date(2016, 9, 1), date(2016, 11, 30))
    table = verdict_table(html)
    assert {v: n for v, (n, _) in table.items() if n} == dict(verdicts)
    assert {v: b for v, (_, b) in table.items() if b} == dict(previous)
    assert verdicts["breach"] + verdicts["undetermined"] > 5
    listed = annex_rows(html)
    assert +listed == Counter({k: n for k, n in findings.items()
                               if k[1] in ("breach", "undetermined", "excepted")})
    # Every input file is named with what was judged and rejected from it.
    for f in REAL:
        assert f in html
    rejected = int(re.search(r"rejected (\d+)", r.stderr)[1])
    assert rejected > 0
    cells = re.findall(r'<td class="n">(\d+)</td><td class="n">(\d+)</td></tr>',
                       html.split('id="header"')[1].split("</header>")[0])
    assert sum(int(b) for _, b in cells) == rejected


def test_html_is_self_contained_and_byte_reproducible(tmp_path):
    a, _ = report(tmp_path, "a.html", "-n", NOTICES)
    b, _ = report(tmp_path, "b.html", "-n", NOTICES)
    assert a.read_bytes() == b.read_bytes()
    html = a.read_text(encoding="utf-8")
    # Nothing fetched when opened: no scripts, links, or sources other than data: URIs.
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert all(src.startswith("data:image/png;base64,")
               for src in re.findall(r'src="([^"]*)"', html))
    assert len(re.findall(r'src="data:', html)) >= 4  # the map and the charts
    assert not re.search(r"https?://", html)


def test_pdf_has_the_text_renders_and_is_byte_reproducible(tmp_path):
    from pypdf import PdfReader

    a, _ = report(tmp_path, "a.pdf", "-n", NOTICES, "--from", "2016-08-01",
                  "--to", "2016-09-30")
    b, _ = report(tmp_path, "b.pdf", "-n", NOTICES, "--from", "2016-08-01",
                  "--to", "2016-09-30")
    assert a.read_bytes() == b.read_bytes()
    pdf = PdfReader(a)
    assert len(pdf.pages) >= 4
    text = "\n".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    for words in ("Ceasefire monitoring report", "Summary", "Map", "Charts", "Annex",
                  "Methods", "agreed-targets-only", "A-12"):
        assert words in flat
    png = _render_page(a, 1, tmp_path)
    assert _ink(png) > 0.02


def _render_page(pdf: Path, page: int, tmp_path: Path) -> Path:
    prefix = tmp_path / f"{pdf.stem}-page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page),
                    str(pdf), str(prefix)], check=True, timeout=120)
    found = sorted(tmp_path.glob(f"{pdf.stem}-page*.png"))
    assert found, "pdftoppm wrote no page"
    return found[0]


def _ink(png: Path) -> float:
    """The share of the page's pixels that are not white."""
    import numpy as np
    from PIL import Image

    return float((np.asarray(Image.open(png).convert("L")) < 200).mean())


@pytest.mark.parametrize(("args", "message"), [
    (["--lang", "fr"], "--lang 'fr': use one of en, ru, ar"),
    (["--from", "2016-09-30", "--to", "2016-09-01"], "ends (2016-09-01) before it starts"),
    (["--from", "2016-02-30"], "--from '2016-02-30': not a date"),
    (["--compare", "last-year"], "--compare 'last-year': use previous, none or FROM/TO"),
])
def test_bad_options_exit_2_saying_which_and_why(tmp_path, args, message):
    r = jig("report", AGREEMENT, INCIDENTS, "-o", str(tmp_path / "r.html"), *args)
    assert r.returncode == 2
    assert message in " ".join(r.stderr.split())
    assert not (tmp_path / "r.html").exists()


def test_output_must_be_html_or_pdf(tmp_path):
    r = jig("report", AGREEMENT, INCIDENTS, "-o", str(tmp_path / "r.docx"))
    assert r.returncode == 2 and "name a .html or .pdf file" in r.stderr


def test_periods_are_whole_days_in_the_agreement_s_timezone():
    a = load_agreement(AGREEMENT)
    p = Period.of_days(date(2016, 9, 12), date(2016, 9, 18), a)
    assert p.days == 7 and p.end - p.start == 7 * 86400
    prev = p.previous(a)
    assert (prev.first, prev.last) == (date(2016, 9, 5), date(2016, 9, 11))
    assert prev.end == p.start
    # Midnight in Damascus (UTC+3 in summer 2016) belongs to the new day.
    from jig.times import parse_time

    assert p.contains(parse_time("2016-09-12T00:00", a.tz).start)
    assert not p.contains(parse_time("2016-09-11T23:59", a.tz).start)
    assert not p.contains(parse_time("2016-09-19T00:00", a.tz).start)


def test_arabic_pdf_is_right_to_left_with_arabic_text_and_reasons(tmp_path):
    from pypdf import PdfReader

    pdf, _ = report(tmp_path, "ar.pdf", "-n", NOTICES, "--from", "2016-08-01",
                    "--to", "2016-09-30", "--lang", "ar")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    # pypdf gives the text back in logical order: each phrase as the catalog has it.
    for words in ("تقرير مراقبة وقف إطلاق النار", "الملخص", "الحوادث حسب الحكم", "الخريطة",
                  "الملحق", "المنهجية", "ليس عند هدف متفق عليه", "غارة جوية من"):
        assert words in text, words
    assert "Summary" not in text and "is not at an agreed target" not in text
    assert _ink(_render_page(pdf, 1, tmp_path)) > 0.02
    html, _ = report(tmp_path, "ar.html", "-n", NOTICES, "--lang", "ar")
    assert '<html lang="ar" dir="rtl">' in html.read_text(encoding="utf-8")


def test_russian_report_has_russian_text_and_reasons(tmp_path):
    from pypdf import PdfReader

    pdf, _ = report(tmp_path, "ru.pdf", "-n", NOTICES, "--from", "2016-08-01",
                    "--to", "2016-09-30", "--lang", "ru")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    for words in ("Отчёт о мониторинге прекращения огня", "Сводка", "Инциденты по вердиктам",
                  "Приложение", "Методы", "авиаудар RU: не на согласованной цели",
                  "исключение по imminent-threat"):
        assert words in text, words
