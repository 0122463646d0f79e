"""`jig report` as a user runs it: real processes, the shipped example and real UCDP/Airwars
extracts, the HTML read back section by section and compared with `jig check`'s counts, the PDF's
text extracted with pypdf and a page rendered with poppler's pdftoppm."""

from __future__ import annotations

import io
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
from jig.library import entry
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
    out, r = report(tmp_path, "r.html", "-n", NOTICES, "--air", AIR,
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
    # The line on stderr counts every incident of the period, not_applicable too: it adds up.
    said = re.search(r"(\d+) in 2016-08-01–2016-09-30: (.*?); report", r.stderr)
    counts = {v: int(n) for v, n in (x.split(" ") for x in said[2].split(", "))}
    assert sum(counts.values()) == int(said[1]) == sum(verdicts.values())
    assert counts["not_applicable"] == verdicts["not_applicable"] > 0
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
    assert re.search(r"RU-1 × US-1.*?<td>[\d,]+ m, [\d,]+ ft, [\d,]+ min</td>", html)
    assert "2016-06-01 – 2016-07-31" in html  # the previous 61 days
    # An actor with nothing in the table's columns in either period has no row of zeros.
    actors = html.split('id="by-actor"')[1].split("</div>")[0]
    for row in re.findall(r"<tr data-key=.*?</tr>", actors):
        assert re.search(r'<td class="n">[1-9]', row), row
    # Places are where acts were (zones, sites), not the nearest agreed target an act away
    # from all of them names: T-2 led the ranking with breaches 10-78 km from it.
    places = html.split("with the most breaches</h3>")[1].split("</table>")[0]
    rows = re.findall(r'<tr><td class="ltr">([^<]+)</td>', places)
    assert rows and not {"T-1", "T-2", "T-3", "T-4"} & set(rows)


def test_a_period_before_the_agreement_is_no_comparison(tmp_path):
    """The default period is the agreement's whole time in force, so the days before it are
    days without the agreement: "breach 8 (0) +8" against them meant nothing (a new user's
    review). They are not compared, and no previous-period column is shown; a period with
    days in force before it still is."""
    out, _ = report(tmp_path, "whole.html", "-n", NOTICES)
    html = out.read_text(encoding="utf-8")
    assert "no comparison" in html and "Previous period" not in html
    assert "Each cell: this period (previous period)" not in html
    breach = re.search(r'<tr data-verdict="breach".*?</tr>', html)[0]
    assert breach.count("<td") == 2  # the verdict and this period's count: no "0", no "+8"
    out, _ = report(tmp_path, "later.html", "-n", NOTICES, "--from", "2016-09-01")
    assert "Previous period" in out.read_text(encoding="utf-8")


def test_air_margins_and_distances_are_written_in_the_report_s_language():
    from jig.report.render import margins, metres, number

    m = {"horizontal_m": 9260, "vertical_ft": 3000, "time_min": 70}
    assert margins(m, "en") == "9,260 m, 3,000 ft, 70 min"
    assert margins(m, "ru") == f"{number(9260, 'ru')} м, {number(3000, 'ru')} фт, 70 мин"
    assert metres(5000.0, "ar") == "5,000 م"


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


def test_pdf_annex_lists_every_breach_and_undetermined_finding_the_html_does(tmp_path):
    """The PDF's annex table is typeset by Typst apart from the narrative: it must still hold
    every row of the HTML's annex, on pages of its own after the methods."""
    from pypdf import PdfReader

    period = ("--from", "2016-08-01", "--to", "2016-09-30")
    html, _ = report(tmp_path, "r.html", "-n", NOTICES, *period)
    pdf, _ = report(tmp_path, "r.pdf", "-n", NOTICES, *period)
    table = html.read_text(encoding="utf-8").split('<section id="annex">')[1].split("<h3>")[1]
    rows = re.findall(r'<tr data-incident="([^"]+)" data-clause="([^"]+)" data-outcome="(\w+)">',
                      table)
    assert len(rows) == 14
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    first = next(i for i, t in enumerate(pages) if "Breaches and undetermined findings 1 / " in t)
    assert "Breaches and undetermined findings (14)" in pages[first]
    assert any("How incidents are judged" in t for t in pages[:first])  # methods come before
    annex = " ".join(" ".join(pages[first:]).split())
    joined = annex.replace("- ", "-")  # ids broken across lines after a hyphen
    for _, clause, outcome in rows:
        assert clause in joined and outcome in annex
    # The exceptions invoked close it, as a table of their own, with their evidence.
    last = next(i for i, t in enumerate(pages) if "Exceptions invoked 1 / " in t)
    assert last > first and "Exceptions invoked (3)" in pages[last]
    exceptions = " ".join(" ".join(pages[last:]).split())
    assert Counter(re.findall(r"\b(A-\d+)\b", annex[:annex.index("Exceptions invoked (3)")])
                   ) == Counter(i for i, _, _ in rows)
    for incident in ("A-09", "A-12", "A-14"):
        assert incident in exceptions
    assert "advance-beyond-areas" in exceptions.replace("- ", "-")
    assert "incident A-11" in exceptions
    assert _ink(_render_page(pdf, first + 1, tmp_path)) > 0.02


def test_a_long_annex_is_set_in_parts_numbered_by_their_rows(monkeypatch):
    """A table longer than PART_ROWS is set in parts, at once on every core: every row is
    still there, in order, each part titled by its rows, and the bytes are the same each
    time (the parts follow the rows, never the machine)."""
    from pypdf import PdfReader

    from jig import check, read_incidents, read_notices
    from jig.report import ReportBuilder, ReportInputs, render_pdf, typeset

    monkeypatch.setattr(typeset, "PART_ROWS", 5)
    agreement = load_agreement(AGREEMENT)
    notices = read_notices([NOTICES], agreement).records
    period = Period.of_days(date(2016, 8, 1), date(2016, 9, 30), agreement)
    builder = ReportBuilder(agreement, period, None, [INCIDENTS])
    for v in check(agreement, read_incidents([INCIDENTS], agreement).records, notices):
        builder.add(v)
    assert len(builder.annex) == 14
    pdfs = [render_pdf(builder, ReportInputs([INCIDENTS]), notices, "en") for _ in range(2)]
    assert pdfs[0] == pdfs[1]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdfs[0])).pages)
                    .split())
    title = "Breaches and undetermined findings"
    at = [text.index(f"{title} (14): {span}") for span in ("1–5", "6–10", "11–14")]
    assert at == sorted(at)
    assert f"{title} 6–10 1 / 1" in text and "Exceptions invoked (3)" in text
    ids = re.findall(r"\b(A-\d+)\b", text[at[0]:text.index("Exceptions invoked (3)", at[0])])
    assert Counter(ids) == Counter(r.incident.id for r in builder.annex)


def _pdftotext(pdf: Path) -> str:
    """The PDF's text in logical order by poppler, bidi controls dropped: pypdf returns the
    words of Typst's right-to-left lines in visual order, poppler in reading order."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    return " ".join(re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text).split())


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
    (["--from", "2016-09-30", "--to", "2016-09-01"],
     "--from/--to: the period ends (2016-09-01) before it starts"),
    (["--from", "2016-02-30"], "--from: impossible date '2016-02-30' (no such day"),
    (["--from", "30/09/2016"], "--from: '30/09/2016' is not a date: write the day as YYYY-MM-DD"),
    (["--compare", "2016-06-01/2016-05-01"], "--compare: the period ends (2016-05-01) before"),
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
    # pypdf gives WeasyPrint's text back in logical order: each phrase as the catalog has it.
    for words in ("تقرير مراقبة وقف إطلاق النار", "الملخص", "الحوادث حسب الحكم", "الخريطة",
                  "الملحق", "المنهجية"):
        assert words in text, words
    # The annex (Typst's pages) read by poppler: the reasons, translated, in reading order,
    # and "lat, lon" kept left to right inside the right-to-left table.
    whole = _pdftotext(pdf)
    for words in ("ليس عند هدف متفق عليه", "غارة جوية من", "الخروقات والنتائج غير المحسومة",
                  "35.8000 N, 36.5500 E"):
        assert words in whole, words
    assert "Summary" not in whole and "is not at an agreed target" not in whole
    # A reason's times stay whole: the bidi algorithm set A-15's notice time as
    # "26T12:00+03:00-08-2016" before they were isolated (a new user's review).
    assert "2016-08-26T12:00+03:00" in whole and "-08-2016" not in whole
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
                  "исключение по imminent-threat",
                  # The evidence of the exceptions invoked, which stayed in English.
                  "уведомление N-1: от RU, датировано 2016-08-05T08:00+03:00, называет инцидент",
                  "инцидент A-11: NUSRA вне зон"):
        assert words in text, words
    assert "names the incident" not in text and "km away" not in text
    assert "incidents.csv, строка 2" in text and ", line " not in text
    assert "±1 000 м" in text and "±1,000" not in text  # numbers and units as the HTML writes them
    # A probability with Russian's decimal comma, as in the reasons beside it.
    assert re.search(r"p = 0,\d{3}", text) and not re.search(r"p = 0\.\d{3}", text)


HODEIDAH = entry("hodeidah-2018")


def test_report_has_the_commitments_with_deadline_status_verdict_and_reason(tmp_path):
    """Hodeidah's redeployment deadlines on the library's sourced status records, judged as of
    the end of the period: the same outcomes and reasons as `jig check --status --as-of`."""
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("id,time,lon,lat,actor,act,source\n"
                         "H-1,2019-05-12T10:00,42.95,14.80,HOUTHI,shelling,test row\n")
    status = str(HODEIDAH.status_records)
    args = [str(HODEIDAH.agreement_path), str(incidents), "--status", status]
    checked = jig("check", *args, "--as-of", "2019-05-31T23:59:59", "-f", "jsonl")
    assert checked.returncode == 0, checked.stderr
    expected = [json.loads(line) for line in checked.stdout.splitlines() if "commitment" in line]
    assert [c["outcome"] for c in expected] == ["breach", "breach", "breach"]
    out = tmp_path / "hod.html"
    r = jig("report", *args, "--from", "2019-05-01", "--to", "2019-05-31", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    section = html.split('<section id="commitments">')[1].split("</section>")[0]
    rows = re.findall(r'<tr data-commitment="([^"]+)" data-actor="([^"]+)" '
                      r'data-outcome="(\w+)">(.*?)</tr>', section, re.S)
    assert [(c, a, o) for c, a, o, _ in rows] == [
        (c["commitment"], c["actor"], c["outcome"]) for c in expected]
    for (_, _, _, cells), c in zip(rows, expected, strict=True):
        assert c["deadline"] in cells and c["reason"] in cells.replace("&#39;", "'")
    assert "HOD-S4</span>: done" in rows[0][3] and "HOD-S3</span>: not done" in rows[0][3]
    # Before the May verification, the ports commitment is still a breach (not done once
    # overdue), without the late completion.
    early = tmp_path / "early.html"
    jig("report", *args, "--from", "2019-02-01", "--to", "2019-02-28", "-o", str(early))
    text = early.read_text(encoding="utf-8").split('<section id="commitments">')[1]
    assert "HOD-S4" not in text and "HOD-S3" in text

    # In Russian and Arabic, reasons from the catalogs; in the Arabic PDF, read back.
    ru = tmp_path / "hod-ru.html"
    jig("report", *args, "--from", "2019-05-01", "--to", "2019-05-31", "--lang", "ru",
        "-o", str(ru))
    section = ru.read_text(encoding="utf-8").split('<section id="commitments">')[1]
    assert "Обязательства" in section and "просрочено: UN statement on the phase-1" in section
    assert "через 133 дня после срока" in section and "must" not in section
    # An agreement still in force has no end: said in the language, not as "open".
    header = ru.read_text(encoding="utf-8").split('id="header"')[1].split("</table>")[0]
    assert "2018-12-18T00:00+03:00 – бессрочно (Asia/Aden)" in header, header
    pdf = tmp_path / "hod-ar.pdf"
    r = jig("report", *args, "--from", "2019-05-01", "--to", "2019-05-31", "--lang", "ar",
            "-o", str(pdf))
    assert r.returncode == 0, r.stderr
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    for words in ("الالتزامات", "الموعد النهائي", "سجلات الحالة", "متأخر"):
        assert words in text, words


@pytest.mark.parametrize("name", ["hodeidah-2018", "sochi-2018", "minsk-2-2015", "moscow-2020"])
def test_every_commitment_reason_of_the_library_has_a_translation(name):
    from jig.engine.commitments import judge_commitments
    from jig.readers.status import read_status
    from jig.report.reasons import translate_text
    from jig.times import parse_time

    e = entry(name)
    a = load_agreement(e.agreement_path)
    records = read_status([e.status_records], a).records
    # As of several moments: pending, just overdue, and settled.
    moments = ["2015-03-01", "2018-10-09", "2018-12-30", "2019-01-05", "2019-03-01", "2025-01-01"]
    reasons = {c.reason for m in moments
               for c in judge_commitments(a, records, parse_time(m, a.tz).end)}
    assert len(reasons) >= 2
    for lang in ("ru", "ar"):
        for reason in reasons:
            got = translate_text(reason, lang)
            assert got is not None and got != reason, (lang, reason)
