"""`jig explain`: how every clause judged one incident, step by step, in a chosen language."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from jig.cli.common import (
    AgreementArg,
    GazetteerOpt,
    IncidentsArg,
    NoticesOpt,
    RejectSink,
    app,
    console,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    notices_or_exit,
)
from jig.cli.words import LangOpt, Words
from jig.engine import explain
from jig.output import STYLE


@app.command("explain")
def explain_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    incident: Annotated[str, typer.Option("--incident", "-i", help="The incident id to explain.")],
    notices: NoticesOpt = None,
    gazetteer: GazetteerOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Show, step by step, how every clause judged one incident.

    Example:

    \b
        jig explain examples/syria-2016-jig/agreement.yaml \\
            examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv -i A-12
    """
    said = Words(lang)  # the finding's JSON stays as jig writes it
    a = load_or_exit(agreement)
    sink = RejectSink(None)
    notes = notices_or_exit(a, notices, sink)
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    try:
        ex = explain(a, records, incident, notes)
    except KeyError:
        # Airwars ids hold a space ("CS243 RS0954"): one part of such an id is a near miss.
        holding = [r.id for r in records if incident.strip() and incident.strip() in r.id]
        rejected = [r for r in bad if incident in r.raw]
        hint = (f" (did you mean {', '.join(repr(i) for i in holding[:3])}?)" if holding else
                f" (a rejected row mentions it: {rejected[0]})" if rejected else "")
        err.print(f"[bold red]error[/] no incident {escape(repr(incident))} in the input"
                  f"{escape(hint)}")
        raise typer.Exit(2) from None
    out = console()
    v = ex.verdict
    out.print(f"[bold]{escape(v.incident.id)}[/]: {said('verdict')} "
              f"[{STYLE[v.verdict]}]{said(v.verdict)}[/]")
    if ex.verdict_reason is not None:
        out.print(f"  {escape(said(ex.verdict_reason))}", soft_wrap=True)
    for line in ex.preamble:
        out.print(f"  {escape(said(line))}", soft_wrap=True)
    for c in ex.clauses:
        out.print(f"\n[bold]{said('clause')} {c.clause.id}[/] ({c.clause.rule}) {said.arrow} "
                  f"[{STYLE[c.outcome]}]{said(c.outcome)}[/]")
        if c.clause.quote:
            out.print(f"  [italic]“{escape(c.clause.quote)}”[/]", soft_wrap=True)
        for i, step in enumerate(c.steps, 1):
            out.print(f"  {i}. {escape(said(step))}", soft_wrap=True)
        if c.finding is not None:
            found = escape(json.dumps(c.finding.as_dict(), ensure_ascii=False))
            out.print(f"  [dim]finding:[/] {found}", soft_wrap=True)
