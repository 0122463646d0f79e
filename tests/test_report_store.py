"""The report from the store, over real HTTP on SQLite and PostgreSQL: each party's report holds
only what that party may see, the joint centre's only what was released (less the withheld
fields), the header names the audit head it was built from; and `jig report --db`."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.conftest import EXAMPLE, served_cell, wait_for_job
from tests.test_cli import jig
from tests.test_report import verdict_table

USERS = {"us-analyst": ("analyst", "US"), "us-lead": ("lead", "US"),
         "ru-analyst": ("analyst", "RU"), "ru-lead": ("lead", "RU"), "reviewer": ("reviewer", None),
         "observer": ("observer", None)}
SECRET = "KESTREL-7 (US source)"
STRIKE = {"id": "US-7", "time": "2016-08-11T09:00", "lon": 36.99, "lat": 35.62,
          "actor": "Military Forces of Russia (2015-)", "target": "Jabhat Fateh al-Sham",
          "act": "air_strike", "source": SECRET, "notes": "seen by a US asset"}
SHELLING = {"id": "RU-4", "time": "2016-08-12T10:00", "lon": 36.675, "lat": 35.648,
            "actor": "Military Forces of Syria (2000-)", "act": "shelling",
            "source": "RU field report"}
PERIOD = {"from": "2016-08-01", "to": "2016-08-31"}


@pytest.fixture
def cell(db_url, tmp_path):
    with served_cell(db_url, tmp_path, USERS) as (_, clients, _):
        yield clients, db_url


def report(c: httpx.Client, **params: str) -> str:
    r = c.get("/reports", params=PERIOD | params)
    assert r.status_code == 200, r.text
    return r.text


def test_each_party_s_report_holds_only_what_it_may_see(cell):
    c, _ = cell
    assert c["us-analyst"].post("/incidents", json=STRIKE).status_code == 200
    assert c["ru-analyst"].post("/incidents", json=SHELLING).status_code == 200
    # Before release: each party sees its own; the joint centre nothing.
    us, ru, joint = (report(c[n]) for n in ("us-analyst", "ru-analyst", "reviewer"))
    assert "US-7" in us and SECRET in us and "RU-4" not in us
    assert "RU-4" in ru and "US-7" not in ru and SECRET not in ru
    assert "US-7" not in joint and "RU-4" not in joint
    assert verdict_table(us)["breach"][0] == 1 and verdict_table(joint)["breach"][0] == 0
    # Released without its source: the joint centre and Russia see the strike, not the source.
    r = c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source", "notes"]})
    assert r.status_code == 200, r.text
    ru, joint = report(c["ru-analyst"]), report(c["reviewer"])
    for text in (ru, joint):
        assert "US-7" in text and SECRET not in text and "seen by a US asset" not in text
    assert verdict_table(joint)["breach"][0] == 1
    # A file's name is its owner's business (the record's `dataset` unless withheld, never the
    # revision's origin): the other side sees whose release a record was.
    r = c["us-analyst"].post("/incidents/bulk?filename=KESTREL-SIGINT.csv", content=(
        b"id,time,lon,lat,actor,act\n"
        b"US-8,2016-08-12T09:00,36.99,35.62,Military Forces of Russia (2015-),air_strike\n"
    ), headers={"content-type": "text/csv"})
    assert wait_for_job(c["us-analyst"], r.json()["job"])["stored"] == 1
    r = c["us-lead"].post("/incidents/US-8/release", json={"withhold": ["dataset"]})
    assert r.status_code == 200, r.text
    assert "KESTREL-SIGINT.csv" in report(c["us-analyst"])
    for name in ("ru-analyst", "reviewer"):
        text = report(c[name])
        assert "US-8" in text and "KESTREL-SIGINT" not in text and "released by US" in text
    # The report's counts are those the same user's incident list gives.
    for name in ("us-analyst", "ru-analyst", "reviewer"):
        items = c[name].get("/incidents", params=PERIOD | {"limit": 1000}).json()["items"]
        counts: dict[str, int] = {}
        for item in items:
            v = item["verdict"]["verdict"]
            counts[v] = counts.get(v, 0) + 1
        table = verdict_table(report(c[name]))
        assert {v: n for v, (n, _) in table.items() if n} == counts, name
    # The header names whose view it is and the signed audit head it was built from.
    text = report(c["reviewer"])
    now = c["reviewer"].get("/audit/head").json()
    assert now["root_hash"] in text and now["signature"] in text
    assert f"(tree_size): {now['tree_size']}" in text
    assert "Whose view</th><td>the joint centre" in text
    assert "Whose view</th><td>US" in report(c["us-analyst"])
    # Observers may not read incidents, nor their report.
    assert c["observer"].get("/reports", params=PERIOD).status_code == 403


def test_language_from_accept_language_and_pdf(cell):
    c, _ = cell
    c["us-analyst"].post("/incidents", json=STRIKE)
    r = c["us-analyst"].get("/reports", params=PERIOD,
                            headers={"accept-language": "ar-SY, en;q=0.5"})
    assert r.status_code == 200 and r.headers["content-language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in r.text and "الملخص" in r.text
    r = c["us-analyst"].get("/reports", params=PERIOD | {"lang": "ru", "format": "pdf"},
                            headers={"accept-language": "ar"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r.headers["content-language"] == "ru"
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(r.content)).pages)
    assert "Сводка" in text and "US-7" in text


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"lang": "fr"}, "lang", "lang 'fr': use one of en, ru, ar"),
    ({"format": "docx"}, "format", "format 'docx': use html or pdf"),
    ({"from": "2016-02-30"}, "from", "from: impossible date '2016-02-30'"),
    ({"compare": "lastyear"}, "compare", "compare 'lastyear': use previous, none or FROM/TO"),
])
def test_bad_queries_name_the_parameter(cell, params, field, words):
    c, _ = cell
    r = c["reviewer"].get("/reports", params=PERIOD | params)
    assert r.status_code == 422
    problems = r.json()["error"]["problems"]
    assert problems[0]["where"]["path"] == field and words in problems[0]["message"]


def test_a_partys_dossier_of_the_other_sides_record_shows_what_the_api_shows(cell, tmp_path):
    """`jig report --as RU --incident US-7`: the US record's revisions as Russia reads them
    over the API, numbered as released and hashed over what is shown; it listed revisions 1
    and 3 (the gap told of a revision held back) with the US's commitments."""
    c, db_url = cell
    us, lead = c["us-analyst"], c["us-lead"]
    for k, note in enumerate(("first", "held back", "third")):
        assert us.post("/incidents", json=STRIKE | {"notes": note}).status_code < 300
        if k != 1:
            assert lead.post("/incidents/US-7/release",
                             json={"withhold": ["source"]}).status_code == 200
    seen = c["ru-analyst"].get("/incidents/US-7").json()["revisions"]
    commitments = [r["content_hash"] for r in us.get("/incidents/US-7").json()["revisions"]]
    out = tmp_path / "dossier.html"
    r = jig("report", "--db", db_url, "--data", str(tmp_path / "data"), "--as", "RU",
            "--incident", "US-7", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    shown = re.findall(r'<tr><td>(\d+)</td><td>[^<]*</td><td class="hash">(\w+)</td>', html)
    assert shown == [(str(x["revision"]), x["content_hash"]) for x in seen]
    assert [n for n, _ in shown] == ["1", "2"]
    assert not any(h in html for h in commitments) and SECRET not in html



def test_a_dossier_gives_the_review_in_the_readers_language(cell, tmp_path):
    """The review part of `jig report --incident` listed the review as a raw dict: its keys,
    and the determinations as a Python list, in any language."""
    c, db_url = cell

    def ok(r: httpx.Response) -> dict:
        assert r.status_code < 300, r.text
        return r.json()

    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}))
    rid = ok(c["reviewer"].post("/reviews", json={"incident": "US-7",
                                                  "query": "Was T-2 agreed?"}))["id"]
    ok(c["ru-analyst"].post("/notices", json={
        "id": "N-7", "party": "RU", "time": "2016-08-11T08:00",
        "exception": "imminent-threat", "incident": "US-7"}))
    ok(c["ru-lead"].post(f"/reviews/{rid}/answer", json={
        "answer": "A threat was notified.", "evidence": [{"kind": "notice", "id": "N-7"}]}))
    for lead, text in (("us-lead", "Confirmed."), ("ru-lead", "Notified in time.")):
        ok(c[lead].post(f"/reviews/{rid}/determinations",
                        json={"outcome": "excepted", "text": text}))
    ok(c["reviewer"].post(f"/reviews/{rid}/publish"))
    out = tmp_path / "dossier.html"
    r = jig("report", "--db", db_url, "--data", str(tmp_path / "data"), "--incident", "US-7",
            "--lang", "ru", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    review = html.split('id="review"')[1]
    assert f"Рассмотрение {rid}: опубликовано</h3>" in review
    for words in ("Вопрос стороне", "Was T-2 agreed?", "Приводимые доказательства",
                  "уведомление N-7", "Notified in time.", "Подпись"):
        assert words in review, words
    assert "queried_party" not in review and "[{" not in review and "'party'" not in review


def test_jig_report_from_the_store_on_the_command_line(db_url, tmp_path):
    data = tmp_path / "data"
    r = jig("import", "--agreement", str(EXAMPLE / "agreement.yaml"), "--data", str(data),
            "--db", db_url, str(EXAMPLE / "incidents.csv"))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "store.html"
    r = jig("report", "--db", db_url, "--data", str(data), "--from", "2016-08-01",
            "--to", "2016-09-30", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    files = tmp_path / "files.html"
    assert jig("report", str(EXAMPLE / "agreement.yaml"), str(EXAMPLE / "incidents.csv"),
               "--from", "2016-08-01", "--to", "2016-09-30", "-o", str(files)).returncode == 0
    # The same verdicts as judging the files directly; the store's audit head in the header.
    assert verdict_table(html) == verdict_table(files.read_text(encoding="utf-8"))
    assert re.search(r"Audit log head</th><td class=\"hash\">Entries \(tree_size\): \d+", html)
    r = jig("report", "--db", db_url, "--data", str(data), "--as", "XX", "-o", str(out))
    assert r.returncode == 2 and "--as 'XX'" in r.stderr
    # A party's report in Russian says where the joint centre's records came from in Russian
    # (it said "released by joint"), and its own rows' lines as "строка".
    r = jig("report", "--db", db_url, "--data", str(data), "--as", "US", "--lang", "ru",
            "--from", "2016-08-01", "--to", "2016-09-30", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "из совместного центра" in html and "released by" not in html
    # The joint centre's own report in Russian: its rows' lines as "строка" (the stored origin
    # was shown as a file name, in English), and the file counted once among the inputs.
    r = jig("report", "--db", db_url, "--data", str(data), "--lang", "ru",
            "--from", "2016-08-01", "--to", "2016-09-30", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "incidents.csv, строка " in html and ", line " not in html
    assert html.count("incidents.csv</td>") == 1
    # The signed head's fields in Russian, their JSON names kept beside them to check by.
    assert re.search(r"Записей \(tree_size\): \d+<br>Корневой хеш \(root_hash\)", html)


def test_a_stored_origin_reads_back_as_the_origin_it_was_written_from():
    from jig.records import Origin

    for origin in (Origin("a, b.csv", 8), Origin("x.geojson", feature=0), Origin("request"),
                   Origin("notes, line one.csv")):
        assert Origin.parse(str(origin)) == origin
