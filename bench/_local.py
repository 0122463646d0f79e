"""What the benchmarks share: a throw-away PostGIS server, and `jig serve` on loopback."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


class Unavailable(Exception):
    """A baseline that cannot run on this machine; the message says why."""


@contextmanager
def local_postgis() -> Iterator[Any]:
    """A psycopg connection (autocommit) to a fresh local server with PostGIS, or
    Unavailable saying what is missing."""
    try:
        import psycopg
    except ImportError:
        raise Unavailable("psycopg is not installed") from None
    data = Path(tempfile.mkdtemp())
    script = str(ROOT / "scripts" / "postgres")
    try:
        url = subprocess.run([script, "start", str(data)], capture_output=True, text=True,
                             check=True).stdout.strip()
    except subprocess.CalledProcessError as exc:
        raise Unavailable(f"no PostgreSQL server ({exc.stderr.strip()[-120:]})") from None
    try:
        with psycopg.connect(url, autocommit=True) as con:
            try:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error:
                raise Unavailable("no PostGIS (apt-get install postgresql-15-postgis-3)") \
                    from None
            con.execute("SET max_parallel_workers_per_gather = 0")  # one worker, as jig
            yield con
    finally:
        subprocess.run([script, "stop", str(data)], capture_output=True)


@contextmanager
def serving(*args: str, port: int) -> Iterator[str]:
    """`jig serve ARGS --port PORT` in its own process; yields its base URL once it answers."""
    jig = str(Path(sys.executable).with_name("jig"))
    proc = subprocess.Popen([jig, "serve", *args, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
