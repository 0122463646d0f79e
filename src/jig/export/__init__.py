"""Findings for a GIS: flat columns per incident, written as GeoPackage or GeoParquet."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from jig.agreement.model import Agreement
from jig.errors import JigError, Location, Problem
from jig.export.columns import flat_row
from jig.export.layers import write_geopackage, write_geoparquet
from jig.findings import Verdict

GIS_FORMATS = ("gpkg", "parquet")


def write_gis(fmt: str, path: str | Path, agreement: Agreement, verdicts: Iterable[Verdict]
              ) -> None:
    """`jig check -f gpkg|parquet -o PATH`: GeoPackage layers, or GeoParquet incidents.

    Written whole or not at all: into a file beside `path`, moved over it when complete."""
    writer = {"gpkg": write_geopackage, "parquet": write_geoparquet}.get(fmt)
    if writer is None:
        raise ValueError(f"unknown GIS format {fmt!r}: use one of {', '.join(GIS_FORMATS)}")
    path = Path(path)
    # The format's own extension last: GDAL warns about a GeoPackage named otherwise.
    tmp = path.with_name(f".{path.stem}.part.{fmt}")
    try:
        writer(tmp, agreement, verdicts)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as exc:  # GDAL's errors are RuntimeErrors
        raise JigError(Problem("file.unwritable", f"cannot write here: {exc.strerror or exc}",
                               Location(file=str(path)))) from None
    finally:
        tmp.unlink(missing_ok=True)


__all__ = ["GIS_FORMATS", "flat_row", "write_geopackage", "write_geoparquet", "write_gis"]
