"""`jig diff` and `jig sweep`: what changes between two agreements, or with zones grown or shrunk."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from jig.agreement import Agreement
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
    output_to,
    refuse_overwriting,
    warn_misspelt_fields,
)
from jig.cli.words import LangOpt, Words, words_for
from jig.engine.sides import verdict_reason
from jig.findings import OUTCOMES, Verdict
from jig.output import STYLE
from jig.readers import Reject
from jig.records import Notice
from jig.times import Window, parse_time
from jig.whatif import diff, parse_buffers, sweep

FmtOpt = Annotated[str, typer.Option("--format", "-f", help="table or jsonl.")]
FromOpt = Annotated[str | None, typer.Option(
    "--from", help="Only incidents from this date or time on (ISO 8601).")]
ToOpt = Annotated[str | None, typer.Option(
    "--to", help="Only incidents before the end of this date or time (ISO 8601).")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write here, not stdout.")]


def _agreement(ref: Path) -> Agreement:
    """A file, or the name of a library arrangement (`jig library list`)."""
    if not ref.exists() and ref.suffix == "" and len(ref.parts) == 1:
        from jig.library import entry

        try:
            ref = entry(str(ref)).agreement_path
        except KeyError as exc:
            err.print(f"[bold red]error[/] {escape(str(ref))}: no such file, and "
                      f"{escape(exc.args[0])}")
            raise typer.Exit(2) from None
    return load_or_exit(ref)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "jsonl"):
        err.print(f"[bold red]error[/] --format {fmt!r}: use table or jsonl")
        raise typer.Exit(2)


def _read(a: Agreement, incidents: list[Path], gazetteer: list[Path] | None,
          sink: RejectSink, start: str | None = None, end: str | None = None) -> list:
    """The incidents, those whose time overlaps [--from, --to] when given."""
    try:
        lo = parse_time(start, a.tz).start if start else -math.inf
        hi = parse_time(end, a.tz).end if end else math.inf
    except ValueError as exc:
        err.print(f"[bold red]error[/] --from/--to: {escape(str(exc))}")
        raise typer.Exit(2) from None
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    for r in bad:
        sink(r)
    return [r for r in records if not Window(lo, hi).misses(r.span)]


def _reasons(v: Verdict, said: Words) -> str:
    found = "; ".join(f"{f.clause}: {said(f.outcome)}: {said(f.reason)}" for f in v.findings) \
        or said("no clause applies")
    # A breach whichever of two sides acted is no finding's outcome: say so first.
    return f"{said(verdict_reason(v.readings))}; {found}" if v.readings is not None else found


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The old agreement: a file or a library name.")],
    new: Annotated[Path, typer.Argument(help="The new agreement: a file or a library name.")],
    incidents: IncidentsArg,
    notices: NoticesOpt = None,
    gazetteer: GazetteerOpt = None,
    rejects: RejectsOpt = None,
    fmt: FmtOpt = "table",
    output: OutOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    lang: LangOpt = "en",
) -> None:
    """List every incident whose verdict changes from OLD to NEW, with both reasons, and the
    counts by change.

    Example: jig diff astana-2017 sochi-2018 ged_syria.csv airwars.csv
    """
    _check_format(fmt)
    said = words_for(lang, fmt)
    a, b = _agreement(old), _agreement(new)
    refuse_overwriting([*incidents, *(notices or []), *(gazetteer or [])],
                       ("-o", output), ("--rejects", rejects))
    warn_misspelt_fields(incidents)
    sink = RejectSink(rejects)
    old_notes, new_notes = _notices_under_each(a, b, notices, sink)
    old_records = _read(a, incidents, gazetteer, sink, start, end)
    # Read again under the new agreement only when it reads times or places differently.
    same = a.tz == b.tz and a.precision == b.precision and a.area is None and b.area is None
    new_records = old_records if same else _read(b, incidents, gazetteer, RejectSink(None),
                                                 start, end)
    d = diff(a, b, old_records, new_records, old_notes, new_notes)
    with output_to(output) as fh:
        if fmt == "jsonl":
            for c in d.changes:
                fh.write(json.dumps(c.as_dict(), ensure_ascii=False) + "\n")
        else:
            out = console_to(fh, output is not None)
            for c in d.changes:
                o, n = c.old.verdict, c.new.verdict
                out.print(f"[bold]{escape(c.old.incident.id)}[/] [{STYLE[o]}]{said(o)}[/] {said.arrow} "
                          f"[{STYLE[n]}]{said(n)}[/]")
                out.print(Padding(Text(f"{a.id}: {_reasons(c.old, said)}"), (0, 0, 0, 4),
                                  expand=False))
                out.print(Padding(Text(f"{b.id}: {_reasons(c.new, said)}"), (0, 0, 0, 4),
                                  expand=False))
            out.print(f"\n[bold]{said.incidents_change(len(d.changes))}[/] ({a.id} {said.arrow} {b.id})")
            for key, n in d.by_change():
                out.print(f"  {n:>7}  {f' {said.arrow} '.join(said(o) for o in key.split(' → '))}")
    sink.close()
    err.print(f"{len(old_records)} incidents: {a.id} " + ", ".join(
        f"{o} {d.old_counts[o]}" for o in OUTCOMES) + f"; {b.id} " + ", ".join(
        f"{o} {d.new_counts[o]}" for o in OUTCOMES) + f"; {len(d.changes)} change",
        soft_wrap=True)


def _notices_under_each(a: Agreement, b: Agreement, paths: list[Path] | None,
                        sink: RejectSink) -> tuple[list[Notice], list[Notice]]:
    """The notices as each agreement reads them: one may name an exception the other does
    not have (judged with the new agreement's reading only, the old side lost its excuses).
    A notice refused under one of them only is reported naming that one."""
    refused: tuple[list[Reject], list[Reject]] = ([], [])
    notes = (notices_or_exit(a, paths, refused[0].append),
             notices_or_exit(b, paths, refused[1].append))
    both = {str(r) for r in refused[0]} & {str(r) for r in refused[1]}
    for r in refused[0]:
        sink(r if str(r) in both else replace(r, reason=f"under {a.id}: {r.reason}"))
    for r in refused[1]:
        if str(r) not in both:
            sink(replace(r, reason=f"under {b.id}: {r.reason}"))
    return notes


@app.command("sweep")
def sweep_cmd(
    agreement: Annotated[Path, typer.Argument(help="The agreement: a file or a library name.")],
    incidents: IncidentsArg,
    buffer: Annotated[str, typer.Option(
        "--buffer", "-b", help="Widths FROM:TO:STEP to grow (+) or shrink (-) the zones by, "
        "for instance -5km:+5km:1km.")],
    zone: Annotated[list[str] | None, typer.Option(
        "--zone", "-z", help="Grow or shrink only this zone (repeatable); default every zone.")]
    = None,
    notices: NoticesOpt = None,
    gazetteer: GazetteerOpt = None,
    rejects: RejectsOpt = None,
    fmt: FmtOpt = "table",
    output: OutOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
) -> None:
    """Re-judge the incidents with zones grown or shrunk by each width; print how the verdict
    counts move, how many incidents lie inside the swept zones, and how many change verdict
    against the zones as drawn.

    Example: jig sweep sochi-2018 ged_syria.csv airwars.csv --buffer -5km:+5km:1km --zone dmz
    """
    _check_format(fmt)
    try:
        widths = parse_buffers(buffer)
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    a = _agreement(agreement)
    ids = frozenset(zone) if zone else None
    if ids is not None:
        unknown = sorted(ids - {z.id for z in a.zones})
        if unknown:
            err.print(f"[bold red]error[/] --zone {', '.join(unknown)}: {a.id} has zones "
                      f"{', '.join(z.id for z in a.zones)}")
            raise typer.Exit(2)
        used = {z.id for c in a.clauses if c.rule in ("no_strikes_in", "no_weapons_in")
                for z in a.select_zones(c.selector)}
        if not ids & used:
            err.print(f"[yellow]note[/] no clause judging incidents selects "
                      f"{', '.join(sorted(ids))}: verdicts cannot change; the count of "
                      "incidents inside does")
    refuse_overwriting([*incidents, *(notices or []), *(gazetteer or [])],
                       ("-o", output), ("--rejects", rejects))
    warn_misspelt_fields(incidents)
    sink = RejectSink(rejects)
    notes = notices_or_exit(a, notices, sink)
    records = _read(a, incidents, gazetteer, sink, start, end)
    rows = sweep(a, records, widths, ids, notes)
    with output_to(output) as fh:
        if fmt == "jsonl":
            for r in rows:
                fh.write(json.dumps({"buffer_m": r.metres, "verdicts": r.counts,
                                     "inside": r.inside, "changed": r.changed}) + "\n")
        else:
            t = Table(box=None, pad_edge=False, highlight=False)
            for col in ("buffer", *OUTCOMES, "inside", "changed"):
                t.add_column(col, justify="right")
            base = next(r for r in rows if r.metres == 0)
            for r in rows:
                cells = [f"{r.counts[o]:,}" + (f" ({r.counts[o] - base.counts[o]:+,})"
                                               if r.metres and r.counts[o] != base.counts[o]
                                               else "") for o in OUTCOMES]
                t.add_row(f"{r.metres / 1000:+g} km", *cells, f"{r.inside:,}", f"{r.changed:,}")
            console(file=fh, width=200).print(t)
    sink.close()
    swept = ", ".join(sorted(ids)) if ids else "every zone"
    err.print(f"{len(records)} incidents judged {len(rows)} times ({swept} grown/shrunk)",
              soft_wrap=True)
