"""Commitments in the service: status records stored (`POST /status`), the library's
must_by commitments judged again as each record or a new agreement version arrives
(`GET /commitments`), every stored row in the signed log (`jig audit verify`). Real HTTP to a
running server, on SQLite and PostgreSQL.

The records are the library's sourced ones (src/jig/library/arrangements/*/status.csv) and
these, written from public reporting:
- SOHR-1: the Syrian Observatory for Human Rights, with Turkey and the rebels, said the heavy
  weapons had left the Idlib zone on time, by 10 October 2018 (AFP, "Jihadists fail to leave
  Syria buffer zone", BusinessLive, 16 October 2018).
- GW-1: radical groups including Hay'at Tahrir al-Sham had not withdrawn from the zone as of
  17 October 2018, two days after the 15 October deadline (GardaWorld Crisis24 alert,
  "Syria: Islamist militants refuse to withdraw from Idlib buffer zone as of Oct. 17").
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from jig.cli import app
from jig.library import entry

SOHR_1 = {"id": "SOHR-1", "clause": "sochi-3-heavy-weapons-withdrawn", "time": "2018-10-10",
          "status": "done", "source": "Syrian Observatory for Human Rights",
          "notes": "heavy weapons withdrawn on time, as Turkey and the rebels also said (AFP, "
                   "BusinessLive, 16 October 2018)"}
GW_1 = {"id": "GW-1", "clause": "sochi-4-radical-groups-out", "time": "2018-10-17",
        "status": "not_done", "actor": "NUSRA", "source": "GardaWorld Crisis24",
        "notes": "HTS and other radical groups had not withdrawn from the buffer zone as of "
                 "17 October 2018"}


def library_rows(name: str) -> list[dict[str, str]]:
    with entry(name).status_records.open(encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(f)]


@pytest.fixture
def served(db_url, tmp_path):
    """A server on each backend with one library arrangement loaded: (client, db, data)."""
    import httpx
    from tests.conftest import Server

    from jig.service import Settings

    def start(name: str):
        data = tmp_path / "data"
        # Open to agreement uploads: the test amends the agreement over HTTP in a store
        # without users (as `jig serve --open`).
        settings = Settings(data_dir=data, database_url=db_url, open_agreements=True,
                            agreements=[entry(name).agreement_path])
        return Server(settings), data

    made = []

    def open_one(name: str):
        srv, data = start(name)
        srv.__enter__()
        client = httpx.Client(base_url=srv.url, timeout=60)
        made.append((srv, client))
        return client, data

    yield open_one, db_url
    for srv, client in made:
        client.close()
        srv.__exit__(None, None, None)


def outcomes(client) -> dict[tuple[str, str], str]:
    r = client.get("/commitments")
    assert r.status_code == 200, r.text
    return {(c["commitment"], c["actor"]): c["outcome"] for c in r.json()["commitments"]}


def test_hodeidah_redeployment_is_judged_again_as_each_record_arrives(served):
    (client, data), db = served[0]("hodeidah-2018"), served[1]
    rows = {r["id"]: r for r in library_rows("hodeidah-2018")}
    # Loaded, no record yet: every deadline has passed and nothing says whether it was done.
    first = client.get("/commitments").json()
    assert first["agreement"] == "hodeidah-2018" and first["version"] == 1
    assert [(c["commitment"], c["actor"], c["outcome"], c["deadline"]) for c in
            first["commitments"]] == [
        ("hodeidah-2-redeploy-from-ports", "HOUTHI", "undetermined", "2019-01-01T00:00+03:00"),
        ("hodeidah-3-full-redeployment", "HOUTHI", "undetermined", "2019-01-08T00:00+03:00"),
        ("hodeidah-3-full-redeployment", "YE_GOV", "undetermined", "2019-01-08T00:00+03:00")]
    assert "no status record after the deadline" in first["commitments"][0]["reason"]

    # The Houthi claim of late December: a claim, not a verification.
    r = client.post("/status", json=rows["HOD-S1"])
    assert r.status_code == 200 and r.json() == [{"id": "HOD-S1", "status": "stored",
                                                  "revision": 1}]
    ports = client.get("/commitments").json()["commitments"][0]
    assert ports["outcome"] == "undetermined"
    assert "claimed done by Houthi authorities (HOD-S1" in ports["reason"]
    assert ports["evidence"] == [{"kind": "status", "id": "HOD-S1", "note": "claimed"}]

    # The UN: not done once overdue; then verified done in May 2019, 133 days late.
    r = client.post("/status", json=[rows["HOD-S2"], rows["HOD-S3"], rows["HOD-S4"]])
    assert [x["status"] for x in r.json()] == ["stored"] * 3
    assert set(outcomes(client).values()) == {"breach"}
    ports = client.get("/commitments").json()["commitments"][0]
    assert "first verified done only by UN Redeployment Coordination Committee" in ports["reason"]
    assert "133 days after the deadline" in ports["reason"]
    # Sent again: unchanged, nothing re-judged or logged.
    assert client.post("/status", json=rows["HOD-S4"]).json()[0]["status"] == "unchanged"
    stored = client.get("/status").json()
    assert [s["id"] for s in stored] == ["HOD-S1", "HOD-S2", "HOD-S3", "HOD-S4"]
    assert stored[3]["notes"] == rows["HOD-S4"]["notes"] and stored[3]["sent_by"] == ""

    # The report of May 2019 from the store: the commitments as of the end of May, in Russian.
    r = client.get("/reports", params={"from": "2019-05-01", "to": "2019-05-31", "lang": "ru"})
    assert r.status_code == 200, r.text
    section = r.text.split('<section id="commitments">')[1].split("</section>")[0]
    assert section.count('data-outcome="breach"') == 3
    assert "через 133 дня после срока" in section
    # Every stored row is in the signed log: `jig audit verify` rebuilds them from it.
    r = CliRunner().invoke(app, ["audit", "verify", "--db", db, "--data", str(data)])
    assert r.exit_code == 0, r.output
    actions = [e["action"] for e in client.get("/audit").json()]
    assert actions.count("status") == 2 and "commitments" in actions


def test_bad_status_records_are_refused_with_place_and_nothing_is_stored(served):
    client, _ = served[0]("hodeidah-2018")
    good = library_rows("hodeidah-2018")[0]
    bad = [good, good | {"id": "X-2", "status": "finished"},
           good | {"id": "X-3", "clause": "hodeidah-1-ceasefire"},
           good | {"id": "X-4", "actor": "RU"}, good | {"id": "X-5", "time": "2019-02-30"}]
    r = client.post("/status", json=bad)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "records.invalid"
    got = [(p["where"]["path"], p["message"]) for p in err["problems"]]
    assert [w for w, _ in got] == ["[1].status", "[2].clause", "[3].actor", "[4].time"]
    assert "'finished' is not one of done, not_done, claimed" in got[0][1].replace("`", "")
    assert "is not a must_by clause" in got[1][1]
    assert client.get("/status").json() == []
    assert client.post("/status", json=[good, good]).status_code == 422  # the same id twice
    assert client.post("/status", json="done").status_code == 422


def test_sochi_withdrawals_and_a_new_version_re_judge_the_commitments(served):
    client, _ = served[0]("sochi-2018")
    claims = library_rows("sochi-2018")
    client.post("/status", json=claims).raise_for_status()
    assert set(outcomes(client).values()) == {"undetermined"}  # claims settle nothing
    client.post("/status", json=[SOHR_1, GW_1]).raise_for_status()
    assert outcomes(client) == {
        ("sochi-3-heavy-weapons-withdrawn", "OPP"): "complies",
        ("sochi-3-heavy-weapons-withdrawn", "NUSRA"): "complies",
        ("sochi-4-radical-groups-out", "NUSRA"): "breach"}
    [nusra] = [c for c in client.get("/commitments").json()["commitments"]
               if c["commitment"] == "sochi-4-radical-groups-out"]
    assert nusra["reason"].startswith("NUSRA must leave the demilitarised zone by the end of "
                                      "2018-10-15: overdue: GardaWorld Crisis24 (GW-1")

    # A new version moves the deadline a month on (a what-if amendment): in force at once,
    # the commitments are judged again under it, and the 17 October record no longer settles it.
    e = entry("sochi-2018")
    text = e.agreement_path.read_text(encoding="utf-8").replace("by: 2018-10-15",
                                                                "by: 2018-11-15")
    files = {"zones.geojson": json.loads((e.agreement_path.parent / "zones.geojson").read_text())}
    r = client.post("/agreements", json={"yaml": text, "files": files})
    assert r.status_code == 201, r.text
    body = client.get("/commitments").json()
    assert body["version"] == 2 and all(c["current"] for c in body["commitments"])
    [nusra] = [c for c in body["commitments"] if c["commitment"] == "sochi-4-radical-groups-out"]
    assert nusra["outcome"] == "undetermined" and nusra["deadline"].startswith("2018-11-16")
    assert nusra["reason"].endswith("overdue since the end of 2018-11-15, but no status record "
                                    "after the deadline says whether it was done")


def test_a_party_files_status_records_only_on_its_own_agreements(db_url, tmp_path):
    # The US, no party to Sochi (Russia and Turkey's), recorded its heavy-weapons withdrawal
    # done, and the finding every side reads followed it.
    import httpx
    from tests.conftest import EXAMPLE, Server, seed_users

    from jig.service import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml", entry("sochi-2018").agreement_path])
    users = {"us-analyst": ("analyst", "US"), "ru-analyst": ("analyst", "RU")}
    with Server(settings) as srv:
        tokens = seed_users(db_url, users, settings.data_dir)
        us, ru = (httpx.Client(base_url=srv.url, timeout=60,
                               headers={"authorization": f"Bearer {tokens[n]}"})
                  for n in ("us-analyst", "ru-analyst"))
        with us, ru:
            r = us.post("/status", json=SOHR_1)
            assert r.status_code == 422, r.text
            [problem] = r.json()["error"]["problems"]
            assert problem["code"] == "row.not_a_party" and "US is not a party" in \
                problem["message"]
            assert ru.post("/status", json=SOHR_1).status_code == 200
