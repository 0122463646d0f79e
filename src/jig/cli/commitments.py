"""Commitments with deadlines in `jig check`: status records read, must_by clauses judged, and
the results written after the incidents' verdicts, in the same format."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from jig.agreement.model import Agreement
from jig.cli.common import RejectSink, Trailer, console_to, err
from jig.cli.words import ENGLISH, Words
from jig.engine.commitments import Commitment, judge_commitments
from jig.export import GIS_FORMATS
from jig.output import CSV_COLUMNS, STYLE, spreadsheet_safe
from jig.readers.status import read_status
from jig.times import parse_time

StatusOpt = Annotated[list[Path] | None, typer.Option(
    "--status", "-s", help="Status records for must_by clauses (who verified what, when): "
    "CSV, JSON Lines or GeoJSON (repeatable).")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Judge deadlines as of this time (ISO 8601; default now): records "
    "after it are not yet known, deadlines after it still pending.")]


def judge_from_files(a: Agreement, paths: list[Path] | None, as_of: str | None,
                     sink: RejectSink) -> list[Commitment]:
    """The agreement's must_by clauses judged on the status files ([] when it has none)."""
    if not any(c.rule == "must_by" for c in a.clauses):
        if paths:
            err.print("[yellow]note[/] --status given, but the agreement has no must_by clause")
        return []
    try:
        moment = parse_time(as_of, a.tz).end if as_of else time.time()
    except ValueError as exc:
        err.print(f"[bold red]error[/] --as-of: {escape(str(exc))}")
        raise typer.Exit(2) from None
    return judge_as_of(a, paths, moment, sink)


def judge_as_of(a: Agreement, paths: list[Path] | None, moment: float, sink: RejectSink
                ) -> list[Commitment]:
    """The must_by clauses judged on the status files as of `moment` (bad rows to `sink`)."""
    if not any(c.rule == "must_by" for c in a.clauses):
        return []
    read = read_status(paths or [], a)
    for r in read.rejects:
        sink(r)
    return judge_commitments(a, read.records, moment)


def commitments_after(found: list[Commitment], fmt: str, to_file: bool,
                      keep: frozenset[str] | None = None, summary: bool = False,
                      words: Words = ENGLISH) -> Trailer | None:
    """What follows the verdicts in the same output (`output_to`'s `then`, so a file is
    renamed into place only with them): JSON Lines objects keyed `commitment`, CSV rows with
    an empty `incident`, or a block of the table; those with an outcome `keep` lets through
    (`--verdict`). GeoJSON, GeoPackage and GeoParquet have no place for them (they have no
    location: text after a GeoPackage or a Parquet file's footer left a file no reader
    opens), nor has a summary's CSV or JSON Lines (rows of other columns): they go to stderr
    as a table. A table is written in the `words`' language. None when there is nothing to
    write."""
    found = [c for c in found if keep is None or c.outcome in keep]
    if not found:
        return None
    aside = fmt in ("geojson", *GIS_FORMATS) or (summary and fmt != "table")

    def write(fh: IO[str]) -> None:
        if fmt == "jsonl" and not aside:
            for c in found:
                fh.write(json.dumps(c.as_dict(), ensure_ascii=False) + "\n")
        elif fmt == "csv" and not aside:
            w = csv.writer(fh)
            for c in found:
                row = dict.fromkeys(CSV_COLUMNS, "") | {
                    "verdict": c.outcome, "clause": c.clause, "outcome": c.outcome,
                    "evidence": " ".join(f"{e.kind}:{e.id}" for e in c.evidence),
                    "reason": c.reason}
                w.writerow(spreadsheet_safe(row.values()))
        else:
            # As the verdicts above them: unwrapped into a file or a pipe.
            console = err if aside else console_to(fh, to_file)
            console.print(f"\n[bold]{words('commitments')}[/]")
            for c in found:
                console.print(Padding(f"[{STYLE[c.outcome]}]{words(c.outcome)}[/]  "
                                      f"{escape(c.clause)} ({escape(c.actor)}, {words('due')} "
                                      f"{c.deadline})", (0, 0, 0, 2), expand=False))
                console.print(Padding(Text(words(c.reason)), (0, 0, 0, 6), expand=False))
        tally = {o: sum(c.outcome == o for c in found)
                 for o in ("breach", "undetermined", "complies")}
        err.print(f"{len(found)} commitments: " + ", ".join(
            f"[{STYLE[o]}]{o}[/] {n}" for o, n in tally.items()), soft_wrap=True)

    return write
