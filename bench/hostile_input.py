"""How cheaply the service refuses hostile input (issue 19): each attack's answer and time.

Run: .venv/bin/python bench/hostile_input.py [--port P]

Starts `jig serve --open` (SQLite in a temporary folder) as its own process, with the 2016
example agreement, then sends on loopback: a 368-byte YAML alias bomb (issue 19's 486-byte one
took the server to 3 GB in 36 s before the alias bound), a bulk upload declaring 2 GiB (refused from its
headers, before a byte of body), a 64 MiB JSON list of records, a record with
`precision_m=1e308`, and a bulk filename `../../x.csv`. Prints each answer's status, code and
wall time, and the server's resident memory after them (from /proc).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from _local import serving

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
BOMB = 'jig: 1\nid: bomb\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + \
    "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)) + "title: *i\n"
STRIKE = {"id": "S-1", "time": "2016-08-01T10:00", "lon": 36.6, "lat": 35.8,
          "actor": "Military Forces of Syria (2000-)", "act": "air_strike"}


def declared_only(port: int, path: str, length: int) -> tuple[int, float]:
    """Send only the headers of a request declaring `length` bytes; the status and time."""
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                  f"Content-Length: {length}\r\n\r\n".encode())
        head = s.recv(4096).decode("latin-1")
    return int(head.split()[1]), time.perf_counter() - t


def rss_mb(port: int) -> float | None:
    """The resident memory of the process listening on `port` (Linux, via ss and /proc)."""
    out = subprocess.run(["ss", "-ltnp", f"sport = :{port}"], capture_output=True,
                         text=True).stdout
    if "pid=" not in out:
        return None
    pid = out.split("pid=")[1].split(",")[0]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=18471)
    args = ap.parse_args()
    data = tempfile.mkdtemp()
    with serving("--data", data, "-a", str(AGREEMENT), "--open", port=args.port) as base, \
            httpx.Client(base_url=base, timeout=600) as c:
        print(f"server RSS at start: {rss_mb(args.port) or float('nan'):.0f} MB")
        print(f"{'attack':44} {'status':>6} {'code':28} {'time':>9}")

        def show(what: str, r: httpx.Response, t: float) -> None:
            code = r.json().get("error", {}).get("code", "") if r.status_code >= 400 else ""
            print(f"{what:44} {r.status_code:>6} {code:28} {t * 1000:7.1f} ms")

        for what, send in (
            (f"YAML alias bomb ({len(BOMB)} bytes)", lambda: c.post(
                "/agreements", json={"yaml": BOMB})),
            ("64 MiB JSON list of records", lambda: c.post(
                "/incidents", content=json.dumps([STRIKE | {"notes": "x" * 2**20}] * 64),
                headers={"content-type": "application/json"})),
            ("precision_m=1e308", lambda: c.post("/incidents", json=STRIKE | {
                "precision_m": 1e308})),
            ("bulk filename ../../x.csv", lambda: c.post(
                "/incidents/bulk", params={"filename": "../../x.csv"}, content=b"id\n")),
            ("bbox=nan,nan,nan,nan", lambda: c.get("/incidents?bbox=nan,nan,nan,nan")),
        ):
            t = time.perf_counter()
            r = send()
            show(what, r, time.perf_counter() - t)
        status, t = declared_only(args.port, "/incidents/bulk?filename=big.csv", 2**31)
        print(f"{'bulk declaring 2 GiB (headers only)':44} {status:>6} {'request.too_large':28} "
              f"{t * 1000:7.1f} ms")
        print(f"server RSS after: {rss_mb(args.port) or float('nan'):.0f} MB")


if __name__ == "__main__":
    main()
