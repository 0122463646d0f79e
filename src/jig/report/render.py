"""A report as one self-contained HTML file (Jinja2), and as PDF (WeasyPrint over Pango).

Everything the page needs is inside it: styles inline, pictures as data: URIs, fonts from the
system (no web fonts, no scripts), so it opens offline. Nothing in it depends on when or where
it was built, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jig.agreement.model import Agreement
from jig.engine.approximate import edge_margin_m
from jig.engine.commitments import Commitment
from jig.findings import Evidence
from jig.geo import point_text
from jig.i18n import RTL, check_language, direction, isolate, translations
from jig.records import Notice, Origin
from jig.report import figures
from jig.report.bidi import isolate_ltr
from jig.report.credits import credits
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
from jig.report.tally import (
    EITHER,
    NO_PARTY,
    REJECTED_WARNING,
    VERDICTS,
    InputCount,
    ReportBuilder,
    Row,
    Tally,
    change,
    key_parties,
)
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
    gazetteer_files: list[str] = field(default_factory=list)  # credited as their terms ask


SCALE_KM = N_("km")
NO_PARTY_NAME = N_("no party")
EITHER_PARTY = N_("either %(first)s or %(last)s")
JOINT_PARTIES = N_("%(parties)s, jointly")
AND = N_(" and ")
# Why rows were rejected, as the Inputs table words the commonest; any other by its code.
REJECT_REASONS = {
    "row.no_coordinates": N_("no coordinates, only a place name"),
    "row.place_unmatched": N_("place name not found in the gazetteer"),
    "row.location_unknown": N_("location too vague to place"),
    "row.outside_area": N_("outside the agreement's area"),
    "row.missing": N_("a required field is empty"),
    "row.time": N_("unreadable time"),
    "row.duplicate_id": N_("repeated id"),
    "row.code": N_("a code jig does not know"),
    "row.coordinates": N_("coordinates out of range"),
    "row.swapped_coordinates": N_("coordinates swapped"),
}
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
    """A distance in whole metres, written for `lang` with its unit: "5 000 м". The unit is
    held to its number by a no-break space: narrow annex cells put "m" alone on a line."""
    return (translations(lang).gettext(M) % {"n": number(int(n), lang)}).replace(" ", "\u00a0")


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
    env.filters["share"] = lambda x: format_percent(x, locale=lang, format="#,##0%",
                                                   numbering_system="latn")
    env.filters["pct"] = lambda x: ("" if x is None else format_percent(
        x, locale=lang, format="+#,##0%;-#,##0%", numbering_system="latn"))
    # Left-to-right runs (dates, signed numbers) inside right-to-left text: Unicode isolates,
    # which Pango honours where CSS unicode-bidi on an inline box is not enough.
    env.filters["isolate"] = lambda s: isolate(s, lang)
    env.filters["point"] = lambda lon, lat: point_text(lon, lat, 4)
    # A heading's own direction (an English title in an Arabic report): WeasyPrint does not
    # read dir="auto", and an isolate across wrapped lines put the closing bracket astray.
    env.filters["text_dir"] = lambda s: "rtl" if re.search("[\u0590-\u08ff]", s) else "ltr"
    # A sentence's left-to-right runs (times, ids, labels and wording kept in English, with
    # their brackets) inside a sentence in the page's direction.
    env.filters["isolate_runs"] = lambda s: isolate_ltr(s, lang)
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


def party_label(key: str, lang: str) -> str:
    """A party row's name in `lang`: the party's id, "no party", or a row of several:
    "either RU or TR" (a record naming two sides, either of whose act would give its verdict),
    "RU and TR, jointly" (an actor both answer for)."""
    gettext = translations(lang).gettext
    kind, parties = key_parties(key)
    names = [p if p else gettext(NO_PARTY_NAME) for p in parties]
    if kind == EITHER:
        return gettext(EITHER_PARTY) % {"first": ", ".join(names[:-1]), "last": names[-1]}
    if kind:
        return gettext(JOINT_PARTIES) % {"parties": gettext(AND).join(names)}
    return names[0]


def _party_keys(agreement: Agreement, keys: set[str]) -> list[str]:
    """Party rows in order: every party (even with nothing against it), the rows of several
    parties in the agreement's order of their first, then "no party"."""
    order = {p: k for k, p in enumerate((*agreement.parties, NO_PARTY))}
    several = sorted((k for k in keys if key_parties(k)[0]),
                     key=lambda k: [order.get(p, len(order)) for p in key_parties(k)[1]])
    return _ordered(keys | set(agreement.parties), [*agreement.parties, *several, NO_PARTY])


def _input_rows(files: dict[str, InputCount], lang: str) -> list[dict[str, Any]]:
    """The Inputs table's rows: each file's rows judged and rejected, in the whole file and
    in the period, the period's rejects by why, and whether they are a large share."""
    gettext = translations(lang).gettext
    out = []
    for name, c in files.items():
        why = [(gettext(REJECT_REASONS[code]) if code in REJECT_REASONS else code, n)
               for code, n in sorted(c.reasons_now.items(), key=lambda kv: (-kv[1], kv[0]))]
        out.append({"name": name, "count": c, "why": why,
                    "warn": c.rejected_now > 0 and c.rejected_share >= REJECTED_WARNING})
    return out


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
    party_keys = _party_keys(a, set(now.party) | set(before.party))
    # The comparison period stands only if the inputs reach it: against days no input covers,
    # every count was "+N" (a review: +44 breaches against a month the extract did not hold).
    comparison = builder.comparison()
    compare = builder.compare if comparison in ("ok", "partial") else None
    tz = a.tz
    first_seen = (datetime.fromtimestamp(builder.first_seen, tz).date()
                  if math.isfinite(builder.first_seen) else None)
    # The chart's rows: the parties and "no party" always, rows of several when they occur.
    chart_keys = [k for k in party_keys if not key_parties(k)[0] or k in _day_keys(now)]
    if NO_PARTY not in chart_keys:
        chart_keys.append(NO_PARTY)
    party_colours = figures.party_colours(parties)
    actor_keys = _ordered(set(now.actor) | set(before.actor), [*a.actors, ""])
    clause_keys = _ordered(set(now.clause) | set(before.clause), [c.id for c in a.clauses])
    period = builder.period
    annex = sorted(builder.annex, key=_row_key)
    excepted = sorted(builder.excepted, key=_row_key)
    kinds = figures.zone_kinds(a)
    zones = figures.in_period(a.zones, period.start, period.end)
    drawn = (*zones.drawn, *figures.in_period(a.sites, period.start, period.end).drawn,
             *figures.in_period(a.targets, period.start, period.end).drawn)
    charts = {
        "map": figures.draw_map(a, lon, lat, code, km, (period.start, period.end)),
        "per_day": figures.per_day_by_verdict(now, period.first, period.days),
        "per_party": figures.per_day_by_party(now, chart_keys, period.first, period.days,
                                              parties),
    }
    if compare is not None:
        charts["before_after"] = figures.before_after(now, before)
    if top_places:
        charts["per_place"] = figures.per_place([(p, b, u) for p, b, u, _ in top_places])
    approximate = [z for z in zones.drawn if edge_margin_m(z) is not None]
    files = _input_rows(builder.inputs, lang)
    return {
        "lang": lang, "dir": direction(lang), "agreement": a, "inputs": inputs,
        "period": period, "compare": compare, "bin_days": figures.bins(period.first,
                                                                       period.days),
        "comparison": comparison, "compare_missing": builder.compare if compare is None else None,
        "first_seen": first_seen,
        "files": files, "outside": builder.outside,
        "rejected_now": sum(c.rejected_now for c in builder.inputs.values()),
        "undated": sum(c.undated for c in builder.inputs.values()),
        "rejected_warn": [f for f in files if f["warn"]],
        "verdicts": VERDICTS, "verdict_rows": verdict_rows,
        "clauses": _rows(tallies, "clause", clause_keys),
        # A row of several parties, or "no party", with nothing in its columns (its incidents
        # all not applicable) is left out, as an actor's is; every party keeps its row.
        "parties": [r for r in _rows(tallies, "party", party_keys)
                    if r["key"] in a.parties or any(x or y for x, y in r["cells"].values())],
        "party_labels": {k: party_label(k, lang) for k in party_keys},
        "either_parties": [k for k in chart_keys if key_parties(k)[0] == EITHER],
        "either_breaches": now.either_breaches,
        "annex_either_note": annex_either_note(now.either_breaches, lang),
        "either_place_breaches": now.either_place_breaches,
        "actors": _rows(tallies, "actor", actor_keys, every=False),
        "top_places": top_places, "charts": charts,
        "colours": figures.COLOURS,
        "zone_kinds": [(k, figures.zone_colour(kinds, k)) for k in kinds
                       if any((z.kind or "") == k for z in zones.drawn)],
        "zones_part": [(z.id, z.window) for z in zones.part],
        "zones_none": [z.id for z in zones.none],
        "approximate": [z.id for z in approximate],
        "approx_km": max((edge_margin_m(z) or 0.0) for z in approximate) / 1000
        if approximate else 0.0,
        "party_legend": [(k, _swatch(k, party_colours)) for k in chart_keys],
        "credits": credits(a, dict(builder.datasets), builder.dataset_files,
                           inputs.gazetteer_files, drawn, lang, lambda n: number(n, lang)),
        "datasets": sorted(builder.datasets),
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


def annex_either_note(n: int, lang: str) -> str:
    """What the annex says of the breaches on records naming two sides (`Tally.
    either_breaches`): listed as undetermined findings, counted as breaches in the summary."""
    return translations(lang).ngettext(
        "%(num)s record listed here with undetermined findings is a breach whichever of its "
        "two sides acted: the summary counts it as one breach.",
        "%(num)s records listed here with undetermined findings are a breach whichever of "
        "their two sides acted: the summary counts each as one breach.", n) % {
            "num": number(n, lang)}


def _day_keys(tally: Tally) -> set[str]:
    return {k for c in tally.day_party.values() for k, n in c.items() if n}


def _swatch(key: str, colours: dict[str, str]) -> str:
    """A party row's legend swatch as CSS: its colour, or the stripes of a row of several."""
    fill, stripes = figures.row_colours(key, colours)
    if stripes is None:
        return f"background: {fill}"
    return (f"background: repeating-linear-gradient(135deg, {fill} 0px, {fill} 1.5px, "
            f"{stripes} 1.5px, {stripes} 3px)")


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
