"""Upgrading a store made before ids were scoped (migration 0004), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from jig.readers.fields import to_incident
from jig.store import Store
from jig.store.db import alembic_config, make_engine
from jig.store.rebuild import verify
from jig.store.records import content_hash, incident_record
from jig.times import zone_info

RECORD = {"id": "US-7", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
          "actor": "Military Forces of Russia (2015-)", "act": "air_strike", "source": "S"}


def test_a_0003_store_upgrades_with_its_records_scoped(db_url, tmp_path):
    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0003")
    inc = to_incident(RECORD, zone_info("UTC"))
    record = incident_record(inc)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as con:
        row = con.execute(sa.text(
            "INSERT INTO incident_revisions (incident_id, revision, content_hash, record, lon, "
            "lat, precision_m, t_start, t_end, actor, received_at, origin, workspace) VALUES "
            "('US-7', 1, :h, :r, 36.99, 35.62, 0, :t0, :t1, :a, :w, 'api', 'US') RETURNING row"),
            {"h": content_hash(record), "r": json.dumps(record), "t0": inc.span.start,
             "t1": inc.span.end, "a": inc.actor, "w": when}).scalar()
        con.execute(sa.text("INSERT INTO incident_heads (incident_id, row) VALUES ('US-7', :r)"),
                    {"r": row})
        notice = {"id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
                  "exception": "imminent-threat", "incident": "A-09"}
        n = con.execute(sa.text(
            "INSERT INTO notice_revisions (notice_id, revision, content_hash, record, "
            "received_at) VALUES ('N-1', 1, :h, :r, :w) RETURNING row"),
            {"h": content_hash(notice), "r": json.dumps(notice), "w": when}).scalar()
        con.execute(sa.text("INSERT INTO notice_heads (notice_id, row) VALUES ('N-1', :r)"),
                    {"r": n})
    engine.dispose()
    store = Store.open(db_url, key_folder=tmp_path)
    try:
        with store.engine.connect() as con:
            assert con.execute(sa.text("SELECT workspace, incident_id FROM incident_heads")
                               ).all() == [("US", "US-7")]
            assert con.execute(sa.text("SELECT party, notice_id FROM notice_heads")
                               ).all() == [("RU", "N-1")]
            stored = con.execute(sa.text("SELECT content_hash FROM incident_revisions")).scalar()
        # The party's hash is now a commitment under its secret, and intake still knows the
        # record: the same record sent again is unchanged; under another workspace it is new.
        assert stored != content_hash(record)
        assert [s.status for s in store.add_incidents([inc], workspace="US")] == ["unchanged"]
        assert [(s.status, s.revision) for s in store.add_incidents([inc], workspace="RU")] \
            == [("stored", 1)]
        # Every row, those from before the log included, is provable from it.
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


def test_head_is_alembics_newest_migration_and_a_store_at_it_does_not_load_alembic(tmp_path):
    from alembic.script import ScriptDirectory

    from jig.store.db import HEAD

    engine = make_engine(f"sqlite:///{tmp_path / 'jig.db'}")
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head == HEAD, f"a new migration: set jig.store.db.HEAD to {head!r}"
    Store.open(f"sqlite:///{tmp_path / 'jig.db'}", key_folder=tmp_path).close()
    # A later start on the same store, in a process of its own.
    code = ("import sys; from pathlib import Path; from jig.store import Store; "
            f"p = Path({str(tmp_path)!r}); "
            "Store.open(f'sqlite:///{p / \"jig.db\"}', key_folder=p).close(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
