"""Commitments with deadlines (`must_by`): loading, status records, the outcomes and their
reasons, `jig check --status`, and the library's obligations on their sourced records."""

from __future__ import annotations

import csv
import json

import pytest
from tests.conftest import EXAMPLE, box, collection, feature, incident
from tests.test_cli import jig

from jig import AgreementError, check, load_agreement
from jig.cli.common import output_to
from jig.engine.commitments import judge_commitments
from jig.library import entry
from jig.readers.status import read_status, to_status
from jig.times import parse_time

# Party B's forces must withdraw heavy weapons from zone Z-1 by the end of 10 August 2016.
DUTY = """
zones: zones.geojson
clauses:
  - id: withdraw-heavy-weapons
    quote: "withdrawal of heavy weapons from the zone by 10 August"
    rule: must_by
    bound: [BF, BPROXY]
    obligation: withdraw heavy weapons from zone Z-1
    by: 2016-08-10
    zones: {id: Z-1}
  - id: lift-siege
    quote: "the siege of X is lifted within 14 days"
    rule: must_by
    bound: [AF]
    obligation: lift the siege
    within_days: 14
"""
ZONES = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="demilitarised"))


@pytest.fixture
def duty(make_agreement):
    return make_agreement(DUTY, zones=ZONES)


def _at(a, text):
    return parse_time(text, a.tz).start


def _records(a, *rows):
    return [to_status({"clause": "withdraw-heavy-weapons", "source": "monitors", **row}, a)
            for row in rows]


def _judged(a, rows, as_of="2016-12-01"):
    found = judge_commitments(a, _records(a, *rows), _at(a, as_of))
    return {(c.clause, c.actor): c for c in found}


def test_deadlines_are_read_by_date_or_days_after_entry_into_force(duty):
    clauses = {c.id: c for c in duty.clauses}
    # A date means by the end of that day; within_days counts from in_force.from (15 July).
    assert clauses["withdraw-heavy-weapons"].deadline == _at(duty, "2016-08-11T00:00")
    assert clauses["lift-siege"].deadline == _at(duty, "2016-07-29T00:00")


def test_verified_done_in_time_complies(duty):
    c = _judged(duty, [{"id": "S-1", "time": "2016-08-09", "status": "done"}])
    got = c[("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "complies"
    assert got.reason == ("BF must withdraw heavy weapons from zone Z-1 by the end of 2016-08-10: "
                          "verified done by monitors (S-1, 2016-08-09T00:00+03:00/"
                          "2016-08-10T00:00+03:00), 1 day before the deadline")
    assert [e.id for e in got.evidence] == ["S-1"]
    assert got.as_dict()["commitment"] == "withdraw-heavy-weapons"


def test_verified_not_done_once_overdue_is_a_breach_and_a_late_completion_is_named(duty):
    c = _judged(duty, [{"id": "S-1", "time": "2016-08-12", "status": "not_done"},
                       {"id": "S-2", "time": "2016-08-30", "status": "done"}])
    got = c[("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "breach"
    assert "overdue: monitors (S-1, 2016-08-12" in got.reason
    assert "recorded it not done, 1 day after the deadline" in got.reason
    assert "first verified done only by monitors (S-2" in got.reason
    assert "19 days after the deadline" in got.reason
    assert [e.id for e in got.evidence] == ["S-1", "S-2"]


def test_undetermined_while_the_records_cannot_settle_it(duty):
    # Pending: the deadline has not passed as of the moment of judging.
    got = _judged(duty, [{"id": "S-1", "time": "2016-08-01", "status": "not_done"}],
                  as_of="2016-08-05")[("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "undetermined"
    assert "pending: not verified done as of 2016-08-05T00:00+03:00, 6 days before" in got.reason
    assert "monitors (S-1, 2016-08-01" in got.reason and "recorded it not yet done" in got.reason
    # Overdue, but nothing after the deadline says whether it was done.
    got = _judged(duty, [])[("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "undetermined"
    assert got.reason.endswith("overdue since the end of 2016-08-10, but no status record "
                               "after the deadline says whether it was done")
    # Seen done only after the deadline, with nothing showing it was not done by then.
    got = _judged(duty, [{"id": "S-1", "time": "2016-08-20", "status": "done"}])[
        ("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "undetermined" and "after the deadline, and no record shows" in got.reason
    # Verified on a span that straddles the deadline.
    got = _judged(duty, [{"id": "S-1", "time": "2016-08-09/2016-08-12", "status": "done"}])[
        ("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "undetermined" and "straddles the deadline" in got.reason
    # A party's claim is named, never taken as verification.
    got = _judged(duty, [{"id": "S-1", "time": "2016-08-09", "status": "claimed",
                          "source": "Party B"}])[("withdraw-heavy-weapons", "BF")]
    assert got.outcome == "undetermined"
    assert "claimed done by Party B (S-1, 2016-08-09" in got.reason and "not verified" in got.reason


def test_records_are_per_actor_and_known_only_from_their_time(duty):
    rows = [{"id": "S-1", "time": "2016-08-09", "status": "done", "actor": "BF"},
            {"id": "S-2", "time": "2016-08-15", "status": "not_done"}]
    c = _judged(duty, rows)
    assert c[("withdraw-heavy-weapons", "BF")].outcome == "complies"
    assert c[("withdraw-heavy-weapons", "BPROXY")].outcome == "breach"
    # As of 12 August, S-2 is not yet known: BPROXY's obligation is overdue but unsettled.
    c = _judged(duty, rows, as_of="2016-08-12")
    assert c[("withdraw-heavy-weapons", "BPROXY")].outcome == "undetermined"
    # The clause binding AF has no record at all: undetermined, and said so.
    assert c[("lift-siege", "AF")].outcome == "undetermined"


def test_must_by_never_judges_incidents(duty):
    [v] = check(duty, [incident(duty, actor="B forces", act="shelling")])
    assert v.verdict == "not_applicable" and v.findings == ()


@pytest.mark.parametrize(("clause", "message"), [
    ("rule: must_by\n    bound: [AF]", "rule must_by needs a deadline: `by` or `within_days`"),
    ("rule: must_by\n    bound: [AF]\n    by: 2016-08-10\n    within_days: 3",
     "rule must_by needs a deadline"),
    ("rule: must_by\n    bound: [AF]\n    by: 2016-13-40", "impossible date"),
    ("rule: no_strikes_in\n    bound: [AF]\n    zones: {id: Z-1}\n    by: 2016-08-10",
     "belong to rule must_by, not no_strikes_in"),
    ("rule: must_by\n    bound: [AF]\n    within_days: -2", "greater than 0"),
])
def test_bad_commitments_are_named_with_their_line(write_agreement, clause, message):
    path = write_agreement(f"zones: zones.geojson\nclauses:\n  - id: c-1\n    {clause}\n",
                           zones=ZONES)
    with pytest.raises(AgreementError) as exc:
        load_agreement(path)
    text = str(exc.value)
    assert message in text and "agreement.yaml, line" in text


def test_bad_status_rows_are_rejected_with_place_and_reason(duty, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        "id,clause,time,status,actor,source\n"
        "S-1,withdraw-heavy-weapons,2016-08-09,done,BF,monitors\n"
        "S-2,no-such-clause,2016-08-09,done,,monitors\n"
        "S-3,withdraw-heavy-weapons,2016-08-09,finished,,monitors\n"
        "S-4,withdraw-heavy-weapons,2016-08-09,done,AF,monitors\n"
        "S-5,withdraw-heavy-weapons,2016-08-09,done,,\n"
        "S-1,withdraw-heavy-weapons,2016-08-10,done,,monitors\n"
        "S-7,withdraw-heavy-weapons,yesterday,done,,monitors\n")
    read = read_status([path], duty)
    assert [r.id for r in read.records] == ["S-1"]
    reasons = [(r.origin.line, r.reason) for r in read.rejects]
    assert reasons[0] == (3, "`clause` 'no-such-clause' is not a must_by clause of the agreement "
                             "(withdraw-heavy-weapons, lift-siege)")
    assert reasons[1] == (4, "`status` 'finished' is not one of done, not_done, claimed")
    assert reasons[2] == (5, "`actor` 'AF' is not bound by withdraw-heavy-weapons (BF, BPROXY)")
    assert reasons[3] == (6, "`source` is required: who verified or said it")
    assert reasons[4][0] == 7 and "already used at" in reasons[4][1]
    assert reasons[5][0] == 8 and "not an ISO 8601 date" in reasons[5][1]
    assert all(r.raw for r in read.rejects)


def test_jig_check_with_status_records(write_agreement, tmp_path):
    path = write_agreement(DUTY, zones=ZONES)
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("id,time,lon,lat,actor,act\nI-1,2016-08-01,36.1,35.1,B forces,shelling\n")
    status = tmp_path / "status.csv"
    status.write_text("id,clause,time,status,actor,source\n"
                      "S-1,withdraw-heavy-weapons,2016-08-09,done,BF,monitors\n"
                      "S-2,withdraw-heavy-weapons,2016-08-15,not_done,BPROXY,monitors\n"
                      "S-3,lift-siege,2016-07-20,finished,,monitors\n")
    rejects = tmp_path / "rejects.csv"
    r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01",
            "-f", "jsonl", "--rejects", str(rejects))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    reasons = [x["reason"] for x in lines[1:]]
    assert lines[0]["incident"] == "I-1"
    assert [(x["commitment"], x["actor"], x["outcome"]) for x in lines[1:]] == [
        ("withdraw-heavy-weapons", "BF", "complies"),
        ("withdraw-heavy-weapons", "BPROXY", "breach"),
        ("lift-siege", "AF", "undetermined")]
    assert "3 commitments: breach 1, undetermined 1, complies 1" in r.stderr
    assert "status 'finished' is not one of" in r.stderr.replace("`", "")
    assert "S-3" in rejects.read_text()

    r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01")
    assert r.returncode == 0, r.stderr
    assert "commitments" in r.stdout and "complies  withdraw-heavy-weapons (BF" in r.stdout
    # Into a pipe, as the verdicts above them: each reason whole on its line, no padding.
    shown = r.stdout.splitlines()
    assert all(line == line.rstrip() for line in shown)
    assert all(" " * 6 + reason in shown for reason in reasons)

    r = jig("check", str(path), str(incidents), "--as-of", "someday")
    assert r.returncode == 2 and "--as-of" in r.stderr

    # --verdict lets through the commitments of those outcomes only.
    r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01",
            "-f", "jsonl", "--verdict", "breach")
    assert [json.loads(x).get("actor") for x in r.stdout.splitlines()] == ["BPROXY"]
    # A GeoPackage, a GeoParquet file and a summary's CSV stay whole and readable: the
    # commitments (no location, other columns) go to stderr as a table. Text after the
    # Parquet footer left a file no reader opened.
    import geopandas as gpd
    import pyarrow.parquet as pq

    for fmt in ("parquet", "gpkg"):
        out = tmp_path / f"out.{fmt}"
        r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of",
                "2016-09-01", "-f", fmt, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert "complies  withdraw-heavy-weapons (BF" in r.stderr
        rows = pq.read_table(out).num_rows if fmt == "parquet" else len(gpd.read_file(out))
        assert rows == 1
    out = tmp_path / "summary.csv"
    r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01",
            "--summary", "-f", "csv", "-o", str(out))
    assert r.returncode == 0 and "complies  withdraw-heavy-weapons (BF" in r.stderr
    with out.open(newline="") as fh:
        assert {len(row) for row in csv.reader(fh)} == {5}

    # On a Dask cluster too: the commitments follow the verdicts the workers wrote.
    r = jig("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01",
            "-f", "jsonl", "--engine", "dask", "--workers", "1")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x.get("incident") or x["commitment"] for x in lines] == [
        "I-1", "withdraw-heavy-weapons", "withdraw-heavy-weapons", "lift-siege"]


def test_commitments_are_in_the_file_when_it_appears(write_agreement, tmp_path):
    """`-o` is renamed into place with the commitments already in it, on every path that
    writes it (rows, columns, several processes, a table, merged reports). Before, they were
    appended after the rename: a reader could see the file without them, and a failure
    there left a file that looked whole."""
    path = write_agreement(DUTY, zones=ZONES)
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("id,time,lon,lat,actor,act\nI-1,2016-08-01,36.1,35.1,B forces,shelling\n")
    status = tmp_path / "status.csv"
    status.write_text("id,clause,time,status,actor,source\n"
                      "S-1,withdraw-heavy-weapons,2016-08-09,done,BF,monitors\n")
    base = ("check", str(path), str(incidents), "--status", str(status), "--as-of", "2016-09-01")
    for fmt, extra in (("jsonl", ()), ("csv", ()), ("jsonl", ("--threads", "2")),
                       ("table", ()), ("jsonl", ("--merge",))):
        out = tmp_path / f"out-{fmt}-{len(extra)}"
        r = jig(*base, "-f", fmt, "-o", str(out), *extra)
        assert r.returncode == 0, (fmt, extra, r.stderr)
        text = out.read_text()
        assert text.index("I-1") < text.index("withdraw-heavy-weapons"), (fmt, extra)
    assert not list(tmp_path.glob(".out-*"))  # no temporary file left beside them

    # What follows the body is written before the rename, and its failure leaves no file.
    out = tmp_path / "findings.jsonl"

    def then(fh):
        assert not out.exists()
        fh.write("commitments\n")

    with output_to(out, then) as fh:
        fh.write("verdicts\n")
    assert out.read_text() == "verdicts\ncommitments\n"

    def fails(fh):
        raise OSError(28, "No space left on device")

    out.unlink()
    with pytest.raises(OSError), output_to(out, fails) as fh:
        fh.write("verdicts\n")
    assert not out.exists() and not list(tmp_path.glob(".findings*"))


# The library's obligations on their sourced status records, as of 2025 (every deadline past).
LIBRARY = {
    "sochi-2018": {("sochi-3-heavy-weapons-withdrawn", "OPP"): "undetermined",
                   ("sochi-3-heavy-weapons-withdrawn", "NUSRA"): "undetermined",
                   ("sochi-4-radical-groups-out", "NUSRA"): "undetermined"},
    # The first patrol (15 March 2020) was cut short at al-Nayrab; the first full Trumba-Ain
    # al-Hawr patrol was reported only in July 2020 (areas.json): done, but not shown by then.
    "moscow-2020": {("moscow-2-joint-patrols", "RU"): "undetermined",
                    ("moscow-2-joint-patrols", "TR"): "undetermined",
                    ("moscow-3-corridor-parameters", "RU"): "undetermined",
                    ("moscow-3-corridor-parameters", "TR"): "undetermined"},
    "minsk-2-2015": {("minsk-3-heavy-weapons-withdrawn", a): "breach" for a in ("UA", "DPR", "LPR")},
    "hodeidah-2018": {("hodeidah-2-redeploy-from-ports", "HOUTHI"): "breach",
                      ("hodeidah-3-full-redeployment", "HOUTHI"): "breach",
                      ("hodeidah-3-full-redeployment", "YE_GOV"): "breach"},
}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_commitments_on_their_sourced_records(name):
    e = entry(name)
    a = load_agreement(e.agreement_path)
    read = read_status([e.status_records], a)
    assert not read.rejects
    found = judge_commitments(a, read.records, _at(a, "2025-01-01"))
    assert {(c.clause, c.actor): c.outcome for c in found} == LIBRARY[name]
    if name == "hodeidah-2018":
        ports = next(c for c in found if c.clause == "hodeidah-2-redeploy-from-ports")
        assert "first verified done only by UN Redeployment Coordination Committee" in ports.reason
        assert "133 days after the deadline" in ports.reason
    if name == "sochi-2018":
        assert "claimed done by Turkish Ministry of National Defence" in found[0].reason


@pytest.fixture
def hodeidah_client(db_url, tmp_path):
    """The service, on each backend, with the library's Hodeidah agreement loaded."""
    import httpx
    from tests.conftest import Server

    from jig.service import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[entry("hodeidah-2018").agreement_path])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        yield c


def test_the_service_judges_commitments_on_the_records_sent(hodeidah_client):
    import csv

    rows = list(csv.DictReader(entry("hodeidah-2018").status_records.open(encoding="utf-8")))
    r = hodeidah_client.post("/commitments/check", json={"as_of": "2025-01-01", "records": rows})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agreement"] == "hodeidah-2018" and body["version"] == 1
    assert [(c["commitment"], c["actor"], c["outcome"]) for c in body["commitments"]] == [
        ("hodeidah-2-redeploy-from-ports", "HOUTHI", "breach"),
        ("hodeidah-3-full-redeployment", "HOUTHI", "breach"),
        ("hodeidah-3-full-redeployment", "YE_GOV", "breach")]
    # As of the end of 2018 nothing is due yet: pending, and the Houthi claim is named.
    r = hodeidah_client.post("/commitments/check", json={"as_of": "2018-12-30", "records": rows})
    first = r.json()["commitments"][0]
    assert first["outcome"] == "undetermined" and "pending" in first["reason"]
    assert "claimed done by Houthi authorities (HOD-S1" in first["reason"]

    bad = [rows[0] | {"status": "finished"}, rows[1] | {"clause": "nope"}]
    r = hodeidah_client.post("/commitments/check", json={"records": bad})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "records.invalid"
    where = [p["where"]["path"] for p in err["problems"]]
    assert where == ["records[0].status", "records[1].clause"]
    # A misspelt `as_of` judged as of now, silently: refused, naming the key.
    r = hodeidah_client.post("/commitments/check", json={"asof": "2018-12-30", "records": rows})
    assert r.status_code == 422 and "unknown key 'asof'" in r.json()["error"]["message"]


def test_the_commitments_block_is_in_the_readers_language():
    """`jig check --lang` printed the commitments' heading, outcomes and reasons in English,
    and a reason citing two claims kept the first one's English."""
    sochi = entry("sochi-2018")
    args = ("check", str(sochi.agreement_path), str(EXAMPLE / "incidents.csv"), "-s",
            str(sochi.status_records), "--as-of", "2019-04-01")
    english = jig(*args)
    assert "claimed done by" in english.stdout and "not verified; claimed" in english.stdout
    for lang, words in (("ru", ("Обязательства", "не установлено  sochi-3", "срок 2018-10-11",
                                "выполнение заявлено: US envoy")),
                        ("ar", ("الالتزامات", "الموعد النهائي 2018-10-11"))):
        r = jig(*args, "--lang", lang)
        assert r.returncode == 0, r.stderr
        block = r.stdout[r.stdout.index(words[0]):]
        for word in words:
            assert word in block, (lang, word)
        for english_word in ("commitments", "undetermined", "due ", "claimed done by",
                             "not verified", "overdue"):
            assert english_word not in block, (lang, english_word)
