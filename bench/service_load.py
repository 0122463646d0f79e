"""The service under load on loopback, on an empty store and on one holding 100,000 incidents,
on SQLite and on PostgreSQL with one and with several worker processes; printed side by side.

Run: .venv/bin/python bench/service_load.py [--preload 100000] [--records 600] [--clients 32]
                                            [--pg URL | --no-pg] [--workers 4] [--bulk]
                                            [--no-sqlite]

Each row: single-record intake (one record per request, every client keeping its
connection), records per second, p50 and p99 latency, errors (answers other than 200).
  - SQLite, empty store, 1 client and C clients;
  - SQLite, store preloaded with P incidents, 1 client and C clients: the target is a rate
    within 2x of the empty store's;
  - PostgreSQL (a throw-away server started with scripts/postgres unless --pg is given),
    preloaded, 1 worker process and W worker processes at C clients: the target is W
    workers >= 3x one worker; p99 under 250 ms at C clients; 0 errors everywhere.
The preload writes incidents judged by the pure engine straight into the tables, with
their verdicts, findings and heads (not through intake, whose fsync per record would take
hours on a shared disk; the log then holds no entries for them, which intake does not
read). --bulk adds the older measures: JSON lists of 500, a CSV file through a job, bbox
queries. Loopback only; bounded in count.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
JIG = str(Path(sys.executable).with_name("jig"))


def record(i: int, rng: random.Random, prefix: str) -> dict:
    when = f"2016-08-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00"
    return {"id": f"{prefix}{i}", "time": when,
            "lon": round(rng.uniform(36.4, 37.2), 5), "lat": round(rng.uniform(35.5, 36.1), 5),
            "precision_m": rng.choice([0, 1000, 5000]),
            "actor": rng.choice(["Military Forces of Syria (2000-)",
                                 "Military Forces of Russia (2015-)", "Jabhat Fateh al-Sham"]),
            "target": "Jabhat Fateh al-Sham", "act": rng.choice(["air_strike", "shelling"])}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


# -- the preload ------------------------------------------------------------------------------

def preload(url: str, keys: Path, n: int) -> float:
    """Store the agreement, then n incidents judged by the engine, written straight into the
    tables in a few transactions. Returns the seconds it took."""
    from sqlalchemy import func, insert, select, text

    from jig.agreement import agreement_document, load_agreement
    from jig.engine import check
    from jig.readers.fields import to_incident
    from jig.store import Store
    from jig.store.judging import _findings_hash
    from jig.store.records import content_hash, incident_record
    from jig.store.tables import (
        FindingRecord,
        IncidentHead,
        IncidentRevision,
        VerdictHead,
        VerdictRecord,
    )

    t0 = time.perf_counter()
    store = Store.open(url, key_folder=keys)
    version, _ = store.add_agreement(load_agreement(AGREEMENT), agreement_document(
        AGREEMENT.read_text(encoding="utf-8"), AGREEMENT.parent))
    agreement = store.load(version)
    rng = random.Random(7)
    incidents = [to_incident(record(i, rng, "P"), agreement.tz) for i in range(n)]
    verdicts = check(agreement, incidents, [], evidence=incidents)
    now = datetime.now(UTC)
    with store.engine.begin() as c:
        base = c.scalar(select(func.coalesce(func.max(IncidentRevision.row), 0)))
        vbase = c.scalar(select(func.coalesce(func.max(VerdictRecord.row), 0)))
        revs, heads, vrecs, vheads, finds = [], [], [], [], []
        for k, (inc, v) in enumerate(zip(incidents, verdicts, strict=True)):
            row, vrow = base + k + 1, vbase + k + 1
            rec = incident_record(inc)
            revs.append(dict(row=row, incident_id=inc.id, revision=1,
                             content_hash=content_hash(rec), record=rec, lon=inc.lon,
                             lat=inc.lat, precision_m=inc.precision_m, t_start=inc.span.start,
                             t_end=inc.span.end, actor=inc.actor, received_at=now,
                             origin="preload", workspace="joint"))
            heads.append(dict(workspace="joint", incident_id=inc.id, row=row))
            vrecs.append(dict(row=vrow, incident_row=row, agreement_row=version.row,
                              agreement_hash=version.content_hash, incident_id=inc.id,
                              verdict=v.verdict, actor_id=agreement.match_actor(inc.actor)[0],
                              findings_hash=_findings_hash(v), judged_at=now, scope="joint"))
            vheads.append(dict(incident_id=inc.id, agreement_id=version.agreement_id,
                               scope="joint", workspace="joint", verdict_row=vrow,
                               incident_row=row))
            for f in v.findings:
                d = f.as_dict()
                finds.append(dict(verdict_row=vrow, clause=f.clause, outcome=f.outcome,
                                  reason=f.reason, p=f.p,
                                  detail={k2: x for k2, x in d.items()
                                          if k2 not in ("clause", "outcome", "reason", "p")}))
        for table, rows in ((IncidentRevision, revs), (IncidentHead, heads),
                            (VerdictRecord, vrecs), (VerdictHead, vheads),
                            (FindingRecord, finds)):
            for k in range(0, len(rows), 5000):
                c.execute(insert(table), rows[k:k + 5000])
        if c.dialect.name == "postgresql":
            # Rows were numbered here: move the sequences past them.
            for table in ("incident_revisions", "verdicts", "findings"):
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'row'), "
                               f"(SELECT max(row) FROM {table}))"))
        c.execute(text("ANALYZE"))
    store.close()
    return time.perf_counter() - t0


# -- the service and its load -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(*args: str):
    port = free_port()
    proc = subprocess.Popen([JIG, "serve", *args, "--port", str(port), "--no-access-log",
                             "--agreement", str(AGREEMENT)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:])
            try:
                if httpx.get(base + "/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def load(base: str, records: list[dict], clients: int) -> dict:
    """Post every record, one a request, from `clients` threads each keeping its connection.

    The clients speak HTTP through the standard library's `http.client`, not httpx: the load
    generator shares the machine's cores with the server, and httpx cost some 3.5 ms of CPU a
    request here against 0.4 ms, a quarter of what the server itself spends. The client's CPU
    a request is returned (`client_cpu_ms`) so that share stays visible."""
    local = threading.local()
    errors = [0]
    host, port = base.removeprefix("http://").rsplit(":", 1)

    def post_one(rec: dict) -> float:
        body = json.dumps(rec).encode()
        t = time.perf_counter()
        try:
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection(host, int(port), timeout=120)
            local.conn.request("POST", "/incidents", body, {"Content-Type": "application/json"})
            answer = local.conn.getresponse()
            answer.read()
            if answer.status != 200:
                errors[0] += 1
        except (OSError, http.client.HTTPException):
            errors[0] += 1
            local.conn.close()
        return time.perf_counter() - t

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        lat = list(pool.map(post_one, records))
    wall = time.perf_counter() - t0
    return {"rate": len(records) / wall, "p50": pct(lat, 0.5), "p99": pct(lat, 0.99),
            "errors": errors[0], "n": len(records),
            "client_cpu_ms": (time.process_time() - cpu0) / max(len(records), 1) * 1000}


def fresh_records(n: int, tag: str) -> list[dict]:
    rng = random.Random(hash(tag) & 0xFFFF)
    return [record(i, rng, f"{tag}-") for i in range(n)]


def bulk_and_queries(base: str, n: int) -> None:
    rng = random.Random(1)
    lists = [[record(i, rng, f"B{k}-") for i in range(500)] for k in range(max(1, n // 500))]
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600) as c:
        for batch in lists:
            c.post("/incidents", json=batch).raise_for_status()
    total = sum(len(b) for b in lists)
    print(f"bulk intake (JSON lists of 500): {total / (time.perf_counter() - t0):,.0f} records/s")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(record(0, rng, "F").keys()))
    w.writeheader()
    for i in range(n):
        w.writerow(record(i, rng, "F"))
    with httpx.Client(base_url=base, timeout=600) as c:
        t0 = time.perf_counter()
        job = c.post("/incidents/bulk?filename=load.csv", content=buf.getvalue().encode(),
                     headers={"content-type": "text/csv"}).json()["job"]
        while c.get(f"/jobs/{job}").json()["status"] not in ("done", "failed"):
            time.sleep(0.05)
        print(f"bulk intake (CSV file, background job): "
              f"{n / (time.perf_counter() - t0):,.0f} records/s")
    qlat = []
    with httpx.Client(base_url=base, timeout=60) as c:
        for _ in range(300):
            lon, lat0 = rng.uniform(36.4, 36.9), rng.uniform(35.5, 35.9)
            t = time.perf_counter()
            c.get("/incidents", params={"bbox": f"{lon},{lat0},{lon + 0.5},{lat0 + 0.45}",
                                        "limit": 100}).raise_for_status()
            qlat.append(time.perf_counter() - t)
    print(f"bbox query (limit 100): p50 {pct(qlat, 0.5):.1f} ms, p99 {pct(qlat, 0.99):.1f} ms")


@contextmanager
def postgres(url: str | None):
    """A database on the server at `url`, or on a throw-away server of scripts/postgres."""
    import sqlalchemy as sa

    folder = None
    if url is None:
        folder = tempfile.mkdtemp(prefix="jig-bench-pg.")
        url = subprocess.run([str(ROOT / "scripts" / "postgres"), "start", folder],
                             capture_output=True, text=True, check=True).stdout.strip()
    name = f"jig_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if folder is not None:
            subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", folder],
                           capture_output=True)


def sqlite_rows(rows: list[tuple[str, dict]], args: argparse.Namespace) -> None:
    n, c = args.records, args.clients
    empty = Path(tempfile.mkdtemp())
    with serving("--data", str(empty)) as base:
        rows.append(("SQLite, empty store, 1 client", load(base, fresh_records(n // 3, "e1"), 1)))
        rows.append((f"SQLite, empty store, {c} clients", load(base, fresh_records(n, "ec"), c)))
        if args.bulk:
            bulk_and_queries(base, 2000)

    full = Path(tempfile.mkdtemp())
    took = preload(f"sqlite:///{full / 'jig.db'}", full, args.preload)
    print(f"preloaded {args.preload:,} incidents into SQLite in {took:.0f} s")
    with serving("--data", str(full)) as base:
        rows.append((f"SQLite, {args.preload:,} incidents, 1 client",
                     load(base, fresh_records(n // 3, "f1"), 1)))
        rows.append((f"SQLite, {args.preload:,} incidents, {c} clients",
                     load(base, fresh_records(n, "fc"), c)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preload", type=int, default=100_000)
    ap.add_argument("--records", type=int, default=600, help="records posted per row")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--pg", help="a PostgreSQL server URL (a database is made on it)")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL rows")
    ap.add_argument("--bulk", action="store_true")
    args = ap.parse_args()
    rows: list[tuple[str, dict]] = []
    n, c = args.records, args.clients
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]}")

    if not args.no_sqlite:
        sqlite_rows(rows, args)

    if not args.no_pg:
        with postgres(args.pg) as url:
            keys = Path(tempfile.mkdtemp())
            took = preload(url, keys, args.preload)
            print(f"preloaded {args.preload:,} incidents into PostgreSQL in {took:.0f} s")
            for workers in (1, args.workers):
                with serving("--db", url, "--data", str(keys), "--workers", str(workers),
                             "--threads", str(max(4, 32 // workers))) as base:
                    rows.append((f"PostgreSQL, {args.preload:,} incidents, {workers} "
                                 f"worker{'s' if workers > 1 else ''}, {c} clients",
                                 load(base, fresh_records(n, f"pg{workers}"), c)))

    with open("/proc/loadavg") as fh:
        print(f"load average at end: {fh.read().split()[0]}")
    width = max(len(name) for name, _ in rows)
    print(f"\n{'single-record intake':<{width}}  records/s   p50 ms   p99 ms  errors  "
          "client CPU ms a request")
    for name, r in rows:
        print(f"{name:<{width}}  {r['rate']:9.1f} {r['p50']:8.1f} {r['p99']:8.1f}  "
              f"{r['errors']:6d}  {r['client_cpu_ms']:6.2f}")
    if not args.no_sqlite:
        e1, f1 = rows[0][1], rows[2][1]
        print(f"\nSQLite, 1 client: preloaded store at {f1['rate'] / e1['rate']:.2f}x the empty "
              "store's rate (target >= 0.5)")
    pg = [r for name, r in rows if name.startswith("PostgreSQL")]
    if len(pg) == 2:
        print(f"PostgreSQL: {args.workers} workers at {pg[1]['rate'] / pg[0]['rate']:.2f}x one "
              "worker's rate (target >= 3)")


if __name__ == "__main__":
    main()
