"""Withheld fields encrypted at rest under a party's key, on SQLite and PostgreSQL: a copy of
the database shows where and when, not the party's sources and notes, nor its commitment
secret; the service with the key reads them back; without the key they are not shown."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import EXAMPLE, Server, seed_users, wait_for_job
from tests.test_joint_cell import SECRET, STRIKE, USERS
from tests.test_service_air import example_notices

from jig.service import Settings
from jig.store import Store
from jig.store.db import make_engine
from jig.store.rebuild import verify
from jig.store.sealing import read_keys, write_key
from jig.store.tables import VerdictHead, VerdictRecord


def clients(srv: Server, tokens: dict[str, str]) -> dict[str, httpx.Client]:
    return {who: httpx.Client(base_url=srv.url, timeout=60,
                              headers={"authorization": f"Bearer {t}"})
            for who, t in tokens.items()}


def stolen(db_url: str) -> str:
    """Everything a thief with a copy of the database reads, as text: every row of every
    table and, of a SQLite store, every byte of its files (free pages and the WAL too)."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as con:
            rows = [str(r) for t in sa.inspect(con).get_table_names()
                    for r in con.execute(sa.text(f'SELECT * FROM "{t}"')).all()]
    finally:
        engine.dispose()
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.split("///", 1)[1])
        rows += [f.read_bytes().decode("latin-1") for f in path.parent.glob(path.name + "*")]
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
    copy = stolen(db_url)
    assert "US-7" in copy and "36.99" in copy  # judged fields stay in clear
    assert SECRET not in copy and "seen by a US asset" not in copy
    assert "sealed:" in copy  # the US commitment secret
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


# What each party's air desk and bulk upload hold that the other side and a thief must not read.
ROUTE = "FALCON-ROUTE-NOTES"
REJECTED = "KESTREL-REJECTED-ROW"


def test_air_notices_and_rejected_rows_are_sealed_too(db_url, tmp_path):
    keys = tmp_path / "keys"
    for party in ("US", "RU"):
        write_key(keys, party)
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, keys_dir=keys,
                        agreements=[EXAMPLE / "agreement.yaml"])
    air = [n | {"notes": f"{ROUTE} {n['id']}"} for n in example_notices()]
    with Server(settings) as srv:
        tokens = seed_users(db_url, USERS, settings.data_dir)
        c = clients(srv, tokens)
        for party in ("US", "RU"):  # their flights conflict: deconflicting opens both
            r = c[f"{party.lower()}-analyst"].post(
                "/air/notices", json=[n for n in air if n["party"] == party])
            assert r.status_code == 200, r.text
        [alert] = c["us-analyst"].get("/air/alerts").json()
        assert alert["other_party"] == "RU"
        own = c["us-analyst"].get("/air/notices").json()
        assert {n["notes"] for n in own} == {f"{ROUTE} US-1", f"{ROUTE} US-2"}
        r = c["us-analyst"].post("/incidents/bulk?filename=held.csv", content=(
            "id,time,lon,lat,actor,act,source\n"
            f"US-8,not a time,36.9,35.6,Military Forces of Russia (2015-),air_strike,{REJECTED}\n"
        ).encode(), headers={"content-type": "text/csv"})
        job = wait_for_job(c["us-analyst"], r.json()["job"])
        assert job["rejected"] == 1
        [reject] = c["us-analyst"].get(f"/jobs/{job['id']}/rejects").json()
        assert REJECTED in reject["raw"] and reject["line"] == 2
        for client in c.values():
            client.close()
    # The log holds the sealed rows as stored, and accounts for them, keys or none.
    for at_rest in (read_keys(keys), None):
        store = Store.open(db_url, key_folder=settings.data_dir, at_rest=at_rest)
        try:
            with store.sessions() as s:
                assert verify(s, store.keys).problems == []
        finally:
            store.close()
    copy = stolen(db_url)
    assert "US-1" in copy and "RU-1" in copy  # ids and parties stay in clear
    for secret in (ROUTE, REJECTED, "Hmeimim", "transit"):
        assert secret not in copy, secret
    # Served with the RU key only (the US one left behind): a rejected row is not shown, and
    # an air notice cannot be deconflicted against notices it cannot open (503 naming the
    # key), rather than judged against nothing.
    ru_only = tmp_path / "ru-only"
    ru_only.mkdir()
    (ru_only / "RU.key").write_bytes((keys / "RU.key").read_bytes())
    settings = settings.model_copy(update={"keys_dir": ru_only, "agreements": []})
    with Server(settings) as srv:
        c = clients(srv, tokens)
        [reject] = c["us-analyst"].get(f"/jobs/{job['id']}/rejects").json()
        assert REJECTED not in reject["raw"] and "key of US is not configured" in reject["raw"]
        r = c["us-analyst"].post("/air/notices", json=[n | {"id": "US-9"} for n in air
                                                       if n["id"] == "US-1"])
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "store.key_missing"
        assert "key is not configured" in r.json()["error"]["message"]
        # The other side, at a time when the US flies nothing: refused alike, and never told
        # a notice's id (a 503 only where a window met a sealed notice told when the US flew).
        far = [n | {"id": "RU-9", "time": "2016-09-01T02:00/2016-09-01T03:00"}
               for n in air if n["id"] == "RU-1"]
        theirs = c["ru-analyst"].post("/air/notices", json=far)
        assert theirs.status_code == 503, theirs.text
        assert not any(i in t for i in ("US-1", "US-2") for t in (r.text, theirs.text))
        for client in c.values():
            client.close()


def test_a_key_for_no_party_is_named_at_start(tmp_path, caplog):
    # `jig admin key Us` (a slip for US) made a key the server took and never used: the
    # party's withheld fields went on being stored in the clear, without a word.
    keys = tmp_path / "keys"
    write_key(keys, "US")
    write_key(keys, "Us")
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"],
                        keys_dir=keys)
    with caplog.at_level("WARNING", logger="jig.service"), Server(settings):
        pass
    stray = [r.getMessage() for r in caplog.records if "seal nothing" in r.getMessage()]
    assert stray == ["at-rest keys for Us seal nothing: no stored agreement has such a party "
                     "(its parties: RU, US)"]


def test_a_record_naming_two_sides_keeps_that_in_clear_and_judges_alike_without_the_key(
        db_url, tmp_path):
    """`sides` is judged (a clash is judged as the act of either side): sealed with the
    withheld fields, a store opened without the key, as `jig import --agreement` opens it,
    re-judged the clash as the government's act alone."""
    from tests.conftest import incident

    from jig.agreement import agreement_document, load_agreement

    keys = tmp_path / "keys"
    write_key(keys, "US")
    path = EXAMPLE / "agreement.yaml"
    example = load_agreement(path)
    store = Store.open(db_url, key_folder=tmp_path, at_rest=read_keys(keys))
    [version, *_] = store.add_agreement(example, agreement_document(path.read_text(),
                                                                    path.parent))
    clash = incident(example, "U-1", time="2016-08-11T09:00", lon=36.65, lat=35.78,
                     actor="Government of Syria", target="Jabhat Fateh al-Sham",
                     act="shelling", sides="either", notes="seen by a US asset")
    store.add_incidents([clash], workspace="US")
    store.close()
    engine = make_engine(db_url)
    with engine.connect() as conn:
        [record] = conn.execute(sa.text("SELECT record FROM incident_revisions")).scalars()
    engine.dispose()
    record = record if isinstance(record, dict) else json.loads(record)
    assert record["sides"] == "either" and "notes" not in record  # notes sealed, sides not
    store = Store.open(db_url, key_folder=tmp_path)  # no key
    try:
        store.rejudge(version)
        with store.sessions() as s:
            verdicts = s.execute(sa.select(VerdictHead.incident_id, VerdictRecord.verdict).join(
                VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row)).all()
    finally:
        store.close()
    assert {tuple(v) for v in verdicts} == {("U-1", "undetermined")}


def test_the_command_line_opens_a_keyed_store_with_keys(tmp_path):
    """An operator's review: `jig report --data … --as US` could not be given the keys, so
    the US's own annex lacked its sealed sources, and `jig audit verify` wrote a warning for
    each sealed incident (6,027 lines over 6,000 of them). Both take --keys; without them,
    one line says what is not opened."""
    import subprocess
    import sys

    from jig import load_agreement
    from jig.agreement import agreement_document
    from jig.readers.fields import to_incident

    jig = str(Path(sys.executable).with_name("jig"))
    data, keys = tmp_path / "data", tmp_path / "keys"
    write_key(keys, "US")
    store = Store.open(f"sqlite:///{data / 'jig.db'}", key_folder=data,
                       at_rest=read_keys(keys))
    try:
        path = EXAMPLE / "agreement.yaml"
        store.add_agreement(load_agreement(path), agreement_document(path.read_text(),
                                                                     path.parent))
        store.add_incidents([to_incident(STRIKE | {"id": f"S-{i}", "source": SECRET},
                                         store.intake_tz()) for i in range(5)],
                            workspace="US")
    finally:
        store.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([jig, *args, "--data", str(data)], capture_output=True, text=True)

    without = run("audit", "verify")
    assert without.returncode == 0, without.stderr
    assert without.stderr.count("are sealed and its key is not configured") == 1
    with_keys = run("audit", "verify", "--keys", str(keys))
    assert with_keys.returncode == 0 and "not configured" not in with_keys.stderr
    report = tmp_path / "us.html"
    r = run("report", "--as", "US", "-o", str(report), "--keys", str(keys))
    assert r.returncode == 0, r.stderr
    assert SECRET in report.read_text(encoding="utf-8")
    assert run("report", "--as", "US", "-o", str(report), "--keys",
               str(tmp_path / "none")).returncode == 2
