"""What every command shares: the app, stderr, options, and the one error handler."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from jig.agreement import Agreement
from jig.agreement.cache import load_agreement_cached
from jig.engine.accel import default_cache_dir
from jig.errors import JigError, Location, Problem
from jig.readers import Gazetteer, IncidentReader, Reject, read_notices
from jig.readers.files import expand_paths, misspelt_fields
from jig.readers.rejects import RejectWriter, umask
from jig.records import Notice

# Plain help, not Rich's panels: those show `<bool>` beside every flag and re-flow example
# commands mid-line; click keeps a paragraph marked with \b as written.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Check incidents against ceasefire and de-escalation agreements.")


def console(**options: Any) -> Console:
    """A Rich console that prints what it is given: no colours guessed from numbers or paths
    (highlight), and no emoji codes, which turned an id "A-01:fire:" or a file "x:b:y.csv"
    into pictures (`escape` leaves those codes as they are)."""
    return Console(highlight=False, emoji=False, **options)


# soft_wrap: a message is one line however long, so a pipe or a log gets it whole; the
# terminal wraps it for people.
err = console(stderr=True, soft_wrap=True)
stdout = console(soft_wrap=True)
# Output to a file or a pipe is not wrapped at all (Rich would wrap it at 80 columns):
# grep, cut and a diff see each line whole.
UNWRAPPED = 100_000
# What a command writes after its body, into the same output (see `output_to`).
Trailer = Callable[[IO[str]], None]


def console_to(fh: IO[str], to_file: bool = False) -> Console:
    """A console for a command's output: a terminal's width on a terminal, else unwrapped."""
    if to_file or not fh.isatty():
        return console(file=fh, width=UNWRAPPED, soft_wrap=True)
    return console(file=fh)


def _version(value: bool) -> None:
    if value:
        try:
            v = version("jig-monitor")
        except PackageNotFoundError:  # run from a source tree that was never installed
            v = "unknown"
        print(f"jig {v}")
        raise typer.Exit()


@app.callback()
def _main(show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print jig's version and exit.")] = False) -> None:
    """Check incidents against ceasefire and de-escalation agreements."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 conflict`, `2 conflicts`; `many` for words that do not take an s."""
    return f"{n} {word if n == 1 else many or word + 's'}"

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
    """The agreement at `path` (kept in the user's cache when it is slow to read: a thousand
    zones take seconds), or its problems on stderr and exit 2."""
    with exit_on_errors():
        return load_agreement_cached(path, default_cache_dir())


def refuse_overwriting(inputs: Iterable[Path | None], *outputs: tuple[str, Path | None]
                       ) -> None:
    """Exit 2, before anything is read or written, when a file to write is also one the
    command reads (a folder stands for its files), or two outputs are one file:
    `-o data.csv` replaced the data with findings, without a word."""
    read = [p for p in expand_paths([q for q in inputs if q is not None]) if p.exists()]
    given = [(opt, p) for opt, p in outputs if p is not None]
    for k, (opt, path) in enumerate(given):
        for q in read:
            if _same_file(path, q):
                err.print(f"[bold red]error[/] {opt} {escape(str(path))} is also an input: "
                          "writing it would replace what is read; write to another file")
                raise typer.Exit(2)
        for other, second in given[k + 1:]:
            if _same_file(path, second):
                err.print(f"[bold red]error[/] {opt} and {other} name one file, "
                          f"{escape(str(path))}: give each its own")
                raise typer.Exit(2)


def warn_misspelt_fields(inputs: Iterable[Path]) -> None:
    """A warning for each column of an incidents file that looks like a slip of a field jig
    judges and the file lacks: its values would be kept as given, not judged."""
    for path in expand_paths(list(inputs)):
        for given, meant in misspelt_fields(path):
            err.print(f"[yellow]warning[/] {escape(str(path))}, line 1: column {escape(repr(given))} "
                      f"is not one jig reads, and {meant!r} is missing: did you mean {meant!r}? "
                      "(its values are kept as given, not judged)")


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


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
            more = plural(self.count - self.SHOWN, "more rejected row")
            err.print(f"[yellow]… and {more}[/]")
        if self.writer:
            self.writer.close()
            err.print(f"{plural(self.count, 'rejected row')} written to {escape(str(self.path))}")
        elif self.count:
            err.print("[dim]give --rejects PATH to keep them in a file[/]")


def notices_or_exit(agreement: Agreement, paths: list[Path] | None,
                    rejects: Callable[[Reject], None]) -> list[Notice]:
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
def output_to(path: Path | None, then: Trailer | None = None) -> Iterator[IO[str]]:
    """stdout, or the file `path` written whole or not at all: into a temporary file beside
    it, renamed over it only once everything is written, so an error leaves no half file.
    `then` writes what follows the body (`jig check`'s commitments) before that rename."""
    if path is None:
        yield sys.stdout
        if then is not None:
            then(sys.stdout)
        return
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        report_problems(JigError(Problem("file.unwritable", "cannot write here: "
                                         f"{exc.strerror or exc}", Location(file=str(path)))))
        raise typer.Exit(2) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            if then is not None:
                then(fh)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp's 0600 is for the half-written file only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _RowsColumn(ProgressColumn):
    """Rows done and their mean rate since the start: a rate over the last few seconds only
    shows the bursts of reading between chunks being judged, many times the real pace."""

    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0.0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 and rows else "… rows/s"
        return Text(f"{rows:,} rows read, {rate}")


class RowProgress:
    """What a long command shows on a terminal while it works: rows done, rows per second,
    time elapsed and, where the input's size is known, the share of its bytes read."""

    EVERY = 0.1  # seconds between updates: drawing for every row would cost more than the row

    def __init__(self, bar: Progress, task: int):
        self.bar, self.task = bar, task
        self.rows = 0
        self.done: int | None = None
        self.total: int | None = None
        self._next = 0.0

    def __call__(self, rows: int = 1, done: int | None = None, total: int | None = None
                 ) -> None:
        """`rows` more rows done; `done`/`total`: bytes read so far, of how many."""
        self.rows += rows
        self.done, self.total = done, total or None
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.EVERY
            self.show()

    def show(self) -> None:
        self.bar.update(self.task, rows=self.rows, completed=self.done, total=self.total)


@contextmanager
def progress_of(what: str) -> Iterator[RowProgress]:
    """A live progress display on stderr, on a terminal only."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TaskProgressColumn(), DownloadColumn(), _RowsColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        progress = RowProgress(bar, bar.add_task(what, total=None, rows=0))
        yield progress
        progress.show()  # the last rows, drawn once more before the display goes


def open_store(data: Path, db: str | None, create: bool = False, keys: Path | None = None
               ) -> Any:
    """The store at --data or --db. Only a command that makes something (`admin add-user`)
    may create it: a command that reads a mistyped --data would otherwise make an empty store
    there, and a log key, and then report that it holds nothing (exit 2 instead). `keys`: the
    parties' at-rest keys (--keys), to open what their workspaces sealed."""
    from jig.service.settings import Settings
    from jig.store import Store
    from jig.store.sealing import read_keys

    try:
        at_rest = read_keys(keys) if keys is not None else None
    except ValueError as exc:
        err.print(f"[bold red]error[/] --keys {escape(str(exc))}")
        raise typer.Exit(2) from None

    settings = Settings(data_dir=data, database_url=db)
    if not create and settings.database_url is None and not (data / "jig.db").exists():
        err.print(f"[bold red]error[/] no store in {escape(str(data))} (give --data the "
                  "folder that `jig import` or `jig serve` wrote)")
        raise typer.Exit(2)
    return Store.open(settings.url, settings.sqlite_synchronous, settings.timezone,
                      settings.data_dir, settings.log_key, at_rest)
