"""The app factory: `create_app(settings)`. Nothing is configured at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui
from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from jig import __version__, collector
from jig.agreement import Agreement
from jig.service import errors, operations
from jig.service.context import Context
from jig.service.headers import SecurityHeaders
from jig.service.jobs import Worker
from jig.service.limits import BodyLimit, text_only
from jig.service.operations import Observed
from jig.service.routes import (
    agreements,
    air,
    audit,
    cell,
    commitments,
    drafts,
    exports,
    incidents,
    jobs,
    notices,
    overview,
    reports,
    ui,
)
from jig.service.schemas import AgreementUpload
from jig.service.settings import Settings
from jig.store import Store
from jig.store.audit import Log
from jig.store.people import operator
from jig.store.sealing import read_keys
from jig.store.secrets import SERVICE, workspace_secret

log = logging.getLogger("jig.service")


def _upload_of(path: Path) -> AgreementUpload:
    """An agreement file and the GeoJSON files it names, as an upload."""
    import json

    from jig.agreement.yamlsource import load_with_lines

    text = path.read_text(encoding="utf-8")
    data, _ = load_with_lines(text)
    files = {}
    for key in ("zones", "sites", "targets", "area"):
        ref = data.get(key) if isinstance(data, dict) else None
        if isinstance(ref, str) and (path.parent / ref).exists():
            files[ref] = json.loads((path.parent / ref).read_text(encoding="utf-8"))
    return AgreementUpload(yaml=text, files=files)


def _warn_of_stray_keys(store: Store, keys: dict[str, bytes]) -> None:
    """A key named for no party of the stored agreements seals nothing: most likely a slip
    in the party's name (`jig admin key Us`), which would otherwise leave the party's withheld
    fields stored in the clear without a word."""
    parties = {p for v in store.current_versions() for p in store.load(v).parties}
    stray = sorted(set(keys) - parties)
    if stray and parties:
        log.warning("at-rest keys for %s seal nothing: no stored agreement has such a party "
                    "(its parties: %s)", ", ".join(stray), ", ".join(sorted(parties)))


def _refuse_without_party_keys(store: Store) -> None:
    """A party that signed determinations must still have its key: started without it (a
    restore that kept `log-key.pem` but not `party-keys/`), the server made a new one, and
    every determination published before failed its check, as a forgery would."""
    from sqlalchemy import select

    from jig.store.tables import Determination

    with store.sessions() as s:
        signed = set(s.scalars(select(Determination.party).distinct()))
    missing = store.keys.missing_for(signed)
    if missing:
        raise RuntimeError(f"the parties' signing keys {', '.join(map(str, missing))} are "
                           "missing, and determinations signed with them are stored: restore "
                           "the data folder's party-keys/ with the database (a new key would "
                           "make every signed determination fail its check)")


def _refuse_keys_that_do_not_open(store: Store, keys: dict[str, bytes]) -> None:
    """A party's at-rest key must open what its workspace sealed: a wrong one (regenerated,
    or two stores' folders swapped) started a server whose party saw its own records without
    their sealed fields and whose every intake of that party was a 500."""
    from sqlalchemy import select

    from jig.store.sealing import SEALED, UNOPENED
    from jig.store.tables import IncidentRevision

    with store.sessions() as s:
        for workspace in sorted(keys):
            row = s.scalar(select(IncidentRevision).where(
                IncidentRevision.workspace == workspace,
                IncidentRevision.record[SEALED].as_string().is_not(None)).limit(1))
            if row is not None and row.__dict__.get(UNOPENED):
                raise ValueError(f"the at-rest key {workspace}.key does not open {workspace}'s "
                                 "sealed records: it is not the key they were sealed with "
                                 "(give the folder that holds it, --keys)")


def preflight(settings: Settings) -> None:
    """What `jig serve` refuses before it listens, each a ValueError or RuntimeError of one
    line: a --keys folder that is not there, a party's missing signing key, a log key others
    may read, a log that does not extend the head this server kept (after a restore). Found
    when the app started, or at its first write, they were a traceback of 150 lines, or a
    server that said it was ready and answered every write with a bare 500."""
    at_rest = read_keys(settings.keys_dir) if settings.keys_dir is not None else None
    store = Store.open(settings.url, settings.sqlite_synchronous, settings.timezone,
                       settings.data_dir, settings.log_key, at_rest, pool_size=2)
    try:
        _refuse_without_party_keys(store)
        _refuse_keys_that_do_not_open(store, at_rest or {})
        store.keys.server()  # KeyFileError: a key file others may read is refused
        with store.sessions() as s:
            tree = store.log.current(s)
            Log(store.log, store.keys).check_kept(tree)
    finally:
        store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        at_rest = read_keys(settings.keys_dir) if settings.keys_dir else None
        # Request threads and connections in step: each thread holds at most one connection.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        store = Store.open(settings.url, settings.sqlite_synchronous, settings.timezone,
                           settings.data_dir, settings.log_key, at_rest,
                           pool_size=settings.threads + 2)
        _refuse_without_party_keys(store)
        # Made here so that reads never have to write it (once, however many start together).
        store.transaction(lambda s: workspace_secret(s, SERVICE))
        worker = Worker(store, settings.bulk_batch, settings.gazetteer,
                        settings.max_rejects_kept) \
            if settings.run_jobs else None
        ctx = Context(settings, store, worker)
        app.state.jig = ctx
        for path in settings.agreements:  # the operator's act, named as such in the audit
            agreements.store_agreement(ctx, _upload_of(path), operator())
        _warn_of_stray_keys(store, at_rest or {})
        if worker is not None:
            worker.start()
        if settings.own_process:  # the collector is the process's: see `jig.collector`
            collector.tune()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            store.close()

    app = FastAPI(title="jig", version=__version__, lifespan=lifespan, docs_url=None,
                  dependencies=[Depends(text_only)],
                  redoc_url=None,
                  description="Check incidents against ceasefire and de-escalation agreements: "
                  "a durable store, intake, judging and queries. Every error has the shape of "
                  "`ErrorResponse`.")
    errors.install(app)
    for module in (agreements, overview, exports, incidents, notices, drafts, jobs, air, cell,
                   audit, commitments, reports, ui, operations):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=ui.STATIC), name="ui-static")
    # Swagger UI's files from the installed package (swagger-ui-py), not from a CDN.
    app.mount("/docs/assets", StaticFiles(directory=Path(swagger_ui.__file__).parent / "static"),
              name="docs-assets")
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)  # on a 413 too
    app.add_middleware(Observed)  # outermost: every answer counted and timed

    return app


SETTINGS_ENV = "JIG_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    """The app of one worker process of `jig serve --workers N`, from the settings the parent
    put in the environment (JSON)."""
    import os

    return create_app(Settings.model_validate_json(os.environ[SETTINGS_ENV]))


__all__ = ["Agreement", "create_app"]
