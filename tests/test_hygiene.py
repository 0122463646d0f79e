"""Secrets at rest and hygiene: private files, spooled uploads removed, headers, 422 for
numbers out of range, tokens that expire and are revoked one by one, sign-ins that cannot
flood the log, admin acts named by their operating-system user."""

from __future__ import annotations

import getpass
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update
from tests.conftest import EXAMPLE, Server, seed_users, wait_for_job

from jig.service import Settings
from jig.store import Store
from jig.store.people import issue_token, list_tokens, revoke_token
from jig.store.tables import AuditEntry, Token


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_store_and_spool_are_private_and_spooled_uploads_go(tmp_path):
    data = tmp_path / "data"
    with Server(Settings(data_dir=data, agreements=[EXAMPLE / "agreement.yaml"])) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as c:
        r = c.post("/incidents/bulk?filename=incidents.csv",
                   content=(EXAMPLE / "incidents.csv").read_bytes(),
                   headers={"content-type": "text/csv"})
        assert wait_for_job(c, r.json()["job"])["status"] == "done"
        assert list((data / "spool").iterdir()) == []
        assert mode(data / "spool") == 0o700
        for f in data.glob("jig.db*"):  # the database, its WAL and shared memory
            assert mode(f) == 0o600, f
        assert mode(data) == 0o700


def test_an_upload_that_does_not_arrive_whole_leaves_nothing_spooled(tmp_path):
    data = tmp_path / "data"
    with Server(Settings(data_dir=data, agreements=[EXAMPLE / "agreement.yaml"])) as srv:
        before = bulk_answers(srv.url)
        part = (EXAMPLE / "incidents.csv").read_bytes()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=60) as sock:
            sock.sendall(b"POST /incidents/bulk?filename=held.csv HTTP/1.1\r\n"
                         b"Host: x\r\nContent-Type: text/csv\r\n"
                         b"Content-Length: %d\r\n\r\n" % (10 * len(part)) + part)
            # Until the server has spooled the part that came, however long that takes.
            until(lambda: any(p.is_file() for p in (data / "spool").glob("*/*")))
        # The client went away: what it sent is not kept.
        until(lambda: list((data / "spool").iterdir()) == [])
        # And it is counted as the client's doing (499, as nginx does), not a 500 that would
        # page an operator. (The counters are the process's: other tests' answers are in them.)
        after = bulk_answers(srv.url)
        grew = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
        assert grew == {"499": 1.0}


def bulk_answers(url: str) -> dict[str, float]:
    """How many answers /incidents/bulk gave so far, by status."""
    text = httpx.get(f"{url}/metrics", timeout=60).text
    return {s.labels["status"]: s.value for f in text_string_to_metric_families(text)
            if f.name == "jig_requests" for s in f.samples
            if s.name == "jig_requests_total" and s.labels.get("route") == "/incidents/bulk"}


def until(condition, bound: float = 300) -> None:
    """Wait for `condition`; the bound only stops a test that would hang."""
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "the server did not get there"
        time.sleep(0.02)


def test_headers_and_numbers_out_of_range(client):
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    for path in ("/incidents", "/agreements", "/incidents/NOPE", "/health"):
        r = client.get(path)
        assert r.headers["cache-control"] == "no-store", path
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in client.get("/ui/static/app.js").headers.get("cache-control", "")
    for path in ("/jobs/99999999999999999999", "/jobs/0", "/jobs/-1",
                 "/reviews/10000000000000000000000",
                 "/jobs/1/rejects?limit=-1", "/jobs/1/rejects?after=-5", "/audit?limit=0",
                 "/audit?limit=100000000000000000000", "/agreements/syria-2016-jig/versions/-1",
                 "/incidents?limit=100000000000000000000", "/incidents?cursor=12"):
        r = client.get(path)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert set(r.json()) == {"error"}
    r = client.post("/reviews/99999999999999999999999/publish")
    assert r.status_code == 422


def test_the_docs_are_served_from_here(client):
    html = client.get("/docs").text
    assert "cdn" not in html and "http" not in html.replace("http-equiv", "")
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/ui/static/docs.js").status_code == 200


@pytest.fixture
def cell(db_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        yield srv, db_url


def test_tokens_expire_are_revoked_one_by_one_and_sign_ins_do_not_flood(cell, tmp_path):
    srv, db_url = cell
    first = seed_users(db_url, {"us-lead": ("lead", "US")}, tmp_path / "data")["us-lead"]
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        second = issue_token(store, "us-lead")
        [t1, t2] = list_tokens(store, "us-lead")
        assert (t1.expires_at - t1.created_at).days == 90

        def me(token: str) -> int:
            return httpx.get(f"{srv.url}/me", headers={"authorization": f"Bearer {token}"},
                             timeout=60).status_code

        assert me(first) == me(second) == 200
        for _ in range(20):
            assert me(first) == 200
        with store.sessions() as s:
            logins = s.scalars(select(AuditEntry).where(AuditEntry.action == "login")).all()
        assert len(logins) == 2  # one per token, however often it signs in
        revoke_token(store, t1.row)
        assert (me(first), me(second)) == (401, 200)
        # Time passes: the second token's 90 days are over.
        with store.engine.begin() as con:
            con.execute(update(Token).where(Token.row == t2.row)
                        .values(expires_at=t2.created_at))
        assert me(second) == 401
    finally:
        store.close()


def test_admin_acts_name_the_operating_system_user(tmp_path):
    data = tmp_path / "data"

    def jig(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(Path(sys.executable).with_name("jig")), *args, "--data",
                               str(data)], capture_output=True, text=True, timeout=300)

    assert jig("import", "--agreement", str(EXAMPLE / "agreement.yaml")).returncode == 0
    assert jig("admin", "add-user", "obs", "--role", "observer").returncode == 0
    assert jig("admin", "token", "obs", "--days", "7").stdout.startswith("jig_")
    listed = jig("admin", "tokens", "obs").stdout.split("\t")
    assert listed[0] == "1" and listed[3] == "active"
    assert jig("admin", "revoke-token", "1").returncode == 0
    assert "revoked" in jig("admin", "tokens", "obs").stdout
    store = Store.open(f"sqlite:///{data / 'jig.db'}")
    try:
        with store.sessions() as s:
            actors = {e.action: e.actor for e in s.scalars(select(AuditEntry))}
    finally:
        store.close()
    me = f"os:{getpass.getuser()}"
    assert actors["agreement"] == actors["user.add"] == actors["token.issue"] == me
    assert actors["token.revoke"] == me
