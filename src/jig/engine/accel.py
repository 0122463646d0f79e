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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.grid import ZoneGrid, load_or_build, regions_usable

# Live incidents in a batch from which the kernels are used (see docs/performance.md: loading
# Numba and the machine code takes about 0.7 s of CPU, building a grid of 1,000 zones 1.5 s
# (0.05 s from the cache dir), where GEOS takes about 15 us an incident at 1,000 zones). Once
# the kernels are loaded and the agreement's grid built, every later batch uses them: a long
# input judged chunk by chunk (50,000 rows) pays the start once.
MIN_BATCH = 50_000


@dataclass
class Settings:
    threads: int | None = None  # None: all cores
    cache_dir: Path | None = None  # where grids are kept between runs; None: not kept


settings = Settings()


def default_cache_dir() -> Path:
    """The user's cache directory for jig (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jig"


def wanted(live: int, agreement: Agreement | None = None) -> bool:
    """Whether to decide `live` incidents with the kernels: forced by JIG_KERNELS=on/off,
    else from MIN_BATCH on, or whenever the agreement's grid is already built."""
    mode = os.environ.get("JIG_KERNELS", "auto").lower()
    if mode == "on":
        return True
    if mode == "off":
        return False
    return live >= MIN_BATCH or (agreement is not None
                                 and agreement.indexes.get("zone-grid") is not None)


def zone_grid(agreement: Agreement) -> ZoneGrid | None:
    """The grid of the agreement's zones (kept with the agreement, and on disk when a cache
    directory is set); None when the kernels cannot judge its zones."""
    key = "zone-grid"
    if key not in agreement.indexes:
        regions = [z.region for z in agreement.zones]
        agreement.indexes[key] = (load_or_build(regions, settings.cache_dir)
                                  if regions_usable(regions) else None)
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


def decide_zones(grid: ZoneGrid, active: np.ndarray, wstart: np.ndarray, wend: np.ndarray,
                 x: np.ndarray, y: np.ndarray, r: np.ndarray, start: np.ndarray,
                 end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(outcome, zone position, metres) per incident from the compiled kernel; see
    `jig.engine.kernels`."""
    import numba

    from jig.engine import kernels

    numba.set_num_threads(min(settings.threads or numba.config.NUMBA_NUM_THREADS,
                              numba.config.NUMBA_NUM_THREADS))
    # Incidents taken cell by cell: neighbours read the same edges while they are in cache
    # (three times faster at a million points than in input order).
    col = np.clip(np.floor((x - grid.x0) / grid.h), -1, grid.nx).astype(np.int64)
    row = np.clip(np.floor((y - grid.y0) / grid.h), -1, grid.ny).astype(np.int64)
    order = np.argsort(row * (grid.nx + 2) + col, kind="stable")
    n = len(x)
    outcome = np.empty(n, dtype=np.int8)
    zone = np.empty(n, dtype=np.int64)
    metres = np.empty(n)
    f = np.ascontiguousarray
    kernels.decide(f(x[order], float), f(y[order], float), f(r[order], float),
                   f(start[order], float), f(end[order], float), f(active, np.bool_),
                   f(wstart, float), f(wend, float), grid.x0, grid.y0, grid.h, grid.nx, grid.ny,
                   grid.ax, grid.ay, grid.bx, grid.by, grid.owner, grid.cell_start,
                   grid.cover_start, grid.cover_zone, grid.far, outcome, zone, metres)
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    return outcome[back], zone[back], metres[back]
