"""Intakes taken together: small intakes waiting at the same moment share one transaction
(what databases call a group commit).

Taken one at a time, every request paid a transaction of its own (a commit with its fsync,
the log's lock and signature, the versions read, the engine set up) while the others queued
for the writer's turn: 32 clients got no more records through than one, each waiting ~1.2 s.
Here the thread whose turn it is takes every small intake waiting then and stores them in one
transaction, each still in its own part (`_add_incidents` with its workspace, user and audit
entry) and in the order they came; the others find their answer ready when their turn comes.
The parts run one after another in the transaction, so each sees the ones before it as it
would have one transaction later: the same records, verdicts and log entries, fewer commits.

A batch that fails is run again one intake at a time, so each caller gets its own answer or
its own error, never another's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from jig.records import Incident

# Intakes of more records than this run on their own: a bulk job's chunk must not make a
# one-record intake wait for all of its judging in the same transaction.
SMALL = 50
# Records in one shared transaction, at most.
MOST = 500


class Key(NamedTuple):
    """What an intake is stored with besides its incidents: `add`'s arguments after them, in
    order. Intakes share a part only when their keys are equal."""

    origin: str | None
    workspace: str
    user: str
    read_in: Any  # the time zone its incidents were read in, if given


@dataclass(eq=False)
class Waiting:
    """One caller's intake, and once its batch ran, its answer or its error."""

    incidents: Sequence[Incident]
    key: Key
    done: bool = False
    result: Any = None
    error: BaseException | None = None


Part = list[Waiting]
# Stores one part's incidents in the session: (session, incidents, origin, workspace, user,
# read_in).
AddPart = Callable[[Session, Sequence[Incident], Any, str, str, Any], list[Any]]


class Together:
    """Runs `add(session, incidents, origin, workspace, user, read_in)` for intakes, waiting
    ones together in one `transaction`."""

    def __init__(self, transaction: Callable[[Callable[[Session], Any]], Any], add: AddPart):
        self.transaction, self.add = transaction, add
        self._waiting: list[Waiting] = []
        self._queue = threading.Lock()  # guards _waiting
        self._turn = threading.Lock()  # one batch at a time in this process

    def add_incidents(self, incidents: Sequence[Incident], origin: str | None, workspace: str,
                      user: str, read_in: Any = None) -> list[Any]:
        me = Waiting(incidents, Key(origin, workspace, user, read_in))
        if len(incidents) > SMALL:
            return self._run_alone(me)
        with self._queue:
            self._waiting.append(me)
        while not me.done:
            with self._turn:
                if not me.done:
                    self._run(self._take())
        if me.error is not None:
            raise me.error
        return me.result

    def _take(self) -> list[Waiting]:
        """The oldest waiting intakes, MOST records at most (one at least)."""
        with self._queue:
            taken, n = 0, 0
            for w in self._waiting:
                if taken and n + len(w.incidents) > MOST:
                    break
                taken, n = taken + 1, n + len(w.incidents)
            batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return batch

    def _run_alone(self, w: Waiting) -> list[Any]:
        return self.transaction(lambda s: self.add(s, w.incidents, *w.key))

    def _alone(self, w: Waiting) -> None:
        try:
            w.result = self._run_alone(w)
        except Exception as exc:  # the caller's to raise, not the thread's that ran it
            w.error = exc

    def _run(self, batch: list[Waiting]) -> None:
        try:
            if len(batch) == 1:
                self._alone(batch[0])
            else:
                self._together(batch)
        finally:
            for w in batch:
                if w.result is None and w.error is None:  # the running thread was stopped
                    w.error = RuntimeError("the intake was interrupted before it was answered")
                w.done = True

    def _together(self, batch: list[Waiting]) -> None:
        parts = _parts(batch)

        def work(s: Session) -> list[list[Any]]:
            out = []
            for part in parts:
                out.append(self.add(s, [i for w in part for i in w.incidents], *part[0].key))
            return out

        try:
            answers = self.transaction(work)
        except Exception:
            for w in batch:  # each alone: its own answer or its own error
                self._alone(w)
            return
        for part, stored in zip(parts, answers, strict=True):
            at = 0
            for w in part:
                w.result, at = stored[at:at + len(w.incidents)], at + len(w.incidents)


def _parts(batch: list[Waiting]) -> list[Part]:
    """Consecutive intakes with the same key and no id in common, as one part each: an id sent
    twice at once is stored by the first and found by the second, as if one came later."""
    parts: list[Part] = []
    ids: set[str] = set()
    for w in batch:
        mine = {inc.id for inc in w.incidents}
        if parts and parts[-1][0].key == w.key and ids.isdisjoint(mine):
            parts[-1].append(w)
            ids |= mine
        else:
            parts.append([w])
            ids = mine
    return parts
