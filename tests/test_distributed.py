"""Judging on a Dask cluster gives exactly the verdicts of one process, Parquet included."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from dask.distributed import Client, LocalCluster
from tests.conftest import EXAMPLE, ROOT, SHARED_DATA

from jig import check, read_incidents, read_notices
from jig.distributed import judge_on_cluster, partitions


def split_example(folder: Path) -> None:
    """The example in three partitions, two CSV and one Parquet. The Nusra advance (A-11)
    and the strike it excuses (A-12) land in different partitions."""
    with (EXAMPLE / "incidents.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    parts = [rows[0:11], rows[11:20], rows[20:]]
    for k, part in enumerate(parts[:2]):
        with (folder / f"p{k}.csv").open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(part)
    pq.write_table(pa.Table.from_pylist(parts[2]), folder / "p2.parquet")


def test_dask_verdicts_equal_one_process(tmp_path, example):
    split_example(tmp_path)
    (tmp_path / "p3.csv").write_text((ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv")
                                     .read_text())
    files = partitions([tmp_path])
    assert [Path(f).name for f in files] == ["p0.csv", "p1.csv", "p2.parquet", "p3.csv"]
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    one = read_incidents(files, example)
    expected = [v.as_dict() for v in check(example, one.records, notices)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        parts = list(judge_on_cluster(client, EXAMPLE / "agreement.yaml", [tmp_path], notices))
    got = [v for p in parts for v in p.verdicts]
    assert got == expected
    # The lines as the workers rendered them from columns: json.dumps of each verdict.
    assert "".join(p.lines for p in parts) == "".join(
        json.dumps(v, ensure_ascii=False) + "\n" for v in expected)
    assert {v["incident"]: v["verdict"] for v in got}["A-12"] == "excepted"
    assert sum(p.read for p in parts) == one.read
    assert [r.reason for p in parts for r in p.rejects] == [r.reason for r in one.rejects]


def test_an_id_repeated_across_partitions_is_rejected_as_in_one_process(tmp_path, example):
    """A-02 appears again in the second and fourth partitions, and the Nusra advance that
    excuses A-12 is repeated too: the repeats are rejected naming the first use, and only
    the first A-11 serves as evidence."""
    split_example(tmp_path)
    with (EXAMPLE / "incidents.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    again = [r for r in rows if r["id"] in ("A-02", "A-11")]
    # The repeated advance sits elsewhere: were it taken as evidence, the finding would say so.
    again[1] = again[1] | {"lon": str(float(again[1]["lon"]) + 0.03)}
    for name in ("p1.csv", "p3.csv"):
        path = tmp_path / name
        existing = list(csv.DictReader(path.open(newline=""))) if path.exists() else []
        with path.open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows([*existing, *again])
    files = partitions([tmp_path])
    one = read_incidents(files, example)
    expected = [v.as_dict() for v in check(example, one.records)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        parts = list(judge_on_cluster(client, EXAMPLE / "agreement.yaml", [tmp_path]))
    assert [v for p in parts for v in p.verdicts] == expected
    reasons = [r.reason for p in parts for r in p.rejects]
    assert reasons == [r.reason for r in one.rejects]
    assert sum("'A-02' was already used at" in r and "p0.csv, line 3" in r for r in reasons) == 2


def test_jig_check_engine_dask_on_a_local_cluster(tmp_path):
    split_example(tmp_path)
    jig = str(Path(sys.executable).with_name("jig"))
    out = tmp_path / "dask.jsonl"
    r = subprocess.run([jig, "check", str(EXAMPLE / "agreement.yaml"), str(tmp_path), "-n",
                        str(EXAMPLE / "notices.csv"), "--engine", "dask", "--workers", "2",
                        "-f", "jsonl", "-o", str(out)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert ("read 28 incident rows: judged 28, rejected 0 (on Dask); breach 8, undetermined 7, "
            "excepted 3, complies 6, not_applicable 4; read 4 notices: taken 4, rejected 0"
            in r.stderr)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["incident"] for row in rows][:3] == ["A-01", "A-02", "A-03"]
    assert {row["incident"]: row["verdict"] for row in rows}["A-14"] == "excepted"


def test_dask_places_rows_by_name_with_the_gazetteer_as_one_process_does(tmp_path):
    """`--gazetteer` reached only the local engine: on Dask every row placed by name was
    rejected ("give a gazetteer"), 368 of 24,680 real rows; `--merge` was ignored."""
    parts = tmp_path / "parts"
    parts.mkdir()
    split_example(parts)
    (parts / "p3.csv").write_text(
        "id,time,place,region,actor,act\n"
        "N-1,2016-08-20T10:00,Raqqa,,Military Forces of Russia (2015-),air_strike\n"
        "N-2,2016-08-21T10:00,Ma'arrat al-Numan,Idlib,Military Forces of Syria (2000-),"
        "shelling\n")
    jig = str(Path(sys.executable).with_name("jig"))
    gazetteer = str(SHARED_DATA / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson")
    common = [jig, "check", str(EXAMPLE / "agreement.yaml"), str(parts), "-g", gazetteer,
              "-n", str(EXAMPLE / "notices.csv"), "-f", "jsonl"]
    local = subprocess.run([*common, "-o", str(tmp_path / "local.jsonl")], capture_output=True,
                           text=True, timeout=300)
    assert local.returncode == 0, local.stderr
    assert "judged 30, rejected 0" in local.stderr
    dask = subprocess.run([*common, "--engine", "dask", "--workers", "1", "-o",
                           str(tmp_path / "dask.jsonl")], capture_output=True, text=True,
                          timeout=300)
    assert dask.returncode == 0, dask.stderr
    assert "judged 30, rejected 0 (on Dask)" in dask.stderr
    assert (tmp_path / "dask.jsonl").read_text() == (tmp_path / "local.jsonl").read_text()
    merged = subprocess.run([*common, "--engine", "dask", "--merge"], capture_output=True,
                            text=True, timeout=300)
    assert merged.returncode == 2 and "--merge" in merged.stderr
