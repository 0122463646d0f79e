"""Shared fixtures: the shipped example, and small hand-made agreements written to tmp_path."""

from __future__ import annotations

import contextlib
import json
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from jig import load_agreement
from jig.agreement.model import Agreement
from jig.readers.fields import to_incident, to_notice
from jig.records import Incident, Notice

# Property tests must pass on a busy machine: no per-example time limit (hypothesis's default of
# 200 ms failed under load), the examples' number alone bounds them.
settings.register_profile("jig", deadline=None)
settings.load_profile("jig")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "syria-2016-jig"
# ../shared/data beside the repository, or beside a folder holding it (a git worktree).
SHARED_DATA = next((p / "shared" / "data" for p in ROOT.parents
                    if (p / "shared" / "data").is_dir()), ROOT.parent / "shared" / "data")

# A small square world near Idlib: zone Z-1 is the box 36.0–36.2 E, 35.0–35.2 N.
BASE = """\
jig: 1
id: test-agreement
in_force: {from: 2016-07-15, until: 2016-10-03}
timezone: Asia/Damascus
parties:
  A: {name: Party A, answers_for: [AF]}
  B: {name: Party B, answers_for: [BF, BPROXY]}
actors:
  AF: {name: A forces, match: ["A forces*"]}
  BF: {name: B forces, match: ["B forces*"]}
  BPROXY: {name: B proxy, match: ["Proxy*"]}
  X: {name: Armed group X, match: ["Group X*"]}
"""


def box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def write_agreement(tmp_path: Path):
    """Write an agreement (BASE + extra YAML) and GeoJSON files; return its path."""

    def write(extra: str, base: str = BASE, **geojson: dict[str, Any]) -> Path:
        for name, coll in geojson.items():
            (tmp_path / f"{name}.geojson").write_text(json.dumps(coll))
        path = tmp_path / "agreement.yaml"
        path.write_text(base + textwrap.dedent(extra))
        return path

    return write


@pytest.fixture
def make_agreement(write_agreement):
    def make(extra: str, **geojson: dict[str, Any]) -> Agreement:
        return load_agreement(write_agreement(extra, **geojson))

    return make


def incident(agreement: Agreement, id: str = "I-1", time: str = "2016-08-01T12:00",
             lon: float = 36.1, lat: float = 35.1, **fields: Any) -> Incident:
    """An incident built through the same field parsing the readers use."""
    return to_incident({"id": id, "time": time, "lon": lon, "lat": lat, **fields}, agreement.tz)


def notice(agreement: Agreement, **fields: Any) -> Notice:
    return to_notice(fields, agreement.tz, parties=set(agreement.parties),
                     exceptions=set(agreement.exceptions))


@pytest.fixture
def example() -> Agreement:
    return load_agreement(EXAMPLE / "agreement.yaml")


# -- stores and servers ---------------------------------------------------------------------

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty database on each backend: a SQLite file, or a new PostgreSQL database
    on the server `scripts/test` started (JIG_TEST_PG_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jig.db'}"
        return
    yield from _postgres_database()


@pytest.fixture
def example_store(db_url, tmp_path) -> Iterator[tuple[Any, Agreement]]:
    """A store on each backend holding the 2016 example's agreement, with the US party's key
    for sealing its workspace at rest; closed after the test."""
    from jig.agreement import agreement_document
    from jig.store import Store
    from jig.store.sealing import read_keys, write_key

    keys = tmp_path / "keys"
    write_key(keys, "US")
    store = Store.open(db_url, key_folder=tmp_path, at_rest=read_keys(keys))
    path = EXAMPLE / "agreement.yaml"
    agreement = load_agreement(path)
    try:
        store.add_agreement(agreement, agreement_document(path.read_text(), path.parent))
        yield store, agreement
    finally:
        store.close()


def _postgres_database():
    import os
    import uuid

    import sqlalchemy as sa

    admin_url = os.environ.get("JIG_TEST_PG_URL")
    if not admin_url:
        pytest.fail("JIG_TEST_PG_URL is not set: run the tests with scripts/test, which starts "
                    "a PostgreSQL server")
    name = f"jig_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# How long a test's HTTP call may wait for an answer. httpx's default is 5 s, which a loaded
# machine exceeds; this bound only stops a test that would hang.
HTTP_TIMEOUT = 300.0


def until_serving(proc: Any, port: int, path: str = "/ready") -> None:
    """Until the `jig serve` process `proc` answers `path` with 200, however long a loaded
    machine takes, unless it dies. The bound only stops a test that would hang (a supervisor
    restarting its workers forever never dies), far beyond what a loaded machine needs."""
    import httpx

    deadline = time.monotonic() + 900
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling interval, not a wait standing in for an event
    if proc.poll() is None:
        proc.kill()
        raise AssertionError("the server was not ready in 900 s")
    err = proc.stderr.read() if proc.stderr else b""
    raise AssertionError(f"server died: {err if isinstance(err, str) else err.decode()}"[-3000:])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real uvicorn server on loopback, in a thread of the test process."""

    def __init__(self, settings):
        import socket
        import threading

        import uvicorn

        from jig.service import create_app

        # The socket is bound here and handed to uvicorn, so no other test (or test worker)
        # can take the port between choosing it and listening on it.
        # Named as TCP (as uvicorn's own sockets are): asyncio sets TCP_NODELAY only on
        # connections of a socket whose protocol says TCP. Without it each answer (headers,
        # then body) waited for the client's delayed ACK: 44 ms a request instead of 2.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        # Until it has started or died, however long a loaded machine takes; the bound only
        # stops a test that would hang.
        deadline = time.monotonic() + 900
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


@pytest.fixture
def server(db_url, tmp_path):
    """jig's service on a fresh store of each backend, with the example agreement loaded."""
    from jig.service import Settings

    # Open to agreements over HTTP (`jig serve --open`): the tests amend the agreement.
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"], bulk_batch=7,
                        open_agreements=True)
    with Server(settings) as srv:
        yield srv


@pytest.fixture
def client(server):
    import httpx

    with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT) as c:
        yield c


def seed_users(db_url: str, users: dict[str, tuple[str, str | None]], keys: Path
               ) -> dict[str, str]:
    """Create users (name -> (role, party)) in the store at db_url, whose log is signed with
    the keys in folder `keys` (the server's data folder); return their tokens."""
    from jig.store import Store
    from jig.store.people import add_user, issue_token

    store = Store.open(db_url, key_folder=keys)
    try:
        tokens = {}
        for name, (role, party) in users.items():
            add_user(store, name, role, party)
            tokens[name] = issue_token(store, name)
        return tokens
    finally:
        store.close()


@contextlib.contextmanager
def served_cell(db_url: str, tmp_path: Path, users: dict[str, tuple[str, str | None]],
                **more: Any) -> Iterator[tuple[Server, dict[str, Any], Any]]:
    """The example served from the store at db_url with `users` (name -> (role, party)): the
    server, a signed-in HTTP client per user (closed afterwards) and the settings (`more`:
    further settings)."""
    import httpx

    from jig.service import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"], **more)
    with Server(settings) as srv, contextlib.ExitStack() as stack:
        tokens = seed_users(db_url, users, settings.data_dir)
        clients = {name: stack.enter_context(httpx.Client(
            base_url=srv.url, timeout=HTTP_TIMEOUT, headers={"authorization": f"Bearer {t}"}))
            for name, t in tokens.items()}
        yield srv, clients, settings


def wait_for_job(client: Any, job: int) -> dict:
    """A job's last state, once it has ended. Waits on the job's own end; the bound only stops a
    test that would hang, and is far beyond what a loaded machine needs."""
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        body = client.get(f"/jobs/{job}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish")
