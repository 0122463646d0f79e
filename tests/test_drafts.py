"""Drafts from prose over HTTP, on SQLite and PostgreSQL: a party's analyst reads a real
passage into drafts, edits one, confirms it (judged and logged as any intake, the text kept as
provenance) or discards it; nobody else ever sees a draft; the log rebuilds the drafts table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import update
from tests.conftest import ROOT, SHARED_DATA, served_cell

from jig.store import Store
from jig.store.keys import Keys
from jig.store.rebuild import verify
from jig.store.tables import Draft

USERS = {"us-analyst": ("analyst", "US"), "us-lead": ("lead", "US"),
         "ru-analyst": ("analyst", "RU"), "reviewer": ("reviewer", None),
         "observer": ("observer", None)}
GAZETTEER = SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv"


def passage(ident: str) -> dict:
    """One of the labelled passages (bench/extract_passages.yaml), with its source."""
    data = yaml.safe_load((ROOT / "bench" / "extract_passages.yaml").read_text("utf-8"))
    return next(p for p in data["passages"] if p["id"] == ident)


def ok(r: httpx.Response) -> dict:
    assert r.status_code < 300, r.text
    return r.json() if r.content else {}


@pytest.fixture
def cell(db_url, tmp_path):
    with served_cell(db_url, tmp_path, USERS, gazetteer=[GAZETTEER]) as (_, clients, settings):
        yield clients, db_url, settings.data_dir


def spans_hold_their_text(draft: dict) -> None:
    for name, e in draft["evidence"].items():
        assert draft["text"][e["start"]:e["end"]] == e["text"], name


def test_a_party_reads_edits_and_confirms_a_russian_bulletin_nobody_else_sees(cell):
    c, db_url, data_dir = cell
    ru01 = passage("ru-01")  # four strikes near Aleppo on the night to 3 August 2016
    body = ok(c["us-analyst"].post("/drafts", json={"text": ru01["text"],
                                                    "date": str(ru01["date"])}))
    assert body["lang"] == "ru" and len(body["drafts"]) == 1
    [d] = body["drafts"]
    spans_hold_their_text(d)
    f = d["fields"]
    assert (f["actor"], f["act"], f["count"]) == ("RU", "air_strike", 4)
    assert f["place_ref"].startswith("ALEPPO") and d["evidence"]["place"]["text"] == "в районе Алеппо"
    assert d["revision"] == 1 and d["edited"] == [] and d["created_by"] == "us-analyst"
    did = d["id"]
    # Nobody else sees it, and another party's draft answers as one that does not exist.
    missing = c["ru-analyst"].get(f"/drafts/{did + 1}")
    for name in ("ru-analyst",):
        r = c[name].get(f"/drafts/{did}")
        assert r.status_code == 404 == missing.status_code
        assert r.json()["error"]["message"].replace(str(did), "N") == \
            missing.json()["error"]["message"].replace(str(did + 1), "N")
        assert ok(c[name].get("/drafts"))["drafts"] == []
        assert c[name].post(f"/drafts/{did}/confirm").status_code == 404
        assert c[name].patch(f"/drafts/{did}", json={"fields": {"id": "x"}}).status_code == 404
        assert c[name].delete(f"/drafts/{did}").status_code == 404
    for name in ("reviewer", "observer"):
        assert c[name].get(f"/drafts/{did}").status_code == 403
        assert c[name].get("/drafts").status_code == 403
        assert c[name].post("/drafts", json={"text": ru01["text"]}).status_code == 403
    assert [x["id"] for x in ok(c["us-lead"].get("/drafts"))["drafts"]] == [did]
    # A bad edit is named when confirming, and nothing is lost: the draft stays as edited.
    ok(c["us-analyst"].patch(f"/drafts/{did}", json={"fields": {"id": "US-P1", "lon": 361.0}}))
    r = c["us-analyst"].post(f"/drafts/{did}/confirm")
    assert r.status_code == 422, r.text
    assert [p["where"]["path"] for p in r.json()["error"]["problems"]] == ["fields.lon"]
    kept = ok(c["us-analyst"].get(f"/drafts/{did}"))
    assert kept["fields"]["lon"] == 361.0 and kept["revision"] == 2
    assert kept["edited"] == ["id", "lon"]
    r = c["us-analyst"].patch(f"/drafts/{did}", json={"fields": {"provenance": "mine"}})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["where"]["path"] == \
        "fields.provenance"
    # Edited right, confirmed: stored and judged through intake, the text as provenance.
    ok(c["us-analyst"].patch(f"/drafts/{did}", json={"fields": {"lon": f["lon"]}}))
    assert c["us-analyst"].post(f"/drafts/{did}/confirm?revision=2").status_code == 409
    out = ok(c["us-analyst"].post(f"/drafts/{did}/confirm?revision=3"))
    assert out["results"] == [{"id": "US-P1", "status": "stored", "revision": 1}]
    assert out["verdicts"]["US-P1"][0]["verdict"] in ("breach", "undetermined", "complies",
                                                      "excepted")
    inc = ok(c["us-analyst"].get("/incidents/US-P1"))
    prov = inc["record"]["provenance"]
    assert prov["text"] == ru01["text"] and prov["draft"] == did
    assert prov["spans"]["place"]["text"] == "в районе Алеппо" and prov["edited"] == ["id", "lon"]
    assert inc["verdict"]["verdict"] == out["verdicts"]["US-P1"][0]["verdict"]
    assert c["us-analyst"].get(f"/drafts/{did}").status_code == 404  # it is an incident now
    assert c["ru-analyst"].get("/incidents/US-P1").status_code == 404  # unreleased, as any
    # Confirming never revises another incident by accident; discarding removes a draft.
    [again] = ok(c["us-analyst"].post("/drafts", json={"text": ru01["text"],
                                                       "date": "2016-08-03"}))["drafts"]
    ok(c["us-analyst"].patch(f"/drafts/{again['id']}", json={"fields": {"id": "US-P1"}}))
    r = c["us-analyst"].post(f"/drafts/{again['id']}/confirm")
    assert r.status_code == 409 and r.json()["error"]["code"] == "draft.id_taken"
    assert c["us-analyst"].delete(f"/drafts/{again['id']}").status_code == 204
    assert ok(c["us-analyst"].get("/drafts"))["drafts"] == []
    # Bad input named: an unknown gazetteer, an empty text, a text without an act.
    r = c["us-analyst"].post("/drafts", json={"text": ru01["text"], "gazetteers": ["x.csv"]})
    assert r.status_code == 422 and "syrianarchive_locations_2015.csv" in r.text
    assert c["us-analyst"].post("/drafts", json={"text": ""}).status_code == 422
    none = ok(c["us-analyst"].post("/drafts", json={"text": "The weather was fine."}))
    assert none["drafts"] == [] and "no act" in none["note"]
    # Every write is in the log, and the log rebuilds the drafts table.
    store = Store.open(db_url, key_folder=data_dir)
    try:
        with store.sessions() as s:
            result = verify(s, Keys(data_dir))
        assert result.ok, result.problems
        actions = [e["action"] for e in ok(c["reviewer"].get("/audit"))]
        assert {"draft.create", "draft.edit", "draft.confirm", "draft.discard"} <= set(actions)
    finally:
        store.close()


def release(day: str) -> tuple[str, list[dict]]:
    """A CJTF-OIR release of one day as it was published: its heading, then its Syria lines
    (`shared/data/cjtf_oir_strike_releases`), and those lines' rows."""
    path = SHARED_DATA / "cjtf_oir_strike_releases" / "centcom_oir_strikes_all-edited-refined.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["date"] == day and r["country"] == "Syria"]
    return (f"Coalition forces conducted {len(rows)} strikes in Syria on {day}:\n"
            + "\n".join(r["line"] for r in rows)), rows


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_release_gives_a_draft_per_line_and_one_changed_behind_the_log_is_found(cell):
    c, db_url, data_dir = cell
    text, rows = release("10/17/2016")
    found = ok(c["us-analyst"].post("/drafts", json={"text": text}))["drafts"]
    # One draft per line, each with the count as said, holding its own line, not the release.
    assert [d["fields"]["count"] for d in found] == [int(r["number"]) for r in rows]
    for d, r in zip(found, rows, strict=True):
        spans_hold_their_text(d)
        assert r["line"] in d["text"] and len(d["text"]) < len(text)
    d = found[0]
    store = Store.open(db_url, key_folder=data_dir)
    try:
        with store.engine.begin() as con:
            con.execute(update(Draft).values(content=json.dumps({"text": "forged"})))
        with store.sessions() as s:
            result = verify(s, Keys(data_dir))
        assert any(p.startswith(f"drafts: row {d['id']} differs") for p in result.problems)
    finally:
        store.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_store_without_users_keeps_drafts_in_the_open_workspace(client, tmp_path: Path):
    ar = passage("ar-06")  # three Russian strikes on Kafr Nabl, 24 July 2016
    [d] = ok(client.post("/drafts", json={"text": ar["text"], "date": "2016-07-25",
                                          "lang": "ar"}))["drafts"]
    spans_hold_their_text(d)
    # No gazetteer on this server: the place is kept as words, never guessed.
    assert d["fields"]["lon"] is None and d["fields"]["place"] == "كفرنبل"
    r = client.post(f"/drafts/{d['id']}/confirm")
    assert r.status_code == 422 and {"fields.lon"} <= {p["where"]["path"] for p in
                                                        r.json()["error"]["problems"]}
    ok(client.patch(f"/drafts/{d['id']}", json={"fields": {"lon": 36.5606, "lat": 35.6141,
                                                           "precision_m": 5000}}))
    out = ok(client.post(f"/drafts/{d['id']}/confirm"))
    assert out["results"][0]["status"] == "stored"
    assert ok(client.get(f"/incidents/{d['fields']['id']}"))["workspace"] == "joint"
