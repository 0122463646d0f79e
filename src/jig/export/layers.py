"""GeoPackage (zones, sites, targets and incidents layers) and GeoParquet (incidents).

Both are written from Arrow tables with WKB geometry: GeoPackage through GDAL (pyogrio's wheel
carries it), GeoParquet with pyarrow alone, with the `geo` metadata of GeoParquet 1.1. Reading
them back needs nothing of jig: GeoPandas, QGIS or DuckDB open them as they are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely

from jig.agreement.model import Agreement, Feature
from jig.export.columns import OWN, TIMES, clause_columns, flat_row
from jig.findings import Verdict
from jig.times import format_instant

GEOMETRY = "geometry"
_GEO_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def _is_float(name: str) -> bool:
    return name in ("p", "precision_m") or name.endswith("__p")


def incidents_table(agreement: Agreement, verdicts: Iterable[Verdict]) -> pa.Table:
    """One row per incident, its flat columns (jig.export.columns) and its point."""
    # no_flights_in is judged on air notices, never on incidents: no columns that are always empty.
    clauses = [c.id for c in agreement.clauses if c.rule != "no_flights_in"]
    rows: list[dict[str, Any]] = []
    lon: list[float] = []
    lat: list[float] = []
    for v in verdicts:
        rows.append(flat_row(v, clauses))
        lon.append(v.incident.lon)
        lat.append(v.incident.lat)
    names = [*OWN, *clause_columns(clauses), "findings"]
    seen = set(names)
    for row in rows:  # input fields, in the order they first appear
        for k in row:
            if k not in seen:
                seen.add(k)
                names.append(k)
    arrays = [pa.array([r.get(n) for r in rows], type=pa.float64() if _is_float(n)
                       else pa.string()) for n in names]
    arrays = [a.cast(pa.timestamp("s", tz="UTC")) if n in TIMES else a
              for n, a in zip(names, arrays, strict=True)]
    wkb = shapely.to_wkb(shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)))
    return pa.table([*arrays, pa.array(list(wkb), type=pa.binary())], names=[*names, GEOMETRY])


def features_table(agreement: Agreement, features: Sequence[Feature]) -> pa.Table:
    """Zones, sites or targets as the agreement reads them, each with its own properties."""
    tz = agreement.tz

    def bound(t: float) -> str | None:
        return None if math.isinf(t) else format_instant(t, tz)

    cols: dict[str, list[Any]] = {
        "id": [f.id for f in features], "name": [f.name for f in features],
        "kind": [f.kind for f in features], "radius_m": [f.radius_m for f in features],
        "group": [f.group for f in features],
        "valid_from": [bound(f.window.start) for f in features],
        "valid_until": [bound(f.window.end) for f in features],
        "agreed_by": [" ".join(sorted(f.agreed_by)) or None for f in features],
        "agreed_by_all": [agreement.is_agreed(f) for f in features],
        "properties": [json.dumps(f.properties, ensure_ascii=False, default=str)
                       for f in features]}
    types = {"radius_m": pa.float64(), "agreed_by_all": pa.bool_()}
    table = pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in cols.items()})
    wkb = shapely.to_wkb(np.array([f.geometry for f in features], dtype=object))
    return table.append_column(GEOMETRY, pa.array(list(wkb), type=pa.binary()))


def _geometry_type(features: Sequence[Feature]) -> str:
    """The layer's type: the features' one type, or Unknown (any) when they mix them."""
    kinds = {f.geometry.geom_type for f in features}
    if len(kinds) == 1 and (k := next(iter(kinds))) in _GEO_TYPES:
        return k
    return "Unknown"


def write_geopackage(path: str | Path, agreement: Agreement, verdicts: Iterable[Verdict]
                     ) -> dict[str, int]:
    """Layers zones, sites, targets (those the agreement has) and incidents; returns counts."""
    from pyogrio import write_arrow

    path = Path(path)
    path.unlink(missing_ok=True)  # a GeoPackage is a database: start it afresh
    counts: dict[str, int] = {}
    meta = {"agreement": agreement.id, "content_hash": agreement.content_hash}
    for layer in ("zones", "sites", "targets"):
        features = getattr(agreement, layer)
        if features:
            write_arrow(features_table(agreement, features), str(path), layer=layer,
                        driver="GPKG", geometry_name=GEOMETRY,
                        geometry_type=_geometry_type(features), crs="EPSG:4326",
                        layer_metadata=meta)
            counts[layer] = len(features)
    table = incidents_table(agreement, verdicts)
    write_arrow(table, str(path), layer="incidents", driver="GPKG", geometry_name=GEOMETRY,
                geometry_type="Point", crs="EPSG:4326", layer_metadata=meta)
    counts["incidents"] = table.num_rows
    return counts


def write_geoparquet(path: str | Path, agreement: Agreement, verdicts: Iterable[Verdict]) -> int:
    """The incidents as GeoParquet 1.1 (WKB points, lon/lat); returns the row count."""
    import pyarrow.parquet as pq

    table = incidents_table(agreement, verdicts)
    geo = {"version": "1.1.0", "primary_column": GEOMETRY,
           "columns": {GEOMETRY: {"encoding": "WKB", "geometry_types": ["Point"]}}}
    if table.num_rows:
        xs = shapely.get_x(shapely.from_wkb(table[GEOMETRY].to_numpy(zero_copy_only=False)))
        ys = shapely.get_y(shapely.from_wkb(table[GEOMETRY].to_numpy(zero_copy_only=False)))
        geo["columns"][GEOMETRY]["bbox"] = [float(xs.min()), float(ys.min()),
                                            float(xs.max()), float(ys.max())]
    # No "crs" key: GeoParquet then means OGC:CRS84, longitude and latitude in degrees.
    meta = (table.schema.metadata or {}) | {b"geo": json.dumps(geo).encode()}
    pq.write_table(table.replace_schema_metadata(meta), str(path), compression="zstd")
    return table.num_rows

