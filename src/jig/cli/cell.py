"""Commands on a store: serve, import, and the joint cell's admin and audit."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from jig import collector
from jig.cli.common import (
    GazetteerOpt,
    NoticesOpt,
    RejectSink,
    RejectsOpt,
    app,
    err,
    exit_on_errors,
    load_or_exit,
    notices_or_exit,
    open_store,
    plural,
    progress_of,
    refuse_overwriting,
    warn_misspelt_fields,
)
from jig.findings import OUTCOMES
from jig.output import STYLE
from jig.readers import Gazetteer, Reject
from jig.service.settings import LIMITS, Settings

DataOpt = Annotated[Path, typer.Option("--data", help="Folder of the store (SQLite file, "
                                        "spooled uploads).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL instead of the SQLite "
                                           "file, e.g. postgresql://user@host/jig.")]
KeysOpt = Annotated[Path | None, typer.Option("--keys", help="Folder of the parties' at-rest "
                                              "keys (as given to `jig serve --keys`), to open "
                                              "what their workspaces sealed.")]


def listen(host: str, port: int) -> socket.socket:
    """The server's listening socket, marked TCP: asyncio sets TCP_NODELAY only on the
    connections of a socket that says so, and `socket.create_server` leaves proto 0. Without
    it every answer waited some 40 ms for the client's delayed ACK (Nagle), /health
    included: one client's intake ran at 17 records a second instead of 54."""
    bound = socket.create_server((host, port))
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())



@app.command()
def serve(
    agreement: Annotated[list[Path] | None, typer.Option(
        "--agreement", "-a", help="Agreement files to load at start (repeatable).")] = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    gazetteer: GazetteerOpt = None,
    keys: Annotated[Path | None, typer.Option(help="Folder of parties' at-rest keys "
                                              "(`jig admin key`): withheld fields are stored "
                                              "encrypted.")] = None,
    open_agreements: Annotated[bool, typer.Option(
        "--open", envvar="JIG_OPEN", help="In a store without users, take agreements over HTTP "
        "from anyone who reaches the server.")] = False,
    limit: Annotated[list[str] | None, typer.Option(
        "--limit", envvar="JIG_LIMITS", help=f"NAME=N, repeatable: {', '.join(LIMITS)} "
        "(docs/service.md, Limits); or JIG_LIMITS, space-separated.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL "
                                         "only: SQLite has one writer).")] = 1,
    threads: Annotated[int, typer.Option(min=1, max=200, help="Requests each process serves "
                                         "at once (and its database connections).")] = 16,
    bulk_batch: Annotated[int, typer.Option(min=1, help="Records per transaction in bulk "
                                            "jobs: smaller ones keep single-record intake "
                                            "from waiting behind a big file.")] = 1000,
    access_log: Annotated[bool, typer.Option(help="One line a request on stderr: client, "
                                             "method, path, status, time.")] = True,
) -> None:
    """Run the HTTP service: intake, judging, queries; OpenAPI at /docs; /health, /ready and
    /metrics for operators.

    Example:

    \b
        jig serve --agreement examples/syria-2016-jig/agreement.yaml
        jig serve --db postgresql://jig@db/jig --workers 4 --host 0.0.0.0
    """
    import logging
    import os

    import uvicorn
    from pydantic import ValidationError

    from jig.service import create_app
    from jig.service.app import SETTINGS_ENV, preflight

    limits: dict[str, str] = {}
    for item in limit or []:
        name, _, value = item.partition("=")
        if name.strip() not in LIMITS or not value.strip():
            err.print(f"[bold red]error[/] --limit {escape(item)}: give NAME=N, NAME one of "
                      f"{', '.join(LIMITS)}")
            raise typer.Exit(2)
        limits[name.strip()] = value.strip()
    try:
        settings = Settings(data_dir=data, database_url=db, agreements=agreement or [],
                            gazetteer=gazetteer or [], keys_dir=keys,
                            open_agreements=open_agreements, threads=threads,
                            bulk_batch=bulk_batch, own_process=True,
                            **limits)  # type: ignore[arg-type]
    except ValidationError as exc:
        for e in exc.errors():
            name = ".".join(map(str, e["loc"]))
            given = f"={limits[name]}" if name in limits else ""
            err.print(f"[bold red]error[/] --limit {escape(name + given)} (or JIG_LIMITS): "
                      f"{escape(e['msg'])}")
        raise typer.Exit(2) from None
    if workers > 1 and settings.url.startswith("sqlite"):
        err.print("[red]--workers needs PostgreSQL (--db postgresql://...): SQLite has one "
                  "writer, so more processes only wait for each other[/]")
        raise typer.Exit(2)
    if access_log:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
        logging.getLogger("jig.access").setLevel(logging.INFO)
    store_file = data / "jig.db"  # as open_store tells a store from a slip in --data
    fresh = settings.database_url is None and not store_file.exists()
    try:
        preflight(settings)
    except (ValueError, RuntimeError, OSError) as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    listening = None
    if workers == 1:
        # Bound here, so that the banner names the port really taken (--port 0 printed
        # ":0"), and only once it is taken (a port in use printed "serving on", then failed).
        try:
            listening = listen(host, port)
        except OSError as exc:
            err.print(f"[bold red]error[/] cannot listen on {escape(host)}:{port}: "
                      f"{escape(exc.strerror or str(exc))}")
            raise typer.Exit(2) from None
        port = listening.getsockname()[1]
    err.print(f"jig serving on http://{host}:{port} (store: {settings.url}; "
              f"{workers} worker process{'es' if workers > 1 else ''}; API docs at /docs)")
    if fresh:
        # A slip in --data made a new store that answers without a token (an operator's
        # review): say so, loudly, once.
        err.print(f"[yellow]warning[/] no store was at {escape(str(store_file))}: a new, empty "
                  "one was made, and until it has users it answers anyone without a token "
                  "(add users with jig admin add-user; check --data if you meant another)")
    with exit_on_errors():
        if listening is not None:
            config = uvicorn.Config(create_app(settings), log_level="warning")
            uvicorn.Server(config).run(sockets=[listening])
            return
        # Worker processes build their app from the settings in the environment; their
        # metrics are summed through files in a folder of their own.
        metrics = (settings.data_dir / "metrics").resolve()
        metrics.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in metrics.glob("*.db"):
            old.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        # A worker starting on a loaded machine takes longer than uvicorn's default 5 s to
        # answer the supervisor's health check: it was killed and started again, forever.
        uvicorn.run("jig.service.app:app_from_environment", factory=True, workers=workers,
                    host=host, port=port, log_level="warning", timeout_worker_healthcheck=120)


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

    Example:

    \b
        jig import --agreement examples/syria-2016-jig/agreement.yaml \\
            -n examples/syria-2016-jig/notices.csv examples/syria-2016-jig/incidents.csv
    """
    from jig.agreement import agreement_document
    from jig.store import Store
    from jig.store.importer import ImportCounts, import_files
    from jig.store.people import operator

    collector.tune_command()  # storing makes objects by the million: see `jig.collector`

    refuse_overwriting([*(incidents or []), *(agreement or []), *(notices or []),
                        *(gazetteer or [])], ("--rejects", rejects))
    warn_misspelt_fields(incidents or [])
    settings = Settings(data_dir=data, database_url=db)
    store = Store.open(settings.url, settings.sqlite_synchronous, settings.timezone,
                       settings.data_dir, settings.log_key)
    sink = RejectSink(rejects)
    who = operator()  # the audit trail names the operating-system user
    try:
        for path in agreement or []:
            a = load_or_exit(path)
            version, created = store.add_agreement(
                a, agreement_document(path.read_text(encoding="utf-8"), path.parent), user=who)
            err.print(f"agreement {a.id} version {version.version} "
                      + ("stored" if created else "unchanged"))
            if created:
                added = sum(store.rejudge(version, user=who).values())
                if added:  # the incidents already stored, judged under the new version
                    err.print(f"  {plural(added, 'verdict')} added for the incidents already "
                              "stored")
        current = store.current_versions()
        if (notices or incidents) and not current:
            err.print("[bold red]error[/] the store holds no agreement: give --agreement")
            raise typer.Exit(2)
        if notices:
            notes = notices_or_exit(store.load(current[0]), notices, sink)
            done = store.add_notices(notes, user=who)
            err.print(f"notices: {sum(r.status != 'unchanged' for r in done)} stored, "
                      f"{sum(r.status == 'unchanged' for r in done)} unchanged")
        if incidents:
            with exit_on_errors(), progress_of("importing") as tick:
                def progress(c: ImportCounts, bad: list[Reject]) -> None:
                    for r in bad:
                        sink(r)
                    tick(c.read - tick.rows, c.bytes_read, c.bytes_total)
                gaz = Gazetteer.from_files(list(gazetteer)) if gazetteer else None
                c = import_files(store, incidents, gazetteer=gaz, on_batch=progress, user=who)
            verdicts = ", ".join(f"[{STYLE[o]}]{o}[/] {c.verdicts.get(o, 0)}" for o in OUTCOMES)
            err.print(f"read {plural(c.read, 'incident row')}: stored {c.stored}, unchanged "
                      f"{c.unchanged}, rejected {c.rejected}; {verdicts}")
        sink.close()
        err.print(f"store: {settings.url}")
    finally:
        store.close()


admin = typer.Typer(no_args_is_help=True, help="Administer the joint cell: parties' users, "
                    "tokens.")
app.add_typer(admin, name="admin")


@admin.command("add-user")
def admin_add_user(
    name: Annotated[str, typer.Argument(help="User name, e.g. us-lead.")],
    role: Annotated[str, typer.Option(help="analyst, lead, reviewer or observer.")],
    party: Annotated[str | None, typer.Option(help="The party (analysts and leads).")] = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
) -> None:
    """Create a user. Once a store has users, the service asks every request for a token.

    Example:

    \b
        jig admin add-user us-lead --role lead --party US
    """
    from jig.store.people import add_user, operator

    store = open_store(data, db, create=True)
    try:
        if party is not None:
            current = store.current_versions()  # type: ignore[attr-defined]
            parties = {p for v in current for p in store.load(v).parties}  # type: ignore[attr-defined]
            if parties and party not in parties:
                err.print(f"[bold red]error[/] party {party!r} is not a party of the stored "
                          f"agreements ({', '.join(sorted(parties))})")
                raise typer.Exit(2)
        add_user(store, name, role, party, by=operator())  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]
    err.print(f"user {name} ({role}{', ' + party if party else ''}) created")


@admin.command("token")
def admin_token(
    name: Annotated[str, typer.Argument(help="The user.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke all the user's tokens "
                                         "instead.")] = False,
    days: Annotated[float, typer.Option(help="How long the token is valid.")] = 90,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
) -> None:
    """Issue a token for a user (printed once on stdout; only its hash is kept), valid for
    --days (90 by default), or revoke all the user's tokens. `jig admin tokens NAME` lists
    them; `jig admin revoke-token N` revokes one."""
    from jig.store.people import issue_token, operator, revoke_tokens

    store = open_store(data, db)
    try:
        if revoke:
            n = revoke_tokens(store, name, by=operator())  # type: ignore[arg-type]
            err.print(f"{n} token(s) of {name} revoked")
        else:
            print(issue_token(store, name, by=operator(), days=days))  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]


@admin.command("tokens")
def admin_tokens(name: Annotated[str, typer.Argument(help="The user.")],
                 data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """List a user's tokens: number, issued, expires, state (active, expired or revoked),
    last sign-in."""
    from jig.store.people import list_tokens
    from jig.store.store import now

    store = open_store(data, db)
    try:
        for t in list_tokens(store, name):  # type: ignore[arg-type]
            print("\t".join(str(x) for x in (
                t.row, t.created_at.isoformat(timespec="seconds"),
                t.expires_at.isoformat(timespec="seconds") if t.expires_at else "never",
                "revoked " + t.revoked_at.isoformat(timespec="seconds") if t.revoked_at
                else "expired" if t.expires_at is not None and t.expires_at <= now()
                else "active",
                t.last_login_at.isoformat(timespec="seconds") if t.last_login_at else "-")))
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]


@admin.command("revoke-token")
def admin_revoke_token(token: Annotated[int, typer.Argument(help="The token's number (from "
                                                              "`jig admin tokens`).")],
                       data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """Revoke one token, leaving the user's others valid."""
    from jig.store.people import operator, revoke_token

    store = open_store(data, db)
    try:
        revoke_token(store, token, by=operator())  # type: ignore[arg-type]
        err.print(f"token {token} revoked")
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        store.close()  # type: ignore[attr-defined]


@admin.command("backup")
def admin_backup(
    dest: Annotated[Path, typer.Argument(help="The copy to write (a SQLite file).")],
    data: DataOpt = Path("jig-data"),
) -> None:
    """Copy the SQLite store into DEST while the server runs: SQLite's online backup, a
    consistent copy of the database as one transaction saw it. Restore by stopping the server
    and putting the copy in place of jig.db (keep log-key.pem with it: it signs the log);
    check it with `jig audit verify`. A PostgreSQL store is backed up with pg_dump
    (docs/service.md)."""
    from jig.store.db import backup_sqlite

    source = data / "jig.db"
    if not source.exists():
        err.print(f"[bold red]error[/] no store at {source}")
        raise typer.Exit(2)
    try:
        backup_sqlite(source, dest)
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(exc))}; nothing was written")
        raise typer.Exit(2) from None
    err.print(f"{source} copied to {dest}")


@admin.command("key")
def admin_key(
    party: Annotated[str, typer.Argument(help="The party (its workspace).")],
    keys: Annotated[Path, typer.Option(help="The keys folder given to `jig serve --keys`.")],
) -> None:
    """Make a party's at-rest key: its withheld fields are then stored encrypted (AES-GCM).
    Keep the folder apart from the database and its backups: a copy of the database without
    it does not hand over the party's sources and notes; losing it loses them."""
    from jig.store.sealing import write_key

    try:
        path = write_key(keys, party)
    except FileExistsError:
        err.print(f"[bold red]error[/] {party} has a key in {keys} already")
        raise typer.Exit(2) from None
    err.print(f"key for {party} written to {path} (readable by you only)")


@admin.command("users")
def admin_users(data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """List the users, their roles and parties."""
    from jig.store.people import list_users

    store = open_store(data, db)
    try:
        for u in list_users(store):  # type: ignore[arg-type]
            print(f"{u.name}\t{u.role}\t{u.party or '-'}")
    finally:
        store.close()  # type: ignore[attr-defined]
