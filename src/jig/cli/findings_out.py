"""How `jig check` writes what it judged: verdicts as objects (a table, JSON Lines, GeoJSON,
CSV, GIS files), plain findings rendered from the columns, and `--summary`'s counts; every
verdict counted in the tally whatever is written."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from rich import box
from rich.table import Column, Table
from rich.text import Text

from jig.cli.common import Trailer, console_to, exit_on_errors, output_to
from jig.cli.words import ENGLISH, Words
from jig.engine.check import Judged
from jig.engine.render import write_lines
from jig.engine.render_csv import csv_header
from jig.export import GIS_FORMATS, write_gis
from jig.findings import Verdict
from jig.output import (
    STYLE,
    print_table,
    spreadsheet_safe,
    write_csv,
    write_geojson,
    write_jsonl,
)
from jig.summary import Tally


def write_verdicts(verdicts: Iterable[Verdict], fmt: str, output: Path | None, tally: Tally,
                   keep: frozenset[str] | None, tick: Callable[[], None],
                   words: Words = ENGLISH, then: Trailer | None = None) -> None:
    """Write the verdicts `keep` lets through (or, with `tally.summary`, only their counts);
    count every one, then write `then`. A table is printed in the `words`' language."""
    def counted() -> Iterator[Verdict]:
        for v in verdicts:
            tally.add(v)
            tick()
            if keep is None or v.verdict in keep:
                yield v

    if fmt in GIS_FORMATS and not tally.summary:
        assert output is not None  # checked by the command
        with exit_on_errors():
            write_gis(fmt, output, tally.agreement, counted())
        if then is not None:
            then(sys.stdout)  # the GIS files have no place for it: it goes to stderr
        return
    with output_to(output, then) as fh:
        if tally.summary:
            for _ in counted():
                pass
            write_summary(tally, fmt, fh, to_file=output is not None, said=words)
        elif fmt == "table":
            # The closing counts are of every verdict: with --verdict, zeros for the ones
            # filtered out were pasted on as facts (a new user's review).
            print_table(counted(), console_to(fh, output is not None), words, words.origin,
                        words.number, tally.verdicts)
        else:
            {"jsonl": write_jsonl, "geojson": write_geojson, "csv": write_csv}[fmt](counted(), fh)


def write_lines_of(chunks: Iterable[Judged], fmt: str, output: Path | None, tally: Tally,
                   keep: frozenset[str] | None, then: Trailer | None = None) -> None:
    """JSON Lines or CSV rendered from the columns, chunk by chunk: no finding object is built
    for the plain cases, and the bytes are those of `write_jsonl` and `write_csv`."""
    with output_to(output, then) as fh:
        if fmt == "csv":
            fh.write(csv_header())
        for judged in chunks:
            tally.verdicts.update(judged.verdict_counts())
            write_lines(judged.lines(fmt, keep), fh)


def write_summary_of(chunks: Iterable[Judged], fmt: str, output: Path | None,
                     tally: Tally, words: Words, then: Trailer | None = None) -> None:
    """`--summary` counted from the columns, chunk by chunk: no finding object (nor its
    reason) is built for the plain cases."""
    for judged in chunks:
        tally.add_judged(judged)
    with output_to(output, then) as fh:
        write_summary(tally, fmt, fh, to_file=output is not None, said=words)


def write_summary(tally: Tally, fmt: str, fh: IO[str], to_file: bool,
                  said: Callable[[str], str] = str) -> None:
    """`--summary`: findings by outcome x clause x actor, then by outcome x zone (the table's
    words `said` in the reader's language; jsonl and csv keep jig's codes)."""
    rows = tally.rows()
    if fmt == "jsonl":
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        w = csv.writer(fh)
        w.writerow(("outcome", "clause", "actor", "zone", "findings"))
        for row in rows:
            w.writerow(spreadsheet_safe([row["outcome"], row.get("clause", ""),
                                         row.get("actor", ""), row.get("zone", ""),
                                         row["findings"]]))
        return
    console = console_to(fh, to_file)
    by_clause = Table(said("outcome"), said("clause"), said("actor"),
                      Column(said("findings"), justify="right"),
                      title=said("findings by outcome, clause and actor"), title_justify="left",
                      box=box.SIMPLE)
    by_zone = Table(said("outcome"), said("zone"), Column(said("findings"), justify="right"),
                    title=said("findings by outcome and zone"), title_justify="left",
                    box=box.SIMPLE)
    for row in rows:
        outcome = Text(said(row["outcome"]), STYLE[row["outcome"]])
        if "clause" in row:
            by_clause.add_row(outcome, row["clause"], row["actor"], f"{row['findings']:,}")
        else:
            by_zone.add_row(outcome, row["zone"], f"{row['findings']:,}")
    console.print(by_clause)
    if by_zone.row_count:
        console.print(by_zone)
    console.print(said("incidents by verdict:") + " " + "  ".join(
        f"[{STYLE[o]}]{said(o)}[/] {n:,}" for o, n in tally.counts()))
