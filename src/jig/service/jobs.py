"""Background jobs: bulk files taken in, and re-judging after an amendment.

A job is a row in the store; its file is spooled to disk before the 202 is sent, so an
accepted job survives a restart: on start, jobs left running are queued again, and since
intake is idempotent, running a job twice stores each record once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from jig.errors import JigError
from jig.readers import Gazetteer, Reject
from jig.service.metrics import taken
from jig.signing import job_valid, public_text, sign_job
from jig.store import Store, audit
from jig.store.importer import ImportCounts, import_files
from jig.store.sealing import seal_text
from jig.store.store import now
from jig.store.tables import JOB_SEAL, Job, JobReject

log = logging.getLogger("jig.jobs")


def _public(job: Job, text: str) -> str:
    """A message about a spooled file, naming it as the client did: the server's own folders
    are nobody else's business."""
    path = job.params.get("path")
    return text.replace(path, job.params.get("filename") or "upload") if path else text


def fsync_folder(folder: Path) -> None:
    """Make a new file's name in `folder` durable (the file's own fsync does not)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_job(store: Store, kind: str, orders: dict[str, Any]) -> int:
    """Queue a job, its orders signed with the server's key: jobs are not state (their rows
    change as they run and are not in the log), yet a bulk job stores records as the user and
    workspace it names, so a row written in the database by anyone else must not run
    (`orders_problem`). That it was queued, and with what orders, is logged: a job answered
    202 and then deleted from the database is named by `jig audit verify`."""
    with store.writing() as s:
        job = Job(kind=kind, status="queued", params=orders, read=0, stored=0, unchanged=0,
                  rejected=0, created_at=now())
        s.add(job)
        s.flush()
        job.params = orders | {JOB_SEAL: {"keys": sorted(orders), "signature": sign_job(
            store.keys.server(), job.row, kind, orders)}}
        # The id in the entry's detail, not its subject: the log's list shows subjects to
        # the reviewer, and a job's id is its workspace's.
        audit.append(s, str(orders.get("user") or "system"), "job.queue", "jobs",
                     {"job": job.row, "kind": kind, "orders": audit.orders_digest(orders)})
        return job.row


def orders_problem(store: Store, job: Job) -> str | None:
    """Why a job is not run as this server queued it, or None: its orders unsigned or changed
    since, or its spooled file not the one accepted."""
    seal = job.params.get(JOB_SEAL)
    keys = seal.get("keys") if isinstance(seal, dict) else None
    if not isinstance(keys, list) or not job_valid(
            job.row, job.kind, {k: job.params.get(k) for k in keys if isinstance(k, str)},
            str(seal.get("signature")), public_text(store.keys.server())):
        return f"job {job.row} was not queued by this server as it stands (its orders are " \
               "not signed by the server's key): not run"
    if job.kind == "bulk" and job.params.get("sha256") != _sha256(Path(job.params["path"])):
        return f"job {job.row}: the file accepted for it has changed or is gone: not run"
    return None


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def reject_aad(job: int, column: str) -> bytes:
    """What binds a sealed rejected row to its job."""
    return f"reject\x1f{job}\x1f{column}".encode()


@dataclass
class Progress:
    """How far a job run by this process has got: kept in memory, for the job's endpoint
    (rows per second and time elapsed count from when the worker took the job, not from when
    it was queued)."""

    started: float  # time.monotonic()
    rows: int = 0
    bytes_read: int = 0
    bytes_total: int = 0
    ended: float | None = None

    def as_dict(self) -> dict[str, Any]:
        elapsed = (self.ended if self.ended is not None else time.monotonic()) - self.started
        return {"bytes_read": self.bytes_read, "bytes_total": self.bytes_total or None,
                "elapsed_s": elapsed,
                "rows_per_s": self.rows / elapsed if elapsed > 0 else None}


class Worker:
    """Runs queued jobs one at a time in a thread of the server process."""

    def __init__(self, store: Store, batch: int, gazetteer: list[Path],
                 rejects_kept: int = 10_000):
        self.store = store
        self.batch = batch
        # A file of garbage must not become a table of garbage (a 200 MB file once left
        # 195,264 rows): past this many, rejected rows are counted, not kept.
        self.rejects_kept = rejects_kept
        self.gazetteer_files = gazetteer
        self.progress: dict[int, Progress] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jig-jobs", daemon=True)

    def start(self) -> None:
        with self.store.writing() as s:
            s.execute(update(Job).where(Job.status == "running").values(status="queued"))
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def poke(self) -> None:
        self._wake.set()

    def _claim(self) -> Job | None:
        """The oldest queued job, taken for this process (several may poll one database),
        its attempts counted."""
        with self.store.writing() as s:
            for job in s.scalars(select(Job).where(Job.status == "queued")
                                  .order_by(Job.created_at, Job.row)):
                params = job.params | {"attempts": job.params.get("attempts", 0) + 1}
                claimed = s.execute(update(Job).where(Job.row == job.row, Job.status == "queued")
                                    .values(status="running", params=params))
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    job.params = params
                    return job
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._claim()
            except (OperationalError, InterfaceError, PoolTimeout) as exc:
                # The database is down: wait and ask again (the thread died here before, and
                # no job ran once the database was back).
                log.warning("jobs: the store is unavailable: %s", exc)
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            if job is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self.progress[job.row] = Progress(time.monotonic())
            problem = orders_problem(self.store, job)
            if problem is not None:
                # Nothing of it is touched, its file included: it is evidence.
                log.warning("jobs: %s", problem)
                self._finish(job.row, "failed", problem)
                continue
            try:
                if job.kind == "bulk":
                    try:
                        self._bulk(job)
                    finally:
                        # The spooled file held a party's records: not kept past its job.
                        folder = Path(job.params["path"]).parent
                        if folder.parent.name == "spool":
                            shutil.rmtree(folder, ignore_errors=True)
                elif job.kind == "rejudge":
                    self._rejudge(job)
                self._finish(job.row, "done", None)
            except JigError as exc:
                self._finish(job.row, "failed", _public(job, "; ".join(
                    str(p) for p in exc.problems)))
            except LookupError as exc:
                self._finish(job.row, "failed", str(exc.args[0]))
            except Exception as exc:  # a job must fail visibly, not kill the worker
                log.exception("job %s failed", job.row)
                self._finish(job.row, "failed", f"{type(exc).__name__}: {exc}")

    def _finish(self, row: int, status: str, error: str | None) -> None:
        if row in self.progress:
            self.progress[row].ended = time.monotonic()
        with self.store.writing() as s:
            s.execute(update(Job).where(Job.row == row).values(status=status, error=error,
                                                               finished_at=now()))

    def _bulk(self, job: Job) -> None:
        gaz = Gazetteer.from_files(list(self.gazetteer_files)) if self.gazetteer_files else None
        with self.store.writing() as s:
            # A run after an interruption starts again from the file's first row: the counts
            # and rejects of the run that died are replaced, not added to.
            s.execute(delete(JobReject).where(JobReject.job_row == job.row))
            s.execute(update(Job).where(Job.row == job.row).values(
                read=0, stored=0, unchanged=0, rejected=0))
        name = job.params.get("filename")
        workspace = job.params.get("workspace", "joint")
        live = self.progress[job.row]
        seen = {"stored": 0, "unchanged": 0, "kept": 0}

        def progress(c: ImportCounts, bad: list[Reject]) -> None:
            taken(["stored"] * (c.stored - seen["stored"])
                  + ["unchanged"] * (c.unchanged - seen["unchanged"]))
            seen.update(stored=c.stored, unchanged=c.unchanged)
            live.rows, live.bytes_read, live.bytes_total = c.read, c.bytes_read, c.bytes_total
            room = max(self.rejects_kept - seen["kept"], 0)
            seen["kept"] += min(room, len(bad))
            with self.store.writing() as s:
                for r in bad[:room]:
                    # A rejected row is the party's record as sent, its sources and notes too:
                    # sealed under the party's key like the records that were taken.
                    s.add(JobReject(job_row=job.row, file=name,
                                    line=r.origin.line if r.origin.line is not None
                                    else r.origin.feature, code=r.code, field=r.field,
                                    reason=seal_text(s, workspace, _public(job, r.reason),
                                                     reject_aad(job.row, "reason")),
                                    raw=seal_text(s, workspace, r.raw,
                                                  reject_aad(job.row, "raw"))))
                s.execute(update(Job).where(Job.row == job.row).values(
                    read=c.read, rejected=c.rejected, stored=c.stored, unchanged=c.unchanged))

        import_files(self.store, [Path(job.params["path"])], gazetteer=gaz, batch=self.batch,
                     origin=name, on_batch=progress,
                     workspace=workspace,
                     user=job.params.get("user", "local"))

    def _rejudge(self, job: Job) -> None:
        version = self.store.version(job.params["agreement_id"], job.params.get("version"))
        added = self.store.rejudge(version)
        with self.store.writing() as s:
            # Counted by scope: what a side is shown is its own and the joint centre's count.
            s.execute(update(Job).where(Job.row == job.row).values(
                stored=sum(added.values()), params=job.params | {"added": added}))
