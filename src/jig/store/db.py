"""Engines and migrations: SQLite by default (one file, WAL, nothing to install), PostgreSQL by
URL. The schema is created and upgraded by Alembic, never by `create_all`, so that a store made
by one version of jig is upgraded in place by the next."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration (`tests/test_migrations.py` checks that it is Alembic's head). A store
# already at it needs nothing, and Alembic is loaded only to upgrade: importing it and reading
# its scripts was a tenth of every store command's start.
HEAD = "0010"


def make_engine(url: str, sqlite_synchronous: str = "FULL", pool_size: int = 20) -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and the given sync level.
    Both get a pool of `pool_size` connections kept open and no overflow: the service runs as
    many request threads as that, each holding at most one connection (see `Store`), so a
    request never waits for a connection another request holds while waiting itself, and no
    connection is opened (for SQLite, its pragmas run again) per request under load.

    synchronous=FULL makes every acknowledged commit reach the disk before the answer goes out,
    so an acknowledged record survives the process being killed and the machine losing power.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        pool: dict[str, int] = {}
        if path and path != ":memory:":  # a memory store keeps SQLAlchemy's one per thread
            private_file(Path(path))
            pool = {"pool_size": pool_size, "max_overflow": 0}
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **pool)

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
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=0)


def private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by this user only, before anything is written
    to it: the store holds every party's records. SQLite gives its -wal and -shm files the
    database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Only when it is missing: closing a descriptor of a database file drops every POSIX lock
    # this process holds on it, so a store opened while another engine of the same process
    # had the file open left that engine reading an old snapshot (it went on accepting a
    # token revoked by `jig admin` in another process).
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest version, under a lock: servers started together
    on one fresh database take turns (the first migrates, the others find it done) instead of
    creating the same tables at once."""
    with migration_lock(engine) as connection:
        at = version(connection or engine)
        if connection is not None:
            connection.rollback()  # the read's transaction: Alembic begins its own
        if at == HEAD:
            return
        from alembic import command

        cfg = alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    # A migration may switch SQLite's foreign keys off on its connection: drop the pooled
    # connections so that every later one starts with the pragmas of `make_engine`.
    engine.dispose()


def version(bind: Engine | Connection) -> str | None:
    """The migration the store's schema is at (None: a new store)."""
    if isinstance(bind, Engine):
        with bind.connect() as c:
            return version(c)
    if not inspect(bind).has_table("alembic_version"):
        return None
    return bind.execute(text("SELECT version_num FROM alembic_version")).scalar()


MIGRATION_LOCK = 727_101  # PostgreSQL advisory lock key (the log's writers hold 727100)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection | None]:
    """Held while migrating: a PostgreSQL advisory lock on the connection the migration then
    runs on, or an exclusive lock on a file beside the SQLite database. Yields that connection
    (None for SQLite, whose migration opens its own)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            c.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            c.commit()
            try:
                yield c
            finally:
                c.rollback()
                c.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                c.commit()
        return
    path = engine.url.database
    if not path or path == ":memory:":
        yield None
        return
    lock = Path(path + ".migrate-lock")
    private_file(lock)
    with open(lock, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        yield None


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_backup_target(source: Path, dest: Path) -> None:
    """Why `dest` must not take a backup of the store `source` (ValueError), if it must not."""
    store = source.resolve()
    target = dest.resolve()
    if target in {store, store.with_name(store.name + "-wal"),
                  store.with_name(store.name + "-shm")} or (
            dest.exists() and source.exists() and os.path.samefile(dest, source)):
        raise ValueError(f"{dest} is the store itself: give the copy a path of its own")
    if dest.is_dir():
        raise ValueError(f"{dest} is a folder: give the copy a file name (e.g. {dest}/jig.db)")
    if not dest.parent.is_dir():
        raise ValueError(f"no folder {dest.parent}: make it first, or give another path")
    if dest.exists():
        with dest.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                raise ValueError(f"{dest} exists and is not a SQLite database: a backup "
                                 "replaces only an earlier backup")


def backup_sqlite(source: Path, dest: Path) -> None:
    """SQLite's online backup of `source` into `dest`, written whole or not at all (into a
    file beside it, renamed at the end) and readable by this user only. Writers may go on
    meanwhile: the copy is the database as of one moment. Refused (ValueError) where it would
    destroy something: onto the store itself or its -wal and -shm files (the server would go
    on writing to the replaced file, and every write after the copy would be lost), onto a file
    that is not a SQLite database (the log's signing key beside it), into a folder that does
    not exist (a mistyped path)."""
    check_backup_target(source, dest)
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    private_file(tmp)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            out.close()
    finally:
        src.close()
    os.replace(tmp, dest)
