"""Engines and migrations: SQLite by default (one file, WAL, nothing to install), PostgreSQL by
URL. The schema is created and upgraded by Alembic, never by `create_all`, so that a store made
by one version of jig is upgraded in place by the next."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and the given sync level.

    synchronous=FULL makes every acknowledged commit reach the disk before the answer goes out,
    so an acknowledged record survives the process being killed and the machine losing power.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by this user only, before anything is written
    to it: the store holds every party's records. SQLite gives its -wal and -shm files the
    database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest version."""
    command.upgrade(alembic_config(engine), "head")
    # A migration may switch SQLite's foreign keys off on its connection: drop the pooled
    # connections so that every later one starts with the pragmas of `make_engine`.
    engine.dispose()
