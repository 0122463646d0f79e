"""What a view of the map costs the database, on each backend, over HTTP on real data: one
connection and a fixed number of statements per request, counted on the server's own engine
(SQLAlchemy's `before_cursor_execute`), so that the service's bookkeeping cannot silently grow
back; and asking less never serves what changed meanwhile: a token revoked and an agreement
version accepted through the command line (another process, the same store) are seen by the
server's next request."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event
from tests.conftest import EXAMPLE, HTTP_TIMEOUT, ROOT, Server, seed_users

from jig.agreement import agreement_document, load_agreement
from jig.service import Settings
from jig.store import Store
from jig.store.importer import import_files
from jig.store.people import list_tokens

JIG = str(Path(sys.executable).with_name("jig"))
UCDP = ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"
USERS = {"reviewer": ("reviewer", None), "us-analyst": ("analyst", "US")}
BOX = {"bbox": "36.0,35.0,37.5,36.5", "cells": 16, "whole": "true"}
POINTS = {"format": "geojson", "brief": "true", "limit": 1000}  # what the page asks


@pytest.fixture
def served(db_url, tmp_path):
    """The example agreement and its incidents with the 2016 UCDP extract, served with users
    (jobs off: the job worker's polling would be counted with the requests)."""
    data = tmp_path / "data"
    store = Store.open(db_url, key_folder=data)
    try:
        path = EXAMPLE / "agreement.yaml"
        store.add_agreement(load_agreement(path), agreement_document(path.read_text(), EXAMPLE))
        import_files(store, [EXAMPLE / "incidents.csv", UCDP], batch=500)
    finally:
        store.close()
    tokens = seed_users(db_url, USERS, data)
    settings = Settings(data_dir=data, database_url=db_url, agreements=[path], run_jobs=False)
    with Server(settings) as srv:
        yield srv, tokens, data


@contextmanager
def counted(srv: Server) -> Iterator[dict[str, list]]:
    """The statements and connection checkouts on the server's engine while inside."""
    engine = srv.server.config.app.state.jig.store.engine
    seen: dict[str, list] = {"statements": [], "checkouts": []}

    def statement(conn, cursor, text, *rest):  # type: ignore[no-untyped-def]
        seen["statements"].append(text)

    def checkout(*rest):  # type: ignore[no-untyped-def]
        seen["checkouts"].append(1)

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "checkout", checkout)


def client(srv: Server, token: str) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT,
                        headers={"authorization": f"Bearer {token}"})


def test_a_view_costs_one_connection_and_a_fixed_number_of_statements(served):
    srv, tokens, _ = served
    # Was 4 connections, and 5 statements for the overview (users, the versions twice, the
    # sums, the remainders), 4 for the histogram, 5 for the points.
    want = [(path, params, 2) for path in ("/incidents/overview", "/incidents/histogram")
            for params in ({}, BOX)]  # who and the versions; the counts and the records
    want.append(("/incidents", BOX | POINTS, 3))  # the points in view: the rows; findings
    for name in USERS:
        with client(srv, tokens[name]) as c:
            for path, params, statements in want:
                assert c.get(path, params=params).status_code == 200  # warm
                with counted(srv) as seen:
                    r = c.get(path, params=params)
                assert r.status_code == 200, r.text
                assert len(seen["checkouts"]) == 1, (path, params)
                assert len(seen["statements"]) == statements, (path, params,
                                                               seen["statements"])
            # Real answers: the days hold what the view counts.
            total = c.get("/incidents/overview").json()["total"]
            assert sum(d["n"] for d in c.get("/incidents/histogram").json()["days"]) == total
            assert total > (50 if name == "reviewer" else -1)


def test_a_token_revoked_elsewhere_is_refused_on_the_next_request(served, db_url):
    srv, tokens, data = served
    with client(srv, tokens["reviewer"]) as c:
        for path in ("/incidents/overview", "/incidents/histogram"):
            assert c.get(path).status_code == 200
        store = Store.open(db_url, key_folder=data)
        try:
            [token] = list_tokens(store, "reviewer")
        finally:
            store.close()
        subprocess.run([JIG, "admin", "revoke-token", str(token.row), "--db", db_url,
                        "--data", str(data)], check=True, capture_output=True)
        for path in ("/incidents/overview", "/incidents/histogram"):
            r = c.get(path)
            assert r.status_code == 401 and r.json()["error"]["code"] == "auth.invalid"
            # Asked to sign in before being told a parameter is out of range.
            assert c.get(path, params={"cells": 999, "limit": 0}).status_code == 401
    with httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT) as anonymous:
        assert anonymous.get("/incidents/overview").status_code == 401
    with client(srv, tokens["us-analyst"]) as c:  # the other token still works
        assert c.get("/incidents/overview").status_code == 200


def test_a_version_accepted_elsewhere_is_used_on_the_next_request(served, db_url, tmp_path):
    srv, tokens, data = served
    with client(srv, tokens["reviewer"]) as c:
        before = c.get("/incidents/overview").json()
        assert before["to"].startswith("2016-10-02T21:00")  # until 3 October (UTC+3)
        assert c.get("/incidents/histogram").json()["to"] == before["to"]
        # An amendment cutting the time in force short, stored by the command line.
        amended = tmp_path / "amended"
        shutil.copytree(EXAMPLE, amended)
        yaml = amended / "agreement.yaml"
        yaml.write_text(yaml.read_text().replace("until: 2016-10-03", "until: 2016-09-20"))
        empty = tmp_path / "none.csv"
        empty.write_text("id,time,lon,lat,actor\n")
        subprocess.run([JIG, "import", "--agreement", str(yaml), "--db", db_url, "--data",
                        str(data), str(empty)], check=True, capture_output=True)
        after = c.get("/incidents/overview").json()
        assert after["to"].startswith("2016-09-19T21:00")
        assert after["total"] < before["total"]
        assert c.get("/incidents/histogram").json()["to"] == after["to"]
