"""UCDP GED exports (global GED and the GED Syria release): any subset of the columns."""

from __future__ import annotations

from typing import Any

from jig.errors import RowError
from jig.readers.tables import Tables
from jig.records import Origin

NAME = "UCDP GED"


def recognise(keys: set[str]) -> bool:
    return "date_start" in keys and bool(keys & {"where_prec", "side_a", "best",
                                                 "type_of_violence"})


def to_fields(row: dict[str, Any], tables: Tables, origin: Origin) -> dict[str, Any]:
    start = str(row.get("date_start") or "").strip()[:10]
    end = str(row.get("date_end") or "").strip()[:10]
    if not start:
        raise RowError("row.missing", "`date_start` is required and empty", "date_start")
    time = start if not end or end == start else f"{start}/{end}"
    radius: float | None = 0.0
    wp = str(row.get("where_prec") or "").strip()
    if wp:
        try:
            code = int(float(wp))
        except ValueError:
            raise RowError("row.code", f"`where_prec` {wp!r} is not a code number",
                           "where_prec") from None
        if code not in tables.ucdp_where_prec:
            raise RowError("row.code", f"`where_prec` {code} is not a UCDP code (1–7)",
                           "where_prec")
        radius = tables.ucdp_where_prec[code]
        if radius is None:
            what = "only the country" if code == 6 else "no place on land"
            raise RowError("row.location_unknown",
                           f"`where_prec` {code}: UCDP knows {what}, so the event cannot be "
                           "placed (map it under precision.ucdp_where_prec in the agreement to "
                           "judge such rows as a wide disc)", "where_prec")
    return {
        "id": row.get("id"), "time": time, "lon": row.get("longitude"),
        "lat": row.get("latitude"), "precision_m": radius, "actor": row.get("side_a"),
        "target": row.get("side_b"), "act": "unknown", "source": row.get("source_office") or NAME,
        "notes": row.get("where_coordinates") or row.get("source_headline"),
        "fatalities": row.get("best"), "grade": row.get("event_clarity"),
        "place": row.get("where_coordinates"), "region": row.get("adm_1"),
        "type_of_violence": row.get("type_of_violence"),
        # UCDP names the two sides of state-based and non-state fighting (types 1 and 2),
        # not which attacked; in one-sided violence (3) side_a is the perpetrator.
        "sides": "either" if _fighting(row.get("type_of_violence"))
        and _named(row.get("side_a")) and _named(row.get("side_b")) else None,
    }


def _fighting(code: Any) -> bool:
    """Whether a `type_of_violence` is fighting between two sides (1 or 2)."""
    try:
        return int(float(str(code).strip())) in (1, 2)
    except (ValueError, OverflowError):  # not a number, or an infinite one
        return False


def _named(side: Any) -> bool:
    return bool(str(side or "").strip())
