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
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from jig.agreement import Agreement, json_schema, load_agreement
from jig.engine import check, explain
from jig.errors import JigError
from jig.findings import OUTCOMES, Verdict
from jig.merge import MergeOptions, group, merged
from jig.output import FORMATS, STYLE, print_table, write_csv, write_geojson, write_jsonl
from jig.pipeline import CHUNK, judge_files
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


class _Rejects:
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


def _notices(agreement: Agreement, paths: list[Path] | None, rejects: _Rejects) -> list[Notice]:
    with _errors():
        result = read_notices(paths or [], agreement)
    for r in result.rejects:
        rejects(r)
    return result.records


def _reader(agreement: Agreement, gazetteer: list[Path] | None) -> IncidentReader:
    with _errors():
        gaz = Gazetteer.from_files(list(gazetteer)) if gazetteer else None
    return IncidentReader(agreement, gaz)


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            yield fh


@contextmanager
def _progress(what: str) -> Iterator[callable]:  # type: ignore[valid-type]
    """A live count of rows with their rate, on a terminal only."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,.0f} rows"), TextColumn("{task.speed} rows/s"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task(what, total=None)
        yield lambda: bar.advance(task)


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


def _write(verdicts: Iterator[Verdict], fmt: str, output: Path | None) -> Counter[str]:
    counts: Counter[str] = Counter()

    def counted() -> Iterator[Verdict]:
        for v in verdicts:
            counts[v.verdict] += 1
            yield v

    if fmt == "table":
        with _output(output) as fh:
            console = Console(file=fh, width=200, highlight=False) if output else \
                Console(highlight=False)
            print_table(counted(), console)
    else:
        writer = {"jsonl": write_jsonl, "geojson": write_geojson, "csv": write_csv}[fmt]
        with _output(output) as fh:
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
) -> None:
    """Judge every incident against every clause: breach, undetermined, excepted, complies.

    Files of any size are read as a stream and judged in chunks. Example:

        jig check examples/syria-2016-jig/agreement.yaml \\
            examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv
    """
    if fmt not in FORMATS:
        err.print(f"[bold red]error[/] --format {fmt!r}: use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    a = _load(agreement)
    sink = _Rejects(rejects)
    notes = _notices(a, notices, sink)
    reader = _reader(a, gazetteer)
    merged_note = ""
    with _errors(), _progress("judging") as tick:
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
    a = _load(agreement)
    sink = _Rejects(rejects)
    reader = _reader(a, gazetteer)
    with _errors():
        records, bad = reader.read(incidents)
    for r in bad:
        sink(r)
    groups = group(a, records, MergeOptions(km, days, actors))
    pairs: Counter[str] = Counter()
    with _output(output) as fh:
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
    a = _load(agreement)
    sink = _Rejects(None)
    notes = _notices(a, notices, sink)
    reader = _reader(a, gazetteer)
    with _errors():
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
    a = _load(agreement)
    if party is not None and party not in a.parties:
        err.print(f"[bold red]error[/] --party {party!r}: parties are {', '.join(a.parties)}")
        raise typer.Exit(2)
    sink = _Rejects(rejects)
    with _errors():
        read = read_air_notices(notices, a)
    for r in read.rejects:
        sink(r)
    conflicts = deconflict(a, read.records)
    if party is not None:
        conflicts = [c for c in conflicts if party in (c.a.party, c.b.party)]
    flights = check_flights(a, read.records)
    with _output(output) as fh:
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


DataOpt = Annotated[Path, typer.Option("--data", help="Folder of the store (SQLite file, "
                                        "spooled uploads).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL instead of the SQLite "
                                           "file, e.g. postgresql://user@host/jig.")]


@app.command()
def serve(
    agreement: Annotated[list[Path] | None, typer.Option(
        "--agreement", "-a", help="Agreement files to load at start (repeatable).")] = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    gazetteer: GazetteerOpt = None,
) -> None:
    """Run the HTTP service: intake, judging, queries; OpenAPI at /docs.

    Example: jig serve --agreement examples/syria-2016-jig/agreement.yaml
    """
    import uvicorn

    from jig.service import Settings, create_app

    settings = Settings(data_dir=data, database_url=db, agreements=agreement or [],
                        gazetteer=gazetteer or [])
    err.print(f"jig serving on http://{host}:{port} (store: {settings.url}; API docs at /docs)")
    with _errors():
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command("import")
def import_cmd(
    incidents: Annotated[list[Path] | None, typer.Argument(help="Incident files, any form.")]
    = None,
    agreement: Annotated[list[Path] | None, typer.Option(
        "--agreement", "-a", help="Agreement files to store first (repeatable).")] = None,
    notices: NoticesOpt = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    gazetteer: GazetteerOpt = None,
    rejects: RejectsOpt = None,
) -> None:
    """Load agreements, notices and incident files into the store, through the same path as
    the API; each record is judged as it is stored.

    Example: jig import --agreement examples/syria-2016-jig/agreement.yaml \\
             -n examples/syria-2016-jig/notices.csv examples/syria-2016-jig/incidents.csv
    """
    from jig.agreement import agreement_document
    from jig.service.settings import Settings
    from jig.store import Store
    from jig.store.importer import import_files

    settings = Settings(data_dir=data, database_url=db)
    store = Store.open(settings.url, settings.sqlite_synchronous, settings.timezone)
    sink = _Rejects(rejects)
    try:
        for path in agreement or []:
            a = _load(path)
            version, created = store.add_agreement(
                a, agreement_document(path.read_text(encoding="utf-8"), path.parent))
            err.print(f"agreement {a.id} version {version.version} "
                      + ("stored" if created else "unchanged"))
            if created:
                added = store.rejudge(version)
                err.print(f"  {added} verdicts added for stored incidents")
        current = store.current_versions()
        if (notices or incidents) and not current:
            err.print("[bold red]error[/] the store holds no agreement: give --agreement")
            raise typer.Exit(2)
        if notices:
            notes = _notices(store.load(current[0]), notices, sink)
            done = store.add_notices(notes)
            err.print(f"notices: {sum(r.status != 'unchanged' for r in done)} stored, "
                      f"{sum(r.status == 'unchanged' for r in done)} unchanged")
        if incidents:
            with _errors(), _progress("importing") as tick:
                def progress(c: object, bad: list[Reject]) -> None:
                    for r in bad:
                        sink(r)
                    tick()
                gaz = Gazetteer.from_files(list(gazetteer)) if gazetteer else None
                c = import_files(store, incidents, gazetteer=gaz, on_batch=progress)
            err.print(f"read {c.read} incident rows: stored {c.stored}, unchanged {c.unchanged}, "
                      f"rejected {c.rejected}", soft_wrap=True)
        sink.close()
        err.print(f"store: {settings.url}")
    finally:
        store.close()


admin = typer.Typer(no_args_is_help=True, help="Administer the joint cell: parties' users, "
                    "tokens.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: show it, verify it.")
app.add_typer(admin, name="admin")
app.add_typer(audit_app, name="audit")


def _store(data: Path, db: str | None) -> object:
    from jig.service.settings import Settings
    from jig.store import Store

    settings = Settings(data_dir=data, database_url=db)
    return Store.open(settings.url, settings.sqlite_synchronous, settings.timezone)


@admin.command("add-user")
def admin_add_user(
    name: Annotated[str, typer.Argument(help="User name, e.g. us-lead.")],
    role: Annotated[str, typer.Option(help="analyst, lead, reviewer or observer.")],
    party: Annotated[str | None, typer.Option(help="The party (analysts and leads).")] = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
) -> None:
    """Create a user. Once a store has users, the service asks every request for a token.

    Example: jig admin add-user us-lead --role lead --party US
    """
    from jig.store.people import add_user

    store = _store(data, db)
    try:
        if party is not None:
            current = store.current_versions()  # type: ignore[attr-defined]
            parties = {p for v in current for p in store.load(v).parties}  # type: ignore[attr-defined]
            if parties and party not in parties:
                err.print(f"[bold red]error[/] party {party!r} is not a party of the stored "
                          f"agreements ({', '.join(sorted(parties))})")
                raise typer.Exit(2)
        add_user(store, name, role, party)  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]
    err.print(f"user {name} ({role}{', ' + party if party else ''}) created")


@admin.command("token")
def admin_token(
    name: Annotated[str, typer.Argument(help="The user.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke the user's tokens instead.")]
    = False,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
) -> None:
    """Issue a token for a user (printed once on stdout; only its hash is kept), or revoke
    all the user's tokens."""
    from jig.store.people import issue_token, revoke_tokens

    store = _store(data, db)
    try:
        if revoke:
            n = revoke_tokens(store, name)  # type: ignore[arg-type]
            err.print(f"{n} token(s) of {name} revoked")
        else:
            print(issue_token(store, name))  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]


@admin.command("users")
def admin_users(data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """List the users, their roles and parties."""
    from jig.store.people import list_users

    store = _store(data, db)
    try:
        for u in list_users(store):  # type: ignore[arg-type]
            print(f"{u.name}\t{u.role}\t{u.party or '-'}")
    finally:
        store.close()  # type: ignore[attr-defined]


@audit_app.command("log")
def audit_log_cmd(
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    last: Annotated[int, typer.Option(help="Show the last N entries.")] = 50,
) -> None:
    """Show the newest entries of the audit trail."""
    from sqlalchemy import select

    from jig.store.tables import AuditEntry

    store = _store(data, db)
    try:
        with store.sessions() as s:  # type: ignore[attr-defined]
            rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())
                                  .limit(last)))
        for e in reversed(rows):
            print(f"{e.seq}\t{e.at}\t{e.actor}\t{e.action}\t{e.subject}\t{e.hash[:16]}")
    finally:
        store.close()  # type: ignore[attr-defined]


@audit_app.command("verify")
def audit_verify_cmd(data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """Recompute the audit chain; name the first entry altered, removed or reordered.

    Exit status 0 when the chain holds, 1 when it does not.
    """
    from jig.store.audit import verify

    store = _store(data, db)
    try:
        with store.sessions() as s:  # type: ignore[attr-defined]
            result = verify(s)
    finally:
        store.close()  # type: ignore[attr-defined]
    if result.ok:
        err.print(f"[green]the audit chain holds[/]: {result.entries} entries, head "
                  f"{result.head}")
        return
    err.print(f"[bold red]the audit chain is broken[/] at entry {result.seq}: "
              f"{escape(result.problem or '')}", soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Print the JSON Schema of the agreement file (format 1)."""
    with _output(output) as fh:
        fh.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    app()
