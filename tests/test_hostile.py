"""Hostile input to the service: each attack of issue 19 is refused with a 4xx in the error
shape, quickly, never a 500, and bad rows never stop good ones. Over real HTTP against a
running server; the checks that the database decides (ids, NUL) on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.conftest import EXAMPLE, ROOT, Server, wait_for_job
from tests.test_service import STRIKE, example_upload

from jig.agreement.yamlsource import YamlLimits, YamlProblem, load_with_lines
from jig.service import Settings

# 368 bytes that stand for 9^9 (387 million) values: the attack of issue 19 (its 486-byte
# version took the server to 3 GB in 36 s).
BOMB = 'jig: 1\nid: bomb\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + \
    "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)) + "title: *i\n"


def shape_of(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "problems"}, body
    return body["error"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A server with small limits, open to agreements over HTTP, on SQLite."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    settings = Settings(data_dir=data, agreements=[EXAMPLE / "agreement.yaml"],
                        open_agreements=True, max_body_bytes=20_000, max_bulk_bytes=40_000,
                        max_agreement_bytes=600_000, max_records=3, max_vertices=2_000,
                        max_rejects_kept=3)
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        c.data = data  # type: ignore[attr-defined]
        yield c


def spooled(c) -> list:
    spool = c.data / "spool"
    return [p for p in spool.rglob("*")] if spool.exists() else []


def test_yaml_alias_bomb_is_refused_naming_the_limit(small):
    assert len(BOMB) < 600
    with pytest.raises(YamlProblem) as exc:
        load_with_lines(BOMB)
    assert exc.value.code == "yaml.aliases" and "10,000" in str(exc.value)
    r = small.post("/agreements", json={"yaml": BOMB})
    assert r.status_code == 422
    [p] = shape_of(r)["problems"]
    assert p["code"] == "yaml.aliases" and "10,000 values" in p["message"]
    assert p["where"]["file"] == "agreement.yaml" and p["where"]["line"] >= 3
    # Aliases within the bound still work: a document may reuse a value.
    data, _ = load_with_lines("a: &x [1, 2]\nb: *x\n")
    assert data == {"a": [1, 2], "b": [1, 2]}


def test_recursive_alias_and_deep_nesting_are_refused():
    for text, code in (("&a [*a]", "yaml.too_deep"), ("[" * 100 + "]" * 100, "yaml.too_deep"),
                       ("? [1, 2]\n: x\n", "yaml.key")):
        with pytest.raises(YamlProblem) as exc:
            load_with_lines(text, YamlLimits(depth=64))
        assert exc.value.code == code, text


def test_a_yaml_control_character_names_its_line_and_column(small):
    text = (EXAMPLE / "agreement.yaml").read_text().replace("title:", "title: \x01", 1)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "\x01" in t)
    r = small.post("/agreements", json=example_upload() | {"yaml": text})
    assert r.status_code == 422
    [p] = shape_of(r)["problems"]
    assert p["code"] == "yaml.character" and p["where"]["line"] == line
    assert f"line {line}, column 8" in p["message"] and "U+0001" in p["message"]


def test_a_store_without_users_takes_no_agreement_over_http(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        for r in (c.post("/agreements", json={"yaml": BOMB}),
                  c.post("/agreements", json=example_upload()),
                  c.post("/agreements/syria-2016-jig/rejudge")):
            assert r.status_code == 403, r.text
            err = shape_of(r)
            assert err["code"] == "agreement.open_store" and "--open" in err["message"]
        # Reading and intake stay open: one analyst's own store.
        assert c.get("/agreements").status_code == 200
        assert c.post("/incidents", json=STRIKE).status_code == 200


def test_a_json_body_sent_as_a_form_is_415_saying_how_to_send_it(small):
    """An operator's review: curl -d sends a form, and a notice was answered "send a notice
    object or a list of them" though one was sent."""
    notice = b'{"id": "N-9", "party": "RU", "time": "2016-08-05", "exception": "imminent-threat"}'
    for path in ("/notices", "/incidents", "/agreements"):
        r = small.post(path, content=notice,
                       headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 415 and shape_of(r)["code"] == "request.content_type", path
        assert "application/x-www-form-urlencoded: send it as JSON" in r.text
    # A bulk file keeps its own rule (415 naming the forms it reads), and JSON is as before.
    assert small.post("/notices", json=[]).status_code != 415
    # JSON that does not parse is said as the parser says it, by line and column.
    r = small.post("/notices", content=b'{"id": "N-1",\n "party" "RU"}',
                   headers={"content-type": "application/json"})
    assert r.status_code == 422 and shape_of(r)["problems"] == [
        {"code": "request.json_invalid", "where": {"path": "body"},
         "message": "not valid JSON: Expecting ':' delimiter (line 2, column 10)"}]


def test_bodies_over_their_limit_are_413_and_nothing_is_spooled(small):
    big = [STRIKE | {"id": f"B-{i}", "notes": "x" * 8000} for i in range(3)]
    for r in (small.post("/incidents", json=big),
              small.post("/notices", json=[{"notes": "x" * 30_000}]),
              small.post("/agreements", json={"yaml": "x" * 700_000}),
              small.post("/incidents/bulk?filename=big.csv", content=b"x" * 50_000)):
        assert r.status_code == 413, r.text
        assert shape_of(r)["code"] == "request.too_large"
    assert "max_bulk_bytes" in r.json()["error"]["message"]

    def chunks():  # no Content-Length: counted as it comes
        for _ in range(10):
            yield b"id,time,lon,lat\n" * 500

    r = small.post("/incidents/bulk?filename=chunked.csv", content=chunks())
    assert r.status_code == 413 and shape_of(r)["code"] == "request.too_large"
    assert spooled(small) == []
    assert small.post("/incidents", json=STRIKE).status_code == 200  # the server goes on


def test_record_count_and_vertex_limits(small):
    r = small.post("/incidents", json=[STRIKE | {"id": f"N-{i}"} for i in range(4)])
    assert r.status_code == 413 and "at most 3" in shape_of(r)["message"]
    upload = example_upload()
    ring = [[36 + i / 3000, 35 + (i % 2) / 1000] for i in range(3000)] + [[36, 35]]
    upload["files"]["area.geojson"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                            "coordinates": [ring]}}]}
    r = small.post("/agreements", json=upload)
    assert r.status_code == 422
    err = shape_of(r)
    assert err["code"] == "agreement.too_many_vertices" and "2,000" in err["message"]
    assert err["problems"][0]["where"]["file"] == "area.geojson"
    within = json.dumps({"type": "Polygon", "coordinates": [[[36, 35]] * 2001]},
                        separators=(",", ":"))
    r = small.get("/incidents", params={"within": within})
    assert r.status_code == 422 and shape_of(r)["problems"][0]["where"]["path"] == "within"


@pytest.mark.parametrize("name", ["..", ".", "a/b.csv", "../../x.csv", "x\x00.csv",
                                  "y" * 252 + ".csv", "\\evil.csv"])
def test_bulk_filenames_that_are_not_plain_names_are_refused(small, name):
    r = small.post("/incidents/bulk", params={"filename": name},
                   content=(EXAMPLE / "incidents.csv").read_bytes())
    assert r.status_code == 422, r.text
    err = shape_of(r)
    assert err["code"] in ("request.filename", "request.text")  # a NUL: refused as any NUL
    assert err["problems"][0]["where"]["path"] == "filename"
    assert spooled(small) == []


def test_a_long_plain_filename_is_taken(small):
    name = "é" * 123 + ".csv"  # 250 bytes: within what a file system takes
    r = small.post("/incidents/bulk", params={"filename": name},
                   content=(EXAMPLE / "incidents.csv").read_bytes()[:2000])
    assert r.status_code == 202, r.text
    assert wait_for_job(small, r.json()["job"])["status"] == "done"


def test_single_intake_checks_the_area_as_bulk_intake_does(small):
    paris = STRIKE | {"id": "FAR-1", "lon": 2.35, "lat": 48.85}
    r = small.post("/incidents", json=[STRIKE | {"id": "NEAR-1"}, paris])
    assert r.status_code == 422
    [p] = shape_of(r)["problems"]
    assert p["code"] == "row.outside_area" and p["where"]["path"] == "[1].lon"
    assert small.get("/incidents/NEAR-1").status_code == 404  # whole or not at all
    header = "id,time,lon,lat,actor,act\n"
    row = f"FAR-2,2016-08-01T10:00,2.35,48.85,{STRIKE['actor']},air_strike\n"
    job = wait_for_job(small, small.post("/incidents/bulk?filename=far.csv",
                                         content=(header + row).encode()).json()["job"])
    [rej] = small.get(f"/jobs/{job['id']}/rejects").json()
    assert rej["code"] == p["code"] and rej["reason"] == p["message"]


def test_a_file_of_garbage_leaves_a_bounded_table_of_rejects(small):
    header = "id,time,lon,lat,actor,act\n"
    bad = "".join(f"G-{k},not a time,36.9,35.6,{STRIKE['actor']},air_strike\n" for k in range(5))
    good = f"G-OK,2016-08-01T10:00,36.9,35.6,{STRIKE['actor']},air_strike\n"
    job = wait_for_job(small, small.post("/incidents/bulk?filename=garbage.csv",
                                         content=(header + bad + good).encode()).json()["job"])
    assert (job["read"], job["stored"], job["rejected"], job["rejects_kept"]) == (6, 1, 5, 3)
    rejects = small.get(f"/jobs/{job['id']}/rejects").json()
    assert [(r["line"], r["code"]) for r in rejects] == [(2, "row.time"), (3, "row.time"),
                                                         (4, "row.time")]


def test_numbers_must_be_finite_and_in_range(small):
    for fields, path in (({"lon": int("3" * 400)}, "[0].lon"),
                         ({"precision_m": 1e308}, "[0].precision_m"),
                         ({"lat": "nan"}, "[0].lat")):
        r = small.post("/incidents", json=[STRIKE | {"id": "NUM-1"} | fields])
        assert r.status_code == 422, (fields, r.text)
        assert shape_of(r)["problems"][0]["where"]["path"] == path
    for query in ("bbox=nan,nan,nan,nan", "bbox=0,0,1e999,1", "bbox=-200,0,1,1",
                  f"limit={10**30}", f"cursor={'9' * 400}", "from=99999-01-01"):
        r = small.get(f"/incidents?{query}")
        assert r.status_code == 422, (query, r.text)
        shape_of(r)
    for path in (f"/jobs/{10**30}", f"/jobs/{10**30}/rejects", f"/reviews/{10**30}",
                 f"/audit/proof/{10**30}", f"/agreements/syria-2016-jig/versions/{10**30}",
                 f"/air/alerts?limit={10**30}"):
        r = small.get(path)
        assert 400 <= r.status_code < 500, (path, r.text)
        shape_of(r)


def test_ids_are_checked_alike_on_sqlite_and_postgresql(client):
    for fields, code, path in (({"id": "x" * 201}, "row.id", "[0].id"),
                               ({"id": "a\x00b"}, "request.text", "id"),
                               ({"id": "a\x07b"}, "row.id", "[0].id"),
                               ({"notes": {"k": ["a\x00b"]}}, "request.text", "notes.k[0]"),
                               ({"notes": "\ud800"}, "request.text", "notes")):
        r = client.post("/incidents", content=json.dumps(STRIKE | fields),  # \ud800 escaped
                        headers={"content-type": "application/json"})
        assert r.status_code == 422, (fields, r.text)
        [p] = shape_of(r)["problems"]
        assert (p["code"], p["where"]["path"]) == (code, path)
    assert client.post("/incidents", json=STRIKE | {"id": "x" * 200}).status_code == 200
    r = client.post("/notices", json={"id": "n" * 201, "party": "RU", "time": "2016-08-01",
                                      "exception": "x", "incident": "S-1"})
    assert r.status_code == 422
    assert client.get("/incidents/" + "x" * 300).status_code == 404
    # In a bulk file too: the bad rows are set aside, the good ones stored.
    text = ("id,time,lon,lat,actor,act\n" + "".join(
        f"{i},2016-08-01T10:00,36.6,35.8,{STRIKE['actor']},air_strike\n"
        for i in ("ok-1", "z" * 201, "ok-2")))
    job = wait_for_job(client, client.post("/incidents/bulk?filename=ids.csv",
                                           content=text.encode()).json()["job"])
    assert (job["status"], job["stored"], job["rejected"]) == ("done", 2, 1), job
    [rej] = client.get(f"/jobs/{job['id']}/rejects").json()
    assert (rej["line"], rej["code"]) == (3, "row.id")
    lines = [json.dumps(STRIKE | {"id": "nul-1", "notes": "a\x00b"}),
             json.dumps(STRIKE | {"id": "nul-2", "notes": ["\ud800"]}),
             json.dumps(STRIKE | {"id": "ok-3"})]
    job = wait_for_job(client, client.post("/incidents/bulk?filename=nul.jsonl",
                                           content="\n".join(lines).encode()).json()["job"])
    assert (job["status"], job["stored"], job["rejected"]) == ("done", 1, 2), job
    rejects = client.get(f"/jobs/{job['id']}/rejects").json()
    assert [(r["line"], r["code"], r["field"]) for r in rejects] == [
        (1, "row.nul", "notes"), (2, "row.nul", "notes")]
    for path in ("/incidents/a%00b", "/incidents?actor=a%00b", "/incidents/S-1?workspace=%00"):
        r = client.get(path)
        assert r.status_code == 422 and shape_of(r)["code"] == "request.text", path


def test_one_bad_byte_rejects_its_row_only(client, server):
    """A real UCDP GED extract with one byte of a row mis-saved (the first byte of a ’ replaced
    by 0xff): that row is set aside, named by its line; every other row is read as before."""
    lines = (ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv").read_bytes().splitlines(True)
    clean = b"".join(lines[:9])
    bad_line = next(i for i, t in enumerate(lines[1:9], 2) if "’".encode() in t)
    corrupt = b"".join(t.replace("’".encode(), b"\xff\x80\x99", 1) if n == bad_line else t
                       for n, t in enumerate(lines[:9], 1))
    before = wait_for_job(client, client.post("/incidents/bulk?filename=ged.csv",
                                              content=clean).json()["job"])
    after = wait_for_job(client, client.post("/incidents/bulk?filename=ged-bad.csv",
                                             content=corrupt).json()["job"])
    assert after["status"] == "done", after
    assert after["read"] == before["read"] == 8
    assert after["rejected"] == before["rejected"] + 1
    assert after["stored"] + after["unchanged"] == before["stored"] + before["unchanged"] - 1
    rejects = client.get(f"/jobs/{after['id']}/rejects").json()
    mine = [r for r in rejects if r["line"] == bad_line]
    assert len(mine) == 1 and "not UTF-8" in mine[0]["reason"] and "0xff" in mine[0]["reason"]
    assert "\\xff" in mine[0]["raw"]  # kept as sent, the bad byte written out
    seen = json.dumps([after, rejects])
    assert "spool" not in seen and str(server.url) not in seen


def test_a_job_written_in_the_database_is_not_run(small):
    """Jobs are not in the log, yet a bulk job stores records as the user and workspace it
    names: a row written by someone editing the database (review of 2 Dec: a queued job
    naming RU's lead was run, its records signed in the log as his), a sealed job's orders
    changed, or a finished one queued again after its file is gone, fails without touching
    anything, the file it names included."""
    import datetime as dt

    import sqlalchemy as sa

    from jig.store.tables import Job

    planted = small.data / "spool" / "planted" / "f.csv"
    planted.parent.mkdir(parents=True)
    planted.write_text("id,time,lon,lat,actor,act\n"
                       f"FORGED-1,2016-08-01T10:00,36.9,35.6,{STRIKE['actor']},air_strike\n")
    header = "id,time,lon,lat,actor,act\n"
    row = f"SEALED-1,2016-08-01T10:00,36.9,35.6,{STRIKE['actor']},air_strike\n"
    sealed = wait_for_job(small, small.post("/incidents/bulk?filename=ok.csv",
                                            content=(header + row).encode()).json()["job"])
    assert sealed["status"] == "done"
    engine = sa.create_engine(f"sqlite:///{small.data / 'jig.db'}")
    jobs = Job.__table__
    with engine.begin() as con:
        params = con.execute(sa.select(jobs.c.params).where(jobs.c.row == sealed["id"])
                             ).scalar_one()
        orders = {"path": str(planted), "filename": "f.csv", "workspace": "joint",
                  "user": "admin"}
        forged = {1001: orders, 1002: params | {"path": str(planted)}, 1003: params}
        for row_id, p in forged.items():
            con.execute(jobs.insert().values(
                row=row_id, kind="bulk", status="queued", params=p, read=0, stored=0,
                unchanged=0, rejected=0, created_at=dt.datetime.now(dt.UTC)))
        # The finished job itself, queued again: its spooled file is gone.
        con.execute(jobs.update().where(jobs.c.row == sealed["id"]).values(status="queued"))
    engine.dispose()
    ended = {row_id: wait_for_job(small, row_id) for row_id in [*forged, sealed["id"]]}
    assert {j["status"] for j in ended.values()} == {"failed"}
    for row_id in forged:  # unsigned, its orders changed, or another job's orders
        assert "not signed by the server's key" in ended[row_id]["error"]
    assert "has changed or is gone" in ended[sealed["id"]]["error"]
    assert small.get("/incidents/FORGED-1").status_code == 404
    assert small.get("/incidents/SEALED-1").status_code == 200
    assert planted.exists()


def test_the_whole_file_failing_names_the_file_as_sent_not_the_servers_path(small):
    r = small.post("/incidents/bulk?filename=broken.geojson", content=b"{not json")
    job = wait_for_job(small, r.json()["job"])
    assert job["status"] == "failed" and "broken.geojson" in job["error"]
    assert "spool" not in job["error"] and str(small.data) not in job["error"]


def test_jig_serve_takes_its_limits_from_options_and_the_environment(tmp_path):
    import subprocess

    from tests.conftest import free_port, until_serving
    from tests.test_cli import JIG

    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "JIG_OPEN": "1"}
    port = free_port()
    proc = subprocess.Popen([JIG, "serve", "--data", str(tmp_path / "data"), "--port", str(port),
                             "-a", str(EXAMPLE / "agreement.yaml"), "--limit", "max_records=2"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            until_serving(proc, port, "/health")
            r = c.post("/incidents", json=[STRIKE | {"id": f"L-{i}"} for i in range(3)])
            assert r.status_code == 413 and "at most 2 (the server's `max_records`)" in \
                r.json()["error"]["message"]
            # JIG_OPEN: this store without users takes the (same) agreement over HTTP.
            assert c.post("/agreements", json=example_upload()).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    # A bad value names itself and where it may have come from; the help names every limit.
    bad = subprocess.run([JIG, "serve", "--data", str(tmp_path / "data")], capture_output=True,
                         text=True, env=env | {"JIG_LIMITS": "max_records=abc"})
    assert bad.returncode == 2 and "--limit max_records=abc (or JIG_LIMITS)" in bad.stderr
    from jig.service.settings import LIMITS

    shown = " ".join(subprocess.run([JIG, "serve", "--help"], capture_output=True, text=True,
                                    env=env | {"COLUMNS": "200"}).stdout.split())
    assert all(name in shown for name in LIMITS), shown
