"""The report's PDF: the narrative pages by WeasyPrint, the annex table by Typst, one file.

WeasyPrint lays a report out at about 1.4 pages a second, and the annex of a period with tens
of thousands of breach and undetermined findings runs to thousands of pages (40 minutes for
100,000 incidents). Typst sets the same table some fifty times faster, and shapes Arabic right
to left (HarfBuzz's rules, ported), so the narrative keeps its HTML layout and only the table
is typeset apart, then appended (pypdf). Both halves and the join are deterministic: the same
inputs give the same bytes. Why this and not the alternatives: docs/reports.md.
"""

from __future__ import annotations

import io
import json
from importlib import resources
from typing import Any

from jig.i18n import direction, translations


def annex_rows(annex: list[dict[str, Any]], verdict_names: dict[str, str], rtl: bool = False
               ) -> list[list[str]]:
    """The annex rows of the report's context as the table's cells, all text. In a right to
    left table, left-to-right values (ids, times, coordinates, file names) are Unicode
    isolates, so that the bidi algorithm keeps "lat, lon" in that order."""
    iso = (lambda t: f"\u2066{t}\u2069" if t else t) if rtl else (lambda t: t)
    out = []
    for r in annex:
        place = f"{r['lat']:.4f}, {r['lon']:.4f}"
        if r["precision_m"]:
            place += f" ±{int(r['precision_m']):,} m"
        place = iso(place) + ("\n" + iso(r["where"]) if r["where"] else "")
        finding = verdict_names[r["outcome"]]
        if r["p"] is not None:
            finding += "\n" + iso(f"p = {r['p']:.3f}")
        out.append([iso(r["id"]), iso(r["time"]), place, r["actor"], iso(r["clause"]),
                    finding, r["reason"], iso(r["sources"]), r["outcome"]])
    return out


def annex_pdf(annex: list[dict[str, Any]], verdict_names: dict[str, str], lang: str) -> bytes:
    """The annex table of breach and undetermined findings as a PDF of its own pages."""
    import typst

    from jig.report.render import number

    _ = translations(lang).gettext
    data = {
        "lang": lang, "dir": direction(lang),
        "heading": _("Annex"),
        "subheading": f"{_('Breaches and undetermined findings')} ({number(len(annex), lang)})",
        "pages": _("Annex"),
        "titles": [_("Incident"), _("Time"), _("Place"), _("Actor"), _("Clause"), _("Finding"),
                   _("Reason"), _("Sources")],
        "rows": annex_rows(annex, verdict_names, direction(lang) == "rtl"),
    }
    source = resources.files("jig.report").joinpath("templates/annex.typ").read_bytes()
    return typst.compile(source, sys_inputs={"annex": json.dumps(data, ensure_ascii=False)})


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
