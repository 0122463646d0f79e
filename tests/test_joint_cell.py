"""The joint cell over HTTP, on SQLite and PostgreSQL: separate headquarters, release with
withheld fields, review to publication, every endpoint × role, and the audit trail."""

from __future__ import annotations

import httpx
import pytest
from tests.conftest import EXAMPLE, HTTP_TIMEOUT, served_cell

from jig.store import Store
from jig.store.rebuild import verify

USERS = {"us-analyst": ("analyst", "US"), "us-lead": ("lead", "US"),
         "ru-analyst": ("analyst", "RU"), "ru-lead": ("lead", "RU"),
         "reviewer": ("reviewer", None), "observer": ("observer", None)}
SECRET = "KESTREL-7 (US source)"

# An RU strike reported by US intelligence, and the Nusra advance Russia knows of.
STRIKE = {"id": "US-7", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
          "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
          "act": "air_strike", "source": SECRET, "notes": "seen by a US asset"}
ADVANCE = {"id": "RU-3", "time": "2016-08-10T06:00", "lon": 36.97, "lat": 35.58,
           "actor": "Jabhat Fateh al-Sham", "target": "Military Forces of Syria (2000-)",
           "act": "ground_attack", "source": "RU field report"}


@pytest.fixture
def cell(db_url, tmp_path):
    with served_cell(db_url, tmp_path, USERS) as (srv, clients, _), \
            httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT) as none, \
            httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT,
                         headers={"authorization": "Bearer jig_not-a-token"}) as bad:
        yield clients | {"none": none, "bad": bad}, db_url


def assert_log_holds(db_url: str) -> None:
    """`jig audit verify` finds nothing amiss in the store."""
    store = Store.open(db_url)
    try:
        with store.sessions() as s:
            assert verify(s).problems == []
    finally:
        store.close()


def ok(r: httpx.Response) -> dict:
    assert r.status_code < 300, r.text
    return r.json()


def test_report_release_query_answer_determine_publish(cell):
    c, db_url = cell
    seen_by_others: list[str] = []

    def other(name: str, method: str, path: str, **kw) -> httpx.Response:
        r = c[name].request(method, path, **kw)
        seen_by_others.append(r.text)
        return r

    # Report: a US analyst files the strike in the US headquarters' workspace.
    body = ok(c["us-analyst"].post("/incidents", json=STRIKE))
    assert body["verdicts"]["US-7"][0]["verdict"] == "breach"
    # Until released, nobody else sees it: not Russia, not the joint centre.
    assert other("ru-lead", "GET", "/incidents/US-7").status_code == 404
    assert other("reviewer", "GET", "/incidents/US-7").status_code == 404
    assert ok(other("reviewer", "GET", "/incidents"))["items"] == []
    assert ok(c["us-lead"].get("/incidents/US-7"))["record"]["source"] == SECRET
    # Release to the joint centre, withholding the source; judged fields cannot be withheld.
    for judged in ("lat", "sides"):  # `sides`: whether the record names two sides, not who acted
        r = c["us-lead"].post("/incidents/US-7/release", json={"withhold": [judged]})
        assert r.status_code == 422 and "cannot be withheld" in r.json()["error"]["message"]
    # A misspelt key, ignored, released the very field it meant to hold back: refused now,
    # named, as a preview too; nothing is released.
    for query in ("?preview=true", ""):
        r = c["us-lead"].post(f"/incidents/US-7/release{query}", json={"withold": ["source"]})
        assert r.status_code == 422 and "withold" in r.text, r.text
    # A field the record lacks is named where it was given, as the error shape says.
    r = c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["notes", "sourse"]})
    assert r.status_code == 422 and r.json()["error"]["problems"] == [
        {"code": "release.unknown_field", "message": "not a field of US-7",
         "where": {"path": "withhold[1]"}}]
    assert other("reviewer", "GET", "/incidents/US-7").status_code == 404
    assert c["us-analyst"].post("/incidents/US-7/release", json={}).status_code == 403
    assert c["ru-lead"].post("/incidents/US-7/release", json={}).status_code == 404
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source", "notes"]}))
    joint = ok(other("reviewer", "GET", "/incidents/US-7"))
    assert "source" not in joint["record"] and "notes" not in joint["record"]
    assert joint["verdict"]["verdict"] == "breach"
    # Query: the joint reviewer asks Russia, which answers for the actor.
    review = ok(other("reviewer", "POST", "/reviews",
                      json={"incident": "US-7", "query": "Was this strike on an agreed target?"}))
    assert review["queried_party"] == "RU" and review["state"] == "queried"
    # One review of an incident at a time: a second, determined apart, could be the one
    # published.
    again = c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "Again?"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "review.open"
    rid = review["id"]
    assert c["us-lead"].post(f"/reviews/{rid}/answer", json={"answer": "x"}).status_code == 403
    # Answer: Russia files and releases its report of the Nusra advance, and cites it.
    ok(other("ru-analyst", "POST", "/incidents", json=ADVANCE))
    r = other("ru-lead", "POST", f"/reviews/{rid}/answer",
              json={"answer": "Nusra advanced beyond DA-1", "evidence": [
                  {"kind": "incident", "id": "RU-3"}]})
    assert r.status_code == 422 and "release it first" in r.json()["error"]["message"]
    ok(other("ru-lead", "POST", "/incidents/RU-3/release", json={"withhold": ["source"]}))
    # Released evidence reaches the joint centre's verdict: now excepted there.
    joint = ok(other("reviewer", "GET", "/incidents/US-7"))
    assert joint["verdict"]["verdict"] == "excepted"
    assert [h["verdict"] for h in joint["history"]] == ["breach", "excepted"]
    ok(other("ru-lead", "POST", f"/reviews/{rid}/answer",
             json={"answer": "Nusra advanced beyond DA-1",
                   "evidence": [{"kind": "incident", "id": "RU-3"}]}))
    # Determination signed by a lead of each party.
    assert c["reviewer"].post(f"/reviews/{rid}/publish").status_code == 409
    ok(c["us-lead"].post(f"/reviews/{rid}/determinations",
                         json={"outcome": "excepted", "text": "The advance is confirmed."}))
    assert c["us-lead"].post(f"/reviews/{rid}/determinations",
                             json={"outcome": "breach", "text": "again"}).status_code == 409
    done = ok(other("ru-lead", "POST", f"/reviews/{rid}/determinations",
                    json={"outcome": "excepted", "text": "Imminent advance."}))
    assert done["state"] == "determined" and done["determination"] == "joint"
    assert done["outcome"] == "excepted"
    # Publication to observers, with the chain head to check it against.
    assert c["observer"].get("/incidents").status_code == 403
    ok(other("reviewer", "POST", f"/reviews/{rid}/publish"))
    pub = ok(other("observer", "GET", "/published"))
    [d] = pub["determinations"]
    assert d["incident"] == "US-7" and d["determination"] == "joint"
    assert d["incident_record"]["verdict"]["verdict"] == "excepted"
    assert d["head"]["tree_size"] > 10 and len(d["head"]["root_hash"]) == 64
    # Russia's withheld source stays hidden from the US side too.
    assert "RU field report" not in c["us-lead"].get("/incidents/RU-3").text
    for text in seen_by_others:
        assert SECRET not in text and "seen by a US asset" not in text
    for path in ("/incidents", "/incidents?format=geojson", "/incidents/US-7/explain"):
        assert SECRET not in c["reviewer"].get(path).text
        assert SECRET not in c["ru-lead"].get(path).text
    store = Store.open(db_url)
    try:
        with store.sessions() as s:
            result = verify(s)
        assert result.problems == []
        assert result.root == ok(c["reviewer"].get("/audit/head"))["root_hash"]
        actions = [e["action"] for e in ok(c["reviewer"].get("/audit"))]
        for step in ("intake", "release", "review.open", "review.answer",
                     "review.determination", "review.publish"):
            assert step in actions
    finally:
        store.close()


def test_separate_determinations_when_the_parties_disagree(cell):
    c, _ = cell
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={}))
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "?"}))["id"]
    ok(c["ru-lead"].post(f"/reviews/{rid}/answer", json={"answer": "A Nusra position."}))
    ok(c["us-lead"].post(f"/reviews/{rid}/determinations",
                         json={"outcome": "breach", "text": "Not an agreed target."}))
    done = ok(c["ru-lead"].post(f"/reviews/{rid}/determinations",
                                json={"outcome": "no_breach", "text": "It was."}))
    assert done["determination"] == "separate" and done["outcome"] is None
    assert {d["party"]: d["outcome"] for d in done["determinations"]} == {
        "US": "breach", "RU": "no_breach"}


def test_a_release_reaches_the_other_partys_headquarters_verdicts(cell):
    """A headquarters sees what the other party released: when Russia released its report of
    the Nusra advance, the joint centre's verdict of the US strike became excepted, but the US
    headquarters kept 'breach' (map and list said breach, the panel excepted)."""
    c, _ = cell
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    assert ok(c["us-analyst"].get("/incidents/US-7"))["verdict"]["verdict"] == "breach"
    ok(c["ru-analyst"].post("/incidents", json=ADVANCE))
    ok(c["ru-lead"].post("/incidents/RU-3/release", json={"withhold": ["source"]}))
    mine = ok(c["us-analyst"].get("/incidents/US-7"))
    assert mine["verdict"]["verdict"] == "excepted", mine["verdict"]
    assert [h["verdict"] for h in mine["history"]] == ["breach", "excepted"]
    entries = ok(c["reviewer"].get("/audit"))
    assert [e["subject"] for e in entries if e["action"] == "release.rejudge"] == ["workspace US"]


def test_a_determination_is_sealed_from_the_other_party_until_both_have_signed(cell):
    """The RU lead read the US determination (outcome, text, signature) before signing its
    own, through the review, the review list and the determination's proof: signing was not
    independent. Until both have signed, each party sees only that the other has."""
    c, _ = cell
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={}))
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "?"}))["id"]
    ok(c["ru-lead"].post(f"/reviews/{rid}/answer", json={"answer": "A Nusra position."}))
    mine = ok(c["us-lead"].post(f"/reviews/{rid}/determinations",
                                json={"outcome": "breach", "text": "Not an agreed target."}))
    (det,) = mine["determinations"]
    assert det["outcome"] == "breach" and not det["sealed"]  # its own party reads it
    secret = ("Not an agreed target.", "breach", det["signature"])
    for who in ("ru-analyst", "ru-lead", "reviewer"):
        (seen,) = ok(c[who].get(f"/reviews/{rid}"))["determinations"]
        assert seen["sealed"] and seen["party"] == "US" and seen["outcome"] is None
        listed = [r for r in ok(c[who].get("/reviews")) if r["id"] == rid]
        proof = c[who].get(f"/audit/determinations/{det['id']}/proof")
        assert proof.status_code == 404
        for text in (str(seen), str(listed)):
            assert not any(x in text for x in secret), who
    assert ok(c["us-analyst"].get(f"/reviews/{rid}"))["determinations"][0]["outcome"] == "breach"
    assert c["us-analyst"].get(f"/audit/determinations/{det['id']}/proof").status_code == 200
    # Once both have signed, both read both.
    done = ok(c["ru-lead"].post(f"/reviews/{rid}/determinations",
                                json={"outcome": "breach", "text": "Agreed."}))
    assert done["determination"] == "joint"
    assert {d["party"]: (d["outcome"], d["sealed"]) for d in done["determinations"]} == {
        "US": ("breach", False), "RU": ("breach", False)}
    assert c["ru-lead"].get(f"/audit/determinations/{det['id']}/proof").status_code == 200


ALL = ("us-analyst", "us-lead", "ru-analyst", "ru-lead", "reviewer", "observer")
PARTY = ("us-analyst", "us-lead", "ru-analyst", "ru-lead")
READERS = (*PARTY, "reviewer")
US_DESK = ("us-analyst", "us-lead", "reviewer")


def test_every_endpoint_by_every_role(cell):
    c, _ = cell
    # Something to act on: a released US incident, an unreleased RU one, an open review.
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}))
    ok(c["ru-analyst"].post("/incidents", json=ADVANCE))
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "?"}))["id"]
    upload = {"yaml": (EXAMPLE / "agreement.yaml").read_text(), "files": {}}
    us_record = STRIKE | {"id": "M-{who}"}
    matrix = [
        ("GET", "/health", None, (*ALL, "none", "bad")),
        ("GET", "/me", None, ALL),
        ("GET", "/agreements", None, ALL),
        ("GET", "/agreements/syria-2016-jig", None, ALL),
        ("GET", "/audit/head", None, ALL),
        ("GET", "/published", None, ALL),
        ("POST", "/agreements", upload, ("reviewer",)),
        ("POST", "/agreements/syria-2016-jig/rejudge", None, ("reviewer",)),
        ("POST", "/incidents", us_record, PARTY),
        ("GET", "/incidents", None, READERS),
        ("GET", "/incidents/US-7", None, READERS),
        ("GET", "/incidents/US-7/explain", None, READERS),
        ("POST", "/incidents/US-7/release", {}, ("us-lead",)),
        ("POST", "/notices", {"id": "N-{who}", "party": "US", "time": "2016-08-11T08:00",
                              "exception": "imminent-threat", "incident": "US-7"},
         ("us-analyst", "us-lead")),
        ("GET", "/notices", None, READERS),
        ("GET", "/air/alerts?party=US", None, US_DESK),
        ("GET", "/air/notices?party=US", None, ("us-analyst", "us-lead")),
        ("POST", "/reviews", {"incident": "US-7", "query": "?"}, ("reviewer",)),
        ("GET", "/reviews", None, READERS),
        ("GET", f"/reviews/{rid}", None, READERS),
        ("POST", f"/reviews/{rid}/answer", {"answer": "x"}, ("ru-lead",)),
        ("POST", f"/reviews/{rid}/determinations", {"outcome": "breach", "text": "x"},
         ("us-lead", "ru-lead")),
        ("POST", f"/reviews/{rid}/publish", None, ("reviewer",)),
        ("GET", "/audit", None, ("reviewer",)),
    ]
    failures = []
    for method, path, body, allowed in matrix:
        for who in (*ALL, "none", "bad"):
            payload = None
            if body is not None:
                payload = {k: (v.replace("{who}", who) if isinstance(v, str) else v)
                           for k, v in body.items()}
            r = c[who].request(method, path, json=payload)
            if who in allowed:
                good = r.status_code not in (401, 403)
            elif who in ("none", "bad"):
                good = r.status_code == 401
            else:
                good = r.status_code in (403, 404)  # 404: the record is not theirs to see
            if not good:
                failures.append(f"{method} {path} as {who}: {r.status_code} {r.text[:120]}")
            if r.status_code >= 400:
                assert set(r.json()) == {"error"}, r.text
    assert failures == []
    # Workspaces hold: nobody but Russia sees Russia's unreleased report.
    for who in ("us-analyst", "us-lead", "reviewer"):
        assert c[who].get("/incidents/RU-3").status_code == 404
        assert "RU-3" not in c[who].get("/incidents").text
    assert c["ru-analyst"].get("/incidents/RU-3").status_code == 200
    # The same id from the other party is another record, answered as a fresh one; the first
    # party's record is untouched.
    r = ok(c["ru-analyst"].post("/incidents", json=STRIKE | {"lon": 37.0}))
    assert r["results"] == [{"id": "US-7", "status": "stored", "revision": 1}]
    assert ok(c["us-lead"].get("/incidents/US-7"))["record"]["lon"] == 36.99
    assert ok(c["ru-lead"].get("/incidents/US-7"))["record"]["lon"] == 37.0


def test_a_notice_over_the_other_partys_unreleased_record_tells_nothing_of_it(cell):
    """A notice covering a place judges every view of it again, the other party's too. The
    notice's party gets the same proofs of the same number of entries, and the log grows as
    much, whether or not the other party holds an unreleased record there (the re-judged US
    verdicts were parts of Russia's own entry: their number located the US record)."""
    c, db_url = cell
    ok(c["us-analyst"].post("/incidents", json={
        "id": "U-3", "time": "2016-08-10T12:00", "lon": 36.40, "lat": 35.90,
        "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
        "act": "air_strike", "source": SECRET}))
    ru = c["ru-analyst"]

    def notice(ident: str, lon: float, lat: float) -> tuple[int, list[list[str]]]:
        before = ok(ru.get("/audit/head"))["tree_size"]
        ok(ru.post("/notices", json={"id": ident, "party": "RU", "time": "2016-08-10T11:00",
                                     "exception": "imminent-threat", "lon": lon, "lat": lat,
                                     "radius_m": 3000}))
        after = ok(ru.get("/audit/head"))["tree_size"]
        proofs = [ru.get(f"/audit/proof/{seq}") for seq in range(before + 1, after + 1)]
        return after - before, [[str(r.status_code), *(
            ["parts"] * len(r.json()["leaf"]["parts"]) if r.status_code == 200 else [])]
            for r in proofs]

    assert notice("R-N1", 36.40, 35.90) == notice("R-N2", 36.60, 35.20)
    # The US view was judged again all the same, in an entry the US may have proven.
    history = ok(c["us-analyst"].get("/incidents/U-3"))["history"]
    assert [h["verdict"] for h in history] == ["breach", "excepted"]
    us = c["us-analyst"]
    size = ok(us.get("/audit/head"))["tree_size"]
    assert [ok(us.get(f"/audit/proof/{seq}"))["leaf"]["seq"] for seq in (size - 2, size)] \
        == [size - 2, size]
    assert_log_holds(db_url)


def test_a_notice_leaves_the_other_partys_unreleased_record_of_that_id_alone(cell):
    """Ids are scoped by workspace: a notice naming A-09 is its party's act on the A-09 it can
    see (its own, or one released to the joint centre), not on another party's unreleased
    record that has the same id by chance."""
    c, db_url = cell
    a09 = {"id": "A-09", "time": "2016-08-05T10:00", "lon": 36.45, "lat": 35.85,
           "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
           "act": "air_strike"}
    ok(c["us-analyst"].post("/incidents", json=a09 | {"source": SECRET}))
    ok(c["ru-analyst"].post("/incidents", json=a09 | {"source": "RU air staff"}))

    def verdict(who: str) -> list[str]:
        return [h["verdict"] for h in ok(c[who].get("/incidents/A-09"))["history"]]

    assert verdict("us-analyst") == verdict("ru-analyst") == ["breach"]
    ok(c["ru-analyst"].post("/notices", json={
        "id": "N-1", "party": "RU", "time": "2016-08-05T08:00",
        "exception": "imminent-threat", "incident": "A-09"}))
    assert verdict("ru-analyst") == ["breach", "excepted"]
    assert verdict("us-analyst") == ["breach"]  # the US record is not the one Russia named
    us = ok(c["us-analyst"].get("/incidents/A-09/explain"))
    assert us["verdict"] == "breach"
    # Once the US releases its A-09, Russia can see it and its notice may name it.
    ok(c["us-lead"].post("/incidents/A-09/release", json={"withhold": ["source"]}))
    assert ok(c["reviewer"].get("/incidents/A-09?workspace=US"))["verdict"]["verdict"] \
        == "excepted"
    # The owner's view is judged again on release, and reads the same notices.
    us = ok(c["us-analyst"].get("/incidents/A-09"))
    assert us["verdict"]["verdict"] == "excepted"
    assert [h["verdict"] for h in us["history"]] == ["breach", "excepted", "excepted"]
    assert_log_holds(db_url)


def test_rejudging_grows_the_log_alike_whatever_the_other_partys_records_hold(tmp_path):
    """A new version re-judged every record, and wrote a batch's entry only when it recorded a
    verdict: the log grew by one entry more when the US held an unreleased record dated after
    the new version took effect, which the RU side could see from two heads."""
    import json
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from tests.conftest import incident

    from jig.agreement import agreement_document, load_agreement
    from jig.store.tables import AuditEntry

    moved = tmp_path / "moved"
    moved.mkdir()
    for f in EXAMPLE.iterdir():
        if f.is_file():
            (moved / f.name).write_bytes(f.read_bytes())
    zones = json.loads((moved / "zones.geojson").read_text())
    for f in zones["features"]:
        if f["properties"]["id"] == "DA-1":  # moved east: its west edge leaves a strip
            f["geometry"]["coordinates"] = [[[x + 0.05, y] for x, y in ring]
                                            for ring in f["geometry"]["coordinates"]]
    (moved / "zones.geojson").write_text(json.dumps(zones))

    since = datetime(2016, 8, 1, tzinfo=UTC)  # the moved zone from then on

    def growth(time: str) -> tuple[dict[str, int], int]:
        folder = tmp_path / time[:10]
        store = Store.open(f"sqlite:///{folder}.db", key_folder=folder)
        try:
            for path in (EXAMPLE / "agreement.yaml", moved / "agreement.yaml"):
                example = load_agreement(path)
                version, _ = store.add_agreement(
                    example, agreement_document(path.read_text(), path.parent),
                    effective_from=None if path.parent == EXAMPLE else since)
                if path.parent == EXAMPLE:
                    store.add_incidents([incident(
                        example, "US-H", lon=36.375, lat=35.79, time=time,
                        actor="Military Forces of Syria (2000-)", act="shelling")],
                        workspace="US")
            with store.sessions() as s:
                before = s.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
            added = store.rejudge(version)
            with store.sessions() as s:
                return added, s.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) \
                    - before
        finally:
            store.close()

    # Syrian shelling in the strip DA-1 leaves: after the new version takes effect it is
    # judged again under it; before, it stays as judged (amendments are not retroactive).
    changed, same = growth("2016-08-11T09:00"), growth("2016-07-20T09:00")
    assert changed[0].get("US", 0) == 1 and same[0].get("US", 0) == 0
    assert changed[1] == same[1] > 0


def test_a_notice_that_reaches_the_cell_after_the_act_can_be_contested(cell):
    """A notice is dated by its party: one dated before a strike but sent after the strike
    was reported turned the joint verdict from breach to excepted, and the US could not ask
    for a review (only a breach or an undetermined verdict was reviewed)."""
    c, _ = cell
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}))
    assert ok(c["reviewer"].get("/incidents/US-7"))["verdict"]["verdict"] == "breach"
    ok(c["ru-analyst"].post("/notices", json={
        "id": "N-late", "party": "RU", "time": "2016-08-11T08:30",
        "exception": "imminent-threat", "incident": "US-7"}))
    assert ok(c["reviewer"].get("/incidents/US-7"))["verdict"]["verdict"] == "excepted"
    # When the cell received it is shown beside the date its party gave it...
    [late] = [n for n in ok(c["us-analyst"].get("/notices")) if n["id"] == "N-late"]
    assert late["time"] == "2016-08-11T08:30" and late["received_at"].startswith("20")
    # ... and the exception it grants can be reviewed: the party answering for the actor
    # (Russia) is asked to show the notice was given in time.
    review = ok(c["reviewer"].post("/reviews", json={"incident": "US-7",
                                                     "query": "When was N-late sent?"}))
    assert review["queried_party"] == "RU" and review["state"] == "queried"
    # One review of an incident at a time: a second, determined apart, could be the one
    # published.
    again = c["reviewer"].post("/reviews", json={"incident": "US-7", "query": "Again?"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "review.open"
