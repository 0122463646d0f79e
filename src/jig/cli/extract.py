"""`jig extract`: candidate incidents from prose files, for a person to confirm."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from jig.cli.common import GazetteerOpt, app, err, exit_on_errors, output_to, plural, refuse_overwriting
from jig.cli.whatif import _agreement
from jig.extract import PlaceIndex, extract
from jig.extract.extract import detect_language
from jig.extract.lexicon import default_lexicon
from jig.extract.times import document_date
from jig.output import spreadsheet_safe
from jig.readers import Gazetteer
from jig.times import parse_day

# Columns of -f csv: the format's incident fields first (a CSV `jig check` reads once
# confirmed), then what the extractor adds; each field's span goes in `evidence` as JSON.
CSV_COLUMNS = ["id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon",
               "count", "place", "place_ref", "place_note", "source", "notes", "document",
               "evidence"]


@app.command("extract")
def extract_cmd(
    texts: Annotated[list[Path], typer.Argument(help="Text files (UTF-8): bulletins, releases, "
                                                "monitors' notes, press items; a folder stands "
                                                "for the .txt files in it.")],
    agreement: Annotated[Path, typer.Option(
        "--agreement", "-a", help="The agreement (a file or a library name): its actors, zones, "
        "sites and targets are what the text is read against.")],
    gazetteer: GazetteerOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="auto, en, ru or ar.")] = "auto",
    doc_date: Annotated[str | None, typer.Option(
        "--date", help="The documents' date (YYYY-MM-DD), for 'yesterday' and dates without a "
        "year; default: the first full date each text gives.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write here, not stdout.")] = None,
) -> None:
    """Candidate incidents from prose, each field with the text it came from and a confidence.

    Nothing is judged: a person confirms each candidate (edits its fields) before it is read as
    an incident. A place the agreement and gazetteers do not know is left empty, its words kept.
    """
    if fmt not in ("jsonl", "csv"):
        err.print(f"[bold red]error[/] --format {fmt!r}: use jsonl or csv")
        raise typer.Exit(2)
    if lang not in ("auto", "en", "ru", "ar"):
        err.print(f"[bold red]error[/] --lang {lang!r}: use auto, en, ru or ar")
        raise typer.Exit(2)
    # A folder stands for its .txt files, as `jig check` takes a folder of inputs.
    texts = [f for t in texts for f in (sorted(t.glob("*.txt")) if t.is_dir() else [t])]
    if not texts:
        err.print("[bold red]error[/] no .txt file in the folders given")
        raise typer.Exit(2)
    refuse_overwriting([*texts, agreement, *(gazetteer or [])], ("-o", output))
    day = None
    if doc_date:
        try:
            day = parse_day(doc_date)
        except ValueError as exc:
            err.print(f"[bold red]error[/] --date: {escape(str(exc))}")
            raise typer.Exit(2) from None
    a = _agreement(agreement)
    with exit_on_errors():
        gaz = [Gazetteer.from_files(list(gazetteer))] if gazetteer else []
    index = PlaceIndex(a, gaz)
    rows = []
    prefixes: set[str] = set()
    for path in texts:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else \
                (exc.strerror or str(exc))
            err.print(f"[bold red]error[/] {escape(str(path))}: {escape(why)}")
            raise typer.Exit(2) from None
        found = extract(text, a, index, lang=lang, doc_date=day,
                        id_prefix=_prefix(path, prefixes), source=f"jig extract: {path.name}")
        if not found:
            err.print(f"[yellow]note[/] {escape(str(path))}: no act found in the text")
        elif day is None:
            # Said, since a text that quotes an earlier date first ("since the truce of 12
            # September ... yesterday") reads "yesterday" against that date.
            assumed = document_date(text, lang if lang != "auto" else detect_language(text),
                                    default_lexicon())
            if assumed is not None:
                err.print(f"[yellow]note[/] {escape(str(path))}: 'yesterday', weekdays and dates "
                          f"without a year read against {assumed.isoformat()}, the first full "
                          "date the text gives (--date sets the document's own)")
        for c in found:
            rows.append({**c.row(), "document": str(path)})
    with output_to(output) as out:
        if fmt == "jsonl":
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            # Press text is untrusted: a line starting "=" must not run in a spreadsheet.
            w = csv.writer(out)
            w.writerow(CSV_COLUMNS)
            for r in rows:
                r = {**r, "evidence": json.dumps(r["evidence"], ensure_ascii=False)}
                w.writerow(spreadsheet_safe(r.get(c) for c in CSV_COLUMNS))
    unplaced = sum(1 for r in rows if r["lon"] is None)
    untimed = sum(1 for r in rows if not r["time"])
    err.print(f"{plural(len(rows), 'candidate')} from {plural(len(texts), 'file')}"
              + (f"; {unplaced} without a place (any words that may name it are in `place`, "
                 "why in `place_note`)" if unplaced else "")
              + (f"; {untimed} without a time: the text gives no date (give --date)"
                 if untimed else ""))


def _prefix(path: Path, used: set[str]) -> str:
    """The candidates' id prefix for a file: its name, made unique across the files given
    (a/report.txt and b/report.txt both gave report-1, which `jig check` then refused)."""
    prefix = path.stem
    if prefix in used:
        prefix = f"{path.parent.name}-{path.stem}" if path.parent.name else prefix
    n = 2
    base = prefix
    while prefix in used:
        prefix = f"{base}-{n}"
        n += 1
    used.add(prefix)
    return prefix
