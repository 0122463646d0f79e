"""`jig library`: the arrangements shipped with jig, listed, shown and checked."""

from __future__ import annotations

import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import shapely
import typer
from rich.markup import escape
from rich.table import Table

from jig.agreement import Agreement
from jig.cli.commitments import AsOfOpt, StatusOpt, commitments_after, judge_from_files
from jig.cli.common import (
    GazetteerOpt,
    IncidentsArg,
    NoticesOpt,
    RejectSink,
    RejectsOpt,
    app,
    console,
    console_to,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    notices_or_exit,
    refuse_overwriting,
    warn_misspelt_fields,
)
from jig.cli.words import LangOpt, words_for
from jig.engine import check
from jig.findings import OUTCOMES
from jig.library import Entry, catalogue, entry
from jig.output import FORMATS, STYLE
from jig.summary import Tally

library = typer.Typer(no_args_is_help=True, help="Real arrangements encoded as agreements: "
                      "list them, show one with its sources, check incidents against one.")
app.add_typer(library, name="library")

NameArg = Annotated[str, typer.Argument(help="The arrangement's name (see `jig library list`).")]


def _entry_or_exit(name: str) -> Entry:
    try:
        return entry(name)
    except KeyError as exc:
        err.print(f"[bold red]error[/] {escape(exc.args[0])}")
        raise typer.Exit(2) from None


def _day(t: float, a: Agreement) -> str:
    return "" if math.isinf(t) else datetime.fromtimestamp(t, a.tz).date().isoformat()


@library.command("list")
def list_cmd() -> None:
    """Every arrangement: name, status, dates, PA-X id and what it holds.

    Example: jig library list
    """
    table = Table(box=None, pad_edge=False, highlight=False)
    for col in ("name", "status", "signed", "in force", "PA-X", "zones", "clauses", "title"):
        table.add_column(col, overflow="fold")
    for e in catalogue():
        a = load_or_exit(e.agreement_path)
        window = f"{_day(a.in_force.start, a)} – {_day(a.in_force.end, a)}"
        if e.is_proposal:  # never in force: the file's window is for illustration
            window += " (illustrative)"
        table.add_row(e.name, e.status_shown, str(e.signed or "—"), window, e.pax_id or "—",
                      str(len(a.zones)), str(len(a.clauses)), e.title)
    console_to(sys.stdout).print(table)


def _terms(out: Any, quote: str | None, summary: str | None) -> None:
    """A clause's or exception's terms: the agreement's words in quotes, an encoder's summary
    said to be one."""
    if quote:
        out.print(f"    [italic]“{escape(quote)}”[/]", soft_wrap=True)
    if summary:
        out.print(f"    summary, not the agreement's words: {escape(summary)}", soft_wrap=True)


def _proposal_warning(e: Entry) -> str:
    return (f"[yellow]warning[/] {e.name} is a {e.status}: its verdicts are against a proposal "
            "with illustrative zones, sites and targets, not an agreement in force")


@library.command("show")
def show_cmd(name: NameArg) -> None:
    """One arrangement: its clauses, its zones (how each was drawn, from what, on whose word,
    how sure), the source of every fact, and where its README is.

    Example: jig library show sochi-2018
    """
    e = _entry_or_exit(name)
    a = load_or_exit(e.agreement_path)
    out = console()
    out.print(f"[bold]{escape(e.title)}[/] ({e.name}), {e.region}")
    out.print(f"status: {escape(e.status_shown)} since {e.status_since}: "
              f"{escape(e.status_note)}", soft_wrap=True)
    if e.is_proposal:
        out.print(_proposal_warning(e), soft_wrap=True)
    out.print(f"PA-X: {e.pax_id or '—'} ({escape(e.pax_note)})", soft_wrap=True)
    out.print(f"agreement file: {e.agreement_path}")
    out.print("\n[bold]clauses[/]")
    for c in a.clauses:
        out.print(f"  {c.id} ({c.rule}; bound {', '.join(sorted(c.bound))})")
        _terms(out, c.quote, c.summary)
    for x in a.exceptions.values():
        out.print(f"  exception {x.id} (for {', '.join(sorted(x.for_))})")
        _terms(out, x.quote, x.summary)
    if e.retired_clauses:
        out.print(f"  retired ids, never reused: {', '.join(e.retired_clauses)}")
    out.print("\n[bold]zones[/]")
    for z in a.zones:
        approx = " [yellow]approximate[/]" if z.properties.get("approximate") else ""
        out.print(f"  {escape(z.label)} ({z.kind}){approx}", soft_wrap=True)
        for key in ("construction", "confidence", "caveat"):
            if z.properties.get(key):
                out.print(f"    {key}: {escape(str(z.properties[key]))}", soft_wrap=True)
        for key in ("units", "government_held_inside", "sources"):  # lists here; text elsewhere
            value = z.properties.get(key)
            if value:
                listed = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
                out.print(f"    [dim]{key}: {escape(listed)}[/]", soft_wrap=True)
    out.print("\n[bold]facts and their sources[/]")
    for f in e.facts:
        out.print(f"  {escape(f'[{f.confidence}]')} {escape(f.about)}: {escape(f.text)}"
                  f"{f' ({f.date})' if f.date else ''}\n    [dim]{escape(f.source)}[/]",
                  soft_wrap=True)
    if e.readme.exists():
        out.print(f"\n[dim]more in {e.readme}[/]")


@library.command("check")
def check_cmd(
    name: NameArg,
    incidents: IncidentsArg,
    notices: NoticesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl, geojson or csv.")]
    = "table",
    rejects: RejectsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here, not stdout.")]
    = None,
    gazetteer: GazetteerOpt = None,
    within: Annotated[str | None, typer.Option(
        "--within", help="Judge only incidents whose reported point lies in this zone id "
        "(for instance dmz: the events inside the Idlib demilitarised zone).")] = None,
    status: StatusOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Judge incidents against a library arrangement, as `jig check` does; its deadlines
    (must_by) on the arrangement's own status records unless --status gives others.

    Example: jig library check sochi-2018 ged_syria.csv airwars.csv --within dmz
    """
    from jig.cli.files import check_cmd as check_files
    from jig.cli.findings_out import write_verdicts

    e = _entry_or_exit(name)
    if e.is_proposal:
        err.print(_proposal_warning(e), soft_wrap=True)
    if status is None and e.status_records.exists():
        status = [e.status_records]
    if within is None:
        check_files(agreement=e.agreement_path, incidents=incidents, notices=notices, fmt=fmt,
                    rejects=rejects, output=output, gazetteer=gazetteer, status=status,
                    as_of=as_of, lang=lang)
        return
    if fmt not in FORMATS:
        err.print(f"[bold red]error[/] --format {fmt!r}: use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    words = words_for(lang, fmt)
    a = load_or_exit(e.agreement_path)
    zone = next((z for z in a.zones if z.id == within), None)
    if zone is None:
        err.print(f"[bold red]error[/] --within {within!r}: {e.name} has zones "
                  f"{', '.join(z.id for z in a.zones)}")
        raise typer.Exit(2)
    refuse_overwriting([*incidents, *(notices or []), *(status or []), *(gazetteer or [])],
                       ("-o", output), ("--rejects", rejects))
    warn_misspelt_fields(incidents)
    sink = RejectSink(rejects)
    notes = notices_or_exit(a, notices, sink)
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    for r in bad:
        sink(r)
    inside = [r for r in records if shapely.contains_xy(zone.geometry, r.lon, r.lat)]
    # The others stay as possible evidence for exceptions, as in a whole-input check.
    then = commitments_after(judge_from_files(a, status, as_of, sink), fmt, output is not None,
                             words=words)
    tally = Tally(a)
    write_verdicts(iter(check(a, inside, notes, evidence=records)), fmt, output, tally, None,
                   lambda: None, words, then)
    sink.close()
    err.print(f"read {reader.counts.read} incident rows: {len(records)} taken, "
              f"{len(bad)} rejected; {len(inside)} lie in {zone.id}: " + ", ".join(
                  f"[{STYLE[o]}]{o}[/] {tally.verdicts.get(o, 0)}" for o in OUTCOMES),
              soft_wrap=True)
