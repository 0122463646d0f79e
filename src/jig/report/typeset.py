"""The report's PDF: the narrative pages by WeasyPrint, the annex tables by Typst, one file.

WeasyPrint lays a report out at about 1.4 pages a second, and the annex of a period with tens
of thousands of breach and undetermined findings runs to thousands of pages (40 minutes for
100,000 incidents). Typst sets the same rows in a few milliseconds of CPU each, and shapes
Arabic right to left, so the narrative keeps its HTML layout and only the long tables (the
breach and undetermined findings, the exceptions invoked) are typeset apart, each as a PDF
of its own, then appended (pypdf). Everything is deterministic: the same inputs give the same
bytes. Why this and not the alternatives: docs/reports.md.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from functools import partial
from importlib import resources
from typing import Any

from jig.geo import point_text
from jig.i18n import direction, isolate, translations
from jig.report.bidi import isolate_ltr as isolate_runs

# Rows of an annex table set as one PDF: 100,000 incidents' 21,182 breach and undetermined
# findings took 16 s of one core in one piece; in parts, both cores share them.
PART_ROWS = 10_000
# Column widths in mm; 0 takes what is left.
FINDINGS_WIDTHS = [34, 34, 0, 28]
EXCEPTIONS_WIDTHS = [30, 34, 40, 0]


# Where annex.typ may break a left-to-right cell's line (each piece set as a box): a unit
# separator, never in a record's text. A zero-width space did it too, but Typst writes it in
# the glyph's text, so every "/" and "_" of the table was read back with one.
BREAK = "\x1f"


def breakable(text: str) -> str:
    """`text` with a break opportunity after each underscore, slash or semicolon inside a
    word: a file name such as "airwars_syria_incidents_detailed_en.csv" or UCDP's
    "SOHR;SOHR;SOHR" has none, and Typst let it run past the Sources column and off the
    page."""
    return re.sub(r"([_;/])(?=\S)", lambda m: m[1] + BREAK, text.replace(BREAK, " "))


def findings_rows(annex: list[dict[str, Any]], verdict_names: dict[str, str], lang: str = "en"
                  ) -> list[dict[str, Any]]:
    """The annex rows of the report's context as cells of lines: incident, time and place;
    actor, clause and finding; reason; sources."""
    from jig.report.render import metres, probability  # the HTML's own: "±5 000 м"

    iso = partial(isolate, lang=lang)
    out = []
    for r in annex:
        # The point and its precision each a line, each one isolate: Typst set the second
        # line of an isolate that wrapped right to left ("م ±1,000" on an Arabic page).
        where = [iso(point_text(r["lon"], r["lat"], 4))]
        if r["precision_m"]:
            where.append(iso(f"±{metres(r['precision_m'], lang)}"))
        if r["where"]:
            where.append(iso(r["where"]))
        finding = verdict_names[r["outcome"]]
        if r["p"] is not None:
            finding += " " + iso(probability(r["p"], lang))
        out.append({"cells": [[iso(r["id"]), iso(r["time"]), *where],
                              [iso(r["actor"]), iso(r["clause"]), finding],
                              [isolate_runs(r["reason"], lang)],
                              # left to right, as annex.typ sets the `ltr_cell`
                              [breakable(r["sources"])]], "outcome": r["outcome"]})
    return out


def exceptions_rows(excepted: list[dict[str, Any]], lang: str = "en") -> list[dict[str, Any]]:
    """The exceptions invoked as cells of lines: incident and time; clause and exception;
    the evidence, one line each; reason."""
    iso = partial(isolate, lang=lang)
    return [{"cells": [[iso(r["id"]), iso(r["time"])],
                       [iso(r["clause"]), iso(r["exception"] or "")],
                       # the label ("notice N-1") left to right; the note, in the report's
                       # language, runs in the page's direction
                       [iso(e["label"]) + (f": {isolate_runs(e['note'], lang)}"
                                           if e.get("note") else "")
                        for e in r["evidence"]] or [""],
                       [isolate_runs(r["reason"], lang)]], "outcome": "excepted"}
            for r in excepted]


def annex_jobs(page: dict[str, Any], verdict_names: dict[str, str], lang: str
               ) -> list[Callable[[], bytes]]:
    """The report context's annex tables, each a PDF of its own pages (none when empty), as
    work to run: a table longer than PART_ROWS is set in parts of that many rows, each
    numbered by its rows, so that the parts can be set at once on every core (Typst lets go
    of Python's lock while it works). The parts are fixed by the rows, never by the machine:
    the same inputs give the same bytes anywhere."""
    from jig.report.render import number

    _ = translations(lang).gettext
    iso = partial(isolate, lang=lang)
    jobs: list[Callable[[], bytes]] = []

    def table(title: str, titles: list[str], widths: list[int], rows: list[dict[str, Any]],
              outcome_cell: int = -1, note: str = "", ltr_cell: int = -1) -> None:
        total = f"{title} ({number(len(rows), lang)})"
        for start in range(0, len(rows), PART_ROWS):
            part = rows[start:start + PART_ROWS]
            span = iso(f"{number(start + 1, lang)}–{number(start + len(part), lang)}")
            whole = len(part) == len(rows)
            jobs.append(partial(table_pdf, lang, title if whole else f"{title} {span}",
                                total if whole else f"{total}: {span}", titles, widths, part,
                                outcome_cell=outcome_cell, note=note, ltr_cell=ltr_cell))

    if page["annex"]:
        table(_("Breaches and undetermined findings"),
              [f"{_('Incident')} · {_('Time')} · {_('Place')}",
               f"{_('Actor')} · {_('Clause')} · {_('Finding')}", _("Reason"), _("Sources")],
              FINDINGS_WIDTHS, findings_rows(page["annex"], verdict_names, lang),
              outcome_cell=1, ltr_cell=3,
              # The table lists the findings; the summary counted some of them as breaches.
              note=page["annex_either_note"] if page["either_breaches"] else "")
    if page["excepted"]:
        table(_("Exceptions invoked"),
              [f"{_('Incident')} · {_('Time')}", f"{_('Clause')} · {_('Exception')}",
               _("Evidence"), _("Reason")], EXCEPTIONS_WIDTHS,
              exceptions_rows(page["excepted"], lang))
    return jobs


def table_pdf(lang: str, title: str, subheading: str, titles: list[str], widths: list[int],
              rows: list[dict[str, Any]], outcome_cell: int = -1, note: str = "",
              ltr_cell: int = -1) -> bytes:
    """One annex table typeset by Typst; its pages are numbered "title n / N"; `note`, a
    sentence under its title; `ltr_cell`, a column set left to right and broken at BREAK."""
    import typst

    data = {"lang": lang, "dir": direction(lang), "heading": translations(lang).gettext("Annex"),
            "subheading": subheading, "pages": title, "titles": titles, "widths": widths,
            "outcome_cell": outcome_cell, "rows": rows, "note": note, "ltr_cell": ltr_cell}
    source = resources.files("jig.report").joinpath("templates/annex.typ").read_bytes()
    # Untagged, like WeasyPrint's pages: the structure tags of thousands of table cells made
    # the file five times larger.
    return typst.compile(source, sys_inputs={"annex": json.dumps(data, ensure_ascii=False)},
                         pdf_tags=False)


def join_pdfs(*parts: bytes) -> bytes:
    """The parts as one PDF, pages in order; no date or random identifier is added."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    writer.add_metadata({"/Producer": "jig"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
