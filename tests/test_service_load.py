"""The service under concurrent load, on SQLite and PostgreSQL: real threads posting to a real
server, outcomes asserted (every answer, every record stored once and judged), never timings."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from tests.conftest import EXAMPLE, incident, notice, wait_for_job
from tests.test_evidence_index import example_with_document

from jig import load_agreement
from jig.store import Store
from jig.store.rebuild import verify
from jig.store.tables import IncidentHead, IncidentRevision, VerdictHead


def record(rid: str, k: int = 0) -> dict[str, Any]:
    return {"id": rid, "time": "2016-08-01T10:00", "lon": 36.6 + k * 0.001, "lat": 35.8,
            "actor": "Military Forces of Syria (2000-)", "act": "air_strike"}


def together(n: int, work) -> list[Any]:
    """Run work(i) in n threads released at once; every result, or the first exception."""
    start = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            out[i] = work(i)
        except BaseException as exc:  # reported by the test, not lost in the thread
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in out:
        if isinstance(r, BaseException):
            raise r
    return out


def test_sixteen_clients_sending_one_id_store_it_once(server):
    # Before: on PostgreSQL 222 of 480 answered 500 (IntegrityError on id + content hash).
    def send(_: int) -> list[tuple[int, str]]:
        got = []
        with httpx.Client(base_url=server.url, timeout=120) as c:
            for _ in range(5):
                r = c.post("/incidents", json=record("SAME-1"))
                got.append((r.status_code, r.json()["results"][0]["status"]
                            if r.status_code == 200 else r.text))
        return got

    answers = [a for got in together(16, send) for a in got]
    assert {code for code, _ in answers} == {200}, [a for a in answers if a[0] != 200][:3]
    assert Counter(status for _, status in answers) == {"stored": 1, "unchanged": 79}
    with httpx.Client(base_url=server.url, timeout=60) as c:
        body = c.get("/incidents/SAME-1").json()
    assert len(body["revisions"]) == 1
    assert len(body["history"]) == 1  # judged once


def test_thirty_two_writers_are_all_answered_and_judged(server, db_url, tmp_path):
    # Before: on PostgreSQL every request of 32 writers waited for the pool and failed (a
    # write held one connection while reading the versions on another; pool 10+10 < 40).
    def send(i: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            return [c.post("/incidents", json=record(f"W{i}-{k}", k)).status_code
                    for k in range(3)]

    codes = [c for got in together(32, send) for c in got]
    assert codes == [200] * 96
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            assert s.scalar(select(func.count()).select_from(IncidentHead)) == 96
            assert s.scalar(select(func.count()).select_from(VerdictHead)) == 96
            assert verify(s, store.keys).problems == []
    finally:
        store.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_no_write_takes_a_second_connection(db_url, tmp_path):
    # With one connection in the pool, a write that checks out another while it holds its own
    # can never get it: it would wait out the pool's timeout and fail.
    example = load_agreement(EXAMPLE / "agreement.yaml")
    store = Store.open(db_url, key_folder=tmp_path, pool_size=1)
    try:
        store.engine.pool._timeout = 5  # fail fast, not after 30 s: it can never succeed
        agreement, document = example_with_document()
        version, _ = store.add_agreement(agreement, document)
        stored = store.add_incidents([incident(example, "N-1", lon=36.6, lat=35.8,
                                               actor="Military Forces of Syria (2000-)",
                                               act="air_strike")])
        assert stored[0].status == "stored"
        store.add_notices([notice(example, id="NT-1", party="RU", time="2016-08-01T09:00",
                                  exception="imminent-threat", incident="N-1")])
        store.rejudge(version)
        with store.sessions() as s:
            assert s.scalar(select(func.count()).select_from(IncidentRevision)) == 1
    finally:
        store.close()


def test_one_record_is_not_kept_waiting_for_a_whole_bulk_job(server, client, db_url, tmp_path):
    # A bulk job commits batch by batch (7 rows in the test server): a record sent while it
    # runs is stored between two batches, not after the last. Shown by the order of the rows,
    # not by a clock.
    rows = 600
    lines = ["id,time,lon,lat,actor,act"] + [
        f"BJ-{i},2016-08-01T10:00,{36.6 + i * 1e-5:.5f},35.8,Military Forces of Syria (2000-),"
        "air_strike" for i in range(rows)]
    job = client.post("/incidents/bulk?filename=big.csv",
                      content="\n".join(lines).encode()).json()["job"]
    while True:
        state = client.get(f"/jobs/{job}").json()
        assert state["status"] != "done", "the job ended before a record could be sent"
        if state["status"] == "running" and state["read"] > 0:
            break
        time.sleep(0.02)  # polling interval
    assert client.post("/incidents", json=record("ALONE")).status_code == 200
    assert wait_for_job(client, job)["status"] == "done"
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            alone = s.scalar(select(IncidentRevision.row).where(
                IncidentRevision.incident_id == "ALONE"))
            last = s.scalar(select(func.max(IncidentRevision.row)).where(
                IncidentRevision.incident_id.like("BJ-%")))
    finally:
        store.close()
    assert alone < last
