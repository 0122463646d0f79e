"""Withheld fields encrypted at rest under a party's key, on SQLite and PostgreSQL: a copy of
the database shows where and when, not the party's sources and notes, nor its commitment
secret; the service with the key reads them back; without the key they are not shown."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import EXAMPLE, Server, seed_users
from tests.test_joint_cell import SECRET, STRIKE, USERS

from jig.service import Settings
from jig.store.db import make_engine
from jig.store.sealing import read_keys, write_key


def clients(srv: Server, tokens: dict[str, str]) -> dict[str, httpx.Client]:
    return {who: httpx.Client(base_url=srv.url, timeout=60,
                              headers={"authorization": f"Bearer {t}"})
            for who, t in tokens.items()}


def raw_rows(db_url: str) -> str:
    """Everything a thief with a copy of the database reads, as text."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as con:
            rows = [str(r) for t in ("incident_revisions", "workspace_secrets", "releases",
                                     "audit_log")
                    for r in con.execute(sa.text(f"SELECT * FROM {t}")).all()]
    finally:
        engine.dispose()
    return "\n".join(rows)


def test_withheld_fields_are_sealed_under_the_partys_key(db_url, tmp_path):
    keys = tmp_path / "keys"
    write_key(keys, "US")
    assert set(read_keys(keys)) == {"US"}
    with pytest.raises(FileExistsError):
        write_key(keys, "US")
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, keys_dir=keys,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        tokens = seed_users(db_url, USERS, settings.data_dir)
        c = clients(srv, tokens)
        c["us-analyst"].post("/incidents", json=STRIKE).raise_for_status()
        again = c["us-analyst"].post("/incidents", json=STRIKE).json()
        assert again["results"][0]["status"] == "unchanged"
        assert again["verdicts"]["US-7"][0]["verdict"] == "breach"
        assert c["us-lead"].get("/incidents/US-7").json()["record"]["source"] == SECRET
        assert "US-7" in c["us-lead"].get(f"/incidents?source={SECRET}").text
        c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["notes"]}
                          ).raise_for_status()
        assert c["reviewer"].get("/incidents/US-7").json()["record"]["source"] == SECRET
        for client in c.values():
            client.close()
    stolen = raw_rows(db_url)
    assert "US-7" in stolen and "36.99" in stolen  # judged fields stay in clear
    assert SECRET not in stolen and "seen by a US asset" not in stolen
    assert "sealed:" in stolen  # the US commitment secret
    # The same store served without the key: the sealed fields cannot be shown.
    settings = settings.model_copy(update={"keys_dir": None, "agreements": []})
    with Server(settings) as srv:
        c = clients(srv, tokens)
        record = c["us-lead"].get("/incidents/US-7").json()["record"]
        assert "source" not in record and "_sealed" not in record and record["lon"] == 36.99
        for client in c.values():
            client.close()


def test_a_key_that_is_not_one_is_named(tmp_path):
    (tmp_path / "RU.key").write_text("not a key")
    with pytest.raises(ValueError, match=r"RU\.key: not a key"):
        read_keys(tmp_path)
