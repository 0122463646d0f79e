"""Every endpoint × role × workspace over real HTTP (the walk on SQLite; the bounds on both).

The endpoints are read from the running service's OpenAPI document (and its routes kept out of
it), so a new endpoint is walked as soon as it exists: one without a walker below fails the
test. Both parties hold what they never release (an incident, a revision, an air notice, a
bulk job and the row it set aside) and what they released less some fields. Every role — each
party's analyst and lead, the reviewer, an observer, no token — calls every endpoint with the
other party's unreleased ids and withheld values as guesses, and with a wrong guess of the same
shape. For each answer: no held-back id or withheld value appears in its body or headers
(unless the asker itself sent it), it is never a 500, it carries `Cache-Control: no-store`;
and the right guess is answered exactly as the wrong one — status, headers, counts, hashes,
body — once the guess is put back. Every integer a caller sends has a bound: past it, 422.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from tests.conftest import EXAMPLE, HTTP_TIMEOUT, Server, seed_users, wait_for_job
from tests.test_service_air import example_notices
from tests.test_two_party_amendments import upload

from jig.service import Settings

USERS = {"US-analyst": ("analyst", "US"), "US-lead": ("lead", "US"),
         "RU-analyst": ("analyst", "RU"), "RU-lead": ("lead", "RU"),
         "reviewer": ("reviewer", None), "observer": ("observer", None)}
ROLES = (*USERS, "none")
SAME_VIEW = {"US-analyst", "RU-lead"}  # see what US-lead and RU-analyst see
PARTIES = ("US", "RU")
AGREEMENT = "syria-2016-jig"
# Answers that differ between two calls by themselves: times, and ids of rows a call made.
TIMES = {"judged_at", "received_at", "released_at", "created_at", "finished_at", "opened_at",
         "signed_at", "published_at", "detected_at", "at", "timestamp", "elapsed_s",
         "rows_per_s", "bytes_read", "bytes_total", "updated_at"}
NEW_IDS = {"id", "job", "rejudge_job", "alert"}
VOLATILE_HEADERS = {"date", "content-length"}
# Served from files, cacheable; everything else is an answer and must not be cached.
STATIC = ("/ui/static/", "/docs/assets/")


def held(party: str) -> dict[str, str]:
    """What a party holds back, by name: ids it never released and values it withheld. Each
    starts with the party's name, so that its wrong guess (`wrong`) has the same length."""
    return {"held": f"{party}-HELD-7", "bulk": f"{party}-BULK-7", "air": f"{party}-AIR-7",
            "source": f"{party}-SOURCE-KESTREL", "grade": f"{party}-GRADE-Q9",
            "notes": f"{party}-NOTES-WITHHELD", "revision": f"{party}-NEVER-RELEASED",
            "air_notes": f"{party}-FLIGHT-ROUTE", "reject": f"{party}-REJECTED-ROW"}


def wrong(value: str) -> str:
    return "ZZ" + value[2:]


def released(party: str) -> dict[str, Any]:
    """A strike the party reports and releases, withholding its source, grade and notes."""
    s = held(party)
    return {"id": f"{party}-REL", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
            "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
            "act": "air_strike", "source": s["source"], "grade": s["grade"],
            "notes": s["notes"]}


def air_notice(party: str, ident: str, notes: str) -> dict[str, Any]:
    """The party's notice of the example's conflicting pair: the two desks get an alert."""
    [n] = [n for n in example_notices() if n["id"] == f"{party}-1"]
    return n | {"id": ident, "notes": notes}


@dataclass
class World:
    """The running cell: clients by role, and the ids the setup was given."""

    url: str
    clients: dict[str, httpx.Client]
    jobs: dict[str, int] = field(default_factory=dict)  # each party's held-back bulk job
    drafts: dict[str, int] = field(default_factory=dict)  # a draft each party keeps
    entries: dict[str, int] = field(default_factory=dict)  # a log entry each party wrote
    review: int = 0  # published
    open_review: int = 0  # queried, waiting for RU's answer
    determination: int = 0
    proposal: int = 0

    def secrets_of(self, party: str) -> dict[str, str]:
        return held(party) | {"job": str(self.jobs[party]), "draft": str(self.drafts[party])}


def ok(r: httpx.Response) -> Any:
    assert r.status_code < 300, f"{r.request.method} {r.request.url}: {r.text}"
    return r.json()


def set_up(w: World) -> None:
    c = w.clients
    for party in PARTIES:
        s, analyst, lead = held(party), c[f"{party}-analyst"], c[f"{party}-lead"]
        ok(analyst.post("/incidents", json=released(party)))
        ok(lead.post(f"/incidents/{party}-REL/release",
                     json={"withhold": ["source", "grade", "notes"]}))
        ok(analyst.post("/incidents", json=released(party) | {"notes": s["revision"]}))
        ok(analyst.post("/incidents", json=released(party) | {"id": s["held"],
                                                              "time": "2016-08-12T09:00"}))
        ok(analyst.post("/air/notices", json=air_notice(party, s["air"], s["air_notes"])))
        r = analyst.post("/incidents/bulk?filename=held.csv", content=(
            "id,time,lon,lat,actor,act,source\n"
            f"{s['bulk']},2016-08-13T09:00,36.9,35.6,Military Forces of Russia (2015-),"
            f"air_strike,{s['source']}\n"
            f"{party}-BAD,not a time,36.9,35.6,x,air_strike,{s['reject']}\n").encode(),
            headers={"content-type": "text/csv"})
        w.jobs[party] = ok(r)["job"]
        # A draft read from prose that names the party's source: never shown to another.
        [draft] = ok(analyst.post("/drafts", json={
            "text": f"Near Abu Kamal, one strike destroyed six trucks ({s['source']}).",
            "date": "2016-08-13"}))["drafts"]
        w.drafts[party] = draft["id"]
        assert wait_for_job(analyst, w.jobs[party])["rejected"] == 1
    for e in ok(c["reviewer"].get("/audit")):
        for party in PARTIES:
            if e["actor"] == f"{party}-analyst" and e["action"] == "intake":
                w.entries.setdefault(party, e["seq"])
    # A review through to publication, one left open, and an amendment waiting for RU.
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-REL", "query": "?"}))["id"]
    ok(c["RU-lead"].post(f"/reviews/{rid}/answer", json={"answer": "A Nusra position."}))
    for party in PARTIES:
        ok(c[f"{party}-lead"].post(f"/reviews/{rid}/determinations",
                                   json={"outcome": "breach", "text": "Not agreed."}))
    done = ok(c["reviewer"].post(f"/reviews/{rid}/publish"))
    w.review, w.determination = rid, done["determinations"][0]["id"]
    w.open_review = ok(c["reviewer"].post("/reviews", json={"incident": "US-REL",
                                                            "query": "Again?"}))["id"]
    w.proposal = ok(c["US-lead"].post(f"/agreements/{AGREEMENT}/proposals",
                                      json=upload(shift=0.01)))["id"]


# -- what each endpoint is asked ----------------------------------------------------------------

@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Guesses in this call, right value -> wrong one: asked both ways and compared.
    guesses: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return self.path + json.dumps(self.json) + (self.content or b"").decode()

    def swapped(self) -> Call:
        """The same call with each guess replaced by its wrong one."""
        return _fill(self, {right: bad for right, bad in self.guesses.items()})


def swap(text: str, subs: dict[str, str]) -> str:
    """Each key replaced where it stands alone (not inside a longer id or number)."""
    for old, new in subs.items():
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    return text


def guess(method: str, path: str, **kw: Any) -> Call:
    """A call whose `{name}` placeholders are filled by `walk` with the other party's held-back
    values, each asked again with its wrong guess."""
    return Call(method, path, **kw)


def plain(method: str, path: str, **kw: Any) -> Call:
    """A call without guesses: only checked for what it shows."""
    return Call(method, path, **kw)


def _record(**fields: Any) -> dict[str, Any]:
    return {"id": "{held}", "time": "2016-08-14T09:00", "lon": 36.9, "lat": 35.6,
            "actor": "Military Forces of Russia (2015-)", "act": "air_strike"} | fields


def walkers(w: World, who: str) -> dict[tuple[str, str], list[Call]]:
    """For each endpoint (method, path as OpenAPI names it), what `who` asks of it."""
    me = USERS.get(who, (None, None))[1] or "US"  # the party its bodies name
    a = f"/agreements/{AGREEMENT}"
    example = {"yaml": (EXAMPLE / "agreement.yaml").read_text(), "files": {}}
    far_air = air_notice(me, "{air}", "mine") | {"geometry": "LINESTRING (41.9 36.9, 42.0 37.0)"}
    notice = {"id": "{held}", "party": me, "time": "2016-08-14T08:00",
              "exception": "imminent-threat", "incident": "{held}"}
    return {
        ("GET", "/health"): [plain("GET", "/health")],
        ("GET", "/ready"): [plain("GET", "/ready")],
        ("GET", "/metrics"): [plain("GET", "/metrics")],
        ("GET", "/me"): [plain("GET", "/me")],
        ("GET", "/agreements"): [plain("GET", "/agreements"),
                                 plain("GET", "/agreements?at=2016-08-01")],
        ("POST", "/agreements"): [plain("POST", "/agreements", json=example)],
        ("GET", "/agreements/{agreement_id}"): [plain("GET", a), guess("GET", "/agreements/{held}")],
        ("GET", "/agreements/{agreement_id}/versions/{number}"): [
            plain("GET", f"{a}/versions/1"), guess("GET", a + "/versions/{job}")],
        ("POST", "/agreements/{agreement_id}/rejudge"): [
            guess("POST", "/agreements/{held}/rejudge")],
        ("POST", "/agreements/{agreement_id}/proposals"): [
            guess("POST", "/agreements/{held}/proposals", json=upload(shift=0.02))],
        ("GET", "/agreements/{agreement_id}/proposals"): [
            plain("GET", f"{a}/proposals"), guess("GET", "/agreements/{held}/proposals")],
        ("POST", "/agreements/{agreement_id}/proposals/{proposal_id}/accept"): [
            guess("POST", a + "/proposals/{job}/accept")],
        ("POST", "/agreements/{agreement_id}/proposals/{proposal_id}/decline"): [
            guess("POST", a + "/proposals/{job}/decline")],
        ("POST", "/incidents"): [guess("POST", "/incidents", json=_record()),
                                 guess("POST", "/incidents", json=_record(
                                     id="{source}", source="{source}", grade="{grade}"))],
        ("POST", "/incidents/bulk"): [guess(
            "POST", "/incidents/bulk?filename=guess.csv", headers={"content-type": "text/csv"},
            content=b"id,time,lon,lat,actor,act\n{bulk},2016-08-14T09:00,36.9,35.6,"
                    b"Military Forces of Russia (2015-),air_strike\n")],
        ("GET", "/incidents"): [
            plain("GET", "/incidents"), plain("GET", "/incidents?format=geojson"),
            plain("GET", "/incidents?format=geojson&brief=true"),
            plain("GET", "/incidents?limit=1"),
            guess("GET", "/incidents?source={source}"), guess("GET", "/incidents?grade={grade}"),
            guess("GET", "/incidents?source={source}&format=geojson"),
            guess("GET", "/incidents?grade={grade}&format=geojson&brief=true")],
        ("GET", "/incidents/overview"): [
            plain("GET", "/incidents/overview"),
            plain("GET", "/incidents/overview?bbox=35,32,43,38&cells=64&all_time=true"),
            guess("GET", "/incidents/overview?source={source}&all_time=true"),
            guess("GET", "/incidents/overview?grade={grade}&all_time=true")],
        ("GET", "/incidents/export"): [
            plain("GET", "/incidents/export?all_time=true"),
            plain("GET", "/incidents/export?format=geojson&bbox=35,32,43,38"),
            guess("GET", "/incidents/export?source={source}&all_time=true"),
            guess("GET", "/incidents/export?grade={grade}&format=geojson&all_time=true")],
        ("GET", "/incidents/histogram"): [
            plain("GET", "/incidents/histogram?all_time=true"),
            guess("GET", "/incidents/histogram?source={source}&all_time=true"),
            guess("GET", "/incidents/histogram?grade={grade}&all_time=true")],
        ("GET", "/incidents/{incident_id}"): [
            plain("GET", "/incidents/US-REL"), plain("GET", "/incidents/RU-REL"),
            guess("GET", "/incidents/{held}"), guess("GET", "/incidents/{bulk}"),
            guess("GET", "/incidents/{held}?workspace={party}")],
        ("POST", "/incidents/{incident_id}/release"): [
            guess("POST", "/incidents/{held}/release", json={}),
            guess("POST", "/incidents/{held}/release?preview=true", json={"withhold": []})],
        ("GET", "/incidents/{incident_id}/explain"): [
            plain("GET", "/incidents/US-REL/explain"), guess("GET", "/incidents/{held}/explain"),
            guess("GET", "/incidents/{bulk}/explain?workspace={party}")],
        ("GET", "/drafts"): [plain("GET", "/drafts"), plain("GET", "/drafts?limit=5")],
        ("POST", "/drafts"): [plain("POST", "/drafts", json={
            "text": "Near Abu Kamal, one strike destroyed six oil tanker trucks.",
            "date": "2016-08-13"})],
        ("GET", "/drafts/{draft_id}"): [guess("GET", "/drafts/{draft}")],
        ("PATCH", "/drafts/{draft_id}"): [guess("PATCH", "/drafts/{draft}",
                                                json={"fields": {"id": "{held}"}})],
        ("POST", "/drafts/{draft_id}/confirm"): [
            guess("POST", "/drafts/{draft}/confirm"),
            guess("POST", "/drafts/{draft}/confirm?revision=1")],
        ("DELETE", "/drafts/{draft_id}"): [guess("DELETE", "/drafts/{draft}")],
        ("GET", "/notices"): [plain("GET", "/notices")],
        ("POST", "/notices"): [guess("POST", "/notices", json=notice)],
        ("GET", "/jobs/{job_id}"): [guess("GET", "/jobs/{job}")],
        ("GET", "/jobs/{job_id}/rejects"): [guess("GET", "/jobs/{job}/rejects")],
        ("POST", "/air/notices"): [guess("POST", "/air/notices", json=far_air)],
        ("GET", "/air/notices"): [plain("GET", "/air/notices"),
                                  plain("GET", f"/air/notices?party={me}")],
        ("GET", "/air/alerts"): [plain("GET", f"/air/alerts?party={p}") for p in PARTIES],
        ("GET", "/air/flights"): [plain("GET", "/air/flights"),
                                  plain("GET", f"/air/flights?party={me}")],
        ("GET", "/reviews"): [plain("GET", "/reviews")],
        ("POST", "/reviews"): [
            guess("POST", "/reviews", json={"incident": "{held}", "query": "?"}),
            guess("POST", "/reviews", json={"incident": "{held}", "workspace": "{party}",
                                            "query": "?"})],
        ("GET", "/reviews/{review_id}"): [plain("GET", f"/reviews/{w.review}"),
                                          guess("GET", "/reviews/{job}")],
        ("POST", "/reviews/{review_id}/answer"): [
            guess("POST", "/reviews/{job}/answer", json={"answer": "x"}),
            guess("POST", f"/reviews/{w.open_review}/answer", json={
                "answer": "x", "evidence": [{"kind": "incident", "id": "{held}"}]})],
        ("POST", "/reviews/{review_id}/determinations"): [
            guess("POST", "/reviews/{job}/determinations", json={"outcome": "breach",
                                                                  "text": "x"})],
        ("POST", "/reviews/{review_id}/publish"): [guess("POST", "/reviews/{job}/publish")],
        ("GET", "/published"): [plain("GET", "/published")],
        ("GET", "/audit"): [plain("GET", "/audit")],
        ("GET", "/audit/head"): [plain("GET", "/audit/head")],
        ("GET", "/audit/keys"): [plain("GET", "/audit/keys")],
        ("GET", "/audit/consistency"): [plain("GET", "/audit/consistency?first=1")],
        # Another party's entry answers as one that does not exist (to all but the reviewer).
        ("GET", "/audit/proof/{seq}"): [guess("GET", "/audit/proof/{entry}")],
        ("GET", "/audit/determinations/{determination_id}/proof"): [
            plain("GET", f"/audit/determinations/{w.determination}/proof"),
            guess("GET", "/audit/determinations/{job}/proof")],
        # The example has no must_by clause: a status record is refused, the same for a
        # right and a wrong guess of its id.
        ("POST", "/status"): [guess("POST", "/status", json={
            "id": "{held}", "clause": "agreed-targets-only", "time": "2016-08-14T09:00",
            "status": "done", "source": "{source}"})],
        ("GET", "/status"): [plain("GET", "/status")],
        ("GET", "/commitments"): [plain("GET", "/commitments"),
                                  plain("GET", f"/commitments?agreement={AGREEMENT}")],
        ("POST", "/commitments/check"): [plain("POST", "/commitments/check",
                                               json={"records": []})],
        # The report is slow to build: asked once per view (each party's, the joint one).
        ("GET", "/reports"): [plain("GET", "/reports?from=2016-08-01&to=2016-08-31&compare=none")]
        if who not in SAME_VIEW else [],
        # Kept out of the OpenAPI document: the page, the docs, the page's settings.
        ("GET", "/"): [plain("GET", "/")],
        ("GET", "/docs"): [plain("GET", "/docs")],
        ("GET", "/ui/config"): [plain("GET", "/ui/config")],
        ("POST", "/ui/translate"): [plain("POST", "/ui/translate", json={
            "lang": "ru", "texts": ["Actor", "air strike by RU"]})],
        ("GET", "/openapi.json"): [plain("GET", "/openapi.json")],
    }


# -- the walk ---------------------------------------------------------------------------------

def endpoints(srv: Server, spec: dict[str, Any]) -> set[tuple[str, str]]:
    """Every endpoint of the running app: those its OpenAPI document lists, and the routes it
    keeps out of the document."""
    listed = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}

    def hidden(routes: list[Any]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for r in routes:
            if hasattr(r, "original_router"):  # an included router (FastAPI >= 0.120)
                out |= hidden(r.original_router.routes)
            elif isinstance(r, APIRoute) and not r.include_in_schema:
                out |= {(m, r.path) for m in r.methods - {"HEAD"}}
        return out

    return listed | hidden(srv.server.config.app.routes) | {("GET", "/openapi.json")}


def normal(text: str, ctype: str) -> Any:
    """An answer less what differs between two calls by itself."""
    if "json" not in ctype:
        return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?", "<time>", text)

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ("<id>" if k in NEW_IDS and isinstance(x, int) else walk(x))
                    for k, x in v.items() if k not in TIMES}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str):
            # A job's link, and the incident ids a draft is given ("draft-3fa9c1-1").
            return re.sub(r"/jobs/\d+|\bdraft-[0-9a-f]{6}-", "<id>", v)
        return v

    return walk(json.loads(text)) if text else None


@dataclass
class Walk:
    world: World
    failures: list[str] = field(default_factory=list)
    calls: int = 0
    # Held-back values some asker has since sent as its own (its records under the same ids):
    # from then on they are that asker's too, and no longer looked for in answers.
    burned: set[str] = field(default_factory=set)

    def ask(self, who: str, call: Call) -> httpx.Response:
        self.calls += 1
        return self.world.clients[who].request(call.method, call.path, json=call.json,
                                               content=call.content, headers=call.headers)

    def check(self, who: str, call: Call, r: httpx.Response, hidden: set[str]) -> None:
        what = f"{call.method} {call.path} as {who}"
        if r.status_code >= 500:
            self.failures.append(f"{what}: {r.status_code} {r.text[:200]}")
        if not call.path.startswith(STATIC) and r.headers.get("cache-control") != "no-store":
            self.failures.append(f"{what}: Cache-Control is {r.headers.get('cache-control')}")
        asked = call.text()
        shown = r.text + json.dumps(dict(r.headers))
        for value in hidden - self.burned:
            if value in shown and value not in asked:
                self.failures.append(f"{what} shows {value!r}: {shown[:300]}")

    def run(self, who: str, call: Call, others: list[str]) -> None:
        w = self.world
        hidden = {v for party in PARTIES if party in others
                  for v in w.secrets_of(party).values()}
        if "{" not in call.text():  # no guess in it: asked once, checked for what it shows
            r = self.ask(who, call)
            self.check(who, call, r, hidden)
            self.burn(r, call)
            return
        for party in others:
            fill = w.secrets_of(party) | {"party": party, "entry": str(w.entries[party])}
            right = _fill(call, {f"{{{k}}}": v for k, v in fill.items()})
            right.guesses = {v: _wrong(k, v) for k, v in fill.items()
                             if f"{{{k}}}" in call.text() and k != "party"}
            bad = right.swapped()
            a, b = self.ask(who, right), self.ask(who, bad)
            self.check(who, right, a, hidden)
            self.check(who, bad, b, hidden)
            self.burn(a, right)
            if who == "reviewer" and "{entry}" in call.path:
                continue  # the reviewer may read every entry: nothing to guess
            ha = {k: v for k, v in a.headers.items() if k not in VOLATILE_HEADERS}
            hb = {k: v for k, v in b.headers.items() if k not in VOLATILE_HEADERS}
            ctype = a.headers.get("content-type", "")
            if a.status_code != b.status_code or ha != hb or \
                    normal(swap(a.text, right.guesses), ctype) != normal(b.text, ctype):
                self.failures.append(
                    f"{right.method} {right.path} as {who}: a right guess answers "
                    f"{a.status_code} {a.text[:300]}\n  a wrong one {b.status_code} "
                    f"{b.text[:300]}")

    def burn(self, r: httpx.Response, call: Call) -> None:
        """What an asker stored as its own is its own from then on."""
        if call.method == "POST" and r.status_code < 300:
            sent = call.text()
            self.burned |= {v for p in PARTIES for v in self.world.secrets_of(p).values()
                            if v in sent}


def _fill(call: Call, subs: dict[str, str]) -> Call:
    def sub(text: str) -> str:
        for k, v in subs.items():
            text = text.replace(k, v) if k.startswith("{") else swap(text, {k: v})
        return text

    return Call(call.method, sub(call.path),
                json.loads(sub(json.dumps(call.json))) if call.json is not None else None,
                sub(call.content.decode()).encode() if call.content is not None else None,
                call.headers)


def _wrong(name: str, value: str) -> str:
    """A guess of the same shape that matches nothing: a number no row has (a job id is
    random below 2**53; no log is a billion entries long), or the value under another
    prefix."""
    if name in ("job", "entry", "draft"):
        return str(10**15 + secrets.randbelow(10**9))
    return wrong(value)


STORES = {("POST", "/incidents"), ("POST", "/incidents/bulk"), ("POST", "/notices"),
          ("POST", "/air/notices"), ("POST", "/incidents/{incident_id}/release"),
          ("POST", "/status")}


def phase_of(endpoint: tuple[str, str]) -> str:
    return "read" if endpoint[0] == "GET" else "store" if endpoint in STORES else "act"


def others_of(who: str) -> list[str]:
    party = USERS.get(who, (None, None))[1]
    return [p for p in PARTIES if p != party]


@pytest.fixture
def cell(db_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        tokens = seed_users(db_url, USERS, settings.data_dir)
        clients = {who: httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT,
                                     headers={"authorization": f"Bearer {t}"})
                   for who, t in tokens.items()}
        clients["none"] = httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT)
        try:
            yield srv, World(srv.url, clients)
        finally:
            for c in clients.values():
                c.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_endpoint_by_every_role_tells_a_right_guess_from_nothing(cell):
    # On SQLite only, to keep it to seconds: who may see what is decided in Python, by the
    # same queries on both backends; test_no_oracle and test_joint_cell run on both.
    srv, w = cell
    set_up(w)
    spec = ok(w.clients["none"].get("/openapi.json"))
    found = endpoints(srv, spec)
    walked = set(walkers(w, "reviewer"))
    assert found - walked == set(), "endpoints without a walker: write one below"
    assert walked - found == set(), "walkers of endpoints that no longer exist"
    walk = Walk(w)
    # Every role reads, then acts, and stores records last: once the asker stores a record
    # under a guessed id, that id is its own too.
    for phase in ("read", "act", "store"):
        for who in ROLES:
            calls = walkers(w, who)
            for endpoint in sorted(e for e in found if phase_of(e) == phase):
                for call in calls[endpoint]:
                    walk.run(who, call, others_of(who))
    assert walk.failures == [], "\n".join(walk.failures[:40])
    assert walk.calls > 500
    # The service's counters (records taken in, jobs) are the joint centre's: a party that
    # read them would see the other write.
    assert {who: w.clients[who].get("/metrics").status_code for who in ROLES} == {
        who: 200 if who == "reviewer" else 401 if who == "none" else 403 for who in ROLES}


def test_every_integer_a_caller_sends_is_bounded(cell):
    _, w = cell
    spec = ok(w.clients["none"].get("/openapi.json"))
    unbounded, answers = [], []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                schema = param["schema"]
                kinds = [schema, *schema.get("anyOf", [])]
                ints = [k for k in kinds if k.get("type") == "integer"]
                if not ints:
                    continue
                top = ints[0].get("maximum")
                if top is None:
                    unbounded.append(f"{method.upper()} {path}: {param['name']}")
                    continue
                for value in (top + 1, ints[0].get("minimum", 0) - 1, 10 ** 30):
                    filled = re.sub(r"\{[^}]+\}", lambda m, p=param, v=value: str(
                        v if m.group(0) == f"{{{p['name']}}}" else 1), path)
                    query = f"?{param['name']}={value}" if param["in"] == "query" else ""
                    if param["in"] == "query" and param["name"] != "first" \
                            and "consistency" in path:
                        query += "&first=1"
                    for who in ("reviewer", "US-analyst", "observer", "none"):
                        r = w.clients[who].request(method.upper(), filled + query, json={})
                        want = 401 if who == "none" and path != "/health" else 422
                        if r.status_code != want:
                            answers.append(f"{method.upper()} {filled}{query} as {who}: "
                                           f"{r.status_code} {r.text[:150]}")
    assert unbounded == [], "integers without a bound: give them one (context.RowNumber)"
    assert answers == []
