"""What an operator relies on: liveness and readiness, 503 with Retry-After while PostgreSQL is
down (and recovery once it is back), Prometheus metrics, servers started together on one fresh
database, and a bulk job killed with kill -9 over PostgreSQL that is run again and counted
right. Real servers, a real PostgreSQL of the test's own for the outage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from tests.conftest import EXAMPLE, ROOT, Server, free_port, until_serving, wait_for_job

from jig.service import Settings
from jig.store import Store
from jig.store.rebuild import verify
from jig.store.tables import AgreementVersion, IncidentHead, IncidentRevision, VerdictHead

JIG = str(Path(sys.executable).with_name("jig"))
POSTGRES = str(ROOT / "scripts" / "postgres")


def record(rid: str, k: int = 0) -> dict:
    return {"id": rid, "time": "2016-08-01T10:00", "lon": 36.6 + k * 0.0001, "lat": 35.8,
            "actor": "Military Forces of Syria (2000-)", "act": "air_strike"}


def samples(text: str, name: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name:
                out[tuple(sorted(s.labels.items()))] = s.value
    return out


def test_health_ready_and_metrics(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    # As docs/service.md shows it (it showed a schema four migrations old).
    assert f'`{{"status": "ready", "schema": "{ready.json()["schema"]}"}}`' in \
        (ROOT / "docs" / "service.md").read_text()
    before = samples(client.get("/metrics").text, "jig_records_taken_total")
    for k in range(3):
        assert client.post("/incidents", json=record(f"M-{k}", k)).status_code == 200
    assert client.post("/incidents", json=record("M-0", 0)).status_code == 200  # unchanged
    text = client.get("/metrics").text
    taken = samples(text, "jig_records_taken_total")
    assert taken[(("status", "stored"),)] - before.get((("status", "stored"),), 0) >= 3
    assert taken[(("status", "unchanged"),)] - before.get((("status", "unchanged"),), 0) >= 1
    requests = samples(text, "jig_requests_total")
    # By the route's template, not the path: one series for every incident id.
    assert requests[(("method", "POST"), ("route", "/incidents"), ("status", "200"))] >= 4
    client.get("/incidents/M-1")
    text = client.get("/metrics").text
    assert (("method", "GET"), ("route", "/incidents/{incident_id}"), ("status", "200")) in \
        samples(text, "jig_requests_total")
    assert samples(text, "jig_request_seconds_count")
    jobs = samples(text, "jig_jobs")
    assert set(jobs) == {(("status", s),) for s in ("queued", "running", "done", "failed")}


class OwnPostgres:
    """A throw-away PostgreSQL server of this test's own, to stop and start again on the same
    port without touching the one the other tests share."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.url = subprocess.run([POSTGRES, "start", str(folder)], capture_output=True,
                                  text=True, check=True).stdout.strip()
        self.port = self.url.rsplit(":", 1)[1].split("/")[0]

    def stop(self) -> None:
        subprocess.run([POSTGRES, "stop", str(self.folder)], check=True, capture_output=True)

    def start(self) -> None:
        subprocess.run([POSTGRES, "start", str(self.folder)], check=True, capture_output=True,
                       env=os.environ | {"JIG_PG_PORT": self.port})


@pytest.fixture
def own_postgres():
    if not os.environ.get("JIG_TEST_PG_URL"):
        pytest.fail("run with scripts/test, which installs and starts PostgreSQL")
    folder = Path(tempfile.mkdtemp(prefix="jig-pg-outage."))
    pg = OwnPostgres(folder)
    try:
        yield pg
    finally:
        pg.stop()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_503_with_retry_after_while_postgres_is_down(own_postgres, tmp_path):
    # Before: /health answered 200 and every request 500 while the database was down.
    settings = Settings(data_dir=tmp_path / "data", database_url=own_postgres.url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        assert c.post("/incidents", json=record("UP-1")).status_code == 200
        own_postgres.stop()
        assert c.get("/health").status_code == 200  # the process lives
        for answer in (c.get("/ready"), c.post("/incidents", json=record("DOWN-1")),
                       c.get("/incidents"), c.get("/incidents/UP-1")):
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"].isdigit()
            assert answer.json()["error"]["code"] == "store.unavailable"
        own_postgres.start()
        # Back: the pool's stale connections are replaced on checkout (pre-ping).
        ready = c.get("/ready")
        assert ready.status_code == 200, ready.text
        r = c.post("/incidents", json=record("DOWN-1"))
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "stored"
        assert c.post("/incidents", json=record("UP-1")).json()["results"][0]["status"] == \
            "unchanged"
        # The job worker lived through the outage: a bulk file is taken in.
        job = c.post("/incidents/bulk?filename=after.csv", content=(
            b"id,time,lon,lat,actor,act\nAFTER-1,2016-08-01T10:00,36.6,35.8,"
            b"Military Forces of Syria (2000-),air_strike\n")).json()["job"]
        assert wait_for_job(c, job)["stored"] == 1


def serve(db_url: str, data: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([JIG, "serve", "--db", db_url, "--data", str(data), "--port",
                             str(port), "--agreement", str(EXAMPLE / "agreement.yaml"),
                             "--no-access-log", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_two_servers_start_together_on_one_fresh_database(db_url, tmp_path):
    # Migrations under a lock, the agreement and the service's secret stored once: before,
    # both created the same tables at once and one of them died.
    ports = [free_port(), free_port()]
    procs = [serve(db_url, tmp_path / "data", port) for port in ports]
    try:
        for proc, port in zip(procs, ports, strict=True):
            until_serving(proc, port)
        for k, port in enumerate(ports):
            r = httpx.post(f"http://127.0.0.1:{port}/incidents", json=record(f"T-{k}", k),
                           timeout=60)
            assert r.status_code == 200, r.text
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=60)
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            assert s.scalar(select(func.count()).select_from(AgreementVersion)) == 1
            assert s.scalar(select(func.count()).select_from(IncidentHead)) == 2
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_bulk_job_killed_mid_run_over_postgres_is_run_again_and_counted(db_url, tmp_path):
    rows = 1500
    lines = ["id,time,lon,lat,actor,act"] + [
        f"KB-{i},2016-08-01T10:00,{36.6 + i * 1e-5:.5f},35.8,Military Forces of Syria (2000-),"
        "air_strike" for i in range(rows)]
    port = free_port()
    proc = serve(db_url, tmp_path / "data", port, "--bulk-batch", "25")
    base = f"http://127.0.0.1:{port}"
    try:
        until_serving(proc, port)
        with httpx.Client(base_url=base, timeout=60) as c:
            job = c.post("/incidents/bulk?filename=kill.csv",
                         content="\n".join(lines).encode()).json()["job"]
            # Killed once some batches are committed and before the last: counted in rows
            # committed, not in seconds. The bound only stops a test that would hang.
            deadline = time.monotonic() + 900
            while True:
                assert time.monotonic() < deadline, "the job never got under way"
                state = c.get(f"/jobs/{job}").json()
                assert state["status"] != "failed", state
                if state["status"] == "running" and state["read"] > 0:
                    break
                assert state["status"] != "done", "the job ended before it could be killed"
                time.sleep(0.02)  # polling interval
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        spool = list((tmp_path / "data" / "spool").glob("*/*"))
        assert spool, "the spooled file must outlive a crash: the job runs again from it"
        proc = serve(db_url, tmp_path / "data", port)
        until_serving(proc, port)
        with httpx.Client(base_url=base, timeout=60) as c:
            done = wait_for_job(c, job)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert done["status"] == "done", done
    assert done["attempts"] == 2
    assert done["read"] == rows
    assert done["stored"] + done["unchanged"] + done["rejected"] == rows
    assert done["unchanged"] > 0  # what the killed run had committed
    assert list((tmp_path / "data" / "spool").glob("*/*")) == []  # removed once it ended
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            assert s.scalar(select(func.count()).select_from(IncidentRevision)) == rows
            assert s.scalar(select(func.count()).select_from(VerdictHead)) == rows
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_several_worker_processes_over_postgres(db_url, tmp_path):
    port = free_port()
    proc = serve(db_url, tmp_path / "data", port, "--workers", "2", "--threads", "4")
    try:
        until_serving(proc, port)
        base = f"http://127.0.0.1:{port}"
        # New connections each: the kernel spreads them over the workers' shared socket.
        for k in range(12):
            r = httpx.post(base + "/incidents", json=record(f"WK-{k}", k), timeout=60)
            assert r.status_code == 200, r.text
        text = httpx.get(base + "/metrics", timeout=60).text
        # Summed over every worker process (prometheus-client's multiprocess mode).
        requests = samples(text, "jig_requests_total")
        assert requests[(("method", "POST"), ("route", "/incidents"), ("status", "200"))] == 12
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            assert s.scalar(select(func.count()).select_from(IncidentHead)) == 12
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


def test_workers_refused_on_sqlite(tmp_path):
    r = subprocess.run([JIG, "serve", "--data", str(tmp_path), "--workers", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--workers needs PostgreSQL" in r.stderr


def stored_state(url: str, keys: Path) -> tuple[int, int]:
    """(incidents, log entries) of the store at url, once its log is verified."""
    from jig.store.tables import AuditEntry

    store = Store.open(url, key_folder=keys)
    try:
        with store.sessions() as s:
            assert verify(s, store.keys).problems == []
            return (s.scalar(select(func.count()).select_from(IncidentHead)),
                    s.scalar(select(func.count()).select_from(AuditEntry)))
    finally:
        store.close()


def test_sqlite_online_backup_restores_and_verifies(tmp_path):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        for k in range(5):
            assert c.post("/incidents", json=record(f"B-{k}", k)).status_code == 200
        copy = tmp_path / "backup.db"
        # While the server runs: the online backup.
        r = subprocess.run([JIG, "admin", "backup", str(copy), "--data", str(data)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert c.post("/incidents", json=record("AFTER", 9)).status_code == 200
    assert copy.stat().st_mode & 0o077 == 0
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "jig.db").write_bytes(copy.read_bytes())
    (restored / "log-key.pem").write_bytes((data / "log-key.pem").read_bytes())
    (restored / "log-key.pem").chmod(0o600)
    incidents, entries = stored_state(f"sqlite:///{restored / 'jig.db'}", restored)
    assert incidents == 5 and entries >= 6  # the agreement and five intakes, not the later one


def test_a_backup_never_replaces_the_store_its_key_or_makes_folders(tmp_path):
    # A new operator's `jig admin backup jig-data/jig.db` replaced the live database: the
    # server went on writing to the unlinked file, and what it acknowledged after was lost.
    data = tmp_path / "data"
    Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data).close()
    key = (data / "log-key.pem").read_bytes()
    before = (data / "jig.db").stat().st_ino

    def backup(dest: Path) -> subprocess.CompletedProcess:
        return subprocess.run([JIG, "admin", "backup", str(dest), "--data", str(data)],
                              capture_output=True, text=True)

    for dest, why in ((data / "jig.db", "is the store itself"),
                      (data / ".." / "data" / "jig.db-wal", "is the store itself"),
                      (data / "log-key.pem", "is not a SQLite database"),
                      (data, "is a folder"),
                      (tmp_path / "no" / "such" / "copy.db", "no folder")):
        r = backup(dest)
        assert r.returncode == 2 and why in r.stderr and "nothing was written" in r.stderr, \
            (dest, r.stderr)
    assert (data / "jig.db").stat().st_ino == before
    assert (data / "log-key.pem").read_bytes() == key
    assert not (tmp_path / "no").exists()
    # An earlier backup is replaced, as the docs say.
    assert backup(tmp_path / "copy.db").returncode == 0
    assert backup(tmp_path / "copy.db").returncode == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pg_dump_restores_and_verifies(db_url, tmp_path):
    import sqlalchemy as sa

    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        for k in range(5):
            assert c.post("/incidents", json=record(f"P-{k}", k)).status_code == 200
        dump = tmp_path / "jig.dump"
        subprocess.run([str(bin_dir / "pg_dump"), "-Fc", "-f", str(dump), db_url], check=True)
    restored_url = db_url + "_restored"
    admin = sa.create_engine(os.environ["JIG_TEST_PG_URL"].replace(
        "postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = restored_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        subprocess.run([str(bin_dir / "pg_restore"), "--no-owner", "-d", restored_url,
                        str(dump)], check=True)
        incidents, entries = stored_state(restored_url, tmp_path / "data")
        assert incidents == 5 and entries >= 6
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_serve_refuses_a_missing_keys_folder_and_a_lost_signing_key_and_warns_of_a_new_store(
        tmp_path):
    """An operator's review: a restore that kept log-key.pem but not party-keys/ made the
    server mint new party keys, and every determination published before failed its check,
    as a forgery would; a --keys folder that does not exist made a server that said it was
    ready while no party with a key could file anything; a slip in --data made a new store
    that answers without a token, without a word. Each is said in one line, before serving."""
    from jig.readers.fields import to_incident
    from jig.store.reviews import answer, determine, open_review

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([JIG, "serve", "--port", "0", *args], capture_output=True,
                              text=True, timeout=120)

    r = serve("--data", str(tmp_path / "d"), "--keys", str(tmp_path / "no-such-keys"))
    assert r.returncode == 2 and "no-such-keys: no such folder of at-rest keys" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "d").exists()

    data = tmp_path / "data"
    store = Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data)
    try:
        from jig import load_agreement
        from jig.agreement import agreement_document

        path = EXAMPLE / "agreement.yaml"
        store.add_agreement(load_agreement(path), agreement_document(path.read_text(),
                                                                     path.parent))
        store.add_incidents([to_incident(record("R-1", 1), store.intake_tz())])
        review = open_review(store, "R-1", "who struck?", "reviewer", party="RU")
        answer(store, review.row, "RU", "not us", [], "ru-lead")
        determine(store, review.row, "US", "breach", "it was", "us-lead")
    finally:
        store.close()
    (data / "party-keys" / "US.pem").rename(tmp_path / "US.pem")  # a restore without it
    r = serve("--data", str(data))
    assert r.returncode == 2 and "party-keys" in r.stderr and "US.pem" in r.stderr, r.stderr
    assert not (data / "party-keys" / "US.pem").exists()  # none made in its place
    (tmp_path / "US.pem").rename(data / "party-keys" / "US.pem")
    # A log key others may read was refused only at the first write, as a bare 500.
    (data / "log-key.pem").chmod(0o644)
    r = serve("--data", str(data))
    assert r.returncode == 2 and "log-key.pem" in r.stderr and "Traceback" not in r.stderr
    (data / "log-key.pem").chmod(0o600)
    # Restored from an older copy, the log does not extend the head the server kept: every
    # write was a 500 while /ready said ready; now the start says what to do.
    kept = data / "older.db"
    r = subprocess.run([JIG, "admin", "backup", str(kept), "--data", str(data)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    store = Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data)
    try:
        store.add_incidents([to_incident(record("R-2", 2), store.intake_tz())])
    finally:
        store.close()
    for suffix in ("", "-wal", "-shm"):
        (data / f"jig.db{suffix}").unlink(missing_ok=True)
    kept.rename(data / "jig.db")
    r = serve("--data", str(data))
    assert r.returncode == 2 and "move that file aside" in r.stderr, r.stderr

    # A wrong at-rest key: the US saw its records without their sealed fields, and every US
    # intake was a 500.
    from jig.store.sealing import read_keys, write_key

    sealed = tmp_path / "sealed"
    write_key(tmp_path / "keys", "US")
    write_key(tmp_path / "other-keys", "US")
    store = Store.open(f"sqlite:///{sealed / 'jig.db'}", key_folder=sealed,
                       at_rest=read_keys(tmp_path / "keys"))
    try:
        store.add_incidents([to_incident(record("S-1", 1) | {"source": "kept"},
                                         store.intake_tz())], workspace="US")
    finally:
        store.close()
    r = serve("--data", str(sealed), "--keys", str(tmp_path / "other-keys"))
    assert r.returncode == 2 and "US.key does not open US's sealed records" in r.stderr

    # A new store: it serves (so this reads its first lines, then stops it), and says so.
    proc = subprocess.Popen([JIG, "serve", "--port", "0", "--data", str(tmp_path / "typo")],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(2)]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    # Bound before the banner: it names the port really taken, not ":0".
    assert lines[0].startswith("jig serving on http://127.0.0.1:") and ":0 " not in lines[0]
    assert lines[1].startswith(f"warning no store was at {tmp_path / 'typo' / 'jig.db'}: a new, "
                               "empty one was made")


def test_the_servers_connections_send_at_once():
    """`jig serve` binds its socket itself (to name the port it took); bound by
    `socket.create_server`, it said proto 0, so asyncio did not set TCP_NODELAY on the
    connections it accepted, and every answer waited for the client's delayed ACK: 43 ms for
    /health, 17 intakes a second from one client instead of 54. Each accepted connection
    must have TCP_NODELAY set, as asyncio sets it on a TCP socket."""
    import asyncio
    import socket

    from jig.cli.cell import listen

    async def accepted() -> int:
        got: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader, writer):
            sock = writer.get_extra_info("socket")
            got.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listen("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await got
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(accepted()) != 0
