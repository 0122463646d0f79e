"""Ids a caller is shown for rows every workspace writes (jobs, reviews, determinations,
proposals, air alerts) count nothing, on SQLite and PostgreSQL: numbered in one sequence, a
party seeing job 7 and then job 9 would learn that the other party wrote something between."""

from __future__ import annotations

from itertools import pairwise

from jig.service.jobs import create_job
from jig.store import Store
from jig.store.tables import OPAQUE_BELOW


def test_job_ids_are_random_not_counted(db_url, tmp_path):
    store = Store.open(db_url, key_folder=tmp_path)
    try:
        ids = [create_job(store, "rejudge", {"agreement_id": "x"}) for _ in range(40)]
    finally:
        store.close()
    assert len(set(ids)) == len(ids)
    assert all(0 < i < OPAQUE_BELOW for i in ids)
    steps = {b - a for a, b in pairwise(ids)}
    assert len(steps) > 30, "consecutive jobs must not be a fixed step apart"
    assert max(ids) > 2**40  # drawn from the whole range, not from a count

