"""Verdicts written out: JSON Lines (the contract), CSV, GeoJSON, and a table for people."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from jig.engine.sides import verdict_reason
from jig.findings import OUTCOMES, Finding, Verdict
from jig.records import Origin

FORMATS = ("table", "jsonl", "geojson", "csv")
CSV_COLUMNS = ("incident", "verdict", "clause", "outcome", "zone", "site", "target", "p",
               "exception", "evidence", "missing", "reason")
STYLE = {"breach": "bold red", "undetermined": "yellow", "excepted": "cyan",
         "complies": "green", "not_applicable": "dim"}


def write_jsonl(verdicts: Iterable[Verdict], out: IO[str]) -> None:
    """Exactly the findings object of format 1, one line per incident, in input order."""
    for v in verdicts:
        out.write(json.dumps(v.as_dict(), ensure_ascii=False) + "\n")


# A cell a spreadsheet would take for a formula: an id "=HYPERLINK(...)" one party sent ran in
# the other party's spreadsheet when it opened the export. Such a cell is written after an
# apostrophe, which spreadsheets show as text and do not display (OWASP's advice).
# A lone "-" (the summary's "no clause") is no formula and stays as it is. One pattern for
# Python and Arrow's RE2 (`jig.engine.render_csv`), so both paths write the same bytes.
FORMULA_PATTERN = r"(?s)^(?:[=+\-@].|[\t\r])"
_FORMULA = re.compile(FORMULA_PATTERN)


def spreadsheet_safe(row: Iterable[Any]) -> list[Any]:
    """A CSV row with every text cell a spreadsheet would run as a formula made text."""
    return [f"'{v}" if isinstance(v, str) and _FORMULA.match(v) else v for v in row]


def write_csv(verdicts: Iterable[Verdict], out: IO[str]) -> None:
    """One row per finding; an incident with no finding gets one row with its verdict only."""
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for v in verdicts:
        if not v.findings:
            w.writerow(spreadsheet_safe([v.incident.id, v.verdict]
                                        + [""] * (len(CSV_COLUMNS) - 2)))
        for f in v.findings:
            w.writerow(spreadsheet_safe([v.incident.id, v.verdict, *finding_fields(f)]))


def finding_fields(f: Finding) -> list[Any]:
    """A finding's CSV fields after the incident and its verdict (CSV_COLUMNS[2:])."""
    d = f.as_dict()
    return [f.clause, f.outcome, d.get("zone", ""), d.get("site", ""), d.get("target", ""),
            "" if f.p is None else f.p, f.exception or "",
            " ".join(f"{e.kind}:{e.id}" for e in f.evidence), " | ".join(f.missing), f.reason]


def geojson_features(verdicts: Iterable[Verdict]) -> Iterable[dict[str, Any]]:
    """Incident points with every field of the input, and flat columns a GIS can style by
    (verdict, and the clause, zone and p of the first finding with that outcome) beside the
    nested findings."""
    for v in verdicts:
        inc = v.incident
        first = v.lead
        ours: dict[str, Any] = {
            "incident": inc.id, "verdict": v.verdict,
            "clause": first.clause if first else None,
            "zone": first.zone if first else None,
            "p": first.p if first else None,
            "time": inc.time_text, "actor": inc.actor, "target": inc.target, "act": inc.act,
            "weapon": inc.weapon, "precision_m": inc.precision_m}
        # An input column named like one of ours is kept beside it, not overwritten.
        props = {(f"{k}_input" if k in ours or k == "findings" else k): val
                 for k, val in inc.extra.items()}
        props = ours | props | {"findings": [f.as_dict() for f in v.findings]}
        yield {"type": "Feature", "id": inc.id, "properties": props,
               "geometry": {"type": "Point", "coordinates": [inc.lon, inc.lat]}}


def write_geojson(verdicts: Iterable[Verdict], out: IO[str]) -> None:
    """A FeatureCollection of incident points, each with its verdict and findings."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    for i, feat in enumerate(geojson_features(verdicts)):
        out.write((",\n" if i else "") + json.dumps(feat, ensure_ascii=False))
    out.write("\n]}\n")


def p_text(p: float) -> str:
    """`p=0.35`; never `p=0.000` or `p=1.00` for a probability that is neither."""
    if 0 < p < 0.001:
        return "p<0.001"
    if 0.999 < p < 1:
        return "p>0.999"
    return f"p={p:.2f}" if 0.01 <= p <= 0.99 else f"p={p:.3f}"


def print_table(verdicts: Iterable[Verdict], console: Console,
                said: Callable[[str], str] = str, where: Callable[[Origin], str] = str,
                number: Callable[[str], str] = str,
                totals: Mapping[str, int] | None = None) -> None:
    """Verdicts for people: an incident a block, each finding with its reason beneath it;
    `said` puts jig's words and reasons, `where` a record's origin, `number` a decimal
    number's sign, in the reader's language. The closing counts are `totals` once every
    verdict is read (every verdict judged, when the table shows only some), else those
    shown."""
    counts: Counter[str] = Counter()
    for v in verdicts:
        counts[v.verdict] += 1
        at = f"  [dim]{escape(where(v.incident.origin))}[/]" if v.incident.origin else ""
        console.print(f"[bold]{escape(v.incident.id)}[/] "
                      f"[{STYLE[v.verdict]}]{said(v.verdict)}[/]{at}")
        if not v.findings:
            console.print(Padding(f"[dim]{said('no clause applies')}[/]", (0, 0, 0, 4),
                                  expand=False))
        if v.readings is not None:  # the verdict need not be any one finding's outcome
            console.print(Padding(Text(said(verdict_reason(v.readings))), (0, 0, 0, 4),
                                  expand=False))
        for f in v.findings:
            p = "" if f.p is None else f" {number(p_text(f.p))}"
            # Not expanded: a line padded to the console's width ends in spaces.
            console.print(Padding(f"[{STYLE[f.outcome]}]{said(f.outcome)}[/]{p}  {f.clause}",
                                  (0, 0, 0, 2), expand=False))
            console.print(Padding(Text(said(f.reason)), (0, 0, 0, 6), expand=False))
    final = totals if totals is not None else counts
    console.print("\n" + "  ".join(f"[{STYLE[o]}]{said(o)}[/] {final.get(o, 0)}"
                                   for o in OUTCOMES))
