"""When and how the compiled zone kernels run: settings, the size where they pay, the grid.

Numba is imported only here, and only when a batch is large enough: loading it and the
cached machine code takes about half a second, compiling them on a machine's first run some
seconds more, while GEOS decides a small batch in milliseconds. `JIG_KERNELS=on` forces the
kernels on (the tests run them on small data), `off` keeps them off.

The settings belong to the program that embeds the engine (the CLI sets them from
`--threads` and the user's cache directory); by default nothing is read from or written to
disk, so the engine stays pure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.featureset import FeatureSet
from jig.engine.grid import (
    NearestCandidates,
    ZoneGrid,
    ZoneRuns,
    cached,
    candidates_key,
    load_or_build,
    outlines_key,
    regions_key,
    regions_usable,
    zone_runs,
)
from jig.engine.places import component_outline, overlap_component

# Live incidents in a batch from which the kernels are used (see docs/performance.md: loading
# Numba and the machine code takes about 0.7 s of CPU, building a grid of 1,000 zones 1.5 s
# (0.05 s from the cache dir), where GEOS takes about 15 us an incident at 1,000 zones). Once
# the kernels are loaded and the agreement's grid built, every later batch uses them: a long
# input judged chunk by chunk (50,000 rows) pays the start once.
MIN_BATCH = 50_000
# Or this many with a location disc: one that straddles an edge costs the one-by-one path
# about 1 ms of Python (the share of the disc, edge by edge), the kernels some 30 us.
MIN_DISCS = 5_000


@dataclass
class Settings:
    threads: int | None = None  # None: all cores
    cache_dir: Path | None = None  # where grids are kept between runs; None: not kept


settings = Settings()


def default_cache_dir() -> Path:
    """The user's cache directory for jig (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jig"


def wanted(live: int, agreement: Agreement | None = None, discs: int = 0) -> bool:
    """Whether to decide `live` incidents (`discs` of them with a location disc) with the
    kernels: forced by JIG_KERNELS=on/off, else from MIN_BATCH incidents or MIN_DISCS discs
    on, or whenever the agreement's grid is already built."""
    mode = os.environ.get("JIG_KERNELS", "auto").lower()
    if mode == "on":
        return True
    if mode == "off":
        return False
    return live >= MIN_BATCH or discs >= MIN_DISCS or (
        agreement is not None and agreement.indexes.get("zone-grid") is not None)


def zone_grid(agreement: Agreement) -> ZoneGrid | None:
    """The grid of the agreement's zones (kept with the agreement, and on disk when a cache
    directory is set); None when the kernels cannot judge its zones."""
    key = "zone-grid"
    if key not in agreement.indexes:
        regions = [z.region for z in agreement.zones]
        agreement.indexes[key] = (load_or_build(regions, settings.cache_dir)
                                  if regions_usable(regions) else None)
    return agreement.indexes[key]


def nearest_candidates(agreement: Agreement, active: np.ndarray) -> NearestCandidates:
    """Per cell of the agreement's grid, the edges of the zones `active` that may be the
    nearest to a point in it (kept with the agreement, and on disk when a cache directory
    is set): what lets the kernels measure a point's nearest zone over a few dozen edges
    instead of searching rings of cells."""
    key = ("nearest-candidates", np.packbits(np.asarray(active, bool)).tobytes())
    hit = agreement.indexes.get(key)
    if hit is None:
        grid = zone_grid(agreement)
        assert grid is not None
        regions = [z.region for z in agreement.zones]
        name = (candidates_key(regions_key(regions), active)
                if settings.cache_dir is not None else "")
        hit = agreement.indexes[key] = cached(settings.cache_dir, "nearest", name,
                                              NearestCandidates,
                                              lambda: _build_candidates(grid, active))
    return hit


def _build_candidates(grid: ZoneGrid, active: np.ndarray) -> NearestCandidates:
    from jig.engine import candidates

    _set_threads()
    g = grid
    edges = int(g.edge.max()) + 1 if len(g.edge) else 0
    return NearestCandidates(*candidates.nearest_candidates(
        g.x0, g.y0, g.h, g.nx, g.ny, g.ax, g.ay, g.bx, g.by, g.owner, g.edge, g.cell_start,
        g.far, np.ascontiguousarray(active, np.bool_), edges))


def _set_threads() -> None:
    import numba

    if "NUMBA_THREADING_LAYER" not in os.environ:
        # GNU OpenMP, Numba's first choice here, kills a process forked after it ran
        # ("fork() called from a process already using GNU OpenMP"): `jig check --threads`
        # forks workers after its kernels (or a program embedding jig judged before), so a
        # layer that survives a fork is asked for; read when the first parallel kernel runs.
        numba.config.THREADING_LAYER = "forksafe"
    numba.set_num_threads(min(settings.threads or numba.config.NUMBA_NUM_THREADS,
                              numba.config.NUMBA_NUM_THREADS))


def prepare(agreement: Agreement) -> None:
    """What the kernels keep for an agreement whatever the incidents, built (or read from the
    cache directory) now: the grid, the zones' runs of edges, the machine code. For a program
    about to fork workers, which would otherwise each build them in their first chunk. (The
    nearest-edge candidates are not among them: only incidents without a disc need them, for
    the zones in effect at their times, so they are built by judging the first rows.)"""
    if zone_grid(agreement) is None:
        return
    runs_of(agreement)
    from jig.engine import kernels  # noqa: F401  (its machine code, loaded once for all)


def runs_of(agreement: Agreement) -> ZoneRuns:
    """The zones' edges in runs (`grid.zone_runs`), kept with the agreement."""
    key = "zone-runs"
    if key not in agreement.indexes:
        agreement.indexes[key] = zone_runs([z.region for z in agreement.zones])
    return agreement.indexes[key]


def grown_zones(agreement: Agreement) -> np.ndarray:
    """Per zone, whether it is drawn as a core grown by a radius: such a zone is judged as
    the true circle around its core (`relate_discs_grown`), not by its polygon's edges, so a
    set of places holding one is left to GEOS."""
    key = "zones-grown"
    if key not in agreement.indexes:
        agreement.indexes[key] = np.array([z.radius_m > 0 and z.core is not None
                                           for z in agreement.zones], bool)
    return agreement.indexes[key]


@dataclass(frozen=True)
class DiscOutlines:
    """What the kernels measure a straddling disc's share against, for one set of zones in
    effect: each zone's overlap component among them, and the components' outlines (the
    objects `jig.engine.places` uses) joined into one set of `rings_area` arrays."""

    comp: np.ndarray  # per zone of the agreement: its component, -1 when not in effect
    ring_run: np.ndarray  # rings_area's arrays, as it names them
    rx0: np.ndarray
    ry0: np.ndarray
    rx1: np.ndarray
    ry1: np.ndarray
    ring_cross: np.ndarray
    run_edge: np.ndarray
    ux0: np.ndarray
    uy0: np.ndarray
    ux1: np.ndarray
    uy1: np.ndarray
    run_cross: np.ndarray
    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    first: np.ndarray  # component c's rings are first[c]:first[c+1]

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}

    def rings(self) -> tuple[np.ndarray, ...]:
        """The arrays the kernel reads, in `rings_area`'s order, then `first`."""
        return tuple(getattr(self, f.name) for f in fields(self))[1:]


def disc_outlines(agreement: Agreement, places: FeatureSet) -> DiscOutlines:
    """The components and outlines of `places` (kept with the agreement, and on disk when a
    cache directory is set: the unions cost about a second at 1,000 zones, every run and
    every worker of `jig check --threads`)."""
    key = ("disc-outlines", places.member)
    hit = agreement.indexes.get(key)
    if hit is None:
        member = np.array([z in places for z in agreement.zones])
        name = (outlines_key(regions_key([z.region for z in agreement.zones]), member)
                if settings.cache_dir is not None else "")
        hit = agreement.indexes[key] = cached(settings.cache_dir, "outlines", name, DiscOutlines,
                                              lambda: _build_outlines(agreement, places))
    return hit


def _build_outlines(agreement: Agreement, places: FeatureSet) -> DiscOutlines:
    comp = np.full(len(agreement.zones), -1, dtype=np.int64)
    position = {id(z): k for k, z in enumerate(agreement.zones)}
    outlines = []
    for f in places:
        if comp[position[id(f)]] >= 0:
            continue
        members = overlap_component(agreement, f, places, None)
        comp[[position[id(m)] for m in members]] = len(outlines)
        outlines.append(component_outline(agreement, members))
    rings = np.cumsum([0] + [o.rings for o in outlines])
    runs = np.cumsum([0] + [len(o.run_edge) - 1 for o in outlines])
    edges = np.cumsum([0] + [len(o.ax) for o in outlines])

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.ascontiguousarray(np.concatenate([np.zeros(0, dtype), *parts]), dtype)

    ring_run = joined([o.ring_run[:-1] + runs[c] for c, o in enumerate(outlines)]
                      + [runs[-1:]], np.int64)
    run_edge = joined([o.run_edge[:-1] + edges[c] for c, o in enumerate(outlines)]
                      + [edges[-1:]], np.int64)
    ring_box = [joined([o.ring_box[i] for o in outlines], float) for i in range(4)]
    run_box = [joined([o.run_box[i] for o in outlines], float) for i in range(4)]
    ring_cross = joined([o.ring_cross for o in outlines], float)
    run_cross = joined([o.run_cross for o in outlines], float)
    coords = [joined([getattr(o, a) for o in outlines], float) for a in ("ax", "ay", "bx", "by")]
    return DiscOutlines(comp, ring_run, *ring_box, ring_cross, run_edge, *run_box, run_cross,
                        *coords, np.ascontiguousarray(rings, np.int64))


def decide_zones(grid: ZoneGrid, active: np.ndarray, wstart: np.ndarray, wend: np.ndarray,
                 x: np.ndarray, y: np.ndarray, r: np.ndarray, start: np.ndarray,
                 end: np.ndarray, runs: ZoneRuns, steady: np.ndarray | None = None,
                 discs: DiscOutlines | None = None, near: NearestCandidates | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(outcome, zone position, metres, p) per incident from the compiled kernel; see
    `jig.engine.kernels`. A disc reaching an edge is decided only where `steady` (every zone
    in effect for all of its span) and `discs` are given; a point's nearest zone from its
    cell's candidate edges where `near` is given and keeps them."""
    from jig.engine import kernels

    _set_threads()
    # Incidents taken cell by cell: neighbours read the same edges while they are in cache
    # (three times faster at a million points than in input order).
    order = kernels.cell_order(np.ascontiguousarray(x, float), np.ascontiguousarray(y, float),
                               grid.x0, grid.y0, grid.h, grid.nx, grid.ny)
    n = len(x)
    outcome = np.empty(n, dtype=np.int8)
    zone = np.empty(n, dtype=np.int64)
    metres = np.empty(n)
    p = np.empty(n)
    if steady is None or discs is None:
        steady = np.zeros(n, bool)
        discs = _NO_DISCS
    f = np.ascontiguousarray
    kernels.decide(f(x[order], float), f(y[order], float), f(r[order], float),
                   f(start[order], float), f(end[order], float), f(steady[order], np.bool_),
                   f(active, np.bool_), f(wstart, float), f(wend, float), grid.x0, grid.y0,
                   grid.h, grid.nx, grid.ny, grid.ax, grid.ay, grid.bx, grid.by, grid.owner,
                   grid.cell_start, grid.cover_start, grid.cover_zone, grid.side,
                   grid.centre_start, grid.centre_zone, grid.far,
                   f(discs.comp, np.int64) if len(discs.comp) == len(active) else
                   np.zeros(len(active), np.int64), discs.rings(), runs.box, runs.arrays(),
                   (*(near or _NO_CANDIDATES).arrays().values(), runs.ax, runs.ay, runs.bx,
                    runs.by, runs.owner),
                   outcome, zone, metres, p)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    return outcome[back], zone[back], metres[back], p[back]


_i, _f = np.zeros(1, np.int64), np.zeros(0)
# No candidates: every point is searched ring by ring.
_NO_CANDIDATES = NearestCandidates(_i, np.zeros(0, np.int32), np.zeros(0, np.bool_),
                                   np.zeros(0, np.float32))
# No outlines: what the kernel is given when it is not to decide straddling discs.
_NO_DISCS = DiscOutlines(np.zeros(0, np.int64), _i, _f, _f, _f, _f, _f, _i, _f, _f, _f, _f, _f,
                         _f, _f, _f, _f, _i)
