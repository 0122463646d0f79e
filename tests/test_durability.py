"""An acknowledged record survives the server being killed (kill -9) at any moment, and nothing
half-written stays behind: every stored incident has its verdict."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from tests.conftest import EXAMPLE, free_port

from jig.store import Store
from jig.store.tables import IncidentHead, VerdictHead

JIG = str(Path(sys.executable).with_name("jig"))
ROUNDS = 4


def start(db_url: str, data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([JIG, "serve", "--db", db_url, "--data", str(data), "--port",
                             str(port), "--agreement", str(EXAMPLE / "agreement.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}")


def send_until_dead(port: int, first: int, acked: list[str], stop: threading.Event) -> None:
    n = first
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
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
                acked.append(rid)
            n += 1


def test_acknowledged_records_survive_kill_9(db_url, tmp_path):
    rng = random.Random(9)
    acked: list[str] = []
    for round_ in range(ROUNDS):
        port = free_port()
        proc = start(db_url, tmp_path / "data", port)
        stop = threading.Event()
        sender = threading.Thread(target=send_until_dead,
                                  args=(port, round_ * 100_000, acked, stop))
        sender.start()
        time.sleep(rng.uniform(0.4, 1.2))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        sender.join(timeout=30)
    assert len(acked) > 20, "the client got too few answers to test anything"
    store = Store.open(db_url)
    try:
        with store.sessions() as s:
            stored = set(s.scalars(select(IncidentHead.incident_id)))
            heads = s.scalar(select(func.count()).select_from(IncidentHead))
            judged = s.scalar(select(func.count()).select_from(VerdictHead))
    finally:
        store.close()
    missing = [rid for rid in acked if rid not in stored]
    assert missing == [], f"{len(missing)} acknowledged records lost"
    assert heads == judged, "an incident was stored without its verdict"
