"""What every command shares: the app, stderr, options, and the one error handler."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from jig.agreement import Agreement, load_agreement
from jig.errors import JigError
from jig.readers import Gazetteer, IncidentReader, Reject, read_notices
from jig.readers.rejects import RejectWriter
from jig.records import Notice

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Check incidents against ceasefire and de-escalation agreements.")
err = Console(stderr=True, highlight=False)

AgreementArg = Annotated[Path, typer.Argument(help="The agreement YAML file (format 1).")]
IncidentsArg = Annotated[list[Path], typer.Argument(
    help="Incident files: CSV, JSON Lines or GeoJSON; generic, ACLED, UCDP GED, Airwars or "
         "CJTF-OIR releases, recognised by their header.")]
NoticesOpt = Annotated[list[Path] | None, typer.Option(
    "--notices", "-n", help="Notice files (repeatable).")]
RejectsOpt = Annotated[Path | None, typer.Option(
    "--rejects", help="Write rejected rows (file, line, reason, raw text) to this CSV.")]
GazetteerOpt = Annotated[list[Path] | None, typer.Option(
    "--gazetteer", "-g", help="Place names for rows without coordinates: a CSV of points "
    "(name, latitude, longitude[, region]) or GeoJSON admin units (repeatable).")]
KmOpt = Annotated[float, typer.Option("--merge-km", help="Merge: reported points within this.")]
DaysOpt = Annotated[float, typer.Option("--merge-days", help="Merge: times within this.")]
ActorsOpt = Annotated[str, typer.Option(
    "--merge-actors", help="Merge: actors 'compatible' (same or unidentified), 'same' or 'any'.")]


def report_problems(exc: JigError) -> None:
    for p in exc.problems:
        hint = f"\n  [dim]→ {escape(p.hint)}[/]" if p.hint else ""
        err.print(f"[bold red]error[/] {escape(str(p.where))}: {escape(p.message)}{hint}",
                  soft_wrap=True)


@contextmanager
def exit_on_errors() -> Iterator[None]:
    try:
        yield
    except JigError as exc:
        report_problems(exc)
        raise typer.Exit(2) from None


def load_or_exit(path: Path) -> Agreement:
    with exit_on_errors():
        return load_agreement(path)


class RejectSink:
    """Shows the first rejects on stderr and writes them all to --rejects as they come."""

    SHOWN = 20

    def __init__(self, path: Path | None):
        self.count = 0
        self.path = path
        self.writer = RejectWriter(path) if path else None

    def __call__(self, r: Reject) -> None:
        self.count += 1
        if self.count <= self.SHOWN:
            err.print(f"[yellow]rejected[/] {escape(str(r))}", soft_wrap=True)
        if self.writer:
            self.writer(r)

    def close(self) -> None:
        if self.count > self.SHOWN:
            err.print(f"[yellow]… and {self.count - self.SHOWN} more rejected rows[/]")
        if self.writer:
            self.writer.close()
            err.print(f"{self.count} rejected rows written to {self.path}")
        elif self.count:
            err.print("[dim]give --rejects PATH to keep them in a file[/]")


def notices_or_exit(agreement: Agreement, paths: list[Path] | None, rejects: RejectSink
                    ) -> list[Notice]:
    with exit_on_errors():
        result = read_notices(paths or [], agreement)
    for r in result.rejects:
        rejects(r)
    return result.records


def make_reader(agreement: Agreement, gazetteer: list[Path] | None) -> IncidentReader:
    with exit_on_errors():
        gaz = Gazetteer.from_files(list(gazetteer)) if gazetteer else None
    return IncidentReader(agreement, gaz)


@contextmanager
def output_to(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            yield fh


@contextmanager
def progress_of(what: str) -> Iterator[callable]:  # type: ignore[valid-type]
    """A live count of rows with their rate, on a terminal only."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,.0f} rows"), TextColumn("{task.speed} rows/s"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task(what, total=None)
        yield lambda: bar.advance(task)
