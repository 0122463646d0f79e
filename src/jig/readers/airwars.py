"""Airwars incident exports: the detailed English table (with `geolocation_precision`,
`belligerent`, `grading`) and the shorter summary table (`military_original`, no precision)."""

from __future__ import annotations

from typing import Any

from jig.errors import RowError
from jig.readers.tables import Tables
from jig.records import Origin

NAME = "Airwars"


def recognise(keys: set[str]) -> bool:
    return {"code", "airwars_id", "date"} <= keys and bool(keys & {"belligerent",
                                                                  "military_original"})


def to_fields(row: dict[str, Any], tables: Tables, origin: Origin) -> dict[str, Any]:
    day = str(row.get("date") or "").strip()
    if not day:
        raise RowError("row.missing", "`date` is empty: Airwars gives no date for this incident",
                       "date")
    end = str(row.get("date_range_end") or row.get("date_end") or "").strip()
    time = f"{day}/{end}" if end and end != day and row.get("date_type") != "date" else day
    # The summary table has no precision column: its coordinates count as of unknown precision.
    word = str(row.get("geolocation_precision") or "").strip()
    if word not in tables.airwars_geolocation_precision:
        raise RowError("row.code", f"`geolocation_precision` {word!r} is not an Airwars word "
                       "jig knows (map it under precision.airwars_geolocation_precision)",
                       "geolocation_precision")
    radius = tables.airwars_geolocation_precision[word]
    has_point = bool(str(row.get("latitude") or "").strip())
    if radius is None and has_point:
        raise RowError("row.location_unknown", "`geolocation_precision` is empty: how exact the "
                       "coordinates are is unknown (map '' under "
                       "precision.airwars_geolocation_precision in the agreement)",
                       "geolocation_precision")
    strike = str(row.get("strike_type") or row.get("strike_type_original") or "").strip()
    act = tables.airwars_strike_type.get(strike, "other")
    killed = "–".join(dict.fromkeys(v for v in (
        str(row.get("civilians_killed_min") or row.get("killed_min") or ""),
        str(row.get("civilians_killed_max") or row.get("killed_max") or "")) if v))
    location = str(row.get("location_en") or row.get("location_original") or "")
    return {
        "id": row.get("code"), "time": time, "lon": row.get("longitude"),
        "lat": row.get("latitude"), "precision_m": radius or 0.0,
        "actor": row.get("belligerent") or row.get("military_original"), "target": None,
        "act": act, "source": NAME,
        "notes": location, "place_ar": row.get("location_ar") or None,
        "fatalities": killed or None, "grade": row.get("grading"),
        "reported_at": row.get("published"), "place": location.split(",")[0].strip(),
        "region": row.get("governorate_en") or row.get("region_en"),
        "strike_type": strike, "url": row.get("airwars_url"),
    }
