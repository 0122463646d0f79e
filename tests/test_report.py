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
from tests.conftest import EXAMPLE, SHARED_DATA
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
    rows = re.findall(r'<tr data-place="([^"]+)">', places)
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
    # The unit held to its number: narrow annex cells put "m" alone on a line (a review).
    assert metres(5000.0, "ar") == "5,000\u00a0م" and metres(1000.0, "en") == "1,000\u00a0m"


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
    cells = re.findall(r'<tr data-input="[^"]+" data-judged="(\d+)" data-rejected="(\d+)"',
                       html.split('id="header"')[1].split("</header>")[0])
    assert len(cells) == len(REAL) and sum(int(b) for _, b in cells) == rejected


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
    # The agreement's English title is a left-to-right heading: in the Arabic page its
    # closing bracket was drawn at the start of its second line.
    assert '<h1 dir="ltr">' in html.read_text(encoding="utf-8")


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


# --- A mission analyst's review of real reports (Sochi, Astana, Castello on UCDP and Airwars) ---

UCDP_GED = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"
AIRWARS = SHARED_DATA / "airwars_syria" / "airwars_syria_incidents_detailed_en.csv"
GAZETTEER = SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv"


def _extract(src: Path, dst: Path, column: str, first: str, last: str) -> Path:
    """The rows of a real export whose date column falls in [first, last], copied as they
    are (a month's export, as a mission makes one): the file's name keeps the release's."""
    import csv

    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    at = rows[0].index(column)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(rows[0])
        w.writerows(r for r in rows[1:] if first <= r[at][:10] <= last)
    return dst


@pytest.fixture(scope="module")
def april_2019(tmp_path_factory) -> list[str]:
    """UCDP GED 19.1 and Airwars, April 2019: the month before the Idlib offensive."""
    d = tmp_path_factory.mktemp("april")
    return [str(_extract(UCDP_GED, d / "ged_syria_v19_1_2019-04.csv", "date_start",
                         "2019-04-01", "2019-04-30")),
            str(_extract(AIRWARS, d / "airwars_syria_incidents_detailed_en_2019-04.csv",
                         "date", "2019-04-01", "2019-04-30"))]


def _verdicts(agreement, files):
    from jig import check, read_incidents

    return check(agreement, read_incidents(files, agreement).records)


def _section(html: str, start: str, end: str = "</table>") -> str:
    return html.split(start)[1].split(end)[0]


def test_a_record_naming_two_sides_counts_once_for_the_party_whose_side_would_breach(
        tmp_path):
    """A review: "Incidents by the party answering" put each UCDP "SY_GOV or OPP" clash of the
    Castello week under both the US and Russia (32 breaches each), and the chart by party
    stacked it twice. A breach whichever side acted is neither party's for certain: it has a
    row of its own; a clash that only the government's act would make a breach is Russia's
    alone. Each incident counts once: the rows add up, and so does each day's bar."""
    from jig.report import ReportBuilder

    castello = load_agreement(entry("castello-2016").agreement_path)
    files = [str(_extract(UCDP_GED, tmp_path / "ucdp.csv", "date_start", "2016-09-01",
                          "2016-09-30")),
             str(_extract(AIRWARS, tmp_path / "airwars.csv", "date", "2016-09-01",
                          "2016-09-30"))]
    period = Period.of_days(date(2016, 9, 12), date(2016, 9, 18), castello)
    builder = ReportBuilder(castello, period, None, files)
    verdicts = [v for v in _verdicts(castello, files) if period.contains(v.incident.span.start)]
    for v in verdicts:
        builder.add(v)
    now = builder.now
    either_breach = sum(1 for v in verdicts if v.verdict == "breach" and v.readings is not None)
    assert either_breach >= 20  # the week's government-opposition clashes
    # Neither party is blamed for them; they are a row of their own.
    assert now.party["US"]["breach"] == sum(
        1 for v in verdicts if v.verdict == "breach" and v.readings is None
        and "US" in castello.parties_answering_for(castello.match_actor(v.incident.actor)[0]
                                                   or ""))
    assert now.party["RU"]["breach"] < either_breach
    from jig.report.tally import EITHER

    assert now.party[f"US{EITHER}RU"]["breach"] == either_breach
    # The rows add up to the incidents, verdict by verdict, and each day's bar to the day's
    # breach and undetermined incidents.
    for verdict, n in now.verdicts.items():
        assert sum(c[verdict] for c in now.party.values()) == n, verdict
    for day, counts in now.day.items():
        assert sum(now.day_party[day].values()) == counts["breach"] + counts["undetermined"]
    # The report names the row in the reader's language.
    from jig.report.render import party_label

    assert party_label(f"US{EITHER}RU", "en") == "either US or RU"
    assert party_label(f"US{EITHER}RU", "ru") == "либо US, либо RU"


def test_sochi_april_puts_no_opposition_clash_on_turkey(tmp_path, april_2019):
    """Sochi, April 2019: every UCDP clash's finding says "as an act of OPP, not applicable"
    (the attacks clause binds Russia and the government), yet TR showed 61 undetermined.
    TR's row counts only what an act of Turkey's side would make breach or undetermined."""
    sochi = entry("sochi-2018")
    out = tmp_path / "sochi.html"
    r = jig("report", str(sochi.agreement_path), *april_2019, "--from", "2019-04-01",
            "--to", "2019-04-30", "-o", str(out))
    assert r.returncode == 0, r.stderr
    agreement = load_agreement(sochi.agreement_path)
    period = Period.of_days(date(2019, 4, 1), date(2019, 4, 30), agreement)
    # Who could have done each undetermined incident, as its readings say: a clash whose
    # only grave reading is the government's act is Russia's; the opposition's, Turkey's.
    expected: Counter[str] = Counter()
    one_sided = 0
    for v in _verdicts(agreement, april_2019):
        if not period.contains(v.incident.span.start) or v.verdict != "undetermined":
            continue
        if v.readings is None:
            who = {agreement.match_actor(v.incident.actor or "")[0]}
        else:
            who = {r.actor for r in v.readings if r.outcome in ("breach", "undetermined")}
            one_sided += len(who) == 1
        parties = {p for a in who if a for p in agreement.parties_answering_for(a)}
        expected[parties.pop() if len(parties) == 1 else "several"] += 1
    assert one_sided > 20  # the government-opposition clashes
    rows = dict(re.findall(r'<tr data-key="([^"]*)" data-breach="\d+" '
                           r'data-undetermined="(\d+)"',
                           _section(out.read_text(encoding="utf-8"), 'id="by-party"', "</div>")))
    assert int(rows["TR"]) == expected["TR"] and int(rows["RU"]) == expected["RU"] > 20


def test_the_report_says_how_many_breaches_rest_on_either_side_records(tmp_path, april_2019):
    """Astana, April 2019: the summary showed 44 breaches, the clause table 2 and `check
    --summary`'s zones 2, with no word why. Under the verdict table, under the places and in
    the annex the report now says how many are records that are a breach whichever of two
    sides acted, in the reader's language."""
    astana = str(entry("astana-2017").agreement_path)
    agreement = load_agreement(astana)
    period = Period.of_days(date(2019, 4, 1), date(2019, 4, 30), agreement)
    either = sum(1 for v in _verdicts(agreement, april_2019)
                 if period.contains(v.incident.span.start) and v.verdict == "breach"
                 and v.readings is not None and not any(f.outcome == "breach"
                                                        for f in v.findings))
    assert either >= 20
    for lang, script in (("en", "whichever"), ("ru", "ни действовал"), ("ar", "أيًّا كان")):
        out = tmp_path / f"astana-{lang}.html"
        r = jig("report", astana, *april_2019, "--from", "2019-04-01", "--to", "2019-04-30",
                "--lang", lang, "-o", str(out))
        assert r.returncode == 0, r.stderr
        html = out.read_text(encoding="utf-8")
        for note in ("either-breaches", "either-place-breaches", "annex-either"):
            m = re.search(rf'<p class="note" id="{note}" data-n="(\d+)">(.*?)</p>', html, re.S)
            assert m is not None, (lang, note)
            assert int(m[1]) == either and script in m[2], (lang, note)
    # In the PDF the annex's table says it too, above its rows.
    pdf = tmp_path / "astana.pdf"
    assert jig("report", astana, *april_2019, "--from", "2019-04-01", "--to", "2019-04-30",
               "-o", str(pdf)).returncode == 0
    text = _pdftotext(pdf)
    tail = text[text.index("Breaches and undetermined findings (")
                + len("Breaches and undetermined findings ("):]
    assert f"{either} records listed here with undetermined findings are a breach" in tail


def test_rows_rejected_in_the_period_are_counted_by_input_and_reason(tmp_path, april_2019):
    """A review: 20 of April's 31 Airwars strikes had no coordinates and were dropped, while
    the header counted the whole files' rejects. The Inputs table now counts each file's rows
    rejected in the period, says why, warns when they are a large share, and counts the
    rejects whose date cannot be read."""
    out = tmp_path / "sochi.html"
    rejects = tmp_path / "rejects.csv"
    r = jig("report", str(entry("sochi-2018").agreement_path), *april_2019, "--from",
            "2019-04-01", "--to", "2019-04-30", "--rejects", str(rejects), "-o", str(out))
    assert r.returncode == 0, r.stderr
    import csv

    with rejects.open(encoding="utf-8", newline="") as fh:
        kept = list(csv.DictReader(fh))
    html = out.read_text(encoding="utf-8")
    header = _section(html, 'id="header"', "</header>")
    rows = {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in re.findall(
        r'<tr data-input="([^"]+)" data-judged="\d+" data-rejected="\d+" '
        r'data-judged-now="(\d+)" data-rejected-now="(\d+)" data-undated="(\d+)">', header)}
    ucdp, airwars = april_2019
    # Every row of the month's files is of April: each reject is the period's.
    for name in (ucdp, airwars):
        assert rows[name][1] == sum(1 for k in kept if k["file"] == name) > 0
        assert rows[name][2] == 0
    judged, rejected, _ = rows[airwars]
    assert rejected / (judged + rejected) > 0.5
    assert f'data-warn-input="{airwars}"' in header and f'data-warn-input="{ucdp}"' not in header
    assert "no coordinates, only a place name" in header
    # A whole year's file: only the period's rejects count, and those without a date are said.
    out = tmp_path / "real.html"
    assert jig("report", AGREEMENT, *REAL, "--from", "2016-09-01", "--to", "2016-09-30",
               "--rejects", str(rejects), "-o", str(out)).returncode == 0
    with rejects.open(encoding="utf-8", newline="") as fh:
        kept = list(csv.DictReader(fh))
    header = _section(out.read_text(encoding="utf-8"), 'id="header"', "</header>")
    counts = {m[0]: (int(m[1]), int(m[2])) for m in re.findall(
        r'<tr data-input="([^"]+)" data-judged="\d+" data-rejected="\d+" '
        r'data-judged-now="\d+" data-rejected-now="(\d+)" data-undated="(\d+)">', header)}
    date_of = {"ucdp": "date_start", "airwars": "date"}
    for name in REAL:
        key = date_of["ucdp" if "ucdp" in name else "airwars"]
        with open(name, encoding="utf-8", newline="") as fh:
            names = next(csv.reader(fh))
        days = [dict(zip(names, next(csv.reader(io.StringIO(k["raw"]))), strict=True))[key][:10]
                for k in kept if k["file"] == name]
        in_september = sum(1 for d in days if d.startswith("2016-09"))
        undated = sum(1 for d in days if not d or d.startswith("1970"))
        assert counts[name] == (in_september, undated), name
    airwars_2016 = next(n for n in REAL if "airwars" in n)
    assert counts[airwars_2016][1] >= 2  # TS644 and YS133 have no date
    assert "rejected rows give no date that can be read" in header


def test_the_map_draws_only_zones_in_force_and_says_they_are_reconstructions(tmp_path,
                                                                            april_2019):
    """Astana, April 2019: Northern Homs, both Eastern Ghouta zones and the south-west had
    ended in 2018, yet were filled like Idlib; nothing said the zones are reconstructions.
    The map draws the zones in force in the period; the caption names those left out and
    says which are approximate, and by how much their edges may be off."""
    import json as _json

    from jig.report import figures

    astana = entry("astana-2017")
    out = tmp_path / "astana.html"
    assert jig("report", str(astana.agreement_path), *april_2019, "--from", "2019-04-01",
               "--to", "2019-04-30", "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    zones = _json.loads((astana.directory / "zones.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in zones["features"]]
    ended = {p["id"] for p in props if p.get("valid_until") and p["valid_until"] < "2019-04-01"}
    live = {p["id"] for p in props} - ended
    assert ended and live
    caption = _section(html, '<section id="map">', "</section>")
    left_out = re.search(r'<span id="zones-none">(.*?)</span>', caption)[1]
    assert {z for z in ended if z in left_out} == ended
    assert not any(z in left_out for z in live)
    approximate = re.search(r'<strong id="approximate">(.*?)</strong>', caption)[1]
    assert all(z in approximate for z in live) and "5 km" in approximate
    assert "approximate reconstruction" in approximate
    # Methods said a breach "certainly happened where the clause forbids it", and a breach's
    # own reason said the act may lie on the other side of such an edge: it says how both hold.
    methods = _section(html, '<section id="methods">', "</section>")
    assert "judged as drawn" in methods and "neither its verdict nor p" in methods
    # The picture itself: the ended zones' fill is not drawn (it differs from all zones').
    agreement = load_agreement(astana.agreement_path)
    period = Period.of_days(date(2019, 4, 1), date(2019, 4, 30), agreement)
    split = figures.in_period(agreement.zones, period.start, period.end)
    assert {z.id for z in split.none} == ended and {z.id for z in split.drawn} == live
    import numpy as np

    empty = np.array([]), np.array([]), np.array([], dtype=np.int8)
    assert figures.draw_map(agreement, *empty, period=(period.start, period.end)) != \
        figures.draw_map(agreement, *empty)


def test_the_report_credits_the_data_it_read_and_only_that(tmp_path, april_2019):
    """A review found no citation, credit or licence (UCDP asks for Sundberg & Melander 2013
    and the GED 19.1 codebook; Airwars must be credited; the boundaries' and the gazetteer's
    terms), while Methods named ACLED and CJTF-OIR, which were not read."""
    sochi = entry("sochi-2018")
    out = tmp_path / "sochi.html"
    assert jig("report", str(sochi.agreement_path), *april_2019, "-g", str(GAZETTEER),
               "--from", "2019-04-01", "--to", "2019-04-30", "-o", str(out)).returncode == 0
    methods = _section(out.read_text(encoding="utf-8"), '<section id="methods">', "</section>")
    credits = _section(methods, '<ul class="credits" id="credits">', "</ul>")
    for words in ("Sundberg, Ralph, and Erik Melander (2013)", "Högbladh, Stina (2019). UCDP "
                  "GED Codebook version 19.1", "Airwars (airwars.org)", "which must be credited",
                  "COD-AB", "licence stated for them on HDX", "Syrian Archive",
                  "GNU General Public License, version 2", "agreement 2169"):
        assert words in credits, words
    # The zones' sources, as their features name them, addresses readable.
    agreement = load_agreement(sochi.agreement_path)
    for z in agreement.zones:
        for source in z.properties.get("sources", ())[:2]:
            from urllib.parse import unquote

            assert unquote(source) in credits
    assert "ACLED" not in methods and "CJTF" not in methods
    assert "UCDP GED" in methods and "Airwars" in methods
    # In Russian, the sentences around the citations are Russian; the citations as published.
    ru = tmp_path / "sochi-ru.html"
    assert jig("report", str(sochi.agreement_path), *april_2019, "--from", "2019-04-01",
               "--to", "2019-04-30", "--lang", "ru", "-o", str(ru)).returncode == 0
    credits = _section(ru.read_text(encoding="utf-8"), '<ul class="credits" id="credits">',
                       "</ul>")
    assert "UCDP просит ссылаться на него так" in credits and "Sundberg" in credits


def test_a_comparison_period_the_inputs_do_not_reach_is_not_compared(tmp_path, april_2019):
    """A one-month export showed "previous period 0" and +44 breaches. With no input row in
    the comparison period the report says it is not available and shows no change; with
    inputs that begin inside it, it warns that it is only partly covered."""
    astana = str(entry("astana-2017").agreement_path)
    out = tmp_path / "april.html"
    assert jig("report", astana, *april_2019, "--from", "2019-04-01", "--to", "2019-04-30",
               "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="no-comparison"' in html and "2019-03-02 – 2019-03-31" in html
    assert "Previous period" not in html and "Breaches: change" not in html
    breach = re.search(r'<tr data-verdict="breach".*?</tr>', html)[0]
    assert breach.count("<td") == 2 and "+" not in breach
    # Inputs from 20 March: the comparison stands, with a warning.
    late = [str(_extract(Path(p), tmp_path / Path(p).name, col, "2019-03-20", "2019-04-30"))
            for p, col in ((UCDP_GED, "date_start"), (AIRWARS, "date"))]
    out = tmp_path / "late.html"
    assert jig("report", astana, *late, "--from", "2019-04-01", "--to", "2019-04-30",
               "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="partial-comparison"' in html and "Previous period" in html
    assert 'id="no-comparison"' not in html
    # A whole dataset reaches it: no warning.
    out = tmp_path / "whole.html"
    assert jig("report", AGREEMENT, *REAL, "--from", "2016-09-01", "--to", "2016-09-30",
               "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "comparison" not in re.sub(r"<[^>]+>", "", html.split('id="summary"')[0]).replace(
        "in the comparison period", "")


def test_arabic_keeps_english_values_whole_in_commitments_and_dossier(tmp_path, april_2019):
    """A review: on Arabic pages "SOCHI-S1:" broke apart, a status source's parentheses and
    commas fell apart, a clause's quote marks landed at the wrong ends and a zone label's
    parenthesis was mirrored. Each left-to-right run is one isolate, with its brackets."""
    sochi = entry("sochi-2018")
    out = tmp_path / "ar.html"
    assert jig("report", str(sochi.agreement_path), *april_2019, "--status",
               str(sochi.status_records), "--from", "2019-04-01", "--to", "2019-04-30",
               "--lang", "ar", "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    section = _section(html, '<section id="commitments">', "</section>")
    assert "\u2066SOCHI-S1\u2069" in section
    runs = re.findall("\u2066([^\u2066\u2069]*)\u2069", section)
    source = next(r for r in runs if r.startswith("Turkish Ministry of National Defence"))
    assert source.count("(") == source.count(")") and "SOCHI-S1, " in source
    # The header's "In force" is isolated, not a left-to-right cell (which aligned it left).
    assert '<td class="ltr">' not in html.split('id="header"')[1].split("</table>")[0]
    # A zone's label in a reason: "idlib-area (…)" with its parentheses, as one run.
    from jig.report.bidi import isolate_ltr

    assert isolate_ltr("منطقة idlib-area (Idlib de-escalation area, Sept 2018)، على بعد", "ar") \
        == "منطقة \u2066idlib-area (Idlib de-escalation area, Sept 2018)\u2069، على بعد"
    assert isolate_ltr("any text (x)", "ru") == "any text (x)"
    dossier = tmp_path / "dossier.html"
    incident = re.search(r'data-incident="([^"]+)"', html)[1]
    assert jig("report", str(sochi.agreement_path), *april_2019, "--incident", incident,
               "--lang", "ar", "-o", str(dossier)).returncode == 0
    page = dossier.read_text(encoding="utf-8")
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)
    assert quotes and all(q.startswith("\u2066“") and q.endswith("”\u2069") for q in quotes)


def test_the_pdf_annex_keeps_long_file_names_inside_the_page(tmp_path, april_2019):
    """A review: the annex's Sources column (28 mm) could not hold an unbroken file name:
    "…incidents_detailed_en.c" was cut at the paper's edge, and "m" fell alone on a line
    after "±1,000". Every word of the annex's pages now lies inside the page's margins."""
    pdf = tmp_path / "sochi.pdf"
    assert jig("report", str(entry("sochi-2018").agreement_path), *april_2019, "--from",
               "2019-04-01", "--to", "2019-04-30", "-o", str(pdf)).returncode == 0
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    pages = box.split("<page ")[1:]
    annex = [p for p in pages if ">Sources</word>" in p and ">Reason</word>" in p]
    assert annex
    for page in annex:
        width = float(re.search(r'width="([\d.]+)"', page)[1])
        right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', page))
        # The right margin is 14 mm (39.7 pt); a word may touch it, not cross it.
        assert right <= width - 39.7 + 1.0, (right, width)
    # "m" on the line of its number: the word after each "±1,000" starts at its height.
    words = re.findall(r'yMin="([\d.]+)"[^>]*>([^<]*)</word>', "".join(annex))
    after = [(y, words[i + 1]) for i, (y, w) in enumerate(words[:-1]) if w == "±1,000"]
    assert after and all(unit == "m" and uy == y for y, (uy, unit) in after)
