"""No oracle on what a party holds back, on SQLite and PostgreSQL.

Two stores are run through the same story; in one, the US side also holds records it never
releases (an unreleased incident, a revision it never released, an air notice, a bulk job).
Everything the other side, the joint reviewer and an observer then ask is asked of both, with
the held-back ids and values as guesses: every answer must be the same in both stores (status
and body, less the times), so no filter, count, hash, number or status code tells a right guess
from a wrong one. And no answer they get may carry a held-back id or value.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from tests.conftest import EXAMPLE, Server, _postgres_database, seed_users, wait_for_job
from tests.test_two_party_amendments import upload

from jig.service import Settings

USERS = {"us-analyst": ("analyst", "US"), "us-lead": ("lead", "US"),
         "ru-analyst": ("analyst", "RU"), "ru-lead": ("lead", "RU"),
         "reviewer": ("reviewer", None), "observer": ("observer", None)}
OTHERS = ("ru-analyst", "ru-lead", "reviewer", "observer")
SOURCE, GRADE = "KESTREL-7", "GRADE-Q9"
FIRST_NOTES = "FIRST-NOTES-WITHHELD"  # withheld by the first release, shown by none
HIDDEN_NOTES = "NEVER-RELEASED-REVISION"
SECRETS = (SOURCE, GRADE, FIRST_NOTES, HIDDEN_NOTES, "US-HELD", "AIR-US-9")

STRIKE = {"id": "US-7", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
          "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
          "act": "air_strike", "source": SOURCE, "grade": GRADE}
HELD = STRIKE | {"id": "US-HELD", "time": "2016-08-12T09:00", "notes": HIDDEN_NOTES}
ADVANCE = {"id": "RU-3", "time": "2016-08-10T06:00", "lon": 36.97, "lat": 35.58,
           "actor": "Jabhat Fateh al-Sham", "target": "Military Forces of Syria (2000-)",
           "act": "ground_attack", "source": "RU field report"}
AIR = {"party": "US", "actor": "US", "kind": "transit", "time": "2016-09-20T07:00/2016-09-20T09:00",
       "geometry": "LINESTRING (41.9 36.9, 42.0 37.0)", "half_width_m": 5000, "alt_low": 24000,
       "alt_high": 26000, "alt_unit": "ft", "alt_ref": "AMSL"}
RU_AIR = AIR | {"party": "RU", "actor": "RU", "time": "2016-09-21T07:00/2016-09-21T09:00",
                "geometry": "LINESTRING (36.0 33.0, 36.1 33.1)"}
TIMES = {"judged_at", "received_at", "released_at", "created_at", "finished_at", "opened_at",
         "signed_at", "published_at", "detected_at", "at", "audit_head", "effective_from",
         "proposed_at"}


@pytest.fixture
def two_stores(request, db_url, tmp_path):
    """Two fresh databases of the same backend."""
    if db_url.startswith("sqlite"):
        yield db_url, f"sqlite:///{tmp_path / 'other.db'}"
        return
    other = _postgres_database()
    try:
        yield db_url, next(other)
    finally:
        other.close()


def ok(r: httpx.Response) -> Any:
    assert r.status_code < 300, r.text
    return r.json()



# A job id nobody was given: stands for the US bulk job in the store without one.
NO_JOB = 4_242_424_242


def story(c: dict[str, httpx.Client], held_back: bool) -> dict[str, int]:
    """What both stores go through; `held_back` adds what the US side never releases. Returns
    the ids the story was given (random: they count nothing), by name."""
    ok(c["us-analyst"].post("/incidents", json=STRIKE | {"notes": FIRST_NOTES}))
    ok(c["us-lead"].post("/incidents/US-7/release",
                         json={"withhold": ["source", "grade", "notes"]}))
    if held_back:
        ok(c["us-analyst"].post("/incidents", json=STRIKE | {"notes": HIDDEN_NOTES}))
        ok(c["us-analyst"].post("/incidents", json=HELD))
        ok(c["us-analyst"].post("/air/notices", json=AIR | {"id": "AIR-US-9"}))
    ok(c["us-analyst"].post("/incidents", json=STRIKE | {"notes": "second notes, shown"}))
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source", "grade"]}))
    ok(c["ru-analyst"].post("/incidents", json=ADVANCE))
    ids = {"rejudge": ok(c["reviewer"].post("/agreements/syria-2016-jig/rejudge"))["job"],
           "bulk": NO_JOB}
    wait_for_job(c["reviewer"], ids["rejudge"])
    # Both sides agree a target where the strikes were, from before them: re-judging changes
    # their verdicts, the held-back ones' too (in the US headquarters only).
    prop = ok(c["us-lead"].post("/agreements/syria-2016-jig/proposals", json=upload(
        target=(36.99, 35.62)) | {"effective_from": "2016-07-20T00:00:00+00:00"}))
    done = ok(c["ru-lead"].post(f"/agreements/syria-2016-jig/proposals/{prop['id']}/accept"))
    ids |= {"proposal": prop["id"], "adopt": done["rejudge_job"]}
    wait_for_job(c["reviewer"], ids["adopt"])
    if held_back:
        r = c["us-analyst"].post("/incidents/bulk?filename=held.csv", content=(
            "id,time,lon,lat,actor,act,source\n"
            f"US-BULK,2016-08-13T09:00,36.9,35.6,Military Forces of Russia (2015-),air_strike,"
            f"{SOURCE}\n").encode(), headers={"content-type": "text/csv"})
        ids["bulk"] = ok(r)["job"]
        wait_for_job(c["us-analyst"], ids["bulk"])
    return ids


def probes(c: dict[str, httpx.Client], ids: dict[str, int]) -> list[tuple[str, int, Any]]:
    """Everything the others ask, in order, with held-back ids and values as guesses. Paths
    name ids as `{name}`; answers are compared with each store's ids put back as names."""
    out: list[tuple[str, int, Any]] = []

    reused: list[str] = []  # held-back ids the other side has since used for its own records

    def ask(who: str, method: str, path: str, body: Any = None, cursor: str = "") -> Any:
        r = c[who].request(method, path.format(**ids) + cursor, json=body)
        text = r.text
        asked = path.format(**ids) + json.dumps(body) + "".join(reused)
        for secret in (*SECRETS, str(ids["bulk"])):  # what was guessed may be echoed back
            assert secret in asked or secret not in text, \
                f"{who} {method} {path} shows {secret}: {text[:300]}"
        parsed = r.json() if text else None
        out.append((f"{who} {method} {path}", r.status_code, normal(named(parsed, ids))))
        return parsed

    readers = ("ru-analyst", "ru-lead", "reviewer")
    for who in OTHERS:
        for path in ("/incidents", f"/incidents?source={SOURCE}", "/incidents?source=WRONG",
                     f"/incidents?grade={GRADE}", "/incidents?grade=WRONG",
                     "/incidents?format=geojson", "/incidents?format=geojson&brief=true",
                     "/incidents/US-7", "/incidents/US-7?workspace=US", "/incidents/US-7/explain",
                     "/incidents/US-HELD", "/incidents/US-HELD?workspace=US",
                     "/incidents/US-HELD/explain", "/incidents/NO-SUCH", "/incidents/US-BULK",
                     "/notices", "/reviews", "/published", "/agreements",
                     "/agreements/syria-2016-jig", "/agreements/syria-2016-jig/proposals",
                     "/jobs/{rejudge}", "/jobs/{adopt}", "/jobs/{adopt}/rejects", "/jobs/{bulk}",
                     "/jobs/{bulk}/rejects",
                     "/air/alerts?party=RU", "/air/notices?party=RU", "/me", "/health",
                     "/reviews/1", "/agreements/syria-2016-jig/versions/2"):
            ask(who, "GET", path)
        if who in readers:
            # Page by page: the cursor may not count what lies between two pages.
            page = ask(who, "GET", "/incidents?limit=1")
            while page.get("next"):
                page = ask(who, "GET", "/incidents?limit=1", cursor=f"&cursor={page['next']}")
    ask("reviewer", "POST", "/reviews", {"incident": "US-HELD", "query": "?"})
    ask("reviewer", "POST", "/reviews", {"incident": "US-HELD", "workspace": "US", "query": "?"})
    ask("ru-lead", "POST", "/incidents/US-HELD/release", {})
    # The same ids from the other side are its own fresh records.
    reused.extend(("US-HELD", "AIR-US-9"))
    ask("ru-analyst", "POST", "/incidents", ADVANCE | {"id": "US-HELD"})
    ask("ru-lead", "POST", "/incidents/US-HELD/release", {"withhold": ["source"]})
    ask("ru-analyst", "POST", "/air/notices", RU_AIR | {"id": "AIR-US-9"})
    ask("ru-analyst", "GET", "/air/notices?party=RU")
    ask("reviewer", "GET", "/incidents/US-HELD")
    return out


def named(body: Any, ids: dict[str, int]) -> Any:
    """A body with the store's own ids (random numbers) put back as their names."""
    if isinstance(body, dict):
        return {k: named(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [named(v, ids) for v in body]
    for name, value in ids.items():
        if isinstance(body, int) and body == value:
            return f"<{name}>"
        if isinstance(body, str):
            body = body.replace(str(value), f"<{name}>")
    return body


def normal(body: Any) -> Any:
    """A body less what differs between two runs by itself: times, and the cursor (which is
    sealed: only whether there is a next page is compared)."""
    if isinstance(body, dict):
        out = {}
        for k, v in body.items():
            if k in TIMES:
                continue
            out[k] = (v is not None) if k == "next" else normal(v)
        return out
    if isinstance(body, list):
        return [normal(v) for v in body]
    return body


@pytest.fixture
def worlds(two_stores, tmp_path):
    with ExitStack() as stack:
        out = []
        for k, url in enumerate(two_stores):
            settings = Settings(data_dir=tmp_path / f"data{k}", database_url=url,
                                agreements=[EXAMPLE / "agreement.yaml"])
            srv = stack.enter_context(Server(settings))
            tokens = seed_users(url, USERS, settings.data_dir)
            clients = {name: stack.enter_context(httpx.Client(
                base_url=srv.url, timeout=60, headers={"authorization": f"Bearer {t}"}))
                for name, t in tokens.items()}
            out.append(clients)
        yield out


def test_what_is_held_back_changes_nothing_the_others_see(worlds):
    plain, held = worlds
    seen = []
    for c, ids in ((plain, story(plain, held_back=False)), (held, story(held, held_back=True))):
        seen.append(probes(c, ids))
    assert len(seen[0]) == len(seen[1])
    for a, b in zip(*seen, strict=True):
        assert a == b, f"{a[0]}: answered differently when the US holds records back:\n" \
            f"{json.dumps(a[1:], indent=1)[:1500]}\n---\n{json.dumps(b[1:], indent=1)[:1500]}"


def test_a_right_guess_answers_as_a_wrong_one(worlds):
    _, c = worlds
    bulk = story(c, held_back=True)["bulk"]
    pairs = [(f"/incidents?source={SOURCE}", "/incidents?source=WRONG"),
             (f"/incidents?grade={GRADE}", "/incidents?grade=WRONG"),
             (f"/incidents?source={SOURCE}&format=geojson", "/incidents?source=WRONG&format=geojson"),
             ("/incidents/US-HELD", "/incidents/NO-SUCH"),
             ("/incidents/US-HELD?workspace=US", "/incidents/NO-SUCH?workspace=US"),
             ("/incidents/US-HELD/explain", "/incidents/NO-SUCH/explain"),
             ("/incidents/US-BULK", "/incidents/NO-SUCH"),
             (f"/jobs/{bulk}", "/jobs/999"), (f"/jobs/{bulk}/rejects", "/jobs/999/rejects")]
    for who in ("ru-analyst", "ru-lead", "reviewer"):
        for right, wrong in pairs:
            a, b = c[who].get(right), c[who].get(wrong)
            for guess in (SOURCE, GRADE, "US-HELD", "US-BULK", str(bulk)):
                right = right.replace(guess, "?")
            assert a.status_code == b.status_code, (who, right)
            assert a.text.replace("US-HELD", "NO-SUCH").replace("US-BULK", "NO-SUCH") \
                .replace(f"no job {bulk}", "no job 999") == b.text, (who, right)
    # Acts on a guessed id answer as on an id nobody holds.
    a = c["ru-lead"].post("/incidents/US-HELD/release", json={})
    b = c["ru-lead"].post("/incidents/NO-SUCH/release", json={})
    assert (a.status_code, a.text.replace("US-HELD", "NO-SUCH")) == (b.status_code, b.text)
    a = c["reviewer"].post("/reviews", json={"incident": "US-HELD", "query": "?"})
    b = c["reviewer"].post("/reviews", json={"incident": "NO-SUCH", "query": "?"})
    assert (a.status_code, a.text.replace("US-HELD", "NO-SUCH")) == (b.status_code, b.text)
    a = ok(c["ru-analyst"].post("/incidents", json=ADVANCE | {"id": "US-HELD"}))
    b = ok(c["ru-analyst"].post("/incidents", json=ADVANCE | {"id": "NO-SUCH"}))
    assert normal(a) == json.loads(json.dumps(normal(b)).replace("NO-SUCH", "US-HELD"))
    a = ok(c["ru-analyst"].post("/air/notices", json=RU_AIR | {"id": "AIR-US-9"}))
    b = ok(c["ru-analyst"].post("/air/notices", json=RU_AIR | {"id": "AIR-NO-SUCH",
                                                               "time": "2016-09-22T07:00"}))
    assert a["results"][0]["status"] == b["results"][0]["status"] == "stored"
    # The US side's air notice under that id is still its own, unchanged.
    [own] = ok(c["us-lead"].get("/air/notices"))
    assert own["id"] == "AIR-US-9" and own["party"] == "US" and own["revision"] == 1


def test_each_revision_keeps_its_own_release(worlds):
    _, c = worlds
    adopt = story(c, held_back=True)["adopt"]
    us7 = ok(c["reviewer"].get("/incidents/US-7"))
    assert us7["workspace"] == "US" and us7["revision"] == 2
    first, second = us7["revisions"]
    assert [first["revision"], second["revision"]] == [1, 2]
    assert "notes" not in first["record"] and second["record"]["notes"] == "second notes, shown"
    for rev in (first, second):
        assert "source" not in rev["record"] and "grade" not in rev["record"]
    # The hash another party sees covers what it is shown, and it can recompute it.
    from jig.store.records import content_hash
    assert second["content_hash"] == content_hash(second["record"])
    # The owner sees its own revisions, all three, with commitments it alone can make.
    # The re-judging job counts for each side its own verdicts and the joint centre's.
    us, ru = ok(c["us-lead"].get(f"/jobs/{adopt}")), ok(c["ru-lead"].get(f"/jobs/{adopt}"))
    assert us["stored"] > ru["stored"] > 0
    own = ok(c["us-lead"].get("/incidents/US-7"))
    assert [r["revision"] for r in own["revisions"]] == [1, 2, 3]
    assert own["revisions"][0]["record"]["notes"] == FIRST_NOTES
    assert own["revisions"][0]["content_hash"] != content_hash(own["revisions"][0]["record"])
