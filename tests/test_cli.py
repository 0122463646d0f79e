"""The `jig` command as a user runs it: a real process, real files, exit codes, stdout/stderr."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import EXAMPLE

AGREEMENT = str(EXAMPLE / "agreement.yaml")
INCIDENTS = str(EXAMPLE / "incidents.csv")
NOTICES = str(EXAMPLE / "notices.csv")
JIG = str(Path(sys.executable).with_name("jig"))


def jig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JIG, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "NO_COLOR": "1"})


def test_validate_the_example():
    r = jig("validate", AGREEMENT)
    assert r.returncode == 0, r.stderr
    assert "valid syria-2016-jig" in r.stdout and r.stderr == ""


def test_validate_an_invalid_agreement_exits_2_naming_file_and_line(tmp_path):
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy)
    bad = copy / "agreement.yaml"
    text = bad.read_text().replace("rule: no_strikes_in", "rule: no_strike_in")
    bad.write_text(text)
    line = text.splitlines().index("    rule: no_strike_in") + 1
    r = jig("validate", str(bad))
    assert r.returncode == 2
    assert f"{bad}, line {line}, clauses[0].rule" in r.stderr and "no_strikes_in" in r.stderr


def test_check_jsonl_is_the_findings_object_of_the_contract():
    r = jig("check", AGREEMENT, INCIDENTS, "--notices", NOTICES, "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 28 and rows[0]["incident"] == "A-01"
    for row in rows:
        assert set(row) == {"incident", "verdict", "findings"}
        for f in row["findings"]:
            assert {"clause", "outcome", "reason"} <= set(f)
            assert f["outcome"] in ("breach", "undetermined", "excepted", "complies")
    assert rows[0] == {"incident": "A-01", "verdict": "breach", "findings": [{
        "clause": "no-bombing-in-designated-areas", "outcome": "breach", "zone": "DA-1",
        "reason": "air strike by SY_GOV lies inside DA-1 (Idlib designated area, al-Fu'ah and "
                  "Kafriya excluded), 5.3 km from its edge"}]}
    assert "read 28 incident rows: judged 28, rejected 0" in r.stderr


def test_check_table_is_the_default_and_shows_reasons():
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES)
    assert r.returncode == 0
    assert "A-09 excepted" in r.stdout and "excepted under imminent-threat" in r.stdout


def test_check_with_bad_rows_exits_0_reports_them_and_keeps_them(tmp_path):
    bad = tmp_path / "more.csv"
    bad.write_text("id,time,lon,lat,actor,act\n"
                   "X-1,2016-08-01T10:00,36.6,35.7,Government of Syria,air_strike\n"
                   "X-2,1970-13-01,36.6,35.7,Government of Syria,air_strike\n")
    rejects = tmp_path / "rejects.csv"
    out = tmp_path / "out.jsonl"
    r = jig("check", AGREEMENT, INCIDENTS, str(bad), "-n", NOTICES, "-f", "jsonl",
            "--rejects", str(rejects), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"rejected {bad}, line 3" in r.stderr
    assert "read 30 incident rows: judged 29, rejected 1" in r.stderr
    assert len(out.read_text().splitlines()) == 29
    [row] = list(csv.DictReader(rejects.open()))
    assert row["line"] == "3" and row["raw"].startswith("X-2,1970-13-01")


def test_check_csv_and_geojson_outputs(tmp_path):
    out = tmp_path / "f.csv"
    assert jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "csv", "-o", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open()))
    a16 = [r for r in rows if r["incident"] == "A-16"]
    assert {r["clause"] for r in a16} == {"no-bombing-in-designated-areas", "protected-sites"}
    assert all(r["verdict"] == "breach" for r in a16)
    out = tmp_path / "f.geojson"
    assert jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "geojson", "-o", str(out)).returncode == 0
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 28
    f = doc["features"][0]
    assert f["geometry"] == {"type": "Point", "coordinates": [36.675, 35.648]}
    assert f["properties"]["verdict"] == "breach"


def test_check_with_a_missing_file_exits_2():
    r = jig("check", AGREEMENT, "/nonexistent/incidents.csv")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_explain_walks_every_clause_step_by_step():
    r = jig("explain", AGREEMENT, INCIDENTS, "-n", NOTICES, "--incident", "A-12")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "A-12: verdict excepted" in out
    assert "clause no-bombing-in-designated-areas (no_strikes_in) → not_applicable" in out
    assert "exception imminent-threat: unmet" in out
    assert "exception advance-beyond-areas: met: incident A-11" in out
    assert "→ excepted under advance-beyond-areas" in out
    # Latitude first and labelled, as the report writes it (lon 36.99, lat 35.62 in the file).
    assert "location 35.62000 N, 36.99000 E, exact" in out



def test_explain_in_russian_gives_every_step_in_russian():
    english = jig("explain", AGREEMENT, INCIDENTS, "-n", NOTICES, "--incident", "A-12").stdout
    r = jig("explain", AGREEMENT, INCIDENTS, "-n", NOTICES, "--incident", "A-12",
            "--lang", "ru")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("A-12: Вердикт исключение")
    assert "→ исключение по advance-beyond-areas" in r.stdout
    assert "не применимо" in r.stdout and "not_applicable" not in r.stdout
    # As many lines, none of the English steps left (the finding's JSON is the same).
    assert len(r.stdout.splitlines()) == len(english.splitlines())
    assert "bound by this clause" not in r.stdout and ", line 13" not in r.stdout
    bad = jig("explain", AGREEMENT, INCIDENTS, "--incident", "A-12", "--lang", "fr")
    assert bad.returncode == 2 and "--lang 'fr'" in bad.stderr
    # A probability with the language's decimal sign, as the distances beside it have.
    r = jig("explain", AGREEMENT, INCIDENTS, "--incident", "A-03", "--lang", "ru")
    assert "→ не установлено, p = 0,346" in r.stdout and "5,0 км" in r.stdout

def test_check_prints_its_table_in_russian_and_its_summary_in_arabic():
    english = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES).stdout
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "--lang", "ru")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"A-01 нарушение  {INCIDENTS}, строка 2\n")
    assert "      авиаудар SY_GOV: внутри DA-1" in r.stdout
    assert "не установлено p=0,35  no-bombing-in-designated-areas" in r.stdout
    # As many lines, the same ids, none of the English reasons or outcomes left.
    assert len(r.stdout.splitlines()) == len(english.splitlines())
    for english_word in (", line ", "inside", "outside", "not_applicable", "complies"):
        assert english_word not in r.stdout, english_word
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "--lang", "ar", "--summary")
    assert r.returncode == 0, r.stderr
    assert "النتائج حسب الحكم والبند والفاعل" in r.stdout and "لا ينطبق" in r.stdout
    # The outcome and the count are told apart (both were "results" once).
    assert "عدد النتائج" in r.stdout
    assert "findings" not in r.stdout and "breach" not in r.stdout
    bad = jig("check", AGREEMENT, INCIDENTS, "--lang", "ru", "-f", "csv")
    assert bad.returncode == 2 and "-f csv keeps jig's English codes" in bad.stderr
    assert jig("check", AGREEMENT, INCIDENTS, "--lang", "fr").returncode == 2


def test_explain_unknown_incident_exits_2():
    r = jig("explain", AGREEMENT, INCIDENTS, "--incident", "NOPE")
    assert r.returncode == 2 and "no incident 'NOPE'" in r.stderr
    # Part of an id (Airwars ids hold a space) points at the ids holding it.
    r = jig("explain", AGREEMENT, INCIDENTS, "--incident", "A-1")
    assert r.returncode == 2 and "(did you mean 'A-10', 'A-11', 'A-12'?)" in r.stderr


def test_schema_prints_json_schema():
    r = jig("schema")
    assert r.returncode == 0 and json.loads(r.stdout)["properties"]["jig"]


def test_import_loads_files_into_the_store_idempotently(tmp_path):
    from sqlalchemy import func, select

    from jig.store import Store
    from jig.store.tables import IncidentHead, NoticeHead, VerdictHead

    data = tmp_path / "store"
    r = jig("import", "--data", str(data), "--agreement", AGREEMENT, "-n", NOTICES, INCIDENTS)
    assert r.returncode == 0, r.stderr
    assert "agreement syria-2016-jig version 1 stored" in r.stderr
    assert "read 28 incident rows: stored 28, unchanged 0, rejected 0" in r.stderr
    again = jig("import", "--data", str(data), INCIDENTS)
    assert "stored 0, unchanged 28, rejected 0" in again.stderr
    store = Store.open(f"sqlite:///{data / 'jig.db'}")
    try:
        with store.sessions() as s:
            count = lambda t: s.scalar(select(func.count()).select_from(t))  # noqa: E731
            assert (count(IncidentHead), count(NoticeHead), count(VerdictHead)) == (28, 4, 28)
    finally:
        store.close()


def test_import_in_a_test_process_leaves_its_collector_alone(tmp_path):
    """`jig import` sets the cyclic collector (`jig.collector`) only in a process of its own,
    the `jig` command's: run inside this one, it leaves the collector as it found it."""
    import gc

    from typer.testing import CliRunner

    from jig.cli import app

    before = gc.get_threshold(), gc.get_freeze_count()
    r = CliRunner().invoke(app, ["import", "--data", str(tmp_path / "s"), "--agreement",
                                 AGREEMENT, INCIDENTS])
    assert r.exit_code == 0, r.output
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_import_without_an_agreement_says_so(tmp_path):
    r = jig("import", "--data", str(tmp_path / "s"), INCIDENTS)
    assert r.returncode == 2 and "holds no agreement" in r.stderr


def test_admin_users_tokens_and_audit_verify(tmp_path):
    import sqlite3

    data = tmp_path / "cell"
    assert jig("import", "--data", str(data), "--agreement", AGREEMENT).returncode == 0
    r = jig("admin", "add-user", "us-lead", "--role", "lead", "--party", "US", "--data",
            str(data))
    assert r.returncode == 0, r.stderr
    bad = jig("admin", "add-user", "x", "--role", "lead", "--party", "FR", "--data", str(data))
    assert bad.returncode == 2 and "'FR' is not a party" in bad.stderr
    token = jig("admin", "token", "us-lead", "--data", str(data)).stdout.strip()
    assert token.startswith("jig_") and len(token) > 30
    assert "us-lead\tlead\tUS" in jig("admin", "users", "--data", str(data)).stdout
    with sqlite3.connect(data / "jig.db") as con:  # only the hash is kept
        hashes = [h for (h,) in con.execute("SELECT token_hash FROM tokens")]
    assert token not in hashes and len(hashes[0]) == 64
    revoked = jig("admin", "token", "us-lead", "--revoke", "--data", str(data))
    assert "1 token(s) of us-lead revoked" in revoked.stderr
    # A token past its expiry was listed as "active" while the service refused it.
    assert jig("admin", "token", "us-lead", "--days", "0.00001", "--data",
               str(data)).returncode == 0
    rows = [line.split("\t") for line in
            jig("admin", "tokens", "us-lead", "--data", str(data)).stdout.splitlines()]
    expires = datetime.fromisoformat(rows[1][2])
    while datetime.now(UTC) <= expires:  # under a second, from the token's own clock
        time.sleep(0.05)
    rows = [line.split("\t") for line in
            jig("admin", "tokens", "us-lead", "--data", str(data)).stdout.splitlines()]
    assert rows[0][3].startswith("revoked ") and rows[1][3] == "expired"
    log = jig("audit", "log", "--data", str(data)).stdout
    assert "user.add\tuser us-lead" in log and "token.revoke" in log
    ok = jig("audit", "verify", "--data", str(data))
    assert ok.returncode == 0 and "the log holds: 6 entries rebuild all" in ok.stderr
    with sqlite3.connect(data / "jig.db") as con:
        [seq] = con.execute("SELECT seq FROM audit_log WHERE action = 'user.add'").fetchone()
        con.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?", (seq,))
        con.execute("UPDATE tokens SET revoked_at = NULL")
    broken = jig("audit", "verify", "--data", str(data))
    assert broken.returncode == 1 and "2 problem(s)" in broken.stderr
    assert f"entry {seq} (user.add user us-lead) was altered" in broken.stderr
    assert "tokens: row 1 differs from the log (edited directly): revoked_at is None in " \
           "the table" in broken.stderr


def test_every_command_the_messages_and_docs_name_exists():
    # A 403 told operators to add users with `jig admin user`; the command is `add-user`.
    import re

    import typer.main

    from jig.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    named: dict[str, set[str]] = {}
    root = EXAMPLE.parents[1]
    for path in [*(root / "src" / "jig").rglob("*.py"), *(root / "docs").glob("*.md"),
                 root / "README.md"]:
        for m in re.finditer(r"`jig ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", path.read_text()):
            named.setdefault(" ".join(filter(None, m.groups())), set()).add(path.name)
    wrong = []
    for words, where in sorted(named.items()):
        first, _, second = words.partition(" ")
        sub = getattr(commands.get(first), "commands", None)
        if first not in commands or (second and sub is not None and second not in sub):
            wrong.append(f"`jig {words}` in {sorted(where)}")
    assert len(named) > 20 and wrong == []


def test_a_command_that_reads_the_store_never_makes_one(tmp_path):
    # `jig report --data jig-data` in the wrong folder made an empty store and a log key
    # there, then said the store held no agreement.
    where = tmp_path / "jig-data"
    for args in (["report", "--data", str(where), "--as", "US", "-o", str(tmp_path / "r.pdf")],
                 ["audit", "verify", "--data", str(where)], ["audit", "log", "--data", str(where)],
                 ["admin", "users", "--data", str(where)],
                 ["admin", "token", "x", "--data", str(where)]):
        r = jig(*args)
        assert r.returncode == 2 and f"no store in {where}" in " ".join(r.stderr.split()), args
    assert not where.exists() and not (tmp_path / "r.pdf").exists()


def test_outputs_never_replace_an_input_or_each_other(tmp_path):
    """`-o data.csv` replaced the data with findings, exit 0; `-o` and `--rejects` on one
    file kept one of them; a run that failed emptied the `--rejects` file it was given."""
    data = tmp_path / "data.csv"
    shutil.copy(INCIDENTS, data)
    before = data.read_bytes()
    folder = tmp_path / "parts"
    folder.mkdir()
    shutil.copy(INCIDENTS, folder / "a.csv")
    for args, says in (
            (["check", AGREEMENT, str(data), "-f", "csv", "-o", str(data)], "is also an input"),
            (["check", AGREEMENT, str(folder), "-o", str(folder / "a.csv")], "is also an input"),
            (["check", AGREEMENT, str(data), "--rejects", str(data)], "is also an input"),
            (["check", AGREEMENT, INCIDENTS, "-o", str(tmp_path / "x"), "--rejects",
              str(tmp_path / "x")], "-o and --rejects name one file"),
            (["report", AGREEMENT, str(data), "-o", str(tmp_path / "r.html"), "--rejects",
              str(data)], "is also an input")):
        r = jig(*args)
        assert r.returncode == 2 and says in r.stderr, (args, r.stderr)
    assert data.read_bytes() == before and not (tmp_path / "x").exists()
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("kept\n")
    r = jig("check", str(tmp_path / "no-such-agreement.yaml"), str(data), "--rejects",
            str(rejects))
    assert r.returncode == 2
    assert rejects.read_text() == "kept\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "data.csv", "parts", "rejects.csv"]
    r = jig("check", AGREEMENT, str(data), "--rejects", str(rejects))
    assert r.returncode == 0 and rejects.read_text().startswith("file,line")
