"""A report as one self-contained HTML file (Jinja2), and as PDF (WeasyPrint over Pango).

Everything the page needs is inside it: styles inline, pictures as data: URIs, fonts from the
system (no web fonts, no scripts), so it opens offline. Nothing in it depends on when or where
it was built, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jig.agreement.model import Agreement
from jig.engine.commitments import Commitment
from jig.findings import Evidence
from jig.geo import point_text
from jig.i18n import RTL, check_language, direction, isolate, isolate_runs, translations
from jig.records import Notice, Origin
from jig.report import figures
from jig.report.reasons import (
    AT_FEATURE,
    AT_LINE,
    AUDIT_HEAD_LABELS,
    EVIDENCE_LABELS,
    MARGINS,
    N_,
    UNBOUNDED,
    VERDICT_NAMES,
    M,
    translate_phrase,
    translate_reason,
    translate_text,
)
from jig.report.tally import NO_PARTY, VERDICTS, ReportBuilder, Row, Tally, change
from jig.times import format_instant


@dataclass
class ReportInputs:
    """What the header lists about where the report came from."""

    incident_files: list[str]
    notice_files: list[str] = field(default_factory=list)
    notices_read: int = 0
    notices_rejected: int = 0
    audit_head: dict[str, Any] | None = None  # from the store: the signed head it was built on
    scope: str | None = None  # from the store: whose view (a party's, or the whole cell's)
    version: str | None = None  # the agreement version in force (the store's number)
    air_conflicts: list[dict[str, Any]] = field(default_factory=list)
    # must_by commitments judged as of the period's end (records after it are not yet known)
    commitments: list[Commitment] = field(default_factory=list)
    commitments_as_of: float | None = None


SCALE_KM = N_("km")
# The origin of a record from another workspace (`jig.report.fromstore`): whose, not the file.
RELEASED_BY = "released by "
JOINT_CENTRE = N_("from the joint centre")


@lru_cache(maxsize=65536)
def number(n: float, lang: str) -> str:
    """`n` written for `lang` (Babel is slow, and an annex repeats the same few numbers)."""
    return format_decimal(n, locale=lang, numbering_system="latn")


def probability(p: float, lang: str) -> str:
    """A finding's estimated probability to three places, with the language's decimal sign
    (as the reasons' distances have it): "p = 0.346", "p = 0,346"."""
    return "p = " + format_decimal(p, format="0.000", locale=lang, numbering_system="latn")


def metres(n: float, lang: str) -> str:
    """A distance in whole metres, written for `lang` with its unit: "5 000 м"."""
    return translations(lang).gettext(M) % {"n": number(int(n), lang)}


def margins(m: dict[str, float], lang: str) -> str:
    """An air-desk conflict's margins (jig.air.deconflict) written for `lang`."""
    return translations(lang).gettext(MARGINS) % {
        "m": number(m["horizontal_m"], lang), "ft": number(m["vertical_ft"], lang),
        "min": number(m["time_min"], lang)}




def environment(lang: str) -> Environment:
    """The templates' environment in `lang`: its catalog, and numbers written for it."""
    env = Environment(loader=PackageLoader("jig.report", "templates"),
                      autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    # Western digits in every language, as the ids, times and coordinates beside them are.
    env.filters["num"] = lambda n: number(n, lang)
    env.filters["metres"] = lambda n: metres(n, lang)
    env.filters["probability"] = lambda p: probability(p, lang)
    env.filters["margins"] = lambda m: margins(m, lang)
    env.filters["input_name"] = lambda name: input_name(name, lang)
    env.filters["pct"] = lambda x: ("" if x is None else format_percent(
        x, locale=lang, format="+#,##0%;-#,##0%", numbering_system="latn"))
    # Left-to-right runs (dates, signed numbers) inside right-to-left text: Unicode isolates,
    # which Pango honours where CSS unicode-bidi on an inline box is not enough.
    env.filters["isolate"] = lambda s: isolate(s, lang)
    env.filters["point"] = lambda lon, lat: point_text(lon, lat, 4)
    # A reason's times and intervals, inside a sentence in the page's direction.
    env.filters["isolate_runs"] = lambda s: isolate_runs(s, lang)
    gettext = translations(lang).gettext
    env.filters["instant"] = lambda t, a: (
        gettext(UNBOUNDED["open" if t > 0 else "always"]) if math.isinf(t)
        else format_instant(t, a.tz))
    # A signed head's fields, named in the language with their JSON names kept to check by.
    env.filters["head_label"] = lambda k: (
        f"{gettext(AUDIT_HEAD_LABELS[k])} ({k})" if k in AUDIT_HEAD_LABELS else k)
    env.filters["datauri"] = lambda b: "data:image/png;base64," + base64.b64encode(b).decode()
    return env


def _rows(tallies: tuple[Tally, Tally], attr: str, keys: list[str], every: bool = True
          ) -> list[dict[str, Any]]:
    """A breakdown's rows; `every=False` leaves out a key with nothing in its columns in
    either period (an actor whose acts were all not applicable: 17 rows of zeros, 'IS or
    NUSRA 0 (0)', on the 2016 cessation)."""
    now, before = tallies
    out = []
    for k in keys:
        a, b = getattr(now, attr).get(k, {}), getattr(before, attr).get(k, {})
        cells = {v: (a.get(v, 0), b.get(v, 0)) for v in VERDICTS}
        if not every and not any(x or y for x, y in cells.values()):
            continue
        delta, rel = change(a.get("breach", 0), b.get("breach", 0))
        out.append({"key": k, "cells": cells, "delta": delta, "rel": rel,
                    "total": sum(a.values())})
    return out


def _ordered(keys: set[str], first: list[str]) -> list[str]:
    return [k for k in first if k in keys] + sorted(keys - set(first))


def context(builder: ReportBuilder, inputs: ReportInputs, notices: list[Notice], lang: str
            ) -> dict[str, Any]:
    """Everything the template shows, computed once (the template only lays it out)."""
    a = builder.agreement
    now, before = builder.now, builder.before
    tallies = (now, before)
    lon, lat, code = builder.points()
    # matplotlib cannot shape Arabic: the map's scale bar keeps the SI symbol there.
    km = translations(lang).gettext(SCALE_KM) if lang not in RTL else "km"
    verdict_rows = []
    for v in (*VERDICTS, "not_applicable"):
        n, b = now.verdicts.get(v, 0), before.verdicts.get(v, 0)
        delta, rel = change(n, b)
        verdict_rows.append({"verdict": v, "now": n, "before": b, "delta": delta, "rel": rel})
    places = sorted(set(now.place), key=lambda p: (-now.place[p]["breach"],
                                                   -now.place[p]["undetermined"], p))
    top_places = [(p, now.place[p]["breach"], now.place[p]["undetermined"],
                   before.place.get(p, {}).get("breach", 0)) for p in places[:12]]
    parties = list(a.parties)
    # Every party has a row, even with nothing against it; "no party" only when it happened.
    party_keys = _ordered(set(now.party) | set(before.party) | set(parties), [*parties, NO_PARTY])
    actor_keys = _ordered(set(now.actor) | set(before.actor), [*a.actors, ""])
    clause_keys = _ordered(set(now.clause) | set(before.clause), [c.id for c in a.clauses])
    period = builder.period
    annex = sorted(builder.annex, key=_row_key)
    excepted = sorted(builder.excepted, key=_row_key)
    kinds = figures.zone_kinds(a)
    charts = {
        "map": figures.draw_map(a, lon, lat, code, km),
        "per_day": figures.per_day_by_verdict(now, period.first, period.days),
        "per_party": figures.per_day_by_party(now, [*parties, NO_PARTY], period.first,
                                              period.days),
    }
    if builder.compare is not None:
        charts["before_after"] = figures.before_after(now, before)
    if top_places:
        charts["per_place"] = figures.per_place([(p, b, u) for p, b, u, _ in top_places])
    return {
        "lang": lang, "dir": direction(lang), "agreement": a, "inputs": inputs,
        "period": period, "compare": builder.compare, "bin_days": figures.bins(period.first,
                                                                                period.days),
        "files": builder.inputs, "outside": builder.outside,
        "verdicts": VERDICTS, "verdict_rows": verdict_rows,
        "clauses": _rows(tallies, "clause", clause_keys),
        "parties": _rows(tallies, "party", party_keys),
        "actors": _rows(tallies, "actor", actor_keys, every=False),
        "top_places": top_places, "charts": charts,
        "colours": figures.COLOURS, "zone_kinds": [(k, figures.zone_colour(kinds, k)) for k in kinds],
        "party_colours": figures.party_colours(parties),
        "annex": [_annex_row(r, a, lang) for r in annex],
        "excepted": [_annex_row(r, a, lang) for r in excepted],
        "notices": [{"notice": n, "time": n.time_text} for n in notices],
        "incidents_now": now.incidents, "incidents_before": before.incidents,
        "clause_text": {c.id: c for c in a.clauses},
        "annex_apart": False,
        "commitments": [_commitment_row(c, a, lang) for c in inputs.commitments],
        "has_commitments": any(c.rule == "must_by" for c in a.clauses),
        # The map's legend names what the agreement has, not every kind there could be.
        "agreed_targets": any(a.is_agreed(t) for t in a.targets),
        "unagreed_targets": any(not a.is_agreed(t) for t in a.targets),
    }


STATUS_NAMES = {"done": N_("done"), "not_done": N_("not done"), "claimed": N_("claimed")}


def _commitment_row(c: Commitment, a: Agreement, lang: str) -> dict[str, Any]:
    """A commitment as the report's table shows it: the status records it rests on by id and
    what each said, the reason in the reader's language (English when its shape is unknown)."""
    gettext = translations(lang).gettext
    clause = next(x for x in a.clauses if x.id == c.clause)
    return {"clause": c.clause, "actor": c.actor, "obligation": clause.obligation or "",
            "deadline": c.deadline, "outcome": c.outcome,
            "status": [(e.id, gettext(STATUS_NAMES.get(e.note, e.note))) for e in c.evidence],
            "reason": c.reason if lang == "en" else (translate_text(c.reason, lang) or c.reason)}


def _row_key(r: Row) -> tuple[float, str, str]:
    return (r.incident.span.start, r.incident.id, r.finding.clause)


def _annex_row(r: Row, a: Agreement, lang: str) -> dict[str, Any]:
    inc, f = r.incident, r.finding
    return {"id": inc.id, "time": inc.time_text, "lon": inc.lon, "lat": inc.lat,
            "precision_m": inc.precision_m, "actor": r.actor or inc.actor or "",
            "clause": f.clause, "outcome": f.outcome, "p": f.p,
            "where": f.zone or f.site or f.target or "",
            "reason": translate_reason(f, lang),
            "exception": f.exception, "evidence": [evidence_entry(e, lang) for e in f.evidence],
            "sources": _sources(inc.extra, inc.origin, lang)}


def evidence_entry(e: Evidence, lang: str) -> dict[str, str]:
    """A finding's evidence as the annex lists it: "notice N-1" and its note, in `lang`
    (the note in English when the catalog does not know its shape: never lost)."""
    label = EVIDENCE_LABELS.get(e.kind)
    return {"kind": e.kind, "id": e.id,
            "label": translations(lang).gettext(label) % {"id": e.id} if label
            else f"{e.kind} {e.id}",
            "note": (translate_phrase(e.note, lang) or e.note) if e.note else ""}


def _sources(extra: dict[str, Any], origin: Origin | None, lang: str) -> str:
    parts = [str(extra[k]) for k in ("dataset", "source") if extra.get(k)]
    if origin is not None:
        parts.append(origin_text(origin, lang))
    return "; ".join(dict.fromkeys(parts))


def origin_text(origin: Origin, lang: str) -> str:
    """Where a record came from, in `lang`: "incidents.csv, line 8", or whose release it was
    (`jig.report.fromstore`: the other side never sees the file)."""
    gettext = translations(lang).gettext
    name = input_name(origin.file, lang)
    if origin.line is not None:
        return gettext(AT_LINE) % {"file": name, "line": origin.line}
    if origin.feature is not None:
        return gettext(AT_FEATURE) % {"file": name, "feature": origin.feature}
    return name


def input_name(name: str, lang: str) -> str:
    """An input's name as the Inputs table and the sources show it, in `lang`."""
    gettext = translations(lang).gettext
    if name == JOINT_CENTRE:
        return gettext(JOINT_CENTRE)
    if name.startswith(RELEASED_BY):
        return gettext(N_("released by %(workspace)s")) % {"workspace": name[len(RELEASED_BY):]}
    return name


def render_html(builder: ReportBuilder, inputs: ReportInputs, notices: list[Notice],
                lang: str = "en") -> str:
    """The report as one HTML page in `lang` (en, ru or ar)."""
    check_language(lang)
    env = environment(lang)
    return env.get_template("report.html.j2").render(context(builder, inputs, notices, lang))


def render_pdf(builder: ReportBuilder, inputs: ReportInputs, notices: list[Notice],
               lang: str = "en") -> bytes:
    """The report as PDF: the HTML's pages by WeasyPrint, but for the annex of breach and
    undetermined findings and of exceptions invoked, which Typst sets after them
    (jig.report.typeset says why)."""
    from jig.report.typeset import annex_jobs, join_pdfs

    check_language(lang)
    page = context(builder, inputs, notices, lang)
    page["annex_apart"] = True
    html = environment(lang).get_template("report.html.j2").render(page)
    gettext = translations(lang).gettext
    names = {v: gettext(m) for v, m in VERDICT_NAMES.items()}
    # The annex's tables are set by Typst on other cores while WeasyPrint lays out the rest.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        annex = [pool.submit(job) for job in annex_jobs(page, names, lang)]
        narrative = html_to_pdf(html)
        return join_pdfs(narrative, *(part.result() for part in annex))


def render_report(builder: ReportBuilder, inputs: ReportInputs, notices: list[Notice],
                  lang: str, pdf: bool) -> bytes:
    """The report's bytes: PDF when `pdf`, else the HTML page."""
    if pdf:
        return render_pdf(builder, inputs, notices, lang)
    return render_html(builder, inputs, notices, lang).encode("utf-8")


def html_to_pdf(html: str) -> bytes:
    """The HTML laid out by WeasyPrint (Pango shapes Arabic and sets it right to left)."""
    from weasyprint import HTML

    # A fixed identifier and no dates: WeasyPrint would otherwise derive nothing from the clock,
    # but pin it so the bytes cannot vary between versions' defaults.
    return HTML(string=html, base_url=None).write_pdf(pdf_identifier=b"jig-report",
                                                      uncompressed_pdf=False)
