"""Amendments need both parties, and a review's quorum is fixed when it opens; over HTTP, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from tests.conftest import EXAMPLE, seed_users, wait_for_job
from tests.test_joint_cell import STRIKE, cell, ok  # noqa: F401  (cell is a fixture)


def upload(parties_extra: str = "", shift: float = 0.0, target: tuple | None = None) -> dict:
    """The example agreement, with lines added to its parties, its zone DA-1 moved east, and
    a target both parties agree to at `target` (lon, lat)."""
    text = (EXAMPLE / "agreement.yaml").read_text()
    if parties_extra:
        text = text.replace("parties:\n", "parties:\n" + parties_extra)
    files = {n: json.loads((EXAMPLE / n).read_text())
             for n in ("zones.geojson", "sites.geojson", "targets.geojson", "area.geojson")}
    for f in files["zones.geojson"]["features"]:
        if f["properties"]["id"] == "DA-1":
            f["geometry"]["coordinates"] = [[[x + shift, y] for x, y in ring]
                                            for ring in f["geometry"]["coordinates"]]
    if target is not None:
        files["targets.geojson"]["features"].append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": list(target)},
            "properties": {"id": "T-9", "name": "agreed later", "group": "NUSRA",
                           "agreed_by": ["US", "RU"], "radius_m": 2000}})
    return {"yaml": text, "files": files}



def test_an_amendment_takes_effect_when_every_party_has_accepted(cell):  # noqa: F811
    c, _ = cell
    redrawn = upload(shift=0.05)
    # Neither the reviewer nor one side alone can amend.
    r = c["reviewer"].post("/agreements", json=redrawn)
    assert r.status_code == 409 and r.json()["error"]["code"] == "agreement.needs_parties"
    assert c["us-analyst"].post("/agreements/syria-2016-jig/proposals",
                                json=redrawn).status_code == 403
    prop = ok(c["us-lead"].post("/agreements/syria-2016-jig/proposals", json=redrawn))
    assert prop["state"] == "proposed" and prop["waiting_for"] == ["RU"]
    assert prop["diff"] == {"zones": {"changed": ["DA-1"]}}
    assert [v["version"] for v in ok(c["reviewer"].get("/agreements/syria-2016-jig"))] == [1]
    # Visible to both sides, with its diff, until then.
    [seen] = ok(c["ru-analyst"].get("/agreements/syria-2016-jig/proposals"))
    assert seen["id"] == prop["id"] and seen["diff"] == prop["diff"]
    path = f"/agreements/syria-2016-jig/proposals/{prop['id']}"
    assert c["us-lead"].post(f"{path}/accept").status_code == 409  # accepted by proposing
    assert c["ru-analyst"].post(f"{path}/accept").status_code == 403
    assert c["reviewer"].post(f"{path}/accept").status_code == 403
    assert c["ru-lead"].post(f"/agreements/other/proposals/{prop['id']}/accept"
                             ).status_code == 404
    done = ok(c["ru-lead"].post(f"{path}/accept"))
    assert done["state"] == "adopted" and done["version"] == 2 and done["waiting_for"] == []
    wait_for_job(c["reviewer"], done["rejudge_job"])
    # Re-judging runs over every workspace: when it ended told its pace (an adversarial
    # review timed it growing with the other side's held-back records).
    job = ok(c["ru-lead"].get(f"/jobs/{done['rejudge_job']}"))
    assert job["status"] == "done" and job["finished_at"] is None and job.get("elapsed_s") is None
    assert [v["version"] for v in ok(c["reviewer"].get("/agreements/syria-2016-jig"))] == [1, 2]
    assert c["ru-lead"].post(f"{path}/decline").status_code == 409
    # A declined proposal is never adopted.
    other = ok(c["ru-lead"].post("/agreements/syria-2016-jig/proposals",
                                 json=upload(shift=0.1)))
    ok(c["us-lead"].post(f"/agreements/syria-2016-jig/proposals/{other['id']}/decline"))
    assert c["us-lead"].post(f"/agreements/syria-2016-jig/proposals/{other['id']}/accept"
                             ).status_code == 409
    assert [v["version"] for v in ok(c["reviewer"].get("/agreements/syria-2016-jig"))] == [1, 2]



def test_the_reviewer_cannot_put_a_second_agreement_in_force_alone(cell):  # noqa: F811
    # Renamed, drawn over an area elsewhere and in force from January: stored (201), it came
    # first by id, and both parties' intake was refused as outside its area.
    c, _ = cell
    other = upload()
    other["yaml"] = other["yaml"].replace("id: syria-2016-jig", "id: aaa-reviewer", 1)
    assert "id: aaa-reviewer" in other["yaml"]
    r = c["reviewer"].post("/agreements", json=other | {"effective_from": "2016-01-01T00:00Z"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "agreement.needs_parties"
    assert [a["agreement_id"] for a in ok(c["reviewer"].get("/agreements"))] == ["syria-2016-jig"]
    assert c["us-analyst"].post("/incidents", json=STRIKE).status_code == 200


def test_an_amendment_that_restores_an_earlier_version_is_refused_as_such(cell):  # noqa: F811
    # Both leads accepted a proposal restoring version 1 against version 2: it was reported
    # adopted as "version 1", and version 2 stayed in force.
    c, _ = cell
    base = "/agreements/syria-2016-jig/proposals"
    moved = ok(c["ru-lead"].post(base, json=upload(shift=0.05)))
    ok(c["us-lead"].post(f"{base}/{moved['id']}/accept"))
    r = c["us-lead"].post(base, json=upload())
    assert r.status_code == 409 and r.json()["error"]["code"] == "proposal.restores"
    assert "version 1's document" in r.json()["error"]["message"]
    assert [v["version"] for v in ok(c["reviewer"].get("/agreements"))] == [2]


def test_a_proposal_overtaken_by_another_amendment_is_not_adopted(cell):  # noqa: F811
    """Two proposals against version 1: once one is version 2, accepting the other would
    adopt a document without version 2's change (its diff, against version 1, hid that) as
    version 3. It is refused, and may be declined or proposed again against version 2."""
    c, _ = cell
    base = "/agreements/syria-2016-jig/proposals"
    first = ok(c["ru-lead"].post(base, json=upload(shift=0.05)))
    second = ok(c["ru-lead"].post(base, json=upload(target=(38.99, 35.95))))
    ok(c["us-lead"].post(f"{base}/{first['id']}/accept"))
    r = c["us-lead"].post(f"{base}/{second['id']}/accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "proposal.stale"
    assert "version 2 was adopted since" in r.json()["error"]["message"]
    assert [v["version"] for v in ok(c["reviewer"].get("/agreements/syria-2016-jig"))] == [1, 2]
    ok(c["us-lead"].post(f"{base}/{second['id']}/decline"))
    again = ok(c["ru-lead"].post(base, json=upload(shift=0.05, target=(38.99, 35.95))))
    assert again["amends_version"] == 2 and again["diff"] == {"targets": {"added": ["T-9"]}}


def test_a_review_keeps_the_quorum_it_opened_with(cell, tmp_path):  # noqa: F811
    c, db_url = cell
    tr = seed_users(db_url, {"tr-lead": ("lead", "TR")}, tmp_path / "data")["tr-lead"]
    c["tr-lead"] = httpx.Client(base_url=str(c["reviewer"].base_url), timeout=60,
                                headers={"authorization": f"Bearer {tr}"})
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={}))
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "?"}))["id"]
    assert ok(c["reviewer"].get(f"/reviews/{rid}"))["parties"] == ["RU", "US"]
    # A party joins: its lead must accept too (to join), and does.
    added = upload(parties_extra="  TR: {name: Turkey, answers_for: []}\n")
    prop = ok(c["us-lead"].post("/agreements/syria-2016-jig/proposals", json=added))
    assert prop["diff"] == {"parties": {"added": ["TR"]}}
    path = f"/agreements/syria-2016-jig/proposals/{prop['id']}"
    assert ok(c["ru-lead"].post(f"{path}/accept"))["waiting_for"] == ["TR"]
    assert ok(c["tr-lead"].post(f"{path}/accept"))["state"] == "adopted"
    # The review opened under the two-party version is determined by those two.
    ok(c["ru-lead"].post(f"/reviews/{rid}/answer", json={"answer": "A Nusra position."}))
    assert c["tr-lead"].post(f"/reviews/{rid}/determinations",
                             json={"outcome": "breach", "text": "x"}).status_code == 403
    ok(c["us-lead"].post(f"/reviews/{rid}/determinations", json={"outcome": "breach", "text": "a"}))
    done = ok(c["ru-lead"].post(f"/reviews/{rid}/determinations",
                                json={"outcome": "breach", "text": "b"}))
    assert done["state"] == "determined" and done["determination"] == "joint"
    c["tr-lead"].close()


def test_nor_beside_an_agreement_not_yet_in_force(db_url, tmp_path):
    """The check asked for the versions in force now: with the cell's only agreement taking
    effect later, the reviewer alone could add a second one."""
    from tests.conftest import HTTP_TIMEOUT, Server

    from jig import load_agreement
    from jig.agreement import agreement_document
    from jig.service import Settings
    from jig.store import Store

    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, agreements=[])
    store = Store.open(db_url, key_folder=settings.data_dir)
    try:
        path = EXAMPLE / "agreement.yaml"
        store.add_agreement(load_agreement(path), agreement_document(path.read_text(), EXAMPLE),
                            effective_from=datetime(2099, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    with Server(settings) as srv:
        token = seed_users(db_url, {"reviewer": ("reviewer", None),
                                    "us-lead": ("lead", "US")}, settings.data_dir)["reviewer"]
        other = upload()
        other["yaml"] = other["yaml"].replace("id: syria-2016-jig", "id: aaa-reviewer", 1)
        with httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT,
                          headers={"authorization": f"Bearer {token}"}) as reviewer:
            r = reviewer.post("/agreements", json=other)
            assert r.status_code == 409 and r.json()["error"]["code"] == \
                "agreement.needs_parties", r.text
