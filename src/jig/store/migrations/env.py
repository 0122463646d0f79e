"""Alembic environment: the engine comes from jig (`jig.store.db.migrate`), not from a file."""

from __future__ import annotations

from contextlib import nullcontext

from alembic import context

from jig.store.tables import Base


def _connection():  # type: ignore[no-untyped-def]
    """The connection `migrate` holds its lock on (PostgreSQL), or a new one."""
    held = context.config.attributes.get("connection")
    return nullcontext(held) if held is not None else \
        context.config.attributes["engine"].connect()


with _connection() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Migrations rebuild tables that others refer to (copy, drop, rename back), which
        # SQLite allows with foreign keys off, and only set outside a transaction; the
        # references are checked before the commit instead. `migrate` drops this connection.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    with connection.begin():
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=sqlite)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows whose references do not hold: "
                                   f"{broken[:5]}")
