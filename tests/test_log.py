"""The log that binds all state, on SQLite and PostgreSQL: a joint cell run through every kind
of write over HTTP, then every direct database edit (of each state table and of the log)
caught by `jig audit verify`, the proofs an observer checks with the documented commands,
and the proofs given only for what a caller may see, leaking nothing withheld."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.conftest import EXAMPLE, Server, seed_users
from tests.test_two_party_amendments import upload
from typer.testing import CliRunner

from jig import load_agreement
from jig.cli import app
from jig.service import Settings
from jig.store import Store
from jig.store import audit as log
from jig.store.people import add_user, issue_token, revoke_tokens
from jig.store.rebuild import verify
from jig.store.tables import Base

USERS = {"us-analyst": ("analyst", "US"), "us-lead": ("lead", "US"),
         "ru-analyst": ("analyst", "RU"), "ru-lead": ("lead", "RU"),
         "reviewer": ("reviewer", None), "observer": ("observer", None)}
SECRET = "KESTREL-7 (US source)"
STRIKE = {"id": "US-7", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
          "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
          "act": "air_strike", "source": SECRET, "notes": "seen by a US asset"}
HELD = {"id": "US-9", "time": "2016-08-12T09:00", "lon": 36.5, "lat": 35.9,
        "actor": "Military Forces of Syria (2000-)", "act": "shelling",
        "source": "KESTREL-9 (never released)"}
ADVANCE = {"id": "RU-3", "time": "2016-08-10T06:00", "lon": 36.97, "lat": 35.58,
           "actor": "Jabhat Fateh al-Sham", "target": "Military Forces of Syria (2000-)",
           "act": "ground_attack", "source": "RU field report"}


def ok(r: httpx.Response) -> dict:
    assert r.status_code < 300, r.text
    return r.json()


@pytest.fixture
def cell(db_url, tmp_path):
    """A served store in which every kind of write has happened once at least."""
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        tokens = seed_users(db_url, USERS, settings.data_dir)
        c = {name: httpx.Client(base_url=srv.url, timeout=60,
                                headers={"authorization": f"Bearer {t}"})
             for name, t in tokens.items()}
        try:
            ok(c["us-analyst"].post("/incidents", json=[STRIKE, HELD]))
            ok(c["us-analyst"].post("/incidents", json=STRIKE | {"notes": "corrected"}))
            ok(c["us-analyst"].post("/drafts", json={  # prose waiting for a person (drafts)
                "text": "Near Abu Kamal, one strike destroyed six oil tanker trucks.",
                "date": "2016-08-11"}))
            ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}))
            rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "?"}))["id"]
            ok(c["ru-analyst"].post("/incidents", json=ADVANCE))
            ok(c["ru-lead"].post("/incidents/RU-3/release", json={"withhold": ["source"]}))
            ok(c["us-analyst"].post("/notices", json={
                "id": "N-1", "party": "US", "time": "2016-08-11T08:00",
                "exception": "imminent-threat", "incident": "US-7"}))
            with (EXAMPLE / "air-notices.csv").open(newline="") as fh:
                air = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(fh)]
            for party in ("US", "RU"):  # each air desk files its own; their flights conflict
                ok(c[f"{party.lower()}-analyst"].post(
                    "/air/notices", json=[n for n in air if n["party"] == party]))
            ok(c["ru-lead"].post(f"/reviews/{rid}/answer", json={
                "answer": "Nusra advanced", "evidence": [{"kind": "incident", "id": "RU-3"}]}))
            ok(c["us-lead"].post(f"/reviews/{rid}/determinations",
                                 json={"outcome": "excepted", "text": "Confirmed."}))
            ok(c["ru-lead"].post(f"/reviews/{rid}/determinations",
                                 json={"outcome": "excepted", "text": "Imminent advance."}))
            ok(c["reviewer"].post(f"/reviews/{rid}/publish"))
            ok(c["observer"].get("/me"))
            # An amendment both parties make: a proposal, and its acceptance.
            prop = ok(c["us-lead"].post("/agreements/syria-2016-jig/proposals",
                                        json=upload(shift=0.01)))
            ok(c["ru-lead"].post(f"/agreements/syria-2016-jig/proposals/{prop['id']}/accept"))
            job = ok(c["reviewer"].post("/agreements/syria-2016-jig/rejudge"))["job"]
            while ok(c["reviewer"].get(f"/jobs/{job}"))["status"] not in ("done", "failed"):
                pass  # the job's verdicts must be in before the tables are compared
            store = Store.open(db_url, key_folder=settings.data_dir)
            try:
                add_user(store, "leaver", "analyst", "US")
                issue_token(store, "leaver")
                revoke_tokens(store, "leaver")
            finally:
                store.close()
            yield c, srv.url, db_url, settings.data_dir, rid
        finally:
            for client in c.values():
                client.close()


def state_tables() -> list[sa.Table]:
    return sorted((m.local_table for m in Base.registry.mappers
                   if m.local_table.name not in log.NOT_STATE), key=lambda t: t.name)


def changed(value: object, column: sa.Column) -> object:
    """Another value of the same kind, as someone editing the database would write."""
    if isinstance(value, bool) or value is None:
        return "edited" if isinstance(column.type, sa.String | sa.Text) else 1
    if isinstance(value, int):
        return value + 1000
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, str):
        return value[:-1] + ("0" if not value.endswith("0") else "1")
    if isinstance(value, dict):
        return {**value, "edited": True}
    if isinstance(value, list):
        return [*value, "edited"]
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(seconds=1)
    raise AssertionError(f"no edit for {value!r}")


def tampered(store: Store, keys, edit) -> list[str]:
    """The problems verify finds after `edit(connection)`, undone afterwards: the edit and the
    verification run in one transaction that is rolled back. Foreign keys are not checked,
    as a thief with the database in hand need not."""
    with store.engine.connect() as con:
        if con.dialect.name == "sqlite":
            con.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside any transaction
            con.commit()
        tx = con.begin()
        if con.dialect.name == "postgresql":
            con.exec_driver_sql("SET LOCAL session_replication_role = replica")
        try:
            edit(con)
            with Session(bind=con) as s:
                return verify(s, keys).problems
        finally:
            tx.rollback()
            if con.dialect.name == "sqlite":
                con.exec_driver_sql("PRAGMA foreign_keys=ON")



def test_a_queued_job_deleted_or_given_other_orders_is_caught(cell):
    """Jobs are not state (their rows change as they run), so a job answered 202 and then
    deleted from the database, or given other orders, passed verify unseen."""
    _, _, db_url, data, _ = cell
    store = Store.open(db_url, key_folder=data)
    try:
        with store.engine.connect() as con:
            row, params = con.execute(sa.text("SELECT row, CAST(params AS TEXT) FROM jobs "
                                              "ORDER BY row LIMIT 1")).one()

        def deleted(con):
            con.execute(sa.text("DELETE FROM jobs WHERE row = :r"), {"r": row})

        def retargeted(con):
            orders = json.loads(params) | {"version": 99}
            value = "CAST(:p AS json)" if con.dialect.name == "postgresql" else ":p"
            con.execute(sa.text(f"UPDATE jobs SET params = {value} WHERE row = :r"),
                        {"p": json.dumps(orders), "r": row})

        [gone] = tampered(store, store.keys, deleted)
        assert gone.startswith(f"jobs: job {row}, queued in entry ") and "deleted" in gone
        [edited] = tampered(store, store.keys, retargeted)
        assert edited.startswith(f"jobs: job {row} is not the one queued")
    finally:
        store.close()


def test_what_the_log_leaves_out_is_tables_by_name():
    assert set(Base.metadata.tables) >= log.NOT_STATE


def test_every_direct_edit_of_a_state_table_is_caught(cell):
    _, _, db_url, data, _ = cell
    store = Store.open(db_url, key_folder=data)
    try:
        # Commitments: an agreement with must_by clauses (judged as it is stored) and a status
        # record (judged again as it arrives), so their tables hold rows too.
        from jig.agreement.load import agreement_document
        from jig.library import entry
        from jig.store.commitments import add_status_records

        hod = entry("hodeidah-2018")
        text = hod.agreement_path.read_text(encoding="utf-8")
        store.add_agreement(load_agreement(hod.agreement_path),
                            agreement_document(text, hod.agreement_path.parent))
        add_status_records(store, [{"id": "HOD-S4", "clause": "hodeidah-2-redeploy-from-ports",
                                    "time": "2019-05-14", "status": "done", "actor": "HOUTHI",
                                    "source": "UN Redeployment Coordination Committee"}], "")
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
            # The body is written from its parts' texts: it must be their canonical JSON.
            for body in s.scalars(sa.select(log.AuditEntry.body)):
                assert body == log.canonical(json.loads(body)).decode()
        empty, missed = [], []
        for table in state_tables():
            with store.engine.connect() as con:
                rows = [dict(r._mapping) for r in con.execute(sa.select(table))]
            if not rows:
                empty.append(table.name)
                continue
            pk = list(table.primary_key.columns)
            row = rows[len(rows) // 2]
            where = sa.and_(*(c == row[c.name] for c in pk))
            key = "/".join(str(row[c.name]) for c in pk)
            column = next(c for c in table.columns if not c.primary_key)

            def update(con, table=table, where=where, column=column, row=row):
                con.execute(table.update().where(where).values(
                    {column.name: changed(row[column.name], column)}))

            def insert(con, table=table, row=row):
                unique = {c.name for c in table.primary_key.columns} | {
                    c.name for k in table.constraints if isinstance(k, sa.UniqueConstraint)
                    for c in k.columns} | {c.name for c in table.columns if c.unique}
                con.execute(table.insert().values({k: changed(v, table.c[k]) if k in unique
                                                   else v for k, v in row.items()}))

            def delete(con, table=table, where=where):
                con.execute(table.delete().where(where))

            for kind, edit, says in (
                    ("update", update, f"{table.name}: row {key} differs from the log"),
                    ("insert", insert, "is not in the log (inserted"),
                    ("delete", delete, f"{table.name}: row {key} is in the log but not in")):
                problems = tampered(store, store.keys, edit)
                if not any(p.startswith(f"{table.name}: row") and says in p for p in problems):
                    missed.append(f"{kind} {table.name}: {problems}")
        assert empty == [], "the scenario should write every state table"
        assert missed == []
        with store.sessions() as s:  # every edit was undone: the log holds again
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


def test_every_direct_edit_of_the_log_is_caught(cell):
    _, _, db_url, data, _ = cell
    store = Store.open(db_url, key_folder=data)
    entries = sa.table("audit_log", sa.column("seq"), sa.column("body"),
                       sa.column("leaf_hash"), sa.column("root_hash"), sa.column("signature"),
                       sa.column("at"), sa.column("actor"), sa.column("action"),
                       sa.column("subject"))
    try:
        with store.sessions() as s:
            n = log.last_entry(s).seq
            # The first of each (US-7's release comes before RU-3's): PostgreSQL returns rows
            # in no set order without one.
            release = s.scalar(sa.select(log.AuditEntry.seq).where(
                log.AuditEntry.action == "release").order_by(log.AuditEntry.seq))
            login = s.scalar(sa.select(log.AuditEntry.seq).where(
                log.AuditEntry.action == "login").order_by(log.AuditEntry.seq))

        def reseal(con, start: int, key) -> None:
            """What a forger would do next: recompute every leaf and head from `start` on,
            signing with `key`."""
            from jig import merkle
            from jig.signing import sign_head

            rows = list(con.execute(sa.select(entries).order_by(entries.c.seq)))
            tree = merkle.Tree()
            for r in rows:
                leaf = merkle.leaf_hash(log.canonical(log.leaf_of(json.loads(r.body))))
                tree.append(leaf)
                if r.seq >= start:
                    head = sign_head(key, r.seq, tree.root().hex(), r.at)
                    con.execute(entries.update().where(entries.c.seq == r.seq).values(
                        leaf_hash=leaf.hex(), root_hash=head["root_hash"],
                        signature=head["signature"]))

        def edit_release(con):
            body = con.execute(sa.select(entries.c.body).where(entries.c.seq == release)
                               ).scalar()
            con.execute(entries.update().where(entries.c.seq == release).values(
                body=body.replace('"withheld":["source"]', '"withheld":[]')))

        problems = tampered(store, store.keys, edit_release)
        assert problems[0] == f"log: entry {release} (release incident US-7) was altered: " \
                              "it no longer matches its leaf hash"

        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        forger = Ed25519PrivateKey.generate()
        problems = tampered(store, store.keys,
                            lambda con: (edit_release(con), reseal(con, release, forger)))
        assert f"log: entry {release} is not signed by the server's key (written or " \
               "re-signed without it)" in problems
        assert not any("was altered" in p for p in problems)

        problems = tampered(store, store.keys, lambda con: con.execute(
            entries.delete().where(entries.c.seq == login)))
        assert problems[0] == f"log: entry {login} is missing: the log jumps from {login - 1} " \
                              f"to {login + 1} (removed)"

        def forge_entry(con):
            last = con.execute(sa.select(entries).where(entries.c.seq == n)).one()
            act = {"actor": "admin", "action": "login", "subject": "user x", "detail": {}}
            body = json.loads(last.body) | {"seq": n + 1, "rows": [], "acts": [act]}
            con.execute(entries.insert().values(
                seq=n + 1, at=last.at, actor="admin", action="login", subject="user x",
                body=log.canonical(body).decode(), leaf_hash="0" * 64,
                root_hash=last.root_hash, signature=None))
            reseal(con, n + 1, forger)

        problems = tampered(store, store.keys, forge_entry)
        assert problems == [f"log: entry {n + 1} is not signed by the server's key (written "
                            "or re-signed without it)"]

        def unsign(con):
            con.execute(entries.update().where(entries.c.seq == n).values(signature=None))

        assert tampered(store, store.keys, unsign) == [
            f"log: entry {n} is not signed (written directly in the database)"]
    finally:
        store.close()


def test_a_json_key_written_twice_is_caught(cell):
    """`{"source": "FAKE", ..., "source": "RU field report"}`: Python, and so the comparison
    with the log, reads the last value; SQLite's json_extract, which the filters use, the
    first (a review filtered on source=FAKE and found the record)."""
    _, _, db_url, data, _ = cell
    store = Store.open(db_url, key_folder=data)
    try:
        with store.engine.connect() as con:
            row, text = con.execute(sa.text(
                "SELECT row, CAST(record AS TEXT) FROM incident_revisions ORDER BY row")).first()

        def twice(con):
            doubled = '{"source": "FAKE", ' + text.lstrip()[1:]
            value = "CAST(:t AS json)" if con.dialect.name == "postgresql" else ":t"
            con.execute(sa.text(f"UPDATE incident_revisions SET record = {value} WHERE row = :r"),
                        {"t": doubled, "r": row})

        problems = tampered(store, store.keys, twice)
        assert problems == [f"incident_revisions: row {row} has key 'source' twice in record "
                            "(edited directly: the database's JSON functions read one value, "
                            "the log holds another)"]
    finally:
        store.close()



def test_a_json_true_edited_into_1_is_caught(cell):
    """Python holds `True == 1`, and so did the comparison with the log; PostgreSQL's jsonb
    does not, and a filter on `true` misses a `1`. 0 and 0.0 stay one number to both."""
    c, _, db_url, data, _ = cell
    # A record's own field as sent, kept as JSON gave it.
    ok(c["us-analyst"].post("/incidents", json=HELD | {"id": "US-11", "confirmed": True}))
    store = Store.open(db_url, key_folder=data)
    try:
        found = None
        with store.engine.connect() as con:
            for table in state_tables():
                pk = [c.name for c in table.primary_key.columns]
                for column in (c for c in table.columns if isinstance(c.type, sa.JSON)):
                    for *key, text in con.execute(sa.select(
                            *table.primary_key.columns, sa.cast(column, sa.Text))):
                        if text and re.search(r":\s*true\b", text):
                            found = (table.name, pk, key, column.name, text)
                            break
                    if found:
                        break
                if found:
                    break
        assert found is not None, "no JSON column holds a true in this store"
        table, pk, key, column, text = found
        where = " AND ".join(f"{k} = :k{i}" for i, k in enumerate(pk))
        keys = {f"k{i}": v for i, v in enumerate(key)}

        def edit(con, new):
            value = "CAST(:t AS json)" if con.dialect.name == "postgresql" else ":t"
            con.execute(sa.text(f"UPDATE {table} SET {column} = {value} WHERE {where}"),
                        {"t": new, **keys})

        one = re.sub(r":\s*true\b", ": 1", text, count=1)
        problems = tampered(store, store.keys, lambda con: edit(con, one))
        assert len(problems) == 1 and problems[0].startswith(
            f"{table}: row {'/'.join(map(str, key))} differs from the log (edited directly)")
        assert "true in the log" in problems[0] and "is 1 in the table" in problems[0]
        # The row written back as it was: nothing to find (the edit itself is not a problem).
        assert tampered(store, store.keys, lambda con: edit(con, text)) == []
    finally:
        store.close()


def test_an_unsigned_upgrade_marker_appended_to_a_signed_log_excuses_nothing(cell):
    """Migration 0004's `log.upgrade` entry lets the unsigned entries before it stand and has
    the next open log every row once. Appended to a signed log by someone editing the
    database (no key needed: its leaf and head are hashes of public values), it excused
    itself, and the next open (`jig audit verify`'s too) signed a snapshot of the tables
    edited beside it: the US's withheld fields shown, and verify content."""
    from jig import merkle
    from jig.store.db import make_engine

    _, _, db_url, data, _ = cell
    entries = log.AuditEntry.__table__
    releases = Base.metadata.tables["releases"]
    engine = make_engine(db_url)
    with engine.begin() as con:
        rows = list(con.execute(sa.select(entries).order_by(entries.c.seq)))
        tree = merkle.Tree()
        for r in rows:
            tree.append(bytes.fromhex(r.leaf_hash))
        n = rows[-1].seq
        body = {"seq": n + 1, "at": rows[-1].at, "rows": [], "salt": "00" * 16, "acts": [
            {"actor": "system", "action": "log.upgrade", "subject": "migration 0004",
             "detail": {}}]}
        tree.append(merkle.leaf_hash(log.canonical(log.leaf_of(body))))
        con.execute(entries.insert().values(
            seq=n + 1, at=body["at"], actor="system", action="log.upgrade",
            subject="migration 0004", body=log.canonical(body).decode(),
            leaf_hash=tree.leaves[-1].hex(), root_hash=tree.root().hex(), signature=None))
        con.execute(releases.update().values(withheld=[]))
    engine.dispose()
    store = Store.open(db_url, key_folder=data)
    try:
        with store.sessions() as s:
            assert s.scalar(sa.select(log.AuditEntry.seq).where(
                log.AuditEntry.action == "log.snapshot")) is None
            problems = verify(s, store.keys).problems
        assert f"log: entry {n + 1} is not signed (written directly in the database)" \
            in problems
        assert any(p.startswith("releases: row") and "differs from the log" in p
                   for p in problems)
    finally:
        store.close()


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_an_observer_checks_a_determination_and_that_the_log_extends_its_saved_head(
        cell, tmp_path):
    c, url, db_url, data, rid = cell
    token = issue_token_for(db_url, data, "observer-2")
    pub = ok(c["observer"].get("/published"))["determinations"]
    [review] = [r for r in pub if r["id"] == rid]
    dets = {d["party"]: d["id"] for d in review["determinations"]}
    frozen = review["head"]
    # The head at publication is frozen: the log has grown since, the head has not.
    live = ok(c["observer"].get("/audit/head"))
    assert live["tree_size"] > frozen["tree_size"]
    assert ok(c["observer"].get("/published"))["determinations"][0]["head"] == frozen

    saved = tmp_path / "saved-head.json"
    r = run("audit", "head", "--url", url, "--token", token, "-o", str(saved))
    assert r.exit_code == 0, r.output
    for party in ("US", "RU"):
        r = run("audit", "check-proof", "--url", url, "--token", token,
                "--determination", str(dets[party]), "--key", frozen["public_key"])
        assert r.exit_code == 0, r.output
        assert re.search(rf"determination {dets[party]} \({party}, excepted\) is entry \d+ of "
                         rf"the log under the head of {frozen['tree_size']} entries", r.output)
    ok(c["us-analyst"].post("/incidents", json=STRIKE | {"id": "US-10"}))
    r = run("audit", "check-consistency", "--url", url, "--token", token, "--since", str(saved))
    assert r.exit_code == 0 and "extends the saved head" in r.output, r.output
    # The frozen head in /published is a head to check from as well.
    (tmp_path / "frozen.json").write_text(json.dumps(frozen))
    r = run("audit", "check-consistency", "--url", url, "--token", token, "--since",
            str(tmp_path / "frozen.json"))
    assert r.exit_code == 0, r.output

    # The operator, server key in hand, rewrites history: the release withheld nothing. The
    # log and the table agree again, every head re-signed: verify alone cannot tell, but the
    # observer's saved head can.
    store = Store.open(db_url, key_folder=data)
    try:
        with store.engine.begin() as con:
            seq = con.execute(sa.text("SELECT seq FROM audit_log WHERE action = 'release' "
                                      "ORDER BY seq LIMIT 1")).scalar()
            rewrite_history(con, seq, store.keys.server())
        # Who holds the server's key holds its folder, and the head kept there with it.
        with store.sessions() as s:
            assert any("does not match the log" in p and "log-head-" in p
                       for p in verify(s, store.keys).problems)
        [kept] = data.glob("log-head-*.json")
        kept.unlink()
        with store.sessions() as s:
            assert not any("log:" in p for p in verify(s, store.keys).problems)
    finally:
        store.close()
    r = run("audit", "check-consistency", "--url", url, "--token", token, "--since", str(saved))
    assert r.exit_code == 1 and "does not extend the saved head" in r.output, r.output
    r = run("audit", "verify", "--db", db_url, "--data", str(data), "--head", str(saved))
    assert r.exit_code == 1 and "does not match the log" in r.output, r.output


def rewrite_history(con, seq: int, key) -> None:
    """Change entry `seq`'s body and re-seal the log after it with the real key (the caches
    of a running server hold the old tree: a new process must read it)."""
    from jig import merkle
    from jig.signing import sign_head

    rows = list(con.execute(sa.text("SELECT seq, body, at FROM audit_log ORDER BY seq")))
    tree = merkle.Tree()
    for r in rows:
        body = r.body if r.seq != seq else r.body.replace('"withheld":["source"]',
                                                          '"withheld":[]')
        leaf = merkle.leaf_hash(log.canonical(log.leaf_of(json.loads(body))))
        tree.append(leaf)
        if r.seq >= seq:
            head = sign_head(key, r.seq, tree.root().hex(), r.at)
            con.execute(sa.text("UPDATE audit_log SET body = :b, leaf_hash = :l, root_hash = "
                                ":r, signature = :s WHERE seq = :q"),
                        {"b": body, "l": leaf.hex(), "r": head["root_hash"],
                         "s": head["signature"], "q": r.seq})
    releases = sa.table("releases", sa.column("row"), sa.column("withheld", sa.JSON))
    first = con.execute(sa.select(sa.func.min(releases.c.row))).scalar()
    con.execute(releases.update().where(releases.c.row == first).values(withheld=[]))


def issue_token_for(db_url: str, data, name: str) -> str:
    store = Store.open(db_url, key_folder=data)
    try:
        add_user(store, name, "observer", None)
        return issue_token(store, name)
    finally:
        store.close()


def test_a_changed_determination_fails_its_proof(cell):
    c, url, db_url, data, _ = cell
    det = ok(c["observer"].get("/published"))["determinations"][0]["determinations"][0]
    store = Store.open(db_url, key_folder=data)
    try:
        with store.engine.begin() as con:
            con.execute(sa.text("UPDATE determinations SET outcome = 'breach' WHERE row = :r"),
                        {"r": det["id"]})
    finally:
        store.close()
    r = run("audit", "check-proof", "--url", url, "--token", "x", "--determination",
            str(det["id"]))
    assert r.exit_code == 2  # a bad token: the service refuses, nothing is checked
    token = issue_token_for(db_url, data, "observer-3")
    r = run("audit", "check-proof", "--url", url, "--token", token, "--determination",
            str(det["id"]))
    assert r.exit_code == 1, r.output
    assert "the opened part is not this determination as shown" in r.output
    assert f"is not signed by {det['party']}'s key" in r.output


def test_proofs_only_for_entries_the_caller_may_see_and_nothing_withheld_in_them(cell):
    c, _, db_url, data, _ = cell
    store = Store.open(db_url, key_folder=data)
    try:
        with store.sessions() as s:
            entries = {(e.action, e.actor): e.seq for e in s.scalars(
                sa.select(log.AuditEntry).order_by(log.AuditEntry.seq))}
            n = log.last_entry(s).seq
    finally:
        store.close()
    us_intake = entries[("intake", "us-analyst")]
    ru_intake = entries[("intake", "ru-analyst")]
    publish = entries[("review.publish", "reviewer")]
    seen = {"us-lead": {us_intake, publish}, "ru-lead": {ru_intake, publish},
            "observer": {publish}, "reviewer": {us_intake, ru_intake, publish}}
    texts = []
    for who, may in seen.items():
        for seq in (us_intake, ru_intake, publish, n + 5):
            r = c[who].get(f"/audit/proof/{seq}")
            assert r.status_code == (200 if seq in may else 404), (who, seq, r.text)
            texts.append(r.text)
        for path in ("/audit/head", f"/audit/consistency?first=1&second={n}", "/audit/keys"):
            r = c[who].get(path)
            assert r.status_code == 200, r.text
            texts.append(r.text)
        assert c[who].get("/audit").status_code == (200 if who == "reviewer" else 403)
    # A proof holds the entry's leaf: salted digests, not the record nor its plain hashes.
    proof = ok(c["reviewer"].get(f"/audit/proof/{us_intake}"))
    assert set(proof["leaf"]) == {"seq", "at", "parts"}
    store = Store.open(db_url, key_folder=data)
    try:
        with store.sessions() as s:
            plain = list(s.scalars(sa.text("SELECT content_hash FROM incident_revisions")))
    finally:
        store.close()
    for text in texts:
        assert SECRET not in text and "KESTREL-9" not in text and "US-9" not in text
        assert not any(h in text for h in plain)
    # A determination's proof opens that determination's part, and no other.
    det = ok(c["observer"].get("/published"))["determinations"][0]["determinations"][0]
    p = ok(c["observer"].get(f"/audit/determinations/{det['id']}/proof"))
    assert p["entry"]["opening"]["content"][0] == "determinations"
    assert "KESTREL" not in json.dumps(p)
    assert c["observer"].get("/audit/determinations/999/proof").status_code == 404


def test_a_store_from_before_the_log_bound_its_rows_is_taken_over(db_url, tmp_path):
    from alembic import command

    from jig.store.db import alembic_config, make_engine

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0003")
    with engine.begin() as con:
        con.execute(sa.text(
            "INSERT INTO users (name, role, party, created_at) VALUES ('old', 'observer', "
            "NULL, :t)"), {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)})
        chain = sa.table("audit_log", *(sa.column(c) for c in (
            "seq", "at", "actor", "action", "subject", "prev_hash", "hash")),
            sa.column("detail", sa.JSON))
        con.execute(chain.insert().values(
            seq=1, at="2026-01-01T00:00:00+00:00", actor="admin", action="user.add",
            subject="user old", detail={"role": "observer"}, prev_hash="0" * 64,
            hash="1" * 64))
    engine.dispose()
    store = Store.open(db_url, key_folder=tmp_path)
    try:
        add_user(store, "new", "observer", None)
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
            actions = [e.action for e in s.scalars(sa.select(log.AuditEntry)
                                                   .order_by(log.AuditEntry.seq))]
        assert actions == ["user.add", "log.upgrade", "log.snapshot", "log.adopt", "user.add"]
    finally:
        store.close()


def test_commitment_secrets_from_before_they_were_logged_are_taken_over(db_url, tmp_path):
    from alembic import command

    from jig.store.db import alembic_config, make_engine

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "head")
    with engine.begin() as con:  # as a jig that kept the secrets out of the log wrote it
        con.execute(sa.text("INSERT INTO workspace_secrets (workspace, secret) VALUES "
                            "('US', :s)"), {"s": "ab" * 32})
    engine.dispose()
    for _ in range(2):  # taken over once, at the first open
        Store.open(db_url, key_folder=tmp_path).close()
    store = Store.open(db_url, key_folder=tmp_path)
    try:
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
            [adopted] = s.scalars(sa.select(log.AuditEntry).where(
                log.AuditEntry.action == "log.adopt")).all()
        body = json.loads(adopted.body)
        assert [r[:2] for r in body["rows"]] == [["workspace_secrets", "US"]]
        # The log holds the secret's digest, never the secret.
        assert "ab" * 32 not in adopted.body and body["rows"][0][2]["secret"].startswith(
            "sha256:")
    finally:
        store.close()


def test_the_key_file_is_private_and_a_readable_one_refused(tmp_path):
    from jig.store.keys import KeyFileError, Keys

    keys = Keys(tmp_path)
    keys.server()
    path = tmp_path / "log-key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="may be read by others"):
        Keys(tmp_path).server()


def test_verify_names_a_saved_head_that_is_missing_not_json_or_no_head(tmp_path):
    data = tmp_path / "data"
    r = run("import", "--agreement", str(EXAMPLE / "agreement.yaml"),
            str(EXAMPLE / "incidents.csv"), "--data", str(data))
    assert r.exit_code == 0, r.output
    for name, text, code, said in (
            ("gone.json", None, 2, "gone.json: cannot read: No such file or directory"),
            ("x.json", "x", 2, "x.json: not JSON"),
            ("empty.json", "{}", 1, "saved head 1 (of 1): not a signed tree head"),
            ("list.json", "[1]", 1, "saved head 1 (of 1): not a signed tree head")):
        if text is not None:
            (tmp_path / name).write_text(text)
        r = run("audit", "verify", "--data", str(data), "--head", str(tmp_path / name))
        assert r.exit_code == code and said in " ".join(r.output.split()), r.output
        assert "Errno" not in r.output and "None" not in r.output


def test_the_last_entries_removed_with_the_rows_they_wrote_are_named(tmp_path):
    """A database editor deleted the newest entry (a token's revocation) and undid its row:
    the log then stood as it had before, and verified. The head the server kept beside its
    key, outside the database, is longer than the log that is left."""
    data = tmp_path / "data"
    store = Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data)
    try:
        add_user(store, "mallory", "lead", "US")
        issue_token(store, "mallory")
        revoke_tokens(store, "mallory")
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
        with store.engine.begin() as con:
            con.execute(sa.text("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM "
                                "audit_log)"))
            con.execute(sa.text("UPDATE tokens SET revoked_at = NULL"))
    finally:
        store.close()
    [witness] = data.glob("log-head-*.json")
    kept = witness.read_text()
    store = Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data)  # a new process
    try:
        with store.sessions() as s:
            [problem] = verify(s, store.keys).problems
        # Nor does a new process write onto it: its head would replace the one that shows it.
        with pytest.raises(log.BrokenLog, match="does not extend the head this server kept"):
            add_user(store, "eve", "analyst", "RU")
    finally:
        store.close()
    assert f"the head this server kept in {witness}" in problem
    assert "entries were removed from its end" in problem
    assert witness.read_text() == kept


def test_a_key_spelt_with_escapes_and_a_time_spelt_otherwise_are_caught(cell):
    """Both read back as the log has them, so the row compared equal; but the database's JSON
    path `$.source` misses `"\\u0073ource"` (a record gone from ?source= filters), and a time
    written '20261203T142948.781738+0000' sorts otherwise in SQLite (drafts, reviews)."""
    c, _, db_url, data, _ = cell
    ok(c["us-analyst"].post("/incidents", json=HELD | {"id": "US-12"}))
    store = Store.open(db_url, key_folder=data)
    try:
        with store.engine.connect() as con:
            row, text = con.execute(sa.text(
                "SELECT row, CAST(record AS TEXT) FROM incident_revisions WHERE incident_id = "
                "'US-12'")).one()
        key = re.search(r'"(\w+)"\s*:', text)[1]
        escaped = text.replace(f'"{key}"', f'"\\u{ord(key[0]):04x}{key[1:]}"', 1)

        def edit(con):
            value = "CAST(:t AS json)" if con.dialect.name == "postgresql" else ":t"
            con.execute(sa.text(f"UPDATE incident_revisions SET record = {value} "
                                "WHERE row = :r"), {"t": escaped, "r": row})

        [problem] = tampered(store, store.keys, edit)
        assert problem.startswith(f"incident_revisions: row {row} spells the key {key!r} as")
        if store.engine.dialect.name == "sqlite":
            def retime(con):
                was = con.execute(sa.text("SELECT received_at FROM incident_revisions WHERE "
                                          "row = :r"), {"r": row}).scalar()
                same = was.replace("-", "").replace(":", "").replace(" ", "T") + "+0000"
                con.execute(sa.text("UPDATE incident_revisions SET received_at = :t "
                                    "WHERE row = :r"), {"t": same, "r": row})

            [problem] = tampered(store, store.keys, retime)
            assert problem.startswith(f"incident_revisions: row {row} has received_at "
                                      "written '20") and "sorts otherwise" in problem
    finally:
        store.close()
