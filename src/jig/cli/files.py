"""Commands on files: validate, check, merge, schema (how check writes what it judged is
`jig.cli.findings_out`)."""

from __future__ import annotations

import codecs
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import replace
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.markup import escape

from jig.agreement import json_schema
from jig.cli.commitments import AsOfOpt, StatusOpt, commitments_after, judge_from_files
from jig.cli.common import (
    ActorsOpt,
    AgreementArg,
    DaysOpt,
    GazetteerOpt,
    IncidentsArg,
    KmOpt,
    NoticesOpt,
    RejectSink,
    RejectsOpt,
    RowProgress,
    Trailer,
    app,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    output_to,
    plural,
    progress_of,
    refuse_overwriting,
    stdout,
    warn_misspelt_fields,
)
from jig.cli.findings_out import (
    write_lines_of,
    write_summary,
    write_summary_of,
    write_verdicts,
)
from jig.cli.words import LangOpt, Words, words_for
from jig.engine import accel, check
from jig.engine.render_csv import csv_header
from jig.export import GIS_FORMATS
from jig.findings import OUTCOMES
from jig.merge import MergeOptions, group, merged, notices_for
from jig.output import (
    FORMATS,
    STYLE,
)
from jig.partitions import PART_CHUNK, InOrder, Output, Work, cores_for, judge_on_cores
from jig.pipeline import CHUNK, evidence_of, judge_chunks
from jig.readers import Counts, Gazetteer, IncidentReader, Reject, read_notices
from jig.readers.files import ReadPosition, expand_paths
from jig.readers.parts import Part
from jig.records import Notice
from jig.summary import Tally


@app.command()
def validate(agreement: AgreementArg) -> None:
    """Check an agreement file and the GeoJSON it names; list every problem with its place.

    Example:

    \b
        jig validate examples/syria-2016-jig/agreement.yaml
    """
    a = load_or_exit(agreement)
    stdout.print(f"[green]valid[/] {a.id}: {plural(len(a.parties), 'party', 'parties')}, "
              f"{plural(len(a.actors), 'actor')}, {plural(len(a.zones), 'zone')}, "
              f"{plural(len(a.sites), 'site')}, {plural(len(a.targets), 'target')}, "
              f"{plural(len(a.clauses), 'clause')}, {plural(len(a.exceptions), 'exception')} "
              f"[dim](content hash {a.content_hash[:16]})[/]")


def input_size(paths: list[Path]) -> int:
    """Bytes of the input files (a folder's files counted), or 0 when one is missing."""
    try:
        return ReadPosition(expand_paths(paths)).total
    except OSError:
        return 0


def _keep(verdict: str | None) -> frozenset[str] | None:
    """The verdicts `--verdict` lets through (None: all)."""
    if verdict is None:
        return None
    words = frozenset(w.strip() for w in verdict.split(",") if w.strip())
    unknown = sorted(words - set(OUTCOMES))
    if unknown or not words:
        err.print(f"[bold red]error[/] --verdict {verdict!r}: "
                  f"{'unknown ' + ', '.join(unknown) + '; ' if unknown else ''}"
                  f"give one or more of {', '.join(OUTCOMES)}, separated by commas")
        raise typer.Exit(2)
    return words


def _merge_options(km: float, days: float, actors: str, prefix: str) -> MergeOptions:
    """The options of a merge, or exit 2 naming the one that is wrong (`prefix`: how the
    command spells them)."""
    options = MergeOptions(km, days, actors)
    problem = options.problem()
    if problem is not None:
        err.print(f"[bold red]error[/] {prefix}{problem[0]} {escape(problem[1])}")
        raise typer.Exit(2)
    return options


def _counts_line(tally: Tally) -> str:
    return ", ".join(f"[{STYLE[o]}]{o}[/] {n}" for o, n in tally.counts())


def _notices_line(read: int, notes: list[Notice], rejected: int) -> str:
    return (f"read {plural(read, 'notice')}: taken {len(notes)}, rejected {rejected}"
            if read else "")


def warn_unmatched_notices(notes: list[Notice], judged: Callable[[str], bool]) -> None:
    """A notice that names an incident no input holds excuses nothing: say so, it is
    most likely a typing slip in the id."""
    for n in notes:
        if n.incident is not None and not judged(n.incident):
            where = f"{n.origin}: " if n.origin else ""
            err.print(f"[yellow]warning[/] {escape(where)}notice {escape(n.id)} names incident "
                      f"{escape(repr(n.incident))}, which is not among the incidents judged")


@app.command("check")
def check_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    notices: NoticesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl, geojson, csv, gpkg "
                                     "(GeoPackage) or parquet (GeoParquet).")]
    = "table",
    rejects: RejectsOpt = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write here, not stdout (whole or not at all).")] = None,
    verdict: Annotated[str | None, typer.Option(
        "--verdict", help="Write only incidents with these verdicts, e.g. breach,undetermined "
        "(the counts on stderr still count every incident).")] = None,
    summary: Annotated[bool, typer.Option(
        "--summary", help="Write counts of findings by outcome, clause and actor, and by "
        "outcome and zone, instead of every finding.")] = False,
    gazetteer: GazetteerOpt = None,
    merge: Annotated[bool, typer.Option("--merge", help="Judge reports of one event, from "
                                        "different datasets, as one incident.")] = False,
    merge_km: KmOpt = 10.0,
    merge_days: DaysOpt = 1.0,
    merge_actors: ActorsOpt = "compatible",
    chunk: Annotated[int, typer.Option(hidden=True)] = CHUNK,
    engine: Annotated[str, typer.Option(help="local (this process) or dask (one task per "
                                        "input file, on a Dask cluster).")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a local cluster.")] = None,
    workers: Annotated[int, typer.Option(help="Workers of the local Dask cluster.")] = 2,
    status: StatusOpt = None,
    as_of: AsOfOpt = None,
    threads: Annotated[int | None, typer.Option(
        help="Cores to use (default: all): a large input is read, judged and written in "
        "parts on this many processes, with the same output as one.")]
    = None,
    lang: LangOpt = "en",
) -> None:
    """Judge every incident against every clause: breach, undetermined, excepted, complies.

    Files of any size are read as a stream and judged in chunks; a folder stands for the
    incident files in it. Examples:

    \b
        jig check examples/syria-2016-jig/agreement.yaml \\
            examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv
        jig check AGREEMENT parts/ --verdict breach,undetermined -f csv -o findings.csv
        jig check AGREEMENT parts/ --summary
    """
    if fmt not in (*FORMATS, *GIS_FORMATS):
        err.print(f"[bold red]error[/] --format {fmt!r}: use one of "
                  f"{', '.join((*FORMATS, *GIS_FORMATS))}")
        raise typer.Exit(2)
    if fmt in GIS_FORMATS and (output is None or summary or engine == "dask"):
        err.print(f"[bold red]error[/] -f {fmt} writes a file of every incident: give -o PATH "
                  "(and no --summary or --engine dask)")
        raise typer.Exit(2)
    if summary and fmt == "geojson":
        err.print("[bold red]error[/] --summary writes a table, jsonl or csv, not geojson")
        raise typer.Exit(2)
    keep = _keep(verdict)
    words = words_for(lang, fmt)
    merging = _merge_options(merge_km, merge_days, merge_actors, "--merge-")
    a = load_or_exit(agreement)
    refuse_overwriting([agreement, *incidents, *(notices or []), *(status or []),
                        *(gazetteer or [])], ("-o", output), ("--rejects", rejects))
    warn_misspelt_fields(incidents)
    sink = RejectSink(rejects)
    with exit_on_errors():
        noted = read_notices(notices or [], a)
    for r in noted.rejects:
        sink(r)
    notes: list[Notice] = noted.records
    notices_line = _notices_line(noted.read, notes, len(noted.rejects))
    tally = Tally(a, summary=summary)
    if engine not in ("local", "dask"):
        err.print(f"[bold red]error[/] --engine {engine!r}: use local or dask")
        raise typer.Exit(2)
    # A bad --as-of stops before output; the commitments follow the verdicts in the output.
    then = commitments_after(judge_from_files(a, status, as_of, sink), fmt, output is not None,
                             keep, summary, words)
    if engine == "dask":
        if merge:
            err.print("[bold red]error[/] --merge groups reports from the whole input, which "
                      "one process holds: run it with --engine local")
            raise typer.Exit(2)
        _check_on_dask(agreement, incidents, notes, fmt, output, sink, scheduler, workers, tally,
                       keep, notices_line, make_reader(a, gazetteer).gazetteer, then)
        return
    if threads is not None and threads < 1:
        err.print(f"[bold red]error[/] --threads {threads}: give 1 or more")
        raise typer.Exit(2)
    # The zone kernels' grid is kept between runs, keyed by the zones' content.
    accel.settings.threads, accel.settings.cache_dir = threads, accel.default_cache_dir()
    reader = make_reader(a, gazetteer)
    cores = threads or len(os.sched_getaffinity(0))
    parts = cores_for(incidents, cores) if not merge and (
        summary or fmt in ("jsonl", "csv")) else None
    merged_note = ""
    with exit_on_errors(), progress_of("judging") as progress:
        # Rows count as they are read (a chunk is judged after it is read, so verdicts come in
        # bursts); the rate is their mean since the start, and the bar the bytes read.
        progress(0, 0, input_size(incidents))

        def row_read() -> None:
            progress(done=reader.position.done, total=reader.position.total)

        if merge:
            records, bad = reader.read(incidents)
            for r in bad:
                sink(r)
            groups = group(a, records, merging)
            joined = [merged(a, g) for g in groups]
            merged_note = (f" ({len(records)} records merged into {len(joined)} incidents, "
                           f"{sum(len(g.records) > 1 for g in groups)} of them from several)")
            judged_ids = {i.id for i in joined} | {r.id for r in records}
            write_verdicts(iter(check(a, joined, notices_for(joined, notes))), fmt, output,
                           tally, keep, row_read, words, then)
        elif parts is not None:
            out = Output(fmt, keep, summary, min(chunk, PART_CHUNK))
            counts, judged_ids = _check_on_cores(
                reader, incidents, parts, Work(a, notes, None, out, reader.gazetteer), cores,
                output, sink, tally, progress, words, then)
        else:
            chunks = judge_chunks(reader, incidents, notes, chunk=chunk, on_reject=sink,
                                  on_rows=lambda n: progress(n, reader.position.done,
                                                             reader.position.total))
            if summary:
                write_summary_of(chunks, fmt, output, tally, words, then)
            elif fmt in ("jsonl", "csv"):
                write_lines_of(chunks, fmt, output, tally, keep, then)
            else:
                write_verdicts((v for judged in chunks for v in judged.verdicts()), fmt,
                               output, tally, keep, lambda: None, words, then)
            judged_ids = set(reader.seen)
            counts = reader.counts
    sink.close()
    warn_unmatched_notices(notes, judged_ids.__contains__)
    c = reader.counts if merge else counts
    err.print(f"read {plural(c.read, 'incident row')}: judged {c.incidents}, rejected "
              f"{c.rejected}{merged_note}; {_counts_line(tally)}"
              + (f"; {notices_line}" if notices_line else ""))


def _check_on_cores(reader: IncidentReader, incidents: list[Path], parts: list[Part],
                    work: Work, cores: int, output: Path | None, sink: RejectSink, tally: Tally,
                    progress: RowProgress, words: Words, then: Trailer | None
                    ) -> tuple[Counts, Container[str]]:
    """`jig check` of a large input on several processes, part by part, with the bytes, rejects
    and counts of one process (`jig.partitions`)."""
    work = replace(work, pool=evidence_of(reader, incidents))
    order = InOrder()
    counts = Counts()
    done = 0
    fmt, summary = work.output.fmt, work.output.summary
    with output_to(output, then) as fh, tempfile.TemporaryDirectory(prefix="jig-parts-") as folder:
        work = replace(work, output=replace(work.output, folder=folder))
        if fmt == "csv" and not summary:
            fh.write(csv_header())
        for part in judge_on_cores(work, parts, cores, order):
            for r in part.rejects:
                sink(r)
            counts.add(part.counts)
            tally.add_counts(part.outcomes, part.by_clause, part.by_zone)
            if part.file is None:
                fh.write(part.lines)
            else:
                _append(part.file, fh)
                os.unlink(part.file)
            done += part.size
            progress(part.counts.read, done, reader.position.total)
        if summary:
            write_summary(tally, fmt, fh, to_file=output is not None, said=words)
    return counts, order.seen


def _append(path: str, fh: IO[str]) -> None:
    """A part's text written to `fh`: as bytes where `fh` writes UTF-8, for decoding and
    encoding it again (360 MB for a million findings) cost this process 0.7 s of CPU taken
    from the workers."""
    out = getattr(fh, "buffer", None)
    if out is not None and codecs.lookup(fh.encoding).name == "utf-8":
        fh.flush()
        with open(path, "rb") as raw:
            shutil.copyfileobj(raw, out, 1 << 20)
    else:
        with open(path, encoding="utf-8", newline="") as text:
            shutil.copyfileobj(text, fh, 1 << 20)


def _check_on_dask(agreement: Path, incidents: list[Path], notes: list[Notice], fmt: str,
                   output: Path | None, sink: RejectSink, scheduler: str | None,
                   workers: int, tally: Tally, keep: frozenset[str] | None,
                   notices_line: str, gazetteer: Gazetteer | None, then: Trailer | None
                   ) -> None:
    from dask.distributed import Client, LocalCluster

    from jig.distributed import judge_on_cluster

    if fmt != "jsonl" or tally.summary:
        err.print("[bold red]error[/] --engine dask writes --format jsonl, without --summary")
        raise typer.Exit(2)
    # The scheduler's HTTP server (its dashboard) on a free port: ":8787", Dask's default,
    # is taken by a second run or another cluster, and None does not mean none.
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=":0")
    read = judged = 0
    bad: list[Reject] = []
    ids: set[str] = set()
    try:
        with Client(scheduler or cluster) as client, exit_on_errors(), output_to(output, then) as fh:
            for part in judge_on_cluster(client, agreement, incidents, notes, gazetteer):
                read += part.read
                judged += len(part.verdicts)
                bad += part.rejects
                ids.update(part.ids.to_pylist())
                for v in part.verdicts:
                    tally.add_verdict(v["verdict"])
                    if keep is None or v["verdict"] in keep:
                        fh.write(json.dumps(v, ensure_ascii=False) + "\n")
    finally:
        if cluster is not None:
            cluster.close()
    for r in bad:
        sink(r)
    sink.close()
    warn_unmatched_notices(notes, ids.__contains__)
    err.print(f"read {plural(read, 'incident row')}: judged {judged}, rejected {len(bad)} "
              f"(on Dask); {_counts_line(tally)}"
              + (f"; {notices_line}" if notices_line else ""))


@app.command("merge")
def merge_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
    rejects: RejectsOpt = None,
    gazetteer: GazetteerOpt = None,
    km: Annotated[float, typer.Option("--km", help="Reported points within this.")] = 10.0,
    days: Annotated[float, typer.Option("--days", help="Times within this.")] = 1.0,
    actors: Annotated[str, typer.Option("--actors", help="'compatible' (the same agreement "
                                        "actor, or either unidentified), 'same' or 'any'.")]
    = "compatible",
) -> None:
    """Group records of one event from different datasets; write them as JSON Lines incidents.

    Each output line is an incident `jig check` reads, with every source record kept under
    `records`. Example:

    \b
        jig merge examples/syria-2016-jig/agreement.yaml airwars.csv ucdp.csv -o merged.jsonl
    """
    merging = _merge_options(km, days, actors, "--")
    a = load_or_exit(agreement)
    refuse_overwriting([agreement, *incidents, *(gazetteer or [])],
                       ("-o", output), ("--rejects", rejects))
    sink = RejectSink(rejects)
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    for r in bad:
        sink(r)
    groups = group(a, records, merging)
    pairs: Counter[str] = Counter()
    with output_to(output) as fh:
        for g in groups:
            inc = merged(a, g)
            if len(g.records) > 1:
                pairs[" + ".join(sorted({str(r.extra.get("dataset")) for r in g.records}))] += 1
            row = {"id": inc.id, "time": inc.time_text, "lon": inc.lon, "lat": inc.lat,
                   "precision_m": inc.precision_m, "actor": inc.actor, "target": inc.target,
                   "act": inc.act, "weapon": inc.weapon} | inc.extra
            fh.write(json.dumps({k: v for k, v in row.items() if v is not None},
                                ensure_ascii=False) + "\n")
    sink.close()
    err.print(f"read {plural(reader.counts.read, 'row')}: {plural(len(records), 'record')}, "
              f"rejected {reader.counts.rejected}; {plural(len(groups), 'incident')}, "
              f"{sum(pairs.values())} of them from several datasets")
    for combo, n in pairs.most_common():
        err.print(f"  {n:>6}  {combo}")


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Print the JSON Schema of the agreement file (format 1)."""
    with output_to(output) as fh:
        fh.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
