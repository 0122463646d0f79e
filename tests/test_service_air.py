"""Safety of flight over HTTP: conflicts raised as alerts to both air desks, nothing more."""

from __future__ import annotations

import csv

from tests.conftest import EXAMPLE, wait_for_job
from tests.test_service import example_upload


def example_notices() -> list[dict]:
    with (EXAMPLE / "air-notices.csv").open(newline="") as fh:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(fh)]


def test_conflicts_reach_both_air_desks_and_reveal_only_where_and_when(client):
    r = client.post("/air/notices", json=example_notices())
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["status"] for x in body["results"]] == ["stored"] * 7
    assert {(f["notice"], f["verdict"]) for f in body["flights"]} == {
        ("SY-1", "breach"), ("SY-2", "complies"), ("SY-3", "undetermined")}
    us = client.get("/air/alerts", params={"party": "US"}).json()
    ru = client.get("/air/alerts", params={"party": "RU"}).json()
    assert [(a["notice"], a["other_party"]) for a in us] == [("US-1", "RU")]
    assert [(a["notice"], a["other_party"]) for a in ru] == [("RU-1", "US")]
    assert us[0]["when"] == "2016-09-20T07:00+03:00/2016-09-20T08:00+03:00"
    assert all(set(a["margin"]) == {"horizontal_m", "time_min"} for a in us + ru)
    leaked = client.get("/air/alerts", params={"party": "US"}).text
    for secret in ("RU-1", "Hmeimim", "20000", "35.95", "transit"):
        assert secret not in leaked
    own = client.get("/air/notices", params={"party": "US"}).json()
    assert sorted(n["id"] for n in own) == ["US-1", "US-2"]
    # The desk asks again later for its flights into barred zones: the same verdicts as the
    # intake's answer, only those with a zone to report (SY-2 keeps clear).
    flights = client.get("/air/flights", params={"party": "RU"}).json()
    assert [(f["notice"], f["verdict"]) for f in flights] == [("SY-1", "breach"),
                                                              ("SY-3", "undetermined")]
    assert all("DA-1" in f["findings"][0]["reason"] for f in flights)
    assert client.get("/air/flights", params={"party": "US"}).json() == []
    assert client.get("/air/flights", params={"party": "XX"}).status_code == 422


def test_air_intake_is_idempotent_and_a_revision_clears_its_old_alert(client):
    notices = example_notices()
    client.post("/air/notices", json=notices)
    again = client.post("/air/notices", json=notices).json()
    assert {x["status"] for x in again["results"]} == {"unchanged"} and again["conflicts"] == []
    assert len(client.get("/air/alerts", params={"party": "US"}).json()) == 1
    moved = next(n for n in notices if n["id"] == "US-1") | {"alt_low": "35000",
                                                             "alt_high": "36000"}
    r = client.post("/air/notices", json=moved).json()
    assert r["results"][0]["status"] == "revised" and r["conflicts"] == []
    assert client.get("/air/alerts", params={"party": "US"}).json() == []
    # The other desk keeps it, withdrawn: revising one notice again and again probed the
    # other side's band and left no alert behind (an adversarial review).
    [ru] = client.get("/air/alerts", params={"party": "RU"}).json()
    assert ru["notice"] == "RU-1" and ru["current"] is False


def test_probing_by_revising_one_notice_leaves_its_trail_on_the_other_desk(client):
    """RU narrows down US-1's band by revising one thin notice, each revision a yes or no,
    then moves it away. The US desk keeps the alert, withdrawn (revisions that leave the
    conflict as the desks see it share one alert, so that an innocent edit is not told);
    every probe is RU's signed entry in the log; and the margins are as coarse as where and
    when (100 m, a minute), not to the decimetre that traced a corridor's edge."""
    notices = example_notices()
    client.post("/air/notices", json=[n for n in notices if n["id"] == "US-1"])
    us1 = next(n for n in notices if n["id"] == "US-1")
    answers = []
    for low in (23500, 25000, 26500, 40000):  # US-1 flies 24,000-26,000 ft
        probe = us1 | {"id": "PROBE", "party": "RU", "actor": "RU", "notes": "",
                       "alt_low": str(low), "alt_high": str(low + 1)}
        answers.append(client.post("/air/notices", json=probe).json())
        if low == 26500:
            [seen] = client.get("/air/alerts", params={"party": "US"}).json()
            assert seen["current"] is True
    assert [bool(a["conflicts"]) for a in answers] == [True, True, True, False]
    [left] = client.get("/air/alerts", params={"party": "US"}).json()
    assert left["alert"] == seen["alert"] and left["current"] is False
    h, m = left["margin"]["horizontal_m"], left["margin"]["time_min"]
    assert h == round(h, -2) and m == round(m)



def test_a_revision_that_leaves_the_conflict_as_it_was_keeps_its_alert(client):
    # A new alert (a new id, a new time) for the same conflict told the other desk that the
    # US had edited its notice, and when, though only its notes changed.
    notices = example_notices()
    client.post("/air/notices", json=notices)
    ru = client.get("/air/alerts", params={"party": "RU"}).json()
    edited = next(n for n in notices if n["id"] == "US-1") | {"notes": "callsign changed"}
    r = client.post("/air/notices", json=edited).json()
    assert r["results"][0]["status"] == "revised" and len(r["conflicts"]) == 1
    assert client.get("/air/alerts", params={"party": "RU"}).json() == ru
    assert [a["notice"] for a in client.get("/air/alerts", params={"party": "US"}).json()] \
        == ["US-1"]
    # Nor an edit of what the other desk is never shown: the band (still inside RU-1's), or
    # the route nudged by some ten metres (the point shown is rounded to 0.001°).
    for hidden in ({"alt_low": "25000", "alt_high": "25500"},
                   {"geometry": "LINESTRING (37.4 35.6, 37.6001 34.6)"}):
        edited |= hidden
        r = client.post("/air/notices", json=edited).json()
        assert r["results"][0]["status"] == "revised" and len(r["conflicts"]) == 1
        assert client.get("/air/alerts", params={"party": "RU"}).json() == ru, hidden
    # A revision that changes the conflict raises it anew.
    later = edited | {"time": "2016-09-20T07:30/2016-09-20T09:00"}
    client.post("/air/notices", json=later)
    now = client.get("/air/alerts", params={"party": "RU"}).json()
    [new] = [a for a in now if a["current"]]
    assert new["alert"] != ru[0]["alert"] and new["when"] != ru[0]["when"]
    # The earlier stays, withdrawn: the US revised the notice that raised it.
    assert [a for a in now if not a["current"]] == [ru[0] | {"current": False}]
    # Sent again, the earlier revision is the notice again, with the alert it raised.
    r = client.post("/air/notices", json=edited).json()
    assert r["results"][0]["status"] == "restored"
    assert [a for a in client.get("/air/alerts", params={"party": "RU"}).json()
            if a["current"]] == ru


def test_bad_air_notices_and_parties_are_refused(client):
    bad = example_notices()[0] | {"alt_ref": "AGL"}
    r = client.post("/air/notices", json=[bad])
    assert r.status_code == 422
    [p] = r.json()["error"]["problems"]
    assert p["where"] == {"path": "[0].alt_ref"} and "mean sea level" in p["message"]
    assert client.get("/air/alerts", params={"party": "XX"}).status_code == 422


def test_a_flight_is_judged_under_the_agreement_version_in_force_at_its_time(client):
    """Ruling 9 for no_flights_in: DA-1 extended south over SY-2's patrol area from 1 October
    leaves SY-2's flight of 20 September clear, and bars the same patrol on 2 October."""
    upload = example_upload()
    da1 = upload["files"]["zones.geojson"]["features"][0]["geometry"]["coordinates"][0]
    da1[0][1] = da1[1][1] = da1[-1][1] = 35.0
    r = client.post("/agreements", json=upload | {"effective_from": "2016-10-01T00:00+03:00"})
    assert wait_for_job(client, r.json()["rejudge_job"])["status"] == "done"
    [sy2] = [n for n in example_notices() if n["id"] == "SY-2"]
    later = sy2 | {"id": "SY-4", "time": "2016-10-02T12:00/2016-10-02T14:00"}
    body = client.post("/air/notices", json=[sy2, later]).json()
    assert [(f["notice"], f["verdict"]) for f in body["flights"]] == [
        ("SY-2", "complies"), ("SY-4", "breach")]
