"""The compiled zone kernels against GEOS on real data, and the grid kept on disk.

`tests/test_equivalence.py` compares whole findings (reason text included) with the kernels
forced on; here the columns themselves are compared bit for bit, since reasons round the
metres they quote.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from tests.conftest import EXAMPLE, SHARED_DATA

from jig.engine import accel
from jig.engine.check import check_one_by_one, judge
from jig.engine.fast import SLOW, UNDETERMINED
from jig.engine.featureset import FeatureSet
from jig.engine.grid import (
    build,
    candidates_key,
    edges_of,
    load_or_build,
    outlines_key,
    regions_key,
    zone_runs,
)
from jig.records import Incident
from jig.times import Span

OCHA = SHARED_DATA / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson"
JIG = str(Path(sys.executable).with_name("jig"))
UCDP = SHARED_DATA / "ucdp_ged_syria" / "ged_syria_v19_1_2016-2019.csv"


@pytest.fixture(scope="module")
def subdistricts(tmp_path_factory):
    return subdistricts_agreement(tmp_path_factory.mktemp("ocha"))


def subdistricts_agreement(folder: Path):
    """The 272 OCHA sub-districts of Syria (a tessellation: every inner edge is shared) as
    zones, the western half valid only from 20 August 2016."""
    from jig import load_agreement

    feats = json.loads(OCHA.read_text(encoding="utf-8"))["features"]
    for k, f in enumerate(feats):
        west = f["properties"]["PCODE"] < "SY07"
        f["properties"] = {"id": f["properties"]["PCODE"], "kind": "designated"}
        if west and k % 2:
            f["properties"]["valid_from"] = "2016-08-20"
    path = folder / "agreement.json"
    path.write_text(json.dumps({
        "jig": 1, "id": "ocha", "in_force": {"from": "2016-01-01"}, "timezone": "UTC",
        "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
        "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
        "zones": {"type": "FeatureCollection", "features": feats},
        "clauses": [{"id": "c", "rule": "no_strikes_in", "bound": ["AF"],
                     "zones": {"kind": "designated"}}]}))
    return load_agreement(path)


def ucdp_incidents() -> list[Incident]:
    """Every UCDP GED Syria event with coordinates, at its reported point, then the same
    points moved by up to 2 km, half of them with a location disc of 1-5 km."""
    with UCDP.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["longitude"] and r["latitude"]]
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    rng = np.random.default_rng(7)
    n = len(rows)
    lon2 = lon + rng.uniform(-0.02, 0.02, n)
    lat2 = lat + rng.uniform(-0.02, 0.02, n)
    radius = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(1000, 5000, n))
    t = 1_470_000_000.0 + rng.uniform(0, 40 * 86400, n)
    out = []
    for k, (x, y, r) in enumerate([*zip(lon, lat, np.zeros(n), strict=True),
                                   *zip(lon2, lat2, radius, strict=True)]):
        when = float(t[k % n])
        out.append(Incident(id=f"U{k}", span=Span(when, when), time_text="t", lon=float(x),
                            lat=float(y), precision_m=float(r), actor="A forces",
                            act="air_strike"))
    return out


def test_kernels_decide_real_data_as_geos_does_bit_for_bit(subdistricts, monkeypatch):
    incs = ucdp_incidents()
    monkeypatch.setenv("JIG_KERNELS", "off")
    reference = judge(subdistricts, incs).columns[0]
    monkeypatch.setenv("JIG_KERNELS", "on")
    compiled = judge(subdistricts, incs).columns[0]
    assert subdistricts.indexes.get("zone-grid") is not None
    decided = reference.outcome != SLOW
    # Most are decided in arrays: the comparison is not vacuous.
    assert decided.mean() > 0.5
    np.testing.assert_array_equal(compiled.outcome[decided], reference.outcome[decided])
    np.testing.assert_array_equal(compiled.zone[decided], reference.zone[decided])
    # The metres quoted (depth inside, or distance to the nearest zone) are GEOS's, bit for bit.
    assert compiled.metres[decided].tobytes() == reference.metres[decided].tobytes()
    # The kernels also decide discs that straddle edges, which GEOS's arrays leave to the
    # one-by-one path (their findings are compared below).
    more = ~decided & (compiled.outcome != SLOW)
    assert (compiled.outcome[more] == UNDETERMINED).sum() > 1000


def test_kernels_judge_straddling_discs_as_the_one_by_one_path(subdistricts, monkeypatch):
    """Real points with discs of 1-5 km across the 272 sub-districts' shared edges: the
    undetermined findings the kernels decide in columns (`p`, the share of the disc inside,
    included) are the one-by-one path's, to the last bit, as objects and as JSON Lines."""
    incs = ucdp_incidents()
    moved = incs[len(incs) // 2:]
    monkeypatch.setenv("JIG_KERNELS", "on")
    judged = judge(subdistricts, moved)
    ks = np.flatnonzero(judged.columns[0].outcome == UNDETERMINED)
    assert len(ks) > 1000
    verdicts = judged.verdicts()
    fast = [verdicts[k].as_dict() for k in ks.tolist()]
    slow = [v.as_dict() for v in check_one_by_one(subdistricts, [moved[k] for k in ks.tolist()])]
    assert fast == slow
    assert judged.jsonl() == "".join(json.dumps(v.as_dict(), ensure_ascii=False) + "\n"
                                     for v in verdicts)


def test_kernels_give_the_same_on_one_thread_and_on_all(subdistricts, monkeypatch):
    incs = ucdp_incidents()[:6000]
    monkeypatch.setenv("JIG_KERNELS", "on")
    monkeypatch.setattr(accel.settings, "threads", 1)
    one = judge(subdistricts, incs).columns[0]
    monkeypatch.setattr(accel.settings, "threads", None)
    every = judge(subdistricts, incs).columns[0]
    np.testing.assert_array_equal(one.outcome, every.outcome)
    assert one.metres.tobytes() == every.metres.tobytes()


def test_grid_is_kept_on_disk_and_a_bad_file_is_rebuilt(subdistricts, tmp_path):
    regions = [z.region for z in subdistricts.zones][:40]
    fresh = build(regions)
    kept = load_or_build(regions, tmp_path)
    [path] = tmp_path.glob("grid-*.npz")
    assert path.name == f"grid-{regions_key(regions)}.npz"
    again = load_or_build(regions, tmp_path)
    for name, value in fresh.arrays().items():
        assert np.array_equal(kept.arrays()[name], value)
        assert np.array_equal(again.arrays()[name], value)
    # A truncated file, then one whose arrays were altered, then one stored under another
    # key: each is rebuilt (and rewritten), never trusted.
    path.write_bytes(path.read_bytes()[:200])
    assert np.array_equal(load_or_build(regions, tmp_path).ax, fresh.ax)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["ax"] = arrays["ax"] + 1.0
    np.savez(path, **arrays)
    assert np.array_equal(load_or_build(regions, tmp_path).ax, fresh.ax)
    arrays = {k: v for k, v in fresh.arrays().items()}
    np.savez(path, key=np.array("another"), checksum=np.array("x"), **arrays)
    assert np.array_equal(load_or_build(regions, tmp_path).ax, fresh.ax)
    with np.load(path) as f:
        assert str(f["key"]) == regions_key(regions)


def test_a_cells_candidate_edges_give_what_the_ring_search_gives(subdistricts):
    """The nearest zone (and the depth in the zones holding a point) taken from a cell's
    candidate edges equals the search over rings of cells, bit for bit: for every zone in
    effect, and for a third of them (holes in the map, so candidates reach far)."""
    zones = subdistricts.zones
    regions = [z.region for z in zones]
    grid, runs = build(regions), zone_runs(regions)
    rng = np.random.default_rng(12)
    # Points over the whole grid, on and beside the zones' vertices, and beyond the grid.
    vx = np.concatenate([runs.ax, runs.bx])
    vy = np.concatenate([runs.ay, runs.by])
    pick = rng.integers(0, len(vx), 20_000)
    x = np.concatenate([rng.uniform(grid.x0 - 5e4, grid.x0 + grid.nx * grid.h + 5e4, 60_000),
                        vx[pick], vx[pick] + rng.normal(0, 50, len(pick))])
    y = np.concatenate([rng.uniform(grid.y0 - 5e4, grid.y0 + grid.ny * grid.h + 5e4, 60_000),
                        vy[pick], vy[pick] + rng.normal(0, 50, len(pick))])
    n = len(x)
    zero, always = np.zeros(n), np.full(len(zones), np.inf)
    decided = 0
    for active in (np.ones(len(zones), bool), rng.random(len(zones)) < 0.3):
        near = accel._build_candidates(grid, active)
        assert near.kept.mean() > 0.5
        args = (grid, active, -always, always, x, y, zero, zero, zero, runs)
        by_rings = accel.decide_zones(*args)
        by_candidates = accel.decide_zones(*args, near=near)
        for a, b in zip(by_rings, by_candidates, strict=True):
            assert np.array_equal(a, b)
        decided += int((by_rings[0] != SLOW).sum())
    assert decided > 1.5 * n


@functools.cache
def _filler():
    """A compiled loop asking the kernels' containment (or its ray walk) of every point."""
    from numba import njit

    from jig.engine import containment

    @njit
    def fill(out, x, y, x0, y0, h, nx, ny, ax, ay, bx, by, owner, cstart, vstart, vzone, side,
             rstart, rzone, active, by_ray):
        nz = len(active)
        state, parity = np.zeros(nz, np.int8), np.zeros(nz, np.int8)
        mark, clock = np.zeros(nz, np.int64), np.zeros(1, np.int64)
        pend, ins = np.empty(nz, np.int64), np.empty(nz, np.int64)
        for k in range(len(x)):
            if by_ray:
                ni = containment._contained_by_ray(x[k], y[k], x0, y0, h, nx, ny, ax, ay, bx,
                                                   by, owner, cstart, vstart, vzone, active,
                                                   state, parity, mark, clock, pend, ins)
            else:
                ni = containment._contained(x[k], y[k], x0, y0, h, nx, ny, ax, ay, bx, by,
                                            owner, cstart, vstart, vzone, side, rstart, rzone,
                                            active, state, parity, mark, clock, pend, ins)
            for q in range(ni):
                out[k, ins[q]] = True

    return fill


def _holding(grid, active, x, y, by_ray: bool) -> np.ndarray:
    """(points, zones): whether each active zone holds each point, by the kernels'
    containment from the point's cell, or by the ray walk it falls back on."""
    out = np.zeros((len(x), len(active)), bool)
    g = grid
    _filler()(out, x, y, g.x0, g.y0, g.h, g.nx, g.ny, g.ax, g.ay, g.bx, g.by, g.owner,
              g.cell_start, g.cover_start, g.cover_zone, g.side, g.centre_start, g.centre_zone,
              active, by_ray)
    return out


def _awkward_points(grid, rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Points where the containment's rules are tested: at random; at the height of a
    vertex (an edge ending on the point's row); in a cell's centre column, beside a
    vertex; on an edge's line where it crosses a centre column (the corner of the path);
    and at cells' centres."""
    ax, ay, bx, by = grid.ax, grid.ay, grid.bx, grid.by
    x = [rng.uniform(grid.x0, grid.x0 + grid.nx * grid.h, n)]
    y = [rng.uniform(grid.y0, grid.y0 + grid.ny * grid.h, n)]
    k = rng.integers(0, len(ax), n)
    x.append(ax[k] + rng.uniform(-3 * grid.h, 3 * grid.h, n))
    y.append(ay[k])
    col = np.floor((ax[k] - grid.x0) / grid.h)
    x.append(grid.x0 + (col + 0.5) * grid.h)
    y.append(ay[k] + rng.uniform(-grid.h, grid.h, n))
    xc = grid.x0 + (np.floor((np.minimum(ax, bx) - grid.x0) / grid.h) + 0.5) * grid.h
    cut = np.flatnonzero((np.minimum(ax, bx) < xc) & (xc < np.maximum(ax, bx)))
    cut = rng.choice(cut, min(n, len(cut)), replace=False)
    t = (xc[cut] - ax[cut]) / (bx[cut] - ax[cut])
    ycut = ay[cut] + t * (by[cut] - ay[cut])
    x.append(np.repeat(xc[cut], 2) + np.tile([-0.3, 0.4], len(cut)) * grid.h)
    y.append(np.repeat(ycut, 2))
    cells = rng.integers(0, grid.nx * grid.ny, n)
    x.append(grid.x0 + (cells % grid.nx + 0.5) * grid.h)
    y.append(grid.y0 + (cells // grid.nx + 0.5) * grid.h)
    return np.concatenate(x), np.concatenate(y)


def test_containment_from_a_cell_is_geos_and_the_ray_walk(subdistricts):
    """The zones holding a point, from its own cell, are those GEOS says hold it (every point
    farther than a micrometre from an edge) and those the ray walk finds (every point): on
    the sub-districts (shared edges throughout) and on overlapping zones with holes and
    several parts, for every zone in effect and for a third of them."""
    rng = np.random.default_rng(5)
    blobs = shapely.buffer(shapely.points(rng.uniform(0, 1e5, (60, 2))), rng.uniform(4e3, 2e4,
                                                                                      60))
    holes = shapely.buffer(shapely.points(rng.uniform(0, 1e5, (60, 2))), 3e3, quad_segs=3)
    shapes = [shapely.difference(b, hl) for b, hl in zip(blobs, holes, strict=True)]
    shapes += [shapely.union(shapes[k], shapes[k + 1]) for k in range(0, 20, 2)]
    shapes += [shapely.box(2e4, 2e4, 6e4, 6e4), shapely.box(6e4, 2e4, 9e4, 6e4)]  # a shared side
    for regions in ([z.region for z in subdistricts.zones], shapes):
        grid = build(regions)
        x, y = _awkward_points(grid, rng, 10_000)
        ax, ay, bx, by, _ = edges_of(regions)
        segments = shapely.linestrings(np.stack([ax, ay, bx, by], 1).reshape(-1, 2, 2))
        edges = shapely.STRtree(segments)
        near = edges.query(shapely.points(x, y), predicate="dwithin", distance=1e-6)[0]
        clear = ~np.isin(np.arange(len(x)), near)
        assert clear.mean() > 0.9
        for active in (np.ones(len(regions), bool), rng.random(len(regions)) < 0.3):
            mine = _holding(grid, active, x, y, by_ray=False)
            assert np.array_equal(mine, _holding(grid, active, x, y, by_ray=True))
            geos = np.stack([shapely.contains_xy(g, x, y) if on else np.zeros(len(x), bool)
                             for g, on in zip(regions, active, strict=True)], axis=1)
            assert np.array_equal(mine[clear], geos[clear])
            assert mine.any(axis=1).mean() > 0.2


def _kept_on_disk(agreement, path, get, altered: str) -> dict[str, np.ndarray]:
    """`get()` builds arrays and writes them to `path`, a second call reads the same arrays
    back from it, and once its array `altered` is changed the file is rebuilt, never trusted.
    Returns the arrays built."""
    agreement.indexes.clear()
    built = get().arrays()
    assert path.exists()
    agreement.indexes.clear()
    again = get().arrays()
    assert again.keys() == built.keys()
    for name, value in built.items():
        assert np.array_equal(again[name], value)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[altered] = arrays[altered][::-1].copy()
    np.savez(path, **arrays)
    agreement.indexes.clear()
    assert np.array_equal(getattr(get(), altered), built[altered])
    agreement.indexes.clear()
    return built


def test_disc_outlines_are_kept_on_disk_for_each_set_of_zones_in_effect(subdistricts, tmp_path,
                                                                        monkeypatch):
    """What a straddling disc's share is measured against is read back from the cache
    directory array for array, once per set of zones in effect; a file altered is rebuilt."""
    monkeypatch.setattr(accel.settings, "cache_dir", tmp_path)
    zones = subdistricts.zones
    regions = [z.region for z in zones]
    paths = set()
    for member in (np.ones(len(zones), bool), np.arange(len(zones)) % 3 != 0):
        places = FeatureSet.of([z for z, m in zip(zones, member, strict=True) if m])
        path = tmp_path / f"outlines-{outlines_key(regions_key(regions), member)}.npz"
        built = _kept_on_disk(subdistricts, path,
                              lambda p=places: accel.disc_outlines(subdistricts, p), "ax")
        assert (built["comp"] >= 0).sum() == member.sum()
        paths.add(path)
    assert len(paths) == 2


def test_candidates_are_kept_on_disk_for_each_set_of_zones_in_effect(subdistricts, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(accel.settings, "cache_dir", tmp_path)
    regions = [z.region for z in subdistricts.zones]
    every = np.ones(len(regions), bool)
    some = every.copy()
    some[::2] = False
    paths = set()
    for active in (every, some):
        path = tmp_path / f"nearest-{candidates_key(regions_key(regions), active)}.npz"
        _kept_on_disk(subdistricts, path,
                      lambda a=active: accel.nearest_candidates(subdistricts, a), "ids")
        paths.add(path)
    assert len(paths) == 2


def test_zones_grown_by_a_radius_are_left_to_geos(make_agreement, monkeypatch):
    from tests.conftest import box, collection, feature, incident

    from jig.engine.check import check_one_by_one

    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
                       feature(box(36.5, 35.1, 36.52, 35.12), id="Z-2", kind="designated",
                               radius_m=2000))
    agreement = make_agreement("""\
zones: zones.geojson
clauses:
  - {id: c, rule: no_strikes_in, bound: [BF], acts: [air_strike], zones: {kind: designated}}
""", zones=zones)
    monkeypatch.setenv("JIG_KERNELS", "on")
    # Between the polygon drawn for Z-2's radius and the true circle around its core's corner:
    # outside the polygon's chord, 5 m or so inside the radius.
    z2 = agreement.zones[1]
    ring = np.asarray(z2.region.exterior.coords)
    mids = (ring[1:] + ring[:-1]) / 2
    gaps = shapely.distance(z2.core, shapely.points(mids))
    mid, gap = mids[int(np.argmin(gaps))], float(gaps.min())
    foot = np.asarray(shapely.shortest_line(z2.core, shapely.Point(mid)).coords[0])
    px, py = foot + (mid - foot) * (2000 + gap) / 2 / gap
    lon, lat = agreement.projection._inv.transform(px, py)  # type: ignore[attr-defined]
    incs = [incident(agreement, id=f"I{k}", lon=lo, lat=la, actor="B forces",
                     act="air_strike") for k, (lo, la) in enumerate([(lon, lat), (36.6, 35.2)])]
    from jig import check

    fast = [v.as_dict() for v in check(agreement, incs)]
    assert fast == [v.as_dict() for v in check_one_by_one(agreement, incs)]
    assert fast[0]["findings"][0]["outcome"] == "breach"
    assert accel.grown_zones(agreement).tolist() == [False, True]


def test_small_batches_do_not_load_the_kernels(monkeypatch, subdistricts):
    monkeypatch.delenv("JIG_KERNELS", raising=False)
    assert not accel.wanted(accel.MIN_BATCH - 1)
    assert accel.wanted(accel.MIN_BATCH)
    # Discs straddling edges cost the one-by-one path far more: fewer of them repay it.
    assert not accel.wanted(accel.MIN_DISCS - 1, None, accel.MIN_DISCS - 1)
    assert accel.wanted(accel.MIN_DISCS, None, accel.MIN_DISCS)
    # Once an agreement's grid is built, its later (smaller) chunks use it too.
    accel.zone_grid(subdistricts)
    assert accel.wanted(10, subdistricts)
    monkeypatch.setenv("JIG_KERNELS", "on")
    assert accel.wanted(1)
    monkeypatch.setenv("JIG_KERNELS", "off")
    assert not accel.wanted(10 ** 9)


def _jig_check(tmp_path, kernels: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JIG_KERNELS": kernels, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([JIG, "check", str(EXAMPLE / "agreement.yaml"),
                           str(EXAMPLE / "incidents.csv"), "-n", str(EXAMPLE / "notices.csv"),
                           "-f", "jsonl", *extra], capture_output=True, text=True, timeout=300,
                          env=env)


def test_jig_check_threads_give_the_same_findings_and_keep_the_grid(tmp_path):
    reference = _jig_check(tmp_path, "off")
    assert reference.returncode == 0, reference.stderr
    for threads in ("1", "2"):
        run = _jig_check(tmp_path, "on", "--threads", threads)
        assert run.returncode == 0, run.stderr
        assert run.stdout == reference.stdout
    assert len(list((tmp_path / "cache" / "jig").glob("grid-*.npz"))) == 1
    bad = _jig_check(tmp_path, "on", "--threads", "0")
    assert bad.returncode == 2
    assert "--threads 0" in bad.stderr
