"""`jig deconflict`: the air desk on files: which notified flights come too close."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from jig.cli.common import (
    AgreementArg,
    RejectSink,
    RejectsOpt,
    app,
    console_to,
    err,
    exit_on_errors,
    load_or_exit,
    output_to,
    plural,
    refuse_overwriting,
)
from jig.engine.wording import distance
from jig.output import STYLE


@app.command("deconflict")
def deconflict_cmd(
    agreement: AgreementArg,
    notices: Annotated[list[Path], typer.Argument(help="Air-activity notice files.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl.")] = "table",
    party: Annotated[str | None, typer.Option(
        help="Show conflicts as this party's air desk sees them (the other side's notice "
             "reduced to where and when).")] = None,
    rejects: RejectsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Conflicts between notified air activity of different parties (closer than the
    agreement's separation minima), and notified flights into zones a party is barred from.

    Example:

    \b
        jig deconflict examples/syria-2016-jig/agreement.yaml \\
            examples/syria-2016-jig/air-notices.csv
    """
    from jig.air.deconflict import deconflict
    from jig.air.flights import check_flights
    from jig.air.reading import read_air_notices

    if fmt not in ("table", "jsonl"):
        err.print(f"[bold red]error[/] --format {fmt!r}: use table or jsonl")
        raise typer.Exit(2)
    a = load_or_exit(agreement)
    if party is not None and party not in a.parties:
        err.print(f"[bold red]error[/] --party {party!r}: parties are {', '.join(a.parties)}")
        raise typer.Exit(2)
    refuse_overwriting([agreement, *notices],
                       ("-o", output), ("--rejects", rejects))
    sink = RejectSink(rejects)
    with exit_on_errors():
        read = read_air_notices(notices, a)
    for r in read.rejects:
        sink(r)
    conflicts = deconflict(a, read.records)
    if party is not None:
        conflicts = [c for c in conflicts if party in (c.a.party, c.b.party)]
    flights = check_flights(a, read.records)
    with output_to(output) as fh:
        if fmt == "jsonl":
            for c in conflicts:
                body = c.seen_by(party, a) if party else c.as_dict(a)
                fh.write(json.dumps({"kind": "conflict"} | body, ensure_ascii=False) + "\n")
            if party is None:
                for v in flights:
                    fh.write(json.dumps({"kind": "flight"} | v.as_dict(),
                                        ensure_ascii=False) + "\n")
        else:
            out = console_to(fh, output is not None)
            out.print(f"[bold]{plural(len(conflicts), 'conflict')}[/] (minima: "
                      f"{a.separation.horizontal_m / 1000:g} km, "
                      f"{a.separation.vertical_m / 0.3048:.0f} ft, "
                      f"{a.separation.time_s / 60:g} min)")
            for c in conflicts:
                d = c.seen_by(party, a) if party else c.as_dict(a)
                who = (f"{d['notice']} and {d['other_party']}'s activity" if party
                       else f"{c.a.id} ({c.a.party}) × {c.b.id} ({c.b.party})")
                out.print(f"  [bold red]conflict[/] {escape(who)} at lon {d['where']['lon']}, "
                          f"lat {d['where']['lat']}, {d['when']}; inside the minima by "
                          f"{margin_words(d['margin'])}", soft_wrap=True)
            if party is None:
                out.print("\n[bold]flights against the zones[/]")
                for v in flights:
                    for f in v.findings:
                        out.print(f"  {escape(v.notice.id)} [{STYLE[f.outcome]}]{f.outcome}[/]"
                                  f"  {escape(f.reason)}", soft_wrap=True)
    sink.close()
    err.print(f"read {plural(read.read, 'air notice')}: {len(read.records)} taken, "
              f"{len(read.rejects)} rejected; {plural(len(conflicts), 'conflict')}")


def margin_words(margin: dict[str, float]) -> str:
    """How far inside the separation minima a pair is, as a person says it."""
    vertical = f"{margin['vertical_ft']:,.0f} ft vertically and " \
        if "vertical_ft" in margin else ""  # a party's desk is not told (`party_margin`)
    return (f"{distance(margin['horizontal_m'])} horizontally, {vertical}"
            f"{margin['time_min']:g} min in time")
