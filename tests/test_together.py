"""Intakes made at the same moment share one transaction (store/together.py): each caller gets
its own answer or its own error, and the store ends as if they had come one after another.

The tests hold the store's turn while intakes queue up behind it, so that which intakes share
a transaction is decided by the test, not by the machine's timing."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import incident

from jig.store.rebuild import verify
from jig.store.tables import AuditEntry, VerdictHead, VerdictRecord

ACTORS = ("Military Forces of Syria (2000-)", "Military Forces of Russia (2015-)",
          "Jabhat Fateh al-Sham")


def batches(agreement: Any, sizes: list[int], seed: int = 5) -> list[list[Any]]:
    """Incidents close together in space and time, by acts' and evidence's actors, so that
    later records are evidence for earlier ones and verdicts change as they arrive."""
    rng = random.Random(seed)
    out, k = [], 0
    for n in sizes:
        out.append([incident(agreement, f"T{(k := k + 1)}", time=f"2016-08-01T{rng.randint(8, 14):02d}:00",
                             lon=round(rng.uniform(36.60, 36.66), 4),
                             lat=round(rng.uniform(35.78, 35.84), 4), actor=rng.choice(ACTORS),
                             act="air_strike", target="Jabhat Fateh al-Sham")
                    for _ in range(n)])
    return out


def queued(store: Any, calls: list[tuple[list[Any], str]]) -> tuple[list[Any], int]:
    """Each (incidents, user) intake from its own thread, all queued behind the held turn and
    then let go: every answer (or exception), and how many transactions they took."""
    together = store._together
    ran = [0]
    plain = together.transaction

    def counted(work):
        ran[0] += 1
        return plain(work)

    together.transaction = counted
    out: list[Any] = [None] * len(calls)

    def send(i: int) -> None:
        try:
            out[i] = store.add_incidents(calls[i][0], origin="api", user=calls[i][1])
        except Exception as exc:  # asserted by the test
            out[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(calls))]
    try:
        with together._turn:
            for i, t in enumerate(threads):
                t.start()
                # Queued in this order: the next starts once this one waits in the queue
                # (polled: the queue has no event to wait on; a dead thread fails the test).
                while len(together._waiting) < i + 1:
                    assert t.is_alive(), f"the intake never queued: {out[i]!r}"
                    time.sleep(0.001)
        for t in threads:
            t.join()
    finally:
        together.transaction = plain
    return out, ran[0]


def current(store: Any) -> dict[str, tuple[str, str]]:
    with store.sessions() as s:
        return {h.incident_id: (v.verdict, v.findings_hash) for h, v in s.execute(
            select(VerdictHead, VerdictRecord).join(
                VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row))}


def test_waiting_intakes_share_one_transaction_and_end_as_one_by_one(example_store, db_url,
                                                                     tmp_path):
    store, agreement = example_store
    sent = batches(agreement, [1, 3, 1, 2, 1])
    answers, transactions = queued(store, [(b, "analyst") for b in sent])
    assert transactions == 1
    for batch, answer in zip(sent, answers, strict=True):
        assert [(a.id, a.status, a.revision) for a in answer] == \
            [(inc.id, "stored", 1) for inc in batch]
        assert all(a.row > 0 for a in answer)
    # The same records, one intake after another, in a store of their own.
    from tests.conftest import EXAMPLE

    from jig.agreement import agreement_document
    from jig.store import Store

    alone = Store.open(f"sqlite:///{tmp_path / 'alone.db'}", key_folder=tmp_path)
    try:
        path = EXAMPLE / "agreement.yaml"
        alone.add_agreement(agreement, agreement_document(path.read_text(), path.parent))
        for batch in sent:
            alone.add_incidents(batch, origin="api", user="analyst")
        assert current(store) == current(alone)
        assert len(set(v for v, _ in current(store).values())) > 1  # not all one verdict
    finally:
        alone.close()
    with store.sessions() as s:
        assert verify(s, store.keys).problems == []


def test_one_id_sent_twice_at_once_is_stored_then_found(example_store):
    store, agreement = example_store
    [[a], [b]] = batches(agreement, [1, 1])
    again = incident(agreement, a.id, time="2016-08-01T15:30", lon=a.lon, lat=a.lat,
                     actor=a.actor, act="air_strike", target="Jabhat Fateh al-Sham")
    answers, transactions = queued(store, [([a], "u"), ([b], "u"), ([a], "u"), ([again], "u"),
                                           ([a], "u")])
    assert transactions == 1
    assert [(x[0].id, x[0].status, x[0].revision) for x in answers] == [
        (a.id, "stored", 1), (b.id, "stored", 1), (a.id, "unchanged", 1),
        (a.id, "revised", 2), (a.id, "restored", 1)]
    with store.sessions() as s:
        assert verify(s, store.keys).problems == []


def test_each_user_keeps_its_own_log_entry(example_store):
    store, agreement = example_store
    sent = batches(agreement, [1, 1, 1])
    with store.sessions() as s:
        before = len(s.scalars(select(AuditEntry)).all())
    answers, transactions = queued(store, [(sent[0], "ana"), (sent[1], "ben"), (sent[2], "ana")])
    assert transactions == 1
    assert [a[0].status for a in answers] == ["stored"] * 3
    with store.sessions() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()[before:]
    intakes = [e for e in entries if e.action == "intake"]
    assert [e.actor for e in intakes] == ["ana", "ben", "ana"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_failing_intake_fails_alone(example_store):
    store, agreement = example_store
    sent = batches(agreement, [1, 2, 1])
    plain = store._together.add

    def add(s, incidents, *rest):  # a fault in the second intake only
        if any(inc.id == sent[1][0].id for inc in incidents):
            raise ValueError("the disk said no")
        return plain(s, incidents, *rest)

    store._together.add = add
    try:
        answers, transactions = queued(store, [(b, "u") for b in sent])
    finally:
        store._together.add = plain
    assert transactions == 1 + 3  # together, then each alone
    assert isinstance(answers[1], ValueError)
    assert [a.status for a in answers[0]] == ["stored"]
    assert [a.status for a in answers[2]] == ["stored"]
    assert set(current(store)) == {sent[0][0].id, sent[2][0].id}
