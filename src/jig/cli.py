"""The `jig` command: thin commands over the library.

Exit status: 0 when the command ran (rejected rows are reported on stderr and kept aside);
2 when the agreement is invalid or a file cannot be read (`jig validate` included, so
scripts test one code).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from jig.agreement import Agreement, json_schema, load_agreement
from jig.engine import check, explain
from jig.errors import JigError
from jig.findings import OUTCOMES
from jig.output import FORMATS, STYLE, print_table, write_csv, write_geojson, write_jsonl
from jig.readers import ReadResult, read_incidents, read_notices, write_rejects

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Check incidents against ceasefire and de-escalation agreements.")
err = Console(stderr=True, highlight=False)

AgreementArg = Annotated[Path, typer.Argument(help="The agreement YAML file (format 1).")]
IncidentsArg = Annotated[list[Path], typer.Argument(
    help="Incident files: CSV, JSON Lines or GeoJSON.")]
NoticesOpt = Annotated[list[Path] | None, typer.Option(
    "--notices", "-n", help="Notice files (repeatable).")]
RejectsOpt = Annotated[Path | None, typer.Option(
    "--rejects", help="Write rejected rows (file, line, reason, raw text) to this CSV.")]


def _report(exc: JigError) -> None:
    for p in exc.problems:
        hint = f"\n  [dim]→ {escape(p.hint)}[/]" if p.hint else ""
        err.print(f"[bold red]error[/] {escape(str(p.where))}: {escape(p.message)}{hint}",
                  soft_wrap=True)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except JigError as exc:
        _report(exc)
        raise typer.Exit(2) from None


def _load(path: Path) -> Agreement:
    with _errors():
        return load_agreement(path)


def _read(agreement: Agreement, incidents: list[Path], notices: list[Path] | None,
          rejects: Path | None) -> tuple[ReadResult, ReadResult]:
    with _errors():
        inc = read_incidents(incidents, agreement.tz)
        notes = read_notices(notices or [], agreement)
    bad = inc.rejects + notes.rejects
    for r in bad[:20]:
        err.print(f"[yellow]rejected[/] {escape(str(r))}", soft_wrap=True)
    if len(bad) > 20:
        err.print(f"[yellow]… and {len(bad) - 20} more rejected rows[/]")
    if rejects is not None:
        write_rejects(rejects, bad)
        err.print(f"{len(bad)} rejected rows written to {rejects}")
    elif bad:
        err.print("[dim]give --rejects PATH to keep them in a file[/]")
    return inc, notes


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            yield fh


@app.command()
def validate(agreement: AgreementArg) -> None:
    """Check an agreement file and the GeoJSON it names; list every problem with its place.

    Example: jig validate examples/syria-2016-jig/agreement.yaml
    """
    a = _load(agreement)
    err.print(f"[green]valid[/] {a.id}: {len(a.parties)} parties, {len(a.actors)} actors, "
              f"{len(a.zones)} zones, {len(a.sites)} sites, {len(a.targets)} targets, "
              f"{len(a.clauses)} clauses, {len(a.exceptions)} exceptions "
              f"[dim](content hash {a.content_hash[:16]})[/]")


@app.command("check")
def check_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    notices: NoticesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl, geojson or csv.")]
    = "table",
    rejects: RejectsOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here, not stdout.")]
    = None,
) -> None:
    """Judge every incident against every clause: breach, undetermined, excepted, complies.

    Example: jig check examples/syria-2016-jig/agreement.yaml \\
             examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv
    """
    if fmt not in FORMATS:
        err.print(f"[bold red]error[/] --format {fmt!r}: use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    a = _load(agreement)
    inc, notes = _read(a, incidents, notices, rejects)
    verdicts = check(a, inc.records, notes.records)
    if fmt == "table":
        if output is None:
            print_table(verdicts, Console(highlight=False))
        else:
            with _output(output) as fh:
                print_table(verdicts, Console(file=fh, width=200, highlight=False))
    else:
        writer = {"jsonl": write_jsonl, "geojson": write_geojson, "csv": write_csv}[fmt]
        with _output(output) as fh:
            writer(verdicts, fh)
    counts = Counter(v.verdict for v in verdicts)
    err.print(f"read {inc.read} incident rows: judged {len(verdicts)}, rejected "
              f"{len(inc.rejects)}; " + ", ".join(
                  f"[{STYLE[o]}]{o}[/] {counts.get(o, 0)}" for o in OUTCOMES))


@app.command("explain")
def explain_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    incident: Annotated[str, typer.Option("--incident", "-i", help="The incident id to explain.")],
    notices: NoticesOpt = None,
) -> None:
    """Show, step by step, how every clause judged one incident.

    Example: jig explain examples/syria-2016-jig/agreement.yaml \\
             examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv -i A-12
    """
    a = _load(agreement)
    inc, notes = _read(a, incidents, notices, None)
    try:
        ex = explain(a, inc.records, incident, notes.records)
    except KeyError:
        rejected = [r for r in inc.rejects if f'{incident}' in r.raw]
        hint = f" (a rejected row mentions it: {rejected[0]})" if rejected else ""
        err.print(f"[bold red]error[/] no incident {incident!r} in the input{hint}")
        raise typer.Exit(2) from None
    out = Console(highlight=False)
    v = ex.verdict
    out.print(f"[bold]{v.incident.id}[/]: verdict [{STYLE[v.verdict]}]{v.verdict}[/]")
    for line in ex.preamble:
        out.print(f"  {line}", soft_wrap=True)
    for c in ex.clauses:
        out.print(f"\n[bold]clause {c.clause.id}[/] ({c.clause.rule}) → "
                  f"[{STYLE[c.outcome]}]{c.outcome}[/]")
        if c.clause.quote:
            out.print(f"  [italic]“{escape(c.clause.quote)}”[/]", soft_wrap=True)
        for i, step in enumerate(c.steps, 1):
            out.print(f"  {i}. {escape(step)}", soft_wrap=True)
        if c.finding is not None:
            out.print(f"  [dim]finding:[/] {escape(json.dumps(c.finding.as_dict(), ensure_ascii=False))}",
                      soft_wrap=True)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Print the JSON Schema of the agreement file (format 1)."""
    with _output(output) as fh:
        fh.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    app()
