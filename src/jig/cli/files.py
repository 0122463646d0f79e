"""Commands on files: validate, check, merge, explain, deconflict, schema."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from jig.agreement import json_schema
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
    app,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    notices_or_exit,
    output_to,
    progress_of,
)
from jig.engine import check, explain
from jig.findings import OUTCOMES, Verdict
from jig.merge import MergeOptions, group, merged
from jig.output import FORMATS, STYLE, print_table, write_csv, write_geojson, write_jsonl
from jig.pipeline import CHUNK, judge_files


@app.command()
def validate(agreement: AgreementArg) -> None:
    """Check an agreement file and the GeoJSON it names; list every problem with its place.

    Example: jig validate examples/syria-2016-jig/agreement.yaml
    """
    a = load_or_exit(agreement)
    err.print(f"[green]valid[/] {a.id}: {len(a.parties)} parties, {len(a.actors)} actors, "
              f"{len(a.zones)} zones, {len(a.sites)} sites, {len(a.targets)} targets, "
              f"{len(a.clauses)} clauses, {len(a.exceptions)} exceptions "
              f"[dim](content hash {a.content_hash[:16]})[/]")


def _write(verdicts: Iterator[Verdict], fmt: str, output: Path | None) -> Counter[str]:
    counts: Counter[str] = Counter()

    def counted() -> Iterator[Verdict]:
        for v in verdicts:
            counts[v.verdict] += 1
            yield v

    if fmt == "table":
        with output_to(output) as fh:
            console = Console(file=fh, width=200, highlight=False) if output else \
                Console(highlight=False)
            print_table(counted(), console)
    else:
        writer = {"jsonl": write_jsonl, "geojson": write_geojson, "csv": write_csv}[fmt]
        with output_to(output) as fh:
            writer(counted(), fh)
    return counts


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
) -> None:
    """Judge every incident against every clause: breach, undetermined, excepted, complies.

    Files of any size are read as a stream and judged in chunks. Example:

        jig check examples/syria-2016-jig/agreement.yaml \\
            examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv
    """
    if fmt not in FORMATS:
        err.print(f"[bold red]error[/] --format {fmt!r}: use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    a = load_or_exit(agreement)
    sink = RejectSink(rejects)
    notes = notices_or_exit(a, notices, sink)
    if engine == "dask":
        _check_on_dask(agreement, incidents, notes, fmt, output, sink, scheduler, workers)
        return
    if engine != "local":
        err.print(f"[bold red]error[/] --engine {engine!r}: use local or dask")
        raise typer.Exit(2)
    reader = make_reader(a, gazetteer)
    merged_note = ""
    with exit_on_errors(), progress_of("judging") as tick:
        if merge:
            records, bad = reader.read(incidents)
            for r in bad:
                sink(r)
            groups = group(a, records, MergeOptions(merge_km, merge_days, merge_actors))
            joined = [merged(a, g) for g in groups]
            merged_note = (f" ({len(records)} records merged into {len(joined)} incidents, "
                           f"{sum(len(g.records) > 1 for g in groups)} of them from several)")
            counts = _write(iter(check(a, joined, notes)), fmt, output)
        else:
            counts = _write(judge_files(reader, incidents, notes, chunk=chunk, on_reject=sink,
                                        on_row=tick), fmt, output)
    sink.close()
    c = reader.counts
    err.print(f"read {c.read} incident rows: judged {c.incidents}, rejected {c.rejected}"
              + merged_note + "; " + ", ".join(
                  f"[{STYLE[o]}]{o}[/] {counts.get(o, 0)}" for o in OUTCOMES), soft_wrap=True)


def _check_on_dask(agreement: Path, incidents: list[Path], notes: list, fmt: str,
                   output: Path | None, sink: RejectSink, scheduler: str | None,
                   workers: int) -> None:
    from dask.distributed import Client, LocalCluster

    from jig.distributed import judge_on_cluster, write_jsonl

    if fmt != "jsonl":
        err.print("[bold red]error[/] --engine dask writes --format jsonl")
        raise typer.Exit(2)
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    with Client(scheduler or cluster) as client, exit_on_errors(), output_to(output) as fh:
        read, judged, bad = write_jsonl(judge_on_cluster(client, agreement, incidents, notes),
                                        fh)
    if cluster is not None:
        cluster.close()
    for r in bad:
        sink(r)
    sink.close()
    err.print(f"read {read} incident rows: judged {judged}, rejected {len(bad)} (on Dask)",
              soft_wrap=True)


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

        jig merge examples/syria-2016-jig/agreement.yaml airwars.csv ucdp.csv -o merged.jsonl
    """
    a = load_or_exit(agreement)
    sink = RejectSink(rejects)
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    for r in bad:
        sink(r)
    groups = group(a, records, MergeOptions(km, days, actors))
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
    err.print(f"read {reader.counts.read} rows: {len(records)} records, rejected "
              f"{reader.counts.rejected}; {len(groups)} incidents, "
              f"{sum(pairs.values())} of them from several datasets")
    for combo, n in pairs.most_common():
        err.print(f"  {n:>6}  {combo}")


@app.command("explain")
def explain_cmd(
    agreement: AgreementArg,
    incidents: IncidentsArg,
    incident: Annotated[str, typer.Option("--incident", "-i", help="The incident id to explain.")],
    notices: NoticesOpt = None,
    gazetteer: GazetteerOpt = None,
) -> None:
    """Show, step by step, how every clause judged one incident.

    Example: jig explain examples/syria-2016-jig/agreement.yaml \\
             examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv -i A-12
    """
    a = load_or_exit(agreement)
    sink = RejectSink(None)
    notes = notices_or_exit(a, notices, sink)
    reader = make_reader(a, gazetteer)
    with exit_on_errors():
        records, bad = reader.read(incidents)
    try:
        ex = explain(a, records, incident, notes)
    except KeyError:
        rejected = [r for r in bad if incident in r.raw]
        hint = f" (a rejected row mentions it: {rejected[0]})" if rejected else ""
        err.print(f"[bold red]error[/] no incident {escape(repr(incident))} in the input"
                  f"{escape(hint)}")
        raise typer.Exit(2) from None
    out = Console(highlight=False)
    v = ex.verdict
    out.print(f"[bold]{escape(v.incident.id)}[/]: verdict [{STYLE[v.verdict]}]{v.verdict}[/]")
    for line in ex.preamble:
        out.print(f"  {escape(line)}", soft_wrap=True)
    for c in ex.clauses:
        out.print(f"\n[bold]clause {c.clause.id}[/] ({c.clause.rule}) → "
                  f"[{STYLE[c.outcome]}]{c.outcome}[/]")
        if c.clause.quote:
            out.print(f"  [italic]“{escape(c.clause.quote)}”[/]", soft_wrap=True)
        for i, step in enumerate(c.steps, 1):
            out.print(f"  {i}. {escape(step)}", soft_wrap=True)
        if c.finding is not None:
            found = escape(json.dumps(c.finding.as_dict(), ensure_ascii=False))
            out.print(f"  [dim]finding:[/] {found}", soft_wrap=True)


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

    Example: jig deconflict examples/syria-2016-jig/agreement.yaml \\
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
            out = Console(file=fh, width=200, highlight=False) if output else \
                Console(highlight=False)
            out.print(f"[bold]{len(conflicts)} conflicts[/] (minima: "
                      f"{a.separation.horizontal_m / 1000:g} km, "
                      f"{a.separation.vertical_m / 0.3048:.0f} ft, "
                      f"{a.separation.time_s / 60:g} min)")
            for c in conflicts:
                d = c.seen_by(party, a) if party else c.as_dict(a)
                who = (f"{d['notice']} and {d['other_party']}'s activity" if party
                       else f"{c.a.id} ({c.a.party}) × {c.b.id} ({c.b.party})")
                out.print(f"  [bold red]conflict[/] {escape(who)} at {d['where']['lat']}, "
                          f"{d['where']['lon']}, {d['when']}; inside the minima by "
                          f"{escape(str(d['margin']))}", soft_wrap=True)
            if party is None:
                out.print("\n[bold]flights against the zones[/]")
                for v in flights:
                    for f in v.findings:
                        out.print(f"  {escape(v.notice.id)} [{STYLE[f.outcome]}]{f.outcome}[/]"
                                  f"  {escape(f.reason)}", soft_wrap=True)
    sink.close()
    err.print(f"read {read.read} air notices: {len(read.records)} taken, "
              f"{len(read.rejects)} rejected; {len(conflicts)} conflicts", soft_wrap=True)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Print the JSON Schema of the agreement file (format 1)."""
    with output_to(output) as fh:
        fh.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
