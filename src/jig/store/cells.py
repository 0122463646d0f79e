"""A grid of tenth-of-a-degree cells, as an index expression: where judging finds the stored
incidents near a record (evidence, acts a late report may excuse).

The (workspace, time, lon, lat) index read every record of a time window over the whole area
and the planner sometimes took the (lon, lat) one instead: 16 ms a search at 100,000 incidents.
The cell index (migration 0009) is searched cell by cell, each a range of time, and holds the
columns the search returns, so a search reads about the incidents of the box around a record
and no table row: 1.5 ms at 100,000. The cell is an expression, not a column, so the rows and
the log's images of them are what they were. The expression is written here literally, as in
the migration: the planners use an index on an expression only for the same expression.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import literal_column

PER_DEGREE = 10  # cells per degree of latitude and of longitude (about 11 x 9 km in Syria)
ROW = 4000  # cell numbers per row of latitude: more than the 3,601 cells of a row
# A search over more cells than this (a notice covering a country) uses the time index alone.
MAX_CELLS = 2000

# Truncation is the floor here: latitude + 90 and longitude + 180 are never negative. SQLite
# casts by truncating, PostgreSQL by rounding, hence floor() there.
_SQL = {
    "sqlite": "CAST((lat + 90) * 10 AS INTEGER) * 4000 + CAST((lon + 180) * 10 AS INTEGER)",
    "postgresql": "floor((lat + 90) * 10) * 4000 + floor((lon + 180) * 10)",
}


def cell_sql(dialect: str) -> str:
    """The cell of an incident_revisions row, as the index of migration 0009 has it."""
    return _SQL[dialect]


def cell(lon: float, lat: float) -> int:
    """The cell of a point, computed as the database computes it (IEEE doubles both)."""
    return math.floor((lat + 90) * 10) * ROW + math.floor((lon + 180) * 10)


def cells_in(boxes: Iterable[tuple[float, float, float, float]]) -> list[int] | None:
    """Every cell that meets one of the boxes (min lon, min lat, max lon, max lat), or None
    when there are more than MAX_CELLS. A point in a box lies in one of them: the cell number
    never decreases as longitude or latitude grows."""
    out: set[int] = set()
    for lon0, lat0, lon1, lat1 in boxes:
        lon0, lon1 = max(lon0, -180.0), min(lon1, 180.0)
        lat0, lat1 = max(lat0, -90.0), min(lat1, 90.0)
        if lon0 > lon1 or lat0 > lat1:
            continue
        low, high = cell(lon0, lat0), cell(lon1, lat1)
        xs = range(low % ROW, high % ROW + 1)
        ys = range(low // ROW, high // ROW + 1)
        if len(out) + len(xs) * len(ys) > MAX_CELLS:
            return None
        out.update(y * ROW + x for y in ys for x in xs)
    return sorted(out)


def in_cells(dialect: str, cells: list[int]) -> Any:
    """A condition on incident_revisions: the row lies in one of `cells`."""
    return literal_column(cell_sql(dialect)).in_(cells)
