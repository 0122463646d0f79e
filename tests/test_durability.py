"""An acknowledged record survives the server being killed (kill -9) at any moment, and nothing
half-written stays behind: every stored incident has its verdict."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
from sqlalchemy import func, select
from tests.conftest import EXAMPLE, free_port, until_serving

from jig.store import Store
from jig.store.rebuild import verify
from jig.store.tables import IncidentHead, VerdictHead

JIG = str(Path(sys.executable).with_name("jig"))
ROUNDS = 4


def start(db_url: str, data: Path, port: int) -> subprocess.Popen:
    """The server, once it answers; however long a loaded machine takes, unless it dies."""
    proc = subprocess.Popen([JIG, "serve", "--db", db_url, "--data", str(data), "--port",
                             str(port), "--agreement", str(EXAMPLE / "agreement.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    until_serving(proc, port, "/health")
    return proc


class Acks:
    """The ids the server acknowledged, and a way to wait until there are so many."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.changed = threading.Condition()

    def add(self, rid: str) -> None:
        with self.changed:
            self.ids.append(rid)
            self.changed.notify_all()

    def wait_for(self, n: int, sender: threading.Thread) -> None:
        with self.changed:
            while len(self.ids) < n and sender.is_alive():
                self.changed.wait(1.0)


def send_until_dead(port: int, first: int, acked: Acks, stop: threading.Event) -> None:
    n = first
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
        while not stop.is_set():
            rid = f"K-{n}"
            record = {"id": rid, "time": "2016-08-01T10:00", "lon": 36.6 + (n % 50) * 0.001,
                      "lat": 35.8, "actor": "Military Forces of Syria (2000-)",
                      "act": "air_strike"}
            try:
                r = c.post("/incidents", json=record)
            except httpx.HTTPError:
                return  # the server is gone: this record was never acknowledged
            if r.status_code == 200:
                acked.add(rid)
            n += 1


def test_acknowledged_records_survive_kill_9(db_url, tmp_path):
    # The kill comes after a random number of answers in each round, while the client keeps
    # sending: counted in answers, not in seconds, so a loaded machine tests as much as an idle
    # one (a kill after a random delay once left too few answers to test anything).
    rng = random.Random(9)
    acked = Acks()
    for round_ in range(ROUNDS):
        port = free_port()
        proc = start(db_url, tmp_path / "data", port)
        stop = threading.Event()
        sender = threading.Thread(target=send_until_dead,
                                  args=(port, round_ * 100_000, acked, stop))
        sender.start()
        acked.wait_for(len(acked.ids) + rng.randint(5, 40), sender)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        sender.join()
    assert len(acked.ids) >= ROUNDS * 5, "the client got too few answers to test anything"
    store = Store.open(db_url, key_folder=tmp_path / "data")
    try:
        with store.sessions() as s:
            stored = set(s.scalars(select(IncidentHead.incident_id)))
            heads = s.scalar(select(func.count()).select_from(IncidentHead))
            judged = s.scalar(select(func.count()).select_from(VerdictHead))
            # Killed mid-write, the log still accounts for every row: entries commit with
            # the rows they record, or not at all.
            assert verify(s, store.keys).problems == []
    finally:
        store.close()
    missing = [rid for rid in acked.ids if rid not in stored]
    assert missing == [], f"{len(missing)} acknowledged records lost"
    assert heads == judged, "an incident was stored without its verdict"
